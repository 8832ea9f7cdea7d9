"""Projector width: every chart on every site page keeps a real plot area and unclipped, separate
text.

A classroom projector shows about 1024×768; a laptop about 1400 px. At both widths, in the light
and the dark colour scheme (the site follows the reader's system setting), each chart is
measured from its rendered SVG boxes:

- the plot area (the subplots' drag rectangles, ``.nsewdrag``; side-by-side panels added up)
  is at least half the chart's width, so long legends and labels cannot squeeze the data
  into a strip;
- no text box (chart title with its subtitle, axis titles, legend, every annotation, which is
  where the source lines and notes live) lies outside the chart's SVG (clipped) or overlaps
  another text box (1 px of anti-aliasing allowed).

The same rule is checked in JupyterLab, with the left sidebar (file browser) open, in the
JupyterLab Light and Dark themes, on the charts a notebook shows from its saved outputs when
opened (the explorers' charts need a running kernel; their site snapshots are checked above).

Failures are collected per chart and reported together, naming page, width, scheme, chart title
and the boxes involved. A synthetic bad chart proves the checks can fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import Browser, Page

from tests.browser_support import (
    PLOTLY_MIME,
    LabServer,
    open_with_charts_drawn,
    start_lab,
    stop_lab,
)
from workers_abroad.publishing.notebooks import notebook_paths
from workers_abroad.publishing.render import PLOTLY_BUNDLE

WIDTHS = {"projector 1024x768": (1024, 768), "laptop 1400": (1400, 900)}
SCHEMES = ("light", "dark")
MIN_PLOT_SHARE = 0.5
SLACK = 1.0  # px of anti-aliasing a box may poke out or overlap

#: Every chart's boxes, in CSS px relative to the page: the SVG, the plot areas, the text boxes.
MEASURE_JS = """root => [...document.querySelectorAll(root + ' .js-plotly-plot')]
.map((chart, index) => {
  const box = e => {
    const r = e.getBoundingClientRect();
    return {x0: r.left, y0: r.top, x1: r.right, y1: r.bottom};
  };
  const svg = chart.querySelector('.main-svg');
  const texts = [];
  const add = (kind, el) => {
    if (!el) return;
    const b = box(el);
    if (b.x1 - b.x0 > 0.5 && b.y1 - b.y0 > 0.5) {
      texts.push({kind, text: (el.textContent || '').trim().slice(0, 60), ...b});
    }
  };
  add('title', chart.querySelector('.infolayer .g-gtitle'));
  chart.querySelectorAll('.infolayer [class^="g-"][class$="title"]:not(.g-gtitle)')
    .forEach(e => add('axis title', e));
  chart.querySelectorAll('.infolayer .legend')
    .forEach(e => add('legend', e.querySelector('.bg') || e));
  chart.querySelectorAll('.annotation')
    .forEach(e => add('annotation', e.querySelector('.annotation-text-g') || e));
  const plots = [...chart.querySelectorAll('.draglayer .nsewdrag')].map(box);
  return {index: index + 1,
          title: chart.querySelector('.gtitle')?.textContent ?? '(untitled)',
          svg: box(svg), plots, texts};
})"""


def data_width(plots: list[dict[str, float]]) -> float:
    """How much of the chart's width shows data: the subplots' horizontal spans, merged.

    One subplot: its width. Side-by-side panels: their widths added (the gutter between them
    does not count); stacked panels share a span and count once.
    """
    total, end = 0.0, float("-inf")
    for x0, x1 in sorted((p["x0"], p["x1"]) for p in plots):
        if x1 > end:
            total += x1 - max(x0, end)
            end = x1
    return total


def problems(chart: dict[str, Any]) -> list[str]:
    """What is wrong with one measured chart, in words (empty when it passes)."""
    found = []
    svg = chart["svg"]
    width = svg["x1"] - svg["x0"]
    plot = data_width(chart["plots"])
    if plot < MIN_PLOT_SHARE * width:
        found.append(f"plot area {plot:.0f} px of {width:.0f} px (< {MIN_PLOT_SHARE:.0%})")
    for t in chart["texts"]:
        if (
            t["x0"] < svg["x0"] - SLACK
            or t["x1"] > svg["x1"] + SLACK
            or t["y0"] < svg["y0"] - SLACK
            or t["y1"] > svg["y1"] + SLACK
        ):
            found.append(
                f"{t['kind']} {t['text']!r} clipped: "
                f"x {t['x0'] - svg['x0']:.0f}..{t['x1'] - svg['x0']:.0f}, "
                f"y {t['y0'] - svg['y0']:.0f}..{t['y1'] - svg['y0']:.0f} "
                f"in a {width:.0f}×{svg['y1'] - svg['y0']:.0f} SVG"
            )
    texts = chart["texts"]
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            dx = min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])
            dy = min(a["y1"], b["y1"]) - max(a["y0"], b["y0"])
            if dx > SLACK and dy > SLACK:
                found.append(
                    f"{a['kind']} {a['text']!r} overlaps {b['kind']} {b['text']!r} "
                    f"({dx:.0f}×{dy:.0f} px)"
                )
    return found


def measure(browser: Browser, url: str, size: tuple[int, int], scheme: str) -> list[dict[str, Any]]:
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, color_scheme=scheme, offline=True
    )
    try:
        page: Page = context.new_page()
        open_with_charts_drawn(page, url)
        page.wait_for_timeout(300)  # responsive charts settle after the first layout
        return page.evaluate(MEASURE_JS, "body")
    finally:
        context.close()


CASES = [(p.stem, w, s) for p in notebook_paths() for w in WIDTHS for s in SCHEMES]


@pytest.mark.parametrize(
    ("stem", "width", "scheme"), CASES, ids=[f"{s}-{w.split()[0]}-{c}" for s, w, c in CASES]
)
def test_every_chart_fits_the_width(
    stem: str, width: str, scheme: str, site: Path, browser: Browser
):
    charts = measure(browser, (site / f"{stem}.html").as_uri(), WIDTHS[width], scheme)
    failures = [
        f"chart {c['index']} {c['title'][:70]!r}: {problem}"
        for c in charts
        for problem in problems(c)
    ]
    assert not failures, f"{stem} at {width}, {scheme}:\n" + "\n".join(failures)


def test_the_checks_catch_a_squeezed_clipped_overlapping_chart(browser: Browser, tmp_path: Path):
    """A long legend on the right, an annotation outside the chart and two
    stacked notes all fail."""
    figure = {
        "data": [
            {"type": "scatter", "x": [1, 2], "y": [1, 2], "name": "a very long legend entry " * 6}
        ],
        "layout": {
            "title": {"text": "A title"},
            "showlegend": True,
            "annotations": [
                {
                    "text": "a source line that runs off the right edge of the chart card",
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.9,
                    "xanchor": "left",
                    "y": 0.5,
                    "showarrow": False,
                },
                {
                    "text": "note one",
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.1,
                    "y": 0.2,
                    "showarrow": False,
                },
                {
                    "text": "note two",
                    "xref": "paper",
                    "yref": "paper",
                    "x": 0.1,
                    "y": 0.2,
                    "showarrow": False,
                },
            ],
        },
    }
    narrow = {
        "data": [{"type": "bar", "x": ["a"], "y": [1]}],
        "layout": {
            "title": {"text": "A finding stated in a title far too long for a narrow chart card"}
        },
    }
    page = tmp_path / "bad.html"
    page.write_text(
        '<html><body><div id="c" style="width:1000px;height:450px"></div>'
        '<div id="d" style="width:300px;height:300px"></div>'
        f'<script src="{PLOTLY_BUNDLE.as_uri()}"></script>'
        f"<script>const f = {json.dumps(figure)}, g = {json.dumps(narrow)};"
        "Plotly.newPlot('c', f.data, f.layout); Plotly.newPlot('d', g.data, g.layout);</script>"
        "</body></html>"
    )
    charts = measure(browser, page.as_uri(), (1024, 768), "light")
    found = " | ".join(problems(charts[0]) + problems(charts[1]))
    assert "plot area" in found and "title 'A finding" in found and "clipped" in found, found
    assert "overlaps annotation" in found, found
    good = {**charts[0], "plots": [charts[0]["svg"]], "texts": []}
    assert problems(good) == []
    panels = [{"x0": 0, "x1": 40}, {"x0": 60, "x1": 100}, {"x0": 0, "x1": 40}]
    assert data_width(panels) == 80  # two side-by-side panels, one stacked under the first


TYPE_JS = """() => {
  const fontSize = e => parseFloat(getComputedStyle(e).fontSize);
  const size = sel => [...document.querySelectorAll(sel)].map(fontSize);
  const texts = [...document.querySelectorAll('main *')].filter(e =>
    !e.closest('.js-plotly-plot, svg')
    && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
    && e.getClientRects().length);
  return {bar: size('.wa-sitebar a'), body: size('.jp-RenderedMarkdown p'),
          caption: size('figcaption p'),
          smallest: Math.min(...texts.map(fontSize)),
          smallestText: texts.sort((a, b) => fontSize(a) - fontSize(b))[0]
            ?.textContent.trim().slice(0, 40)};
}"""


@pytest.mark.parametrize("name", ["index.html", *[f"{p.stem}.html" for p in notebook_paths()]])
def test_bar_and_body_share_one_readable_type_scale(name: str, site: Path, browser: Browser):
    """The site bar is set like the body text (16 px), captions too; nothing on
    the page is under 14 px."""
    context = browser.new_context(viewport={"width": 1024, "height": 768}, offline=True)
    try:
        page = context.new_page()
        page.goto((site / name).as_uri(), wait_until="load")
        sizes = page.evaluate(TYPE_JS)
    finally:
        context.close()
    assert sizes["bar"] and sizes["body"], f"{name}: no site bar or no body paragraph found"
    assert set(sizes["bar"]) == set(sizes["body"]) == {16.0}, (
        f"{name}: bar {set(sizes['bar'])}, body {set(sizes['body'])}"
    )
    assert set(sizes["caption"]) <= {16.0}, f"{name}: captions at {set(sizes['caption'])} px"
    assert sizes["smallest"] >= 14, (
        f"{name}: text at {sizes['smallest']} px: {sizes['smallestText']!r}"
    )


# --------------------------------------------------------------------------- in JupyterLab

LAB_THEMES = {"light": "JupyterLab Light", "dark": "JupyterLab Dark"}
OPEN_WITH_SIDEBAR_JS = """async name => {
  const app = window.jupyterapp;
  await app.restored;
  await app.commands.execute('application:close-all');
  if (app.shell.leftCollapsed) { await app.commands.execute('filebrowser:activate'); }
  await app.commands.execute('docmanager:open', {path: name, factory: 'Notebook'});
}"""
SIDEBAR_OPEN_JS = """() => !window.jupyterapp.shell.leftCollapsed
  && document.querySelector('#jp-left-stack').getBoundingClientRect().width > 150"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    server = start_lab(tmp_path_factory.mktemp("lab-projector"))
    try:
        yield server
    finally:
        stop_lab(server)


