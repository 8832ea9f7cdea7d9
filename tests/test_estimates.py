"""Tests of helpers.estimates: the arithmetic behind notebook 02, its charts and its widgets.

Expected values are worked out by hand from data/fact-sheet.md (cited beside each), never
copied from the code under test.
"""

from __future__ import annotations

import math
from datetime import date
from functools import partial

import ipywidgets as ipw
import pandas as pd
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
    assert est.share_to_state_default(tables) == float(row["default"]) == 0.7  # assumptions.csv, by eye


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
    # A_SHARE_TO_STATE's default in assumptions.csv is 0.7 (a labelled ASSUMPTION): 70% of 500 million,
    # and the yearly earnings at which 70% of 100,000 workers' pay makes 500 million.
    assert values["us_revenue_to_state_at_default_share"] == pytest.approx(350_000_000)
    assert values["earnings_needed_for_us_total_at_default_share"] == pytest.approx(7_142.857, abs=1e-3)
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
    # 100,000 x 5,000 = 500 million; 70% of that = 350 million
    assert "USD 500 million" in view.text and "USD 350 million" in view.text
    assert "ASSUMPTION" in view.text  # the share is labelled wherever it appears
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
    # F14 (Washington Post, 2016-09-11) and F15 (AP, undated): two rows, two publications
    assert media_workers.text == (
        "2 estimates of the number of workers, read in 2 publications, dated 2016-09-11, 1 undated."
    )
    empty = view(("UN",), "earnings_usd_per_year")
    assert empty.figure is None and empty.text == "No estimates of yearly earnings from the chosen kinds of source."
    with pytest.raises(ValueError, match="unknown measure"):
        view(("media",), "salaries")


def test_estimates_view_counts_publications_not_estimator_names(tables):
    # F10-F16 give 12 worker figures read in 7 publications (S01, S18, S12, S19, S31, S30, S27); the
    # US government alone appears under 5 estimator names, so "7 estimators" would overstate
    # how many independent counts there are. Dated 2016-09-11 (F14) to 2020-01-23 (F10), AP undated;
    # flagged: the two rows of the inconsistent Reuters split (F11).
    everything = tuple(tables["worker_estimates"]["source_type"].unique())
    view = est.estimates_view(everything, "workers", estimates=tables["worker_estimates"], sources=tables["sources"])
    assert view.text == (
        "12 estimates of the number of workers, read in 7 publications, dated 2016-09-11 to 2020-01-23, "
        "1 undated, 2 flagged."
    )


def test_estimates_view_keeps_a_month_date_as_a_month(tables):
    # F12 is dated "2019-12" only; the explorer must not print a falsely precise 2019-12-01.
    view = est.estimates_view(("experts",), "earnings_usd_per_year", estimates=tables["worker_estimates"],
                              sources=tables["sources"])
    assert "dated 2019-12." in view.text and "2019-12-01" not in view.text


def test_estimates_view_states_something_for_every_setting(tables):
    rows = tables["worker_estimates"]
    types = list(rows["source_type"].unique())
    drawn = 0
    assert set(est.MEASURE_TITLES) == {"workers", "earnings_usd_per_year", "share_pct", "countries"}
    for measure in est.MEASURE_TITLES:
        for chosen in ([], types[:1], types):
            view = est.estimates_view(tuple(chosen), measure, estimates=rows, sources=tables["sources"])
            n = len(rows[rows["source_type"].isin(chosen) & (rows["measure"] == measure)])
            if n == 0:
                assert view.figure is None and view.text.startswith("No estimates of")
            else:
                assert view.figure is not None and view.text.startswith(f"{n} estimate")
                drawn += 1
    assert drawn >= 4  # with every source type chosen, each of the four measures has rows


def test_a_share_axis_stops_at_100_percent(tables):
    rows = tables["worker_estimates"]
    fig = est.estimates_chart(rows[rows["measure"] == "share_pct"], tables["sources"])
    assert fig.layout.xaxis.range[1] <= 100  # F13's 80% is a share of all workers: no share exceeds the whole


def test_the_outlier_s_missing_period_is_a_labelled_assumption(tables):
    # F13 gives "$1.2-2.3 billion" with no period; the chart draws it beside yearly figures.
    rows = tables["worker_estimates"]
    source_line = lambda fig: next(a.text for a in fig.layout.annotations if a.name == "source-line")  # noqa: E731
    with_outlier = est.estimates_chart(rows[rows["measure"] == "earnings_usd_per_year"], tables["sources"], tables)
    assert "ASSUMPTION: US Mission to the UN's amount is drawn as a yearly figure" in source_line(with_outlier)
    without = est.estimates_chart(rows[rows["measure"] == "workers"], tables["sources"], tables)
    assert "ASSUMPTION" not in source_line(without)
    calculator = est.revenue_view(100_000, 5_000, 0.7, references=rows, sources=tables["sources"]).figure
    assert "ASSUMPTION: US Mission to the UN's amount" in source_line(calculator)
    assert "The share reaching the state is an ASSUMPTION" in source_line(calculator)


