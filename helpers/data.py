"""Load data/ as typed DataFrames, validated, and look rows up by key. Every number a reader sees comes from these
tables, which a student may edit, so each stage checks what the last passed: datapackage.json's shape and paths
(before a table byte is read); bytes and headers; Frictionless (given only vetted keys); strict cells (ASCII digits,
finite numbers, YYYY-MM-DD, http(s) URLs); our rules. A failure is one DataValidationError naming file, row, column
and rule for each problem; a success leaves a stamp, so unchanged data is validated once."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import math
import os
import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers import __version__
from helpers._imports import decline_slow_optional_imports
from helpers.derived import evaluate_rule
from helpers.numbers import states
from helpers.paths import data_dir, unsafe_reason

if TYPE_CHECKING:
    import pandas as pd

PACKAGE_FILE = "datapackage.json"
CACHE_ENV = "WORKERS_ABROAD_CACHE"
_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "date": "string"}
_CELLS = {  # kind: (pattern, rule, what is expected)
    "integer": (r"-?[0-9]{1,18}", "integer-format", "a whole number in ASCII digits, e.g. 2035"),
    "number": (r"-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?", "number-format", "a finite number, e.g. 0.25"),
    "date": (r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])", "date-format", "a date as YYYY-MM-DD, e.g. 2019-12-22"),
    "uri": (r"https?://[^\s\"'<>`\\]+", "http-url", "an http:// or https:// address"),
}


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place. ``row``: 1-based line (a CSV's header is 1); ``column``: a CSV column or a place
    in datapackage.json such as "resources[3].path"."""
    file: str
    row: int | None
    column: str | None
    rule: str
    message: str
    def __str__(self) -> str:
        column = f"column {self.column!r}" if self.column else "column -"
        return f"{self.file}, row {self.row if self.row is not None else '-'}, {column}: [{self.rule}] {self.message}"


class DataValidationError(ValueError):
    """data/ broke a rule. ``problems`` holds each broken rule with its place."""
    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"data/ failed validation ({len(problems)} problem(s)):\n  " + "\n  ".join(map(str, problems[:20])) + more)


def _descriptor_problems(folder: Path, desc: Any, text: str) -> list[Problem]:
    """The shape the loader relies on, and every resource path confined to the folder."""
    resources = desc.get("resources") if isinstance(desc, dict) else None
    if not isinstance(resources, list) or not resources or not all(isinstance(r, dict) for r in resources):
        return [Problem(PACKAGE_FILE, None, "resources", "descriptor", "expected a non-empty list of resources (objects)")]
    names, problems = [r.get("name") for r in resources], []
    for i, (res, name) in enumerate(zip(resources, names)):
        schema = res["schema"] if isinstance(res.get("schema"), dict) else {}
        fields = schema["fields"] if isinstance(schema.get("fields"), list) and schema["fields"] else [None]
        fnames = [f.get("name") if isinstance(f, dict) else None for f in fields]
        reason = unsafe_reason(folder, res.get("path")) or (("", "") if str(res.get("path")).endswith(".csv") else (
            "path-csv", "a table is a .csv file in the data folder"))
        checks = [  # (holds, where, rule, message); a path's message quotes only datapackage.json's own text
            (not reason[0], "path", reason[0], f"path {res.get('path')!r} refused: {reason[1]}"),
            (isinstance(name, str) and re.fullmatch(r"[a-z0-9_]+", name) and names.count(name) == 1, "name",
             "resource-name", "expected a unique name of a-z, 0-9 and _"),
            (all(isinstance(n, str) and n and fnames.count(n) == 1 for n in fnames), "schema.fields", "field-name",
             "expected a list of fields (objects) with unique names"),
            (isinstance(schema.get("primaryKey"), list) and len(schema["primaryKey"]) == 1
             and schema["primaryKey"][0] in fnames, "schema.primaryKey", "primary-key-declared", "expected one declared field"),
            (schema.get("missingValues", [""]) == [""], "schema.missingValues", "missing-values", "only an empty cell is missing"),
        ] + [(str(f.get("type", "string")) in _DTYPES and (not f.get("x-figure") or f.get("type") in ("integer", "number")),
              f"schema.fields[{j}].type", "field-type", f"{f.get('type')!r}: expected one of {list(_DTYPES)}, a figure a number")
             for j, f in enumerate(f for f in fields if isinstance(f, dict))]
        for _, where, rule, message in (c for c in checks if not c[0]):
            at = text.find(json.dumps(res.get(where), ensure_ascii=False)) if isinstance(res.get(where), str) else -1
            problems.append(Problem(PACKAGE_FILE, text.count("\n", 0, at) + 1 if at >= 0 else None,
                                    f"resources[{i}].{where}", rule, f"resource {name!r}: {message}"))
    return problems + [Problem(PACKAGE_FILE, None, "resources", "sources-table", "a resource named 'sources' is required")] * (
        "sources" not in names)


