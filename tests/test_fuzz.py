"""Fuzzed loaders: random damage to data/ either loads as correct typed tables or is one named
error.

Hypothesis mutates a fresh copy of data/ for each example: cells (numbers, infinities, dates,
markup, control characters, quotes, newlines), rows (dropped, doubled, cut), headers (renamed,
dropped, reordered), encodings (UTF-16, Latin-1, a BOM, stray bytes), and datapackage.json (hostile
paths, symlinks out of the folder, changed types, keys and values, truncation). Then ``load_all``
must either return every table, typed by its schema and equal to the CSV text, or raise
``DataValidationError`` whose problems each name file, row, column (where the rule is about a cell)
and rule. Any other exception, an example slower than its deadline, a hang (an alarm) or a partial
result fails.

CI runs a fixed, derandomized set of examples (quick). A longer run, e.g. 5,000 mutations:

    WA_FUZZ_EXAMPLES=5000 .venv/bin/python -m pytest tests/test_fuzz.py -q \\
        --hypothesis-show-statistics
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, event, given, settings
from hypothesis import strategies as st

from helpers import data
from helpers.paths import project_root
from tests.data_support import hang_guard

EXAMPLES = int(os.environ.get("WA_FUZZ_EXAMPLES", "40"))
DATA = project_root() / "data"
ORIGINAL = {p.name: p.read_bytes() for p in DATA.iterdir() if p.is_file()}
CSVS = sorted(name for name in ORIGINAL if name.endswith(".csv"))
#: Rules about one cell: their problems must also name the column.
CELL_RULES = {
    "type-error",
    "constraint-error",
    "integer-format",
    "number-format",
    "date-format",
    "http-url",
    "finite-number",
    "missing-cell",
    "figure-in-quote",
    "default-in-range",
    "step-positive",
    "range-order",
    "source-exists",
    "foreign-key",
    "primary-key",
    "unique-error",
}
#: Rules about a whole file: no row to name.
FILE_RULES = {"file-exists"}

CELL_VALUES = st.one_of(
    st.sampled_from(
        [
            "",
            "inf",
            "-inf",
            "NaN",
            "1e999",
            "-1",
            "0",
            "1.5",
            "+7",
            "٣٤",
            "99999999999999999999",
            "2019-13-01",
            "2019-02-30",
            "22/12/2019",
            "2019-1-1",
            "<img src=x onerror=alert(1)>",
            "<script>alert(2)</script>",
            "javascript:alert(3)",
            '"',
            '""',
            ",",
            "\n",
            "\r",
            "\x00",
            "\ufeff",
            "S99",
            "F99",
            "seed",
            "secondary",
            "assumption",
            "A_X",
            "https://example.org/a b",
            "months_after(R2397,T2397_REPAT)",
        ]
    ),
    st.text(max_size=12),
    st.integers().map(str),
    st.floats().map(str),
)
JSON_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(max_size=8),
    st.lists(st.text(max_size=4), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.sampled_from(
        [
            "../outside/secret.csv",
            "/etc/passwd",
            "file:///etc/passwd",
            "https://example.org/x.csv",
            "visas.csv",
            "sources.csv",
            "geopoint",
            "any",
            "integer",
            "date",
            "number",
            "([",
        ]
    ),
)


def parse(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def unparse(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def mutate_csv(draw: st.DataObject, raw: bytes) -> bytes:
    rows = parse(raw.decode("utf-8"))
    kind = draw.draw(
        st.sampled_from(
            [
                "cell",
                "cell",
                "cell",
                "drop-row",
                "double-row",
                "header",
                "drop-column",
                "swap-columns",
                "encoding",
                "bytes",
                "truncate",
                "markup",
            ]
        ),
        label="csv mutation",
    )
    r = draw.draw(st.integers(1, len(rows) - 1), label="row") if len(rows) > 1 else 0
    c = draw.draw(st.integers(0, len(rows[0]) - 1), label="column")
    if kind in ("cell", "markup") and r:
        value = draw.draw(CELL_VALUES, label="value")
        rows[r][c] = rows[r][c] + " <img src=x onerror=alert(1)>" if kind == "markup" else value
    elif kind == "drop-row" and r:
        del rows[r]
    elif kind == "double-row" and r:
        rows.insert(r, list(rows[r]))
    elif kind == "header":
        rows[0][c] = draw.draw(
            st.sampled_from(
                ["", rows[0][c].upper(), rows[0][c] + " ", "\ufeff" + rows[0][c], "quote"]
            ),
            label="header",
        )
    elif kind == "drop-column":
        rows = [row[:c] + row[c + 1 :] for row in rows]
    elif kind == "swap-columns":
        rows = [row[1:2] + row[:1] + row[2:] for row in rows]
    text = unparse(rows)
    if kind == "encoding":
        return text.encode(
            draw.draw(
                st.sampled_from(["utf-16", "latin-1", "utf-8-sig", "cp1252", "utf-32"]),
                label="encoding",
            ),
            errors="replace",
        )
    if kind == "bytes":
        at = draw.draw(st.integers(0, len(text)), label="at")
        return (
            text.encode()[:at]
            + draw.draw(st.binary(min_size=1, max_size=4), label="bytes")
            + text.encode()[at:]
        )
    if kind == "truncate":
        return text.encode()[: draw.draw(st.integers(0, len(text.encode())), label="cut")]
    return text.encode()


def mutate_descriptor(draw: st.DataObject, raw: bytes, folder: Path) -> bytes:
    desc = json.loads(raw)
    kind = draw.draw(
        st.sampled_from(
            ["path", "path", "symlink", "field", "field", "resource", "drop-key", "truncate", "top"]
        ),
        label="descriptor mutation",
    )
    res = draw.draw(st.sampled_from(desc["resources"]), label="resource")
    field = draw.draw(st.sampled_from(res["schema"]["fields"]), label="field")
    if kind == "path":
        res["path"] = draw.draw(JSON_VALUES, label="path")
    elif kind == "symlink":
        (folder / "link.csv").symlink_to(folder.parent / "outside" / "secret.csv")
        res["path"] = "link.csv"
    elif kind == "field":
        key = draw.draw(
            st.sampled_from(["type", "name", "format", "constraints", "x-figure"]),
            label="field key",
        )
        field[key] = draw.draw(JSON_VALUES, label="field value")
    elif kind == "resource":
        key = draw.draw(
            st.sampled_from(["name", "schema", "encoding", "format", "dialect", "profile"]),
            label="resource key",
        )
        res[key] = draw.draw(JSON_VALUES, label="resource value")
    elif kind == "drop-key":
        key = draw.draw(
            st.sampled_from(["primaryKey", "foreignKeys", "missingValues", "fields"]),
            label="schema key",
        )
        res["schema"].pop(key, None)
    elif kind == "top":
        desc[draw.draw(st.sampled_from(["resources", "profile"]), label="top key")] = draw.draw(
            JSON_VALUES, label="top value"
        )
    text = json.dumps(desc, indent=2).encode()
    return text[: draw.draw(st.integers(0, len(text)), label="cut")] if kind == "truncate" else text


def expected_column(kind: str | None, cells: list[str]) -> list[Any]:
    """What a typed column must hold, parsed here without pandas' CSV reader."""
    if kind == "integer":
        return [int(v) if v else None for v in cells]
    if kind == "number":
        return [float(v) if v else None for v in cells]
    if kind == "date":
        return [pd.Timestamp(v) if v else None for v in cells]
    return [v if v else None for v in cells]


