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

    def __init__(
        self,
        controls: Mapping[str, widgets.ValueWidget],
        render: Callable[..., View],
        title: str = "",
    ) -> None:
        _require_explorer_arguments(controls, render, title)
        self.controls = dict(controls)
        self.render = render
        self.text = widgets.HTML(layout=widgets.Layout(margin="4px 0"))
        self.text.add_class("wa-explorer-text")
        self.chart = widgets.Output()
        self.chart.add_class("wa-explorer-chart")
        header = [widgets.HTML(f"<b>{esc(title)}</b>")] if title else []
        self.widget = widgets.VBox(
            [*header, widgets.VBox(list(self.controls.values())), self.text, self.chart]
        )
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
        self.chart.outputs = (
            ({"output_type": "display_data", "data": bundle(view.figure), "metadata": {}},)
            if view.figure
            else ()
        )
        return view

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


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
    assumption = row(assumptions, assumption_id)
    needed = ("minimum", "default", "maximum", "step", "label", "unit")
    if missing := [c for c in needed if c not in assumption.index]:
        raise ValueError(
            "assumptions must be the assumptions table (from helpers.data.load_all());"
            f" it lacks {missing}"
        )
    try:
        low, default, high, step = (
            float(assumption[c]) for c in ("minimum", "default", "maximum", "step")
        )
    except (TypeError, ValueError):
        raise ValueError(
            f"assumptions.csv, {assumption_id}: minimum, default, maximum and step must be numbers"
        ) from None
    if not all(map(math.isfinite, (low, default, high, step))) or not (
        low <= default <= high and step > 0
    ):
        raise ValueError(
            f"assumptions.csv, {assumption_id}: need finite minimum <= default <= maximum"
            " and step > 0"
        )
    return widgets.FloatSlider(
        value=default,
        min=low,
        max=high,
        step=step,
        description=str(assumption["label"]),
        readout_format=".0%" if assumption["unit"] == "share" else ",.0f",
        continuous_update=False,
        style={"description_width": "initial"},
        layout=widgets.Layout(width="95%"),
    )
