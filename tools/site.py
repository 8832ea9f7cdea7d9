"""Build the static HTML site: every notebook, the teacher guide and a contents page, in site/.

Why a custom build rather than plain ``jupyter nbconvert``: nbconvert's default page loads
require.js, MathJax and the widget manager from CDNs, and shows plotly outputs blank. A
classroom without network, or a reader without a kernel, would see empty charts. This module
renders a notebook into a page that

- draws every plotly output (``application/vnd.plotly.v1+json``) as an interactive chart
  with ONE shared local copy of the partial plotly.js bundle in tools/vendor/ (the version
  the plotly package embeds; tests/test_site.py keeps the two in step);
- renders each widget from the state nbclient saved in the notebook as a static snapshot:
  its text, its controls' values and, from the Output widget's state, its chart;
- gives every chart a text alternative: the caption (the markdown cell after the chart,
  moved under it so it is shown once) and the chart's data as a readable table one click
  away, expanded when printed;
- sanitizes every text/html and text/markdown output and every widget HTML value with nh3
  (ammonia), because outputs carry text from data/, which is untrusted; links survive only
  with http(s) URLs;
- prints to A4 with every chart resized to the paper and the navigation hidden;
- references no external http(s) script or stylesheet (tests/test_site.py checks it).

The same rendering makes the single-file page of ``jupyter nbconvert --to workers-abroad``
(tools/export.py), which inlines the bundle and the CSS instead of linking them.

Run: ``python -m tools.site [--out site] [--notebooks DIR]`` (``./tasks site``). Open site/index.html.
"""

from __future__ import annotations

import argparse
import base64
import copy
import html
import json
import math
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import nbformat
import nh3
import numpy as np
import plotly.offline
from jupyter_core.paths import jupyter_path
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from tools.notebooks import NAV_TAG, first_heading, notebook_paths

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
GUIDE = ROOT / "docs" / "teacher-guide.md"
SITE = ROOT / "site"
ASSETS = "assets"
SITE_ASSETS = Path(__file__).resolve().parent / "site_assets"
VENDOR = Path(__file__).resolve().parent / "vendor"
#: The partial plotly.js bundle (npm plotly.js-cartesian-dist-min) every page draws with.
PLOTLY_BUNDLE = VENDOR / "plotly-cartesian.min.js"
TEMPLATE_FILE = "workers_abroad.html.j2"
LAB_CSS = ("index.css", "theme-light.css", "theme-dark.css")

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
NOTEBOOK_LINK_RE = re.compile(r'href="(?:\.\./notebooks/|notebooks/)?(\d\d-[a-z0-9-]+)\.ipynb(#[^"]*)?"')
GUIDE_LINK_RE = re.compile(r'href="(?:\.\./)?(?:docs/)?teacher-guide\.md(#[^"]*)?"')
#: Trace attributes that hold the plotted data; one table column each when present.
DATA_KEYS = ("x", "y", "z", "labels", "values", "parents", "base", "text")
#: What a data-table cell shows when the chart has no value there.
MISSING = "–"

# ----------------------------------------------------------------------------- sanitizing

#: Tags an output may keep: nh3's safe default set (no script, style, iframe, form, svg), less images,
#: which would load from the network; a chart or table never needs one.
SAFE_TAGS = set(nh3.ALLOWED_TAGS) - {"img", "map", "area"}
#: Attributes an output may keep: nh3's defaults plus presentation-only ones.
SAFE_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"class", "title", "lang", "dir", "style"},
}
#: Inline style properties kept (pandas' and helpers' tables align and emphasise cells).
SAFE_STYLE = {"text-align", "font-weight", "font-style", "white-space", "vertical-align", "padding", "color",
              "background-color", "border", "border-bottom", "border-top"}
#: Link schemes kept: only web links; relative links (between notebooks) stay as they are.
SAFE_SCHEMES = {"http", "https"}


def sanitize(fragment: str) -> str:
    """An HTML fragment with everything that could run or load removed (nh3/ammonia).

    Why: outputs and widget values carry text from data/, which anyone can edit; on a page
    served from disk a planted ``<img onerror>`` would run. Links keep only http(s) URLs.
    """
    return nh3.clean(
        fragment,
        tags=SAFE_TAGS,
        attributes=SAFE_ATTRIBUTES,
        url_schemes=SAFE_SCHEMES,
        filter_style_properties=SAFE_STYLE,
        link_rel="noopener noreferrer",
    )


