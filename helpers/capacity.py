"""The capacity model that notebook 04's scenarios, sensitivity grid and simulator share, and the
one chart they all draw of it (the model's steps beside the reported counts); 04's cells compute
with it and state the verdicts.

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

import pandas as pd
import plotly.graph_objects as go

from helpers import plots
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


# ------------------------------------------------ the drawdown: the model beside the counts
# 04's scenario charts and its simulator draw the same chart: the fewest who could remain, week by
# week, as grey steps, with the reported counts as markers. The rules for where a count's label
# goes and what the chart cites live here, so the notebook's cells show the model, not the layout.

#: The measures in russia_workers.csv that count people in Russia (not a decline or new arrivals).
COUNT_MEASURES = ("workers", "workers_with_permits", "people_remaining")
#: Where a hedged count's words and number may go, in the order they are tried.
LABEL_PLACES = (
    "top right",
    "top left",
    "bottom right",
    "bottom left",
    "middle right",
    "middle left",
    "top center",
)
MARKER_ROOM = 8  #: pixels from a marker's centre to its label, and the half-width of a marker
LABEL_PAD = 4  #: pixels kept clear around a label
#: The most a drawdown chart's title, subtitle, legend, ticks, note and source line take of its
#: height (measured at 560 px wide): the plot is at least the rest.
HEADER_AND_FOOT = round(280 * plots.SCALE)


def remaining_by_week(
    people: object, start: object, end: object, settings: Settings, closure: object | None = None
) -> pd.DataFrame:
    """Week by week from ``start`` to ``end``, the fewest of ``people`` who could still be there
    if every open seat carried one of them: a floor the counts can be set against, not a count."""
    count = _count(people, "people")
    days = pd.date_range(_day(start, "start"), _day(end, "end"), freq="7D")
    left = [max(0.0, count - seats_by(settings, start, day, closure)) for day in days]
    return pd.DataFrame({"day": days, "at least remaining": left})


@dataclass(frozen=True)
class Canvas:
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


Box = tuple[float, float, float, float]  #: left, right, bottom, top, in pixels


def drawdown_canvas(days: pd.Series, top: float, deadline: date, height: int) -> Canvas:
    """The x range from the first to the last day drawn (the deadline too, if the chart reaches
    it), with room for a label beside the last count; the y range from just under zero to room
    for a two-line label above the highest count."""
    first, last = pd.Timestamp(days.min()), pd.Timestamp(days.max())
    first = min(first, pd.Timestamp(deadline)) if pd.Timestamp(deadline) <= last else first
    span = last - first
    x_range = (first - span * 0.04, last + span * 0.15)
    plot_height = max(height - HEADER_AND_FOOT, 0.2 * height)
    above = 2.5 * plots.BODY_SIZE + MARKER_ROOM + LABEL_PAD  # a two-line label over a marker
    low = -0.03 * top
    high = low + (top - low) / max(1 - above / plot_height, 0.5)
    return Canvas(x_range, (low, max(high, 1.15 * top)), plot_height)


def label_box(canvas: Canvas, day: object, count: float, text: str, place: str) -> Box:
    """Where plotly draws a marker's text (one line or more) at ``place`` ("top right", ...),
    padded."""
    lines = text.split("\n")
    width = max(plots.text_width(line, plots.BODY_SIZE) for line in lines)
    height = 1.25 * plots.BODY_SIZE * len(lines)
    x, y = canvas.x(day), canvas.y(count)
    vertical, horizontal = place.split()
    beside = MARKER_ROOM if vertical == "middle" else MARKER_ROOM / 2
    left = {"right": x + beside, "left": x - beside - width}.get(horizontal, x - width / 2)
    bottom = {"top": y + MARKER_ROOM, "bottom": y - MARKER_ROOM - height}.get(
        vertical, y - height / 2
    )
    return (left - LABEL_PAD, left + width + LABEL_PAD, bottom - LABEL_PAD, bottom + height)


def overlaps(first: Box, second: Box) -> bool:
    """Whether two boxes share any area."""
    return (
        first[0] < second[1]
        and second[0] < first[1]
        and first[2] < second[3]
        and second[2] < first[3]
    )


def inside(canvas: Canvas, box: Box) -> bool:
    """Whether a box lies within the plot (a label outside it would meet ticks or the legend)."""
    return box[0] >= 0 and box[1] <= canvas.width_px and box[2] >= 0 and box[3] <= canvas.height_px


def crosses_steps(canvas: Canvas, steps: pd.DataFrame, box: Box) -> bool:
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


@dataclass(frozen=True)
class Obstacles:
    """What a label must keep clear of on the plot: boxes of text and markers, the model's
    steps, and lines (the deadline's), which it had better not cross either."""

    steps: pd.DataFrame
    boxes: list[Box]
    lines: list[Box]


#: What a label's flaw costs: leaving the plot is worst; crossing the model's steps or the
#: deadline's line, or covering a marker or another text, come next; a label on two lines costs
#: a little, so one line is used wherever it does as well.
COST_OUTSIDE, COST_COVERS, COST_CROSSES_LINE, COST_TWO_LINES = 100, 10, 10, 1


def label_cost(canvas: Canvas, obstacles: Obstacles, box: Box) -> int:
    """What a label in ``box`` costs: the sum of its flaws (0: clear of everything)."""
    cost = 0 if inside(canvas, box) else COST_OUTSIDE
    cost += COST_COVERS if crosses_steps(canvas, obstacles.steps, box) else 0
    cost += COST_COVERS if any(overlaps(box, other) for other in obstacles.boxes) else 0
    return cost + (COST_CROSSES_LINE if any(overlaps(box, line) for line in obstacles.lines) else 0)


def place_label(
    canvas: Canvas, obstacles: Obstacles, point: tuple[object, float], texts: list[str]
) -> tuple[str, str, Box]:
    """The cheapest place and wording for a count's label (the first tried wins a tie: one line
    before two, then LABEL_PLACES in order), and the box it takes."""
    day, count = point
    options = [
        (label_box(canvas, day, count, text, place), place, text)
        for text in texts
        for place in LABEL_PLACES
    ]
    costs = [
        label_cost(canvas, obstacles, box) + (COST_TWO_LINES if "\n" in text else 0)
        for box, _, text in options
    ]
    box, place, text = options[costs.index(min(costs))]
    return place, text, box


def marker_box(canvas: Canvas, day: object, count: float) -> Box:
    """The area a count's marker covers."""
    x, y = canvas.x(day), canvas.y(count)
    half = plots.marker("official report")["size"] / 2
    return (x - half, x + half, y - half, y + half)


def count_text(qualifier: str, count: int) -> str:
    """A count with its qualifier's words ("about 1,000"), or the number alone as written."""
    return f"{count:,}" if qualifier == "as written" else f"{qualifier} {count:,}"


def count_label(qualifier: str, count: int) -> str:
    """A hedged count's words and number ("about 1,000", "fewer than 10,000") to write beside
    its marker; "" for a count as written, whose number the axis and the table give."""
    return count_text(qualifier, count) if qualifier in HEDGED else ""


HEDGED = ("about", "fewer than")  #: the qualifiers whose words a count's label carries


def count_hover(row: pd.Series) -> str:
    """One count in words: its date (and whether the day is assumed), number, measure and who."""
    assumed = (
        " (day assumed: the source gives the month)" if row["date_precision"] == "month" else ""
    )
    measure = row["measure"].replace("_", " ")
    number = f"{row['count']:,} ({row['qualifier']})"
    return f"{row['as_of_label']}{assumed}: {number}, {measure} ({row['who']})"


def deadline_boxes(canvas: Canvas, deadline: date, text: str) -> tuple[str, Box, Box]:
    """The deadline's dotted line and its label at the top of the plot: left of the line, unless
    the line is too near the plot's left edge for it. Returns the label's anchor and the boxes of
    the line and the label."""
    x = canvas.x(deadline)
    width = plots.text_width(text, plots.SOURCE_SIZE) + LABEL_PAD
    top, bottom = canvas.height_px, canvas.height_px - 1.25 * plots.SOURCE_SIZE - LABEL_PAD
    line = (x - LABEL_PAD / 2, x + LABEL_PAD / 2, 0.0, top)
    if x - width >= 0:
        return "right", line, (x - width, x, bottom, top)
    return "left", line, (x, x + width, bottom, top)


def add_counts(fig: go.Figure, counts: pd.DataFrame, labels: list[tuple[str, str]]) -> None:
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
            customdata=[count_hover(row) for _, row in group.iterrows()],
            hovertemplate="%{customdata}<extra></extra>",
        )


