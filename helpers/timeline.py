"""Dates of resolution 2397, computed from data/, and the timeline charts of notebook 01.

Why a module: the deadline and the report due dates are the backbone of the story, and a
typed date is a date nobody checks. Here every date is the adoption date in
resolutions.csv moved by the months in resolution_terms.csv (``helpers.derived.add_months``),
so a change to either table moves every date, chart and widget with it. The functions are
pure (tables in, dates, frames or figures out), so they are unit-tested without a kernel.
"""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta

import pandas as pd
import plotly.graph_objects as go

from helpers.derived import add_months
from helpers.plots import PALETTE, finish

#: The provision whose paragraph 8 sets the deadline.
PARAGRAPH_8 = "R2397"
#: resolution_terms.csv ids of the time limits in paragraph 8.
REPATRIATION_TERM = "T2397_REPAT"
MIDTERM_TERM = "T2397_MIDTERM"
FINAL_TERM = "T2397_FINAL"
MIDTERM_COVERS_TERM = "T2397_MIDTERM_COVERS"
DRAFT_TERM = "T2397_DRAFT_MONTHS"

#: Colours by role, from the house palette.
IN_FORCE, NOT_YET, DEADLINE, HIGHLIGHT = PALETTE[0], "rgba(138,138,138,0.35)", PALETTE[3], PALETTE[1]

#: The widget's range (the issue's "between Dec 2016 and Mar 2020") and the chart's, which
#: starts a month earlier and ends a month later so that the first and last dates are not clipped.
SLIDER_START, SLIDER_END = date(2016, 12, 1), date(2020, 3, 31)
CHART_START, CHART_END = date(2016, 11, 1), date(2020, 4, 30)
#: The event whose month opens the chart of events around the deadline: the China–Russia draft.
DRAFT_EVENT = "E_DRAFT"
#: The short label each of paragraph 8's computed dates carries on the timeline, by term id.
#: The deadline has none of its own: the dashed line labelled "deadline" marks it.
DUE_LABELS = {MIDTERM_TERM: "midterm report", FINAL_TERM: "final report"}

SHORT_KIND = {
    "concern": "concern",
    "cap": "a cap on work authorizations",
    "no new authorizations": "no new work authorizations",
    "repatriate all": "repatriate all",
}


def as_date(value: date | datetime | pd.Timestamp | str) -> date:
    """A plain ``datetime.date`` from a date, timestamp or ISO string; the tables hold timestamps."""
    if value is pd.NaT:
        raise ValueError("a missing date (NaT) is not a date")
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"not an ISO date (YYYY-MM-DD): {value!r}") from None
    raise ValueError(f"expected a date, got {type(value).__name__}")


# ---------------------------------------------------------------- dates from data

def adoption_date(resolutions: pd.DataFrame, provision_id: str = PARAGRAPH_8) -> date:
    """The day a provision was adopted, from resolutions.csv."""
    rows = resolutions[resolutions["provision_id"] == provision_id]
    if rows.empty:
        raise ValueError(f"no provision {provision_id!r} in resolutions.csv")
    return as_date(rows["adopted"].iloc[0])


def term_months(terms: pd.DataFrame, term_id: str) -> int:
    """Whole months of one time limit in resolution_terms.csv (e.g. 24 for the deadline)."""
    rows = terms[terms["term_id"] == term_id]
    if rows.empty:
        raise ValueError(f"no term {term_id!r} in resolution_terms.csv")
    row = rows.iloc[0]
    if not str(row["unit"]).startswith("months"):
        raise ValueError(f"term {term_id!r} is in {row['unit']!r}, not months")
    value = float(row["value"])
    if value < 0 or value != int(value):
        raise ValueError(f"term {term_id!r} is {value} months: expected a whole, non-negative number")
    return int(value)


def months_after_adoption(tables: dict[str, pd.DataFrame], term_id: str) -> date:
    """Adoption date of the term's provision plus the term's months: how ¶8's dates are set."""
    terms = tables["resolution_terms"]
    rows = terms[terms["term_id"] == term_id]
    if rows.empty:
        raise ValueError(f"no term {term_id!r} in resolution_terms.csv")
    provision = str(rows["provision_id"].iloc[0])
    return add_months(adoption_date(tables["resolutions"], provision), term_months(terms, term_id))


