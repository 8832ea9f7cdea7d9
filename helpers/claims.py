"""Read every numeric claim in the collection's prose and say where each one comes from.

Why: an explainer is judged by its numbers, and a number typed into prose drifts away from
the data the moment someone corrects a table. This module reads markdown the way a reader
does (counts, money, percentages, ratios such as "8.2×", dates such as "22 Dec 2019" or
"Dec. 22", years) and classifies each claim as one of:

* **data**: a figure in data/ (every ``x-figure`` column, every date column, each source's
  publication date), within the rounding as written;
* **derived**: a value in the registry that every topic module listed in
  :data:`DERIVED_MODULES` returns from ``derived_values(tables)``, within the rounding as
  written, so changing the data changes the check;
* **structural**: a resolution number known from data/, a paragraph number known from
  data/, a notebook number, an enumeration ("Exercise 2"), a software version, the length
  of a list the sentence introduces, or an assumption's default shown as an assumption.

Anything else is *unmatched*; ``tests/test_claims.py`` fails on it and shows the cell and
the sentence. Rounding as written: a number with decimals matches a value that rounds to
it ("8.2" matches 8.1636); a whole number without a qualifier must match exactly
("20,000" is 20,000), while "about/some/around 20,000" allows rounding to the written
precision (the last significant digit), "more than/over/at least" the same rounding but only
at or above the written number, and "fewer than/under/nearly/almost" only at or below it.
Percentages and ratios are always read as rounded; a count of days, weeks or months must
match a value labelled in those units. Nothing here whitelists a number by hand: every
accepted value comes from data/, a helper's computation, or the grammar of the sentence.

Only the standard library is imported at module level; the data and the topic modules
are loaded by :func:`build_registry`.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import math
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from numbers import Real
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

#: Topic modules whose ``derived_values(tables)`` feed the registry. A module listed here
#: that does not exist yet is skipped; one that exists without ``derived_values`` is an error.
DERIVED_MODULES: tuple[str, ...] = ("helpers.timeline", "helpers.estimates", "helpers.visas", "helpers.capacity")

#: Cells with this tag are navigation, rewritten by scripts/navigation.py: not prose.
NAV_TAG = "navigation"

DateKey = tuple[int | None, int | None, int | None]  # (year, month, day); None where not stated

# ---------------------------------------------------------------- the claims


@dataclass(frozen=True)
class Claim:
    """One number as a reader sees it, with enough of its wording to check its rounding.

    ``kind`` is count, money, percent, ratio, year, date, or a structural context
    (resolution, paragraph, notebook, enumeration, version). ``value`` is the number as
    written and scaled ("$1.2 billion" gives 1.2e9), or a (year, month, day) key for a
    date. ``unit`` is the step of the last written digit (0.1 for "8.2", 10,000 for
    "20,000"), ``qualifier`` one of "", "round", "above", "below", "near".
    """

    text: str
    kind: str
    value: float | DateKey
    start: int
    end: int
    unit: float = 1.0
    decimals: int = 0
    qualifier: str = ""
    noun: str = ""  # "day", "week" or "month" when the number counts a span of them ("24 months")

    @property
    def is_date(self) -> bool:
        return self.kind == "date"


@dataclass(frozen=True)
class Verdict:
    """A claim and what accounts for it; ``basis`` is "" when nothing does."""

    claim: Claim
    basis: str  # "data", "derived", "structural" or ""
    detail: str

    @property
    def ok(self) -> bool:
        return bool(self.basis)


@dataclass(frozen=True)
class Passage:
    """A piece of prose to check: a notebook's markdown cell, or a whole markdown file."""

    path: Path
    where: str  # "cell 5" (0-based index in the notebook) or "" for a markdown file
    text: str

    def locate(self, offset: int) -> str:
        line = self.text.count("\n", 0, offset) + 1
        return f"{self.where}, line {line}" if self.where else f"line {line}"


