"""The hub rehearsal keeps a real hub's secrets private and its students unprivileged.

``./tasks hub-rehearsal 2`` is run for real (JupyterHub, the proxy, nbgitpuller, notebook 04 on
each student's kernel). While it runs, this test watches from outside: the hub's folder and
every file in it (config with the admin token, cookie secret, database, log, pid files) must
be private, and each simulated student must be a system user of their own. Afterwards it
checks that the run succeeded, that each server and kernel ran as its student's user and not
as root, and that the users, homes, runtime folders and secrets are all gone. It needs root,
as the rehearsal does (it creates users), and installs the rehearsal's own hub under
build/hub-rehearsal/ on its first run.
"""

from __future__ import annotations

import contextlib
import json
import pwd
import re
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.hub_rehearsal import BASE, OWNER_MARK, RUNTIME_PARENT, USER_PREFIX, report_stem
from workers_abroad.publishing.notebooks import ROOT

STUDENTS = 2
SECRET_FILES = ("jupyterhub_config.py", "cookie_secret", "jupyterhub.sqlite")


@dataclass
class Watch:
    """What the test saw of a running rehearsal, from outside it."""

    modes: dict[str, int] = field(default_factory=dict)  # path -> permission bits
    users: dict[str, pwd.struct_passwd] = field(default_factory=dict)
    config_text: str = ""


def system_uid_max() -> int:
    """The top of the system-user id range (login.defs SYS_UID_MAX; 999 when unset)."""
    defs = Path("/etc/login.defs")
    text = defs.read_text(encoding="utf-8", errors="replace") if defs.exists() else ""
    found = re.search(r"^\s*SYS_UID_MAX\s+(\d+)", text, re.MULTILINE)
    return int(found.group(1)) if found else 999


def users_of(pid: int) -> dict[str, pwd.struct_passwd]:
    """The rehearsal users whose comment names process ``pid`` as their owner."""
    mark = f"{OWNER_MARK}{pid}"
    return {
        e.pw_name: e
        for e in pwd.getpwall()
        if e.pw_name.startswith(USER_PREFIX) and e.pw_gecos == mark
    }


def look(pid: int, watch: Watch) -> None:
    """Record the modes of the run's private folder and files, its users, and its config."""
    for run_dir in BASE.glob(f"run-{pid}-*"):
        hub_dir = run_dir / "hub"
        for path in [hub_dir, *hub_dir.glob("*")] if hub_dir.exists() else []:
            try:
                watch.modes[str(path.relative_to(run_dir))] = stat.S_IMODE(path.lstat().st_mode)
            except FileNotFoundError:
                continue  # a journal file that came and went
        config = hub_dir / "jupyterhub_config.py"
        if not watch.config_text and config.exists():
            watch.config_text = config.read_text(encoding="utf-8")
    watch.users |= users_of(pid)


