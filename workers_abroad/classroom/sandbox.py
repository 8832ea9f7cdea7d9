"""A bubblewrap sandbox for one student's submission: its own namespaces, user, limits and scratch.

Why: a submission is hostile code. Graded with the teacher's rights it could read the teacher's
files and the answer registry, reach other submissions and their kernels, and rewrite the grade
sheet. Debian's ``bubblewrap`` (``/usr/bin/bwrap``, what Flatpak uses) builds the sandbox; the
grader only reads back, from a pipe, the answers the sandboxed run reports.

What a sandbox gets, as root (the usual case for a grading machine or container):

- an outer ``bwrap`` with new PID, mount, IPC, network, UTS (and cgroup) namespaces, whose
  filesystem holds only: /usr (the system's libraries), the Python installation and the venv,
  read-only; the collection tree (data/ and a helpers/ without the answer registry) read-only
  at /collection; the runner at /opt/grader/runner.py; a fresh /proc of its own PID namespace;
  a minimal /dev; and two size-limited tmpfs, /scratch and /tmp. No HOME of the teacher, no host
  /tmp, no repository, no other submission, no network (not even a shared loopback);
- inside it, ``setpriv`` drops to a user id of its own (random, unused, unprivileged, no groups,
  no capabilities), so that process limits count this submission's processes only;
- then an inner ``bwrap`` gives it its own user namespace (uid 65534, nobody) and forbids
  further user namespaces.

As another user (bwrap cannot switch users then) one unprivileged ``bwrap --unshare-all`` with
the same view is used; the process limit then counts that user's own processes too.

Limits (``prlimit``): address space, CPU seconds, processes, open files, file size; a wall-clock
timeout. When the run ends, or the timeout strikes, the sandbox's session is killed; its PID
namespace ends with it, so every process in it dies, detached (``setsid``) ones included.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RUNNER = Path(__file__).with_name("sandbox_runner.py")
INSIDE_COLLECTION = "/collection"
INSIDE_RUNNER = "/grader/runner.py"
SANDBOX_UID = 65534
#: Random outer user ids come from here: far above any account, below the kernel's 2**32 - 1.
UID_RANGE = (1_000_000_000, 2_000_000_000)
MAX_RESULT_BYTES = 256 * 1024
INSTALL_HINT = (
    "install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap; ./tasks grade does it as root)"
)


class SandboxUnavailable(RuntimeError):
    """No sandbox can be made here: the message says why and what to install."""


@dataclass(frozen=True)
class Limits:
    """What one submission may use. Generous for the collection's notebooks, small for an attack."""

    memory_bytes: int = 3 * 1024**3  # address space per process: pandas, plotly and a kernel fit
    cpu_seconds: int = 300
    processes: int = 96  # threads count too: a kernel uses about a dozen
    open_files: int = 256
    file_bytes: int = 32 * 1024**2
    scratch_bytes: int = 128 * 1024**2
    wall_seconds: float = 300


@dataclass(frozen=True)
class Outcome:
    """What came back from one sandbox: the runner's result (untrusted) or why there is none."""

    result: bytes
    timed_out: bool
    exit_code: int | None


def tool(name: str) -> str | None:
    """The path of a system tool (bwrap, setpriv, prlimit), or None. $WA_BWRAP names another
    bwrap (the tests point it at a missing one to see grading refuse)."""
    if name == "bwrap" and os.environ.get("WA_BWRAP"):
        chosen = os.environ["WA_BWRAP"]
        return chosen if os.access(chosen, os.X_OK) else None
    return shutil.which(name, path="/usr/bin:/bin:/usr/sbin:/sbin") or shutil.which(name)


def parents(path: str) -> list[str]:
    """The folders above ``path``, outermost first: /a, /a/b for /a/b/c."""
    parts = Path(path).parts[1:-1]
    return ["/" + "/".join(parts[: index + 1]) for index in range(len(parts))]


def system_view() -> list[str]:
    """/usr read-only, and the merged-usr links (/bin, /lib, ...) as links or read-only binds."""
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64", "libx32"):
        path = f"/{name}"
        if os.path.islink(path):
            args += ["--symlink", os.readlink(path), path]
        elif os.path.isdir(path):
            args += ["--ro-bind", path, path]
    return args


def python_view() -> list[str]:
    """The Python installation and the venv, read-only at their own paths (the venv links there)."""
    roots = sorted({os.path.realpath(sys.base_prefix), os.path.realpath(sys.prefix), sys.prefix})
    roots = [root for root in roots if not root.startswith("/usr/") and root != "/usr"]
    args: list[str] = []
    made: set[str] = set()
    for root in roots:
        for folder in parents(root):
            if folder not in made:
                args += ["--perms", "0755", "--dir", folder]
                made.add(folder)
        args += ["--ro-bind", root, root]
    return args


