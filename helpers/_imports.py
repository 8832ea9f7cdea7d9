"""Keep kernel start-up fast: plotly.io imports nbformat, then jsonschema, which imports the
optional IRI checker ``rfc3987_syntax`` if installed, compiling ~40 grammars (1.5-3 s a kernel).
Registered as absent before jsonschema loads, only jsonschema's "iri" format check is skipped, in
this process; nothing here checks IRIs (``./tasks bench``)."""

import sys


def decline_slow_optional_imports() -> None:
    """Mark rfc3987_syntax as unavailable unless jsonschema (or it) is already loaded."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)
