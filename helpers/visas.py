"""The 2018-vs-2019 visa surge: differences, fold changes, a what-if, and notebook 03's charts.

Why a module: the seed article gives four visa counts and readers immediately ask "how many
times more?". Those answers (and every other number notebook 03 states) are computed here
from data/visas.csv, data/entries.csv and data/russia_workers.csv, never typed, so they
cannot drift from the data. The module also keeps two units apart on purpose: *visas
issued* is a flow (documents issued over a period), *workers with permits* is a stock
(people counted on a date). Functions and charts say which one they show.

A missing count is never treated as zero: Russia's figures give no work-visa count for 2018
or 2019, and a function asked for one raises a ValueError instead of inventing it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from helpers import plots
from helpers.widgets import View

YEAR_BEFORE, YEAR_AFTER = "2018", "2019"
#: The two categories the seed article reports for both years.
SEED_CATEGORIES: tuple[str, ...] = ("tourist", "student")
COMBINED = "tourist + student"
CATEGORIES: tuple[str, ...] = ("tourist", "student", "work", COMBINED)
MEASURES: tuple[str, ...] = ("count", "change", "ratio")
SCALES: tuple[str, ...] = ("linear", "log")
#: Period choices of the visa explorer: label -> periods, the first one being the baseline.
PERIOD_CHOICES: dict[str, tuple[str, ...]] = {
    "2018 and 2019 (full years)": ("2018", "2019"),
    "2018, 2019 and 2020-Q1": ("2018", "2019", "2020-Q1"),
    "2019 and 2020-Q1": ("2019", "2020-Q1"),
}
#: Russia's official counts of DPRK workers with valid permits (russia_workers.csv).
PERMITS_BEFORE_ID, PERMITS_AFTER_ID = "RW_2017_END", "RW_2018_END"
OFFICIAL_COUNT_ID = PERMITS_AFTER_ID
ASSUMPTION_ID = "A_TOURIST_AS_WORK"
#: The year whose entries the sources split by purpose (F45: education, business).
SPLIT_YEAR = "2024"
#: A period shorter than this many days is a part of a year (2020-Q1 is 91 days), not a full year.
FULL_YEAR_MIN_DAYS = 365
#: What kind of quantity each measure is: a flow happens over a period, a stock exists on a date.
UNIT_KIND: dict[str, str] = {
    "visas issued": "flow", "entries": "flow", "new registrations": "flow", "workers with permits": "stock",
}


# ---------------------------------------------------------------- counts, differences, fold changes

def _check_category(category: str) -> tuple[str, ...]:
    """The visa categories a category label stands for; ValueError for an unknown label."""
    if category == COMBINED:
        return SEED_CATEGORIES
    if category not in CATEGORIES:
        raise ValueError(f"unknown visa category {category!r}: choose one of {CATEGORIES}")
    return (category,)


def has_count(visas: pd.DataFrame, period: str, category: str) -> bool:
    """True when visas.csv gives the count for this period and category (every part of a combination)."""
    parts = _check_category(category)
    rows = visas[visas["period"] == period]
    return all(part in set(rows["category"]) for part in parts)


def count(visas: pd.DataFrame, period: str, category: str) -> int:
    """Visas of ``category`` issued in ``period``; "tourist + student" adds the two.

    Raises ValueError when the data give no such count, because a missing count is not zero.
    """
    parts = _check_category(category)
    rows = visas[(visas["period"] == period) & visas["category"].isin(parts)]
    missing = [part for part in parts if part not in set(rows["category"])]
    if missing:
        raise ValueError(
            f"visas.csv gives no {' or '.join(missing)} visa count for {period!r}; a missing count is not zero"
        )
    if rows["category"].duplicated().any():
        raise ValueError(f"visas.csv has more than one {category} row for {period!r}")
    return int(rows["count"].sum())


def difference(visas: pd.DataFrame, category: str, before: str = YEAR_BEFORE, after: str = YEAR_AFTER) -> int:
    """How many more (or, if negative, fewer) visas of ``category`` in ``after`` than in ``before``."""
    return count(visas, after, category) - count(visas, before, category)


def fold_change(visas: pd.DataFrame, category: str, before: str = YEAR_BEFORE, after: str = YEAR_AFTER) -> float:
    """How many times the ``before`` count the ``after`` count is (8.2 means 8.2 times as many)."""
    base = count(visas, before, category)
    if base == 0:
        raise ValueError(f"no {category} visas in {before!r}: a fold change from zero is undefined")
    return count(visas, after, category) / base


def surge_table(visas: pd.DataFrame, before: str = YEAR_BEFORE, after: str = YEAR_AFTER) -> pd.DataFrame:
    """The seed article's comparison per category and combined: both counts, difference, fold change."""
    rows = []
    for category in (*SEED_CATEGORIES, COMBINED):
        rows.append({
            "category": category,
            f"visas {before}": count(visas, before, category),
            f"visas {after}": count(visas, after, category),
            "difference": difference(visas, category, before, after),
            # One decimal, as the issue and the chart write it ("about 8.2x"); exercise 1 asks for two.
            "fold change": round(fold_change(visas, category, before, after), 1),
        })
    return pd.DataFrame(rows).set_index("category")


