"""`jupyter nbconvert --to workers-abroad` keeps the charts: one offline file, drawn with no
network.

Teachers export notebooks; nbconvert's own HTML drops every plotly chart offline. The exporter
(workers_abroad/publishing/export.py, an ``nbconvert.exporters`` entry point) renders the notebook
as the site does and inlines the partial plotly.js bundle. This test exports notebook 03 from the
command line as a teacher would, opens the file in chromium with every non-file request blocked and
recorded, and counts the charts drawn against the plotly outputs the committed notebook holds (cells
and explorers' saved Output widgets)."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
import subprocess
import sys
import time
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from tests.browser_support import ROOT, build_site, figure_outputs, start_lab, stop_lab
from workers_abroad.publishing import render

NOTEBOOK = ROOT / "notebooks" / "03-the-visa-surge.ipynb"
DRAWN_JS = (
    "() => [...document.querySelectorAll('.wa-chart')]"
    ".filter(c => c.querySelector('.main-svg')).length"
)
CHART_JSON_RE = re.compile(r"<script[^>]*application/json[^>]*>(.*?)</script>", re.S)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of notebook 03, so export, site and expectations read the same file
    while others edit it."""
    folder = tmp_path_factory.mktemp("notebooks")
    shutil.copyfile(NOTEBOOK, folder / NOTEBOOK.name)
    return folder / NOTEBOOK.name


