"""The base for the notebooks' explorers: controls, one line of text and one chart.

Why this shape: the render function is pure (values in, figure and text out), so it is testable
without a browser; the text is escaped here, so data text never becomes markup; and the chart goes
into an Output widget's state, not printed, so nothing leaks into the outputs nbval compares.

Sliders are drawn by noUiSlider, whose handle (``role=slider``) has no accessible name and
announces its raw value (0.699999988079071) rather than the readout (70%); ``SliderNames``, a
hidden anywidget placed once in every explorer, names each handle and gives it the readout's text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anywidget
import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go
import traitlets

from helpers.derived import NotFound
from helpers.numbers import RANGE_SETTINGS, range_problems
from helpers.plots import esc, outputs


@dataclass(frozen=True)
class View:
    """What an explorer shows for one setting of its controls: a figure (or None) and plain text."""

    figure: go.Figure | None
    text: str


class Explorer:
    """Controls that redraw one chart and one line of text whenever a value changes."""

    def __init__(
        self,
        controls: Mapping[str, widgets.ValueWidget],
        render: Callable[..., View],
        title: str = "",
        columns: int = 1,
    ) -> None:
        """``columns``: how many control rows sit side by side; 2 lets a simulator's controls and
        its plot share one 1024x768 projector screen (Voila, no code shown) instead of
        scrolling."""
        _require_explorer_arguments(controls, render, title)
        _require_columns(columns)
        self.controls = dict(controls)
        self.render = render
        self.text = widgets.HTML(layout=widgets.Layout(margin="4px 0"))
        self.text.add_class("wa-explorer-text")
        self.chart = widgets.Output()
        self.chart.add_class("wa-explorer-chart")
        header = [widgets.HTML(f'<b class="wa-explorer-title">{esc(title)}</b>')] if title else []
        rows = [labelled(control, names=False) for control in self.controls.values()]
        # One SliderNames for the whole explorer, last so the rows keep their places.
        self.widget = widgets.VBox(
            [*header, _control_grid(rows, columns), self.text, self.chart, SliderNames()]
        )
        self.widget.add_class("wa-explorer")
        for control in self.controls.values():
            control.observe(lambda _change: self.refresh(), names="value")
        self.refresh()

    def values(self) -> dict[str, Any]:
        """The controls' current values, keyed as the render function expects them."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> View:  # render the current values into the text (escaped) and the chart
        view = self.render(**self.values())
        if not isinstance(view, View):
            raise TypeError(
                f"render must return a View (a figure or None, and text), not {type(view).__name__}"
            )
        self.text.value = esc(view.text)
        self.chart.outputs = tuple(outputs(view.figure)) if view.figure else ()
        return view

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


#: Sliders: ipywidgets draws their description beside the track, clipped to one line, and their
#: handle (noUiSlider) takes no name from it, so the description can move above the track.
_SLIDERS = (
    widgets.IntSlider,
    widgets.FloatSlider,
    widgets.FloatLogSlider,
    widgets.IntRangeSlider,
    widgets.FloatRangeSlider,
    widgets.SelectionSlider,
    widgets.SelectionRangeSlider,
)


def labelled(control: widgets.Widget, *, names: bool = True) -> widgets.Widget:
    """A control laid out for reading. A slider gets its description above it as a wrapping
    label (ipywidgets clips a description beside a track to one line, and descriptions of
    different lengths start the tracks at ragged places); it keeps the text as its tooltip. A
    dropdown keeps its description beside it, because that label is the select's accessible
    name (``<label for>``), at its natural width, and is made wide enough for its longest
    option. Other controls stay as they are.

    ``names``: a slider's box holds a ``SliderNames`` that gives its handle the label as its
    name and the readout as its value, so a slider shown on its own is named too; an
    ``Explorer`` passes False and places one for all its sliders."""
    description = getattr(control, "description", "")
    if isinstance(control, widgets.Dropdown):
        fit_dropdown(control)
        return control
    if not description or not isinstance(control, _SLIDERS):
        return control
    label = widgets.HTML(f'<label class="wa-control-label">{esc(description)}</label>')
    control.description = ""
    control.tooltip = description
    control.style.description_width = "0px"  # no room kept for the description now above
    box = widgets.VBox(
        [label, control, *([SliderNames()] if names else [])],
        layout=widgets.Layout(margin="0 0 6px 0"),
    )
    box.add_class("wa-control")  # where SliderNames finds the label of the slider inside
    return box


