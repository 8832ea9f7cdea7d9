"""Student handouts: the notebooks with every answer reset, data/, and helpers/ without the answers.

Usage, from the repository root (``./tasks student`` runs this)::

    python -m tools.student              # writes build/student/ and build/student.zip
    python -m tools.student handout/     # or another folder (and handout.zip beside it)

What a teacher hands out is the folder or the zip, whole: ``notebooks/`` (answer lines back to
``...``, no outputs, each exercise's precision stated), ``data/``, and ``helpers/``, whose
``exercises.py`` is replaced by self-checks that hold salted hashes instead of answers
(``tools.handout``). Why the notebooks are searched too: the collection's notebooks are committed
executed, so a check cell carries the output of its last run; a copy is searched for the
registry's expected values (rounded, with thousands separators, as a percentage, a date in the
usual spellings) in the cells around each exercise, and the whole handout for any file showing
one. A handout in which one is found is not written: the command names the exercise and the file.
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
from tools.notebooks import ROOT

#: How many cells above an exercise's check cell are searched for its answer.
NEAR = 4
OUT = ROOT / "build" / "student"


def reset_answer(source: str, variable: str) -> str:
    """``answer_1 = 3.96  # your number`` -> ``answer_1 = ...  # your number`` (comment kept)."""
    pattern = re.compile(
        rf"^(?P<head>{re.escape(variable)}\s*=\s*)(?P<value>[^#\n]*?)(?P<tail>\s*#.*)?$", re.M
    )
    return pattern.sub(lambda m: f"{m['head']}...{m['tail'] or ''}", source)


def answer_cell(notebook: nbformat.NotebookNode, exercise: ExerciseCell) -> int:
    """The cell assigning the exercise's variable: the check cell itself or the nearest above."""
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


def answer_pattern(forms: set[str]) -> re.Pattern[str]:
    """A search for any of ``forms`` standing as a number of its own: not the 3.96 inside 13.96,
    3.961 or 3.96%, so a longer figure that merely contains an answer is not called a leak. The
    longest form is tried first, so a hit names the whole spelling found. The notebooks' search
    here and the whole handout's (``tools.handout.leaks_in_tree``) share it, so both call the
    same text a leak."""
    return re.compile(
        r"(?<![\w.,])("
        + "|".join(map(re.escape, sorted(forms, key=len, reverse=True)))
        + r")(?![\w%]|[.,]\d)"
    )


def answer_leaks(notebook: nbformat.NotebookNode, tables: Any = None) -> list[str]:
    """Each place near an exercise showing its expected value, as 'exercise id, cell n: text'."""
    from helpers.exercises import expected

    leaks = []
    for exercise in find_exercises(notebook):
        shown = renderings(expected(exercise.exercise_id, tables))
        if not shown:
            continue
        pattern = answer_pattern(shown)
        start = max(0, answer_cell(notebook, exercise) - NEAR)
        for index in range(start, exercise.cell + 1):
            hit = pattern.search(cell_text(notebook.cells[index]))
            if hit:
                leaks.append(
                    f"exercise {exercise.exercise_id}, cell {index}: shows {hit.group(1)!r}"
                )
    return leaks


def main(argv: list[str] | None = None) -> None:
    from tools.handout import build_handout

    parser = argparse.ArgumentParser(
        prog="./tasks student", description="Write the student handout: a folder and a zip."
    )
    parser.add_argument(
        "out", nargs="?", type=Path, default=OUT, help=f"folder to write into (default {OUT})"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    folder, archive = build_handout(args.out)
    notebooks = sorted((folder / "notebooks").glob("*.ipynb"))
    print(f"Wrote the handout to {folder} and {archive}:")
    for path in notebooks:
        print(
            f"  notebooks/{path.name}: "
            f"{len(find_exercises(nbformat.read(path, as_version=4)))} exercise(s)"
        )
    print("  data/, helpers/ (self-checks hold no answer), README.txt")


if __name__ == "__main__":
    main()
