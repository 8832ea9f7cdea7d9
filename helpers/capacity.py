"""Zakharova's explanation as a capacity model: how many people could the transport carry?

Why a model: Russia said it missed the deadline because there were "only two flights a week
... operated by one airline ... and limited train connections" (S01). Whether that explains
the miss depends on how many seats those flights and trains offered, and no source gives
seat or rail numbers (F52). So the model takes them as inputs, defaults them from the
labelled rows of ``assumptions.csv``, and never lets a result that rests on them appear
without its label.

The model is deliberately simple and stated in whole weeks, because flights run on a weekly
timetable: seats a week = flights a week x seats per flight x the share of those seats
open to returning workers + rail seats a week; seats by a date = seats a week x the full
weeks until that date. It caps people *leaving*; a work permit can lapse with nobody moving
(Zakharova's own point about the last 1,000), so falling permit counts are not departures.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import ipywidgets as ipw
import numpy as np
import pandas as pd
import plotly.graph_objects as go

from helpers import timeline
from helpers.plots import INK, PALETTE, finish
from helpers.widgets import Explorer, View, assumption_slider

#: The rows of ``assumptions.csv`` this model reads, by the name of the input they set.
ASSUMPTION_IDS: dict[str, str] = {
    "seats_per_flight": "A_SEATS_PER_FLIGHT",
    "share_for_workers": "A_SHARE_SEATS_FOR_WORKERS",
    "rail_seats_per_week": "A_RAIL_SEATS_PER_WEEK",
}
#: The sourced flights a week (F50: "only two flights a week", one airline).
FLIGHTS_ROW = "TR_FLIGHTS"
#: The observation the model starts from by default: 11,490 with permits at the end of 2018.
DEFAULT_START_OBS = "RW_2018_END"
#: Zakharova's "about 1,000" who remained after the deadline.
REMAINING_OBS = "RW_2020_JAN"
#: The counts of people in Russia drawn as the trajectory (not registrations or declines).
HEADCOUNT_MEASURES = ("workers_with_permits", "workers")
#: Observations the simulator can start from: a count of people and the day it was true.
START_CHOICES = ("RW_2017_END", "RW_2018_END", "RW_2019_SEP")
#: The most flights a week the simulator offers, as a what-if above the sourced two.
MAX_FLIGHTS_SLIDER = 14

VERDICT = "At these settings, {n:,} people could have left by the deadline, and the gap was {m:,}."
#: The same line when the start count is only an upper bound ("fewer than 10,000"): then the
#: people who could leave and the gap are upper bounds too, and the text must not claim more.
VERDICT_AT_MOST = (
    "At these settings, at most {n:,} people could have left by the deadline, and the gap was at most {m:,}"
    " (the start count is only an upper bound: {qualifier} {people:,})."
)
#: The same line when the start count is approximate ("about 1,000").
VERDICT_ABOUT = (
    "At these settings, about {n:,} people could have left by the deadline, and the gap was about {m:,}"
    " (the start count is approximate: about {people:,})."
)


# ---------------------------------------------------------------- validation

def _number(name: str, value: Any, minimum: float = 0.0, maximum: float | None = None) -> float:
    """``value`` as a float, or a ValueError that names the input and what it must be."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{name} must be a number, got {type(value).__name__}")
    number = float(value)
    if math.isnan(number) or math.isinf(number):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if number < minimum:
        raise ValueError(f"{name} cannot be below {minimum:g}, got {value!r}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} cannot be above {maximum:g}, got {value!r}")
    return number


def _day(name: str, value: Any) -> date:
    """A plain date from a date, a datetime or a pandas Timestamp; anything else is an error."""
    if isinstance(value, datetime):  # also pandas Timestamps and NaT
        if pd.isna(value):
            raise ValueError(f"{name} is missing")
        return value.date()
    if isinstance(value, date):
        return value
    raise ValueError(f"{name} must be a date, got {type(value).__name__}")


# ---------------------------------------------------------------- the model

