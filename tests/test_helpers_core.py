"""Unit tests of the foundation helpers: paths, derived dates, plots and the explorers."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import helpers
from helpers import data, explorers, plots
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
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
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


def test_load_table_returns_copies(tables: dict[str, pd.DataFrame]) -> None:
    first = data.load_table("visas")
    first.loc["V2018_TOURIST", "count"] = -1
    assert data.load_table("visas").loc["V2018_TOURIST", "count"] == 2035  # visas.csv, by eye


def test_load_table_names_unknown_tables() -> None:
    with pytest.raises(KeyError, match="no table 'visa'"):
        data.load_table("visa")


def test_house_style_is_active_without_plotlys_renderer_registry() -> None:
    """Figures display through helpers.plots.bundle; loading plots must not import nbformat or
    jsonschema, and changes nothing global until use_house_style() switches the style on."""
    code = (
        "import sys, plotly.io as pio, helpers.plots as plots\n"
        "print('nbformat' in sys.modules, 'jsonschema' in sys.modules, pio.templates.default)\n"
        "plots.use_house_style()\n"
        "print(pio.templates.default)"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.split() == ["False", "False", "plotly", plots.TEMPLATE_NAME]


def test_source_line_names_each_source_once(tables: dict[str, pd.DataFrame]) -> None:
    line = plots.source_line(plots.source_ids_of(tables["visas"]), tables["sources"])
    assert line.startswith("Sources: S01 Reuters (2020-01-23); S15 KBS World")
    assert line.count("S01") == 1
    with pytest.raises(KeyError, match="S99"):
        plots.source_line(["S99"], tables["sources"])
    with pytest.raises(ValueError, match="at least one source"):
        plots.source_line([], tables["sources"])


def trace_values(values: object) -> list[float]:
    """A trace's values as plotly's JSON carries them: a list, or a base64 typed array."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]).tolist()
    return list(values)


def _bar(
    tables: dict[str, pd.DataFrame], title: str = "Visas rose", subtitle: str = "visas issued"
) -> plots.go.Figure:
    visas = tables["visas"].head(2)
    fig = plots.go.Figure(plots.go.Bar(x=visas["period"], y=visas["count"], name="visas"))
    return plots.finish(
        fig, visas, tables["sources"], title=title, subtitle=subtitle, note="ASSUMPTION: none"
    )


def test_finish_writes_title_subtitle_note_and_source_line(tables: dict[str, pd.DataFrame]) -> None:
    fig = _bar(tables)
    assert fig.layout.title.text == "Visas rose"
    assert fig.layout.title.subtitle.text == "visas issued"
    (annotation,) = [a for a in fig.layout.annotations if a.name == "source-line"]
    assert annotation.text == "ASSUMPTION: none<br>Source: S01 — details below"
    assert fig.layout.margin.b > 30 + 2 * 16  # room for the two lines under the axis


def test_finish_escapes_and_wraps_every_text(tables: dict[str, pd.DataFrame]) -> None:
    visas = tables["visas"].head(1)
    fig = plots.go.Figure(plots.go.Bar(x=["2018"], y=[1]))
    plots.finish(
        fig,
        visas,
        tables["sources"],
        title="a <b>bold</b> claim " * 6,
        subtitle="<script>x</script>",
        note="<img src=x onerror=alert(1)>",
        x_title="<i>x</i>",
        y_title="<u>y</u>",
    )
    assert "<b>" not in fig.layout.title.text and "&lt;b&gt;" in fig.layout.title.text
    assert (
        fig.layout.title.text.count("<br>") >= 1
    )  # long titles wrap instead of running off a projector-width chart
    assert "<script>" not in fig.layout.title.subtitle.text
    (annotation,) = [a for a in fig.layout.annotations if a.name == "source-line"]
    assert "<img" not in annotation.text and "&lt;img src=x onerror=alert(1)&gt;" in annotation.text
    assert (
        fig.layout.xaxis.title.text == "&lt;i&gt;x&lt;/i&gt;"
        and fig.layout.yaxis.title.text == "&lt;u&gt;y&lt;/u&gt;"
    )


def test_figures_display_as_small_plotly_json(tables: dict[str, pd.DataFrame]) -> None:
    bundle = plots.bundle(_bar(tables))
    assert set(bundle) == {plots.MIMETYPE, "text/plain"}
    assert trace_values(bundle[plots.MIMETYPE]["data"][0]["y"]) == [2035, 2610]
    assert len(json.dumps(bundle)) < 20_000  # no plotly.js inside


