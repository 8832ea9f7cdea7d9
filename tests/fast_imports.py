"""A pytest plugin loaded first (``-p tests.fast_imports`` in pyproject's addopts).

nbval reads every notebook with nbformat, which imports jsonschema, which compiles about
forty grammars for its optional IRI checker at import: over a second of every test run.
Loaded before nbval, this declines that optional import the same way the notebooks' kernels
do (helpers/_imports.py explains why that is safe).
"""

from helpers._imports import decline_slow_optional_imports

decline_slow_optional_imports()
