"""./tasks, the entry point: errors that say what went wrong and how to fix it, and the Lab it
starts.

Every test runs the real script. Nothing is installed: a broken or old interpreter is refused before
a venv exists, and the Lab's command line is read from a fake venv whose ``jupyter`` prints its
arguments."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpers.paths import project_root

ROOT = project_root()
#: ./tasks COMMAND -> the module whose command-line options it passes on (python -m MODULE).
TOOL_OF_COMMAND = {
    "grade": "workers_abroad.classroom.grade",
    "present": "workers_abroad.publishing.present",
    "student": "workers_abroad.classroom.student",
    "site": "workers_abroad.publishing.site",
    "hub-rehearsal": "tools.hub_rehearsal",
    "execute": "tools.execute",
    "nav": "tools.navigation",
    "bench": "tools.bench",
}


def tasks(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ROOT / "tasks"), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def fake_program(folder: Path, name: str, script: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("#!/bin/sh\n" + script, encoding="utf-8")
    path.chmod(0o755)
    return path


def with_path(folder: Path) -> str:
    return f"{folder}{os.pathsep}{os.environ['PATH']}"


# ------------------------------------------------------------------------------------ a typo


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("tset", "test"),
        ("lba", "lab"),
        ("grdae", "grade"),
        ("hub", "hub-rehearsal"),
        ("presnet", "present"),
    ],
)
def test_a_mistyped_command_gets_did_you_mean(typed: str, meant: str) -> None:
    result = tasks(typed)
    assert result.returncode == 2
    assert f"Unknown command: {typed}" in result.stderr
    assert re.search(rf"Did you mean: .*\./tasks {re.escape(meant)}\b", result.stderr), (
        result.stderr
    )
    assert "./tasks help" in result.stderr  # where the arguments are


def test_a_command_far_from_any_gets_no_guess_but_the_list() -> None:
    result = tasks("deploy-to-mars")
    assert result.returncode == 2
    assert "Did you mean" not in result.stderr
    for command in ("lab", "test", "test-fast", "grade", "present", "student", "hub-rehearsal"):
        assert re.search(rf"(?<![\w-]){re.escape(command)}(?![\w-])", result.stderr), command


# ---------------------------------------------------------------------------------- the help


def help_lines() -> dict[str, str]:
    """./tasks help, one entry per command: its line and the indented lines that continue it."""
    result = tasks("help")
    assert result.returncode == 0, result.stderr
    entries: dict[str, str] = {}
    current = None
    for line in result.stdout.splitlines():
        match = re.match(r"\s+\./tasks ([a-z-]+)\b(.*)", line)
        if match:
            current = match[1]
            entries[current] = match[2]
        elif current and line.startswith("     "):
            entries[current] += " " + line.strip()
        else:
            current = None
    return entries


def tool_usage(tool: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", tool, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n\n")[0]


def test_help_lists_every_command() -> None:
    entries = help_lines()
    for command in ("lab", "test", "test-fast", "test-browser", "fuzz", "lint", *TOOL_OF_COMMAND):
        assert command in entries, f"./tasks help does not list {command}"


@pytest.mark.parametrize("command", sorted(TOOL_OF_COMMAND))
def test_help_shows_each_commands_arguments_as_its_tool_takes_them(command: str) -> None:
    """Every option the tool accepts, and a positional argument when it takes
    one, are in the help."""
    entry = help_lines()[command]
    usage = tool_usage(TOOL_OF_COMMAND[command])
    options = set(re.findall(r"\[(--[a-z][a-z-]*)", usage))
    missing = sorted(option for option in options if option not in entry)
    assert missing == [], (
        f"./tasks help's {command} line lacks {missing}; the tool's usage: {usage}"
    )
    positional = re.sub(r"\[-[^]]*\]|usage: \S+( [a-z-]+)?", "", usage).split()
    if positional:
        assert re.search(r"(^|\s)\[?[A-Z][A-Z_]*|\[NN\]|NN-name", entry), (
            f"{command}: no argument shown in {entry!r}"
        )


def test_help_names_the_grades_positional_and_the_hub_size() -> None:
    entries = help_lines()
    assert entries["grade"].split()[0] == "SUBMISSION..."
    assert entries["hub-rehearsal"].split()[0] == "N"
    assert entries["present"].split()[0] == "[NN]"


# --------------------------------------------------------------------------- the interpreter


def test_an_interpreter_that_cannot_run_is_reported_with_the_fix(tmp_path: Path) -> None:
    """A pyenv shim for a version that is not installed: it exists on PATH,
    prints an error, exits 1."""
    bin_dir = tmp_path / "bin"
    fake_program(bin_dir, "python3.12", "echo 'pyenv: python3.12: command not found' >&2\nexit 1\n")
    (bin_dir / "python3.11").symlink_to(sys.executable)  # one that works, for the suggestion
    venv = tmp_path / "venv"
    result = tasks(
        "lint", env={"PYTHON": "python3.12", "VENV": str(venv), "PATH": with_path(bin_dir)}
    )
    assert result.returncode != 0
    assert "python3.12" in result.stderr and "does not run" in result.stderr, result.stderr
    assert "pyenv: python3.12: command not found" in result.stderr  # its own words are shown
    suggested = re.findall(r"PYTHON=(\S+) \./tasks lint", result.stderr)
    assert suggested and "python3.12" not in suggested, (
        f"the fix must name another interpreter: {result.stderr}"
    )
    assert "is ." not in result.stderr  # the old message printed an empty version
    assert not venv.exists()


def test_an_old_python_is_refused_before_a_venv_is_made(tmp_path: Path) -> None:
    fake = fake_program(tmp_path / "bin", "python3.10", "echo 3.10.12\n")
    venv = tmp_path / "venv"
    result = tasks("test", env={"PYTHON": str(fake), "VENV": str(venv)})
    assert result.returncode != 0
    assert (
        "3.11 or newer" in result.stderr
        and "3.10.12" in result.stderr
        and "PYTHON=" in result.stderr
    )
    assert f"PYTHON={fake} ./tasks" not in result.stderr  # not the command that just failed
    assert not venv.exists()


def test_a_missing_interpreter_is_named(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    result = tasks("lab", env={"PYTHON": "python3.99-not-here", "VENV": str(venv)})
    assert result.returncode != 0
    assert "Python not found: PYTHON=python3.99-not-here" in result.stderr
    assert not venv.exists()


def test_a_venv_whose_python_no_longer_runs_is_reported(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    fake_program(venv / "bin", "python", "exit 127\n")
    result = tasks("lab", env={"VENV": str(venv)})
    assert result.returncode != 0
    assert "does not run" in result.stderr and f"rm -rf {venv}" in result.stderr


# ------------------------------------------------------------------------------------- the Lab


def fake_reader_venv(tmp_path: Path, installed: tuple[str, ...] = ()) -> Path:
    """A venv marked as holding the reader's install, whose jupyter prints its arguments."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    fake_program(venv / "bin", "python", f'exec "{sys.executable}" "$@"\n')  # this venv's packages
    fake_program(venv / "bin", "jupyter", 'printf "%s\\n" "$@"\n')
    digest = subprocess.run(
        ["sha256sum", str(ROOT / "pyproject.toml")], capture_output=True, text=True, check=True
    ).stdout[:16]
    (venv / f".installed-reader-{digest}").touch()
    for package in installed:
        (venv / "lib" / "python3.11" / "site-packages" / package).mkdir(parents=True)
    return venv