@dataclass(frozen=True)
class Settings:
    """One setting of the transport: the sourced flights plus the three labelled assumptions."""

    flights_per_week: float
    seats_per_flight: float
    share_for_workers: float
    rail_seats_per_week: float

    def __post_init__(self) -> None:
        _number("flights_per_week", self.flights_per_week)
        _number("seats_per_flight", self.seats_per_flight)
        _number("share_for_workers", self.share_for_workers, 0.0, 1.0)
        _number("rail_seats_per_week", self.rail_seats_per_week)

    @property
    def weekly(self) -> float:
        """Seats a week open to returning workers, by air and rail together."""
        return weekly_seats(self.flights_per_week, self.seats_per_flight, self.share_for_workers, self.rail_seats_per_week)

    def note(self) -> str:
        """The assumption label every chart drawn at these settings carries."""
        return (
            f"ASSUMPTION (no source gives these, F52): {self.seats_per_flight:,.0f} seats per flight, "
            f"{self.share_for_workers:.0%} of them for returning workers, {self.rail_seats_per_week:,.0f} rail seats a week."
            f"<br>Flights a week: {self.flights_per_week:g}. Seats a week for returning workers: {self.weekly:,.0f}."
        )


def weekly_seats(flights_per_week: float, seats_per_flight: float, share_for_workers: float, rail_seats_per_week: float) -> float:
    """Seats a week for returning workers: flights x seats x share, plus rail seats."""
    flights = _number("flights_per_week", flights_per_week)
    seats = _number("seats_per_flight", seats_per_flight)
    share = _number("share_for_workers", share_for_workers, 0.0, 1.0)
    rail = _number("rail_seats_per_week", rail_seats_per_week)
    return flights * seats * share + rail


def full_weeks(start: date, end: date) -> int:
    """Whole weeks from ``start`` to ``end``: a weekly timetable runs no part-weeks."""
    start, end = _day("start", start), _day("end", end)
    if end < start:
        raise ValueError(f"the end ({end.isoformat()}) is before the start ({start.isoformat()})")
    return (end - start).days // 7


def seats_by(weekly: float, start: date, end: date) -> float:
    """Seats available to returning workers from ``start`` up to ``end``."""
    return _number("weekly seats", weekly) * full_weeks(start, end)


def could_leave(people: float, weekly: float, start: date, end: date) -> int:
    """How many of ``people`` the seats could carry by ``end``: never more than there were."""
    people = _number("people", people)
    return int(min(people, math.floor(seats_by(weekly, start, end) + 1e-9)))


def gap(people: float, weekly: float, start: date, end: date) -> int:
    """People the seats could not carry by ``end`` (0 when the seats sufficed)."""
    return int(_number("people", people)) - could_leave(people, weekly, start, end)


def weeks_needed(people: float, weekly: float) -> int:
    """Whole weeks the seats need to carry ``people``; no seats can never carry anyone."""
    people = _number("people", people)
    weekly = _number("weekly seats", weekly)
    if people == 0:
        return 0
    if weekly == 0:
        raise ValueError("no seats a week: at zero capacity nobody can leave, however many weeks pass")
    return math.ceil(people / weekly - 1e-9)


def gone_by(people: float, weekly: float, start: date) -> date:
    """The day the last of ``people`` could have left from ``start``, in whole timetable weeks."""
    return _day("start", start) + timedelta(weeks=weeks_needed(people, weekly))


def weekly_seats_needed(people: float, start: date, end: date) -> float:
    """Seats a week needed to carry ``people`` from ``start`` by ``end``: the break-even capacity."""
    people = _number("people", people)
    weeks = full_weeks(start, end)
    if weeks == 0:
        raise ValueError("start and end are less than a week apart: no weekly capacity is enough")
    return people / weeks


def weekly_pace(count_from: float, date_from: date, count_to: float, date_to: date) -> float:
    """The average fall per week between two counts (days / 7, not whole weeks: it is a rate)."""
    days = (_day("date_to", date_to) - _day("date_from", date_from)).days
    if days <= 0:
        raise ValueError("date_to must be after date_from")
    return (_number("count_from", count_from) - _number("count_to", count_to)) / (days / 7)


