"""The capacity model that notebook 04's scenarios, sensitivity grid and simulator share, and the
one chart they all draw of it; 04's cells compute with the model and state the verdicts.

The model: seats a week = flights x seats per flight x share for returning workers + rail seats,
in whole timetable weeks; weeks ending after the closure (31 Jan 2020, F55-F57) run at
``share_after_closure``. Only the flights are sourced; the rest are the labelled ASSUMPTIONs of
data/assumptions.csv (F52, F57).

The chart (the drawdown) lives here, not in 04's cells, because 04 draws it three times: for each
of its two scenarios and in its simulator, at any setting a student picks. The model's fewest who
could remain are grey steps beside the reported counts; each hedged count is labelled ("about
1,000") at the first of seven places around its marker that keeps clear of the steps, the other
markers, the labels placed before it and the deadline's line and label (the place with the fewest
flaws if none is clear), at whatever setting a student picks. The notebook's cells then show the
model, not the layout.

Every public function checks its arguments and names the one at fault in a TypeError or
ValueError (tests/test_misuse.py calls each with hostile values); the label placement below them
is private and trusts what the public functions checked."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date, datetime
from numbers import Integral
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from helpers import plots
from helpers.numbers import finite, is_missing

# ------------------------------------------------------------ the rows of data/ the model reads

ASSUMPTION_IDS: dict[str, str] = {  # the assumptions.csv rows the model reads, by setting name
    "seats_per_flight": "A_SEATS_PER_FLIGHT",
    "share_for_workers": "A_SHARE_SEATS_FOR_WORKERS",
    "rail_seats_per_week": "A_RAIL_SEATS_PER_WEEK",
    "share_after_closure": "A_SHARE_RUNNING_AFTER_CLOSURE",
}
FLIGHTS_ROW = "TR_FLIGHTS"  # the sourced flights a week (F50: "only two flights a week")
CLOSURE_EVENT = "E_VLADIVOSTOK_SUSPENDED"  # the Pyongyang–Vladivostok route suspended (F55)
#: The measures in russia_workers.csv that count people in Russia (not a decline or new arrivals).
COUNT_MEASURES = ("workers", "workers_with_permits", "people_remaining")

# ------------------------------------------------- argument checks: each names the parameter

_SHARES = ("share_for_workers", "share_after_closure")
#: The qualifiers russia_workers.csv allows (its schema's enum in data/datapackage.json).
_QUALIFIERS = ("as written", "about", "fewer than", "more than")
#: The columns of russia_workers.csv a drawdown chart, its table, note and citations read.
_COUNT_COLUMNS = (
    "as_of",
    "as_of_label",
    "date_precision",
    "measure",
    "count",
    "qualifier",
    "kind",
    "who",
    "source_id",
)
_STEP_COLUMNS = ("day", "at least remaining")  #: what remaining_by_week() returns


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


def _tables(tables: object, *names: str) -> Mapping[str, Any]:
    """The tables from helpers.data.load_all(), holding each table named; else a
    TypeError/ValueError."""
    if not isinstance(tables, Mapping):
        raise TypeError(
            f"tables must be the tables from helpers.data.load_all(), not {type(tables).__name__}"
        )
    missing = [name for name in names if name not in tables]
    if missing:
        raise ValueError(
            f"tables must hold {list(names)} (from helpers.data.load_all()); missing: {missing}"
        )
    return tables


def _settings(settings: object) -> Settings:
    """The model's settings, as settings_from() or Settings() make them; else a TypeError."""
    if not isinstance(settings, Settings):
        raise TypeError(
            f"settings must be a Settings (from settings_from()), not {type(settings).__name__}"
        )
    return settings


def _qualifier(value: object, name: str) -> str:
    """One of the qualifiers russia_workers.csv allows: a typo would silently drop a count's
    hedge from its label or note."""
    if not isinstance(value, str):
        raise TypeError(
            f"{name} must be text, one of {list(_QUALIFIERS)}, not {type(value).__name__}"
        )
    if value not in _QUALIFIERS:
        raise ValueError(f"{name} must be one of {list(_QUALIFIERS)}, not {value!r:.40}")
    return value


def _frame(value: object, name: str, columns: tuple[str, ...], made_by: str) -> pd.DataFrame:
    """A DataFrame with ``columns`` (as ``made_by`` gives it); else a TypeError/ValueError."""
    if not isinstance(value, pd.DataFrame):
        raise TypeError(f"{name} must be a DataFrame ({made_by}), not {type(value).__name__}")
    missing = [column for column in columns if column not in value.columns]
    if missing:
        raise ValueError(
            f"{name} must have the columns {list(columns)} ({made_by}); missing: {missing}"
        )
    return value


