"""Helpers for the real-browser test: a throwaway JupyterLab server and Debian's chromium.

Why a separate module: the test file then reads as the checks a reader would make by eye
(open, run all, no errors, every chart drawn, a control moves the chart), while the
plumbing (free port, token, temporary settings, process-group shutdown, counting figure
outputs in the saved notebook) lives here and is reused by the static-site test.
"""

from __future__ import annotations

import ctypes
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workers_abroad.publishing.present import free_port

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SCREENSHOTS = ROOT / "build" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PR_SET_PDEATHSIG = 1  # from <sys/prctl.h>
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"

#: Lab settings for the test server, written into a temporary settings directory.
#: windowingMode "none" keeps every cell in the DOM, so charts below the fold are drawn
#: and counted; saveState makes a save write the widgets (and the charts held in Output
#: widgets) into the notebook's metadata, which is where the expected count comes from;
#: news and update checks are off because the test runs offline.
LAB_SETTINGS: dict[str, dict[str, Any]] = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyter-widgets/jupyterlab-manager/plugin.jupyterlab-settings": {"saveState": True},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def notebook_paths() -> list[Path]:
    """Every notebook of the collection, so a new notebook is covered without editing the test."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))


@dataclass
class LabServer:
    """A running JupyterLab: its address, its token and the directory it serves."""

    process: subprocess.Popen[bytes]
    port: int
    token: str
    root_dir: Path
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        """An address on the server with the token, e.g. url('lab/tree/x.ipynb')."""
        joiner = "&" if "?" in path else "?"
        return f"{self.base_url}/{path.lstrip('/')}{joiner}token={self.token}"

    def api(self, path: str, method: str = "GET") -> Any:
        """Call the server's REST API with the token in the header."""
        request = urllib.request.Request(
            f"{self.base_url}/api/{path.lstrip('/')}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def start_kernel_for(self, name: str) -> str:
        """Create the notebook's session (and kernel) now; JupyterLab joins it when the notebook
        opens.

        Why: kernels then start in parallel with the browser, not one after another per notebook.
        """
        body = json.dumps(
            {"path": name, "name": name, "type": "notebook", "kernel": {"name": "python3"}}
        ).encode()
        request = urllib.request.Request(
            f"{self.base_url}/api/sessions",
            data=body,
            method="POST",
            headers={"Authorization": f"token {self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return str(json.loads(response.read())["id"])

    def stop_kernels_of(self, name: str) -> None:
        """Shut down the sessions of one notebook, so finished kernels do not hold memory."""
        for session in self.api("sessions"):
            if session["path"] == name:
                self.api(f"sessions/{session['id']}", method="DELETE")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


def _write_settings(settings_dir: Path) -> None:
    for relative, values in LAB_SETTINGS.items():
        path = settings_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _end_with_parent() -> None:
    """In the server's process: ask Linux to send SIGTERM when pytest dies, even by SIGKILL.

    Why: the fixture's finalizer covers failing tests, but not a killed test run (a CI
    timeout); the server then still shuts its kernels down on the SIGTERM.
    """
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def start_lab(workdir: Path, timeout: float = 60.0) -> LabServer:
    """Start JupyterLab on a copy of notebooks/ so running cells never touches the committed files.

    The server gets its own process group, so stop_lab can end it and every kernel it started.
    """
    root_dir = workdir / "notebooks"
    shutil.copytree(NOTEBOOKS, root_dir, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    settings_dir = workdir / "lab-settings"
    _write_settings(settings_dir)
    env = dict(os.environ)
    env.update(
        JUPYTER_RUNTIME_DIR=str(workdir / "runtime"),
        JUPYTER_CONFIG_DIR=str(workdir / "config"),
        JUPYTERLAB_SETTINGS_DIR=str(settings_dir),
        JUPYTERLAB_WORKSPACES_DIR=str(workdir / "workspaces"),
        JUPYTER_DATA_DIR=str(workdir / "data"),
        JUPYTER_PLATFORM_DIRS="1",
        IPYTHONDIR=str(workdir / "ipython"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
    )
    port, token = free_port(), secrets.token_hex(24)
    log_path = workdir / "jupyterlab.log"
    command = [
        sys.executable,
        "-m",
        "jupyter",
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        "--LabApp.expose_app_in_browser=True",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=",
        "--ServerApp.open_browser=False",
    ]
    if os.geteuid() == 0:  # CI containers run as root; the server refuses root without this
        command.append("--allow-root")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            cwd=root_dir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_end_with_parent,
        )
    server = LabServer(process, port, token, root_dir, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {process.returncode}:\n{server.log()}")
        try:
            server.api("status")
            return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    stop_lab(server)
    raise RuntimeError(f"JupyterLab did not answer within {timeout:.0f} s:\n{server.log()}")


def stop_lab(server: LabServer, grace: float = 10.0) -> None:
    """End the server and everything in its process group (kernels too), whatever state it is in."""
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        server.process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(server.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.process.wait(timeout=grace)


def process_group_alive(pgid: int) -> bool:
    """Whether any process is left in a process group (used to prove the shutdown)."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


# ---------------------------------------------------------------- counting figure outputs


def _model_refs(value: Any) -> Iterator[str]:
    """Widget model ids referenced from a state value ('IPY_MODEL_<id>' strings, in lists too)."""
    if isinstance(value, str) and value.startswith("IPY_MODEL_"):
        yield value.removeprefix("IPY_MODEL_")
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _model_refs(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _model_refs(item)


def figures_in_outputs(
    outputs: list[dict[str, Any]], states: dict[str, Any], seen: set[str]
) -> list[dict[str, Any]]:
    """The plotly figures a list of outputs shows: its own, and those of the widgets it displays.

    ``seen`` holds the widget models already counted: a widget shown twice is one chart.
    """
    figures = []
    for output in outputs:
        data = output.get("data", {})
        if PLOTLY_MIME in data:
            figures.append(data[PLOTLY_MIME])
        if WIDGET_VIEW_MIME in data:
            figures += _figures_in_widget(data[WIDGET_VIEW_MIME]["model_id"], states, seen)
    return figures


def _figures_in_widget(
    model_id: str, states: dict[str, Any], seen: set[str]
) -> list[dict[str, Any]]:
    """Figures drawn by a displayed widget: Output widgets' outputs, through every child widget."""
    if model_id in seen or model_id not in states:
        return []
    seen.add(model_id)
    model = states[model_id]
    state = model.get("state", {})
    figures = []
    if model.get("model_name") == "OutputModel":
        figures += figures_in_outputs(state.get("outputs", []), states, seen)
    for key, value in state.items():
        if key in {"layout", "style"}:
            continue
        for child in _model_refs(value):
            figures += _figures_in_widget(child, states, seen)
    return figures


def widget_states(notebook: dict[str, Any]) -> dict[str, Any]:
    """The widget models saved in a notebook's metadata, by model id."""
    widgets = notebook.get("metadata", {}).get("widgets", {})
    return widgets.get(WIDGET_STATE_MIME, {}).get("state", {})


def figure_outputs(notebook: dict[str, Any]) -> int:
    """How many plotly charts a saved notebook displays.

    Two places hold them: cell outputs with the plotly mimetype, and the Output widgets
    reachable from a displayed widget (the explorers' charts), found in the widget state
    saved in the notebook's metadata. Widgets never displayed are not counted.
    """
    states = widget_states(notebook)
    seen: set[str] = set()
    return sum(
        len(figures_in_outputs(cell.get("outputs", []), states, seen))
        for cell in notebook["cells"]
        if cell["cell_type"] == "code"
    )


def error_outputs(notebook: dict[str, Any]) -> list[str]:
    """Error and stderr outputs of a saved notebook, as text, to name them in a failure."""
    found = []
    for index, cell in enumerate(notebook["cells"]):
        for output in cell.get("outputs", []):
            if output["output_type"] == "error":
                found.append(f"cell {index}: {output['ename']}: {output['evalue']}")
            elif output["output_type"] == "stream" and output.get("name") == "stderr":
                found.append(f"cell {index}: stderr: {''.join(output['text'])[:300]}")
    return found


# ---------------------------------------------------------------- driving JupyterLab

#: How long Run All may take for one notebook (its kernel runs every cell).
RUN_TIMEOUT_MS = 120_000

#: True once JupyterLab exposes its application and has drawn its main area.
APP_READY_JS = """() => !!(window.jupyterapp && document.querySelector('#jp-main-dock-panel'))"""

#: Open one notebook with the left sidebar collapsed and the launcher closed.
OPEN_JS = """async name => {
  const app = window.jupyterapp;
  await app.restored;
  if (!app.shell.leftCollapsed) { await app.commands.execute('application:toggle-left-area'); }
  await app.commands.execute('docmanager:open', {path: name, factory: 'Notebook'});
  for (const widget of [...app.shell.widgets('main')]) {
    if (widget.id.startsWith('launcher')) { widget.close(); }
  }
}"""

#: Save (the widgets changed since the last save) and close every document.
CLOSE_JS = """async () => {
  const app = window.jupyterapp;
  if (app.shell.currentWidget?.context) { await app.commands.execute('docmanager:save'); }
  await app.commands.execute('application:close-all');
}"""

#: True once the notebook ``name`` is the current document and its kernel is idle.
NOTEBOOK_READY_JS = """name => {
  const w = window.jupyterapp?.shell?.currentWidget;
  return !!(w && w.context && w.context.isReady && w.context.path.endsWith(name) && w.content
            && w.sessionContext?.session?.kernel?.status === 'idle');
}"""

#: Clear the committed outputs first, so nothing from the file can pass for a fresh result,
#: then Run All Cells; the command's promise says whether every cell ran without error.
RUN_ALL_JS = """async () => {
  const app = window.jupyterapp;
  await app.commands.execute('notebook:clear-all-cell-outputs');
  window.__waRun = {done: false};
  app.commands.execute('notebook:run-all-cells').then(
    ok => { window.__waRun = {done: true, ok: ok}; },
    error => { window.__waRun = {done: true, ok: false, error: String(error)}; });
}"""

#: True once Run All has settled: no cell waiting ([*]) and the kernel idle.
RUN_DONE_JS = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  const prompts = [...w.node.querySelectorAll('.jp-InputPrompt')];
  const busy = prompts.some(p => p.textContent.includes('*'));
  return window.__waRun?.done && !busy && w.sessionContext.session?.kernel?.status === 'idle';
}"""


# ---------------------------------------------------------------- pages with charts

#: True once every chart on the page has drawn its SVG: the site's and the exporter's chart
#: boxes (.wa-chart), plotly's own before (.plotly-graph-div) and after it draws (.js-plotly-plot).
CHARTS_DRAWN_JS = """[...document.querySelectorAll('.wa-chart, .plotly-graph-div, .js-plotly-plot')]
  .every(c => c.querySelector('.main-svg'))"""


def run_every_cell(page: Any, name: str) -> dict[str, Any]:
    """Run All in the notebook ``name`` open in the Lab page, wait until every cell has run, and
    return what the run recorded (``window.__waRun``: whether it finished cleanly, and why not).
    The browser tests, the layout tests and tools/screenshots.py all run notebooks this way."""
    page.wait_for_function(NOTEBOOK_READY_JS, arg=name)
    page.evaluate(RUN_ALL_JS)
    page.wait_for_function(RUN_DONE_JS, timeout=RUN_TIMEOUT_MS, polling=250)
    return page.evaluate("() => window.__waRun")


def open_with_charts_drawn(page: Any, url: str, timeout_ms: int = 30_000) -> None:
    """Open ``url`` in ``page`` and wait until every chart is drawn (plotly draws after load)."""
    page.goto(url, wait_until="load")
    page.wait_for_function(CHARTS_DRAWN_JS, timeout=timeout_ms)


# ---------------------------------------------------------------- what a screen reader hears


def accessibility_node(page: Any, expression: str) -> dict[str, Any]:
    """The accessibility-tree node chromium computes for the element ``expression`` evaluates to
    in the page (its role, name and value: what a screen reader announces), read over the
    DevTools protocol."""
    session = page.context.new_cdp_session(page)
    try:
        session.send("Accessibility.enable")
        handle = session.send("Runtime.evaluate", {"expression": expression})
        nodes = session.send(
            "Accessibility.getPartialAXTree",
            {"objectId": handle["result"]["objectId"], "fetchRelatives": False},
        )["nodes"]
    finally:
        session.detach()
    return next((node for node in nodes if not node.get("ignored")), nodes[0])


# ---------------------------------------------------------------- the static site and axe

NODE_MODULES = ROOT / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"


def build_site(out: Path, notebooks: Path | None = None, timeout: float = 300) -> Path:
    """Build the static site into ``out`` with the project's builder, as ``./tasks site`` does."""
    command = [sys.executable, "-m", "workers_abroad.publishing.site", "--out", str(out)]
    if notebooks is not None:
        command += ["--notebooks", str(notebooks)]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"the site build failed:\n{result.stdout}\n{result.stderr}")
    return out


def axe_script() -> Path:
    """axe-core's browser script, installed from package-lock.json by ``npm ci`` when it is missing.

    The version is the one package.json pins, so every run audits with the same rules.
    """
    if not AXE.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to install axe-core (Debian: apt-get install npm)")
        subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=ROOT, check=True, timeout=300)
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["axe-core"]
    installed = json.loads((AXE.parent / "package.json").read_text())["version"]
    if installed != pinned:
        raise RuntimeError(
            f"node_modules has axe-core {installed}, package.json pins {pinned}: run npm ci"
        )
    return AXE
