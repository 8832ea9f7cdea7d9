"""Self-checks give useful feedback and never give the answer away.

Expected values here are worked out by hand from the fact sheet (F40, F41: 2,035 and
16,613 tourist visas in 2018 and 2019; F05: adoption 22 Dec 2017, 24 months), not taken
from the helpers under test.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from helpers.numbers import numbers_in
from helpers.selfcheck import Feedback, check_choice, check_date, check_number

# 16,613 / 2,035 = 8.1636..., by hand; rounded to two decimals a student writes 8.16.
TOURIST_FOLD = 16_613 / 2_035
# 22 Dec 2017 + 24 months = 22 Dec 2019 (F05/F06).
DEADLINE = date(2019, 12, 22)


def test_placeholder_says_not_answered():
    for feedback in (check_number(..., TOURIST_FOLD), check_date(..., DEADLINE), check_choice(..., "flow", ("stock", "flow"))):
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
    """rel_tol=0 for a day count: 730 days from 22 Dec 2017 to 22 Dec 2019 (365 + 365, no leap day)."""
    assert check_number(730, 730, rel_tol=0).correct
    assert not check_number(731, 730, rel_tol=0).correct


def test_numpy_numbers_are_answers():
    """A student who sums a pandas column gets numpy.int64; that is a number, not an error."""
    assert check_number(np.int64(730), 730, rel_tol=0).correct
    assert check_number(np.float64(8.16), TOURIST_FOLD).correct


@pytest.mark.parametrize("answer", ["8.16", [8.16], True, np.bool_(True)])
def test_non_numbers_are_named(answer):
    feedback = check_number(answer, TOURIST_FOLD)
    assert not feedback.correct and feedback.message.startswith("Expected a number")


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
    revealed = numbers_in(message)
    for form in (TOURIST_FOLD, round(TOURIST_FOLD, 2), round(TOURIST_FOLD, 1), round(TOURIST_FOLD)):
        assert form not in revealed, f"{message!r} reveals {form}"


@pytest.mark.parametrize("expected", [float("nan"), float("inf"), None, "8.16", True])
def test_bad_expected_value_is_the_authors_error(expected):
    with pytest.raises(ValueError, match="expected must be a finite number"):
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
    assert "wrong year" in check_date(date(2018, 12, 22), DEADLINE).message  # the 12-month draft (F08)
    assert "too late" in check_date(date(2020, 3, 22), DEADLINE).message
    assert "too early" in check_date(date(2019, 3, 22), DEADLINE).message
    assert "YYYY-MM-DD" in check_date("22/12/2019", DEADLINE).message
    assert check_date(20191222, DEADLINE).message.startswith("Expected a date")


@pytest.mark.parametrize("answer", [date(2019, 12, 24), date(2018, 12, 22), date(2020, 3, 22), "22/12/2019"])
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
    with pytest.raises(ValueError, match="at least one option"):
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


def guide_keys() -> dict[str, dict[str, str]]:
    """{notebook number: {exercise label: first sentence of its answer}} from the guide's answer keys."""
    _, _, keys = GUIDE.read_text(encoding="utf-8").partition("## Answer keys")
    found: dict[str, dict[str, str]] = {}
    notebook = None
    for line in keys.splitlines():
        heading = re.match(r"^### \[(\d\d) ", line)
        if heading:
            notebook = heading[1]
            found[notebook] = {}
        key = re.match(r"^- \*\*Exercise (\w+)\.\*\* (.*?\.)(?: |$)", line)
        if key and notebook:
            found[notebook][key[1]] = key[2]
    return found


def check_calls(number: str) -> list[str]:
    """The self-check calls of one notebook's code cells."""
    (path,) = NOTEBOOKS.glob(f"{number}-*.ipynb")
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return [
        "".join(cell["source"]) for cell in notebook["cells"]
        if cell["cell_type"] == "code" and "selfcheck.check_" in "".join(cell["source"])
    ]


@pytest.fixture(scope="module")
def expected_answers() -> dict[tuple[str, str], tuple[Any, int | None]]:
    """(notebook, exercise) -> (the value the notebook's check compares with, decimals the key writes).

    Each is computed by the same helper call as the notebook's check cell, so a change in the
    data or in a helper that moves an answer makes the stale key fail here.
    """
    from helpers import capacity, data, estimates, timeline, visas
    from helpers.derived import add_months

    tables = data.load_all()
    resolutions = tables["resolutions"]
    checks = estimates.derived_values(tables)
    start, deadline = capacity.default_start(tables), capacity.deadline(tables)
    return {
        ("01", "A"): (add_months(timeline.adoption_date(resolutions, "R2321"),
                                 timeline.term_months(tables["resolution_terms"], timeline.MIDTERM_TERM)), None),
        ("01", "B"): (timeline.days_between(timeline.midterm_period_end(tables), timeline.midterm_report_due(tables)), 0),
        ("01", "C"): (timeline.shortest_step(resolutions), None),
        ("02", "1"): (checks["us_usd_per_worker_per_month"], 0),
        ("02", "2"): (checks["reuters_2019_split_excess"], 0),
        ("02", "3"): (checks["earnings_needed_for_us_total_at_default_share"], 0),
        ("03", "1"): (visas.fold_change(tables["visas"], "student"), 2),
        ("03", "2"): (visas.break_even_share(tables["visas"], tables["russia_workers"]), 2),
        ("03", "3"): (visas.UNIT_KIND["new registrations"], None),
        ("04", "1"): (capacity.default_settings(tables).weekly, 0),
        ("04", "2"): (capacity.weekly_seats_needed(11490, start, deadline), 1),
        ("04", "3"): (capacity.weekly_pace(30023, date(2017, 12, 31), 11490, date(2018, 12, 31)), 1),
    }