# ---------------------------------------------------------------- patterns

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}
# Month names are matched capitalised only: "may" the verb is not a month.
_MON = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?<![\w.,/])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})(?![\w])"), "ymd"),
    (re.compile(rf"(?<![\w.,])(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<mon>{_MON}),?\s+(?P<y>\d{{4}})(?!\d|,\d)"), "ymd"),
    (re.compile(rf"(?P<mon>{_MON})\s+(?P<d>\d{{1,2}}){_ORD},?\s+(?P<y>\d{{4}})(?!\d|,\d)"), "ymd"),
    (re.compile(rf"(?<![\w.,])(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?(?P<mon>{_MON})"), "md"),
    (re.compile(rf"(?P<mon>{_MON})\s+(?P<d>\d{{1,2}}){_ORD}\b(?![,.]?\d)"), "md"),
    (re.compile(rf"(?P<mon>{_MON}),?\s+(?:of\s+)?(?P<y>\d{{4}})(?!\d|,\d)"), "ym"),
    (re.compile(r"(?<![\w.,/])(?P<y>\d{4})-(?P<m>\d{2})(?![\w-])"), "ym"),
)
# "24 months", "a 24-month deadline", "six days": the number counts a span of time, so only
# a value that is itself such a span (by its label) can account for it. Years are left out:
# "two years of visa counts" counts calendar years compared, not a span.
_TIME_NOUN_RE = re.compile(r"[ \t]?-?[ \t]?(?P<noun>day|week|month)s?\b", re.IGNORECASE)

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MULTIPLIERS = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "bn": 1e9, "mn": 1e6, "m": 1e6, "k": 1e3, "b": 1e9}
_NUMBER_RE = re.compile(
    rf"(?<![\w.,/$])(?P<cur>(?:US|USD\s?)?\$\s?)?(?P<a>{_NUM})"
    rf"(?:\s?[–—-]\s?(?:(?:US)?\$\s?)?(?P<b>{_NUM}))?"
    r"(?:(?P<pct>\s?%|\s?per\s?cent\b|\s?percent\b)"
    r"|(?P<ratio>\s?×|x\b|-?fold\b|\s+times\b)"
    r"|(?P<mult>\s?(?:thousand|million|billion|bn|mn)\b|(?:m|k|b)\b))?"
    r"(?P<dollars>\s+(?:US\s+)?dollars\b)?",
    re.IGNORECASE,
)
# An S/RES/ symbol's number is a resolution number however it is preceded.
_SYMBOL_RE = re.compile(r"S/RES/(?P<n>\d{3,4})")
_QUALIFIERS = {
    "about": "round", "around": "round", "some": "round", "roughly": "round", "approximately": "round",
    "approx.": "round", "circa": "round", "c.": "round", "~": "round", "close to": "round",
    "more than": "above", "over": "above", "at least": "above", "upwards of": "above", "just over": "above",
    "above": "above",
    "fewer than": "below", "less than": "below", "under": "below", "at most": "below", "up to": "below",
    "just under": "below", "below": "below",
    "nearly": "near", "almost": "near",
}
_QUALIFIER_RE = re.compile(
    r"(?:(?<![\w])(?P<q>" + "|".join(re.escape(q) for q in sorted(_QUALIFIERS, key=len, reverse=True) if q != "~")
    + r")\s+|(?P<tilde>~)\s?)(?:US\s?)?\$?\s?$",
    re.IGNORECASE,
)

_SMALL = {
    "zero": 0, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_UNITS = {"one": 1, **{k: v for k, v in _SMALL.items() if 2 <= v <= 9}}
_WORD_MULT = {"hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9}


def _word_regex(read_one: bool) -> re.Pattern[str]:
    """Number words. "one" alone is a determiner far more often than a claim ("one chart"),
    and the ordinals ("first", "third") order the prose; so by default "one" counts only
    with a multiplier ("one million") and ordinals never do."""
    one = r"(?P<one>one)" if read_one else r"(?P<one>one)(?=\s+(?:hundred|thousand|million|billion)\b)"
    return re.compile(
        r"\b(?:(?P<tens>" + "|".join(_TENS) + r")(?:[- ](?P<unit>" + "|".join(_UNITS) + r"))?"
        r"|(?P<small>" + "|".join(_SMALL) + r")|" + one + r")"
        r"(?:\s+(?P<mult>hundred|thousand|million|billion)\b)?"
        r"(?P<times>\s+times\b|-fold\b)?\b"
        r"|\b(?P<half>half)\b|\b(?P<twice>twice|double|doubled)\b",
        re.IGNORECASE,
    )


_WORD_RE = _word_regex(read_one=False)
_WORD_RE_WITH_ONE = _word_regex(read_one=True)

_PARAGRAPH_RE = re.compile(
    r"(?:\bparagraphs?|\bparas?\.?|¶+|\bitems?|\boperative\s+paragraphs?)\s*"
    r"(?P<list>\d{1,3}(?:\s*(?:,|and|&|or|–|—|-|to)\s*\d{1,3})*)(?![\d.,]\d)",
    re.IGNORECASE,
)
_RESOLUTION_RE = re.compile(
    r"\bresolutions?\s+(?P<list>\d{3,4}(?:\s*(?:\(\d{4}\))?\s*(?:,|and|&|or|–|—|-|to)\s*\d{3,4})*)",
    re.IGNORECASE,
)
_NOTEBOOK_RE = re.compile(
    r"\bnotebooks?\s+(?P<list>\d{1,2}(?:\s*(?:,|and|&|or|–|—|-|to)\s*\d{1,2})*)\b(?![,.]\d)", re.IGNORECASE
)
# A zero-padded number ("03") is how this collection names its notebooks; prose never pads a quantity.
_PADDED_RE = re.compile(r"(?<![\w.,:/-])(?P<list>0\d)(?![\w.,:/%-]|\s?%)")
_SLUG_RE = re.compile(r"(?<![\w.])(?:\d\d-[a-z][a-z0-9-]*\.ipynb|0\d-[a-z][a-z0-9]*(?:-[a-z0-9]+)+)")
_ENUMERATION_RE = re.compile(
    r"\b(?:exercises?|questions?|steps?|tasks?|parts?|sections?|figures?|fig\.|tables?|chapters?|options?|scenarios?)"
    r"\s+(?P<list>\d{1,2}(?:\s*(?:,|and|&|or|–|—|-|to)\s*\d{1,2})*)\b(?![,.]\d)",
    re.IGNORECASE,
)
_VERSION_RE = re.compile(
    r"\b(?:python|version|cc[ -]by(?:-sa|-nc)*|jupyterlab|jupyter|pandas|plotly|ipywidgets|node(?:\.js)?"
    r"|ubuntu|debian|nbformat)\s*(?P<list>\d+(?:\.\d+)*)"
    r"|(?<![\w.])v?(?P<dotted>\d+\.\d+\.\d+(?:\.\d+)*)|\bv(?P<v>\d+\.\d+)\b",
    re.IGNORECASE,
)
_LIST_ITEM_RE = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<marker>\d{1,3}[.)]|[-*+])[ \t]+", re.MULTILINE)
# "## 3. Reading it honestly", "**3. The worker abroad.**": a numbered section or exercise.
_NUMBERED_HEADING_RE = re.compile(r"^(?:#{1,6}[ \t]+|\*\*|__)(?P<marker>\d{1,2}[.)])(?=[ \t*_])", re.MULTILINE)
_ASSUMPTION_WORD_RE = re.compile(r"assum", re.IGNORECASE)


