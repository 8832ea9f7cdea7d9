"""The one place that knows where the collection's files live.

Notebooks and helpers never build relative paths of their own: a notebook run from
another working directory, a test on a corrupted copy of the data, or a JupyterHub
checkout all go through :func:`data_path`.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Environment variable that points the helpers at another copy of data/.
DATA_ENV = "WORKERS_ABROAD_DATA"


def project_root() -> Path:
    """The repository root: the folder that holds helpers/, data/ and notebooks/."""
    return Path(__file__).resolve().parent.parent


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``override``, else $WORKERS_ABROAD_DATA, else <root>/data."""
    if override is not None:
        return Path(override)
    from_env = os.environ.get(DATA_ENV)
    return Path(from_env) if from_env else project_root() / "data"


def data_path(*parts: str, data_dir_override: str | os.PathLike[str] | None = None) -> Path:
    """Path of a file in the data folder, e.g. ``data_path("visas.csv")``.

    Raises FileNotFoundError naming the folder when the data folder is missing, because a
    clone without data/ would otherwise fail later with a confusing pandas error.
    """
    base = data_dir(data_dir_override)
    if not base.is_dir():
        raise FileNotFoundError(
            f"data folder not found: {base} (set {DATA_ENV} or run from a full clone)"
        )
    return base.joinpath(*parts)
