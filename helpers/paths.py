"""Where the collection's files live, and every path kept inside data/: paths come from
datapackage.json, which a student may edit, so one that is absolute, a URL, has ``..`` or
resolves (through symlinks) outside is refused unread."""

import os
import re
from pathlib import Path, PurePosixPath

DATA_ENV = "WORKERS_ABROAD_DATA"  #: points the helpers at another copy of data/


class DataFolderMissing(FileNotFoundError, ValueError):
    """No data folder where one was asked for: a FileNotFoundError, and a ValueError for code
    that checks its arguments."""


def project_root() -> Path:
    """The repository root: the folder that holds helpers/, data/ and notebooks/."""
    return Path(__file__).resolve().parent.parent


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder: ``override``, else $WORKERS_ABROAD_DATA, else <root>/data."""
    if override is None:
        return Path(os.environ.get(DATA_ENV) or project_root() / "data")
    if not isinstance(override, str | os.PathLike) or not isinstance(os.fspath(override), str):
        raise TypeError(f"the data folder must be a path or text, not {type(override).__name__}")
    if "\0" in os.fspath(override):
        raise ValueError("the data folder's path must not contain a NUL character")
    return Path(override)


def unsafe_reason(base: Path, relative: object) -> tuple[str, str] | None:
    """Why ``relative`` may not be read from ``base``, as (rule, explanation); None when it is
    safe."""
    if not isinstance(relative, str) or not relative.strip() or "\0" in relative:
        return "path-is-text", "expected a relative path as text"
    if (
        "\\" in relative
        or re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", relative)
        or PurePosixPath(relative).is_absolute()
    ):
        return (
            "path-relative",
            "an absolute path, a URL or a drive is not a file in the data folder",
        )
    if ".." in PurePosixPath(relative).parts:
        return "path-no-dotdot", "a path with '..' is refused"
    if not isinstance(base, str | os.PathLike):
        raise TypeError(f"base must be the data folder's path, not {type(base).__name__}")
    inside, folder = (Path(base) / relative).resolve(), Path(base).resolve()
    if not inside.is_relative_to(folder):
        return "path-inside-data", "it resolves (through a symlink) outside the data folder"
    if inside == folder:
        return "path-names-a-file", "it names the data folder itself, not a file in it"
    return None


def data_path(
    *parts: str | os.PathLike[str], data_dir_override: str | os.PathLike[str] | None = None
) -> Path:
    """Path of a file in the data folder, e.g. ``data_path("visas.csv")`` or
    ``data_path(Path("visas.csv"))``; with no parts, the folder itself. FileNotFoundError names a
    missing folder (pandas would fail later, confusingly); TypeError a part that is not a path;
    ValueError names the rule when the path would leave the folder or name no file in it, e.g.
    ``data_path("")`` (unsafe_reason)."""
    base = data_dir(data_dir_override)
    if not base.is_dir():
        raise DataFolderMissing(
            f"data folder not found: {base} (set {DATA_ENV} or run from a full clone)"
        )
    if not parts:
        return base
    texts = [os.fspath(p) if isinstance(p, str | os.PathLike) else None for p in parts]
    if not all(isinstance(t, str) for t in texts):
        raise TypeError(
            f"parts must be file names as text or paths, e.g. 'visas.csv', not {parts!r:.80}"
        )
    if all(text.strip() for text in texts):
        reason = unsafe_reason(base, str(PurePosixPath(*texts)))
    else:
        reason = ("path-is-text", "expected a relative path as text")
    if reason:
        raise ValueError(f"data_path{parts!r:.80} refused: [{reason[0]}] {reason[1]}")
    return base.joinpath(*texts)