def processes_running_as(uid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
    return found


def processes_naming(fragment: str) -> list[int]:
    """Processes whose command line contains ``fragment`` (the hub names its run folder)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if fragment.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def setting(config_text: str, name: str) -> str:
    """One quoted value from the rehearsal's hub config, e.g. the dummy password."""
    found = re.search(rf"^{re.escape(name)}\s*=\s*'([^']+)'", config_text, re.MULTILINE)
    assert found, f"{name} not found in the hub config"
    return found.group(1)


def test_rehearsal_keeps_secrets_private_runs_students_unprivileged_and_leaves_nothing(tmp_path):
    out = tmp_path / "reports"
    log = tmp_path / "rehearsal.log"
    command = [sys.executable, "-m", "tools.hub_rehearsal", str(STUDENTS), "--out", str(out)]
    watch = Watch()
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 900
        while process.poll() is None and time.monotonic() < deadline:
            look(process.pid, watch)
            time.sleep(0.2)
        if process.poll() is None:
            process.terminate()  # the rehearsal cleans up on SIGTERM
            process.wait(timeout=300)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert process.returncode == 0, output[-4000:]

    # During the run: one private folder, every file in it 0600, the named secrets among them.
    assert watch.modes.get("hub") == 0o700, watch.modes
    for name in SECRET_FILES:
        assert f"hub/{name}" in watch.modes, f"{name} never seen; saw {sorted(watch.modes)}"
    loose = {
        path: oct(mode) for path, mode in watch.modes.items() if path != "hub" and mode != 0o600
    }
    assert not loose, f"files readable by others: {loose}"

    # A random password for this run, not one written in the source.
    password = setting(watch.config_text, "c.DummyAuthenticator.password")
    token = re.search(r'"api_token": \'([0-9a-f]+)\'', watch.config_text)
    assert token, "the service token is missing from the hub config"
    assert len(password) >= 16
    assert password not in (ROOT / "tools" / "hub_rehearsal.py").read_text(encoding="utf-8")

    # One system user per student, with no login shell.
    assert len(watch.users) == STUDENTS, sorted(watch.users)
    for user in watch.users.values():
        assert 0 < user.pw_uid <= system_uid_max(), f"{user.pw_name} has uid {user.pw_uid}"
        assert user.pw_shell.endswith("nologin"), user.pw_shell

    # The run succeeded, and each server and kernel ran as its own student's user.
    report = json.loads(
        (out / f"{report_stem(STUDENTS, 'ipc', 'lean')}.json").read_text(encoding="utf-8")
    )
    assert (report["summary"]["succeeded"], report["summary"]["failed"]) == (STUDENTS, 0)
    for student in report["students"]:
        own_uid = watch.users[student["name"]].pw_uid
        assert student["uids"] == {"server": [own_uid], "kernels": [own_uid]}, student["name"]
        assert "first_chart" in student["timings"], student
        assert set(student["phases"]) == {"login", "spawn", "pull", "kernel_start", "run"}

    # Afterwards: no users, no run folder (homes, config, secrets), no runtime folder.
    assert users_of(process.pid) == {}
    assert not list(BASE.glob(f"run-{process.pid}-*"))
    assert not list(RUNTIME_PARENT.glob(f"wa-rh-{process.pid}-*"))
    assert processes_naming(f"run-{process.pid}-") == [], "the hub or proxy outlived the rehearsal"
    for user in watch.users.values():
        assert processes_running_as(user.pw_uid) == [], f"{user.pw_name} still runs processes"
    # What is kept (the reports, the hub's log) holds neither the password nor the admin token.
    for kept in out.iterdir():
        text = kept.read_text(encoding="utf-8", errors="replace")
        assert password not in text and token.group(1) not in text, kept.name
    assert (
        stat.S_IMODE((out / f"{report_stem(STUDENTS, 'ipc', 'lean')}-hub.log").stat().st_mode)
        == 0o600
    )


def test_interrupted_rehearsal_still_removes_its_users_and_secrets(tmp_path):
    """Ctrl-C once the users exist and the hub is starting: the clean-up still runs."""
    command = [sys.executable, "-m", "tools.hub_rehearsal", "1", "--out", str(tmp_path)]
    watch = Watch()
    with (tmp_path / "rehearsal.log").open("wb") as sink:
        process = subprocess.Popen(command, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 600
        while process.poll() is None and time.monotonic() < deadline and not watch.config_text:
            look(process.pid, watch)
            time.sleep(0.1)
        assert watch.users and watch.config_text, "the rehearsal never created its users and config"
        process.send_signal(signal.SIGINT)
        process.wait(timeout=300)
    assert process.returncode != 0
    assert users_of(process.pid) == {}
    assert processes_naming(f"run-{process.pid}-") == [], "the hub outlived the rehearsal"
    assert not list(BASE.glob(f"run-{process.pid}-*"))
    assert not list(RUNTIME_PARENT.glob(f"wa-rh-{process.pid}-*"))
