"""Feedback on exercise answers that never prints the answer itself.

Why: a check that says "the answer is 8.16" teaches copying. These say "correct", "close", "check
the units" (off by a power of ten: shares vs percentages, dollars vs millions), too high or too low.
"""

from __future__ import annotations

import html
import math
import numbers
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from helpers.numbers import finite, is_missing


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer, shown as one line (and as HTML in JupyterLab)."""

    correct: bool
    message: str

    def __repr__(self) -> str:
        return self.message

    __str__ = __repr__

    def _repr_html_(self) -> str:
        # On a white card like the charts, so the colours keep 4.5:1 in light and dark themes alike.
        colour, mark = ("#00704F", "✔") if self.correct else ("#B23C00", "✘")
        style = f"color:{colour};background-color:#ffffff;font-weight:600;padding:2px 6px"
        return f'<div class="wa-selfcheck" style="{style}">{mark} {html.escape(self.message)}</div>'


UNIT_FACTORS = (10, 100, 1_000, 1_000_000)


def check_number(
    answer: Any,
    expected: float,
    rel_tol: float = 0.005,
    close_tol: float = 0.05,
    abs_tol: float = 0.0,
    close_hint: str = "Close: check your rounding.",
) -> Feedback:
    """Compare a numeric answer with the expected value, without revealing it.

    Within ``rel_tol`` (or ``abs_tol``, e.g. 0.5 for "to the nearest dollar"): correct. Within
    ``close_tol``: ``close_hint``. Off by a factor in UNIT_FACTORS: check the units. Otherwise:
    too high or too low. Any real number is an answer, numpy's and Decimal's included (a pandas sum
    is a numpy.int64), and any other answer gets feedback; a bad ``expected``, tolerance or hint is
    the author's mistake and raises ValueError naming it.
    """
    expected, tolerances = _author_number(expected, rel_tol, close_tol, abs_tol, close_hint)
    rel_tol, close_tol, abs_tol = tolerances
    if isinstance(answer, numbers.Real) and is_missing(answer):  # a NaN computed, not left empty
        return Feedback(False, "Expected a finite number, not infinity or NaN.")
    if _is_unanswered(answer):
        return Feedback(False, "Not answered yet: replace the placeholder with your number.")
    if isinstance(answer, str | bytes):
        return Feedback(
            False, "Expected a number, not text: remove the quotes (write 2.5, not '2.5')."
        )
    if _is_bool(answer) or not isinstance(answer, numbers.Real | Decimal):
        return Feedback(False, f"Expected a single number, got {type(answer).__name__}.")
    try:
        answer = float(answer)
    except OverflowError:
        return Feedback(False, "That number is too large to be the answer: check the units.")
    except (ValueError, TypeError):
        return Feedback(False, "Expected a finite number, not infinity or NaN.")
    if not math.isfinite(answer):
        return Feedback(False, "Expected a finite number, not infinity or NaN.")
    return _judge_number(answer, expected, rel_tol, close_tol, abs_tol, close_hint)


def _author_number(
    expected: Any, rel_tol: Any, close_tol: Any, abs_tol: Any, close_hint: Any
) -> tuple[float, tuple[float, float, float]]:
    """The author's expected value and tolerances, checked: finite, 0 <= rel_tol <= close_tol,
    abs_tol >= 0."""
    value = finite(expected, "expected")
    rel, close, absolute = (
        finite(t, n)
        for t, n in ((rel_tol, "rel_tol"), (close_tol, "close_tol"), (abs_tol, "abs_tol"))
    )
    if not 0 <= rel <= close:
        raise ValueError(f"need 0 <= rel_tol <= close_tol, got rel_tol={rel}, close_tol={close}")
    if absolute < 0:
        raise ValueError(f"abs_tol must be 0 or more, not {absolute}")
    if not isinstance(close_hint, str):
        raise TypeError(f"close_hint must be text, not {type(close_hint).__name__}")
    return value, (rel, close, absolute)


def _judge_number(
    answer: float,
    expected: float,
    rel_tol: float,
    close_tol: float,
    abs_tol: float,
    close_hint: str,
) -> Feedback:
    scale = max(abs(expected), 1e-12)
    error = abs(answer - expected) / scale
    if error <= rel_tol or abs(answer - expected) <= abs_tol:
        return Feedback(True, "Correct.")
    if error <= close_tol:
        return Feedback(False, close_hint)
    for factor in UNIT_FACTORS:
        for candidate in (answer * factor, answer / factor):
            if abs(candidate - expected) / scale <= rel_tol:
                return Feedback(
                    False,
                    "Right digits, wrong size: check the units (shares vs percentages,"
                    " dollars vs millions).",
                )
    return Feedback(
        False,
        "Not yet: your answer is too high."
        if answer > expected
        else "Not yet: your answer is too low.",
    )


def check_date(answer: Any, expected: date) -> Feedback:
    """Compare a date answer (a date, a datetime, a pandas Timestamp, a numpy datetime64, or an
    ISO 'YYYY-MM-DD' string) with the expected date. Any answer gets feedback; a bad ``expected``
    raises."""
    if isinstance(expected, datetime) or not isinstance(expected, date):
        raise ValueError(f"expected must be a datetime.date, got {type(expected).__name__}")
    if _is_unanswered(answer):  # NaN too: pandas' empty cell
        return Feedback(False, "Not answered yet: replace the placeholder with a date.")
    answer = _as_date(answer)
    if isinstance(answer, Feedback):
        return answer
    if answer == expected:
        return Feedback(True, "Correct.")
    days = (answer - expected).days
    if abs(days) <= 3:
        return Feedback(False, "Close: check the day (count whole months from the adoption date).")
    if answer.month == expected.month and answer.day == expected.day:
        return Feedback(False, "Right day and month, wrong year.")
    return Feedback(False, "Not yet: too late." if days > 0 else "Not yet: too early.")


def _as_date(answer: Any) -> date | Feedback:
    """The answer as a plain date, or the feedback that says why it is none."""
    if isinstance(answer, datetime):
        return answer.date()
    if type(answer).__name__ == "datetime64":  # numpy's: to a day, then to a date
        try:
            day = answer.astype("datetime64[D]").item()
        except (ValueError, OverflowError, TypeError):
            day = 0
        return (
            day
            if isinstance(day, date)
            else Feedback(False, "Expected a date in the calendar, e.g. '2019-12-22'.")
        )
    if isinstance(answer, str):
        try:
            return date.fromisoformat(answer.strip())
        except ValueError:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", answer.strip()):
                return Feedback(
                    False, "That day is not in the calendar: check how many days that month has."
                )
            return Feedback(False, "Write the date as 'YYYY-MM-DD': four-digit year, month, day.")
    if not isinstance(answer, date):
        return Feedback(False, f"Expected a date, got {type(answer).__name__}.")
    return answer


def check_choice(answer: Any, expected: str, options: tuple[str, ...]) -> Feedback:
    """Compare a multiple-choice answer (one of ``options``, case-insensitive; a whole number
    such as 2397 or numpy's int64 counts as its digits). Any answer gets feedback; bad
    ``expected`` or ``options`` raise, naming them."""
    if (
        isinstance(options, str)
        or not isinstance(options, tuple | list)
        or not all(isinstance(o, str) for o in options)
    ):
        raise TypeError(f"options must be a tuple of texts, not {options!r:.60}")
    if not isinstance(expected, str):
        raise TypeError(
            f"expected must be one of the options as text, not {type(expected).__name__}"
        )
    normal, listed = {o.strip().lower() for o in options}, ", ".join(map(repr, options))
    if expected.strip().lower() not in normal:
        raise ValueError(f"the expected choice {expected!r} is not among the options {options!r}")
    if _is_unanswered(answer):
        return Feedback(False, f"Not answered yet: pick one of {listed}.")
    text = _choice_text(answer)
    if text is None or text not in normal:
        return Feedback(False, f"Pick one of {listed}, as text in quotes.")
    if text == expected.strip().lower():
        return Feedback(True, "Correct.")
    return Feedback(False, "Not this one: reread the section above and try again.")


def _choice_text(answer: Any) -> str | None:
    """A choice as text: a string, or a whole number (Python's or numpy's, not a bool) as its
    digits."""
    if isinstance(answer, str):
        return answer.strip().lower()
    if isinstance(answer, numbers.Integral) and not _is_bool(answer):
        return str(int(answer))
    return None


def _is_bool(value: Any) -> bool:
    """Python's and numpy's booleans: numbers to isinstance, but not answers."""
    return isinstance(value, bool) or type(value).__name__ == "bool_"


def _is_unanswered(value: Any) -> bool:
    """The placeholder ``...`` or a missing value (None, NA, NaN, NaT): nothing answered yet."""
    return value is ... or is_missing(value)
