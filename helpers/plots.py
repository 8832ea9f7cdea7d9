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
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from helpers.derived import NotFound
from helpers.numbers import finite, is_missing

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
#: Visa and entry categories: colours no kind of figure uses, so a colour never means two things,
#: and of different lightness (CIELAB L*: tourist 71, work 53, student 33), so categories drawn
#: side by side stay apart on a greyscale photocopy; entries (L* 70) are drawn beside the grey of
#: a model (L* 36), never beside tourist visas. Grey itself is for model and assumption only.
CATEGORIES: dict[str, str] = {
    "tourist": "#E69F00",
    "student": "#5D3A9B",
    "work": "#A6761D",
    "entries": "#56B4E9",
}
#: Okabe–Ito, the colour-blind-safe qualitative palette (without black and yellow).
PALETTE: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9")

#: Projector mode (workers_abroad/publishing/present.py can set WA_PROJECTOR=1 for its
#: kernels): every chart text at least 16 px, legible at the back of a room at 1024x768, and
#: texts wrapped for that screen rather than for paper. Every size and gap below scales with it.
PROJECTOR = os.environ.get("WA_PROJECTOR") == "1"
SCALE = 4 / 3 if PROJECTOR else 1.0


def _px(size: float) -> int:
    """A house layout number in pixels, scaled for projector mode."""
    return round(size * SCALE)


#: Layout numbers of the house style, in pixels: one place to change a chart's spacing.
#: Every chart's width, fixed, so its texts are wrapped by the width it is drawn at (a chart that
#: stretched to its container would leave a wrapped title half the line at 1400 px): 560 px fits
#: the narrowest place a chart is drawn (592 px in JupyterLab at 1024 px with the file browser
#: open) and the A4 content box (680 px); in projector mode 900 px, a chart across a 1024 px screen.
WIDTH = 900 if PROJECTOR else 560
HEIGHT = _px(500)
LEFT = 12  #: the one left edge of title, subtitle, legend and source line, from the card's edge
TITLE_SIZE, TITLE_LINE = _px(20), _px(26)  #: font size and line height of the title
SUBTITLE_SIZE, SUBTITLE_LINE = _px(14), _px(18)
LEGEND_SIZE, LEGEND_ROW = _px(13), _px(22)
SOURCE_SIZE, SOURCE_LINE = _px(12), _px(16)  #: the note and source line under the chart
BODY_SIZE = _px(14)  #: any other chart text (annotations a notebook adds)
SUBPLOT_TITLE_ROOM = _px(22)  #: above the plot, for the titles make_subplots puts over the top row
TOP_PAD = _px(14)  #: above the title
#: How plotly.js places a title and its subtitle (measured in chromium at 20 and 14 px): the
#: first title line ends 18 px under the pad, each further line 26 px lower; a title of several
#: lines is raised by 14 px (the pad gives it back); a one-line subtitle ends 35 px under the
#: title, a longer one starts 9 px under it, 44 px for two lines and 18 px more for each further
#: line. All scale with the font sizes.
FIRST_TITLE_LINE, MULTILINE_TITLE_RAISE = _px(18), _px(14)
ONE_LINE_SUBTITLE, TWO_LINE_SUBTITLE = _px(35), _px(44)
LEGEND_GAP = _px(8)  #: between the subtitle and the legend
PLOT_GAP = _px(10)  #: between the header (title, subtitle, legend) and the plot
TICK_ROOM = _px(30)  #: under the plot: one line of tick labels
AXIS_TITLE_ROOM = _px(24)  #: under the tick labels: an x-axis title
FOOT_GAP = _px(8)  #: between the last line under the axis and the source line
BOTTOM_PAD = _px(8)  #: under the source line
Y_TICK_ROOM = _px(64)  #: left of the plot: tick labels such as 100,000
SIDE = 24  #: right of the plot
LEGEND_SWATCH = _px(40)  #: a legend item's symbol and gaps around its text

#: Character widths of Helvetica/Arial (and Liberation Sans, metric-compatible) in 1/1000 em,
#: from the Adobe font metrics: text is measured with the widest of the fonts FONT names, so
#: a line measured to fit does fit.
_WIDTHS: dict[str, int] = {
    **dict.fromkeys(" !,./:;I[\\]ft", 278),
    **dict.fromkeys("ijl", 222),
    **dict.fromkeys("0123456789#$_?abdeghnopqu", 556),
    **dict.fromkeys("cksvxyzJ", 500),
    **dict.fromkeys("ABEKPSVXY", 667),
    **dict.fromkeys("CDHNRUw", 722),
    **dict.fromkeys("FTZ", 611),
    **dict.fromkeys("GOQ", 778),
    **dict.fromkeys("Mm", 833),
    **dict.fromkeys("()-r`", 333),
    **dict.fromkeys("+<=>~", 584),
    "W": 944,
    "L": 556,
    "%": 889,
    "&": 667,
    "@": 1015,
    "*": 389,
    '"': 355,
    "'": 191,
    "^": 469,
    "{": 334,
    "}": 334,
    "|": 260,
    "\u00a0": 278,
    "—": 1000,
    "–": 556,
    "’": 222,
    "‘": 222,
    "“": 333,
    "”": 333,
}
#: A character the table lacks (accented letters, ∞): a little wider than most.
_DEFAULT_WIDTH = 600

_MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
#: Runs that must not break across lines: "22 Dec 2019", "Dec 2019", "$500 million", "8 days".
_KEEP_TOGETHER = (
    re.compile(rf"\b\d{{1,2}} (?:{_MONTHS})[a-z]*\.? \d{{4}}\b"),
    re.compile(rf"\b(?:{_MONTHS})[a-z]*\.? \d{{1,2}}, \d{{4}}\b"),
    re.compile(rf"\b(?:{_MONTHS})[a-z]* \d{{4}}\b"),
    re.compile(
        r"(?<![\w.,\u00a0])[$€£]?\d(?:[\d,.]*\d)?%?(?: (?:thousand|million|billion))? [^\s\d]+"
    ),
)

