"""Retake the JupyterLab screenshots in docs/img/ that README.md and docs/contributing.md show.

Run as ``python -m tools.screenshots`` from the repository root (a maintainer tool; it needs
the test tools: Playwright and Debian's chromium).

Why: pictures taken by hand went stale when the notebooks changed (issue 21), and a stale
picture shows a reader code and charts the notebooks no longer have. This takes them the way a
reader gets them: it starts JupyterLab with the browser tests' own code (tests/browser_support.py:
a copy of notebooks/, a token, a free loopback port, the IPC kernels of tools/jupyter_config),
runs every cell of the notebook (a fresh result, not the saved widget state), and photographs
one explorer with its controls, text and chart at a projector's width, 1024 pixels. The server
and its kernels are always stopped.
"""

from __future__ import annotations

import argparse
import math
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import FloatRect, Locator, Page, sync_playwright

from tests.browser_support import (
    APP_READY_JS,
    CHROMIUM,
    CHROMIUM_ARGS,
    OPEN_JS,
    LabServer,
    run_every_cell,
    start_lab,
    stop_lab,
)

ROOT = Path(__file__).resolve().parent.parent
IMAGES = ROOT / "docs" / "img"
#: A projector's screen, the size the explorers are laid out for (helpers.explorers).
VIEWPORT = {"width": 1024, "height": 768}
#: White space kept around the explorer in the picture, in CSS pixels (more takes in the border
#: of the code cell above it).
MARGIN = 4


@dataclass(frozen=True)
class Shot:
    """One picture: the notebook, the words in its explorer's title, and the image's file name."""

    notebook: str
    title_words: str
    image: str


SHOTS = [
    Shot("03-the-visa-surge.ipynb", "visa category", "jupyterlab-03-visa-explorer.png"),
    Shot(
        "04-deadline-logistics.ipynb", "Capacity simulator", "jupyterlab-04-capacity-simulator.png"
    ),
]


def run_all(page: Page, server: LabServer, notebook: str) -> None:
    """Open the notebook in the Lab and run every cell, failing loudly if a cell fails."""
    page.goto(server.url("lab/workspaces/screenshots"))
    page.wait_for_function(APP_READY_JS)
    page.evaluate(OPEN_JS, notebook)
    run = run_every_cell(page, notebook)
    if run.get("ok") is not True:
        raise RuntimeError(f"{notebook}: Run All did not finish cleanly: {run}")


def explorer_in_view(page: Page, title_words: str) -> Locator:
    """The explorer whose title holds ``title_words``, centred, its chart drawn."""
    title = page.locator(".wa-explorer-title", has_text=title_words)
    explorer = page.locator(".jp-Notebook .wa-explorer").filter(has=title)
    explorer.locator(".wa-explorer-chart .js-plotly-plot .main-svg").first.wait_for()
    explorer.evaluate("el => el.scrollIntoView({block: 'center'})")
    time.sleep(1)  # plotly redraws at the new width after a resize; let it settle
    return explorer


def boxes(page: Page, explorer: Locator) -> tuple[FloatRect, FloatRect]:
    """Where the explorer and the notebook's visible area are on the screen."""
    box = explorer.bounding_box()
    area = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").bounding_box()
    if box is None or area is None:
        raise RuntimeError("the explorer or the notebook is not on the screen")
    return box, area


def photograph(page: Page, shot: Shot) -> Path:
    """Save the explorer, with a little margin, at the projector's width.

    An explorer is taller than what Lab's menus and bars leave of a 768-pixel screen, so the
    screen grows just enough for the whole explorer; the picture holds the explorer only.
    """
    box, area = boxes(page, explorer_in_view(page, shot.title_words))
    missing = box["height"] + 4 * MARGIN - area["height"]
    if missing > 0:
        page.set_viewport_size({**VIEWPORT, "height": VIEWPORT["height"] + math.ceil(missing)})
    box, area = boxes(page, explorer_in_view(page, shot.title_words))
    clip = {
        "x": box["x"] - MARGIN,
        "y": box["y"] - MARGIN,
        "width": box["width"] + 2 * MARGIN,
        "height": box["height"] + 2 * MARGIN,
    }
    inside = area["y"] <= clip["y"] and clip["y"] + clip["height"] <= area["y"] + area["height"]
    if not inside:
        raise RuntimeError(f"{shot.notebook}: the explorer does not fit on the screen")
    path = IMAGES / shot.image
    page.mouse.move(0, 0)  # no hover highlight on a control
    page.screenshot(path=str(path), clip=clip)
    return path


def main() -> None:
    argparse.ArgumentParser(
        prog="python -m tools.screenshots", description=__doc__.split("\n\n")[0]
    ).parse_args()
    config_path = [str(ROOT / "tools" / "jupyter_config"), os.environ.get("JUPYTER_CONFIG_PATH")]
    os.environ["JUPYTER_CONFIG_PATH"] = os.pathsep.join(filter(None, config_path))
    with tempfile.TemporaryDirectory(prefix="wa-screenshots-") as workdir:
        server = start_lab(Path(workdir))
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                for shot in SHOTS:
                    page = browser.new_page(viewport=VIEWPORT)
                    page.set_default_timeout(60_000)
                    run_all(page, server, shot.notebook)
                    path = photograph(page, shot)
                    print(f"{path.relative_to(ROOT)}: {path.stat().st_size // 1024} KB")
                    page.close()
                    server.stop_kernels_of(shot.notebook)
                browser.close()
        finally:
            stop_lab(server)


if __name__ == "__main__":
    main()
