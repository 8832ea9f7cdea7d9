"""A notebook as a page that works offline and safely: how the site and the exporter render.

Why a custom rendering rather than plain ``jupyter nbconvert``: nbconvert's default page loads
require.js, MathJax and the widget manager from CDNs, and shows plotly outputs blank. A
classroom without network, or a reader without a kernel, would see empty charts. This module
renders a notebook into a page that

- draws every plotly output (``application/vnd.plotly.v1+json``) as an interactive chart
  with ONE shared local copy of the partial plotly.js bundle in vendor/ (the version
  the plotly package embeds; tests/test_site.py keeps the two in step);
- renders each widget from the state nbclient saved in the notebook as a static snapshot:
  its text, its controls' values and, from the Output widget's state, its chart;
- gives every chart a text alternative: the caption (the markdown cell after the chart,
  moved under it so it is shown once) and the chart's data as a readable table one click
  away, expanded when printed;
- sanitizes every markdown cell, caption, text/html and text/markdown output and widget HTML
  value with nh3 (ammonia), because outputs carry text from data/ and a shared notebook is
  anyone's text; links survive only with http(s), mailto or relative URLs; every cell and
  output is rebuilt from an allowlist (no raw cells, no attributes from metadata), and plotly
  layout images must be ``data:`` URIs;
- turns a malformed output (a widget that contains itself, a chart array that cannot be
  decoded...) into a visible note naming its cell, never a traceback;
- carries a Content-Security-Policy (a meta tag, first in the head) that lets only the page's
  own scripts run and connects to no other host;
- prints to A4 with every chart resized to the paper and the navigation hidden;
- references no external http(s) script or stylesheet (tests/test_site.py checks it);
- never builds or links the teacher-only answer keys (docs/answer-keys.md).

:mod:`.export` renders through this module (the single-file page of ``jupyter nbconvert --to
workers-abroad``, which inlines the bundle and the CSS), and :mod:`.site` builds the static site
from the exporter's pages, linking the shared files instead.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import html
import json
import math
import re
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import nh3
import numpy as np
import plotly.offline
from jupyter_core.paths import jupyter_path
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from workers_abroad.publishing.notebooks import NAV_TAG, first_heading

SITE_ASSETS = Path(__file__).resolve().parent / "site_assets"
VENDOR = Path(__file__).resolve().parent / "vendor"
#: The partial plotly.js bundle (npm plotly.js-cartesian-dist-min) every page draws with.
PLOTLY_BUNDLE = VENDOR / "plotly-cartesian.min.js"
TEMPLATE_FILE = "workers_abroad.html.j2"
LAB_CSS = ("index.css", "theme-light.css", "theme-dark.css")

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
#: Trace attributes that hold the plotted data; one table column each when present.
DATA_KEYS = ("x", "y", "z", "labels", "values", "parents", "base", "text")
#: What a data-table cell shows when the chart has no value there (the house style's words).
MISSING = "no figure"
#: Where the house style (helpers/plots.py ``finish(data=...)``) keeps the tidy table behind a
#: chart: ``layout.meta["wa_table"]``, columns and rows of display strings, HTML-escaped.
TABLE_KEY = "wa_table"
#: The metadata of the output JupyterLab shows after a chart (its table as a ``<details>``); the
#: page leaves it out because it builds the same table, linked to the chart, from the figure.
CHART_TABLE_OUTPUT = "chart-table"
#: A table behind a chart with more rows than this is collapsed on screen (always open on paper).
OPEN_TABLE_ROWS = 12

# ----------------------------------------------------------------------------- sanitizing

#: Tags an output may keep: nh3's safe default set (no script, style, iframe, form, svg), less
#: images, which would load from the network; a chart or table never needs one.
SAFE_TAGS = set(nh3.ALLOWED_TAGS) - {"img", "map", "area"}
#: Headings keep their id: markdown cells' anchors (``#Section``) and links to them need it.
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
#: Attributes an output may keep: nh3's defaults plus presentation-only ones.
SAFE_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    **{tag: {"id"} for tag in HEADINGS},
    "*": {"class", "title", "lang", "dir", "style"},
}
#: Inline style properties kept (pandas' and helpers' tables align and emphasise cells).
SAFE_STYLE = {
    "text-align",
    "font-weight",
    "font-style",
    "white-space",
    "vertical-align",
    "padding",
    "color",
    "background-color",
    "border",
    "border-bottom",
    "border-top",
}
#: Link schemes kept: web and mail links; relative links (between notebooks) stay as they are.
SAFE_SCHEMES = {"http", "https", "mailto"}
#: Cell tags and ids end up in HTML attributes: only plain names are kept.
PLAIN_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
#: Image outputs kept as they are drawn by the template: base64 data only, checked strictly.
IMAGE_MIMES = ("image/png", "image/jpeg")
#: Output kinds the page shows; anything else (script, SVG, widgets' raw JSON) is dropped.
TEXT_MIMES = ("text/plain", "text/latex")


def sanitize(fragment: str) -> str:
    """An HTML fragment with everything that could run or load removed (nh3/ammonia).

    Why: outputs and widget values carry text from data/, which anyone can edit, and a
    shared or exported notebook's markdown cells are anyone's text too; on a page served
    from disk a planted ``<img onerror>`` would run. Links keep only http(s), mailto and
    relative URLs.
    """
    return nh3.clean(
        fragment,
        tags=SAFE_TAGS,
        attributes=SAFE_ATTRIBUTES,
        url_schemes=SAFE_SCHEMES,
        filter_style_properties=SAFE_STYLE,
        link_rel="noopener noreferrer",
    )


class MalformedOutput(ValueError):
    """An output the page cannot show; the message says why, in words for the page's reader."""


