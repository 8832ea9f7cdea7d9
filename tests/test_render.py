"""workers_abroad.publishing.render: what the static site and the export write for a widget."""

from __future__ import annotations

import pytest

from workers_abroad.publishing.render import _formatted


@pytest.mark.parametrize(
    ("value", "readout_format", "shown"),
    [
        (5000.0, "$,.0f", "$5,000"),  # 02's revenue slider, as JupyterLab's readout shows it
        (100000, ",.0f", "100,000"),
        (0.5, ".0%", "50%"),
        (1.25, ",.2~f", "1.25"),
        (2.0, ",.2~f", "2"),  # ~ trims the zeros and the point
        (0.125, ".1~%", "12.5%"),
        (3, None, "3"),  # no format: as Python writes it
        (True, ",.0f", "True"),  # a checkbox is not a number
        (7, "not a format", "7"),
    ],
)
def test_a_snapshot_slider_reads_as_its_readout(value: object, readout_format: str, shown: str):
    assert _formatted(value, readout_format) == shown