# ---------------------------------------------------------------- masking


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def mask(text: str) -> tuple[str, list[Claim]]:
    """The text with everything that is not prose blanked, offsets kept; plus notebook links.

    Blanked: fenced and inline code, footnote markers, HTML tags, comments and entities,
    link and image addresses, bare URLs, ordered-list markers, the numbers of numbered
    headings, notebook slugs ("03-the-visa-surge"), LaTeX-escaping backslashes and emphasis
    underscores. A number in a link's text that
    equals the notebook number of the link's target ("[03 The visa surge](03-….ipynb)")
    is returned as a structural notebook claim and blanked too.
    """
    chars = list(text)
    notebook_claims: list[Claim] = []
    spans = [
        r"```.*?```", r"~~~.*?~~~", r"`[^`\n]*`", r"\[\^[^\]\s]+\]", r"<!--.*?-->", r"<[^>\n]+>", r"&#?\w+;",
        r"(?<![\w(])https?://[^\s)>\]]+", r"\\",
    ]
    for pattern in spans:
        for match in re.finditer(pattern, text, flags=re.DOTALL):
            _blank(chars, match.start(), match.end())
    masked = "".join(chars)
    for match in re.finditer(r"!?\[(?P<label>[^\]\n]*)\]\((?P<url>[^)\n]*)\)", masked):
        _blank(chars, match.start("url") - 1, match.end())
        target = re.search(r"(?:^|/)(?P<nn>\d\d)-[^/]*\.ipynb", match["url"])
        if target:
            for number in re.finditer(r"(?<!\d)\d\d(?!\d)", match["label"]):
                if number.group() == target["nn"]:
                    start = match.start("label") + number.start()
                    notebook_claims.append(Claim(number.group(), "notebook", float(number.group()), start, start + 2))
                    _blank(chars, start, start + 2)
    for pattern in (_LIST_ITEM_RE, _NUMBERED_HEADING_RE):
        for match in pattern.finditer(text):
            _blank(chars, match.start("marker"), match.end("marker"))
    for match in _SLUG_RE.finditer(text):
        _blank(chars, match.start(), match.end())
    masked = "".join(chars).replace("_", " ")
    return masked, notebook_claims


# ---------------------------------------------------------------- extraction


def _to_float(token: str) -> float:
    return float(token.replace(",", ""))


def _decimals(token: str) -> int:
    return len(token.split(".", 1)[1]) if "." in token else 0


def _unit_of(token: str) -> float:
    """The step of the last written digit: 0.1 for "8.2", 1 for "16,613", 10,000 for "20,000"."""
    if "." in token:
        return 10.0 ** -_decimals(token)
    digits = token.replace(",", "").lstrip("0")
    if not digits:
        return 1.0
    return 10.0 ** (len(digits) - len(digits.rstrip("0")))


def _qualifier_before(scan: str, start: int) -> str:
    match = _QUALIFIER_RE.search(scan[max(0, start - 30):start])
    if not match:
        return ""
    return "round" if match["tilde"] else _QUALIFIERS[match["q"].lower()]


def _noun_after(text: str, end: int) -> str:
    match = _TIME_NOUN_RE.match(text, end)
    return match["noun"].lower() if match else ""


def _list_numbers(group: str) -> Iterator[re.Match[str]]:
    yield from re.finditer(r"\d+(?:\.\d+)*", group)


def _month(name: str) -> int:
    return _MONTHS[name.rstrip(".")[:3].lower()]