def _dated_numbers(frame: pd.DataFrame, name: str, day: str, number: str) -> None:
    """Every row with a date and a number: a row without either has no place on the chart."""
    if not pd.api.types.is_datetime64_any_dtype(frame[day]) or frame[day].isna().any():
        raise ValueError(f"{name}[{day!r}] must hold a date in every row (drop the undated rows)")
    if not pd.api.types.is_numeric_dtype(frame[number]) or frame[number].isna().any():
        raise ValueError(f"{name}[{number!r}] must hold a number in every row")


def _counts(counts: object) -> pd.DataFrame:
    """Dated rows of russia_workers.csv, each of a kind of figure the chart's key knows."""
    frame = _frame(counts, "counts", _COUNT_COLUMNS, "rows of tables['russia_workers']")
    _dated_numbers(frame, "counts", "as_of", "count")
    unknown = sorted(map(str, set(frame["kind"]) - set(plots.KINDS)))
    if unknown:
        raise ValueError(f"counts['kind'] holds {unknown}; kinds: {list(plots.KINDS)}")
    return frame


def _steps(steps: object) -> pd.DataFrame:
    """The model's weeks from remaining_by_week(): at least one, each dated."""
    frame = _frame(steps, "steps", _STEP_COLUMNS, "from remaining_by_week()")
    if frame.empty:
        raise ValueError("steps must hold at least one week (from remaining_by_week())")
    _dated_numbers(frame, "steps", "day", "at least remaining")
    return frame


def _height(value: object) -> int:
    """The height the chart will be finished at: plots.finish()'s rule, so both agree."""
    if isinstance(value, bool) or not isinstance(value, Integral) or not 100 <= value <= 5000:
        raise ValueError(
            f"height must be a whole number of pixels from 100 to 5000, not {value!r:.40}"
        )
    return int(value)


# ------------------------------------------------------------------------------- the model


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


def settings_from(tables: Mapping[str, Any], **changes: object) -> Settings:
    """The sourced flights and the assumption defaults from data/, with any setting changed by
    name."""
    _tables(tables, "transport", "assumptions")
    unknown = set(changes) - {f.name for f in fields(Settings)}
    if unknown:
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


def _open_weeks(start: object, closure: object | None) -> float:
    """How many weeks from ``start`` run in full: those ending by the closure (all, without one)."""
    if closure is None:
        return math.inf
    return full_weeks(start, max(_day(start, "start"), _day(closure, "closure")))


def _seats(settings: Settings, full: Any, closed: Any) -> Any:
    """Seats in ``full`` weeks running in full and ``closed`` weeks at the share after the
    closure: the one formula, for one number (seats_by) or an array of weeks (remaining_by_week)."""
    return settings.weekly * (full + settings.share_after_closure * closed)


def seats_by(
    settings: Settings, start: object, end: object, closure: object | None = None
) -> float:
    """Seats for returning workers from ``start`` to ``end``; weeks ending after ``closure`` run
    at its share."""
    _settings(settings)
    weeks = full_weeks(start, end)
    full = min(weeks, _open_weeks(start, closure))
    return _finite_result(_seats(settings, full, weeks - full), "seats by the end date")


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


def remaining_by_week(
    people: object, start: object, end: object, settings: Settings, closure: object | None = None
) -> pd.DataFrame:
    """Week by week from ``start`` to ``end``, the fewest of ``people`` who could still be there
    if every open seat carried one of them: a floor the counts can be set against, not a count.
    Computed for all weeks at once (a span of centuries is a few thousand rows, not a wait)."""
    _settings(settings)
    count = _count(people, "people")
    seats_by(settings, start, end, closure)  # refuses bad dates and an overflowing last week
    days = pd.date_range(_day(start, "start"), _day(end, "end"), freq="7D")
    weeks = np.arange(len(days))  # the week ending on days[i] is the i-th whole week
    full = np.minimum(weeks, _open_weeks(start, closure))
    left = np.maximum(0.0, count - _seats(settings, full, weeks - full))
    return pd.DataFrame({"day": days, "at least remaining": left})


# ------------------------------------------------ the drawdown chart: what 04's cells call


