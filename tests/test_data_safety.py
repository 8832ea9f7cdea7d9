"""Hostile data: every rule of issue 12's loader part, each error checked for file, row, column
and rule.

A student (or an attacker) can edit any file in data/. These tests edit a copy and check that the
loader refuses what it must, before reading what it must not, and says where and which rule.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers import data
from helpers.derived import add_months
from helpers.numbers import finite, states
from helpers.paths import data_path
from tests.data_support import (
    assert_named,
    edit_descriptor,
    index_of,
    line_of,
    problems_of,
    resource,
    set_cell,
)

SECRET = "TOP-SECRET-CONTENT-4f1c"


@pytest.fixture
def secret_outside(tmp_path: Path) -> Path:
    """A file outside the data folder that must never be read."""
    secret = tmp_path / "outside" / "secret.csv"
    secret.parent.mkdir()
    secret.write_text(f"visa_id\n{SECRET}\n", encoding="utf-8")
    return secret


@pytest.fixture
def opened() -> Iterator[list[str]]:
    """Every path the process opens while the test runs (a CPython audit hook; hooks cannot be
    removed, so it is gated)."""
    paths: list[str] = []
    active = [True]

    def hook(event: str, args: tuple) -> None:
        if active[0] and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
            paths.append(os.fsdecode(args[0]))

    sys.addaudithook(hook)
    yield paths
    active[0] = False


# ---------------------------------------------------------------- paths stay inside data/


@pytest.mark.parametrize(
    ("path", "rule"),
    [
        ("../outside/secret.csv", "path-no-dotdot"),
        ("ABSOLUTE", "path-relative"),
        ("file:///etc/passwd", "path-relative"),
        ("https://example.org/visas.csv", "path-relative"),
        ("sub\\..\\..\\secret.csv", "path-relative"),
        ("fact-sheet.md", "path-csv"),
    ],
)
def test_a_resource_path_leaving_data_is_refused_before_any_read(
    data_copy: Path, secret_outside: Path, opened: list[str], path: str, rule: str
) -> None:
    path = str(secret_outside) if path == "ABSOLUTE" else path
    edit_descriptor(data_copy, lambda d: resource(d, "visas").update(path=path))
    problems = problems_of(data_copy, f"resource path {path}")
    line = line_of(data_copy / "datapackage.json", json.dumps(path))
    column = f"resources[{index_of(data_copy, 'visas')}].path"
    problem = assert_named(problems, "datapackage.json", line, column, rule)
    assert "resource 'visas'" in problem.message
    assert SECRET not in str(problems)
    assert not [p for p in opened if "secret" in p or "outside" in p], opened
    assert not [p for p in opened if p.endswith(".csv")], (
        "no table may be read while the descriptor is refused"
    )


def test_a_symlink_out_of_data_is_refused_before_any_read(
    data_copy: Path, secret_outside: Path, opened: list[str]
) -> None:
    (data_copy / "visas.csv").unlink()
    (data_copy / "visas.csv").symlink_to(secret_outside)
    problems = problems_of(data_copy, "visas.csv is a symlink out of data/")
    line = line_of(data_copy / "datapackage.json", '"visas.csv"')
    column = f"resources[{index_of(data_copy, 'visas')}].path"
    problem = assert_named(problems, "datapackage.json", line, column, "path-inside-data")
    assert "resource 'visas'" in problem.message and "symlink" in problem.message
    assert SECRET not in str(problems)
    assert str(secret_outside) not in opened


def test_a_symlinked_data_folder_still_loads(data_copy: Path, tmp_path: Path) -> None:
    """Confinement is to the data folder as resolved, so a data folder reached through a link
    works."""
    link = tmp_path / "linked-data"
    link.symlink_to(data_copy)
    assert data.load_all(link)["visas"].equals(data.load_all(data_copy)["visas"])


@pytest.mark.parametrize(
    "parts",
    [
        ("..", "README.md"),
        ("/etc/passwd",),
        ("a", "/etc/passwd"),
        ("sub/../../x",),
        ("https://x.org/a",),
    ],
)
def test_data_path_refuses_to_leave_data(parts: tuple[str, ...]) -> None:
    with pytest.raises(ValueError, match=r"refused: \[path-(no-dotdot|relative)\]"):
        data_path(*parts)


def test_data_path_refuses_a_symlink_out(
    data_copy: Path, secret_outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (data_copy / "link.csv").symlink_to(secret_outside)
    monkeypatch.setenv("WORKERS_ABROAD_DATA", str(data_copy))
    with pytest.raises(ValueError, match=r"\[path-inside-data\]"):
        data_path("link.csv")
    assert data_path("visas.csv") == data_copy / "visas.csv"


# ---------------------------------------------------------------- frictionless never raises raw


@pytest.mark.parametrize(
    ("change", "column", "rule"),
    [
        (
            lambda r: r["schema"]["fields"][0]["constraints"].update(pattern="(["),
            "resources[{i}].schema.fields[0].constraints.pattern",
            "constraint-value",
        ),
        (
            lambda r: r["schema"]["fields"][5].update(type="geopoint"),
            "resources[{i}].schema.fields[5].type",
            "field-type",
        ),
        (
            lambda r: r["schema"].update(primaryKey=["nosuch"]),
            "resources[{i}].schema.primaryKey",
            "primary-key-declared",
        ),
        (
            lambda r: r.update(schema="../outside/schema.json"),
            "resources[{i}].schema.fields",
            "field-name",
        ),
        (
            lambda r: r["schema"].update(foreignKeys=[{"fields": "source_id", "reference": 7}]),
            "resources[{i}].schema",
            "schema-error",
        ),
        (
            lambda r: r["schema"]["fields"][5]["constraints"].update(minimum="abc"),
            "resources[{i}].schema.fields[5].constraints.minimum",
            "constraint-value",
        ),
        (
            lambda r: r["schema"]["fields"][5]["constraints"].update(exclusiveMinimum=3),
            "resources[{i}].schema",
            "field-error",
        ),
    ],
)
def test_a_broken_schema_is_one_named_error(
    data_copy: Path, change: Callable[[dict], None], column: str | None, rule: str
) -> None:
    edit_descriptor(data_copy, lambda d: change(resource(d, "visas")))
    index = index_of(data_copy, "visas")
    problems = problems_of(data_copy, f"schema change -> {rule}")
    hit = next((p for p in problems if p.rule == rule), None)
    assert hit is not None and hit.file == "datapackage.json", problems
    assert hit.column == (column.format(i=index) if column else None)


# ---------------------------------------------------------------- numbers are sane


@pytest.mark.parametrize("value", ["inf", "-inf", "NaN", "Infinity", "1e999"])
def test_number_fields_reject_non_finite_values(data_copy: Path, value: str) -> None:
    row = set_cell(data_copy, "resolution_terms.csv", "T2397_REPAT", "value", value)
    problems = problems_of(data_copy, f"number {value}")
    problem = assert_named(problems, "resolution_terms.csv", row, "value", "finite-number")
    assert value in problem.message


@pytest.mark.parametrize(
    ("column", "value", "rule", "named"),
    [
        ("default", "400", "default-in-range", "default"),  # above maximum 300
        ("default", "10", "default-in-range", "default"),  # below minimum 20
        ("minimum", "500", "range-order", "maximum"),  # minimum above maximum
        ("step", "0", "step-positive", "step"),
        ("maximum", "inf", "finite-number", "maximum"),
    ],
)
def test_assumption_ranges(data_copy: Path, column: str, value: str, rule: str, named: str) -> None:
    row = set_cell(data_copy, "assumptions.csv", "A_SEATS_PER_FLIGHT", column, value)
    assert_named(
        problems_of(data_copy, f"assumption {column}={value}"), "assumptions.csv", row, named, rule
    )


def test_a_negative_step_is_refused_even_where_the_schema_allows_it(data_copy: Path) -> None:
    edit_descriptor(
        data_copy,
        lambda d: resource(d, "assumptions")["schema"]["fields"][5]["constraints"].pop("minimum"),
    )
    row = set_cell(data_copy, "assumptions.csv", "A_SEATS_PER_FLIGHT", "step", "-10")
    problems = problems_of(data_copy, "assumption step -10")
    assert_named(problems, "assumptions.csv", row, "step", "step-positive")


# ---------------------------------------------------------------- BOM, dates, URLs


def test_a_csv_with_a_utf8_bom_loads_the_same(data_copy: Path) -> None:
    expected = data.load_all(data_copy)["visas"]
    for name in ("visas.csv", "datapackage.json"):
        (data_copy / name).write_bytes(b"\xef\xbb\xbf" + (data_copy / name).read_bytes())
    loaded = data.load_all(data_copy)["visas"]
    assert list(loaded.columns) == list(expected.columns)
    pd.testing.assert_frame_equal(loaded, expected)


#: Malformed cells, each named with its format. Frictionless accepts the integers (Python's int()
#: does); pandas would then fail or mis-read them.
MALFORMED_CELLS = [
    ("count", "٢٠٣٥", "integer-format", "ASCII digits"),
    ("count", "+2035", "integer-format", "ASCII digits"),
    ("count", " 2035", "integer-format", "ASCII digits"),
    ("count", "99999999999999999999", "integer-format", "ASCII digits"),
    ("period_start", "2019-1-01", "date-format", "YYYY-MM-DD"),
    ("period_start", "2019-02-30", "date-format", "YYYY-MM-DD"),
    ("period_start", "22/12/2019", "date-format", "YYYY-MM-DD"),
    ("period_start", "2019-12-22T00:00", "date-format", "YYYY-MM-DD"),
]


@pytest.mark.parametrize(("column", "value", "rule", "expected"), MALFORMED_CELLS)
def test_a_malformed_cell_names_the_expected_format(
    data_copy: Path, column: str, value: str, rule: str, expected: str
) -> None:
    row = set_cell(data_copy, "visas.csv", "V2019_TOURIST", column, value)
    problems = problems_of(data_copy, f"{column} {value!r}")
    problem = assert_named(problems, "visas.csv", row, column, rule)
    assert expected in problem.message


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(3)",
        "JaVaScRiPt:alert(3)",
        "data:text/html,<script>alert(1)</script>",
        'https://ok.example/"onmouseover=alert(1)',
        "//evil.example/x",
    ],
)
def test_only_http_urls_pass(data_copy: Path, url: str) -> None:
    row = set_cell(data_copy, "sources.csv", "S01", "url", url)
    problems = problems_of(data_copy, f"url {url}")
    assert [p.rule for p in problems if (p.file, p.row, p.column) == ("sources.csv", row, "url")], (
        problems
    )


# ---------------------------------------------------------------- a row by its id: .loc


def test_each_table_is_indexed_by_its_unique_primary_key(tables: dict[str, pd.DataFrame]) -> None:
    found = tables["russia_workers"].loc["RW_2018_END"]
    assert (found.name, found["count"]) == ("RW_2018_END", 11490)  # russia_workers.csv, by eye
    resources = data.read_descriptor(data_path())["resources"]
    assert {entry["name"] for entry in resources} == set(tables)
    for entry in resources:
        table, key = tables[entry["name"]], entry["schema"]["primaryKey"][0]
        assert table.attrs["name"] == entry["name"]
        assert table.index.name == key and table.index.is_unique, entry["name"]
        assert key not in table.columns, entry["name"]


def test_an_unknown_id_is_a_key_error_naming_it(tables: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(KeyError, match="V1999_NOPE"):
        tables["visas"].loc["V1999_NOPE", "count"]
    with pytest.raises(KeyError, match="2035"):
        tables["visas"].loc[2035]


# ---------------------------------------------------------------- helpers accept numbers.Real only


@pytest.mark.parametrize("months", [24, 24.0, np.int64(24), np.float32(24), np.int8(24)])
def test_add_months_accepts_any_real_whole_number(months: object) -> None:
    assert add_months(date(2017, 12, 22), months) == date(2019, 12, 22)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("start", "months", "words"),
    [
        (date(2017, 12, 22), "24", "months must be a real number"),
        (date(2017, 12, 22), None, "months must be a real number"),
        (date(2017, 12, 22), True, "months must be a real number"),
        (date(2017, 12, 22), [24], "months must be a real number"),
        (date(2017, 12, 22), float("nan"), "months must be finite"),
        (date(2017, 12, 22), np.float64("inf"), "months must be finite"),
        (date(2017, 12, 22), 2.5, "months must be a whole number"),
        (date(2017, 12, 22), 10**6 * 12, "months=12000000 moves"),
        (date(2017, 12, 22), 10**400, "months is too large"),
        (pd.NaT, 24, "start must be a date"),
        ("2017-12-22", 24, "start must be a date"),
    ],
)
def test_add_months_names_the_bad_parameter(start: object, months: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        add_months(start, months)  # type: ignore[arg-type]


def test_states_and_finite_name_the_parameter() -> None:
    assert states("about 11,490 workers", np.int64(11490))
    with pytest.raises(ValueError, match="value must be finite"):
        states("inf", float("inf"))
    with pytest.raises(ValueError, match="text must be a str"):
        states(None, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="rate must be a real number"):
        finite("0.5", "rate")
    assert finite(np.float32(0.5), "rate") == 0.5


@pytest.mark.parametrize("value", [["integer"], {"a": 1}, None, 7])
def test_a_field_type_that_is_not_text_is_named(data_copy: Path, value: object) -> None:
    """An unhashable type (a list) once raised TypeError instead of naming the field."""
    edit_descriptor(
        data_copy, lambda d: resource(d, "visas")["schema"]["fields"][5].update(type=value)
    )
    problems = problems_of(data_copy, f"field type {value!r}")
    assert_named(
        problems,
        "datapackage.json",
        None,
        f"resources[{index_of(data_copy, 'visas')}].schema.fields[5].type",
        "field-type",
    )