def _date_claims(scan: str, chars: list[str]) -> list[Claim]:
    claims: list[Claim] = []
    for pattern, shape in _DATE_PATTERNS:
        for match in pattern.finditer("".join(chars)):
            groups = match.groupdict()
            month = int(groups["m"]) if groups.get("m") else _month(groups["mon"])
            day = int(groups["d"]) if groups.get("d") else None
            year = int(groups["y"]) if groups.get("y") else None
            if not 1 <= month <= 12 or (day is not None and not 1 <= day <= 31):
                continue
            if year is not None and day is not None:
                try:
                    date(year, month, day)
                except ValueError:
                    continue
            key: DateKey = (year, month, day) if shape != "md" else (None, month, day)
            text = scan[match.start():match.end()].strip()
            claims.append(Claim(text, "date", key, match.start(), match.end(), 0.0, 0, ""))
            _blank(chars, match.start(), match.end())
    return claims


def _context_claims(scan: str, chars: list[str]) -> list[Claim]:
    """Numbers whose role the sentence states: resolution, paragraph, notebook, exercise, version."""
    claims: list[Claim] = []
    contexts: tuple[tuple[re.Pattern[str], str], ...] = (
        (_VERSION_RE, "version"), (_SYMBOL_RE, "resolution"), (_RESOLUTION_RE, "resolution"),
        (_PARAGRAPH_RE, "paragraph"), (_NOTEBOOK_RE, "notebook"), (_ENUMERATION_RE, "enumeration"),
        (_PADDED_RE, "notebook"),
    )
    for pattern, kind in contexts:
        for match in pattern.finditer("".join(chars)):
            groups = match.groupdict()
            name = next(g for g in ("dotted", "v", "n", "list") if groups.get(g))
            group, offset = match[name], match.start(name)
            for number in _list_numbers(group):
                token = number.group()
                if kind == "resolution" and re.fullmatch(r"\d{4}", token) and f"({token})" in group:
                    continue  # "resolution 2397 (2017)": the year is a year, read later
                start = offset + number.start()
                value = _to_float(token) if kind != "version" else 0.0
                claims.append(Claim(token, kind, value, start, start + len(token)))
                _blank(chars, start, start + len(token))
    return claims


def _number_claims(scan: str, chars: list[str]) -> list[Claim]:
    claims: list[Claim] = []
    text = "".join(chars)
    for match in _NUMBER_RE.finditer(text):
        if not match["a"].strip():
            continue
        multiplier = _MULTIPLIERS[match["mult"].strip().lower()] if match["mult"] else 1.0
        if match["pct"]:
            kind = "percent"
        elif match["ratio"]:
            kind = "ratio"
        elif match["cur"] or match["dollars"]:
            kind = "money"
        else:
            kind = "count"
        qualifier = _qualifier_before(text, match.start())
        for name in ("a", "b"):
            token = match[name]
            if token is None:
                continue
            this_kind, value = kind, _to_float(token) * multiplier
            if kind == "count" and multiplier == 1.0 and re.fullmatch(r"(19|20)\d\d", token):
                this_kind = "year"
            if name == "b" and claims[-1].kind == "year" and re.fullmatch(r"\d\d", token):
                this_kind, value = "year", float(match["a"][:2] + token)  # "2018–19": the year 2019
            end = match.end() if name == "b" or not match["b"] else match.end("a")
            claims.append(Claim(
                text[match.start(name):end].strip() if name == "b" else scan[match.start():end].strip(),
                this_kind, value, match.start(name), end,
                _unit_of(token) * multiplier, _decimals(token), qualifier if name == "a" else "",
                _noun_after(text, match.end()) if this_kind == "count" else "",
            ))
        _blank(chars, match.start(), match.end())
    return claims


def _word_claims(scan: str, chars: list[str], read_one: bool = False) -> list[Claim]:
    claims: list[Claim] = []
    text = "".join(chars)
    for match in (_WORD_RE_WITH_ONE if read_one else _WORD_RE).finditer(text):
        qualifier = _qualifier_before(text, match.start())
        if match["half"]:
            claims.append(Claim(match.group(), "percent", 50.0, match.start(), match.end(), 1.0, 0, qualifier))
            continue
        if match["twice"]:
            claims.append(Claim(match.group(), "ratio", 2.0, match.start(), match.end(), 1.0, 0, qualifier))
            continue
        if match["tens"]:
            value = _TENS[match["tens"].lower()] + (_UNITS[match["unit"].lower()] if match["unit"] else 0)
        elif match["small"]:
            value = _SMALL[match["small"].lower()]
        else:
            value = 1
        multiplier = _WORD_MULT[match["mult"].lower()] if match["mult"] else 1.0
        kind = "ratio" if match["times"] else "count"
        unit = _unit_of(str(value)) * multiplier
        noun = _noun_after(text, match.end()) if kind == "count" else ""
        claims.append(Claim(match.group(), kind, value * multiplier, match.start(), match.end(), unit, 0, qualifier, noun))
    return claims