#: The front end of SliderNames: plain JavaScript, no imports, text set only by setAttribute.
#: Its box is the nearest ``.wa-explorer`` (an Explorer) or ``.wa-control`` (one labelled
#: slider). A handle's name is its row's ``.wa-control-label``, else the description ipywidgets
#: keeps (the hidden label's tooltip or text); its value text is its slider's ``.widget-readout``
#: (for a range slider, the handle's side of "low – high"). A MutationObserver on the box redoes
#: this on every change (a key, a drag, a value set from Python, sliders drawn after this
#: widget); it writes only attributes that differ, so its own writes end the loop at once.
SLIDER_NAMES_ESM = r"""
const BOX = ".wa-explorer, .wa-control";
const SLIDER = ".widget-slider, .jupyter-widget-slider, .widget-inline-hbox, .widget-inline-vbox";
const HANDLE = ".noUi-handle[role='slider']";
const WATCHED = ["aria-valuenow", "aria-valuetext", "aria-label", "title"];
const RANGE = /\s+[\u2013\u2014-]\s+/;

function words(text) {
  return (text || "").replace(/\s+/g, " ").trim();
}

function nameOf(handle, slider) {
  const row = handle.closest(".wa-control");
  const heading = row ? row.querySelector(".wa-control-label") : null;
  const label = slider ? slider.querySelector(".widget-label") : null;
  const candidates = [
    heading ? heading.textContent : "",
    label ? label.getAttribute("title") : "",
    label ? label.textContent : "",
    slider ? slider.getAttribute("title") : "",
  ];
  return candidates.map(words).find(Boolean) || "";
}

function valueOf(handle, slider) {
  const readout = slider ? slider.querySelector(".widget-readout") : null;
  const shown = words(readout ? readout.textContent : "");
  const handles = slider ? [...slider.querySelectorAll(HANDLE)] : [];
  const sides = shown.split(RANGE);
  return handles.length > 1 && sides.length === handles.length
    ? sides[handles.indexOf(handle)]
    : shown;
}

function write(node, attribute, text) {
  if (text && node.getAttribute(attribute) !== text) {
    node.setAttribute(attribute, text);
  }
}

function nameAll(box) {
  for (const handle of box.querySelectorAll(HANDLE)) {
    const slider = handle.closest(SLIDER);
    write(handle, "aria-label", nameOf(handle, slider));
    write(handle, "aria-valuetext", valueOf(handle, slider));
  }
}

function render({ el }) {
  el.setAttribute("aria-hidden", "true");
  el.style.display = "none";
  let observer = null;
  let timer = null;
  let tries = 0;
  const attach = () => {
    const box = el.closest(BOX);
    if (!box) {
      tries += 1;
      timer = tries < 600 ? setTimeout(attach, 100) : null;
      return;
    }
    nameAll(box);
    observer = new MutationObserver(() => nameAll(box));
    observer.observe(box, {
      subtree: true,
      childList: true,
      characterData: true,
      attributes: true,
      attributeFilter: WATCHED,
    });
  };
  attach();
  return () => {
    clearTimeout(timer);
    if (observer) {
      observer.disconnect();
    }
  };
}

export default { render };
"""


