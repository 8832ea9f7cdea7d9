"""The capacity model notebook 04's grid and simulator share, and the drawdown chart its two
scenarios and simulator draw (helpers/capacity.py).

Expected values are worked out by hand from the fact sheet and data/assumptions.csv's defaults:
2 flights a week (F50), 150 seats per flight, 50% of them for returning workers, 100 rail seats a
week, 0% running after the closure (ASSUMPTIONs), the closure on 31 Jan 2020 (F55); the drawdown's
on tiny hand-made cases, each worked out in a comment.
"""

from __future__ import annotations

import json
import math
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from helpers import capacity, paths
from helpers.capacity import Settings

CLOSURE = date(2020, 1, 31)  # F55: the Pyongyang–Vladivostok route suspended on Friday 31 Jan 2020


@pytest.fixture(scope="module")
def defaults(tables) -> Settings:
    return capacity.settings_from(tables)


# ---------------------------------------------------------------- settings from data/


def test_defaults_come_from_data(defaults):
    # TR_FLIGHTS value 2; the four assumption defaults: 150 seats, 0.5, 100 rail seats, 0 after
    # the closure
    assert defaults == Settings(2, 150, 0.5, 100, 0)


def test_weekly_seats_at_the_defaults(defaults):
    assert defaults.weekly == 250  # 2 flights x 150 seats x 0.5 + 100 rail = 150 + 100


def test_settings_from_changes_one_setting_by_name(tables):
    assert (
        capacity.settings_from(tables, rail_seats_per_week=0).weekly == 150
    )  # air only: 2 x 150 x 0.5
    assert capacity.settings_from(tables, flights_per_week=3).weekly == 325  # 3 x 150 x 0.5 + 100
    with pytest.raises(ValueError, match="rail_seats"):
        capacity.settings_from(tables, rail_seats=0)


def test_closure_date_is_read_from_events(tables):
    assert capacity.closure_date(tables) == CLOSURE


# ---------------------------------------------------------------- whole weeks and seats by a date


def test_full_weeks_counts_whole_weeks_only():
    assert (
        capacity.full_weeks(date(2018, 12, 31), date(2019, 12, 22)) == 50
    )  # 356 days = 50 x 7 + 6
    assert (
        capacity.full_weeks(date(2017, 12, 31), date(2019, 12, 22)) == 103
    )  # 365 + 356 = 721 = 103 x 7
    assert (
        capacity.full_weeks(date(2020, 1, 23), date(2020, 3, 10)) == 6
    )  # 8 + 29 (leap Feb) + 10 = 47 days
    assert capacity.full_weeks(date(2020, 1, 1), date(2020, 1, 7)) == 0  # 6 days: no whole week
    assert (
        capacity.full_weeks(pd.Timestamp("2018-12-31"), datetime(2019, 1, 14, 12)) == 2
    )  # Timestamps too


def test_scenario_1_seats_by_the_deadline(defaults):
    # the closure (31 Jan 2020) is after the deadline, so it changes nothing: 250 x 50 weeks
    assert capacity.seats_by(defaults, date(2018, 12, 31), date(2019, 12, 22), CLOSURE) == 12_500
    air_only = Settings(2, 150, 0.5, 0, 0)
    assert (
        capacity.seats_by(air_only, date(2018, 12, 31), date(2019, 12, 22), CLOSURE) == 7_500
    )  # 150 x 50


def test_scenario_2_the_closure_cuts_capacity(defaults):
    # 23 Jan -> 10 Mar 2020: 6 whole weeks; 23 Jan -> 31 Jan is 8 days, so 1 week runs in full
    assert (
        capacity.seats_by(defaults, date(2020, 1, 23), date(2020, 3, 10), CLOSURE) == 250
    )  # 250 x 1 + 0 x 5
    quarter = Settings(2, 150, 0.5, 100, 0.25)
    assert (
        capacity.seats_by(quarter, date(2020, 1, 23), date(2020, 3, 10), CLOSURE) == 562.5
    )  # 250 + 62.5 x 5
    running = Settings(2, 150, 0.5, 100, 1)
    assert (
        capacity.seats_by(running, date(2020, 1, 23), date(2020, 3, 10), CLOSURE) == 1_500
    )  # 250 x 6


def test_without_a_closure_every_week_runs_in_full(defaults):
    assert capacity.seats_by(defaults, date(2020, 1, 23), date(2020, 3, 10)) == 1_500  # 250 x 6


