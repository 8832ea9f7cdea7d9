"""helpers.numbers reads numbers the way a reader would; expectations are by hand."""

from __future__ import annotations

import pytest

from helpers.numbers import numbers_in, states


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
