"""Execute notebooks in place, as they are committed: outputs current, no errors.

Run after changing a notebook or the data (``python -m tools.execute [NAME ...]`` or
``./tasks execute``). It executes with the current environment's kernel from the notebooks/
folder, exactly as nbval does, refuses to write a notebook whose run raised an error, and
writes byte-identical files when nothing changed (widget ids follow the notebook's
structure, no execution timestamps).

``--check`` executes nothing: it exits 1 naming every committed notebook with a code cell
that was never run or that holds an error output. Strict nbval compares against the
committed outputs, so a notebook saved unexecuted would pass nothing (the pre-commit hook
runs this check; outputs are never stripped).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from workers_abroad.publishing.notebooks import NOTEBOOKS_DIR, notebook_paths

if TYPE_CHECKING:
    import nbformat

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
    unreached = sorted(
        set(state) - set(order),
        key=lambda m: MODEL_REF.sub("", json.dumps(state[m], sort_keys=True)),
    )
    for model_id in unreached:
        visit(model_id)
    import nbformat

    text = nbformat.writes(notebook)
    for index, old in enumerate(order, start=1):
        text = text.replace(old, f"{index:032x}")
    renamed = nbformat.reads(text, as_version=4)
    renamed_state = renamed.metadata["widgets"][WIDGET_STATE]
    renamed_state["state"] = dict(sorted(renamed_state["state"].items()))
    return renamed


def merge_streams(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Join each run of consecutive stream outputs of one name (stdout, stderr) into one output.

    Why: the kernel sends a print's text and its line end in one message or in two, as the
    machine's load decides, so without this an unchanged notebook could be rewritten on a busy
    machine. What a reader sees, and what nbval compares, is the same text either way.
    """
    for cell in notebook.cells:
        merged: list = []
        for output in cell.get("outputs", []):
            previous = merged[-1] if merged else None
            same_stream = previous is not None and previous.get("output_type") == "stream"
            if (
                same_stream
                and output.get("output_type") == "stream"
                and previous.get("name") == output.get("name")
            ):
                previous["text"] = previous["text"] + output["text"]
            else:
                merged.append(output)
        if "outputs" in cell:
            cell.outputs = merged
    return notebook


def execute(path: Path) -> float:
    """Execute one notebook in place; return the seconds it took."""
    import nbformat  # imported here: --check must stay fast enough for a pre-commit hook
    from nbclient import NotebookClient

    from workers_abroad.publishing.kernels import notebook_client_options

    notebook = nbformat.read(path, as_version=4)
    started = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
        **notebook_client_options(),
    ).execute()
    seconds = time.perf_counter() - started
    errors = [
        o
        for c in notebook.cells
        if c.cell_type == "code"
        for o in c.outputs
        if o.output_type == "error"
    ]
    if errors:
        raise SystemExit(f"{path.name}: {errors[0].ename}: {errors[0].evalue}")
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps: noise in every diff, no use to a reader
    nbformat.write(canonical_widget_ids(merge_streams(notebook)), path)
    return seconds


def unexecuted_cells(path: Path) -> list[str]:
    """Why ``path`` is not committed as executed: one "NAME cell N: reason" per bad code cell."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for index, cell in enumerate(notebook.get("cells", [])):
        source = cell.get("source", "")
        if cell.get("cell_type") != "code" or not "".join(source).strip():
            continue
        if cell.get("execution_count") is None:
            problems.append(f"{path.name} cell {index}: never executed (no execution_count)")
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                error = f"{output.get('ename')}: {output.get('evalue')}"
                problems.append(f"{path.name} cell {index}: error output {error}")
    return problems


def notebook_path(name: str) -> Path:
    """A notebook given by name ("01-the-resolution", with or without ".ipynb") or by path; it
    must be in notebooks/."""
    path = (NOTEBOOKS_DIR / Path(name).with_suffix(".ipynb").name).resolve()
    if not path.is_file():
        raise SystemExit(f"no notebook {Path(name).name!r} in {NOTEBOOKS_DIR}")
    return path


def check_executed(names: list[str]) -> int:
    """``--check``: 1 if a notebook has a code cell never run or an error output, else 0. Names
    are taken as paths as given (pre-commit passes the staged files); a missing file is an
    error, not a pass."""
    paths = [Path(name) for name in names] if names else notebook_paths()
    missing = [str(path) for path in paths if not path.is_file()]
    if missing:
        raise SystemExit(f"no such notebook: {', '.join(missing)}")
    problems = [problem for path in paths for problem in unexecuted_cells(path)]
    for problem in problems:
        print(problem)
    if problems:
        print("execute them with: python -m tools.execute NAME ...")
        return 1
    print(f"{len(paths)} notebook(s) executed, no error outputs")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebooks", nargs="*", help="names or paths of notebooks in notebooks/ (default: all)"
    )
    check_help = "execute nothing; exit 1 if a code cell was never run or holds an error output"
    parser.add_argument("--check", action="store_true", help=check_help)
    args = parser.parse_args(argv)
    if args.check:
        return check_executed(args.notebooks)
    paths = [notebook_path(n) for n in args.notebooks] if args.notebooks else notebook_paths()
    for path in paths:
        print(
            f"{path.name}: executed in {execute(path):.1f} s, {path.stat().st_size / 1024:.0f} KB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
