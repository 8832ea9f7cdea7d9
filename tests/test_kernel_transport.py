"""Kernels the project starts use IPC: no "running over TCP without encryption" warning.

Each test starts a real kernel the way a part of the project does (nbclient as tools.execute,
tools.bench and the grader do; ``jupyter nbconvert --execute`` with the shipped config; nbval as
``./tasks test`` runs it) and reads what the kernel itself was told: its connection file, which
a cell prints or the test reads from the runtime folder while the kernel lives. The kernel's
own stderr must not carry ipykernel's TCP warning. A control run without the shipped config
shows the warning does appear over TCP, so its absence means something.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from workers_abroad.publishing.kernels import short_parent
from workers_abroad.publishing.notebooks import NOTEBOOKS_DIR, ROOT

#: The Jupyter config ./tasks puts on JUPYTER_CONFIG_PATH: IPC for servers and nbconvert.
CONFIG_DIR = ROOT / "tools" / "jupyter_config"
WARNING = "without encryption"
#: A cell that prints the kernel's connection file: transport, addresses and key.
PRINT_CONNECTION = (
    "import ipykernel.connect, pathlib\n"
    "print(pathlib.Path(ipykernel.connect.get_connection_file()).read_text())"
)


def write_probe(folder: Path) -> Path:
    """A one-cell notebook in its own folder (kernels start there, away from the caller)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "probe.ipynb"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(PRINT_CONNECTION)])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nbformat.write(notebook, path)
    return path


def printed_connection(path: Path) -> dict:
    notebook = nbformat.read(path, as_version=4)
    outputs = notebook.cells[0].outputs
    assert outputs and outputs[0].output_type == "stream", outputs
    return json.loads(outputs[0].text)


@pytest.fixture
def runtime() -> Iterator[Path]:
    """A fresh runtime folder with a short path (a Unix socket path must fit in 107 bytes)."""
    folder = Path(tempfile.mkdtemp(prefix="wa-rt-", dir="/tmp"))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def environment(runtime: Path, **extra: str) -> dict[str, str]:
    """This process's environment, with ``runtime`` as the kernels' runtime folder."""
    return {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime), **extra}


NBCLIENT_SCRIPT = """
import sys
import nbformat
from nbclient import NotebookClient
from workers_abroad.publishing.kernels import notebook_client_options
path = sys.argv[1]
notebook = nbformat.read(path, as_version=4)
NotebookClient(notebook, timeout=120, kernel_name="python3",
               resources={"metadata": {"path": sys.argv[2]}}, **notebook_client_options()).execute()
nbformat.write(notebook, path)
"""


