"""Helpers for the Workers Abroad notebooks: load and validate data/, house style, widgets,
self-checks.

Submodules load on first use (PEP 562), so ``import helpers`` stays cheap: a notebook pays for
pandas, plotly or ipywidgets only when it touches ``helpers.data``, ``helpers.plots`` or
``helpers.explorers``.
"""

from importlib import import_module
from types import ModuleType

from helpers.paths import data_path, project_root

__version__ = "0.2.0"
_SUBMODULES = frozenset(
    {
        "capacity",
        "data",
        "derived",
        "exercises",
        "numbers",
        "paths",
        "plots",
        "selfcheck",
        "explorers",
    }
)
__all__ = ["data_path", "project_root", "__version__", *sorted(_SUBMODULES)]


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        return import_module(f"helpers.{name}")
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")