def extract(text: str, read_one: bool = False) -> list[Claim]:
    """Every numeric claim in a markdown text, in reading order.

    Dates first ("22 Dec 2019" is one claim, not a day and a year), then numbers whose
    role the sentence names ("paragraph 8", "resolution 2397", "Exercise 2"), then the
    remaining figures and number words. ``read_one`` also reads the word "one" (as the
    seed-coverage check must: "one airline" mentions the figure 1).
    """
    if not isinstance(text, str):
        raise ValueError(f"extract() reads markdown text, got {type(text).__name__}")
    scan, claims = mask(text)
    chars = list(scan)
    claims += _date_claims(scan, chars)
    claims += _context_claims(scan, chars)
    claims += _number_claims(scan, chars)
    claims += _word_claims(scan, chars, read_one)
    return sorted(claims, key=lambda c: c.start)


# ---------------------------------------------------------------- the registry


@dataclass
class Registry:
    """Every value a claim may match, each with where it comes from."""

    numbers: dict[float, list[str]] = field(default_factory=dict)
    derived: dict[float, list[str]] = field(default_factory=dict)
    dates: dict[DateKey, list[str]] = field(default_factory=dict)
    resolutions: set[int] = field(default_factory=set)
    paragraphs: set[int] = field(default_factory=set)
    assumptions: dict[float, list[str]] = field(default_factory=dict)

    def add_number(self, value: float, where: str, derived: bool = False) -> None:
        target = self.derived if derived else self.numbers
        target.setdefault(float(value), []).append(where)

    def add_date(self, key: DateKey, where: str) -> None:
        self.dates.setdefault(key, []).append(where)


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def derived_from_modules(
    tables: Mapping[str, pd.DataFrame], modules: Sequence[str] = DERIVED_MODULES
) -> dict[str, float | date]:
    """Every topic module's ``derived_values(tables)``, keyed "module: name".

    A listed module that is not written yet is skipped; one that exists without a callable
    ``derived_values``, or that returns something other than numbers and dates, raises
    ValueError naming it: a silent gap would let its notebook's numbers go unchecked.
    """
    collected: dict[str, float | date] = {}
    for name in modules:
        try:
            spec = importlib.util.find_spec(name)
        except ModuleNotFoundError:
            spec = None
        if spec is None:
            continue
        module = importlib.import_module(name)
        function = getattr(module, "derived_values", None)
        if not callable(function):
            raise ValueError(f"{name} is listed in DERIVED_MODULES but has no derived_values(tables) function")
        # Each module gets its own copies, so one that sets an index in place cannot change another's input.
        values = function({table: frame.copy() for table, frame in tables.items()})
        if not isinstance(values, Mapping):
            raise ValueError(f"{name}.derived_values returned {type(values).__name__}, expected a dict")
        for key, value in values.items():
            day = _as_date(value)
            if day is not None:
                collected[f"{name}: {key}"] = day
            elif isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(float(value)):
                collected[f"{name}: {key}"] = float(value)
            else:
                raise ValueError(f"{name}.derived_values()[{key!r}] is {value!r}: expected a finite number or a date")
    return collected


def _date_key(value: Any, precision: str | None = None) -> DateKey | None:
    day = _as_date(value)
    if day is None:
        return None
    if precision == "month":
        return (day.year, day.month, None)
    return (day.year, day.month, day.day)