@pytest.mark.parametrize("extra", [[], ["--ServerApp.terminals_enabled=True"]])
def test_lab_starts_at_the_root_on_notebook_00_with_terminals_off_unless_asked(
    tmp_path: Path, extra: list[str]
) -> None:
    venv = fake_reader_venv(tmp_path)
    result = tasks("lab", *extra, env={"VENV": str(venv)})
    arguments = result.stdout.split()
    assert result.returncode == 0, result.stderr
    assert arguments[0] == "lab" and "--ServerApp.terminals_enabled=False" in arguments
    assert "--ServerApp.ip=127.0.0.1" in arguments
    assert "--ServerApp.root_dir=." in arguments  # run from the repository root: ./tasks cds there
    assert "--LabApp.default_url=/lab/workspaces/reader" in arguments
    option = next(a for a in arguments if a.startswith("--LabApp.workspaces_dir="))
    folder = Path(option.split("=", 1)[1])
    (workspace,) = folder.glob("reader-*.jupyterlab-workspace")
    layout = json.loads(workspace.read_text(encoding="utf-8"))
    assert layout["metadata"]["id"] == "reader"
    assert layout["data"]["file-browser-filebrowser:cwd"] == {"path": ""}  # the browser at the root
    opened = layout["data"]["layout-restorer:data"]["main"]["dock"]["widgets"]
    assert opened == ["notebook:notebooks/00-start-here.ipynb"]
    assert (ROOT / opened[0].split(":", 1)[1]).is_file()
    assert "./tasks lab --ServerApp.terminals_enabled=True" in result.stderr  # how to enable them
    if extra:  # a later option wins in traitlets, so the reader's choice overrides the default
        assert arguments.index(extra[0]) > arguments.index("--ServerApp.terminals_enabled=False")


