"""Notebook 03's exercises: each expected answer computed once, from data/, never typed.

Why here and not in the notebook: the check cell reads ``check("03.1", answer_1)``, so a
student cannot evaluate the answer expression, and the teacher guide's key and the grader
read the same value. Every exercise compares like with like: a flow with a flow.
"""

from __future__ import annotations

from helpers.data import row
from helpers.exercises import Exercise, Tables


def _visa_count(tables: Tables, period: str, category: str) -> int:
    """Visas of one category issued in one period; KeyError when the data give none (missing is not zero)."""
    visas = tables["visas"]
    hits = visas[(visas["period"] == period) & (visas["category"] == category)]
    if len(hits) != 1:
        raise KeyError(f"visas.csv: expected one {category} row for {period!r}, found {len(hits)}")
    return int(hits["count"].iloc[0])


def fold_change_students(tables: Tables) -> float:
    """03.1: student visas of 2019 divided by those of 2018 (how many times as many)."""
    return _visa_count(tables, "2019", "student") / _visa_count(tables, "2018", "student")


def share_matching_presanctions_low(tables: Tables) -> float:
    """03.2: the share of 2019's additional tourist visas that would equal the low end of the
    pre-sanctions visa volume (visas a year, mostly for work). Both are flows of visas per year."""
    extra = _visa_count(tables, "2019", "tourist") - _visa_count(tables, "2018", "tourist")
    if extra <= 0:
        raise ValueError("tourist visas did not rise from 2018 to 2019: no additional visas to take a share of")
    return int(row(tables["entries"], "EN_PRESANCTIONS_VISAS")["low"]) / extra


def kind_of_new_registrations(tables: Tables) -> str:
    """03.3: a figure counted over a period (date_precision "period") is a flow; one on a day is a stock."""
    return "flow" if row(tables["russia_workers"], "RW_NEW_REG")["date_precision"] == "period" else "stock"


EXERCISES = [
    Exercise("03.1", "number", fold_change_students, tolerances={"rel_tol": 0.005}),
    # close_tol: a rounding slip at two decimals (0.81, 0.83) is "close"; 0.79, the old flow-over-stock answer, is not.
    Exercise("03.2", "number", share_matching_presanctions_low, tolerances={"rel_tol": 0.005, "close_tol": 0.015}),
    Exercise("03.3", "choice", kind_of_new_registrations, options=("stock", "flow")),
]
