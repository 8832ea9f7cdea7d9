"""Keep kernel start-up fast by declining one optional import that no notebook needs.

plotly.io imports nbformat, which imports jsonschema, which imports the optional IRI checker
``rfc3987_syntax`` when installed: it compiles about forty grammars, 1.5 to 3 s per kernel start.
Registered as absent before jsonschema loads, jsonschema skips only its "iri" format check, in
this process only; nothing here validates IRIs. Measured with ``./tasks bench``.
"""

import sys


def decline_slow_optional_imports() -> None:
    """Mark rfc3987_syntax as unavailable unless jsonschema (or it) is already loaded."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)
