"""One house style for every chart and table, with escaping for every text that comes from data/.

Why a module: a chart without a visible source is a chart a reader cannot trust, so
:func:`finish` writes the source line under every chart from the rows it draws; and every
string in data/ is untrusted, so the functions here escape it before it becomes HTML.
Charts sit on an opaque white card so that their text keeps a contrast of at least 4.5:1 in
JupyterLab's light and dark themes alike. Figures are displayed as plotly's own
``application/vnd.plotly.v1+json`` bundle, built here without loading plotly's renderer
registry (which imports nbformat and jsonschema: most of a kernel's start-up otherwise).
"""

from __future__ import annotations

import html
import json
import math
import textwrap
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from helpers._imports import decline_slow_optional_imports

decline_slow_optional_imports()

import pandas as pd  # noqa: E402
import plotly.graph_objects as go  # noqa: E402
import plotly.io as pio  # noqa: E402

MIMETYPE = "application/vnd.plotly.v1+json"
TEMPLATE_NAME = "workers_abroad"
CARD = "#ffffff"  # the chart's own background: opaque, so contrast holds on any theme
INK = "#1f1f1f"  # titles, labels, ticks: 16:1 on the card
MUTED = "#4d4d4d"  # subtitles and source lines: 8.5:1 on the card
GRID = "#e3e3e3"
FONT = "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif"

#: One colour and one marker per kind of figure, the same in every notebook (00 shows the key).
KINDS: dict[str, dict[str, str]] = {
    "official report": {"color": "#0072B2", "symbol": "diamond"},
    "official statement": {"color": "#D55E00", "symbol": "circle"},
    "media reporting": {"color": "#CC79A7", "symbol": "triangle-up"},
    "estimate": {"color": "#009E73", "symbol": "square"},
    "model/assumption": {"color": "#555555", "symbol": "x"},
}
#: Visa and entry categories: colours no kind of figure uses, so a colour never means two things.
CATEGORIES: dict[str, str] = {"tourist": "#E69F00", "student": "#56B4E9", "work": "#A6761D", "entries": "#7A7A7A"}
#: Okabe–Ito, the colour-blind-safe qualitative palette (without black and yellow).
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")

TITLE_CHARS, SUBTITLE_CHARS, SOURCE_CHARS = 58, 84, 90  # wrap widths that fit a projector-width chart
HEIGHT = 500

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        colorway=list(PALETTE),
        font=dict(family=FONT, size=14, color=INK),
        paper_bgcolor=CARD,
        plot_bgcolor=CARD,
        xaxis=dict(gridcolor=GRID, linecolor=MUTED, zerolinecolor=GRID, automargin=True, tickfont=dict(color=INK)),
        yaxis=dict(gridcolor=GRID, linecolor=MUTED, zerolinecolor=GRID, automargin=True, separatethousands=True),
        legend=dict(bgcolor=CARD, orientation="h", x=0, xanchor="left", y=1.02, yanchor="bottom", font=dict(size=13)),
        hoverlabel=dict(font=dict(family=FONT)),
    )
)
pio.templates[TEMPLATE_NAME] = TEMPLATE
pio.templates.default = TEMPLATE_NAME


# ---------------------------------------------------------------- escaping


def esc(text: object) -> str:
    """Any value as text that HTML (and plotly's text) shows literally, never as markup.

    Quotes stay as they are (plotly would show &quot; literally); attribute values go through
    :func:`link`, which escapes quotes too.
    """
    return html.escape("" if text is None or text is pd.NA else str(text), quote=False)


def safe_url(url: object) -> str | None:
    """The URL if it is an absolute http(s) address with a host, else None: only those become links."""
    if not isinstance(url, str) or any(c in url for c in " \t\r\n\"'<>`"):
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


def link(url: object, text: object | None = None) -> str:
    """An escaped <a> for a validated URL, or the escaped text alone when the URL is not http(s)."""
    checked = safe_url(url)
    label = esc(url if text is None else text)
    return f'<a href="{html.escape(checked, quote=True)}" rel="noopener">{label}</a>' if checked else label


def _wrap(text: str, width: int) -> str:
    return "<br>".join(esc(line) for line in textwrap.wrap(text, width, break_long_words=False)) or ""


