"""environment.yml (conda, Binder, JupyterHub) stays in step with pyproject.toml.

Binder's repo2docker reads environment.yml at the repository root unless a binder/ (or
.binder/) folder exists, in which case it reads only that folder: so none may exist. A
classroom image built from environment.yml must install what `pip install .` installs: the
reader's packages, no test tools and no grader.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
#: Conda's own entries that are not Python packages of the project.
CONDA_TOOLING = {"python", "pip"}
_SPEC_RE = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)$")


def normalise(name: str) -> str:
    """PEP 503 name normalisation: jupyterlab_widgets and jupyterlab-widgets are one package."""
    return re.sub(r"[-_.]+", "-", name).lower()


def split_spec(spec: str) -> tuple[str, str]:
    """'pandas>=2.2' -> ('pandas', '>=2.2'); conda's 'python=3.11' -> ('python', '=3.11')."""
    match = _SPEC_RE.match(spec)
    if not match:
        raise ValueError(f"not a package spec: {spec!r}")
    return normalise(match[1]), match[2].replace(" ", "")


def conda_specs(environment: dict[str, Any]) -> tuple[dict[str, str], list[str]]:
    """The conda packages (name -> version spec) and the pip lines of an environment."""
    conda: dict[str, str] = {}
    pip: list[str] = []
    for entry in environment.get("dependencies") or []:
        if isinstance(entry, dict):
            pip += [str(line) for line in entry.get("pip", [])]
        else:
            name, version = split_spec(str(entry))
            if name in conda:
                raise ValueError(f"{name} is listed twice")
            conda[name] = version
    return conda, pip


@pytest.fixture(scope="module")
def environment() -> dict[str, Any]:
    parsed = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    assert isinstance(parsed, dict), "environment.yml must be a mapping"
    return parsed


@pytest.fixture(scope="module")
def pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_environment_parses_with_a_name_and_conda_forge(environment):
    assert environment["name"] == "workers-abroad"
    assert environment["channels"] == ["conda-forge"]


def test_python_is_pinned_and_allowed_by_pyproject(environment, pyproject):
    conda, _ = conda_specs(environment)
    assert "python" in conda, "environment.yml must list python"
    pin = re.fullmatch(r"==?(\d+)\.(\d+)(\.\d+)?", conda["python"])
    assert pin, f"python must be pinned to a version (python=3.x), got {conda['python']!r}"
    floor = re.fullmatch(r">=(\d+)\.(\d+)", pyproject["project"]["requires-python"])
    assert floor, "requires-python is expected as '>=X.Y'"
    assert (int(pin[1]), int(pin[2])) >= (int(floor[1]), int(floor[2])), (
        "the pinned python is older than requires-python"
    )


def test_same_packages_and_versions_as_pyproject(environment, pyproject):
    conda, _ = conda_specs(environment)
    # What a hub or Binder needs: the reader's packages (export menu and projector mode included).
    runtime = dict(split_spec(spec) for spec in pyproject["project"]["dependencies"])
    packages = {name: version for name, version in conda.items() if name not in CONDA_TOOLING}
    assert set(packages) == set(runtime), (
        f"only in environment.yml: {sorted(set(packages) - set(runtime))}; "
        f"only in pyproject.toml: {sorted(set(runtime) - set(packages))}"
    )
    assert packages == runtime, (
        "the version bounds differ between environment.yml and pyproject.toml"
    )


def pip_requirements_error(lines: list[str], folder: Path) -> str | None:
    """What pip says about the pip section, read as conda reads it: a requirements file.

    conda writes the lines to a file and runs ``pip install -U -r`` on it, so a line that
    is a command-line option but not a requirements-file option (``--no-deps``) breaks
    ``conda env create`` and every Binder build.
    """
    from pip._internal.exceptions import RequirementsFileParseError
    from pip._internal.network.session import PipSession
    from pip._internal.req.req_file import parse_requirements

    path = folder / "requirements.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    try:
        list(parse_requirements(str(path), session=PipSession()))
    except (RequirementsFileParseError, SystemExit) as problem:
        return str(problem) or "pip could not parse it"
    return None


def test_pip_section_is_a_valid_requirements_file_installing_only_the_collection(
    environment, tmp_path
):
    """pip installs only the helpers package (editable); every dependency comes from conda-forge."""
    conda, pip = conda_specs(environment)
    assert "pip" in conda
    error = pip_requirements_error(pip, tmp_path)
    assert error is None, f"environment.yml's pip section is not a valid requirements file: {error}"
    requirements = [
        line.strip() for line in pip if line.strip() and not line.strip().startswith("#")
    ]
    assert requirements == ["-e ."], (
        f"pip should install only the collection itself, got {requirements}"
    )


def test_no_binder_folder_shadows_environment_yml():
    for folder in ("binder", ".binder"):
        assert not (ROOT / folder).exists(), (
            f"{folder}/ would make repo2docker ignore environment.yml"
        )
    assert (ROOT / "environment.yml").is_file()