def _joined(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def sanitized_output(output: Mapping[str, Any]) -> dict[str, Any]:
    """An output whose text/html and text/markdown are replaced by one sanitized text/html.

    Markdown is rendered first (mistune passes raw HTML through), then sanitized, so both
    kinds end as the same safe HTML.
    """
    output = copy.deepcopy(dict(output))
    data = output.get("data")
    if not isinstance(data, dict):
        return output
    if "text/html" in data:
        data["text/html"] = sanitize(_joined(data["text/html"]))
        data.pop("text/markdown", None)
    elif "text/markdown" in data:
        data["text/html"] = sanitize(markdown2html_mistune(_joined(data.pop("text/markdown"))))
    # Scripts, SVG and JavaScript outputs have no place on a static page built from data.
    for mime in ("application/javascript", "text/javascript", "image/svg+xml"):
        data.pop(mime, None)
    return output


@dataclass(frozen=True)
class Page:
    """One built page: its file, what it weighs and how many charts it draws."""

    path: Path
    title: str
    size: int
    charts: int


# ---------------------------------------------------------------------------- chart data


def decode_array(value: Any) -> list[Any]:
    """A trace attribute as a plain list, decoding plotly's base64 typed arrays.

    plotly 6+ writes numpy arrays as ``{"dtype": "f8", "bdata": "...", "shape": "..."}``;
    the table of a chart's data must show the numbers, not the encoding.
    """
    if isinstance(value, Mapping) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if value.get("shape"):
            array = array.reshape([int(n) for n in str(value["shape"]).split(",")])
        return array.tolist()
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


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
    return {"x": "x", "y": "y", "z": "value", "text": "label", "labels": "label", "values": "value"}.get(key, key)


def data_table(figure: Mapping[str, Any]) -> str:
    """Every trace's data as an HTML table: the chart's text alternative in numbers. All text escaped."""
    layout = figure.get("layout", {}) or {}
    tables = []
    for number, trace in enumerate(figure.get("data", []), start=1):
        columns = trace_columns(trace)
        if not columns:
            continue
        name = plotly_text(str(trace.get("name") or "")) or f"series {number}"
        length = max(len(c) for c in columns.values())
        head = "".join(
            f'<th scope="col">{html.escape(column_heading(key, trace, layout))}</th>' for key in columns
        )
        rows = []
        for i in range(length):
            cells = []
            for column in columns.values():
                text, numeric = format_value(column[i]) if i < len(column) else (MISSING, False)
                cls = ' class="wa-num"' if numeric else ""
                cells.append(f"<td{cls}>{html.escape(text)}</td>")
            rows.append("<tr>" + "".join(cells) + "</tr>")
        tables.append(
            f'<table class="wa-data"><caption>{html.escape(name)}</caption>'
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
        )
    return "".join(tables)


def plain_text(markdown: str) -> str:
    """A markdown sentence as plain text, for an aria-label."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", markdown)
    text = re.sub(r"[*_`#>]", "", text)
    return " ".join(text.split())


class ChartCounter:
    """Numbers the charts of one page, so each gets a stable id."""

    def __init__(self) -> None:
        self.count = 0

    def next_id(self) -> str:
        self.count += 1
        return f"wa-chart-{self.count}"


def chart_html(figure: Mapping[str, Any], caption_md: str, counter: ChartCounter) -> str:
    """One interactive chart with its caption and its data table one click away.

    The figure element carries the accessible name (title and caption); the plot itself has
    no role, because plotly puts focusable controls inside it, which an ``img`` may not hold.
    """
    chart_id = counter.next_id()
    spec = {"data": figure.get("data", []), "layout": figure.get("layout", {})}
    # "<" escaped so that no string in the data can close the script element.
    payload = json.dumps(spec, separators=(",", ":")).replace("<", "\\u003c")
    title = figure.get("layout", {}).get("title", {})
    title_text = plotly_text(title.get("text", "") if isinstance(title, Mapping) else str(title))
    caption = caption_md.strip() or "A chart; its data is in the table below."
    label = plain_text(f"{title_text}. {caption}" if title_text else caption)
    return (
        f'<figure class="wa-figure" aria-label="{html.escape(label)}">'
        f'<div class="wa-chart" id="{chart_id}" data-spec="{chart_id}-data"></div>'
        f'<script type="application/json" id="{chart_id}-data">{payload}</script>'
        f"<figcaption>{sanitize(markdown2html_mistune(caption))}</figcaption>"
        f'<details class="wa-data-details"><summary>Data behind this chart (table)</summary>'
        f"{data_table(figure)}</details>"
        f"</figure>"
    )


# ------------------------------------------------------------------------- widget snapshots


def _model_id(ref: Any) -> str | None:
    if isinstance(ref, str) and ref.startswith("IPY_MODEL_"):
        return ref[len("IPY_MODEL_"):]
    return None


def _control_value(state: Mapping[str, Any]) -> str:
    """What a control showed when the notebook was executed, as text."""
    labels = state.get("_options_labels")
    if labels is not None and "index" in state:
        index = state["index"]
        picked = [labels[i] for i in index] if isinstance(index, list) else ([] if index is None else [labels[index]])
        return ", ".join(str(p) for p in picked) or "(none)"
    if "value" in state:
        value = state["value"]
        if isinstance(value, list):
            return " – ".join(_formatted(v, state.get("readout_format")) for v in value)
        return _formatted(value, state.get("readout_format"))
    return ""


def _formatted(value: Any, readout_format: str | None) -> str:
    """A slider value as its readout shows it: '.0%' and ',.0f' mean the same in d3 and Python."""
    if readout_format and isinstance(value, int | float) and re.fullmatch(r",?\.\d+[f%]", readout_format):
        return format(value, readout_format)
    return str(value)


def widget_html(model_id: str, models: Mapping[str, Any], caption_md: str, counter: ChartCounter) -> str:
    """A static snapshot of one widget and its children from the saved widget state."""
    model = models.get(model_id)
    if model is None:
        return '<p class="wa-widget-note">(This widget was not saved with the notebook; run the notebook to see it.)</p>'
    name, state = model.get("model_name", ""), model.get("state", {})
    if name in {"VBoxModel", "HBoxModel", "BoxModel", "GridBoxModel", "AccordionModel", "TabModel"}:
        direction = "row" if name == "HBoxModel" else "column"
        children = "".join(
            widget_html(child, models, caption_md, counter)
            for child in (_model_id(ref) for ref in state.get("children", []))
            if child
        )
        return f'<div style="display:flex;flex-direction:{direction};gap:4px">{children}</div>'
    if name in {"HTMLModel", "HTMLMathModel"}:
        return f"<div>{sanitize(str(state.get('value', '')))}</div>"
    if name == "LabelModel":
        return f"<div>{html.escape(str(state.get('value', '')))}</div>"
    if name == "OutputModel":
        return "".join(output_html(out, caption_md, counter, models) for out in state.get("outputs", []))
    if "value" in state or "index" in state:
        description = html.escape(str(state.get("description", "")))
        return (
            f'<div class="wa-control"><span>{description}</span> '
            f"<output>{html.escape(_control_value(state))}</output></div>"
        )
    return ""


def widget_snapshot(model_id: str, models: Mapping[str, Any], caption_md: str, counter: ChartCounter) -> str:
    """A widget's snapshot, framed and labelled as a snapshot."""
    body = widget_html(model_id, models, caption_md, counter)
    note = (
        '<p class="wa-widget-note">Snapshot of the explorer as the notebook was executed: '
        "the controls show their default values. Run the notebook in JupyterLab, Binder or "
        "JupyterHub to move them.</p>"
    )
    return f'<div class="wa-widget">{note}{body}</div>'


def output_html(output: Mapping[str, Any], caption_md: str, counter: ChartCounter, models: Mapping[str, Any]) -> str:
    """One output inside an Output widget, rendered without a kernel (sanitized like any output)."""
    data = output.get("data", {})
    if PLOTLY_MIME in data:
        return chart_html(data[PLOTLY_MIME], caption_md, counter)
    if WIDGET_VIEW_MIME in data:
        return widget_html(data[WIDGET_VIEW_MIME]["model_id"], models, caption_md, counter)
    if "text/html" in data or "text/markdown" in data:
        return sanitized_output(output)["data"]["text/html"]
    if output.get("output_type") == "stream":
        return f"<pre>{html.escape(_joined(output.get('text', '')))}</pre>"
    if "text/plain" in data:
        return f"<pre>{html.escape(_joined(data['text/plain']))}</pre>"
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
        PLOTLY_MIME in o.get("data", {}) or WIDGET_VIEW_MIME in o.get("data", {}) for o in cell.outputs
    )


