"""The static site works offline: local assets only, every chart with its data and a text
alternative.

The site is built once per run (conftest's session ``site``) from a copy of the committed
notebooks taken at the start (``site_notebooks``). Expectations come from those notebooks,
read here independently of the builder: how many plotly outputs each one holds (directly or
inside a saved Output widget), what numbers each chart draws, and which markdown sentence
follows each chart cell.
"""

from __future__ import annotations

import base64
import json
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import nbformat
import numpy as np
import plotly.graph_objects as go
import plotly.offline
import pytest

from tests import browser_support
from tests.browser_support import figures_in_outputs, widget_states
from workers_abroad.publishing import render as build_site
from workers_abroad.publishing import site as site_builder

ROOT = Path(__file__).resolve().parent.parent
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
#: Issue 15: each page under 300 KB, the shared plotly.js bundle excluded (it lives in assets/).
PAGE_LIMIT = 300 * 1024
#: Issue 15: the whole site, every page and every shared file, at most 2.5 MB.
SITE_LIMIT = 2.5 * 1024 * 1024
BUNDLE = ROOT / "workers_abroad" / "publishing" / "vendor" / "plotly-cartesian.min.js"


class Page(HTMLParser):
    """The parts of a built page the tests look at."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.resources: list[tuple[str, str]] = []  # (tag, url) the browser would load
        self.links: list[str] = []
        self.charts: list[dict[str, str]] = []
        self.figures: list[dict[str, str]] = []
        self.text_outside_figures = ""
        self._in_figure = 0
        self._in_script = False
        self.json_scripts: dict[str, str] = {}
        self.figcaptions: list[str] = []
        self.detail_tables: int = 0
        self._script_id: str | None = None
        self._in_figcaption = False
        self._caption = ""
        self._in_details = 0
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self._note_resource(tag, a)
        self._note_structure(tag, a)

    def _note_resource(self, tag: str, a: dict[str, str]) -> None:
        """What the browser would load, and where a link leads."""
        if tag == "script" and "src" in a:
            self.resources.append((tag, a["src"]))
        if tag == "link" and "stylesheet" in a.get("rel", ""):
            self.resources.append((tag, a["href"]))
        if tag in {"img", "iframe", "audio", "video", "source", "embed"} and a.get("src"):
            self.resources.append((tag, a["src"]))
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])

    def _note_structure(self, tag: str, a: dict[str, str]) -> None:
        """Charts, figures and their captions, JSON scripts and the data tables under details."""
        if tag == "div" and "wa-chart" in a.get("class", "").split():
            self.charts.append(a)
        if tag == "figure":
            self._in_figure += 1
            self.figures.append(a)
        if tag in {"script", "style"}:
            self._in_script = True
        if tag == "script" and a.get("type") == "application/json":
            self._script_id = a.get("id", "")
            self.json_scripts[self._script_id] = ""
        if tag == "figcaption":
            self._in_figcaption, self._caption = True, ""
        if tag == "details":
            self._in_details += 1
        if tag == "table" and self._in_details:
            self.detail_tables += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script_id = None
        if tag in {"script", "style"}:
            self._in_script = False
        if tag == "figure":
            self._in_figure -= 1
        if tag == "figcaption":
            self._in_figcaption = False
            self.figcaptions.append(" ".join(self._caption.split()))
        if tag == "details":
            self._in_details -= 1

    def handle_data(self, data: str) -> None:
        if self._script_id is not None:
            self.json_scripts[self._script_id] += data
        if self._in_figcaption:
            self._caption += data
        if not self._in_figure and not self._in_script:
            self.text_outside_figures += data


# ------------------------------------------------------------ expectations from notebooks


def expected_charts(path: Path) -> list[tuple[dict[str, Any], str]]:
    """Each chart in the notebook with its caption: the first paragraph of the markdown cell after
    its cell."""
    notebook = nbformat.read(path, as_version=4)
    models = widget_states(notebook)
    seen: set[str] = set()
    cells = [c for c in notebook.cells if "navigation" not in c.metadata.get("tags", [])]
    charts = []
    for index, cell in enumerate(cells):
        if cell.cell_type != "code":
            continue
        after = cells[index + 1] if index + 1 < len(cells) else None
        source = after.source.strip() if after is not None and after.cell_type == "markdown" else ""
        caption = re.split(r"\n[ \t]*\n", source)[0] if source else ""  # the first paragraph
        caption = "" if caption.startswith("#") else caption
        charts += [(f, caption) for f in figures_in_outputs(cell.outputs, models, seen)]
    return charts


def numbers_drawn(figure: dict[str, Any]) -> list[float]:
    """Every number on a trace's y axis (or values), decoded by hand from plotly's JSON."""
    found = []
    for trace in figure.get("data", []):
        for key in ("y", "values"):
            value = trace.get(key)
            if isinstance(value, dict) and "bdata" in value:
                found += np.frombuffer(
                    base64.b64decode(value["bdata"]), dtype=value["dtype"]
                ).tolist()
            elif isinstance(value, list):
                found += [
                    v for v in value if isinstance(v, int | float) and not isinstance(v, bool)
                ]
    return found


def plain(markdown: str) -> str:
    """Markdown reduced to its words, to compare with rendered text."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    return " ".join(re.sub(r"[*_`#>]", "", text).split())


# ---------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def notebooks(site_notebooks: Path) -> list[Path]:
    """The notebooks the session's site was built from (conftest copies them once)."""
    return sorted(site_notebooks.glob("*.ipynb"))


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, Page]:
    return {p.name: Page(p.read_text(encoding="utf-8")) for p in sorted(site.glob("*.html"))}


# ------------------------------------------------------------------------------- tests


def test_every_notebook_the_guide_and_a_contents_page_are_built(
    site: Path, pages: dict[str, Page], notebooks: list[Path]
):
    assert notebooks, "no notebooks found"
    expected = {f"{p.stem}.html" for p in notebooks} | {"index.html"}
    if (ROOT / "docs" / "teacher-guide.md").is_file():
        expected.add("teacher-guide.html")
    assert set(pages) == expected
    contents_links = set(pages["index.html"].links)
    assert expected - {"index.html"} <= contents_links, "the contents page misses a page"


def test_no_page_loads_an_external_script_or_stylesheet(site: Path, pages: dict[str, Page]):
    for name, page in pages.items():
        assert page.resources, (
            f"{name}: found no scripts or stylesheets at all; the parser is broken"
        )
        for tag, url in page.resources:
            assert not re.match(r"^(https?:)?//", url, re.I), (
                f"{name}: <{tag}> loads {url} from the network"
            )
            assert (site / url).is_file(), (
                f"{name}: <{tag}> points at {url}, which is not in the site"
            )
        text = (site / name).read_text(encoding="utf-8")
        assert not re.search(r"@import\s+url\(\s*['\"]?(https?:)?//", text), (
            f"{name}: a CSS @import from the network"
        )


def test_all_pages_share_one_local_copy_of_the_vendored_bundle(site: Path, pages: dict[str, Page]):
    copies = [p for p in site.rglob("*.js") if p.stat().st_size > 500_000]
    assert copies == [site / "assets" / BUNDLE.name], f"expected one plotly.js, found {copies}"
    assert copies[0].read_bytes() == BUNDLE.read_bytes()
    for name, page in pages.items():
        scripts = [url for tag, url in page.resources if tag == "script"]
        assert scripts.count(f"assets/{BUNDLE.name}") == 1, (
            f"{name} does not load the shared plotly.js once"
        )


def test_vendored_bundle_is_the_version_the_plotly_package_embeds():
    """The header of the npm bundle names its version; the Python package writes charts for its
    own."""
    header = BUNDLE.read_text(encoding="utf-8")[:200]
    match = re.search(r"plotly\.js \(cartesian - minified\) v(\d+\.\d+\.\d+)", header)
    assert match, f"{BUNDLE.name} has no version header: {header[:120]!r}"
    assert match[1] == plotly.offline.get_plotlyjs_version()
    assert (BUNDLE.parent / "plotly-cartesian.LICENSE").read_text().startswith("MIT License")
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/plotly.js-cartesian-dist-min"]["version"] == match[1]


def test_a_drifted_bundle_is_refused(tmp_path: Path):
    fake = tmp_path / "plotly-cartesian.min.js"
    fake.write_text("/**\n* plotly.js (cartesian - minified) v0.0.1\n*/\n", encoding="utf-8")
    with pytest.raises(ValueError, match="0.0.1"):
        build_site.check_bundle(fake)


def test_every_chart_on_every_page_has_its_data(
    site: Path, pages: dict[str, Page], notebooks: list[Path]
):
    total = 0
    for path in notebooks:
        page = pages[f"{path.stem}.html"]
        expected = expected_charts(path)
        assert len(page.charts) == len(expected), (
            f"{path.name}: {len(expected)} charts saved, {len(page.charts)} on the page"
        )
        for chart, (figure, _caption) in zip(page.charts, expected):
            spec = json.loads(page.json_scripts[chart["data-spec"]])
            assert spec["data"], f"{path.name} {chart['id']}: no traces"
            assert spec["data"] == figure["data"], (
                f"{path.name} {chart['id']}: data differs from the notebook"
            )
            for trace in spec["data"]:
                drawn = [
                    trace.get(k)
                    for k in ("x", "y", "z", "values", "lat", "lon")
                    if trace.get(k) not in (None, [], {})
                ]
                assert drawn, (
                    f"{path.name} {chart['id']}: a trace ({trace.get('name')}) draws no data"
                )
        assert page.detail_tables >= len(expected), f"{path.name}: a chart lacks its data table"
        total += len(expected)
    assert total > 0, "no charts found in any notebook: the count is broken"


def test_every_chart_has_a_text_alternative_and_its_caption_once(
    pages: dict[str, Page], notebooks: list[Path]
):
    """The caption sentence sits under its chart (figcaption) and is not repeated as the next
    cell."""
    for path in notebooks:
        page = pages[f"{path.stem}.html"]
        expected = expected_charts(path)
        assert len(page.figcaptions) == len(expected) == len(page.figures)
        outside = " ".join(page.text_outside_figures.split())
        for figure, caption, (_figure, caption_md) in zip(page.figures, page.figcaptions, expected):
            assert caption_md.strip(), (
                f"{path.name}: a chart cell is not followed by its caption sentence"
            )
            assert caption == plain(caption_md), (
                f"{path.name}: caption is not the sentence after the chart"
            )
            assert plain(caption_md) in figure["aria-label"], (
                f"{path.name}: the figure's label lacks the caption"
            )
            assert caption not in outside, (
                f"{path.name}: the caption {caption[:60]!r} is shown twice"
            )


def test_charts_are_not_images_holding_controls(pages: dict[str, Page]):
    """plotly puts focusable controls in a chart, which an element with role=img may not contain
    (axe)."""
    for name, page in pages.items():
        assert all("role" not in chart for chart in page.charts), f"{name}: a chart has a role"


def test_links_point_at_built_pages(site: Path, pages: dict[str, Page]):
    for name, page in pages.items():
        for href in page.links:
            if re.match(r"^(https?:|mailto:|#)", href):
                continue
            assert not href.split("#")[0].endswith((".ipynb", ".md")), (
                f"{name}: link {href} points at a source file"
            )
            target = href.split("#")[0]
            if target:
                assert (site / target).is_file(), f"{name}: link {href} leads nowhere"


def test_every_page_links_back_to_the_contents_and_the_guide(pages: dict[str, Page]):
    """A teacher on any page reaches the contents page and the guide in one click, after the
    skip link (the first link, to the page's main content)."""
    has_guide = (ROOT / "docs" / "teacher-guide.md").is_file()
    for name, page in pages.items():
        assert page.links[:2] == ["#wa-main", "index.html"], (
            f"{name}: the first links are {page.links[:2]}, not the skip link and the contents page"
        )
        if has_guide:
            assert page.links[2:3] == ["teacher-guide.html"], (
                f"{name}: the site bar does not link the teacher guide"
            )


def test_the_skip_link_leads_to_the_main_content(site: Path, pages: dict[str, Page]):
    """The first link skips the site bar: it names itself so and its target is the main element."""
    for name in pages:
        page = (site / name).read_text(encoding="utf-8")
        body = page[page.index("<body") :]
        first_link = re.search(r"<a\b[^>]*>([^<]*)</a>", body)
        assert first_link and 'href="#wa-main"' in first_link[0], f"{name}: no skip link first"
        assert "skip" in first_link[1].lower(), f"{name}: the first link says {first_link[1]!r}"
        assert re.search(r'<main id="wa-main"', page), f"{name}: the skip link's target is missing"
        assert body.index(first_link[0]) < body.index('class="wa-sitebar"'), name


def test_page_weights_are_bounded(site: Path, pages: dict[str, Page], record_property: Any):
    weights = {name: (site / name).stat().st_size for name in pages}
    total = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    report = ", ".join(f"{name} {size / 1024:.0f} KB" for name, size in weights.items())
    record_property("page_weights", report)
    print(f"\nsite page weights: {report}; whole site {total / 1024:.0f} KB")
    heavy = {name: size for name, size in weights.items() if size > PAGE_LIMIT}
    assert not heavy, f"pages over {PAGE_LIMIT // 1024} KB: {heavy}"
    assert total <= SITE_LIMIT, (
        f"the site weighs {total / 1024:.0f} KB, over {SITE_LIMIT / 1024:.0f} KB"
    )


def test_code_keeps_its_text_without_empty_token_spans():
    html = (
        '<pre><span class="n">df</span><span class="p">.</span><span class="n">head</span>'
        '<span class="w"> </span></pre>'
    )
    assert build_site.unwrap_plain_tokens(html) == '<pre>df<span class="p">.</span>head </pre>'


def test_typed_arrays_are_decoded_for_the_data_table():
    """plotly writes numpy arrays as base64; the table must show the numbers (by hand: 2035,
    16613)."""
    raw = np.array([2035, 16613], dtype="int32")
    encoded = {"dtype": "i4", "bdata": base64.b64encode(raw.tobytes()).decode()}
    assert build_site.decode_array(encoded) == [2035, 16613]
    figure = go.Figure(
        go.Bar(x=["2018", "2019"], y=np.array([2035, 16613]), name="tourist")
    ).to_plotly_json()
    table = build_site.data_table(figure)
    assert "2,035" in table and "16,613" in table and "2018" in table


def test_widget_snapshot_shows_text_control_value_and_chart():
    """A saved Explorer (VBox of HTML, a slider and an Output holding a chart) renders
    statically."""
    figure = go.Figure(go.Bar(x=["a"], y=[7])).to_plotly_json()
    models = {
        "box": {
            "model_name": "VBoxModel",
            "state": {
                "children": [
                    "IPY_MODEL_text",
                    "IPY_MODEL_slider",
                    "IPY_MODEL_seats",
                    "IPY_MODEL_pct",
                    "IPY_MODEL_out",
                ]
            },
        },
        "text": {"model_name": "HTMLModel", "state": {"value": "<b>seven seats</b>"}},
        "slider": {
            "model_name": "FloatSliderModel",
            "state": {"value": 0.25, "description": "ASSUMPTION: share"},
        },
        "seats": {
            "model_name": "FloatSliderModel",
            "state": {"value": 150.0, "readout_format": ",.0f", "description": "seats"},
        },
        "pct": {
            "model_name": "FloatSliderModel",
            "state": {"value": 0.5, "readout_format": ".0%", "description": "open"},
        },
        "out": {
            "model_name": "OutputModel",
            "state": {"outputs": [{"output_type": "display_data", "data": {PLOTLY_MIME: figure}}]},
        },
    }
    snapshot = build_site.widget_snapshot(
        "box", models, "The bar is seven high.", build_site.ChartCounter()
    )
    page = Page(snapshot)
    assert (
        "<b>seven seats</b>" in snapshot and "ASSUMPTION: share" in snapshot and "0.25" in snapshot
    )
    assert (
        "<output>150</output>" in snapshot and "<output>50%</output>" in snapshot
    )  # as the slider's readout shows
    assert len(page.charts) == 1 and page.figcaptions == ["The bar is seven high."]
    assert numbers_drawn(json.loads(page.json_scripts[page.charts[0]["data-spec"]])) == [7]


@pytest.mark.browser
def test_pages_render_their_charts_offline_in_a_browser(
    site: Path, pages: dict[str, Page], browser
):
    """Opened from disk with the network off, every chart is drawn by plotly.js and nothing is
    fetched."""
    context = browser.new_context(offline=True)
    try:
        for name, parsed in pages.items():
            page = context.new_page()
            remote: list[str] = []
            errors: list[str] = []
            page.on(
                "request",
                lambda r, remote=remote: (
                    None if r.url.startswith("file:") else remote.append(r.url)
                ),
            )
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            page.goto((site / name).as_uri())
            page.wait_for_load_state("load")
            if parsed.charts:
                page.wait_for_function(
                    "n => document.querySelectorAll('.wa-chart .main-svg').length >= n",
                    arg=len(parsed.charts),
                    timeout=20_000,
                )
            drawn = page.locator(".wa-chart").evaluate_all(
                "els => els.filter(e => e.querySelector('.main-svg')).length"
            )
            assert drawn == len(parsed.charts), (
                f"{name}: {drawn} of {len(parsed.charts)} charts drawn"
            )
            assert not remote, f"{name} fetched {remote}"
            assert not errors, f"{name}: script errors {errors}"
            page.close()
    finally:
        context.close()


# ------------------------------------------------------------------ hostile outputs (issue 12)

#: Markup planted where data text reaches a page; none of it may survive as live markup.
POISON = (
    '<img src=x onerror="alert(1)"><script>alert(2)</script>'
    '<a href="javascript:alert(3)">j</a><svg onload="alert(4)"></svg>'
    '<iframe src="https://evil.example/"></iframe><b onclick="alert(5)">bold</b>'
)


class LiveMarkup(HTMLParser):
    """Elements and attributes of a page that could run or load something."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): v or "" for k, v in attrs}
        if tag == "script" and a.get("type") != "application/json":
            self.found.append(f"<script {a}>")
        if tag in {
            "img",
            "svg",
            "iframe",
            "object",
            "embed",
            "form",
            "style",
            "link",
            "meta",
            "base",
        }:
            self.found.append(f"<{tag}>")
        self.found += [f"<{tag} {k}=...>" for k in a if k.startswith("on")]
        for key in ("href", "src", "action", "formaction", "xlink:href"):
            if key in a and not re.match(
                r"^(https?:|#|[\w./-]+\.html(#.*)?$|index\.html)", a[key].strip()
            ):
                self.found.append(f"<{tag} {key}={a[key]!r}>")


def live_markup(fragment: str) -> list[str]:
    return LiveMarkup(fragment).found


def test_sanitize_removes_what_runs_and_keeps_what_reads():
    clean = build_site.sanitize(
        POISON + '<table><tr><th scope="col">n</th></tr><tr><td>1,200</td></tr></table>'
    )
    planted = live_markup(POISON)
    assert any(f.startswith("<img") for f in planted) and any("onerror" in f for f in planted)
    assert any("javascript:" in f for f in planted) and any(
        f.startswith("<script") for f in planted
    )
    assert not live_markup(clean), clean
    assert "<b>bold</b>" in clean and "<td>1,200</td>" in clean
    assert "evil.example" not in clean
    assert 'href="https://example.org/a"' in build_site.sanitize(
        '<a href="https://example.org/a">a</a>'
    )


def _poisoned_notebook() -> nbformat.NotebookNode:
    """A notebook whose every output kind carries the poison: HTML, markdown, widget HTML, chart
    text."""
    figure = go.Figure(
        go.Bar(x=[POISON], y=[1200000000.0], name=POISON, text=[POISON])
    ).to_plotly_json()
    figure["layout"]["title"] = {"text": POISON}
    models = {
        "box": {
            "model_name": "VBoxModel",
            "state": {"children": ["IPY_MODEL_html", "IPY_MODEL_label", "IPY_MODEL_out"]},
        },
        "html": {"model_name": "HTMLModel", "state": {"value": POISON}},
        "label": {"model_name": "LabelModel", "state": {"value": POISON}},
        "out": {
            "model_name": "OutputModel",
            "state": {
                "outputs": [
                    {"output_type": "display_data", "data": {"text/html": POISON}, "metadata": {}},
                ]
            },
        },
    }
    cells = [
        nbformat.v4.new_markdown_cell("# Poisoned\n\n" + POISON + " [j](javascript:alert(6))"),
        nbformat.v4.new_code_cell(
            "x",
            outputs=[
                nbformat.v4.new_output("display_data", {"text/html": POISON, "text/plain": POISON}),
                nbformat.v4.new_output(
                    "display_data", {"text/markdown": POISON + " and *emphasis*"}
                ),
                nbformat.v4.new_output("display_data", {PLOTLY_MIME: figure}),
            ],
        ),
        nbformat.v4.new_markdown_cell("The chart's caption."),
        nbformat.v4.new_code_cell(
            "w",
            outputs=[
                nbformat.v4.new_output("display_data", {WIDGET_VIEW_MIME: {"model_id": "box"}})
            ],
        ),
        nbformat.v4.new_markdown_cell("The explorer's caption."),
    ]
    notebook = nbformat.v4.new_notebook(cells=cells)
    notebook.metadata["widgets"] = {
        WIDGET_STATE_MIME: {"state": models, "version_major": 2, "version_minor": 0}
    }
    return notebook


@pytest.mark.browser
def test_a_poisoned_notebook_builds_a_page_with_no_live_markup(tmp_path: Path, browser):
    """Built through the command line (--notebooks, --out), as ./tasks site builds; the page is
    then opened in chromium, where no planted script may run."""
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(_poisoned_notebook(), folder / "00-poisoned.ipynb")
    out = tmp_path / "out"
    browser_support.build_site(out, notebooks=folder)
    page = (out / "00-poisoned.html").read_text(encoding="utf-8")
    body = page[page.index("<main") :]
    json_blocks = re.findall(r"<script[^>]*application/json[^>]*>(.*?)</script>", body, re.S)
    assert not live_markup(body), live_markup(body)
    assert json_blocks and all("<" not in block for block in json_blocks), (
        "chart JSON can close its script element"
    )
    assert "1,200,000,000" in body and "emphasis</em>" in body and "<b>bold</b>" in body
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in body, "the Label's text is shown, escaped"

    tab = browser.new_page()
    fired: list[str] = []
    tab.on("dialog", lambda d: (fired.append(d.message), d.dismiss()))
    tab.goto((out / "00-poisoned.html").as_uri())
    tab.wait_for_function(
        "document.querySelectorAll('.wa-chart .main-svg').length >= 1", timeout=20_000
    )
    tab.hover(".wa-chart .nsewdrag")  # hover labels render the planted text too
    tab.wait_for_timeout(300)
    assert fired == [], f"planted script ran: {fired}"
    planted = tab.evaluate(
        "[...document.querySelectorAll('main img, main iframe, main svg')]"
        ".filter(e => !e.closest('.wa-chart')).length"
    )
    assert planted == 0, f"{planted} planted elements live on the page"


def test_data_tables_read_like_a_report():
    """1200000000.0 shows as 1,200,000,000; a missing value as 'no figure'; midnight dates as dates;
    axis titles head columns."""
    figure = go.Figure(
        go.Scatter(
            x=["2019-12-22T00:00:00", "2020-01-01"],
            y=[1200000000.0, float("nan")],
            name="A &amp; B",
        ),
        layout={"yaxis": {"title": {"text": "Workers<br>(people)"}}},
    ).to_plotly_json()
    table = build_site.data_table(figure)
    assert '<td class="wa-num">1,200,000,000</td>' in table
    assert "<td>no figure</td>" in table and "1200000000.0" not in table and ".0<" not in table
    assert "<td>2019-12-22</td>" in table
    assert '<th scope="col" class="wa-num">Workers (people)</th>' in table
    assert (
        "<caption>A &amp;amp; B</caption>" not in table and "<caption>A &amp; B</caption>" in table
    )
    assert build_site.format_value(0.123456789) == ("0.123457", True)
    assert build_site.format_value(16613.0) == ("16,613", True)


# ------------------------------------------------------------- every trace type is in the bundle


def trace_types_in_notebooks(notebooks: list[Path]) -> dict[str, set[str]]:
    """Each trace type drawn in the notebooks (cells and explorers), with the notebooks using it."""
    found: dict[str, set[str]] = {}
    for path in notebooks:
        for figure, _caption in expected_charts(path):
            for trace in figure.get("data", []):
                found.setdefault(trace.get("type", "scatter"), set()).add(path.name)
    return found


@pytest.mark.browser
def test_every_trace_type_used_is_in_the_vendored_bundle(notebooks: list[Path], browser):
    """The bundle's own registry (Plotly.PlotSchema) lists what it can draw; read in a browser, not
    typed here."""
    tab = browser.new_page()
    tab.set_content("<html><body></body></html>")
    tab.add_script_tag(path=str(BUNDLE))
    info = tab.evaluate(
        "({version: Plotly.version, traces: Object.keys(Plotly.PlotSchema.get().traces)})"
    )
    assert info["version"] == plotly.offline.get_plotlyjs_version()
    assert "scatter" in info["traces"] and "scattergeo" not in info["traces"], (
        "not the cartesian bundle"
    )
    used = trace_types_in_notebooks(notebooks)
    assert used, "no charts found: the scan is broken"
    missing = {kind: sorted(names) for kind, names in used.items() if kind not in info["traces"]}
    assert not missing, (
        f"trace types the bundle cannot draw (use the full bundle or another chart): {missing}"
    )


# ------------------------------------------------------- teacher-only pages (issues 20 and 23)


def test_the_answer_keys_are_never_built_nor_linked(tmp_path: Path):
    """docs/answer-keys.md is teacher-only: a guide linking it builds no page of it, no link to
    it."""
    docs = tmp_path / "docs"
    docs.mkdir()
    secret = "ANSWER-KEY-MARKER-7f3a"
    (docs / "answer-keys.md").write_text(f"# Answer keys\n\n03.1: {secret}\n", encoding="utf-8")
    guide = docs / "teacher-guide.md"
    guide.write_text(
        "# Teacher guide\n\nThe [answer keys](answer-keys.md), [again](docs/answer-keys.md#03) "
        "and <a href='../docs/answer-keys.md'>once more</a>; "
        "the [next notebook](03-the-visa-surge.ipynb).\n",
        encoding="utf-8",
    )
    out = tmp_path / "site"
    site_builder.build(out, [], guide)
    built = {p.name for p in out.rglob("*") if p.is_file()}
    assert not [name for name in built if "answer" in name.lower()], sorted(built)
    for page in out.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert secret not in text, f"{page.name} carries the answer keys"
        assert not re.search(r"href=[\"'][^\"']*answer-keys", text), (
            f"{page.name} links the answer keys"
        )
    guide_page = (out / "teacher-guide.html").read_text(encoding="utf-8")
    assert "answer keys" in guide_page and "once more" in guide_page, (
        "the link's words were dropped"
    )
    assert 'href="03-the-visa-surge.html"' in guide_page, "other links were dropped too"


def test_every_page_carries_a_policy_allowing_only_its_own_scripts(
    site: Path, pages: dict[str, Page]
):
    """Each page's head opens with a Content-Security-Policy: its own files' scripts, no other
    host."""
    for name in pages:
        text = (site / name).read_text(encoding="utf-8")
        head = text[: text.index("<body")]
        match = re.search(
            r'<meta[^>]*http-equiv="Content-Security-Policy"[^>]*content="([^"]*)"', head
        )
        match = match or re.search(
            r'<meta[^>]*content="([^"]*)"[^>]*http-equiv="Content-Security-Policy"', head
        )
        assert match, f"{name} has no Content-Security-Policy"
        assert head.index(match[0]) < head.index("<script"), (
            f"{name}: the policy comes after a script"
        )
        policy = {part.split()[0]: part.split()[1:] for part in unescape(match[1]).split(";")}
        assert policy["script-src"] == ["'self'"], f"{name}: {policy['script-src']}"
        assert policy["default-src"] == ["'none'"] and policy["connect-src"] == ["'none'"], name
        scripts = re.findall(r"<script([^>]*)>", text)
        inline = [
            attrs for attrs in scripts if "src=" not in attrs and "application/json" not in attrs
        ]
        assert inline == [], f"{name}: inline scripts the policy would block: {inline}"


def _figure_with_table(rows: list[list[str]]) -> dict:
    """A chart carrying a tidy table as the house style attaches it: escaped display strings."""
    return go.Figure(
        go.Bar(x=["WE_US_2020_WORLD", "WE_RU_2019"], y=[100000.0, 6049.999999999999]),
        layout={
            "title": {"text": "4 of 6 counts say 100,000"},
            "meta": {
                "wa_table": {
                    "caption": "Workers abroad &amp; their sources",
                    "columns": ["Source", "Workers (people)"],
                    "rows": rows,
                    "numeric": [False, True],
                }
            },
        },
    ).to_plotly_json()


def test_the_tidy_table_behind_a_chart_replaces_the_trace_dump():
    """The table the house style attached is the chart's table, linked by aria-describedby;
    its strings are escaped once (planted markup stays text), and no trace value leaks in."""
    rows = [["Reuters &lt;img src=x onerror=alert(1)&gt;", "100,000"], ["TASS", "no figure"]]
    chart = build_site.chart_html(_figure_with_table(rows), "", build_site.ChartCounter())
    assert '<div class="wa-chart" id="wa-chart-1" data-spec="wa-chart-1-data" ' in chart
    assert 'aria-describedby="wa-chart-1-table"' in chart
    table = chart[chart.index("<table") :]
    assert table.startswith('<table class="wa-data" id="wa-chart-1-table">')
    assert "<caption>Workers abroad &amp; their sources</caption>" in table
    assert (
        '<th scope="col">Source</th><th scope="col" class="wa-num">Workers (people)</th>' in table
    )
    assert "<td>Reuters &lt;img src=x onerror=alert(1)&gt;</td>" in table
    assert '<td class="wa-num">100,000</td>' in table and "<td>no figure</td>" in table
    assert "WE_US_2020_WORLD" not in table and "6049.99" not in table and "<img" not in chart


def test_a_malformed_tidy_table_falls_back_to_the_charts_data():
    """A row shorter than the columns (a notebook from elsewhere) is not trusted: the page shows
    the traces' own data instead, captioned by the chart's title, never 'series 1'."""
    chart = build_site.chart_html(
        _figure_with_table([["only one cell"]]), "", build_site.ChartCounter()
    )
    assert "only one cell" not in chart
    assert "<caption>4 of 6 counts say 100,000, data series 1</caption>" in chart
    assert '<td class="wa-num">100,000</td>' in chart
    assert 'id="wa-chart-1-table"' in chart and 'aria-describedby="wa-chart-1-table"' in chart


def test_a_long_table_is_collapsed_and_a_short_one_open():
    short = build_site.chart_html(
        _figure_with_table([["A", "1"]] * build_site.OPEN_TABLE_ROWS), "", build_site.ChartCounter()
    )
    long = build_site.chart_html(
        _figure_with_table([["A", "1"]] * (build_site.OPEN_TABLE_ROWS + 1)),
        "",
        build_site.ChartCounter(),
    )
    assert '<details class="wa-data-details" open>' in short
    assert '<details class="wa-data-details">' in long


def test_jupyterlabs_copy_of_the_table_is_left_out():
    """The house style follows each chart with its table for JupyterLab; the page builds that
    table itself, linked to the chart, so the copy would show every table twice."""
    figure = _figure_with_table([["Reuters", "100,000"]])
    lab_copy = nbformat.v4.new_output(
        "display_data",
        data={"text/html": "<details><table><tr><td>LAB COPY</td></tr></table></details>"},
        metadata={"wa": "chart-table"},
    )
    cell = nbformat.v4.new_code_cell(
        "fig",
        outputs=[nbformat.v4.new_output("display_data", data={PLOTLY_MIME: figure}), lab_copy],
    )
    prepared, charts = build_site.prepare(nbformat.v4.new_notebook(cells=[cell]))
    shown = json.dumps(prepared.cells[0].outputs)
    assert charts == 1 and "LAB COPY" not in shown and "wa-chart-1-table" in shown


def test_cell_boxes_are_no_tab_stops_of_their_own(site: Path, pages: dict[str, Page]):
    """nbconvert gives every cell's input and output box tabindex=0; on the site a box becomes a
    tab stop only while it scrolls (site.js), so no page carries one as built."""
    for name in pages:
        page = (site / name).read_text(encoding="utf-8")
        assert 'tabindex="0"' not in page, f"{name}: a cell box is a tab stop that does nothing"
    assert build_site.without_idle_tab_stops(
        '<div class="jp-Cell-inputWrapper" tabindex="0"><div class="jp-RenderedText '
        'jp-OutputArea-output" data-mime-type="text/plain" tabindex="0"><a tabindex="0">'
    ) == (
        '<div class="jp-Cell-inputWrapper"><div class="jp-RenderedText '
        'jp-OutputArea-output" data-mime-type="text/plain"><a tabindex="0">'
    )