def test_unqualified_figures_are_not_given_a_qualifier(tables):
    # F13 as read: "100,000 workers ..., 80% of them" -- no "about".
    rows = tables["worker_estimates"].set_index("estimate_id")
    assert rows.loc["WE_STATE_2018_WORLD", "qualifier"] == "exactly"
    assert rows.loc["WE_STATE_2018_SHARE", "qualifier"] == "exactly"
    fig = est.estimates_chart(tables["worker_estimates"], tables["sources"], tables)
    hovers = [t.hovertemplate for t in fig.data if t.hovertemplate]
    assert not any("exactly" in h for h in hovers)
    assert any("(2018-08-09), worldwide: %{x:,}" in h for h in hovers)


def test_yonhap_s_decline_keeps_its_own_period(tables):
    # F28: Yonhap gave 18,533 for "end of 2017 -> Dec 2019"; it is 30,023 - 11,490 from the midterm report.
    row = tables["russia_workers"].set_index("obs_id").loc["RW_DECLINE"]
    assert row["as_of_label"] == "end of 2017 → Dec 2019"
    assert row["count"] == 30_023 - 11_490


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (0, "USD 0"),
        (250_000, "USD 250,000"),  # 1,000 workers x 250 dollars: not "USD 0 million"
        (2_500_000, "USD 2.5 million"),
        (350_000_000, "USD 350 million"),
        (5_000_000_000, "USD 5.0 billion"),  # 200,000 workers x 25,000 dollars
    ],
)
def test_usd_text_stays_true_at_small_and_large_amounts(amount, text):
    assert est.usd_text(amount) == text


def test_usd_text_rejects_a_negative_amount():
    with pytest.raises(ValueError, match="cannot be negative"):
        est.usd_text(-1)


def test_revenue_view_at_the_extremes_of_the_controls(tables):
    view = partial(est.revenue_view, references=tables["worker_estimates"], sources=tables["sources"])
    zero = view(0, 5_000, 0.7)
    assert "<b>USD 0</b> earned" in zero.text and "<b>USD 0</b> a year" in zero.text
    top = view(200_000, 25_000, 1.0)
    assert "<b>USD 5.0 billion</b> earned" in top.text and "100% of it" in top.text


def test_russia_labels_do_not_cross_the_deadline_line(tables):
    deadline = est.repatriation_deadline(tables)
    fig = est.russia_trajectory(tables["russia_workers"], tables["sources"], deadline)
    checked = 0
    for trace in fig.data:
        if trace.type != "scatter" or trace.textposition is None:
            continue
        for when, position in zip(trace.x, trace.textposition):
            when = pd.Timestamp(when)
            if when > pd.Timestamp(deadline):  # Zakharova's Jan 2020 and the Mar 2020 report
                assert position.endswith("right"), (when, position)
                checked += 1
            elif pd.Timestamp(deadline) - when < pd.Timedelta(days=183):  # Matsegora's Sep 2019
                assert position.endswith("left"), (when, position)
                checked += 1
    assert checked == 3  # F24, F25, F26


def test_explorer_redraws_when_a_control_changes(tables):
    shares = ipw.FloatSlider(value=0.5, min=0, max=1)
    render = partial(
        est.revenue_view, 100_000, 5_000, references=tables["worker_estimates"], sources=tables["sources"]
    )
    explorer = Explorer({"share_to_state": shares}, render)
    assert "that is <b>USD 250 million</b>" in explorer.text.value  # half of 500 million
    shares.value = 1.0
    assert "that is <b>USD 500 million</b>" in explorer.text.value


def test_calculator_controls_start_at_the_us_estimate_and_the_assumption(tables):
    controls = est.calculator_controls(tables)
    assert controls["workers"].value == 100_000  # F10
    assert controls["usd_per_worker"].value == 5_000  # F10: 500 million / 100,000
    share = controls["share_to_state"]
    assert share.description.startswith("ASSUMPTION:")
    assert share.value == 0.7  # A_SHARE_TO_STATE's default in assumptions.csv
    assert share.min == 0 and share.max == 1


def test_explorer_controls_offer_every_source_type_and_measure(tables):
    controls = est.explorer_controls(tables["worker_estimates"])
    assert set(controls["source_types"].options) == {"government", "UN", "experts", "media"}
    assert {value for _, value in controls["measure"].options} == {
        "workers", "earnings_usd_per_year", "share_pct", "countries"
    }