# ---------------------------------------------------------------- reading the tables

def deadline(tables: dict[str, pd.DataFrame]) -> date:
    """22 Dec 2019, computed in one place for the collection: see helpers.timeline.deadline."""
    return timeline.deadline(tables)


def observation(tables: dict[str, pd.DataFrame], obs_id: str) -> pd.Series:
    """One row of russia_workers.csv by id, with a clear error for a wrong id."""
    rows = tables["russia_workers"].set_index("obs_id", drop=False)
    if obs_id not in rows.index:
        raise ValueError(f"no observation {obs_id!r} in russia_workers.csv")
    return rows.loc[obs_id]


def default_start(tables: dict[str, pd.DataFrame]) -> date:
    """The day of the 11,490 with permits (end of 2018), where the model starts by default."""
    return observation(tables, DEFAULT_START_OBS)["as_of"].date()


def default_settings(tables: dict[str, pd.DataFrame]) -> Settings:
    """Sourced flights a week plus the labelled assumption defaults from data/."""
    flights = tables["transport"].set_index("transport_id").loc[FLIGHTS_ROW, "value"]
    defaults = tables["assumptions"].set_index("assumption_id")["default"]
    return Settings(float(flights), *(float(defaults[a]) for a in ASSUMPTION_IDS.values()))