def drawdown_figure(
    steps: pd.DataFrame, counts: pd.DataFrame, deadline: object, closure: object, *, height: int
) -> go.Figure:
    """The model's steps and the reported counts on one chart: the deadline as a dotted line,
    the closure shaded, each hedged count labelled where no line or marker meets it. ``height``
    is the height the chart will be finished at, which sets the room the labels have."""
    steps, counts = _steps(steps), _counts(counts).sort_values("as_of", kind="stable")
    deadline, closure = _day(deadline, "deadline"), _day(closure, "closure")
    canvas = _drawdown_canvas(steps, counts, deadline, _height(height))
    last = _last_day(counts, steps)
    deadline_text = f"deadline {plots.date_text(deadline)}"
    anchor, line, label = _deadline_boxes(canvas, deadline, deadline_text)
    reaches_deadline = pd.Timestamp(deadline) <= last
    fig = go.Figure()
    drawn = [line, label] if reaches_deadline else []
    _add_counts(fig, counts, _label_places(canvas, steps, counts, drawn))
    _add_steps(fig, steps)
    if reaches_deadline:
        _mark_deadline(fig, deadline, deadline_text, anchor)
    if pd.Timestamp(closure) <= last:
        _shade_closure(fig, closure, last)
    fig.update_xaxes(range=list(canvas.x_range), dtick=_month_ticks(canvas))
    return fig.update_yaxes(range=list(canvas.y_range))


def drawdown_table(counts: pd.DataFrame, steps: pd.DataFrame) -> pd.DataFrame:
    """The table behind a drawdown chart: the reported counts, then the model at its first and
    last week, by date."""
    counts, steps = _counts(counts), _steps(steps)
    reported = pd.DataFrame(
        {
            "Date": counts["as_of"],
            "Figure": counts["kind"] + ": " + counts["measure"].str.replace("_", " "),
            "Number (people)": counts["count"],
            "Qualifier": counts["qualifier"],
            "Source": counts["source_id"],
        }
    )
    ends = steps.iloc[[0, -1]]
    model = pd.DataFrame(
        {
            "Date": ends["day"],
            "Figure": "model: fewest who could remain",
            "Number (people)": ends["at least remaining"].round(),
            "Qualifier": "at least",
            "Source": "ASSUMPTIONs",
        }
    )
    return pd.concat([reported, model]).sort_values("Date", kind="stable")


#: What a start count's qualifier lets the model say.
_START_BOUNDS = {
    "fewer than": " The start count is only an upper bound.",
    "about": " The start count is approximate.",
}


def drawdown_note(settings: Settings, start_qualifier: str, counts: pd.DataFrame) -> str:
    """The note under a drawdown chart: the settings it rests on, what its start count can say,
    and which days are assumed (a count the source dates only by its month)."""
    _settings(settings)
    bound = _START_BOUNDS.get(_qualifier(start_qualifier, "start_qualifier"), "")
    counts = _counts(counts)
    assumed = [plots.date_text(d) for d in counts.loc[counts["date_precision"] == "month", "as_of"]]
    days = f" Days assumed (the source gives the month): {', '.join(assumed)}." if assumed else ""
    air = (
        f"{settings.seats_per_flight:,.0f} seats a flight, "
        f"{settings.share_for_workers:.0%} for workers"
    )
    rest = (
        f"{settings.rail_seats_per_week:,.0f} rail seats a week, "
        f"{settings.share_after_closure:.0%} running after the closure"
    )
    flights = f"{settings.flights_per_week:g} flights a week."
    return f"ASSUMPTIONs (F52, F57): {air}, {rest}; {flights}{bound}{days}"


def cited_rows(
    tables: Mapping[str, Any], counts: pd.DataFrame, steps: pd.DataFrame
) -> pd.DataFrame:
    """The rows whose sources a drawdown chart cites: the counts, the sourced flights, and the
    closure if the chart reaches it."""
    _tables(tables, "transport", "events")
    counts, steps = _counts(counts), _steps(steps)
    rows = [counts, tables["transport"].loc[[FLIGHTS_ROW]]]
    if pd.Timestamp(closure_date(tables)) <= _last_day(counts, steps):
        rows.append(tables["events"].loc[[CLOSURE_EVENT]])
    return pd.concat(rows)


def count_text(qualifier: str, count: int) -> str:
    """A count with its qualifier's words ("about 1,000"), or the number alone as written: the
    words the simulator's start menu and a hedged count's label both use."""
    _qualifier(qualifier, "qualifier")
    number = _count(count, "count")
    if not number.is_integer():
        raise ValueError(f"count must be a whole number of people, not {number:g}")
    return f"{int(number):,}" if qualifier == "as written" else f"{qualifier} {int(number):,}"


