"""Projector mode: serve the collection (or one notebook) with Voila, code hidden, widgets live.

Usage, from the repository root ::

    ./tasks present              # the whole collection: a contents page, then each notebook
    ./tasks present 04           # one notebook, by number, name or path
    # after --: Voila's own options
    ./tasks present 04 --port 8900 --cull-idle 1800 -- --theme=dark

``./tasks present`` runs ``python -m workers_abroad.publishing.present`` with the same arguments.

Why Voila and these settings:

- **Code hidden, widgets live.** Voila runs the notebook in a fresh kernel and shows only
  outputs; sliders and dropdowns talk to that kernel, so a teacher moves them in front of a
  class without a line of code on screen. Voila accepts only widget (comm) messages from the
  page, never code to execute.
- **Local and protected.** The server listens on 127.0.0.1 only, with a random token in the
  address it prints, so no one else on the school network can open it.
- **Nothing from the network.** Voila's default "lab" template links icon CSS from a CDN;
  the template in ``voila/`` beside this module is that template without the CDN links (the
  collection uses no icons), so a projector in a room without network shows the same page, and
  no request leaves the machine (``tests/test_present.py`` records every request in a real browser).
- **Links stay in projector mode.** Voila always serves the notebook's folder, and one
  notebook is opened at ``/voila/render/NAME.ipynb``, so the navigation links ("← 03",
  "Contents") open the other notebooks in projector mode too (serving one file made every
  other notebook answer 403 "File not allowlisted").
- **Same sanitizing as the site, charts drawn without errors.** The template renders markdown
  cells and saved outputs through the site's nh3 sanitizer (filters registered below), and
  draws plotly outputs with the site's own script and vendored plotly.js: Voila hands plotly's
  JupyterLab renderer a bare output object, on which it throws ``r.setData is not a
  function`` once per chart. Charts inside live widgets still use that renderer, which works
  there.
- **Only its own scripts.** A notebook page carries a Content-Security-Policy header naming
  each of its inline scripts by hash (the template writes no other inline script) and
  connecting to this server only; other pages (the contents) allow no other host either.
- **Idle kernels culled.** Every page opened starts a kernel; a kernel whose page was closed
  and that has done nothing for ``--cull-idle`` seconds is shut down, so a day of lessons does
  not pile up kernels. A page still open keeps its kernel (culling it would freeze its widgets).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import sys
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from workers_abroad.publishing.notebooks import NOTEBOOKS_DIR, ROOT, notebook_paths

#: The folder added to JUPYTER_PATH so Voila finds the offline template; Voila reads voila.py there.
TEMPLATE_ROOT = Path(__file__).resolve().parent / "voila"
TEMPLATE = "workers-abroad"
DEFAULT_PORT = 8866
#: A closed page's kernel is culled after this many idle seconds: long enough for a break.
DEFAULT_CULL_IDLE = 900
CULL_INTERVAL = 60
#: The JupyterLab extensions the page loads: widgets and plotly's renderer, nothing else.
EXTENSIONS = (
    "@jupyter-widgets/jupyterlab-manager",
    "@voila-dashboards/widgets-manager8",
    "jupyterlab-plotly",
    "anywidget",  # helpers/explorers.py's SliderNames: names slider handles for screen readers
)
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
#: Jinja filters the template uses, registered on Voila's exporter by import path.
TEMPLATE_FILTERS = {
    "wa_sanitize": "workers_abroad.publishing.render.sanitize",
    "wa_output": "workers_abroad.publishing.present.projector_output",
    "wa_chart": "workers_abroad.publishing.present.projector_chart",
    "wa_script": "workers_abroad.publishing.present.projector_script",
}
#: Every script the projector page runs inline: the site's chart drawing and its plotly.js,
#: Voila's loading helpers, the call that shows the cells, and the heartbeat Voila writes
#: while a slow cell runs. The page's policy names each by its hash (:func:`projector_policy`).
SCRIPT_FILES = {
    "plotly": TEMPLATE_ROOT.parent / "vendor" / "plotly-cartesian.min.js",
    "site": TEMPLATE_ROOT.parent / "site_assets" / "site.js",
    "helpers": TEMPLATE_ROOT / "voila" / "templates" / TEMPLATE / "projector.js",
}
SCRIPT_TEXTS = {"finish": "window.voila_finish();"}
#: voila/handler.py writes ``<script>window.voila_heartbeat()</script>`` every few seconds.
HEARTBEAT = "window.voila_heartbeat()"


def script_text(name: str) -> str:
    """One of the page's inline scripts, exactly as the template writes it."""
    if name in SCRIPT_TEXTS:
        return SCRIPT_TEXTS[name]
    return SCRIPT_FILES[name].read_text(encoding="utf-8").replace("</script", "<\\/script")


def projector_script(name: str) -> str:
    """One of the page's inline scripts as an element, for the template (filter ``wa_script``)."""
    return f"<script>{script_text(name)}</script>"