_AXIS = dict(
    gridcolor=GRID,
    linecolor=MUTED,
    zerolinecolor=GRID,
    automargin=True,
    tickfont=dict(color=INK, size=LEGEND_SIZE),
    title=dict(font=dict(color=INK, size=LEGEND_SIZE)),
    separatethousands=True,  # 10,000 on every numeric axis
    exponentformat="none",  # never 10k or 1e4
)
TEMPLATE = go.layout.Template(
    layout=go.Layout(
        colorway=list(PALETTE),
        font=dict(family=FONT, size=BODY_SIZE, color=INK),
        paper_bgcolor=CARD,
        plot_bgcolor=CARD,
        xaxis=_AXIS,
        yaxis=_AXIS,
        legend=dict(
            bgcolor=CARD,
            orientation="h",
            x=0,
            xanchor="left",
            y=1.02,
            yanchor="bottom",
            font=dict(size=LEGEND_SIZE),
        ),
        hoverlabel=dict(font=dict(family=FONT)),
    )
)
pio.templates[TEMPLATE_NAME] = TEMPLATE


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


NBSP = "\u00a0"


def nbsp(text: str) -> str:
    """The text with non-breaking spaces inside dates, amounts and a number with its unit, so a
    line never ends at "22 | Dec 2019", "$500 | million" or "8 | days"."""
    if not isinstance(text, str):
        raise TypeError(f"text must be text, not {type(text).__name__}")
    for pattern in _KEEP_TOGETHER:
        text = pattern.sub(lambda match: match.group().replace(" ", NBSP), text)
    return text


def text_width(text: str, size: float) -> float:
    """The width in pixels of one line of text at a font size, by Helvetica/Arial metrics."""
    _require_text_and_size(text, size)
    return sum(_WIDTHS.get(char, _DEFAULT_WIDTH) for char in text) * size / 1000


def wrap_lines(text: str, width_px: float, size: float) -> list[str]:
    """The text in lines that fit ``width_px`` at font ``size``: as few lines as possible, then no
    line of a single word where the words allow it, then lines of even length (a balanced title
    fills its lines as a reader expects, the last one shorter). Dates and numbers stay whole
    (:func:`nbsp`).
    A word wider than the width gets a line of its own."""
    _require_text_and_size(text, size)
    if finite(width_px, "width_px") <= 0:
        raise ValueError(f"width_px must be above zero, not {width_px!r:.40}")
    words = [word for word in nbsp(" ".join(text.split())).split(" ") if word]
    if not words:
        return []
    space = text_width(" ", size)
    sizes = [text_width(word, size) for word in words]
    count = len(words)
    best: list[tuple[float, int]] = [(0.0, 0)] + [(math.inf, 0)] * count  # cost, start of line
    for end in range(1, count + 1):
        line_width = -space
        for start in range(end - 1, -1, -1):
            line_width += sizes[start] + space
            if line_width > width_px and start < end - 1:
                break
            last = end == count
            cost = best[start][0] + _line_cost(line_width, width_px, end - start, count, last)
            if cost < best[end][0]:
                best[end] = (cost, start)
    lines: list[str] = []
    end = count
    while end:
        start = best[end][1]
        lines.insert(0, " ".join(words[start:end]))
        end = start
    return lines


def _require_text_and_size(text: object, size: object) -> None:
    """Text, and a font size in pixels above zero; else a TypeError or ValueError naming them."""
    if not isinstance(text, str):
        raise TypeError(f"text must be text, not {type(text).__name__}")
    if finite(size, "size") <= 0:
        raise ValueError(f"size must be above zero, not {size!r:.40}")


def _line_cost(line_width: float, width_px: float, words: int, all_words: int, last: bool) -> float:
    """What one line costs in :func:`wrap_lines`: a line (so fewer lines win), a lone word (when
    there are words to pair it with), and the square of the room it leaves unless it is the last
    line (so the lines above are full and a word moves down only to keep another company)."""
    lone_word = 1e7 if words == 1 and all_words > 1 else 0.0
    room = 0.0 if last else max(width_px - line_width, 0.0) ** 2
    return 1e9 + lone_word + room


def _wrap(text: str, width_px: float, size: float) -> str:
    """The text wrapped to the width, each line escaped, joined by plotly's line break."""
    return "<br>".join(esc(line) for line in wrap_lines(text, width_px, size))


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


def date_text(value: object) -> str:
    """A day as the house writes it: 22 Dec 2019 (a date, datetime, Timestamp or 'YYYY-MM-DD')."""
    day = _as_date(value, "value")
    return f"{day.day} {day:%b %Y}"


def month_text(value: object) -> str:
    """A month as the house writes it: Dec 2019 (a date, datetime, Timestamp or 'YYYY-MM[-DD]')."""
    return f"{_as_date(value, 'value'):%b %Y}"


def _as_date(value: object, name: str) -> date:
    """A date from a date, datetime, Timestamp or ISO text; else a ValueError naming ``name``."""
    if isinstance(value, date) and not is_missing(value):
        return value
    if isinstance(value, str) and _ISO_DAY.fullmatch(value.strip()):
        return date.fromisoformat(value.strip())
    if isinstance(value, str) and _ISO_MONTH.fullmatch(value.strip()):
        return date.fromisoformat(value.strip() + "-01")
    raise ValueError(f"{name} must be a date or 'YYYY-MM-DD' text, not {value!r:.40}")


def number_text(value: object) -> str:
    """A count as the house writes it: 10,000 (never 10k or 10000.0); at most two decimals."""
    return _real_cell(finite(value, "value"))


def share_text(value: object) -> str:
    """A share (0.5) as the house writes it: 50%."""
    return f"{finite(value, 'value'):.0%}"


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
KINDS_OF_CELL = ("auto", "link", *FORMATS)
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MONTH = re.compile(r"\d{4}-\d{2}")  #: what ``cell`` and ``table`` format a value as


