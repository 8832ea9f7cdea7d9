"""Self-checks that confirm an answer without holding it: the handout's ``helpers/exercises.py``.

Why: in the collection, ``helpers.exercises`` computes every answer from data/, so anyone who can
import it can read every answer. A handout is given to students, so its checks may only hold a
salted hash of each right answer, normalised at the precision the exercise asks for (and, for
"close", at a coarser one). ``handout.py`` copies this file into the handout with ``KEYS`` filled
in; the teacher's side computes the same fingerprints with :func:`fingerprint`.

A hash of a short answer can be found by trying answers, exactly as a student could try answers
in the check cell: the check protects against reading the answer, not against guessing it.
"""

from __future__ import annotations

import hashlib
import math
import numbers
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from helpers.selfcheck import Feedback

#: Filled in by handout.py: {exercise id: {kind, places, salt, right, close, options}}.
KEYS: dict[str, dict[str, Any]] = {}
#: A share given as a percentage, or dollars as thousands: right digits, wrong size.
UNIT_FACTORS = (10, 100, 1_000, 1_000_000)
RIGHT = "Correct."
CLOSE = "Close: check your rounding, or the day, or how you counted."
UNITS = "Close: the right digits at the wrong size: check the units (a share, not a percentage?)."
WRONG = "Not yet: reread the question and try again."


def rounded(value: float, places: int) -> str:
    """``value`` at ``places`` decimals, halves rounded up; ``places`` -1 rounds to tens."""
    quantum = Decimal(1).scaleb(-places)
    try:
        exact = Decimal(repr(float(value)))
        return format(
            exact.quantize(quantum, rounding=ROUND_HALF_UP)
            if places >= 0
            else (exact / quantum).quantize(Decimal(1), rounding=ROUND_HALF_UP) * quantum,
            "f",
        )
    except (InvalidOperation, ValueError, OverflowError):
        return "not a number"


def fingerprint(salt: str, exercise_id: str, normalised: str) -> str:
    """The salted hash a handout keeps instead of an answer."""
    return hashlib.sha256(f"{salt}|{exercise_id}|{normalised}".encode()).hexdigest()


def as_number(answer: Any) -> float | None:
    """A real number from ``answer`` (numpy's included), or None for anything else."""
    if isinstance(answer, bool) or type(answer).__name__ == "bool_":
        return None
    if not isinstance(answer, numbers.Real):
        return None
    try:
        number = float(answer)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if math.isfinite(number) else None


def as_date(answer: Any) -> date | None:
    """A date from a date, a datetime or an ISO 'YYYY-MM-DD' text; None for anything else."""
    if isinstance(answer, datetime):
        return answer.date()
    if isinstance(answer, date):
        return answer
    if isinstance(answer, str):
        try:
            return date.fromisoformat(answer.strip())
        except ValueError:
            return None
    return None


def _matches(key: dict[str, Any], exercise_id: str, normalised: str, which: str) -> bool:
    return (
        key.get(which) is not None
        and fingerprint(key["salt"], exercise_id, normalised) == key[which]
    )


def _check_number(key: dict[str, Any], exercise_id: str, answer: Any) -> Feedback:
    if isinstance(answer, str):
        return Feedback(
            False, "Expected a number, not text: remove the quotes (write 2.5, not '2.5')."
        )
    number = as_number(answer)
    if number is None:
        return Feedback(False, f"Expected a single finite number, got {type(answer).__name__}.")
    places = int(key["places"])
    if _matches(key, exercise_id, rounded(number, places), "right"):
        return Feedback(True, RIGHT)
    if _matches(key, exercise_id, rounded(number, places - 1), "close"):
        return Feedback(False, CLOSE)
    for factor in UNIT_FACTORS:
        for scaled in (number * factor, number / factor):
            if _matches(key, exercise_id, rounded(scaled, places), "right"):
                return Feedback(False, UNITS)
    return Feedback(False, WRONG)


def _check_date(key: dict[str, Any], exercise_id: str, answer: Any) -> Feedback:
    day = as_date(answer)
    if day is None:
        return Feedback(
            False, "Write the date as 'YYYY-MM-DD' (a day the calendar has): year, month, day."
        )
    if _matches(key, exercise_id, day.isoformat(), "right"):
        return Feedback(True, RIGHT)
    if _matches(key, exercise_id, day.isoformat()[:7], "close"):
        return Feedback(False, CLOSE)
    return Feedback(False, WRONG)


def _check_choice(key: dict[str, Any], exercise_id: str, answer: Any) -> Feedback:
    options = tuple(key["options"])
    listed = ", ".join(map(repr, options))
    if not isinstance(answer, str | int) or str(answer).strip().lower() not in {
        o.lower() for o in options
    }:
        return Feedback(False, f"Pick one of {listed}, as text in quotes.")
    if _matches(key, exercise_id, str(answer).strip().lower(), "right"):
        return Feedback(True, RIGHT)
    return Feedback(False, WRONG)


CHECKS = {"number": _check_number, "date": _check_date, "choice": _check_choice}


def check(exercise_id: str, answer: Any, tables: Any = None) -> Feedback:
    """Right, close or wrong for ``answer``; any input gets feedback, never a traceback."""
    key = KEYS.get(exercise_id) if isinstance(exercise_id, str) else None
    if key is None:
        return Feedback(
            False, f"There is no exercise {exercise_id!r}: keep the check cell as it was given."
        )
    if answer is None or answer is ...:
        return Feedback(False, "Not answered yet: replace the placeholder with your answer.")
    return CHECKS[key["kind"]](key, exercise_id, answer)