# ---------------------------------------------------------------- tables


def _is_missing(value: object) -> bool:
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value))


def money(value: float) -> str:
    """$500 million, $1.2 billion, $417: dollars in the unit a reader says aloud."""
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if abs(value) >= size:
            return f"${value / size:,.{0 if value % size == 0 else 1}f} {word}"
    return f"${value:,.0f}"


def cell(value: object, kind: str = "auto", missing: str = "not given") -> str:
    """One value as a reader should see it: 30,023 not 30023.0, 80% not 0.8, a date as 22 Dec 2019."""
    if _is_missing(value):
        return missing
    if kind == "money":
        return money(float(value))
    if kind == "share":
        return f"{float(value):.0%}"
    if kind == "pct":
        return f"{float(value):g}%"
    if isinstance(value, datetime | date | pd.Timestamp):
        return f"{value:%d %b %Y}".lstrip("0")
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) or hasattr(value, "dtype"):
        number = float(value)
        if number.is_integer() and abs(number) < 1e15:
            return f"{int(number):,}"
        return f"{number:,.2f}".rstrip("0").rstrip(".")
    return str(value)


class Table:
    """A DataFrame shown for reading: formatted cells, escaped text, full clickable links, no dtype lines."""

    def __init__(self, frame: pd.DataFrame, formats: dict[str, str], missing: str, index: bool) -> None:
        self.frame = frame.reset_index() if index else frame
        self.formats = formats
        self.missing = missing

    def rows(self) -> list[list[str]]:
        """Each cell as display text (not yet escaped)."""
        kinds = [self.formats.get(str(c), "auto") for c in self.frame.columns]
        return [[cell(v, k, self.missing) for v, k in zip(row, kinds)] for row in self.frame.itertuples(index=False)]

    def __repr__(self) -> str:
        header = [str(c) for c in self.frame.columns]
        body = self.rows()
        widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
        lines = ["  ".join(text.ljust(w) for text, w in zip(r, widths)).rstrip() for r in [header, *body]]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col">{esc(c)}</th>' for c in self.frame.columns)
        links = [self.formats.get(str(c)) == "link" for c in self.frame.columns]
        body = "".join(
            "<tr>" + "".join(f"<td>{link(t) if is_link else esc(t)}</td>" for t, is_link in zip(row, links)) + "</tr>"
            for row in self.rows()
        )
        return f'<table class="wa-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def table(frame: pd.DataFrame | pd.Series, formats: dict[str, str] | None = None, missing: str = "not given",
          index: bool = False) -> Table:
    """Format a table for display. ``formats`` maps a column to money, share, pct or link."""
    if isinstance(frame, pd.Series):
        frame = frame.rename_axis("").reset_index(name=frame.name or "value")
    return Table(frame, formats or {}, missing, index)


def source_ids_of(rows: pd.DataFrame) -> list[str]:
    """Every source id the rows cite, primary and further ones, in first-seen order."""
    ids: list[str] = []
    extras = rows["also_source_ids"] if "also_source_ids" in rows else [None] * len(rows)
    for primary, extra in zip(rows["source_id"], extras):
        for source_id in [primary, *("" if _is_missing(extra) else str(extra)).split()]:
            if not _is_missing(source_id) and str(source_id) not in ids:
                ids.append(str(source_id))
    return ids


def sources_table(rows: pd.DataFrame, sources: pd.DataFrame) -> Table:
    """The sources the given rows cite, for the 'Sources' section at the foot of a notebook."""
    cited = sources.set_index("source_id").loc[source_ids_of(rows), ["publisher", "title", "published", "url"]]
    return table(cited.rename_axis("source").reset_index(), {"url": "link"}, missing="no address recorded")


def quote(rows: pd.DataFrame, text_column: str = "quote") -> Any:
    """Quotes from data/ as escaped block quotes, each with its source id and status."""
    from IPython.display import HTML

    blocks = [
        f'<blockquote class="wa-quote">{esc(row[text_column])}<br><small>{esc(row["source_id"])}, '
        f"{esc(row['status'])}</small></blockquote>"
        for _, row in rows.iterrows()
    ]
    return HTML("".join(blocks))


# ---------------------------------------------------------------- charts


