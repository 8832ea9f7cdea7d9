"""A test run leaves nothing in the user's home or $TMPDIR, even when interrupted (./tasks: tests/test_tasks.py).

The two tests run a small pytest, which executes a notebook in a real kernel with nbclient, under
an empty fake HOME and TMPDIR, once to the end and once interrupted with Ctrl-C (SIGINT) while the kernel
is running; both folders must be empty afterwards (tests/clean_env.py does the work).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers.paths import project_root

ROOT = project_root()
pytestmark = pytest.mark.kernel  # each test starts a kernel: not in ./tasks test-fast

INNER_TEST = '''
import os, tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def test_kernel_and_files():
    Path.home().joinpath("written-by-the-test").write_text("x")
    tempfile.mkstemp()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, time, tempfile; from pathlib import Path\\n"
        "Path.home().joinpath('written-by-the-kernel').write_text('x'); tempfile.mkstemp()\\n"
        "time.sleep(float(os.environ.get('INNER_SLEEP', '0')))")])
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
'''


def run_inner(tmp_path: Path, sleep: float) -> tuple[subprocess.Popen[str], Path, Path]:
    home, tmp = tmp_path / "fake-home", tmp_path / "fake-tmp"
    home.mkdir()
    tmp.mkdir()
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "test_inner.py").write_text(INNER_TEST, encoding="utf-8")
    env = {**os.environ, "HOME": str(home), "TMPDIR": str(tmp), "INNER_SLEEP": str(sleep), "PYTHONPATH": str(ROOT)}
    for name in ("IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR", "XDG_CACHE_HOME",
                 "XDG_CONFIG_HOME", "XDG_DATA_HOME", "WORKERS_ABROAD_CACHE"):
        env.pop(name, None)  # as in a user's shell: everything defaults to HOME and TMPDIR
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.fast_imports",
               "--rootdir", str(tmp_path / "inner"), str(tmp_path / "inner" / "test_inner.py")]
    process = subprocess.Popen(command, cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               start_new_session=True)
    return process, home, tmp


def leftovers(*folders: Path) -> list[str]:
    return [str(p) for folder in folders for p in folder.rglob("*")]


def test_a_run_leaves_home_and_tmpdir_empty(tmp_path: Path) -> None:
    process, home, tmp = run_inner(tmp_path, sleep=0)
    output, _ = process.communicate(timeout=180)
    assert process.returncode == 0, output
    assert leftovers(home, tmp) == []


def test_an_interrupted_run_leaves_home_and_tmpdir_empty(tmp_path: Path) -> None:
    process, home, tmp = run_inner(tmp_path, sleep=60)
    try:
        deadline = time.monotonic() + 120
        while not list(tmp.rglob("written-by-the-kernel")) and time.monotonic() < deadline:
            time.sleep(0.2)  # wait until the kernel is running the cell (it has written into its HOME)
        # nbclient's kernel writes its connection file with tempfile.mkstemp(".json"): into the private TMPDIR
        assert [p for p in tmp.rglob("*.json") if '"shell_port"' in p.read_text()], "no kernel connection file seen"
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        output, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert process.returncode != 0, output
    time.sleep(1)  # a kernel still shutting down must not write anything afterwards
    assert leftovers(home, tmp) == [], output