def cell(value: object, kind: str = "auto", missing: str = "not given") -> str:
    """One value as a reader should see it: 30,023 not 30023.0, 80% not 0.8, a date as 22 Dec 2019,
    infinity as ∞. ``kind`` is one of KINDS_OF_CELL; ``missing`` the text for a missing value."""
    if not isinstance(kind, str) or kind not in KINDS_OF_CELL:
        raise ValueError(f"kind must be one of {KINDS_OF_CELL}, not {kind!r:.40}")
    if not isinstance(missing, str):
        raise TypeError(f"missing must be text, not {type(missing).__name__}")
    if is_missing(value):
        return missing
    if kind in FORMATS:
        return FORMATS[kind](value)
    if isinstance(value, date):  # datetimes and pandas Timestamps too
        return date_text(value)
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        return _iso_text(value, date_text)
    if isinstance(value, str) and _ISO_MONTH.fullmatch(value):
        return _iso_text(value, month_text)
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "yes" if value else "no"
    if isinstance(value, numbers.Real | Decimal):
        return _real_cell(value)
    return str(value)


def _iso_text(value: str, style: Any) -> str:
    """An ISO date or month in the house style, or the text as it is when it is no real date."""
    try:
        return style(value)
    except ValueError:
        return value


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


#: Display names, with units where a column has one, of the columns data/ and the notebooks use:
#: a table for people says "Date of figure", not source_date_label.
COLUMN_NAMES: dict[str, str] = {
    "source_id": "Source",
    "as_of": "As of",
    "as_of_label": "As of",
    "source_date": "Date of figure",
    "source_date_label": "Date of figure",
    "period_start": "From",
    "period_end": "To",
    "count": "Number",
    "fold_change": "Change (times)",
    "share": "Share (%)",
    "low": "Low",
    "high": "High",
    "url": "Address",
    "published": "Published",
    "source_type": "Type of source",
    "derived_from": "Derived from",
    "label": "Assumption",
    "default": "Default",
    "minimum": "Minimum",
    "maximum": "Maximum",
    "usd": "US$",
}
#: Columns shown as % when no format is given and every value is a share from -1 to 1.
_SHARE_NAME = re.compile(r"(?:^|_)share$")


def display_name(column: object) -> str:
    """A column's name for people: :data:`COLUMN_NAMES`, else snake_case as "Sentence case"."""
    text = str(column)
    if text in COLUMN_NAMES:
        return COLUMN_NAMES[text]
    words = text.replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words != words.upper() else words


def is_id_column(column: object) -> bool:
    """An internal id column (estimate_id, also_source_ids): hidden from readers unless asked.
    A source id (S01) is no internal id: the prose cites it and the sources table lists it."""
    text = str(column).lower()
    if text in READER_IDS:
        return False
    return text in ("id", "ids") or text.endswith(("_id", "_ids"))


#: Id columns readers use: shown under their display name.
READER_IDS = frozenset({"source_id"})


def _is_number(value: object) -> bool:
    return isinstance(value, numbers.Real | Decimal) and not isinstance(value, bool)


@dataclass(frozen=True)
class Table:
    """A DataFrame shown for reading: display names as headers, formatted cells, escaped text,
    full clickable links, text left-aligned and wrapping, numbers right-aligned, no ids."""

    frame: pd.DataFrame
    formats: dict[str, str]
    missing: str
    names: dict[str, str] = dataclass_field(default_factory=dict)
    show_ids: bool = False
    caption: str | None = None

    def shown(self) -> list[Any]:
        """The columns a reader sees: all but id columns, unless ids were asked for."""
        return [
            c
            for c in self.frame.columns
            if self.show_ids or str(c) in self.names or not is_id_column(c)
        ]

    def columns(self) -> list[str]:
        """The headers: display names with units."""
        return [self.names.get(str(c), display_name(c)) for c in self.shown()]

    def kinds(self) -> list[str]:
        """How each shown column is formatted: as asked, else share for share columns, else auto."""
        return [self.formats.get(str(c)) or self._default_kind(c) for c in self.shown()]

    def _default_kind(self, column: Any) -> str:
        values = [v for v in self.frame[column] if not is_missing(v)]
        shares = values and all(_is_number(v) and -1 <= float(v) <= 1 for v in values)
        return "share" if _SHARE_NAME.search(str(column)) and shares else "auto"

    def numeric(self) -> list[bool]:
        """Whether each shown column holds numbers (right-aligned) rather than text."""
        return [
            kind in FORMATS
            or all(_is_number(v) for v in self.frame[c] if not is_missing(v))
            and not self.frame[c].isna().all()
            for c, kind in zip(self.shown(), self.kinds())
        ]

    def rows(self) -> list[list[str]]:
        """Each shown cell as display text (not yet escaped)."""
        kinds = self.kinds()
        frame = self.frame[self.shown()]
        return [
            [cell(v, k, self.missing) for v, k in zip(row, kinds)]
            for row in frame.itertuples(index=False)
        ]

    def plain(self) -> dict[str, Any]:
        """The table as plain display strings: caption, columns, rows, and which are numbers."""
        return {
            "caption": self.caption or "",
            "columns": self.columns(),
            "rows": self.rows(),
            "numeric": self.numeric(),
        }

    def as_meta(self) -> dict[str, Any]:
        """The table for a figure's ``layout.meta``: every text escaped, as every text in a
        figure is (a page may show any of a figure's strings as HTML)."""
        shown = self.plain()
        return {
            **shown,
            "caption": esc(shown["caption"]),
            "columns": [esc(c) for c in shown["columns"]],
            "rows": [[esc(t) for t in row] for row in shown["rows"]],
        }

    def __repr__(self) -> str:
        lines = [self.columns(), *self.rows()]
        widths = [max(len(r[i]) for r in lines) for i in range(len(lines[0]))]
        return "\n".join("  ".join(t.ljust(w) for t, w in zip(r, widths)).rstrip() for r in lines)

    def _repr_html_(self) -> str:
        return _table_html(self.plain(), links=[k == "link" for k in self.kinds()])


