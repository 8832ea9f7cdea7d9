"""The base for the notebooks' explorers: controls, one line of text and one chart.

Why this shape: the render function is pure (control values in, figure and text out), so it
can be tested without a browser; the text is escaped here, so a label read from data/ can
never become markup; and the chart is written into an Output widget's state rather than
printed, so nothing leaks into the cell outputs that nbval compares.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from helpers.plots import bundle, esc


@dataclass(frozen=True)
class View:
    """What an explorer shows for one setting of its controls: a figure (or None) and plain text."""

    figure: go.Figure | None
    text: str


Render = Callable[..., View]


class Explorer:
    """Controls that redraw one chart and one line of text whenever a value changes."""

    def __init__(self, controls: Mapping[str, widgets.ValueWidget], render: Render, title: str = "") -> None:
        self.controls = dict(controls)
        self.render = render
        self.text = widgets.HTML(layout=widgets.Layout(margin="4px 0"))
        self.text.add_class("wa-explorer-text")
        self.chart = widgets.Output()
        self.chart.add_class("wa-explorer-chart")
        header = [widgets.HTML(f"<b>{esc(title)}</b>")] if title else []
        self.widget = widgets.VBox([*header, widgets.VBox(list(self.controls.values())), self.text, self.chart])
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    def values(self) -> dict[str, Any]:
        """The controls' current values, keyed as the render function expects them."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> View:
        """Render the current values into the text (escaped) and the chart."""
        view = self.render(**self.values())
        self.text.value = esc(view.text)
        outputs = [{"output_type": "display_data", "data": bundle(view.figure), "metadata": {}}] if view.figure else []
        self.chart.outputs = tuple(outputs)
        return view

    def _on_change(self, _change: Mapping[str, Any]) -> None:
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def assumption_slider(assumptions: pd.DataFrame, assumption_id: str) -> widgets.FloatSlider:
    """A slider for one labelled assumption: its label says ASSUMPTION, its range and default come from data/.

    The loader guarantees minimum <= default <= maximum and step > 0; this checks again, because a
    slider silently clamps a default it cannot show, and a reader would then see another number.
    """
    matches = assumptions[assumptions["assumption_id"] == assumption_id]
    if matches.empty:
        raise KeyError(f"no assumption {assumption_id!r} in assumptions.csv")
    row = matches.iloc[0]
    low, default, high, step = (float(row[c]) for c in ("minimum", "default", "maximum", "step"))
    if not all(map(math.isfinite, (low, default, high, step))) or not (low <= default <= high and step > 0):
        raise ValueError(f"assumptions.csv, {assumption_id}: need finite minimum <= default <= maximum and step > 0")
    return widgets.FloatSlider(
        value=default, min=low, max=high, step=step, description=str(row["label"]),
        readout_format=".0%" if row["unit"] == "share" else ",.0f", continuous_update=False,
        style={"description_width": "initial"}, layout=widgets.Layout(width="95%"),
    )


__all__ = ["Explorer", "View", "assumption_slider"]
