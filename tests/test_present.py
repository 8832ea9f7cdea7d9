"""Projector mode in a real browser: Voila serves notebook 04, the simulator moves, nothing leaves
the machine.

Why a browser: what projector mode promises (code hidden, widgets live, offline) is only true of the
page a class sees. The test starts the real command (``python -m
workers_abroad.publishing.present``), opens notebook 04 in headless Debian chromium, records every
request and websocket the page makes (allowing only the loopback server, data: and blob:), moves the
first slider after the word "simulator", and waits for the simulator's text or chart to change. The
server is started with a short idle-cull time so the test also sees a closed page's kernel culled.
Then it follows every navigation link ("← 03", "Contents") and expects each to open the other
notebook in projector mode, with no script error or failed request on any page (issue 20)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import pytest
from playwright.sync_api import Browser, Page

from workers_abroad.publishing.notebooks import notebook_paths
from workers_abroad.publishing.present import addresses, free_port, served_folder, voila_command

ROOT = Path(__file__).resolve().parent.parent
CULL_IDLE = 4  # seconds: the test waits for a closed page's kernel to be culled
LOCAL = re.compile(r"^(https?|wss?)://(127\.0\.0\.1|localhost)(:\d+)?/")

#: The first slider after the first text mentioning the simulator, in document order; the
#: notebook's layout may change, so nothing is located by cell index or widget id.
FIND_SLIDER_JS = """() => {
  const root = document.querySelector('#rendered_cells') || document.body;
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  let mark = null;
  while (walker.nextNode()) {
    if (/simulator/i.test(walker.currentNode.textContent)) { mark = walker.currentNode; break; }
  }
  if (!mark) return 'no text mentions the simulator';
  const slider = [...root.querySelectorAll('.widget-slider')].find(
    s => mark.compareDocumentPosition(s) & Node.DOCUMENT_POSITION_FOLLOWING);
  if (!slider) return 'no slider after the simulator text';
  document.querySelectorAll('[data-wa-test]').forEach(e => e.removeAttribute('data-wa-test'));
  slider.setAttribute('data-wa-test', 'slider');
  const area = slider.closest('.jp-OutputArea') || slider.parentElement;
  area.setAttribute('data-wa-test', 'area');
  return 'ok';
}"""

#: What the simulator shows, leaving out the controls themselves (a slider's own readout
#: changing proves nothing): its text lines and the data of every chart in its output.
STATE_JS = """() => {
  const area = document.querySelector('[data-wa-test=area]');
  const texts = [...area.querySelectorAll('.widget-html, .jp-RenderedText, .jp-RenderedHTMLCommon')]
    .filter(e => !e.closest('.widget-slider, .widget-dropdown, .widget-select'))
    .map(e => e.innerText.trim());
  const charts = [...area.querySelectorAll('.js-plotly-plot')]
    .map(g => JSON.stringify(g.data || []) + JSON.stringify((g.layout || {}).annotations || []));
  return JSON.stringify({texts, charts});
}"""


@dataclass
class Projector:
    """The running ``workers_abroad.publishing.present`` server, its address and what it logged."""

    process: subprocess.Popen[bytes]
    port: int
    token: str
    log: Path

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def notebook_url(self, name: str) -> str:
        """The address ``workers_abroad.publishing.present`` prints for one notebook: its
        page in projector mode."""
        return self.url(f"voila/render/{name}")


NOTEBOOK_04 = "04-deadline-logistics.ipynb"


@dataclass
class Traffic:
    """Every request and websocket the page opened, split into local and not."""

    local: list[str] = field(default_factory=list)
    remote: list[str] = field(default_factory=list)

    def record(self, url: str) -> bool:
        allowed = bool(LOCAL.match(url)) or url.startswith(("data:", "blob:"))
        (self.local if allowed else self.remote).append(url)
        return allowed


def wait_until_listening(projector: Projector, timeout: float = 60.0) -> None:
    """Poll Voila's static files (cheap: no kernel started) until the server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if projector.process.poll() is not None:
            raise AssertionError(
                f"workers_abroad.publishing.present exited early:\n{projector.log.read_text()}"
            )
        try:
            with urllib.request.urlopen(
                projector.url("voila/static/voila.js"), timeout=5
            ) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    raise AssertionError(f"Voila did not answer within {timeout} s:\n{projector.log.read_text()}")


@pytest.fixture(scope="module")
def projector(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Projector]:
    """``python -m workers_abroad.publishing.present 04`` on a free loopback port; always
    stopped with its kernels."""
    log = tmp_path_factory.mktemp("present") / "voila.log"
    with presented("04", log, f"--cull-idle={CULL_IDLE}") as server:
        yield server


