"""The executed-notebooks check (``python -m tools.execute --check``, run by pre-commit).

Strict nbval compares each cell with its committed output, so a notebook committed without
outputs, or with an error output, must be refused before it is committed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from tools.execute import merge_streams, unexecuted_cells

ROOT = Path(__file__).resolve().parent.parent


def check(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tools.execute", "--check", *map(str, paths)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _executed_cell(source: str, count: int) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source, execution_count=count)
    cell.outputs = [
        nbformat.v4.new_output("execute_result", {"text/plain": "2"}, execution_count=count)
    ]
    return cell


def test_the_committed_notebooks_are_executed():
    result = check()
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_unexecuted_notebook_fails_naming_the_cell(tmp_path: Path):
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("# Title"),
            _executed_cell("1 + 1", 1),
            nbformat.v4.new_code_cell("2 + 2"),  # saved without running: no execution_count
            nbformat.v4.new_code_cell(""),  # an empty cell needs no run
        ]
    )
    path = tmp_path / "01-unexecuted.ipynb"
    nbformat.write(notebook, path)
    result = check(path)
    assert result.returncode == 1
    assert "01-unexecuted.ipynb cell 2: never executed" in result.stdout
    assert "cell 3" not in result.stdout and "cell 1:" not in result.stdout


def test_an_error_output_fails(tmp_path: Path):
    cell = _executed_cell("1 / 0", 1)
    cell.outputs = [
        nbformat.v4.new_output(
            "error", ename="ZeroDivisionError", evalue="division by zero", traceback=[]
        )
    ]
    path = tmp_path / "02-error.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), path)
    assert unexecuted_cells(path) == [
        "02-error.ipynb cell 0: error output ZeroDivisionError: division by zero"
    ]
    assert check(path).returncode == 1


def test_an_executed_notebook_passes_and_a_missing_one_does_not(tmp_path: Path):
    path = tmp_path / "03-fine.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[_executed_cell("1 + 1", 1)]), path)
    assert check(path).returncode == 0
    assert check(tmp_path / "04-missing.ipynb").returncode != 0


@pytest.mark.kernel
def test_re_execution_is_byte_identical(tmp_path: Path):
    # Widgets get random model ids and nbclient stamps every cell with timestamps: without
    # canonical ids and without the stamps, every run would rewrite the file.
    from tools.execute import WIDGET_STATE, execute

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                "import ipywidgets as w\nw.VBox([w.IntSlider(value=3), w.HTML('<b>x</b>')])"
            ),
            nbformat.v4.new_code_cell("print(1 + 1)"),
        ]
    )
    path = tmp_path / "01-widgets.ipynb"
    nbformat.write(notebook, path)
    execute(path)
    first = path.read_bytes()
    execute(path)
    assert path.read_bytes() == first
    saved = nbformat.read(path, as_version=4)
    assert all("execution" not in cell.metadata for cell in saved.cells)
    state = saved.metadata["widgets"][WIDGET_STATE]["state"]
    assert len(state) >= 3  # the box, the slider, the HTML (and their layouts and styles)
    assert sorted(state) == [f"{i:032x}" for i in range(1, len(state) + 1)]
    assert unexecuted_cells(path) == []


@pytest.mark.kernel
def test_a_notebook_whose_run_fails_is_not_written(tmp_path: Path):
    from tools.execute import execute

    path = tmp_path / "02-fails.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")]), path)
    before = path.read_bytes()
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        execute(path)
    assert path.read_bytes() == before


def test_a_print_split_into_two_stream_messages_is_written_as_one_output() -> None:
    """On a busy machine the kernel may send a print's text and its line end separately;
    the written notebook must not depend on that (a second run stays byte-identical)."""
    cell = nbformat.v4.new_code_cell(
        "print('a'); print('b', file=sys.stderr); print('c')", execution_count=1
    )
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="22 Dec 2019"),
        nbformat.v4.new_output("stream", name="stdout", text="\n"),
        nbformat.v4.new_output("stream", name="stderr", text="b\n"),
        nbformat.v4.new_output("stream", name="stdout", text="c\n"),
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell, nbformat.v4.new_markdown_cell("text")])
    merged = merge_streams(notebook).cells[0].outputs
    assert [(o["name"], o["text"]) for o in merged] == [
        ("stdout", "22 Dec 2019\n"),
        ("stderr", "b\n"),
        ("stdout", "c\n"),
    ]