def test_a_week_ending_on_the_closure_day_runs_in_full(defaults):
    # 24 Jan + 7 days = 31 Jan: one full week, then 2 closed weeks to 14 Feb
    assert capacity.seats_by(defaults, date(2020, 1, 24), date(2020, 2, 14), CLOSURE) == 250
    # 25 Jan: the first week ends on 1 Feb, after the closure: nothing runs
    assert capacity.seats_by(defaults, date(2020, 1, 25), date(2020, 2, 15), CLOSURE) == 0


def test_a_start_after_the_closure_runs_every_week_at_the_share():
    half = Settings(2, 150, 0.5, 100, 0.5)
    assert (
        capacity.seats_by(half, date(2020, 2, 1), date(2020, 2, 15), CLOSURE) == 250
    )  # 250 x 0.5 x 2 weeks


def test_weeks_needed_rounds_up_to_whole_weeks():
    assert capacity.weeks_needed(11_490, 250) == 46  # 11,490 / 250 = 45.96
    assert capacity.weeks_needed(1_000, 250) == 4  # exactly 4: no extra week from float error
    assert capacity.weeks_needed(0, 0) == 0  # nobody to carry needs no seats
    with pytest.raises(ValueError, match="weekly"):
        capacity.weeks_needed(1, 0)


# -------------------------------------------------------- inputs: numbers.Real in, the rest out


@pytest.mark.parametrize(
    "number", [np.int64(2), np.int32(2), np.float32(2.0), np.float64(2.0), Fraction(2), 2, 2.0]
)
def test_any_real_number_is_accepted(number):
    assert Settings(number, 150, 0.5, 100).weekly == 250  # 2 x 150 x 0.5 + 100


@pytest.mark.parametrize(
    "name",
    [
        "flights_per_week",
        "seats_per_flight",
        "share_for_workers",
        "rail_seats_per_week",
        "share_after_closure",
    ],
)
@pytest.mark.parametrize("bad", ["2", None, True, [2], complex(2, 0), Decimal("0.5")])
def test_anything_else_is_a_value_error_naming_the_setting(name, bad):
    values = {
        "flights_per_week": 2,
        "seats_per_flight": 150,
        "share_for_workers": 0.5,
        "rail_seats_per_week": 100,
        "share_after_closure": 0,
        name: bad,
    }
    with pytest.raises(ValueError, match=name):
        Settings(**values)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, np.float64("nan"), 10**400, -1])
def test_non_finite_huge_and_negative_numbers_are_refused_by_name(bad):
    with pytest.raises(ValueError, match="seats_per_flight"):
        Settings(2, bad, 0.5, 100)


@pytest.mark.parametrize("name", ["share_for_workers", "share_after_closure"])
def test_a_share_above_one_is_refused_by_name(name):
    values = {
        "flights_per_week": 2,
        "seats_per_flight": 150,
        "share_for_workers": 0.5,
        "rail_seats_per_week": 100,
        name: 1.5,
    }
    with pytest.raises(ValueError, match=f"{name} must be from 0 to 1"):
        Settings(**values)


def test_an_overflowing_result_is_a_value_error_naming_it():
    with pytest.raises(ValueError, match="seats a week"):
        Settings(10, 1e308, 1, 0)  # 10 x 1e308 overflows a float
    big = Settings(1, 1e308, 1, 0)  # 1e308 seats a week is finite; 1e308 x 2 weeks is not
    with pytest.raises(ValueError, match="seats by the end date"):
        capacity.seats_by(big, date(2020, 1, 1), date(2020, 1, 15))
    with pytest.raises(ValueError, match="people / weekly"):
        capacity.weeks_needed(1e308, 1e-308)


@pytest.mark.parametrize("bad", ["2019-12-22", None, 20191222, pd.NaT])
def test_dates_must_be_dates(bad):
    with pytest.raises(ValueError, match="end"):
        capacity.full_weeks(date(2018, 12, 31), bad)
    with pytest.raises(ValueError, match="start"):
        capacity.full_weeks(bad, date(2019, 12, 22))


@pytest.mark.parametrize("bad", ["2020-01-31", 20200131, pd.NaT])
def test_a_closure_must_be_a_date_or_none(defaults, bad):
    with pytest.raises(ValueError, match="closure"):
        capacity.seats_by(defaults, date(2018, 12, 31), date(2019, 12, 22), bad)


