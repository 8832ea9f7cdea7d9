"""helpers.numbers reads numbers the way a reader would; expectations are by hand."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from helpers.numbers import is_missing, numbers_in, range_problems, states


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nearly 100,000 workers", {100000}),
        ("more than $500 million a year", {500, 500e6}),
        ("$200–500 million", {200, 500, 200e6, 500e6}),
        ("$1.2–2.3 billion, an outlier", {1.2, 2.3, 1.2e9, 2.3e9}),
        ("adopted unanimously, 15–0.", {15, 0}),
        ("80% of them", {80, 0.8}),
        ("fewer than half were sent home", {0.5}),
        ("the tenth Security Council sanctions resolution", {10}),
        ("only two flights a week", {2}),
        ("work 753, tourist 3,067", {753, 3067}),
        ("no figures here", set()),
    ],
)
def test_numbers_in(text: str, expected: set[float]) -> None:
    assert numbers_in(text) == expected


def test_words_inside_other_words_are_not_numbers() -> None:
    assert numbers_in("someone often tends") == set()


def test_states_uses_a_relative_tolerance() -> None:
    assert states("about 23,000 workers", 23000)
    assert not states("about 23,000 workers", 23200)


@pytest.mark.parametrize(
    "value",
    [None, pd.NA, pd.NaT, float("nan"), np.float32("nan"), np.datetime64("NaT")],
)
def test_is_missing_knows_every_empty_cell(value: object) -> None:
    assert is_missing(value)


@pytest.mark.parametrize(
    "value",
    [0, 0.0, "", "NaN", date(2019, 12, 22), np.datetime64("2019-12-22"), [None], ...],
)
def test_is_missing_leaves_values_alone(value: object) -> None:
    assert not is_missing(value)


@pytest.mark.parametrize(
    ("settings", "broken"),
    [
        ((20, 150, 300, 10), []),  # A_SEATS_PER_FLIGHT as assumptions.csv has it
        ((20, 400, 300, 10), [("default", "default-in-range")]),
        ((500, 400, 300, 10), [("default", "default-in-range"), ("maximum", "range-order")]),
        ((20, 150, 300, 0), [("step", "step-positive")]),
        ((float("nan"), 150, 300, 10), [("minimum", "finite")]),
        ((20, 150, None, 10), [("maximum", "finite")]),
    ],
)
def test_range_problems_name_the_setting_and_the_rule(
    settings: tuple[object, ...], broken: list[tuple[str, str]]
) -> None:
    assert [(p.setting, p.rule) for p in range_problems(*settings)] == broken


def test_the_claims_check_reads_numbers_as_the_loader_does() -> None:
    """One reader: a form numbers_in understands is a claim of the same value."""
    from tools.claims import extract

    for text in ("1e5 workers", "16,613 visas", "$200–500 million"):
        claimed = {claim.value for claim in extract(text)}
        assert claimed and claimed <= numbers_in(text), text
