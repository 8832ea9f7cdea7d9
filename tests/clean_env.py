"""Keep test runs from writing into the user's home or $TMPDIR (loaded by tests/fast_imports.py).

The suite starts kernels (nbval, nbclient), JupyterLab and chromium. Each would otherwise leave
files behind: IPython history and profiles in ~/.ipython, kernel connection files in Jupyter's
runtime folder, JupyterLab workspaces in ~/.jupyter, validation stamps in ~/.cache, chromium
profiles and pytest's own folders in $TMPDIR. Before anything starts, this plugin points HOME,
TMPDIR, IPYTHONDIR, the JUPYTER_* and XDG_* folders at one fresh temporary folder and removes it
when pytest ends, Ctrl-C included (``./tasks`` also removes its own on kill). Kernelspecs are still
found: the venv's kernel lives under sys.prefix, which Jupyter searches whatever HOME is.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

_SAVED: dict[str, str | None] = {}
_ROOT: list[Path] = []


def isolated_environment(root: Path) -> dict[str, str]:
    """The variables that send every per-user file of the tools the suite runs into ``root``."""
    home = root / "home"
    return {
        "HOME": str(home),
        "TMPDIR": str(root / "tmp"),
        "IPYTHONDIR": str(home / ".ipython"),
        "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
        "JUPYTER_DATA_DIR": str(home / ".local/share/jupyter"),
        "JUPYTER_RUNTIME_DIR": str(home / ".local/share/jupyter/runtime"),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local/share"),
        "WORKERS_ABROAD_CACHE": str(home / ".cache"),
    }


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    root = Path(
        tempfile.mkdtemp(prefix="wa-")
    )  # short: chromium's socket path under it must stay under 108 bytes
    _ROOT.append(root)
    for name, value in isolated_environment(root).items():
        _SAVED[name] = os.environ.get(name)
        os.environ[name] = value
        if name in ("HOME", "TMPDIR"):
            Path(value).mkdir(parents=True, exist_ok=True)
    tempfile.tempdir = None  # forget the cached $TMPDIR so tempfile uses the private one
    if config.option.basetemp is None:
        config.option.basetemp = str(root / "pytest")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    for name, value in _SAVED.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    tempfile.tempdir = None
    for root in _ROOT:
        shutil.rmtree(root, ignore_errors=True)