def _table_html(meta: dict[str, Any], links: list[bool] | None = None) -> str:
    """A table (as :meth:`Table.as_meta` gives it) as escaped HTML: text columns left-aligned and
    wrapping, number columns right-aligned and whole."""
    numeric = [bool(n) for n in meta["numeric"]]
    links = links or [False] * len(numeric)
    styles = [_NUMBER_STYLE if is_number else _TEXT_STYLE for is_number in numeric]
    head = "".join(
        f'<th scope="col" {style}>{esc(name)}</th>' for name, style in zip(meta["columns"], styles)
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td {style}>{link(text) if is_link else esc(text)}</td>"
            for text, style, is_link in zip(row, styles, links)
        )
        + "</tr>"
        for row in meta["rows"]
    )
    caption = f"<caption>{esc(meta['caption'])}</caption>" if meta.get("caption") else ""
    return (
        f'<table class="wa-table">{caption}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


_TEXT_STYLE = 'class="wa-text" style="text-align:left;white-space:normal"'
_NUMBER_STYLE = 'class="wa-num" style="text-align:right;white-space:nowrap"'


def table(
    frame: pd.DataFrame | pd.Series,
    formats: dict[str, str] | None = None,
    missing: str = "not given",
    index: bool = False,
    *,
    names: dict[str, str] | None = None,
    show_ids: bool = False,
    caption: str | None = None,
) -> Table:
    """Format a table for people. ``formats`` maps a column to money, share, pct or link (share
    columns show as % by themselves); ``names`` maps a column to its display name with unit
    (others come from :data:`COLUMN_NAMES`); id columns are hidden unless ``show_ids``."""
    if not isinstance(frame, pd.DataFrame | pd.Series):
        raise TypeError(f"frame must be a DataFrame or a Series, not {type(frame).__name__}")
    _require_text_map(formats, "formats", KINDS_OF_CELL)
    _require_text_map(names, "names", None)
    if not isinstance(missing, str):
        raise TypeError(f"missing must be text, not {type(missing).__name__}")
    if not isinstance(show_ids, bool):
        raise TypeError(f"show_ids must be True or False, not {type(show_ids).__name__}")
    if caption is not None and not isinstance(caption, str):
        raise TypeError(f"caption must be text or None, not {type(caption).__name__}")
    if isinstance(frame, pd.Series):
        frame = frame.rename_axis("").reset_index(name=frame.name or "value")
    shown = frame.reset_index() if index else frame
    return Table(shown, formats or {}, missing, names or {}, show_ids, caption)


def _require_text_map(mapping: object, name: str, allowed: tuple[str, ...] | None) -> None:
    """None, or a dict from column names to text (one of ``allowed`` if given); else ValueError."""
    if mapping is None:
        return
    valid = isinstance(mapping, dict) and all(
        isinstance(k, str) and isinstance(v, str) and (allowed is None or v in allowed)
        for k, v in mapping.items()
    )
    if not valid:
        wanted = f"one of {allowed}" if allowed else "text"
        raise ValueError(f"{name} must map column names to {wanted}, not {mapping!r:.60}")


def source_ids_of(rows: pd.DataFrame) -> list[str]:
    """Every source id the rows cite, primary and further ones, in first-seen order."""
    _require_columns(rows, "rows", ("source_id",))
    ids: list[str] = []
    extras = rows["also_source_ids"] if "also_source_ids" in rows else [None] * len(rows)
    for primary, extra in zip(rows["source_id"], extras):
        for source_id in [primary, *("" if is_missing(extra) else str(extra)).split()]:
            if not is_missing(source_id) and str(source_id) not in ids:
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
    """The sources table, which load_all() indexes by source id, holding these columns."""
    _require_columns(sources, "sources", columns)
    if sources.index.name != "source_id":  # type: ignore[union-attr]
        raise ValueError("sources must be the sources table from helpers.data.load_all()")
    return sources  # type: ignore[return-value]


def _require_known(ids: list[Any], by_id: pd.DataFrame) -> None:
    """Every id is a source id of the table, or NotFound naming the first that is not."""
    unknown = [i for i in ids if not isinstance(i, str) or i not in by_id.index]
    if unknown:
        raise NotFound(f"source id {unknown[0]!r:.40} is not in sources.csv")


def short_source_line(source_ids: Iterable[str], sources: pd.DataFrame) -> str:
    """'Sources: S01, S15 — details below': one line under a chart; the sources table at the foot
    of the notebook gives each source's publisher, title, date and address."""
    if isinstance(source_ids, str | bytes) or not isinstance(source_ids, Iterable):
        raise TypeError(
            f"source_ids must be a list of ids such as ['S01'], not {type(source_ids).__name__}"
        )
    ids = list(source_ids)
    _require_known(ids, _sources_by_id(sources, ()))
    if not ids:
        raise ValueError("a chart needs at least one source")
    return ("Sources: " if len(ids) > 1 else "Source: ") + ", ".join(ids) + " — details below"


def _legend_rows(fig: go.Figure, width_px: float) -> int:
    """How many rows the legend takes at this width: items wrap when a row is full."""
    names = [t.name for t in fig.data if t.name and t.showlegend is not False]
    if len(names) < 2 and not any(t.showlegend for t in fig.data):
        return 0
    used, rows = 0.0, 1
    for name in names:
        item = LEGEND_SWATCH + text_width(str(name), LEGEND_SIZE)
        if used and used + item > width_px:
            rows, used = rows + 1, 0.0
        used += item
    return rows


#: Trace properties that hold text a reader sees (one string or one per point); plotly reads
#: tags in category values (tick labels) too.
_TRACE_TEXT = ("name", "text", "hovertext", "x", "y")
#: Trace properties that are plotly templates: ``%{y:,}`` stays, ``<extra></extra>`` stays.
_TRACE_TEMPLATES = ("hovertemplate", "texttemplate")
_TEMPLATE_TAGS = {"&lt;extra&gt;": "<extra>", "&lt;/extra&gt;": "</extra>"}


def _escaped_text(value: object) -> object:
    """One text field escaped (a string, or each string of a list), a newline as a line break;
    numbers and missing values unchanged."""
    if isinstance(value, str):
        return esc(value).replace("\n", "<br>")
    if isinstance(value, (list, tuple, np.ndarray)) and any(isinstance(v, str) for v in value):
        return [_escaped_text(item) for item in value]
    return value


def _escaped_template(value: object) -> object:
    """A plotly template escaped like text, keeping plotly's own ``<extra>`` tags."""
    escaped = _escaped_text(value)
    if not isinstance(escaped, str):
        return escaped
    for written, tag in _TEMPLATE_TAGS.items():
        escaped = escaped.replace(written, tag)
    return escaped


def escape_figure_text(fig: go.Figure) -> go.Figure:
    """Escape every text field of a figure in one place, so notebook cells pass data text as it
    is: trace names, texts, hover texts and templates, string custom data, legend group titles,
    annotations, and axis, colour bar and legend titles. A newline in any of them is a line
    break. :func:`finish` calls this once; calling it twice would show ``&amp;`` literally."""
    if not isinstance(fig, go.Figure):
        raise TypeError(f"fig must be a plotly Figure, not {type(fig).__name__}")
    for trace in fig.data:
        _escape_trace(trace)
    for note in fig.layout.annotations:
        note.text = _escaped_text(note.text)
    fig.for_each_xaxis(_escape_axis)
    fig.for_each_yaxis(_escape_axis)
    legend_title = fig.layout.legend.title
    legend_title.text = _escaped_text(legend_title.text)
    colour_bar_title = fig.layout.coloraxis.colorbar.title
    colour_bar_title.text = _escaped_text(colour_bar_title.text)
    return fig


def _escape_trace(trace: Any) -> None:
    """One trace's text fields, templates and string custom data, escaped."""
    for prop in _TRACE_TEXT:
        if prop in trace:
            trace[prop] = _escaped_text(trace[prop])
    for prop in _TRACE_TEMPLATES:
        if prop in trace:
            trace[prop] = _escaped_template(trace[prop])
    if "customdata" in trace:
        trace.customdata = _escaped_custom_data(trace.customdata)
    if "legendgrouptitle" in trace:
        trace.legendgrouptitle.text = _escaped_text(trace.legendgrouptitle.text)
    if "colorbar" in trace:
        trace.colorbar.title.text = _escaped_text(trace.colorbar.title.text)


def _escape_axis(axis: Any) -> None:
    if axis.title.text:
        axis.title.text = _escaped_text(axis.title.text)
    if axis.ticktext is not None:
        axis.ticktext = _escaped_text(list(axis.ticktext))


def _escaped_custom_data(values: object) -> object:
    """Custom data that plotly inserts into a hover template: each string escaped."""
    if values is None:
        return None
    if isinstance(values, str):
        return esc(values)
    try:
        rows = list(values)  # type: ignore[call-overload]
    except TypeError:
        return values
    return [_escaped_custom_data(item) if not _is_number(item) else item for item in rows]


def finish(
    fig: go.Figure,
    rows: pd.DataFrame,
    sources: pd.DataFrame,
    *,
    title: str,
    subtitle: str,
    note: str | None = None,
    height: int = HEIGHT,
    width: int | None = None,
    data: pd.DataFrame | Table | None = None,
    x_title: str | None = None,
    y_title: str | None = None,
) -> go.Figure:
    """House style for one chart: a title that states the finding, a subtitle that says what is
    measured, the legend under them, and the note (such as an assumption) and a one-line source
    line under the plot; all on one left edge. The chart is drawn at a fixed width (``width``, else
    :data:`WIDTH`) and every text is escaped and wrapped by that width's measure, dates and numbers
    kept whole.

    ``data`` is the tidy table behind the chart (a DataFrame with display names and units, or a
    :func:`table`): the chart's text alternative, kept in ``layout.meta["wa_table"]`` and shown
    after the chart. ``x_title`` and ``y_title`` name the axes with their units."""
    _require_finish_arguments(fig, title, subtitle, note, height)
    _require_layout_arguments(width, data, x_title, y_title)
    fig.update_layout(template=TEMPLATE)
    escape_figure_text(fig)
    chart_width = width or WIDTH
    text_room = chart_width - 2 * LEFT
    title_lines = wrap_lines(title, text_room, TITLE_SIZE)
    subtitle_lines = wrap_lines(subtitle, text_room, SUBTITLE_SIZE)
    foot_lines = [
        *wrap_lines(note or "", text_room, SOURCE_SIZE),
        nbsp(short_source_line(source_ids_of(rows), sources)),
    ]
    for axis_name, axis_title in (("xaxis", x_title), ("yaxis", y_title)):
        if axis_title is not None:
            fig.layout[axis_name].title.text = esc(axis_title)
    _style_axes(fig)
    header = _header_height(len(title_lines), len(subtitle_lines))
    legend_rows = _legend_rows(fig, text_room)
    top = header + (LEGEND_GAP + LEGEND_ROW * legend_rows if legend_rows else 0) + PLOT_GAP
    top += SUBPLOT_TITLE_ROOM if _has_subplot_titles(fig) else 0
    under_axis = TICK_ROOM + (AXIS_TITLE_ROOM if _has_x_title(fig) else 0)
    left = _tick_room(fig) + (AXIS_TITLE_ROOM if fig.layout.yaxis.title.text else 0)
    _space_number_ticks(fig, chart_width - left - SIDE)
    fig.update_layout(
        height=height,
        showlegend=legend_rows > 0,
        margin=dict(
            t=top,
            b=under_axis + FOOT_GAP + SOURCE_LINE * len(foot_lines) + BOTTOM_PAD,
            l=left,
            r=SIDE,
            autoexpand=True,
        ),
        title=dict(
            text="<br>".join(esc(line) for line in title_lines),
            x=0,
            xref="container",
            xanchor="left",
            y=1,
            yref="container",
            yanchor="top",
            pad=dict(t=TOP_PAD + (MULTILINE_TITLE_RAISE if len(title_lines) > 1 else 0), l=LEFT),
            font=dict(size=TITLE_SIZE, color=INK),
            subtitle=dict(
                text="<br>".join(esc(line) for line in subtitle_lines),
                font=dict(size=SUBTITLE_SIZE, color=MUTED),
            ),
        ),
        legend=dict(
            xref="container",
            x=0,
            xanchor="left",
            yref="container",
            y=1 - (header + LEGEND_GAP) / height,
            yanchor="top",
            indentation=LEFT - 14,  # a legend item's own padding: its swatch starts on the edge
        ),
    )
    fig.update_layout(width=chart_width)  # the width every text above was wrapped for
    fig.add_annotation(
        text="<br>".join(esc(line) for line in foot_lines),
        xref="paper",
        yref="paper",
        x=0,
        y=0,
        xanchor="left",
        yanchor="top",
        yshift=-(under_axis + FOOT_GAP),
        xshift=-(left - LEFT),
        showarrow=False,
        align="left",
        font=dict(size=SOURCE_SIZE, color=MUTED),
        name="source-line",
    )
    if data is not None:
        attach_table(fig, data, caption=f"Data behind the chart: {title}")
    return fig


def _has_x_title(fig: go.Figure) -> bool:
    """Whether any x axis (xaxis, xaxis2, ... of subplots) has a title under the plot."""
    return any(
        name.startswith("xaxis") and fig.layout[name].title.text
        for name in fig.layout.to_plotly_json()
    )


def _has_subplot_titles(fig: go.Figure) -> bool:
    """Whether make_subplots put titles over the top row (annotations sitting on paper y=1)."""
    return any(
        a.yref == "paper" and a.yanchor == "bottom" and a.y is not None and a.y >= 1 - 1e-9
        for a in fig.layout.annotations
        if a.name != "source-line"
    )


def _header_height(title_lines: int, subtitle_lines: int) -> int:
    """Where the subtitle ends, from the top of the card: see FIRST_TITLE_LINE."""
    title_end = TOP_PAD + FIRST_TITLE_LINE + TITLE_LINE * max(title_lines - 1, 0)
    if subtitle_lines == 0:
        return title_end
    if subtitle_lines == 1:
        return title_end + ONE_LINE_SUBTITLE
    return title_end + TWO_LINE_SUBTITLE + SUBTITLE_LINE * (subtitle_lines - 2)


def _tick_room(fig: go.Figure) -> int:
    """Room left of the plot for the y axis's tick labels, measured from the labels it will
    show (its ticktext, else the categories, dates or largest number the data give), so the
    plot's left edge is known and the source line can start on the card's left edge."""
    axis = fig.layout.yaxis
    if axis.showticklabels is False:
        return Y_TICK_ROOM
    if axis.ticktext is not None:
        values: list[Any] = list(axis.ticktext)
    else:
        on_first_axis = [t for t in fig.data if getattr(t, "yaxis", None) in (None, "y")]
        values = [v for t in on_first_axis for v in _values(getattr(t, "y", None))]
    lines = [line for v in values for line in re.split(r"<br\s*/?>", _tick_text(v))]
    widest = max((text_width(html.unescape(line), LEGEND_SIZE) for line in lines), default=0.0)
    return max(Y_TICK_ROOM, math.ceil(widest) + 16)


def _values(values: object) -> list[Any]:
    """A trace's x or y values as a list (nothing for None or a typed array)."""
    if values is None or isinstance(values, str | dict):
        return []
    try:
        return list(values)
    except TypeError:
        return []


def _tick_text(value: object) -> str:
    """About what an axis prints for a value: the text, a date, or the number with separators
    (rounded up to a power of ten's multiple, as a tick would be)."""
    if isinstance(value, str):
        return cell(value)
    if isinstance(value, date):
        return date_text(value)
    if _is_number(value) and math.isfinite(float(value)):
        return f"{math.ceil(abs(float(value))):,}"
    return str(value)


def attach_table(fig: go.Figure, data: pd.DataFrame | Table, caption: str | None = None) -> Table:
    """Attach the tidy table behind a chart to it, as display strings in ``layout.meta``: the
    site, the export and JupyterLab show it as the chart's text alternative. Missing values read
    "no figure"; id columns are left out."""
    if not isinstance(fig, go.Figure):
        raise TypeError(f"fig must be a plotly Figure, not {type(fig).__name__}")
    if isinstance(data, pd.DataFrame):
        data = table(data, missing="no figure")
    if not isinstance(data, Table):
        raise TypeError(f"data must be a DataFrame or a plots.table(), not {type(data).__name__}")
    if caption is not None and not data.caption:
        data = Table(data.frame, data.formats, data.missing, data.names, data.show_ids, caption)
    meta = fig.layout.meta if isinstance(fig.layout.meta, dict) else {}
    fig.update_layout(meta={**meta, TABLE_KEY: data.as_meta()})
    return data


TABLE_KEY = "wa_table"  #: where a figure's ``layout.meta`` holds the table behind it


def chart_table(figure: go.Figure | dict[str, Any]) -> dict[str, Any] | None:
    """The table attached to a figure (or to its JSON, as a notebook output holds it), or None
    when there is none or it is not columns of text and rows of as many texts (a notebook from
    elsewhere can hold anything)."""
    spec = figure.to_plotly_json() if isinstance(figure, go.Figure) else figure
    layout = spec.get("layout") if isinstance(spec, dict) else None
    meta = layout.get("meta") if isinstance(layout, dict) else None
    found = meta.get(TABLE_KEY) if isinstance(meta, dict) else None
    return found if _is_table_meta(found) else None


def _is_table_meta(found: object) -> bool:
    """Whether ``found`` has the shape :meth:`Table.as_meta` gives."""
    if not isinstance(found, dict):
        return False
    columns, rows, numeric = found.get("columns"), found.get("rows"), found.get("numeric")
    if not (isinstance(columns, list) and all(isinstance(c, str) for c in columns)):
        return False
    if not (isinstance(numeric, list) and len(numeric) == len(columns)):
        return False
    return isinstance(rows, list) and all(
        isinstance(r, list) and len(r) == len(columns) and all(isinstance(t, str) for t in r)
        for r in rows
    )


def chart_table_html(figure: go.Figure | dict[str, Any]) -> str | None:
    """The table behind a chart as a collapsed, escaped ``<details>``, shown right after the
    chart in JupyterLab; None when the chart has none."""
    found = chart_table(figure)
    if found is None:
        return None
    plain = {
        "caption": "",
        "columns": [html.unescape(c) for c in found["columns"]],
        "rows": [[html.unescape(t) for t in row] for row in found["rows"]],
        "numeric": found["numeric"],
    }
    summary = esc(html.unescape(str(found.get("caption") or "Data behind the chart")))
    return (
        f'<details class="wa-chart-table"><summary>{summary} (table)</summary>'
        f"{_table_html(plain)}</details>"
    )


def _style_axes(fig: go.Figure) -> None:
    """Date axes tick as "22 Dec 2019" or "Dec 2019" by zoom, like every date in the text."""
    for axis_name in ("xaxis", "yaxis"):
        axis = fig.layout[axis_name]
        letter = axis_name[0]
        values = [getattr(t, letter, None) for t in fig.data if hasattr(t, letter)]
        if axis.type == "date" or any(_holds_dates(v) for v in values):
            _date_ticks(axis)
        elif axis.type in (None, "linear") and _all_years(values):
            axis.tickformat = "d"  # 2019, not 2,019
            axis.dtick = 1


#: Room between two tick labels on a number axis.
TICK_GAP = _px(16)


def _space_number_ticks(fig: go.Figure, plot_width: float) -> None:
    """At most as many ticks on a number x axis as its widest label fits, so plotly never tilts
    them: a tilted row is taller than the room under the axis, and its title would then sit on
    the note below."""
    axis = fig.layout.xaxis
    if axis.tickvals is not None or axis.type not in (None, "linear"):
        return
    values = [v for t in fig.data for v in _values(getattr(t, "x", None))]
    numbers = [abs(float(v)) for v in values if _is_number(v) and math.isfinite(float(v))]
    if not numbers or len(numbers) < len(values) or _all_years([values]):
        return
    label = text_width(_tick_text(max(numbers)), LEGEND_SIZE) + TICK_GAP
    axis.nticks = max(2, int(plot_width // label))


def _all_years(traces_values: list[object]) -> bool:
    """Whether an axis's numbers are all whole years (1900 to 2100), as a period column holds."""
    numbers_seen = [v for values in traces_values for v in _values(values)]
    return bool(numbers_seen) and all(
        _is_number(v) and float(v).is_integer() and 1900 <= float(v) <= 2100 for v in numbers_seen
    )


def _holds_dates(values: object) -> bool:
    """Whether a trace's x or y values are dates (date objects or ISO day text)."""
    if values is None or isinstance(values, str | dict):
        return False
    try:
        first = next(iter(values))
    except (TypeError, StopIteration):
        return False
    if isinstance(first, date) or type(first).__name__ == "datetime64":
        return True
    return isinstance(first, str) and _ISO_DAY.fullmatch(first) is not None


def _date_ticks(axis: Any) -> None:
    axis.tickformatstops = [
        dict(dtickrange=[None, 86_400_000 * 27], value="%-d %b %Y"),
        dict(dtickrange=[86_400_000 * 27, 86_400_000 * 360], value="%b %Y"),
        dict(dtickrange=[86_400_000 * 360, None], value="%Y"),
    ]


AXIS_KINDS = ("number", "money", "share", "date")  #: what :func:`axis` formats ticks as


def axis(
    fig: go.Figure, which: str = "y", *, title: str | None = None, kind: str = "number"
) -> go.Figure:
    """Name an axis with its unit and tick it as the text writes numbers: 10,000 (number),
    $1,000 (money), 50% (share of 1) or 22 Dec 2019 (date)."""
    if not isinstance(fig, go.Figure):
        raise TypeError(f"fig must be a plotly Figure, not {type(fig).__name__}")
    if which not in ("x", "y"):
        raise ValueError(f"which must be 'x' or 'y', not {which!r:.40}")
    if kind not in AXIS_KINDS:
        raise ValueError(f"kind must be one of {AXIS_KINDS}, not {kind!r:.40}")
    if title is not None and not isinstance(title, str):
        raise TypeError(f"title must be text or None, not {type(title).__name__}")
    target = fig.layout[f"{which}axis"]
    if title is not None:
        target.title.text = title
    if kind == "date":
        _date_ticks(target)
    else:
        target.tickformat = {"number": ",~f", "money": "$,~f", "share": "~%"}[kind]
    return fig


def label_bars(fig: go.Figure, kind: str = "auto") -> go.Figure:
    """Write each bar's value at its end, formatted as tables format it (``kind``: auto, money,
    share, pct), never clipped: where a title cites a bar's value, the reader can find it."""
    if not isinstance(fig, go.Figure):
        raise TypeError(f"fig must be a plotly Figure, not {type(fig).__name__}")
    if kind not in ("auto", *FORMATS):
        raise ValueError(f"kind must be one of {('auto', *FORMATS)}, not {kind!r:.40}")
    stacked = fig.layout.barmode in ("stack", "relative")
    for trace in fig.data:
        if trace.type != "bar":
            continue
        values = trace.x if trace.orientation == "h" else trace.y
        trace.text = [cell(v, kind, "") for v in (values if values is not None else [])]
        trace.textposition = "inside" if stacked else "outside"
        trace.insidetextanchor = "middle"
        trace.cliponaxis = False
        trace.textfont = dict(size=LEGEND_SIZE)
    return fig


def band(
    fig: go.Figure,
    low: float,
    high: float,
    *,
    which: str = "y",
    label: str | None = None,
    kind: str = "model/assumption",
) -> go.Figure:
    """A translucent band from ``low`` to ``high`` across the plot, drawn BELOW bars and markers
    (so a bar over it keeps its colour), in the colour of its kind of figure, labelled inside at
    its left edge."""
    if not isinstance(fig, go.Figure):
        raise TypeError(f"fig must be a plotly Figure, not {type(fig).__name__}")
    bottom, top = finite(low, "low"), finite(high, "high")
    if which not in ("x", "y"):
        raise ValueError(f"which must be 'x' or 'y', not {which!r:.40}")
    if label is not None and not isinstance(label, str):
        raise TypeError(f"label must be text or None, not {type(label).__name__}")
    colour = marker(kind)["color"]
    spans = dict(y0=bottom, y1=top, x0=0, x1=1, xref="paper", yref="y")
    if which == "x":
        spans = dict(x0=bottom, x1=top, y0=0, y1=1, yref="paper", xref="x")
    fig.add_shape(
        type="rect", layer="below", fillcolor=colour, opacity=0.15, line=dict(width=0), **spans
    )
    if label:
        fig.add_annotation(
            text=label,
            showarrow=False,
            font=dict(size=SOURCE_SIZE, color=INK),
            **(
                dict(x=0, xref="paper", y=top, yref="y", xanchor="left", yanchor="bottom")
                if which == "y"
                else dict(x=bottom, xref="x", y=1, yref="paper", xanchor="left", yanchor="top")
            ),
        )
    return fig


def range_line(
    low: float, high: float, at: object, *, name: str, kind: str, orientation: str = "h"
) -> go.Scatter:
    """A range from ``low`` to ``high`` at one category or date (``at``): a line with an end marker
    at both ends (so it never seems to run off the chart), in its kind's colour, in the legend."""
    start, end = finite(low, "low"), finite(high, "high")
    if not isinstance(name, str):
        raise TypeError(f"name must be text, not {type(name).__name__}")
    if orientation not in ("h", "v"):
        raise ValueError(f"orientation must be 'h' or 'v', not {orientation!r:.40}")
    look = marker(kind, symbol="line-ns-open" if orientation == "h" else "line-ew-open", size=14)
    look["line"] = dict(width=2, color=look["color"])
    values, places = [start, end], [at, at]
    coordinates = dict(x=values, y=places) if orientation == "h" else dict(x=places, y=values)
    return go.Scatter(
        **coordinates,
        mode="lines+markers",
        name=name,
        line=dict(color=look["color"], width=3),
        marker=look,
        showlegend=True,
    )


#: The heatmap's colours: zero (nothing missing) has a colour of its own, 3.1:1 on white, so a
#: cell of zero is visibly drawn; from there light to dark orange as the value grows.
HEATMAP_ZERO = "#6f7f99"
HEATMAP_STEPS = ("#fdd0a2", "#fdae6b", "#f16913", "#a63603", "#5a1e02")


def heatmap_colours(zmax: float, unit: str) -> dict[str, Any]:
    """Settings for ``go.Heatmap(**...)``: a colour scale whose zero is visible, zero to ``zmax``,
    a colour bar titled with the unit, and white gaps between cells."""
    top = finite(zmax, "zmax")
    if top <= 0:
        raise ValueError(f"zmax must be above zero, not {zmax!r:.40}")
    if not isinstance(unit, str):
        raise TypeError(f"unit must be text, not {type(unit).__name__}")
    first = min(0.5 / top, 0.01) if top > 1 else 1e-6
    steps = [
        [first + (1 - first) * i / (len(HEATMAP_STEPS) - 1), c] for i, c in enumerate(HEATMAP_STEPS)
    ]
    return dict(
        colorscale=[[0.0, HEATMAP_ZERO], [first, HEATMAP_ZERO], *steps],
        zmin=0,
        zmax=top,
        xgap=2,
        ygap=2,
        colorbar=dict(
            title=dict(text=unit, side="right"),
            tickformat=",~f",
            outlinewidth=0,
        ),
    )


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


def _require_layout_arguments(
    width: object, data: object, x_title: object, y_title: object
) -> None:
    """What finish() needs beyond the texts: a width in pixels or None, a table or None, axis
    titles as text or None."""
    if width is not None and (
        isinstance(width, bool) or not isinstance(width, int) or not 200 <= width <= 5000
    ):
        raise ValueError(
            f"width must be None or a whole number of pixels from 200 to 5000, not {width!r:.40}"
        )
    if data is not None and not isinstance(data, pd.DataFrame | Table):
        raise TypeError(f"data must be a DataFrame or a plots.table(), not {type(data).__name__}")
    for name, text in (("x_title", x_title), ("y_title", y_title)):
        if text is not None and not isinstance(text, str):
            raise TypeError(f"{name} must be text or None, not {type(text).__name__}")


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


def use_house_style() -> None:
    """Switch the house style on, explicitly, in a notebook's import cell: new figures start from
    the house template, and in a running IPython kernel a figure displays through :func:`outputs`
    (the chart, then the table behind it). Importing this module changes nothing global."""
    from IPython import get_ipython

    pio.templates.default = TEMPLATE_NAME
    shell = get_ipython()
    if shell is not None:
        shell.display_formatter.ipython_display_formatter.for_type(go.Figure, _display_figure)


def _display_figure(fig: go.Figure) -> None:
    """Display a figure's outputs (:func:`outputs`) one after another."""
    from IPython.display import display

    for output in outputs(fig):
        display(output["data"], raw=True, metadata=output["metadata"])


def outputs(fig: go.Figure) -> list[dict[str, Any]]:
    """A figure as notebook display outputs: the chart, then (if attached) the table behind it
    as a collapsed ``<details>`` (metadata ``{"wa": "chart-table"}``, so the site, which builds
    its own table from ``layout.meta``, can leave it out)."""
    shown = [{"output_type": "display_data", "data": bundle(fig), "metadata": {}}]
    details = chart_table_html(fig)
    if details is not None:
        caption = chart_table(fig)["caption"]  # type: ignore[index]
        plain = html.unescape(str(caption or "Data behind the chart"))
        shown.append(
            {
                "output_type": "display_data",
                "data": {"text/html": details, "text/plain": plain},
                "metadata": {"wa": "chart-table"},
            }
        )
    return shown
