"""The bad-input suite: each corrupted copy of data/ gives one clear error naming file, row,
column, rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from helpers import data
from tests.conftest import record_bad_input


def rewrite(path: Path, change: Callable[[str], str]) -> None:
    path.write_text(change(path.read_text(encoding="utf-8")), encoding="utf-8")


def replace_once(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        assert text.count(old) >= 1, f"fixture text {old!r} not found"
        return text.replace(old, new, 1)

    return change


def drop_column(column: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        lines = text.splitlines()
        index = lines[0].split(",").index(column)
        import csv
        import io

        rows = list(csv.reader(io.StringIO(text)))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for row in rows:
            writer.writerow(row[:index] + row[index + 1 :])
        return out.getvalue()

    return change


def truncate_last_row(text: str) -> str:
    body = text.rstrip("\n")
    cut = body.rfind(",F4")
    assert cut > body.rfind("\n"), (
        "fixture: the last row of visas.csv has no ',F4' fact id to cut at"
    )
    return body[:cut] + "\n"


# (case, file, corruption, expected file, where (1 = header; else a text on the expected line),
#  column, rule)
CASES = [
    ("missing column", "visas.csv", drop_column("count"), "visas.csv", 1, "count", "header"),
    (
        "wrong type",
        "visas.csv",
        replace_once("tourist,2035,", "tourist,lots,"),
        "visas.csv",
        "tourist,lots,",
        "count",
        "integer-format",
    ),
    (
        "negative count",
        "visas.csv",
        replace_once("student,2610,", "student,-2610,"),
        "visas.csv",
        "-2610",
        "count",
        "constraint-error",
    ),
    (
        "duplicate key",
        "visas.csv",
        replace_once("V2019_STUDENT,", "V2019_TOURIST,"),
        "visas.csv",
        "V2019_TOURIST,2019,2019-01-01,2019-12-31,student",
        "visa_id",
        "primary-key",
    ),
    (
        "unknown source id",
        "russia_workers.csv",
        replace_once(",S15,", ",S99,"),
        "russia_workers.csv",
        ",S99,",
        "source_id",
        "foreign-key",
    ),
    (
        "unknown further source id",
        "entries.csv",
        replace_once(",S33,S29b,", ",S33,S98,"),
        "entries.csv",
        "S98",
        "also_source_ids",
        "source-exists",
    ),
    (
        "quote lacks its figure",
        "transport.csv",
        replace_once("usually twice a week", "usually on Mondays"),
        "transport.csv",
        "usually on Mondays",
        "value",
        "figure-in-quote",
    ),
    (
        "derived row does not recompute",
        "events.csv",
        replace_once("2019-12-22,day,deadline", "2019-12-21,day,deadline"),
        "events.csv",
        "2019-12-21,day,deadline",
        "date",
        "derived-recomputes",
    ),
    (
        "empty file",
        "repatriations.csv",
        lambda _text: "",
        "repatriations.csv",
        1,
        None,
        "not-empty",
    ),
    ("truncated row", "visas.csv", truncate_last_row, "visas.csv", -1, "fact_id", "missing-cell"),
]


def line_of(path: Path, where: int | str) -> int:
    """The 1-based line the error must name: a number as given (-1: the last line), or the line
    holding a text."""
    lines = path.read_text(encoding="utf-8").splitlines() or [""]
    if isinstance(where, int):
        return len(lines) if where == -1 else where
    return next(i for i, line in enumerate(lines, start=1) if where in line)


@pytest.mark.parametrize(
    ("case", "file", "corrupt", "exp_file", "where", "exp_column", "exp_rule"),
    CASES,
    ids=[c[0] for c in CASES],
)
def test_corruption_gives_a_clear_error(
    data_copy: Path,
    case: str,
    file: str,
    corrupt: Callable[[str], str],
    exp_file: str,
    where: int | str,
    exp_column: str | None,
    exp_rule: str,
) -> None:
    rewrite(data_copy / file, corrupt)
    exp_row = line_of(data_copy / file, where)
    with pytest.raises(data.DataValidationError) as caught:
        data.load_all(data_copy)
    message = str(caught.value)
    record_bad_input(case, message)
    matching = [
        p
        for p in caught.value.problems
        if p.file == exp_file and p.row == exp_row and p.rule == exp_rule
    ]
    assert matching, f"no {exp_rule} problem at {exp_file} row {exp_row} in:\n{message}"
    if exp_column is not None:
        assert any(p.column == exp_column for p in matching), message
        assert f"column {exp_column!r}" in message
    assert f"{exp_file}, row {exp_row}" in message


def test_non_utf8_bytes_name_the_row_and_column(data_copy: Path) -> None:
    path = data_copy / "visas.csv"
    raw = path.read_bytes()
    line_start = raw.index(b"V2019_TOURIST")
    path.write_bytes(raw[:line_start] + raw[line_start:].replace(b",tourist,", b",tour\xffist,", 1))
    expected_line = raw[:line_start].count(b"\n") + 1
    with pytest.raises(data.DataValidationError) as caught:
        data.load_all(data_copy)
    record_bad_input("non-UTF-8 bytes", str(caught.value))
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.rule) == (
        "visas.csv",
        expected_line,
        "category",
        "utf-8",
    )


def test_broken_descriptor_is_named(data_copy: Path) -> None:
    rewrite(data_copy / "datapackage.json", lambda text: text[: len(text) // 2])
    with pytest.raises(data.DataValidationError) as caught:
        data.load_all(data_copy)
    message = str(caught.value)
    record_bad_input("broken datapackage.json", message)
    (problem,) = caught.value.problems
    # No table can be read without the descriptor: one problem, naming the file and the rule.
    assert (problem.file, problem.rule) == ("datapackage.json", "json")
    assert "datapackage.json" in message and "[json]" in message
    # The row is the line where the JSON breaks: the cut leaves the file ending mid-line.
    cut_lines = (data_copy / "datapackage.json").read_text(encoding="utf-8").count("\n") + 1
    assert problem.row is not None and cut_lines - 1 <= problem.row <= cut_lines + 1
    assert f"datapackage.json, row {problem.row}" in message


def test_missing_file_is_named(data_copy: Path) -> None:
    (data_copy / "transport.csv").unlink()
    with pytest.raises(data.DataValidationError) as caught:
        data.load_all(data_copy)
    (problem,) = caught.value.problems
    assert (problem.file, problem.row, problem.column, problem.rule) == (
        "transport.csv",
        None,
        None,
        "file-exists",
    )
    assert str(problem).startswith("transport.csv, row -, column -: [file-exists]")


def test_no_half_loaded_tables(data_copy: Path) -> None:
    """One bad table stops the whole load: no caller ever gets the good tables without the bad
    one."""
    rewrite(data_copy / "visas.csv", replace_once("student,2610,", "student,-1,"))
    with pytest.raises(data.DataValidationError):
        data.load_all(data_copy)
    with pytest.raises(data.DataValidationError):
        data.load_table("sources", data_copy)


def test_a_fixed_copy_loads_again(data_copy: Path) -> None:
    """The stamp is keyed on content: a corrupted copy is rejected, the restored one accepted."""
    original = (data_copy / "visas.csv").read_text(encoding="utf-8")
    rewrite(data_copy / "visas.csv", replace_once("student,2610,", "student,-1,"))
    with pytest.raises(data.DataValidationError):
        data.validate(data_copy)
    (data_copy / "visas.csv").write_text(original, encoding="utf-8")
    data.validate(data_copy)
    assert re.fullmatch(r"[0-9a-f]{64}", data._content_key(data_copy))