def _text(value: Any) -> str:
    """An output's text field as one string, whatever list or scalar the notebook holds."""
    if isinstance(value, list):
        return "".join(str(part) for part in value)
    return "" if value is None else str(value)


def _strict_base64(value: Any) -> str | None:
    """Base64 image data with nothing else in it (it lands inside an attribute), or None."""
    text = "".join(_text(value).split())
    try:
        base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None
    return text or None


def sanitized_data(data: Mapping[str, Any]) -> dict[str, str]:
    """An output's data reduced to what the page shows, every kind made safe.

    HTML and markdown become one sanitized text/html (markdown rendered first: mistune
    passes raw HTML through); plain text and LaTeX are escaped by the template; images
    keep strictly checked base64. Everything else (scripts, SVG, unknown kinds) is dropped.
    """
    kept: dict[str, str] = {}
    if "text/html" in data:
        kept["text/html"] = sanitize(_text(data["text/html"]))
    elif "text/markdown" in data:
        kept["text/html"] = sanitize(markdown2html_mistune(_text(data["text/markdown"])))
    for mime in TEXT_MIMES:
        if mime in data:
            kept[mime] = _text(data[mime])
    for mime in IMAGE_MIMES:
        image = _strict_base64(data.get(mime)) if mime in data else None
        if image is not None:
            kept[mime] = image
    return kept


def sanitized_output(output: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of an output with only the fields and kinds the page shows, each made safe.

    Why rebuild rather than filter: nbconvert's template writes some fields unquoted or
    unescaped (image width and height from the output's metadata, file names, the execution
    count), so a hostile notebook could add attributes through them. The copy has no
    metadata, a whole-number execution count and sanitized data.
    """
    kind = output.get("output_type") if isinstance(output, Mapping) else None
    if kind == "stream":
        name = output.get("name") if output.get("name") in {"stdout", "stderr"} else "stdout"
        return {"output_type": "stream", "name": name, "text": _text(output.get("text"))}
    if kind == "error":
        trace = output.get("traceback")
        lines = [str(line) for line in trace] if isinstance(trace, list) else [_text(trace)]
        return {
            "output_type": "error",
            "ename": _text(output.get("ename")),
            "evalue": _text(output.get("evalue")),
            "traceback": lines,
        }
    if kind not in {"display_data", "execute_result"}:
        raise MalformedOutput(f"an output of unknown type {str(kind)[:40]!r}")
    data = output.get("data")
    if not isinstance(data, Mapping):
        raise MalformedOutput("an output whose data is not a set of formats")
    clean: dict[str, Any] = {"output_type": kind, "data": sanitized_data(data), "metadata": {}}
    if kind == "execute_result":
        count = output.get("execution_count")
        clean["execution_count"] = (
            count if isinstance(count, int) and not isinstance(count, bool) else None
        )
    return clean


def note_output(cell_number: int, problem: str) -> dict[str, Any]:
    """A visible note in place of an output the page cannot show, naming the cell and the reason."""
    note = (
        f'<p class="wa-output-note" role="note">Cell {cell_number}: this output could not be shown '
        f"({html.escape(problem)}). Open the notebook in JupyterLab to see it.</p>"
    )
    return {"output_type": "display_data", "data": {"text/html": note}, "metadata": {}}


# ---------------------------------------------------------------------------- chart data


#: The typed-array dtypes plotly.js decodes (``bdata``); anything else is a malformed chart.
PLOTLY_DTYPES = {"i1", "u1", "u1c", "i2", "u2", "i4", "u4", "f4", "f8"}
#: At most this many values in one typed array: far above any chart, far below a memory problem.
MAX_ARRAY_VALUES = 10_000_000


def _array_shape(value: Mapping[str, Any], size: int) -> list[int] | None:
    """A typed array's declared shape, refused unless it holds exactly ``size`` values."""
    shape = value.get("shape")
    if shape in (None, ""):
        return None
    parts = str(shape).split(",")
    if not all(part.strip().isdigit() for part in parts):
        raise MalformedOutput(f"a chart array with the shape {str(shape)[:40]!r}")
    dimensions = [int(part) for part in parts]
    if math.prod(dimensions) != size:
        raise MalformedOutput(f"a chart array of {size} values with the impossible shape {shape}")
    return dimensions


def decode_array(value: Any) -> list[Any]:
    """A trace attribute as a plain list, decoding plotly's base64 typed arrays.

    plotly 6+ writes numpy arrays as ``{"dtype": "f8", "bdata": "...", "shape": "..."}``;
    the table of a chart's data must show the numbers, not the encoding. A dtype plotly.js
    cannot decode, data that is not base64 or a shape that does not fit raise MalformedOutput.
    """
    if isinstance(value, Mapping) and "bdata" in value:
        dtype = value.get("dtype")
        if dtype not in PLOTLY_DTYPES:
            raise MalformedOutput(f"a chart array of the unsupported type {str(dtype)[:20]!r}")
        try:
            raw = base64.b64decode(_text(value["bdata"]), validate=True)
            array = np.frombuffer(raw, dtype=np.dtype(str(dtype).removesuffix("c")))
        except (binascii.Error, ValueError) as error:
            raise MalformedOutput(f"a chart array that cannot be decoded: {error}") from None
        if array.size > MAX_ARRAY_VALUES:
            raise MalformedOutput(f"a chart array of {array.size:,} values")
        shape = _array_shape(value, array.size)
        return (array.reshape(shape) if shape else array).tolist()
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _typed_arrays(value: Any) -> list[Mapping[str, Any]]:
    """Every typed array (``{"bdata": ...}``) anywhere inside a figure, walked without recursion."""
    found: list[Mapping[str, Any]] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, Mapping):
            if "bdata" in item:
                found.append(item)
            else:
                pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return found


