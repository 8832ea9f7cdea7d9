"""Real-browser test: what a reader sees in JupyterLab, offline.

Readers meet the collection in JupyterLab, not in nbval. This test starts JupyterLab on
localhost (free port, token on) serving a temporary copy of notebooks/, drives Debian's
headless chromium through Playwright (no browser download), and for every notebook:
runs all cells, waits for the kernel to go idle, checks there is no error output, checks
that every plotly chart was drawn (rendered plots = figure outputs in the saved notebook,
the explorers' charts inside Output widgets included), moves one control of every explorer
and checks its chart or text changed, and saves a screenshot to build/screenshots/.

The static site is opened offline in tests/test_site.py.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Locator, Page
from playwright.sync_api import Error as PlaywrightError

from tests.browser_support import (
    APP_READY_JS,
    CLOSE_JS,
    OPEN_JS,
    SCREENSHOTS,
    WIDGET_STATE_MIME,
    WIDGET_VIEW_MIME,
    LabServer,
    error_outputs,
    figure_outputs,
    notebook_paths,
    run_every_cell,
)

#: JupyterLab runs every notebook's kernel, driven by chromium.
pytestmark = [pytest.mark.browser, pytest.mark.kernel]

NOTEBOOKS = notebook_paths()
VIEWPORT = {"width": 1280, "height": 1000}

#: Every element that shows an error or a warning in a JupyterLab output area.
ERROR_SELECTOR = (
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
    '.jp-RenderedText[data-mime-type="application/vnd.jupyter.stderr"]'
)
#: An explorer (helpers.explorers.Explorer): the box that holds its text line and its chart.
EXPLORER_SELECTOR = ".jp-Notebook .widget-box:has(> .wa-explorer-text)"
#: The controls the test knows how to move; it moves the first of them in an explorer.
CONTROL_SELECTOR = (
    ".widget-slider, .widget-hslider, .widget-dropdown, .widget-select, .widget-select-multiple, "
    ".widget-toggle-buttons, .widget-radio, .widget-checkbox"
)

#: Plotly charts that were actually drawn (plotly adds .main-svg when it draws), in the notebook.
DRAWN_PLOTS_JS = """root => [...root.querySelectorAll('.js-plotly-plot')]
  .filter(p => p.querySelector('.plot-container .main-svg')).length"""

#: What an explorer shows: its text line and the data and title of its chart.
EXPLORER_STATE_JS = """box => JSON.stringify({
  text: box.querySelector('.wa-explorer-text')?.innerText ?? null,
  charts: [...box.querySelectorAll('.wa-explorer-chart .js-plotly-plot')].map(
    p => ({data: p.data, title: p.layout?.title?.text ?? null, barmode: p.layout?.barmode ?? null,
           axes: [p.layout?.xaxis?.type ?? null, p.layout?.yaxis?.type ?? null]})),
})"""


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(scope="module")
def lab(lab_server: LabServer) -> LabServer:
    """One JupyterLab for this file: conftest's ``lab_server``, every notebook's kernel started
    at once and always shut down with its kernels, even on failure."""
    return lab_server


def offline_context(browser: Browser, allowed_prefix: str, blocked: list[str]) -> BrowserContext:
    """A fresh browser context in which only ``allowed_prefix`` URLs load; the rest are recorded."""
    context = browser.new_context(viewport=VIEWPORT)

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith(allowed_prefix) or url.startswith(("data:", "blob:")):
            request_route.continue_()
        else:
            blocked.append(url)
            request_route.abort()

    context.route("**/*", route)
    return context


@dataclass
class LabApp:
    """JupyterLab loaded once in a page, offline but for the server; notebooks open inside it."""

    page: Page
    blocked: list[str]

    def load(self, server: LabServer) -> None:
        self.page.goto(server.url("lab/workspaces/browser-test"))
        self.page.wait_for_function(APP_READY_JS)


@pytest.fixture(scope="module")
def lab_app(lab: LabServer, browser: Browser) -> Iterator[LabApp]:
    blocked: list[str] = []
    context = offline_context(browser, lab.base_url + "/", blocked)
    context.set_default_timeout(60_000)
    try:
        app = LabApp(context.new_page(), blocked)
        app.load(lab)
        yield app
    finally:
        context.close()


@pytest.fixture
def opened(lab: LabServer, lab_app: LabApp, request: pytest.FixtureRequest) -> Iterator[Page]:
    """The test's notebook, open in the lab; closed and its kernel shut down afterwards.

    Should closing fail (a test left a dialog open), the app is reloaded, so one failure
    does not spill into the next notebook's test.
    """
    name = request.node.callspec.params["path"].name
    lab_app.blocked.clear()
    lab_app.page.evaluate(OPEN_JS, name)
    try:
        yield lab_app.page
    finally:
        try:
            lab_app.page.evaluate(CLOSE_JS)
        except PlaywrightError:
            lab_app.load(lab)
        lab.stop_kernels_of(name)


# ------------------------------------------------------------------------------- helpers


def saved_notebook(page: Page, lab: LabServer, name: str) -> dict[str, Any]:
    """Save the open notebook (with its widget state) and read it back from the server's copy."""
    page.evaluate("async () => { await window.jupyterapp.commands.execute('docmanager:save'); }")
    return json.loads((lab.root_dir / name).read_text(encoding="utf-8"))


