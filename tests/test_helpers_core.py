"""Unit tests of the foundation helpers: paths, derived dates, plots and the widget base."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.io as pio
import pytest

import helpers
from helpers import data, plots, widgets
from helpers.derived import add_months, evaluate_rule
from helpers.paths import DATA_ENV, data_path


def test_data_path_points_into_the_repository_data_folder() -> None:
    assert data_path("visas.csv") == helpers.project_root() / "data" / "visas.csv"
    assert data_path("visas.csv").is_file()


def test_data_path_honours_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path))
    assert data_path("x.csv") == tmp_path / "x.csv"


def test_data_path_names_a_missing_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(DATA_ENV, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="nowhere"):
        data_path("visas.csv")


def test_import_helpers_does_not_import_pandas() -> None:
    code = "import sys, helpers; print('pandas' in sys.modules, 'plotly' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "False"]


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2017, 12, 22), 24, date(2019, 12, 22)),
        (date(2017, 12, 22), 15, date(2019, 3, 22)),
        (date(2017, 12, 22), 27, date(2020, 3, 22)),
        (date(2019, 1, 31), 1, date(2019, 2, 28)),
        (date(2019, 12, 31), 2, date(2020, 2, 29)),
        (date(2020, 3, 15), -3, date(2019, 12, 15)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_evaluate_rule_rejects_unknown_rules() -> None:
    rows = {"A": {"count": "5"}, "B": {"count": "2"}}
    assert evaluate_rule("difference(A,B)", rows) == 3
    with pytest.raises(ValueError, match="unknown rule"):
        evaluate_rule("ratio(A,B)", rows)
    with pytest.raises(ValueError, match="not a rule"):
        evaluate_rule("A - B", rows)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return data.load_all()


def test_load_table_returns_copies(tables: dict[str, pd.DataFrame]) -> None:
    first = data.load_table("visas")
    first.loc[0, "count"] = -1
    assert data.load_table("visas").loc[0, "count"] == 2035


def test_load_table_names_unknown_tables() -> None:
    with pytest.raises(KeyError, match="no table 'visa'"):
        data.load_table("visa")


def test_house_style_is_active() -> None:
    assert pio.renderers.default == "plotly_mimetype"
    assert pio.templates.default == plots.TEMPLATE_NAME
    assert len(set(plots.PALETTE)) == len(plots.PALETTE) >= 5


def test_source_line_names_each_source_once(tables: dict[str, pd.DataFrame]) -> None:
    visas = tables["visas"]
    line = plots.source_line(plots.source_ids_of(visas), tables["sources"])
    assert line.startswith("Sources: S01 Reuters (2020-01-23); S15 KBS World")
    assert line.count("S01") == 1


def test_source_line_wraps_and_rejects_unknown_ids(tables: dict[str, pd.DataFrame]) -> None:
    ids = tables["sources"]["source_id"].tolist()
    line = plots.source_line(ids, tables["sources"], width=80)
    assert all(len(part) <= 80 for part in line.split("<br>") if " " in part)
    with pytest.raises(KeyError, match="S99"):
        plots.source_line(["S99"], tables["sources"])
    with pytest.raises(ValueError, match="at least one source"):
        plots.source_line([], tables["sources"])


def test_visa_bars_draw_the_data_with_the_source_line(tables: dict[str, pd.DataFrame]) -> None:
    fig = plots.visa_bars(tables["visas"], tables["sources"], periods=["2018", "2019"])
    bars = {trace.name: dict(zip(trace.x, trace.y, strict=True)) for trace in fig.data}
    assert bars == {"tourist": {"2018": 2035, "2019": 16613}, "student": {"2018": 2610, "2019": 10345}}
    (annotation,) = [a for a in fig.layout.annotations if a.name == "source-line"]
    assert annotation.text == "Source: S01 Reuters (2020-01-23)"


def test_figure_json_is_small_and_carries_no_plotly_js(tables: dict[str, pd.DataFrame]) -> None:
    fig = plots.visa_bars(tables["visas"], tables["sources"])
    bundle = fig._repr_mimebundle_()
    assert list(bundle) == ["application/vnd.plotly.v1+json"]
    assert len(fig.to_json()) < 10_000


def test_explorer_redraws_when_a_control_moves() -> None:
    import ipywidgets as ipw

    calls = []

    def render(n: int) -> widgets.View:
        calls.append(n)
        fig = plots.go.Figure(plots.go.Bar(x=["a"], y=[n]))
        return widgets.View(fig, f"n is {n}")

    slider = ipw.IntSlider(value=1, min=0, max=5)
    explorer = widgets.Explorer({"n": slider}, render, title="Demo")
    assert explorer.text.value == "n is 1"
    slider.value = 3
    assert calls == [1, 3]
    assert explorer.text.value == "n is 3"
    (output,) = explorer.chart.outputs
    assert output["data"]["application/vnd.plotly.v1+json"]["data"][0]["y"] == [3]


def test_explorer_clears_the_chart_when_render_gives_none() -> None:
    import ipywidgets as ipw

    toggle = ipw.Checkbox(value=True)
    explorer = widgets.Explorer({"on": toggle}, lambda on: widgets.View(plots.go.Figure() if on else None, str(on)))
    assert len(explorer.chart.outputs) == 1
    toggle.value = False
    assert explorer.chart.outputs == ()


def test_assumption_slider_is_labelled_and_defaults_from_data(tables: dict[str, pd.DataFrame]) -> None:
    slider = widgets.assumption_slider(tables["assumptions"], "A_SEATS_PER_FLIGHT")
    row = tables["assumptions"].set_index("assumption_id").loc["A_SEATS_PER_FLIGHT"]
    assert slider.description.startswith("ASSUMPTION: ")
    assert (slider.value, slider.min, slider.max) == (row["default"], row["minimum"], row["maximum"])
    with pytest.raises(KeyError, match="A_NOPE"):
        widgets.assumption_slider(tables["assumptions"], "A_NOPE")


def test_sources_table_lists_the_cited_sources(tables: dict[str, pd.DataFrame]) -> None:
    table = plots.sources_table(tables["visas"], tables["sources"])
    assert table.index.tolist() == ["S01", "S15"]


def test_charts_do_not_pay_for_the_slow_optional_iri_checker() -> None:
    code = "import sys, helpers.plots; print(sys.modules.get('rfc3987_syntax') is None, 'jsonschema' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["True", "True"]  # jsonschema loaded (plotly needs nbformat), its IRI grammar compiler not
