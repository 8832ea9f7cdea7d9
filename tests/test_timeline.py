"""helpers.timeline: paragraph 8's dates from data/, provisions in force, the notebook 01 charts.

Expected dates and day counts are worked out by hand here (or read from the fact sheet,
which states the deadline and the final report date), never copied from the code under test.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from helpers import data, timeline
from helpers.plots import PALETTE

ADOPTED = date(2017, 12, 22)  # F04/F05: resolution 2397 adopted 22 Dec 2017


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return data.load_all()


def with_adoption(tables: dict[str, pd.DataFrame], day: str) -> dict[str, pd.DataFrame]:
    """A copy of the tables in which resolution 2397 was adopted on another day."""
    changed = {name: frame.copy() for name, frame in tables.items()}
    res = changed["resolutions"]
    res.loc[res["provision_id"] == "R2397", "adopted"] = pd.Timestamp(day)
    return changed


# ---------------------------------------------------------------- dates

def test_the_dates_of_paragraph_8_match_the_fact_sheet_and_hand_arithmetic(tables):
    assert timeline.adoption_date(tables["resolutions"]) == ADOPTED
    assert timeline.deadline(tables) == date(2019, 12, 22)  # F06
    assert timeline.final_report_due(tables) == date(2020, 3, 22)  # F07
    assert timeline.midterm_report_due(tables) == date(2019, 3, 22)  # Dec 2017 + 15 months
    assert timeline.midterm_period_end(tables) == date(2018, 12, 22)  # + 12 months (F07b)
    assert timeline.draft_deadline(tables) == date(2018, 12, 22)  # the draft's 12 months (F08)


def test_the_dates_follow_the_data_rather_than_being_typed(tables):
    moved = with_adoption(tables, "2018-01-31")
    # 31 Jan 2018 + 24 months = 31 Jan 2020; + 13 months would clamp, + 15 months = 30 Apr 2019.
    assert timeline.deadline(moved) == date(2020, 1, 31)
    assert timeline.midterm_report_due(moved) == date(2019, 4, 30)
    terms = moved["resolution_terms"]
    terms.loc[terms["term_id"] == "T2397_REPAT", "value"] = 13.0
    assert timeline.deadline(moved) == date(2019, 2, 28)  # 31 Feb 2019 does not exist


def test_events_csv_dates_agree_with_the_computation(tables):
    events = tables["events"].set_index("event_id")
    assert events.loc["E_DEADLINE", "date"].date() == timeline.deadline(tables)
    assert events.loc["E_MIDTERM_REPORT_DUE", "date"].date() == timeline.midterm_report_due(tables)
    assert events.loc["E_FINAL_REPORT_DUE", "date"].date() == timeline.final_report_due(tables)


def test_key_dates_lists_the_dates_in_order_with_their_months(tables):
    table = timeline.key_dates(tables)
    assert list(table["months after adoption"]) == [0, 12, 15, 24, 27]
    assert list(table["date"]) == sorted(table["date"])
    assert table["date"].iloc[0] == ADOPTED
    assert table.set_index("what").loc["repatriation deadline", "source_id"] == "S03"


def test_day_counts_by_hand(tables):
    # 2018 and 2019 have 365 days each and 29 Feb 2020 comes after the deadline.
    assert timeline.days_between(ADOPTED, timeline.deadline(tables)) == 730
    # 22 Dec 2019 -> 31 Dec 2019 is 9 days, then 23 more to 23 Jan 2020.
    assert timeline.days_to_deadline(date(2020, 1, 23), date(2019, 12, 22)) == -32
    assert timeline.days_to_deadline(date(2019, 12, 22), date(2019, 12, 22)) == 0
    assert timeline.days_to_deadline(date(2019, 12, 21), date(2019, 12, 22)) == 1


@pytest.mark.parametrize(
    ("term_id", "change", "message"),
    [
        ("T2397_MISSING", None, "no term"),
        ("T2397_VOTES_FOR", None, "not months"),
        ("T2397_REPAT", ("value", 24.5), "whole"),
        ("T2397_REPAT", ("value", -1.0), "non-negative"),
    ],
)
def test_term_months_rejects_terms_that_are_not_whole_months(tables, term_id, change, message):
    terms = tables["resolution_terms"].copy()
    if change:
        terms.loc[terms["term_id"] == term_id, change[0]] = change[1]
    with pytest.raises(ValueError, match=message):
        timeline.term_months(terms, term_id)


def test_unknown_provision_and_impossible_dates_are_rejected(tables):
    with pytest.raises(ValueError, match="no provision 'R9999'"):
        timeline.adoption_date(tables["resolutions"], "R9999")
    with pytest.raises(ValueError, match="not an ISO date"):
        timeline.as_date("2019-02-30")
    with pytest.raises(ValueError, match="NaT"):
        timeline.as_date(pd.NaT)
    with pytest.raises(ValueError, match="expected a date"):
        timeline.as_date(20191222)


# ---------------------------------------------------------------- provisions in force

@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2016, 11, 29), []),
        (date(2016, 11, 30), ["R2321"]),  # adopted that day (F01)
        (date(2017, 9, 10), ["R2321", "R2371"]),  # the day before 2375 (F03)
        (date(2017, 12, 21), ["R2321", "R2371", "R2375"]),
        (date(2020, 3, 31), ["R2321", "R2371", "R2375", "R2397"]),
    ],
)
def test_provisions_in_force(tables, day, expected):
    assert list(timeline.provisions_in_force(tables["resolutions"], day)["provision_id"]) == expected


def test_day_summary_says_what_was_in_force_and_the_days_left(tables):
    assert "No worker provision" in timeline.day_summary(tables, date(2016, 11, 1))
    before = timeline.day_summary(tables, date(2017, 12, 21))
    assert "no deadline yet" in before and "2397" not in before.split("There was")[0]
    on_adoption = timeline.day_summary(tables, ADOPTED)
    assert "2397 ¶8 (repatriate all)" in on_adoption and "730 days remained" in on_adoption
    assert "deadline day" in timeline.day_summary(tables, date(2019, 12, 22))
    assert "1 day remained" in timeline.day_summary(tables, date(2019, 12, 21))  # not "1 days"
    assert "passed 1 day earlier" in timeline.day_summary(tables, date(2019, 12, 23))
    assert "passed 32 days earlier" in timeline.day_summary(tables, date(2020, 1, 23))


# ---------------------------------------------------------------- the steps on the path

def test_step_gaps_by_hand(tables):
    steps = timeline.step_gaps(tables["resolutions"])
    assert list(steps["resolution"].astype(str)) == ["2321", "2371", "2375", "2397"]
    # 30 Nov 2016 -> 5 Aug 2017: 1 (to 1 Dec) + 31 + 31 + 28 + 31 + 30 + 31 + 30 + 31 (Dec–Jul) + 4 = 248.
    # 5 Aug -> 11 Sep 2017: 26 to 31 Aug, then 11 = 37. 11 Sep -> 22 Dec 2017: 19 + 31 + 30 + 22 = 102.
    assert list(steps["days_to_next"].iloc[:3]) == [248, 37, 102]
    assert pd.isna(steps["days_to_next"].iloc[3])


def test_shortest_step_is_the_cap_of_2371(tables):
    assert timeline.shortest_step(tables["resolutions"]) == "2371"  # 37 days before 2375


def test_step_gaps_reject_a_path_without_steps(tables):
    with pytest.raises(ValueError, match="at least two"):
        timeline.step_gaps(tables["resolutions"].head(1))
    undated = tables["resolutions"].copy()
    undated.loc[undated["provision_id"] == "R2375", "adopted"] = pd.NaT
    with pytest.raises(ValueError, match="adoption date"):
        timeline.step_gaps(undated)


def test_events_start_is_the_first_of_the_drafts_month(tables):
    assert timeline.events_start(tables["events"]) == date(2019, 12, 1)  # F60: draft of 16 Dec 2019
    with pytest.raises(ValueError, match="E_DRAFT"):
        timeline.events_start(tables["events"][tables["events"]["event_id"] != "E_DRAFT"])


def test_date_options_cover_every_day_inclusive():
    options = timeline.date_options(date(2020, 2, 1), date(2020, 3, 1))
    assert len(options) == 30  # 29 days of February 2020 (a leap year) plus 1 March
    assert options[0] == ("01 Feb 2020", date(2020, 2, 1))
    assert options[-1][1] == date(2020, 3, 1)
    with pytest.raises(ValueError, match="after end"):
        timeline.date_options(date(2020, 3, 2), date(2020, 3, 1))


def test_slider_range_is_the_issues_dec_2016_to_mar_2020():
    assert (timeline.SLIDER_START.year, timeline.SLIDER_START.month) == (2016, 12)
    assert (timeline.SLIDER_END.year, timeline.SLIDER_END.month) == (2020, 3)
    assert timeline.CHART_START <= timeline.SLIDER_START and timeline.SLIDER_END <= timeline.CHART_END


# ---------------------------------------------------------------- quotes and charts

def test_quote_markdown_quotes_data_with_its_sources(tables):
    rows = tables["events"][tables["events"]["event_id"] == "E_ADMISSION"]
    text = timeline.quote_markdown(rows, tables["sources"])
    assert text.startswith("> Russia said on Thursday")
    assert "objective difficulties" in text
    assert "S01 Reuters (2020-01-23)" in text and "S02 Interfax" in text and "Status: seed" in text
    assert "In the seed article's words" in text


def test_quote_markdown_does_not_pass_a_summary_off_as_a_sources_words(tables):
    rows = tables["events"][tables["events"]["event_id"] == "E_DRAFT"]  # F60: the fact sheet's summary of S22
    text = timeline.quote_markdown(rows, tables["sources"])
    assert "As the fact sheet records it" in text and "seed article's words" not in text


def test_quote_markdown_rejects_empty_rows_and_unknown_sources(tables):
    with pytest.raises(ValueError, match="no rows"):
        timeline.quote_markdown(tables["events"].iloc[0:0], tables["sources"])
    rows = tables["events"].head(1).copy()
    rows["source_id"] = "S99"
    with pytest.raises(ValueError, match="S99"):
        timeline.quote_markdown(rows, tables["sources"])


def _source_line(figure) -> str:
    return next(a.text for a in figure.layout.annotations if a.name == "source-line")


def test_timeline_figure_greys_provisions_not_yet_adopted_and_marks_the_day(tables):
    day = date(2017, 9, 1)  # after 2371 (5 Aug 2017), before 2375 (11 Sep 2017)
    fig = timeline.timeline_figure(tables, timeline.CHART_START, timeline.CHART_END, on=day)
    bars = [t for t in fig.data if t.mode == "lines"]
    assert len(bars) == 4
    assert [t.line.color == PALETTE[0] for t in bars] == [True, True, False, False]
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert {str(s.x0)[:10] for s in lines} == {"2017-09-01", "2019-12-22"}
    assert "S03 UN Security Council" in _source_line(fig) and "S09" in _source_line(fig)
    diamonds = next(t for t in fig.data if t.mode == "markers+text")
    assert [str(x)[:10] for x in diamonds.x] == ["2019-03-22", "2019-12-22", "2020-03-22"]


def test_timeline_figure_labels_the_report_diamonds_and_keeps_the_day_label_inside(tables):
    fig = timeline.timeline_figure(tables, timeline.CHART_START, timeline.CHART_END, on=date(2020, 3, 31))
    diamonds = next(t for t in fig.data if t.mode and "markers" in t.mode)
    # midterm (22 Mar 2019), deadline (22 Dec 2019, labelled by its line), final (22 Mar 2020).
    assert list(diamonds.text) == ["midterm report", "", "final report"]
    day_label = next(a for a in fig.layout.annotations if a.text == "31 Mar 2020")
    assert day_label.xanchor == "right"  # a day after the deadline: label left of its line
    early = timeline.timeline_figure(tables, timeline.CHART_START, timeline.CHART_END, on=date(2016, 12, 1))
    assert next(a for a in early.layout.annotations if a.text == "01 Dec 2016").xanchor == "left"
    # on 1 Dec 2016 only 2321 (30 Nov 2016) was adopted: one bar in colour, three grey
    assert [t.line.color == PALETTE[0] for t in early.data if t.mode == "lines"] == [True, False, False, False]


def test_timeline_figure_rejects_an_impossible_window(tables):
    with pytest.raises(ValueError, match="must come before"):
        timeline.timeline_figure(tables, date(2020, 1, 1), date(2019, 1, 1))
    with pytest.raises(ValueError, match="outside"):
        timeline.timeline_figure(tables, timeline.CHART_START, timeline.CHART_END, on=date(2021, 1, 1))


def test_events_figure_draws_each_event_in_the_window_once(tables):
    fig = timeline.events_figure(tables, date(2020, 1, 1), date(2020, 1, 31))
    labels = list(fig.data[0].y)
    # In January 2020: OFAC (14th), China and visa statistics (22nd), admission and "not workers" (23rd).
    assert [label[:11] for label in labels] == ["14 Jan 2020", "22 Jan 2020", "22 Jan 2020", "23 Jan 2020", "23 Jan 2020"]
    assert "S20" in _source_line(fig) and "S22" not in _source_line(fig)
    # Events after the window are named in a note, and their sources cited: the Nov 2021
    # report that the draft was never tabled (F61, S23) among them.
    assert "Later, outside this window" in _source_line(fig) and "Nov 2021" in _source_line(fig)
    assert "S23" in _source_line(fig)
    with pytest.raises(ValueError, match="no events"):
        timeline.events_figure(tables, date(2018, 1, 1), date(2018, 1, 31))


def test_events_figure_without_later_events_has_no_note(tables):
    fig = timeline.events_figure(tables, date(2019, 12, 1), date(2021, 12, 31))
    assert "Later" not in _source_line(fig)
    assert len(fig.data[0].x) == len(tables["events"]) - 1  # every event but the midterm due date (Mar 2019)
    assert timeline.later_events_note(tables["events"].iloc[0:0]) is None


def test_window_events_is_inclusive_and_rejects_a_reversed_window(tables):
    same_day = timeline.window_events(tables["events"], date(2019, 12, 22), date(2019, 12, 22))
    assert list(same_day["event_id"]) == ["E_DEADLINE"]
    with pytest.raises(ValueError, match="after end"):
        timeline.window_events(tables["events"], date(2020, 1, 2), date(2020, 1, 1))


# ---------------------------------------------------------------- claims

def test_derived_values_are_dates_and_hand_checked_counts(tables):
    values = timeline.derived_values(tables)
    assert values["repatriation_deadline"] == date(2019, 12, 22)
    assert values["midterm_report_due"] == date(2019, 3, 22)
    assert values["final_report_due"] == date(2020, 3, 22)
    assert values["days_adoption_to_deadline"] == 730
    assert values["days_deadline_to_admission"] == 32
    assert values["days_deadline_to_ofac"] == 23  # 22 Dec 2019 -> 14 Jan 2020: 9 + 14
    assert values["days_midterm_period_end_to_report_due"] == 90  # 22 Dec 2018 -> 22 Mar 2019: 9 + 31 + 28 + 22
    assert values["midterm_months_after_2321"] == date(2018, 2, 28)  # 30 Nov 2016 + 15 months: no 30 Feb 2018
    assert (values["days_2321_newest_step"], values["days_2371_newest_step"], values["days_2375_newest_step"]) == (248, 37, 102)
    assert all(isinstance(v, (date, float)) for v in values.values())
