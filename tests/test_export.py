"""`jupyter nbconvert --to workers-abroad` keeps the charts: one offline file, drawn with no network.

Teachers export notebooks; nbconvert's own HTML drops every plotly chart offline. The
exporter (tools/export.py, an ``nbconvert.exporters`` entry point) renders the notebook as
the site does and inlines the partial plotly.js bundle. This test exports notebook 03 from
the command line as a teacher would, opens the file in chromium with every non-file request
blocked and recorded, and counts the charts drawn against the plotly outputs the committed
notebook holds (cells and explorers' saved Output widgets).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import time
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, ROOT, build_site, figure_outputs, start_lab, stop_lab

NOTEBOOK = ROOT / "notebooks" / "03-the-visa-surge.ipynb"
DRAWN_JS = "() => [...document.querySelectorAll('.wa-chart')].filter(c => c.querySelector('.main-svg')).length"
CHART_JSON_RE = re.compile(r'<script[^>]*application/json[^>]*>(.*?)</script>', re.S)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of notebook 03, so export, site and expectations read the same file while others edit it."""
    folder = tmp_path_factory.mktemp("notebooks")
    shutil.copyfile(NOTEBOOK, folder / NOTEBOOK.name)
    return folder / NOTEBOOK.name


@pytest.fixture(scope="module")
def exported(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    result = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "workers-abroad", str(snapshot), "--output-dir", str(out)],
        cwd=out, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, f"nbconvert failed:\n{result.stderr}"
    page = out / f"{NOTEBOOK.stem}.html"
    assert page.is_file(), f"nbconvert wrote no {page.name}: {result.stderr}"
    return page


def test_the_exporter_is_registered_for_nbconvert():
    names = {e.name: e.value for e in entry_points(group="nbconvert.exporters")}
    assert names.get("workers-abroad") == "tools.export:WorkersAbroadExporter"


def test_export_is_one_file_with_nothing_to_fetch(exported: Path):
    text = exported.read_text(encoding="utf-8")
    assert not re.search(r'<(script|img|iframe)[^>]+src=|<link[^>]+href=', text), "the export links a file"
    assert "plotly.js (cartesian - minified) v" in text, "the plotly bundle is not inlined"


def test_exported_notebook_draws_every_chart_offline(exported: Path, snapshot: Path):
    expected = figure_outputs(json.loads(snapshot.read_text(encoding="utf-8")))
    assert expected > 0, "notebook 03 has no charts: the count is broken"
    attempted: list[str] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})

            def route(request_route) -> None:  # noqa: ANN001
                if request_route.request.url.startswith(("file://", "data:", "blob:")):
                    request_route.continue_()
                else:
                    attempted.append(request_route.request.url)
                    request_route.abort()

            context.route("**/*", route)
            context.set_offline(True)
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(exported.as_uri(), wait_until="load")
            deadline = time.monotonic() + 30
            drawn = page.evaluate(DRAWN_JS)
            while drawn < expected and time.monotonic() < deadline:
                time.sleep(0.25)
                drawn = page.evaluate(DRAWN_JS)
        finally:
            browser.close()
    assert drawn == expected, f"{exported.name}: {drawn} charts drawn offline for {expected} plotly outputs"
    assert not attempted, f"{exported.name} tried the network: {attempted[:5]}"
    assert not errors, f"{exported.name}: script errors {errors}"


def test_export_renders_the_same_charts_as_the_site(exported: Path, snapshot: Path, tmp_path: Path):
    """One renderer: the export's charts (data, layout, captions) are the site page's, byte for byte."""
    site = build_site(tmp_path / "site", notebooks=snapshot.parent)
    site_page = (site / f"{NOTEBOOK.stem}.html").read_text(encoding="utf-8")
    export_page = exported.read_text(encoding="utf-8")
    assert CHART_JSON_RE.findall(export_page) == CHART_JSON_RE.findall(site_page) != []
    captions = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)
    assert captions.findall(export_page) == captions.findall(site_page)


def test_jupyterlab_offers_the_export(tmp_path: Path):
    """JupyterLab's *Save and Export Notebook As* menu lists what the server's /api/nbconvert marks exportable."""
    server = start_lab(tmp_path)
    try:
        exporters = server.api("nbconvert")
    finally:
        stop_lab(server)
    assert "workers-abroad" in exporters, sorted(exporters)
    assert exporters["workers-abroad"]["output_mimetype"] == "text/html"
