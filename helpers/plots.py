"""One house style for every chart and table, escaping every text that comes from data/.

Why: a chart without a source line is one a reader cannot trust, so :func:`finish` writes it from
the rows drawn; data/ is untrusted, so its strings are escaped before they become HTML. Charts are
opaque white cards, so text keeps 4.5:1 contrast in light and dark themes. Figures display as
plotly's JSON mimetype without plotly's renderer registry (it imports nbformat and jsonschema).
"""

from __future__ import annotations

import html
import json
import math
import numbers
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from helpers.derived import NotFound
from helpers.numbers import finite

MIMETYPE = "application/vnd.plotly.v1+json"
TEMPLATE_NAME = "workers_abroad"
CARD = "#ffffff"  # the chart's own background: opaque, so contrast holds on any theme
INK = "#1f1f1f"  # titles, labels, ticks: 16:1 on the card
MUTED = "#4d4d4d"  # subtitles and source lines: 8.5:1 on the card
GRID = "#e3e3e3"
FONT = "Source Sans Pro, Segoe UI, Helvetica, Arial, sans-serif"

#: One colour and one marker per kind of figure, the same in every notebook (00 shows the key).
KINDS: dict[str, dict[str, str]] = {
    kind: {"color": colour, "symbol": symbol}
    for kind, colour, symbol in [
        ("official report", "#0072B2", "diamond"),
        ("official statement", "#D55E00", "circle"),
        ("media reporting", "#CC79A7", "triangle-up"),
        ("estimate", "#009E73", "square"),
        ("model/assumption", "#555555", "x"),
    ]
}
#: Visa and entry categories: colours no kind of figure uses, so a colour never means two things.
CATEGORIES: dict[str, str] = {
    "tourist": "#E69F00",
    "student": "#56B4E9",
    "work": "#A6761D",
    "entries": "#7A7A7A",
}
#: Okabe–Ito, the colour-blind-safe qualitative palette (without black and yellow).
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")

TITLE_CHARS, SUBTITLE_CHARS, SOURCE_CHARS = (
    58,
    84,
    90,
)  # wrap widths that fit a projector-width chart
HEIGHT = 500

TEMPLATE = go.layout.Template(
    layout=go.Layout(
        colorway=list(PALETTE),
        font=dict(family=FONT, size=14, color=INK),
        paper_bgcolor=CARD,
        plot_bgcolor=CARD,
        xaxis=dict(
            gridcolor=GRID,
            linecolor=MUTED,
            zerolinecolor=GRID,
            automargin=True,
            tickfont=dict(color=INK),
        ),
        yaxis=dict(
            gridcolor=GRID,
            linecolor=MUTED,
            zerolinecolor=GRID,
            automargin=True,
            separatethousands=True,
        ),
        legend=dict(
            bgcolor=CARD,
            orientation="h",
            x=0,
            xanchor="left",
            y=1.02,
            yanchor="bottom",
            font=dict(size=13),
        ),
        hoverlabel=dict(font=dict(family=FONT)),
    )
)
pio.templates[TEMPLATE_NAME] = TEMPLATE
pio.templates.default = TEMPLATE_NAME


def esc(text: object) -> str:
    """Any value as text that HTML (and plotly's text) shows literally, never as markup.

    Quotes stay as they are (plotly would show &quot; literally); attribute values go through
    :func:`link`, which escapes quotes too.
    """
    return html.escape("" if text is None or text is pd.NA else str(text), quote=False)


def safe_url(url: object) -> str | None:
    """The URL if it is an absolute http(s) address with a host, else None: only those become
    links."""
    if not isinstance(url, str) or any(c in url for c in " \t\r\n\"'<>`"):
        return None
    return url if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc else None


def link(url: object, text: object | None = None) -> str:
    """An escaped <a> for a validated URL, or the escaped text alone when the URL is not http(s)."""
    checked = safe_url(url)
    label = esc(url if text is None else text)
    return (
        f'<a href="{html.escape(checked, quote=True)}" rel="noopener">{label}</a>'
        if checked
        else label
    )


def _wrap(text: str, width: int) -> str:
    return (
        "<br>".join(esc(line) for line in textwrap.wrap(text, width, break_long_words=False)) or ""
    )


def _is_missing(value: object) -> bool:
    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
    )


