"""Charts, tables and keyboard measured in chromium, as a graphics editor and a screen-reader
user check them.

Issue 21's checks, on the static site and in JupyterLab, at 1024 and 1400 px: every plotly
chart's text boxes neither overlap each other nor cross the chart's, the plot's or the
page's edge nor sit on a marker, and no title line holds a single word (the rules are in
tests/layout_support.py's docstring); every chart has a data table that describes it, for
people (no ids, no list syntax, no unrounded numbers, named columns); bars of different
colours stay apart in greyscale; printed on A4, no table, code block or chart is wider
than the content box, and on screen a wide code block scrolls; the keyboard reaches a skip
link first, every tab stop shows a focus ring, a chart holds at most its two toolbar
buttons; in JupyterLab every slider is reached by Tab, has an accessible name, announces
the value it shows and moves with the arrow keys.

Cost: one chromium (the shared ``browser`` fixture), one site build, every page loaded once
per width and measured once, all checks judged from those measurements; JupyterLab runs
each notebook once and measures it at both widths. Screenshots of every site page and every
notebook at 1024 px go to build/screenshots/ (``site-*.png``, ``lab-*.png``) for review.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser_support import (
    APP_READY_JS,
    CLOSE_JS,
    OPEN_JS,
    SCREENSHOTS,
    LabServer,
    accessibility_node,
    notebook_paths,
    open_with_charts_drawn,
    run_every_cell,
)
from tests.layout_support import (
    A4_CONTENT_WIDTH,
    BLOCKS_JS,
    FOCUSED_JS,
    MAX_TAB_STOPS_PER_CHART,
    MEASURE_JS,
    TABLES_JS,
    chart_name,
    clipped_code,
    close_bar_colours,
    every_chart_table_problem,
    layout_problems,
    table_problems,
    too_wide_for_paper,
    two_bars,
)

#: Chromium, kernels (each notebook is run in JupyterLab) and about four minutes.
pytestmark = [pytest.mark.browser, pytest.mark.kernel, pytest.mark.slow]

NOTEBOOKS = notebook_paths()
STEMS = [path.stem for path in NOTEBOOKS]
WIDTHS = (1024, 1400)
SCREENSHOT_WIDTH = 1024
HEIGHT = 768
#: Most Tab presses a page is walked for; a page needing more has far too many stops anyway.
MAX_TAB_WALK = 400

ALL_DRAWN_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .every(p => p.querySelector('.main-svg'))"""
#: Two animation frames and a pause: plotly's relayout after a resize has then been painted.
SETTLE_JS = """() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(
  () => setTimeout(r, 300))))"""
#: Resize every chart to its container now (plotly listens to window resizes with a debounce).
RESIZE_JS = """() => Promise.all([...document.querySelectorAll('.js-plotly-plot')]
  .filter(p => p.data && p.offsetParent).map(p => window.Plotly ? window.Plotly.Plots.resize(p)
  : null))"""


def problems_text(problems: list[str], limit: int = 25) -> str:
    shown = "\n  ".join(problems[:limit])
    more = f"\n  … and {len(problems) - limit} more" if len(problems) > limit else ""
    return f"\n  {shown}{more}"


def settle(page: Page) -> None:
    page.evaluate(SETTLE_JS)


# ------------------------------------------------------------------------------ the site


class SitePages:
    """Each site page loaded once per width, measured once; results kept for every test."""

    def __init__(self, browser: Browser, site: Path) -> None:
        self.browser = browser
        self.site = site
        self.contexts: dict[int, BrowserContext] = {}
        self.results: dict[tuple[str, int], dict[str, Any]] = {}
        self.screenshots: set[str] = set()

    def context(self, width: int) -> BrowserContext:
        if width not in self.contexts:
            context = self.browser.new_context(
                viewport={"width": width, "height": HEIGHT}, offline=True
            )
            context.set_default_timeout(30_000)
            self.contexts[width] = context
        return self.contexts[width]

    def open(self, stem: str, width: int) -> Page:
        page = self.context(width).new_page()
        open_with_charts_drawn(page, (self.site / f"{stem}.html").as_uri())
        settle(page)
        return page

    def screenshot(self, page: Page, stem: str) -> None:
        """A full-page screenshot to build/screenshots/site-<page>-1024.png, once per page.

        Taken after measuring: a full-page shot resizes the window for a moment, and the
        charts then redraw, so boxes read at that time would be the redraw's."""
        if stem in self.screenshots:
            return
        self.screenshots.add(stem)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
        page.screenshot(
            path=str(SCREENSHOTS / f"site-{stem}-{SCREENSHOT_WIDTH}.png"), full_page=True
        )

    def measured(self, stem: str, width: int) -> dict[str, Any]:
        key = (stem, width)
        if key not in self.results:
            page = self.open(stem, width)
            try:
                self.results[key] = {
                    "charts": page.evaluate(MEASURE_JS, page.locator("body").element_handle()),
                    "tables": page.evaluate(TABLES_JS, page.locator("body").element_handle()),
                    "blocks": page.evaluate(BLOCKS_JS),
                }
                if width == SCREENSHOT_WIDTH:
                    self.screenshot(page, stem)
            finally:
                page.close()
        return self.results[key]

    def close(self) -> None:
        for context in self.contexts.values():
            context.close()


