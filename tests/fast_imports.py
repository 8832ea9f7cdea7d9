"""A pytest plugin loaded first (``-p tests.fast_imports`` in pyproject's addopts).

nbval reads every notebook with nbformat, which imports jsonschema, which compiles about
forty grammars for its optional IRI checker at import: over a second of every test run.
Loaded before nbval, this declines that optional import the same way the notebooks' kernels
do (helpers/_imports.py explains why that is safe). Being the plugin every run loads, it also
brings in tests/clean_env.py, which keeps the run out of the user's home and $TMPDIR.
"""

from helpers._imports import decline_slow_optional_imports
from tests.clean_env import pytest_configure, pytest_unconfigure

#: pytest finds the hooks by name in this plugin module.
__all__ = ["pytest_configure", "pytest_unconfigure"]

decline_slow_optional_imports()
