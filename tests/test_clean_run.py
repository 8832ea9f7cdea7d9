"""A test run writes nothing into the user's home or $TMPDIR (tests/clean_env.py does the work).

What is asserted, directly: while the suite runs, every folder where pytest, Jupyter, IPython,
the kernels, chromium and the validation cache write lies in one private folder that is not the
user's home; and the plugin's unconfigure hook removes that folder and gives the environment
back. An interrupted run needs no test of its own: pytest calls unconfigure hooks on Ctrl-C too
(``pytest_unconfigure`` is how a session ends, whatever ended it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from IPython.paths import get_ipython_dir
from jupyter_core.paths import jupyter_config_dir, jupyter_data_dir, jupyter_runtime_dir

from helpers.paths import project_root
from tests import clean_env


def private_root() -> Path:
    """The folder clean_env made for this run: HOME is its ``home`` subfolder."""
    return Path(os.environ["HOME"]).parent


def test_every_per_user_folder_lies_in_the_runs_private_folder(tmp_path: Path) -> None:
    root = private_root()
    folders = {
        "home": Path.home(),
        "temporary files": Path(tempfile.gettempdir()),
        "pytest's tmp_path": tmp_path,
        "Jupyter runtime (kernel connection files)": Path(jupyter_runtime_dir()),
        "Jupyter config": Path(jupyter_config_dir()),
        "Jupyter data": Path(jupyter_data_dir()),
        "IPython (history, profiles)": Path(get_ipython_dir()),
        "validation cache": Path(os.environ["WORKERS_ABROAD_CACHE"]),
        **{name: Path(os.environ[name]) for name in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME")},
    }
    outside = {name: str(path) for name, path in folders.items() if not path.is_relative_to(root)}
    assert not outside, f"outside the run's private folder {root}: {outside}"
    users_home = clean_env._SAVED.get("HOME")
    assert users_home is None or not root.is_relative_to(users_home)


UNCONFIGURE_SCRIPT = """
import json, os, sys, types
from pathlib import Path

from tests.clean_env import pytest_configure, pytest_unconfigure

names = ("HOME", "TMPDIR", "IPYTHONDIR", "JUPYTER_RUNTIME_DIR", "XDG_CACHE_HOME")
before = {name: os.environ.get(name) for name in names}
config = types.SimpleNamespace(option=types.SimpleNamespace(basetemp=None))
pytest_configure(config)
root = Path(os.environ["HOME"]).parent
Path(os.environ["HOME"], "written-by-a-test").write_text("x")
Path(os.environ["TMPDIR"], "a-temporary-file").write_text("x")
during = {name: os.environ.get(name) for name in names}
pytest_unconfigure(config)
after = {name: os.environ.get(name) for name in names}
print(json.dumps({"root": str(root), "root_left": root.exists(), "basetemp": config.option.basetemp,
                  "before": before, "during": during, "after": after}))
"""


@pytest.fixture(scope="module")
def unconfigured() -> dict[str, object]:
    """The plugin's configure and unconfigure hooks run in a fresh interpreter, so this run's own
    private folder is left alone."""
    result = subprocess.run(
        [sys.executable, "-c", UNCONFIGURE_SCRIPT],
        cwd=project_root(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_configure_points_every_folder_into_a_fresh_private_folder(
    unconfigured: dict[str, object],
) -> None:
    root = Path(str(unconfigured["root"]))
    during = unconfigured["during"]
    assert isinstance(during, dict)
    assert all(Path(value).is_relative_to(root) for value in during.values()), during
    assert Path(str(unconfigured["basetemp"])).is_relative_to(root)


def test_unconfigure_removes_the_folder_and_gives_the_environment_back(
    unconfigured: dict[str, object],
) -> None:
    assert unconfigured["root_left"] is False
    assert unconfigured["after"] == unconfigured["before"]
