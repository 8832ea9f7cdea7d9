"""Repository-wide pytest hook: nbval's kernels use IPC, like every kernel the project starts.

nbval (``./tasks test`` runs it over notebooks/) builds its own ``KernelManager`` with no
config and has no option for the transport, so this points the name it uses at
:class:`workers_abroad.publishing.kernels.IpcKernelManager` (that module says why IPC). It lives
at the repository root so that it applies to ``pytest notebooks`` as well as to ``pytest tests``.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    import nbval.kernel

    from workers_abroad.publishing.kernels import IpcKernelManager

    nbval.kernel.KernelManager = IpcKernelManager
