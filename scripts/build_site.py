"""Build the static HTML site: every notebook, the teacher guide and a contents page, in site/.

Why a custom build rather than plain ``jupyter nbconvert``: nbconvert's default page loads
require.js, MathJax and the widget manager from CDNs, and shows plotly outputs blank. A
classroom without network, or a reader without a kernel, would see empty charts. This build

- draws every plotly output (``application/vnd.plotly.v1+json``) as an interactive chart
  through ONE shared local copy of plotly.min.js (copied from the installed plotly package);
- renders each widget from the state nbclient saved in the notebook as a static snapshot:
  its text, its controls' values and, from the Output widget's state, its chart;
- gives every chart a text alternative: the caption sentence of the markdown cell after it,
  and the chart's data as a table one click away (a ``<details>``);
- puts a bar at the top of every page linking the contents page and the teacher guide, so a
  teacher who opens a notebook page can always get back (the notebooks' own navigation cells
  only link notebooks);
- references no external http(s) script or stylesheet (tests/test_site.py checks it);
- prints what each page weighs.

Run: ``python scripts/build_site.py [--out site]`` (``./tasks site``). Open site/index.html.
"""

from __future__ import annotations

import argparse
import base64
import copy
import html
import json
import re
import shutil
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import nbformat
import numpy as np
import plotly
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling script, also when loaded by path in tests
from navigation import NAV_TAG, first_heading  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
GUIDE = ROOT / "docs" / "teacher-guide.md"
SITE = ROOT / "site"
ASSETS = "assets"

PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"
NOTEBOOK_LINK_RE = re.compile(r'href="(?:\.\./notebooks/|notebooks/)?(\d\d-[a-z0-9-]+)\.ipynb(#[^"]*)?"')
GUIDE_LINK_RE = re.compile(r'href="(?:\.\./)?(?:docs/)?teacher-guide\.md(#[^"]*)?"')
#: Trace attributes that hold the plotted data; one table column each when present.
DATA_KEYS = ("name", "x", "y", "z", "labels", "values", "parents", "base", "text")

#: The page shell: nbconvert's JupyterLab template with every CDN reference removed and the
#: JupyterLab CSS linked once from assets/ instead of inlined into every page. The dark
#: theme follows the reader's system setting.
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}
<script src="assets/plotly.min.js" defer></script>
<script src="assets/site.js" defer></script>
{%- endblock html_head_js -%}
{% block jupyter_widgets %}{% endblock jupyter_widgets %}
{% block notebook_css %}
<link rel="stylesheet" href="assets/index.css">
<link rel="stylesheet" href="assets/theme-light.css">
<link rel="stylesheet" href="assets/theme-dark.css" media="(prefers-color-scheme: dark)">
<link rel="stylesheet" href="assets/site.css">
{% endblock notebook_css %}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""

SITE_JS = """// Draw every chart from the JSON beside it, with the one shared plotly.min.js.
document.querySelectorAll(".wa-chart").forEach(function (div) {
  var spec = JSON.parse(document.getElementById(div.dataset.spec).textContent);
  if (typeof Plotly === "undefined") {
    div.textContent = "The interactive chart needs assets/plotly.min.js; its data is in the table below.";
    return;
  }
  Plotly.newPlot(div, spec.data, spec.layout || {}, {responsive: true, displaylogo: false});
});
"""

SITE_CSS = """/* Workers Abroad site: small additions to JupyterLab's own CSS. */
main { max-width: 1100px; margin: 0 auto; padding: 1em; }
.jp-InputPrompt, .jp-OutputPrompt, .jp-Collapser { display: none; }
a.anchor-link { display: none; }
.jp-InputArea, .jp-InputArea-editor { overflow: hidden; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.wa-figure { margin: 0.5em 0 1em 0; }
.wa-chart { width: 100%; min-height: 420px; }
.wa-figure figcaption { font-style: italic; margin: 0.3em 0; }
.wa-figure details table { border-collapse: collapse; font-size: 0.9em; }
.wa-figure details th, .wa-figure details td { border: 1px solid #8a8a8a; padding: 2px 6px; text-align: right; }
.wa-widget { border: 1px dashed #8a8a8a; padding: 0.5em 0.8em; margin: 0.5em 0; }
.wa-widget-note { font-size: 0.85em; opacity: 0.85; }
.wa-control { margin: 0.2em 0; }
.wa-control output { font-weight: 600; }
.wa-contents li { margin: 0.3em 0; }
.wa-sitebar { font-size: 0.9em; padding: 0.2em 0 0.6em 0; border-bottom: 1px solid #8a8a8a; margin-bottom: 0.5em; }
td code { white-space: nowrap; }
@media (prefers-color-scheme: dark) {
  body { background: #111111; color: #e0e0e0; }
  a { color: #56B4E9; }
}
"""


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
        if key in trace and key != "name":
            column = decode_array(trace[key])
            if column:
                columns[key] = column
    return columns


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return html.escape(str(value))


