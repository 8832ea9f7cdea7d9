"""Local kernels talk to whoever runs them over Unix sockets (IPC), not TCP.

Why: over TCP, ipykernel prints "Kernel is running over TCP without encryption" once per
notebook (in nbconvert, grading and test output), and the kernel's five ports are chosen free
by the manager but bound later by the kernel, so under load two kernels can pick the same
port (the race that lost one of 30 students in the hub rehearsal). IPC sockets are files beside
the kernel's connection file in Jupyter's private runtime folder (mode 0700): no port to race
for, nothing open to other users, no warning.

How the project uses it:

* The Jupyter servers it starts (``./tasks lab``, projector mode, the hub rehearsal) are told
  ``--KernelManager.transport=ipc``, or read the managers below from the repository's
  ``tools/jupyter_config`` when ``./tasks`` puts that folder on ``JUPYTER_CONFIG_PATH``; a
  server names each connection file itself, so the setting is enough there.
* Code that starts kernels itself (nbclient in tools.execute, tools.bench, the grader and the
  tests; ``jupyter nbconvert --execute`` through ``jupyter_nbconvert_config.json``; nbval
  through the repository's conftest.py) uses the managers below. They are needed because a
  bare ``KernelManager(transport="ipc")`` names its sockets ``kernel-ipc-N`` relative to the
  *caller's* folder while the kernel starts in the notebook's folder: the two never meet and
  the kernel "does not respond". These managers give every kernel an absolute connection file
  in the runtime folder, so its sockets sit beside it.

A Unix socket's path must fit in 107 bytes: when the runtime folder's path is too long for
that, the sockets go to a short private temporary folder instead (see :class:`IpcSockets`).
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from typing import Any

from jupyter_client import AsyncKernelManager, KernelManager
from jupyter_client.connect import ConnectionFileMixin
from jupyter_client.localinterfaces import localhost
from jupyter_core.paths import jupyter_runtime_dir
from traitlets import default

#: sockaddr_un's sun_path is 108 bytes, one of them the terminating NUL.
MAX_SOCKET_PATH = 107
#: IPC socket files are named ``<ip>-<n>``, n from 1 to 5 (shell, iopub, stdin, control, hb).
SOCKET_SUFFIX = "-5"
#: Where sockets go when the runtime folder's path is too long for them, if $TMPDIR is too.
SHORT_PARENT = Path("/tmp")


def new_connection_file() -> str:
    """An absolute, unused connection file path in the private runtime folder."""
    runtime = Path(jupyter_runtime_dir())
    runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
    return str(runtime / f"kernel-{uuid.uuid4()}.json")


def fits_unix_socket(ip: str) -> bool:
    """Whether the sockets named ``<ip>-<n>`` fit in a Unix socket address."""
    return len(f"{ip}{SOCKET_SUFFIX}".encode()) <= MAX_SOCKET_PATH


def short_parent() -> Path:
    """The temporary folder ($TMPDIR) when sockets under it fit, else /tmp."""
    temporary = Path(tempfile.gettempdir())
    return temporary if fits_unix_socket(f"{temporary}/wa-k-12345678/k") else SHORT_PARENT


class IpcSockets(ConnectionFileMixin):
    """IPC by default, with sockets at an absolute path that fits a Unix socket address.

    The sockets sit beside the connection file (``kernel-<id>-ipc-<n>``) when that path is
    short enough; otherwise (a test run's nested temporary folders, a deep home folder) in a
    fresh private folder in $TMPDIR (or /tmp), removed with the connection file when the kernel
    ends.
    """

    socket_folder: str | None = None

    @default("connection_file")
    def _default_connection_file(self) -> str:
        return new_connection_file()

    @default("transport")
    def _default_transport(self) -> str:
        return "ipc"

    @default("ip")
    def _default_ip(self) -> str:
        if self.transport != "ipc":
            return localhost()
        beside = self.connection_file.removesuffix(".json") + "-ipc"
        if fits_unix_socket(beside):
            return beside
        self.socket_folder = tempfile.mkdtemp(prefix="wa-k-", dir=short_parent())
        return f"{self.socket_folder}/k"

    def cleanup_connection_file(self) -> None:
        """Also remove the private socket folder (only at the end: a restart reuses it)."""
        super().cleanup_connection_file()
        if self.socket_folder is not None:
            shutil.rmtree(self.socket_folder, ignore_errors=True)


class IpcKernelManager(IpcSockets, KernelManager):
    """A KernelManager that starts its kernel over IPC (what nbval uses, through conftest.py)."""


class AsyncIpcKernelManager(IpcSockets, AsyncKernelManager):
    """The asynchronous twin of :class:`IpcKernelManager` (what nbclient and nbconvert use)."""


def notebook_client_options() -> dict[str, Any]:
    """Keyword arguments that make an nbclient ``NotebookClient`` start its kernel over IPC."""
    return {"kernel_manager_class": AsyncIpcKernelManager}
