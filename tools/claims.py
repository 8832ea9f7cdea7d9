"""The claims rule: every number in the prose is a data figure, a printed output, or structure.

Why: an explainer is judged by its numbers, and a number typed into prose drifts away from
the data the moment someone corrects a table or a computation. This checker reads markdown
the way a reader does (counts, money, percentages, ratios such as "8.2×", dates such as
"22 Dec 2019" or "Dec. 22", years) in every markdown cell of every notebook, README.md and
docs/teacher-guide.md, and accounts for each number as exactly one of:

**data**: a figure in data/: a figure column of any table (those marked ``x-figure`` in
  datapackage.json: count, value, low, high; and assumptions' default, minimum, maximum),
  a date column (at the precision the row states), or a source's publication date.
**output**: a value printed by a code cell OUTPUT of the same notebook: text/plain,
  text/html (without table headers: a DataFrame's index is not a claim), text/markdown,
  streams, plotly figure titles, subtitles and annotations, and the text of widgets a cell
  displays. For README.md and the teacher guide, the outputs of every notebook count; for
  the teacher guide also each exercise's expected answer from ``helpers.exercises`` (its
  answer keys: the one place an answer is computed, never printed in a notebook).
**structural**: one of these rules, and no other:
  S1 a notebook number ("notebook 3", "03", a link label naming its target
     "[03 …](03-….ipynb)");
  S2 an enumeration ("Exercise 2", "exercise 03.1", "step 3", "section 4", list and heading
     markers);
  S3 a resolution number known from data/ (the resolutions table or a resolution a data text names);
  S4 a resolution's year in brackets, "2397 (2017)", when the resolution is known and, if data/
     gives its adoption date, the year is that date's year;
  S5 a paragraph number known from data/ ("paragraph 8", "¶17");
  S6 a software version ("Python 3.11");
  S7 the length of the list the sentence introduces ("in five sentences" above a 5-item list);
  S8 an ordinal written in digits ("2nd"); S9 a lesson-plan duration in minutes ("45 min").

Rounding as written: a number with decimals matches a value that rounds to it ("8.2" matches
8.1636); a whole number without a qualifier must match exactly ("20,000" is 20,000), while
"about/some/around 18,400" allows rounding to the written precision (18,350 to 18,450),
"more than/over/at least" the same rounding but only at or above the written number, and
"fewer than/under/nearly/almost" only at or below it. Percentages and ratios are always read
as rounded; a share printed as 0.8 is stated as "80%". A count of days, weeks or months
must match a value labelled in those units (a data row whose term/measure/unit says so, or an
output followed by that word).

Small numbers and bare years (the *small-number rule*): a whole count or ratio below 100
("2", "two", "8 times") and a year on its own ("in 2019") match almost any table by
coincidence. They may only be accounted for by
  (i) an output of the same notebook (it was printed for this prose);
  (ii) a data figure or date of a row the notebook USES or CITES: the row's id appears in
      the notebook's code or outputs, or its prose cites it ("(S31)" cites that source,
      whose publication date accounts for "2016"); for README and the teacher guide, a
      row any notebook uses or the file itself cites;
  (iii) for README and the teacher guide, an output of any notebook;
  (iv) a structural rule.
A small COUNT or RATIO (not a year) must moreover be of the same kind as the figure in (ii)
and (iii): one of the content words around it in the prose (up to three on each side,
within its clause, singular and lower-case) must be a word of the data row's term, measure,
unit or figure column, or a word around the number in that other notebook's output. So
"only two flights a week" matches transport's flights_per_week_max of 2, and "two
exceptions", "two sources" or "Name two ways" match nothing but an output of their own
notebook. ``--report`` marks these claims "small" and names the row or cell and the words
that made them the same kind.

Run ``python -m tools.claims [--report] [FILE ...]`` from the repository root (default: the
whole collection). It prints ``file:cell N:number`` for every unmatched number (with its
sentence) and exits 1 if there is one; ``--report`` also prints what every other number
matched (data row id and column, notebook output cell, or structural rule), so a reviewer
can audit coincidental matches.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers.numbers import (
    MULTIPLIERS,
    NUMBER_RE,
    SMALL_NUMBERS,
    TENS,
    WORD_MULTIPLIERS,
    WORD_NUMBERS,
    number_value,
    word_number_re,
)
from workers_abroad.publishing.notebooks import NAV_TAG, NOTEBOOKS_DIR, ROOT, notebook_paths

if TYPE_CHECKING:
    import pandas as pd

DateKey = tuple[int | None, int | None, int | None]  # (year, month, day); None where not stated

#: The structural claim kinds that need no value from data/ or outputs (rules S1, S2, S6, S8, S9).
ALWAYS_STRUCTURAL = {
    "notebook": "S1 notebook number",
    "enumeration": "S2 enumeration",
    "version": "S6 software version",
    "ordinal": "S8 ordinal",
    "minutes": "S9 lesson-plan minutes",
}

# ---------------------------------------------------------------- the claims


@dataclass(frozen=True)
class Claim:
    """One number as a reader sees it, with enough of its wording to check its rounding.

    ``kind`` is count, money, percent, ratio, year, date, or a structural context
    (resolution, resolution-year, paragraph, notebook, enumeration, version, ordinal,
    minutes). ``value`` is the number as written and scaled ("$1.2 billion" gives 1.2e9), or
    a (year, month, day) key for a date. ``unit`` is the step of the last written digit (0.1
    for "8.2", 10,000 for "20,000"), ``qualifier`` one of "", "round", "above", "below",
    "near". ``ref`` is the resolution a resolution-year belongs to.
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
    ref: int = 0

    @property
    def is_date(self) -> bool:
        return self.kind == "date"

    @property
    def number(self) -> float:
        """The value as a number, for every claim that is not a date."""
        return float(self.value)  # type: ignore[arg-type]

    @property
    def is_small(self) -> bool:
        """A bare year, or a whole count or ratio below 100: the small-number rule applies."""
        if self.kind == "year":
            return True
        return self.kind in ("count", "ratio") and self.decimals == 0 and abs(self.number) < 100


@dataclass(frozen=True)
class Verdict:
    """A claim and what accounts for it; ``basis`` is "" when nothing does."""

    claim: Claim
    basis: str  # "data", "output", "structural" or ""
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

    def place(self, offset: int) -> str:
        """ "cell 5" for a notebook cell, "line 12" for a markdown file: the middle of
        file:place:number."""
        return self.where or f"line {self.text.count(chr(10), 0, offset) + 1}"


