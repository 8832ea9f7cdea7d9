"""Execute notebooks in place, as they are committed: outputs current, no errors.

Run after changing a notebook or the data (``./tasks execute [NAME ...]``). It executes with
the current environment's kernel from the notebooks/ folder, exactly as nbval does, and
refuses to write a notebook whose run raised an error.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def execute(path: Path) -> float:
    """Execute one notebook in place; return the seconds it took."""
    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    ).execute()
    seconds = time.perf_counter() - started
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    if errors:
        raise SystemExit(f"{path.name}: {errors[0].ename}: {errors[0].evalue}")
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps: noise in every diff, no use to a reader
    nbformat.write(notebook, path)
    return seconds


def main(names: list[str]) -> None:
    paths = [NOTEBOOKS / n for n in names] if names else sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    for path in paths:
        print(f"{path.name}: executed in {execute(path):.1f} s, {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