def source_line(source_ids: Iterable[str], sources: pd.DataFrame) -> str:
    """'Sources: S01 Reuters (2020-01-23); …' as plain text (finish escapes and wraps it)."""
    by_id = sources.set_index("source_id")
    parts = []
    for source_id in source_ids:
        if source_id not in by_id.index:
            raise KeyError(f"source id {source_id!r} is not in sources.csv")
        parts.append(f"{source_id} {by_id.loc[source_id, 'publisher']} ({by_id.loc[source_id, 'published']})")
    if not parts:
        raise ValueError("a chart needs at least one source")
    return ("Sources: " if len(parts) > 1 else "Source: ") + "; ".join(parts)


def _legend_rows(fig: go.Figure, width_px: int = 560) -> int:
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    if len(names) < 2 and not any(t.showlegend for t in fig.data):
        return 0
    used, rows = 0, 1
    for name in names:
        item = 40 + 7 * len(str(name))
        if used and used + item > width_px:
            rows, used = rows + 1, 0
        used += item
    return rows


def finish(fig: go.Figure, rows: pd.DataFrame, sources: pd.DataFrame, *, title: str, subtitle: str,
           note: str | None = None, height: int = HEIGHT) -> go.Figure:
    """House style for one chart: a title that states the finding, a subtitle that says what is
    measured, the legend above the plot, and the source line (plus an optional note, such as an
    assumption) under it. Every text is escaped and wrapped to fit a projector-width chart."""
    title_html, subtitle_html = _wrap(title, TITLE_CHARS), _wrap(subtitle, SUBTITLE_CHARS)
    foot = _wrap(source_line(source_ids_of(rows), sources), SOURCE_CHARS)
    if note:
        foot = f"{_wrap(note, SOURCE_CHARS)}<br>{foot}"
    legend_rows = _legend_rows(fig)
    fig.update_layout(showlegend=legend_rows > 0)
    title_lines, subtitle_lines = title_html.count("<br>") + 1, subtitle_html.count("<br>") + 1
    top = 50 + 30 * title_lines + 22 * subtitle_lines + 26 * legend_rows
    has_x_title = bool(fig.layout.xaxis.title.text)
    shift = 36 + (32 if has_x_title else 0)
    bottom = shift + 17 * (foot.count("<br>") + 1) + 12
    fig.update_layout(
        height=height,
        margin=dict(t=top, b=bottom, l=64, r=24, autoexpand=True),
        title=dict(text=title_html, x=0.01, xref="container", xanchor="left", y=1, yref="container", yanchor="top",
                   pad=dict(t=18 + 6 * (title_lines - 1)), font=dict(size=20, color=INK), subtitle=dict(text=subtitle_html,
                   font=dict(size=14, color=MUTED))),
    )
    fig.add_annotation(
        text=foot, xref="paper", yref="paper", x=0, y=0, xanchor="left", yanchor="top", yshift=-shift, xshift=-48,
        showarrow=False, align="left", font=dict(size=12, color=MUTED), name="source-line",
    )
    return fig


def marker(kind: str, **extra: Any) -> dict[str, Any]:
    """Marker settings for one kind of figure (KINDS), so a kind looks the same in every chart."""
    if kind not in KINDS:
        raise KeyError(f"unknown kind of figure {kind!r}; kinds: {sorted(KINDS)}")
    return {"color": KINDS[kind]["color"], "symbol": KINDS[kind]["symbol"], "size": 12, **extra}


def bundle(fig: go.Figure) -> dict[str, Any]:
    """The figure's display bundle: plotly's JSON mimetype, which JupyterLab, nbval and the site read."""
    return {MIMETYPE: json.loads(pio.to_json(fig, validate=False)), "text/plain": f"<Figure: {fig.layout.title.text}>"}


def _display_figure(fig: go.Figure) -> None:
    from IPython.display import display

    display(bundle(fig), raw=True)


def use_house_display() -> None:
    """Show figures through :func:`bundle` in a running IPython kernel; nothing elsewhere."""
    from IPython import get_ipython

    if (shell := get_ipython()) is not None:
        shell.display_formatter.ipython_display_formatter.for_type(go.Figure, _display_figure)


use_house_display()
