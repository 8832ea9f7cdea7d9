"""The kernel manager for the Jupyter servers the project starts: IPC, like every local kernel.

A separate module from kernels.py because it imports jupyter_server, which code that only runs
notebooks (nbclient, nbval) should not pay for. ``tools/jupyter_config/jupyter_server_config.json``
names it as the server's ``kernel_manager_class``; it is jupyter_server's own
``ServerKernelManager`` with :class:`.kernels.IpcSockets`' defaults, so a server whose runtime
folder has a long path (a test's nested temporary folders) still gets socket paths that fit.
"""

from __future__ import annotations

from jupyter_server.services.kernels.kernelmanager import ServerKernelManager

from workers_abroad.publishing.kernels import IpcSockets


class ServerIpcKernelManager(IpcSockets, ServerKernelManager):
    """jupyter_server's kernel manager, starting its kernel over IPC."""