# ---------------------------------------------------------------- patterns

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
# Month names are matched capitalised only: "may" the verb is not a month.
_MON = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\b\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(
            r"(?<![\w.,/])(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"  # 2019-12-22
            r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?(?!\w)"  # and an optional time
        ),
        "ymd",
    ),
    (
        re.compile(
            rf"(?<![\w.,])(?P<d>\d{{1,2}}){_ORD}\s+(?:of\s+)?"  # 22nd of
            rf"(?P<mon>{_MON}),?\s+(?P<y>\d{{4}})(?!\d|,\d)"  # Dec 2019
        ),
        "ymd",
    ),
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

# An S/RES/ symbol's number is a resolution number however it is preceded.
_SYMBOL_RE = re.compile(r"S/RES/(?P<n>\d{3,4})")
_QUALIFIERS = {
    "about": "round",
    "around": "round",
    "some": "round",
    "roughly": "round",
    "approximately": "round",
    "approx.": "round",
    "circa": "round",
    "c.": "round",
    "~": "round",
    "close to": "round",
    "more than": "above",
    "over": "above",
    "at least": "above",
    "upwards of": "above",
    "just over": "above",
    "above": "above",
    "fewer than": "below",
    "less than": "below",
    "under": "below",
    "at most": "below",
    "up to": "below",
    "just under": "below",
    "below": "below",
    "nearly": "near",
    "almost": "near",
}
_QUALIFIER_RE = re.compile(
    r"(?:(?<![\w])(?P<q>"
    + "|".join(re.escape(q) for q in sorted(_QUALIFIERS, key=len, reverse=True) if q != "~")
    + r")\s+|(?P<tilde>~)\s?)(?:US\s?)?\$?\s?$",
    re.IGNORECASE,
)

# Number words: one reader with helpers.numbers (see word_number_re).
_WORD_RE = word_number_re(read_one=False)
_WORD_RE_WITH_ONE = word_number_re(read_one=True)

_PARAGRAPH_RE = re.compile(
    r"(?:\bparagraphs?|\bparas?\.?|¶+|\bitems?|\boperative\s+paragraphs?)\s*"
    r"(?P<list>\d{1,3}(?:\s*(?:,|and|&|or|–|—|-|to)\s*\d{1,3})*)(?![\d.,]\d)",
    re.IGNORECASE,
)
_RESOLUTION_RE = re.compile(
    r"\bresolutions?\s+(?P<list>\d{3,4}"
    r"(?:\s*(?:\(\d{4}\))?\s*(?:,|and|&|or|–|—|-|to)\s*\d{3,4})*)",
    re.IGNORECASE,
)
_NOTEBOOK_RE = re.compile(
    r"\bnotebooks?\s+(?P<list>\d{1,2}(?:\s*(?:,|and|&|or|–|—|-|to)\s*\d{1,2})*)\b(?![,.]\d)",
    re.IGNORECASE,
)
# A zero-padded number ("03") is how this collection names its notebooks; prose never pads a
# quantity.
_PADDED_RE = re.compile(
    r"(?<![\w.,:/-])(?P<list>0\d)(?![\w.,/%-]|:\d|\s?%)"
)  # "03", "(01: dates)", not "09:55"
_SLUG_RE = re.compile(
    r"(?<![\w.])(?:\d\d-[a-z][a-z0-9-]*\.ipynb|0\d-[a-z][a-z0-9]*(?:-[a-z0-9]+)+)"
)
# "Exercise 2", "exercises 03.1 and 03.2" (an exercise id is the notebook number, a dot, its place).
_ENUMERATION_RE = re.compile(
    r"\b(?:exercises?|questions?|steps?|tasks?|parts?|sections?|figures?|fig\.|tables?"
    r"|chapters?|options?|scenarios?)"
    r"\s+(?P<list>\d{1,2}(?:\.\d{1,2})?"
    r"(?:\s*(?:,|and|&|or|–|—|-|to)\s*\d{1,2}(?:\.\d{1,2})?)*)\b(?![,.]\d)",
    re.IGNORECASE,
)
# "resolution 2397 (2017)", "S/RES/2397 (2017)": the year in brackets is part of the resolution's
# name.
_RESOLUTION_YEAR_RE = re.compile(r"(?<![\w.,])(?P<n>\d{4})\s*(?P<paren>\((?P<y>(?:19|20)\d\d)\))")
# "the 2nd", "3rd": an ordinal orders the prose; it states no quantity.
_ORDINAL_RE = re.compile(r"(?<![\w.,])(?P<list>\d{1,3})(?:st|nd|rd|th)\b")
# "45 min", "10–15 minutes": the length of a lesson step, not a fact of the story.
_MINUTES_RE = re.compile(
    r"(?<![\w.,])(?P<list>\d{1,3}(?:\s?[–—-]\s?\d{1,3})?)[ \t]?-?(?:min|mins|minutes?)\b",
    re.IGNORECASE,
)
_VERSION_RE = re.compile(
    r"\b(?:python|version|cc[ -]by(?:-sa|-nc)*|jupyterlab|jupyter|pandas|plotly|ipywidgets"
    r"|node(?:\.js)?|ubuntu|debian|nbformat)\s*(?P<list>\d+(?:\.\d+)*)"
    r"|(?<![\w.])v?(?P<dotted>\d+\.\d+\.\d+(?:\.\d+)*)|\bv(?P<v>\d+\.\d+)\b",
    re.IGNORECASE,
)
_LIST_ITEM_RE = re.compile(
    r"^(?P<indent>[ \t]{0,3})(?P<marker>\d{1,3}[.)]|[-*+])[ \t]+", re.MULTILINE
)
# "## 3. Reading it honestly", "**3. The worker abroad.**": a numbered section or exercise.
_NUMBERED_HEADING_RE = re.compile(
    r"^(?:#{1,6}[ \t]+|\*\*|__)(?P<marker>\d{1,2}[.)])(?=[ \t*_])", re.MULTILINE
)


