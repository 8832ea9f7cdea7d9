"""Numbers computed from the data, never typed: calendar months after a date, and the ``derived_from``
rules (e.g. ``months_after(R2397,T2397_REPAT)``) the loader recomputes to reject a row that disagrees."""

import calendar
import re
from collections.abc import Mapping
from datetime import date
from numbers import Real

from helpers.numbers import finite

_RULE_RE = re.compile(r"^(?P<fn>[a-z_]+)\((?P<a>[A-Z0-9_]+),(?P<b>[A-Z0-9_]+)\)$")


def add_months(start: date, months: Real) -> date:
    """``start`` moved by whole calendar months, clamped to the month's last day: "no later than 24 months" from
    22 Dec 2017 is 22 Dec 2019. ``months``: any whole real (24, 24.0, numpy.int64(24)); anything else, or a result
    outside years 1-9999, is a ValueError naming the parameter."""
    if not isinstance(start, date) or start != start:  # pandas.NaT is a date unequal to itself
        raise ValueError(f"start must be a date, not {type(start).__name__}")
    if (whole := finite(months, "months")) != int(whole):
        raise ValueError(f"months must be a whole number of months, not {whole}")
    year, month = divmod(start.year * 12 + start.month - 1 + int(whole), 12)
    if not 1 <= year <= 9999:
        raise ValueError(f"months={int(whole)} moves {start.isoformat()} outside the calendar (years 1 to 9999)")
    return date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


def evaluate_rule(rule: str, rows_by_id: Mapping[str, Mapping[str, str]]) -> str | float:
    """A ``derived_from`` rule on raw CSV rows keyed by primary key: months_after(PROVISION, TERM) is the
    adoption date plus the term's months (ISO text); difference(A, B) is A's count minus B's."""
    if not (match := _RULE_RE.match(rule) if isinstance(rule, str) else None):
        raise ValueError(f"not a rule: {rule!r}")
    a, b = rows_by_id[match["a"]], rows_by_id[match["b"]]
    if match["fn"] == "months_after":
        return add_months(date.fromisoformat(a["adopted"]), float(b["value"])).isoformat()
    if match["fn"] == "difference":
        return finite(float(a["count"]) - float(b["count"]), "difference")
    raise ValueError(f"unknown rule function {match['fn']!r} in {rule!r}")
