"""Student copies of the notebooks: the exercises as given, nothing that reveals an answer.

Usage, from the repository root (``./tasks student`` runs this)::

    python -m tools.student              # writes build/student/NN-*.ipynb
    python -m tools.student handout/     # or into another folder

Why a separate copy: the collection's notebooks are committed executed (strict nbval compares
their outputs), so a check cell carries the output of its last run; a teacher who tried an
answer in their own copy would hand that answer out too. A student copy resets every answer
line to its ``...`` placeholder, clears the outputs of the answer and check cells, and is then
searched for the registry's expected values (as a number would be printed: rounded, with
thousands separators, as a percentage; a date in the usual spellings) in the cells just above
each exercise and in its own cells. A copy in which one is found is not written: the command
names the exercise and the cell instead.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

import nbformat

from tools.grade import ExerciseCell, find_exercises
from tools.notebooks import NOTEBOOKS_DIR, ROOT, notebook_paths

#: How many cells above an exercise's check cell are searched for its answer.
NEAR = 4
OUT = ROOT / "build" / "student"


def reset_answer(source: str, variable: str) -> str:
    """``answer_1 = 3.96  # your number`` -> ``answer_1 = ...  # your number`` (comment kept)."""
    pattern = re.compile(rf"^(?P<head>{re.escape(variable)}\s*=\s*)(?P<value>[^#\n]*?)(?P<tail>\s*#.*)?$", re.M)
    return pattern.sub(lambda m: f"{m['head']}...{m['tail'] or ''}", source)


def answer_cell(notebook: nbformat.NotebookNode, exercise: ExerciseCell) -> int:
    """The cell that assigns the exercise's variable: the check cell itself or the nearest above it."""
    assigns = re.compile(rf"^{re.escape(exercise.variable)}\s*=", re.M)
    for index in range(exercise.cell, -1, -1):
        cell = notebook.cells[index]
        if cell.cell_type == "code" and assigns.search(cell.source):
            return index
    return exercise.cell


def student_copy(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy with every answer back to ``...`` and no output left on answer or check cells."""
    result = copy.deepcopy(notebook)
    for exercise in find_exercises(result):
        for index in {exercise.cell, answer_cell(result, exercise)}:
            cell = result.cells[index]
            cell.source = reset_answer(cell.source, exercise.variable)
            cell.outputs, cell.execution_count = [], None
    return result


def renderings(value: Any) -> set[str]:
    """The ways a notebook might print ``value``: what a leak would look like."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value.day
        return {
            value.isoformat(),
            f"{day} {value:%B %Y}",
            f"{value:%B} {day}, {value.year}",
            f"{day} {value:%b} {value.year}",
        }
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return set()  # a choice: its options are named in the question itself
    number = float(value)
    found = set()
    if number.is_integer():
        found |= {f"{number:.0f}", f"{number:,.0f}"}
    for places in (1, 2, 3):
        found |= {f"{number:.{places}f}", f"{number:,.{places}f}"}
    if 0 < abs(number) < 1:
        found |= {f"{number * 100:.{places}f}%" for places in (0, 1)} | {f"{number * 100:.1f} %"}
    return {text for text in found if text.strip("0.,%-") != ""}


def cell_text(cell: nbformat.NotebookNode) -> str:
    """A cell's source and the text of its outputs (what a student sees)."""
    parts = [cell.source]
    for output in cell.get("outputs", []):
        if "text" in output:
            parts.append(str(output["text"]))
        for mime, data in output.get("data", {}).items():
            if mime.startswith("text/"):
                parts.append("".join(data) if isinstance(data, list) else str(data))
    return "\n".join(parts)


def answer_leaks(notebook: nbformat.NotebookNode, tables: Any = None) -> list[str]:
    """Each place near an exercise where its expected value is shown, as 'exercise id, cell n: text'."""
    from helpers.exercises import expected

    leaks = []
    for exercise in find_exercises(notebook):
        shown = renderings(expected(exercise.exercise_id, tables))
        if not shown:
            continue
        pattern = re.compile(
            r"(?<![\w.,])(" + "|".join(map(re.escape, sorted(shown, key=len, reverse=True))) + r")(?![\w%]|[.,]\d)"
        )
        start = max(0, answer_cell(notebook, exercise) - NEAR)
        for index in range(start, exercise.cell + 1):
            hit = pattern.search(cell_text(notebook.cells[index]))
            if hit:
                leaks.append(f"exercise {exercise.exercise_id}, cell {index}: shows {hit.group(1)!r}")
    return leaks


def write_copies(out: Path, folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Write a student copy of every notebook into ``out``; refuse (SystemExit) if one would leak."""
    copies = {path.name: student_copy(nbformat.read(path, as_version=4)) for path in notebook_paths(folder)}
    leaks = [f"{name}: {leak}" for name, notebook in copies.items() for leak in answer_leaks(notebook)]
    if leaks:
        raise SystemExit("student: not written, an answer would be shown:\n  " + "\n  ".join(leaks))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, notebook in copies.items():
        nbformat.write(notebook, out / name)
        written.append(out / name)
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="./tasks student", description="Write student copies of the notebooks.")
    parser.add_argument("out", nargs="?", type=Path, default=OUT, help=f"folder to write into (default {OUT})")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    written = write_copies(args.out)
    print(f"Wrote {len(written)} student copies to {args.out}:")
    for path in written:
        print(f"  {path.name}: {len(find_exercises(nbformat.read(path, as_version=4)))} exercise(s)")


if __name__ == "__main__":
    main()
