"""Load data/ as typed pandas DataFrames, validated against datapackage.json on load.

Why so strict: every number a reader sees comes from these tables, so a table that loads
half-way or with a silently wrong type would spread wrong numbers into every chart.
Validation is the Frictionless standard (the ``frictionless`` library) plus the rules the
standard cannot express: the provenance rules of this collection (each figure appears in
its quote, every source id resolves, derived rows recompute). Any failure raises one
:class:`DataValidationError` that lists each problem with file, row, column and rule.

Validating takes about two seconds, mostly the import of frictionless' JSON-schema
machinery, so a successful validation is remembered in a stamp keyed by a hash of every
data file: unchanged data is validated once per machine, changed data is always
validated again.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers import __version__
from helpers._imports import decline_slow_optional_imports
from helpers.derived import evaluate_rule
from helpers.numbers import states
from helpers.paths import data_dir

if TYPE_CHECKING:
    import pandas as pd

PACKAGE_FILE = "datapackage.json"
CACHE_ENV = "WORKERS_ABROAD_CACHE"


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place: the unit of every error message."""

    file: str
    row: int | None  # 1-based line in the CSV file; the header is row 1
    column: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        row = f"row {self.row}" if self.row is not None else "row -"
        column = f"column {self.column!r}" if self.column else "column -"
        return f"{self.file}, {row}, {column}: [{self.rule}] {self.message}"