# ---------------------------------------------------------------- workers with permits (a stock)

def _official_row(russia_workers: pd.DataFrame, obs_id: str) -> pd.Series:
    rows = russia_workers[russia_workers["obs_id"] == obs_id]
    if rows.empty:
        raise ValueError(f"no observation {obs_id!r} in russia_workers.csv")
    row = rows.iloc[0]
    if row["measure"] != "workers_with_permits":
        raise ValueError(f"{obs_id} counts {row['measure']}, not workers with permits")
    return row


def official_count(russia_workers: pd.DataFrame, obs_id: str = OFFICIAL_COUNT_ID) -> int:
    """Russia's official count of DPRK workers with valid permits at one date (a stock)."""
    return int(_official_row(russia_workers, obs_id)["count"])


def permits_fall(
    russia_workers: pd.DataFrame, before_id: str = PERMITS_BEFORE_ID, after_id: str = PERMITS_AFTER_ID
) -> int:
    """How far the stock of workers with valid permits fell between two dates (positive = a fall)."""
    before, after = _official_row(russia_workers, before_id), _official_row(russia_workers, after_id)
    if pd.notna(before["as_of"]) and pd.notna(after["as_of"]) and after["as_of"] <= before["as_of"]:
        raise ValueError(f"{after_id} must be dated after {before_id}")
    return int(before["count"]) - int(after["count"])


# ---------------------------------------------------------------- the what-if

def check_share(share: float) -> float:
    """``share`` as a float, or ValueError unless it is a number from 0 to 1 (a share, not a percentage)."""
    if isinstance(share, bool) or not isinstance(share, (int, float)) or math.isnan(share):
        raise ValueError(f"the share must be a number from 0 to 1, got {share!r}")
    if not 0 <= share <= 1:
        hint = " (write 25% as 0.25)" if 1 < share <= 100 else ""
        raise ValueError(f"the share must be from 0 to 1, got {share}{hint}")
    return float(share)


def new_tourist_visas(visas: pd.DataFrame, before: str = YEAR_BEFORE, after: str = YEAR_AFTER) -> int:
    """The additional tourist visas of ``after`` over ``before``: the "new" visas the suspicion is about."""
    extra = difference(visas, "tourist", before, after)
    if extra < 0:
        raise ValueError(f"tourist visas fell from {before} to {after}: there are no new tourist visas")
    return extra


def implied_hidden_workers(new_visas: int, share: float) -> float:
    """Visas that would be work in disguise if ``share`` of ``new_visas`` were.

    It is an upper bound on people: one person may hold several visas, and a visa issued
    is not a person who entered, let alone one who worked.
    """
    share = check_share(share)
    if new_visas < 0:
        raise ValueError(f"the number of new visas cannot be negative, got {new_visas}")
    return share * new_visas


@dataclass(frozen=True)
class WhatIf:
    """One setting of the what-if: the assumed share and what follows from it."""

    share: float
    new_visas: int
    implied: float
    official: int

    @property
    def ratio(self) -> float:
        """The implied visas as a share of the official count of workers with permits."""
        return self.implied / self.official


def what_if(visas: pd.DataFrame, russia_workers: pd.DataFrame, share: float) -> WhatIf:
    """The what-if for one assumed share, against Russia's official end-2018 count."""
    new = new_tourist_visas(visas)
    official = official_count(russia_workers)
    if official <= 0:
        raise ValueError("the official count must be positive to compare against it")
    return WhatIf(check_share(share), new, implied_hidden_workers(new, share), official)


