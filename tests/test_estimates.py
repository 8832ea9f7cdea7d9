"""Tests of helpers.estimates: the arithmetic behind notebook 02, its charts and its widgets.

Expected values are worked out by hand from data/fact-sheet.md (cited beside each), never
copied from the code under test.
"""

from __future__ import annotations

import math
from datetime import date
from functools import partial

import ipywidgets as ipw
import pytest

from helpers import data
from helpers import estimates as est
from helpers.widgets import Explorer


@pytest.fixture(scope="module")
def tables():
    return data.load_all()


# ---------------------------------------------------------------- pure arithmetic

def test_workers_elsewhere_is_the_us_total_minus_china_and_russia():
    # F10: nearly 100,000 abroad, some 50,000 in China, 30,000 in Russia -> 20,000 elsewhere.
    assert est.workers_elsewhere(100_000, 50_000, 30_000) == 20_000


def test_workers_elsewhere_rejects_the_inconsistent_reuters_split():
    # F11: 80,000 in China + 30,000 in Russia is 10,000 more than the 100,000 total.
    with pytest.raises(ValueError, match="inconsistent"):
        est.workers_elsewhere(100_000, 80_000, 30_000)
    assert est.split_excess(100_000, 80_000, 30_000) == 10_000


def test_earnings_per_worker_per_year_and_month():
    # F10: 500 million dollars a year / 100,000 workers = 5,000 a year = 5,000 / 12 a month.
    assert est.per_worker(500_000_000, 100_000) == 5_000
    assert est.per_month(5_000) == pytest.approx(416.6667, abs=1e-3)


def test_shares_of_the_total():
    assert est.share_of(50_000, 100_000) == 0.5
    assert est.share_of(30_000, 100_000) == 0.3


def test_doubled_is_twice_the_low_figure():
    # F14: "at least 50,000 ... by some estimates, double that" -> 100,000.
    assert est.doubled(50_000) == 100_000


def test_revenue_multiplies_workers_earnings_and_share():
    result = est.revenue(100_000, 5_000, 0.7)
    assert result.gross_usd_per_year == 500_000_000
    assert result.to_state_usd_per_year == pytest.approx(350_000_000)


def test_revenue_at_the_edges_of_the_share():
    assert est.revenue(10, 100, 0).to_state_usd_per_year == 0
    assert est.revenue(10, 100, 1).to_state_usd_per_year == 1_000


def test_earnings_needed_inverts_revenue():
    # 500 million reaching the state from 100,000 workers at a 0.7 share: 500e6 / 70,000 each.
    assert est.earnings_needed(500_000_000, 100_000, 0.7) == pytest.approx(7_142.857, abs=1e-3)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: est.revenue(-1, 5_000, 0.7), "number of workers cannot be negative"),
        (lambda: est.revenue(100_000, -5_000, 0.7), "annual earnings per worker cannot be negative"),
        (lambda: est.revenue(100_000, 5_000, 1.2), "share between 0 and 1"),
        (lambda: est.revenue(100_000, 5_000, -0.1), "share between 0 and 1"),
        (lambda: est.revenue(100_000, 5_000, 70), "share between 0 and 1"),
        (lambda: est.revenue(float("nan"), 5_000, 0.7), "finite"),
        (lambda: est.revenue("100000", 5_000, 0.7), "must be a number"),
        (lambda: est.revenue(True, 5_000, 0.7), "must be a number"),
        (lambda: est.per_worker(500_000_000, 0), "greater than zero"),
        (lambda: est.share_of(110_000, 100_000), "larger than the whole"),
        (lambda: est.earnings_needed(500_000_000, 100_000, 0), "nothing reaches the state"),
        (lambda: est.doubled(-50_000), "cannot be negative"),
        (lambda: est.workers_elsewhere(100_000, -5), "cannot be negative"),
    ],
)
def test_impossible_input_is_rejected_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_period_start_reads_the_first_month_of_a_label():
    assert est.period_start("Sep 2017 – Aug 2018") == date(2017, 9, 1)
    with pytest.raises(ValueError, match="Mon YYYY"):
        est.period_start("early 2018")


# ---------------------------------------------------------------- from the tables

def test_us_estimate_reads_the_seed_figures(tables):
    assert est.us_estimate(tables) == {"total": 100_000, "china": 50_000, "russia": 30_000, "usd_per_year": 500_000_000}