#: The Content-Security-Policy of the pages Voila serves besides notebooks (the contents page,
#: errors: Voila's own templates, with inline scripts; a header set by voila/voila.py):
#: nothing from or to another host, no plugin, frame, form or base change. Notebook pages get
#: the stricter :func:`projector_policy`, which allows no inline script but the page's own.
PROJECTOR_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
)


def projector_policy() -> str:
    """The notebook pages' Content-Security-Policy: only their own scripts, no other host.

    Scripts: Voila's and the extensions' files ('self') and the inline scripts above by hash,
    so a handler attribute, a ``javascript:`` URL or a planted ``<script>`` never runs. The
    kernel's websocket and the widget manager talk to this server only (``connect-src 'self'``).
    """
    from workers_abroad.publishing import render  # nh3 and nbconvert: only when a page asks

    inline = [script_text(name) for name in [*SCRIPT_FILES, *SCRIPT_TEXTS]] + [HEARTBEAT]
    hashes = " ".join(render.script_source(text) for text in inline)
    # blob: anywidget imports a widget's module (helpers/explorers.py's _esm) from a blob URL,
    # which only a script already allowed on the page can create.
    return PROJECTOR_POLICY.replace("'self' 'unsafe-inline'", f"'self' blob: {hashes}", 1)


def issue_xsrf_cookie(request_handler: Any, notebook: Any = None, cwd: str | None = None) -> None:
    """Voila's prelaunch hook (voila/voila.py): the page's ``_xsrf`` cookie and policy.

    Why: when a page is left, Voila's script shuts its kernel down with a POST that carries
    the ``_xsrf`` cookie's value; the notebook page never issues that cookie, so the POST
    was refused (403, logged in the browser on every link followed) and the kernel lingered
    until culled. Reading the handler's token sets the cookie (tornado does it on first use).
    The hook runs before the page is written, so it also sets the notebook page's strict
    Content-Security-Policy (:func:`projector_policy`).
    """
    _ = request_handler.xsrf_token
    request_handler.set_header("Content-Security-Policy", projector_policy())


def projector_output(output: Mapping[str, Any]) -> dict[str, Any]:
    """A saved output as the projector page renders it: sanitized exactly as the site's.

    HTML and markdown become one nh3-sanitized text/html, scripts and SVG are dropped and
    images keep strict base64 (``render.sanitized_data``); a live widget's view is
    kept, since the widget manager draws it from the kernel.
    """
    from workers_abroad.publishing import render  # nh3 and nbconvert: only when a page asks

    data = output.get("data") if isinstance(output.get("data"), Mapping) else {}
    kept: dict[str, Any] = render.sanitized_data(data)
    view = data.get(WIDGET_VIEW_MIME)
    if isinstance(view, Mapping) and isinstance(view.get("model_id"), str):
        kept[WIDGET_VIEW_MIME] = {
            "model_id": view["model_id"],
            "version_major": view.get("version_major", 2),
        }
    clean: dict[str, Any] = {"output_type": output.get("output_type", "display_data"), "data": kept}
    clean["metadata"] = {}
    return clean


def projector_chart(figure: Any) -> str:
    """A plotly output as the site draws it (site_assets/site.js), or a note if it is malformed."""
    from workers_abroad.publishing import render  # nh3 and nbconvert: only when a page asks

    try:
        spec = render.checked_figure(figure)
        payload = json.dumps(spec, separators=(",", ":"), allow_nan=False).replace("<", "\\u003c")
    except ValueError as problem:  # MalformedOutput, or a number JSON cannot carry
        return (
            f'<p class="wa-output-note" role="note">This chart could not be shown ({problem}).</p>'
        )
    chart_id = f"wa-chart-{uuid.uuid4().hex}"
    return (
        f'<div class="wa-chart jp-OutputArea-output" id="{chart_id}" '
        f'data-spec="{chart_id}-data"></div>'
        f'<script type="application/json" id="{chart_id}-data">{payload}</script>'
    )


def resolve_notebook(name: str, folder: Path = NOTEBOOKS_DIR) -> Path:
    """The notebook a teacher means by ``04``, ``04-deadline-logistics``, its file name or a path.

    Raises SystemExit with the list of notebooks when nothing (or more than one) matches, so a
    typo gets an answer instead of a traceback.
    """
    candidate = Path(name)
    if candidate.suffix == ".ipynb" and candidate.is_file():
        return candidate.resolve()
    stem = candidate.name.removesuffix(".ipynb")
    matches = [p for p in notebook_paths(folder) if p.stem == stem or p.stem.startswith(f"{stem}-")]
    if len(matches) == 1:
        return matches[0]
    names = ", ".join(p.name for p in notebook_paths(folder))
    problem = "matches several notebooks" if matches else "is not a notebook of the collection"
    raise SystemExit(f"present: {name!r} {problem}; choose one of: {names}")


