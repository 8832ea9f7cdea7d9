"""A rehearsal of a class on a real JupyterHub, on this machine: a benchmark, not a test.

Usage, from the repository root (``./tasks hub-rehearsal N`` runs this)::

    python -m tools.hub_rehearsal 10                 # 10 students, the committed HEAD
    python -m tools.hub_rehearsal 30 --ref main      # another branch or commit

What it does, and why each step is the real thing:

1. **Installs its own hub** under ``build/hub-rehearsal/`` (nothing in .venv): a venv with
   JupyterHub, nbgitpuller and the collection (``pip install -e`` of a clone, as README tells a
   hub's admin), and ``configurable-http-proxy`` from npm into a local ``node_modules``.
   Reruns reuse them (a stamp per commit).
2. **Starts JupyterHub on 127.0.0.1** with the DummyAuthenticator (any name, one shared
   password) and the SimpleLocalProcessSpawner (each student's server is a local process with
   its own home folder under ``build/hub-rehearsal/run/<time>/home/``).
3. **N students at once**, each in its own thread: log in through the hub's login form, start
   their server (what the hub does on a first visit), open the **nbgitpuller link built as README
   builds it** (the repository is a local ``file://`` clone of this one) and let nbgitpuller
   clone it, then open notebook 04 and **run all its cells** on a kernel of their server, over
   the Jupyter server's REST API and kernel websocket, as JupyterLab's *Run All* does.
4. **Reports** per student the time from login to the first chart (the first plotly output),
   to the last cell, the memory of their server and kernel (RSS, and PSS, which does not count
   shared pages twice), and every failure; then the median and 95th percentile.
5. **Shuts everything down**, always: servers, hub, proxy (their process group), even on error
   or Ctrl-C.

It sends traffic only to 127.0.0.1. It needs git, node/npm and network access to PyPI and npm
for the first install.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tools.notebooks import ROOT

BASE = ROOT / "build" / "hub-rehearsal"
CLONE_NAME = "workers-abroad"  # nbgitpuller clones into a folder named after the repository
NOTEBOOK = "notebooks/04-deadline-logistics.ipynb"
PASSWORD = "rehearsal"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
HUB_PACKAGES = ("jupyterhub>=5", "nbgitpuller>=1.2")
CHP_PACKAGE = "configurable-http-proxy@4"


# ----------------------------------------------------------------------------- installation


def run(command: list[str], **kwargs: Any) -> None:
    """Run a setup step, showing it; a failure stops the rehearsal with the step named."""
    print("  $", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def prepare_clone(ref: str, base: Path = BASE) -> tuple[Path, str]:
    """A local clone of this repository at ``ref`` on a branch named ``rehearsal``: what students pull."""
    clone = base / CLONE_NAME
    if not (clone / ".git").exists():
        run(["git", "clone", "--quiet", str(ROOT), str(clone)])
    run(["git", "-C", str(clone), "fetch", "--quiet", str(ROOT), ref])
    run(["git", "-C", str(clone), "checkout", "--quiet", "-B", "rehearsal", "FETCH_HEAD"])
    commit = subprocess.run(["git", "-C", str(clone), "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    return clone, commit.stdout.strip()


def prepare_environment(clone: Path, base: Path = BASE) -> Path:
    """The hub's venv (JupyterHub, nbgitpuller, the collection) and the proxy; returns the venv.

    The collection is installed editable from the clone, so a new commit needs no reinstall;
    a changed pyproject.toml (new dependencies) does.
    """
    venv = base / "venv"
    python = venv / "bin" / "python"
    if not python.exists():
        run([sys.executable, "-m", "venv", str(venv)])
    digest = hashlib.sha256((clone / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = venv / f".installed-{digest}"
    if not stamp.exists():
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        run([str(python), "-m", "pip", "install", "--quiet", *HUB_PACKAGES, "-e", str(clone)])
        stamp.touch()
    if not (base / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        (base / "package.json").write_text('{"private": true}\n', encoding="utf-8")
        run(["npm", "install", "--silent", "--no-audit", "--no-fund", CHP_PACKAGE], cwd=base)
    return venv


# ---------------------------------------------------------------------------------- the hub


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


HUB_CONFIG = """\
# Written by tools/hub_rehearsal.py for one run; loopback only.
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allow_all = True
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = {home!r}
c.Spawner.default_url = "/lab"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.args = {args!r}
# A short runtime folder: with the ipc transport, kernel sockets are files, and a Unix socket's
# path must stay under about 100 characters.
c.Spawner.environment = {{"JUPYTER_RUNTIME_DIR": {runtime!r}}}
c.Spawner.start_timeout = 900
c.Spawner.http_timeout = 900
c.JupyterHub.concurrent_spawn_limit = 0
c.JupyterHub.active_server_limit = 0
c.JupyterHub.db_url = "sqlite:///{db}"
c.JupyterHub.cookie_secret_file = {cookie!r}
c.JupyterHub.pid_file = {pid!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.services = [{{"name": "rehearsal", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{"name": "rehearsal-admin", "scopes": ["admin:users", "admin:servers", "tokens"],
                            "services": ["rehearsal"]}}]
"""


@dataclass
class Hub:
    """A running hub: its process group, its address and the service token that manages it."""

    process: subprocess.Popen[bytes]
    url: str
    token: str
    log: Path
    home: Path


def start_hub(venv: Path, base: Path = BASE, transport: str = "tcp") -> Hub:
    """Write a config for this run and start JupyterHub (and through it the proxy) in its own process group."""
    run_dir = base / "run" / time.strftime("%Y%m%dT%H%M%S")
    run_dir.mkdir(parents=True)
    home = run_dir / "home"  # fresh homes: every student's first click clones, as in a first lesson
    home.mkdir()
    port, token = free_port(), secrets.token_hex(32)
    args = ["--allow-root"] if os.geteuid() == 0 else []
    args.append(f"--KernelManager.transport={transport}")
    config = HUB_CONFIG.format(
        port=port,
        hub_port=free_port(),
        proxy_api_port=free_port(),
        chp=str(base / "node_modules" / ".bin" / "configurable-http-proxy"),
        password=PASSWORD,
        home=str(home / "{username}"),
        singleuser=str(venv / "bin" / "jupyterhub-singleuser"),
        args=args,
        db=run_dir / "jupyterhub.sqlite",
        cookie=str(run_dir / "cookie_secret"),
        pid=str(run_dir / "jupyterhub.pid"),
        token=token,
        runtime=runtime_root(f"http://127.0.0.1:{port}") + "/{username}",
    )
    (run_dir / "jupyterhub_config.py").write_text(config, encoding="utf-8")
    log = run_dir / "jupyterhub.log"
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("JUPYTERHUB_API_TOKEN", None)
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(venv / "bin" / "jupyterhub"), "-f", str(run_dir / "jupyterhub_config.py")],
            cwd=run_dir,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    hub = Hub(process, f"http://127.0.0.1:{port}", token, log, home)
    wait_for_hub(hub)
    return hub


def wait_for_hub(hub: Hub, timeout: float = 120) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            raise RuntimeError(f"JupyterHub exited; its log:\n{hub.log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{hub.url}/hub/api/", timeout=5).ok:
                return
        time.sleep(0.5)
    raise RuntimeError(f"JupyterHub did not answer in {timeout} s; its log: {hub.log}")


def stop_hub(hub: Hub, timeout: float = 180) -> None:
    """Stop the hub, which stops every student's server at once (cleanup_servers), and the proxy.

    What outlives that (a server slow to stop, its kernels) is killed: every process running
    in this run's home folders, which nothing else uses.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(hub.process.pid, signal.SIGTERM)
    try:
        hub.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(hub.process.pid, signal.SIGKILL)
        hub.process.wait()
    for pid in processes_under(hub.home):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(runtime_root(hub.url), ignore_errors=True)


def runtime_root(hub_url: str) -> str:
    """The students' short runtime folders for this hub (kernel connection files, ipc sockets)."""
    return f"/tmp/wa-hub-{urllib.parse.urlsplit(hub_url).port}"


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"token {token}"}


# --------------------------------------------------------------------------------- a student


def nbgitpuller_link(hub_url: str, repo: str, branch: str, notebook: str = NOTEBOOK) -> str:
    """README's link template, with this hub's address and the local clone as the repository."""
    urlpath = f"lab/tree/{CLONE_NAME}/{notebook}"
    query = urllib.parse.urlencode({"repo": repo, "branch": branch, "urlpath": urlpath}, quote_via=urllib.parse.quote)
    return f"{hub_url}/hub/user-redirect/git-pull?{query}"


@dataclass
class Student:
    """One simulated student's run: timings from login (seconds), memory (MiB), failures."""

    name: str
    timings: dict[str, float] = field(default_factory=dict)
    memory: dict[str, float] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    cells: int = 0
    cpu_seconds: float = 0.0  # server and kernel, from spawn to the measurement


def simulate(student: Student, hub: Hub, repo: str, branch: str, token: str, start: threading.Event) -> None:
    """Log in, start the server, pull with nbgitpuller, run notebook 04's cells; never raises."""
    import requests

    start.wait()
    t0 = time.monotonic()

    def mark(step: str) -> None:
        student.timings[step] = round(time.monotonic() - t0, 2)

    session = requests.Session()
    try:
        session.get(f"{hub.url}/hub/login", timeout=60).raise_for_status()
        form = {"username": student.name, "password": PASSWORD, "_xsrf": session.cookies.get("_xsrf", "")}
        response = session.post(f"{hub.url}/hub/login", data=form, timeout=120, allow_redirects=False)
        if response.status_code != 302:
            raise RuntimeError(f"login answered {response.status_code}")
        mark("logged_in")
        session.headers.update(auth(token))
        response = session.post(f"{hub.url}/hub/api/users/{student.name}/server", timeout=120)
        if response.status_code not in (201, 202, 400):  # 400: already running
            raise RuntimeError(f"server start answered {response.status_code}: {response.text[:200]}")
        wait_until_ready(session, hub, student.name)
        mark("server_ready")
        link = nbgitpuller_link(hub.url, repo, branch)
        page = session.get(link, timeout=300)
        if page.status_code != 200 or "git-pull" not in page.url:
            raise RuntimeError(f"the nbgitpuller link ended at {page.url} ({page.status_code})")
        pull(session, hub, student.name, repo, branch)
        mark("pulled")
        run_notebook(session, hub, student, token, mark)
        mark("all_cells_run")
    except Exception as error:  # one student's failure is a result, not the end of the rehearsal
        student.failures.append(f"{type(error).__name__}: {str(error)[:300]}")


def wait_until_ready(session: Any, hub: Hub, name: str, timeout: float = 900) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model = session.get(f"{hub.url}/hub/api/users/{name}", timeout=60).json()
        server = (model.get("servers") or {}).get("")
        if server and server.get("ready"):
            return
        time.sleep(0.5)
    raise TimeoutError(f"{name}'s server was not ready in {timeout} s")


def pull(session: Any, hub: Hub, name: str, repo: str, branch: str) -> None:
    """What nbgitpuller's page does in the browser: follow its progress stream to the end."""
    query = urllib.parse.urlencode({"repo": repo, "branch": branch, "targetpath": CLONE_NAME})
    with session.get(f"{hub.url}/user/{name}/git-pull/api?{query}", stream=True, timeout=600) as stream:
        stream.raise_for_status()
        for line in stream.iter_lines(decode_unicode=True):
            if not line or not line.startswith("data:"):
                continue
            event = json.loads(line[5:])
            if event.get("phase") == "error":
                raise RuntimeError(f"nbgitpuller: {event.get('message', '')[:300]}")
            if event.get("phase") == "finished":
                return
    raise RuntimeError("nbgitpuller's stream ended without finishing")


def run_notebook(session: Any, hub: Hub, student: Student, token: str, mark: Any) -> None:
    """Start a kernel beside the pulled notebook and execute its code cells in order, as Run All does."""
    import websocket

    base = f"{hub.url}/user/{student.name}/api"
    model = session.get(f"{base}/contents/{CLONE_NAME}/{NOTEBOOK}", timeout=120).json()
    mark("notebook_opened")
    cells = [c["source"] for c in model["content"]["cells"] if c["cell_type"] == "code"]
    cells = ["".join(s) if isinstance(s, list) else s for s in cells]
    response = session.post(
        f"{base}/kernels", json={"name": "python3", "path": f"{CLONE_NAME}/{Path(NOTEBOOK).parent}"}, timeout=120
    )
    if response.status_code != 201:
        raise RuntimeError(f"starting a kernel answered {response.status_code}: {response.text[:200]}")
    kernel = response.json()
    ws_url = f"{base.replace('http', 'ws', 1)}/kernels/{kernel['id']}/channels"
    ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=600)
    try:
        session_id = uuid.uuid4().hex
        for source in cells:
            msg_id = uuid.uuid4().hex
            ws.send(json.dumps(execute_request(source, msg_id, session_id)))
            if not wait_for_cell(ws, msg_id, student, mark):
                break
            student.cells += 1
    finally:
        ws.close()


