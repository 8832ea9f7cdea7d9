"""Read the numbers that a sentence states, the way a reader would; check that a value is a
number, a missing value, or a slider's range. One home for each rule, so the loader, the claims
check, the house style, the explorers and the self-checks cannot disagree.

The loader uses states() for the figure-in-quote rule, tools.claims reads the prose with
NUMBER_RE and WORD_NUMBERS, data tests use numbers_in() directly.
"""

import math
import re
from datetime import date
from numbers import Real
from typing import NamedTuple

#: Cardinal words below twenty but "one", which is a determiner far more often than a number
#: ("one chart"): the claims check reads it only with a multiplier ("one million").
SMALL_NUMBERS: dict[str, float] = {
    "zero": 0,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS: dict[str, float] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
#: Ordinals state a number in a source ("the tenth sanctions resolution"); the claims check leaves
#: them out, since in the prose they order things.
ORDINALS: dict[str, float] = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
}
#: Every word that states a number on its own, as numbers_in() reads a source's quote.
WORD_NUMBERS: dict[str, float] = {
    "one": 1,
    **SMALL_NUMBERS,
    **TENS,
    **ORDINALS,
    "half": 0.5,
    "twice": 2,
    "double": 2,
}
#: A word after a number word that scales it ("two hundred", "one million").
WORD_MULTIPLIERS = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9}
#: A word or letter after digits that scales them ("$500 million", "200k", "1.2bn").
MULTIPLIERS = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "m": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
}
#: Digits as a reader writes them: 16,613 or 8.2 or 2035.
DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
#: The one number reader, shared by numbers_in() (the loader's figure-in-quote rule) and the
#: claims check (tools.claims): a number not inside a word, after a point, a comma, a slash or a
#: dollar sign; its currency (cur, dollars), a range's second number (b), a percent (pct), a ratio
#: (ratio) or a multiplier (mult). 1e5 (exp) is 100000 as Python and a spreadsheet write it.
NUMBER_RE = re.compile(
    r"(?=[\d$Uu])"  # a digit or a currency next: cheap to test before the look-behind
    rf"(?<![\w.,/$])(?P<cur>(?:US|USD\s?)?\$\s?)?(?P<a>{DIGITS})"
    r"(?P<exp>[eE][+-]?\d{1,3}(?![\w.]))?"
    rf"(?:\s?[–—-]\s?(?:(?:US)?\$\s?)?(?P<b>{DIGITS}))?"
    r"(?:(?P<pct>\s?%|\s?per\s?cent\b|\s?percent\b)"
    r"|(?P<ratio>\s?×|x\b|-?fold\b|\s+times\b)"
    r"|(?P<mult>\s?(?:thousand|million|billion|bn|mn)\b|(?:m|k|b)\b))?"
    r"(?P<dollars>\s+(?:US\s+)?dollars\b)?",
    re.IGNORECASE,
)


def word_number_re(read_one: bool = False) -> re.Pattern[str]:
    """Number words, for the claims check: a cardinal ("twenty-four"), scaled ("two hundred")
    or a ratio ("three times"); "half"; "twice". ``read_one`` also reads "one" alone (by default
    only with a multiplier); ordinals never (they order the prose)."""
    units = {"one": 1, **{word: value for word, value in SMALL_NUMBERS.items() if value <= 9}}
    one = (
        r"(?P<one>one)"
        if read_one
        else r"(?P<one>one)(?=\s+(?:hundred|thousand|million|billion)\b)"
    )
    return re.compile(
        r"\b(?:(?P<tens>" + "|".join(TENS) + r")(?:[- ](?P<unit>" + "|".join(units) + r"))?"
        r"|(?P<small>" + "|".join(SMALL_NUMBERS) + r")|" + one + r")"
        r"(?:\s+(?P<mult>hundred|thousand|million|billion)\b)?"
        r"(?P<times>\s+times\b|-fold\b)?\b"
        r"|\b(?P<half>half)\b|\b(?P<twice>twice|double|doubled)\b",
        re.IGNORECASE,
    )


def number_value(digits: str, exponent: str | None = "") -> float:
    """The value of digits as NUMBER_RE reads them: "16,613" is 16613, "1" with "e5" 100000."""
    # str.replace, not digits.replace: anything but text is a TypeError, at no cost per number
    return float(str.replace(digits, ",", "") + (exponent or ""))


_WORD_KEYS = frozenset(WORD_NUMBERS)
#: Each word, looked up in WORD_NUMBERS: faster than one alternation at every letter.
_WORD_RE = re.compile(r"\w+")
#: numpy's date and duration scalars, whose NaT is unequal to itself (numpy is not imported here).
_NUMPY_TIMES = frozenset({"datetime64", "timedelta64"})


