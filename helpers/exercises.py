"""Every exercise's expected answer, computed once from data/ and keyed by its id ("03.1",
notebook.exercise).

Why: a check cell ``check("03.1", answer_1)`` carries no answer expression a student could
evaluate, and the answer keys (docs/answer-keys.md, checked by tests/test_exercises.py) and the
grader (workers_abroad/classroom/grade.py) read the same values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from helpers import capacity, selfcheck
from helpers.data import DataValidationError, load_all
from helpers.derived import months_after, repatriation_deadline
from helpers.selfcheck import Feedback

Tables = Mapping[str, Any]


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id, its kind (number, date or choice) and how to compute its answer from
    the tables."""

    exercise_id: str
    kind: str
    answer: Callable[[Tables], Any]
    options: tuple[str, ...] = ()
    #: rel_tol, close_tol, abs_tol, close_hint
    tolerances: dict[str, Any] = field(default_factory=dict)
    #: The decimal places the question asks for (numbers only): what a handout's hashed check
    #: rounds to.
    places: int | None = None

    def check(self, given: Any, tables: Tables) -> Feedback:
        """Feedback on ``given`` without revealing the answer."""
        expected = self.answer(tables)
        if self.kind == "number":
            return selfcheck.check_number(given, expected, **self.tolerances)
        if self.kind == "date":
            return selfcheck.check_date(
                given, expected if isinstance(expected, date) else expected.date()
            )
        return selfcheck.check_choice(given, str(expected), self.options)


def _midterm_report_of_2321(t: Tables) -> date:
    """01.1: paragraph 8's midterm term counted from resolution 2321's adoption instead."""
    return months_after(t, "R2321", "T2397_MIDTERM")


def _days_from_covered_to_midterm(t: Tables) -> int:
    """01.2: the days between the end of what the midterm report covers and its due date."""
    due = months_after(t, "R2397", "T2397_MIDTERM")
    covered = months_after(t, "R2397", "T2397_MIDTERM_COVERS")
    return (due - covered).days


def _shortest_step(t: Tables) -> str:
    """01.3: the resolution whose provision was the newest for the fewest days before the next
    one came."""
    steps = t["resolutions"].sort_values("adopted")
    return str(
        steps.loc[(steps["adopted"].shift(-1) - steps["adopted"]).dt.days.idxmin(), "resolution"]
    )


COUNTING_HINT = (
    "Close, but off by a day: count as Python does, (end - start).days, which counts the due date "
    "and not the first date. Did you count both ends, or neither?"
)


def _low(t: Tables, estimate_id: str) -> float:
    return float(t["worker_estimates"].loc[estimate_id, "low"])


def _revenue_per_worker_month(t: Tables) -> float:
    """02.1: what Pyongyang earned a year (F10) over its workers, per month: state revenue, not
    pay."""
    return _low(t, "WE_US_2020_USD") / _low(t, "WE_US_2020_WORLD") / 12


def _split_excess(t: Tables) -> float:
    """02.2: F11's China + Russia, minus the 100,000 total of the same US line (F10)."""
    return (
        _low(t, "WE_REUTERS_2019_CHINA")
        + _low(t, "WE_REUTERS_2019_RUSSIA")
        - _low(t, "WE_US_2020_WORLD")
    )


def _pay_from_experts_low_end(t: Tables) -> float:
    """02.3: the experts' low end (F12) as state revenue per State Department worker, over the
    share ASSUMPTION."""
    share = float(t["assumptions"].loc["A_SHARE_TO_STATE", "default"])
    return _low(t, "WE_EXPERTS_2019_USD") / _low(t, "WE_STATE_2019_WORLD") / share


NEAREST_WHOLE = {"rel_tol": 0.0, "abs_tol": 0.5}  # "to the nearest dollar": half a unit either side


def _visas(t: Tables, period: str, category: str) -> int:
    """Visas of one category in one period; KeyError when the data give none (missing is not
    zero)."""
    visas = t["visas"]
    hits = visas[(visas["period"] == period) & (visas["category"] == category)]
    if len(hits) != 1:
        raise KeyError(f"visas.csv: expected one {category} row for {period!r}, found {len(hits)}")
    return int(hits["count"].iloc[0])


def _share_matching_presanctions_low(t: Tables) -> float:
    """03.2: the share of 2019's additional tourist visas that equals the pre-sanctions low (both
    visas a year)."""
    extra = _visas(t, "2019", "tourist") - _visas(t, "2018", "tourist")
    if extra <= 0:
        raise ValueError(
            "tourist visas did not rise from 2018 to 2019: no additional visas to take a share of"
        )
    return int(t["entries"].loc["EN_PRESANCTIONS_VISAS", "low"]) / extra


def _student_visa_fold(t: Tables) -> float:
    """03.1: how many times 2018's student visas 2019's were."""
    return _visas(t, "2019", "student") / _visas(t, "2018", "student")


def _new_registrations_kind(t: Tables) -> str:
    """03.3: a figure counted over a period is a flow; one on a day is a stock."""
    precision = t["russia_workers"].loc["RW_NEW_REG", "date_precision"]
    return "flow" if precision == "period" else "stock"


