"""Numbers computed from the data, never typed: calendar months after a date, and the
``derived_from`` rules (e.g. ``months_after(R2397,T2397_REPAT)``) the loader recomputes to reject
a row that disagrees."""

import calendar
import re
from collections.abc import Mapping
from datetime import date
from numbers import Real
from typing import Any

from helpers.numbers import finite, is_missing

_RULE_RE = re.compile(r"^(?P<fn>[a-z_]+)\((?P<a>[A-Z0-9_]+),(?P<b>[A-Z0-9_]+)\)$")


class NotFound(KeyError, ValueError):
    """A key, id or name the data do not hold. A KeyError for code that looks things up, and a
    ValueError for code that checks its arguments: either ``except`` catches it."""

    def __str__(self) -> str:  # the message as written, not KeyError's repr of it
        return str(self.args[0]) if self.args else ""


def add_months(start: date, months: Real) -> date:
    """``start`` moved by whole calendar months, clamped to the month's last day: "no later than
    24 months" from 22 Dec 2017 is 22 Dec 2019. ``months``: any whole real (24, 24.0,
    numpy.int64(24)); anything else, or a result outside years 1-9999, is a ValueError naming the
    parameter."""
    if not isinstance(start, date) or is_missing(start):
        raise ValueError(f"start must be a date, not {type(start).__name__}")
    whole = finite(months, "months")
    if whole != int(whole):
        raise ValueError(f"months must be a whole number of months, not {whole}")
    year, month = divmod(start.year * 12 + start.month - 1 + int(whole), 12)
    if not 1 <= year <= 9999:
        raise ValueError(
            f"months={int(whole)} moves {start.isoformat()} outside the calendar (years 1 to 9999)"
        )
    return date(year, month + 1, min(start.day, calendar.monthrange(year, month + 1)[1]))


#: Paragraph 8 of resolution 2397 and its term "within 24 months": the repatriation deadline.
DEADLINE_PROVISION, DEADLINE_TERM = "R2397", "T2397_REPAT"


def months_after(tables: Mapping[str, Any], provision_id: str, term_id: str) -> date:
    """A provision's adoption date (resolutions.csv) moved by one of its terms
    (resolution_terms.csv, in calendar months): the loader's ``months_after`` rule on typed
    tables, so a notebook's dates and the data's ``derived_from`` column are one computation."""
    adopted = _keyed_cell(tables, "resolutions", provision_id, "adopted")
    return add_months(adopted, _keyed_cell(tables, "resolution_terms", term_id, "value"))


def _keyed_cell(tables: Mapping[str, Any], name: str, row_id: object, column: str) -> Any:
    """``tables[name].loc[row_id, column]``, with an error that names what is wrong: tables that
    are not load_all()'s (TypeError), an id that is not text (TypeError), an unknown id
    (NotFound)."""
    import pandas as pd

    table = tables.get(name) if isinstance(tables, Mapping) else None
    if not isinstance(table, pd.DataFrame) or column not in table.columns:
        raise TypeError(f"tables must be the tables of helpers.data.load_all(), with {name!r}")
    if not isinstance(row_id, str):
        raise TypeError(f"{table.index.name} must be an id as text, not {type(row_id).__name__}")
    if row_id not in table.index:
        raise NotFound(f"no row {row_id!r:.60} in table {name!r}")
    return table.loc[row_id, column]


def repatriation_deadline(tables: Mapping[str, Any]) -> date:
    """The deadline of paragraph 8: resolution 2397's adoption plus its 24 months. Every notebook
    that needs the deadline calls this, so none types it or computes it another way."""
    return months_after(tables, DEADLINE_PROVISION, DEADLINE_TERM)


def evaluate_rule(rule: str, rows_by_id: Mapping[str, Mapping[str, str]]) -> str | float:
    """A ``derived_from`` rule on raw CSV rows keyed by primary key: months_after(PROVISION,
    TERM) is the adoption date plus the term's months (ISO text); difference(A, B) is A's count
    minus B's."""
    match = _RULE_RE.match(rule) if isinstance(rule, str) else None
    if match is None:
        raise ValueError(
            f"not a rule: {rule!r:.60} (rule must be text such as"
            " 'months_after(R2397,T2397_REPAT)')"
        )
    if not isinstance(rows_by_id, Mapping):
        raise TypeError(f"rows_by_id must map row ids to rows, not {type(rows_by_id).__name__}")
    a, b = _row(rows_by_id, match["a"]), _row(rows_by_id, match["b"])
    if match["fn"] == "months_after":
        return add_months(_iso_date(a, "adopted"), finite(_number(b, "value"), "value")).isoformat()
    if match["fn"] == "difference":
        return finite(_number(a, "count") - _number(b, "count"), "difference")
    raise ValueError(f"unknown rule function {match['fn']!r} in {rule!r}")


def _row(rows_by_id: Mapping[str, Mapping[str, str]], row_id: str) -> Mapping[str, str]:
    """The row a rule names, or NotFound naming the id."""
    found = rows_by_id.get(row_id)
    if not isinstance(found, Mapping):
        raise NotFound(f"no row {row_id!r} for the rule")
    return found


def _cell(row: Mapping[str, str], column: str) -> str:
    value = row.get(column)
    if not isinstance(value, str):
        raise NotFound(f"the rule needs a {column!r} cell as text, not {type(value).__name__}")
    return value


def _iso_date(row: Mapping[str, str], column: str) -> date:
    return date.fromisoformat(_cell(row, column))  # ValueError names the text


def _number(row: Mapping[str, str], column: str) -> float:
    return float(_cell(row, column))  # ValueError names the text