def break_even_share(visas: pd.DataFrame, russia_workers: pd.DataFrame) -> float:
    """The share of new tourist visas that would match the official count (above 1: unreachable)."""
    new = new_tourist_visas(visas)
    if new == 0:
        raise ValueError("there are no new tourist visas to take a share of")
    return official_count(russia_workers) / new


# ---------------------------------------------------------------- context figures

def _value_text(low: int, high: object, qualifier: str) -> str:
    if pd.notna(high):
        return f"{low:,}–{int(high):,}"
    prefix = {"about": "about ", "fewer than": "fewer than ", "more than": "more than "}.get(qualifier, "")
    return f"{prefix}{low:,}"


_ENTRY_MEASURES = {
    "entries": "entries to Russia (border statistics)",
    "entries_for_education": "of which entries for education",
    "entries_for_business": "of which entries for business",
    "visas_issued_per_year": "visas issued per year, mostly for work",
}


def context_table(visas: pd.DataFrame, entries: pd.DataFrame) -> pd.DataFrame:
    """Every context figure of notebook 03 with its unit, qualifier, status and source.

    Q1 2020 visas (a quarter), border entries (crossings, not visas) and the
    pre-sanctions visa volume (a range from an undated reprint): each keeps its status.
    """
    rows = []
    for _, row in visas[~visas["period"].isin([YEAR_BEFORE, YEAR_AFTER])].iterrows():
        rows.append({
            "figure": f"{row['category']} visas issued", "period": row["period"],
            "value": f"{int(row['count']):,}", "kind": "flow (documents issued)",
            "status": row["status"], "source": row["source_id"],
        })
    for _, row in entries.iterrows():
        rows.append({
            "figure": _ENTRY_MEASURES[row["measure"]], "period": row["period"],
            "value": _value_text(int(row["low"]), row["high"], row["qualifier"]),
            "kind": "flow (documents issued)" if row["measure"] == "visas_issued_per_year" else "flow (border crossings)",
            "status": row["status"],
            "source": " ".join(s for s in [row["source_id"], row["also_source_ids"]] if pd.notna(s)),
        })
    return pd.DataFrame(rows)


def entries_other_2024(entries: pd.DataFrame) -> int:
    """2024 entries for neither education nor business: the total minus the two stated parts."""
    by_measure = entries[entries["period"] == SPLIT_YEAR].set_index("measure")["low"]
    needed = ["entries", "entries_for_education", "entries_for_business"]
    missing = [m for m in needed if m not in by_measure.index]
    if missing:
        raise ValueError(f"entries.csv lacks {SPLIT_YEAR} {missing}")
    rest = int(by_measure["entries"]) - int(by_measure["entries_for_education"]) - int(by_measure["entries_for_business"])
    if rest < 0:
        raise ValueError(f"{SPLIT_YEAR} entries for education and business exceed all {SPLIT_YEAR} entries")
    return rest


def entries_in(entries: pd.DataFrame, period: str) -> int:
    """All entries to Russia in ``period`` (border crossings, every purpose); ValueError if the sources give none."""
    rows = entries[(entries["measure"] == "entries") & (entries["period"] == period)]
    if rows.empty:
        raise ValueError(f"entries.csv gives no entries for {period!r}; a missing count is not zero")
    if len(rows) > 1:
        raise ValueError(f"entries.csv has more than one entries row for {period!r}")
    return int(rows.iloc[0]["low"])


def visas_beyond_entries(visas: pd.DataFrame, entries: pd.DataFrame, year: str = YEAR_AFTER) -> int:
    """Tourist + student visas issued in ``year`` minus all entries of that year.

    Why: if it is positive, even with every entry of the year made on a different one of
    these visas, at least this many of them were not used to enter in that year. So a visa
    count is not a count of people who came. (It inherits any "about" of the entries figure.)
    """
    return count(visas, year, COMBINED) - entries_in(entries, year)


# ---------------------------------------------------------------- charts

def _legend_on_top(fig: go.Figure) -> go.Figure:
    """Move the legend above the plot, so that it never overlaps a note and source line below."""
    return fig.update_layout(legend=dict(y=1.0, yanchor="bottom", x=0), margin=dict(t=100))