def _count_on(t: Tables, obs_id: str) -> tuple[float, Any]:
    observation = t["russia_workers"].loc[obs_id]
    return float(observation["count"]), observation["as_of"]


def _break_even_from_end_2017(t: Tables) -> float:
    """04.1: seats a week to carry the end-2017 count by the deadline (adoption + 24 months), whole
    weeks only."""
    people, start = _count_on(t, "RW_2017_END")
    return people / capacity.full_weeks(start, repatriation_deadline(t))


def _share_after_closure_to_carry_all(t: Tables) -> float:
    """04.2: the share of weekly seats that had to keep running after the closure for
    Zakharova's about 1,000 to leave by the final report's count, the other settings at their
    defaults."""
    people, start = _count_on(t, "RW_2020_JAN")
    _, end = _count_on(t, "RW_2020_MAR")
    weekly = capacity.settings_from(t).weekly
    weeks = capacity.full_weeks(start, end)
    before = capacity.full_weeks(start, capacity.closure_date(t))
    return (people - weekly * before) / (weekly * (weeks - before))


def _weekly_fall_2018(t: Tables) -> float:
    """04.3: the average fall a week in permits during 2018: the fall over the exact days / 7."""
    before, start = _count_on(t, "RW_2017_END")
    after, end = _count_on(t, "RW_2018_END")
    return (before - after) / ((end - start).days / 7)


EXERCISES = [
    Exercise("01.1", "date", _midterm_report_of_2321),
    Exercise(
        "01.2",
        "number",
        _days_from_covered_to_midterm,
        tolerances={"rel_tol": 0.0, "close_tol": 0.012, "close_hint": COUNTING_HINT},
        places=0,
    ),
    Exercise("01.3", "choice", _shortest_step, options=("2321", "2371", "2375", "2397")),
    Exercise("02.1", "number", _revenue_per_worker_month, tolerances=NEAREST_WHOLE, places=0),
    Exercise(
        "02.2",
        "number",
        _split_excess,
        tolerances={
            **NEAREST_WHOLE,
            "close_hint": "Close: add the two parts, then subtract the total.",
        },
        places=0,
    ),
    Exercise("02.3", "number", _pay_from_experts_low_end, tolerances=NEAREST_WHOLE, places=0),
    Exercise(
        "03.1",
        "number",
        _student_visa_fold,
        places=2,
    ),
    # 03.2: a rounding slip at two decimals (0.81, 0.83) is "close"; 0.79, the old
    # flow-over-stock answer, is not.
    Exercise(
        "03.2",
        "number",
        _share_matching_presanctions_low,
        tolerances={"rel_tol": 0.005, "close_tol": 0.015},
        places=2,
    ),
    Exercise("03.3", "choice", _new_registrations_kind, options=("stock", "flow")),
    Exercise("04.1", "number", _break_even_from_end_2017, tolerances={"rel_tol": 0.001}, places=1),
    Exercise(
        "04.2",
        "number",
        _share_after_closure_to_carry_all,
        tolerances={
            "rel_tol": 0.005,
            "close_hint": "Close: did you count the week before the closure?",
        },
        places=2,
    ),
    Exercise(
        "04.3",
        "number",
        _weekly_fall_2018,
        tolerances={
            "rel_tol": 0.001,
            "close_hint": "Close: use the exact days ÷ 7 as the weeks, not whole weeks.",
        },
        places=1,
    ),
]


@cache
def registry() -> dict[str, Exercise]:
    """Every exercise by id; a duplicate id is an authoring error."""
    found = {e.exercise_id: e for e in EXERCISES}
    if len(found) != len(EXERCISES):
        raise ValueError("an exercise id is defined twice")
    return found


def _tables(tables: Tables | None) -> Tables:
    return load_all() if tables is None else tables


def expected(exercise_id: str, tables: Tables | None = None) -> Any:
    """The expected answer: for the teacher guide's tests and the grader, never for a notebook."""
    return registry()[exercise_id].answer(_tables(tables))


def check(exercise_id: str, answer: Any, tables: Tables | None = None) -> Feedback:
    """Feedback on a student's answer to one exercise; any input gets feedback, never a
    traceback."""
    if not isinstance(exercise_id, str) or exercise_id not in registry():
        return Feedback(False, _NO_SUCH_EXERCISE.format(exercise_id=f"{exercise_id!r:.40}"))
    try:
        given_tables = _tables(tables)
    except DataValidationError:
        return Feedback(False, _DATA_INVALID)
    try:
        return registry()[exercise_id].check(answer, given_tables)
    except (LookupError, ValueError, TypeError, AttributeError, ArithmeticError) as error:
        return Feedback(False, _WRONG_TABLES.format(error=type(error).__name__))


# What check() says instead of a traceback when it is called with something it cannot use.
_NO_SUCH_EXERCISE = "There is no exercise {exercise_id}: keep the check cell as it was given."
_DATA_INVALID = (
    "The data in data/ failed validation, so this answer cannot be checked: "
    "run the notebook's first cell to see what to fix."
)
_WRONG_TABLES = (
    "This answer cannot be checked: the tables passed to check() are not the ones "
    "load_all() gives ({error}). Keep the check cell as it was given."
)
