"""The capacity model (helpers.capacity): arithmetic checked by hand, inputs checked for sense.

Expected values are worked out here from the fact sheet and by hand, never read back from
the code under test: 22 Dec 2017 + 24 months = 22 Dec 2019 (F06); 31 Dec 2018 to 22 Dec
2019 is 356 days (365 - 9), so 50 whole weeks; 2 flights x 150 seats x 0.5 + 100 rail = 250.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime

import pandas as pd
import pytest

from helpers import capacity
from helpers.data import load_all


@pytest.fixture(scope="module")
def tables():
    return load_all()


END_2018 = date(2018, 12, 31)
DEADLINE = date(2019, 12, 22)


# ---------------------------------------------------------------- arithmetic

def test_weekly_seats_adds_air_share_and_rail():
    assert capacity.weekly_seats(2, 150, 0.5, 100) == 250  # 2 x 150 x 0.5 = 150, + 100
    assert capacity.weekly_seats(2, 200, 1.0, 0) == 400
    assert capacity.weekly_seats(0, 300, 1.0, 70) == 70  # no flights: rail only


def test_full_weeks_counts_whole_weeks_only():
    assert capacity.full_weeks(END_2018, DEADLINE) == 50  # 356 days
    assert capacity.full_weeks(date(2020, 1, 1), date(2020, 1, 7)) == 0  # 6 days
    assert capacity.full_weeks(date(2020, 1, 1), date(2020, 1, 8)) == 1  # 7 days
    assert capacity.full_weeks(pd.Timestamp("2018-12-31"), datetime(2019, 12, 22, 12)) == 50


def test_could_leave_is_capped_by_seats_and_by_people():
    assert capacity.could_leave(11490, 250, END_2018, DEADLINE) == 11490  # 12,500 seats > 11,490 people
    assert capacity.could_leave(11490, 100, END_2018, DEADLINE) == 5000  # 100 x 50 weeks
    assert capacity.could_leave(11490, 0, END_2018, DEADLINE) == 0


def test_gap_is_people_minus_those_who_could_leave():
    assert capacity.gap(11490, 100, END_2018, DEADLINE) == 6490  # 11,490 - 5,000
    assert capacity.gap(11490, 250, END_2018, DEADLINE) == 0
    assert capacity.gap(30023, 0, date(2017, 12, 31), DEADLINE) == 30023


def test_weeks_needed_rounds_up_to_whole_weeks():
    assert capacity.weeks_needed(1000, 250) == 4
    assert capacity.weeks_needed(1001, 250) == 5
    assert capacity.weeks_needed(511, 60) == 9  # 8.5 weeks is not enough
    assert capacity.weeks_needed(0, 0) == 0  # nobody to move needs no seats


def test_break_even_weekly_seats():
    assert capacity.weekly_seats_needed(11490, END_2018, DEADLINE) == pytest.approx(229.8)  # 11,490 / 50


def test_weekly_pace_uses_days_over_seven():
    # 30,023 - 11,490 = 18,533 (F28) over 365 days = 52 1/7 weeks
    assert capacity.weekly_pace(30023, date(2017, 12, 31), 11490, END_2018) == pytest.approx(18533 / (365 / 7))


def test_settings_weekly_and_note_label_the_assumptions():
    settings = capacity.Settings(2, 150, 0.5, 100)
    assert settings.weekly == 250
    note = settings.note()
    assert note.startswith("ASSUMPTION")
    assert "150 seats per flight" in note and "50%" in note and "100 rail seats" in note


# ---------------------------------------------------------------- impossible input

@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, 150, 0.5, 100), "flights_per_week cannot be below 0"),
        ((2, -150, 0.5, 100), "seats_per_flight cannot be below 0"),
        ((2, 150, 1.5, 100), "share_for_workers cannot be above 1"),
        ((2, 150, -0.1, 100), "share_for_workers cannot be below 0"),
        ((2, 150, 0.5, -5), "rail_seats_per_week cannot be below 0"),
        ((2, float("nan"), 0.5, 100), "seats_per_flight must be a finite number"),
        ((2, math.inf, 0.5, 100), "seats_per_flight must be a finite number"),
        (("2", 150, 0.5, 100), "flights_per_week must be a number"),
        ((True, 150, 0.5, 100), "flights_per_week must be a number"),
    ],
)
def test_impossible_settings_are_rejected(args, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        capacity.weekly_seats(*args)
    with pytest.raises(ValueError, match=re.escape(message)):
        capacity.Settings(*args)


def test_end_before_start_is_rejected():
    with pytest.raises(ValueError, match="before the start"):
        capacity.full_weeks(DEADLINE, END_2018)
    with pytest.raises(ValueError, match="must be a date"):
        capacity.full_weeks("2018-12-31", DEADLINE)
    with pytest.raises(ValueError, match="missing"):
        capacity.full_weeks(pd.NaT, DEADLINE)


def test_zero_capacity_cannot_move_anyone():
    with pytest.raises(ValueError, match="nobody can leave"):
        capacity.weeks_needed(1000, 0)


def test_negative_people_and_too_short_windows_are_rejected():
    with pytest.raises(ValueError, match="people cannot be below 0"):
        capacity.could_leave(-1, 250, END_2018, DEADLINE)
    with pytest.raises(ValueError, match="less than a week"):
        capacity.weekly_seats_needed(1000, DEADLINE, date(2019, 12, 25))
    with pytest.raises(ValueError, match="after date_from"):
        capacity.weekly_pace(10, END_2018, 5, END_2018)


# ---------------------------------------------------------------- from the data

def test_deadline_is_24_months_after_adoption(tables):
    assert capacity.deadline(tables) == DEADLINE  # F06


def test_defaults_come_from_data(tables):
    settings = capacity.default_settings(tables)
    assert settings.flights_per_week == 2  # F50: "only two flights a week"
    assert capacity.default_start(tables) == END_2018  # F21: end of 2018
    # The three inputs no source gives: seats per flight, the share for workers, rail seats.
    assert capacity.ASSUMPTION_IDS == {
        "seats_per_flight": "A_SEATS_PER_FLIGHT",
        "share_for_workers": "A_SHARE_SEATS_FOR_WORKERS",
        "rail_seats_per_week": "A_RAIL_SEATS_PER_WEEK",
    }
    labels = tables["assumptions"].set_index("assumption_id").loc[list(capacity.ASSUMPTION_IDS.values()), "label"]
    assert len(labels) == 3 and all(label.startswith("ASSUMPTION:") for label in labels)
    # assumptions.csv defaults 150, 0.5, 100 (each a labelled ASSUMPTION)
    assert (settings.seats_per_flight, settings.share_for_workers, settings.rail_seats_per_week) == (150, 0.5, 100)


def test_unknown_observation_is_rejected(tables):
    with pytest.raises(ValueError, match="no observation 'RW_NOPE'"):
        capacity.observation(tables, "RW_NOPE")
    with pytest.raises(ValueError, match="no date"):
        capacity.drawdown_chart(tables, "RW_2018_DEC_FROM", capacity.Settings(2, 150, 0.5, 100))


def test_headcounts_are_dated_people_counts_in_order(tables):
    rows = capacity.headcounts(tables)
    assert set(rows["measure"]) <= {"workers", "workers_with_permits"}
    assert rows["as_of"].is_monotonic_increasing
    assert {11490, 1000, 511, 30023} <= {int(c) for c in rows["count"]}  # F21, F25, F26, F20
    assert 18533 not in {int(c) for c in rows["count"]}  # a decline (F28) is not a headcount


# ---------------------------------------------------------------- charts and the simulator

def _annotation_text(fig):
    return " ".join(a.text for a in fig.layout.annotations if a.name == "source-line")


def test_drawdown_chart_starts_at_the_observation_and_falls_by_the_weekly_seats(tables):
    fig = capacity.drawdown_chart(tables, "RW_2018_END", capacity.Settings(2, 100, 0.5, 0))  # 100 a week
    line = next(t for t in fig.data if t.mode == "lines")
    assert line.x[0] == "2018-12-31" and line.y[0] == 11490
    assert line.y[1] == 11390 and line.y[-1] == 11490 - 100 * 50
    assert line.x[-1] == "2019-12-16"  # 31 Dec 2018 + 50 weeks, the last timetable week before the deadline
    text = _annotation_text(fig)
    assert "ASSUMPTION" in text and "S10" in text and "S01" in text


def test_drawdown_line_stops_at_zero(tables):
    fig = capacity.drawdown_chart(tables, "RW_2018_END", capacity.Settings(2, 300, 1.0, 2000))  # 2,600 a week
    line = next(t for t in fig.data if t.mode == "lines")
    assert list(line.y) == [11490, 8890, 6290, 3690, 1090, 0]


def test_sensitivity_chart_shows_a_gap_only_where_seats_run_short(tables):
    settings = capacity.Settings(2, 150, 0.5, 0)
    fig = capacity.sensitivity_chart(tables, "RW_2018_END", settings, seats_grid=(50, 300), share_grid=(0.1, 1.0))
    z = [list(row) for row in fig.data[0].z]
    # 2 x 50 x 0.1 = 10 a week: 500 by the deadline, gap 10,990; 2 x 300 x 1.0 = 600 a week: no gap
    assert z == [[10990, 11490 - 2 * 300 * 0.1 * 50], [11490 - 2 * 50 * 1.0 * 50, 0]]
    assert "ASSUMPTION" in _annotation_text(fig)


def test_render_gives_the_verdict_line(tables):
    view = capacity.render(tables, "RW_2018_END", 2, 100, 0.5, 0)
    assert view.text == "At these settings, 5,000 people could have left by the deadline, and the gap was 6,490."
    view = capacity.render(tables, "RW_2017_END", 2, 150, 0.5, 100)
    # from 31 Dec 2017: 721 days = 103 weeks x 250 = 25,750 of 30,023
    assert view.text == "At these settings, 25,750 people could have left by the deadline, and the gap was 4,273."
    assert "ASSUMPTION" in _annotation_text(view.figure)


def test_verdict_from_an_upper_bound_says_at_most(tables):
    # Sep 2019, "fewer than 10,000" (F24), placed on 15 Sep: 98 days to 22 Dec = 14 whole weeks.
    # 14 x 250 = 3,500 seats; 10,000 - 3,500 = 6,500; both only upper bounds.
    view = capacity.render(tables, "RW_2019_SEP", 2, 150, 0.5, 100)
    assert "at most 3,500 people could have left" in view.text
    assert "the gap was at most 6,500" in view.text
    assert "fewer than 10,000" in view.text
    note = _annotation_text(view.figure)
    assert "upper bound" in note and "only the month" in note
    # 14 x 300 x 1.0 + 2,000 = 6,200 a week x 14 weeks = 86,800 seats: room for all of them
    view = capacity.render(tables, "RW_2019_SEP", 14, 300, 1.0, 2000)
    assert "at most 10,000 people could have left" in view.text and "there was no gap" in view.text


def test_verdict_states_the_qualifier_it_was_given():
    assert capacity.verdict(3, 7) == "At these settings, 3 people could have left by the deadline, and the gap was 7."
    assert "about 3 people" in capacity.verdict(3, 7, "about", 10) and "about 10" in capacity.verdict(3, 7, "about", 10)
    with pytest.raises(ValueError, match="needs the count"):
        capacity.verdict(3, 7, "fewer than")
    with pytest.raises(ValueError, match="no verdict"):
        capacity.verdict(3, 7, "roughly", 10)
    with pytest.raises(ValueError, match="missing cannot be below 0"):
        capacity.verdict(3, -1)


def test_render_at_the_extremes_of_every_control(tables):
    # nothing moves: no flights, no share, no rail; everyone is left behind
    view = capacity.render(tables, "RW_2018_END", 0, 20, 0.0, 0)
    assert view.text.endswith("0 people could have left by the deadline, and the gap was 11,490.")
    # everything at its top: 14 x 300 x 1.0 + 2,000 = 6,200 a week, far above 30,023 / 103 weeks
    view = capacity.render(tables, "RW_2017_END", 14, 300, 1.0, 2000)
    assert view.text.endswith("30,023 people could have left by the deadline, and the gap was 0.")


def test_assumption_grid_spans_the_slider_range_in_data(tables):
    # assumptions.csv: seats 20 to 300, share 0 to 1
    assert capacity.assumption_grid(tables, "seats_per_flight", 3) == (20, 160, 300)
    assert capacity.assumption_grid(tables, "share_for_workers", 5) == (0, 0.25, 0.5, 0.75, 1)
    with pytest.raises(ValueError, match="no assumption input"):
        capacity.assumption_grid(tables, "flights_per_week")
    with pytest.raises(ValueError, match="at least 2"):
        capacity.assumption_grid(tables, "seats_per_flight", 1)


def test_drawdown_legend_names_each_kind_of_count(tables):
    fig = capacity.drawdown_chart(tables, "RW_2018_END", capacity.Settings(2, 150, 0.5, 100))
    names = {t.name for t in fig.data if t.mode == "markers"}
    assert any('"fewer than"' in n for n in names) and any('"about"' in n for n in names)
    assert fig.layout.legend.x > 1  # beside the plot, covering no point


def test_render_rejects_impossible_settings(tables):
    with pytest.raises(ValueError, match="share_for_workers"):
        capacity.render(tables, "RW_2018_END", 2, 150, 2.0, 100)


def test_simulator_labels_every_assumption_and_follows_its_controls(tables):
    explorer = capacity.simulator(tables)
    for name in ("seats_per_flight", "share_for_workers", "rail_seats_per_week"):
        assert explorer.controls[name].description.startswith("ASSUMPTION:")
    assert explorer.controls["flights_per_week"].value == 2
    assert explorer.controls["start_obs"].value == "RW_2018_END"
    explorer.controls["seats_per_flight"].value = 100
    explorer.controls["share_for_workers"].value = 0.5
    explorer.controls["rail_seats_per_week"].value = 0
    assert explorer.text.value.endswith("5,000 people could have left by the deadline, and the gap was 6,490.")


def test_derived_values_cover_the_prose(tables):
    values = capacity.derived_values(tables)
    assert values["deadline"] == DEADLINE
    assert values["weeks_start_to_deadline"] == 50
    assert values["default_weekly_seats"] == 250
    assert values["weekly_seats_needed_for_end_2018_count"] == pytest.approx(229.8)
    assert values["default_weeks_needed_for_remaining"] == 4  # 1,000 / 250
    assert values["default_remaining_could_be_gone_by"] == date(2020, 2, 20)  # 23 Jan 2020 + 28 days
    # 11,490 / 250 = 45.96, so 46 weeks = 322 days after 31 Dec 2018: 18 Nov 2019
    assert values["default_end_2018_count_could_be_gone_by"] == date(2019, 11, 18)
    # 1,000 - 511 = 489 (F25, F26) over 47 days (23 Jan to 10 Mar 2020)
    assert values["weekly_pace_zakharova_to_final_report"] == pytest.approx(489 / (47 / 7))
    assert all(isinstance(v, (float, date)) for v in values.values())


def test_gone_by_adds_the_weeks_needed():
    assert capacity.gone_by(1000, 250, date(2020, 1, 23)) == date(2020, 2, 20)  # 4 weeks = 28 days
    assert capacity.gone_by(0, 0, date(2020, 1, 23)) == date(2020, 1, 23)
    with pytest.raises(ValueError, match="nobody can leave"):
        capacity.gone_by(1, 0, date(2020, 1, 23))
