"""The base for the notebooks' explorers: controls, one chart and one line of text.

Why this shape: the render function is pure (control values in, figure and text out), so
it is unit-tested without a browser; and the chart is written into an Output widget's
state rather than printed, so nothing leaks into the cell outputs that nbval compares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import pandas as pd
import plotly.graph_objects as go

from helpers.plots import RENDERER


@dataclass(frozen=True)
class View:
    """What an explorer shows for one setting of its controls."""

    figure: go.Figure | None
    text: str


Render = Callable[..., View]


def figure_output(figure: go.Figure) -> dict[str, Any]:
    """A display_data output for an Output widget's ``outputs``, in the house renderer."""
    bundle = figure._repr_mimebundle_()
    return {"output_type": "display_data", "data": bundle, "metadata": {}}


class Explorer:
    """Controls that redraw one chart and one line of text whenever a value changes."""

    def __init__(self, controls: Mapping[str, widgets.ValueWidget], render: Render, title: str = "") -> None:
        self.controls = dict(controls)
        self.render = render
        self.text = widgets.HTML(layout=widgets.Layout(margin="4px 0"))
        self.text.add_class("wa-explorer-text")
        self.chart = widgets.Output()
        self.chart.add_class("wa-explorer-chart")
        header = [widgets.HTML(f"<b>{title}</b>")] if title else []
        self.widget = widgets.VBox(
            [*header, widgets.VBox(list(self.controls.values())), self.text, self.chart]
        )
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self.refresh()

    def values(self) -> dict[str, Any]:
        """The controls' current values, keyed as the render function expects them."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self) -> View:
        """Render the current values into the text and the chart."""
        view = self.render(**self.values())
        self.text.value = view.text
        self.chart.outputs = (figure_output(view.figure),) if view.figure is not None else ()
        return view

    def _on_change(self, _change: Mapping[str, Any]) -> None:
        self.refresh()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def assumption_slider(assumptions: pd.DataFrame, assumption_id: str) -> widgets.FloatSlider:
    """A slider for one labelled assumption, its label saying so and its default from data/."""
    matches = assumptions[assumptions["assumption_id"] == assumption_id]
    if matches.empty:
        raise KeyError(f"no assumption {assumption_id!r} in assumptions.csv")
    row = matches.iloc[0]
    is_share = row["unit"] == "share"
    return widgets.FloatSlider(
        value=float(row["default"]), min=float(row["minimum"]), max=float(row["maximum"]),
        step=float(row["step"]), description=str(row["label"]),
        readout_format=".0%" if is_share else ",.0f", continuous_update=False,
        style={"description_width": "initial"}, layout=widgets.Layout(width="95%"),
    )


__all__ = ["Explorer", "View", "assumption_slider", "figure_output", "RENDERER"]