def test_share_to_state_is_the_labelled_assumption(tables):
    row = tables["assumptions"].set_index("assumption_id").loc["A_SHARE_TO_STATE"]
    assert row["label"].startswith("ASSUMPTION:")
    assert est.share_to_state_default(tables) == float(row["default"])


def test_derived_values_match_hand_arithmetic(tables):
    values = est.derived_values(tables)
    expected = {
        "us_workers_elsewhere": 20_000,
        "us_usd_per_worker_per_year": 5_000,
        "us_usd_per_worker_per_month": 5_000 / 12,
        "us_share_in_china": 0.5,
        "us_share_in_russia": 0.3,
        "wapo_doubled_workers": 100_000,
        "reuters_2019_split_sum": 110_000,
        "reuters_2019_split_excess": 10_000,
        "outlier_low_times_us": 2.4,  # 1.2 billion / 500 million (F13, F10)
        "outlier_high_times_us": 4.6,  # 2.3 billion / 500 million
        "russia_permits_decline_2018": 18_533,  # F28: 30,023 - 11,490
        "russia_permits_share_left_end_2018": 11_490 / 30_023,
        "russia_repatriated_implied": 18_400,  # F30: 80% of 23,000
    }
    for key, value in expected.items():
        assert values[key] == pytest.approx(value), key
    share = est.share_to_state_default(tables)
    assert values["us_revenue_to_state_at_default_share"] == pytest.approx(500_000_000 * share)
    assert values["earnings_needed_for_us_total_at_default_share"] == pytest.approx(500_000_000 / (100_000 * share))
    assert values["repatriation_deadline"] == date(2019, 12, 22)  # F06
    assert values["new_registrations_period_start"] == date(2017, 9, 1)  # F27: from Sep 2017


def test_derived_values_are_numbers_or_dates(tables):
    for key, value in est.derived_values(tables).items():
        assert isinstance(value, (float, date)) and not isinstance(value, bool), key
        if isinstance(value, float):
            assert math.isfinite(value), key


def test_us_arithmetic_table_lists_the_five_consequences(tables):
    table = est.us_arithmetic(tables)
    assert table["value"].tolist() == pytest.approx([20_000, 5_000, 5_000 / 12, 0.5, 0.3])


def test_estimate_ranges_computes_and_labels_only_the_doubled_row(tables):
    rows = est.estimate_ranges(tables["worker_estimates"]).set_index("estimate_id")
    assert rows.loc["WE_WAPO_2016_WORLD", "high_shown"] == 100_000
    assert bool(rows.loc["WE_WAPO_2016_WORLD", "high_computed"])
    assert rows["high_computed"].sum() == 1
    # a sourced upper end is kept, not replaced
    assert rows.loc["WE_USUN_2018_USD", "high_shown"] == 2_300_000_000


# ---------------------------------------------------------------- charts

def _annotation_texts(fig):
    return [a.text for a in fig.layout.annotations]


def test_estimates_chart_flags_the_outlier_and_the_inconsistent_split(tables):
    fig = est.estimates_chart(tables["worker_estimates"], tables["sources"], tables)
    texts = " | ".join(_annotation_texts(fig))
    assert "outlier: 2.4–4.6" in texts
    assert "80,000 + 30,000 > 100,000" in texts
    assert "double that" in texts and "computed" in texts
    assert any(a.name == "source-line" for a in fig.layout.annotations)
    rings = [t for t in fig.data if t.legendgroup == "flagged"]
    # 2 ends of the outlier range + the China and Russia points of the inconsistent split
    assert sum(len(t.x) for t in rings) == 4


def test_estimates_chart_puts_each_measure_in_its_own_panel(tables):
    rows = tables["worker_estimates"]
    fig = est.estimates_chart(rows[rows["measure"].isin(["workers", "earnings_usd_per_year"])], tables["sources"])
    assert {t.yaxis for t in fig.data} == {"y", "y2"}
    earnings = [t for t in fig.data if t.yaxis == "y2"]
    assert max(max(t.x) for t in earnings) == 2_300  # US$ million: 2.3 billion


def test_estimates_chart_rejects_no_rows(tables):
    rows = tables["worker_estimates"]
    with pytest.raises(ValueError, match="no estimates"):
        est.estimates_chart(rows.iloc[0:0], tables["sources"])