def check_loaded(folder: Path, tables: dict[str, pd.DataFrame]) -> None:
    """Every table is there, typed by its schema, and holds exactly the CSV's cells."""
    desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8-sig"))
    assert set(tables) == {r["name"] for r in desc["resources"]}, "a table is missing: half-loaded"
    dtypes = {"integer": "Int64", "number": "Float64", "string": "string"}
    for res in desc["resources"]:
        keyed = tables[res["name"]]
        key = res["schema"]["primaryKey"][0]
        assert keyed.index.name == key and keyed.index.is_unique, res["name"]
        frame = keyed.reset_index()  # the key back as the first column, as the CSV has it
        header, *rows = parse((folder / res["path"]).read_bytes().decode("utf-8-sig"))
        assert list(frame.columns) == header and len(frame) == len(rows), res["name"]
        for i, f in enumerate(res["schema"]["fields"]):
            column = frame[f["name"]]
            kind = f.get("type", "string")
            assert (
                str(column.dtype).startswith("datetime64")
                if kind == "date"
                else str(column.dtype) == dtypes[kind]
            ), (res["name"], f)
            got = [None if pd.isna(v) else v for v in column]
            assert got == expected_column(kind, [row[i] for row in rows]), (res["name"], f["name"])


def check_problems(folder: Path, error: data.DataValidationError) -> None:
    """Each problem names a file of the package, its rule, and its row and column where they
    exist."""
    assert error.problems, "an error without problems names nothing"
    for problem in error.problems:
        text = str(problem)
        assert (
            problem.rule
            and f"[{problem.rule}]" in text
            and text.startswith(f"{problem.file}, row ")
        ), text
        assert (
            problem.file == "datapackage.json"
            or problem.file.endswith(".csv")
            or problem.rule.startswith("path")
        ), text
        if problem.file.endswith(".csv") and problem.rule not in FILE_RULES:
            assert problem.row is not None, text
        if problem.rule in CELL_RULES:
            assert problem.column, text
        assert "TOP-SECRET" not in text, "a refused path's content was read"