# ------------------------------------- the plot in pixels, where the label rule measures


#: The most a drawdown chart's title, subtitle, legend, ticks, note and source line take of its
#: height (measured at 560 px wide): the plot is at least the rest.
_HEADER_AND_FOOT = round(280 * plots.SCALE)
_MARKER_ROOM = 8  #: pixels from a marker's centre to its label, and the half-width of a marker
_LABEL_PAD = 4  #: pixels kept clear around a label

_Box = tuple[float, float, float, float]  #: left, right, bottom, top, in pixels


@dataclass(frozen=True)
class _Canvas:
    """The plot a label is placed on: its ranges, and its size in pixels at the narrowest a chart
    is drawn (a label measured there keeps clear wherever the chart is wider)."""

    x_range: tuple[pd.Timestamp, pd.Timestamp]
    y_range: tuple[float, float]
    height_px: float
    width_px: float = plots.WIDTH - plots.Y_TICK_ROOM - plots.AXIS_TITLE_ROOM - plots.SIDE

    def x(self, day: object) -> float:
        """A day's distance from the plot's left edge, in pixels."""
        first, last = self.x_range
        return (pd.Timestamp(day) - first) / (last - first) * self.width_px

    def y(self, value: float) -> float:
        """A value's height above the plot's bottom edge, in pixels."""
        low, high = self.y_range
        return (value - low) / (high - low) * self.height_px


def _drawdown_canvas(
    steps: pd.DataFrame, counts: pd.DataFrame, deadline: date, height: int
) -> _Canvas:
    """The x range from the first to the last day drawn (the deadline too, if the chart reaches
    it), with room for a label beside the last count; the y range from just under zero to room
    for a two-line label above the highest count. At least a week and one person wide, so a chart
    of a single week or of nobody still has a plot to measure."""
    days = pd.concat([counts["as_of"], steps["day"]])
    first, last = pd.Timestamp(days.min()), pd.Timestamp(days.max())
    first = min(first, pd.Timestamp(deadline)) if pd.Timestamp(deadline) <= last else first
    span = max(last - first, pd.Timedelta(weeks=1))
    x_range = (first - span * 0.04, last + span * 0.15)
    heights = pd.concat([counts["count"].astype(float), steps["at least remaining"]])
    top = max(float(heights.max()), 1.0)  # one person at least: a chart of nobody has a plot
    plot_height = max(height - _HEADER_AND_FOOT, 0.2 * height)
    above = 2.5 * plots.BODY_SIZE + _MARKER_ROOM + _LABEL_PAD  # a two-line label over a marker
    low = -0.03 * top
    high = low + (top - low) / max(1 - above / plot_height, 0.5)
    return _Canvas(x_range, (low, max(high, 1.15 * top)), plot_height)


def _last_day(counts: pd.DataFrame, steps: pd.DataFrame) -> pd.Timestamp:
    """The last day a drawdown chart draws: its last count or the model's last week."""
    return pd.Timestamp(pd.concat([counts["as_of"], steps["day"]]).max())


def _month_ticks(canvas: _Canvas) -> str:
    """A tick every month, three months or six, so a few label the axis however long it is."""
    days = (canvas.x_range[1] - canvas.x_range[0]).days
    return "M1" if days < 220 else "M3" if days < 550 else "M6"


def _overlaps(first: _Box, second: _Box) -> bool:
    """Whether two boxes share any area."""
    return (
        first[0] < second[1]
        and second[0] < first[1]
        and first[2] < second[3]
        and second[2] < first[3]
    )


def _inside(canvas: _Canvas, box: _Box) -> bool:
    """Whether a box lies within the plot (a label outside it would meet ticks or the legend)."""
    return box[0] >= 0 and box[1] <= canvas.width_px and box[2] >= 0 and box[3] <= canvas.height_px


def _crosses_steps(canvas: _Canvas, steps: pd.DataFrame, box: _Box) -> bool:
    """Whether the model's steps pass through a box. The steps only fall, so over the box's width
    they run from their level at its left edge down to their level at its right edge (the
    vertical risers included): they cross it unless that run lies wholly above or below it."""
    xs = [canvas.x(day) for day in steps["day"]]
    left, right = max(box[0], xs[0]), min(box[1], xs[-1])
    if left > right:
        return False
    levels = [canvas.y(level) for level in steps["at least remaining"]]
    at_left = levels[max(i for i, x in enumerate(xs) if x <= left)]
    at_right = levels[max(i for i, x in enumerate(xs) if x <= right)]
    return at_left >= box[2] and at_right <= box[3]


