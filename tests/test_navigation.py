"""Navigation cells and contents lists are current, and adding a notebook takes one command.

The first test runs scripts/navigation.py --check on the repository: it fails when a
notebook was added, renamed or retitled without ``./tasks nav``. The second works on a
copy, so it never rewrites the real notebooks: it adds a notebook and shows that the check
fails, that one run of the script fixes everything, and what the result links to.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "navigation.py"


def run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True, timeout=120)


def test_navigation_is_current():
    result = run(SCRIPT, "--check")
    assert result.returncode == 0, f"navigation is stale, run ./tasks nav: {result.stdout}{result.stderr}"
    assert "navigation is current" in result.stdout


def _copy_of_the_collection(tmp_path: Path) -> Path:
    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPT, tmp_path / "scripts" / "navigation.py")
    shutil.copytree(ROOT / "notebooks", tmp_path / "notebooks", ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    return tmp_path


def test_adding_a_notebook_makes_the_check_fail_until_one_command_is_run(tmp_path: Path):
    copy = _copy_of_the_collection(tmp_path)
    script = copy / "scripts" / "navigation.py"
    assert run(script).returncode == 0  # bring the copy up to date, whatever the repo's state
    assert run(script, "--check").returncode == 0

    new = {
        "cells": [{"cell_type": "markdown", "id": "title", "metadata": {}, "source": "# A new chapter\n\nText."}],
        "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    }
    (copy / "notebooks" / "98-new-chapter.ipynb").write_text(json.dumps(new), encoding="utf-8")
    stale = run(script, "--check")
    assert stale.returncode == 1
    assert "98-new-chapter.ipynb" in stale.stdout and "README.md" in stale.stdout

    assert run(script).returncode == 0
    assert run(script, "--check").returncode == 0
    written = json.loads((copy / "notebooks" / "98-new-chapter.ipynb").read_text(encoding="utf-8"))
    tags = [cell["metadata"].get("tags", []) for cell in written["cells"]]
    assert tags[0] == ["navigation"] and tags[-1] == ["navigation"]
    assert "[Contents](00-start-here.ipynb)" in "".join(written["cells"][0]["source"])
    assert "(notebooks/98-new-chapter.ipynb)" in (copy / "README.md").read_text(encoding="utf-8")
    start = json.loads((copy / "notebooks" / "00-start-here.ipynb").read_text(encoding="utf-8"))
    contents = ["".join(c["source"]) for c in start["cells"] if "contents" in c["metadata"].get("tags", [])]
    assert contents and "[A new chapter](98-new-chapter.ipynb)" in contents[0]