def test_lab_turns_off_the_installed_server_extensions_a_reader_does_not_use(
    tmp_path: Path,
) -> None:
    venv = fake_reader_venv(tmp_path, installed=("voila", "nbdime", "jupyterlab"))
    result = tasks("lab", env={"VENV": str(venv)})
    assert result.returncode == 0, result.stderr
    written = venv / "etc/jupyter/jupyter_server_config.d/zz-workers-abroad-reader.json"
    config = json.loads(written.read_text(encoding="utf-8"))
    assert config == {
        "ServerApp": {"jpserver_extensions": {"voila.server_extension": False, "nbdime": False}}
    }


def test_a_reader_install_does_not_count_for_the_tests(tmp_path: Path) -> None:
    """./tasks lint needs the test extra: a venv holding only the reader's
    install is filled up first."""
    venv = fake_reader_venv(tmp_path)
    (venv / "bin" / "python").unlink()  # a python that runs, but installs nothing anywhere
    fake_program(
        venv / "bin",
        "python",
        'case "$1" in -c) exit 0;; *) echo "no pip here" >&2; exit 1;; esac\n',
    )
    result = tasks(
        "lint",
        env={"VENV": str(venv), "WA_UV_HOME": str(tmp_path / "no-uv"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "installing the collection with its test extra" in result.stderr, result.stderr
    assert (
        "installing with pip instead" in result.stderr
    )  # uv could not be installed: pip is the fallback


def test_the_notebooks_find_their_data_from_any_working_folder(tmp_path: Path) -> None:
    """The Lab's root is the repository and a kernel starts in the notebook's
    folder: neither matters."""
    code = (
        "from helpers.paths import data_path; from helpers.data import load_table; "
        "print(data_path('visas.csv')); print(len(load_table('visas')))"
    )
    env = {key: value for key, value in os.environ.items() if key != "WORKERS_ABROAD_DATA"}
    for folder in (tmp_path, ROOT, ROOT / "notebooks", ROOT / "docs"):
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=folder, env=env
        )
        assert result.returncode == 0, result.stderr
        path, rows = result.stdout.split()
        assert Path(path) == ROOT / "data" / "visas.csv" and int(rows) > 0


# ---------------------------------------------------------------------- Debian packages for tests


def path_without(tmp_path: Path, hidden: set[str]) -> str:
    """A PATH holding every program of /usr/bin and /bin except ``hidden``
    (as on a clean machine)."""
    farm = tmp_path / "path"
    farm.mkdir()
    for folder in (Path("/usr/bin"), Path("/bin")):
        for program in folder.iterdir():
            target = farm / program.name
            if program.name not in hidden and not target.exists():
                target.symlink_to(program)
    return str(farm)


def test_the_tests_install_chromium_bubblewrap_and_npm_when_missing(tmp_path: Path) -> None:
    venv = fake_reader_venv(tmp_path)
    digest = next(venv.glob(".installed-reader-*")).name.rsplit("-", 1)[1]
    (venv / f".installed-test-{digest}").touch()
    fake_program(venv / "bin", "ruff", "exit 0\n")
    (venv / "bin" / "python").unlink()  # the navigation check and pytest pass without running
    fake_program(venv / "bin", "python", "exit 0\n")
    log = tmp_path / "apt.log"
    farm = path_without(tmp_path, {"chromium", "bwrap", "npm", "apt-get", "sudo"})
    fake_program(Path(farm), "apt-get", f'echo "$*" >> "{log}"\n')
    fake_program(Path(farm), "sudo", 'exec "$@"\n')
    result = tasks("test", env={"VENV": str(venv), "PATH": farm})
    assert result.returncode == 0, result.stderr
    calls = log.read_text(encoding="utf-8").splitlines()
    assert calls == ["update", "install -y chromium bubblewrap npm"], calls


def test_grading_installs_bubblewrap_when_missing(tmp_path: Path) -> None:
    venv = fake_reader_venv(tmp_path)
    digest = next(venv.glob(".installed-reader-*")).name.rsplit("-", 1)[1]
    (venv / f".installed-grade-{digest}").touch()
    (venv / "bin" / "python").unlink()
    fake_program(venv / "bin", "python", "exit 0\n")
    log = tmp_path / "apt.log"
    farm = path_without(tmp_path, {"bwrap", "apt-get", "sudo"})
    fake_program(Path(farm), "apt-get", f'echo "$*" >> "{log}"\n')
    fake_program(Path(farm), "sudo", 'exec "$@"\n')
    result = tasks("grade", "submissions/", env={"VENV": str(venv), "PATH": farm})
    assert result.returncode == 0, result.stderr
    assert log.read_text(encoding="utf-8").splitlines() == ["update", "install -y bubblewrap"]