def _local_images(images: Any) -> list[Any]:
    """Layout images with a ``data:`` source; one on another host would be fetched on load."""
    if not isinstance(images, list):
        return []
    return [
        image
        for image in images
        if isinstance(image, Mapping)
        and str(image.get("source", "")).strip().lower().startswith("data:image/")
    ]


def _safe_layout(layout: Mapping[str, Any]) -> dict[str, Any]:
    """A chart layout without images from the network, in the layout and in its template."""
    layout = dict(layout)
    if "images" in layout:
        layout["images"] = _local_images(layout["images"])
    template = layout.get("template")
    if isinstance(template, Mapping) and isinstance(template.get("layout"), Mapping):
        layout["template"] = {**template, "layout": _safe_layout(template["layout"])}
    return layout


def checked_figure(figure: Any) -> dict[str, Any]:
    """A plotly figure as the page draws it: a list of traces, a layout, every array decodable.

    Raises MalformedOutput naming what is wrong, so the page shows a note instead of a
    chart that would break the page's script (or the build).
    """
    if not isinstance(figure, Mapping):
        raise MalformedOutput("a chart that is not a plotly figure")
    traces = figure.get("data", [])
    layout = figure.get("layout", {}) or {}
    if not isinstance(traces, list) or not all(isinstance(trace, Mapping) for trace in traces):
        raise MalformedOutput("a chart whose data is not a list of traces")
    if not isinstance(layout, Mapping):
        raise MalformedOutput("a chart whose layout is not a set of settings")
    for array in _typed_arrays(traces):
        decode_array(array)
    return {"data": traces, "layout": _safe_layout(layout)}


def trace_columns(trace: Mapping[str, Any]) -> dict[str, list[Any]]:
    """The data a trace draws, one column per attribute that holds data."""
    columns: dict[str, list[Any]] = {}
    for key in DATA_KEYS:
        if key in trace:
            column = decode_array(trace[key])
            if column:
                columns[key] = column
    return columns


def plotly_text(value: str) -> str:
    """Plotly's pseudo-HTML (``<br>``, ``<b>``, entities) as plain text, for tables and labels."""
    text = re.sub(r"<br\s*/?>", " ", value, flags=re.I)
    text = re.sub(r"<[^>]*>", "", text)
    return " ".join(html.unescape(text).split())


def format_value(value: Any) -> tuple[str, bool]:
    """A data value as a reader wants it in a table, and whether it is a number.

    Thousands separators, whole numbers without '.0', no float noise (at most 6 significant
    figures), a dash for a missing value, midnight timestamps as plain dates.
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING, False
    if isinstance(value, bool):
        return str(value), False
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e15 else f"{value:.3e}", True
    text = str(value)
    text = re.sub(r"^(\d{4}-\d\d-\d\d)[T ]00:00(:00(\.0+)?)?$", r"\1", text)
    return plotly_text(text) or MISSING, False


def axis_title(layout: Mapping[str, Any], axis: str) -> str:
    """An axis' title text, or '' when the chart has none."""
    title = layout.get(axis, {}).get("title", {}) if isinstance(layout.get(axis), Mapping) else {}
    text = title.get("text", "") if isinstance(title, Mapping) else str(title or "")
    return plotly_text(text)


def column_heading(key: str, trace: Mapping[str, Any], layout: Mapping[str, Any]) -> str:
    """A data column's heading: the axis title when the chart has one, else the attribute's name."""
    if key in {"x", "y"}:
        suffix = str(trace.get(f"{key}axis", key))[1:]
        title = axis_title(layout, f"{key}axis{suffix}")
        if title:
            return title
    return {
        "x": "Across (horizontal axis)",
        "y": "Up (vertical axis)",
        "z": "Value shown by colour",
        "text": "Label on the chart",
        "labels": "Category",
        "values": "Amount",
        "base": "Starts at",
        "parents": "Part of",
    }.get(key, key)


#: The class of a number column's heading and cells: right-aligned (site_assets/site.css).
NUMBER_CLASS = ' class="wa-num"'


def _cell_html(text: str, is_number: bool) -> str:
    """One escaped table cell; a number's cell is right-aligned (class ``wa-num``)."""
    if is_number and text != MISSING:
        return f'<td class="wa-num">{html.escape(text)}</td>'
    return f"<td>{html.escape(text)}</td>"


