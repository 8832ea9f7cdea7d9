"""Helpers for the Workers Abroad notebooks: load and validate data/ (``data``), the house style
(``plots``), explorers, self-checks and the exercises' checks.

A notebook imports what it uses, e.g. ``from helpers import data, plots``. Importing ``helpers``
alone loads only ``paths``, so it stays cheap: pandas, plotly and ipywidgets load with the
modules that need them.
"""

from helpers.paths import data_path, project_root

__version__ = "0.2.0"
__all__ = ["__version__", "data_path", "project_root"]
