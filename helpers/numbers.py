"""Read the numbers that a sentence states, the way a reader would.

Used by the data tests (each figure in a row must appear in its provenance quote) and by
the claims test (each number in the prose must be a figure or a computed value). Only the
standard library is used, so it is cheap to import.
"""

from __future__ import annotations

import re

#: Words that state a number in the sources and the prose.
WORD_NUMBERS: dict[str, float] = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "twenty": 20, "half": 0.5, "twice": 2, "double": 2,
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
    "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10,
}

MULTIPLIERS: dict[str, float] = {
    "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6,
    "billion": 1e9, "bn": 1e9, "b": 1e9,
}

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_NUMBER_RE = re.compile(
    rf"(?<![\w.])(?P<a>{_NUM})(?:\s?[–—-]\s?\$?(?P<b>{_NUM}))?"
    rf"(?P<pct>\s?%)?(?:\s?(?P<mult>thousand|million|billion|bn|mn|m|k|b)\b)?",
    re.IGNORECASE,
)
_WORD_RE = re.compile(r"\b(" + "|".join(WORD_NUMBERS) + r")\b", re.IGNORECASE)


def _to_float(token: str) -> float:
    return float(token.replace(",", ""))


def numbers_in(text: str) -> set[float]:
    """Every number the text states, as raw and as scaled values.

    "$200–500 million" gives 200, 500, 200e6 and 500e6; "80%" gives 80 and 0.8;
    "15–0" gives 15 and 0; "half" gives 0.5; "tenth" gives 10.
    """
    found: set[float] = set()
    for match in _NUMBER_RE.finditer(text):
        values = [_to_float(match["a"])]
        if match["b"]:
            values.append(_to_float(match["b"]))
        for value in values:
            found.add(value)
            if match["pct"]:
                found.add(value / 100)
            if match["mult"]:
                found.add(value * MULTIPLIERS[match["mult"].lower()])
    for match in _WORD_RE.finditer(text):
        found.add(WORD_NUMBERS[match[1].lower()])
    return found


def states(text: str, value: float, rel_tol: float = 1e-9) -> bool:
    """True when ``text`` states ``value`` (in any of the forms numbers_in understands)."""
    return any(abs(found - value) <= rel_tol * max(1.0, abs(value)) for found in numbers_in(text))
