"""One house style for every chart, with its source line drawn from the data.

Why a module: a chart without a visible source is a chart a reader cannot trust, so the
builders take the rows they draw and write the source line under the chart themselves.
Importing this module also fixes plotly's renderer, so JupyterLab, nbclient and nbval
all see the same small ``application/vnd.plotly.v1+json`` output (no embedded plotly.js).
"""

from __future__ import annotations

from collections.abc import Iterable

from helpers._imports import decline_slow_optional_imports

decline_slow_optional_imports()

import pandas as pd  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
import plotly.io as pio  # noqa: E402

RENDERER = "plotly_mimetype"
TEMPLATE_NAME = "workers_abroad"

#: Okabe–Ito, the colour-blind-safe qualitative palette, without its black (lost on a
#: dark theme) and its yellow (lost on a light one).
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")
#: Text and lines in a mid grey that keeps contrast on JupyterLab's light and dark themes.
INK = "#8a8a8a"
GRID = "rgba(138,138,138,0.25)"
FONT = "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif"

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        colorway=list(PALETTE),
        font=dict(family=FONT, size=14, color=INK),
        title=dict(font=dict(size=18), x=0, xanchor="left"),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        xaxis=dict(gridcolor=GRID, linecolor=INK, zerolinecolor=GRID, automargin=True),
        yaxis=dict(gridcolor=GRID, linecolor=INK, zerolinecolor=GRID, automargin=True, separatethousands=True),
        legend=dict(bgcolor="rgba(0,0,0,0)", orientation="h", y=-0.18, yanchor="top", x=0),
        hoverlabel=dict(font=dict(family=FONT)),
        margin=dict(l=60, r=20, t=70, b=120),
    )
)


def use_house_style() -> None:
    """Register the template and the renderer; idempotent, run on import."""
    pio.templates[TEMPLATE_NAME] = TEMPLATE
    pio.templates.default = TEMPLATE_NAME
    pio.renderers.default = RENDERER


use_house_style()


def source_ids_of(rows: pd.DataFrame) -> list[str]:
    """Every source id the rows cite, primary and further ones, in first-seen order."""
    ids: list[str] = []
    for primary, extra in zip(rows["source_id"], rows.get("also_source_ids", pd.Series(dtype="string"))):
        for source_id in [primary, *(str(extra).split() if pd.notna(extra) else [])]:
            if pd.notna(source_id) and source_id not in ids:
                ids.append(str(source_id))
    return ids


def source_line(source_ids: Iterable[str], sources: pd.DataFrame, width: int = 110) -> str:
    """'Sources: S01 Reuters (2020-01-23); …', wrapped with <br> for plotly annotations."""
    by_id = sources.set_index("source_id")
    parts = []
    for source_id in source_ids:
        if source_id not in by_id.index:
            raise KeyError(f"source id {source_id!r} is not in sources.csv")
        row = by_id.loc[source_id]
        parts.append(f"{source_id} {row['publisher']} ({row['published']})")
    if not parts:
        raise ValueError("a chart needs at least one source")
    words = ("Sources: " if len(parts) > 1 else "Source: ") + "; ".join(parts)
    lines, current = [], ""
    for word in words.split(" "):
        if current and len(current) + 1 + len(word) > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    return "<br>".join([*lines, current])


def finish(fig: go.Figure, rows: pd.DataFrame, sources: pd.DataFrame, title: str, note: str | None = None) -> go.Figure:
    """Give a figure its title and its source line (plus an optional note, e.g. an assumption)."""
    text = source_line(source_ids_of(rows), sources)
    if note:
        text = f"{note}<br>{text}"
    lines = text.count("<br>") + 1
    fig.update_layout(title=dict(text=title), margin=dict(b=70 + 18 * lines))
    fig.add_annotation(
        text=text, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top",
        yshift=-40 - (30 if fig.layout.showlegend is not False and len(fig.data) > 1 else 0),
        showarrow=False, align="left", font=dict(size=11, color=INK), name="source-line",
    )
    return fig


def visa_bars(visas: pd.DataFrame, sources: pd.DataFrame, periods: Iterable[str] | None = None) -> go.Figure:
    """Grouped bars: visas issued by period and category, one colour per category."""
    rows = visas if periods is None else visas[visas["period"].isin(list(periods))]
    fig = go.Figure()
    for category, group in rows.groupby("category", sort=False):
        fig.add_bar(
            x=group["period"].tolist(), y=group["count"].astype(int).tolist(), name=str(category),
            hovertemplate="%{x}: %{y:,} " + str(category) + " visas<extra></extra>",
        )
    fig.update_layout(barmode="group", yaxis_title="visas issued", xaxis_title=None, xaxis_type="category")
    return finish(fig, rows, sources, "Russian visas issued to North Koreans")


def sources_table(rows: pd.DataFrame, sources: pd.DataFrame) -> pd.DataFrame:
    """The sources the given rows cite, for the 'Sources' section at the foot of a notebook."""
    ids = source_ids_of(rows)
    table = sources.set_index("source_id").loc[ids, ["publisher", "title", "published", "url"]]
    return table.fillna("")