def deadline(tables: dict[str, pd.DataFrame]) -> date:
    """The repatriation deadline: 24 months after adoption."""
    return months_after_adoption(tables, REPATRIATION_TERM)


def midterm_report_due(tables: dict[str, pd.DataFrame]) -> date:
    """The midterm report's due date: 15 months after adoption."""
    return months_after_adoption(tables, MIDTERM_TERM)


def final_report_due(tables: dict[str, pd.DataFrame]) -> date:
    """The final report's due date: 27 months after adoption."""
    return months_after_adoption(tables, FINAL_TERM)


def midterm_period_end(tables: dict[str, pd.DataFrame]) -> date:
    """End of the first 12 months, the period the midterm report covers (the 'half' benchmark)."""
    return months_after_adoption(tables, MIDTERM_COVERS_TERM)


def draft_deadline(tables: dict[str, pd.DataFrame]) -> date:
    """The deadline the draft text had, 12 months after adoption, before it was lengthened."""
    return months_after_adoption(tables, DRAFT_TERM)


def key_dates(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Paragraph 8's dates in one table: what, months after adoption, the date, source."""
    terms = tables["resolution_terms"].set_index("term_id")
    rows = [("adopted", 0, adoption_date(tables["resolutions"]), "S03")]
    for label, term_id in (
        ("midterm report covers the period up to", MIDTERM_COVERS_TERM),
        ("midterm report due", MIDTERM_TERM),
        ("repatriation deadline", REPATRIATION_TERM),
        ("final report due", FINAL_TERM),
    ):
        rows.append((label, term_months(tables["resolution_terms"], term_id),
                     months_after_adoption(tables, term_id), str(terms.loc[term_id, "source_id"])))
    return pd.DataFrame(rows, columns=["what", "months after adoption", "date", "source_id"])


def days_between(start: date, end: date) -> int:
    """Calendar days from ``start`` to ``end`` (negative when ``end`` comes first)."""
    return (as_date(end) - as_date(start)).days


def days_to_deadline(on: date, the_deadline: date) -> int:
    """Days left on ``on`` until the deadline; 0 on the day, negative once it has passed."""
    return days_between(on, the_deadline)


def events_start(events: pd.DataFrame) -> date:
    """First day of the month of the China–Russia draft, where the events chart begins.

    Why computed: the window follows the draft's date in events.csv instead of repeating it.
    """
    rows = events[events["event_id"] == DRAFT_EVENT]
    if rows.empty:
        raise ValueError(f"no event {DRAFT_EVENT!r} in events.csv")
    return as_date(rows["date"].iloc[0]).replace(day=1)


def step_gaps(resolutions: pd.DataFrame) -> pd.DataFrame:
    """Each step on the path and the days until the next one was adopted, oldest first.

    The last step has no next one, so its gap is missing (``pd.NA``).
    """
    if len(resolutions) < 2:
        raise ValueError("a path needs at least two provisions to have a gap between steps")
    if resolutions["adopted"].isna().any():
        raise ValueError("every provision needs an adoption date")
    steps = resolutions.sort_values("adopted")[["provision_id", "resolution", "adopted"]].reset_index(drop=True)
    following = steps["adopted"].shift(-1)
    steps["days_to_next"] = pd.array(
        [days_between(as_date(a), as_date(b)) if pd.notna(b) else pd.NA for a, b in zip(steps["adopted"], following)],
        dtype="Int64",
    )
    return steps


def shortest_step(resolutions: pd.DataFrame) -> str:
    """The resolution (as a string) that was the newest step for the fewest days.

    Exercise C asks for it: the answer needs the dates, not the prose.
    """
    gaps = step_gaps(resolutions).dropna(subset=["days_to_next"])
    return str(gaps.loc[gaps["days_to_next"].idxmin(), "resolution"])


def provisions_in_force(resolutions: pd.DataFrame, on: date) -> pd.DataFrame:
    """The worker provisions adopted on or before ``on``, oldest first.

    None of the four was lifted in the period the notebook covers (the China–Russia draft that
    would have lifted the ban was never tabled), so adopted means in force.
    """
    day = pd.Timestamp(as_date(on))
    return resolutions[resolutions["adopted"] <= day].sort_values("adopted")


def provision_label(row: pd.Series) -> str:
    """'2375 ¶17' or '2321' (no paragraph where it is unconfirmed)."""
    paragraph = row["paragraph"]
    return f"{row['resolution']} ¶{paragraph}" if pd.notna(paragraph) else f"{row['resolution']}"


def date_options(start: date, end: date) -> list[tuple[str, date]]:
    """Every day from ``start`` to ``end`` as (label, date) pairs for a SelectionSlider."""
    start, end = as_date(start), as_date(end)
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    days = (end - start).days
    return [((start + timedelta(d)).strftime("%d %b %Y"), start + timedelta(d)) for d in range(days + 1)]


def _days(count: int) -> str:
    """'1 day', '1,116 days': the widget's sentence must read right at every setting."""
    return f"{count:,} day" if count == 1 else f"{count:,} days"


def day_summary(tables: dict[str, pd.DataFrame], on: date) -> str:
    """One line for the widget: the provisions in force on a day and the days to the deadline."""
    on = as_date(on)
    rows = provisions_in_force(tables["resolutions"], on)
    if rows.empty:
        in_force = "No worker provision had been adopted yet"
    else:
        names = [f"{provision_label(r)} ({SHORT_KIND.get(str(r['kind']), str(r['kind']))})" for _, r in rows.iterrows()]
        in_force = "In force: " + "; ".join(names)
    the_deadline = deadline(tables)
    left = days_to_deadline(on, the_deadline)
    if PARAGRAPH_8 not in set(rows["provision_id"]):
        when = (f"There was no deadline yet: resolution 2397 would set one for {the_deadline:%d %b %Y}, "
                f"{_days(left)} after this day")
    elif left > 0:
        when = f"{_days(left)} remained to the deadline of {the_deadline:%d %b %Y}"
    elif left == 0:
        when = "This was the deadline day"
    else:
        when = f"The deadline of {the_deadline:%d %b %Y} had passed {_days(-left)} earlier"
    return f"<b>{on:%d %b %Y}</b>. {in_force}. {when}."


def quote_markdown(rows: pd.DataFrame, sources: pd.DataFrame) -> str:
    """Each row's provenance quote as a Markdown block quote, followed by who published it.

    Why: the notebook quotes the resolution and the statements from data/, never retyped, and
    a quote shown without its source and status would invite the reader to trust it blindly.
    Only a *seed* row's text is the article's own words; any other row's text is the fact
    sheet's record of its source (words in inner quotation marks are the source's), and the
    caption says which, so a summary is never passed off as a source's wording.
    """
    if rows.empty:
        raise ValueError("no rows to quote")
    by_id = sources.set_index("source_id")
    blocks = []
    for _, row in rows.iterrows():
        ids = [str(row["source_id"]), *(str(row["also_source_ids"]).split() if pd.notna(row["also_source_ids"]) else [])]
        unknown = [i for i in ids if i not in by_id.index]
        if unknown:
            raise ValueError(f"unknown source id(s) {unknown} in a quoted row")
        cited = "; ".join(f"{i} {by_id.loc[i, 'publisher']} ({by_id.loc[i, 'published']})" for i in ids)
        how = "In the seed article's words" if row["status"] == "seed" else "As the fact sheet records it"
        blocks.append(f"> {row['quote']}\n\n<small>{how}. Sources: {cited}. Status: {row['status']}.</small>")
    return "\n\n".join(blocks)


# ---------------------------------------------------------------- charts

def _wrap(text: str, width: int = 48) -> str:
    return "<br>".join(textwrap.wrap(text, width)) or text


def _vertical_line(fig: go.Figure, day: date, colour: str, label: str, dash: str, y_label: float,
                   xanchor: str = "left") -> None:
    """A labelled vertical line across the plot (add_vline mishandles dates with labels)."""
    fig.add_shape(type="line", xref="x", yref="paper", x0=day, x1=day, y0=0, y1=1,
                  line=dict(color=colour, width=2, dash=dash))
    fig.add_annotation(x=day, xref="x", y=y_label, yref="paper", text=label, showarrow=False,
                       xanchor=xanchor, yanchor="bottom", font=dict(size=12, color=colour))


def _due_label(rule: str) -> str:
    """'midterm report' for a row derived by months_after(R2397,T2397_MIDTERM); '' for the deadline."""
    return next((label for term, label in DUE_LABELS.items() if f",{term})" in str(rule)), "")


def timeline_figure(tables: dict[str, pd.DataFrame], start: date, end: date, on: date | None = None) -> go.Figure:
    """The path of the worker provisions: one bar per provision from adoption to ``end``.

    Paragraph 8's dates (report due dates, the deadline) are markers on their own row. With
    ``on`` the day is drawn as a line and the provisions not yet adopted that day are greyed.
    """
    start, end = as_date(start), as_date(end)
    if start >= end:
        raise ValueError(f"start {start} must come before end {end}")
    if on is not None and not start <= as_date(on) <= end:
        raise ValueError(f"the highlighted day {on} is outside {start} – {end}")
    resolutions = tables["resolutions"].sort_values("adopted")
    fig = go.Figure()
    labels = []
    for _, row in resolutions.iterrows():
        adopted = as_date(row["adopted"])
        label = f"{provision_label(row)}: {SHORT_KIND.get(str(row['kind']), str(row['kind']))}"
        labels.append(label)
        active = on is None or adopted <= as_date(on)
        fig.add_scatter(
            x=[max(adopted, start), end], y=[label, label], mode="lines", showlegend=False,
            line=dict(width=12, color=IN_FORCE if active else NOT_YET),
            hovertext=[_wrap(f"{adopted:%d %b %Y}: {row['summary']}")] * 2, hoverinfo="text",
        )
    due = tables["events"][tables["events"]["derived_from"].notna()].sort_values("date")
    row_label = "2397 ¶8: deadline and reports"
    labels.append(row_label)
    the_deadline = deadline(tables)
    fig.add_scatter(
        x=[as_date(d) for d in due["date"]], y=[row_label] * len(due), mode="markers+text", showlegend=False,
        marker=dict(size=13, symbol="diamond", color=DEADLINE),
        text=[_due_label(rule) for rule in due["derived_from"]],
        # Labels below the diamonds; one after the deadline goes to the right, into the margin kept
        # for it, so that it does not cross the deadline's dashed line.
        textposition=["bottom right" if as_date(d) > the_deadline else "bottom center" for d in due["date"]],
        textfont=dict(size=11, color=DEADLINE), cliponaxis=False,
        hovertext=[f"{as_date(d):%d %b %Y}: {t}" for d, t in zip(due["date"], due["title"])], hoverinfo="text",
    )
    _vertical_line(fig, the_deadline, DEADLINE, "deadline", "dash", 1.0)
    if on is not None:
        # After the deadline the day's label goes left of its line: near the chart's right edge
        # a label set to the right would be cut off.
        _vertical_line(fig, as_date(on), HIGHLIGHT, f"{as_date(on):%d %b %Y}", "solid", 1.07,
                       xanchor="right" if as_date(on) > the_deadline else "left")
    fig.update_layout(
        xaxis=dict(range=[start, end], type="date", title=None),
        # The range reaches below the bottom row so the diamonds' labels fit inside the plot.
        yaxis=dict(categoryorder="array", categoryarray=labels[::-1], title=None, range=[-0.9, len(labels) - 0.5]),
        height=400, margin=dict(t=90, r=90),
    )
    rows = pd.concat([resolutions[["source_id", "also_source_ids"]], due[["source_id", "also_source_ids"]]])
    return finish(fig, rows, tables["sources"], "From concern to repatriation: the worker provisions")


def window_events(events: pd.DataFrame, start: date, end: date) -> pd.DataFrame:
    """Events dated within [start, end], in date order: what the deadline chart draws."""
    start, end = as_date(start), as_date(end)
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    inside = events[(events["date"] >= pd.Timestamp(start)) & (events["date"] <= pd.Timestamp(end))]
    return inside.sort_values(["date", "event_id"], kind="stable")


def later_events_note(later: pd.DataFrame) -> str | None:
    """'Later, outside this window: Nov 2021 · …' for events after the chart's end, or None.

    Why: the report that the China–Russia draft was never tabled came in Nov 2021; a chart
    that simply dropped it would leave the draft looking like a live proposal.
    """
    if later.empty:
        return None
    items = [
        f"{as_date(d):%b %Y} · {t}" if p == "month" else f"{as_date(d):%d %b %Y} · {t}"
        for d, p, t in zip(later["date"], later["date_precision"], later["title"])
    ]
    return "Later, outside this window: " + "; ".join(items) + "."


def events_figure(tables: dict[str, pd.DataFrame], start: date, end: date) -> go.Figure:
    """Events around the deadline: one row per event, read top to bottom in date order.

    Events after ``end`` are not drawn but named in a note above the source line.
    """
    rows = window_events(tables["events"], start, end)
    if rows.empty:
        raise ValueError(f"no events between {start} and {end}")
    events = tables["events"]
    later = events[events["date"] > pd.Timestamp(as_date(end))].sort_values("date")
    labels = [f"{as_date(d):%d %b %Y} · {_wrap(str(t), 56)}" for d, t in zip(rows["date"], rows["title"])]
    is_due = rows["derived_from"].notna().to_numpy()
    fig = go.Figure()
    fig.add_scatter(
        x=[as_date(d) for d in rows["date"]], y=labels, mode="markers", showlegend=False,
        marker=dict(size=13, color=[DEADLINE if due else IN_FORCE for due in is_due],
                    symbol=["diamond" if due else "circle" for due in is_due]),
        hovertext=[f"{a} ({k}): {t}" for a, k, t in zip(rows["actor"], rows["kind"], rows["title"])], hoverinfo="text",
    )
    _vertical_line(fig, deadline(tables), DEADLINE, "deadline", "dash", 1.0)
    fig.update_layout(
        xaxis=dict(range=[as_date(start), as_date(end)], type="date", title=None),
        yaxis=dict(categoryorder="array", categoryarray=labels[::-1], title=None, tickfont=dict(size=12)),
        height=200 + 48 * len(rows), margin=dict(t=80),
    )
    note = later_events_note(later)
    return finish(fig, pd.concat([rows, later]), tables["sources"], "Around the deadline and after",
                  note=_wrap(note, 110) if note else None)


# ---------------------------------------------------------------- claims

def derived_values(tables: dict[str, pd.DataFrame]) -> dict[str, date | float]:
    """Every derived number notebook 01 states, for the claims test (dates as datetime.date)."""
    events = tables["events"].set_index("event_id")
    the_deadline = deadline(tables)
    adopted = adoption_date(tables["resolutions"])
    return {
        "adoption_date_2397": adopted,
        "repatriation_deadline": the_deadline,
        "midterm_report_due": midterm_report_due(tables),
        "final_report_due": final_report_due(tables),
        "midterm_period_end": midterm_period_end(tables),
        "draft_deadline_12_months": draft_deadline(tables),
        "days_adoption_to_deadline": float(days_between(adopted, the_deadline)),
        "days_deadline_to_ofac": float(days_between(the_deadline, as_date(events.loc["E_OFAC", "date"]))),
        "days_deadline_to_admission": float(days_between(the_deadline, as_date(events.loc["E_ADMISSION", "date"]))),
        "days_midterm_period_end_to_report_due": float(days_between(midterm_period_end(tables), midterm_report_due(tables))),
        # The month-end trap of exercise A: 15 months after 2321's adoption (30 Nov 2016).
        "midterm_months_after_2321": add_months(adoption_date(tables["resolutions"], "R2321"),
                                                term_months(tables["resolution_terms"], MIDTERM_TERM)),
        **{
            f"days_{row['resolution']}_newest_step": float(row["days_to_next"])
            for _, row in step_gaps(tables["resolutions"]).iterrows() if pd.notna(row["days_to_next"])
        },
    }


__all__ = [
    "CHART_END", "CHART_START", "SLIDER_END", "SLIDER_START", "adoption_date", "as_date", "date_options", "day_summary", "days_between", "days_to_deadline", "deadline",
    "derived_values", "draft_deadline", "events_figure", "events_start", "later_events_note", "final_report_due", "key_dates", "midterm_period_end",
    "midterm_report_due", "months_after_adoption", "provision_label", "provisions_in_force", "quote_markdown", "shortest_step", "step_gaps", "term_months",
    "timeline_figure", "window_events",
]