def prepare(notebook: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """A copy of the notebook whose outputs are sanitized HTML and whose charts and widgets are drawn.

    Returns the copy and the number of charts drawn. A chart's caption (the first paragraph
    of the markdown cell after it) moves into the chart's figure, so the page shows it once,
    under the chart; the rest of that cell stays where it was. The saved widget state is
    dropped once rendered: the page does not need it.
    """
    notebook = copy.deepcopy(notebook)
    models = notebook.metadata.get("widgets", {}).get(WIDGET_STATE_MIME, {}).get("state", {})
    counter = ChartCounter()
    captions: dict[int, str] = {}  # caption cell index -> what stays of it once its caption moved
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        where = caption_index(notebook.cells, index) if _draws(cell) else None
        caption, rest = split_caption(notebook.cells[where].source) if where is not None else ("", "")
        if not caption:
            where = None
        outputs = []
        for output in cell.outputs:
            data = output.get("data", {})
            if PLOTLY_MIME in data:
                output["data"] = {"text/html": chart_html(data[PLOTLY_MIME], caption, counter)}
                if where is not None:
                    captions[where] = rest
            elif WIDGET_VIEW_MIME in data:
                before = counter.count
                snapshot = widget_snapshot(data[WIDGET_VIEW_MIME]["model_id"], models, caption, counter)
                output["data"] = {"text/html": snapshot}
                if counter.count > before and where is not None:
                    captions[where] = rest
            else:
                output = sanitized_output(output)
            outputs.append(output)
        cell.outputs = outputs
    for where, rest in captions.items():
        notebook.cells[where].source = rest
    notebook.cells = [cell for i, cell in enumerate(notebook.cells) if i not in captions or captions[i]]
    notebook.metadata.pop("widgets", None)
    return notebook, counter.count


def site_bar(has_guide: bool) -> str:
    """The bar at the top of every page: the site's contents and, when built, the teacher guide."""
    links = ['<a href="index.html">Workers Abroad: contents</a>']
    if has_guide:
        links.append('<a href="teacher-guide.html">Teacher guide</a>')
    return f'<nav class="wa-sitebar" aria-label="Site">{" · ".join(links)}</nav>'


def rewrite_links(page: str) -> str:
    """Links between notebooks and to the guide point at the built pages."""
    page = NOTEBOOK_LINK_RE.sub(lambda m: f'href="{m[1]}.html{m[2] or ""}"', page)
    return GUIDE_LINK_RE.sub(lambda m: f'href="teacher-guide.html{m[1] or ""}"', page)


#: Pygments tokens the code colours leave unstyled (names) or style as plain text (whitespace).
PLAIN_TOKEN_RE = re.compile(r'<span class="(?:n|w)">([^<]*)</span>')


def unwrap_plain_tokens(page: str) -> str:
    """Highlighted code without the spans that change nothing on screen.

    Why: pygments wraps every name in ``<span class="n">``, which no stylesheet colours; on
    code-heavy pages those spans were a third of the page's weight.
    """
    return PLAIN_TOKEN_RE.sub(r"\1", page)


def title_of(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The notebook's title as tools.notebooks reads it, or ``fallback`` when it has none."""
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
        raise FileNotFoundError(f"{bundle} is missing: see tools/vendor/README.md")
    vendored, expected = plotly_version_of(bundle), plotly.offline.get_plotlyjs_version()
    if vendored != expected:
        raise ValueError(
            f"{bundle.name} is plotly.js {vendored} but the plotly package embeds {expected}: "
            "update it as tools/vendor/README.md says"
        )
    return bundle


@cache
def lab_static() -> Path:
    """nbconvert's JupyterLab template CSS folder, wherever nbconvert's data files are installed."""
    for base in jupyter_path("nbconvert", "templates", "lab", "static"):
        if (Path(base) / "index.css").is_file():
            return Path(base)
    raise FileNotFoundError("nbconvert's lab template (static/index.css) was not found: reinstall nbconvert")


def minified_css(text: str) -> str:
    """CSS without comments and runs of blank space: JupyterLab's 240 KB shrinks by a third."""
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return re.sub(r"\s*\n\s*", "\n", text).strip() + "\n"


def css_files() -> dict[str, str]:
    """Every stylesheet of a page by file name: JupyterLab's three, then the site's own."""
    files = {name: minified_css((lab_static() / name).read_text(encoding="utf-8")) for name in LAB_CSS}
    files["site.css"] = (SITE_ASSETS / "site.css").read_text(encoding="utf-8")
    return files


def page_resources(inline: bool, bar: str = "") -> dict[str, Any]:
    """What the page template needs (``resources["wa"]``): linked or inlined shared files, the bar."""
    resources: dict[str, Any] = {"inline": inline, "plotly_name": PLOTLY_BUNDLE.name, "site_bar": bar}
    if inline:
        resources["plotly_js"] = check_bundle().read_text(encoding="utf-8").replace("</script", "<\\/script")
        resources["site_js"] = (SITE_ASSETS / "site.js").read_text(encoding="utf-8")
        resources["css"] = css_files()
    return resources


def write_assets(out: Path) -> None:
    """The shared files every page links to: plotly.js, JupyterLab's CSS, the site's own."""
    assets = out / ASSETS
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(check_bundle(), assets / PLOTLY_BUNDLE.name)
    for name, text in css_files().items():
        (assets / name).write_text(text, encoding="utf-8")
    shutil.copyfile(SITE_ASSETS / "site.js", assets / "site.js")


# --------------------------------------------------------------------------------- build


def contents_markdown(entries: Sequence[tuple[str, str]], has_guide: bool) -> str:
    """The contents page: every notebook in reading order, then the teacher guide."""
    lines = [
        "# Workers Abroad",
        "",
        "Interactive notebooks about North Korean workers abroad and the UN repatriation deadline, "
        "as static pages. Charts are interactive (hover, zoom); each has its data in a table below it. "
        "Widgets show a snapshot: to move their controls, run the notebooks in JupyterLab.",
        "",
        "## Notebooks",
        "",
        *[f"{name[:2]}. [{title}]({name}.html)" for name, title in entries],
    ]
    if has_guide:
        lines += ["", "## For teachers", "", "- [Teacher guide](teacher-guide.html)"]
    return "\n".join(lines) + "\n"


def build(out: Path = SITE, notebooks: Sequence[Path] | None = None, guide: Path = GUIDE) -> list[Page]:
    """Build the whole site into ``out`` (emptied first) and return its pages."""
    from tools.export import WorkersAbroadExporter  # the exporter renders through this module

    if out.exists():
        shutil.rmtree(out)
    write_assets(out)
    has_guide = guide.is_file()
    exporter = WorkersAbroadExporter(inline_assets=False, site_bar=site_bar(has_guide))
    paths = notebook_paths() if notebooks is None else list(notebooks)
    pages: list[Page] = []
    entries: list[tuple[str, str]] = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        body, resources = exporter.from_notebook_node(notebook, {"metadata": {"name": path.stem}})
        target = out / f"{path.stem}.html"
        target.write_text(rewrite_links(body), encoding="utf-8")
        title = resources["wa"]["title"]
        pages.append(Page(target, title, target.stat().st_size, resources["wa"]["charts"]))
        entries.append((path.stem, title))
    documents = [("index.html", "Workers Abroad", contents_markdown(entries, has_guide))]
    if has_guide:
        documents.append(("teacher-guide.html", "Teacher guide", guide.read_text(encoding="utf-8")))
    for name, title, markdown in documents:
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])
        notebook.metadata["title"] = title
        body, _ = exporter.from_notebook_node(notebook, {"metadata": {"name": title}})
        target = out / name
        target.write_text(rewrite_links(body), encoding="utf-8")
        page = Page(target, "Contents" if name == "index.html" else title, target.stat().st_size, 0)
        pages.insert(0, page) if name == "index.html" else pages.append(page)
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=SITE, help="output folder, emptied first (default: site/)")
    parser.add_argument(
        "--notebooks", type=Path, default=None,
        help="folder of executed notebooks to build from (default: notebooks/, as committed)",
    )
    args = parser.parse_args(argv)
    paths = notebook_paths(args.notebooks) if args.notebooks else None
    pages = build(args.out, paths)
    shared = sum(p.stat().st_size for p in (args.out / ASSETS).iterdir())
    total = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"{'page':<40} {'KB':>7} {'charts':>6}")
    for page in pages:
        print(f"{page.path.name:<40} {page.size / 1024:>7.0f} {page.charts:>6}")
    print(f"{'assets/ (shared by every page)':<40} {shared / 1024:>7.0f}")
    print(f"{'whole site':<40} {total / 1024:>7.0f}")
    print(f"open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
