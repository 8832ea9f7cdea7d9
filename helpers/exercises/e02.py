"""Notebook 02's exercises: each answer computed once, from data/, by the row ids the notebook uses.

Why here and not in the notebook: the check cell reads ``check("02.1", answer_1)``, so the
answer expression is nowhere a student can evaluate it, and the teacher guide's key and the
grader read the same value.
"""

from __future__ import annotations

from helpers.data import row
from helpers.exercises import Exercise, Tables

MONTHS_PER_YEAR = 12
#: "To the nearest dollar" or "how many workers": only a whole-number rounding is right, so
#: the relative tolerance is zero and half a unit either side is accepted.
NEAREST_WHOLE = {"rel_tol": 0.0, "abs_tol": 0.5}


def _low(tables: Tables, estimate_id: str) -> float:
    return float(row(tables["worker_estimates"], estimate_id)["low"])


def _state_revenue_per_worker_per_month(tables: Tables) -> float:
    """F10: what Pyongyang earned a year (more than 500 million dollars) over nearly 100,000 workers, per month.

    State revenue per worker, not pay: the source says Pyongyang was earning it.
    """
    return _low(tables, "WE_US_2020_USD") / _low(tables, "WE_US_2020_WORLD") / MONTHS_PER_YEAR


def _reuters_split_excess(tables: Tables) -> float:
    """F11's China + Russia, minus the 100,000 total of the same US line (F10)."""
    parts = _low(tables, "WE_REUTERS_2019_CHINA") + _low(tables, "WE_REUTERS_2019_RUSSIA")
    return parts - _low(tables, "WE_US_2020_WORLD")


def _pay_implied_by_experts_low_end(tables: Tables) -> float:
    """F12 read as the US line is: the experts' low end as state revenue from the State Department's
    about 100,000 workers (same report, S12), divided by the share ASSUMPTION to give yearly pay."""
    share = float(row(tables["assumptions"], "A_SHARE_TO_STATE")["default"])
    per_worker = _low(tables, "WE_EXPERTS_2019_USD") / _low(tables, "WE_STATE_2019_WORLD")
    return per_worker / share


EXERCISES = [
    Exercise("02.1", "number", _state_revenue_per_worker_per_month, tolerances=NEAREST_WHOLE),
    Exercise("02.2", "number", _reuters_split_excess,
             tolerances={**NEAREST_WHOLE, "close_hint": "Close: add the two parts, then subtract the total."}),
    Exercise("02.3", "number", _pay_implied_by_experts_low_end, tolerances=NEAREST_WHOLE),
]
