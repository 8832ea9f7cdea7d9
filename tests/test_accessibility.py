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
import math

import numpy as np
import pytest

from helpers import plots

#: Machado et al. (2009), severity 1.0, for linear RGB.
MACHADO: dict[str, np.ndarray] = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
    "normal vision": np.eye(3),
}
MIN_DELTA_E = 10.0
LIGHT_BACKGROUND, DARK_BACKGROUND = "#ffffff", "#111111"


def linear_rgb(colour: str) -> np.ndarray:
    """'#rrggbb' to linear-light sRGB in [0, 1] (IEC 61966-2-1)."""
    if not (colour.startswith("#") and len(colour) == 7):
        raise ValueError(f"expected '#rrggbb', got {colour!r}")
    srgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def lab(rgb_linear: np.ndarray) -> np.ndarray:
    """Linear sRGB to CIELAB under D65."""
    xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    ) @ np.clip(rgb_linear, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """CIEDE2000 colour difference (Sharma, Wu and Dalal 2005)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_bar = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_bar**7 / (c_bar**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360
    h2p = math.degrees(math.atan2(b2, a2p)) % 360
    dh = 0.0 if c1p * c2p == 0 else h2p - h1p
    if dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    d_big_h = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    l_bar, c_bar_p = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        h_bar = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        h_bar = (h1p + h2p) / 2
    else:
        h_bar = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(h_bar - 30))
        + 0.24 * math.cos(math.radians(2 * h_bar))
        + 0.32 * math.cos(math.radians(3 * h_bar + 6))
        - 0.20 * math.cos(math.radians(4 * h_bar - 63))
    )
    d_theta = 30 * math.exp(-(((h_bar - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(c_bar_p**7 / (c_bar_p**7 + 25**7))
    s_l = 1 + 0.015 * (l_bar - 50) ** 2 / math.sqrt(20 + (l_bar - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_bar_p, 1 + 0.015 * c_bar_p * t
    r_t = -math.sin(math.radians(2 * d_theta)) * r_c
    dl, dc, dh_ = (l2 - l1) / s_l, (c2p - c1p) / s_c, d_big_h / s_h
    return math.sqrt(dl**2 + dc**2 + dh_**2 + r_t * dc * dh_)


def simulated_difference(colour1: str, colour2: str, vision: str) -> float:
    """ΔE00 between two colours as a reader with the given vision sees them."""
    matrix = MACHADO[vision]
    return delta_e2000(lab(matrix @ linear_rgb(colour1)), lab(matrix @ linear_rgb(colour2)))


def relative_luminance(colour: str) -> float:
    """WCAG 2.x relative luminance."""
    r, g, b = linear_rgb(colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(colour1: str, colour2: str) -> float:
    """WCAG 2.x contrast ratio, from 1 (none) to 21 (black on white)."""
    high, low = sorted((relative_luminance(colour1), relative_luminance(colour2)), reverse=True)
    return (high + 0.05) / (low + 0.05)


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
