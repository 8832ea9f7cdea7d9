"""Execute notebooks in place, as they are committed: outputs current, no errors.

Run after changing a notebook or the data (``./tasks execute [NAME ...]``). It executes with
the current environment's kernel from the notebooks/ folder, exactly as nbval does, and
refuses to write a notebook whose run raised an error.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]{32})")


def canonical_widget_ids(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Rename the random widget model ids to ones that follow the notebook's structure.

    nbclient saves widget state under random ids, in the order the comms happened to open,
    so every execution rewrote thousands of lines. Numbering the models in the order a reader
    meets them (the displayed widgets cell by cell, then what each refers to) makes a
    re-execution with unchanged results leave the file unchanged.
    """
    state = notebook.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state")
    if not state:
        return notebook
    order: list[str] = []

    def visit(model_id: str) -> None:
        if model_id in state and model_id not in order:
            order.append(model_id)
            for ref in MODEL_REF.findall(json.dumps(state[model_id], sort_keys=True)):
                visit(ref)

    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                visit(view["model_id"])
    unreached = sorted(set(state) - set(order), key=lambda m: MODEL_REF.sub("", json.dumps(state[m], sort_keys=True)))
    for model_id in unreached:
        visit(model_id)
    text = nbformat.writes(notebook)
    for index, old in enumerate(order, start=1):
        text = text.replace(old, f"{index:032x}")
    renamed = nbformat.reads(text, as_version=4)
    renamed_state = renamed.metadata["widgets"][WIDGET_STATE]
    renamed_state["state"] = dict(sorted(renamed_state["state"].items()))
    return renamed


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
    nbformat.write(canonical_widget_ids(notebook), path)
    return seconds


def notebook_path(name: str) -> Path:
    """A notebook given by name ("01-the-resolution.ipynb") or by path; it must be in notebooks/."""
    path = (NOTEBOOKS / Path(name).name).resolve()
    if not path.is_file():
        raise SystemExit(f"no notebook {Path(name).name!r} in {NOTEBOOKS}")
    return path


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", help="names or paths of notebooks in notebooks/ (default: all)")
    names = parser.parse_args(argv).notebooks
    paths = [notebook_path(n) for n in names] if names else sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    for path in paths:
        print(f"{path.name}: executed in {execute(path):.1f} s, {path.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main(sys.argv[1:])
