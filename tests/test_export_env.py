"""environment.yml alone is enough to export a notebook and build the site (issue 20).

Binder, conda and a JupyterHub image install environment.yml, not the test extras. The
exporter (``jupyter nbconvert --to workers-abroad``, JupyterLab's *Save and Export Notebook
As*) and the site build import nbconvert and nh3; once they came only with ``[test]``, so a
reader's export failed with ModuleNotFoundError. This test builds a fresh venv from
environment.yml's package list alone: pip installs exactly the conda packages it lists
(conda names mapped to PyPI names where they differ), then the collection itself with
``-e . --no-deps`` (no extras, and none of pyproject's dependencies, so a package missing from
environment.yml is missing here too). With that venv it exports notebook 03 as a teacher
does and builds the site, and checks that each page was written.

It downloads from PyPI (or pip's cache), so it is marked ``slow`` and ``install``.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import venv
from pathlib import Path

import pytest
import yaml

pytestmark = [pytest.mark.slow, pytest.mark.install]

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "03-the-visa-surge.ipynb"
#: conda's own entries, not Python packages to install with pip.
CONDA_ONLY = {"python", "pip"}
#: conda-forge names whose PyPI name differs (none of today's packages; add one here when needed).
CONDA_TO_PYPI: dict[str, str] = {}
SPEC_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")
#: Minutes for the installs: a cold pip cache downloads about 150 MB.
INSTALL_TIMEOUT = 1200


def pip_requirements(environment: dict[str, object]) -> list[str]:
    """environment.yml's conda packages as pip requirements, in PyPI names and PEP 440 specs.

    conda's ``=1.2`` (a prefix match) becomes ``==1.2.*``; ``>=``/``<`` and friends are the same.
    """
    requirements = []
    for entry in environment.get("dependencies") or []:
        if isinstance(entry, dict):
            continue  # the pip: section installs the collection, done separately below
        match = SPEC_RE.match(str(entry))
        assert match, f"environment.yml: not a package spec: {entry!r}"
        name, version = match[1], match[2].replace(" ", "")
        if name in CONDA_ONLY:
            continue
        if re.fullmatch(r"=[^=<>!]+", version):
            version = f"=={version[1:]}.*"
        requirements.append(CONDA_TO_PYPI.get(name, name) + version)
    return requirements


def test_requirements_translate_conda_specs():
    """The translation itself, on specs written by hand."""
    environment = {
        "dependencies": ["python=3.11", "pip", "pandas>=3.0", "nh3 =0.2", {"pip": ["-e ."]}]
    }
    assert pip_requirements(environment) == ["pandas>=3.0", "nh3==0.2.*"]


@pytest.fixture(scope="module")
def reader_venv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv holding environment.yml's packages and the collection, nothing else."""
    environment = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    requirements = pip_requirements(environment)
    assert {"nbconvert", "nh3"} <= {re.split(r"[<>=!]", r)[0] for r in requirements}, requirements
    folder = tmp_path_factory.mktemp("env") / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(folder)
    python = folder / "bin" / "python"
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "VIRTUAL_ENV"}}
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "--quiet"]
    for command in (pip + requirements, pip + ["--no-deps", "-e", str(ROOT)]):
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=INSTALL_TIMEOUT, env=env
        )
        assert result.returncode == 0, (
            f"{' '.join(command[4:])[:200]} failed:\n{result.stderr[-3000:]}"
        )
    return folder


def run_in(folder: Path, command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """A command of the venv, run with none of the test run's own packages reachable."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTHONPATH", "VIRTUAL_ENV", "JUPYTER_PATH"}
    }
    env["PATH"] = os.pathsep.join([str(folder / "bin"), env.get("PATH", "")])
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600, env=env)


def test_the_venv_has_no_test_tools(reader_venv: Path):
    """The venv is what environment.yml gives a reader: none of the [test] extra's tools."""
    result = run_in(reader_venv, [str(reader_venv / "bin" / "python"), "-m", "pip", "list"], ROOT)
    installed = {line.split()[0].lower() for line in result.stdout.splitlines()[2:] if line.strip()}
    assert installed & {"pytest", "playwright", "hypothesis", "ruff"} == set(), sorted(installed)
    assert {"nbconvert", "nh3", "workers-abroad"} <= installed, sorted(installed)


def test_a_notebook_exports_with_environment_yml_alone(reader_venv: Path, tmp_path: Path):
    source = tmp_path / NOTEBOOK.name
    shutil.copyfile(NOTEBOOK, source)
    out = tmp_path / "out"
    command = [
        str(reader_venv / "bin" / "jupyter"),
        "nbconvert",
        "--to",
        "workers-abroad",
        str(source),
    ]
    result = run_in(reader_venv, [*command, "--output-dir", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    page = out / NOTEBOOK.with_suffix(".html").name
    assert page.is_file(), result.stderr[-2000:]
    text = page.read_text(encoding="utf-8")
    assert 'class="wa-chart"' in text and "Content-Security-Policy" in text, (
        "not the Workers Abroad page"
    )


def test_the_site_builds_with_environment_yml_alone(reader_venv: Path, tmp_path: Path):
    folders = tmp_path / "notebooks"
    folders.mkdir()
    shutil.copyfile(NOTEBOOK, folders / NOTEBOOK.name)
    out = tmp_path / "site"
    command = [
        str(reader_venv / "bin" / "python"),
        "-m",
        "workers_abroad.publishing.site",
        "--out",
        str(out),
        "--notebooks",
        str(folders),
    ]
    result = run_in(reader_venv, command, ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (out / NOTEBOOK.with_suffix(".html").name).is_file() and (out / "index.html").is_file()