# ---------------------------------------------------------------- masking


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def mask(text: str) -> tuple[str, list[Claim]]:
    """The text with everything that is not prose blanked, offsets kept; plus notebook links.

    Blanked: fenced and inline code, footnote markers, HTML tags, comments and entities, link and
    image addresses, bare URLs, ordered-list markers, the numbers of numbered headings, notebook
    slugs ("03-the-visa-surge"), LaTeX-escaping backslashes, emphasis underscores, and the idiom "a
    power of ten" (an order of magnitude, not a figure). A number in a link's text that equals the
    notebook number of the link's target ("[03 The visa surge](03-….ipynb)") is returned as a
    structural notebook claim and blanked too."""
    chars = list(text)
    notebook_claims: list[Claim] = []
    spans = [
        r"```.*?```",
        r"~~~.*?~~~",
        r"`[^`\n]*`",
        r"\[\^[^\]\s]+\]",
        r"<!--.*?-->",
        r"<[^>\n]+>",
        r"&#?\w+;",
        r"(?<![\w(])https?://[^\s)>\]]+",
        r"\\",
        r"(?i)\bpowers? of (?:ten|10)\b",
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
                    notebook_claims.append(
                        Claim(number.group(), "notebook", float(number.group()), start, start + 2)
                    )
                    _blank(chars, start, start + 2)
    for pattern in (_LIST_ITEM_RE, _NUMBERED_HEADING_RE):
        for match in pattern.finditer(text):
            _blank(chars, match.start("marker"), match.end("marker"))
    for match in _SLUG_RE.finditer(text):
        _blank(chars, match.start(), match.end())
    masked = "".join(chars).replace("_", " ")
    return masked, notebook_claims


# ---------------------------------------------------------------- extraction


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
    match = _QUALIFIER_RE.search(scan[max(0, start - 30) : start])
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
            text = scan[match.start() : match.end()].strip()
            claims.append(Claim(text, "date", key, match.start(), match.end(), 0.0, 0, ""))
            _blank(chars, match.start(), match.end())
    return claims


def _context_claims(scan: str, chars: list[str]) -> list[Claim]:
    """Numbers whose role the sentence states: resolution, paragraph, notebook, exercise,
    version."""
    claims: list[Claim] = []
    for match in _RESOLUTION_YEAR_RE.finditer("".join(chars)):
        start, end = match.start("y"), match.end("y")
        claims.append(
            Claim(match["y"], "resolution-year", float(match["y"]), start, end, ref=int(match["n"]))
        )
        _blank(chars, match.start("paren"), match.end("paren"))
    contexts: tuple[tuple[re.Pattern[str], str], ...] = (
        (_VERSION_RE, "version"),
        (_SYMBOL_RE, "resolution"),
        (_RESOLUTION_RE, "resolution"),
        (_PARAGRAPH_RE, "paragraph"),
        (_NOTEBOOK_RE, "notebook"),
        (_ENUMERATION_RE, "enumeration"),
        (_PADDED_RE, "notebook"),
        (_MINUTES_RE, "minutes"),
        (_ORDINAL_RE, "ordinal"),
    )
    for pattern, kind in contexts:
        for match in pattern.finditer("".join(chars)):
            groups = match.groupdict()
            name = next(g for g in ("dotted", "v", "n", "list") if groups.get(g))
            group, offset = match[name], match.start(name)
            for number in _list_numbers(group):
                token = number.group()
                start = offset + number.start()
                value = number_value(token) if kind != "version" else 0.0
                claims.append(Claim(token, kind, value, start, start + len(token)))
                _blank(chars, start, start + len(token))
    return claims


def _number_claims(scan: str, chars: list[str]) -> list[Claim]:
    claims: list[Claim] = []
    text = "".join(chars)
    for match in NUMBER_RE.finditer(text):
        if not match["a"].strip():
            continue
        multiplier = MULTIPLIERS[match["mult"].strip().lower()] if match["mult"] else 1.0
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
            exponent = match["exp"] if name == "a" else ""
            this_kind, value = kind, number_value(token, exponent) * multiplier
            if kind == "count" and multiplier == 1.0 and re.fullmatch(r"(19|20)\d\d", token):
                this_kind = "year"
            if name == "b" and claims[-1].kind == "year" and re.fullmatch(r"\d\d", token):
                # "2018–19": the year 2019
                this_kind, value = "year", float(match["a"][:2] + token)
            end = match.end() if name == "b" or not match["b"] else match.end("a")
            claims.append(
                Claim(
                    text[match.start(name) : end].strip()
                    if name == "b"
                    else scan[match.start() : end].strip(),
                    this_kind,
                    value,
                    match.start(name),
                    end,
                    _unit_of(token) * multiplier,
                    _decimals(token),
                    qualifier if name == "a" else "",
                    _noun_after(text, match.end()) if this_kind == "count" else "",
                )
            )
        _blank(chars, match.start(), match.end())
    return claims


def _word_claims(scan: str, chars: list[str], read_one: bool = False) -> list[Claim]:
    claims: list[Claim] = []
    text = "".join(chars)
    for match in (_WORD_RE_WITH_ONE if read_one else _WORD_RE).finditer(text):
        qualifier = _qualifier_before(text, match.start())
        if match["half"]:
            claims.append(
                Claim(match.group(), "percent", 50.0, match.start(), match.end(), 1.0, 0, qualifier)
            )
            continue
        if match["twice"]:
            claims.append(
                Claim(match.group(), "ratio", 2.0, match.start(), match.end(), 1.0, 0, qualifier)
            )
            continue
        if match["tens"]:
            value = TENS[match["tens"].lower()] + (
                WORD_NUMBERS[match["unit"].lower()] if match["unit"] else 0
            )
        elif match["small"]:
            value = SMALL_NUMBERS[match["small"].lower()]
        else:
            value = 1
        multiplier = WORD_MULTIPLIERS[match["mult"].lower()] if match["mult"] else 1.0
        kind = "ratio" if match["times"] else "count"
        unit = _unit_of(str(value)) * multiplier
        noun = _noun_after(text, match.end()) if kind == "count" else ""
        claims.append(
            Claim(
                match.group(),
                kind,
                value * multiplier,
                match.start(),
                match.end(),
                unit,
                0,
                qualifier,
                noun,
            )
        )
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


# ---------------------------------------------------------------- what a claim may match


#: Words that say nothing about what a number counts.
_STOP_WORDS = frozenset(
    "a an the of per after before in on to for and or by at from with than as its their his her "
    "this that these those more less fewer only about some nearly over under is are was were be "
    "been it they there which who whom what when where each every all any no not one two s".split()
)
#: Figure columns too generic to name a kind ("two counts" is not a count of anything in
#: particular).
_GENERIC_COLUMNS = frozenset({"count", "value", "low", "high"})


def _stem(word: str) -> str:
    """A word's singular, lower-cased: "flights" and "flight", "countries" and "country" agree."""
    word = word.lower()
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def kind_words(text: str) -> frozenset[str]:
    """The content words of ``text`` as stems: "flights_per_week_max" gives {flight, week, max}."""
    return frozenset(
        _stem(w) for w in re.findall(r"[A-Za-z]+", text) if w.lower() not in _STOP_WORDS
    )


def context_words(text: str, start: int, end: int, count: int = 3) -> frozenset[str]:
    """What the words around a number say it counts: up to ``count`` content words on each side,
    within its clause ("only two flights a week" gives {flight, week})."""
    before = re.split(r"[.;:!?|(\n]", text[max(0, start - 100) : start])[-1]
    after = re.split(r"[.;:!?|),\n]", text[end : end + 100])[0]
    words_before = [w for w in re.findall(r"[A-Za-z]+", before) if w.lower() not in _STOP_WORDS][
        -count:
    ]
    words_after = [w for w in re.findall(r"[A-Za-z]+", after) if w.lower() not in _STOP_WORDS][
        :count
    ]
    return frozenset(_stem(w) for w in words_before + words_after)


@dataclass(frozen=True)
class Figure:
    """A value a claim may match and where it comes from.

    ``where`` names it for the report: "visas.csv V2019_TOURIST count" for data (with the
    row's term, measure or unit in brackets), "03-the-visa-surge.ipynb output of cell 12"
    for an output. ``row`` is the data row's id ("" for an output); ``noun`` is the span an
    output number counts ("month" in "24 months"), used by the days/weeks/months rule.
    ``words`` say what kind of thing the figure counts (a data row's term, measure, unit and
    figure column; the words around an output number), for the small-number rule;
    ``foreign`` marks an output of another notebook (what README and the guide may cite).
    """

    value: float | DateKey
    where: str
    row: str = ""
    noun: str = ""
    words: frozenset[str] = frozenset()
    foreign: bool = False

    def counts(self, noun: str) -> bool:
        """Whether this figure is a count of ``noun`` (days, weeks, months)."""
        return self.noun == noun if not self.row else noun in self.where.lower()


@dataclass
class Registry:
    """What data/ offers: figures, dates, structural numbers, and every row id (to tell use)."""

    numbers: list[Figure] = field(default_factory=list)
    dates: list[Figure] = field(default_factory=list)
    resolutions: set[int] = field(default_factory=set)
    paragraphs: set[int] = field(default_factory=set)
    resolution_years: dict[int, set[int]] = field(default_factory=dict)
    row_ids: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Outputs:
    """What a document's notebook(s) offer: printed numbers and dates, and the data rows used."""

    numbers: tuple[Figure, ...] = ()
    dates: tuple[Figure, ...] = ()
    rows: frozenset[str] = frozenset()

    def __add__(self, other: Outputs) -> Outputs:
        return Outputs(
            self.numbers + other.numbers, self.dates + other.dates, self.rows | other.rows
        )


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return None


def _date_key(value: Any, precision: str | None = None) -> DateKey | None:
    day = _as_date(value)
    if day is None:
        return None
    if precision == "month":
        return (day.year, day.month, None)
    if precision == "year":
        return (day.year, None, None)
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
    words = [
        str(frame[c].iloc[index])
        for c in ("term", "measure", "unit")
        if c in frame and frame[c].notna().iloc[index]
    ]
    return f" ({'; '.join(words)})" if words else ""


#: Figure columns beyond those marked x-figure: an assumption's range is as much a figure as its
#: default.
EXTRA_FIGURE_COLUMNS = {"assumptions": ("default", "minimum", "maximum")}


def with_key_column(frame: pd.DataFrame) -> pd.DataFrame:
    """A table with its primary key as a column again: load_all() keys each table by it (its
    index), and the registry reads ids and values column by column."""
    return frame.reset_index() if frame.index.name else frame


def _figure_columns(resource: Mapping[str, Any], frame: pd.DataFrame) -> list[str]:
    """The columns whose values are figures: those datapackage.json marks ``x-figure``, then the
    table's EXTRA_FIGURE_COLUMNS it has (an assumption's range as well as its default)."""
    columns = [f["name"] for f in resource["schema"]["fields"] if f.get("x-figure")]
    extra = EXTRA_FIGURE_COLUMNS.get(resource["name"], ())
    return columns + [c for c in extra if c in frame and c not in columns]


def _figure_words(frame: pd.DataFrame, index: int, column: str) -> frozenset[str]:
    """What a figure counts, for the small-number rule: its row's term, measure and unit, and
    the column's name unless that name is generic ("count" says nothing about what is counted)."""
    column_words = frozenset() if column in _GENERIC_COLUMNS else kind_words(column)
    return kind_words(_meaning(frame, index)) | column_words


def _figure_numbers(
    resource: Mapping[str, Any], frame: pd.DataFrame, ids: Sequence[str]
) -> list[Figure]:
    """One table's contribution to the numbers: every stated value of every figure column, named
    by file, row, column and meaning, so the report can say which row a number came from."""
    import pandas as pd

    numbers = []
    for column in _figure_columns(resource, frame):
        for index, (row_id, value) in enumerate(zip(ids, frame[column])):
            if pd.notna(value):
                where = f"{resource['path']} {row_id} {column}{_meaning(frame, index)}"
                words = _figure_words(frame, index, column)
                numbers.append(Figure(float(value), where, row_id, words=words))
    return numbers


def _stated_date_key(value: Any, precision: Any) -> DateKey | None:
    """A date cell as far as its row states it (a ``date_precision`` of month or year leaves out
    the day); None for an empty cell, which states no date."""
    import pandas as pd

    if not pd.notna(value):
        return None
    return _date_key(value, precision if pd.notna(precision) else None)


def _date_figures(
    resource: Mapping[str, Any], frame: pd.DataFrame, ids: Sequence[str]
) -> list[Figure]:
    """One table's contribution to the dates: every stated value of every date column, at the
    precision its row gives, so "Dec 2019" matches a month-precise row and not a day it never
    named."""
    dates = []
    for field_ in resource["schema"]["fields"]:
        if field_["type"] != "date":
            continue
        column = field_["name"]
        precision = frame["date_precision"] if "date_precision" in frame else [None] * len(frame)
        for row_id, value, exactness in zip(ids, frame[column], precision):
            date_key = _stated_date_key(value, exactness)
            if date_key:
                dates.append(Figure(date_key, f"{resource['path']} {row_id} {column}", row_id))
    return dates


#: A resolution or paragraph a data text names ("resolution 2397", "S/RES/2397"; "paragraph 8",
#: "¶8", "item 8", "believed 8"): rules S3 and S5 accept it as much as a resolutions-table number.
_NAMED_RESOLUTION_RE = re.compile(r"(?:\bresolutions?\s+|S/RES/)(\d{4})\b", re.IGNORECASE)
_NAMED_PARAGRAPH_RE = re.compile(r"(?:\bparagraphs?|¶|\bitem|\bbelieved)\s*(\d{1,3})\b", re.I)


def _numbers_named(
    resource: Mapping[str, Any], frame: pd.DataFrame, pattern: re.Pattern[str]
) -> set[int]:
    """The numbers ``pattern`` finds in one table's text columns: the resolutions or paragraphs
    a title, note or quote names, which the prose may cite although no row holds them."""
    numbers = set()
    for field_ in resource["schema"]["fields"]:
        if field_["type"] != "string":
            continue
        for text in frame[field_["name"]].dropna():
            numbers.update(int(match[1]) for match in pattern.finditer(str(text)))
    return numbers


def _adoption_years(frame: pd.DataFrame) -> dict[int, set[int]]:
    """The year each resolution of the resolutions table was adopted, where it says: rule S4
    accepts "2397 (2017)" only with that year."""
    import pandas as pd

    years: dict[int, set[int]] = {}
    if "adopted" not in frame:
        return years
    for number, adopted in zip(frame["resolution"], frame["adopted"]):
        day = _as_date(adopted) if pd.notna(adopted) and pd.notna(number) else None
        if day is not None:
            years.setdefault(int(number), set()).add(day.year)
    return years


def _add_resolutions_table(registry: Registry, frame: pd.DataFrame) -> None:
    """The resolutions table's contribution to the structural numbers: its resolution and
    paragraph numbers (rules S3, S5) and adoption years (rule S4)."""
    registry.resolutions.update(int(v) for v in frame["resolution"].dropna())
    registry.paragraphs.update(int(v) for v in frame["paragraph"].dropna())
    for number, years in _adoption_years(frame).items():
        registry.resolution_years.setdefault(number, set()).update(years)


def _publication_dates(sources: pd.DataFrame) -> list[Figure]:
    """Each source's publication date as known (a year, a month or a day), so that prose citing a
    source ("(S31)") may give its year."""
    import pandas as pd

    dates = []
    sources = with_key_column(sources)
    for row_id, published in zip(sources["source_id"], sources["published"]):
        published_key = _published_key(str(published)) if pd.notna(published) else None
        if published_key:
            dates.append(Figure(published_key, f"sources.csv {row_id} published", str(row_id)))
    return dates


def registry_from_tables(
    tables: Mapping[str, pd.DataFrame], descriptor: Mapping[str, Any]
) -> Registry:
    """The registry for these tables: figures, dates, structural numbers and row ids.

    Each table contributes in the descriptor's order: when two rows hold the same value, the
    report credits the first (after those of the sentence's kind; see classify).
    """
    registry = Registry()
    for resource in descriptor["resources"]:
        frame = with_key_column(tables[resource["name"]])
        ids = [str(v) for v in frame[resource["schema"]["primaryKey"][0]]]
        registry.row_ids.update(ids)
        registry.numbers += _figure_numbers(resource, frame, ids)
        registry.dates += _date_figures(resource, frame, ids)
        registry.resolutions.update(_numbers_named(resource, frame, _NAMED_RESOLUTION_RE))
        registry.paragraphs.update(_numbers_named(resource, frame, _NAMED_PARAGRAPH_RE))
        if resource["name"] == "resolutions":
            _add_resolutions_table(registry, frame)
    # Publication dates last, so that a date is credited to the event table before a source's date.
    if "sources" in tables:
        registry.dates += _publication_dates(tables["sources"])
    return registry


def build_registry() -> Registry:
    """The registry for the committed data/ (loaded and validated by helpers.data)."""
    from helpers import data
    from helpers.paths import data_path

    descriptor = json.loads(data_path("datapackage.json").read_text(encoding="utf-8"))
    return registry_from_tables(data.load_all(), descriptor)


# ---------------------------------------------------------------- what a notebook prints

WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
PLOTLY = "application/vnd.plotly.v1+json"
_MODEL_REF = re.compile(r"IPY_MODEL_([0-9a-f]{32})")
_TEXT_WIDGETS = {"HTMLModel", "LabelModel", "HTMLMathModel", "TextModel", "TextareaModel"}


def _html_text(markup: str) -> str:
    """The visible text of HTML, without table headers: a DataFrame's index (0, 1, 2, ...)
    would otherwise "print" every small figure."""
    markup = re.sub(r"<th\b.*?</th>", " ", markup, flags=re.DOTALL | re.IGNORECASE)
    markup = re.sub(r"<(style|script)\b.*?</\1>", " ", markup, flags=re.DOTALL | re.IGNORECASE)
    return html.unescape(re.sub(r"<[^>]+>", " ", markup))


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def _plotly_texts(figure: Mapping[str, Any]) -> list[str]:
    """A chart's title, subtitle and annotations: the sentences a chart prints."""
    layout = figure.get("layout", {}) if isinstance(figure, Mapping) else {}
    texts = []
    title = layout.get("title", {})
    if isinstance(title, Mapping):
        texts.append(str(title.get("text", "")))
        subtitle = title.get("subtitle", {})
        if isinstance(subtitle, Mapping):
            texts.append(str(subtitle.get("text", "")))
    elif isinstance(title, str):
        texts.append(title)
    texts += [
        str(a.get("text", "")) for a in layout.get("annotations", []) if isinstance(a, Mapping)
    ]
    return [_html_text(t) for t in texts if t]


def _widget_texts(model_id: str, state: Mapping[str, Any], seen: set[str]) -> list[str]:
    """The text a displayed widget shows: its HTML/Label values and its Output widgets' outputs,
    recursively."""
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    model = state[model_id].get("state", {})
    texts = []
    if model.get("_model_name") in _TEXT_WIDGETS and isinstance(model.get("value"), str):
        texts.append(_html_text(model["value"]))
    for output in model.get("outputs", []) or []:
        texts += output_texts_of(output, state, seen)
    for ref in _MODEL_REF.findall(json.dumps({k: v for k, v in model.items() if k != "outputs"})):
        texts += _widget_texts(ref, state, seen)
    return texts


def output_texts_of(
    output: Mapping[str, Any], state: Mapping[str, Any] | None = None, seen: set[str] | None = None
) -> list[str]:
    """The text a reader sees in one code-cell output.

    Streams; of text/markdown, text/html and text/plain the richest only (a DataFrame's
    text/plain repeats its index); a plotly chart's title, subtitle and annotations; and a
    displayed widget's text, from the notebook's saved widget state.
    """
    texts: list[str] = []
    if output.get("output_type") == "stream":
        texts.append(_joined(output.get("text", "")))
    bundle = output.get("data", {}) or {}
    for mime in ("text/markdown", "text/html", "text/plain"):
        if mime in bundle and not (
            mime == "text/plain" and (PLOTLY in bundle or WIDGET_VIEW in bundle)
        ):
            text = _joined(bundle[mime])
            texts.append(_html_text(text) if mime == "text/html" else text)
            break
    if isinstance(bundle.get(PLOTLY), Mapping):
        texts += _plotly_texts(bundle[PLOTLY])
    view = bundle.get(WIDGET_VIEW)
    if isinstance(view, Mapping) and state:
        texts += _widget_texts(
            str(view.get("model_id", "")), state, seen if seen is not None else set()
        )
    return texts


def _read_notebook(path: Path) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _widget_state(notebook: Mapping[str, Any]) -> dict[str, Any]:
    return (
        notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {}) or {}
    )