def view(collection: Path, limits: Limits, cwd: str) -> list[str]:
    """The filesystem a submission sees: nothing writable but its two size-limited tmpfs."""
    # The two tmpfs come before the Python view: a venv or a clone under /tmp (a CI checkout,
    # say) is then bound on top of the empty /tmp instead of being hidden by it.
    return [
        *system_view(),
        "--perms", "1777", "--size", str(limits.scratch_bytes), "--tmpfs", "/scratch",
        "--perms", "1777", "--size", str(limits.scratch_bytes), "--tmpfs", "/tmp",
        *python_view(),
        "--ro-bind", str(collection), INSIDE_COLLECTION,
        "--perms", "0755", "--dir", str(Path(INSIDE_RUNNER).parent),
        "--ro-bind", str(RUNNER), INSIDE_RUNNER,
        "--proc", "/proc",
        "--dev", "/dev",
        "--chdir", cwd,
    ]  # fmt: skip


def _environment_values(scratch: str) -> list[str]:
    """NAME=value pairs: HOME, TMPDIR and Jupyter's folders in the scratch folder."""
    values = {
        "PATH": f"{sys.prefix}/bin:/usr/bin:/bin",
        "HOME": f"{scratch}/home",
        "TMPDIR": f"{scratch}/tmp",
        "PYTHONPATH": INSIDE_COLLECTION,
        "PYTHONDONTWRITEBYTECODE": "1",
        "JUPYTER_RUNTIME_DIR": f"{scratch}/run",
        "JUPYTER_DATA_DIR": f"{scratch}/home/.local/share/jupyter",
        "JUPYTER_CONFIG_DIR": f"{scratch}/home/.jupyter",
        "IPYTHONDIR": f"{scratch}/home/.ipython",
        "MPLCONFIGDIR": f"{scratch}/home/.matplotlib",
        "XDG_CACHE_HOME": f"{scratch}/home/.cache",
        "WORKERS_ABROAD_CACHE": f"{scratch}/home/.cache",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "LANG": "C.UTF-8",
    }
    return [f"{name}={value}" for name, value in values.items()]


def environment() -> list[str]:
    """bwrap's arguments for a clean environment inside the sandbox."""
    args = ["--clearenv"]
    for pair in _environment_values("/scratch"):
        name, value = pair.split("=", 1)
        args += ["--setenv", name, value]
    return args


def prlimit(limits: Limits) -> list[str]:
    """The limits every process of the sandbox inherits."""
    found = tool("prlimit")
    if found is None:
        raise SandboxUnavailable("prlimit is missing: install util-linux")
    return [
        found,
        f"--as={limits.memory_bytes}",
        f"--cpu={limits.cpu_seconds}",
        f"--nproc={limits.processes}",
        f"--nofile={limits.open_files}",
        f"--fsize={limits.file_bytes}",
        "--core=0",
        "--",
    ]


def command(collection: Path, limits: Limits, argv: list[str], cwd: str = "/scratch") -> list[str]:
    """The full command line that runs ``argv`` in a new sandbox."""
    bwrap = tool("bwrap")
    if bwrap is None:
        raise SandboxUnavailable(f"bwrap is missing: {INSTALL_HINT}")
    common = ["--die-with-parent", "--new-session", "--hostname", "sandbox"]
    if os.geteuid() != 0:
        inner = [
            bwrap,
            "--unshare-all",
            "--disable-userns",
            "--uid",
            str(SANDBOX_UID),
            "--gid",
            str(SANDBOX_UID),
        ]
        return [
            *prlimit(limits),
            *inner,
            *common,
            *view(collection, limits, cwd),
            *environment(),
            "--",
            *argv,
        ]
    setpriv = tool("setpriv")
    if setpriv is None:
        raise SandboxUnavailable("setpriv is missing: install util-linux")
    uid = str(UID_RANGE[0] + secrets.randbelow(UID_RANGE[1] - UID_RANGE[0]))
    outer = [
        bwrap,
        "--unshare-pid",
        "--unshare-ipc",
        "--unshare-net",
        "--unshare-uts",
        "--unshare-cgroup-try",
    ]
    drop = [
        setpriv,
        "--reuid",
        uid,
        "--regid",
        uid,
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
    ]
    inner = [
        bwrap, "--unshare-user", "--disable-userns",
        "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--die-with-parent",
        "--ro-bind", "/", "/", "--bind", "/scratch", "/scratch", "--bind", "/tmp", "/tmp",
        "--dev-bind", "/dev", "/dev", "--ro-bind", "/proc", "/proc", "--chdir", cwd,
    ]  # fmt: skip
    return [
        *prlimit(limits),
        *outer,
        *common,
        *view(collection, limits, cwd),
        *environment(),
        "--",
        *drop,
        "--",
        *inner,
        "--",
        *argv,
    ]