def _published_key(text: str) -> DateKey | None:
    """A source's publication date as known: "2019-12-12", "2019-12", "2025", "c. 2018-02"."""
    match = re.fullmatch(r"(?:c\. )?(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text.strip())
    if not match:
        return None
    year, month, day = match.groups()
    return (int(year), int(month) if month else None, int(day) if day else None)


def _meaning(frame: pd.DataFrame, index: int) -> str:
    """What a figure counts, from its row's term, unit and measure: " (months after adoption)"."""
    words = [str(frame[c].iloc[index]) for c in ("term", "measure", "unit") if c in frame and frame[c].notna().iloc[index]]
    return f" ({'; '.join(words)})" if words else ""


def registry_from_tables(
    tables: Mapping[str, pd.DataFrame],
    descriptor: Mapping[str, Any],
    derived: Mapping[str, float | date] | None = None,
) -> Registry:
    """The registry for these tables: figures, dates, structural numbers, assumptions, derived values."""
    import pandas as pd

    registry = Registry()
    for resource in descriptor["resources"]:
        name, frame = resource["name"], tables[resource["name"]]
        key = resource["schema"]["primaryKey"][0]
        for field_ in resource["schema"]["fields"]:
            column = field_["name"]
            if field_.get("x-figure"):
                for index, (row_id, value) in enumerate(zip(frame[key], frame[column])):
                    if pd.notna(value):
                        registry.add_number(float(value), f"{resource['path']} {row_id} {column}{_meaning(frame, index)}")
            if field_["type"] == "date":
                precision = frame["date_precision"] if "date_precision" in frame else [None] * len(frame)
                for row_id, value, exactness in zip(frame[key], frame[column], precision):
                    date_key = _date_key(value, exactness if pd.notna(exactness) else None) if pd.notna(value) else None
                    if date_key:
                        registry.add_date(date_key, f"{resource['path']} {row_id} {column}")
            if field_["type"] == "string":
                for text in frame[column].dropna():
                    for match in re.finditer(r"(?:\bresolutions?\s+|S/RES/)(\d{4})\b", str(text), re.IGNORECASE):
                        registry.resolutions.add(int(match[1]))
                    for match in re.finditer(r"(?:\bparagraphs?|¶|\bitem|\bbelieved)\s*(\d{1,3})\b", str(text), re.I):
                        registry.paragraphs.add(int(match[1]))
        if name == "resolutions":
            registry.resolutions.update(int(v) for v in frame["resolution"].dropna())
            registry.paragraphs.update(int(v) for v in frame["paragraph"].dropna())
        if name == "assumptions":
            for row_id, *values in zip(frame["assumption_id"], frame["default"], frame["minimum"], frame["maximum"]):
                for label, value in zip(("default", "minimum", "maximum"), values):
                    if pd.notna(value):
                        registry.assumptions.setdefault(float(value), []).append(f"assumptions.csv {row_id} {label}")
    # Publication dates last, so that a date is credited to the event table before a source's date.
    sources = tables["sources"]
    for row_id, published in zip(sources["source_id"], sources["published"]):
        published_key = _published_key(str(published))
        if published_key:
            registry.add_date(published_key, f"sources.csv {row_id} published")
    for name, value in (derived or {}).items():
        if isinstance(value, date):
            registry.add_date((value.year, value.month, value.day), f"derived {name}")
        else:
            registry.add_number(value, f"derived {name}", derived=True)
    return registry


def build_registry(modules: Sequence[str] = DERIVED_MODULES) -> Registry:
    """The registry for the committed data/ and every topic module's derived values."""
    from helpers import data
    from helpers.paths import data_dir

    tables = data.load_all()
    return registry_from_tables(tables, data.read_descriptor(data_dir()), derived_from_modules(tables, modules))


# ---------------------------------------------------------------- matching


def fits(claim: Claim, value: float) -> bool:
    """Whether ``value`` is what the claim states, within the rounding as written."""
    written, value = abs(float(claim.value)), abs(value)  # "a fall of 18,533" states -18,533
    tolerance = 1e-9 * max(1.0, value)
    if abs(value - written) <= tolerance:
        return True
    half_step = claim.unit / 2 + tolerance
    rounds = claim.decimals > 0 or claim.kind in ("percent", "ratio")
    if rounds and claim.qualifier == "":
        # "80%" and "8×" as written round to the last digit shown, not to the tens.
        step = claim.unit if claim.decimals else 1.0
        return abs(value - written) <= step / 2 + tolerance
    if claim.qualifier == "round":
        return abs(value - written) <= half_step
    if claim.qualifier == "above":
        return written <= value <= written + half_step
    if claim.qualifier in ("below", "near"):
        return written - half_step <= value <= written
    return False


def _candidates(claim: Claim, value: float) -> Iterator[float]:
    """A registry value in the scales the claim may state it in (a share as a percentage)."""
    yield value
    if claim.kind == "percent":
        yield value * 100


def _match_number(claim: Claim, values: Mapping[float, list[str]], exact: bool) -> str:
    """Where a value the claim states comes from: exact matches are looked for first, so
    that "30,000" is credited to the figure 30,000 rather than to 30,023 rounded."""
    for value, where in values.items():
        if claim.noun:
            where = [w for w in where if claim.noun in w.lower()]
            if not where:
                continue
        for candidate in _candidates(claim, value):
            if (abs(abs(candidate) - abs(float(claim.value))) <= 1e-9 * max(1.0, abs(candidate))) if exact \
                    else fits(claim, candidate):
                return where[0]
    return ""


def _match_date(key: DateKey, dates: Mapping[DateKey, list[str]]) -> str:
    year, month, day = key
    for (y, m, d), where in dates.items():
        if (year is None or year == y) and (month is None or month == m) and (day is None or day == d):
            return where[0]
    return ""


def _list_lengths(text: str) -> list[tuple[int, int]]:
    """(line number of the first item, number of items) for each top-level list in the text."""
    lists: list[tuple[int, int]] = []
    previous_line = -2
    for match in _LIST_ITEM_RE.finditer(text):
        if match["indent"]:
            continue
        line = text.count("\n", 0, match.start())
        if lists and line - previous_line <= 2:
            first, count = lists[-1]
            lists[-1] = (first, count + 1)
        else:
            lists.append((line, 1))
        previous_line = line
    return lists


# Where a sentence ends: at a full stop before a capital, at a blank line, before a list item,
# table row, quote or heading, and after a heading or table row. A single line break inside a
# paragraph (a wrapped line in README.md) does not end one.
_SENTENCE_GAP_RE = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z\"“(\[*])|\n(?=[ \t]*(?:\n|$|[-*+>][ \t]|\d{1,3}[.)][ \t]|\||#))"
)
_BLOCK_LINE_RE = re.compile(r"^[ \t]*[#|][^\n]*$", re.MULTILINE)