# The same answers worked out by hand from the fact sheet, so that a helper which moves an answer
# fails here even if the notebook's check and a re-written key were to follow it.
HAND_ANSWERS: dict[tuple[str, str], Any] = {
    ("01", "A"): date(2018, 2, 28),  # 2321 adopted 30 Nov 2016 (F01) + 15 months (F07): no 30 Feb 2018
    ("01", "B"): 90,  # 22 Dec 2018 -> 22 Mar 2019: 9 + 31 + 28 + 22 days
    ("01", "C"): "2371",  # 5 Aug -> 11 Sep 2017: 37 days, against 248 (2321) and 102 (2375)
    ("02", "1"): 500_000_000 / 100_000 / 12,  # F10: 416.67 dollars a month
    ("02", "2"): 80_000 + 30_000 - 100_000,  # F11: the Reuters split exceeds its own total by 10,000
    ("02", "3"): 500_000_000 / (100_000 * 0.7),  # F10 at the 70% ASSUMPTION (assumptions.csv): 7,142.86
    ("03", "1"): 10_345 / 2_610,  # F40/F41 student visas: 3.96
    ("03", "2"): 11_490 / (16_613 - 2_035),  # F21 over F40/F41's new tourist visas: 0.79
    ("03", "3"): "flow",  # F27 counts new registrations over a period
    ("04", "1"): 2 * 150 * 0.5 + 100,  # F50 flights x the three default ASSUMPTIONS: 250
    ("04", "2"): 11_490 / 50,  # F21 over 50 whole weeks, 31 Dec 2018 -> 22 Dec 2019: 229.8
    ("04", "3"): (30_023 - 11_490) / (365 / 7),  # F28 over 2018's 365 days in weeks: 355.4
}


def test_the_checks_compare_with_the_hand_worked_answers(expected_answers):
    assert set(expected_answers) == set(HAND_ANSWERS)
    for exercise, (value, _) in expected_answers.items():
        hand = HAND_ANSWERS[exercise]
        if isinstance(hand, (date, str)):
            assert value == hand, exercise
        else:
            assert value == pytest.approx(hand, rel=1e-9), exercise


def test_every_exercise_has_an_answer_key():
    keys = guide_keys()
    for number in EXERCISE_NOTEBOOKS:
        calls = check_calls(number)
        assert calls, f"notebook {number} has no self-checked exercise"
        assert len(keys.get(number, {})) == len(calls), (
            f"notebook {number} has {len(calls)} self-checks, the teacher guide {len(keys.get(number, {}))} keys"
        )


def test_answer_keys_state_the_values_the_checks_compare_with(expected_answers):
    keys = guide_keys()
    assert {(n, label) for n, labels in keys.items() for label in labels} == set(expected_answers)
    for (number, label), (value, decimals) in expected_answers.items():
        sentence = keys[number][label]
        if isinstance(value, date):
            assert value.isoformat() in sentence, f"key {number}-{label} should give {value.isoformat()}: {sentence}"
        elif isinstance(value, str):
            assert f'"{value}"' in sentence, f"key {number}-{label} should give {value!r}: {sentence}"
        else:
            assert round(value, decimals) in numbers_in(sentence), f"key {number}-{label}: {sentence}"
            # the key's number passes the notebook's own check
            assert check_number(round(value, decimals), value, rel_tol=0.01).correct


def test_student_notebooks_carry_no_answers():
    """Answer cells hold the placeholder, so every committed check says 'Not answered yet'."""
    checked = 0
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        for cell in notebook["cells"]:
            source = "".join(cell["source"])
            if cell["cell_type"] != "code" or "selfcheck.check_" not in source:
                continue
            texts = ["".join(o.get("data", {}).get("text/plain", "")) for o in cell.get("outputs", [])]
            assert texts and all(t.startswith("Not answered yet") for t in texts), f"{path.name}: {source!r} -> {texts}"
            checked += 1
    assert checked == len(HAND_ANSWERS)  # every exercise's check cell was found and read
