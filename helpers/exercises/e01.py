"""Notebook 01's exercises: each answer computed once, from data/, for the checks, the guide and the grader.

Why here and not in the notebook: a check cell that reads ``check("01.B", answer_b)`` gives a
student nothing to evaluate, while the answer still follows from the tables, never typed.
"""

from __future__ import annotations

from datetime import date

from helpers.data import row
from helpers.derived import add_months
from helpers.exercises import Exercise, Tables


def _adopted(tables: Tables, provision_id: str) -> date:
    return row(tables["resolutions"], provision_id)["adopted"].date()


def _months(tables: Tables, term_id: str) -> int:
    return int(row(tables["resolution_terms"], term_id)["value"])


def _hypothetical_midterm_2321(tables: Tables) -> date:
    """A: 2321's adoption moved by paragraph 8's midterm term, the month-end trap (2321 had no such term)."""
    return add_months(_adopted(tables, "R2321"), _months(tables, "T2397_MIDTERM"))


def _days_to_write_midterm(tables: Tables) -> int:
    """B: calendar days from the end of the period the midterm report covers to its due date."""
    adopted = _adopted(tables, "R2397")
    covered = add_months(adopted, _months(tables, "T2397_MIDTERM_COVERS"))
    due = add_months(adopted, _months(tables, "T2397_MIDTERM"))
    return (due - covered).days


def _shortest_step(tables: Tables) -> str:
    """C: the resolution whose provision was the newest for the fewest days before the next one came."""
    steps = tables["resolutions"].sort_values("adopted")
    days_newest = (steps["adopted"].shift(-1) - steps["adopted"]).dt.days
    return str(steps.loc[days_newest.idxmin(), "resolution"])


COUNTING_HINT = ("Close, but off by a day: count as Python does, (end - start).days, which counts the due date "
                 "and not the first date. Did you count both ends, or neither?")

EXERCISES = [
    Exercise("01.A", "date", _hypothetical_midterm_2321),
    Exercise("01.B", "number", _days_to_write_midterm,
             tolerances={"rel_tol": 0.0, "close_tol": 0.012, "close_hint": COUNTING_HINT}),
    Exercise("01.C", "choice", _shortest_step, options=("2321", "2371", "2375", "2397")),
]