def add_steps(fig: go.Figure, steps: pd.DataFrame) -> None:
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


def mark_deadline(fig: go.Figure, deadline: date, text: str, anchor: str) -> None:
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


def shade_closure(fig: go.Figure, closure: date, until: object) -> None:
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


def label_places(
    canvas: Canvas, steps: pd.DataFrame, counts: pd.DataFrame, deadline_boxes: list[Box]
) -> list[tuple[str, str]]:
    """Each count's label place and text, in date order, placed clear of the other markers, the
    steps, the deadline's line and label (``deadline_boxes``: line first) and the labels placed
    before it. A count as written has no label."""
    markers = [marker_box(canvas, d, c) for d, c in zip(counts["as_of"], counts["count"])]
    placed: list[Box] = [*deadline_boxes[1:]]
    labels = []
    rows = zip(counts["as_of"], counts["count"], counts["qualifier"])
    for index, (day, count, qualifier) in enumerate(rows):
        if qualifier not in HEDGED:
            labels.append(("top right", ""))
            continue
        others = markers[:index] + markers[index + 1 :]
        obstacles = Obstacles(steps, others + placed, deadline_boxes[:1])
        texts = [count_label(qualifier, count), f"{qualifier}\n{count:,}"]
        place, text, box = place_label(canvas, obstacles, (day, count), texts)
        labels.append((place, text))
        placed.append(box)
    return labels


