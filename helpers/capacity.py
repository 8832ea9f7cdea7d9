"""The capacity model that notebook 04's sensitivity grid and simulator share (charts and verdicts
stay there).

Seats a week = flights x seats per flight x share for returning workers + rail seats, in whole
timetable weeks; weeks ending after the closure (31 Jan 2020, F55-F57) run at
``share_after_closure``. Only the flights are sourced; the rest are the labelled ASSUMPTIONs of
data/assumptions.csv (F52, F57)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from helpers.numbers import finite, is_missing

ASSUMPTION_IDS: dict[str, str] = {  # the assumptions.csv rows the model reads, by setting name
    "seats_per_flight": "A_SEATS_PER_FLIGHT",
    "share_for_workers": "A_SHARE_SEATS_FOR_WORKERS",
    "rail_seats_per_week": "A_RAIL_SEATS_PER_WEEK",
    "share_after_closure": "A_SHARE_RUNNING_AFTER_CLOSURE",
}
FLIGHTS_ROW = (
    "TR_FLIGHTS"  # the sourced flights a week (F50: "only two flights a week", one airline)
)
CLOSURE_EVENT = "E_VLADIVOSTOK_SUSPENDED"  # the Pyongyang–Vladivostok route suspended (F55)
_SHARES = ("share_for_workers", "share_after_closure")


def _count(value: object, name: str) -> float:
    """A finite real number of at least 0 (a share: at most 1 too), or a ValueError naming it."""
    number = finite(value, name)
    if number < 0 or (name in _SHARES and number > 1):
        limits = "from 0 to 1" if name in _SHARES else "0 or more"
        raise ValueError(f"{name} must be {limits}, not {number:g}")
    return number


def _finite_result(value: float, what: str) -> float:
    """A result that overflowed is the inputs' fault: say which result, not 'inf'."""
    if math.isfinite(value):
        return value
    raise ValueError(f"{what} is too large to compute: reduce the inputs it is made of")


def _day(value: object, name: str) -> date:
    """A plain date from a date, datetime or pandas Timestamp; NaT or anything else is a
    ValueError."""
    if isinstance(value, date) and not is_missing(value):
        return value.date() if isinstance(value, datetime) else value
    raise ValueError(
        f"{name} must be a date, not {'NaT' if isinstance(value, date) else type(value).__name__}"
    )


@dataclass(frozen=True)
class Settings:
    """The sourced flights a week and the four labelled assumptions, checked on creation."""

    flights_per_week: float
    seats_per_flight: float
    share_for_workers: float
    rail_seats_per_week: float
    share_after_closure: float = 1.0

    def __post_init__(self) -> None:
        for field in fields(self):
            object.__setattr__(self, field.name, _count(getattr(self, field.name), field.name))
        _ = self.weekly  # an overflowing combination is refused here, not at first use

    @property
    def weekly(self) -> float:
        """Seats a week open to returning workers, by air and rail together."""
        air = self.flights_per_week * self.seats_per_flight * self.share_for_workers
        return _finite_result(
            air + self.rail_seats_per_week, "seats a week (flights x seats x share + rail)"
        )


def _tables(tables: object, *names: str) -> Mapping[str, Any]:
    """The tables from helpers.data.load_all(), holding each table named; else a
    TypeError/ValueError."""
    if not isinstance(tables, Mapping):
        raise TypeError(
            f"tables must be the tables from helpers.data.load_all(), not {type(tables).__name__}"
        )
    if missing := [name for name in names if name not in tables]:
        raise ValueError(
            f"tables must hold {list(names)} (from helpers.data.load_all()); missing: {missing}"
        )
    return tables


def settings_from(tables: Mapping[str, Any], **changes: object) -> Settings:
    """The sourced flights and the assumption defaults from data/, with any setting changed by
    name."""
    _tables(tables, "transport", "assumptions")
    if unknown := set(changes) - {f.name for f in fields(Settings)}:
        raise ValueError(
            f"no setting {sorted(unknown)}; settings: {[f.name for f in fields(Settings)]}"
        )
    values = {"flights_per_week": float(tables["transport"].loc[FLIGHTS_ROW, "value"])} | {
        name: float(tables["assumptions"].loc[a, "default"]) for name, a in ASSUMPTION_IDS.items()
    }
    return Settings(**(values | changes))  # type: ignore[arg-type]


def closure_date(tables: Mapping[str, Any]) -> date:
    """The day the Pyongyang–Vladivostok route was suspended, read from events.csv."""
    _tables(tables, "events")
    return _day(tables["events"].loc[CLOSURE_EVENT, "date"], CLOSURE_EVENT)


def full_weeks(start: object, end: object) -> int:
    """Whole weeks from ``start`` to ``end``: a weekly timetable runs no part-weeks."""
    first, last = _day(start, "start"), _day(end, "end")
    if last < first:
        raise ValueError(f"end ({last.isoformat()}) is before start ({first.isoformat()})")
    return (last - first).days // 7


def seats_by(
    settings: Settings, start: object, end: object, closure: object | None = None
) -> float:
    """Seats for returning workers from ``start`` to ``end``; weeks ending after ``closure`` run
    at its share."""
    if not isinstance(settings, Settings):
        raise TypeError(
            f"settings must be a Settings (from settings_from()), not {type(settings).__name__}"
        )
    weeks = full_weeks(start, end)
    full = (
        weeks
        if closure is None
        else min(weeks, full_weeks(start, max(_day(start, "start"), _day(closure, "closure"))))
    )
    seats = settings.weekly * (full + settings.share_after_closure * (weeks - full))
    return _finite_result(seats, "seats by the end date")


def weeks_needed(people: object, weekly: object) -> int:
    """Whole weeks that ``weekly`` seats need to carry ``people``; zero seats never carry anyone."""
    count, seats = _count(people, "people"), _count(weekly, "weekly")
    if count == 0:
        return 0
    if seats == 0:
        raise ValueError(
            "weekly must be above 0: at zero seats a week nobody leaves, however many weeks pass"
        )
    return math.ceil(_finite_result(count / seats, "people / weekly") - 1e-9)
