"""The capacity model notebook 04's grid and simulator share (helpers/capacity.py).

Expected values are worked out by hand from the fact sheet and data/assumptions.csv's defaults:
2 flights a week (F50), 150 seats per flight, 50% of them for returning workers, 100 rail seats a
week, 0% running after the closure (ASSUMPTIONs), the closure on 31 Jan 2020 (F55).
"""

from __future__ import annotations

import math
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from helpers import capacity
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
