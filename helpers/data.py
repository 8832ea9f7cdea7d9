"""Load data/ as typed DataFrames, validated, and look rows up by key. Every number a reader sees
comes from these tables, which a student may edit, so each stage checks what the last passed:
datapackage.json's shape and paths (before a table byte is read); each file read once, only if it
is a regular file under its size limit, opened so that nothing blocks; bytes, control characters
and headers; the schema (Frictionless checks its metadata); every cell against its type and
constraints, column by column, so time grows linearly with rows; our rules. A failure is one
DataValidationError naming file, row, column and rule for each problem; a success leaves a stamp,
so unchanged data is validated once, and the tables are built from the very bytes that were
validated."""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import io
import json
import math
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from helpers import __version__
from helpers._imports import decline_slow_optional_imports
from helpers.derived import NotFound, evaluate_rule
from helpers.numbers import RANGE_SETTINGS, RangeProblem, numbers_in, range_problems
from helpers.paths import data_dir, unsafe_reason

if TYPE_CHECKING:
    import pandas as pd

PACKAGE_FILE = "datapackage.json"
CACHE_ENV = "WORKERS_ABROAD_CACHE"
#: Size limits, far above today's data (the descriptor is 53 KB, the largest table 20 KB; 100,000
#: rows of visas take about 12 MB), so that a huge or endless file is refused by its size before a
#: byte is parsed.
MAX_DESCRIPTOR_BYTES = 4 * 1024 * 1024
MAX_TABLE_BYTES = 32 * 1024 * 1024
#: The largest maximum an assumption may have. The model multiplies at most three settings and a
#: sourced count (an integer below 10**18), then weeks (below 10**6 in the calendar): 10**18 * 10**9
#: * 10**9 * 10**6 = 10**42, far from a float's 1.8e308, so no slider position can make the
#: arithmetic overflow to inf.
ASSUMPTION_LIMIT = 1e9
_DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "date": "string"}
_CELLS = {  # kind: (pattern, rule, what is expected)
    "integer": (r"-?[0-9]{1,18}", "integer-format", "a whole number in ASCII digits, e.g. 2035"),
    "number": (
        r"-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,3})?",
        "number-format",
        "a finite number, e.g. 0.25",
    ),
    "date": (
        r"[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])",
        "date-format",
        "a date as YYYY-MM-DD, e.g. 2019-12-22",
    ),
    "uri": (r"https?://[^\s\"'<>`\\]+", "http-url", "an http:// or https:// address"),
}
#: Control characters are never data: NUL and the rest of C0 and C1, except tab, newline and a CR
#: before a newline.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
#: Every byte but a C0 control or DEL: bytes.translate deletes these, and what is left is controls.
_NOT_C0 = bytes(b for b in range(256) if b in b"\t\n\r" or 0x20 <= b < 0x7F or b > 0x7F)
#: The tables and columns the notebooks and helpers read, with the type they compute with: each must
#: be declared in datapackage.json (a column dropped from a CSV and its schema together would
#: otherwise load, and fail later), and each table must hold at least one row. Why each: the cells
#: that read it.
REQUIRED: dict[str, tuple[str, str]] = {
    "sources": (
        "source_id publisher title published url note",
        "every chart's source line and each notebook's Sources table",
    ),
    "resolutions": (
        "provision_id resolution:integer paragraph:integer paragraph_note adopted:date kind"
        " summary",
        "01's timeline of the resolutions and exercises 01.1-01.3",
    ),
    "resolution_terms": (
        "term_id provision_id value:number unit",
        "paragraph 8's deadlines (01, exercises 01.1-01.2, 04.1)",
    ),
    "provision_clauses": ("provision_id text", "01's quotation of paragraph 8's exceptions"),
    "events": (
        "event_id date:date date_precision kind title",
        "the timelines of 01 and 04 and the closure date of 04",
    ),
    "russia_workers": (
        "obs_id as_of_label as_of:date date_precision measure count:integer qualifier kind who",
        "03's and 04's counts of workers in Russia and exercises 03.3, 04.1-04.3",
    ),
    "worker_estimates": (
        "estimate_id source_date_label estimator source_type measure region low:number high:number "
        "qualifier flag",
        "02's estimates and exercises 02.1-02.3",
    ),
    "repatriations": (
        "rep_id as_of:date as_of_label country measure value:number qualifier",
        "02's repatriation figures",
    ),
    "visas": (
        "visa_id period period_start:date period_end:date category count:integer",
        "03's visa chart and exercises 03.1-03.2",
    ),
    "entries": (
        "entry_id period period_start:date period_end:date measure low:integer high:integer"
        " qualifier",
        "03's entries and exercise 03.2",
    ),
    "transport": (
        "transport_id mode operator measure value:integer note",
        "04's flights a week (the capacity model)",
    ),
    "assumptions": (
        "assumption_id label default:number minimum:number maximum:number step:number unit why",
        "the sliders of 02-04 and the capacity model's settings",
    ),
}
#: Every table but sources: its chart's source line and the provenance rules read these.
_PROVENANCE = "fact_id source_id also_source_ids status quote"


@dataclass(frozen=True)
class Problem:
    """One broken rule at one place. ``row``: 1-based line (a CSV's header is 1); ``column``: a
    CSV column or a place in datapackage.json such as "resources[3].path"."""

    file: str
    row: int | None
    column: str | None
    rule: str
    message: str

    def __str__(self) -> str:
        column = f"column {self.column!r}" if self.column else "column -"
        row = self.row if self.row is not None else "-"
        return f"{self.file}, row {row}, {column}: [{self.rule}] {self.message}"


#: How many problems an error's message lists (all are in its ``problems``).
SHOWN_PROBLEMS = 20
#: How many characters of a cell a message quotes.
QUOTED_CHARS = 40
#: How much of a file is read at a time.
_READ_CHUNK_BYTES = 1 << 20