def open_offline(
    browser: Browser, url: str, traffic: Traffic, problems: list[str] | None = None
) -> Page:
    """A page in which every request is recorded and only local ones are let through.

    ``problems`` collects what the page logs as an error: uncaught exceptions and rejections,
    console errors (a failed request among them).
    """
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Each page runs its notebook in a fresh kernel first: allow for a machine busy with other work.
    context.set_default_timeout(180_000)

    def route(request_route: Any) -> None:
        if traffic.record(request_route.request.url):
            request_route.continue_()
        else:
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("websocket", lambda ws: traffic.record(ws.url))
    if problems is not None:
        page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
        page.on(
            "console",
            lambda m: problems.append(f"{page.url}: {m.text}") if m.type == "error" else None,
        )
    page.goto(url, wait_until="load")
    return page


def wait_for_change(page: Page, before: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    after = page.evaluate(STATE_JS)
    while after == before and time.monotonic() < deadline:
        time.sleep(0.2)
        after = page.evaluate(STATE_JS)
    return after


def test_command_is_local_with_token_and_offline_template():
    """The command Voila runs: loopback only, the token, the offline template, culling on."""
    command = voila_command(ROOT / "notebooks", 8866, "secret")
    assert "--Voila.ip=127.0.0.1" in command
    assert "--Voila.token=secret" in command
    assert "--template=workers-abroad" in command
    assert any(a.startswith("--MappingKernelManager.cull_idle_timeout=") for a in command)


def test_template_links_nothing_remote():
    """The offline template's files name no http(s) stylesheet or script."""
    folder = ROOT / "workers_abroad/publishing/voila/voila/templates/workers-abroad"
    files = sorted(folder.glob("*.j2")) + sorted(folder.glob("*.html"))
    assert {f.name for f in files} >= {"index.html.j2", "page.html"}
    for template in files:
        text = template.read_text(encoding="utf-8")
        assert not re.search(r"""(href|src)\s*=\s*["']https?://""", text), template.name


def test_address_without_token_is_refused(projector: Projector):
    request = urllib.request.Request(f"http://127.0.0.1:{projector.port}/")
    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as refused:
        opener.open(request, timeout=10)
    assert refused.value.code in (302, 401, 403)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Report a redirect (to a login page) as the refusal it is, instead of following it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_simulator_moves_in_voila_with_no_remote_request(projector: Projector, browser: Browser):
    traffic = Traffic()
    problems: list[str] = []
    page = open_offline(browser, projector.notebook_url(NOTEBOOK_04), traffic, problems)
    try:
        page.wait_for_selector("#rendered_cells", state="visible")
        page.wait_for_selector(".widget-slider .noUi-handle")
        page.wait_for_selector(".js-plotly-plot .main-svg")
        found = page.evaluate(FIND_SLIDER_JS)
        assert found == "ok", found
        # Code hidden: no input editor or prompt is on the page.
        assert page.locator(".jp-InputArea-editor, .jp-InputPrompt").count() == 0
        # No error shown in place of an output.
        assert page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').count() == 0
        before = page.evaluate(STATE_JS)
        assert before != '{"texts":[],"charts":[]}', "the simulator shows no text and no chart"
        handle = page.locator("[data-wa-test=slider] .noUi-handle").first
        key = (
            "ArrowLeft"
            if handle.get_attribute("aria-valuenow") == handle.get_attribute("aria-valuemax")
            else "ArrowRight"
        )
        handle.focus()
        handle.press(key)
        after = wait_for_change(page, before)
        assert after != before, (
            "moving the simulator's slider changed neither its text nor its chart"
        )
        (ROOT / "build" / "screenshots").mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(ROOT / "build" / "screenshots" / "voila-04-simulator.png"), full_page=False
        )
    finally:
        page.context.close()
    assert traffic.local, "the page made no request at all"
    assert traffic.remote == [], f"requests left the machine: {traffic.remote}"
    assert problems == [], f"the page logged errors: {problems}"
    assert_kernel_culled(projector)


