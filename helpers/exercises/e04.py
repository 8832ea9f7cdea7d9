"""Notebook 04's exercises: each answer computed once, from data/, never printed in the notebook.

Why here: the check cell reads ``check("04.1", answer_1)``, so the notebook carries no answer
expression a student could evaluate, and the teacher guide's key is tested against these values.
"""

from __future__ import annotations

from datetime import date

from helpers import capacity
from helpers.data import row
from helpers.derived import add_months
from helpers.exercises import Exercise, Tables


def _deadline(t: Tables) -> date:
    """Resolution 2397's adoption date plus its 24 months (F05, F06)."""
    adopted = row(t["resolutions"], "R2397")["adopted"].date()
    return add_months(adopted, row(t["resolution_terms"], "T2397_REPAT")["value"])


def _break_even_from_end_2017(t: Tables) -> float:
    """Seats a week needed to carry the end-2017 count (30,023) by the deadline, whole weeks only."""
    end_2017 = row(t["russia_workers"], "RW_2017_END")
    return float(end_2017["count"]) / capacity.full_weeks(end_2017["as_of"], _deadline(t))


def _share_after_closure_to_carry_all(t: Tables) -> float:
    """The share of weekly seats that would have had to keep running after the closure for all of
    Zakharova's about 1,000 to leave by the final report's count, the other settings at their defaults."""
    remaining, final = row(t["russia_workers"], "RW_2020_JAN"), row(t["russia_workers"], "RW_2020_MAR")
    weekly = capacity.settings_from(t).weekly
    weeks = capacity.full_weeks(remaining["as_of"], final["as_of"])
    before = capacity.full_weeks(remaining["as_of"], capacity.closure_date(t))
    return (float(remaining["count"]) - weekly * before) / (weekly * (weeks - before))


def _weekly_fall_2018(t: Tables) -> float:
    """The average fall a week in permits during 2018: the fall over the exact days / 7."""
    end_2017, end_2018 = row(t["russia_workers"], "RW_2017_END"), row(t["russia_workers"], "RW_2018_END")
    days = (end_2018["as_of"] - end_2017["as_of"]).days
    return float(end_2017["count"] - end_2018["count"]) / (days / 7)


EXERCISES = [
    Exercise("04.1", "number", _break_even_from_end_2017, tolerances={"rel_tol": 0.001}),
    Exercise("04.2", "number", _share_after_closure_to_carry_all,
             tolerances={"rel_tol": 0.005, "close_hint": "Close: did you count the week before the closure?"}),
    Exercise("04.3", "number", _weekly_fall_2018,
             tolerances={"rel_tol": 0.001, "close_hint": "Close: use the exact days ÷ 7 as the weeks, not whole weeks."}),
]