def test_russia_trajectory_marks_reports_and_statements_differently(tables):
    fig = est.russia_trajectory(tables["russia_workers"], tables["sources"], est.repatriation_deadline(tables))
    by_name = {t.name: t for t in fig.data}
    report, statement = by_name["official report"], by_name["official's statement"]
    assert report.line.dash != statement.line.dash
    assert set(report.marker.symbol).isdisjoint(set(statement.marker.symbol))
    assert sorted(report.y) == [511, 11_490, 30_023]  # F20, F21, F26
    assert sorted(statement.y) == [1_000, 10_000, 11_000, 35_000]  # F25, F24, F23, F22
    assert "triangle-down-open" in statement.marker.symbol  # "fewer than 10,000"
    texts = " | ".join(_annotation_texts(fig))
    assert "2019-12-22" in texts and "new registrations" in texts and "more than 10,000" in texts
    assert any(str(s.x0).startswith("2019-12-22") for s in fig.layout.shapes)


def test_repatriations_chart_shows_russia_as_computed_and_china_without_count(tables):
    fig = est.repatriations_chart(tables["repatriations"], tables["sources"], est.russia_repatriated_implied(tables))
    computed = [t for t in fig.data if t.name == "computed"]
    assert computed and computed[0].x[0] == 18_400
    reported = [t for t in fig.data if t.name == "reported"][0]
    assert sorted(reported.x) == [904, 2_500, 23_000, 23_200]  # F32, F30, F31
    assert any("no count" in y for t in fig.data for y in t.y)
    assert any("more than half" in text for text in _annotation_texts(fig))


# ---------------------------------------------------------------- widgets

def test_revenue_view_states_the_implied_totals(tables):
    view = est.revenue_view(100_000, 5_000, 0.7, references=tables["worker_estimates"], sources=tables["sources"])
    assert "USD 500 million" in view.text and "USD 350 million" in view.text
    assert "$" not in view.text  # a pair of dollar signs would render as LaTeX
    assert view.figure is not None
    bars = [t for t in view.figure.data if t.type == "bar"][0]
    assert list(bars.x) == pytest.approx([500, 350])
    references = [t for t in view.figure.data if t.type == "scatter"]
    assert len(references) == 4  # F10, F12, F13, F15: four published earnings estimates


def test_revenue_view_explains_impossible_input_instead_of_failing(tables):
    view = est.revenue_view(100_000, 5_000, 1.5, references=tables["worker_estimates"], sources=tables["sources"])
    assert view.figure is None and "between 0 and 1" in view.text


def test_estimates_view_filters_by_source_type_and_measure(tables):
    view = partial(est.estimates_view, estimates=tables["worker_estimates"], sources=tables["sources"])
    media_workers = view(("media",), "workers")
    assert media_workers.text.startswith("2 estimate(s)")  # F14 (Washington Post) and F15 (AP)
    empty = view(("UN",), "earnings_usd_per_year")
    assert empty.figure is None and "No earnings" in empty.text
    with pytest.raises(ValueError, match="unknown measure"):
        view(("media",), "salaries")


def test_explorer_redraws_when_a_control_changes(tables):
    shares = ipw.FloatSlider(value=0.5, min=0, max=1)
    render = partial(
        est.revenue_view, 100_000, 5_000, references=tables["worker_estimates"], sources=tables["sources"]
    )
    explorer = Explorer({"share_to_state": shares}, render)
    assert "USD 250 million" in explorer.text.value
    shares.value = 1.0
    assert "USD 500 million</b> reaches" in explorer.text.value


def test_calculator_controls_start_at_the_us_estimate_and_the_assumption(tables):
    controls = est.calculator_controls(tables)
    assert controls["workers"].value == 100_000  # F10
    assert controls["usd_per_worker"].value == 5_000  # F10: 500 million / 100,000
    share = controls["share_to_state"]
    assert share.description.startswith("ASSUMPTION:")
    assert share.value == est.share_to_state_default(tables)
    assert share.min == 0 and share.max == 1


def test_explorer_controls_offer_every_source_type_and_measure(tables):
    controls = est.explorer_controls(tables["worker_estimates"])
    assert set(controls["source_types"].options) == {"government", "UN", "experts", "media"}
    assert {value for _, value in controls["measure"].options} == {
        "workers", "earnings_usd_per_year", "share_pct", "countries"
    }
