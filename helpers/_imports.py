"""Keep kernel start-up fast by declining one optional import that no notebook needs.

plotly.io imports nbformat, nbformat imports jsonschema, and jsonschema imports the optional
IRI checker ``rfc3987_syntax`` when it is installed (Jupyter's own dependencies install it).
That module compiles about forty grammars at import: 1.5 to 3 seconds on every kernel start,
more than all the notebook's own cells take. Registering it as absent before jsonschema loads
makes jsonschema skip only its "iri" format check, in this process only; nothing in this
collection validates IRIs. Measured with ``./tasks bench`` (``import helpers.plots``).
"""

from __future__ import annotations

import sys

OPTIONAL_SLOW_MODULE = "rfc3987_syntax"


def decline_slow_optional_imports() -> None:
    """Mark rfc3987_syntax as unavailable unless jsonschema (or it) is already loaded."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault(OPTIONAL_SLOW_MODULE, None)