# ------------------------------------ the label rule: each hedged count's label, kept clear

#: Where a hedged count's words and number may go, in the order they are tried.
_LABEL_PLACES = (
    "top right",
    "top left",
    "bottom right",
    "bottom left",
    "middle right",
    "middle left",
    "top center",
)
_HEDGED = ("about", "fewer than")  #: the qualifiers whose words a count's label carries
#: What a label's flaw costs: leaving the plot is worst; crossing the model's steps or the
#: deadline's line, or covering a marker or another text, come next; a label on two lines costs
#: a little, so one line is used wherever it does as well.
_COST_OUTSIDE, _COST_COVERS, _COST_CROSSES_LINE, _COST_TWO_LINES = 100, 10, 10, 1


@dataclass(frozen=True)
class _Obstacles:
    """What a label must keep clear of on the plot: boxes of text and markers, the model's
    steps, and lines (the deadline's), which it had better not cross either."""

    steps: pd.DataFrame
    boxes: list[_Box]
    lines: list[_Box]


def _label_box(canvas: _Canvas, day: object, count: float, text: str, place: str) -> _Box:
    """Where plotly draws a marker's text (one line or more) at ``place`` ("top right", ...),
    padded."""
    lines = text.split("\n")
    width = max(plots.text_width(line, plots.BODY_SIZE) for line in lines)
    height = 1.25 * plots.BODY_SIZE * len(lines)
    x, y = canvas.x(day), canvas.y(count)
    vertical, horizontal = place.split()
    beside = _MARKER_ROOM if vertical == "middle" else _MARKER_ROOM / 2
    left = {"right": x + beside, "left": x - beside - width}.get(horizontal, x - width / 2)
    bottom = {"top": y + _MARKER_ROOM, "bottom": y - _MARKER_ROOM - height}.get(
        vertical, y - height / 2
    )
    return (left - _LABEL_PAD, left + width + _LABEL_PAD, bottom - _LABEL_PAD, bottom + height)


def _marker_box(canvas: _Canvas, day: object, count: float) -> _Box:
    """The area a count's marker covers."""
    x, y = canvas.x(day), canvas.y(count)
    half = plots.marker("official report")["size"] / 2
    return (x - half, x + half, y - half, y + half)


def _label_cost(canvas: _Canvas, obstacles: _Obstacles, box: _Box) -> int:
    """What a label in ``box`` costs: the sum of its flaws (0: clear of everything)."""
    cost = 0 if _inside(canvas, box) else _COST_OUTSIDE
    cost += _COST_COVERS if _crosses_steps(canvas, obstacles.steps, box) else 0
    cost += _COST_COVERS if any(_overlaps(box, other) for other in obstacles.boxes) else 0
    crosses = any(_overlaps(box, line) for line in obstacles.lines)
    return cost + (_COST_CROSSES_LINE if crosses else 0)


def _place_label(
    canvas: _Canvas, obstacles: _Obstacles, point: tuple[object, float], texts: list[str]
) -> tuple[str, str, _Box]:
    """The cheapest place and wording for a count's label (the first tried wins a tie: one line
    before two, then _LABEL_PLACES in order), and the box it takes."""
    day, count = point
    options = [
        (_label_box(canvas, day, count, text, place), place, text)
        for text in texts
        for place in _LABEL_PLACES
    ]
    costs = [
        _label_cost(canvas, obstacles, box) + (_COST_TWO_LINES if "\n" in text else 0)
        for box, _, text in options
    ]
    box, place, text = options[costs.index(min(costs))]
    return place, text, box


def _deadline_boxes(canvas: _Canvas, deadline: date, text: str) -> tuple[str, _Box, _Box]:
    """The deadline's dotted line and its label at the top of the plot: left of the line, unless
    the line is too near the plot's left edge for it. Returns the label's anchor and the boxes of
    the line and the label."""
    x = canvas.x(deadline)
    width = plots.text_width(text, plots.SOURCE_SIZE) + _LABEL_PAD
    top, bottom = canvas.height_px, canvas.height_px - 1.25 * plots.SOURCE_SIZE - _LABEL_PAD
    line = (x - _LABEL_PAD / 2, x + _LABEL_PAD / 2, 0.0, top)
    if x - width >= 0:
        return "right", line, (x - width, x, bottom, top)
    return "left", line, (x, x + width, bottom, top)


