"""Every exercise's expected answer, computed in one place from data/, keyed by its id.

Why a registry: a check cell that reads ``check("03.1", answer_1)`` carries no answer
expression a student could evaluate, the teacher guide's keys and the grader read the same
values, and a notebook's prose never has to print them. Each notebook's exercises live in
``helpers/exercises/eNN.py`` as a list ``EXERCISES`` of :class:`Exercise`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import import_module
from typing import Any

from helpers import selfcheck
from helpers.selfcheck import Feedback

MODULES = ("e01", "e02", "e03", "e04")
Tables = Mapping[str, Any]


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id ("03.1"), its kind (number, date or choice) and how to compute its answer."""

    exercise_id: str
    kind: str
    answer: Callable[[Tables], Any]
    options: tuple[str, ...] = ()
    tolerances: dict[str, Any] = field(default_factory=dict)  # rel_tol, close_tol, abs_tol, close_hint

    def check(self, given: Any, tables: Tables) -> Feedback:
        """Feedback on ``given`` without revealing the answer."""
        expected = self.answer(tables)
        if self.kind == "number":
            return selfcheck.check_number(given, expected, **self.tolerances)
        if self.kind == "date":
            return selfcheck.check_date(given, expected if isinstance(expected, date) else expected.date())
        if self.kind == "choice":
            return selfcheck.check_choice(given, str(expected), self.options)
        raise ValueError(f"exercise {self.exercise_id}: unknown kind {self.kind!r}")


@cache
def registry() -> dict[str, Exercise]:
    """Every exercise of every notebook, by id; a duplicate id is an authoring error."""
    found: dict[str, Exercise] = {}
    for name in MODULES:
        try:
            module = import_module(f"helpers.exercises.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"helpers.exercises.{name}":
                raise
            continue
        for exercise in module.EXERCISES:
            if exercise.exercise_id in found:
                raise ValueError(f"exercise id {exercise.exercise_id!r} is defined twice")
            found[exercise.exercise_id] = exercise
    return found


def _tables(tables: Tables | None) -> Tables:
    if tables is not None:
        return tables
    from helpers.data import load_all

    return load_all()


def expected(exercise_id: str, tables: Tables | None = None) -> Any:
    """The expected answer: for the teacher guide's tests and the grader, never for a notebook."""
    return registry()[exercise_id].answer(_tables(tables))


def check(exercise_id: str, answer: Any, tables: Tables | None = None) -> Feedback:
    """Feedback on a student's answer to one exercise; any input gets feedback, never a traceback."""
    exercises = registry()
    if exercise_id not in exercises:
        return Feedback(False, f"There is no exercise {exercise_id!r}: keep the check cell as it was given.")
    return exercises[exercise_id].check(answer, _tables(tables))


__all__ = ["Exercise", "MODULES", "check", "expected", "registry"]