def money(value: float) -> str:
    """$500 million, $1.2 billion, $250, -$2.5 million: dollars in the unit a reader says aloud.
    ``value`` must be a finite number (NaN or infinity is no amount of money: a ValueError names
    it)."""
    amount = finite(value, "value")
    sign, size_of = "-" if amount < 0 else "", abs(amount)
    for size, word in ((1e9, "billion"), (1e6, "million")):
        if size_of >= size:
            return f"{sign}${size_of / size:,.{0 if size_of % size == 0 else 1}f} {word}"
    return f"{sign}${size_of:,.0f}" if round(size_of) else f"${size_of:,.0f}"  # never "-$0"


def _number(value: object) -> float:
    """A cell's value as a finite float: a number, or text that is one (e.g. '0.8'); else a
    ValueError."""
    if isinstance(value, str):
        try:
            return finite(float(value), "value")
        except ValueError:
            raise ValueError(f"value must be a number, not the text {value!r:.40}") from None
    return finite(value, "value")


FORMATS = {
    "money": lambda v: money(_number(v)),
    "share": lambda v: f"{_number(v):.0%}",
    "pct": lambda v: f"{_number(v):g}%",
}
KINDS_OF_CELL = ("auto", "link", *FORMATS)  #: what ``cell`` and ``table`` format a value as


def cell(value: object, kind: str = "auto", missing: str = "not given") -> str:
    """One value as a reader should see it: 30,023 not 30023.0, 80% not 0.8, a date as 22 Dec 2019,
    infinity as ∞. ``kind`` is one of KINDS_OF_CELL; ``missing`` the text for a missing value."""
    if not isinstance(kind, str) or kind not in KINDS_OF_CELL:
        raise ValueError(f"kind must be one of {KINDS_OF_CELL}, not {kind!r:.40}")
    if not isinstance(missing, str):
        raise TypeError(f"missing must be text, not {type(missing).__name__}")
    if _is_missing(value):
        return missing
    if kind in FORMATS:
        return FORMATS[kind](value)
    if isinstance(value, date):  # datetimes and pandas Timestamps too
        return f"{value:%d %b %Y}".lstrip("0")
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if isinstance(value, numbers.Real | Decimal):
        return _real_cell(value)
    return str(value)


def _real_cell(value: numbers.Real | Decimal) -> str:
    """A number with thousands separators, whole numbers without decimals, at most two decimals."""
    try:
        number = float(value)
    except (OverflowError, ValueError):
        return str(value)
    if math.isnan(number):
        return "not a number"
    if math.isinf(number):
        return "∞" if number > 0 else "-∞"
    return (
        f"{int(number):,}"
        if number.is_integer() and abs(number) < 1e15
        else f"{number:,.2f}".rstrip("0").rstrip(".")
    )


@dataclass(frozen=True)
class Table:
    """A DataFrame shown for reading: formatted cells, escaped text, full clickable links, no
    dtype lines."""

    frame: pd.DataFrame
    formats: dict[str, str]
    missing: str

    def rows(self) -> list[list[str]]:
        """Each cell as display text (not yet escaped)."""
        kinds = [self.formats.get(str(c), "auto") for c in self.frame.columns]
        return [
            [cell(v, k, self.missing) for v, k in zip(row, kinds)]
            for row in self.frame.itertuples(index=False)
        ]

    def __repr__(self) -> str:
        lines = [[str(c) for c in self.frame.columns], *self.rows()]
        widths = [max(len(r[i]) for r in lines) for i in range(len(lines[0]))]
        return "\n".join("  ".join(t.ljust(w) for t, w in zip(r, widths)).rstrip() for r in lines)

    def _repr_html_(self) -> str:
        head = "".join(f'<th scope="col">{esc(c)}</th>' for c in self.frame.columns)
        links = [self.formats.get(str(c)) == "link" for c in self.frame.columns]
        body = "".join(
            "<tr>"
            + "".join(
                f"<td>{link(t) if is_link else esc(t)}</td>" for t, is_link in zip(row, links)
            )
            + "</tr>"
            for row in self.rows()
        )
        return (
            f'<table class="wa-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
        )