def _sentence_bounds(text: str, offset: int) -> tuple[int, int]:
    gaps = [(m.start(), m.end()) for m in _SENTENCE_GAP_RE.finditer(text)]
    gaps += [(m.end(), m.end() + 1) for m in _BLOCK_LINE_RE.finditer(text)]
    start = max([end for _, end in gaps if end <= offset], default=0)
    end = min([begin for begin, _ in gaps if begin > offset], default=len(text))
    return start, end


def sentence_at(text: str, offset: int, limit: int = 300) -> str:
    """The sentence (or list item, or table row) around ``offset``, on one line."""
    start, end = _sentence_bounds(text, offset)
    sentence = " ".join(text[start:end].split())
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


def classify(claim: Claim, registry: Registry, text: str = "") -> Verdict:
    """What accounts for one claim; ``text`` (the passage) lets the sentence name an assumption or a list."""
    if claim.kind == "notebook":
        ok = 0 <= float(claim.value) <= 99
        return Verdict(claim, "structural" if ok else "", "notebook number" if ok else "")
    if claim.kind in ("version", "enumeration"):
        return Verdict(claim, "structural", claim.kind)
    if claim.kind == "resolution":
        ok = int(claim.value) in registry.resolutions
        return Verdict(claim, "structural" if ok else "", "resolution number in data/" if ok else "")
    if claim.kind == "paragraph":
        ok = int(claim.value) in registry.paragraphs
        return Verdict(claim, "structural" if ok else "", "paragraph number in data/" if ok else "")
    if claim.is_date:
        where = _match_date(claim.value, registry.dates)  # type: ignore[arg-type]
        basis = "derived" if where.startswith("derived ") else "data"
        return Verdict(claim, basis if where else "", where)
    for exact in (True, False):
        for basis, values in (("data", registry.numbers), ("derived", registry.derived)):
            where = _match_number(claim, values, exact)
            if where:
                return Verdict(claim, basis, where)
    if claim.kind == "year":
        where = _match_date((int(claim.value), None, None), registry.dates)
        if where:
            return Verdict(claim, "data" if not where.startswith("derived ") else "derived", f"year of {where}")
    if claim.kind in ("count", "year") and float(claim.value) in registry.resolutions and claim.qualifier == "":
        return Verdict(claim, "structural", "resolution number in data/")
    if text:
        if _ASSUMPTION_WORD_RE.search(sentence_at(text, claim.start, limit=10_000)):
            where = _match_number(claim, registry.assumptions, exact=False)
            if where:
                return Verdict(claim, "structural", f"assumption shown as one: {where}")
        if claim.kind == "count" and claim.qualifier == "" and claim.decimals == 0:
            line = text.count("\n", 0, claim.start)
            for first, count in _list_lengths(text):
                if count == claim.value and 0 < first - line <= 3:
                    return Verdict(claim, "structural", f"length of the list it introduces ({count} items)")
    return Verdict(claim, "", "")


def check_text(text: str, registry: Registry) -> list[Verdict]:
    """A verdict for every claim in one passage of markdown."""
    return [classify(claim, registry, text) for claim in extract(text)]


# ---------------------------------------------------------------- documents