def test_marker_gives_each_kind_its_own_look() -> None:
    assert plots.marker("official report")["symbol"] != plots.marker("official statement")["symbol"]
    with pytest.raises(KeyError, match="official rumour"):
        plots.marker("official rumour")


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        (30023, "auto", "30,023"),
        (30023.0, "auto", "30,023"),
        (2.5, "auto", "2.5"),
        (500_000_000, "money", "$500 million"),
        (1_200_000_000, "money", "$1.2 billion"),
        (416.666, "money", "$417"),
        (0.8, "share", "80%"),
        (80, "pct", "80%"),
        (pd.NA, "auto", "not given"),
        (float("nan"), "money", "not given"),
        (pd.Timestamp("2019-12-22"), "auto", "22 Dec 2019"),
        (date(2019, 3, 2), "auto", "2 Mar 2019"),
    ],
)
def test_cells_read_as_a_reader_says_them(value: object, kind: str, shown: str) -> None:
    assert plots.cell(value, kind) == shown


def test_table_escapes_text_and_links_only_http_urls() -> None:
    frame = pd.DataFrame(
        {
            "publisher": ["<script>alert(1)</script>", "Reuters"],
            "url": ["javascript:alert(2)", "https://example.org/a?b=1&c=2"],
            "count": pd.array([1200, pd.NA], dtype="Int64"),
        }
    )
    shown = plots.table(frame, {"url": "link"})
    page = shown._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert (
        'href="javascript' not in page and "javascript:alert(2)" in page
    )  # shown as text, not a link
    assert '<a href="https://example.org/a?b=1&amp;c=2" rel="noopener">' in page
    assert "1,200" in page and "not given" in page
    text = repr(shown)
    assert "dtype" not in text and "<NA>" not in text and "1,200" in text


def test_sources_table_lists_the_cited_sources_with_full_links(
    tables: dict[str, pd.DataFrame],
) -> None:
    shown = plots.sources_table(tables["visas"], tables["sources"])
    assert shown.frame["source"].tolist() == ["S01", "S15"]
    page = shown._repr_html_()
    assert page.count("<a href=") == 2 and "…" not in page


def test_quote_escapes_data_text(tables: dict[str, pd.DataFrame]) -> None:
    rows = tables["visas"].head(1).assign(quote="<img src=x onerror=alert(1)> 2,035")
    html = plots.quote(rows).data
    assert "<img" not in html and "&lt;img" in html and "S01" in html


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://a.org/x", True),
        ("http://a.org", True),
        ("javascript:alert(1)", False),
        ("//a.org", False),
        ('https://a.org/"onmouseover=alert(1)', False),
        ("ftp://a.org", False),
        (None, False),
    ],
)
def test_safe_url(url: object, ok: bool) -> None:
    assert (plots.safe_url(url) is not None) is ok


def test_explorer_redraws_and_escapes_its_text() -> None:
    import ipywidgets as widgets

    calls = []

    def render(n: int) -> explorers.View:
        calls.append(n)
        return explorers.View(plots.go.Figure(plots.go.Bar(x=["a"], y=[n])), f"<b>n</b> is {n}")

    slider = widgets.IntSlider(value=1, min=0, max=5)
    explorer = explorers.Explorer({"n": slider}, render, title="<i>Demo</i>")
    assert explorer.text.value == "&lt;b&gt;n&lt;/b&gt; is 1"
    slider.value = 3
    assert calls == [1, 3]
    (output,) = explorer.chart.outputs
    assert trace_values(output["data"][plots.MIMETYPE]["data"][0]["y"]) == [3]
    assert "&lt;i&gt;Demo&lt;/i&gt;" in explorer.widget.children[0].value


def test_explorer_clears_the_chart_when_render_gives_none() -> None:
    import ipywidgets as widgets

    toggle = widgets.Checkbox(value=True)
    explorer = explorers.Explorer(
        {"on": toggle}, lambda on: explorers.View(plots.go.Figure() if on else None, str(on))
    )
    assert len(explorer.chart.outputs) == 1
    toggle.value = False
    assert explorer.chart.outputs == ()


def test_assumption_slider_is_labelled_and_defaults_from_data(
    tables: dict[str, pd.DataFrame],
) -> None:
    slider = explorers.assumption_slider(tables["assumptions"], "A_SEATS_PER_FLIGHT")
    assert slider.description.startswith("ASSUMPTION: ")
    assert (slider.value, slider.min, slider.max, slider.step) == (
        150,
        20,
        300,
        10,
    )  # assumptions.csv, by eye
    with pytest.raises(KeyError, match="A_NOPE"):
        explorers.assumption_slider(tables["assumptions"], "A_NOPE")


def test_assumption_slider_refuses_a_default_it_would_clamp(
    tables: dict[str, pd.DataFrame],
) -> None:
    bad = tables["assumptions"].copy()
    bad.loc["A_SEATS_PER_FLIGHT", "default"] = 999
    with pytest.raises(ValueError, match="A_SEATS_PER_FLIGHT"):
        explorers.assumption_slider(bad, "A_SEATS_PER_FLIGHT")