def surge_chart(visas: pd.DataFrame, sources: pd.DataFrame) -> go.Figure:
    """2018 and 2019 bars per category and combined, the fold change written over each 2019 bar."""
    labels = [*SEED_CATEGORIES, COMBINED]
    fig = go.Figure()
    for year in (YEAR_BEFORE, YEAR_AFTER):
        values = [count(visas, year, c) for c in labels]
        text = [f"×{fold_change(visas, c):.1f}" for c in labels] if year == YEAR_AFTER else None
        fig.add_bar(
            x=labels, y=values, name=f"issued in {year}", text=text, textposition="outside",
            hovertemplate="%{x}: %{y:,} visas issued in " + year + "<extra></extra>",
        )
    fig.update_layout(barmode="group", yaxis_title="visas issued in the year", xaxis_type="category")
    _legend_on_top(fig)
    rows = visas[visas["period"].isin([YEAR_BEFORE, YEAR_AFTER])]
    note = f"Over the {YEAR_AFTER} bars: how many times the {YEAR_BEFORE} count."
    if not (has_count(visas, YEAR_BEFORE, "work") or has_count(visas, YEAR_AFTER, "work")):
        note += f" Work visas: no {YEAR_BEFORE} or {YEAR_AFTER} figure in the sources."
    return plots.finish(
        fig, rows, sources, f"Tourist and student visas for North Koreans, {YEAR_BEFORE} against {YEAR_AFTER}",
        note=note,
    )