def test_an_end_before_the_start_is_refused():
    with pytest.raises(ValueError, match="before start"):
        capacity.full_weeks(date(2019, 12, 22), date(2018, 12, 31))


@pytest.mark.parametrize("bad", ["1000", -1, math.nan, None, True])
def test_people_must_be_a_count(bad):
    with pytest.raises(ValueError, match="people"):
        capacity.weeks_needed(bad, 250)


def test_numpy_counts_are_counts():
    assert capacity.weeks_needed(np.int64(1_000), np.float64(250)) == 4  # 1,000 / 250


# -------------------------------------------------------- the drawdown: the model week by week

ONE_A_WEEK = Settings(1, 1, 1, 0)  # 1 flight x 1 seat x all for workers, no rail: 1 seat a week


def test_remaining_by_week_on_a_tiny_case():
    # 100 seats a week (1 flight x 100 seats, all for workers, no rail), 250 people from Wed 1 Jan
    # 2020: weeks end 8, 15, 22 and 29 Jan (5 Feb is after 4 Feb: 6 days are no week);
    # 250 -> 150 -> 50 -> 0 (never -50) -> 0
    steps = capacity.remaining_by_week(
        250, date(2020, 1, 1), date(2020, 2, 4), Settings(1, 100, 1, 0, 0)
    )
    assert list(steps["day"].dt.date) == [date(2020, 1, day) for day in (1, 8, 15, 22, 29)]
    assert list(steps["at least remaining"]) == [250, 150, 50, 0, 0]


def test_remaining_by_week_runs_weeks_after_the_closure_at_its_share():
    # closure Fri 10 Jan: only the week ending 8 Jan ends by it (100 seats); the weeks ending 15,
    # 22 and 29 Jan run at half (50 seats): 250 -> 150 -> 100 -> 50 -> 0
    half = Settings(1, 100, 1, 0, 0.5)
    steps = capacity.remaining_by_week(
        250, date(2020, 1, 1), date(2020, 1, 29), half, date(2020, 1, 10)
    )
    assert list(steps["at least remaining"]) == [250, 150, 100, 50, 0]


def test_remaining_by_week_over_centuries_is_one_row_a_week():
    # 1 Jan 1700 -> 1 Jan 2200: 500 x 365 days + 121 leap days (125 years divisible by 4 from
    # 1700 to 2196, less 1700, 1800, 1900 and 2100) = 182,621 days = 26,088 weeks + 5 days
    steps = capacity.remaining_by_week(1, date(1700, 1, 1), date(2200, 1, 1), ONE_A_WEEK)
    assert len(steps) == 26_089  # the start and each of the 26,088 whole weeks
    assert list(steps["at least remaining"].iloc[:3]) == [1, 0, 0]


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: capacity.remaining_by_week(1, CLOSURE, CLOSURE, None), TypeError, "settings"),
        (
            lambda: capacity.remaining_by_week(-1, CLOSURE, CLOSURE, ONE_A_WEEK),
            ValueError,
            "people",
        ),
        (
            lambda: capacity.remaining_by_week(1, CLOSURE, date(2020, 1, 1), ONE_A_WEEK),
            ValueError,
            "before start",
        ),
        (
            lambda: capacity.remaining_by_week(1, CLOSURE, CLOSURE, ONE_A_WEEK, "2020-01-31"),
            ValueError,
            "closure",
        ),
    ],
)
def test_remaining_by_week_names_a_bad_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()


# ---------------------------------------------- the drawdown chart, its table, note and sources


def count_rows(*rows: tuple[str, int, str, str]) -> pd.DataFrame:
    """Counts shaped as rows of russia_workers.csv: (day, count, qualifier, kind) each, ids A, B,
    ..., the first dated by its month only."""
    days, numbers, qualifiers, kinds = zip(*rows)
    return pd.DataFrame(
        {
            "as_of": pd.to_datetime(list(days)),
            "as_of_label": list(days),
            "date_precision": ["month"] + ["day"] * (len(rows) - 1),
            "measure": "workers",
            "count": list(numbers),
            "qualifier": list(qualifiers),
            "kind": list(kinds),
            "who": "a test",
            "source_id": "S01",
        },
        index=pd.Index(["A", "B", "C"][: len(rows)], name="obs_id"),
    )


ABOUT_A = ("2020-02-01", 9_400, "about", "official statement")
WRITTEN_B = ("2020-02-08", 10_000, "as written", "official report")
LATER = date(2020, 6, 1)  # a deadline and closure after the last day: neither is drawn