def notebook_passages(path: Path) -> list[Passage]:
    """Every markdown cell of a notebook, except navigation cells, as passages."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    passages = []
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "markdown" or NAV_TAG in cell.get("metadata", {}).get("tags", []):
            continue
        source = cell.get("source", "")
        passages.append(Passage(Path(path), f"cell {index}", "".join(source) if isinstance(source, list) else source))
    return passages


def markdown_passages(path: Path) -> list[Passage]:
    """A markdown file as one passage."""
    return [Passage(Path(path), "", Path(path).read_text(encoding="utf-8"))]


def passages_of(path: Path) -> list[Passage]:
    return notebook_passages(path) if Path(path).suffix == ".ipynb" else markdown_passages(path)


def collection_documents(root: Path | None = None) -> list[Path]:
    """The prose the claims test reads: every notebook, README.md and the teacher guide if present."""
    from helpers.paths import project_root

    base = Path(root) if root is not None else project_root()
    documents = sorted((base / "notebooks").glob("*.ipynb"))
    documents += [p for p in (base / "README.md", base / "docs" / "teacher-guide.md") if p.is_file()]
    return documents


@dataclass(frozen=True)
class Unmatched:
    """A claim nothing accounts for, with its place and sentence: one line of a test failure."""

    path: Path
    place: str
    claim: Claim
    sentence: str

    def __str__(self) -> str:
        return f"{self.path.name}, {self.place}: {self.claim.text!r} ({self.claim.kind}) in: {self.sentence}"


def unmatched_claims(path: Path, registry: Registry) -> list[Unmatched]:
    """Every claim in one document that no data figure, derived value or structure accounts for."""
    found = []
    for passage in passages_of(path):
        for verdict in check_text(passage.text, registry):
            if not verdict.ok:
                found.append(Unmatched(passage.path, passage.locate(verdict.claim.start), verdict.claim,
                                       sentence_at(passage.text, verdict.claim.start)))
    return found


# ---------------------------------------------------------------- seed coverage


def _html_text(html: str) -> str:
    """The visible text of an HTML output, without table headers: a DataFrame's index
    (0, 1, 2, ...) would otherwise "mention" every small figure."""
    html = re.sub(r"<th\b.*?</th>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    html = re.sub(r"<(style|script)\b.*?</\1>", " ", html, flags=re.DOTALL | re.IGNORECASE)
    return re.sub(r"<[^>]+>", " ", html)


def output_texts(path: Path) -> list[str]:
    """The text a reader sees in a notebook's code outputs (plain, HTML, markdown, streams)."""
    notebook = json.loads(Path(path).read_text(encoding="utf-8"))
    texts: list[str] = []
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) if cell.get("cell_type") == "code" else []:
            if output.get("output_type") == "stream":
                texts.append("".join(output.get("text", "")))
            bundle = output.get("data", {})
            # The richest text form only: a DataFrame's text/plain repeats its index.
            for mime in ("text/markdown", "text/html", "text/plain"):
                if mime in bundle:
                    text = "".join(bundle[mime]) if isinstance(bundle[mime], list) else str(bundle[mime])
                    texts.append(_html_text(text) if mime == "text/html" else text)
                    break
    return texts


def collection_texts(root: Path | None = None) -> list[str]:
    """Every piece of prose and code output in the collection, for the seed-coverage check."""
    texts = []
    for path in collection_documents(root):
        texts += [p.text for p in passages_of(path)]
        if path.suffix == ".ipynb":
            texts += output_texts(path)
    return texts


@dataclass(frozen=True)
class SeedFigure:
    """A figure of a row whose status is seed: what the collection must mention somewhere."""

    where: str  # "visas.csv V2019_TOURIST count"
    value: float | DateKey


def seed_figures(tables: Mapping[str, pd.DataFrame], descriptor: Mapping[str, Any]) -> list[SeedFigure]:
    """Each seed row's figures; a row without a figure column (an event) gives its date instead."""
    import pandas as pd

    figures = []
    for resource in descriptor["resources"]:
        frame, fields = tables[resource["name"]], resource["schema"]["fields"]
        if "status" not in frame:
            continue
        key = resource["schema"]["primaryKey"][0]
        figure_columns = [f["name"] for f in fields if f.get("x-figure")]
        date_columns = [f["name"] for f in fields if f["type"] == "date"]
        for _, row in frame[frame["status"] == "seed"].iterrows():
            place = f"{resource['path']} {row[key]}"
            if figure_columns:
                figures += [SeedFigure(f"{place} {c}", float(row[c])) for c in figure_columns if pd.notna(row[c])]
            else:
                precision = row.get("date_precision")
                for column in date_columns:
                    date_key = _date_key(row[column], precision if pd.notna(precision) else None)
                    if date_key:
                        figures.append(SeedFigure(f"{place} {column}", date_key))
    return figures


def mentions(texts: Iterable[str], figure: SeedFigure) -> bool:
    """Whether any text states the figure: the same number as written, or the same date."""
    for text in texts:
        for claim in extract(text, read_one=True):
            if isinstance(figure.value, tuple):
                if claim.is_date and claim.value == figure.value:
                    return True
            elif not claim.is_date and claim.kind not in ("version", "enumeration") and (
                abs(float(claim.value) - figure.value) <= 1e-9 * max(1.0, abs(figure.value))  # type: ignore[arg-type]
            ):
                return True
    return False


def unmentioned_seed_figures(tables: Mapping[str, pd.DataFrame], descriptor: Mapping[str, Any],
                             texts: Sequence[str]) -> list[SeedFigure]:
    """Seed figures that no prose or code output in ``texts`` mentions."""
    return [figure for figure in seed_figures(tables, descriptor) if not mentions(texts, figure)]


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m helpers.claims [FILE ...]``: every claim with its verdict; exit 1 if any is unmatched."""
    paths = [Path(a) for a in (argv if argv is not None else sys.argv[1:])] or collection_documents()
    registry = build_registry()
    failures = 0
    for path in paths:
        for passage in passages_of(path):
            for verdict in check_text(passage.text, registry):
                mark = "ok " if verdict.ok else "NO "
                failures += not verdict.ok
                detail = verdict.detail or sentence_at(passage.text, verdict.claim.start)
                print(f"{mark}{path.name}, {passage.locate(verdict.claim.start)}: {verdict.claim.text!r} "
                      f"[{verdict.claim.kind}] {verdict.basis or 'unmatched'}: {detail}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