def _year_span(years: Sequence[str]) -> str:
    """'2019 and 2021–2024' for the years that have a figure: runs of consecutive years joined by a dash."""
    runs: list[list[int]] = []
    for year in sorted(int(y) for y in years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    parts = [str(r[0]) if len(r) == 1 else f"{r[0]}–{r[-1]}" for r in runs]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def entries_chart(entries: pd.DataFrame, sources: pd.DataFrame) -> go.Figure:
    """Entries to Russia by year, a year split by purpose where the source splits it; years without a figure marked."""
    yearly = entries[(entries["measure"] == "entries") & (entries["period"].str.fullmatch(r"\d{4}"))]
    years = [str(y) for y in range(int(yearly["period"].min()), int(yearly["period"].max()) + 1)]
    split_years = set(entries.loc[entries["measure"] == "entries_for_education", "period"])
    whole = yearly[~yearly["period"].isin(split_years)]
    fig = go.Figure()
    fig.add_bar(
        x=whole["period"].tolist(), y=whole["low"].astype(int).tolist(), name="entries, all purposes",
        text=[_value_text(int(v), None, q) for v, q in zip(whole["low"], whole["qualifier"])],
        customdata=whole["status"].tolist(), textposition="outside",
        hovertemplate="%{x}: %{text} entries (%{customdata})<extra></extra>",
    )
    rows = yearly
    if SPLIT_YEAR in split_years:
        parts = entries[(entries["period"] == SPLIT_YEAR) & entries["measure"].isin(["entries_for_education", "entries_for_business"])]
        for _, row in parts.iterrows():
            fig.add_bar(
                x=[SPLIT_YEAR], y=[int(row["low"])],
                name=_ENTRY_MEASURES[row["measure"]].replace("of which ", f"{SPLIT_YEAR}: "),
                hovertemplate="%{x}: %{y:,} " + _ENTRY_MEASURES[row["measure"]] + f" ({row['status']})<extra></extra>",
            )
        fig.add_bar(
            x=[SPLIT_YEAR], y=[entries_other_2024(entries)], name=f"{SPLIT_YEAR}: other or unstated purpose (computed)",
            hovertemplate="%{x}: %{y:,} entries for other or unstated purposes (derived)<extra></extra>",
        )
        total = yearly[yearly["period"] == SPLIT_YEAR].iloc[0]
        # The stacked parts carry no total of their own: write the source's total over the stack.
        fig.add_annotation(
            x=years.index(SPLIT_YEAR), y=int(total["low"]), yanchor="bottom", showarrow=False,
            text=f"{_value_text(int(total['low']), total['high'], total['qualifier'])} in all",
        )
        rows = pd.concat([yearly, parts])
    missing = [y for y in years if y not in set(yearly["period"])]
    for year in missing:
        # On a category axis an annotation's x is the category's position: a string "2020" would be read as 2020.
        fig.add_annotation(x=years.index(year), y=0, text="no figure<br>in the sources", showarrow=False, yanchor="bottom")
    fig.update_layout(
        barmode="stack", yaxis_title="entries in the year (border crossings, not visas)", legend_traceorder="normal",
        xaxis=dict(type="category", categoryorder="array", categoryarray=years),
    )
    _legend_on_top(fig)
    statuses = sorted(set(rows["status"]))
    about = sorted(set(rows.loc[rows["qualifier"] == "about", "period"]))
    note = f"Status of every figure: {', '.join(statuses)} (reprints of border statistics)."
    if about:
        note += f" {', '.join(about)}: 'about' in the source."
    return plots.finish(
        fig, rows, sources, f"North Korean entries to Russia, {_year_span(yearly['period'].tolist())}", note=note,
    )


def units_comparison(visas: pd.DataFrame, russia_workers: pd.DataFrame) -> pd.DataFrame:
    """The fall in workers with permits and the rise in tourist + student visas, each with its unit."""
    before, after = _official_row(russia_workers, PERMITS_BEFORE_ID), _official_row(russia_workers, PERMITS_AFTER_ID)
    return pd.DataFrame([
        {
            "what": "DPRK workers with valid permits in Russia",
            "kind": f"{UNIT_KIND['workers with permits']}: people counted on a date",
            "from": f"{int(before['count']):,} ({before['as_of_label']})",
            "to": f"{int(after['count']):,} ({after['as_of_label']})",
            "change": f"{-permits_fall(russia_workers):+,} people",
        },
        {
            "what": "tourist + student visas issued to DPRK citizens",
            "kind": f"{UNIT_KIND['visas issued']}: documents issued over a year",
            "from": f"{count(visas, YEAR_BEFORE, COMBINED):,} (during {YEAR_BEFORE})",
            "to": f"{count(visas, YEAR_AFTER, COMBINED):,} (during {YEAR_AFTER})",
            "change": f"{difference(visas, COMBINED):+,} visas",
        },
    ]).set_index("what")


def units_chart(visas: pd.DataFrame, russia_workers: pd.DataFrame, sources: pd.DataFrame) -> go.Figure:
    """Two panels with their own axes: a stock of people on dates, and a flow of visas over years."""
    fig = make_subplots(
        rows=1, cols=2, horizontal_spacing=0.15,
        subplot_titles=("Stock: workers with valid permits, on a date", "Flow: tourist + student visas, over a year"),
    )
    permit_rows = russia_workers[russia_workers["obs_id"].isin([PERMITS_BEFORE_ID, PERMITS_AFTER_ID])].sort_values("as_of")
    fig.add_bar(
        x=permit_rows["as_of_label"].tolist(), y=permit_rows["count"].astype(int).tolist(), name="workers with permits",
        marker_color=plots.PALETTE[2], hovertemplate="%{x}: %{y:,} workers with valid permits<extra></extra>",
        row=1, col=1,
    )
    years = [YEAR_BEFORE, YEAR_AFTER]
    fig.add_bar(
        x=[f"during {y}" for y in years], y=[count(visas, y, COMBINED) for y in years], name="tourist + student visas",
        marker_color=plots.PALETTE[1], hovertemplate="%{x}: %{y:,} visas issued<extra></extra>", row=1, col=2,
    )
    fig.update_yaxes(title_text="people (with valid permits)", row=1, col=1)
    fig.update_yaxes(title_text="visas issued", row=1, col=2)
    fig.update_xaxes(type="category")
    fig.update_layout(showlegend=False)
    rows = pd.concat([permit_rows, visas[visas["period"].isin(years)]])
    return plots.finish(
        fig, rows, sources, "Two different units: people with permits, and visas issued",
        note="Separate axes on purpose: a stock of people and a flow of documents cannot be subtracted from each other.",
    )


# ---------------------------------------------------------------- widget render functions

def _period_days(visas: pd.DataFrame, period: str) -> int:
    row = visas[visas["period"] == period].iloc[0]
    return int((row["period_end"] - row["period_start"]).days) + 1


def render_visa_explorer(
    visas: pd.DataFrame, sources: pd.DataFrame, category: str, measure: str, scale: str, periods: Sequence[str]
) -> View:
    """One chart for the chosen category, measure, scale and periods; the first period is the baseline.

    count: the visas issued in each period. change: each later period minus the baseline.
    ratio: each later period divided by the baseline. A log scale cannot show zero or a
    negative change, so the chart falls back to linear and the text says so.
    """
    _check_category(category)
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}: choose one of {MEASURES}")
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {SCALES}")
    periods = list(periods)
    unknown = [p for p in periods if p not in set(visas["period"])]
    if unknown or not periods:
        raise ValueError(f"unknown or no periods {unknown or periods!r}: visas.csv has {sorted(set(visas['period']))}")
    notes: list[str] = []
    available = [p for p in periods if has_count(visas, p, category)]
    missing = [p for p in periods if p not in available]
    if missing:
        notes.append(f"No {category} count for {', '.join(missing)} in the sources (missing, not zero).")
    baseline = periods[0]
    label = f"{category} visas"
    if not available:
        return View(None, f"{label.capitalize()}: no count for any period chosen. " + " ".join(notes))
    if measure == "count":
        xs = available
        ys: list[float] = [count(visas, p, category) for p in xs]
        shown = [f"{p}: {v:,.0f}" for p, v in zip(xs, ys)]
        axis = "visas issued"
    elif baseline not in available:
        return View(None, f"{label.capitalize()}: no count for {baseline}, the baseline, so no {measure} can be computed. " + " ".join(notes))
    else:
        xs = [p for p in available if p != baseline]
        if measure == "change":
            ys = [difference(visas, category, baseline, p) for p in xs]
            shown = [f"{p} minus {baseline}: {v:+,.0f}" for p, v in zip(xs, ys)]
            axis = f"visas issued, minus {baseline}"
        else:
            ys = [fold_change(visas, category, baseline, p) for p in xs]
            shown = [f"{p} ÷ {baseline}: ×{v:.2f}" for p, v in zip(xs, ys)]
            axis = f"times the {baseline} count"
        if not xs:
            return View(None, f"{label.capitalize()}: choose periods with a second period to compare with {baseline}.")
    compared = xs + ([baseline] if measure != "count" else [])
    short = [p for p in compared if _period_days(visas, p) < FULL_YEAR_MIN_DAYS]
    if short and len(short) < len(compared):
        full = [p for p in compared if p not in short]
        each = "each " if len(full) > 1 else ""
        notes.append(f"{', '.join(short)} covers part of a year, {' and '.join(full)} {each}a full year: not like for like.")
    axis_type = scale
    if scale == "log" and any(v <= 0 for v in ys):
        axis_type = "linear"
        notes.append("A log scale cannot show zero or a fall, so this chart uses a linear scale.")
    colour = plots.PALETTE[CATEGORIES.index(category)]
    style = dict(
        x=xs, y=ys, name=label, text=[s.split(": ", 1)[1] for s in shown], cliponaxis=False,
        hovertemplate="%{x}: %{y:,.2f}<extra></extra>" if measure == "ratio" else "%{x}: %{y:,}<extra></extra>",
    )
    fig = go.Figure()
    if axis_type == "log":
        # A bar's length on a log axis depends on where the axis happens to start: dots carry no such length.
        fig.add_scatter(mode="markers+text", marker=dict(color=colour, size=14), textposition="middle right", **style)
        # Centre each dot in its category's slot, as a bar would be, so no label runs off the edge.
        fig.update_xaxes(range=[-0.5, len(xs) - 0.5])
    else:
        fig.add_bar(marker_color=colour, textposition="outside", **style)
    if measure != "count":
        # The no-change line: a change of 0, a ratio of 1 (on a log axis a bar's base is arbitrary, this line is not).
        fig.add_hline(y=0 if measure == "change" else 1, line_dash="dot", line_color=plots.INK)
    fig.update_layout(yaxis_title=axis, yaxis_type=axis_type, xaxis_type="category", showlegend=False)
    parts = SEED_CATEGORIES if category == COMBINED else (category,)
    rows = visas[visas["period"].isin(available) & visas["category"].isin(parts)]
    titles = {"count": "issued", "change": f"change since {baseline}", "ratio": f"ratio to {baseline}"}
    fig = plots.finish(
        fig, rows, sources, f"{label.capitalize()}: {titles[measure]} ({axis_type} scale)",
        note="<br>".join(notes) or None,
    )
    text = f"{label.capitalize()}, {measure}: " + "; ".join(shown) + "."
    return View(fig, " ".join([text, *notes]))