def run_probe_with_nbclient(
    tmp_path: Path, runtime: Path
) -> tuple[subprocess.CompletedProcess[str], dict]:
    """Run the probe notebook with nbclient from ``tmp_path`` (not the notebook's folder, so
    socket paths must not be relative) with ``runtime`` as Jupyter's runtime folder; return the
    finished process and the connection file the kernel printed."""
    probe = write_probe(tmp_path / "nb")
    answer = subprocess.run(
        [sys.executable, "-c", NBCLIENT_SCRIPT, str(probe), str(probe.parent)],
        cwd=tmp_path,
        env=environment(runtime),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert answer.returncode == 0, answer.stderr[-3000:]
    return answer, printed_connection(probe)


def test_nbclient_kernel_uses_ipc_and_prints_no_tcp_warning(tmp_path, runtime):
    """As tools.execute, tools.bench and the grader run notebooks, from another folder."""
    answer, connection = run_probe_with_nbclient(tmp_path, runtime)
    assert connection["transport"] == "ipc"
    assert Path(connection["ip"]).parent == runtime  # the sockets sit beside the connection file
    assert WARNING not in answer.stderr
    assert not list(runtime.glob("kernel-*")), "connection file or sockets left behind"


def test_a_long_runtime_folder_puts_sockets_in_a_short_private_folder(tmp_path):
    """A Unix socket path must fit in 107 bytes; a deep runtime folder must not break kernels."""
    deep = tmp_path / ("d" * 80) / "runtime"
    answer, connection = run_probe_with_nbclient(tmp_path, deep)
    assert connection["transport"] == "ipc"
    socket_folder = Path(connection["ip"]).parent
    assert socket_folder.parent == short_parent() and socket_folder.name.startswith("wa-k-")
    assert not socket_folder.exists(), "the private socket folder outlived its kernel"
    assert not list(deep.glob("kernel-*"))
    assert WARNING not in answer.stderr


def run_nbconvert(
    tmp_path: Path, runtime: Path, probe: Path, **extra: str
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute"]
    return subprocess.run(
        [*command, "--inplace", str(probe)],
        cwd=tmp_path,
        env=environment(runtime, **extra),
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_nbconvert_execute_with_the_shipped_config_uses_ipc(tmp_path, runtime):
    probe = write_probe(tmp_path / "nb")
    answer = run_nbconvert(tmp_path, runtime, probe, JUPYTER_CONFIG_PATH=str(CONFIG_DIR))
    assert answer.returncode == 0, answer.stderr[-3000:]
    assert printed_connection(probe)["transport"] == "ipc"
    assert WARNING not in answer.stderr


def test_nbconvert_without_the_config_warns_over_tcp(tmp_path, runtime):
    """The control: Jupyter's default is TCP, and the kernel then warns on stderr."""
    probe = write_probe(tmp_path / "nb")
    extra = {"JUPYTER_CONFIG_PATH": ""}
    answer = run_nbconvert(tmp_path, runtime, probe, **extra)
    assert answer.returncode == 0, answer.stderr[-3000:]
    assert printed_connection(probe)["transport"] == "tcp"
    assert WARNING in answer.stderr


SERVER_SCRIPT = """
import asyncio, json, os, sys
from jupyter_core.paths import jupyter_runtime_dir
from jupyter_server.serverapp import ServerApp
from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

async def main():
    app = ServerApp()
    app.load_config_file()  # finds jupyter_server_config.json on JUPYTER_CONFIG_PATH
    manager = AsyncMappingKernelManager(config=app.config, connection_dir=jupyter_runtime_dir())
    kernel_id = await manager.start_kernel(kernel_name="python3")
    kernel = manager.get_kernel(kernel_id)
    client = kernel.client()
    client.start_channels()
    await client._async_wait_for_ready(timeout=60)
    client.stop_channels()
    print(json.dumps({"class": type(kernel).__name__, "transport": kernel.transport,
                      "ip": kernel.ip}))
    await manager.shutdown_kernel(kernel_id)

asyncio.run(main())
"""


def test_server_config_starts_kernels_over_ipc(tmp_path, runtime):
    """What ``./tasks`` puts on JUPYTER_CONFIG_PATH for JupyterLab: its kernels use IPC."""
    answer = subprocess.run(
        [sys.executable, "-c", SERVER_SCRIPT],
        cwd=tmp_path,
        env=environment(runtime, JUPYTER_CONFIG_PATH=str(CONFIG_DIR)),
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert answer.returncode == 0, answer.stderr[-3000:]
    kernel = json.loads(answer.stdout.strip().splitlines()[-1])
    assert (kernel["class"], kernel["transport"]) == ("ServerIpcKernelManager", "ipc")
    assert Path(kernel["ip"]).parent == runtime
    assert WARNING not in answer.stderr
    assert not list(runtime.glob("kernel-*"))


def connection_files(folder: Path) -> dict[str, dict]:
    """Kernel connection files anywhere under ``folder`` now (folders come and go meanwhile)."""
    found = {}
    for parent, _folders, names in os.walk(folder):  # os.walk skips folders removed under it
        for name in names:
            if not name.endswith(".json"):
                continue
            try:
                info = json.loads((Path(parent) / name).read_text())
            except (OSError, ValueError):
                continue  # being written or already removed
            if isinstance(info, dict) and "transport" in info:
                found[name] = info
    return found


def test_nbval_kernels_use_ipc(tmp_path, runtime):
    """``./tasks test`` runs nbval from the repository root; watch its kernel's connection file.

    The child pytest moves its runtime folder under a fresh folder in its TMPDIR (tests/
    clean_env.py), so the test gives it a TMPDIR of its own and looks there.
    """
    command = [sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env", "-q",
               "-p", "no:cacheprovider", str(NOTEBOOKS_DIR / "00-start-here.ipynb")]  # fmt: skip
    seen: dict[str, dict] = {}
    log_path = tmp_path / "nbval.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=environment(runtime, TMPDIR=str(runtime)),
                                   stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        while process.poll() is None:
            seen |= connection_files(runtime)
            time.sleep(0.05)
    assert seen, "no kernel connection file appeared: " + log_path.read_text()
    assert {info["transport"] for info in seen.values()} == {"ipc"}
    assert WARNING not in log_path.read_text()