def free_port(preferred: int = 0) -> int:
    """``preferred`` if nothing listens on it on 127.0.0.1, else a port the system picks.

    The one free-port finder of the project: the projector prefers its usual port, the hub
    rehearsal and the tests' servers pass nothing (0) and take whichever port is free now.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", preferred))
        except OSError:
            sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def voila_command(
    target: Path,
    port: int,
    token: str,
    cull_idle: int = DEFAULT_CULL_IDLE,
    extra: list[str] | None = None,
) -> list[str]:
    """The Voila command line: loopback, token, offline template, culling, no code shown.

    ``target`` is one notebook or the notebooks folder. ``extra`` options come last so a
    teacher can override any of these (e.g. ``--theme=dark``).
    """
    voila = shutil.which("voila", path=str(Path(sys.executable).parent)) or "voila"
    return [
        voila,
        str(target),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        f"--Voila.token={token}",
        "--Voila.port_retries=0",
        f"--template={TEMPLATE}",
        "--strip_sources=True",
        "--show_tracebacks=False",
        # Kernels talk to the server over Unix sockets, not TCP ports other users could reach.
        "--KernelManager.transport=ipc",
        # voila.py there sets the prelaunch hook that issues the page's _xsrf cookie.
        f"--Voila.config_file_paths={TEMPLATE_ROOT}",
        f"--MappingKernelManager.cull_idle_timeout={cull_idle}",
        f"--MappingKernelManager.cull_interval={min(CULL_INTERVAL, max(1, cull_idle))}",
        "--MappingKernelManager.cull_connected=False",
        # Only the extensions a dashboard needs: others (nbdime, jupytext...) fail outside
        # JupyterLab.
        *(f"--VoilaConfiguration.extension_allowlist={name}" for name in EXTENSIONS),
        *(f"--VoilaExporter.filters={name}={path}" for name, path in TEMPLATE_FILTERS.items()),
        *(extra or []),
    ]


def voila_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for Voila: the offline template's folder first on JUPYTER_PATH."""
    env = dict(os.environ if base is None else base)
    env["JUPYTER_PATH"] = os.pathsep.join(
        filter(None, [str(TEMPLATE_ROOT), env.get("JUPYTER_PATH", "")])
    )
    # The kernels inherit it: helpers/plots.py then draws every chart text at 16 px or more
    # and wraps titles for a 1024 px screen (projector mode of the house style).
    env["WA_PROJECTOR"] = "1"
    return env


def served_folder(target: Path) -> Path:
    """The folder Voila serves: the notebooks folder, or the folder holding the one notebook.

    Why never the notebook alone: Voila then refuses every other file with 403 "File not
    allowlisted", so a notebook's links to the next one and to the contents were dead.
    """
    return target.parent if target.is_file() else target


def addresses(target: Path, port: int, token: str) -> list[str]:
    """The addresses to open: the one notebook, or the contents page then each notebook."""
    base = f"http://127.0.0.1:{port}"
    if target.is_file():
        return [f"{base}/voila/render/{target.name}?token={token}"]
    pages = [f"{base}/?token={token}"]
    pages += [f"{base}/voila/render/{p.name}?token={token}" for p in notebook_paths(target)]
    return pages


def parse_args(argv: list[str]) -> argparse.Namespace:
    """Command-line options; anything after ``--`` is passed to Voila unchanged."""
    parser = argparse.ArgumentParser(
        prog="./tasks present",
        description="Serve the notebooks as dashboards (code hidden, widgets live) "
        "on 127.0.0.1 with a token.",
    )
    parser.add_argument(
        "notebook",
        nargs="?",
        help="one notebook: 04, 04-deadline-logistics or a path (default: all)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port on 127.0.0.1 (another if taken)"
    )
    parser.add_argument("--token", default=None, help="the access token (default: a random one)")
    parser.add_argument(
        "--cull-idle",
        type=int,
        default=DEFAULT_CULL_IDLE,
        help="shut down a closed page's kernel after this many idle seconds",
    )
    own, voila_args = (
        (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    )
    args = parser.parse_args(own)
    args.voila_args = voila_args
    return args


def main(argv: list[str] | None = None) -> None:
    """Start Voila in place of this process (Ctrl-C stops it and its kernels)."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    target = resolve_notebook(args.notebook) if args.notebook else NOTEBOOKS_DIR
    port = free_port(args.port)
    token = args.token or secrets.token_urlsafe(24)
    command = voila_command(served_folder(target), port, token, args.cull_idle, args.voila_args)
    print("Projector mode (Voila): code hidden, widgets live, nothing loaded from the network.")
    print("Open in a browser on this machine:")
    for address in addresses(target, port, token):
        print(f"  {address}")
    print("Stop with Ctrl-C.", flush=True)
    os.chdir(ROOT)
    os.execve(command[0], command, voila_env())


if __name__ == "__main__":
    main()