def finite(value: object, name: str) -> float:
    """``value`` as a float if it is a finite real number (numpy scalars too, not bool or
    Decimal); else a ValueError naming it."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise ValueError(f"{name} must be a real number, not {type(value).__name__} {value!r:.40}")
    try:
        result = float(value)
    except OverflowError:
        raise ValueError(f"{name} is too large for a float") from None
    except (TypeError, ValueError):  # a Real that float() refuses (a broken subclass)
        raise ValueError(
            f"{name} must be a real number that float() reads, not {value!r:.40}"
        ) from None
    if not math.isfinite(result):
        raise ValueError(f"{name} must be finite, not {result}")
    return result


def numbers_in(text: str) -> set[float]:
    """Every number the text states, raw and scaled: "$200–500 million" gives 200, 500, 200e6 and
    500e6; "80%" gives 80 and 0.8; "15–0" gives 15 and 0; "half" gives 0.5; "tenth" gives 10."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a str, not {type(text).__name__}")
    words = _WORD_KEYS.intersection(_WORD_RE.findall(text.casefold()))
    found = {WORD_NUMBERS[word] for word in words} if words else set()
    # findall's tuples, in NUMBER_RE's group order: faster than match objects on 100,000 quotes
    for _, first, exponent, second, percent, _, multiplier, _ in NUMBER_RE.findall(text):
        scale = MULTIPLIERS[multiplier.strip().lower()] if multiplier else 0.0
        numbers = [number_value(first, exponent)]
        if second:
            numbers.append(number_value(second))
        for number in numbers:
            found.add(number)
            if percent:
                found.add(number / 100)
            if scale:
                found.add(number * scale)
    found.discard(math.inf)  # 1e999 or 400 digits: too large to be a stated number
    return found


def states(text: str, value: Real, rel_tol: Real = 1e-9) -> bool:
    """True when ``text`` states ``value`` (in any of the forms numbers_in understands)."""
    value, rel_tol = finite(value, "value"), finite(rel_tol, "rel_tol")
    if rel_tol < 0:
        raise ValueError(f"rel_tol must be 0 or more, not {rel_tol:g}")
    return any(abs(found - value) <= rel_tol * max(1.0, abs(value)) for found in numbers_in(text))


def is_missing(value: object) -> bool:
    """True for an empty cell however pandas or numpy hands it over: None, pandas.NA, a NaN
    (Python's or numpy's float) or a NaT (pandas' or numpy's). The one missing-value test of the
    helpers: the house style shows it as a blank, a self-check as "not answered yet", and the
    date helpers refuse it. NaN and NaT are the values unequal to themselves."""
    if value is None or type(value).__name__ == "NAType":
        return True
    if isinstance(value, Real | date) or type(value).__name__ in _NUMPY_TIMES:
        return bool(value != value)
    return False


class RangeProblem(NamedTuple):
    """One broken range rule: the setting at fault (minimum, default, maximum or step), the
    rule's name and a sentence for the reader."""

    setting: str
    rule: str
    message: str


#: The settings of a slider's range, in the order assumptions.csv writes them.
RANGE_SETTINGS = ("minimum", "default", "maximum", "step")


def range_problems(
    minimum: object, default: object, maximum: object, step: object
) -> list[RangeProblem]:
    """What keeps a slider from showing its range: each setting a finite number, minimum <=
    default <= maximum, step > 0. An empty list when it holds. The one range rule: the loader
    names each problem in assumptions.csv, and a slider refuses them (a slider silently clamps a
    default it cannot show)."""
    settings = dict(zip(RANGE_SETTINGS, (minimum, default, maximum, step), strict=True))
    problems = _finite_problems(settings)
    if problems:
        return problems
    return _order_problems(*(float(settings[name]) for name in RANGE_SETTINGS))


def _finite_problems(settings: dict[str, object]) -> list[RangeProblem]:
    """Each setting that is not a finite real number."""
    problems = []
    for name, value in settings.items():
        try:
            finite(value, name)
        except ValueError as exc:
            problems.append(RangeProblem(name, "finite", str(exc)))
    return problems


def _order_problems(low: float, default: float, high: float, step: float) -> list[RangeProblem]:
    """The default inside the range, the range the right way round, a step forward."""
    span = f"minimum {low:g} .. maximum {high:g}"
    problems = []
    if not low <= default <= high:
        problems.append(
            RangeProblem("default", "default-in-range", f"default {default:g} is outside {span}")
        )
    if low > high:
        problems.append(
            RangeProblem("maximum", "range-order", f"the maximum is below the minimum: {span}")
        )
    if not step > 0:
        problems.append(RangeProblem("step", "step-positive", f"step {step:g} must be above 0"))
    return problems