class DataValidationError(ValueError):
    """data/ broke a rule. ``problems`` holds each broken rule with its place."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "\n  ".join(str(p) for p in problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"data/ failed validation ({len(problems)} problem(s)):\n  {shown}{more}")


# ---------------------------------------------------------------- descriptor

def read_descriptor(folder: Path) -> dict[str, Any]:
    """The parsed datapackage.json, or a DataValidationError naming what is wrong with it."""
    path = folder / PACKAGE_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DataValidationError([Problem(PACKAGE_FILE, None, None, "file-exists", f"{path} not found")]) from None
    except json.JSONDecodeError as exc:
        raise DataValidationError([Problem(PACKAGE_FILE, exc.lineno, None, "json", str(exc))]) from None
    except UnicodeDecodeError as exc:
        raise DataValidationError([Problem(PACKAGE_FILE, None, None, "utf-8", str(exc))]) from None


def resource_names(folder: Path | None = None) -> list[str]:
    """Names of the tables that datapackage.json declares, in its order."""
    return [r["name"] for r in read_descriptor(data_dir(folder))["resources"]]


def schema_of(name: str, folder: Path | None = None) -> dict[str, Any]:
    """The Table Schema of one table."""
    for resource in read_descriptor(data_dir(folder))["resources"]:
        if resource["name"] == name:
            return resource["schema"]
    raise KeyError(f"no table {name!r} in {PACKAGE_FILE}; tables: {resource_names(folder)}")


def figure_columns(schema: dict[str, Any]) -> list[str]:
    """Columns that hold figures: marked ``"x-figure": true`` in datapackage.json."""
    return [f["name"] for f in schema["fields"] if f.get("x-figure")]


# ---------------------------------------------------------------- checks

def _precheck_file(folder: Path, resource: dict[str, Any]) -> list[Problem]:
    """What frictionless reports poorly: a missing or empty file, bad bytes, a wrong header."""
    name = resource["path"]
    path = folder / name
    if not path.is_file():
        return [Problem(name, None, None, "file-exists", f"{path} not found")]
    raw = path.read_bytes()
    if not raw.strip():
        return [Problem(name, 1, None, "not-empty", "the file is empty: expected a header and rows")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        line_start = raw.rfind(b"\n", 0, exc.start) + 1
        column_index = raw[line_start : exc.start].count(b",")
        fields = [f["name"] for f in resource["schema"]["fields"]]
        column = fields[column_index] if column_index < len(fields) else None
        return [Problem(name, line, column, "utf-8", f"byte 0x{raw[exc.start]:02x} is not UTF-8 (at byte {exc.start})")]
    header = next(csv.reader(io.StringIO(text)), [])
    expected = [f["name"] for f in resource["schema"]["fields"]]
    problems = [Problem(name, 1, col, "header", "column missing from the header") for col in expected if col not in header]
    problems += [Problem(name, 1, col, "header", "column not declared in datapackage.json") for col in header if col not in expected]
    if not problems and header != expected:
        problems.append(Problem(name, 1, None, "header", f"columns out of order: expected {expected}"))
    return problems


def _frictionless_problems(folder: Path, descriptor: dict[str, Any]) -> list[Problem]:
    """Validate the package with frictionless (the Data Package standard's library)."""
    decline_slow_optional_imports()
    from frictionless import Package

    report = Package(descriptor, basepath=str(folder)).validate()
    paths = {r["name"]: r["path"] for r in descriptor["resources"]}
    schemas = {r["name"]: r["schema"] for r in descriptor["resources"]}
    problems = []
    for task in report.tasks:
        file = paths.get(task.name, task.name)
        for error in task.errors:
            column = getattr(error, "field_name", None)
            if column is None and error.type == "foreign-key":
                column = ",".join(fk["fields"][0] for fk in schemas[task.name].get("foreignKeys", []))
            if column is None and error.type == "primary-key":
                column = ",".join(schemas[task.name].get("primaryKey", []))
            problems.append(Problem(file, getattr(error, "row_number", None), column, error.type, error.message))
    problems += [Problem(PACKAGE_FILE, None, None, e.type, e.message) for e in report.errors]
    # A missing cell also breaks "required": say it once, as the missing cell it is.
    missing = {(p.file, p.row, p.column) for p in problems if p.rule == "missing-cell"}
    return [p for p in problems if not (p.rule == "constraint-error" and (p.file, p.row, p.column) in missing)]


def _rows(folder: Path, resource: dict[str, Any]) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) pairs of a CSV that already passed the standard's checks."""
    with open(folder / resource["path"], encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return [(reader.line_num, row) for row in reader]


def _provenance_problems(folder: Path, descriptor: dict[str, Any]) -> list[Problem]:
    """This collection's rules that a Table Schema cannot state."""
    resources = {r["name"]: r for r in descriptor["resources"]}
    known_sources = {row["source_id"] for _, row in _rows(folder, resources["sources"])}
    rows_by_id: dict[str, dict[str, str]] = {}
    for resource in resources.values():
        key = resource["schema"]["primaryKey"][0]
        for _, row in _rows(folder, resource):
            rows_by_id[row[key]] = row
    problems = []
    for resource in resources.values():
        figures = figure_columns(resource["schema"])
        for line, row in _rows(folder, resource):
            for extra in (row.get("also_source_ids") or "").split():
                if extra not in known_sources:
                    problems.append(Problem(resource["path"], line, "also_source_ids", "source-exists", f"unknown source id {extra!r}"))
            if row.get("status") not in ("seed", "secondary", "derived"):
                continue
            for column in figures:
                if row[column] and not states(row["quote"], float(row[column])):
                    problems.append(Problem(resource["path"], line, column, "figure-in-quote", f"figure {row[column]} does not appear in the quote {row['quote']!r}"))
            rule = row.get("derived_from")
            if rule:
                target = "date" if "date" in row else figures[0]
                try:
                    expected = evaluate_rule(rule, rows_by_id)
                except (KeyError, ValueError) as exc:
                    problems.append(Problem(resource["path"], line, "derived_from", "derived-recomputes", f"cannot evaluate {rule!r}: {exc}"))
                    continue
                if str(expected) != row[target] and not (target != "date" and float(row[target]) == float(expected)):
                    problems.append(Problem(resource["path"], line, target, "derived-recomputes", f"{rule} gives {expected}, the row says {row[target]}"))
    return problems


def validation_problems(folder: Path | None = None) -> list[Problem]:
    """Every problem in the data folder; an empty list means it is valid."""
    folder = data_dir(folder)
    descriptor = read_descriptor(folder)
    problems = [p for r in descriptor["resources"] for p in _precheck_file(folder, r)]
    if problems:
        return problems  # the standard's checks would only repeat these, less clearly
    problems = _frictionless_problems(folder, descriptor)
    if problems:
        return problems
    return _provenance_problems(folder, descriptor)


# ---------------------------------------------------------------- stamp

def _content_key(folder: Path, descriptor: dict[str, Any]) -> str:
    digest = hashlib.sha256(__version__.encode())
    for name in [PACKAGE_FILE, *(r["path"] for r in descriptor["resources"])]:
        digest.update(name.encode())
        digest.update((folder / name).read_bytes() if (folder / name).is_file() else b"<missing>")
    return digest.hexdigest()


def _stamp_dir() -> Path:
    base = os.environ.get(CACHE_ENV) or os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "workers-abroad" / "validated"


def validate(folder: Path | None = None) -> None:
    """Raise DataValidationError unless every table passes every rule."""
    folder = data_dir(folder)
    descriptor = read_descriptor(folder)
    stamp = _stamp_dir() / _content_key(folder, descriptor)
    if stamp.exists():
        return
    problems = validation_problems(folder)
    if problems:
        raise DataValidationError(problems)
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    except OSError:
        pass  # a read-only home only costs the next run a re-validation


# ---------------------------------------------------------------- loading

_PANDAS_DTYPES = {"integer": "Int64", "number": "Float64", "string": "string", "boolean": "boolean"}


@cache
def _load_validated(folder: Path, key: str) -> dict[str, pd.DataFrame]:
    import pandas as pd

    descriptor = read_descriptor(folder)
    validate(folder)
    frames = {}
    for resource in descriptor["resources"]:
        fields = resource["schema"]["fields"]
        dates = [f["name"] for f in fields if f["type"] == "date"]
        dtypes = {f["name"]: _PANDAS_DTYPES.get(f["type"], "string") for f in fields if f["type"] != "date"}
        frame = pd.read_csv(
            folder / resource["path"], dtype=dtypes, keep_default_na=False, na_values=[""], encoding="utf-8"
        )
        for column in dates:
            frame[column] = pd.to_datetime(frame[column], format="%Y-%m-%d")
        frame.attrs["name"] = resource["name"]
        frame.attrs["title"] = resource.get("title", resource["name"])
        frames[resource["name"]] = frame
    return frames


def load_all(folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table, validated, typed by its schema. Copies, so callers may change them."""
    folder = data_dir(folder).resolve()
    key = _content_key(folder, read_descriptor(folder))
    return {name: frame.copy() for name, frame in _load_validated(folder, key).items()}


def load_table(name: str, folder: Path | None = None) -> pd.DataFrame:
    """One table by its datapackage name (e.g. "visas"), validated and typed."""
    tables = load_all(folder)
    if name not in tables:
        raise KeyError(f"no table {name!r} in {PACKAGE_FILE}; tables: {sorted(tables)}")
    return tables[name]