def data_table(figure: Mapping[str, Any]) -> str:
    """Every trace's data as an HTML table: the chart's text alternative in numbers."""
    tables = []
    for number, trace in enumerate(figure.get("data", []), start=1):
        columns = trace_columns(trace)
        if not columns:
            continue
        name = trace.get("name") or f"trace {number}"
        length = max(len(c) for c in columns.values())
        head = "".join(f"<th scope=\"col\">{html.escape(k)}</th>" for k in columns)
        body = "".join(
            "<tr>" + "".join(f"<td>{_cell(c[i]) if i < len(c) else ''}</td>" for c in columns.values()) + "</tr>"
            for i in range(length)
        )
        tables.append(
            f'<table class="wa-data"><caption>{html.escape(str(name))} ({html.escape(str(trace.get("type", "scatter")))})'
            f"</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
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
    """One interactive chart with its caption and its data table one click away."""
    chart_id = counter.next_id()
    spec = {"data": figure.get("data", []), "layout": figure.get("layout", {})}
    # "<" escaped so that no string in the data can close the script element.
    payload = json.dumps(spec, separators=(",", ":")).replace("<", "\\u003c")
    title = figure.get("layout", {}).get("title", {})
    title_text = title.get("text", "") if isinstance(title, Mapping) else str(title)
    caption = caption_md.strip() or "A chart; its data is in the table below."
    label = plain_text(f"{re.sub(r'<[^>]+>', ' ', title_text)}. {caption}" if title_text else caption)
    return (
        f'<figure class="wa-figure">'
        f'<div class="wa-chart" id="{chart_id}" data-spec="{chart_id}-data" role="img" aria-label="{html.escape(label)}"></div>'
        f'<script type="application/json" id="{chart_id}-data">{payload}</script>'
        f"<figcaption>{markdown2html_mistune(caption)}</figcaption>"
        f"<details><summary>Data behind this chart (table)</summary>{data_table(figure)}</details>"
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
        return ", ".join(picked) or "(none)"
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
        return f"<div>{state.get('value', '')}</div>"
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
    """One output inside an Output widget, rendered without a kernel."""
    data = output.get("data", {})
    if PLOTLY_MIME in data:
        return chart_html(data[PLOTLY_MIME], caption_md, counter)
    if WIDGET_VIEW_MIME in data:
        return widget_html(data[WIDGET_VIEW_MIME]["model_id"], models, caption_md, counter)
    if "text/html" in data:
        return "".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"]
    if output.get("output_type") == "stream":
        return f"<pre>{html.escape(''.join(output.get('text', '')))}</pre>"
    if "text/plain" in data:
        text = data["text/plain"]
        return f"<pre>{html.escape(''.join(text) if isinstance(text, list) else text)}</pre>"
    return ""


# ----------------------------------------------------------------------------- notebooks


def caption_after(cells: Sequence[nbformat.NotebookNode], index: int) -> str:
    """The markdown cell after a chart cell: the one sentence that says what to see."""
    for cell in cells[index + 1:]:
        if NAV_TAG in cell.metadata.get("tags", []):
            continue
        return cell.source if cell.cell_type == "markdown" else ""
    return ""


def prepare(notebook: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, int]:
    """A copy of the notebook whose charts and widgets are plain HTML outputs.

    Returns the copy and the number of charts drawn. The saved widget state is dropped
    from the copy once rendered: the page does not need it.
    """
    notebook = copy.deepcopy(notebook)
    models = notebook.metadata.get("widgets", {}).get(WIDGET_STATE_MIME, {}).get("state", {})
    counter = ChartCounter()
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        caption = caption_after(notebook.cells, index)
        for output in cell.outputs:
            data = output.get("data", {})
            if PLOTLY_MIME in data:
                output["data"] = {"text/html": chart_html(data[PLOTLY_MIME], caption, counter)}
            elif WIDGET_VIEW_MIME in data:
                snapshot = widget_snapshot(data[WIDGET_VIEW_MIME]["model_id"], models, caption, counter)
                output["data"] = {"text/html": snapshot}
    notebook.metadata.pop("widgets", None)
    return notebook, counter.count


def site_bar(has_guide: bool) -> str:
    """The bar at the top of every page: the site's contents and, when built, the teacher guide."""
    links = ['<a href="index.html">Workers Abroad: contents</a>']
    if has_guide:
        links.append('<a href="teacher-guide.html">Teacher guide</a>')
    return f'<nav class="wa-sitebar" aria-label="Site">{" · ".join(links)}</nav>'


def add_site_bar(page: str, has_guide: bool) -> str:
    """The page with the site bar as the first thing inside its <main>."""
    return page.replace("<main>", "<main>" + site_bar(has_guide), 1)


def rewrite_links(page: str) -> str:
    """Links between notebooks and to the guide point at the built pages."""
    page = NOTEBOOK_LINK_RE.sub(lambda m: f'href="{m[1]}.html{m[2] or ""}"', page)
    return GUIDE_LINK_RE.sub(lambda m: f'href="teacher-guide.html{m[1] or ""}"', page)


def exporter() -> HTMLExporter:
    """nbconvert's lab template with the CDN-free shell above."""
    loader = jinja2.DictLoader({"workers_abroad.html.j2": TEMPLATE})
    return HTMLExporter(template_name="lab", template_file="workers_abroad.html.j2", extra_loaders=[loader])


def title_of(notebook: nbformat.NotebookNode, fallback: str) -> str:
    """The first '# ' heading outside the navigation cells, as navigation.py reads it."""
    return first_heading(notebook) or fallback


def render(notebook: nbformat.NotebookNode, title: str, html_exporter: HTMLExporter, has_guide: bool = True) -> str:
    """One notebook as one self-contained page (apart from the shared assets), under the site bar."""
    notebook.metadata["title"] = title
    body, _ = html_exporter.from_notebook_node(notebook)
    return add_site_bar(rewrite_links(body), has_guide)


def markdown_page(markdown: str, title: str, html_exporter: HTMLExporter, has_guide: bool = True) -> str:
    """A markdown document (the teacher guide, the contents) in the same page shell."""
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])
    return render(notebook, title, html_exporter, has_guide)