#: Styles anywidget adds to the page once, for every explorer: the selected button of a toggle
#: group and the keyboard focus show as shape, not only as a shade (JupyterLab's dark theme draws
#: the selected toggle one shade from the others), in the theme's brand colour, 3:1 or more on
#: both themes' backgrounds.
EXPLORER_CSS = """
.wa-explorer .widget-toggle-button.mod-active,
.wa-explorer .jupyter-button.mod-active {
  font-weight: 700;
  box-shadow: inset 0 -4px 0 0 var(--jp-brand-color1, #1a5fb4);
}
.wa-explorer :focus-visible,
.wa-control :focus-visible {
  outline: 3px solid var(--jp-brand-color1, #1a5fb4);
  outline-offset: 2px;
}
"""


class SliderNames(anywidget.AnyWidget):
    """Gives every slider handle in its box an accessible name and the readout as its value.

    Why: ipywidgets' slider handle (noUiSlider, ``role=slider``) takes no name from its
    description, which ``labelled`` moves above the track, and announces its raw value
    (0.699999988079071, 386) where the readout shows 70% or 22 Dec 2017. anywidget ships its
    JupyterLab and Voila front end prebuilt in its wheel, so this needs no extension of our own
    and nothing from a CDN. It shows nothing: it is hidden and hidden from screen readers. It
    also carries the explorers' few styles (:data:`EXPLORER_CSS`), which anywidget adds to the
    page.
    """

    _esm = traitlets.Unicode(SLIDER_NAMES_ESM).tag(sync=True)
    _css = traitlets.Unicode(EXPLORER_CSS).tag(sync=True)

    def __init__(self) -> None:  # nothing to set: it takes its text from the page
        super().__init__(layout=widgets.Layout(display="none"))


def fit_dropdown(control: widgets.Dropdown) -> widgets.Dropdown:
    """Size a dropdown so its description and its longest option show whole."""
    if not isinstance(control, widgets.Dropdown):
        raise TypeError(f"control must be an ipywidgets Dropdown, not {type(control).__name__}")
    control.style.description_width = "initial"
    described = f"{0.55 * len(control.description) + 1:.1f}em + " if control.description else ""
    control.layout.width = f"calc({described}{_option_width(control)})"
    control.layout.max_width = "100%"
    return control


def _option_width(control: widgets.Widget) -> str:
    """A dropdown's width that shows its longest option whole: about 0.55 em a character and
    3 em for the arrow."""
    longest = max((len(str(label)) for label in control.options), default=8)
    return f"{0.55 * longest + 3:.1f}em"


#: The gap between two columns of controls.
COLUMN_GAP = "0 24px"


def _control_grid(rows: list[widgets.Widget], columns: int) -> widgets.Box:
    """The control rows in one column, or in a grid of equal columns."""
    if columns == 1:
        return widgets.VBox(rows)
    grid = widgets.Layout(
        grid_template_columns=f"repeat({columns}, minmax(0, 1fr))", grid_gap=COLUMN_GAP
    )
    return widgets.GridBox(rows, layout=grid)


def _require_columns(columns: object) -> None:
    """One, two or three columns of controls: more would not fit a 1024 px screen."""
    if not isinstance(columns, int) or isinstance(columns, bool):
        raise TypeError(f"columns must be a whole number, not {type(columns).__name__}")
    if columns not in (1, 2, 3):
        raise ValueError(f"columns must be 1, 2 or 3, not {columns}")


def _require_explorer_arguments(controls: object, render: object, title: object) -> None:
    """Controls by name (ipywidgets with a value), a render function, a title as text."""
    if not isinstance(controls, Mapping) or not all(
        isinstance(k, str) and isinstance(v, widgets.ValueWidget) for k, v in controls.items()
    ):
        raise TypeError(
            "controls must map parameter names to ipywidgets controls (sliders, dropdowns, ...)"
        )
    if not callable(render):
        raise TypeError(
            f"render must be a function of the controls' values, not {type(render).__name__}"
        )
    if not isinstance(title, str):
        raise TypeError(f"title must be text, not {type(title).__name__}")


