"""Self-checks give useful feedback and never give the answer away.

Expected values here are worked out by hand from the fact sheet (F40, F41: 2,035 and
16,613 tourist visas in 2018 and 2019; F05: adoption 22 Dec 2017, 24 months), not taken
from the helpers under test.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.selfcheck import Feedback, check_choice, check_date, check_number

# 16,613 / 2,035 = 8.1636..., by hand; rounded to two decimals a student writes 8.16.
TOURIST_FOLD = 16_613 / 2_035
# 22 Dec 2017 + 24 months = 22 Dec 2019 (F05/F06).
DEADLINE = date(2019, 12, 22)


def test_placeholder_says_not_answered():
    for feedback in (
        check_number(..., TOURIST_FOLD),
        check_date(..., DEADLINE),
        check_choice(..., "flow", ("stock", "flow")),
    ):
        assert not feedback.correct
        assert feedback.message.startswith("Not answered yet")


def test_number_correct_within_rounding():
    assert check_number(8.16, TOURIST_FOLD).correct  # 0.04 % off, within the default 0.5 %
    assert check_number(8.1636, TOURIST_FOLD).correct


def test_number_close_says_check_rounding():
    feedback = check_number(8.0, TOURIST_FOLD)  # 2 % off: between 0.5 % and 5 %
    assert not feedback.correct and "rounding" in feedback.message


@pytest.mark.parametrize("answer", [816.36, 0.0816, 8163.6])
def test_number_off_by_a_power_of_ten_says_check_units(answer):
    feedback = check_number(answer, TOURIST_FOLD)
    assert not feedback.correct and "units" in feedback.message


def test_number_far_off_says_too_high_or_too_low():
    assert "too high" in check_number(12, TOURIST_FOLD).message
    assert "too low" in check_number(3, TOURIST_FOLD).message


def test_exact_tolerance_for_counts():
    """rel_tol=0 for a day count: 730 days from 22 Dec 2017 to 22 Dec 2019 (365 + 365, no leap
    day)."""
    assert check_number(730, 730, rel_tol=0).correct
    assert not check_number(731, 730, rel_tol=0).correct


def test_numpy_numbers_are_answers():
    """A student who sums a pandas column gets numpy.int64; that is a number, not an error."""
    assert check_number(np.int64(730), 730, rel_tol=0).correct
    assert check_number(np.float64(8.16), TOURIST_FOLD).correct


@pytest.mark.parametrize("answer", ["8.16", [8.16], True, np.bool_(True)])
def test_non_numbers_are_named(answer):
    feedback = check_number(answer, TOURIST_FOLD)
    assert not feedback.correct and feedback.message.startswith("Expected a")
    assert "number" in feedback.message


@pytest.mark.parametrize("answer", [float("nan"), float("inf")])
def test_nan_and_infinity_are_not_answers(answer):
    feedback = check_number(answer, TOURIST_FOLD)
    assert not feedback.correct and "finite" in feedback.message


@pytest.mark.parametrize(
    "answer",
    [..., 8.16, 8.0, 816.36, 12, 3, "x", 0.0816, float("nan")],
)
def test_number_feedback_never_states_the_answer(answer):
    """No message contains the expected value or its rounded forms."""
    message = check_number(answer, TOURIST_FOLD).message
    revealed = {float(n.replace(",", "")) for n in re.findall(r"\d[\d,]*(?:\.\d+)?", message)}
    for form in (TOURIST_FOLD, round(TOURIST_FOLD, 2), round(TOURIST_FOLD, 1), round(TOURIST_FOLD)):
        assert form not in revealed, f"{message!r} reveals {form}"


@pytest.mark.parametrize("expected", [float("nan"), float("inf"), None, "8.16", True])
def test_bad_expected_value_is_the_authors_error(expected):
    with pytest.raises(ValueError, match="expected must be (finite|a real number)"):
        check_number(8.16, expected)


@pytest.mark.parametrize(("rel_tol", "close_tol"), [(-0.01, 0.05), (0.1, 0.05)])
def test_bad_tolerances_are_rejected(rel_tol, close_tol):
    with pytest.raises(ValueError, match="rel_tol"):
        check_number(8.16, TOURIST_FOLD, rel_tol=rel_tol, close_tol=close_tol)


def test_date_correct_in_every_accepted_form():
    for answer in (date(2019, 12, 22), "2019-12-22", datetime(2019, 12, 22, 15, 0)):
        assert check_date(answer, DEADLINE).correct


def test_date_feedback():
    assert "day" in check_date(date(2019, 12, 24), DEADLINE).message  # two days late: close
    assert (
        "wrong year" in check_date(date(2018, 12, 22), DEADLINE).message
    )  # the 12-month draft (F08)
    assert "too late" in check_date(date(2020, 3, 22), DEADLINE).message
    assert "too early" in check_date(date(2019, 3, 22), DEADLINE).message
    assert "YYYY-MM-DD" in check_date("22/12/2019", DEADLINE).message
    assert check_date(20191222, DEADLINE).message.startswith("Expected a date")


@pytest.mark.parametrize(
    "answer", [date(2019, 12, 24), date(2018, 12, 22), date(2020, 3, 22), "22/12/2019"]
)
def test_date_feedback_never_states_the_answer(answer):
    message = check_date(answer, DEADLINE).message
    assert "2019-12-22" not in message and "22" not in message.replace("YYYY-MM-DD", "")


def test_bad_expected_date_is_rejected():
    with pytest.raises(ValueError, match="datetime.date"):
        check_date("2019-12-22", "2019-12-22")


def test_choice_feedback():
    options = ("stock", "flow")
    assert check_choice("flow", "flow", options).correct
    assert check_choice(" FLOW ", "flow", options).correct
    wrong = check_choice("stock", "flow", options)
    assert not wrong.correct and "flow" not in wrong.message
    assert check_choice("both", "flow", options).message.startswith("Pick one of")


def test_choice_expected_must_be_an_option():
    with pytest.raises(ValueError, match="not among the options"):
        check_choice("2397", "2400", ("2321", "2371", "2375", "2397"))
    with pytest.raises(
        ValueError, match="not among the options"
    ):  # no options: nothing can be expected
        check_choice("a", "a", ())


def test_feedback_shows_as_one_line_and_as_html():
    right, wrong = check_number(8.16, TOURIST_FOLD), check_number(3, TOURIST_FOLD)
    assert isinstance(right, Feedback)
    assert repr(right) == str(right) == "Correct."
    assert "✔" in right._repr_html_() and "✘" in wrong._repr_html_()
    assert "\n" not in wrong.message


# ------------------------------------------------------------- the teacher guide's keys

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "teacher-guide.md"
NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
EXERCISE_NOTEBOOKS = ("01", "02", "03", "04")


# ---------------------------------------------------------------- whatever a student types

STUDENT_INPUT = st.one_of(
    st.none(),
    st.just(...),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dates(),
    st.datetimes(),
    st.just(pd.NaT),
    st.just(pd.NA),
    st.just(np.int64(5)),
    st.just(np.float32("nan")),
    st.just(np.datetime64("2019-12-22")),
    st.just({"a": 1}),
    st.just(object()),
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(answer=STUDENT_INPUT)
def test_any_answer_gets_feedback_never_a_traceback(answer):
    """NaT, huge integers, strings, lists, dicts: every check answers with a one-line Feedback."""
    for feedback in (
        check_number(answer, TOURIST_FOLD),
        check_number(answer, 90, rel_tol=0, abs_tol=0.5, close_hint="Count the days again."),
        check_date(answer, DEADLINE),
        check_choice(answer, "flow", ("stock", "flow")),
    ):
        assert isinstance(feedback, Feedback) and feedback.message
        assert "8.16" not in feedback.message and "2019-12-22" not in feedback.message


def test_huge_integers_and_nat_get_feedback():
    assert "too large" in check_number(10**400, TOURIST_FOLD).message
    assert check_date(pd.NaT, DEADLINE).message.startswith("Not answered yet")
    assert "quotes" in check_number("8.16", TOURIST_FOLD).message


def test_absolute_tolerance_and_close_hint():
    """'To the nearest dollar': 416.67 accepts 417 and 416.5, not 418; a custom hint replaces
    'rounding'."""
    assert check_number(417, 416.67, rel_tol=0, abs_tol=0.5).correct
    assert not check_number(418, 416.67, rel_tol=0, abs_tol=0.5).correct
    feedback = check_number(
        91, 90, rel_tol=0, close_tol=0.05, close_hint="Count the days again: is the first day in?"
    )
    assert not feedback.correct and feedback.message.startswith("Count the days again")


def test_a_day_the_calendar_lacks_gets_its_own_hint():
    """Exercise 01.1's trap: 30 Feb does not exist; the feedback says so instead of
    'use YYYY-MM-DD'."""
    assert "not in the calendar" in check_date("2018-02-30", DEADLINE).message
    assert "YYYY-MM-DD" in check_date("30 Feb 2018", DEADLINE).message