@pytest.fixture(scope="module")
def site_pages(browser: Browser, site: Path) -> Iterator[SitePages]:
    with closing(SitePages(browser, site)) as pages:
        yield pages


def site_page_stems(site_dir: Path | None = None) -> list[str]:
    """Every page the site builds: the notebooks, the contents page and the teacher guide."""
    return ["index", *STEMS, "teacher-guide"]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("stem", STEMS)
def test_site_charts_have_no_collisions(stem: str, width: int, site_pages: SitePages):
    charts = site_pages.measured(stem, width)["charts"]
    problems = [
        f"{chart_name(chart)}: {problem}" for chart in charts for problem in layout_problems(chart)
    ]
    assert not problems, f"site {stem}.html at {width} px:{problems_text(problems)}"


@pytest.mark.parametrize("stem", STEMS)
def test_site_charts_have_a_described_data_table(stem: str, site_pages: SitePages):
    entries = site_pages.measured(stem, SCREENSHOT_WIDTH)["tables"]
    problems = every_chart_table_problem(entries, on_site=True)
    assert not problems, f"site {stem}.html:{problems_text(problems)}"


@pytest.mark.parametrize("stem", STEMS)
def test_site_bars_differ_in_greyscale(stem: str, site_pages: SitePages):
    charts = site_pages.measured(stem, SCREENSHOT_WIDTH)["charts"]
    problems = [
        f"{chart_name(chart)}: {problem}"
        for chart in charts
        for problem in close_bar_colours(chart)
    ]
    assert not problems, f"site {stem}.html:{problems_text(problems)}"


@pytest.mark.parametrize("stem", STEMS)
def test_site_code_scrolls_on_screen(stem: str, site_pages: SitePages):
    problems = clipped_code(site_pages.measured(stem, SCREENSHOT_WIDTH)["blocks"])
    assert not problems, f"site {stem}.html at {SCREENSHOT_WIDTH} px:{problems_text(problems)}"


@pytest.mark.parametrize("stem", site_page_stems())
def test_site_page_fits_a4_when_printed(stem: str, browser: Browser, site: Path):
    """Laid out at the A4 content width in print media, as the print preview lays it out."""
    context = browser.new_context(
        viewport={"width": A4_CONTENT_WIDTH, "height": 1000}, offline=True
    )
    try:
        page = context.new_page()
        open_with_charts_drawn(page, (site / f"{stem}.html").as_uri())
        page.emulate_media(media="print")
        settle(page)
        problems = too_wide_for_paper(page.evaluate(BLOCKS_JS))
    finally:
        context.close()
    assert not problems, f"site {stem}.html printed:{problems_text(problems)}"


def tab_stops(page: Page) -> list[dict[str, Any]]:
    """Press Tab from the top of the page until focus leaves the page or comes back round."""
    page.evaluate("() => { document.activeElement?.blur(); window.scrollTo(0, 0); }")
    stops: list[dict[str, Any]] = []
    seen: set[str] = set()
    for _ in range(MAX_TAB_WALK):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_JS)
        if focused is None or focused["key"] in seen:
            break
        seen.add(focused["key"])
        stops.append(focused)
    return stops