def headcounts(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """The dated counts of DPRK nationals in Russia, oldest first: the observed trajectory."""
    rows = tables["russia_workers"]
    rows = rows[rows["measure"].isin(HEADCOUNT_MEASURES) & rows["as_of"].notna()]
    return rows.sort_values("as_of").reset_index(drop=True)


def _rows_cited(tables: dict[str, pd.DataFrame], rows: pd.DataFrame) -> pd.DataFrame:
    """The rows a capacity chart rests on: its observations and the sourced flights row."""
    flights = tables["transport"][tables["transport"]["transport_id"] == FLIGHTS_ROW]
    columns = ["source_id", "also_source_ids"]
    return pd.concat([rows[columns], flights[columns]], ignore_index=True)


# ---------------------------------------------------------------- charts

_KIND_COLOURS = {"official report": PALETTE[1], "official statement": PALETTE[2], "media reporting": PALETTE[4]}
_SYMBOLS = {"exactly": "circle", "about": "circle-open", "fewer than": "triangle-down", "more than": "triangle-up"}
_QUALIFIER_NAMES = {"exactly": "a count", "about": "\"about\"", "fewer than": "\"fewer than\"",
                    "more than": "\"more than\""}


def _start_caveat(row: pd.Series) -> str:
    """What the chart's note must add when the start count or its day is not exact."""
    parts = []
    if row["qualifier"] == "fewer than":
        parts.append(f"The start count is \"fewer than {int(row['count']):,}\": the line is an upper bound.")
    elif row["qualifier"] != "exactly":
        parts.append(f"The start count is \"{row['qualifier']} {int(row['count']):,}\": the line is approximate.")
    if row["date_precision"] == "month":
        parts.append(f"The source gives only the month ({row['as_of_label']}); the model starts on {row['as_of']:%d %b %Y}.")
    return "<br>".join(parts)


def _drawdown(people: float, weekly: float, start: date, end: date) -> tuple[list[str], list[float]]:
    """Week by week, the fewest people who could still be in Russia if every seat left full."""
    days, counts = [], []
    for week in range(full_weeks(start, end) + 1):
        remaining = max(0.0, people - weekly * week)
        days.append((start + timedelta(weeks=week)).isoformat())
        counts.append(round(remaining, 1))
        if remaining == 0:
            break
    return days, counts


def _marker_line(fig: go.Figure, day: date, text: str) -> None:
    """A dotted vertical line with a label: plotly's add_vline mislabels date axes."""
    fig.add_shape(type="line", xref="x", yref="paper", x0=day.isoformat(), x1=day.isoformat(), y0=0, y1=1,
                  line=dict(color=INK, dash="dot", width=1))
    fig.add_annotation(x=day.isoformat(), xref="x", y=1, yref="paper", text=text, showarrow=False,
                       xanchor="left", yanchor="bottom", font=dict(size=11, color=INK))


def drawdown_chart(tables: dict[str, pd.DataFrame], start_obs: str, settings: Settings,
                   end: date | None = None, first_day: date | None = None, title: str | None = None) -> go.Figure:
    """The observed counts against the fewest who could have remained if transport were the only limit.

    The capacity line starts from one observation (its count and its day) and falls by the
    weekly seats until ``end`` (default: the deadline); the points are every dated count from
    ``first_day`` on, including those after the deadline, which show how the story ended.
    """
    start_row = observation(tables, start_obs)
    if pd.isna(start_row["as_of"]):
        raise ValueError(f"observation {start_obs!r} has no date to start from")
    start, people = start_row["as_of"].date(), float(start_row["count"])
    due = deadline(tables)
    end = end or due
    observed = headcounts(tables)
    if first_day is not None:
        observed = observed[observed["as_of"].dt.date >= first_day]
    fig = go.Figure()
    for (kind, qualifier), group in observed.groupby(["kind", "qualifier"], sort=False):
        colour = _KIND_COLOURS.get(str(kind), PALETTE[4])
        fig.add_scatter(
            x=[d.date().isoformat() for d in group["as_of"]], y=[int(c) for c in group["count"]],
            mode="markers", name=f"reported, {kind}: {_QUALIFIER_NAMES[str(qualifier)]}",
            marker=dict(size=11, color=colour, symbol=_SYMBOLS[str(qualifier)], line=dict(width=2, color=colour)),
            customdata=list(zip(group["qualifier"], group["as_of_label"], group["who"])),
            hovertemplate="%{customdata[1]}: %{customdata[0]} %{y:,}<br>%{customdata[2]}<extra></extra>",
        )
    days, counts = _drawdown(people, settings.weekly, start, end)
    fig.add_scatter(
        x=days, y=counts, mode="lines", line=dict(color=PALETTE[0], width=3, shape="hv"),
        name="model: fewest who could remain<br>if every seat were used<br>(ASSUMPTION-based)",
        hovertemplate="%{x}: at least %{y:,.0f} still in Russia<extra></extra>",
    )
    _marker_line(fig, due, f"deadline {due.day} {due:%b %Y}")
    # the legend sits right of the plot, where it can cover neither a point nor the source line
    # a fixed height keeps the plot readable inside the simulator's Output widget, under a long source line
    fig.update_layout(yaxis_title="DPRK workers in Russia", xaxis_title=None, yaxis_rangemode="tozero", height=600,
                      legend=dict(orientation="v", x=1.02, xanchor="left", y=1, yanchor="top"))
    label = start_row["as_of_label"]
    title = title or f"Could transport have carried everyone? Starting from {label}"
    note = "<br>".join(filter(None, [settings.note(), _start_caveat(start_row)]))
    fig = finish(fig, _rows_cited(tables, pd.concat([observed, start_row.to_frame().T])), tables["sources"],
                 title, note=note)
    # with the legend beside the plot, the source line needs no room below it for one
    for annotation in fig.layout.annotations:
        if annotation.name == "source-line":
            annotation.yshift = -40
    return fig


#: Cells per axis of the sensitivity chart: a display choice, enough to see the edge of the gap.
GRID_CELLS = 11


def assumption_grid(tables: dict[str, pd.DataFrame], name: str, cells: int = GRID_CELLS) -> tuple[float, ...]:
    """Evenly spaced values across one assumption's whole slider range in ``assumptions.csv``."""
    if name not in ASSUMPTION_IDS:
        raise ValueError(f"no assumption input {name!r}; choose one of {sorted(ASSUMPTION_IDS)}")
    if cells < 2:
        raise ValueError(f"a grid needs at least 2 cells, got {cells}")
    row = tables["assumptions"].set_index("assumption_id").loc[ASSUMPTION_IDS[name]]
    low, high = float(row["minimum"]), float(row["maximum"])
    return tuple(round(low + (high - low) * i / (cells - 1), 6) for i in range(cells))


def sensitivity_chart(tables: dict[str, pd.DataFrame], start_obs: str, settings: Settings,
                      seats_grid: tuple[float, ...] | None = None,
                      share_grid: tuple[float, ...] | None = None) -> go.Figure:
    """The gap at the deadline for each seats-per-flight and share, rail and flights held fixed.

    Why: both numbers are assumptions, so the honest picture is every pair of them at once,
    showing where Zakharova's explanation holds (a gap) and where it does not (none).
    """
    seats_grid = seats_grid or assumption_grid(tables, "seats_per_flight")
    share_grid = share_grid or assumption_grid(tables, "share_for_workers")
    start_row = observation(tables, start_obs)
    start, people = start_row["as_of"].date(), float(start_row["count"])
    due = deadline(tables)
    gaps = [[gap(people, weekly_seats(settings.flights_per_week, s, share, settings.rail_seats_per_week), start, due)
             for s in seats_grid] for share in share_grid]
    fig = go.Figure(go.Heatmap(
        x=[float(s) for s in seats_grid], y=[round(s, 2) for s in share_grid], z=gaps,
        colorscale=[[0, "#F0F0F0"], [1, PALETTE[3]]], zmin=0, zmax=people,
        colorbar=dict(title=dict(text="gap<br>(people)"), tickformat=","),
        hovertemplate="%{x:.0f} seats, %{y:.0%} for workers: gap %{z:,}<extra></extra>",
    ))
    fig.add_scatter(
        x=[settings.seats_per_flight], y=[settings.share_for_workers], mode="markers", name="default assumptions",
        marker=dict(symbol="x", size=14, color=PALETTE[0]), hovertemplate="default assumptions<extra></extra>",
        showlegend=False,
    )
    fig.update_layout(xaxis_title="ASSUMPTION: seats per flight", yaxis_title="ASSUMPTION: share for workers",
                      yaxis_tickformat=".0%", showlegend=False)
    note = (f"ASSUMPTION: {settings.rail_seats_per_week:,.0f} rail seats a week (no source gives it, F52); "
            f"{settings.flights_per_week:g} flights a week. The x marks the default assumptions.")
    finish(fig, _rows_cited(tables, start_row.to_frame().T), tables["sources"],
           f"Model: people the seats could not carry by the deadline, from {people:,.0f} ({start_row['as_of_label']})",
           note=note)
    # finish() leaves room for a legend, not for an x-axis title: move the source line below the title
    for annotation in fig.layout.annotations:
        if annotation.name == "source-line":
            annotation.yshift -= 30
    fig.update_layout(margin=dict(b=fig.layout.margin.b + 30), height=560)
    return fig


# ---------------------------------------------------------------- the simulator

def verdict(could: int, missing: int, qualifier: str = "exactly", people: float | None = None) -> str:
    """The simulator's one line: the people the seats could carry, and the people left over.

    Why the qualifier: from "fewer than 10,000" the model's numbers are upper bounds, and from
    "about 1,000" they are approximate; the line must say so rather than claim an exact gap.
    """
    n, m = int(_number("could", could)), int(_number("missing", missing))
    if qualifier == "exactly":
        return VERDICT.format(n=n, m=m)
    if people is None:
        raise ValueError(f"a start count qualified {qualifier!r} needs the count it qualifies")
    count = int(_number("people", people))
    if qualifier == "fewer than":
        text = VERDICT_AT_MOST.format(n=n, m=m, qualifier=qualifier, people=count)
        # an upper bound of no gap is no gap: say so plainly
        return text.replace("the gap was at most 0 ", "there was no gap ") if m == 0 else text
    if qualifier == "about":
        return VERDICT_ABOUT.format(n=n, m=m, people=count)
    raise ValueError(f"no verdict for a start count qualified {qualifier!r}")


def render(tables: dict[str, pd.DataFrame], start_obs: str, flights_per_week: float, seats_per_flight: float,
           share_for_workers: float, rail_seats_per_week: float) -> View:
    """Pure: the simulator's chart and verdict for one setting of its controls."""
    settings = Settings(flights_per_week, seats_per_flight, share_for_workers, rail_seats_per_week)
    row = observation(tables, start_obs)
    start, people = row["as_of"].date(), float(row["count"])
    due = deadline(tables)
    n = could_leave(people, settings.weekly, start, due)
    text = verdict(n, int(people) - n, str(row["qualifier"]), people)
    return View(drawdown_chart(tables, start_obs, settings), text)


def simulator(tables: dict[str, pd.DataFrame]) -> Explorer:
    """The capacity simulator: a start, the sourced flights, and three ASSUMPTION sliders."""
    defaults = default_settings(tables)
    options = []
    for obs_id in START_CHOICES:
        row = observation(tables, obs_id)
        options.append((f"{row['as_of_label']}: {row['qualifier']} {int(row['count']):,}", obs_id))
    controls: dict[str, ipw.ValueWidget] = {
        "start_obs": ipw.Dropdown(options=options, value=DEFAULT_START_OBS, description="Start from",
                                  style={"description_width": "initial"}),
        "flights_per_week": ipw.IntSlider(
            value=int(defaults.flights_per_week), min=0, max=MAX_FLIGHTS_SLIDER, step=1,
            description=f"Flights a week (source: at most {defaults.flights_per_week:g}; more is a what-if)",
            continuous_update=False, style={"description_width": "initial"}, layout=ipw.Layout(width="95%"),
        ),
    }
    for name, assumption_id in ASSUMPTION_IDS.items():
        controls[name] = assumption_slider(tables["assumptions"], assumption_id)
    bound: Callable[..., View] = lambda **values: render(tables, **values)  # noqa: E731
    return Explorer(controls, bound, title="Capacity simulator")


# ---------------------------------------------------------------- values the prose states

def derived_values(tables: dict[str, pd.DataFrame]) -> dict[str, float | date]:
    """Every derived number notebook 04 states, keyed by name, for the claims test."""
    settings = default_settings(tables)
    start, due = default_start(tables), deadline(tables)
    people = float(observation(tables, DEFAULT_START_OBS)["count"])
    remaining_row = observation(tables, REMAINING_OBS)
    remaining, remaining_day = float(remaining_row["count"]), remaining_row["as_of"].date()
    final = observation(tables, "RW_2020_MAR")
    end_2017 = observation(tables, "RW_2017_END")
    weeks_remaining = weeks_needed(remaining, settings.weekly)
    return {
        "deadline": due,
        "start_date": start,
        "weeks_start_to_deadline": float(full_weeks(start, due)),
        "default_weekly_seats": settings.weekly,
        "default_seats_by_deadline": seats_by(settings.weekly, start, due),
        "default_could_leave_by_deadline": float(could_leave(people, settings.weekly, start, due)),
        "default_gap_at_deadline": float(gap(people, settings.weekly, start, due)),
        "weekly_seats_needed_for_end_2018_count": weekly_seats_needed(people, start, due),
        "default_weeks_needed_for_remaining": float(weeks_remaining),
        "default_remaining_could_be_gone_by": gone_by(remaining, settings.weekly, remaining_day),
        "weeks_from_zakharova_to_final_report": float(full_weeks(remaining_day, final["as_of"].date())),
        "default_end_2018_count_could_be_gone_by": gone_by(people, settings.weekly, start),
        "weekly_pace_zakharova_to_final_report": weekly_pace(
            remaining, remaining_day, float(final["count"]), final["as_of"].date()),
        "weekly_pace_of_permit_fall_2018": weekly_pace(
            float(end_2017["count"]), end_2017["as_of"].date(), people, start),
    }


__all__ = [
    "Settings", "weekly_seats", "full_weeks", "seats_by", "could_leave", "gap", "weeks_needed", "gone_by",
    "weekly_seats_needed", "weekly_pace", "deadline", "observation", "default_start", "default_settings",
    "headcounts", "drawdown_chart", "assumption_grid", "sensitivity_chart", "verdict", "render", "simulator",
    "derived_values",
]
