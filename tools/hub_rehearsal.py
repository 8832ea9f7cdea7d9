"""A rehearsal of a class on a real JupyterHub, on this machine: a benchmark, not a test.

Usage, from the repository root, as root (``./tasks hub-rehearsal N`` runs this)::

    python -m tools.hub_rehearsal 10                 # 10 students, the committed HEAD
    python -m tools.hub_rehearsal 30 --ref main      # another branch or commit
    python -m tools.hub_rehearsal 30 --stock         # a stock hub's server start, to compare

What it does, and why each step is the real thing:

1. **Installs its own hub** under ``build/hub-rehearsal/`` (nothing in .venv): a venv with
   JupyterHub, nbgitpuller and the collection with its runtime packages only (``pip install -e``
   of a clone, no extras: the reader's light environment, as README tells a hub's admin), and
   ``configurable-http-proxy`` from npm into a local ``node_modules``. Reruns reuse them.
2. **Creates one unprivileged system user per student**, as a hub on one machine does
   (``useradd --system``, names starting with ``wa-rehearsal-``), each with a private home, and
   starts JupyterHub on 127.0.0.1 with the DummyAuthenticator (a random password for this run)
   and the LocalProcessSpawner, which runs each student's server as that student's user.
   The hub's config (with its admin service token), cookie secret and database are written
   with mode 0600 in a folder of mode 0700. By default the servers start in the lean setup
   docs/hub.md recommends (``--stock`` for a stock hub's, to compare); ``--prestart`` starts
   them all before class, as an admin can.
3. **N students at once**, each in its own thread: log in through the hub's login form, start
   their server (what the hub does on a first visit), open the **nbgitpuller link built as README
   builds it** (the repository is a local ``file://`` clone of this one) and let nbgitpuller
   clone it, then open notebook 04 and **run all its cells** on a kernel of their server, over
   the Jupyter server's REST API and kernel websocket, as JupyterLab's *Run All* does.
4. **Reports** per student where the time went (login, spawn, pull, kernel start, run, and the
   first chart), the CPU seconds and memory (RSS, and PSS, which does not count shared pages
   twice) of their server and of their kernel, the user id each ran as, and every failure;
   then medians and 95th percentiles, and the machine's load before and after.
5. **Cleans up, always** (error, Ctrl-C or SIGTERM included): stops servers, hub and proxy,
   kills what the students' users still run, deletes those users, and removes the homes,
   the runtime folders and every secret. Users and folders left by a run that was killed
   outright (SIGKILL) are removed by the next run.

It sends traffic only to 127.0.0.1. It needs root (to create users and switch to them, as a
hub does), git, node/npm and network access to PyPI and npm for the first install.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import pwd
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workers_abroad.publishing.notebooks import ROOT
from workers_abroad.publishing.present import free_port

BASE = ROOT / "build" / "hub-rehearsal"
CLONE_NAME = "workers-abroad"  # nbgitpuller clones into a folder named after the repository
NOTEBOOK = "notebooks/04-deadline-logistics.ipynb"
PLOTLY_MIME = "application/vnd.plotly.v1+json"
HUB_PACKAGES = ("jupyterhub>=5", "nbgitpuller>=1.2")
CHP_PACKAGE = "configurable-http-proxy@4"
#: Every user this tool creates is named ``wa-rehearsal-<run>-<nn>``: recognisable in
#: /etc/passwd, and swept by the next run if a run was killed before it could clean up.
USER_PREFIX = "wa-rehearsal-"
#: The comment (GECOS field) of those users names the process that owns them.
OWNER_MARK = "workers-abroad hub rehearsal, pid "
#: Kernel sockets are files under each student's runtime folder; a Unix socket's path must stay
#: under 108 bytes, so those folders live directly in /tmp.
RUNTIME_PARENT = Path("/tmp")


# ----------------------------------------------------------------------------- installation


def run(command: list[str], **kwargs: Any) -> None:
    """Run a setup step, showing it; a failure stops the rehearsal with the step named."""
    print("  $", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def prepare_clone(ref: str, base: Path = BASE) -> tuple[Path, str]:
    """A local clone of this repository at ``ref`` on a branch ``rehearsal``: what students pull."""
    clone = base / CLONE_NAME
    if not (clone / ".git").exists():
        run(["git", "clone", "--quiet", str(ROOT), str(clone)])
    run(["git", "-C", str(clone), "fetch", "--quiet", str(ROOT), ref])
    run(["git", "-C", str(clone), "checkout", "--quiet", "-B", "rehearsal", "FETCH_HEAD"])
    commit = subprocess.run(
        ["git", "-C", str(clone), "rev-parse", "HEAD"], check=True, capture_output=True, text=True
    )
    return clone, commit.stdout.strip()


def usable_by_all(program: Path) -> bool:
    """Whether any user may run ``program``: it and every folder above it are open to others.

    The students' servers run as unprivileged users, so the venv's interpreter must be one
    they can reach (not, say, a pyenv build under root's private home).
    """
    target = program.resolve()
    if not os.stat(target).st_mode & 0o005 == 0o005:
        return False
    return all(os.stat(folder).st_mode & 0o001 for folder in target.parents)


def interpreter_for_students() -> str:
    """A Python 3.11+ the students' users can run: this one, or one on PATH, or the system's."""
    names = ("python3.13", "python3.12", "python3.11", "python3")
    on_path = [path for path in map(shutil.which, names) if path]
    system = [
        path for path in ("/usr/local/bin/python3", "/usr/bin/python3") if Path(path).exists()
    ]
    candidates = [sys.executable, *on_path, *system]
    for candidate in candidates:
        if not usable_by_all(Path(candidate)):
            continue
        check = [candidate, "-c", "import sys; sys.exit(sys.version_info < (3, 11))"]
        if subprocess.run(check, capture_output=True).returncode == 0:
            return candidate
    raise SystemExit(
        "No Python 3.11+ that unprivileged users can run was found (the students' servers run "
        f"as their own users); tried {', '.join(candidates)}. Install one system-wide, "
        "e.g. apt-get install python3."
    )


def prepare_environment(clone: Path, base: Path = BASE) -> Path:
    """The hub's venv (JupyterHub, nbgitpuller, the collection) and the proxy; returns the venv.

    The collection is installed editable from the clone without extras, so the students'
    servers and kernels run with the reader's runtime packages only. A new commit needs no
    reinstall; a changed pyproject.toml (new dependencies) does. The clone's modules are
    compiled here, once, because the students' users cannot write the clone's __pycache__:
    otherwise each kernel would compile ``helpers`` again.
    """
    venv = base / "venv"
    python = venv / "bin" / "python"
    if python.exists() and not usable_by_all(python):
        shutil.rmtree(venv)  # made by an earlier version from an interpreter students cannot run
    if not python.exists():
        run([interpreter_for_students(), "-m", "venv", str(venv)])
    digest = hashlib.sha256((clone / "pyproject.toml").read_bytes()).hexdigest()[:16]
    stamp = venv / f".installed-{digest}"
    if not stamp.exists():
        run([str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
        run([str(python), "-m", "pip", "install", "--quiet", *HUB_PACKAGES, "-e", str(clone)])
        stamp.touch()
    run(
        [
            str(python),
            "-m",
            "compileall",
            "-q",
            str(clone / "helpers"),
            str(clone / "workers_abroad"),
        ]
    )
    if not (base / "node_modules" / ".bin" / "configurable-http-proxy").exists():
        (base / "package.json").write_text('{"private": true}\n', encoding="utf-8")
        run(["npm", "install", "--silent", "--no-audit", "--no-fund", CHP_PACKAGE], cwd=base)
    return venv


# ---------------------------------------------------------------- this run's users and secrets


@dataclass
class Run:
    """One rehearsal's private state; ``clean_up`` removes all of it.

    ``secrets`` (mode 0700) holds the hub's config with its admin token, the cookie secret, the
    database, pid files and log. ``homes`` holds one home per student (0700, owned by them);
    ``runtime`` one short runtime folder per student (kernel connection files and sockets).
    """

    root: Path
    secrets: Path
    homes: Path
    runtime: Path
    tag: str
    password: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    users: list[str] = field(default_factory=list)

    def user_name(self, number: int) -> str:
        return f"{USER_PREFIX}{self.tag}-{number:02d}"


def new_run(base: Path) -> Run:
    """Folders for one run, named after this process so a later run can tell if it is gone."""
    tag = secrets.token_hex(2)
    root = base / f"run-{os.getpid()}-{tag}"
    root.mkdir(mode=0o755, parents=True)
    secrets_dir = root / "hub"
    secrets_dir.mkdir(mode=0o700)
    homes = root / "home"
    homes.mkdir(mode=0o755)
    runtime = RUNTIME_PARENT / f"wa-rh-{os.getpid()}-{tag}"
    runtime.mkdir(mode=0o711)
    return Run(root, secrets_dir, homes, runtime, tag)


def write_private(path: Path, text: str) -> None:
    """Create ``path`` with mode 0600 from the start: never readable by others, even briefly."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as sink:
        sink.write(text)


def create_student_user(run_state: Run, name: str) -> None:
    """A system user for one student, with a private home and runtime folder, as a hub creates."""
    home = run_state.homes / name
    run_state.users.append(name)  # before useradd: an interrupted run still deletes it
    subprocess.run(
        [
            "useradd", "--system", "--user-group", "--no-create-home",
            "--home-dir", str(home), "--shell", "/usr/sbin/nologin",
            "--comment", f"{OWNER_MARK}{os.getpid()}", name,
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    account = pwd.getpwnam(name)
    for folder in (home, run_state.runtime / name):
        folder.mkdir(mode=0o700)
        os.chown(folder, account.pw_uid, account.pw_gid)


def user_ids(names: list[str]) -> set[int]:
    ids = set()
    for name in names:
        with contextlib.suppress(KeyError):
            ids.add(pwd.getpwnam(name).pw_uid)
    return ids


def process_uid(pid: int) -> int | None:
    """The real user id of a process, from /proc (None if it is gone)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("Uid:"):
                return int(line.split()[1])
    return None


def kill_processes_of(uids: set[int]) -> None:
    """SIGKILL every process run by these users (only this rehearsal's students run as them)."""
    if not uids:
        return
    for _attempt in range(20):
        alive = [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()]
        alive = [pid for pid in alive if process_uid(pid) in uids]
        if not alive:
            return
        for pid in alive:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)


def delete_users(names: list[str]) -> list[str]:
    """Kill their processes and delete the users (and their groups); returns what failed."""
    kill_processes_of(user_ids(names))
    problems = []
    for name in names:
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        answer = subprocess.run(["userdel", name], capture_output=True, text=True)
        if answer.returncode != 0:
            problems.append(f"userdel {name}: {answer.stderr.strip()}")
    return problems


def clean_up(run_state: Run) -> list[str]:
    """Delete this run's users, homes, runtime folders and secrets; returns what failed."""
    problems = delete_users(run_state.users)
    shutil.rmtree(run_state.root, ignore_errors=True)
    shutil.rmtree(run_state.runtime, ignore_errors=True)
    problems += [f"{path} remains" for path in (run_state.root, run_state.runtime) if path.exists()]
    return problems


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def owner_pid(text: str) -> int | None:
    """The pid in a user's comment or a folder's name written by this tool (None if not ours)."""
    digits = text.rsplit(OWNER_MARK, 1)[-1] if OWNER_MARK in text else ""
    return int(digits) if digits.isdigit() else None


def abandoned(entry: pwd.struct_passwd) -> bool:
    """A user this tool created for a run whose process no longer exists."""
    if not entry.pw_name.startswith(USER_PREFIX):
        return False
    pid = owner_pid(entry.pw_gecos)
    return pid is not None and not pid_alive(pid)


def sweep_abandoned(base: Path) -> None:
    """Remove users and folders of earlier runs whose process is gone (killed with SIGKILL)."""
    stale_users = [entry.pw_name for entry in pwd.getpwall() if abandoned(entry)]
    if stale_users:
        print(f"Removing {len(stale_users)} users left by a killed run: {', '.join(stale_users)}")
    delete_users(stale_users)
    folders = [*base.glob("run-*-*"), *RUNTIME_PARENT.glob("wa-rh-*-*")]
    for folder in folders:
        pid_text = folder.name.split("-")[-2]
        if pid_text.isdigit() and not pid_alive(int(pid_text)):
            shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------------- the hub


HUB_CONFIG = """\
# Written by tools/hub_rehearsal.py for one run (mode 0600: it holds an admin token); loopback only.
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [{chp!r}]
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allowed_users = set({users!r})
# Each student's server runs as that student's system user (setuid), in their home.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.default_url = "/lab"
c.Spawner.cmd = {cmd!r}
c.Spawner.args = {args!r}
c.Spawner.disable_user_config = True
c.Spawner.environment = {{
    "PATH": {path!r},
    # A short runtime folder: with the ipc transport, kernel sockets are files, and a Unix
    # socket's path must stay under 108 bytes.
    "JUPYTER_RUNTIME_DIR": lambda spawner: {runtime!r} + "/" + spawner.user.name,
    # The repository students pull is a local clone owned by root: git must be told to trust
    # it, in a global config (git ignores safe.directory from the environment).
    "GIT_CONFIG_GLOBAL": {gitconfig!r},
}}
c.Spawner.environment.update({extra_environment!r})
c.Spawner.start_timeout = 900
c.Spawner.http_timeout = 900
c.JupyterHub.concurrent_spawn_limit = 0
c.JupyterHub.active_server_limit = 0
c.JupyterHub.db_url = "sqlite:///{db}"
c.JupyterHub.cookie_secret_file = {cookie!r}
c.JupyterHub.pid_file = {pid!r}
c.JupyterHub.cleanup_servers = True
c.JupyterHub.services = [{{"name": "rehearsal", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [
    {{
        "name": "rehearsal-admin",
        "scopes": ["admin:users", "admin:servers", "tokens"],
        "services": ["rehearsal"],
    }}
]
"""


#: Starts a student's server as ``jupyterhub-singleuser`` does, after declining jsonschema's
#: optional IRI checker (helpers/_imports.py): compiling its grammars is about half of a server's
#: start-up CPU, and nothing a student runs checks IRIs.
LEAN_LAUNCHER = (
    "import sys; from helpers._imports import decline_slow_optional_imports; "
    "decline_slow_optional_imports(); from jupyterhub.singleuser import main; sys.exit(main())"
)
#: Server extensions a student of this collection does not use: code intelligence, terminals,
#: the classic notebook's shim, and Voila (projector mode is for the teacher's screen).
UNUSED_SERVER_EXTENSIONS = (
    "jupyter_lsp",
    "jupyter_server_terminals",
    "notebook_shim",
    "voila.server_extension",
)


def singleuser_command(venv: Path, lean: bool) -> list[str]:
    """How the spawner starts a student's server: the lean launcher, or the stock command."""
    if lean:
        return [str(venv / "bin" / "python"), "-c", LEAN_LAUNCHER]
    return [str(venv / "bin" / "jupyterhub-singleuser")]


def singleuser_args(transport: str, lean: bool) -> list[str]:
    """The students' server options: the kernel transport, no terminals (as ``./tasks lab``), and
    in the lean setup no unused server extension and idle kernels culled after 30 minutes."""
    args = [f"--KernelManager.transport={transport}", "--ServerApp.terminals_enabled=False"]
    if lean:
        args += [
            f"--ServerApp.jpserver_extensions={name}=False" for name in UNUSED_SERVER_EXTENSIONS
        ]
        args += [
            "--MappingKernelManager.cull_idle_timeout=1800",
            "--MappingKernelManager.cull_interval=300",
        ]
    return args


def shared_validation_stamp(venv: Path, clone: Path, run_state: Run) -> dict[str, str]:
    """Validate the data once, as the hub's admin, into a cache every student reads.

    helpers.data remembers a validated snapshot of data/ in a stamp under WORKERS_ABROAD_CACHE
    (keyed by the bytes, so an edited copy is validated again). Each new student would otherwise
    validate the same bytes once more, importing Frictionless: about 0.4 s of CPU and 20 MiB
    per kernel. The folder is root's: students read the stamp and cannot forge one.
    """
    cache = run_state.root / "cache"
    cache.mkdir(mode=0o755)
    env = {**os.environ, "WORKERS_ABROAD_CACHE": str(cache)}
    validate = [str(venv / "bin" / "python"), "-c", "from helpers import data; data.validate()"]
    subprocess.run(validate, cwd=clone, env=env, check=True)
    for folder in [cache, *cache.rglob("*")]:
        folder.chmod(0o755 if folder.is_dir() else 0o644)
    return {"WORKERS_ABROAD_CACHE": str(cache)}


def trust_clone(clone: Path, run_state: Run) -> Path:
    """A git config for the students that trusts the root-owned clone they pull from."""
    config = run_state.root / "gitconfig"
    config.write_text(f"[safe]\n\tdirectory = {clone}\n\tdirectory = {clone}/.git\n")
    config.chmod(0o644)
    return config


@dataclass
class Hub:
    """A running hub: its process group, its address and the service token that manages it."""

    process: subprocess.Popen[bytes]
    url: str
    token: str
    log: Path


def start_hub(
    venv: Path, clone: Path, run_state: Run, base: Path, transport: str, lean: bool
) -> Hub:
    """Write this run's private config and start JupyterHub (and the proxy) in its own group.

    The hub runs with umask 077, so the database and every file it or the proxy writes are
    readable by root only; the cookie secret is written here, 0600, before it starts.
    """
    port, token = free_port(), secrets.token_hex(32)
    config = HUB_CONFIG.format(
        port=port,
        hub_port=free_port(),
        proxy_api_port=free_port(),
        chp=str(base / "node_modules" / ".bin" / "configurable-http-proxy"),
        password=run_state.password,
        users=sorted(run_state.users),
        cmd=singleuser_command(venv, lean),
        args=singleuser_args(transport, lean),
        extra_environment=shared_validation_stamp(venv, clone, run_state) if lean else {},
        path=f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        runtime=str(run_state.runtime),
        gitconfig=str(trust_clone(clone, run_state)),
        db=run_state.secrets / "jupyterhub.sqlite",
        cookie=str(run_state.secrets / "cookie_secret"),
        pid=str(run_state.secrets / "jupyterhub.pid"),
        token=token,
    )
    write_private(run_state.secrets / "jupyterhub_config.py", config)
    write_private(run_state.secrets / "cookie_secret", secrets.token_hex(32) + "\n")
    log = run_state.secrets / "jupyterhub.log"
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("JUPYTERHUB_API_TOKEN", None)
    write_private(log, "")
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [
                str(venv / "bin" / "jupyterhub"),
                "-f",
                str(run_state.secrets / "jupyterhub_config.py"),
            ],
            cwd=run_state.secrets,
            stdout=sink,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
            umask=0o077,
        )
    hub = Hub(process, f"http://127.0.0.1:{port}", token, log)
    try:
        wait_for_hub(hub)
    except BaseException:  # Ctrl-C or a failed start: the hub must not outlive the rehearsal
        stop_hub(hub)
        raise
    return hub


def wait_for_hub(hub: Hub, timeout: float = 120) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            tail = hub.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"JupyterHub exited; its log:\n{tail}")
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{hub.url}/hub/api/", timeout=5).ok:
                return
        time.sleep(0.5)
    raise RuntimeError(f"JupyterHub did not answer in {timeout} s; its log: {hub.log}")


def stop_hub(hub: Hub, timeout: float = 180) -> None:
    """Stop the hub, which stops every student's server at once (cleanup_servers), and the proxy.

    What outlives that (a server slow to stop, its kernels) runs as a student's user and is
    killed when those users are deleted.
    """
    with contextlib.suppress(ProcessLookupError):
        os.killpg(hub.process.pid, signal.SIGTERM)
    try:
        hub.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(hub.process.pid, signal.SIGKILL)
        hub.process.wait()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"token {token}"}