@pytest.mark.parametrize("stem", site_page_stems())
def test_site_keyboard_skip_link_focus_rings_and_few_stops(stem: str, site_pages: SitePages):
    page = site_pages.open(stem, SCREENSHOT_WIDTH)
    try:
        stops = tab_stops(page)
        site_pages.screenshot(page, stem)
        skip_target = None
        if stops and (stops[0]["href"] or "").startswith("#") and len(stops[0]["href"]) > 1:
            skip_target = page.evaluate("id => !!document.getElementById(id)", stops[0]["href"][1:])
    finally:
        page.close()
    problems = []
    if not stops:
        problems.append("no tab stop at all")
    elif not (skip_target and "skip" in stops[0]["text"].lower()):
        problems.append(
            f"the first tab stop is not a skip link to an element of the page: {stops[0]}"
        )
    per_chart: dict[str, int] = {}
    for stop in stops:
        if stop["inChart"]:
            per_chart[stop["chart"]] = per_chart.get(stop["chart"], 0) + 1
        if not (stop["outline"] or stop["shadow"]):
            problems.append(
                f"no visible focus ring on {stop['tag']} {stop['text']!r}: {stop['ring']}"
            )
    idle = Counter(stop["what"] for stop in stops if not stop["acts"])
    if idle:
        kinds = ", ".join(f"{what} ×{count}" for what, count in idle.most_common())
        problems.append(
            f"{sum(idle.values())} tab stops do nothing (no link, control or scrolling region): "
            f"{kinds}"
        )
    problems += [
        f"chart {title[:60]} holds {count} tab stops (at most {MAX_TAB_STOPS_PER_CHART})"
        for title, count in per_chart.items()
        if count > MAX_TAB_STOPS_PER_CHART
    ]
    assert not problems, f"site {stem}.html, {len(stops)} tab stops:{problems_text(problems)}"


# ----------------------------------------------------------------------------- JupyterLab

#: The slider handles of the open notebook: ipywidgets draws a slider with noUiSlider, whose
#: handle has role=slider; a native range input (a custom widget) counts too.
SLIDER_HANDLES = (
    ".jp-NotebookPanel:not(.lm-mod-hidden) [role='slider'], "
    ".jp-NotebookPanel:not(.lm-mod-hidden) input[type='range']"
)
#: The readout a slider shows beside its track, for the handle it is called on.
READOUT_JS = """h => h
  .closest('.widget-slider, .widget-hslider, .jupyter-widget-slider, .widget-inline-hbox')
  ?.querySelector('.widget-readout')?.textContent.trim() ?? null"""
#: Focus the last focusable element before a slider handle in its output area (the explorer's
#: other controls, or another slider's readout); false when the handle is the first there.
#: Why not Shift+Tab from the handle: the element before may be a code editor, where Tab indents.
FOCUS_BEFORE_JS = """h => {
  const area = h.closest('.jp-OutputArea') || document.body;
  const focusable = [...area.querySelectorAll('*')]
    .filter(e => (e.tabIndex >= 0 || e.isContentEditable) && !e.disabled && !e.contains(h)
      && e.getClientRects().length > 0);
  const before = focusable.filter(
    e => e.compareDocumentPosition(h) & Node.DOCUMENT_POSITION_FOLLOWING);
  if (!before.length) { return false; }
  before[before.length - 1].focus();
  return true;
}"""
NOTEBOOK_NODE = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"


def accessible_of_focused(page: Page) -> dict[str, str]:
    """The accessible name and value chromium computes for the focused element (what a
    screen reader announces), read from the accessibility tree over the DevTools protocol."""
    node = accessibility_node(page, "document.activeElement")
    return {
        "role": str(node.get("role", {}).get("value", "")),
        "name": str(node.get("name", {}).get("value", "")).strip(),
        "value": announced_value(page, node),
    }


def announced_value(page: Page, node: dict[str, Any]) -> str:
    """What a screen reader says for the value: ``aria-valuetext`` where set (ARIA: it replaces
    ``aria-valuenow`` in speech), else the value chromium computes. Chromium's DevTools tree
    reports ``aria-valuenow`` as a slider's value and leaves its ``valuetext`` property empty, so
    the attribute is read from the focused element itself when the tree has no text."""
    properties = {p["name"]: p.get("value", {}).get("value") for p in node.get("properties", [])}
    from_tree = str(properties.get("valuetext") or "").strip()
    from_attribute = page.evaluate("document.activeElement.getAttribute('aria-valuetext')")
    computed = str(node.get("value", {}).get("value", "")).strip()
    return from_tree or str(from_attribute or "").strip() or computed


def same_words(first: str | None, second: str | None) -> bool:
    return " ".join((first or "").split()).lower() == " ".join((second or "").split()).lower()


def try_slider(page: Page, index: int) -> dict[str, Any]:
    """Reach one slider by Tab, read what it announces and shows, move it by one step."""
    handle = page.locator(SLIDER_HANDLES).nth(index)
    handle.scroll_into_view_if_needed()
    if handle.evaluate(FOCUS_BEFORE_JS):
        page.keyboard.press("Tab")
        reached = bool(handle.evaluate("h => h === document.activeElement"))
    else:
        reached = bool(handle.evaluate("h => h.tabIndex >= 0"))
    handle.focus()
    before = {**accessible_of_focused(page), "shown": handle.evaluate(READOUT_JS)}
    at_top = handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
    page.keyboard.press("ArrowLeft" if at_top else "ArrowRight")
    time.sleep(0.5)
    after = {**accessible_of_focused(page), "shown": handle.evaluate(READOUT_JS)}
    return {"index": index + 1, "reached": reached, "before": before, "after": after}