def plotly_js() -> Path:
    """The plotly.min.js that ships inside the installed plotly package."""
    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise FileNotFoundError(f"plotly.min.js not found at {path}: reinstall plotly")
    return path


def write_assets(out: Path) -> None:
    """The shared files every page links to: plotly.js, JupyterLab's CSS, the site's own."""
    assets = out / ASSETS
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(plotly_js(), assets / "plotly.min.js")
    lab_static = Path(sys.prefix) / "share" / "jupyter" / "nbconvert" / "templates" / "lab" / "static"
    for name in ("index.css", "theme-light.css", "theme-dark.css"):
        shutil.copyfile(lab_static / name, assets / name)
    (assets / "site.js").write_text(SITE_JS, encoding="utf-8")
    (assets / "site.css").write_text(SITE_CSS, encoding="utf-8")


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
    if out.exists():
        shutil.rmtree(out)
    write_assets(out)
    html_exporter = exporter()
    has_guide = guide.is_file()
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")) if notebooks is None else list(notebooks)
    pages: list[Page] = []
    entries: list[tuple[str, str]] = []
    for path in paths:
        notebook, charts = prepare(nbformat.read(path, as_version=4))
        title = title_of(notebook, path.stem)
        target = out / f"{path.stem}.html"
        target.write_text(render(notebook, title, html_exporter, has_guide), encoding="utf-8")
        pages.append(Page(target, title, target.stat().st_size, charts))
        entries.append((path.stem, title))
    if has_guide:
        target = out / "teacher-guide.html"
        target.write_text(markdown_page(guide.read_text(encoding="utf-8"), "Teacher guide", html_exporter), "utf-8")
        pages.append(Page(target, "Teacher guide", target.stat().st_size, 0))
    index = out / "index.html"
    contents = markdown_page(contents_markdown(entries, has_guide), "Workers Abroad", html_exporter, has_guide)
    index.write_text(contents, "utf-8")
    pages.insert(0, Page(index, "Contents", index.stat().st_size, 0))
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=SITE, help="output folder (default: site/)")
    args = parser.parse_args(argv)
    pages = build(args.out)
    shared = sum(p.stat().st_size for p in (args.out / ASSETS).iterdir())
    print(f"{'page':<40} {'KB':>7} {'charts':>6}")
    for page in pages:
        print(f"{page.path.name:<40} {page.size / 1024:>7.0f} {page.charts:>6}")
    print(f"{'assets/ (shared by every page)':<40} {shared / 1024:>7.0f}")
    print(f"open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
