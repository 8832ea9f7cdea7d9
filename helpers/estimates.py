"""The worker estimates: what the US figure implies, how the other estimates disagree, Russia over time.

Why a module: notebook 02 states numbers that follow arithmetically from the sourced figures
(the workers "elsewhere", earnings per worker, shares, the revenue reaching the state). They are
computed here, by small pure functions that reject impossible input, so that the notebook never
types a derived number and the claims test can recompute each one through ``derived_values``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date

import ipywidgets as ipw
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from helpers import timeline
from helpers.plots import INK, PALETTE, finish
from helpers.widgets import View, assumption_slider

# ---------------------------------------------------------------- row ids

US_TOTAL = "WE_US_2020_WORLD"
US_CHINA = "WE_US_2020_CHINA"
US_RUSSIA = "WE_US_2020_RUSSIA"
US_USD = "WE_US_2020_USD"
REUTERS_2019_CHINA = "WE_REUTERS_2019_CHINA"
REUTERS_2019_RUSSIA = "WE_REUTERS_2019_RUSSIA"
OUTLIER_USD = "WE_USUN_2018_USD"
WAPO_WORKERS = "WE_WAPO_2016_WORLD"
#: Rows whose source, as read, gives an amount without a period: drawn as yearly, an ASSUMPTION.
PERIOD_NOT_GIVEN = frozenset({OUTLIER_USD})
SHARE_TO_STATE = "A_SHARE_TO_STATE"
DEADLINE_PROVISION = "R2397"
DEADLINE_TERM = "T2397_REPAT"
RUSSIA_END_2017 = "RW_2017_END"
RUSSIA_END_2018 = "RW_2018_END"
NEW_REGISTRATIONS = "RW_NEW_REG"
REP_ALL = "REP_ALL_2019DEC"
REP_RUSSIA_SHARE = "REP_RUSSIA_SHARE"

#: The qualifier of F14, "at least 50,000 ... and by some estimates, double that".
DOUBLE_QUALIFIER = "at least (some estimates double)"
#: "double": the word in F14's quote, read as a number.
DOUBLE = 2
MONTHS_PER_YEAR = 12
MILLION = 1_000_000
#: Ranges of the calculator's controls: wide enough for every published estimate, not figures.
CALCULATOR_MAX_WORKERS = 200_000
CALCULATOR_MAX_USD_PER_WORKER = 25_000
#: Labels of counts below this share of the largest go beside the point, not below it.
LOW_SHARE = 0.05
#: A statement this close before the deadline is labelled on its left, so the label does not cross the line.
NEAR_DEADLINE = pd.DateOffset(months=6)
#: A share cannot exceed the whole: the axis of a share panel stops here.
PERCENT_MAX = 100

MEASURE_TITLES: dict[str, str] = {
    "workers": "workers abroad",
    "earnings_usd_per_year": "earnings, US$ million a year",
    "share_pct": "share of workers, %",
    "countries": "countries with workers",
}
#: The same measures as the object of a sentence, for the explorer's line of text.
MEASURE_NOUNS: dict[str, str] = {
    "workers": "the number of workers",
    "earnings_usd_per_year": "yearly earnings",
    "share_pct": "the share of workers in a region",
    "countries": "the number of countries",
}
REGION_COLOURS: dict[str, str] = {
    "worldwide": PALETTE[0],
    "China": PALETTE[1],
    "Russia": PALETTE[2],
    "Russia or China": PALETTE[4],
}
FLAG_COLOUR = PALETTE[3]  # vermillion: the colour of a warning in the house palette


# ---------------------------------------------------------------- input checks

def _number(name: str, value: float) -> float:
    """A real, finite number, or a ValueError that names the input."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{name} must be a number, got {type(value).__name__}")
    if math.isnan(value) or math.isinf(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return float(value)


def _non_negative(name: str, value: float) -> float:
    value = _number(name, value)
    if value < 0:
        raise ValueError(f"{name} cannot be negative, got {value:,g}")
    return value


def _positive(name: str, value: float) -> float:
    value = _number(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be greater than zero, got {value:,g}")
    return value


def _share(name: str, value: float) -> float:
    value = _number(name, value)
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be a share between 0 and 1 (0.7 means 70%), got {value:g}")
    return value


# ---------------------------------------------------------------- pure arithmetic

def split_excess(total: float, *parts: float) -> float:
    """How far the parts of a split exceed its total (negative: what is left for elsewhere).

    Why: the earlier Reuters line put 80,000 in China and 30,000 in Russia out of a 100,000
    total; this number makes that inconsistency visible instead of silently clipping it.
    """
    total = _non_negative("total workers", total)
    return sum(_non_negative("workers in a part", p) for p in parts) - total


def workers_elsewhere(total: float, *parts: float) -> float:
    """Workers in neither named country: the total minus the named parts.

    Rejects a split whose parts exceed the total, because "elsewhere" cannot be negative.
    """
    excess = split_excess(total, *parts)
    if excess > 0:
        raise ValueError(f"the parts add up to {excess:,.0f} more than the total of {total:,.0f}: the split is inconsistent")
    return -excess


def per_worker(usd_per_year: float, workers: float) -> float:
    """Earnings per worker per year: an annual total divided by the number of workers."""
    usd_per_year = _non_negative("annual earnings", usd_per_year)
    workers = _positive("number of workers", workers)
    return usd_per_year / workers


def per_month(usd_per_year: float) -> float:
    """A yearly amount spread over the 12 months of a year."""
    return _non_negative("annual amount", usd_per_year) / MONTHS_PER_YEAR


def share_of(part: float, whole: float) -> float:
    """The part as a share (0 to 1) of the whole; a part larger than the whole is rejected."""
    part = _non_negative("part", part)
    whole = _positive("whole", whole)
    if part > whole:
        raise ValueError(f"the part ({part:,.0f}) is larger than the whole ({whole:,.0f})")
    return part / whole


def doubled(low: float) -> float:
    """F14's "by some estimates, double that": the low figure times two, computed not typed."""
    return DOUBLE * _non_negative("low estimate", low)


def ratio(value: float, reference: float) -> float:
    """How many times the reference the value is (e.g. the outlier against the US figure)."""
    return _non_negative("value", value) / _positive("reference", reference)


@dataclass(frozen=True)
class Revenue:
    """What the revenue calculator shows for one setting of its three inputs."""

    workers: float
    usd_per_worker_per_year: float
    share_to_state: float
    gross_usd_per_year: float
    to_state_usd_per_year: float


def revenue(workers: float, usd_per_worker_per_year: float, share_to_state: float) -> Revenue:
    """Workers × annual earnings per worker = what they earn; × the share = what reaches the state.

    The share is an ASSUMPTION (no source gives it), so it is an explicit input, never hidden.
    """
    workers = _non_negative("number of workers", workers)
    earnings = _non_negative("annual earnings per worker", usd_per_worker_per_year)
    share = _share("share reaching the state", share_to_state)
    gross = workers * earnings
    return Revenue(workers, earnings, share, gross, gross * share)


def earnings_needed(to_state_usd_per_year: float, workers: float, share_to_state: float) -> float:
    """Annual earnings per worker needed for a given amount to reach the state."""
    target = _non_negative("amount reaching the state", to_state_usd_per_year)
    workers = _positive("number of workers", workers)
    share = _share("share reaching the state", share_to_state)
    if share == 0:
        raise ValueError("with a share of 0 nothing reaches the state, whatever the earnings")
    return target / (workers * share)


# ---------------------------------------------------------------- reading the tables

def _row(frame: pd.DataFrame, key: str, value: str) -> pd.Series:
    matches = frame[frame[key] == value]
    if len(matches) != 1:
        raise KeyError(f"expected one row with {key} == {value!r}, found {len(matches)}")
    return matches.iloc[0]


def estimate(tables: dict[str, pd.DataFrame], estimate_id: str) -> float:
    """The figure (low end) of one row of worker_estimates.csv."""
    return float(_row(tables["worker_estimates"], "estimate_id", estimate_id)["low"])


def us_estimate(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """The seed's US estimate: workers worldwide, in China, in Russia, and US$ a year."""
    return {
        "total": estimate(tables, US_TOTAL),
        "china": estimate(tables, US_CHINA),
        "russia": estimate(tables, US_RUSSIA),
        "usd_per_year": estimate(tables, US_USD),
    }


def share_to_state_default(tables: dict[str, pd.DataFrame]) -> float:
    """The labelled default of the share of earnings that reaches the state (an assumption)."""
    return float(_row(tables["assumptions"], "assumption_id", SHARE_TO_STATE)["default"])


def repatriation_deadline(tables: dict[str, pd.DataFrame]) -> date:
    """Adoption of resolution 2397 plus the months paragraph 8 allows, computed in one place
    for the collection: see helpers.timeline.deadline."""
    return timeline.deadline(tables)


_MONTH_YEAR = re.compile(r"([A-Z][a-z]{2}) (\d{4})")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def period_start(label: str) -> date:
    """First day of the first 'Mon YYYY' in a period label such as 'Sep 2017 – Aug 2018'."""
    match = _MONTH_YEAR.search(label)
    if not match or match[1] not in _MONTHS:
        raise ValueError(f"no 'Mon YYYY' month in the period label {label!r}")
    return date(int(match[2]), _MONTHS.index(match[1]) + 1, 1)


def estimate_ranges(worker_estimates: pd.DataFrame) -> pd.DataFrame:
    """The estimates ready to draw: a label per source and date, and the upper end to show.

    Where F14 gives only "at least 50,000 ... by some estimates, double that", the upper end
    is computed by :func:`doubled` and marked ``high_computed`` so the chart can say so.
    """
    rows = worker_estimates.copy()
    date_label = rows["source_date_label"].astype(str)
    rows["label"] = rows["estimator"].astype(str) + " (" + date_label + ")"
    doubles = rows["qualifier"] == DOUBLE_QUALIFIER
    rows["high_computed"] = doubles & rows["high"].isna()
    rows["high_shown"] = rows["high"].astype("Float64")
    rows.loc[rows["high_computed"], "high_shown"] = [doubled(float(v)) for v in rows.loc[rows["high_computed"], "low"]]
    return rows.sort_values(["source_date", "estimator"], kind="stable", na_position="first")


def reuters_split(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """The earlier Reuters split (F11) against the 100,000 total of the same US line."""
    china = estimate(tables, REUTERS_2019_CHINA)
    russia = estimate(tables, REUTERS_2019_RUSSIA)
    total = estimate(tables, US_TOTAL)
    return {"china": china, "russia": russia, "sum": china + russia, "total": total,
            "excess": split_excess(total, china, russia)}


def _count(tables: dict[str, pd.DataFrame], obs_id: str) -> float:
    return float(_row(tables["russia_workers"], "obs_id", obs_id)["count"])


def _rep_value(tables: dict[str, pd.DataFrame], rep_id: str) -> float:
    return float(_row(tables["repatriations"], "rep_id", rep_id)["value"])


def russia_repatriated_implied(tables: dict[str, pd.DataFrame]) -> float:
    """About 80% of about 23,000 repatriations: the count from Russia that F30 implies."""
    return _rep_value(tables, REP_ALL) * _rep_value(tables, REP_RUSSIA_SHARE) / 100


def us_arithmetic(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """What follows arithmetically from the US estimate, one row per number, with how it is computed."""
    us = us_estimate(tables)
    year = per_worker(us["usd_per_year"], us["total"])
    rows = [
        ("workers elsewhere (neither China nor Russia)", workers_elsewhere(us["total"], us["china"], us["russia"]),
         "total − China − Russia"),
        ("earnings per worker per year, US$", year, "US$ a year ÷ workers"),
        ("earnings per worker per month, US$", per_month(year), "per year ÷ 12"),
        ("share of the workers in China", share_of(us["china"], us["total"]), "China ÷ total"),
        ("share of the workers in Russia", share_of(us["russia"], us["total"]), "Russia ÷ total"),
    ]
    return pd.DataFrame(rows, columns=["what follows", "value", "computed as"]).set_index("what follows")


def derived_values(tables: dict[str, pd.DataFrame]) -> dict[str, float | date]:
    """Every derived number notebook 02 states, keyed by name, for the claims test."""
    us = us_estimate(tables)
    year = per_worker(us["usd_per_year"], us["total"])
    split = reuters_split(tables)
    outlier = _row(tables["worker_estimates"], "estimate_id", OUTLIER_USD)
    share = share_to_state_default(tables)
    end_2017, end_2018 = _count(tables, RUSSIA_END_2017), _count(tables, RUSSIA_END_2018)
    registrations = _row(tables["russia_workers"], "obs_id", NEW_REGISTRATIONS)
    return {
        "us_workers_elsewhere": workers_elsewhere(us["total"], us["china"], us["russia"]),
        "us_usd_per_worker_per_year": year,
        "us_usd_per_worker_per_month": per_month(year),
        "us_share_in_china": share_of(us["china"], us["total"]),
        "us_share_in_russia": share_of(us["russia"], us["total"]),
        "wapo_doubled_workers": doubled(estimate(tables, WAPO_WORKERS)),
        "reuters_2019_split_sum": split["sum"],
        "reuters_2019_split_excess": split["excess"],
        "outlier_low_times_us": ratio(float(outlier["low"]), us["usd_per_year"]),
        "outlier_high_times_us": ratio(float(outlier["high"]), us["usd_per_year"]),
        "us_revenue_to_state_at_default_share": revenue(us["total"], year, share).to_state_usd_per_year,
        "earnings_needed_for_us_total_at_default_share": earnings_needed(us["usd_per_year"], us["total"], share),
        "repatriation_deadline": repatriation_deadline(tables),
        "russia_permits_decline_2018": end_2017 - end_2018,
        "russia_permits_share_left_end_2018": share_of(end_2018, end_2017),
        "russia_repatriated_implied": russia_repatriated_implied(tables),
        "new_registrations_period_start": period_start(str(registrations["as_of_label"])),
    }


# ---------------------------------------------------------------- charts

def _legend_on_top(fig: go.Figure) -> go.Figure:
    """Legend above the plot, right-aligned, so it never collides with the source line below."""
    return fig.update_layout(legend=dict(orientation="h", x=1, xanchor="right", y=1.02, yanchor="bottom"))


def _fmt(value: float) -> str:
    return f"{value:,.0f}"


def _as_written(qualifier: str) -> str:
    """The qualifier as a reader would write it before a figure: nothing for an unqualified figure."""
    return "" if qualifier == "exactly" else f"{qualifier} "


def usd_text(amount: float) -> str:
    """An amount in words a reader can check: 'USD 250,000', 'USD 350 million', 'USD 1.2 billion'.

    Why: rounding every amount to whole millions would print 'USD 0 million' for a small but
    non-zero total, a statement that is false at the calculator's low settings.
    """
    amount = _non_negative("amount", amount)
    if amount >= 1_000 * MILLION:
        return f"USD {amount / (1_000 * MILLION):,.1f} billion"
    if amount >= MILLION:
        return f"USD {amount / MILLION:,.0f} million" if amount >= 10 * MILLION else f"USD {amount / MILLION:,.1f} million"
    return f"USD {amount:,.0f}"


def _shown_value(measure: str, value: float) -> float:
    return value / MILLION if measure == "earnings_usd_per_year" else value


def _flag_text(row: pd.Series, tables: dict[str, pd.DataFrame] | None) -> str:
    if row["flag"] == "outlier":
        if tables is not None:
            us = estimate(tables, US_USD)
            return (f"⚠ outlier: {ratio(float(row['low']), us):.1f}–{ratio(float(row['high']), us):.1f}"
                    " × the US figure")
        return "⚠ outlier"
    if row["flag"] == "inconsistent split":
        if tables is not None and row["region"] == "China":
            split = reuters_split(tables)
            return f"⚠ inconsistent: {_fmt(split['china'])} + {_fmt(split['russia'])} > {_fmt(split['total'])}"
        return "" if tables is not None else "⚠ inconsistent split"
    return ""


def _period_note(rows: pd.DataFrame) -> str:
    """The ASSUMPTION behind drawing an amount whose source gives no period as a yearly figure."""
    period_assumed = rows[rows["estimate_id"].isin(PERIOD_NOT_GIVEN)]
    return "; ".join(
        f"ASSUMPTION: {who}'s amount is drawn as a yearly figure; the source as read gives no period"
        for who in dict.fromkeys(period_assumed["estimator"].astype(str))
    )


def estimates_chart(
    estimates: pd.DataFrame, sources: pd.DataFrame, tables: dict[str, pd.DataFrame] | None = None,
    title: str = "Estimates of North Korean workers abroad, by source and date",
) -> go.Figure:
    """A range/point plot: one panel per measure, one line per source and date, colour by region.

    Ranges are segments, single figures are dots; "more than" and "at least" are right-pointing
    triangles; a computed upper end is dotted; flagged rows are ringed and labelled in vermillion.
    ``tables`` (optional) lets the flags state the computed ratio and sum.
    """
    rows = estimate_ranges(estimates)
    measures = [m for m in MEASURE_TITLES if m in set(rows["measure"])]
    if not measures:
        raise ValueError("no estimates to draw")
    counts = [rows.loc[rows["measure"] == m, "label"].nunique() for m in measures]
    fig = make_subplots(
        rows=len(measures), cols=1, row_heights=[c / sum(counts) for c in counts], vertical_spacing=0.14,
    )
    seen_regions: set[str] = set()
    flagged: set[tuple[str, str]] = set()
    for panel, measure in enumerate(measures, start=1):
        part = rows[rows["measure"] == measure]
        for _, row in part.iterrows():
            region = str(row["region"])
            colour = REGION_COLOURS.get(region, INK)
            low = _shown_value(measure, float(row["low"]))
            open_ended = row["qualifier"] in ("more than", DOUBLE_QUALIFIER)
            qualifier = "" if row["qualifier"] == "range" else _as_written(str(row["qualifier"]))
            hover = f"{row['estimator']} ({row['source_date_label']}), {region}: {qualifier}%{{x:,}}"
            common = dict(legendgroup=region, name=region, showlegend=region not in seen_regions, row=panel, col=1)
            seen_regions.add(region)
            fig.add_scatter(
                x=[low], y=[row["label"]], mode="markers", hovertemplate=hover + "<extra></extra>",
                marker=dict(color=colour, size=11, symbol="triangle-right" if open_ended else "circle"), **common,
            )
            common["showlegend"] = False
            if pd.notna(row["high_shown"]):
                high = _shown_value(measure, float(row["high_shown"]))
                computed = bool(row["high_computed"])
                fig.add_scatter(
                    x=[low, high], y=[row["label"], row["label"]], mode="lines+markers",
                    line=dict(color=colour, width=3, dash="dot" if computed else "solid"),
                    marker=dict(color=colour, size=9, symbol="line-ns-open" if computed else "circle"),
                    hovertemplate=hover.replace("%{x:,}", f"{_fmt(low)}–{_fmt(high)}") + "<extra></extra>", **common,
                )
                if computed:
                    fig.add_annotation(
                        x=high, y=row["label"], text="“double that” (computed)", showarrow=False,
                        xanchor="left", xshift=6, font=dict(size=11, color=colour), row=panel, col=1,
                    )
            if pd.notna(row["flag"]):
                x_end = _shown_value(measure, float(row["high_shown"])) if pd.notna(row["high_shown"]) else low
                fig.add_scatter(
                    x=[low] if pd.isna(row["high_shown"]) else [low, x_end], y=[row["label"]] * (1 if pd.isna(row["high_shown"]) else 2),
                    mode="markers", hoverinfo="skip", name="flagged",
                    marker=dict(size=20, color="rgba(0,0,0,0)", line=dict(color=FLAG_COLOUR, width=2)),
                    legendgroup="flagged", showlegend="flagged" not in seen_regions, row=panel, col=1,
                )
                seen_regions.add("flagged")
                text = _flag_text(row, tables)
                if text and (row["label"], row["flag"]) not in flagged:
                    flagged.add((row["label"], row["flag"]))
                    fig.add_annotation(
                        x=x_end, y=row["label"], text=text, showarrow=False, xanchor="left", xshift=14,
                        font=dict(size=12, color=FLAG_COLOUR), row=panel, col=1,
                    )
        order = list(dict.fromkeys(part["label"]))
        fig.update_yaxes(categoryorder="array", categoryarray=order, row=panel, col=1)
        x_max = max(_shown_value(measure, float(v)) for v in part["high_shown"].fillna(part["low"]))
        x_range = min(x_max * 2.1, PERCENT_MAX) if measure == "share_pct" else x_max * 2.1
        fig.update_xaxes(range=[0, x_range], row=panel, col=1)
        axis = "" if panel == 1 else str(panel)
        fig.add_annotation(
            text=f"<b>{MEASURE_TITLES[measure]}</b>", xref=f"x{axis} domain", yref=f"y{axis} domain", x=0, y=1.0,
            xanchor="left", yanchor="bottom", showarrow=False, font=dict(size=14),
        )
    fig.update_layout(height=260 + 44 * sum(counts), legend_title_text="region ")
    return finish(_legend_on_top(fig), rows, sources, title, note=_period_note(rows) or None)


def _label_position(when: pd.Timestamp, is_low: bool, deadline: pd.Timestamp, style: dict) -> str:
    """Where a point's label goes: never across the deadline line, never on the axis for small counts."""
    if when > deadline:
        return "middle right" if is_low and style["text"].startswith("bottom") else "top right"
    if when > deadline - NEAR_DEADLINE:
        return "top left"
    return style["low_text"] if is_low else style["text"]


def russia_trajectory(
    russia: pd.DataFrame, sources: pd.DataFrame, deadline: date, ban_label: str = "despite the ban",
) -> go.Figure:
    """DPRK workers in Russia over time: official reports vs officials' statements.

    Official reports (Russia's reports to the 1718 Committee) are filled squares on a solid
    line; officials' statements are open circles on a dashed line; "fewer than" points down.
    The repatriation deadline is a vertical line; the new registrations are a shaded span.
    """
    counts = russia[russia["measure"].isin(["workers", "workers_with_permits"]) & russia["as_of"].notna()]
    counts = counts.sort_values("as_of")
    styles = {
        "official report": dict(symbol="square", dash="solid", colour=PALETTE[0], name="official report", text="bottom left", low_text="middle right"),
        "official statement": dict(
            symbol="circle-open", dash="dash", colour=PALETTE[1], name="official's statement", text="top right",
            low_text="top left",
        ),
    }
    fig = go.Figure()
    for kind, style in styles.items():
        part = counts[counts["kind"] == kind]
        if part.empty:
            continue
        symbols = ["triangle-down-open" if q == "fewer than" else style["symbol"] for q in part["qualifier"]]
        low = counts["count"].max() * LOW_SHARE
        positions = [
            _label_position(when, c < low, pd.Timestamp(deadline), style)
            for when, c in zip(part["as_of"], part["count"])
        ]
        labels = [f"{_as_written(q)}{_fmt(c)}" for q, c in zip(part["qualifier"], part["count"])]
        fig.add_scatter(
            x=part["as_of"].tolist(), y=part["count"].astype(int).tolist(), mode="lines+markers+text", name=style["name"],
            text=labels, textposition=positions, textfont=dict(size=11, color=style["colour"]),
            line=dict(color=style["colour"], dash=style["dash"], width=2),
            marker=dict(symbol=symbols, size=11, color=style["colour"], line=dict(width=2, color=style["colour"])),
            customdata=part[["as_of_label", "who"]].astype(str).values.tolist(),
            hovertemplate="%{customdata[0]}: %{text}<br>%{customdata[1]}<extra></extra>",
        )
    shown, starts = counts, [counts["as_of"].min()]
    registrations = russia[russia["measure"] == "new_registrations"]
    for _, row in registrations.iterrows():
        start = period_start(str(row["as_of_label"]))
        starts.append(pd.Timestamp(start))
        fig.add_vrect(x0=start, x1=row["as_of"], fillcolor=PALETTE[5], opacity=0.15, line_width=0)
        fig.add_annotation(
            x=start, y=0.02, yref="paper", xanchor="left", yanchor="bottom", showarrow=False, align="left",
            text=f"{row['qualifier']} {_fmt(row['count'])} new registrations<br>{ban_label} ({row['who']}, {row['as_of_label']})",
            font=dict(size=11, color=PALETTE[5]),
        )
        shown = pd.concat([shown, registrations])
    fig.add_shape(type="line", x0=deadline, x1=deadline, y0=0, y1=1, yref="paper", line=dict(color=PALETTE[3], dash="dot"))
    fig.add_annotation(
        x=deadline, y=0.75, yref="paper", xanchor="right", showarrow=False, align="right",
        text=f"UN deadline<br>{deadline.isoformat()}<br>(computed)", font=dict(size=11, color=PALETTE[3]),
    )
    first, last = min(starts), counts["as_of"].max()
    fig.update_layout(
        yaxis_title="DPRK nationals in Russia", xaxis_title=None, yaxis_rangemode="tozero", height=480,
        xaxis_range=[first - pd.DateOffset(months=2), last + pd.DateOffset(months=3)],
    )
    return finish(_legend_on_top(fig), shown, sources, "North Korean workers in Russia: reports and statements")


def repatriations_chart(reps: pd.DataFrame, sources: pd.DataFrame, russia_implied: float | None = None) -> go.Figure:
    """Repatriations reported to the UN, as bars; Russia's count is computed, China gave none.

    ``russia_implied`` (from :func:`russia_repatriated_implied`) is drawn hatched and labelled
    as computed, because no source gives Russia's count directly.
    """
    counted = reps[reps["measure"] == "repatriated"].copy()
    counted["is_total"] = counted["country"] == "all reporting states"
    counted = counted.sort_values(["is_total", "value"], ascending=False, kind="stable")
    n_reports = reps[reps["measure"] == "interim_reports"].set_index("as_of")["value"]
    labels = [
        f"{c} ({lbl}, {n_reports.get(when, float('nan')):.0f} reports)" if total else str(c)
        for c, lbl, when, total in zip(counted["country"], counted["as_of_label"], counted["as_of"], counted["is_total"])
    ]
    fig = go.Figure()
    fig.add_bar(
        y=labels, x=counted["value"].astype(float).tolist(), orientation="h", name="reported", marker_color=PALETTE[0],
        text=[f"{q} {_fmt(v)}" if q != "exactly" else _fmt(v) for q, v in zip(counted["qualifier"], counted["value"])],
        textposition="outside", hovertemplate="%{y}: %{text}<extra></extra>",
    )
    share_row = reps[reps["measure"] == "share_of_all_repatriations_pct"]
    if russia_implied is not None and not share_row.empty:
        share = share_row.iloc[0]
        fig.add_bar(
            y=[f"Russia (computed: {share['qualifier']} {share['value']:.0f}% of the {share['as_of_label']} total)"],
            x=[russia_implied],
            orientation="h", name="computed", marker=dict(color=PALETTE[2], pattern=dict(shape="/")),
            text=[f"about {_fmt(russia_implied)}"], textposition="outside", hovertemplate="%{y}: %{text}<extra></extra>",
        )
    china = reps[reps["measure"] == "share_of_own_nationals_repatriated"]
    for _, row in china.iterrows():
        label = f"{row['country']}: no count given"
        fig.add_bar(y=[label], x=[0], orientation="h", showlegend=False, marker_color=PALETTE[1], hoverinfo="skip")
        fig.add_annotation(
            x=0, y=label, xanchor="left", showarrow=False, font=dict(size=12, color=PALETTE[1]),
            text=f"said it had sent home {row['qualifier']} half of its DPRK earners ({row['as_of_label']})",
        )
    totals, others = labels[: int(counted["is_total"].sum())], labels[int(counted["is_total"].sum()) :]
    russia = [t.y[0] for t in fig.data if t.name == "computed"]
    china = [t.y[0] for t in fig.data if t.name not in ("computed", "reported")]
    fig.update_layout(
        xaxis_title="DPRK nationals sent home, as reported",
        yaxis=dict(autorange="reversed", categoryorder="array", categoryarray=[*totals, *russia, *others, *china]),
        height=420,
        xaxis_range=[0, float(counted["value"].max()) * 1.25],
    )
    return finish(_legend_on_top(fig), reps, sources, "Repatriations reported to the UN, by 2019")


def revenue_chart(result: Revenue, references: pd.DataFrame, sources: pd.DataFrame) -> go.Figure:
    """Bars for the calculator's totals, and the published earnings estimates as reference ranges."""
    fig = go.Figure()
    fig.add_bar(
        y=["your inputs: workers' total earnings",
           f"your inputs: reaching the state at {result.share_to_state:.0%} (ASSUMPTION)"],
        x=[result.gross_usd_per_year / MILLION, result.to_state_usd_per_year / MILLION], orientation="h",
        marker_color=[PALETTE[0], PALETTE[2]], name="calculated", showlegend=False,
        text=[usd_text(result.gross_usd_per_year), usd_text(result.to_state_usd_per_year)], textposition="outside",
        hovertemplate="%{y}: US$%{x:,.0f} million<extra></extra>",
    )
    rows = estimate_ranges(references[references["measure"] == "earnings_usd_per_year"])
    for _, row in rows.iterrows():
        label = f"published: {row['label']}"
        low = float(row["low"]) / MILLION
        colour = FLAG_COLOUR if pd.notna(row["flag"]) else INK
        high = float(row["high"]) / MILLION if pd.notna(row["high"]) else low
        symbol = "triangle-right" if row["qualifier"] == "more than" else "circle"
        qualifier = "" if row["qualifier"] == "range" else _as_written(str(row["qualifier"]))
        fig.add_scatter(
            x=[low, high], y=[label, label], mode="lines+markers", showlegend=False,
            line=dict(color=colour, width=3), marker=dict(color=colour, size=10, symbol=symbol),
            hovertemplate=f"{label}: {qualifier}%{{x:,.0f}} US$ million<extra></extra>",
        )
        if pd.notna(row["flag"]):
            fig.add_annotation(x=high, y=label, text=f"⚠ {row['flag']}", showarrow=False, xanchor="left",
                               xshift=8, font=dict(size=12, color=FLAG_COLOUR))
    x_max = max(rows["high"].fillna(rows["low"]).astype(float).max() / MILLION, result.gross_usd_per_year / MILLION)
    fig.update_layout(
        xaxis_title="US$ million a year", xaxis_range=[0, x_max * 1.25], yaxis=dict(autorange="reversed"), height=460,
    )
    notes = ["The share reaching the state is an ASSUMPTION: no source gives it.", _period_note(rows)]
    return finish(fig, rows, sources, "Revenue calculator: your inputs against the published estimates",
                  note="<br>".join(n for n in notes if n))


# ---------------------------------------------------------------- widget render functions

def revenue_view(
    workers: float, usd_per_worker: float, share_to_state: float, *,
    references: pd.DataFrame, sources: pd.DataFrame,
) -> View:
    """The revenue calculator's view: implied totals in one line, the chart below it.

    Amounts are written "USD", not with a dollar sign, because a pair of dollar signs in
    widget HTML may be typeset as mathematics.
    """
    try:
        result = revenue(workers, usd_per_worker, share_to_state)
    except ValueError as exc:
        return View(None, f"Cannot compute: {exc}.")
    text = (
        f"{_fmt(result.workers)} workers × USD {_fmt(result.usd_per_worker_per_year)} a year = "
        f"<b>{usd_text(result.gross_usd_per_year)}</b> earned a year; if {result.share_to_state:.0%} of it "
        f"reaches the state (an ASSUMPTION), that is <b>{usd_text(result.to_state_usd_per_year)}</b> a year."
    )
    return View(revenue_chart(result, references, sources), text)


def _count_text(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _provenance_text(chosen: pd.DataFrame) -> str:
    """Where the chosen estimates were read and when, in words that stay true for any filter.

    Why publications, not estimators: several rows are one estimator (the US government)
    as reported by different outlets, so a count of estimator names would overstate how many
    independent counts there are.
    """
    dated = chosen[chosen["source_date"].notna()].sort_values("source_date", kind="stable")
    undated = len(chosen) - len(dated)
    parts = [f"read in {_count_text(chosen['source_id'].nunique(), 'publication')}"]
    if not dated.empty:
        # the labels, not the dates: "2019-12" must not become a falsely precise "2019-12-01"
        first, last = str(dated["source_date_label"].iloc[0]), str(dated["source_date_label"].iloc[-1])
        parts.append(f"dated {first}" if first == last else f"dated {first} to {last}")
    if undated:
        parts.append(f"{undated} undated")
    flagged = int(chosen["flag"].notna().sum())
    if flagged:
        parts.append(f"{flagged} flagged")
    return ", ".join(parts) + "."


def estimates_view(
    source_types: tuple[str, ...], measure: str, *, estimates: pd.DataFrame, sources: pd.DataFrame,
    tables: dict[str, pd.DataFrame] | None = None,
) -> View:
    """The estimates explorer's view: the chosen measure from the chosen kinds of source."""
    if measure not in MEASURE_TITLES:
        raise ValueError(f"unknown measure {measure!r}; choose one of {sorted(MEASURE_TITLES)}")
    chosen = estimates[estimates["source_type"].isin(list(source_types)) & (estimates["measure"] == measure)]
    if chosen.empty:
        return View(None, f"No estimates of {MEASURE_NOUNS[measure]} from the chosen kinds of source.")
    text = f"{_count_text(len(chosen), 'estimate')} of {MEASURE_NOUNS[measure]}, {_provenance_text(chosen)}"
    title = f"Estimates: {MEASURE_TITLES[measure]}"
    return View(estimates_chart(chosen, sources, tables, title=title), text)


def calculator_controls(tables: dict[str, pd.DataFrame]) -> dict[str, ipw.ValueWidget]:
    """The revenue calculator's controls, starting at the US estimate and the labelled assumption."""
    us = us_estimate(tables)
    wide = dict(style={"description_width": "initial"}, layout=ipw.Layout(width="95%"), continuous_update=False)
    return {
        "workers": ipw.IntSlider(
            value=int(us["total"]), min=0, max=CALCULATOR_MAX_WORKERS, step=1_000, description="Workers", **wide,
        ),
        "usd_per_worker": ipw.IntSlider(
            value=round(per_worker(us["usd_per_year"], us["total"])), min=0, max=CALCULATOR_MAX_USD_PER_WORKER,
            step=250, description="Annual earnings per worker (USD)", **wide,
        ),
        "share_to_state": assumption_slider(tables["assumptions"], SHARE_TO_STATE),
    }


def explorer_controls(estimates: pd.DataFrame) -> dict[str, ipw.ValueWidget]:
    """The estimates explorer's controls: kinds of source (several) and one measure."""
    types = list(dict.fromkeys(estimates["source_type"].astype(str)))
    measures = [(MEASURE_TITLES[m], m) for m in MEASURE_TITLES if m in set(estimates["measure"])]
    return {
        "source_types": ipw.SelectMultiple(
            options=types, value=tuple(types), rows=len(types), description="Source types",
            style={"description_width": "initial"},
        ),
        "measure": ipw.Dropdown(options=measures, value="workers", description="Measure"),
    }