def _read_capped(descriptor: int, cap: int, into: list[bytes]) -> None:
    """Read a pipe to its end, keeping at most ``cap`` bytes (the rest is drained and dropped)."""
    kept = 0
    with os.fdopen(descriptor, "rb", buffering=0) as pipe:
        while True:
            chunk = pipe.read(65536)
            if not chunk:
                return
            if kept < cap:
                into.append(chunk[: cap - kept])
                kept += len(chunk)


#: Every sandbox still running, so that an interrupted grading (Ctrl-C) can end them all at once.
RUNNING: set[subprocess.Popen[bytes]] = set()
RUNNING_LOCK = threading.Lock()


def kill_all() -> None:
    """End every sandbox still running (grading was interrupted)."""
    with RUNNING_LOCK:
        running = list(RUNNING)
    for process in running:
        kill_session(process)


def kill_session(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL the sandbox's session: bwrap dies, and its PID namespace and every process in it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def spawn(full: list[str], job: dict[str, Any], limits: Limits, env: dict[str, str]) -> Outcome:
    """Start ``full`` in a session of its own, feed it ``job``, read its result pipe, and kill the
    session when it ends or ``limits.wall_seconds`` pass."""
    reader, writer = os.pipe()
    job = {**job, "result_fd": writer}  # passed through prlimit, bwrap and setpriv as it is
    chunks: list[bytes] = []
    thread = threading.Thread(
        target=_read_capped, args=(reader, MAX_RESULT_BYTES, chunks), daemon=True
    )
    try:
        process = subprocess.Popen(
            full,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(writer,),
            start_new_session=True,
            close_fds=True,
            env=env,
        )
    finally:
        os.close(writer)
    with RUNNING_LOCK:
        RUNNING.add(process)
    thread.start()
    timed_out = False
    try:
        process.communicate(input=json.dumps(job).encode(), timeout=limits.wall_seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
    except OSError:  # the sandbox closed its stdin early: its result (or none) says the rest
        pass
    finally:
        kill_session(process)
        with RUNNING_LOCK:
            RUNNING.discard(process)
    thread.join(timeout=10)
    return Outcome(b"".join(chunks), timed_out, process.returncode)


def run(collection: Path, job: dict[str, Any], limits: Limits) -> Outcome:
    """Run the runner on ``job`` in a new sandbox; return what it wrote to its result pipe."""
    runner = ["python3", "-I", INSIDE_RUNNER]
    full = command(collection, limits, runner, cwd=INSIDE_COLLECTION)
    return spawn(full, {**job, "cwd": INSIDE_COLLECTION}, limits, {"PATH": "/usr/bin:/bin"})


def run_unsandboxed(collection: Path, job: dict[str, Any], limits: Limits) -> Outcome:
    """The same run without a sandbox (the teacher asked for it): limits and a scratch folder only,
    with the teacher's rights. Every row it produces says so."""
    scratch = Path(tempfile.mkdtemp(prefix="wa-scratch-"))
    try:
        env = dict(pair.split("=", 1) for pair in _environment_values(str(scratch)))
        env.update({"PYTHONPATH": str(collection), "WA_SCRATCH": str(scratch)})
        full = [*prlimit(limits), sys.executable, "-I", str(RUNNER)]
        return spawn(full, {**job, "cwd": str(collection)}, limits, env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def probe(collection: Path) -> None:
    """Make one sandbox that runs ``true``; SandboxUnavailable in bwrap's own words if it cannot."""
    full = command(collection, Limits(), ["/bin/true"])
    try:
        done = subprocess.run(
            full, capture_output=True, timeout=60, env={"PATH": "/usr/bin:/bin"}, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxUnavailable(f"bwrap could not start: {error}; {INSTALL_HINT}") from error
    if done.returncode != 0:
        said = done.stderr.decode(errors="replace").strip().splitlines()
        reason = said[-1] if said else f"exit code {done.returncode}"
        raise SandboxUnavailable(
            f"bwrap cannot create the sandbox's namespaces here ({reason}); {INSTALL_HINT}, "
            "and allow "
            "user namespaces (sysctl kernel.unprivileged_userns_clone=1) or grade as root"
        )