def slider_problems(slider: dict[str, Any]) -> list[str]:
    """A slider reached by Tab, named, announcing the value it shows, before and after a move."""
    where = f"slider {slider['index']} ({slider['before']['name'][:40]!r})"
    before, after = slider["before"], slider["after"]
    problems = []
    if not slider["reached"]:
        problems.append(f"{where}: Tab does not reach it")
    if not before["name"] or before["name"].lower() in {"slider", before["value"].lower()}:
        problems.append(f"{where}: no accessible name (announced as {before['name']!r})")
    for moment, state in (("before", before), ("after a key press", after)):
        if state["shown"] is not None and not same_words(state["value"], state["shown"]):
            problems.append(
                f"{where} {moment}: announces {state['value']!r} but shows {state['shown']!r}"
            )
    if before["value"] == after["value"] and before["shown"] == after["shown"]:
        problems.append(f"{where}: the arrow key did not move it (still {before['value']!r})")
    return problems


class LabNotebooks:
    """JupyterLab in one page; each notebook run once, measured at both widths, its sliders
    tried."""

    def __init__(self, browser: Browser, server: LabServer) -> None:
        self.server = server
        self.blocked: list[str] = []
        self.context = browser.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT})
        self.context.set_default_timeout(60_000)
        self.context.route("**/*", self._only_the_server)
        self.page = self.context.new_page()
        self.page.goto(server.url("lab/workspaces/layout-test"))
        self.page.wait_for_function(APP_READY_JS)
        self.results: dict[str, dict[str, Any]] = {}

    def _only_the_server(self, route: Any) -> None:
        url = route.request.url
        if url.startswith((self.server.base_url + "/", "data:", "blob:")):
            route.continue_()
        else:
            self.blocked.append(url)
            route.abort()

    def measured(self, stem: str) -> dict[str, Any]:
        if stem not in self.results:
            name = f"{stem}.ipynb"
            page = self.page
            page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
            page.evaluate(OPEN_JS, name)
            try:
                self.results[stem] = self._run_and_measure(page, name, stem)
            finally:
                page.evaluate(CLOSE_JS)
                self.server.stop_kernels_of(name)
        return self.results[stem]

    def _run_and_measure(self, page: Page, name: str, stem: str) -> dict[str, Any]:
        run_every_cell(page, name)
        page.wait_for_function(ALL_DRAWN_JS)
        notebook = page.locator(NOTEBOOK_NODE)
        result: dict[str, Any] = {"charts": {}}
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": HEIGHT})
            time.sleep(1.0)  # Lumino's resize, then plotly's debounced relayout
            settle(page)
            result["charts"][width] = notebook.evaluate(MEASURE_JS)
            if width == SCREENSHOT_WIDTH:
                result["tables"] = notebook.evaluate(TABLES_JS)
                first_chart = notebook.locator(".js-plotly-plot").first
                if first_chart.count():
                    first_chart.evaluate("p => p.scrollIntoView({block: 'start'})")
                    settle(page)
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(SCREENSHOTS / f"lab-{stem}-{width}.png"))
        result["sliders"] = [
            try_slider(page, i) for i in range(page.locator(SLIDER_HANDLES).count())
        ]
        return result

    def close(self) -> None:
        self.context.close()


@pytest.fixture(scope="module")
def lab_notebooks(browser: Browser, lab_server: LabServer) -> Iterator[LabNotebooks]:
    with closing(LabNotebooks(browser, lab_server)) as notebooks:
        yield notebooks


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("stem", STEMS)
def test_lab_charts_have_no_collisions(stem: str, width: int, lab_notebooks: LabNotebooks):
    charts = lab_notebooks.measured(stem)["charts"][width]
    problems = [
        f"{chart_name(chart)}: {problem}" for chart in charts for problem in layout_problems(chart)
    ]
    assert not problems, f"JupyterLab {stem}.ipynb at {width} px:{problems_text(problems)}"


@pytest.mark.parametrize("stem", STEMS)
def test_lab_charts_have_a_data_table(stem: str, lab_notebooks: LabNotebooks):
    entries = lab_notebooks.measured(stem)["tables"]
    problems = every_chart_table_problem(entries, on_site=False)
    assert not problems, f"JupyterLab {stem}.ipynb:{problems_text(problems)}"