def move(control: Locator) -> str:
    """Move one control by one step, as a reader would, and say what was done."""
    classes = control.get_attribute("class") or ""
    if "widget-slider" in classes or "widget-hslider" in classes:
        handle = control.locator(".noUi-handle").first
        now, top = handle.get_attribute("aria-valuenow"), handle.get_attribute("aria-valuemax")
        key = "ArrowLeft" if now is not None and now == top else "ArrowRight"
        handle.focus()
        handle.press(key)
        return f"slider {key}"
    select = control.locator("select")
    if select.count():
        options = select.locator("option").evaluate_all(
            "os => os.map(o => ({v: o.value, s: o.selected}))"
        )
        assert len(options) > 1, "a select control with one option cannot move"
        other = next((o["v"] for o in options if not o["s"]), None)
        # A multiple select with every option picked moves by keeping only the first.
        target = other if other is not None else options[0]["v"]
        select.select_option(target)
        return f"select option {target!r}"
    if "widget-toggle-buttons" in classes:
        control.locator("button:not(.mod-active)").first.click()
        return "toggle button"
    if "widget-radio" in classes:
        control.locator("input:not(:checked)").first.check()
        return "radio button"
    control.locator("input").first.click()
    return "checkbox"


def explorer_state(explorer: Locator) -> str:
    return str(explorer.evaluate(EXPLORER_STATE_JS))


def wait_for_change(explorer: Locator, before: str, timeout: float = 20.0) -> str:
    """The explorer's new state once it differs from ``before`` (or the old one at the timeout)."""
    deadline = time.monotonic() + timeout
    after = explorer_state(explorer)
    while after == before and time.monotonic() < deadline:
        time.sleep(0.2)
        after = explorer_state(explorer)
    return after


def displays_widgets(notebook: dict[str, Any]) -> bool:
    return any(
        WIDGET_VIEW_MIME in output.get("data", {})
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
        for output in cell.get("outputs", [])
    )


# ------------------------------------------------------------------------- the lab test


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_renders_in_jupyterlab(path: Path, lab: LabServer, lab_app: LabApp, opened: Page):
    page = opened
    run = run_every_cell(page, path.name)
    notebook_node = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")

    # No error output, in the page or in the saved file.
    shown_errors = page.locator(ERROR_SELECTOR).all_inner_texts()
    saved = saved_notebook(page, lab, path.name)
    assert run.get("ok") is True and not shown_errors, (
        f"{path.name}: Run All did not finish cleanly ({run}); "
        f"error output in the page: {shown_errors}; "
        f"in the saved notebook: {error_outputs(saved)}"
    )

    # Every chart drawn: plots in the page = figure outputs in the saved notebook.
    if displays_widgets(saved):
        assert WIDGET_STATE_MIME in saved["metadata"].get("widgets", {}), (
            "the saved notebook has no widget state, so the charts inside widgets cannot be counted"
        )
    expected = figure_outputs(saved)
    deadline = time.monotonic() + 30
    drawn = notebook_node.evaluate(DRAWN_PLOTS_JS)
    while drawn != expected and time.monotonic() < deadline:
        time.sleep(0.25)
        drawn = notebook_node.evaluate(DRAWN_PLOTS_JS)
    placeholders = notebook_node.locator(".js-plotly-plot").count()
    assert drawn == expected, (
        f"{path.name}: {drawn} plotly charts drawn ({placeholders} plot elements) "
        f"for {expected} figure outputs (cells and explorers)"
    )

    # A screenshot of what the reader sees after Run All, at the first explorer (or chart).
    explorers = page.locator(EXPLORER_SELECTOR)
    focus = explorers.first if explorers.count() else notebook_node.locator(".js-plotly-plot").first
    if focus.count():
        focus.evaluate("el => el.closest('.jp-Cell').scrollIntoView({block: 'start'})")
        time.sleep(0.3)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{path.stem}.png"))

    # Every explorer answers its controls: move one, the chart or the text changes.
    if displays_widgets(saved):
        assert explorers.count() > 0, (
            f"{path.name} displays widgets but no helpers.explorers.Explorer to try"
        )
    for index in range(explorers.count()):
        explorer = explorers.nth(index)
        explorer.scroll_into_view_if_needed()
        controls = explorer.locator(CONTROL_SELECTOR)
        assert controls.count() > 0, (
            f"{path.name}: explorer {index + 1} has no control the test can move"
        )
        before = explorer_state(explorer)
        action = move(controls.first)
        after = wait_for_change(explorer, before)
        assert after != before, f"{path.name}: explorer {index + 1} did not change after {action}"

    assert not lab_app.blocked, (
        f"{path.name}: the page tried to reach the network: {lab_app.blocked[:5]}"
    )
