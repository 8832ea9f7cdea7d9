"""A reader's install holds what reading needs, and the Lab it starts loads only what a reader uses.

The real thing, once per run: ``./tasks lab --help`` with a fresh VENV creates the venv, fills it
with uv (installed from PyPI when it is not on PATH; its package cache makes later runs fast),
writes the Lab's configuration and hands ``--help`` to JupyterLab, which prints its options and
exits instead of serving."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from helpers.paths import project_root

ROOT = project_root()
pytestmark = pytest.mark.install

#: Tools for testing and developing, and what the grader pulls in: none belongs in a reader's venv.
TEST_TOOLS = (
    "pytest",
    "nbval",
    "playwright",
    "hypothesis",
    "ruff",
    "pre-commit",
    "nbdime",
    "jupytext",
    "sphinx",
    "otter-grader",
)
#: The server extensions a reader's Lab may load: the Lab itself, its classic-notebook shim, its
#: language-server status (the page asks for it) and the terminals extension (terminals stay off
#: unless the reader turns them on).
READER_EXTENSIONS = {"jupyterlab", "notebook_shim", "jupyter_lsp", "jupyter_server_terminals"}
#: What the Lab's export menu and projector mode need, so they are in the reader's install.
READER_PACKAGES = ("jupyterlab", "pandas", "plotly", "ipywidgets", "nbconvert", "nh3", "voila")


@pytest.fixture(scope="module")
def reader_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    venv = tmp_path_factory.mktemp("install") / "venv"
    result = subprocess.run(
        [str(ROOT / "tasks"), "lab", "--help"],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "VENV": str(venv)},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "uv pip install -e . into" in result.stderr, "the install did not go through uv"
    assert "ServerApp" in result.stdout  # JupyterLab's own --help ran
    return venv


def distributions(venv: Path) -> set[str]:
    """Normalised names of every distribution installed in the venv."""
    code = (
        "import importlib.metadata as m, json; "
        "print(json.dumps([d.metadata['Name'] for d in m.distributions()]))"
    )
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-c", code], capture_output=True, text=True, check=True
    )
    return {re.sub(r"[-_.]+", "-", name).lower() for name in json.loads(result.stdout)}


def enabled_server_extensions(venv: Path) -> dict[str, bool]:
    """``jupyter server extension list`` as the Lab reads it: every extension, enabled or not."""
    result = subprocess.run(
        [str(venv / "bin" / "jupyter"), "server", "extension", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    listing = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    state: dict[str, bool] = {}
    for name, word in re.findall(r"^\s+(\S+) (enabled|disabled)\s*$", listing, flags=re.MULTILINE):
        state[name] = word == "enabled"  # later config folders win, as they do in the server
    return state


def test_no_test_tool_is_installed(reader_venv: Path) -> None:
    installed = distributions(reader_venv)
    assert sorted(installed & set(TEST_TOOLS)) == []
    for package in READER_PACKAGES:
        assert package in installed, f"{package} is missing from the reader's install"
    assert "workers-abroad" in installed


def test_the_lab_lists_no_unwanted_server_extension(reader_venv: Path) -> None:
    state = enabled_server_extensions(reader_venv)
    enabled = {name for name, on in state.items() if on}
    assert "jupyterlab" in enabled
    assert enabled <= READER_EXTENSIONS, f"unwanted: {sorted(enabled - READER_EXTENSIONS)}"
    assert (
        state.get("voila.server_extension") is False
    )  # voila is installed (projector mode) but off here


def test_the_reader_venv_stays_light(reader_venv: Path) -> None:
    """The target is under 500 MB (README records the measured size)."""
    size = sum(
        p.lstat().st_size for p in reader_venv.rglob("*") if not p.is_symlink() and p.is_file()
    )
    assert size < 500 * 1024 * 1024, f"the reader's venv weighs {size / 1024 / 1024:.0f} MB"
