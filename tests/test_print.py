"""Printing the site: A4, every chart whole and inside the paper, data tables expanded,
navigation hidden.

Each page is opened offline, switched to print media (what the browser's print dialog and
preview do), and measured from the rendered boxes: every chart's SVG must fit the printable
width of A4 (210 mm less the 15 mm margins of the print stylesheet = 680 CSS px at 96 px/in)
and the printable height; every data table behind a chart must be open; the site bar and the
notebooks' navigation cells must be hidden. Then it is printed to PDF (Playwright's page.pdf,
A4) and the PDF's pages are checked to be A4. Back on screen, the charts fill the page again.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser_support import open_with_charts_drawn
from workers_abroad.publishing.notebooks import notebook_paths

pytestmark = pytest.mark.browser  # every page is printed by chromium

MM = 96 / 25.4
PRINTABLE_WIDTH = (210 - 2 * 15) * MM
PRINTABLE_HEIGHT = (297 - 2 * 15) * MM
A4_POINTS = (595.3, 841.9)  # 210 x 297 mm in PDF points; Chromium rounds up to whole points

CHART_BOXES_JS = """() => [...document.querySelectorAll('.wa-chart')].map((c, i) => {
  const svg = c.querySelector('.main-svg');
  const box = svg ? svg.getBoundingClientRect() : null;
  return {i: i + 1, title: c.querySelector('.gtitle')?.textContent ?? '', drawn: !!svg,
          width: box ? box.width : 0, height: box ? box.height : 0};
})"""
HIDDEN_JS = """sel => [...document.querySelectorAll(sel)]
  .filter(e => e.getClientRects().length > 0).length"""
#: Which tables behind charts are open: a short one is open on screen, a long one collapsed.
OPEN_JS = """() => [...document.querySelectorAll('details.wa-data-details')].map(d => d.open)"""
TABLES_JS = """() => [...document.querySelectorAll('details.wa-data-details')].map(d =>
  d.open && [...d.querySelectorAll('table')].every(t => t.getBoundingClientRect().height > 0))"""


def open_page(browser: Browser, path: Path) -> Page:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, offline=True)
    page = context.new_page()
    open_with_charts_drawn(page, path.as_uri())
    return page


def settle(page: Page) -> None:
    """Let plotly finish its relayouts (two animation frames after the last one queued)."""
    page.evaluate(
        "() => new Promise(r => requestAnimationFrame("
        "() => requestAnimationFrame(() => setTimeout(r, 200))))"
    )


def pdf_page_sizes(pdf: bytes) -> list[tuple[int, int]]:
    """The MediaBox of every page of a PDF Chromium wrote, in points."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    return [(float(w), float(h)) for w, h in boxes]


def is_a4(size: tuple[float, float]) -> bool:
    return abs(size[0] - A4_POINTS[0]) <= 1.5 and abs(size[1] - A4_POINTS[1]) <= 1.5


@pytest.mark.parametrize("stem", [p.stem for p in notebook_paths()])
def test_page_prints_to_a4_with_every_chart_whole(
    stem: str, site: Path, browser: Browser, tmp_path: Path
):
    page = open_page(browser, site / f"{stem}.html")
    try:
        screen = page.evaluate(CHART_BOXES_JS)
        opened_on_screen = page.evaluate(OPEN_JS)
        page.emulate_media(media="print")
        settle(page)
        printed = page.evaluate(CHART_BOXES_JS)
        assert len(printed) == len(screen), "charts appeared or vanished in print"
        too_big = [
            f"chart {c['i']} ({c['title'][:50]!r}): {c['width']:.0f}×{c['height']:.0f} px"
            for c in printed
            if not c["drawn"] or c["width"] > PRINTABLE_WIDTH or c["height"] > PRINTABLE_HEIGHT
        ]
        assert not too_big, (
            f"{stem}: charts larger than A4's printable "
            f"{PRINTABLE_WIDTH:.0f}×{PRINTABLE_HEIGHT:.0f} px: {too_big}"
        )
        assert all(page.evaluate(TABLES_JS)), (
            f"{stem}: a data table behind a chart is closed in print"
        )
        assert page.evaluate(HIDDEN_JS, ".wa-sitebar, .celltag_navigation") == 0, (
            f"{stem}: navigation is printed"
        )

        pdf = page.pdf(format="A4", print_background=True)
        (tmp_path / f"{stem}.pdf").write_bytes(pdf)
        sizes = pdf_page_sizes(pdf)
        assert sizes and all(is_a4(size) for size in sizes), (
            f"{stem}: PDF pages are not A4: {set(sizes)}"
        )

        page.emulate_media(media="screen")
        settle(page)
        back = page.evaluate(CHART_BOXES_JS)
        if screen:
            assert [round(c["width"]) for c in back] == [round(c["width"]) for c in screen], (
                f"{stem}: charts do not return to their screen width after printing"
            )
            assert page.evaluate(OPEN_JS) == opened_on_screen, (
                f"{stem}: data tables do not return to how they were on screen after printing"
            )
    finally:
        page.context.close()


def test_a_chart_wider_than_the_paper_is_caught(site: Path, browser: Browser):
    """The check is not blind: a chart pinned at 1000 px (no print resize) is measured wider than
    A4."""
    page = open_page(browser, site / f"{notebook_paths()[-1].stem}.html")
    try:
        page.evaluate("() => Plotly.relayout(document.querySelector('.wa-chart'), {width: 1000})")
        settle(page)
        widths = [c["width"] for c in page.evaluate(CHART_BOXES_JS)]
        assert widths and widths[0] > PRINTABLE_WIDTH
    finally:
        page.context.close()


def test_the_contents_page_prints_without_its_bar(site: Path, browser: Browser):
    context = browser.new_context(offline=True)
    try:
        page = context.new_page()
        page.goto((site / "index.html").as_uri())
        page.emulate_media(media="print")
        assert page.evaluate(HIDDEN_JS, ".wa-sitebar") == 0
        page.emulate_media(media="screen")
        assert page.evaluate(HIDDEN_JS, ".wa-sitebar") == 1, (
            "the bar check is blind: no bar on screen either"
        )
    finally:
        context.close()