def cell_outputs(path: Path) -> Iterator[tuple[int, str]]:
    """(cell index, text) for every piece of text a notebook's code cells print."""
    notebook = _read_notebook(path)
    state = _widget_state(notebook)
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        for output in cell.get("outputs", []):
            for text in output_texts_of(output, state):
                yield index, text


def output_texts(path: Path) -> list[str]:
    """Every text a notebook's code outputs show (for the seed-coverage check)."""
    return [text for _, text in cell_outputs(path)]


#: A row id as prose cites one: "(S31)", "V2019_TOURIST" (capitals, digits, underscores, with a
#: digit or "_").
_ROW_ID_RE = re.compile(r"\b(?=[A-Z0-9_]*[0-9_])[A-Z][A-Z0-9_]*\b")

#: Claim kinds read from outputs as values (not enumerations, versions and the like).
_NOT_VALUES = set(ALWAYS_STRUCTURAL)


def notebook_outputs(path: Path, row_ids: Iterable[str] = ()) -> Outputs:
    """The values a notebook prints, each with its cell, and which of ``row_ids`` it uses or cites.

    A row is used when its id appears as a whole word in the notebook's code or in its
    outputs (``row(tables["visas"], "V2019_TOURIST")``, a sources table listing it), and
    cited when its prose names it ("(S31)": the source row, whose publication date then
    accounts for "2016").
    """
    numbers: list[Figure] = []
    dates: list[Figure] = []
    words: set[str] = set()
    for index, text in cell_outputs(path):
        where = f"{Path(path).name} output of cell {index}"
        words.update(re.findall(r"[A-Za-z0-9_]+", text))
        for claim in extract(text):
            if claim.is_date:
                dates.append(Figure(claim.value, where))
            elif claim.kind not in _NOT_VALUES:
                around = context_words(text, claim.start, claim.end)
                numbers.append(Figure(claim.number, where, noun=claim.noun, words=around))
    notebook = _read_notebook(path)
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "code":
            words.update(re.findall(r"[A-Za-z0-9_]+", _joined(cell.get("source", ""))))
            words.update(re.findall(r"[A-Za-z0-9_]+", json.dumps(cell.get("outputs", []))))
        elif cell.get("cell_type") == "markdown" and NAV_TAG not in cell.get("metadata", {}).get(
            "tags", []
        ):
            words.update(_ROW_ID_RE.findall(_joined(cell.get("source", ""))))
    return Outputs(tuple(numbers), tuple(dates), frozenset(words & set(row_ids)))