class DataValidationError(ValueError):
    """data/ broke a rule. ``problems`` holds each broken rule with its place."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = [str(problem) for problem in problems[:SHOWN_PROBLEMS]]
        if len(problems) > SHOWN_PROBLEMS:
            lines.append(f"... and {len(problems) - SHOWN_PROBLEMS} more")
        super().__init__(
            f"data/ failed validation ({len(problems)} problem(s)):\n  " + "\n  ".join(lines)
        )


class FileRefused(ValueError):
    """A file that is not read, with the rule that refuses it (missing, not a regular file, too
    large)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule


# -------------------------------------------------- reading a file: regular, bounded, at once


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes, else FileRefused
    naming the rule.

    Why this way: a FIFO opened for reading waits for a writer forever, and a device or a growing
    file never ends. The path is checked with lstat before it is opened; it is opened
    non-blocking without following a symlink at its last step (a FIFO then opens at once),
    checked again on the open descriptor, and read to at most ``limit`` + 1 bytes, so a file
    swapped or grown in between is still refused."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"path must be a file's path, not {type(path).__name__}")
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"limit must be a whole number of bytes, 0 or more, not {limit!r:.40}")
    try:
        before = os.lstat(path)
    except FileNotFoundError:
        raise FileRefused("file-exists", f"{path} not found") from None
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise FileRefused(
            "file-readable", f"{path!s:.200} cannot be read: {getattr(exc, 'strerror', exc)}"
        ) from None
    _check_regular(before, path, limit)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        rule = "regular-file" if exc.errno == errno.ELOOP else "file-readable"
        raise FileRefused(
            rule, f"{path} cannot be opened as a regular file: {exc.strerror}"
        ) from None
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        _check_regular(os.fstat(handle.fileno()), path, limit)
        chunks, size = [], 0
        while size <= limit:
            chunk = handle.read(min(_READ_CHUNK_BYTES, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    if size > limit:
        raise FileRefused(
            "file-size", f"{path} grew past the limit of {limit:,} bytes while it was read"
        )
    return b"".join(chunks)


def _check_regular(info: os.stat_result, path: Path, limit: int) -> None:
    """A regular file under the limit; a FIFO, socket, device, directory or symlink is refused
    unread."""
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused(
            "regular-file",
            f"{path} is not a regular file (a pipe, device, folder or link is not read)",
        )
    if info.st_size > limit:
        raise FileRefused(
            "file-size", f"{path} has {info.st_size:,} bytes, over the limit of {limit:,}"
        )


# ---------------------------------------------------------------- datapackage.json


@dataclass(frozen=True)
class _Resource:
    """One entry of datapackage.json's resources, as its rules read it; ``names`` are every
    resource's names (a name must be unique)."""

    folder: Path
    entry: dict[str, Any]
    names: list[object]

    @property
    def schema(self) -> dict[str, Any]:
        schema = self.entry.get("schema")
        return schema if isinstance(schema, dict) else {}

    @property
    def fields(self) -> list[Any]:
        fields = self.schema.get("fields")
        return fields if isinstance(fields, list) else []

    @property
    def field_names(self) -> list[object]:
        return [spec.get("name") if isinstance(spec, dict) else None for spec in self.fields]


#: A broken rule of one resource: where in the resource (e.g. "path"), the rule, the message.
_Broken = tuple[str, str, str]
_RESOURCE_NAME_RE = re.compile(r"[a-z0-9_]+")


def _path_rule(resource: _Resource) -> list[_Broken]:
    """The path is a .csv file inside the data folder (the message quotes only the descriptor's
    own text)."""
    path = resource.entry.get("path")
    reason = unsafe_reason(resource.folder, path)
    if reason is None and not str(path).endswith(".csv"):
        reason = ("path-csv", "a table is a .csv file in the data folder")
    if reason is None:
        return []
    rule, why = reason
    return [("path", rule, f"path {path!r} refused: {why}")]


def _name_rule(resource: _Resource) -> list[_Broken]:
    """A resource's name is unique, of a-z, 0-9 and _ (it becomes a table's name)."""
    name = resource.entry.get("name")
    if isinstance(name, str) and _RESOURCE_NAME_RE.fullmatch(name):
        if resource.names.count(name) == 1:
            return []
    return [("name", "resource-name", "expected a unique name of a-z, 0-9 and _")]


def _field_names_rule(resource: _Resource) -> list[_Broken]:
    """A non-empty list of fields, each an object with a unique name."""
    names = resource.field_names
    if names and all(isinstance(name, str) and name and names.count(name) == 1 for name in names):
        return []
    return [
        ("schema.fields", "field-name", "expected a list of fields (objects) with unique names")
    ]


def _primary_key_rule(resource: _Resource) -> list[_Broken]:
    """One declared field is the primary key (it becomes the table's index)."""
    key = resource.schema.get("primaryKey")
    if isinstance(key, list) and len(key) == 1 and key[0] in resource.field_names:
        return []
    return [("schema.primaryKey", "primary-key-declared", "expected one declared field")]


def _missing_values_rule(resource: _Resource) -> list[_Broken]:
    """Only an empty cell is missing: "NA" or "-" is text, so it cannot hide a figure."""
    if resource.schema.get("missingValues", [""]) == [""]:
        return []
    return [("schema.missingValues", "missing-values", "only an empty cell is missing")]


def _field_types_rule(resource: _Resource) -> list[_Broken]:
    """Each field's type is one the loader reads, and a figure (x-figure) is a number."""
    broken = []
    for index, spec in enumerate(resource.fields):
        if not isinstance(spec, dict):
            continue  # named by the field-name rule
        kind = spec.get("type", "string")
        known = isinstance(kind, str) and kind in _DTYPES
        figure_is_number = not spec.get("x-figure") or kind in ("integer", "number")
        if not (known and figure_is_number):
            message = f"{spec.get('type')!r}: expected one of {list(_DTYPES)}, a figure a number"
            broken.append((f"schema.fields[{index}].type", "field-type", message))
    return broken


#: The rules each resource of datapackage.json must keep before a table byte is read.
_RESOURCE_RULES = (
    _path_rule,
    _name_rule,
    _field_names_rule,
    _primary_key_rule,
    _missing_values_rule,
    _field_types_rule,
)


def _line_of(text: str, value: object) -> int | None:
    """The descriptor's line that holds a text value (a path or a name), or None."""
    if not isinstance(value, str):
        return None
    at = text.find(json.dumps(value, ensure_ascii=False))
    return text.count("\n", 0, at) + 1 if at >= 0 else None


def _is_resource_list(resources: object) -> bool:
    """A non-empty list of objects: the shape every other rule reads."""
    if not isinstance(resources, list) or not resources:
        return False
    return all(isinstance(resource, dict) for resource in resources)


def _descriptor_problems(folder: Path, desc: Any, text: str) -> list[Problem]:
    """The shape the loader relies on, and every resource path confined to the folder."""
    resources = desc.get("resources") if isinstance(desc, dict) else None
    if not _is_resource_list(resources):
        message = "expected a non-empty list of resources (objects)"
        return [Problem(PACKAGE_FILE, None, "resources", "descriptor", message)]
    names = [entry.get("name") for entry in resources]
    problems = []
    for index, entry in enumerate(resources):
        resource = _Resource(folder, entry, names)
        for rule in _RESOURCE_RULES:
            for where, name, message in rule(resource):
                problems.append(
                    Problem(
                        PACKAGE_FILE,
                        _line_of(text, entry.get(where)),
                        f"resources[{index}].{where}",
                        name,
                        f"resource {entry.get('name')!r}: {message}",
                    )
                )
    if "sources" not in names:
        message = "a resource named 'sources' is required"
        problems.append(Problem(PACKAGE_FILE, None, "resources", "sources-table", message))
    return problems


def read_descriptor(folder: Path) -> dict[str, Any]:
    """The parsed, checked datapackage.json, or a DataValidationError naming what is wrong with
    it."""
    folder = data_dir(folder)
    reason = unsafe_reason(folder, PACKAGE_FILE)
    if reason:
        raise DataValidationError([Problem(PACKAGE_FILE, None, None, *reason)])
    try:
        text = read_regular_file(folder / PACKAGE_FILE, MAX_DESCRIPTOR_BYTES).decode("utf-8-sig")
        desc = json.loads(text)
    except FileRefused as exc:
        raise DataValidationError([Problem(PACKAGE_FILE, None, None, exc.rule, str(exc))]) from None
    except (ValueError, RecursionError) as exc:  # bad JSON (with its line), bad UTF-8, too deep
        line = getattr(exc, "lineno", None)
        raise DataValidationError([Problem(PACKAGE_FILE, line, None, "json", str(exc))]) from None
    problems = _descriptor_problems(folder, desc, text)
    if problems:
        raise DataValidationError(problems)
    return desc


def _schema_problems(desc: dict[str, Any]) -> list[Problem]:
    """What Frictionless says about each schema's metadata, each constraint's value, the declared
    foreign keys, and the tables and columns the notebooks need (REQUIRED)."""
    decline_slow_optional_imports()
    from frictionless import Schema

    problems, by_name = [], {r["name"]: r for r in desc["resources"]}
    for i, res in enumerate(desc["resources"]):
        vetted = {
            k: res["schema"][k]
            for k in ("fields", "primaryKey", "foreignKeys", "missingValues")
            if k in res["schema"]
        }
        try:
            errors = [(e.type, e.message) for e in Schema.metadata_validate(vetted)]
        # Whatever frictionless raises, the reader gets one named problem.
        except Exception as exc:  # noqa: BLE001
            errors = [("frictionless", f"{type(exc).__name__}: {exc}")]
        where = f"resources[{i}].schema"
        problems += [
            Problem(PACKAGE_FILE, None, where, rule, f"resource {res['name']!r}: {message}")
            for rule, message in errors
        ]
        if not errors:
            problems += _constraint_problems(res, where) + _foreign_key_problems(
                res, by_name, where
            )
    return problems + _required_problems(desc)


def _constraint_problems(res: dict[str, Any], where: str) -> list[Problem]:
    """Each constraint holds a value of the kind its check compares with: a pattern that
    compiles, numbers for a number's bounds, dates for a date's; what this loader does not check
    is refused rather than ignored."""
    problems = []
    for j, spec in enumerate(res["schema"]["fields"]):
        for key, value in (spec.get("constraints") or {}).items():
            reason = _constraint_value_reason(spec.get("type", "string"), key, value)
            if reason is not None:
                problems.append(
                    Problem(
                        PACKAGE_FILE,
                        None,
                        f"{where}.fields[{j}].constraints.{key}",
                        "constraint-value",
                        f"resource {res['name']!r}, field {spec['name']!r}: {reason}",
                    )
                )
    return problems


def _constraint_value_reason(kind: str, key: str, value: Any) -> str | None:
    """Why a constraint's value cannot be checked, or None when it can."""
    if key in ("required", "unique"):
        return None if isinstance(value, bool) else "expected true or false"
    if key in ("minLength", "maxLength"):
        return (
            None
            if isinstance(value, int) and not isinstance(value, bool) and value >= 0
            else "expected a count"
        )
    if key == "pattern":
        try:
            re.compile(value)
        except (re.error, TypeError) as exc:
            return f"the pattern does not compile: {exc}"
        return None
    if key in ("minimum", "maximum"):
        if _parse_constant(kind, value) is None:
            return f"expected values of type {kind}"
        return None
    if key == "enum":
        items = value if isinstance(value, list) else []
        if not items or any(_parse_constant(kind, item) is None for item in items):
            return f"expected a list of values of type {kind}"
        return None
    return f"constraint {key!r} is not checked by this loader"


def _parse_constant(kind: str, value: Any) -> Any:
    """A constraint's value as the type its cells parse to, or None."""
    if kind == "string":
        return value if isinstance(value, str) else None
    if kind == "date":
        return _parse_date(value) if isinstance(value, str) else None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return value if kind == "number" or float(value).is_integer() else None


def _foreign_key_problems(
    res: dict[str, Any], by_name: dict[str, Any], where: str
) -> list[Problem]:
    """Each foreign key names fields of this table and of an existing one, as many on each side."""
    problems = []
    for k, key in enumerate(res["schema"].get("foreignKeys", [])):
        target = by_name.get(key["reference"].get("resource") or res["name"])
        own, theirs = key["fields"], key["reference"].get("fields", [])
        names = {f["name"] for f in res["schema"]["fields"]}
        target_names = {f["name"] for f in target["schema"]["fields"]} if target else set()
        same_width = len(own) == len(theirs)
        if (
            target is None
            or not same_width
            or not set(own) <= names
            or not set(theirs) <= target_names
        ):
            problems.append(
                Problem(
                    PACKAGE_FILE,
                    None,
                    f"{where}.foreignKeys[{k}]",
                    "foreign-key-declared",
                    f"resource {res['name']!r}: expected fields of this table and as many of a"
                    " declared one",
                )
            )
    return problems


def _required_problems(desc: dict[str, Any]) -> list[Problem]:
    """Every table in REQUIRED is declared, with each column it lists, of the type it lists."""
    problems, index = [], {r["name"]: i for i, r in enumerate(desc["resources"])}
    for name, (columns, why) in REQUIRED.items():
        if name not in index:
            problems.append(
                Problem(
                    PACKAGE_FILE,
                    None,
                    "resources",
                    "required-table",
                    f"a resource {name!r} is required: {why}",
                )
            )
            continue
        declared = {
            f["name"]: f.get("type", "string")
            for f in desc["resources"][index[name]]["schema"]["fields"]
        }
        needed = columns if name == "sources" else f"{columns} {_PROVENANCE}"
        for column, kind in (item.partition(":")[::2] for item in needed.split()):
            if declared.get(column) != (kind or "string"):
                problems.append(
                    Problem(
                        PACKAGE_FILE,
                        None,
                        f"resources[{index[name]}].schema.fields",
                        "required-column",
                        f"resource {name!r} needs column {column!r} of type"
                        f" {kind or 'string'}: {why}",
                    )
                )
    return problems


# ---------------------------------------------------------------- each table: bytes, CSV, header


@dataclass
class _Table:
    """One CSV as read: its header, and each record's cells with the line it ends on."""

    resource: dict[str, Any]
    header: list[str]
    lines: list[int]
    records: list[list[str]]

    @cached_property
    def columns(self) -> dict[str, tuple[str, ...]]:
        """Each column's cells, a short record padded with empty cells (its missing-cell problem
        says so)."""
        width = len(self.header)
        padded = self.records
        if set(map(len, padded)) - {width}:
            padded = [r if len(r) == width else (r + [""] * width)[:width] for r in padded]
        if not padded:
            return {name: () for name in self.header}
        return dict(zip(self.header, zip(*padded)))

    def rows(self) -> Iterable[tuple[int, dict[str, str]]]:
        """Each record as (line, {column: cell})."""
        return (
            (line, dict(zip(self.header, cells))) for line, cells in zip(self.lines, self.records)
        )


def _parse(text: str) -> tuple[list[str], list[int], list[list[str]]]:
    """Header, line numbers and records; csv.Error names the line. One record a line is the
    common case, counted instead of tracked: without a lone CR, as many lines as records means no
    record spans two."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header, records = next(reader, []), list(reader)
        physical = text.count("\n")
        if not text.endswith("\n"):
            physical += 1  # the last line has no newline
        if physical == len(records) + 1 and text.count("\r") == text.count("\r\n"):
            return header, list(range(2, len(records) + 2)), records
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        header, lines, records = next(reader, []), [], []
        for cells in reader:
            lines.append(reader.line_num)
            records.append(cells)
    except csv.Error as exc:
        raise DataValidationError([Problem("", reader.line_num, None, "csv", str(exc))]) from None
    return header, lines, records


def _read_table(
    resource: dict[str, Any], raw: bytes | FileRefused
) -> tuple[_Table | None, list[Problem]]:
    """The table, or what keeps it from being read: missing, not a regular file, too large,
    empty, not UTF-8, bad CSV, a control character, a wrong header."""
    name, expected = resource["path"], [f["name"] for f in resource["schema"]["fields"]]
    if isinstance(raw, FileRefused):
        return None, [Problem(name, None, None, raw.rule, str(raw))]
    if not raw.strip():
        return None, [
            Problem(name, 1, None, "not-empty", "the file is empty: expected a header and rows")
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [_utf8_problem(name, raw, exc.start, expected)]
    try:
        header, lines, records = _parse(text.removeprefix("\ufeff"))
    except DataValidationError as exc:
        return None, [Problem(name, p.row, p.column, p.rule, p.message) for p in exc.problems]
    table = _Table(resource, header, lines, records)
    problems = _control_problems(name, table, text) or _header_problems(name, header, expected)
    return (None if problems else table), problems


def _utf8_problem(name: str, raw: bytes, start: int, expected: list[str]) -> Problem:
    """A byte that is not UTF-8, named by its row and column: the CSV up to the bad byte says
    which record and cell hold it."""
    reader = csv.reader(io.StringIO(raw[:start].decode("utf-8") + "?"))
    index = len([*reader][-1]) - 1
    column = expected[index] if index < len(expected) else None
    message = f"byte 0x{raw[start]:02x} is not UTF-8 (at byte {start})"
    return Problem(name, reader.line_num, column, "utf-8", message)


def _header_problems(name: str, header: list[str], expected: list[str]) -> list[Problem]:
    """The header names each declared column once, in the declared order."""
    problems = [
        Problem(name, 1, col, "header", "column missing from the header")
        for col in expected
        if col not in header
    ]
    problems += [
        Problem(name, 1, col, "header", "column not declared in datapackage.json")
        for col in header
        if col not in expected
    ]
    if not problems and header != expected:
        problems.append(
            Problem(name, 1, None, "header", f"columns out of order: expected {expected}")
        )
    return problems


def _control_problems(name: str, table: _Table, text: str) -> list[Problem]:
    """A control character in a cell (NUL, escape, ...), named by row and column; tab and newline
    are text."""
    if not _may_hold_controls(text) or not _CONTROL_RE.search(text):
        return []
    problems = []
    for line, cells in [(1, table.header), *zip(table.lines, table.records)]:
        for index, cell in enumerate(cells):
            found = _CONTROL_RE.search(cell)
            if found:
                column = table.header[index] if line > 1 and index < len(table.header) else None
                problems.append(
                    Problem(
                        name,
                        line,
                        column,
                        "control-character",
                        f"character U+{ord(found[0][0]):04X} is a control character, not text",
                    )
                )
    return problems


def _may_hold_controls(text: str) -> bool:
    """C-speed byte scans before the regex (a regex over 10 MB takes 0.3 s): a C0 control or DEL,
    the lead byte of a C1 control, or a CR that does not end a line."""
    raw = text.encode()
    if raw.translate(None, _NOT_C0) or b"\xc2" in raw:
        return True
    return raw.count(b"\r") != raw.count(b"\r\n")


# ---------------------------------------------------------------- cells, column by column

_COMPILED = {kind: re.compile(pattern, re.ASCII) for kind, (pattern, _, _) in _CELLS.items()}


def _parse_date(text: str) -> date | None:
    if not _COMPILED["date"].fullmatch(text):
        return None
    with contextlib.suppress(ValueError):
        return date.fromisoformat(text)
    return None


def _parse_cell(kind: str, text: str) -> tuple[Any, str | None]:
    """(value, None) for a well-formed cell, (None, rule) otherwise. Stricter than Table Schema:
    ASCII digits, finite numbers, real YYYY-MM-DD dates, http(s) URLs only."""
    if kind == "date":
        value = _parse_date(text)
        return (value, None) if value is not None else (None, "date-format")
    if kind == "number" and text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
        return None, "finite-number"
    if not _COMPILED[kind].fullmatch(text):
        return None, _CELLS[kind][1]
    if kind == "integer":
        return int(text), None
    if kind == "number":
        number = float(text)
        return (number, None) if math.isfinite(number) else (None, "finite-number")
    return text, None


def _column_problems(
    file: str, spec: dict[str, Any], cells: Sequence[str], lines: list[int]
) -> tuple[dict[str, Any], list[Problem]]:
    """One column's parsed values (by cell text; a malformed cell is absent) and its problems:
    format, then constraints (a malformed cell is named once, by its format). Each distinct text
    is judged once, so a column of 100,000 rows with a handful of values costs a handful of
    checks."""
    typed = spec.get("type", "string")
    kind = "uri" if typed == "string" and spec.get("format") == "uri" else typed
    name, distinct = spec["name"], set(cells) - {""}
    values, failing = _parsed_values(kind, distinct)
    constraints = spec.get("constraints") or {}
    if constraints.get("required") and "" in cells:
        failing[""] = ("constraint-error", "constraint required True is not met by ''")
    for key, limit in constraints.items():
        for text in _breaking(key, limit, typed, values):
            failing.setdefault(
                text,
                (
                    "constraint-error",
                    f"constraint {key} {limit!r} is not met by {text[:QUOTED_CHARS]!r}",
                ),
            )
    problems = []
    if failing:
        problems = [
            Problem(file, line, name, *failing[text])
            for line, text in zip(lines, cells)
            if text in failing
        ]
    if constraints.get("unique"):
        problems += _duplicates(file, name, cells, lines, "unique-error")
    return values, problems


def _parsed_values(
    kind: str, distinct: set[str]
) -> tuple[dict[str, Any], dict[str, tuple[str, str]]]:
    """Each well-formed text's value, and the format problem of each malformed one."""
    if kind not in _CELLS:
        return dict(zip(distinct, distinct)), {}
    values, failing = {}, {}
    for text in distinct:
        value, rule = _parse_cell(kind, text)
        if rule:
            failing[text] = (rule, f"expected {_CELLS[kind][2]}, got {text[:QUOTED_CHARS]!r}")
        else:
            values[text] = value
    return values, failing


def _breaking(key: str, limit: Any, kind: str, values: dict[str, Any]) -> list[str]:
    """The texts whose values break one constraint (required and unique are judged over the
    whole column instead)."""
    if key in ("minimum", "maximum"):
        bound = _parse_constant(kind, limit)
        if key == "minimum":
            return [text for text, value in values.items() if value < bound]
        return [text for text, value in values.items() if value > bound]
    if key == "enum":
        allowed = {_parse_constant(kind, item) for item in limit}
        return [text for text, value in values.items() if value not in allowed]
    if key == "pattern":
        match = re.compile(limit).fullmatch
        return [text for text in values if match(text) is None]
    if key == "minLength":
        return [text for text in values if len(text) < limit]
    if key == "maxLength":
        return [text for text in values if len(text) > limit]
    return []


def _duplicates(
    file: str, column: str, cells: list[str], lines: list[int], rule: str
) -> list[Problem]:
    """Every repeat of a value already seen higher up the column."""
    counts = Counter(c for c in cells if c)
    if all(n == 1 for n in counts.values()):
        return []
    first: dict[str, int] = {}
    problems = []
    for index, text in enumerate(cells):
        if text and counts[text] > 1 and first.setdefault(text, lines[index]) != lines[index]:
            problems.append(
                Problem(
                    file,
                    lines[index],
                    column,
                    rule,
                    f"{text[:QUOTED_CHARS]!r} is already in row {first[text]}",
                )
            )
    return problems


def _table_problems(table: _Table) -> tuple[dict[str, dict[str, Any]], list[Problem]]:
    """A table's parsed columns and the problems of its rows: shape, cells, constraints, primary
    key. A blank row or a missing cell is named once, by its shape."""
    file, problems = table.resource["path"], _shape_problems(table)
    blank_rows = {p.row for p in problems if p.rule == "blank-row"}
    missing_cells = {(p.row, p.column) for p in problems if p.rule == "missing-cell"}
    parsed = {}
    for spec in table.resource["schema"]["fields"]:
        name = spec["name"]
        parsed[name], found = _column_problems(file, spec, table.columns[name], table.lines)
        for problem in found:
            if problem.row not in blank_rows and (problem.row, problem.column) not in missing_cells:
                problems.append(problem)
    return parsed, problems + _primary_key_problems(table, blank_rows)


def _shape_problems(table: _Table) -> list[Problem]:
    """A blank row, a row that ends early (each missing cell named) or one with extra cells."""
    file, width, problems = table.resource["path"], len(table.header), []
    for line, cells in zip(table.lines, table.records):
        if not any(cells):
            problems.append(Problem(file, line, None, "blank-row", "the row is blank"))
        elif len(cells) < width:
            problems += [
                Problem(file, line, name, "missing-cell", "the row ends before this column")
                for name in table.header[len(cells) :]
            ]
        elif len(cells) > width:
            message = f"{len(cells)} cells, the header has {width}"
            problems.append(Problem(file, line, None, "extra-cell", message))
    return problems


def _primary_key_problems(table: _Table, blank_rows: set[int | None]) -> list[Problem]:
    """Every row has its key, and no key repeats (the key becomes the table's index)."""
    file, key = table.resource["path"], table.resource["schema"]["primaryKey"][0]
    cells = table.columns[key]
    problems = [
        Problem(file, line, key, "primary-key", "every row needs its key")
        for line, text in zip(table.lines, cells)
        if not text and line not in blank_rows
    ]
    return problems + _duplicates(file, key, cells, table.lines, "primary-key")


def _foreign_key_rows(tables: dict[str, _Table]) -> list[Problem]:
    """Every foreign key's cells are keys of the table it references (a row with none of them
    empty)."""
    problems = []
    for table in tables.values():
        for key in table.resource["schema"].get("foreignKeys", []):
            target = tables[key["reference"].get("resource") or table.resource["name"]]
            known = set(zip(*(target.columns[f] for f in key["reference"]["fields"])))
            own = list(zip(*(table.columns[f] for f in key["fields"])))
            if set(own) <= known:  # the common case, at the speed of a set
                continue
            problems += [
                Problem(
                    table.resource["path"],
                    line,
                    ",".join(key["fields"]),
                    "foreign-key",
                    f"{values[0] if len(values) == 1 else values!r} is not a key of"
                    f" {target.resource['path']}",
                )
                for line, values in zip(table.lines, own)
                if all(values) and values not in known
            ]
    return problems


def _assumption_problems(table: _Table, parsed: dict[str, dict[str, Any]]) -> list[Problem]:
    """An assumption's slider must show its default and keep the model finite: the range rule
    every slider keeps (helpers.numbers.range_problems), the maximum at most ASSUMPTION_LIMIT,
    and a share's at most 1."""
    if not set(RANGE_SETTINGS) <= set(parsed):
        return []
    file, problems = table.resource["path"], []
    columns = [[parsed[name].get(text) for text in table.columns[name]] for name in RANGE_SETTINGS]
    units = _column(table, "unit")
    for line, low, default, high, step, unit in zip(table.lines, *columns, units):
        if None in (low, default, high, step):
            continue  # a malformed cell, named by its format
        broken = range_problems(low, default, high, step)
        broken += _assumption_limit_rule(high) + _share_rule(unit, high)
        problems += [Problem(file, line, *problem) for problem in broken]
    return problems


def _assumption_limit_rule(maximum: float) -> list[RangeProblem]:
    """No slider position can make the model's arithmetic overflow (ASSUMPTION_LIMIT)."""
    if maximum <= ASSUMPTION_LIMIT:
        return []
    message = (
        f"maximum {maximum:g} is above {ASSUMPTION_LIMIT:g}: the model's arithmetic must stay"
        " finite"
    )
    return [RangeProblem("maximum", "assumption-limit", message)]


def _share_rule(unit: str, maximum: float) -> list[RangeProblem]:
    """A share is at most the whole."""
    if unit != "share" or maximum <= 1:
        return []
    return [
        RangeProblem(
            "maximum", "share-at-most-one", f"a share's maximum is at most 1, not {maximum:g}"
        )
    ]


def _row_problems(tables: dict[str, _Table]) -> list[Problem]:
    """Every row of every table, column by column; then the keys between tables; each needed
    table has rows."""
    problems = []
    for name, table in tables.items():
        parsed, found = _table_problems(table)
        problems += found
        if name == "assumptions" and not found:
            problems += _assumption_problems(table, parsed)
        if name in REQUIRED and not table.records:
            problems.append(
                Problem(
                    table.resource["path"],
                    1,
                    None,
                    "has-rows",
                    f"only a header: the notebooks need its rows ({REQUIRED[name][1]})",
                )
            )
    return problems or _foreign_key_rows(tables)


# ---------------------------------------------------------------- provenance


def _provenance_problems(tables: dict[str, _Table]) -> list[Problem]:
    """This collection's rules that a Table Schema cannot state: sources resolve, figures in
    quotes, derived rows. Read column by column; a quote's numbers are read once however many
    rows share it."""
    known_sources = set(tables["sources"].columns["source_id"])
    rows_by_id = _RowsById(tables)
    stated: dict[str, set[float]] = {}
    problems = []
    for table in tables.values():
        checked = _checked_rows(table)
        problems += _also_source_problems(table, known_sources)
        problems += _figure_problems(table, checked, stated)
        problems += _derived_rows_problems(table, checked, rows_by_id)
    return problems


def _column(table: _Table, name: str) -> Sequence[str]:
    """A column's cells, or empty cells for a column the table does not have."""
    return table.columns.get(name) or [""] * len(table.lines)


def _figures(table: _Table) -> list[str]:
    """The columns that hold a sourced figure (x-figure in the schema)."""
    return [spec["name"] for spec in table.resource["schema"]["fields"] if spec.get("x-figure")]


def _checked_rows(table: _Table) -> list[int]:
    """The rows whose figures a quote must state: seed, secondary and derived (an assumption
    states none)."""
    statuses = _column(table, "status")
    return [i for i, status in enumerate(statuses) if status in ("seed", "secondary", "derived")]


def _also_source_problems(table: _Table, known_sources: set[str]) -> list[Problem]:
    """Every id in also_source_ids names a source."""
    file, problems = table.resource["path"], []
    cells = _column(table, "also_source_ids")
    unknown = {text for text in set(cells) if set(text.split()) - known_sources}
    for line, text in zip(table.lines, cells):
        if text not in unknown:
            continue
        for extra in text.split():
            if extra not in known_sources:
                message = f"unknown source id {extra!r}"
                problems.append(Problem(file, line, "also_source_ids", "source-exists", message))
    return problems


def _figure_problems(
    table: _Table, checked: list[int], stated: dict[str, set[float]]
) -> list[Problem]:
    """Each checked row's figure appears in its quote (``stated`` remembers each quote's
    numbers)."""
    file, problems = table.resource["path"], []
    quotes = _column(table, "quote")
    for column in _figures(table):
        cells = table.columns[column]
        for i in checked:
            if not cells[i]:
                continue
            if quotes[i] not in stated:
                stated[quotes[i]] = numbers_in(quotes[i])
            if not _stated(stated[quotes[i]], float(cells[i])):
                message = f"figure {cells[i]} does not appear in the quote {quotes[i]!r}"
                problems.append(Problem(file, table.lines[i], column, "figure-in-quote", message))
    return problems


def _derived_rows_problems(
    table: _Table, checked: list[int], rows_by_id: Mapping[str, Mapping[str, str]]
) -> list[Problem]:
    """Each checked row with a derived_from rule holds what the rule recomputes."""
    problems = []
    rules = _column(table, "derived_from")
    for i in checked:
        if not rules[i]:
            continue
        row = {name: table.columns[name][i] for name in table.header}
        problems += _derived_problems(
            table.resource["path"], table.lines[i], row, rules[i], _figures(table), rows_by_id
        )
    return problems


class _RowsById(Mapping[str, dict[str, str]]):
    """Every row of every table by its primary key, each made into a dict only when a derived
    rule reads it."""

    def __init__(self, tables: dict[str, _Table]) -> None:
        self._tables = tables
        self._where = {
            key: (name, i)
            for name, t in tables.items()
            for i, key in enumerate(t.columns[t.resource["schema"]["primaryKey"][0]])
        }

    def __getitem__(self, key: str) -> dict[str, str]:
        name, index = self._where[key]
        table = self._tables[name]
        return {column: table.columns[column][index] for column in table.header}

    def __iter__(self) -> Iterator[str]:
        return iter(self._where)

    def __len__(self) -> int:
        return len(self._where)


def _stated(found: set[float], value: float, rel_tol: float = 1e-9) -> bool:
    """The rule of helpers.numbers.states, on numbers already read from the quote (an exact hit
    needs no loop)."""
    return value in found or any(
        abs(number - value) <= rel_tol * max(1.0, abs(value)) for number in found
    )


def _derived_problems(
    file: str,
    line: int,
    row: dict[str, str],
    rule: str,
    figures: list[str],
    rows_by_id: Mapping[str, Mapping[str, str]],
) -> list[Problem]:
    """A derived row's figure (or date) is what its rule recomputes from the rows it names."""
    target = "date" if "date" in row else (figures or ["derived_from"])[0]
    try:
        expected = evaluate_rule(rule, rows_by_id)
        agrees = _same_value(target, row[target], expected)
    except (KeyError, ValueError, TypeError, OverflowError) as exc:
        message = f"cannot evaluate {rule!r}: {exc}"
        return [Problem(file, line, "derived_from", "derived-recomputes", message)]
    if agrees:
        return []
    message = f"{rule} gives {expected}, the row says {row[target]}"
    return [Problem(file, line, target, "derived-recomputes", message)]


def _same_value(target: str, cell: str, expected: str | float) -> bool:
    """A date as the same ISO text; a figure as the same text or the same number."""
    if str(expected) == cell:
        return True
    return target != "date" and float(cell) == float(expected)


# -------------------------------------------------- one snapshot of the folder, validated once


@dataclass(frozen=True)
class _Snapshot:
    """The descriptor and each table's bytes, read once; equal snapshots have the same folder and
    content key."""

    folder: Path
    key: str
    descriptor: dict[str, Any] = field(compare=False, hash=False, repr=False)
    raw: dict[str, bytes | FileRefused] = field(compare=False, hash=False, repr=False)


@cache
def _rules_digest() -> bytes:
    """The hash of this package's checking code (its version and the modules whose rules a
    stamp vouches for), read once a process: the code does not change while it runs, the data
    may."""
    digest = hashlib.sha256(__version__.encode())
    for name in ("data.py", "paths.py", "derived.py", "numbers.py"):
        digest.update(name.encode() + (Path(__file__).parent / name).read_bytes())
    return digest.digest()


def _snapshot(folder: Path) -> _Snapshot:
    """Read datapackage.json and every table it names (each refused file kept as its refusal),
    and hash them with the rules (this package's checking code): changing either re-validates."""
    desc = read_descriptor(folder)
    raw: dict[str, bytes | FileRefused] = {}
    for path in (r["path"] for r in desc["resources"]):
        try:
            raw[path] = read_regular_file(folder / path, MAX_TABLE_BYTES)
        except FileRefused as exc:
            raw[path] = exc
    digest = hashlib.sha256(_rules_digest())
    digest.update(json.dumps(desc, sort_keys=True).encode())
    for path, content in raw.items():
        digest.update(
            path.encode()
            + (hashlib.sha256(content).digest() if isinstance(content, bytes) else b"<refused>")
        )
    return _Snapshot(folder, digest.hexdigest(), desc, raw)


def _problems(snapshot: _Snapshot) -> tuple[dict[str, _Table], list[Problem]]:
    """The tables as read and every problem; each stage runs on what passed the last."""
    desc = snapshot.descriptor
    problems = _schema_problems(desc)
    if problems:
        return {}, problems
    tables, problems = {}, []
    for resource in desc["resources"]:
        table, found = _read_table(resource, snapshot.raw[resource["path"]])
        problems += found
        if table is not None:
            tables[resource["name"]] = table
    if problems:
        return tables, problems
    return tables, _row_problems(tables) or _provenance_problems(tables)


def validation_problems(folder: Path | None = None) -> list[Problem]:
    """Every problem in the data folder; an empty list means it is valid."""
    return _problems(_snapshot(data_dir(folder)))[1]


def _content_key(folder: Path) -> str:
    """The content key of the folder as it is now: its stamp's name."""
    return _snapshot(folder).key


def _stamp(key: str) -> Path:
    base = os.environ.get(CACHE_ENV) or os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base, "workers-abroad", "validated", key)


def _validated_tables(snapshot: _Snapshot) -> dict[str, _Table]:
    """The tables of a snapshot that passed every rule (a stamp remembers a success), else
    DataValidationError."""
    if _stamp(snapshot.key).exists():
        tables = {}
        for resource in snapshot.descriptor["resources"]:
            table, problems = _read_table(resource, snapshot.raw[resource["path"]])
            if problems or table is None:  # a stamp for bytes that no longer read: validate
                return _validated_tables_fresh(snapshot)
            tables[resource["name"]] = table
        return tables
    return _validated_tables_fresh(snapshot)


def _validated_tables_fresh(snapshot: _Snapshot) -> dict[str, _Table]:
    """Every rule on the snapshot; a success leaves its stamp."""
    tables, problems = _problems(snapshot)
    if problems:
        raise DataValidationError(problems)
    with contextlib.suppress(OSError):  # a read-only home only costs the next run a re-validation
        _stamp(snapshot.key).parent.mkdir(parents=True, exist_ok=True)
        _stamp(snapshot.key).touch()
    return tables


def validate(folder: Path | None = None) -> None:
    """Raise DataValidationError unless every table passes every rule; remember a success in a
    stamp file."""
    _validated_tables(_snapshot(data_dir(folder)))


def _frame(table: _Table) -> pd.DataFrame:
    """A validated table as a DataFrame typed by its schema; only an empty cell is missing."""
    import pandas as pd

    columns = table.columns
    frame = pd.DataFrame(index=pd.RangeIndex(len(table.records)))
    for spec in table.resource["schema"]["fields"]:
        cells, kind = columns[spec["name"]], spec.get("type", "string")
        if kind == "integer":
            frame[spec["name"]] = pd.array([int(c) if c else None for c in cells], dtype="Int64")
        elif kind == "number":
            frame[spec["name"]] = pd.array(
                [float(c) if c else None for c in cells], dtype="Float64"
            )
        elif kind == "date":
            frame[spec["name"]] = pd.to_datetime(
                pd.Series([c or None for c in cells], dtype="string"), format="%Y-%m-%d"
            )
        else:
            frame[spec["name"]] = pd.array([c or None for c in cells], dtype="string")
    frame.attrs.update(
        name=table.resource["name"],
        title=str(table.resource.get("title", table.resource["name"])),
    )
    # Indexed by its primary key, so a lookup reads visas.loc["V2019_TOURIST", "count"].
    return frame.set_index(table.resource["schema"]["primaryKey"][0])


@cache
def _load_validated(snapshot: _Snapshot) -> dict[str, pd.DataFrame]:
    return {name: _frame(table) for name, table in _validated_tables(snapshot).items()}


def load_all(folder: Path | None = None) -> dict[str, pd.DataFrame]:
    """Every table, validated and typed by its schema, all or none. Copies, so callers may change
    them."""
    snapshot = _snapshot(data_dir(folder).resolve())
    return {name: frame.copy() for name, frame in _load_validated(snapshot).items()}


def load_table(name: str, folder: Path | None = None) -> pd.DataFrame:
    """One table by its datapackage name (e.g. "visas"), validated and typed."""
    if not isinstance(name, str):
        raise TypeError(
            f"name must be a table's name as text, e.g. 'visas', not {type(name).__name__}"
        )
    tables = load_all(folder)
    if name not in tables:
        raise NotFound(f"no table {name!r} in {PACKAGE_FILE}; tables: {sorted(tables)}")
    return tables[name]