def nbconvert_to_page(notebook: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """Export as a teacher does: ``jupyter nbconvert --to workers-abroad`` into ``out``."""
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "workers-abroad"]
    return subprocess.run(
        [*command, str(notebook), "--output-dir", str(out)],
        cwd=out,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def exported(snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    result = nbconvert_to_page(snapshot, out)
    assert result.returncode == 0, f"nbconvert failed:\n{result.stderr}"
    page = out / f"{NOTEBOOK.stem}.html"
    assert page.is_file(), f"nbconvert wrote no {page.name}: {result.stderr}"
    return page


def test_the_exporter_is_registered_for_nbconvert():
    names = {e.name: e.value for e in entry_points(group="nbconvert.exporters")}
    assert names.get("workers-abroad") == "workers_abroad.publishing.export:WorkersAbroadExporter"


def test_export_is_one_file_with_nothing_to_fetch(exported: Path):
    text = exported.read_text(encoding="utf-8")
    assert not re.search(r"<(script|img|iframe)[^>]+src=|<link[^>]+href=", text), (
        "the export links a file"
    )
    assert "plotly.js (cartesian - minified) v" in text, "the plotly bundle is not inlined"


def test_exported_notebook_draws_every_chart_offline(
    exported: Path, snapshot: Path, browser: Browser
):
    expected = figure_outputs(json.loads(snapshot.read_text(encoding="utf-8")))
    assert expected > 0, "notebook 03 has no charts: the count is broken"
    attempted: list[str] = []
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:

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
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(exported.as_uri(), wait_until="load")
        deadline = time.monotonic() + 30
        drawn = page.evaluate(DRAWN_JS)
        while drawn < expected and time.monotonic() < deadline:
            time.sleep(0.25)
            drawn = page.evaluate(DRAWN_JS)
    finally:
        context.close()
    assert drawn == expected, (
        f"{exported.name}: {drawn} charts drawn offline for {expected} plotly outputs"
    )
    assert not attempted, f"{exported.name} tried the network: {attempted[:5]}"
    assert not errors, f"{exported.name}: script errors or policy violations {errors}"


def test_export_renders_the_same_charts_as_the_site(exported: Path, snapshot: Path, tmp_path: Path):
    """One renderer: the export's charts (data, layout, captions) are the site
    page's, byte for byte."""
    site = build_site(tmp_path / "site", notebooks=snapshot.parent)
    site_page = (site / f"{NOTEBOOK.stem}.html").read_text(encoding="utf-8")
    export_page = exported.read_text(encoding="utf-8")
    assert CHART_JSON_RE.findall(export_page) == CHART_JSON_RE.findall(site_page) != []
    captions = re.compile(r"<figcaption>(.*?)</figcaption>", re.S)
    assert captions.findall(export_page) == captions.findall(site_page)


def test_jupyterlab_offers_the_export(tmp_path: Path):
    """JupyterLab's *Save and Export Notebook As* menu lists what the server's
    /api/nbconvert marks exportable."""
    server = start_lab(tmp_path)
    try:
        exporters = server.api("nbconvert")
    finally:
        stop_lab(server)
    assert "workers-abroad" in exporters, sorted(exporters)
    assert exporters["workers-abroad"]["output_mimetype"] == "text/html"


# ------------------------------------------------------------ hostile notebooks (issue 20)

#: Each payload records that it ran in window.__pwned and in the page's title; none may run.
#: ``void(0)``: a javascript: URL evaluating to a string would replace the page, hiding the mark.
PWN = "window.__pwned='{0}';document.title='pwned-{0}';void(0)"
HOSTILE_MARKDOWN = f"""# Hostile notebook

<script>{PWN.format("script")}</script>

<svg onload="{PWN.format("svg")}"><circle r="4"/></svg>

<details open ontoggle="{PWN.format("details")}"><summary>more</summary>text</details>

<iframe srcdoc="<script>parent.__pwned='iframe'</script>"></iframe>

<img src="https://evil.example/pixel.png"> <object data="https://evil.example/o.swf"></object>

<link rel="stylesheet" href="https://evil.example/a.css">
<style>@import url(https://evil.example/b.css);</style>

<meta http-equiv="refresh" content="0;url=javascript:{PWN.format("meta")}">

[markdown link](javascript:{PWN.format("md-link")})
<a href="javascript:{PWN.format("a")}">html link</a>
<a href="JaVaScRiPt&#58;{PWN.format("entity")}">encoded link</a>
<a href="data:text/html,<script>alert(1)</script>">data link</a>

<form action="javascript:{PWN.format("form")}"><button>send</button></form>

[web link](https://example.org/page) [mail link](mailto:teacher@example.org)
[next notebook](02-worker-estimates.ipynb)
"""
#: Links that must survive sanitizing: web, mail and relative.
KEPT_LINKS = ("https://example.org/page", "mailto:teacher@example.org", "02-worker-estimates.ipynb")
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
#: A 1x1 transparent PNG, made by hand (the bytes of a valid file, base64).
PIXEL_PNG = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAAC0lEQVR4nGNgAAIAAAUAAXpeqz8AAAAASUVORK5CYII="
)


def _notebook(cells: list[dict[str, Any]], widgets: dict[str, Any] | None = None) -> dict[str, Any]:
    """A notebook as plain JSON, so it may break nbformat's schema as a hostile file would."""
    metadata: dict[str, Any] = {"language_info": {"name": "python"}}
    if widgets is not None:
        metadata["widgets"] = {
            WIDGET_STATE_MIME: {"state": widgets, "version_major": 2, "version_minor": 0}
        }
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def _markdown(source: str) -> dict[str, Any]:
    return {"cell_type": "markdown", "metadata": {}, "source": source}


def _code(outputs: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "cell_type": "code",
        "metadata": {},
        "source": "x",
        "execution_count": 1,
        "outputs": outputs,
        **extra,
    }


def _display(data: dict[str, Any], metadata: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"output_type": "display_data", "data": data, "metadata": metadata or {}}


def hostile_notebook() -> dict[str, Any]:
    """Markdown, a caption, a chart with a remote image, attribute fields, a
    raw cell: all hostile."""
    figure = {
        "data": [{"type": "bar", "x": ["a", "b"], "y": [3, 5]}],
        "layout": {
            "images": [
                {"source": "https://evil.example/logo.png", "x": 0, "y": 1, "sizex": 1, "sizey": 1}
            ]
        },
    }
    chart = _code(
        [_display({PLOTLY_MIME: figure})],
        metadata={"tags": [f'x" onmouseover="{PWN.format("tag")}']},
    )
    chart["execution_count"] = f'<img src=x onerror="{PWN.format("count")}">'
    image = _display(
        {"image/png": PIXEL_PNG},
        {"image/png": {"width": f"1 onload={PWN.format('width')}", "height": 1}},
    )
    return _notebook(
        [
            _markdown(HOSTILE_MARKDOWN),
            chart,
            _markdown(
                f'The bars. <img src=x onerror="{PWN.format("caption")}"> '
                f"[c](javascript:{PWN.format('c')})"
            ),
            _code(
                [
                    image,
                    _display({"text/html": f'<a href="javascript:{PWN.format("output")}">out</a>'}),
                ]
            ),
            {
                "cell_type": "raw",
                "metadata": {"raw_mimetype": "text/html"},
                "source": f"<script>{PWN.format('raw')}</script>",
            },
        ]
    )


def export(
    notebook: dict[str, Any], folder: Path, name: str
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Write the notebook and export it as a teacher does (nbconvert ``--to workers-abroad``)."""
    source = folder / f"{name}.ipynb"
    source.write_text(json.dumps(notebook), encoding="utf-8")
    result = nbconvert_to_page(source, folder)
    return folder / f"{name}.html", result


@pytest.fixture(scope="module")
def hostile_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    page, result = export(hostile_notebook(), tmp_path_factory.mktemp("hostile"), "hostile")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    return page


def _executable_scripts(text: str) -> list[str]:
    """The text of every script element a browser would run (not the charts' JSON data blocks)."""
    return [
        body
        for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", text, re.S)
        if "json" not in attrs
    ]


def test_hostile_markup_is_gone_and_good_links_stay(hostile_page: Path):
    body = hostile_page.read_text(encoding="utf-8")
    main = body[body.index("<main") :]
    tags = re.findall(r"<[a-z][^>]*>", main, re.I)
    live = [
        tag for tag in tags if re.search(r"javascript:|evil\.example|srcdoc|\bon[a-z]+=", tag, re.I)
    ]
    assert live == [], f"live attributes survived: {live}"
    assert "href=" in main and "javascript:" not in " ".join(tags), "the scan saw no link"
    assert not re.search(r"<(iframe|svg|form|object|link|meta|style)\b", main), (
        "a dangerous element survived"
    )
    assert len(_executable_scripts(body)) == 2, (
        "a script beyond plotly.js and site.js is on the page"
    )
    for href in KEPT_LINKS:
        assert f'href="{href}"' in main, f"the safe link {href} was lost"
    assert "<figcaption><p>The bars." in main, "the caption is gone instead of cleaned"
    assert "In\xa0[\xa0]:" in main, "the prompt of the cell with a hostile execution count is gone"


#: What a reader can click in the notebook's content (plotly's own modebar and dialogs left out).
CLICKABLE = "main :is(a, button, summary):not(.wa-chart *)"


def _settled_state(page: Page) -> list[Any]:
    """``[window.__pwned, document.title]`` once a click's navigation, if any, has finished."""
    for _attempt in range(20):
        page.wait_for_timeout(150)
        page.wait_for_load_state("load")
        try:
            return page.evaluate("[window.__pwned, document.title]")
        except PlaywrightError:  # the context went away with a navigation that was starting
            continue
    raise AssertionError(f"the page never settled after a click: {page.url}")


def test_nothing_fires_on_load_or_click_and_nothing_remote_loads(
    hostile_page: Path, browser: Browser
):
    """Open the page with every request logged, then click every link, button and summary on it."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    remote: list[
        tuple[str, bool]
    ] = []  # (url, was it a top-level navigation, i.e. a click on a web link)
    dialogs: list[str] = []

    def route(request_route) -> None:  # noqa: ANN001
        request = request_route.request
        if request.url.startswith(("file://", "data:", "blob:")):
            request_route.continue_()
            return
        remote.append(
            (request.url, request.is_navigation_request() and request.frame.parent_frame is None)
        )
        request_route.abort()

    context.route("**/*", route)
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(hostile_page.as_uri(), wait_until="load")
        page.wait_for_function(
            "document.querySelectorAll('.wa-chart .main-svg').length > 0", timeout=20_000
        )
        assert page.evaluate("window.__pwned") is None, "a payload ran on load"
        assert page.title() == "Hostile notebook"
        assert not remote, f"the page loaded something remote: {remote}"
        targets = page.locator(CLICKABLE)
        count = targets.count()
        assert count >= len(KEPT_LINKS) + 2, (
            f"only {count} things to click: the page lost its links"
        )
        for index in range(count):
            if not page.url.startswith(hostile_page.as_uri()):
                page.goto(hostile_page.as_uri(), wait_until="load")  # a relative link left the page
            target = page.locator(CLICKABLE).nth(index)
            try:
                target.click(no_wait_after=True, timeout=2_000)
            except (
                PlaywrightError
            ):  # hidden until hovered (a heading's anchor) or covered: the same click, dispatched
                target.dispatch_event("click")
            fired = _settled_state(page)
            on_page = page.url.split("#")[0] == hostile_page.as_uri()
            assert fired[0] is None and "pwned" not in fired[1], (
                f"click {index} ran a payload: {fired}"
            )
            assert fired[1] == "Hostile notebook" or not on_page, (
                f"click {index} replaced the page: {fired}"
            )
    finally:
        context.close()
    assert dialogs == [], f"a payload opened a dialog: {dialogs}"
    subresources = [url for url, navigation in remote if not navigation]
    assert subresources == [], f"something remote was fetched: {subresources}"
    assert {url for url, _ in remote} <= {KEPT_LINKS[0]}, (
        f"a click went somewhere unexpected: {remote}"
    )


def test_exported_page_carries_a_policy_naming_only_its_own_scripts(exported: Path):
    text = exported.read_text(encoding="utf-8")
    head = text[: text.index("<body")]
    match = re.search(r'<meta[^>]*http-equiv="Content-Security-Policy"[^>]*>', head)
    assert match, "the page has no Content-Security-Policy"
    assert head.index(match[0]) < head.index("<script"), "the policy comes after a script"
    policy = dict(
        (part.split()[0], part.split()[1:])
        for part in html.unescape(re.search(r'content="([^"]*)"', match[0])[1]).split(";")
    )
    scripts = _executable_scripts(text)
    digests = sorted(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in scripts
    )
    assert sorted(policy["script-src"]) == digests, (
        "the policy must allow exactly the page's inline scripts"
    )
    assert policy["default-src"] == ["'none'"] and policy["connect-src"] == ["'none'"]
    assert (
        "'unsafe-inline'" not in policy["script-src"]
        and "'unsafe-eval'" not in policy["script-src"]
    )
    assert policy["img-src"] == ["'self'", "data:", "blob:"] and policy["form-action"] == ["'none'"]


def test_the_policy_alone_stops_markup_the_sanitizer_missed(browser: Browser, tmp_path: Path):
    """The second wall: unsanitized markup under the policy runs and loads
    nothing; own script runs."""
    own = "window.__own = 'ran';"
    page_file = tmp_path / "policy.html"
    page_file.write_text(
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" '
        f'content="{html.escape(render.content_security_policy([own]))}">'
        f"<script>{own}</script></head><body>"
        f'<img src=x onerror="{PWN.format("img")}"><script>{PWN.format("script")}</script>'
        f'<img src="https://evil.example/p.png">'
        f'<a id=j href="javascript:{PWN.format("link")}">j</a>'
        f"<iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe></body></html>",
        encoding="utf-8",
    )
    context = browser.new_context()
    remote: list[str] = []
    reached: list[str] = []  # what left the page: CSP-blocked requests never reach the route
    context.on(
        "response", lambda r: None if r.url.startswith(("file:", "data:")) else remote.append(r.url)
    )
    context.route("https://**/*", lambda route: (reached.append(route.request.url), route.abort()))
    try:
        tab = context.new_page()
        tab.goto(page_file.as_uri(), wait_until="load")
        tab.click("#j", no_wait_after=True)
        tab.wait_for_timeout(300)
        state = tab.evaluate("[window.__own, window.__pwned, document.title]")
    finally:
        context.close()
    assert state == ["ran", None, ""], f"own script, payload, title: {state}"
    assert remote == [] and reached == [], f"fetched despite the policy: {remote} {reached}"


# ------------------------------------------------------------ malformed outputs (issue 20)


def _typed(dtype: str, values: bytes, shape: str | None = None) -> dict[str, Any]:
    array = {"dtype": dtype, "bdata": base64.b64encode(values).decode()}
    return {**array, "shape": shape} if shape else array


#: Each malformed output (named by the crash it caused) in a code cell of its own, after a title.
MALFORMED: dict[str, dict[str, Any]] = {
    "widget box containing itself": _display({WIDGET_VIEW_MIME: {"model_id": "loop"}}),
    "widget view without model_id": _display({WIDGET_VIEW_MIME: {"version_major": 2}}),
    "bdata of dtype O": _display(
        {PLOTLY_MIME: {"data": [{"type": "bar", "y": _typed("O", bytes(16))}]}}
    ),
    "bdata of an impossible shape": _display(
        {PLOTLY_MIME: {"data": [{"type": "heatmap", "z": _typed("f8", bytes(16), "3,5")}]}}
    ),
    "plotly data that is a number": _display({PLOTLY_MIME: {"data": 7, "layout": {}}}),
}
LOOP_WIDGETS = {
    "loop": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_inner"]}},
    "inner": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_loop"]}},
}


@pytest.fixture(scope="module")
def malformed_export(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    cells = [_markdown("# Malformed outputs"), *(_code([output]) for output in MALFORMED.values())]
    cells.append(_code([_display({"text/plain": "the last cell still shows"})]))
    return export(_notebook(cells, LOOP_WIDGETS), tmp_path_factory.mktemp("malformed"), "malformed")


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_output_becomes_a_note_naming_its_cell(
    case: str, malformed_export: tuple[Path, Any]
):
    page, result = malformed_export
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-2000:]
    cell_number = list(MALFORMED).index(case) + 2  # cell 1 is the title
    text = page.read_text(encoding="utf-8")
    notes = re.findall(r'<p class="wa-output-note"[^>]*>(.*?)</p>', text, re.S)
    assert any(note.startswith(f"Cell {cell_number}:") for note in notes), (
        f"{case}: no note for cell {cell_number}: {notes}"
    )
    assert "the last cell still shows" in text


def test_malformed_notes_are_visible_and_the_page_has_no_error(
    malformed_export: tuple[Path, Any], browser: Browser
):
    page_file, _ = malformed_export
    errors: list[str] = []
    tab = browser.new_page()
    try:
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.goto(page_file.as_uri(), wait_until="load")
        notes = tab.locator(".wa-output-note")
        visible = [notes.nth(i).is_visible() for i in range(notes.count())]
    finally:
        tab.close()
    assert visible == [True] * len(MALFORMED), f"notes shown: {visible}"
    assert errors == [], errors


# ------------------------------------------------------------ where the export lands (issue 24)


def test_default_output_lands_under_build_not_beside_the_notebook(snapshot: Path, tmp_path: Path):
    """``jupyter nbconvert --to workers-abroad`` and ``python -m
    workers_abroad.publishing.export``, no output folder."""
    source = tmp_path / f"b-default-output-{os.getpid()}.ipynb"
    shutil.copyfile(snapshot, source)
    expected = ROOT / "build" / "export" / source.with_suffix(".html").name
    try:
        for command in (
            [sys.executable, "-m", "jupyter", "nbconvert", "--to", "workers-abroad", str(source)],
            [sys.executable, "-m", "workers_abroad.publishing.export", str(source)],
        ):
            expected.unlink(missing_ok=True)
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
            assert result.returncode == 0, result.stderr
            assert expected.is_file(), (
                f"{command[2:4]} wrote no {expected}: {result.stdout}{result.stderr}"
            )
            assert list(tmp_path.glob("*.html")) == [], f"{command[2:4]} wrote beside the notebook"
    finally:
        expected.unlink(missing_ok=True)
