"""Numbers computed from the data, never typed: dates after adoption, differences, ratios.

A row in data/ may carry ``derived_from`` (e.g. ``months_after(R2397,T2397_REPAT)``); the
loader recomputes it here and rejects the row if the two disagree.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from datetime import date

_RULE_RE = re.compile(r"^(?P<fn>[a-z_]+)\((?P<a>[A-Z0-9_]+),(?P<b>[A-Z0-9_]+)\)$")


def add_months(start: date, months: int) -> date:
    """``start`` moved by whole calendar months, clamped to the month's last day.

    This is how "no later than 24 months" from 22 Dec 2017 becomes 22 Dec 2019.
    """
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def evaluate_rule(rule: str, rows_by_id: Mapping[str, Mapping[str, str]]) -> str | float:
    """Evaluate a ``derived_from`` rule against raw CSV rows keyed by their primary key.

    months_after(PROVISION, TERM): the provision's adoption date plus the term's months,
    as an ISO date string. difference(A, B): A's count minus B's count.
    """
    match = _RULE_RE.match(rule)
    if not match:
        raise ValueError(f"not a rule: {rule!r}")
    a, b = rows_by_id[match["a"]], rows_by_id[match["b"]]
    if match["fn"] == "months_after":
        return add_months(date.fromisoformat(a["adopted"]), int(float(b["value"]))).isoformat()
    if match["fn"] == "difference":
        return float(a["count"]) - float(b["count"])
    raise ValueError(f"unknown rule function {match['fn']!r} in {rule!r}")