@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=45),  # normal: < 1 s
    phases=[
        Phase.explicit,
        Phase.generate,
    ],  # no shrinking: it takes minutes; the failing draws are printed
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(draw=st.data())
def test_damaged_data_loads_correctly_or_names_each_problem(draw: st.DataObject) -> None:
    with tempfile.TemporaryDirectory(prefix="wa-fuzz-") as tmp:
        folder = Path(tmp) / "data"
        folder.mkdir()
        (Path(tmp) / "outside").mkdir()
        (Path(tmp) / "outside" / "secret.csv").write_text("TOP-SECRET\n", encoding="utf-8")
        files = dict(ORIGINAL)
        event(
            f"{(count := draw.draw(st.integers(1, 3), label='mutations'))} mutation(s)"
        )  # --hypothesis-show-statistics
        for _ in range(count):
            name = draw.draw(st.sampled_from([*CSVS, "datapackage.json"]), label="file")
            try:
                files[name] = (
                    mutate_descriptor(draw, files[name], folder)
                    if name == "datapackage.json"
                    else mutate_csv(draw, files[name])
                )
            except (ValueError, KeyError, TypeError, IndexError, FileExistsError, csv.Error):
                pass  # an earlier mutation left nothing this one can parse: keep the damage
        for name, raw in files.items():
            (folder / name).write_bytes(raw)
        data._load_validated.cache_clear()
        # A hang fails the example rather than stalling CI: the deadline measures only examples
        # that finish.
        with hang_guard(60):
            try:
                tables = data.load_all(folder)
            except data.DataValidationError as error:
                check_problems(folder, error)
                event("refused with named problems")
                return
        check_loaded(folder, tables)
        event("loaded as exact typed tables")


def test_the_fuzzer_reaches_both_outcomes() -> None:
    """Not vacuous: the unmutated copy loads through the same check, and one known mutation is
    refused."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, raw in ORIGINAL.items():
            (folder / name).write_bytes(raw)
        check_loaded(folder, data.load_all(folder))
        (folder / "visas.csv").write_text(
            ORIGINAL["visas.csv"].decode().replace(",2035,", ",inf,"), encoding="utf-8"
        )
        with pytest.raises(data.DataValidationError) as caught:
            data.load_all(folder)
        check_problems(folder, caught.value)
        assert [p.rule for p in caught.value.problems] == ["integer-format"]
    shutil.rmtree(tmp, ignore_errors=True)