@pytest.fixture(scope="module")
def tiny_steps() -> pd.DataFrame:
    # 100 people at 1 seat a week from Wed 1 Jan to Wed 25 Mar 2020: 12 weeks, 100 -> 88
    return capacity.remaining_by_week(100, date(2020, 1, 1), date(2020, 3, 25), ONE_A_WEEK)


def label_of(fig, kind: str) -> tuple[str, str]:
    """The place and text of the one count of ``kind`` on a drawdown chart."""
    (trace,) = [trace for trace in fig.data if trace.name == kind]
    return trace.textposition[0], trace.text[0]


def test_a_label_goes_where_it_covers_no_marker(tiny_steps):
    # At 560 px high the plot is 448 x 280 px (560 - 64 - 24 - 24 wide; 560 - 280 for the rest).
    # x: 1 Jan - 4% of 84 days to 25 Mar + 15% = 99.96 days on 448 px, 4.48 px a day: A (1 Feb)
    # at 154 px, B (8 Feb) at 185 px. y: -300 to 12,080 (room for a 47 px label over 10,000),
    # 44.2 people a px: A at 219 px, B at 233 px; the steps (100 to 88) under 10 px.
    # A's label "about 9,400" (74 px wide at 14 px) top right would span x 154..236, y 223..245:
    # it covers B's marker (x 179..191, y 227..239). Top left (x 72..154) is clear of it.
    alone = capacity.drawdown_figure(tiny_steps, count_rows(ABOUT_A), LATER, LATER, height=560)
    assert label_of(alone, "official statement") == ("top right", "about 9,400")
    both = count_rows(ABOUT_A, WRITTEN_B)
    fig = capacity.drawdown_figure(tiny_steps, both, LATER, LATER, height=560)
    assert label_of(fig, "official statement") == ("top left", "about 9,400")
    assert label_of(fig, "official report") == ("top right", "")  # as written: no label


def test_the_deadline_and_closure_are_drawn_when_the_chart_reaches_them(tiny_steps):
    counts = count_rows(ABOUT_A)
    fig = capacity.drawdown_figure(tiny_steps, counts, date(2020, 3, 1), CLOSURE, height=560)
    assert [shape.type for shape in fig.layout.shapes] == ["line", "rect"]
    assert fig.layout.annotations[0].text == "deadline 1 Mar 2020"
    assert "route closed from 31 Jan 2020" in [trace.name for trace in fig.data]
    assert (
        capacity.drawdown_figure(tiny_steps, counts, LATER, LATER, height=560).layout.shapes == ()
    )


def test_a_chart_of_nobody_in_one_week_still_has_a_plot():
    # 0 people from 1 Jan to 1 Jan: one step at 0 and no counts; the plot is still 1 person high
    # and a week wide, so nothing is divided by zero
    steps = capacity.remaining_by_week(0, date(2020, 1, 1), date(2020, 1, 1), ONE_A_WEEK)
    fig = capacity.drawdown_figure(steps, count_rows(ABOUT_A).iloc[:0], LATER, LATER, height=440)
    assert fig.layout.yaxis.range[1] > fig.layout.yaxis.range[0]
    assert fig.layout.xaxis.range[1] > fig.layout.xaxis.range[0]


def test_the_table_behind_the_chart_puts_counts_and_model_in_date_order(tiny_steps):
    table = capacity.drawdown_table(count_rows(ABOUT_A, WRITTEN_B), tiny_steps)
    assert list(table["Date"].dt.date) == [
        date(2020, 1, 1),  # the model's first week: 100
        date(2020, 2, 1),  # A
        date(2020, 2, 8),  # B
        date(2020, 3, 25),  # the model's last week: 100 - 12 = 88
    ]
    assert list(table["Number (people)"]) == [100, 9_400, 10_000, 88]
    assert list(table["Qualifier"]) == ["at least", "about", "as written", "at least"]
    assert table["Figure"].iloc[1] == "official statement: workers"


def test_the_note_states_the_settings_the_hedge_and_the_assumed_days(defaults):
    note = capacity.drawdown_note(defaults, "about", count_rows(ABOUT_A, WRITTEN_B))
    assert note == (
        "ASSUMPTIONs (F52, F57): 150 seats a flight, 50% for workers, 100 rail seats a week, 0%"
        " running after the closure; 2 flights a week. The start count is approximate. Days"
        " assumed (the source gives the month): 1 Feb 2020."
    )
    as_written = capacity.drawdown_note(defaults, "as written", count_rows(WRITTEN_B))
    assert as_written.endswith(
        "; 2 flights a week. Days assumed (the source gives the month): 8 Feb 2020."
    )