@contextmanager
def projector_screen(projector: Projector, browser: Browser) -> Iterator[Page]:
    """Notebook 04 in projector mode on a 1024x768 screen, as a classroom projector shows it."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    context.set_default_timeout(180_000)
    try:
        page = context.new_page()
        page.goto(projector.notebook_url(NOTEBOOK_04), wait_until="load")
        yield page
    finally:
        context.close()


#: What a class reads at 1024x768: every paragraph's font size, every chart text's size as drawn
#: (font size times the CSS zoom the projector gives charts), the sliders' names and values as
#: announced beside their readouts, and the tables' headings.
READABLE_JS = """() => {
  const cells = document.querySelector('#rendered_cells');
  const paragraphs = [...cells.querySelectorAll('.jp-RenderedMarkdown p, .jp-RenderedMarkdown li')]
    .filter(e => e.getClientRects().length && e.textContent.trim())
    .map(e => ({text: e.textContent.trim().slice(0, 40),
                size: parseFloat(getComputedStyle(e).fontSize)}));
  const chartTexts = [...cells.querySelectorAll('.js-plotly-plot .main-svg text')]
    .filter(t => t.textContent.trim() && !t.closest('.hoverlayer') && t.getClientRects().length)
    .map(t => ({text: t.textContent.trim().slice(0, 40),
                size: parseFloat(getComputedStyle(t).fontSize) * (t.currentCSSZoom || 1)}));
  const sliders = [...cells.querySelectorAll(".noUi-handle[role='slider']")].map(h => {
    const widget = h.closest('.widget-slider, .jupyter-widget-slider, .widget-inline-hbox');
    return {name: h.getAttribute('aria-label') || '',
            valuetext: h.getAttribute('aria-valuetext') || '',
            readout: widget?.querySelector('.widget-readout')?.textContent.trim() ?? ''};
  });
  const headings = [...cells.querySelectorAll('table th')].map(th => th.textContent.trim());
  return {paragraphs, chartTexts, sliders, headings};
}"""
#: Smallest sizes on a projector at 1024x768 (issue 21): body text 20 px, chart text 16 px.
MIN_BODY_PX, MIN_CHART_PX = 20.0, 16.0


def test_projector_text_reads_from_the_back_of_the_room(projector: Projector, browser: Browser):
    """At 1024x768: body text at least 20 px, every chart text drawn at least 16 px, each slider
    named with the value its readout shows, no id column in a table."""
    with projector_screen(projector, browser) as page:
        page.wait_for_selector("#rendered_cells", state="visible")
        page.wait_for_selector(".widget-slider .noUi-handle[aria-valuetext]", state="attached")
        page.wait_for_selector(".js-plotly-plot .main-svg")
        page.wait_for_timeout(500)
        seen = page.evaluate(READABLE_JS)
    small_text = [p for p in seen["paragraphs"] if p["size"] < MIN_BODY_PX]
    small_chart = [t for t in seen["chartTexts"] if t["size"] < MIN_CHART_PX - 0.05]
    assert seen["paragraphs"] and not small_text, f"body text under 20 px: {small_text[:5]}"
    assert seen["chartTexts"] and not small_chart, f"chart text under 16 px: {small_chart[:5]}"
    assert seen["sliders"], "no slider on the simulator's page"
    for slider in seen["sliders"]:
        assert slider["name"], f"a slider without an accessible name: {slider}"
        assert slider["valuetext"] == slider["readout"], f"announced is not shown: {slider}"
    id_columns = [h for h in seen["headings"] if re.search(r"(^|_)id$|\bid$", h, re.IGNORECASE)]
    assert not id_columns, f"tables show id columns to the class: {id_columns}"


#: Where the simulator's screenshot goes, to look at (with tests/test_layout.py's).
SCREENSHOTS = Path(__file__).resolve().parents[1] / "build" / "screenshots"
#: The simulator as drawn, from its title down to its chart's x-axis labels: the controls, the
#: verdict and the plot (the notes and source line under the chart may need a scroll).
SIMULATOR_JS = """() => {
  const box = [...document.querySelectorAll('.wa-explorer')]
    .find(e => e.textContent.includes('Capacity simulator'));
  if (!box) return null;
  box.scrollIntoView();
  const top = box.getBoundingClientRect().top;
  const ticks = box.querySelector('.js-plotly-plot .xaxislayer-above');
  const plotBottom = ticks ? ticks.getBoundingClientRect().bottom : Infinity;
  return {height: plotBottom - top};
}"""


def test_the_simulator_fits_one_projector_screen(projector: Projector, browser: Browser):
    """At 1024x768 a class sees the simulator's controls and its plot at once: moving a slider
    and seeing the chart change needs no scrolling (issue 21)."""
    with projector_screen(projector, browser) as page:
        page.wait_for_selector(".wa-explorer .js-plotly-plot .main-svg", state="attached")
        page.wait_for_timeout(500)
        simulator = page.evaluate(SIMULATOR_JS)
        page.wait_for_timeout(300)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "projector-04-simulator-1024x768.png"))
    assert simulator is not None, "no explorer titled 'Capacity simulator' on 04's page"
    height = simulator["height"]
    assert height <= 768, f"controls to x-axis, the simulator is {height:.0f} px high"


def test_navigation_links_open_the_other_notebooks_in_projector_mode(
    projector: Projector, browser: Browser
):
    """Links to notebooks resolve to projector pages; navigation links
    followed open them, no error."""
    traffic = Traffic()
    problems: list[str] = []
    page = open_offline(browser, projector.notebook_url(NOTEBOOK_04), traffic, problems)
    try:
        page.wait_for_selector("#rendered_cells", state="visible")
        resolved = page.eval_on_selector_all(
            "#rendered_cells a[href*='.ipynb']",
            "links => links.map(a => [a.getAttribute('href'), a.href])",
        )
        assert resolved, (
            "notebook 04 links to no other notebook: the page or the selector is broken"
        )
        for href, absolute in resolved:
            name = href.split("#")[0]
            assert (
                absolute.split("#")[0] == f"http://127.0.0.1:{projector.port}/voila/render/{name}"
            ), absolute
        navigation = page.eval_on_selector_all(
            ".celltag_navigation a[href*='.ipynb']",
            "links => [...new Set(links.map(a => a.getAttribute('href')))]",
        )
        assert {href.split("#")[0] for href in navigation} >= {
            "03-the-visa-surge.ipynb",
            "00-start-here.ipynb",
        }
        for href in navigation:
            page.goto(projector.notebook_url(NOTEBOOK_04), wait_until="load")
            page.wait_for_selector("#rendered_cells", state="visible")
            with page.expect_navigation(wait_until="load") as navigated:
                page.locator(f".celltag_navigation a[href='{href}']").first.click()
            response = navigated.value
            assert response is not None and response.status == 200, (
                f"{href}: {response and response.status}"
            )
            assert (
                page.url.split("?")[0].split("#")[0].endswith(f"/voila/render/{href.split('#')[0]}")
            ), page.url
            page.wait_for_selector("#rendered_cells", state="visible")
            assert page.locator(".jp-InputArea-editor").count() == 0, f"{href}: code is shown"
    finally:
        page.context.close()
    assert traffic.remote == [], f"requests left the machine: {traffic.remote}"
    assert problems == [], f"a page logged errors: {problems}"


def test_one_notebook_is_served_from_its_folder_and_opened_by_name(tmp_path: Path):
    """The command serves the notebook's folder (its links work) and prints the notebook's page."""
    notebook = ROOT / "notebooks" / NOTEBOOK_04
    assert served_folder(notebook) == notebook.parent
    assert served_folder(notebook.parent) == notebook.parent
    assert addresses(notebook, 8866, "t") == [
        f"http://127.0.0.1:8866/voila/render/{NOTEBOOK_04}?token=t"
    ]


def assert_kernel_culled(projector: Projector) -> None:
    """Once the page is closed, its idle kernel is shut down by the culler
    within a few intervals."""
    deadline = time.monotonic() + 6 * CULL_IDLE + 10
    pattern = re.compile(r"Culling '\w+' kernel")
    while time.monotonic() < deadline and not pattern.search(
        projector.log.read_text(errors="replace")
    ):
        time.sleep(0.5)
    assert pattern.search(projector.log.read_text(errors="replace")), projector.log.read_text()[
        -3000:
    ]


@contextmanager
def presented(target: str | Path, log: Path, *options: str) -> Iterator[Projector]:
    """``python -m workers_abroad.publishing.present TARGET`` on a free loopback port, logging to
    ``log``; always stopped afterwards, with its kernels (the whole process group)."""
    port, token = free_port(), secrets.token_urlsafe(16)
    command = [
        sys.executable,
        "-m",
        "workers_abroad.publishing.present",
        str(target),
        f"--port={port}",
    ]
    command += [f"--token={token}", *options]
    with log.open("wb") as sink:
        process = subprocess.Popen(
            command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Projector(process, port, token, log)
    try:
        wait_until_listening(server)
        yield server
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


#: Each payload marks window.__pwned; ``void(0)`` keeps a javascript: URL from replacing the page.
PWN = "window.__pwned='{0}';void(0)"
OUTPUT_HTML = f'<b>KEPT-TEXT</b><img src=x onerror="{PWN.format("output")}">'
HOSTILE_CELLS = [
    nbformat.v4.new_markdown_cell(
        f"# Hostile\n\n<script>{PWN.format('script')}</script>\n\n"
        f'<img src=x onerror="{PWN.format("img")}">\n\n'
        f'<details open ontoggle="{PWN.format("details")}">d</details>\n\n'
        f"[link](javascript:{PWN.format('md')})"
    ),
    nbformat.v4.new_code_cell(
        "from IPython.display import HTML, display\n"
        f"display(HTML({OUTPUT_HTML!r}))\n"
        "figure = {'data': [{'type': 'bar', 'x': ['a'], 'y': [1]}], 'layout': {'images': [\n"
        "    {'source': 'https://evil.example/logo.png',\n"
        "     'x': 0, 'y': 1, 'sizex': 1, 'sizey': 1}]}}\n"
        "display({'application/vnd.plotly.v1+json': figure}, raw=True)"
    ),
]


def test_markdown_and_outputs_are_sanitized_as_on_the_site(tmp_path: Path, browser: Browser):
    """A hostile notebook in projector mode: none of its markup in the page,
    nothing runs or loads."""
    path = tmp_path / "hostile.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=HOSTILE_CELLS), path)
    traffic = Traffic()
    problems: list[str] = []
    with presented(path, path.parent / "voila.log") as server:
        with urllib.request.urlopen(server.notebook_url(path.name), timeout=120) as response:
            source = response.read().decode("utf-8")
            policy = response.headers.get("Content-Security-Policy", "")
        page = open_offline(browser, server.notebook_url(path.name), traffic, problems)
        try:
            page.wait_for_selector("#rendered_cells", state="visible")
            page.wait_for_selector(".wa-chart .main-svg")
            for link in page.locator("#rendered_cells a").all():
                link.dispatch_event("click")
            page.wait_for_timeout(300)
            state = page.evaluate(
                "[window.__pwned, document.querySelector('#rendered_cells').innerText]"
            )
        finally:
            page.context.close()
    assert "__pwned" not in source and "evil.example" not in source, (
        "hostile markup reached the page"
    )
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert directives["default-src"] == ["'self'"] and directives["connect-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["form-action"] == ["'none'"]
    scripts = directives["script-src"]
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, scripts
    inline = re.findall(r"<script>(.*?)</script>", source, re.S)  # no type: executable
    digests = {
        "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"
        for text in inline
    }
    assert inline and digests <= set(scripts), "the policy misses one of the page's inline scripts"
    assert state[0] is None, f"a payload ran: {state[0]}"
    assert "KEPT-TEXT" in state[1] and "link" in state[1], "the sanitizer removed the text too"
    assert traffic.remote == [], f"requests left the machine: {traffic.remote}"
    assert problems == [], f"the page logged errors: {problems}"


def test_cells_tagged_projector_hide_run_but_are_not_shown(tmp_path: Path):
    """A tagged cell is executed (a later cell uses its variable) and left out of the page."""
    notebook = nbformat.v4.new_notebook()
    hidden_code = nbformat.v4.new_code_cell("word = 'from-a-hidden-cell'")
    hidden_text = nbformat.v4.new_markdown_cell("The function is defined here (HIDDEN-PROSE).")
    for cell in (hidden_code, hidden_text):
        cell.metadata["tags"] = ["projector-hide"]
    notebook.cells = [
        nbformat.v4.new_markdown_cell("SHOWN-PROSE"),
        hidden_code,
        hidden_text,
        nbformat.v4.new_code_cell("print(word)"),
    ]
    path = tmp_path / "tagged.ipynb"
    nbformat.write(notebook, path)
    with presented(path, path.parent / "voila.log") as server:
        with urllib.request.urlopen(server.notebook_url(path.name), timeout=120) as response:
            page = response.read().decode("utf-8")
    assert "SHOWN-PROSE" in page
    assert "from-a-hidden-cell" in page  # printed by the visible cell: the hidden one ran
    assert "HIDDEN-PROSE" not in page
    assert "word = " not in page


def test_contents_page_lists_every_notebook_with_no_remote_request(
    browser: Browser, tmp_path: Path
):
    """``present`` with no notebook: the contents page lists every notebook and
    loads nothing remote."""
    port, token = free_port(), secrets.token_urlsafe(16)
    log = tmp_path / "voila.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "workers_abroad.publishing.present",
                f"--port={port}",
                f"--token={token}",
            ],
            cwd=ROOT,
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Projector(process, port, token, log)
    traffic = Traffic()
    try:
        wait_until_listening(server)
        page = open_offline(browser, server.url(), traffic)
        try:
            for path in notebook_paths():  # a file browser drawn by script: names, not links
                page.get_by_text(path.name, exact=True).wait_for()
        finally:
            page.context.close()
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    assert traffic.local, "the page made no request at all"
    assert traffic.remote == [], f"requests left the machine: {traffic.remote}"