def last_day(counts: pd.DataFrame, steps: pd.DataFrame) -> pd.Timestamp:
    """The last day a drawdown chart draws: its last count or the model's last week."""
    return max(pd.Timestamp(counts["as_of"].max()), pd.Timestamp(steps["day"].max()))


def drawdown_figure(
    steps: pd.DataFrame, counts: pd.DataFrame, deadline: date, closure: date, *, height: int
) -> go.Figure:
    """The model's steps and the reported counts (sorted by date) on one chart: the deadline as a
    dotted line, the closure shaded, each hedged count labelled where no line or marker meets it.
    ``height`` is the height the chart will be finished at, for placing the labels."""
    top = max(counts["count"].max(), steps["at least remaining"].max())
    canvas = drawdown_canvas(pd.concat([counts["as_of"], steps["day"]]), top, deadline, height)
    last = last_day(counts, steps)
    deadline_text = f"deadline {plots.date_text(deadline)}"
    anchor, line, label = deadline_boxes(canvas, deadline, deadline_text)
    reaches_deadline = pd.Timestamp(deadline) <= last
    fig = go.Figure()
    drawn = [line, label] if reaches_deadline else []
    add_counts(fig, counts, label_places(canvas, steps, counts, drawn))
    add_steps(fig, steps)
    if reaches_deadline:
        mark_deadline(fig, deadline, deadline_text, anchor)
    if pd.Timestamp(closure) <= last:
        shade_closure(fig, closure, last)
    fig.update_xaxes(range=list(canvas.x_range), dtick=month_ticks(canvas))
    return fig.update_yaxes(range=list(canvas.y_range))


def month_ticks(canvas: Canvas) -> str:
    """A tick every month, three months or six, so a few label the axis however long it is."""
    days = (canvas.x_range[1] - canvas.x_range[0]).days
    return "M1" if days < 220 else "M3" if days < 550 else "M6"


def drawdown_table(counts: pd.DataFrame, steps: pd.DataFrame) -> pd.DataFrame:
    """The table behind a drawdown chart: the reported counts, then the model at its first and
    last week, by date."""
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
START_BOUNDS = {
    "fewer than": " The start count is only an upper bound.",
    "about": " The start count is approximate.",
}


def drawdown_note(settings: Settings, start_qualifier: str, counts: pd.DataFrame) -> str:
    """The note under a drawdown chart: the settings it rests on, what its start count can say,
    and which days are assumed (a count the source dates only by its month)."""
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
    bound = START_BOUNDS.get(start_qualifier, "")
    return f"ASSUMPTIONs (F52, F57): {air}, {rest}; {flights}{bound}{days}"


def cited_rows(
    tables: Mapping[str, Any], counts: pd.DataFrame, steps: pd.DataFrame
) -> pd.DataFrame:
    """The rows whose sources a drawdown chart cites: the counts, the sourced flights, and the
    closure if the chart reaches it."""
    _tables(tables, "transport", "events")
    rows = [counts, tables["transport"].loc[[FLIGHTS_ROW]]]
    if pd.Timestamp(closure_date(tables)) <= last_day(counts, steps):
        rows.append(tables["events"].loc[[CLOSURE_EVENT]])
    return pd.concat(rows)