def read_descriptor(folder: Path) -> dict[str, Any]:
    """The parsed, checked datapackage.json, or a DataValidationError naming what is wrong with it."""
    problem = (None, *reason) if (reason := unsafe_reason(folder, PACKAGE_FILE)) else None
    try:
        desc = None if problem else json.loads(text := (folder / PACKAGE_FILE).read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        problem = (None, "file-exists", f"{folder / PACKAGE_FILE} not found")
    except (ValueError, RecursionError) as exc:  # bad JSON (with its line), bad UTF-8, nesting too deep
        problem = (getattr(exc, "lineno", None), "json", str(exc))
    if problems := [Problem(PACKAGE_FILE, problem[0], None, *problem[1:])] if problem else _descriptor_problems(folder, desc, text):
        raise DataValidationError(problems)
    return desc


def _rows(folder: Path, resource: dict[str, Any]) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """The header and each CSV record as (line, row); a leading UTF-8 BOM is allowed and dropped."""
    with open(folder / resource["path"], encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header, records = next(reader, []), [(reader.line_num, cells) for cells in reader]
        except csv.Error as exc:
            raise DataValidationError([Problem(resource["path"], reader.line_num, None, "csv", str(exc))]) from None
    return header, [(line, dict(zip(header, cells))) for line, cells in records]


def _precheck_file(folder: Path, resource: dict[str, Any]) -> list[Problem]:
    """What frictionless reports poorly: a missing or empty file, bad bytes or CSV, a wrong header."""
    name, expected = resource["path"], [f["name"] for f in resource["schema"]["fields"]]
    if not (folder / name).is_file():
        return [Problem(name, None, None, "file-exists", f"{folder / name} not found")]
    if not (raw := (folder / name).read_bytes()).strip():
        return [Problem(name, 1, None, "not-empty", "the file is empty: expected a header and rows")]
    try:
        header = raw.decode("utf-8") and _rows(folder, resource)[0]
    except UnicodeDecodeError as exc:  # the CSV up to the bad byte says which record and cell hold it
        reader = csv.reader(io.StringIO(raw[: exc.start].decode("utf-8") + "?"))
        index = len([*reader][-1]) - 1
        return [Problem(name, reader.line_num, expected[index] if index < len(expected) else None,
                        "utf-8", f"byte 0x{raw[exc.start]:02x} is not UTF-8 (at byte {exc.start})")]
    except DataValidationError as exc:
        return exc.problems
    problems = [Problem(name, 1, col, "header", "column missing from the header") for col in expected if col not in header]
    problems += [Problem(name, 1, col, "header", "column not declared in datapackage.json") for col in header if col not in expected]
    return problems or [Problem(name, 1, None, "header", f"columns out of order: expected {expected}")] * (header != expected)


def _frictionless_problems(folder: Path, desc: dict[str, Any]) -> list[Problem]:
    """The Data Package standard's checks, on a copy holding only vetted keys; its exceptions are wrapped."""
    decline_slow_optional_imports()
    from frictionless import Package
    res = {r["name"]: r for r in desc["resources"]}
    vetted = [{"name": r["name"], "path": r["path"], "format": "csv", "encoding": "utf-8", "dialect": {  # no sniffing
        "headerRows": [1], "csv": {"delimiter": ","}}, "schema": {k: r["schema"][k] for k in (
        "fields", "primaryKey", "foreignKeys", "missingValues") if k in r["schema"]}} for r in res.values()]
    try:
        report = Package({"resources": vetted}, basepath=str(folder)).validate()
    except Exception as exc:  # noqa: BLE001 - whatever frictionless raises, the reader gets one named problem
        return [Problem(PACKAGE_FILE, None, None, "frictionless", f"{type(exc).__name__}: {exc}")]
    problems = [Problem(PACKAGE_FILE, None, None, e.type, e.message) for e in report.errors]
    for task, error in ((t, e) for t in report.tasks for e in t.errors):
        schema = res[task.name]["schema"]
        column = getattr(error, "field_name", None) or ",".join(schema["primaryKey"] if error.type == "primary-key" else [
            x for fk in schema.get("foreignKeys", []) for x in fk["fields"]] if error.type == "foreign-key" else [])
        row = getattr(error, "row_number", None) or min(getattr(error, "row_numbers", None) or [None])  # a header: its rows
        problems.append(Problem(res[task.name]["path"], row, column or None, error.type, error.message))
    # A missing cell also breaks "required": say it once, as the missing cell it is.
    missing = {(p.file, p.row, p.column) for p in problems if p.rule == "missing-cell"}
    return [p for p in problems if not (p.rule == "constraint-error" and (p.file, p.row, p.column) in missing)]


def _cell_problems(folder: Path, resource: dict[str, Any]) -> list[Problem]:
    """Stricter than frictionless: ASCII digits, finite numbers, real YYYY-MM-DD dates, http(s) URLs only. Then an
    assumption's slider must be able to show its default: minimum <= default <= maximum, step > 0."""
    problems, file = [], resource["path"]
    for line, row in _rows(folder, resource)[1]:
        before = len(problems)
        for name, kind in ((f["name"], "uri" if f.get("format") == "uri" else f.get("type")) for f in resource["schema"]["fields"]):
            if not (value := row.get(name)) or kind not in _CELLS:
                continue
            pattern, rule, expected = _CELLS[kind]
            if kind == "number" and value.lower().lstrip("+-") in ("inf", "infinity", "nan"):
                rule = "finite-number"
            elif re.fullmatch(pattern, value, re.ASCII) and (kind != "date" or _is_date(value)):
                if kind != "number" or math.isfinite(float(value)):
                    continue
                rule = "finite-number"
            problems.append(Problem(file, line, name, rule, f"expected {expected}, got {value[:40]!r}"))
        if resource["name"] == "assumptions" and len(problems) == before and all(row.get(c) for c in ("minimum", "default", "maximum", "step")):
            low, default, high, step = (float(row[c]) for c in ("minimum", "default", "maximum", "step"))
            span = f"minimum {low:g} .. maximum {high:g}"
            problems += [Problem(file, line, column, rule, message) for broken, column, rule, message in [
                (not low <= default <= high, "default", "default-in-range", f"default {default:g} is outside {span}"),
                (low > high, "maximum", "range-order", f"the maximum is below the minimum: {span}"),
                (not step > 0, "step", "step-positive", f"step {step:g} must be above 0")] if broken]
    return problems


def _is_date(text: str) -> bool:
    with contextlib.suppress(ValueError):
        return bool(date.fromisoformat(text))
    return False


def _provenance_problems(folder: Path, desc: dict[str, Any]) -> list[Problem]:
    """This collection's rules that a Table Schema cannot state: sources resolve, figures in quotes, derived rows."""
    resources = {r["name"]: r for r in desc["resources"]}
    known_sources = {row.get("source_id") for _, row in _rows(folder, resources["sources"])[1]}
    rows_by_id = {row[r["schema"]["primaryKey"][0]]: row for r in resources.values() for _, row in _rows(folder, r)[1]}
    problems = []
    for resource in resources.values():
        file, figures = resource["path"], [f["name"] for f in resource["schema"]["fields"] if f.get("x-figure")]
        for line, row in _rows(folder, resource)[1]:
            problems += [Problem(file, line, "also_source_ids", "source-exists", f"unknown source id {extra!r}")
                         for extra in (row.get("also_source_ids") or "").split() if extra not in known_sources]
            if row.get("status") not in ("seed", "secondary", "derived"):
                continue
            problems += [Problem(file, line, c, "figure-in-quote", f"figure {row[c]} does not appear in the quote {row.get('quote')!r}")
                         for c in figures if row[c] and not states(row.get("quote") or "", float(row[c]))]
            if not (rule := row.get("derived_from")):
                continue
            target = "date" if "date" in row else (figures or ["derived_from"])[0]
            try:
                expected = evaluate_rule(rule, rows_by_id)
                if str(expected) != row[target] and not (target != "date" and float(row[target]) == float(expected)):
                    problems.append(Problem(file, line, target, "derived-recomputes", f"{rule} gives {expected}, the row says {row[target]}"))
            except (KeyError, ValueError, TypeError, OverflowError) as exc:
                problems.append(Problem(file, line, "derived_from", "derived-recomputes", f"cannot evaluate {rule!r}: {exc}"))
    return problems


def validation_problems(folder: Path | None = None) -> list[Problem]:
    """Every problem in the data folder; an empty list means it is valid. Each stage runs on what passed the last."""
    desc = read_descriptor(folder := data_dir(folder))
    problems = [p for r in desc["resources"] for p in _precheck_file(folder, r)]
    if problems:
        return problems
    cells = [p for r in desc["resources"] for p in _cell_problems(folder, r)]  # where both judge a cell, ours is clearer
    problems = cells + [p for p in _frictionless_problems(folder, desc) if (p.file, p.row, p.column) not in {(c.file, c.row, c.column) for c in cells}]
    return problems or _provenance_problems(folder, desc)


def _content_key(folder: Path, desc: dict[str, Any]) -> str:
    """A hash of every data file and of the rules (this package's checking code): changing either re-validates."""
    digest = hashlib.sha256(__version__.encode())
    for path in [*(Path(__file__).parent / n for n in ("data.py", "paths.py", "derived.py", "numbers.py")),
                 *(folder / n for n in (PACKAGE_FILE, *(r["path"] for r in desc["resources"])))]:
        digest.update(path.name.encode() + (path.read_bytes() if path.is_file() else b"<missing>"))
    return digest.hexdigest()


def validate(folder: Path | None = None) -> None:
    """Raise DataValidationError unless every table passes every rule; remember a success in a stamp file."""
    base = os.environ.get(CACHE_ENV) or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    stamp = Path(base, "workers-abroad", "validated", _content_key(folder := data_dir(folder), read_descriptor(folder)))
    if stamp.exists():
        return
    if problems := validation_problems(folder):
        raise DataValidationError(problems)
    with contextlib.suppress(OSError):  # a read-only home only costs the next run a re-validation
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()


@cache
def _load_validated(folder: Path, key: str) -> dict[str, pd.DataFrame]:
    import pandas as pd
    validate(folder)
    frames = {}
    for resource in read_descriptor(folder)["resources"]:
        fields, file = resource["schema"]["fields"], resource["path"]
        try:  # validation has named any cell pandas cannot read; this only keeps pandas' errors from going out raw
            frame = pd.read_csv(folder / file, dtype={f["name"]: _DTYPES[f.get("type", "string")] for f in fields},
                                keep_default_na=False, na_values=[""], encoding="utf-8-sig")
            for name in (f["name"] for f in fields if f.get("type") == "date"):
                frame[name] = pd.to_datetime(frame[name], format="%Y-%m-%d")
        except (ValueError, OverflowError, TypeError) as exc:
            raise DataValidationError([Problem(file, None, None, "pandas-read", f"{type(exc).__name__}: {exc}")]) from None
        if len(frame) != len(_rows(folder, resource)[1]):
            raise DataValidationError([Problem(file, None, None, "row-count", "pandas and the CSV reader disagree on the rows")])
        frame.attrs.update(name=resource["name"], title=str(resource.get("title", resource["name"])),
                           primary_key=resource["schema"]["primaryKey"][0])
        frames[resource["name"]] = frame
    return frames


def load_all(folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table, validated and typed by its schema, all or none. Copies, so callers may change them."""
    key = _content_key(folder := data_dir(folder).resolve(), read_descriptor(folder))
    return {name: frame.copy() for name, frame in _load_validated(folder, key).items()}


def load_table(name: str, folder: Path | None = None) -> pd.DataFrame:
    """One table by its datapackage name (e.g. "visas"), validated and typed."""
    if name not in (tables := load_all(folder)):
        raise KeyError(f"no table {name!r} in {PACKAGE_FILE}; tables: {sorted(tables)}")
    return tables[name]


def row(table: pd.DataFrame, key: str) -> pd.Series:
    """The row whose primary key is ``key``, e.g. ``row(tables["russia_workers"], "RW_2018_END")``."""
    name, column = table.attrs.get("name", "table"), table.attrs.get("primary_key")
    if column not in table.columns:
        raise KeyError(f"table {name!r} has no primary key in its attrs: load it with helpers.data.load_all()")
    if (hits := table[table[column] == key] if isinstance(key, str) else table.iloc[:0]).empty:
        raise KeyError(f"no row {key!r} in table {name!r} (column {column!r}); valid keys include "
                       + ", ".join(table[column].astype(str).head(5)))
    return hits.iloc[0]