def _table_html(
    table_id: str,
    caption: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[str]],
    numeric: Sequence[bool],
) -> str:
    """One data table from plain text (every string escaped here), numbers right-aligned."""
    head = "".join(
        f'<th scope="col"{NUMBER_CLASS if is_number else ""}>{html.escape(column)}</th>'
        for column, is_number in zip(columns, numeric)
    )
    body = "".join(
        "<tr>"
        + "".join(_cell_html(text, is_number) for text, is_number in zip(row, numeric))
        + "</tr>"
        for row in rows
    )
    ident = f' id="{table_id}"' if table_id else ""
    return (
        f'<table class="wa-data"{ident}><caption>{html.escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def attached_table(layout: Mapping[str, Any]) -> dict[str, Any] | None:
    """The tidy table the house style attached to a chart, as plain text; None if it has none.

    Why trust only its shape: a notebook from elsewhere can put anything in ``layout.meta``.
    A table is text columns, a flag per column saying whether it holds numbers, and rows of
    as many texts; its strings are HTML-escaped in the figure (every figure string is), so
    they are unescaped here and escaped again, once, when written.
    """
    meta = layout.get("meta")
    found = meta.get(TABLE_KEY) if isinstance(meta, Mapping) else None
    if not isinstance(found, Mapping):
        return None
    columns, rows, numeric = found.get("columns"), found.get("rows"), found.get("numeric")
    if not (isinstance(columns, list) and columns and all(isinstance(c, str) for c in columns)):
        return None
    if not (isinstance(numeric, list) and len(numeric) == len(columns)):
        return None
    if not (
        isinstance(rows, list)
        and all(
            isinstance(row, list)
            and len(row) == len(columns)
            and all(isinstance(text, str) for text in row)
            for row in rows
        )
    ):
        return None
    caption = found.get("caption")
    return {
        "caption": plotly_text(caption) if isinstance(caption, str) else "",
        "columns": [plotly_text(column) for column in columns],
        "rows": [[plotly_text(text) or MISSING for text in row] for row in rows],
        "numeric": [value is True for value in numeric],
    }


def chart_title(layout: Mapping[str, Any]) -> str:
    """A chart's title as plain text ('' when it has none)."""
    title = layout.get("title", {})
    return plotly_text(title.get("text", "") if isinstance(title, Mapping) else str(title or ""))


def trace_tables(
    figure: Mapping[str, Any],
) -> list[tuple[str, list[str], list[list[str]], list[bool]]]:
    """Each trace's data as (caption, headings, rows, numeric columns): the fallback table of
    a chart that carries no tidy table (a notebook not drawn with the house style)."""
    layout = figure.get("layout", {}) or {}
    title = chart_title(layout) or "The chart"
    tables = []
    for number, trace in enumerate(figure.get("data", []), start=1):
        columns = trace_columns(trace)
        if not columns:
            continue
        name = plotly_text(str(trace.get("name") or "")) or f"{title}, data series {number}"
        length = max(len(c) for c in columns.values())
        headings = [column_heading(key, trace, layout) for key in columns]
        rows: list[list[str]] = []
        numeric = [False] * len(columns)
        for i in range(length):
            row = []
            for position, column in enumerate(columns.values()):
                text, is_number = format_value(column[i]) if i < len(column) else (MISSING, False)
                numeric[position] = numeric[position] or is_number
                row.append(text)
            rows.append(row)
        tables.append((name, headings, rows, numeric))
    return tables


def data_table(figure: Mapping[str, Any], table_id: str = "") -> str:
    """The chart's text alternative in numbers, as HTML (all text escaped).

    The tidy table the house style attached (display names, units, formatted as the chart
    formats them) when the figure carries one; else every trace's data, one table each.
    The first table gets ``table_id`` (what the chart's ``aria-describedby`` names).
    """
    layout = figure.get("layout", {}) or {}
    tidy = attached_table(layout)
    if tidy is not None:
        caption = tidy["caption"] or f"Data behind the chart: {chart_title(layout)}".rstrip(": ")
        return _table_html(table_id, caption, tidy["columns"], tidy["rows"], tidy["numeric"])
    parts = []
    for index, (caption, headings, rows, numeric) in enumerate(trace_tables(figure)):
        parts.append(_table_html(table_id if index == 0 else "", caption, headings, rows, numeric))
    return "".join(parts)


def table_rows(figure: Mapping[str, Any]) -> int:
    """How many rows the tables behind a chart hold: a long one is collapsed on screen."""
    tidy = attached_table(figure.get("layout", {}) or {})
    if tidy is not None:
        return len(tidy["rows"])
    return sum(len(rows) for _, _, rows, _ in trace_tables(figure))


def plain_text(markdown: str) -> str:
    """A markdown sentence as the words it shows, for an aria-label.

    Rendered and then stripped of every tag by nh3, so markup in a caption is neither read
    aloud nor kept: the label says what the caption under the chart says.
    """
    shown = nh3.clean(markdown2html_mistune(markdown), tags=set(), attributes={})
    return " ".join(html.unescape(shown).split())


class ChartCounter:
    """Numbers the charts of one page, so each gets a stable id."""

    def __init__(self) -> None:
        self.count = 0

    def next_id(self) -> str:
        self.count += 1
        return f"wa-chart-{self.count}"


def drawn(spec: Mapping[str, Any]) -> dict[str, Any]:
    """The figure as the page's script draws it: without the table behind it in its meta,
    which the page already carries as HTML (a second copy in the JSON only adds weight)."""
    layout = dict(spec["layout"])
    meta = layout.get("meta")
    if isinstance(meta, Mapping) and TABLE_KEY in meta:
        rest = {key: value for key, value in meta.items() if key != TABLE_KEY}
        if rest:
            layout["meta"] = rest
        else:
            del layout["meta"]
    return {"data": spec["data"], "layout": layout}


def chart_html(figure: Mapping[str, Any], caption_md: str, counter: ChartCounter) -> str:
    """One interactive chart with its caption and the table behind it, linked as its description.

    The figure element carries the accessible name (title and caption); the chart div names
    the table with ``aria-describedby``, and site.js hides the drawn SVG from screen readers
    (``aria-hidden``), so the table is the chart's text alternative rather than a reading of
    every tick. The plot itself has no role: plotly puts its toolbar's buttons inside it,
    which an ``img`` may not hold. A table of at most :data:`OPEN_TABLE_ROWS` rows is shown
    open; a longer one is one click away (open on paper). A malformed figure raises
    MalformedOutput before anything is counted or written.
    """
    spec = checked_figure(figure)
    try:
        # "<" escaped so that no string in the data can close the script element.
        payload = json.dumps(drawn(spec), separators=(",", ":"), allow_nan=False).replace(
            "<", "\\u003c"
        )
    except ValueError:
        raise MalformedOutput(
            "a chart holding a number JSON cannot carry (NaN or infinity)"
        ) from None
    chart_id = counter.next_id()
    title_text = chart_title(spec["layout"])
    caption = caption_md.strip() or "A chart; its data is in the table below."
    label = plain_text(f"{title_text}. {caption}" if title_text else caption)
    table = data_table(spec, f"{chart_id}-table")
    described = f' aria-describedby="{chart_id}-table"' if table else ""
    opened = " open" if table_rows(spec) <= OPEN_TABLE_ROWS else ""
    return (
        f'<figure class="wa-figure" aria-label="{html.escape(label)}">'
        f'<div class="wa-chart" id="{chart_id}" data-spec="{chart_id}-data"{described}></div>'
        f'<script type="application/json" id="{chart_id}-data">{payload}</script>'
        f"<figcaption>{sanitize(markdown2html_mistune(caption))}</figcaption>"
        f'<details class="wa-data-details"{opened}>'
        "<summary>Data behind this chart (table)</summary>"
        f"{table}</details>"
        f"</figure>"
    )


# ------------------------------------------------------------------------- widget snapshots


def _model_id(ref: Any) -> str | None:
    if isinstance(ref, str) and ref.startswith("IPY_MODEL_"):
        return ref[len("IPY_MODEL_") :]
    return None


def _control_value(state: Mapping[str, Any]) -> str:
    """What a control showed when the notebook was executed, as text."""
    labels = state.get("_options_labels")
    if labels is not None and "index" in state:
        index = state["index"]
        picked = (
            [labels[i] for i in index]
            if isinstance(index, list)
            else ([] if index is None else [labels[index]])
        )
        return ", ".join(str(p) for p in picked) or "(none)"
    if "value" in state:
        value = state["value"]
        if isinstance(value, list):
            return " – ".join(_formatted(v, state.get("readout_format")) for v in value)
        return _formatted(value, state.get("readout_format"))
    return ""


#: The d3 readout formats the explorers use (helpers.explorers.READOUT_FORMATS): an optional
#: currency sign, thousands separator, precision, ``~`` to trim trailing zeros, and f or %.
_READOUT_FORMAT = re.compile(
    r"(?P<dollar>\$)?(?P<comma>,)?\.(?P<places>\d+)(?P<trim>~)?(?P<kind>[f%])"
)


def _formatted(value: Any, readout_format: str | None) -> str:
    """A slider value as its readout shows it (100,000; $5,000; 50%; 1.25), from the same d3
    format the widget was given; any other format or value shows as Python writes it."""
    found = _READOUT_FORMAT.fullmatch(readout_format or "")
    if found is None or isinstance(value, bool) or not isinstance(value, int | float):
        return str(value)
    text = format(value, f"{found['comma'] or ''}.{found['places']}{found['kind']}")
    if found["trim"] and "." in text:
        number, percent = (text[:-1], "%") if text.endswith("%") else (text, "")
        text = number.rstrip("0").rstrip(".") + percent
    return f"{found['dollar'] or ''}{text}"


#: Widgets nested deeper than this are refused: no explorer nests more than three, and a
#: chain of thousands would exhaust Python's recursion.
MAX_WIDGET_DEPTH = 32
BOX_MODELS = {"VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel", "AccordionModel", "TabModel"}


def view_model_id(view: Any) -> str:
    """The model a widget view output shows; a view without a text ``model_id`` is malformed."""
    model_id = view.get("model_id") if isinstance(view, Mapping) else None
    if not isinstance(model_id, str) or not model_id:
        raise MalformedOutput("a widget view without a model_id")
    return model_id


def _widget_model(
    model_id: str, models: Mapping[str, Any], ancestors: tuple[str, ...]
) -> Mapping[str, Any] | None:
    """A widget's saved model, refused if it contains itself or nests too deep; None if unsaved."""
    if model_id in ancestors:
        raise MalformedOutput(f"a widget that contains itself ({model_id[:40]})")
    if len(ancestors) >= MAX_WIDGET_DEPTH:
        raise MalformedOutput(f"widgets nested more than {MAX_WIDGET_DEPTH} deep")
    model = models.get(model_id)
    if model is not None and not isinstance(model, Mapping):
        raise MalformedOutput(
            f"a widget whose saved model is not a set of settings ({model_id[:40]})"
        )
    return model


def widget_html(
    model_id: str,
    models: Mapping[str, Any],
    caption_md: str,
    counter: ChartCounter,
    ancestors: tuple[str, ...] = (),
) -> str:
    """A static snapshot of one widget and its children from the saved widget state.

    ``ancestors`` are the boxes around this widget: a box listed among its own descendants
    (saved state can say anything) raises MalformedOutput instead of recursing forever.
    """
    model = _widget_model(model_id, models, ancestors)
    if model is None:
        return (
            '<p class="wa-widget-note">(This widget was not saved with the notebook; '
            "run the notebook to see it.)</p>"
        )
    name, state = model.get("model_name", ""), model.get("state", {})
    if not isinstance(state, Mapping):
        raise MalformedOutput(f"a widget whose state is not a set of settings ({model_id[:40]})")
    inside = (*ancestors, model_id)
    if name in BOX_MODELS:
        direction = "row" if name == "HBoxModel" else "column"
        refs = state.get("children", [])
        children = "".join(
            widget_html(child, models, caption_md, counter, inside)
            for child in (_model_id(ref) for ref in (refs if isinstance(refs, list) else []))
            if child
        )
        return f'<div style="display:flex;flex-direction:{direction};gap:4px">{children}</div>'
    if name in {"HTMLModel", "HTMLMathModel"}:
        return f"<div>{sanitize(str(state.get('value', '')))}</div>"
    if name == "LabelModel":
        return f"<div>{html.escape(str(state.get('value', '')))}</div>"
    if name == "OutputModel":
        outputs = state.get("outputs", [])
        return "".join(
            output_html(out, caption_md, counter, models, inside)
            for out in (outputs if isinstance(outputs, list) else [])
        )
    if "value" in state or "index" in state:
        description = html.escape(str(state.get("description", "")))
        return (
            f'<div class="wa-control"><span>{description}</span> '
            f"<output>{html.escape(_control_value(state))}</output></div>"
        )
    return ""


def widget_snapshot(
    model_id: str, models: Mapping[str, Any], caption_md: str, counter: ChartCounter
) -> str:
    """A widget's snapshot, framed and labelled as a snapshot."""
    body = widget_html(model_id, models, caption_md, counter)
    note = (
        '<p class="wa-widget-note">Snapshot of the explorer as the notebook was executed: '
        "the controls show their default values. Run the notebook in JupyterLab, Binder or "
        "JupyterHub to move them.</p>"
    )
    return f'<div class="wa-widget">{note}{body}</div>'


def output_html(
    output: Mapping[str, Any],
    caption_md: str,
    counter: ChartCounter,
    models: Mapping[str, Any],
    ancestors: tuple[str, ...] = (),
) -> str:
    """One output inside an Output widget, rendered without a kernel (sanitized like any output)."""
    if is_chart_table(output):
        return ""
    data = output.get("data", {}) if isinstance(output, Mapping) else {}
    data = data if isinstance(data, Mapping) else {}
    if PLOTLY_MIME in data:
        return chart_html(data[PLOTLY_MIME], caption_md, counter)
    if WIDGET_VIEW_MIME in data:
        return widget_html(
            view_model_id(data[WIDGET_VIEW_MIME]), models, caption_md, counter, ancestors
        )
    clean = sanitized_output(output)
    if "text/html" in clean.get("data", {}):
        return clean["data"]["text/html"]
    if clean["output_type"] in {"stream", "error"}:
        return f"<pre>{html.escape(clean.get('text') or clean.get('evalue', ''))}</pre>"
    if "text/plain" in clean["data"]:
        return f"<pre>{html.escape(clean['data']['text/plain'])}</pre>"
    return ""


# ----------------------------------------------------------------------------- notebooks


def caption_index(cells: Sequence[nbformat.NotebookNode], index: int) -> int | None:
    """Where the caption of a chart cell is: the next cell that is not navigation, if markdown."""
    for later in range(index + 1, len(cells)):
        cell = cells[later]
        if NAV_TAG in cell.metadata.get("tags", []):
            continue
        return later if cell.cell_type == "markdown" else None
    return None


def split_caption(markdown: str) -> tuple[str, str]:
    """A caption cell as (the caption: its first paragraph, the rest of the cell).

    Why only the first paragraph: a cell after a chart often goes on into the next section;
    only the sentence about the chart belongs under it. A cell that opens with a heading
    has no caption.
    """
    parts = re.split(r"\n[ \t]*\n", markdown.strip(), maxsplit=1)
    first = parts[0].strip()
    if not first or first.startswith("#"):
        return "", markdown
    return first, parts[1].strip() if len(parts) > 1 else ""


def _draws(cell: nbformat.NotebookNode) -> bool:
    return cell.cell_type == "code" and any(
        isinstance(o, Mapping)
        and isinstance(o.get("data"), Mapping)
        and (PLOTLY_MIME in o["data"] or WIDGET_VIEW_MIME in o["data"])
        for o in cell.outputs
    )


def _plain_names(values: Any) -> list[str]:
    """Cell tags that are plain names: they end up in a class attribute."""
    return (
        [v for v in values if isinstance(v, str) and PLAIN_NAME_RE.match(v)]
        if isinstance(values, list)
        else []
    )


def clean_cell(cell: Mapping[str, Any]) -> nbformat.NotebookNode | None:
    """A markdown or code cell with only what the page shows; None for any other cell.

    Why: the template writes a cell's tags, id and execution count into the page; a hostile
    notebook's would add markup. Raw cells are dropped (nbconvert would pass their HTML
    through); attachments go too (the page shows no images from markdown). Outputs are
    kept as they are for :func:`prepared_output`.
    """
    kind = cell.get("cell_type")
    if kind not in {"markdown", "code"}:
        return None
    metadata = cell.get("metadata") if isinstance(cell.get("metadata"), Mapping) else {}
    clean: dict[str, Any] = {
        "cell_type": kind,
        "metadata": {"tags": _plain_names(metadata.get("tags"))},
        "source": _text(cell.get("source")),
    }
    if isinstance(cell.get("id"), str) and PLAIN_NAME_RE.match(cell["id"]):
        clean["id"] = cell["id"]
    if kind == "code":
        outputs = cell.get("outputs")
        count = cell.get("execution_count")
        clean["outputs"] = []
        clean["execution_count"] = (
            count if isinstance(count, int) and not isinstance(count, bool) else None
        )
        node = nbformat.from_dict(clean)
        node.outputs = list(outputs) if isinstance(outputs, list) else []
        return node
    return nbformat.from_dict(clean)


def saved_models(metadata: Mapping[str, Any]) -> Mapping[str, Any]:
    """The widget models saved in a notebook's metadata, or none when that state is malformed."""
    widgets = metadata.get("widgets")
    saved = widgets.get(WIDGET_STATE_MIME) if isinstance(widgets, Mapping) else None
    state = saved.get("state") if isinstance(saved, Mapping) else None
    return state if isinstance(state, Mapping) else {}


def _html_output(output: Mapping[str, Any], fragment: str) -> dict[str, Any]:
    """An output replaced by HTML the site drew (a chart, a widget snapshot), keeping its prompt."""
    kind = "execute_result" if output.get("output_type") == "execute_result" else "display_data"
    clean: dict[str, Any] = {"output_type": kind, "data": {"text/html": fragment}, "metadata": {}}
    if kind == "execute_result":
        count = output.get("execution_count")
        clean["execution_count"] = (
            count if isinstance(count, int) and not isinstance(count, bool) else None
        )
    return clean


def is_chart_table(output: Any) -> bool:
    """Whether an output is the table JupyterLab shows after a chart (the page builds its own)."""
    metadata = output.get("metadata") if isinstance(output, Mapping) else None
    return isinstance(metadata, Mapping) and metadata.get("wa") == CHART_TABLE_OUTPUT


def prepared_output(
    output: Any, models: Mapping[str, Any], caption: str, counter: ChartCounter
) -> tuple[dict[str, Any], bool]:
    """One code cell output as the page shows it, and whether it drew a chart.

    Raises MalformedOutput (or the error a malformed structure causes) for an output the
    page cannot show; :func:`prepare` puts a note in its place.
    """
    if not isinstance(output, Mapping):
        raise MalformedOutput("an output that is not a set of fields")
    data = output.get("data")
    data = data if isinstance(data, Mapping) else {}
    if PLOTLY_MIME in data:
        return _html_output(output, chart_html(data[PLOTLY_MIME], caption, counter)), True
    if WIDGET_VIEW_MIME in data:
        before = counter.count
        snapshot = widget_snapshot(view_model_id(data[WIDGET_VIEW_MIME]), models, caption, counter)
        return _html_output(output, snapshot), counter.count > before
    return sanitized_output(output), False


#: What a malformed output's structure can raise while it is drawn, beyond MalformedOutput.
MALFORMED_ERRORS = (KeyError, IndexError, TypeError, ValueError, AttributeError, RecursionError)


def shown_output(
    output: Any, cell_number: int, models: Mapping[str, Any], caption: str, counter: ChartCounter
) -> tuple[dict[str, Any], bool]:
    """:func:`prepared_output`, or a note naming the cell when the output is malformed."""
    try:
        return prepared_output(output, models, caption, counter)
    except MalformedOutput as problem:
        return note_output(cell_number, str(problem)), False
    except MALFORMED_ERRORS as error:
        return note_output(
            cell_number, f"its saved data is malformed: {type(error).__name__}"
        ), False


def prepare(notebook: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """A copy of the notebook with safe cells and outputs and its charts and widgets drawn.

    Returns the copy and the number of charts drawn. Every cell is rebuilt by
    :func:`clean_cell` and every output by :func:`shown_output` (a malformed one becomes a
    note naming its cell). A chart's caption (the first paragraph of the markdown cell
    after it) moves into the chart's figure, so the page shows it once, under the chart;
    the rest of that cell stays where it was. The saved widget state is dropped once
    rendered: the page does not need it. Markdown cells are sanitized when rendered
    (export.py's ``markdown2html``).
    """
    metadata = notebook.get("metadata") if isinstance(notebook.get("metadata"), Mapping) else {}
    models = saved_models(metadata)
    numbered = [(number, clean_cell(cell)) for number, cell in enumerate(notebook.cells, start=1)]
    kept = [(number, cell) for number, cell in numbered if cell is not None]
    cells = [cell for _, cell in kept]
    counter = ChartCounter()
    captions: dict[int, str] = {}  # caption cell index -> what stays of it once its caption moved
    for index, (number, cell) in enumerate(kept):
        if cell.cell_type != "code":
            continue
        where = caption_index(cells, index) if _draws(cell) else None
        caption, rest = split_caption(cells[where].source) if where is not None else ("", "")
        if not caption:
            where = None
        outputs = []
        for output in (o for o in cell.outputs if not is_chart_table(o)):
            shown, drew = shown_output(output, number, models, caption, counter)
            if drew and where is not None:
                captions[where] = rest
            outputs.append(shown)
        cell.outputs = [nbformat.from_dict(output) for output in outputs]
    for where, rest in captions.items():
        cells[where].source = rest
    title = metadata.get("title")
    prepared = nbformat.v4.new_notebook(
        cells=[cell for i, cell in enumerate(cells) if i not in captions or captions[i]],
        metadata={"language_info": {"name": "python", "pygments_lexer": "ipython3"}},
    )
    if isinstance(title, str):
        prepared.metadata["title"] = title
    return prepared, counter.count


#: Pygments tokens the code colours leave unstyled (names) or style as plain text (whitespace).
PLAIN_TOKEN_RE = re.compile(r'<span class="(?:n|w)">([^<]*)</span>')


def unwrap_plain_tokens(page: str) -> str:
    """Highlighted code without the spans that change nothing on screen.

    Why: pygments wraps every name in ``<span class="n">``, which no stylesheet colours; on
    code-heavy pages those spans were a third of the page's weight.
    """
    return PLAIN_TOKEN_RE.sub(r"\1", page)


#: nbconvert's empty collapser box beside every cell's input and output: JupyterLab's click
#: target to fold a cell, which a static page cannot do (site.css hides it).
EMPTY_COLLAPSER_RE = re.compile(r'<div class="jp-Collapser [^"]*">\s*</div>\n?')


def without_empty_collapsers(page: str) -> str:
    """The page without the empty collapser boxes: one per cell, with small cells (issue 23)
    they were 32 KB of the site's weight and showed nothing."""
    return EMPTY_COLLAPSER_RE.sub("", page)


#: nbconvert's tab stop on every cell's input and output box (``tabindex="0"``), so a keyboard
#: can scroll them; on these pages most never scroll, and each was a Tab press that did nothing.
CELL_TABINDEX_RE = re.compile(
    r'(<div class="(?:jp-Cell-inputWrapper|[^"]*\bjp-OutputArea-output\b[^"]*)"[^>]*?) tabindex="0"'
)


def without_idle_tab_stops(page: str) -> str:
    """The page without nbconvert's tab stop on each cell's boxes; site.js gives one to a box
    only while its content is wider than it (it scrolls), so every Tab press does something."""
    return CELL_TABINDEX_RE.sub(r"\1", page)


def title_of(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The notebook's title as :mod:`.notebooks` reads it, or ``fallback`` when it has none."""
    try:
        return first_heading(notebook)
    except ValueError:
        return fallback


# --------------------------------------------------------------------------- shared files


def plotly_version_of(bundle: Path = PLOTLY_BUNDLE) -> str:
    """The plotly.js version a bundle declares in its licence header ('plotly.js (...) vX.Y.Z')."""
    head = bundle.read_text(encoding="utf-8", errors="replace")[:400]
    match = re.search(r"plotly\.js(?: \([^)]*\))? v(\d+\.\d+\.\d+)", head)
    if not match:
        raise ValueError(f"{bundle}: no 'plotly.js vX.Y.Z' header in its first 400 characters")
    return match[1]


def check_bundle(bundle: Path = PLOTLY_BUNDLE) -> Path:
    """The vendored bundle, refused when its version is not the one the plotly package embeds.

    Why: charts are written by the Python package for its own plotly.js; another version
    can draw them differently or not at all.
    """
    if not bundle.is_file():
        raise FileNotFoundError(f"{bundle} is missing: see vendor/README.md")
    vendored, expected = plotly_version_of(bundle), plotly.offline.get_plotlyjs_version()
    if vendored != expected:
        raise ValueError(
            f"{bundle.name} is plotly.js {vendored} but the plotly package embeds {expected}: "
            "update it as vendor/README.md says"
        )
    return bundle


@cache
def lab_static() -> Path:
    """nbconvert's JupyterLab template CSS folder, wherever nbconvert's data files are installed."""
    for base in jupyter_path("nbconvert", "templates", "lab", "static"):
        if (Path(base) / "index.css").is_file():
            return Path(base)
    raise FileNotFoundError(
        "nbconvert's lab template (static/index.css) was not found: reinstall nbconvert"
    )


def minified_css(text: str) -> str:
    """CSS without comments and runs of blank space: JupyterLab's 240 KB shrinks by a third."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"\s*\n\s*", "\n", text).strip() + "\n"


def css_files() -> dict[str, str]:
    """Every stylesheet of a page by file name: JupyterLab's three, then the site's own."""
    files = {
        name: minified_css((lab_static() / name).read_text(encoding="utf-8")) for name in LAB_CSS
    }
    files["site.css"] = (SITE_ASSETS / "site.css").read_text(encoding="utf-8")
    return files


def script_source(text: str) -> str:
    """A CSP source allowing exactly one inline script: its SHA-256, base64, quoted."""
    digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")
    return f"'sha256-{digest}'"


def content_security_policy(inline_scripts: Sequence[str] = ()) -> str:
    """The policy every page carries: its own scripts run, nothing else; nothing from another host.

    Why: sanitizing is the first wall; this is the second. Even if markup got through, the
    browser runs no script but the page's own (``'self'`` for the site's linked files, or the
    hash of each script the exporter inlines), no handler attribute or ``javascript:`` URL,
    loads images and fonts only from the page itself or ``data:``, and connects nowhere.
    Styles may be inline: plotly.js sets them as it draws.
    """
    scripts = " ".join(script_source(text) for text in inline_scripts) or "'self'"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self' data:",
            "connect-src 'none'",
            "media-src 'none'",
            "object-src 'none'",
            "frame-src 'none'",
            "worker-src 'none'",
            "manifest-src 'none'",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def page_resources(inline: bool, bar: str = "") -> dict[str, Any]:
    """What the page template needs (``resources["wa"]``): linked or inlined shared files, the bar.

    ``csp`` is the page's Content-Security-Policy: with inlined files it names the hash of
    each inlined script, exactly as the template writes it.
    """
    resources: dict[str, Any] = {
        "inline": inline,
        "plotly_name": PLOTLY_BUNDLE.name,
        "site_bar": bar,
    }
    if inline:
        resources["plotly_js"] = (
            check_bundle().read_text(encoding="utf-8").replace("</script", "<\\/script")
        )
        resources["site_js"] = (SITE_ASSETS / "site.js").read_text(encoding="utf-8")
        resources["css"] = css_files()
        resources["csp"] = content_security_policy([resources["plotly_js"], resources["site_js"]])
    else:
        resources["csp"] = content_security_policy()
    return resources
