"""Navigation cells and contents lists are current, and adding a notebook takes one command.

The first test runs ``python -m tools.navigation --check`` on the repository: it fails when a
notebook was added, renamed or retitled without ``./tasks nav``. The next work on a copy
(``--root``, calling main() in this process), so they never rewrite the real notebooks: they
add a notebook and show that the check fails, that one run fixes everything, and what the
result links to. The last tests
cover ``workers_abroad.publishing.notebooks``, the one list of notebooks and title reader
every tool uses.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from tools import navigation
from workers_abroad.publishing.notebooks import first_heading, notebook_paths

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    returncode: int
    stdout: str


def test_navigation_is_current():
    # As ./tasks and the pre-commit hook run it: a module, from the repository root.
    result = subprocess.run(
        [sys.executable, "-m", "tools.navigation", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, (
        f"navigation is stale, run ./tasks nav: {result.stdout}{result.stderr}"
    )
    assert "navigation is current" in result.stdout


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    """tools.navigation's main() in this process (a subprocess per call would pay nbformat's import
    each time)."""

    def call(*args: str) -> Run:
        code = navigation.main(list(args))
        return Run(code, capsys.readouterr().out)

    return call


def _copy_of_the_collection(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "notebooks",
        tmp_path / "notebooks",
        ignore=shutil.ignore_patterns(".ipynb_checkpoints"),
    )
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    return tmp_path


def test_adding_a_notebook_makes_the_check_fail_until_one_command_is_run(tmp_path: Path, run):
    copy = _copy_of_the_collection(tmp_path)
    root = ("--root", str(copy))
    assert run(*root).returncode == 0  # bring the copy up to date, whatever the repo's state
    assert run("--check", *root).returncode == 0

    new = {
        "cells": [
            {
                "cell_type": "markdown",
                "id": "title",
                "metadata": {},
                "source": "# A new chapter\n\nText.",
            }
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (copy / "notebooks" / "98-new-chapter.ipynb").write_text(json.dumps(new), encoding="utf-8")
    stale = run("--check", *root)
    assert stale.returncode == 1
    assert "98-new-chapter.ipynb" in stale.stdout and "README.md" in stale.stdout

    assert run(*root).returncode == 0
    assert run("--check", *root).returncode == 0
    written = json.loads((copy / "notebooks" / "98-new-chapter.ipynb").read_text(encoding="utf-8"))
    tags = [cell["metadata"].get("tags", []) for cell in written["cells"]]
    assert tags[0] == ["navigation"] and tags[-1] == ["navigation"]
    assert "[Contents](00-start-here.ipynb)" in "".join(written["cells"][0]["source"])
    assert "(notebooks/98-new-chapter.ipynb)" in (copy / "README.md").read_text(encoding="utf-8")
    start = json.loads((copy / "notebooks" / "00-start-here.ipynb").read_text(encoding="utf-8"))
    contents = [
        "".join(c["source"]) for c in start["cells"] if "contents" in c["metadata"].get("tags", [])
    ]
    assert contents and "[A new chapter](98-new-chapter.ipynb)" in contents[0]


def test_a_notebook_without_a_title_is_named(tmp_path: Path, run):
    copy = _copy_of_the_collection(tmp_path)
    untitled = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("No heading here.")])
    nbformat.write(untitled, copy / "notebooks" / "97-untitled.ipynb")
    with pytest.raises(SystemExit, match="97-untitled.ipynb: no '# Title' heading"):
        run("--check", "--root", str(copy))


def test_notebook_paths_are_in_reading_order_and_refuse_a_misnamed_file(tmp_path: Path):
    for name in ("02-b.ipynb", "00-a.ipynb", "10-c.ipynb"):
        (tmp_path / name).write_text("{}", encoding="utf-8")
    assert [p.name for p in notebook_paths(tmp_path)] == ["00-a.ipynb", "02-b.ipynb", "10-c.ipynb"]
    (tmp_path / "Untitled.ipynb").write_text("{}", encoding="utf-8")
    with pytest.raises(ValueError, match="Untitled.ipynb"):
        notebook_paths(tmp_path)


def test_first_heading_skips_navigation_and_reads_paths_or_notebooks(tmp_path: Path):
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell(
                "# Not this: navigation", metadata={"tags": ["navigation"]}
            ),
            nbformat.v4.new_code_cell("# a comment, not a heading"),
            nbformat.v4.new_markdown_cell("Intro.\n# The real title\n## A section"),
        ]
    )
    assert first_heading(notebook) == "The real title"
    path = tmp_path / "05-x.ipynb"
    nbformat.write(notebook, path)
    assert first_heading(path) == first_heading(str(path)) == "The real title"