TEACHER_GUIDE = "teacher-guide.md"
#: Pages whose numbers may cite the exercises' expected answers: the guide, and the teacher-only
#: keys.
KEY_PAGES = frozenset({TEACHER_GUIDE, "answer-keys.md"})


def answer_keys() -> Outputs:
    """Every registered exercise's expected answer (helpers.exercises), as the teacher guide's keys.

    The exercise registry is the one place an answer is computed; its notebook never prints
    it (the answer would stand above the exercise), so the guide's keys match it instead.
    """
    from helpers import exercises

    numbers, dates = [], []
    for exercise_id in sorted(exercises.registry()):
        try:
            value = exercises.expected(exercise_id)
        except Exception as error:  # the key cannot be checked: say which one, do not pass silently
            raise RuntimeError(
                f"helpers.exercises.expected({exercise_id!r}) failed: {error!r}"
            ) from error
        where = f"answer key helpers.exercises.expected({exercise_id!r})"
        day = _as_date(value)
        if day is not None:
            dates.append(Figure((day.year, day.month, day.day), where))
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            numbers.append(Figure(float(value), where))
    return Outputs(tuple(numbers), tuple(dates))


def outputs_for(path: Path, registry: Registry, notebooks: Sequence[Path] | None = None) -> Outputs:
    """What ``path`` may match beyond data/: its own outputs for a notebook; every notebook's
    (``notebooks``, default the collection's) for README.md and the teacher guide, plus, for
    the teacher guide, the exercises' expected answers."""
    if Path(path).suffix == ".ipynb":
        return notebook_outputs(path, registry.row_ids)
    cited = set(_ROW_ID_RE.findall(Path(path).read_text(encoding="utf-8"))) & registry.row_ids
    total = Outputs(rows=frozenset(cited))
    for notebook in notebooks if notebooks is not None else notebook_paths(NOTEBOOKS_DIR):
        printed = notebook_outputs(notebook, registry.row_ids)
        foreign = tuple(replace(f, foreign=True) for f in printed.numbers)
        total = total + Outputs(foreign, printed.dates, printed.rows)
    if Path(path).name in KEY_PAGES:
        total = total + answer_keys()
    return total


