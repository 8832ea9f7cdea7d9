"""Where the collection's files live, and every path kept inside data/: paths come from datapackage.json, which a
student may edit, so one that is absolute, a URL, has ``..`` or resolves (through symlinks) outside is refused unread."""

import os
import re
from pathlib import Path, PurePosixPath

DATA_ENV = "WORKERS_ABROAD_DATA"  #: points the helpers at another copy of data/


def project_root() -> Path:
    """The repository root: the folder that holds helpers/, data/ and notebooks/."""
    return Path(__file__).resolve().parent.parent


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``override``, else $WORKERS_ABROAD_DATA, else <root>/data."""
    return Path(override if override is not None else os.environ.get(DATA_ENV) or project_root() / "data")


def unsafe_reason(base: Path, relative: object) -> tuple[str, str] | None:
    """Why ``relative`` may not be read from ``base``, as (rule, explanation); None when it is safe."""
    if not isinstance(relative, str) or not relative.strip() or "\0" in relative:
        return "path-is-text", "expected a relative path as text"
    if "\\" in relative or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", relative) or PurePosixPath(relative).is_absolute():
        return "path-relative", "an absolute path, a URL or a drive is not a file in the data folder"
    if ".." in PurePosixPath(relative).parts:
        return "path-no-dotdot", "a path with '..' is refused"
    if not (base / relative).resolve().is_relative_to(base.resolve()):
        return "path-inside-data", "it resolves (through a symlink) outside the data folder"
    return None


def data_path(*parts: str, data_dir_override: str | os.PathLike[str] | None = None) -> Path:
    """Path of a file in the data folder, e.g. ``data_path("visas.csv")``. FileNotFoundError names a missing folder
    (pandas would fail later, confusingly); ValueError names the rule when the path would leave it (unsafe_reason)."""
    base = data_dir(data_dir_override)
    if not base.is_dir():
        raise FileNotFoundError(f"data folder not found: {base} (set {DATA_ENV} or run from a full clone)")
    if not parts:
        return base
    if reason := unsafe_reason(base, str(PurePosixPath(*parts)) if all(isinstance(p, str) for p in parts) else None):
        raise ValueError(f"data_path{parts!r} refused: [{reason[0]}] {reason[1]}")
    return base.joinpath(*parts)