def table(
    frame: pd.DataFrame | pd.Series,
    formats: dict[str, str] | None = None,
    missing: str = "not given",
    index: bool = False,
) -> Table:
    """Format a table for display. ``formats`` maps a column to money, share, pct or link."""
    if not isinstance(frame, pd.DataFrame | pd.Series):
        raise TypeError(f"frame must be a DataFrame or a Series, not {type(frame).__name__}")
    if formats is not None and not (
        isinstance(formats, dict)
        and all(
            isinstance(k, str) and isinstance(v, str) and v in KINDS_OF_CELL
            for k, v in formats.items()
        )
    ):
        raise ValueError(
            f"formats must map column names to one of {KINDS_OF_CELL}, not {formats!r:.60}"
        )
    if not isinstance(missing, str):
        raise TypeError(f"missing must be text, not {type(missing).__name__}")
    if isinstance(frame, pd.Series):
        frame = frame.rename_axis("").reset_index(name=frame.name or "value")
    return Table(frame.reset_index() if index else frame, formats or {}, missing)


def source_ids_of(rows: pd.DataFrame) -> list[str]:
    """Every source id the rows cite, primary and further ones, in first-seen order."""
    _require_columns(rows, "rows", ("source_id",))
    ids: list[str] = []
    extras = rows["also_source_ids"] if "also_source_ids" in rows else [None] * len(rows)
    for primary, extra in zip(rows["source_id"], extras):
        for source_id in [primary, *("" if _is_missing(extra) else str(extra)).split()]:
            if not _is_missing(source_id) and str(source_id) not in ids:
                ids.append(str(source_id))
    return ids


def sources_table(rows: pd.DataFrame, sources: pd.DataFrame) -> Table:
    """The sources the given rows cite, for the 'Sources' section at the foot of a notebook."""
    by_id = _sources_by_id(sources, ("publisher", "title", "published", "url"))
    ids = source_ids_of(rows)
    _require_known(ids, by_id)
    cited = by_id.loc[ids, ["publisher", "title", "published", "url"]]
    return table(
        cited.rename_axis("source").reset_index(), {"url": "link"}, missing="no address recorded"
    )


def quote(rows: pd.DataFrame, text_column: str = "quote") -> Any:
    """Quotes from data/ as escaped block quotes, each with its source id and status."""
    from IPython.display import HTML

    if not isinstance(text_column, str):
        raise TypeError(
            f"text_column must be a column name as text, not {type(text_column).__name__}"
        )
    _require_columns(rows, "rows", (text_column, "source_id", "status"))
    return HTML(
        "".join(
            f'<blockquote class="wa-quote">{esc(row[text_column])}<br>'
            f"<small>{esc(row['source_id'])}, "
            f"{esc(row['status'])}</small></blockquote>"
            for _, row in rows.iterrows()
        )
    )


def source_line(source_ids: Iterable[str], sources: pd.DataFrame) -> str:
    """'Sources: S01 Reuters (2020-01-23); …' as plain text (finish escapes and wraps it)."""
    if isinstance(source_ids, str | bytes) or not isinstance(source_ids, Iterable):
        raise TypeError(
            f"source_ids must be a list of ids such as ['S01'], not {type(source_ids).__name__}"
        )
    ids = list(source_ids)
    by_id = _sources_by_id(sources, ("publisher", "published"))
    _require_known(ids, by_id)
    parts = [f"{i} {by_id.loc[i, 'publisher']} ({by_id.loc[i, 'published']})" for i in ids]
    if not parts:
        raise ValueError("a chart needs at least one source")
    return ("Sources: " if len(parts) > 1 else "Source: ") + "; ".join(parts)


