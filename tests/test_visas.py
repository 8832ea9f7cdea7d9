"""Tests of helpers.visas: the surge arithmetic, the what-if, the charts and the explorer renders.

Expected values are worked out by hand from the fact sheet (F20, F21, F40, F41, F42, F45),
written as the arithmetic in each test, never copied from the code under test.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from helpers import data, visas

# Fact sheet F40/F41 (seed): 2018 and 2019 visas; F20/F21: workers with valid permits.
TOURIST_2018, STUDENT_2018 = 2_035, 2_610
TOURIST_2019, STUDENT_2019 = 16_613, 10_345
PERMITS_END_2017, PERMITS_END_2018 = 30_023, 11_490


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return data.load_all()


@pytest.fixture(scope="module")
def v(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return tables["visas"]


def _visa_rows(rows: list[tuple[str, str, int]]) -> pd.DataFrame:
    """A small visas table in the loaded shape, for edge cases the real data do not have."""
    frame = pd.DataFrame(rows, columns=["period", "category", "count"])
    frame["count"] = frame["count"].astype("Int64")
    frame["period_start"] = pd.to_datetime([f"{p[:4]}-01-01" for p in frame["period"]])
    frame["period_end"] = pd.to_datetime([f"{p[:4]}-12-31" for p in frame["period"]])
    frame["source_id"] = "S01"
    frame["also_source_ids"] = pd.NA
    return frame


# ---------------------------------------------------------------- counts and differences

def test_counts_match_the_seed_article(v: pd.DataFrame) -> None:
    assert visas.count(v, "2018", "tourist") == TOURIST_2018
    assert visas.count(v, "2019", "student") == STUDENT_2019
    assert visas.count(v, "2018", visas.COMBINED) == 2_035 + 2_610  # 4,645


def test_differences_by_hand(v: pd.DataFrame) -> None:
    assert visas.difference(v, "tourist") == 14_578  # 16,613 - 2,035
    assert visas.difference(v, "student") == 7_735  # 10,345 - 2,610
    assert visas.difference(v, visas.COMBINED) == 22_313  # 26,958 - 4,645


def test_fold_changes_match_the_issue_roundings(v: pd.DataFrame) -> None:
    # The issue says "tourist about 8.2x, student about 4.0x, both together about 5.8x".
    assert round(visas.fold_change(v, "tourist"), 1) == 8.2
    assert round(visas.fold_change(v, "student"), 1) == 4.0
    assert round(visas.fold_change(v, visas.COMBINED), 1) == 5.8
    assert visas.fold_change(v, "tourist") == pytest.approx(16_613 / 2_035)


def test_fold_change_reverses(v: pd.DataFrame) -> None:
    forward = visas.fold_change(v, "student", "2018", "2019")
    backward = visas.fold_change(v, "student", "2019", "2018")
    assert forward * backward == pytest.approx(1.0)


def test_surge_table_has_the_three_rows(v: pd.DataFrame) -> None:
    table = visas.surge_table(v)
    assert list(table.index) == ["tourist", "student", "tourist + student"]
    assert table.loc["student", "difference"] == 10_345 - 2_610
    assert table.loc["tourist + student", "visas 2019"] == 16_613 + 10_345
    # One decimal, as the issue writes them: "tourist about 8.2x, student about 4.0x, both together about 5.8x".
    assert table["fold change"].tolist() == [8.2, 4.0, 5.8]


def test_missing_count_is_not_zero(v: pd.DataFrame) -> None:
    # F40/F41 give no work visas for 2018 or 2019: asking must fail, not return 0.
    assert not visas.has_count(v, "2018", "work")
    with pytest.raises(ValueError, match="not zero"):
        visas.count(v, "2018", "work")
    with pytest.raises(ValueError, match="not zero"):
        visas.difference(v, "work", "2019", "2020-Q1")


def test_unknown_category_is_rejected(v: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="unknown visa category"):
        visas.count(v, "2018", "business")


def test_fold_change_from_zero_is_rejected() -> None:
    frame = _visa_rows([("2018", "tourist", 0), ("2019", "tourist", 5)])
    with pytest.raises(ValueError, match="undefined"):
        visas.fold_change(frame, "tourist")


def test_duplicate_rows_are_rejected() -> None:
    frame = _visa_rows([("2018", "tourist", 3), ("2018", "tourist", 4)])
    with pytest.raises(ValueError, match="more than one"):
        visas.count(frame, "2018", "tourist")


# ---------------------------------------------------------------- permits and the what-if

def test_official_count_and_fall(tables: dict[str, pd.DataFrame]) -> None:
    workers = tables["russia_workers"]
    assert visas.official_count(workers) == PERMITS_END_2018
    assert visas.permits_fall(workers) == 18_533  # 30,023 - 11,490, as Yonhap reports (F28)


def test_official_count_rejects_a_non_permit_measure(tables: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(ValueError, match="not workers with permits"):
        visas.official_count(tables["russia_workers"], "RW_2020_JAN")
    with pytest.raises(ValueError, match="no observation"):
        visas.official_count(tables["russia_workers"], "RW_NOPE")


def test_implied_hidden_workers_by_hand() -> None:
    assert visas.implied_hidden_workers(14_578, 0.5) == 7_289  # half of 14,578
    assert visas.implied_hidden_workers(14_578, 0) == 0
    assert visas.implied_hidden_workers(14_578, 1) == 14_578


@pytest.mark.parametrize("share", [-0.01, 1.01, 25, float("nan"), True, "0.3"])
def test_share_outside_zero_to_one_is_rejected(share: object) -> None:
    with pytest.raises(ValueError, match="share"):
        visas.implied_hidden_workers(14_578, share)  # type: ignore[arg-type]


def test_percentage_instead_of_share_gets_a_hint() -> None:
    with pytest.raises(ValueError, match="0.25"):
        visas.check_share(25)


def test_negative_new_visas_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        visas.implied_hidden_workers(-1, 0.5)


def test_what_if_against_the_official_count(tables: dict[str, pd.DataFrame]) -> None:
    result = visas.what_if(tables["visas"], tables["russia_workers"], 0.25)
    assert result.new_visas == 16_613 - 2_035
    assert result.implied == pytest.approx(0.25 * 14_578)  # 3,644.5 visas
    assert result.official == PERMITS_END_2018
    assert result.ratio == pytest.approx(3_644.5 / 11_490)


def test_break_even_share(tables: dict[str, pd.DataFrame]) -> None:
    share = visas.break_even_share(tables["visas"], tables["russia_workers"])
    assert share == pytest.approx(11_490 / 14_578)
    assert visas.what_if(tables["visas"], tables["russia_workers"], share).ratio == pytest.approx(1.0)


def test_no_new_tourist_visas_when_they_fell() -> None:
    frame = _visa_rows([("2018", "tourist", 10), ("2019", "tourist", 4)])
    with pytest.raises(ValueError, match="fell"):
        visas.new_tourist_visas(frame)


# ---------------------------------------------------------------- context

def test_context_table_keeps_every_status(tables: dict[str, pd.DataFrame]) -> None:
    table = visas.context_table(tables["visas"], tables["entries"])
    assert set(table["status"]) == {"secondary"}  # F42-F46 are all secondary
    q1_work = table[(table["period"] == "2020-Q1") & (table["figure"] == "work visas issued")]
    assert q1_work["value"].tolist() == ["753"]
    assert "about 21,000" in table["value"].tolist()
    assert "12,000–15,000" in table["value"].tolist()
    # The seed's 2018 and 2019 visas are the subject, not context: no visa row of those years.
    visa_rows = table[table["figure"].str.endswith("visas issued")]
    assert sorted(visa_rows["period"]) == ["2020-Q1"] * 3
    # F42: three Q1 2020 visa counts; F43-F45: eight entries figures (2019, 2019-Q3, 2021-2024, two 2024 parts); F46: one range.
    assert len(table) == 3 + 8 + 1


def test_entries_other_2024_by_hand(tables: dict[str, pd.DataFrame]) -> None:
    assert visas.entries_other_2024(tables["entries"]) == 13_221 - 7_887 - 3_098  # 2,236


def test_visas_beyond_entries_by_hand(tables: dict[str, pd.DataFrame]) -> None:
    # F41 and F43: 16,613 + 10,345 = 26,958 tourist and student visas against about 21,000 entries in 2019.
    assert visas.entries_in(tables["entries"], "2019") == 21_000
    assert visas.visas_beyond_entries(tables["visas"], tables["entries"]) == 26_958 - 21_000  # 5,958


def test_entries_missing_year_is_not_zero(tables: dict[str, pd.DataFrame]) -> None:
    # F45 gives no figure for 2020.
    with pytest.raises(ValueError, match="not zero"):
        visas.entries_in(tables["entries"], "2020")
    with pytest.raises(ValueError, match="not zero"):
        visas.visas_beyond_entries(tables["visas"], tables["entries"], "2018")


def test_new_registrations_are_a_flow() -> None:
    # F27 counts workers newly registered over Sep 2017 - Aug 2018; F21 counts people on one date.
    assert visas.UNIT_KIND["new registrations"] == "flow"
    assert visas.UNIT_KIND["workers with permits"] == "stock"


@pytest.mark.parametrize(
    ("years", "expected"),
    [(["2019", "2021", "2022", "2023", "2024"], "2019 and 2021–2024"), (["2021"], "2021"), (["2018", "2020"], "2018 and 2020")],
)
def test_year_span(years: list[str], expected: str) -> None:
    assert visas._year_span(years) == expected


def test_units_comparison_names_stock_and_flow(tables: dict[str, pd.DataFrame]) -> None:
    table = visas.units_comparison(tables["visas"], tables["russia_workers"])
    kinds = table["kind"].tolist()
    assert kinds[0].startswith("stock") and kinds[1].startswith("flow")
    assert table["change"].tolist() == ["-18,533 people", "+22,313 visas"]


# ---------------------------------------------------------------- charts carry their sources

def _source_line(fig: object) -> str:
    return next(a.text for a in fig.layout.annotations if a.name == "source-line")  # type: ignore[attr-defined]


def test_surge_chart(tables: dict[str, pd.DataFrame]) -> None:
    fig = visas.surge_chart(tables["visas"], tables["sources"])
    assert [list(t.y) for t in fig.data] == [[2_035, 2_610, 4_645], [16_613, 10_345, 26_958]]
    assert list(fig.data[1].text) == ["×8.2", "×4.0", "×5.8"]
    assert "S01" in _source_line(fig)


def test_entries_chart_shows_the_2020_gap(tables: dict[str, pd.DataFrame]) -> None:
    fig = visas.entries_chart(tables["entries"], tables["sources"])
    assert list(fig.layout.xaxis.categoryarray) == ["2019", "2020", "2021", "2022", "2023", "2024"]
    categories = list(fig.layout.xaxis.categoryarray)
    gaps = [categories[int(a.x)] for a in fig.layout.annotations if "no figure" in a.text]
    assert gaps == ["2020"]
    stacked_2024 = sum(t.y[list(t.x).index("2024")] for t in fig.data if "2024" in list(t.x))
    assert stacked_2024 == 13_221
    assert "S29b" in _source_line(fig)
    assert fig.layout.title.text == "North Korean entries to Russia, 2019 and 2021–2024"
    assert any(a.text == "13,221 in all" for a in fig.layout.annotations)
    # F43-F45 are all secondary, and only 2019's figure is "about".
    assert "Status of every figure: secondary" in _source_line(fig)
    assert "2019: 'about'" in _source_line(fig)


def test_units_chart_has_two_axes(tables: dict[str, pd.DataFrame]) -> None:
    fig = visas.units_chart(tables["visas"], tables["russia_workers"], tables["sources"])
    assert fig.layout.yaxis.title.text != fig.layout.yaxis2.title.text
    assert list(fig.data[0].y) == [PERMITS_END_2017, PERMITS_END_2018]
    assert list(fig.data[1].y) == [4_645, 26_958]
    assert "S10" in _source_line(fig) and "S01" in _source_line(fig)


# ---------------------------------------------------------------- explorer and what-if renders

def test_explorer_count_log(tables: dict[str, pd.DataFrame]) -> None:
    view = visas.render_visa_explorer(tables["visas"], tables["sources"], "tourist", "count", "log", ("2018", "2019"))
    assert list(view.figure.data[0].y) == [TOURIST_2018, TOURIST_2019]
    assert view.figure.layout.yaxis.type == "log"
    assert "16,613" in view.text
    # On a log axis a bar's length is arbitrary: the explorer draws dots there, bars only on a linear axis.
    assert view.figure.data[0].type == "scatter"
    linear = visas.render_visa_explorer(tables["visas"], tables["sources"], "tourist", "count", "linear", ("2018", "2019"))
    assert linear.figure.data[0].type == "bar"
    assert list(linear.figure.data[0].text) == ["2,035", "16,613"]


def test_explorer_change_and_ratio(tables: dict[str, pd.DataFrame]) -> None:
    change = visas.render_visa_explorer(tables["visas"], tables["sources"], "student", "change", "linear", ("2018", "2019"))
    assert list(change.figure.data[0].y) == [7_735]
    ratio = visas.render_visa_explorer(tables["visas"], tables["sources"], visas.COMBINED, "ratio", "linear", ("2018", "2019"))
    assert ratio.figure.data[0].y[0] == pytest.approx(26_958 / 4_645)


def test_explorer_log_falls_back_for_a_fall(tables: dict[str, pd.DataFrame]) -> None:
    # Student visas in 2020-Q1 (1,975) are fewer than in 2018 (2,610): a negative change.
    view = visas.render_visa_explorer(
        tables["visas"], tables["sources"], "student", "change", "log", ("2018", "2019", "2020-Q1")
    )
    assert list(view.figure.data[0].y) == [7_735, 1_975 - 2_610]
    assert view.figure.layout.yaxis.type == "linear"
    assert "log scale cannot" in view.text
    assert "not like for like" in view.text
    # The caveats are on the chart too, not only in the text line, and the no-change line is drawn at 0.
    assert "2020-Q1 covers part of a year" in _source_line(view.figure)
    assert [shape.y0 for shape in view.figure.layout.shapes] == [0]


def test_explorer_ratio_has_a_no_change_line_at_one(tables: dict[str, pd.DataFrame]) -> None:
    view = visas.render_visa_explorer(tables["visas"], tables["sources"], "tourist", "ratio", "log", ("2019", "2020-Q1"))
    assert [shape.y0 for shape in view.figure.layout.shapes] == [1]
    assert view.figure.data[0].y[0] == pytest.approx(3_067 / 16_613)  # a fall: below the line, still drawable on log
    assert view.figure.layout.yaxis.type == "log"


def test_explorer_full_years_are_like_for_like(tables: dict[str, pd.DataFrame]) -> None:
    view = visas.render_visa_explorer(tables["visas"], tables["sources"], "student", "change", "linear", ("2018", "2019"))
    assert "like for like" not in view.text
    assert _source_line(view.figure).startswith("Source")


def test_explorer_missing_baseline(tables: dict[str, pd.DataFrame]) -> None:
    view = visas.render_visa_explorer(tables["visas"], tables["sources"], "work", "ratio", "linear", ("2018", "2019", "2020-Q1"))
    assert view.figure is None
    assert "no count for 2018" in view.text
    counts = visas.render_visa_explorer(tables["visas"], tables["sources"], "work", "count", "linear", ("2019", "2020-Q1"))
    assert list(counts.figure.data[0].x) == ["2020-Q1"]
    assert "missing, not zero" in counts.text


@pytest.mark.parametrize(
    ("category", "measure", "scale", "periods", "message"),
    [
        ("visa", "count", "linear", ("2018",), "category"),
        ("tourist", "mean", "linear", ("2018",), "measure"),
        ("tourist", "count", "sqrt", ("2018",), "scale"),
        ("tourist", "count", "linear", ("2017",), "periods"),
        ("tourist", "count", "linear", (), "periods"),
    ],
)
def test_explorer_rejects_bad_controls(
    tables: dict[str, pd.DataFrame], category: str, measure: str, scale: str, periods: tuple[str, ...], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        visas.render_visa_explorer(tables["visas"], tables["sources"], category, measure, scale, periods)


def test_every_explorer_choice_renders(tables: dict[str, pd.DataFrame]) -> None:
    rendered = drawn = 0
    for category in visas.CATEGORIES:
        for measure in visas.MEASURES:
            for scale in visas.SCALES:
                for periods in visas.PERIOD_CHOICES.values():
                    view = visas.render_visa_explorer(tables["visas"], tables["sources"], category, measure, scale, periods)
                    assert view.text
                    rendered += 1
                    if view.figure is not None:
                        ys = list(view.figure.data[0].y)
                        assert ys and all(not math.isnan(y) for y in ys)
                        drawn += 1
    # 4 categories x 3 measures x 2 scales x the period choices; only work visas lack a count
    # (F40/F41), so tourist, student and both together always draw: at least 3/4 of the choices.
    assert rendered == 4 * 3 * 2 * len(visas.PERIOD_CHOICES) and len(visas.PERIOD_CHOICES) >= 2
    assert drawn >= rendered * 3 // 4


def test_what_if_render(tables: dict[str, pd.DataFrame]) -> None:
    view = visas.render_what_if(tables["visas"], tables["russia_workers"], tables["sources"], 0.5)
    assert list(view.figure.data[0].x) == [pytest.approx(7_289), PERMITS_END_2018]
    assert view.text.startswith("ASSUMPTION: 50%")
    assert "flow" in view.text and "stock" in view.text
    assert "ASSUMPTION" in view.figure.layout.annotations[0].text
    # The axis does not move with the slider: it spans the whole 14,578 new tourist visas.
    assert view.figure.layout.xaxis.range[1] >= 14_578
    with pytest.raises(ValueError, match="share"):
        visas.render_what_if(tables["visas"], tables["russia_workers"], tables["sources"], 1.5)


# ---------------------------------------------------------------- derived values for the claims test

def test_derived_values(tables: dict[str, pd.DataFrame]) -> None:
    values = visas.derived_values(tables)
    assert values["visas_combined_difference_2018_2019"] == 22_313
    assert values["permits_fall_end2017_end2018"] == 18_533
    assert values["visas_2020q1_total"] == 753 + 3_067 + 1_975
    assert values["whatif_default_share"] == 0.25  # A_TOURIST_AS_WORK default in assumptions.csv
    assert values["whatif_implied_at_default"] == pytest.approx(0.25 * 14_578)
    assert values["visas_beyond_entries_2019"] == 16_613 + 10_345 - 21_000
    assert all(isinstance(x, (int, float)) for x in values.values())


def test_explorer_with_no_count_in_any_period(tables: dict[str, pd.DataFrame]) -> None:
    view = visas.render_visa_explorer(tables["visas"], tables["sources"], "work", "count", "log", ("2018", "2019"))
    assert view.figure is None
    assert "no count for any period" in view.text


def test_surge_chart_note_says_work_visas_are_missing(tables: dict[str, pd.DataFrame]) -> None:
    # F40/F41 give tourist and student visas only; with a 2019 work count the note must drop the claim.
    assert "Work visas: no 2018 or 2019 figure" in _source_line(visas.surge_chart(tables["visas"], tables["sources"]))
    frame = _visa_rows([
        ("2018", "tourist", 1), ("2018", "student", 1), ("2019", "tourist", 2), ("2019", "student", 2), ("2019", "work", 5),
    ])
    assert "Work visas" not in _source_line(visas.surge_chart(frame, tables["sources"]))
