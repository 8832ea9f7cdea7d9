"""The exercises as a notebook asks them, and a student's copy that gives none of them away.

Why a module of its own: the grader finds a submission's exercises by their check cells, the
handout resets every answer and searches what it writes for a leaked answer, and ``./tasks
student`` does both; each used to import the others. This is the part they share, so the grader
and the handout import it and neither imports the other's command.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from workers_abroad.publishing.notebooks import NOTEBOOKS_DIR, notebook_paths

#: A check cell: ``check("03.1", answer_1)``: the id and the answer variable, all the grader needs.
CHECK_RE = re.compile(
    r"""\bcheck\(\s*["'](?P<id>\d\d\.\w+)["']\s*,\s*(?P<name>[A-Za-z_]\w*)\s*[,)]"""
)
#: How many cells above an exercise's check cell are searched for its answer.
NEAR = 4


@dataclass(frozen=True)
class ExerciseCell:
    """One exercise as a notebook asks it: its id, answer variable and check cell's index."""

    exercise_id: str
    variable: str
    cell: int


def find_exercises(notebook: nbformat.NotebookNode) -> list[ExerciseCell]:
    """The exercises of a notebook, found by their check cells (not by position, which changes)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            found += [
                ExerciseCell(m["id"], m["name"], index) for m in CHECK_RE.finditer(cell.source)
            ]
    return found


def collection_exercises(folder: Path = NOTEBOOKS_DIR) -> dict[str, list[ExerciseCell]]:
    """Each collection notebook's stem mapped to its exercises (notebooks without any left out)."""
    table = {}
    for path in notebook_paths(folder):
        exercises = find_exercises(nbformat.read(path, as_version=4))
        if exercises:
            table[path.stem] = exercises
    return table


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
    here and the whole handout's (``handout.leaks_in_tree``) share it, so both call the same
    text a leak."""
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