# ---------------------------------------------------------------- matching


def fits(claim: Claim, value: float) -> bool:
    """Whether ``value`` is what the claim states, within the rounding as written."""
    written, value = abs(claim.number), abs(value)  # "a fall of 18,533" states -18,533
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
    """A value in the scales the claim may state it in (a share as a percentage)."""
    yield value
    if claim.kind == "percent":
        yield value * 100


def _match_number(claim: Claim, figures: Iterable[Figure], exact: bool) -> Figure | None:
    """The first figure the claim states: exact matches are looked for first (by the caller),
    so that "30,000" is credited to the figure 30,000 rather than to 30,023 rounded."""
    for figure in figures:
        if claim.noun and not figure.counts(claim.noun):
            continue
        for candidate in _candidates(claim, float(figure.value)):  # type: ignore[arg-type]
            if (
                (abs(abs(candidate) - abs(claim.number)) <= 1e-9 * max(1.0, abs(candidate)))
                if exact
                else fits(claim, candidate)
            ):
                return figure
    return None


def _match_date(key: DateKey, figures: Iterable[Figure]) -> Figure | None:
    """The first date that agrees with every part of ``key`` the prose states."""
    year, month, day = key
    for figure in figures:
        y, m, d = figure.value  # type: ignore[misc]
        if (
            (year is None or year == y)
            and (month is None or month == m)
            and (day is None or day == d)
        ):
            return figure
    return None


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


def _describe(figure: Figure, small: bool, agreeing: frozenset[str] = frozenset()) -> str:
    """The report's account of a match: where from, and which rule let a small number through."""
    if not small:
        return figure.where
    kind = f", same kind: {', '.join(sorted(agreeing))}" if agreeing else ""
    source = "a row used or cited" if figure.row else "a printed output"
    return f"{figure.where} [small: {source}{kind}]"


def _needs_same_kind(figure: Figure) -> bool:
    """A data figure and another notebook's output must be of a small count's kind; an output of
    the claim's own notebook need not (it was printed for this prose)."""
    return bool(figure.row) or figure.foreign