def _label_places(
    canvas: _Canvas, steps: pd.DataFrame, counts: pd.DataFrame, deadline_boxes: list[_Box]
) -> list[tuple[str, str]]:
    """Each count's label place and text, in date order, placed clear of the other markers, the
    steps, the deadline's line and label (``deadline_boxes``: line first) and the labels placed
    before it. A count as written has no label: the axis and the table give its number."""
    markers = [_marker_box(canvas, d, c) for d, c in zip(counts["as_of"], counts["count"])]
    placed: list[_Box] = [*deadline_boxes[1:]]
    labels = []
    rows = zip(counts["as_of"], counts["count"], counts["qualifier"])
    for index, (day, count, qualifier) in enumerate(rows):
        if qualifier not in _HEDGED:
            labels.append(("top right", ""))
            continue
        others = markers[:index] + markers[index + 1 :]
        obstacles = _Obstacles(steps, others + placed, deadline_boxes[:1])
        texts = [count_text(qualifier, count), f"{qualifier}\n{count:,}"]
        place, text, box = _place_label(canvas, obstacles, (day, count), texts)
        labels.append((place, text))
        placed.append(box)
    return labels


# --------------------------------------------------- drawing: the traces and marks 04 shows


def _count_hover(row: pd.Series) -> str:
    """One count in words: its date (and whether the day is assumed), number, measure and who."""
    assumed = (
        " (day assumed: the source gives the month)" if row["date_precision"] == "month" else ""
    )
    measure = row["measure"].replace("_", " ")
    number = f"{row['count']:,} ({row['qualifier']})"
    return f"{row['as_of_label']}{assumed}: {number}, {measure} ({row['who']})"


def _add_counts(fig: go.Figure, counts: pd.DataFrame, labels: list[tuple[str, str]]) -> None:
    """The reported counts, one trace per kind of source in the key's order (plots.KINDS), each
    hedged count labelled with its words and number: ``labels`` holds each count's place and
    text, in the counts' order."""
    placed = counts.assign(place=[p for p, _ in labels], label=[t for _, t in labels])
    for kind in [k for k in plots.KINDS if k in set(counts["kind"])]:
        group = placed[placed["kind"] == kind]
        fig.add_scatter(
            x=group["as_of"],
            y=group["count"],
            mode="markers+text",
            name=kind,
            marker=plots.marker(kind),
            text=list(group["label"]),
            textposition=list(group["place"]),
            textfont=dict(size=plots.BODY_SIZE),
            cliponaxis=False,
            customdata=[_count_hover(row) for _, row in group.iterrows()],
            hovertemplate="%{customdata}<extra></extra>",
        )


def _add_steps(fig: go.Figure, steps: pd.DataFrame) -> None:
    """The model's fewest who could remain, as grey steps: a week's seats leave at its end."""
    fig.add_scatter(
        x=steps["day"],
        y=steps["at least remaining"],
        mode="lines",
        line_shape="hv",
        line=dict(color=plots.KINDS["model/assumption"]["color"], width=3),
        name="model (ASSUMPTIONs)",
        hovertemplate="%{x|%-d %b %Y}: at least %{y:,.0f} remain<extra></extra>",
    )


def _mark_deadline(fig: go.Figure, deadline: date, text: str, anchor: str) -> None:
    """A dotted line on the deadline, labelled at its top on the side ``anchor`` leaves free."""
    fig.add_shape(
        type="line",
        x0=deadline,
        x1=deadline,
        y0=0,
        y1=1,
        yref="paper",
        line=dict(color=plots.INK, dash="dot"),
    )
    fig.add_annotation(
        x=deadline,
        y=1,
        yref="paper",
        text=text,
        showarrow=False,
        yanchor="top",
        xanchor=anchor,
        font=dict(size=plots.SOURCE_SIZE, color=plots.INK),
    )


def _shade_closure(fig: go.Figure, closure: date, until: object) -> None:
    """The closure as a shaded band to the chart's last day, named in the legend (a band can be
    narrower than its words)."""
    fig.add_vrect(
        x0=closure, x1=until, fillcolor=plots.INK, opacity=0.08, line_width=0, layer="below"
    )
    fig.add_scatter(
        x=[None],
        y=[None],
        mode="markers",
        hoverinfo="skip",
        name=f"route closed from {plots.date_text(closure)}",
        marker=dict(symbol="square", size=14, color=plots.INK, opacity=0.15),
    )