@pytest.mark.parametrize("path", notebook_paths(), ids=[p.stem for p in notebook_paths()])
def test_every_chart_fits_in_jupyterlab_with_the_sidebar_open(
    path: Path, lab: LabServer, browser: Browser
):
    saved = nbformat.read(lab.root_dir / path.name, as_version=4)  # the server's copy, read once
    expected = [
        o
        for c in saved.cells
        if c.cell_type == "code"
        for o in c.outputs
        if PLOTLY_MIME in o.get("data", {})
    ]
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    failures: list[str] = []
    try:
        page = context.new_page()
        page.goto(lab.url(f"lab/workspaces/projector-{path.stem}"))
        page.wait_for_function(
            "() => !!(window.jupyterapp && document.querySelector('#jp-main-dock-panel'))",
            timeout=60_000,
        )
        page.evaluate(OPEN_WITH_SIDEBAR_JS, path.name)
        for width, size in WIDTHS.items():
            page.set_viewport_size({"width": size[0], "height": size[1]})
            for scheme, theme in LAB_THEMES.items():
                page.evaluate(
                    "t => window.jupyterapp.commands.execute('apputils:change-theme', {theme: t})",
                    theme,
                )
                page.wait_for_function(
                    "t => document.body.dataset.jpThemeName === t", arg=theme, timeout=30_000
                )
                page.wait_for_function(SIDEBAR_OPEN_JS, timeout=10_000)
                page.wait_for_function(
                    "n => document.querySelectorAll("
                    "'.jp-NotebookPanel:not(.lm-mod-hidden) .js-plotly-plot .main-svg'"
                    ").length >= n",
                    arg=len(expected),
                    timeout=60_000,
                )
                page.wait_for_timeout(600)  # plotly's responsive resize after the viewport change
                charts = page.evaluate(MEASURE_JS, ".jp-NotebookPanel:not(.lm-mod-hidden)")
                assert len(charts) == len(expected), (
                    f"{path.name}: {len(charts)} charts drawn, {len(expected)} saved"
                )
                failures += [
                    f"{width}, {scheme}: chart {c['index']} {c['title'][:70]!r}: {problem}"
                    for c in charts
                    for problem in problems(c)
                ]
    finally:
        context.close()
    assert not failures, f"{path.name} in JupyterLab with the file browser open:\n" + "\n".join(
        failures
    )