def render_what_if(visas: pd.DataFrame, russia_workers: pd.DataFrame, sources: pd.DataFrame, share: float) -> View:
    """The implied visas of hidden work for an assumed share, beside the official count, units apart."""
    result = what_if(visas, russia_workers, share)
    official_row = _official_row(russia_workers, OFFICIAL_COUNT_ID)
    names = [
        f"ASSUMPTION: {share:.0%} of the new tourist visas<br>(visas issued during {YEAR_AFTER}: a flow)",
        f"official: workers with valid permits<br>({official_row['as_of_label']}: a stock)",
    ]
    fig = go.Figure()
    fig.add_bar(
        y=names, x=[result.implied, result.official], orientation="h",
        marker_color=[plots.PALETTE[3], plots.PALETTE[2]],
        text=[f"{result.implied:,.0f} visas", f"{result.official:,} people"], textposition="auto",
        hovertemplate="%{y}: %{x:,.0f}<extra></extra>",
    )
    # A fixed axis (up to the larger of all new tourist visas and the official count) keeps the
    # bars comparable while the slider moves.
    fig.update_layout(
        yaxis_autorange="reversed", showlegend=False, xaxis_range=[0, 1.05 * max(result.new_visas, result.official)]
    )
    rows = pd.concat([
        visas[visas["period"].isin([YEAR_BEFORE, YEAR_AFTER]) & (visas["category"] == "tourist")],
        russia_workers[russia_workers["obs_id"] == OFFICIAL_COUNT_ID],
    ])
    fig = plots.finish(
        fig, rows, sources, "What if some new tourist visas were work in disguise?",
        note=f"ASSUMPTION: the share ({ASSUMPTION_ID}) is an illustration; no source measures it.",
    )
    text = (
        f"ASSUMPTION: {share:.0%} of the {result.new_visas:,} additional tourist visas of {YEAR_AFTER} "
        f"→ {result.implied:,.0f} visas, so at most that many people working on a tourist visa. "
        f"Russia's official count: {result.official:,} workers with valid permits ({official_row['as_of_label']}). "
        f"If every such visa were a different person who entered and stayed, that would be {result.ratio:.0%} "
        "of the official count; a visa is not a person, and a flow over a year is not a stock on a date."
    )
    return View(fig, text)