def _structural(claim: Claim, holds: bool, rule: str) -> Verdict:
    """A number whose context names its role is that rule's or nothing's: "resolution 1234" with
    no such resolution in data/ is unmatched, not left to match some figure by coincidence."""
    return Verdict(claim, "structural", rule) if holds else Verdict(claim, "", "")


@dataclass(frozen=True)
class _Reading:
    """One claim as the rules read it: the claim, what its document may match, and the words
    around it in its passage (what it counts, for the small-number rule)."""

    claim: Claim
    registry: Registry
    outputs: Outputs
    text: str

    @cached_property
    def around(self) -> frozenset[str]:
        if not self.text:
            return frozenset()
        return context_words(self.text, self.claim.start, self.claim.end)

    @property
    def small(self) -> bool:
        return self.claim.is_small

    @property
    def counted(self) -> bool:
        """A small count or ratio (not a year): the same-kind rule applies to it."""
        return self.small and self.claim.kind != "year"

    def same_kind(self, figure: Figure) -> frozenset[str]:
        """The words that make ``figure`` the same kind as a small count; empty when the rule
        does not apply (not a small count, or an output of the claim's own notebook)."""
        if self.counted and _needs_same_kind(figure):
            return figure.words & self.around
        return frozenset()

    def allowed(self, figure: Figure) -> bool:
        """Whether the small-number rule lets the claim match ``figure``: any figure for a large
        number; for a small one, a row the document uses or cites, or an output, of its kind."""
        if not self.small:
            return True
        if figure.row and figure.row not in self.outputs.rows:
            return False
        return not self.counted or not _needs_same_kind(figure) or bool(self.same_kind(figure))

    def data_numbers(self) -> list[Figure]:
        """The data figures the claim may match, those of its kind first, so that of two equal
        values the report credits the one the sentence talks about ("80% of repatriations" to
        the repatriation share, not another 80%)."""
        allowed = [f for f in self.registry.numbers if self.allowed(f)]
        return sorted(allowed, key=lambda f: not (f.words & self.around))

    def printed_numbers(self) -> list[Figure]:
        return [f for f in self.outputs.numbers if self.allowed(f)]

    def data_dates(self) -> list[Figure]:
        """The data dates a year may be read from: any for a large claim, for a bare year only
        the dates of rows the document uses or cites."""
        return [f for f in self.registry.dates if not self.small or f.row in self.outputs.rows]


def _always_structural(reading: _Reading) -> Verdict | None:
    """S1, S2, S6, S8, S9: the context alone makes the number structural (a notebook number
    only if it can name a notebook, 00 to 99)."""
    claim = reading.claim
    if claim.kind not in ALWAYS_STRUCTURAL:
        return None
    holds = claim.kind != "notebook" or 0 <= claim.number <= 99
    return _structural(claim, holds, ALWAYS_STRUCTURAL[claim.kind])


#: S3 and S5: a number whose context names it a resolution ("resolution 2397") or a paragraph
#: ("paragraph 8") is structural if data/ knows it: the claim's kind, the registry's set of
#: known numbers, and the rule's name.
_NAMED_NUMBERS = {
    "resolution": ("resolutions", "S3 resolution number in data/"),
    "paragraph": ("paragraphs", "S5 paragraph number in data/"),
}


def _named_number(reading: _Reading) -> Verdict | None:
    """S3, S5: a resolution or paragraph number that data/ knows."""
    claim = reading.claim
    if claim.kind not in _NAMED_NUMBERS:
        return None
    known, rule = _NAMED_NUMBERS[claim.kind]
    holds = int(claim.number) in getattr(reading.registry, known)
    return _structural(claim, holds, rule)


def _resolution_year(reading: _Reading) -> Verdict | None:
    """S4: "2397 (2017)" is structural if data/ knows the resolution and, where it gives the
    adoption date, the year is that date's."""
    claim, registry = reading.claim, reading.registry
    if claim.kind != "resolution-year":
        return None
    years = registry.resolution_years.get(claim.ref)
    holds = claim.ref in registry.resolutions and (not years or int(claim.number) in years)
    return _structural(claim, holds, f"S4 year of resolution {claim.ref}")


def _date(reading: _Reading) -> Verdict | None:
    """A date matches a data date, else a printed one, and nothing else: a date that matches
    neither is unmatched (its day and month are no count)."""
    claim = reading.claim
    if not claim.is_date:
        return None
    for basis, figures in (("data", reading.registry.dates), ("output", reading.outputs.dates)):
        found = _match_date(claim.value, figures)  # type: ignore[arg-type]
        if found:
            return Verdict(claim, basis, found.where)
    return Verdict(claim, "", "")


def _number(reading: _Reading) -> Verdict | None:
    """A data figure, else an output, that the claim states: exactly first, then within the
    rounding as written, so "30,000" is credited to 30,000 rather than to 30,023 rounded."""
    claim = reading.claim
    candidates = (("data", reading.data_numbers()), ("output", reading.printed_numbers()))
    for exact in (True, False):
        for basis, figures in candidates:
            found = _match_number(claim, figures, exact)
            if found:
                return Verdict(
                    claim, basis, _describe(found, reading.small, reading.same_kind(found))
                )
    return None


def _year_of_a_date(reading: _Reading) -> Verdict | None:
    """A year no figure holds may be the year of a data date, else of a printed date."""
    claim = reading.claim
    if claim.kind != "year":
        return None
    key: DateKey = (int(claim.number), None, None)
    for basis, figures in (("data", reading.data_dates()), ("output", reading.outputs.dates)):
        found = _match_date(key, figures)
        if found:
            return Verdict(claim, basis, f"year of {_describe(found, reading.small)}")
    return None


def _resolution_without_its_word(reading: _Reading) -> Verdict | None:
    """S3 again: a bare unqualified number that is a resolution data/ knows ("the 2397 deadline"),
    once no figure or date has accounted for it."""
    claim = reading.claim
    if claim.kind not in ("count", "year") or claim.qualifier != "":
        return None
    if claim.number not in reading.registry.resolutions:
        return None
    return Verdict(claim, "structural", "S3 resolution number in data/")


def _list_length(reading: _Reading) -> Verdict | None:
    """S7: a whole unqualified count equal to the length of a list starting within three lines
    below it ("in five sentences" above a 5-item list)."""
    claim, text = reading.claim, reading.text
    if not text or claim.kind != "count" or claim.qualifier != "" or claim.decimals != 0:
        return None
    line = text.count("\n", 0, claim.start)
    for first, count in _list_lengths(text):
        if count == claim.value and 0 < first - line <= 3:
            return Verdict(
                claim, "structural", f"S7 length of the list it introduces ({count} items)"
            )
    return None