def test_the_chart_cites_the_closure_only_when_it_reaches_it(tables, tiny_steps):
    # the steps run to 25 Mar 2020, after the closure (31 Jan 2020); the first four weeks end
    # on 29 Jan, before it
    counts = count_rows(("2020-01-08", 100, "about", "official statement"))
    reaching = capacity.cited_rows(tables, counts, tiny_steps)
    assert list(reaching.index) == ["A", "TR_FLIGHTS", "E_VLADIVOSTOK_SUSPENDED"]
    before = capacity.cited_rows(tables, counts, tiny_steps.iloc[:5])
    assert list(before.index) == ["A", "TR_FLIGHTS"]


def test_count_text_writes_a_count_as_its_source_qualifies_it():
    assert capacity.count_text("about", 1_000) == "about 1,000"
    assert capacity.count_text("as written", 30_023) == "30,023"
    assert capacity.count_text("fewer than", np.int64(10_000)) == "fewer than 10,000"
    assert capacity.count_text("about", 1_000.0) == "about 1,000"  # a whole float: no ".0"


def test_count_text_takes_every_qualifier_the_data_allows():
    package = json.loads(paths.data_path("datapackage.json").read_text(encoding="utf-8"))
    (workers,) = [r for r in package["resources"] if r["name"] == "russia_workers"]
    (field,) = [f for f in workers["schema"]["fields"] if f["name"] == "qualifier"]
    for qualifier in field["constraints"]["enum"]:
        assert capacity.count_text(qualifier, 5).endswith("5")


def drawdown(steps=None, counts=None, deadline=LATER, closure=LATER, height=560):
    """A drawdown chart of a tiny case with one argument swapped for a bad one."""
    if steps is None:
        steps = capacity.remaining_by_week(100, date(2020, 1, 1), date(2020, 3, 25), ONE_A_WEEK)
    counts = count_rows(ABOUT_A) if counts is None else counts
    return capacity.drawdown_figure(steps, counts, deadline, closure, height=height)


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: drawdown(steps=[1, 2]), TypeError, "steps must be a DataFrame"),
        (lambda: drawdown(steps=pd.DataFrame({"day": []})), ValueError, "steps must have"),
        (
            lambda: drawdown(steps=pd.DataFrame({"day": [], "at least remaining": []})),
            ValueError,
            "steps must hold at least one week",
        ),
        (lambda: drawdown(counts=pd.Series([1])), TypeError, "counts must be a DataFrame"),
        (
            lambda: drawdown(counts=count_rows(ABOUT_A).assign(kind="rumour")),
            ValueError,
            r"counts\['kind'\] holds \['rumour'\]",
        ),
        (
            lambda: drawdown(counts=count_rows(ABOUT_A).assign(as_of=pd.NaT)),
            ValueError,
            r"counts\['as_of'\] must hold a date",
        ),
        (lambda: drawdown(deadline="2019-12-22"), ValueError, "deadline must be a date"),
        (lambda: drawdown(closure=None), ValueError, "closure must be a date"),
        (lambda: drawdown(height=50), ValueError, "height must be a whole number"),
        (lambda: drawdown(height=True), ValueError, "height must be a whole number"),
        (lambda: capacity.drawdown_table(None, None), TypeError, "counts must be a DataFrame"),
        (lambda: capacity.drawdown_note(None, "about", None), TypeError, "settings must be"),
        (
            lambda: capacity.drawdown_note(ONE_A_WEEK, "approx", count_rows(ABOUT_A)),
            ValueError,
            "start_qualifier must be one of",
        ),
        (lambda: capacity.cited_rows(None, None, None), TypeError, "tables must be the tables"),
        (lambda: capacity.count_text("abut", 1), ValueError, "qualifier must be one of"),
        (lambda: capacity.count_text(None, 1), TypeError, "qualifier must be text"),
        (lambda: capacity.count_text("about", 1.5), ValueError, "count must be a whole number"),
        (lambda: capacity.count_text("about", -1), ValueError, "count must be 0 or more"),
        (lambda: capacity.count_text("about", "1"), ValueError, "count must be a real number"),
    ],
)
def test_the_drawdown_functions_name_a_bad_argument(call, error, words):
    with pytest.raises(error, match=words):
        call()