# --------------------------------------------------------------------------------- a student


def nbgitpuller_link(hub_url: str, repo: str, branch: str, notebook: str = NOTEBOOK) -> str:
    """README's link template, with this hub's address and the local clone as the repository."""
    urlpath = f"lab/tree/{CLONE_NAME}/{notebook}"
    query = urllib.parse.urlencode(
        {"repo": repo, "branch": branch, "urlpath": urlpath}, quote_via=urllib.parse.quote
    )
    return f"{hub_url}/hub/user-redirect/git-pull?{query}"


#: The moments marked for each student, in order, in seconds from the start of their login.
MARKS = ("logged_in", "server_ready", "pulled", "kernel_ready", "first_chart", "all_cells_run")
#: Where the time goes: each phase runs from one mark to the next (the first from the start).
PHASES = {
    "login": (None, "logged_in"),
    "spawn": ("logged_in", "server_ready"),
    "pull": ("server_ready", "pulled"),
    "kernel_start": ("pulled", "kernel_ready"),
    "run": ("kernel_ready", "all_cells_run"),
}


@dataclass
class Student:
    """One simulated student's run: moments (s), CPU (s), memory (MiB), user ids, failures."""

    name: str
    timings: dict[str, float] = field(default_factory=dict)
    memory: dict[str, float] = field(default_factory=dict)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    uids: dict[str, list[int]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    cells: int = 0

    def phases(self) -> dict[str, float]:
        """Seconds spent in each phase this student got through."""
        spent = {}
        for phase, (start, end) in PHASES.items():
            began = 0.0 if start is None else self.timings.get(start)
            if began is not None and end in self.timings:
                spent[phase] = round(self.timings[end] - began, 2)
        return spent


def simulate(student: Student, hub: Hub, password: str, repo: str, token: str,
             start: threading.Event) -> None:  # fmt: skip
    """Log in, start the server, pull with nbgitpuller, run notebook 04's cells; never raises."""
    import requests

    start.wait()
    t0 = time.monotonic()

    def mark(step: str) -> None:
        student.timings[step] = round(time.monotonic() - t0, 2)

    session = requests.Session()
    try:
        session.get(f"{hub.url}/hub/login", timeout=60).raise_for_status()
        xsrf = session.cookies.get("_xsrf", "")
        form = {"username": student.name, "password": password, "_xsrf": xsrf}
        response = session.post(
            f"{hub.url}/hub/login", data=form, timeout=120, allow_redirects=False
        )
        if response.status_code != 302:
            raise RuntimeError(f"login answered {response.status_code}")
        mark("logged_in")
        session.headers.update(auth(token))
        response = session.post(f"{hub.url}/hub/api/users/{student.name}/server", timeout=120)
        if response.status_code not in (201, 202, 400):  # 400: already running
            raise RuntimeError(
                f"server start answered {response.status_code}: {response.text[:200]}"
            )
        wait_until_ready(session, hub, student.name)
        mark("server_ready")
        page = session.get(nbgitpuller_link(hub.url, repo, "rehearsal"), timeout=300)
        if page.status_code != 200 or "git-pull" not in page.url:
            raise RuntimeError(f"the nbgitpuller link ended at {page.url} ({page.status_code})")
        pull(session, hub, student.name, repo, "rehearsal")
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
    url = f"{hub.url}/user/{name}/git-pull/api?{query}"
    with session.get(url, stream=True, timeout=600) as stream:
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


def run_notebook(session: Any, hub: Hub, student: Student, token: str,
                 mark: Callable[[str], None]) -> None:  # fmt: skip
    """Start a kernel beside the pulled notebook and run its code cells in order, as Run All."""
    import websocket

    base = f"{hub.url}/user/{student.name}/api"
    model = session.get(f"{base}/contents/{CLONE_NAME}/{NOTEBOOK}", timeout=120).json()
    cells = [c["source"] for c in model["content"]["cells"] if c["cell_type"] == "code"]
    cells = ["".join(s) if isinstance(s, list) else s for s in cells]
    where = f"{CLONE_NAME}/{Path(NOTEBOOK).parent}"
    response = session.post(f"{base}/kernels", json={"name": "python3", "path": where}, timeout=120)
    if response.status_code != 201:
        raise RuntimeError(
            f"starting a kernel answered {response.status_code}: {response.text[:200]}"
        )
    kernel = response.json()
    ws_url = f"{base.replace('http', 'ws', 1)}/kernels/{kernel['id']}/channels"
    ws = websocket.create_connection(ws_url, header=[f"Authorization: token {token}"], timeout=600)
    try:
        session_id = uuid.uuid4().hex
        msg_id = uuid.uuid4().hex
        ws.send(json.dumps(request("kernel_info_request", {}, msg_id, session_id)))
        wait_for_reply(ws, msg_id)
        mark("kernel_ready")
        for source in cells:
            msg_id = uuid.uuid4().hex
            content = {"code": source, "silent": False, "store_history": True, "allow_stdin": False}
            ws.send(json.dumps(request("execute_request", content, msg_id, session_id)))
            if not wait_for_cell(ws, msg_id, student, mark):
                break
            student.cells += 1
    finally:
        ws.close()


def request(kind: str, content: dict[str, Any], msg_id: str, session_id: str) -> dict[str, Any]:
    """A shell-channel message of the Jupyter protocol, as JupyterLab sends it."""
    return {
        "header": {
            "msg_id": msg_id,
            "msg_type": kind,
            "username": "student",
            "session": session_id,
            "version": "5.3",
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
        "parent_header": {},
        "metadata": {},
        "content": content,
        "buffers": [],
        "channel": "shell",
    }


def wait_for_reply(ws: Any, msg_id: str) -> None:
    """Read messages until the reply to ``msg_id``: the kernel is up and answering."""
    while True:
        message = json.loads(ws.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if message["header"]["msg_type"].endswith("_reply"):
            return


def wait_for_cell(ws: Any, msg_id: str, student: Student, mark: Callable[[str], None]) -> bool:
    """Read messages until the cell's kernel goes idle; note the first chart and any error."""
    replied = idle = False
    ok = True
    while not (replied and idle):
        message = json.loads(ws.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        kind = message["header"]["msg_type"]
        content = message.get("content", {})
        is_output = kind in ("display_data", "execute_result")
        if is_output and PLOTLY_MIME in content.get("data", {}):
            if "first_chart" not in student.timings:
                mark("first_chart")
        elif kind == "error":
            evalue = str(content.get("evalue"))[:200]
            student.failures.append(f"cell error {content.get('ename')}: {evalue}")
            ok = False
        elif kind == "execute_reply":
            replied = True
        elif kind == "status" and content.get("execution_state") == "idle":
            idle = True
    return ok


# ---------------------------------------------------------------------------------- memory


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


def cpu_seconds(pid: int, with_finished_children: bool = False) -> float:
    """User plus system CPU time a process has used so far (0 if it is gone); with
    ``with_finished_children``, also that of the children it has waited for (a server's git)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])
        if with_finished_children:
            ticks += int(fields[13]) + int(fields[14])
        return ticks / os.sysconf("SC_CLK_TCK")
    return 0.0


def hub_cpu_seconds(hub: Hub) -> dict[str, float]:
    """CPU the hub and its proxy have used for the whole class (all students together)."""
    proxies = [
        pid
        for pid in children(hub.process.pid)
        if b"configurable-http-proxy" in read_bytes(Path(f"/proc/{pid}/cmdline"))
    ]
    return {
        "hub": round(cpu_seconds(hub.process.pid), 1),
        "proxy": round(sum(cpu_seconds(pid) for pid in proxies), 1),
    }


def read_bytes(path: Path) -> bytes:
    with contextlib.suppress(OSError):
        return path.read_bytes()
    return b""


def server_pid(name: str) -> int | None:
    """The single-user server of ``name``: the process with JUPYTERHUB_USER=name in its env."""
    needle = f"JUPYTERHUB_USER={name}".encode()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if needle in (entry / "environ").read_bytes().split(b"\0"):
                    if b"singleuser" in (entry / "cmdline").read_bytes():
                        return int(entry.name)
    return None


def mib(kib: float) -> float:
    return round(kib / 1024, 1)


def measure(student: Student) -> None:
    """The student's server and kernel: CPU so far, memory while the kernel holds 04's state,
    and the user each runs as."""
    pid = server_pid(student.name)
    if pid is None:
        student.failures.append("no server process found to measure")
        return
    kernels = children(pid)
    server_rss, server_pss = memory_kib(pid)
    kernel_memory = [memory_kib(child) for child in kernels]
    kernel_rss = sum(rss for rss, _ in kernel_memory)
    kernel_pss = sum(pss for _, pss in kernel_memory)
    student.cpu_seconds = {
        "server": round(cpu_seconds(pid, with_finished_children=True), 1),
        "kernel": round(sum(cpu_seconds(child) for child in kernels), 1),
    }
    student.memory = {
        "server_rss": mib(server_rss),
        "kernel_rss": mib(kernel_rss),
        "server_pss": mib(server_pss),
        "kernel_pss": mib(kernel_pss),
        "total_rss": mib(server_rss + kernel_rss),
        "total_pss": mib(server_pss + kernel_pss),
    }
    student.uids = {
        "server": [uid for uid in [process_uid(pid)] if uid is not None],
        "kernels": sorted({uid for uid in map(process_uid, kernels) if uid is not None}),
    }


# --------------------------------------------------------------------------------- reporting


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (the value below which ``share`` of them lie)."""
    ordered = sorted(values)
    rank = max(1, int(-(-share * len(ordered) // 1)))
    return ordered[rank - 1]


def median_and_p95(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {"median": round(statistics.median(values), 2), "p95": percentile(values, 0.95)}


def load_average() -> list[float]:
    """The machine's 1, 5 and 15 minute load: other work on a shared machine skews the times."""
    return [round(value, 2) for value in os.getloadavg()]


def summary(students: list[Student], wall: float, commit: str, transport: str, setup: str,
            load_before: list[float]) -> dict[str, Any]:  # fmt: skip
    """The class's figures: successes, time per phase, CPU and memory per student, user ids."""
    ok = [s for s in students if not s.failures]
    measured = [s for s in students if s.memory]
    stats: dict[str, Any] = {
        "students": len(students),
        "commit": commit,
        "cores": os.cpu_count(),
        "load_average_before": load_before,
        "load_average_after": load_average(),
        "kernel_transport": transport,
        "setup": setup,
        "succeeded": len(ok),
        "failed": len(students) - len(ok),
        "wall_seconds": round(wall, 1),
        "servers_run_as_root": sum(0 in s.uids.get("server", []) for s in students),
        "kernels_run_as_root": sum(0 in s.uids.get("kernels", []) for s in students),
    }
    first_chart = [s.timings["first_chart"] for s in students if "first_chart" in s.timings]
    stats["first_chart_s"] = median_and_p95(first_chart)
    done = [s.timings["all_cells_run"] for s in ok if "all_cells_run" in s.timings]
    stats["all_cells_s"] = median_and_p95(done)
    stats["phase_s"] = {
        phase: median_and_p95([s.phases()[phase] for s in students if phase in s.phases()])
        for phase in PHASES
    }
    stats["cpu_s_per_student"] = {
        part: median_and_p95([s.cpu_seconds[part] for s in measured])
        for part in ("server", "kernel")
    }
    stats["memory_mib_per_student"] = {
        part: median_and_p95([s.memory[part] for s in measured])
        for part in (
            "server_rss",
            "kernel_rss",
            "total_rss",
            "server_pss",
            "kernel_pss",
            "total_pss",
        )
    }
    stats["rss_all_students_mib"] = round(sum(s.memory["total_rss"] for s in measured), 1)
    stats["pss_all_students_mib"] = round(sum(s.memory["total_pss"] for s in measured), 1)
    return stats


def report(students: list[Student], stats: dict[str, Any]) -> str:
    """A fixed-width table, one student a line, then the summary."""
    columns = ("uid", "login", "spawn", "pull", "kernel", "run", "chart", "srvCPU", "krnCPU",
               "srvMiB", "krnMiB", "PSS")  # fmt: skip
    lines = [f"{'student':<20}" + "".join(f"{c:>8}" for c in columns) + "  failures"]

    def text(value: object) -> str:
        return "-" if value is None else f"{value}"

    for s in students:
        phases = s.phases()
        values = [
            ",".join(map(str, s.uids.get("server", []))) or None,
            phases.get("login"), phases.get("spawn"), phases.get("pull"),
            phases.get("kernel_start"), phases.get("run"), s.timings.get("first_chart"),
            s.cpu_seconds.get("server"), s.cpu_seconds.get("kernel"),
            s.memory.get("server_rss"), s.memory.get("kernel_rss"), s.memory.get("total_pss"),
        ]  # fmt: skip
        row = "".join(f"{text(v):>8}" for v in values)
        lines.append(f"{s.name:<20}{row}  {'; '.join(s.failures)}")
    lines.append("")
    lines += [f"{key}: {json.dumps(value)}" for key, value in stats.items()]
    return "\n".join(lines)


def report_stem(count: int, transport: str, setup: str) -> str:
    """The reports' file name without suffix, e.g. ``report-30-ipc-lean``."""
    return f"report-{count}-{transport}-{setup}"


def write_reports(out: Path, students: list[Student], stats: dict[str, Any], hub: Hub) -> Path:
    """The text and JSON reports, and a copy of the hub's log (0600), kept after the run."""
    out.mkdir(parents=True, exist_ok=True)
    stem = report_stem(stats["students"], stats["kernel_transport"], stats["setup"])
    text_report = out / f"{stem}.txt"
    text_report.write_text(report(students, stats) + "\n", encoding="utf-8")
    records = [{**s.__dict__, "phases": s.phases()} for s in students]
    document = {"summary": stats, "students": records}
    (out / f"{stem}.json").write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    log_copy = out / f"{stem}-hub.log"
    log_copy.unlink(missing_ok=True)
    write_private(log_copy, hub.log.read_text(encoding="utf-8", errors="replace"))
    return text_report


# ------------------------------------------------------------------------------------- main


def class_tokens(hub: Hub, names: list[str]) -> dict[str, str]:
    """Hub accounts and API tokens for the students: they exist before class starts; not timed."""
    import requests

    tokens = {}
    for name in names:
        requests.post(f"{hub.url}/hub/api/users/{name}", headers=auth(hub.token), timeout=60)
        answer = requests.post(
            f"{hub.url}/hub/api/users/{name}/tokens",
            headers=auth(hub.token),
            json={"note": "rehearsal", "expires_in": 7200},
            timeout=60,
        )
        answer.raise_for_status()
        tokens[name] = answer.json()["token"]
    return tokens


def prestart_servers(hub: Hub, names: list[str]) -> float:
    """Start every student's server before class, as an admin can from the hub's admin page or
    API; returns the seconds it took (not part of the students' times)."""
    import requests

    started = time.monotonic()
    for name in names:
        answer = requests.post(
            f"{hub.url}/hub/api/users/{name}/server", headers=auth(hub.token), timeout=120
        )
        if answer.status_code not in (201, 202):
            raise RuntimeError(f"starting {name}'s server answered {answer.status_code}")
    with requests.Session() as session:
        session.headers.update(auth(hub.token))
        for name in names:
            wait_until_ready(session, hub, name)
    return time.monotonic() - started


def run_class(hub: Hub, run_state: Run, students: list[Student], repo: str,
              prestart: bool) -> tuple[float, float | None]:  # fmt: skip
    """Every student starts at the same moment; returns the seconds until the last is done, and
    the seconds the servers took to start before class (None unless ``prestart``)."""
    tokens = class_tokens(hub, [s.name for s in students])
    before_class = prestart_servers(hub, [s.name for s in students]) if prestart else None
    go = threading.Event()
    threads = [
        threading.Thread(
            target=simulate,
            args=(s, hub, run_state.password, repo, tokens[s.name], go),
            daemon=True,  # an interrupted run exits without waiting for them
        )
        for s in students
    ]
    for thread in threads:
        thread.start()
    started = time.monotonic()
    go.set()
    for thread in threads:
        thread.join()
    return time.monotonic() - started, before_class


def rehearse(count: int, ref: str, base: Path = BASE, transport: str = "ipc", lean: bool = True,
             prestart: bool = False, out: Path | None = None) -> dict[str, Any]:  # fmt: skip
    """Install, create the users, start the hub, run ``count`` students at once, report, and
    always clean up."""
    if os.geteuid() != 0:
        raise SystemExit(
            "The hub rehearsal needs root: like a hub on one machine, it creates a system user "
            "per student and starts each student's server as that user. Run it as root (in a "
            "container or VM of its own), e.g. sudo ./tasks hub-rehearsal N."
        )
    base.mkdir(parents=True, exist_ok=True)
    sweep_abandoned(base)
    print("Preparing the clone and the hub's environment:")
    clone, commit = prepare_clone(ref, base)
    venv = prepare_environment(clone, base)
    load_before = load_average()
    run_state = new_run(base)
    hub = None
    try:
        students = [Student(run_state.user_name(n)) for n in range(1, count + 1)]
        for student in students:
            create_student_user(run_state, student.name)
        print(f"Created {count} system users {students[0].name} ... {students[-1].name}.")
        print("Starting JupyterHub on 127.0.0.1 ...", flush=True)
        hub = start_hub(venv, clone, run_state, base, transport, lean)
        print(f"Hub at {hub.url}; {count} students start now, all at once.", flush=True)
        wall, before_class = run_class(hub, run_state, students, clone.as_uri(), prestart)
        for student in students:
            measure(student)
        setup = ("lean" if lean else "stock") + ("-prestarted" if prestart else "")
        stats = summary(students, wall, commit, transport, setup, load_before)
        stats["servers_started_before_class_s"] = before_class and round(before_class, 1)
        stats["cpu_s_hub_and_proxy_for_the_class"] = hub_cpu_seconds(hub)
        print(report(students, stats))
        written = write_reports(out or base, students, stats, hub)
        print(f"Report written to {written}")
        return stats
    finally:
        print("Shutting down servers, hub and proxy; deleting users, homes and secrets ...")
        if hub is not None:
            stop_hub(hub)
        problems = clean_up(run_state)
        for problem in problems:
            print(f"  cleanup: {problem}", file=sys.stderr)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt so the clean-up in ``finally`` still runs."""

    def interrupt(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    previous = {
        number: signal.signal(number, interrupt) for number in (signal.SIGTERM, signal.SIGHUP)
    }
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="./tasks hub-rehearsal",
        description="Rehearse a class of N students on a local JupyterHub: where the time and "
        "memory go, from login to the first chart.",
    )
    parser.add_argument("students", type=int, help="how many simulated students log in at once")
    parser.add_argument(
        "--ref", default="HEAD", help="the commit or branch students pull (default: HEAD)"
    )
    parser.add_argument(
        "--kernel-transport",
        choices=("ipc", "tcp"),
        default="ipc",
        help="how servers talk to kernels: ipc (Unix sockets, the default: no port race) or tcp",
    )
    parser.add_argument(
        "--stock",
        action="store_true",
        help="start servers as a stock hub does (all server extensions, each kernel validating "
        "the data itself) instead of the lean setup docs/hub.md recommends: for comparison",
    )
    parser.add_argument(
        "--prestart",
        action="store_true",
        help="start every student's server before class (as an admin can), then time the class",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help=f"folder for the reports (default: {BASE})"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.students < 1 or args.students > 99:
        parser.error("students must be between 1 and 99")
    with stop_on_signals():
        stats = rehearse(
            args.students,
            args.ref,
            transport=args.kernel_transport,
            lean=not args.stock,
            prestart=args.prestart,
            out=args.out,
        )
    sys.exit(0 if stats.get("failed") == 0 else 1)


if __name__ == "__main__":
    main()
