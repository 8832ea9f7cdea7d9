"""Colour-blind safety of the chart palette and readability of chart text on light and dark themes.

Palette. Each colour of ``helpers.plots.PALETTE`` is passed through the Machado, Oliveira and
Fernandes (2009) simulation of protanopia, deuteranopia and tritanopia (severity 1.0, applied
to linear sRGB), converted to CIELAB (D65) and compared pairwise with the CIEDE2000 colour
difference. THRESHOLD: every pair must stay at least ΔE00 = 10 apart under every simulation
(and in normal vision). A ΔE00 of about 2 is a just-noticeable difference for patches side by
side; 10 asks that two series be told apart at a glance in a small legend swatch. The
Okabe–Ito colours the palette uses reach about 11 at their closest (orange and reddish purple
under tritanopia), so the check has little slack: a new colour that collides will fail it.

Text. Charts are opaque white cards (``helpers.plots.CARD``) in JupyterLab's light and dark
themes alike, so chart text (``INK``) and subtitles and source lines (``MUTED``) must reach the
WCAG 2.x body-text contrast of 4.5:1 against the card alone. Colours that share a chart (the
kinds of figure, the visa categories) are checked set by set.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from helpers import plots
from tests.colour_support import (
    MACHADO,
    contrast_ratio,
    delta_e2000,
    linear_rgb,
    simulated_difference,
)

MIN_DELTA_E = 10.0
LIGHT_BACKGROUND, DARK_BACKGROUND = "#ffffff", "#111111"


# ---------------------------------------------------------- the measures are right


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # Sharma, Wu and Dalal (2005), test data pairs 1, 7 and 17
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ],
)
def test_delta_e2000_matches_published_test_data(lab1, lab2, expected):
    assert delta_e2000(np.array(lab1), np.array(lab2)) == pytest.approx(expected, abs=1e-4)


def test_contrast_ratio_matches_wcag_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(
        4.48, abs=0.01
    )  # the well-known just-failing grey


def test_simulations_keep_greys_grey():
    """Each Machado matrix's rows sum to 1, so a neutral grey looks the same to everyone."""
    for vision, matrix in MACHADO.items():
        assert matrix.sum(axis=1) == pytest.approx([1, 1, 1], abs=1e-5), vision


def test_simulation_confuses_red_and_green_for_deuteranopes():
    """The check can fail: plotly's default red and green, far apart in normal vision, collapse."""
    assert simulated_difference("#d62728", "#2ca02c", "normal vision") > 50
    assert simulated_difference("#d62728", "#2ca02c", "deuteranopia") < MIN_DELTA_E


def test_linear_rgb_rejects_a_non_hex_colour():
    with pytest.raises(ValueError, match="#rrggbb"):
        linear_rgb("rgb(0,0,0)")


# -------------------------------------------------------------- the house style


COLOUR_SETS = {
    "palette": list(plots.PALETTE),
    "kinds of figure": [k["color"] for k in plots.KINDS.values()],
    "visa and entry categories": list(plots.CATEGORIES.values()),
}


@pytest.mark.parametrize("vision", list(MACHADO))
@pytest.mark.parametrize("name", list(COLOUR_SETS))
def test_colours_that_share_a_chart_stay_distinguishable(name, vision):
    pairs = list(itertools.combinations(COLOUR_SETS[name], 2))
    assert len(pairs) >= 3
    close = {
        f"{a}/{b}": round(d, 1)
        for a, b in pairs
        if (d := simulated_difference(a, b, vision)) < MIN_DELTA_E
    }
    assert not close, f"{name} under {vision}: pairs closer than ΔE00 {MIN_DELTA_E}: {close}"


def test_each_colour_means_one_thing():
    """A kind of figure never shares its colour with a visa category (one colour meaning
    throughout)."""
    kinds = {k["color"].lower() for k in plots.KINDS.values()}
    categories = {c.lower() for c in plots.CATEGORIES.values()}
    assert not kinds & categories
    assert len({k["symbol"] for k in plots.KINDS.values()}) == len(plots.KINDS)


@pytest.mark.parametrize("colour_name", ["INK", "MUTED"])
def test_chart_text_has_body_text_contrast_on_the_chart_card(colour_name):
    """Charts sit on an opaque card, so one contrast holds in JupyterLab's light and dark themes."""
    ratio = contrast_ratio(getattr(plots, colour_name), plots.CARD)
    assert ratio >= 4.5, f"{colour_name} on the card {plots.CARD}: {ratio:.2f}:1"


def test_charts_are_opaque_cards_whatever_the_theme():
    layout = plots.TEMPLATE.layout
    assert layout.font.color == plots.INK
    assert layout.paper_bgcolor == plots.CARD == layout.plot_bgcolor
    assert plots.CARD.startswith("#") and len(plots.CARD) == 7  # no transparency
    assert contrast_ratio(plots.CARD, DARK_BACKGROUND) > 3  # the card stands out on a dark page