# ---------------------------------------------------------------- for the claims test

def derived_values(tables: dict[str, pd.DataFrame]) -> dict[str, float]:
    """Every derived number notebook 03 states, keyed by what it is."""
    visas, workers, entries = tables["visas"], tables["russia_workers"], tables["entries"]
    assumptions = tables["assumptions"].set_index("assumption_id")
    default_share = float(assumptions.loc[ASSUMPTION_ID, "default"])
    values: dict[str, float] = {}
    for category, key in (("tourist", "tourist"), ("student", "student"), (COMBINED, "combined")):
        values[f"visas_{key}_{YEAR_BEFORE}"] = count(visas, YEAR_BEFORE, category)
        values[f"visas_{key}_{YEAR_AFTER}"] = count(visas, YEAR_AFTER, category)
        values[f"visas_{key}_difference_2018_2019"] = difference(visas, category)
        values[f"visas_{key}_fold_change_2018_2019"] = fold_change(visas, category)
    values["visas_2020q1_total"] = sum(count(visas, "2020-Q1", c) for c in ("work", "tourist", "student"))
    values["permits_fall_end2017_end2018"] = permits_fall(workers)
    values["whatif_new_tourist_visas"] = new_tourist_visas(visas)
    values["whatif_default_share"] = default_share
    at_default = what_if(visas, workers, default_share)
    values["whatif_implied_at_default"] = at_default.implied
    values["whatif_ratio_to_official_at_default"] = at_default.ratio
    values["whatif_break_even_share"] = break_even_share(visas, workers)
    values["entries_2024_other_purpose"] = entries_other_2024(entries)
    values["visas_beyond_entries_2019"] = visas_beyond_entries(visas, entries)
    return values