def assumption_slider(assumptions: pd.DataFrame, assumption_id: str) -> widgets.FloatSlider:
    """A slider for one labelled assumption: its label says ASSUMPTION, its range and default
    come from data/. Checked again here (the loader already does): a slider silently clamps a
    default it cannot show."""
    needed = [*RANGE_SETTINGS, "label", "unit"]
    if not isinstance(assumptions, pd.DataFrame) or not set(needed) <= set(assumptions.columns):
        raise TypeError(
            "assumptions must be the assumptions table (from helpers.data.load_all()),"
            f" with the columns {needed}"
        )
    if not isinstance(assumption_id, str) or assumption_id not in assumptions.index:
        raise NotFound(f"no row {assumption_id!r:.60} in table 'assumptions'")
    assumption = assumptions.loc[assumption_id]
    problems = range_problems(*(assumption[setting] for setting in RANGE_SETTINGS))
    if problems:
        reasons = "; ".join(problem.message for problem in problems)
        raise ValueError(f"assumptions.csv, {assumption_id}: {reasons}")
    low, default, high, step = (float(assumption[setting]) for setting in RANGE_SETTINGS)
    kind = "share" if assumption["unit"] == "share" else "number"
    return slider(str(assumption["label"]), default, low, high, step, kind=kind)


#: The width of every control's description, so the tracks of a group of sliders start at one
#: place; a longer description wraps inside it rather than pushing its track to the right.
DESCRIPTION_WIDTH = "16em"
#: Readouts as the text writes numbers (d3-format): 100,000; $5,000; 50%.
READOUT_FORMATS = {"number": ",.0f", "money": "$,.0f", "share": ".0%", "decimal": ",.2~f"}
_CONTROL_STYLE = {"description_width": DESCRIPTION_WIDTH}
_CONTROL_LAYOUT = {"width": "min(100%, 44em)"}


def slider(
    description: str,
    value: float,
    low: float,
    high: float,
    step: float,
    *,
    kind: str = "number",
) -> widgets.FloatSlider:
    """A slider whose readout reads as the text does (``kind``: number 100,000, money $5,000,
    share 50%, decimal 1.25), whose description has the house width so tracks align, and which
    redraws when let go. Shown through ``labelled`` or an ``Explorer``, its handle is named by
    the description and announces the readout (``SliderNames``); on its own it is not."""
    if not isinstance(description, str):
        raise TypeError(f"description must be text, not {type(description).__name__}")
    if kind not in READOUT_FORMATS:
        raise ValueError(f"kind must be one of {tuple(READOUT_FORMATS)}, not {kind!r:.40}")
    problems = range_problems(low, value, high, step)
    if problems:
        reasons = "; ".join(problem.message for problem in problems)
        raise ValueError(f"slider {description!r:.40}: {reasons}")
    low, value, high, step = (float(number) for number in (low, value, high, step))
    control = widgets.FloatSlider(
        value=value,
        min=low,
        max=high,
        step=step,
        description=description,
        description_allow_html=False,
        readout_format=READOUT_FORMATS[kind],
        continuous_update=False,
        style=_CONTROL_STYLE,
        layout=widgets.Layout(**_CONTROL_LAYOUT),
    )
    control.add_class("wa-slider")
    return control


def dropdown(description: str, options: Sequence[Any], value: Any = None) -> widgets.Dropdown:
    """A dropdown as wide as its description and longest option (so none is cut). ``options``
    are texts or (text, value) pairs, as ipywidgets takes them."""
    if not isinstance(description, str):
        raise TypeError(f"description must be text, not {type(description).__name__}")
    if isinstance(options, str | bytes) or not isinstance(options, Sequence) or not options:
        raise TypeError("options must be a non-empty list of texts or (text, value) pairs")
    control = fit_dropdown(widgets.Dropdown(options=list(options), description=description))
    if value is not None:
        control.value = value
    control.add_class("wa-dropdown")
    return control