def execute_request(source: str, msg_id: str, session_id: str) -> dict[str, Any]:
    return {
        "header": {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "username": "student",
            "session": session_id,
            "version": "5.3",
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
        "parent_header": {},
        "metadata": {},
        "content": {"code": source, "silent": False, "store_history": True, "allow_stdin": False},
        "buffers": [],
        "channel": "shell",
    }


def wait_for_cell(ws: Any, msg_id: str, student: Student, mark: Any) -> bool:
    """Read messages until the cell's kernel goes idle; note the first chart and any error."""
    replied = idle = False
    ok = True
    while not (replied and idle):
        message = json.loads(ws.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["header"]["msg_type"]
        content = message.get("content", {})
        if kind in ("display_data", "execute_result") and PLOTLY_MIME in content.get("data", {}):
            if "first_chart" not in student.timings:
                mark("first_chart")
        elif kind == "error":
            student.failures.append(f"cell error {content.get('ename')}: {str(content.get('evalue'))[:200]}")
            ok = False
        elif kind == "execute_reply":
            replied = True
        elif kind == "status" and content.get("execution_state") == "idle":
            idle = True
    return ok


# ---------------------------------------------------------------------------------- memory


def processes_under(home: Path) -> list[int]:
    """Processes whose working directory is inside the students' homes (servers and kernels)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if Path(os.readlink(entry / "cwd")).is_relative_to(home):
                    found.append(int(entry.name))
    return found


def children(pid: int) -> list[int]:
    """Every descendant of ``pid`` (a server's kernels)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                stat = (entry / "stat").read_text()
                parent = int(stat.rsplit(")", 1)[1].split()[1])
                parents.setdefault(parent, []).append(int(entry.name))
    out, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in KiB, from /proc (0, 0 if it is gone)."""
    rss = pss = 0
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    return rss, pss


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time a process has used so far (0 if it is gone)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def server_pid(name: str) -> int | None:
    """The single-user server of ``name``: the process whose environment says JUPYTERHUB_USER=name."""
    needle = f"JUPYTERHUB_USER={name}".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    cmd = (entry / "cmdline").read_bytes()
                    if b"jupyterhub-singleuser" in cmd:
                        return int(entry.name)
    return None


def measure(student: Student) -> None:
    """The student's server and kernel memory, while the kernel still holds notebook 04's state."""
    pid = server_pid(student.name)
    if pid is None:
        student.failures.append("no server process found to measure")
        return
    server_rss, server_pss = memory_kib(pid)
    kernel = [memory_kib(child) for child in children(pid)]
    student.cpu_seconds = round(cpu_seconds(pid) + sum(cpu_seconds(child) for child in children(pid)), 1)
    student.memory = {
        "server_rss": round(server_rss / 1024, 1),
        "kernel_rss": round(sum(r for r, _ in kernel) / 1024, 1),
        "total_rss": round((server_rss + sum(r for r, _ in kernel)) / 1024, 1),
        "total_pss": round((server_pss + sum(p for _, p in kernel)) / 1024, 1),
    }


# --------------------------------------------------------------------------------- reporting


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (the value below which ``share`` of them lie)."""
    ordered = sorted(values)
    rank = max(1, int(-(-share * len(ordered) // 1)))
    return ordered[rank - 1]


def summary(students: list[Student], wall: float, commit: str, transport: str = "tcp") -> dict[str, Any]:
    ok = [s for s in students if not s.failures]
    chart = [s.timings["first_chart"] for s in students if "first_chart" in s.timings]
    done = [s.timings["all_cells_run"] for s in ok if "all_cells_run" in s.timings]
    total = [s.memory["total_rss"] for s in students if s.memory]
    pss = [s.memory["total_pss"] for s in students if s.memory]
    stats = {
        "students": len(students),
        "commit": commit,
        "cores": os.cpu_count(),
        "succeeded": len(ok),
        "failed": len(students) - len(ok),
        "wall_seconds": round(wall, 1),
        "kernel_transport": transport,
    }
    if chart:
        stats |= {
            "first_chart_median_s": round(statistics.median(chart), 2),
            "first_chart_p95_s": percentile(chart, 0.95),
        }
    if done:
        stats |= {"all_cells_median_s": round(statistics.median(done), 2), "all_cells_p95_s": percentile(done, 0.95)}
    cpu = [s.cpu_seconds for s in students if s.memory]
    if cpu:
        stats["cpu_seconds_per_student_median"] = round(statistics.median(cpu), 1)
    if total:
        stats |= {
            "rss_per_student_median_mib": round(statistics.median(total), 1),
            "rss_per_student_max_mib": max(total),
            "pss_per_student_median_mib": round(statistics.median(pss), 1),
            "rss_all_students_mib": round(sum(total), 1),
        }
    return stats


def report(students: list[Student], stats: dict[str, Any]) -> str:
    lines = [
        f"{'student':<12}{'login':>7}{'server':>8}{'pulled':>8}{'chart':>8}{'all':>8}{'srv MiB':>9}"
        f"{'krn MiB':>9}{'PSS MiB':>9}  failures"
    ]
    for s in students:
        t, m = s.timings, s.memory

        def cell(value: object) -> str:
            return "-" if value is None else f"{value}"

        lines.append(
            f"{s.name:<12}{cell(t.get('logged_in')):>7}{cell(t.get('server_ready')):>8}{cell(t.get('pulled')):>8}"
            f"{cell(t.get('first_chart')):>8}{cell(t.get('all_cells_run')):>8}{cell(m.get('server_rss')):>9}"
            f"{cell(m.get('kernel_rss')):>9}{cell(m.get('total_pss')):>9}  {'; '.join(s.failures)}"
        )
    lines.append("")
    lines += [f"{key}: {value}" for key, value in stats.items()]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------- main


def rehearse(count: int, ref: str, base: Path = BASE, transport: str = "tcp") -> dict[str, Any]:
    """Install, start the hub, run ``count`` students at once, report, and always shut down."""
    import requests

    base.mkdir(parents=True, exist_ok=True)
    print("Preparing the clone and the hub's environment:")
    clone, commit = prepare_clone(ref, base)
    venv = prepare_environment(clone, base)
    print("Starting JupyterHub on 127.0.0.1 ...", flush=True)
    hub = start_hub(venv, base, transport)
    students = [Student(f"student{n:02d}") for n in range(1, count + 1)]
    try:
        tokens = {}
        for s in students:  # accounts and API tokens exist before class starts; not timed
            requests.post(f"{hub.url}/hub/api/users/{s.name}", headers=auth(hub.token), timeout=60)
            answer = requests.post(
                f"{hub.url}/hub/api/users/{s.name}/tokens",
                headers=auth(hub.token),
                json={"note": "rehearsal", "expires_in": 7200},
                timeout=60,
            )
            answer.raise_for_status()
            tokens[s.name] = answer.json()["token"]
        print(f"Hub at {hub.url}; {count} students start now, all at once.", flush=True)
        go = threading.Event()
        threads = [
            threading.Thread(target=simulate, args=(s, hub, clone.as_uri(), "rehearsal", tokens[s.name], go))
            for s in students
        ]
        for thread in threads:
            thread.start()
        started = time.monotonic()
        go.set()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
        for s in students:
            measure(s)
        stats = summary(students, wall, commit, transport)
        text = report(students, stats)
        print(text)
        out = base / f"report-{count}-{transport}.txt"
        out.write_text(text + "\n", encoding="utf-8")
        (base / f"report-{count}-{transport}.json").write_text(
            json.dumps({"summary": stats, "students": [s.__dict__ for s in students]}, indent=2) + "\n",
            encoding="utf-8",
        )
        print(f"Report written to {out}; hub log: {hub.log}")
        return stats
    finally:
        print("Shutting down servers, hub and proxy ...", flush=True)
        stop_hub(hub)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt so the shutdown in ``finally`` still runs."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="./tasks hub-rehearsal",
        description="Rehearse a class of N students on a local JupyterHub: memory and time to the first chart.",
    )
    parser.add_argument("students", type=int, help="how many simulated students log in at once")
    parser.add_argument("--ref", default="HEAD", help="the commit or branch students pull (default: HEAD)")
    parser.add_argument(
        "--kernel-transport",
        choices=("tcp", "ipc"),
        default="tcp",
        help="how servers talk to kernels: tcp (Jupyter's default) or ipc (Unix sockets: no port race)",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.students < 1:
        parser.error("students must be at least 1")
    with stop_on_signals():
        stats = rehearse(args.students, args.ref, transport=args.kernel_transport)
    sys.exit(0 if stats.get("failed") == 0 else 1)


if __name__ == "__main__":
    main()