#: The ways a claim can be accounted for, tried in this order; the first to return a verdict
#: decides (a rule returns None when it does not apply). A number whose context names its role
#: is decided by that role alone; a bare number is tried as a figure and a date before it is
#: taken for an unnamed resolution (S3) or a list's length (S7).
_RULES = (
    _always_structural,
    _named_number,
    _resolution_year,
    _date,
    _number,
    _year_of_a_date,
    _resolution_without_its_word,
    _list_length,
)


def classify(
    claim: Claim, registry: Registry, outputs: Outputs = Outputs(), text: str = ""
) -> Verdict:
    """What accounts for one claim (see the module docstring for the rules), by the first of
    ``_RULES`` that decides; unmatched if none does.

    ``outputs`` is what the claim's document may match beyond data/ (its notebook's printed
    values and used rows); ``text`` (the passage) lets a count name the list it introduces.
    """
    reading = _Reading(claim, registry, outputs, text)
    for rule in _RULES:
        verdict = rule(reading)
        if verdict is not None:
            return verdict
    return Verdict(claim, "", "")


def check_text(text: str, registry: Registry, outputs: Outputs = Outputs()) -> list[Verdict]:
    """A verdict for every claim in one passage of markdown."""
    return [classify(claim, registry, outputs, text) for claim in extract(text)]


# ---------------------------------------------------------------- documents


def notebook_passages(path: Path) -> list[Passage]:
    """Every markdown cell of a notebook, except navigation cells, as passages."""
    passages = []
    for index, cell in enumerate(_read_notebook(path).get("cells", [])):
        if cell.get("cell_type") != "markdown" or NAV_TAG in cell.get("metadata", {}).get(
            "tags", []
        ):
            continue
        passages.append(Passage(Path(path), f"cell {index}", _joined(cell.get("source", ""))))
    return passages


def markdown_passages(path: Path) -> list[Passage]:
    """A markdown file as one passage."""
    return [Passage(Path(path), "", Path(path).read_text(encoding="utf-8"))]


def passages_of(path: Path) -> list[Passage]:
    return notebook_passages(path) if Path(path).suffix == ".ipynb" else markdown_passages(path)


def collection_documents(root: Path = ROOT) -> list[Path]:
    """The prose the claims rule reads: every notebook, README.md, and every docs/*.md page (the
    teacher guide, the teacher-only answer keys, the grading guide and any page added later)."""
    documents = notebook_paths(Path(root) / "notebooks")
    pages = sorted((Path(root) / "docs").glob("*.md"))
    return documents + [p for p in (Path(root) / "README.md", *pages) if p.is_file()]


def _shown(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


@dataclass(frozen=True)
class Finding:
    """One number of one document with its verdict and place: a line of the report."""

    path: Path
    place: str  # "cell 5" or "line 12"
    verdict: Verdict
    sentence: str

    def __str__(self) -> str:
        claim, verdict = self.verdict.claim, self.verdict
        small = ", small" if claim.is_small else ""
        head = f"{_shown(self.path)}:{self.place}:{claim.text}"
        if verdict.ok:
            return f"{head}  [{claim.kind}{small}] {verdict.basis}: {verdict.detail}"
        return f"{head}  [{claim.kind}{small}] UNMATCHED in: {self.sentence}"


def check_document(path: Path, registry: Registry, outputs: Outputs | None = None) -> list[Finding]:
    """Every number in one document with what accounts for it."""
    outputs = outputs if outputs is not None else outputs_for(path, registry)
    findings = []
    for passage in passages_of(path):
        for verdict in check_text(passage.text, registry, outputs):
            start = verdict.claim.start
            findings.append(
                Finding(
                    passage.path, passage.place(start), verdict, sentence_at(passage.text, start)
                )
            )
    return findings


def unmatched_claims(
    path: Path, registry: Registry, outputs: Outputs | None = None
) -> list[Finding]:
    """Every number in one document that no data figure, output or structural rule accounts for."""
    return [f for f in check_document(path, registry, outputs) if not f.verdict.ok]


# ---------------------------------------------------------------- seed coverage


def collection_texts(root: Path = ROOT) -> list[str]:
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


def seed_figures(
    tables: Mapping[str, pd.DataFrame], descriptor: Mapping[str, Any]
) -> list[SeedFigure]:
    """Each seed row's figures; a row without a figure column (an event) gives its date instead."""
    import pandas as pd

    figures = []
    for resource in descriptor["resources"]:
        frame, fields = with_key_column(tables[resource["name"]]), resource["schema"]["fields"]
        if "status" not in frame:
            continue
        key = resource["schema"]["primaryKey"][0]
        figure_columns = [f["name"] for f in fields if f.get("x-figure")]
        date_columns = [f["name"] for f in fields if f["type"] == "date"]
        for _, row in frame[frame["status"] == "seed"].iterrows():
            place = f"{resource['path']} {row[key]}"
            if figure_columns:
                figures += [
                    SeedFigure(f"{place} {c}", float(row[c]))
                    for c in figure_columns
                    if pd.notna(row[c])
                ]
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
            elif (
                not claim.is_date
                and claim.kind not in ALWAYS_STRUCTURAL
                and (abs(claim.number - figure.value) <= 1e-9 * max(1.0, abs(figure.value)))
            ):
                return True
    return False


def unmentioned_seed_figures(
    tables: Mapping[str, pd.DataFrame], descriptor: Mapping[str, Any], texts: Sequence[str]
) -> list[SeedFigure]:
    """Seed figures that no prose or code output in ``texts`` mentions."""
    return [figure for figure in seed_figures(tables, descriptor) if not mentions(texts, figure)]


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m tools.claims [--report] [FILE ...]``: exit 1 if any number is unmatched."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "paths",
        nargs="*",
        type=Path,
        help="notebooks or markdown files (default: every notebook, README.md, docs/*.md)",
    )
    parser.add_argument(
        "--report",
        action="store_true",
        help="print what every number matched (data row and column, output cell, or rule)",
    )
    args = parser.parse_args(argv)
    paths = args.paths or collection_documents()
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        parser.error(f"no such file: {', '.join(missing)}")
    registry = build_registry()
    unmatched = 0
    for path in paths:
        for finding in check_document(path, registry):
            unmatched += not finding.verdict.ok
            if args.report or not finding.verdict.ok:
                print(finding)
    if unmatched:
        print(
            f"{unmatched} number(s) unmatched: neither a figure in data/, nor printed by a code "
            "cell of the same notebook (within the rounding written), nor structural. Print it "
            "from code, add it to data/ with its source, or reword.",
            file=sys.stderr,
        )
        return 1
    print(f"every number accounted for in {len(paths)} document(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