@pytest.mark.parametrize("stem", STEMS)
def test_lab_sliders_are_named_and_announce_what_they_show(stem: str, lab_notebooks: LabNotebooks):
    sliders = lab_notebooks.measured(stem)["sliders"]
    problems = [problem for slider in sliders for problem in slider_problems(slider)]
    assert not problems, (
        f"JupyterLab {stem}.ipynb, {len(sliders)} sliders:{problems_text(problems)}"
    )
    assert not lab_notebooks.blocked, (
        f"{stem}: the lab tried to reach the network: {lab_notebooks.blocked[:5]}"
    )


# ------------------------------------------------------------------ the rules can fail

PLOTLY_BUNDLE = (
    Path(__file__).resolve().parents[1] / "workers_abroad/publishing/vendor/plotly-cartesian.min.js"
)

#: A chart built to break every rule once: two annotations on one spot, a label running out
#: of the plot, a marker under a label, a line through an annotation, a title whose last line
#: is one word, and two bar colours of the same lightness (issue 21's tourist and student).
BROKEN_FIGURE: dict[str, Any] = {
    "data": [
        *two_bars(("tourist", "#E69F00"), ("student", "#56B4E9")),
        {"type": "scatter", "x": ["a"], "y": [5], "mode": "markers", "marker": {"size": 14}},
    ],
    "layout": {
        "title": {"text": "A title that wraps onto a line of one<br>word"},
        "width": 600,
        "height": 420,
        "showlegend": False,
        "annotations": [
            {"x": "a", "y": 5, "text": "a label on the marker", "showarrow": False},
            {"x": "b", "y": 3, "text": "first note here", "showarrow": False},
            {"x": "b", "y": 3, "text": "second note here", "showarrow": False},
            {
                "xref": "paper",
                "x": 0.8,
                "y": 4.5,
                "text": "a note that runs out of the plot",
                "showarrow": False,
                "xanchor": "left",
            },
        ],
        "shapes": [
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "yref": "y",
                "y0": 3,
                "y1": 3,
                "line": {"color": "black", "width": 2},
            }
        ],
    },
}
#: The same kinds of text, placed apart: no rule may fire.
CLEAN_FIGURE: dict[str, Any] = {
    "data": two_bars(("dark", "#1b4f72"), ("light", "#aed6f1")),
    "layout": {
        "title": {"text": "A title on one line"},
        "width": 600,
        "height": 420,
        "showlegend": False,
        "barmode": "stack",
    },
}


def measured_figure(browser: Browser, figure: dict[str, Any]) -> dict[str, Any]:
    """One figure drawn by the project's plotly.js in a blank page, measured like the others."""
    page = browser.new_page(viewport={"width": 800, "height": 600})
    try:
        page.set_content("<div id='chart'></div>")
        page.add_script_tag(path=str(PLOTLY_BUNDLE))
        page.evaluate("f => Plotly.newPlot('chart', f.data, f.layout)", figure)
        settle(page)
        charts = page.evaluate(MEASURE_JS, page.locator("body").element_handle())
    finally:
        page.close()
    assert len(charts) == 1, "the test figure was not drawn"
    return charts[0]


def test_each_rule_finds_what_it_is_for(browser: Browser):
    chart = measured_figure(browser, BROKEN_FIGURE)
    found = "\n".join(layout_problems(chart) + close_bar_colours(chart))
    for expected in (
        "overlaps",
        "crosses the plot edge",
        "covers 1 marker",
        "runs through",
        "holds a single word",
        "differ by L*",
    ):
        assert expected in found, f"the rule for {expected!r} missed its case; found:\n{found}"


def test_a_clean_chart_passes_every_rule(browser: Browser):
    chart = measured_figure(browser, CLEAN_FIGURE)
    problems = layout_problems(chart) + close_bar_colours(chart)
    assert not problems, problems_text(problems)


def test_a_table_for_people_passes_and_a_trace_dump_does_not():
    dump = {
        "caption": "series 1",
        "head": [["x", "y", "label"]],
        "body": [["WE_US_2020_WORLD", "6049.999999999999", "[1, 2]"], ["", "nan", "a"]],
    }
    tidy = {
        "caption": "Workers abroad, by source",
        "head": [["Source", "Workers (people)"]],
        "body": [["Reuters, 23 Jan 2020", "100,000"], ["AP, undated", "no figure"]],
    }
    found = "\n".join(table_problems(dump))
    for expected in (
        "series 1",
        "heading 'x'",
        "internal id",
        "unrounded",
        "list syntax",
        "missing value",
    ):
        assert expected in found, f"{expected!r} not found in:\n{found}"
    assert table_problems(tidy) == []
