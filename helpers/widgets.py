"""The base for the notebooks' explorers: controls, one line of text and one chart.

Why this shape: the render function is pure (values in, figure and text out), so it is testable
without a browser; the text is escaped here, so data text never becomes markup; and the chart goes
into an Output widget's state, not printed, so nothing leaks into the outputs nbval compares.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from helpers.data import row
from helpers.plots import bundle, esc


@dataclass(frozen=True)
class View:
    """What an explorer shows for one setting of its controls: a figure (or None) and plain text."""

    figure: go.Figure | None
    text: str


class Explorer:
    """Controls that redraw one chart and one line of text whenever a value changes."""

    def __init__(self, controls: Mapping[str, widgets.ValueWidget], render: Callable[..., View], title: str = "") -> None:
        self.controls = dict(controls)
        self.render = render
        self.text = widgets.HTML(layout=widgets.Layout(margin="4px 0"))
        self.text.add_class("wa-explorer-text")
        self.chart = widgets.Output()
        self.chart.add_class("wa-explorer-chart")
        header = [widgets.HTML(f"<b>{esc(title)}</b>")] if title else []
        self.widget = widgets.VBox([*header, widgets.VBox(list(self.controls.values())), self.text, self.chart])
        for control in self.controls.values():
            control.observe(lambda _change: self.refresh(), names="value")
        self.refresh()

    def values(self) -> dict[str, Any]:
        """The controls' current values, keyed as the render function expects them."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> View:  # render the current values into the text (escaped) and the chart
        view = self.render(**self.values())
        self.text.value = esc(view.text)
        self.chart.outputs = ({"output_type": "display_data", "data": bundle(view.figure), "metadata": {}},) if view.figure else ()
        return view

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def assumption_slider(assumptions: pd.DataFrame, assumption_id: str) -> widgets.FloatSlider:
    """A slider for one labelled assumption: its label says ASSUMPTION, its range and default come from data/.
    Checked again here (the loader already does): a slider silently clamps a default it cannot show."""
    assumption = row(assumptions, assumption_id)
    low, default, high, step = (float(assumption[c]) for c in ("minimum", "default", "maximum", "step"))
    if not all(map(math.isfinite, (low, default, high, step))) or not (low <= default <= high and step > 0):
        raise ValueError(f"assumptions.csv, {assumption_id}: need finite minimum <= default <= maximum and step > 0")
    return widgets.FloatSlider(
        value=default, min=low, max=high, step=step, description=str(assumption["label"]),
        readout_format=".0%" if assumption["unit"] == "share" else ",.0f", continuous_update=False,
        style={"description_width": "initial"}, layout=widgets.Layout(width="95%"),
    )

