"""Measuring charts, tables and focus in the page: the plumbing behind tests/test_layout.py.

Why measure in the browser: a chart's collisions are made by the fonts, the width the
chart gets and plotly's own layout, none of which the figure's JSON knows. So the page
is asked, with ``getBoundingClientRect()``, where every piece of text of every plotly
chart was drawn, and the rules below are judged on those boxes (CSS pixels, viewport
coordinates). The JavaScript only collects; every rule is a small Python function here,
so a failure message can name the page, the chart's title and the boxes involved.

The rules, precisely:

- **Text boxes** are the drawn lines of a chart's title, subtitle, axis titles, tick
  labels, legend entries and legend title, annotations, colour-bar text and data labels
  (scatter text, bar text, pie text). A text of several lines (``<br>``) gives one box per
  line; hover labels are not counted (they appear only under the pointer), nor empty or
  invisible text.
- **Overlap**: no two boxes of different texts share more than ``OVERLAP_TOLERANCE`` px in
  both directions. Lines of one text may touch (their boxes share a leading).
- **Chart edge**: every box lies inside the chart's drawing (``.svg-container``); a box
  that sticks out is clipped or runs into the next cell ("final report" shown as "final").
- **Page edge**: every box lies between the page's left and right edges (in JupyterLab
  the notebook's, which clips what runs past it).
- **Plot edge**: a box is either wholly inside a plot area (``.nsewdrag``, one per subplot)
  or wholly outside it; one that straddles the edge is a label running out of the plot
  or a tick label running into it. Tick labels and axis titles are outside by design,
  annotations and data labels inside; both are allowed, only the crossing is not.
- **Markers**: no text box covers a scatter marker (``.scatterlayer .point``) by more than
  ``OVERLAP_TOLERANCE`` px in both directions: a marker on a label hides both.
- **Lines**: no drawn line runs through a text box (less ``OVERLAP_TOLERANCE`` on each
  side): the lines of scatter traces and the strokes of shapes (a deadline, a range), sampled
  every 2 px along the path. Gridlines, axis lines and unstroked fills are not counted.
- **Title lines**: when a title wraps, no line holds a single word (words are split at
  any space, the non-breaking ones too, so "22 Dec 2019" counts as three words; a line
  that is only "2019" or "days" fails).
- **Greyscale**: bars drawn in one chart with different colours (traces, or per-bar
  colours) differ by at least ``MIN_LIGHTNESS_STEP`` in CIE L* lightness, so a greyscale
  photocopy still tells the categories apart.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

#: Pixels two boxes may share before they count as overlapping: glyph boxes include the
#: font's ascent and descent, so neighbouring lines can touch by a pixel without any ink meeting.
OVERLAP_TOLERANCE = 2.0
#: Pixels a box may stick out of an edge: sub-pixel rounding of plotly's positions.
EDGE_TOLERANCE = 1.0
#: Share of a text line's box above its capitals (Liberation Sans/Arial: ascent 0.905 em, cap
#: height 0.716 em, line box about 1.15 em, so about 0.16 of the box; 0.2 leaves room for
#: rounding). Used only at a chart's top edge, where a title may start right at the edge.
ASCENT_ALLOWANCE = 0.2
#: CIE L* difference between two bar colours of one chart. About 10 units is where two
#: flat greys read as different at a glance on paper; the Okabe-Ito orange (#E69F00) and sky
#: blue (#56B4E9) of issue 21 differ by about 2.
MIN_LIGHTNESS_STEP = 10.0

#: Collects every chart under ``root`` (a plotly graph div: ``.js-plotly-plot``).
#: For each: its title lines, the chart's and plot areas' boxes, every text box (per line),
#: scatter markers' boxes and the colours of its bars (normalised by a canvas to rgb()).
MEASURE_JS = r"""root => {
  const KINDS = [
    ['title', '.g-gtitle .gtitle'], ['subtitle', '.gtitle-subtitle'],
    ['x tick', '.xaxislayer-above text'], ['y tick', '.yaxislayer-above text'],
    ['x title', '.infolayer > g[class^="g-x"] > text'],
    ['y title', '.infolayer > g[class^="g-y"] > text'],
    ['annotation', '.annotation-text'], ['legend', '.legendtext'],
    ['legend title', '.legendtitletext'],
    ['colour bar', '.colorbar text'], ['data label', '.textpoint text'], ['bar label', '.bartext'],
    ['pie label', '.slicetext'],
  ];
  const rect = e => { const r = e.getBoundingClientRect();
    return {l: r.left, t: r.top, r: r.right, b: r.bottom}; };
  const shown = e => {
    const r = e.getBoundingClientRect();
    if (r.width <= 0 || r.height <= 0 || !(e.textContent || '').trim()) { return false; }
    for (let a = e; a && a.nodeType === 1; a = a.parentElement) {
      const s = getComputedStyle(a);
      const hidden = s.display === 'none' || s.visibility === 'hidden' || Number(s.opacity) === 0;
      if (hidden) { return false; }
      if (a.classList.contains('js-plotly-plot')) { break; }
    }
    return true;
  };
  // A visible stroke: a line a reader sees (a filled band without an outline is not one).
  const stroked = path => {
    const s = getComputedStyle(path);
    return (path.getAttribute('d') || '').length > 1 && s.stroke !== 'none'
      && parseFloat(s.strokeWidth) > 0 && Number(s.strokeOpacity) > 0 && Number(s.opacity) > 0
      && !/rgba\(.*,\s*0\)$/.test(s.stroke);
  };
  // Points every 2 px along a path, in viewport coordinates (as getBoundingClientRect gives).
  const sample = path => {
    const length = path.getTotalLength();
    const m = path.getScreenCTM();
    const points = [];
    for (let d = 0; d <= length; d += 2) {
      const p = path.getPointAtLength(d);
      points.push([m.a * p.x + m.c * p.y + m.e, m.b * p.x + m.d * p.y + m.f]);
    }
    return points;
  };
  const canvas = document.createElement('canvas').getContext('2d');
  const rgb = c => {
    canvas.fillStyle = '#000';
    canvas.fillStyle = String(c);
    return canvas.fillStyle;
  };
  const plots = [...root.querySelectorAll('.js-plotly-plot')]
    .filter(p => p.querySelector('.main-svg'));
  return plots.map((plot, index) => {
    const texts = [];
    let group = 0;
    for (const [kind, selector] of KINDS) {
      for (const el of plot.querySelectorAll(selector)) {
        if (el.closest('.hoverlayer') || !shown(el)) { continue; }
        group += 1;
        const lines = [...el.querySelectorAll('tspan.line')].filter(shown);
        for (const line of (lines.length ? lines : [el])) {
          texts.push({kind, group, text: line.textContent, box: rect(line)});
        }
      }
    }
    const titleEl = plot.querySelector('.g-gtitle .gtitle');
    const titleLines = titleEl
      ? ([...titleEl.querySelectorAll('tspan.line')].map(t => t.textContent).filter(t => t.trim())
         .concat([]))
      : [];
    const bars = [];
    for (const trace of (plot._fullData || [])) {
      if (trace.type !== 'bar' || trace.visible !== true) { continue; }
      const colour = trace.marker?.color;
      const colours = Array.isArray(colour) ? colour : [colour];
      for (const each of colours) {
        if (each !== undefined && each !== null) {
          const name = String(trace.name ?? '');
          bars.push({name, colour: rgb(each), opacity: trace.opacity ?? 1});
        }
      }
    }
    return {
      index: index + 1,
      title: titleEl ? [...titleEl.childNodes].map(n => n.textContent).join(' ') : '',
      titleLines: titleLines.length ? titleLines : (titleEl ? [titleEl.textContent] : []),
      chart: rect(plot.querySelector('.svg-container') || plot),
      plots: [...plot.querySelectorAll('.draglayer .nsewdrag')].map(rect),
      markers: [...plot.querySelectorAll('.scatterlayer .point')].filter(p => {
        const r = p.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).map(rect),
      lines: [...plot.querySelectorAll('.scatterlayer .js-line, .shapelayer path')]
        .filter(stroked).map(path => ({
          what: path.closest('.shapelayer') ? 'a drawn line (shape)'
            : `the line of ${JSON.stringify(
                path.closest('.trace')?.__data__?.[0]?.trace?.name ?? '')}`,
          points: sample(path)})),
      texts, bars,
      page: rect(plot.closest('.jp-Notebook') || document.documentElement),
    };
  });
}"""


@dataclass(frozen=True)
class Box:
    """A rectangle in CSS pixels, as getBoundingClientRect gives it."""

    left: float
    top: float
    right: float
    bottom: float

    @classmethod
    def of(cls, raw: dict[str, float]) -> Box:
        return cls(raw["l"], raw["t"], raw["r"], raw["b"])

    def shared(self, other: Box) -> tuple[float, float]:
        """Width and height of the intersection (negative when apart)."""
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.bottom, other.bottom) - max(self.top, other.top)
        return width, height

    def overlaps(self, other: Box, tolerance: float = OVERLAP_TOLERANCE) -> bool:
        width, height = self.shared(other)
        return width > tolerance and height > tolerance

    def inside(self, other: Box, tolerance: float = EDGE_TOLERANCE) -> bool:
        return (
            self.left >= other.left - tolerance
            and self.right <= other.right + tolerance
            and self.top >= other.top - tolerance
            and self.bottom <= other.bottom + tolerance
        )

    def __str__(self) -> str:
        return f"[{self.left:.0f},{self.top:.0f} → {self.right:.0f},{self.bottom:.0f}]"


def describe(text: dict[str, Any]) -> str:
    """One text box for a failure message: its kind, its words and where it is."""
    return f"{text['kind']} {text['text'][:40]!r} {Box.of(text['box'])}"


def chart_name(chart: dict[str, Any]) -> str:
    return f"chart {chart['index']} ({chart['title'][:60]!r})"


def text_overlaps(chart: dict[str, Any]) -> list[str]:
    """Pairs of boxes of different texts that overlap."""
    found = []
    for first, second in itertools.combinations(chart["texts"], 2):
        if first["group"] == second["group"]:
            continue
        if Box.of(first["box"]).overlaps(Box.of(second["box"])):
            found.append(f"{describe(first)} overlaps {describe(second)}")
    return found


def outside_chart(chart: dict[str, Any]) -> list[str]:
    """Boxes sticking out of the chart's drawing (clipped or spilling into the page).

    At the top edge a box may stick out by ``ASCENT_ALLOWANCE`` of its height: a line box
    starts at the font's ascent, above the tallest capital, and no ink is drawn there.
    """
    frame = Box.of(chart["chart"])
    found = []
    for text in chart["texts"]:
        box = Box.of(text["box"])
        allowance = ASCENT_ALLOWANCE * (box.bottom - box.top)
        lowered = Box(box.left, min(box.top + allowance, box.bottom), box.right, box.bottom)
        if not lowered.inside(frame):
            found.append(f"{describe(text)} crosses the chart edge {frame}")
    return found


def outside_page(chart: dict[str, Any]) -> list[str]:
    """Boxes left or right of the page (in JupyterLab: of the notebook, which clips its cells)."""
    page = Box.of(chart["page"])
    return [
        f"{describe(text)} crosses the page edge ({page.left:.0f}–{page.right:.0f} px)"
        for text in chart["texts"]
        if Box.of(text["box"]).left < page.left - EDGE_TOLERANCE
        or Box.of(text["box"]).right > page.right + EDGE_TOLERANCE
    ]


def straddling_plot(chart: dict[str, Any]) -> list[str]:
    """Boxes that are partly inside and partly outside a plot area."""
    found = []
    for raw_area in chart["plots"]:
        area = Box.of(raw_area)
        for text in chart["texts"]:
            box = Box.of(text["box"])
            if box.overlaps(area, EDGE_TOLERANCE) and not box.inside(area):
                found.append(f"{describe(text)} crosses the plot edge {area}")
    return found


def text_on_markers(chart: dict[str, Any]) -> list[str]:
    """Text boxes that cover a scatter marker; each text named once, with how many it covers."""
    markers = [Box.of(raw) for raw in chart["markers"]]
    found = []
    for text in chart["texts"]:
        box = Box.of(text["box"])
        covered = [marker for marker in markers if box.overlaps(marker)]
        if covered:
            found.append(f"{describe(text)} covers {len(covered)} marker(s), e.g. at {covered[0]}")
    return found


def lines_through_text(chart: dict[str, Any]) -> list[str]:
    """Text boxes that a drawn line (a trace's line or a shape's stroke) runs through."""
    found = []
    for text in chart["texts"]:
        box = Box.of(text["box"])
        inner = Box(
            box.left + OVERLAP_TOLERANCE,
            box.top + OVERLAP_TOLERANCE,
            box.right - OVERLAP_TOLERANCE,
            box.bottom - OVERLAP_TOLERANCE,
        )
        for line in chart["lines"]:
            crossing = next(
                (
                    (x, y)
                    for x, y in line["points"]
                    if inner.left < x < inner.right and inner.top < y < inner.bottom
                ),
                None,
            )
            if crossing is not None:
                found.append(
                    f"{line['what']} runs through {describe(text)} at "
                    f"({crossing[0]:.0f},{crossing[1]:.0f})"
                )
    return found


def single_word_lines(chart: dict[str, Any]) -> list[str]:
    """Lines of a wrapped title that hold one word (a title on one line is never at fault)."""
    lines = chart["titleLines"]
    if len(lines) < 2:
        return []
    return [f"title line {line!r} holds a single word" for line in lines if len(line.split()) < 2]


def layout_problems(chart: dict[str, Any]) -> list[str]:
    """Every geometric rule of the module docstring, for one chart."""
    return (
        text_overlaps(chart)
        + outside_chart(chart)
        + outside_page(chart)
        + straddling_plot(chart)
        + text_on_markers(chart)
        + lines_through_text(chart)
        + single_word_lines(chart)
    )


# ------------------------------------------------------------------------------- greyscale


def _linear(channel: float) -> float:
    value = channel / 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def lightness(colour: str) -> float:
    """CIE L* (0 black … 100 white) of a CSS colour as a canvas normalises it ('#rrggbb' or
    'rgba(...)').

    Translucent colours are judged as drawn over white, which is the chart's background.
    """
    hex_match = re.fullmatch(r"#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})", colour.lower())
    if hex_match:
        red, green, blue = (int(part, 16) for part in hex_match.groups())
        alpha = 1.0
    else:
        numbers = [float(part) for part in re.findall(r"[\d.]+", colour)]
        if len(numbers) < 3:
            raise ValueError(f"not a colour a canvas gives back: {colour!r}")
        red, green, blue = numbers[:3]
        alpha = numbers[3] if len(numbers) > 3 else 1.0
    red, green, blue = (alpha * c + (1 - alpha) * 255 for c in (red, green, blue))
    luminance = 0.2126 * _linear(red) + 0.7152 * _linear(green) + 0.0722 * _linear(blue)
    if luminance > (6 / 29) ** 3:
        scaled = luminance ** (1 / 3)
    else:
        scaled = luminance / (3 * (6 / 29) ** 2) + 4 / 29
    return 116 * scaled - 16


def close_bar_colours(chart: dict[str, Any]) -> list[str]:
    """Pairs of different bar colours of one chart whose lightness differs too little."""
    named: dict[str, str] = {}
    for bar in chart["bars"]:
        named.setdefault(bar["colour"], bar["name"])
    found = []
    for first, second in itertools.combinations(named, 2):
        step = abs(lightness(first) - lightness(second))
        if step < MIN_LIGHTNESS_STEP:
            found.append(
                f"{named[first]!r} {first} and {named[second]!r} {second} differ by L* {step:.1f} "
                f"(< {MIN_LIGHTNESS_STEP:.0f})"
            )
    return found


# ------------------------------------------------------------------------------ data tables

#: For every chart under ``root``: the tables that describe it. On the site a described table
#: is one referenced by ``aria-describedby`` from the chart or an ancestor (the figure); in
#: JupyterLab, where the plotly renderer sets no attributes, it is a table inside a
#: ``<details>`` that follows the chart in the same output area (a cell's or an explorer's).
#: Also whether the chart's SVG is hidden from screen readers (``aria-hidden`` on it or above).
TABLES_JS = r"""root => [...root.querySelectorAll('.js-plotly-plot')]
  .filter(p => p.querySelector('.main-svg')).map((plot, index) => {
    const described = [];
    for (let e = plot; e && e !== document.body; e = e.parentElement) {
      for (const id of (e.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)) {
        const target = document.getElementById(id);
        if (target) { described.push(target); }
      }
      if (described.length) { break; }
    }
    const tablesIn = t => t.tagName === 'TABLE' ? [t] : [...t.querySelectorAll('table')];
    let tables = described.flatMap(tablesIn);
    let how = tables.length ? 'aria-describedby' : '';
    if (!tables.length) {
      const area = plot.closest('.jp-OutputArea');
      if (area) {
        tables = [...area.querySelectorAll('details table')].filter(
          t => plot.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING);
        how = tables.length ? 'details after the chart' : '';
      }
    }
    const cellsOf = row => [...row.querySelectorAll('th, td')].map(c => c.textContent.trim());
    let hidden = false;
    for (let e = plot.querySelector('.main-svg'); e && e !== document.body; e = e.parentElement) {
      if (e.getAttribute('aria-hidden') === 'true') { hidden = true; break; }
    }
    return {
      index: index + 1, how, svgHidden: hidden,
      title: [...(plot.querySelector('.gtitle')?.childNodes ?? [])]
        .map(n => n.textContent).join(' '),
      tables: tables.map(t => ({
        caption: t.caption ? t.caption.textContent.trim() : '',
        head: t.tHead ? [...t.tHead.rows].map(cellsOf) : [],
        body: [...t.tBodies].flatMap(b => [...b.rows].map(cellsOf)),
      })),
    };
  })"""

#: An internal id: upper-case words joined by underscores (WE_US_2020_WORLD).
ID_PATTERN = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
#: A column name as code writes it (transport_id, as_of_label).
SNAKE_PATTERN = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")
#: A Python or JSON list, or a float printed with its binary noise (6049.999999999999).
LIST_PATTERN = re.compile(r"[\[\]]")
RAW_FLOAT_PATTERN = re.compile(r"\d\.\d{5,}")
#: Headings and captions that name plotly's fields, not what is measured.
GENERIC_HEADINGS = {"x", "y", "z", "label", "text", "value", "values", "labels", "id"}
GENERIC_CAPTION = re.compile(r"^series \d+$", re.IGNORECASE)
#: How a missing value may not be shown: the house style writes "no figure". Compared exactly:
#: pandas' and Python's spellings (NaN, None, <NA>, NaT), empty cells and bare dashes; a word
#: a table chose on purpose ("none" in a Flag column) is not one of them.
MISSING_SPELLINGS = {"", "nan", "NaN", "None", "null", "<NA>", "NaT", "–", "—", "-", "– –"}


def cell_problems(text: str, where: str) -> list[str]:
    """What is wrong with one caption, heading or cell of a data table."""
    problems = []
    if ID_PATTERN.search(text):
        problems.append(f"{where} {text[:50]!r} shows an internal id")
    if LIST_PATTERN.search(text):
        problems.append(f"{where} {text[:50]!r} shows list syntax")
    if RAW_FLOAT_PATTERN.search(text):
        problems.append(f"{where} {text[:50]!r} shows an unrounded number")
    return problems


def table_problems(table: dict[str, Any]) -> list[str]:
    """A data table for people: named columns, no ids, no lists, no raw floats, "no figure"."""
    problems = []
    caption = table["caption"]
    if GENERIC_CAPTION.match(caption):
        problems.append(f"caption {caption!r} does not say what the table holds")
    problems += cell_problems(caption, "caption")
    headings = [heading for row in table["head"] for heading in row]
    if not headings:
        problems.append("the table has no column headings")
    for heading in headings:
        if heading.lower() in GENERIC_HEADINGS:
            problems.append(f"heading {heading!r} names a plotly field, not what is measured")
        if SNAKE_PATTERN.search(heading):
            problems.append(f"heading {heading!r} is a code name")
        problems += cell_problems(heading, "heading")
    columns = table["head"][-1] if table["head"] else []
    for number, row in enumerate(table["body"], start=1):
        for position, text in enumerate(row):
            column = columns[position] if position < len(columns) else f"#{position + 1}"
            where = f"row {number}, column {column!r}:"
            if text in MISSING_SPELLINGS:
                problems.append(f"{where} a missing value shown as {text!r}, not 'no figure'")
            problems += cell_problems(text, where)
    return problems


def every_chart_table_problem(entries: list[dict[str, Any]], on_site: bool) -> list[str]:
    """chart_table_problems for every chart of a page, each named by its number and title."""
    return [
        f"chart {entry['index']} ({entry['title'][:60]!r}): {problem}"
        for entry in entries
        for problem in chart_table_problems(entry, on_site)
    ]


def chart_table_problems(entry: dict[str, Any], on_site: bool) -> list[str]:
    """Whether a chart has a described data table fit for people.

    On the site the table must be linked by ``aria-describedby`` and the SVG hidden from
    screen readers (the table is the text alternative); in JupyterLab a table in a
    ``<details>`` after the chart is what the notebook can give.
    """
    if not entry["tables"]:
        return ["no data table describes this chart"]
    problems = []
    if on_site and entry["how"] != "aria-describedby":
        problems.append(
            f"the data table is not linked by aria-describedby (found as: {entry['how']})"
        )
    require_hidden_svg = on_site
    if require_hidden_svg and not entry["svgHidden"]:
        problems.append("the chart's SVG is not hidden from screen readers (aria-hidden)")
    for table in entry["tables"]:
        problems += table_problems(table)
    return problems


# ------------------------------------------------------------------------- print and code

#: A4's content box in CSS px: 210 mm less the print stylesheet's 15 mm margins, at 96 px/in.
A4_CONTENT_WIDTH = round((210 - 2 * 15) * 96 / 25.4)

#: Tables, code blocks and charts of a page: their box and how wide their content is.
#: A code block is the ``pre`` of an input cell or a stream output; its content width is
#: its scrollWidth; whether it (or an ancestor inside its cell) scrolls is recorded.
BLOCKS_JS = r"""() => {
  const pick = [
    ['table', 'main table'], ['code', 'main pre'], ['chart', 'main .js-plotly-plot .main-svg'],
  ];
  const scrolls = e => {
    for (let a = e; a && !a.classList.contains('jp-Cell'); a = a.parentElement) {
      if (a === document.body) { break; }
      const s = getComputedStyle(a).overflowX;
      if (s === 'auto' || s === 'scroll') { return true; }
    }
    return false;
  };
  const out = [];
  for (const [kind, selector] of pick) {
    for (const el of document.querySelectorAll(selector)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) { continue; }
      const area = kind === 'code' && el.closest('.jp-InputArea-editor, .jp-OutputArea-output');
      const clipper = area || el;
      const clipped = clipper.getBoundingClientRect().width;
      out.push({kind, left: r.left, right: r.right, scrollWidth: el.scrollWidth,
                visibleWidth: Math.min(el.clientWidth || r.width, clipped),
                scrolls: scrolls(el),
                text: (el.closest('.js-plotly-plot')?.querySelector('.gtitle')?.textContent
                       || el.innerText || '').trim().slice(0, 50)});
    }
  }
  return out;
}"""


def too_wide_for_paper(blocks: list[dict[str, Any]], width: float = A4_CONTENT_WIDTH) -> list[str]:
    """Blocks whose box or content runs past the A4 content box (content is cut on paper)."""
    return [
        f"{block['kind']} {block['text']!r}: box to {block['right']:.0f} px, content "
        f"{block['scrollWidth']} px in {block['visibleWidth']:.0f} px "
        f"(A4 content box {width:.0f} px)"
        for block in blocks
        if block["right"] > width + EDGE_TOLERANCE
        or block["left"] < -EDGE_TOLERANCE
        or block["scrollWidth"] > block["visibleWidth"] + EDGE_TOLERANCE
    ]


def clipped_code(blocks: list[dict[str, Any]]) -> list[str]:
    """Code blocks on screen whose content is wider than their box and that cannot scroll."""
    return [
        f"code {block['text']!r}: content {block['scrollWidth']} px in "
        f"{block['visibleWidth']:.0f} px with no scroll bar"
        for block in blocks
        if block["kind"] == "code"
        and block["scrollWidth"] > block["visibleWidth"] + EDGE_TOLERANCE
        and not block["scrolls"]
    ]


# --------------------------------------------------------------------------------- keyboard

#: The focused element, described: where it is (inside a chart?), what it is and its focus ring.
FOCUSED_JS = r"""() => {
  const e = document.activeElement;
  if (!e || e === document.body) { return null; }
  const s = getComputedStyle(e);
  return {
    what: e.tagName.toLowerCase() + (e.classList.length ? '.' + e.classList[0] : ''),
    acts: ['a', 'button', 'input', 'select', 'textarea', 'summary']
        .includes(e.tagName.toLowerCase())
      || e.isContentEditable
      || ['button', 'link', 'slider', 'checkbox', 'radio', 'tab', 'menuitem', 'spinbutton',
          'switch', 'combobox', 'textbox'].includes(e.getAttribute('role'))
      || e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1,
    tag: e.tagName.toLowerCase(),
    text: (e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 40),
    href: e.getAttribute('href'), inChart: !!e.closest('.js-plotly-plot'),
    chart: e.closest('.js-plotly-plot')
      ? [...document.querySelectorAll('.js-plotly-plot')].indexOf(e.closest('.js-plotly-plot')) + 1
        + ' (' + (e.closest('.js-plotly-plot').querySelector('.gtitle')?.textContent ?? '') + ')'
      : '',
    outline: s.outlineStyle === 'auto'
      || (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2
          && !/rgba\(.*,\s*0\)$|transparent/.test(s.outlineColor)),
    shadow: s.boxShadow !== 'none',
    ring: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}; box-shadow ${s.boxShadow}`,
    key: e.tagName + '|' + (e.id || '') + '|' + [...e.parentNode.children].indexOf(e) + '|' +
         (e.getAttribute('href') || '') + '|' + (e.innerText || '').slice(0, 30) + '|' +
         Math.round(e.getBoundingClientRect().top + window.scrollY),
  };
}"""

#: A tab stop "acts" when it is a link, a control (native or by ARIA role), an editable
#: readout or a region that scrolls (the keyboard's only way to scroll it). Any other
#: focusable element (a cell's wrapper with tabindex=0) is a stop that does nothing.
#: Most tab stops a chart may hold: the two toolbar buttons a reader uses (download, reset).
MAX_TAB_STOPS_PER_CHART = 2


def two_bars(first: tuple[str, str], second: tuple[str, str]) -> list[dict[str, Any]]:
    """Two bar traces over the categories a and b, each a (name, colour): the bars of the
    figures the rules are tried on."""
    return [
        {"type": "bar", "x": ["a", "b"], "y": y, "name": name, "marker": {"color": colour}}
        for (name, colour), y in ((first, [3, 4]), (second, [2, 1]))
    ]