def _require_columns(frame: object, name: str, columns: Iterable[str]) -> None:
    """A DataFrame holding these columns, or a TypeError/ValueError naming the parameter."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(
            f"{name} must be a DataFrame (rows of a table from helpers.data.load_all()),"
            f" not {type(frame).__name__}"
        )
    if missing := [c for c in columns if c not in frame.columns]:
        raise ValueError(f"{name} needs the column(s) {missing}")


def _sources_by_id(sources: object, columns: tuple[str, ...]) -> pd.DataFrame:
    """The sources table indexed by source id."""
    _require_columns(sources, "sources", ("source_id", *columns))
    return sources.set_index("source_id")  # type: ignore[union-attr]


def _require_known(ids: list[Any], by_id: pd.DataFrame) -> None:
    """Every id is a source id of the table, or NotFound naming the first that is not."""
    unknown = [i for i in ids if not isinstance(i, str) or i not in by_id.index]
    if unknown:
        raise NotFound(f"source id {unknown[0]!r:.40} is not in sources.csv")


def _legend_rows(fig: go.Figure, width_px: int = 560) -> int:
    """How many rows the legend takes at a projector-width chart: items wrap when a row is full."""
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


def finish(
    fig: go.Figure,
    rows: pd.DataFrame,
    sources: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    note: str | None = None,
    height: int = HEIGHT,
) -> go.Figure:
    """House style for one chart: a title that states the finding, a subtitle that says what is
    measured, the legend above the plot, and the source line (plus an optional note, such as an
    assumption) under it. Every text is escaped and wrapped to fit a projector-width chart."""
    _require_finish_arguments(fig, title, subtitle, note, height)
    title_html, subtitle_html = _wrap(title, TITLE_CHARS), _wrap(subtitle, SUBTITLE_CHARS)
    foot = "<br>".join(
        filter(
            None,
            [
                _wrap(note or "", SOURCE_CHARS),
                _wrap(source_line(source_ids_of(rows), sources), SOURCE_CHARS),
            ],
        )
    )
    legend_rows, lines = _legend_rows(fig), title_html.count("<br>") + 1
    top = 50 + 30 * lines + 22 * (subtitle_html.count("<br>") + 1) + 26 * legend_rows
    shift = 36 + (
        32 if fig.layout.xaxis.title.text else 0
    )  # under the tick labels, and an x-axis title if any
    fig.update_layout(
        height=height,
        showlegend=legend_rows > 0,
        margin=dict(
            t=top, b=shift + 17 * (foot.count("<br>") + 1) + 12, l=64, r=24, autoexpand=True
        ),
        title=dict(
            text=title_html,
            x=0.01,
            xref="container",
            xanchor="left",
            y=1,
            yref="container",
            yanchor="top",
            pad=dict(t=18 + 6 * (lines - 1)),
            font=dict(size=20, color=INK),
            subtitle=dict(text=subtitle_html, font=dict(size=14, color=MUTED)),
        ),
    )
    fig.add_annotation(
        text=foot,
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-shift,
        xshift=-48,
        showarrow=False,
        align="left",
        font=dict(size=12, color=MUTED),
        name="source-line",
    )
    return fig


def _require_finish_arguments(
    fig: object, title: object, subtitle: object, note: object, height: object
) -> None:
    """What finish() needs: a figure, texts for title and subtitle (and note, if any), a height
    in pixels."""
    if not isinstance(fig, go.Figure):
        raise TypeError(f"fig must be a plotly Figure, not {type(fig).__name__}")
    for name, text in (("title", title), ("subtitle", subtitle)):
        if not isinstance(text, str):
            raise TypeError(f"{name} must be text, not {type(text).__name__}")
    if note is not None and not isinstance(note, str):
        raise TypeError(f"note must be text or None, not {type(note).__name__}")
    if isinstance(height, bool) or not isinstance(height, int) or not 100 <= height <= 5000:
        raise ValueError(
            f"height must be a whole number of pixels from 100 to 5000, not {height!r:.40}"
        )


def marker(kind: str, **extra: Any) -> dict[str, Any]:
    """Marker settings for one kind of figure (KINDS), so a kind looks the same in every chart."""
    if not isinstance(kind, str) or kind not in KINDS:
        raise NotFound(f"unknown kind of figure {kind!r}; kinds: {sorted(KINDS)}")
    return {"color": KINDS[kind]["color"], "symbol": KINDS[kind]["symbol"], "size": 12, **extra}


def bundle(fig: go.Figure) -> dict[str, Any]:
    """The figure's display bundle: plotly's JSON mimetype, which JupyterLab, nbval and the site
    read."""
    if not isinstance(fig, go.Figure):
        raise TypeError(f"fig must be a plotly Figure, not {type(fig).__name__}")
    return {
        MIMETYPE: json.loads(pio.to_json(fig, validate=False)),
        "text/plain": f"<Figure: {fig.layout.title.text}>",
    }


def use_house_display() -> None:
    """Show figures through :func:`bundle` in a running IPython kernel; nothing elsewhere."""
    from IPython import get_ipython
    from IPython.display import display

    if (shell := get_ipython()) is not None:
        shell.display_formatter.ipython_display_formatter.for_type(
            go.Figure, lambda f: display(bundle(f), raw=True)
        )


use_house_display()
