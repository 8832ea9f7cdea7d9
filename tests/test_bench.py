"""The benchmark reads the notebooks' own helper imports (speed itself is
measured, never asserted)."""

from __future__ import annotations

from pathlib import Path

import nbformat

from tools.bench import helper_imports


def test_helper_imports_are_read_from_code_cells_as_written(tmp_path: Path) -> None:
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_markdown_cell("from helpers import not_code"),
            nbformat.v4.new_code_cell(
                "%matplotlib inline\nimport pandas as pd\nfrom helpers import data, plots"
            ),
            nbformat.v4.new_code_cell(
                "import helpers.selfcheck\nfrom helpers.exercises import check\nimport plotly"
            ),
            nbformat.v4.new_code_cell(
                "def f(:\n    pass"
            ),  # a cell that does not parse is skipped, not fatal
        ]
    )
    path = tmp_path / "01-x.ipynb"
    nbformat.write(notebook, path)
    assert helper_imports(path) == [
        "from helpers import data, plots",
        "import helpers.selfcheck",
        "from helpers.exercises import check",
    ]
