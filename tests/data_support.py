"""Editing a copy of data/ and reading what the loader says about it: the plumbing shared by
tests/test_data_safety.py, tests/test_loader_limits.py and tests/test_fuzz.py.

Why one module: each of those tests damages a copy of data/ (a descriptor key, one cell) and
then checks the named problems, under a time limit where a hang is possible. Kept here, the
three files edit and judge the data the same way, and a change to the descriptor's layout or
to ``Problem`` is made once."""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from helpers import data
from tests.conftest import record_bad_input


@contextmanager
def hang_guard(seconds: int) -> Iterator[None]:
    """Fail (TimeoutError) instead of hanging the suite when the body takes over ``seconds``: a
    hang is a failure, not a stuck CI job."""

    def hung(signum: int, frame: Any) -> None:
        raise TimeoutError(f"still running after {seconds} s: a hang")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def edit_descriptor(folder: Path, change: Callable[[dict], None]) -> None:
    """Apply ``change`` to the folder's datapackage.json, in place (as a student's edit would)."""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    change(descriptor)
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def resource(descriptor: dict, name: str) -> dict:
    """The resource called ``name``, found by name so a reordered descriptor changes nothing."""
    return next(r for r in descriptor["resources"] if r["name"] == name)


def index_of(folder: Path, name: str) -> int:
    """The position of resource ``name`` in the folder's descriptor: problems name it so."""
    text = (folder / "datapackage.json").read_text(encoding="utf-8")
    return [r["name"] for r in json.loads(text)["resources"]].index(name)


def line_of(path: Path, text: str) -> int:
    """The number of the first line of ``path`` holding ``text`` (first = 1): where a problem
    must point."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if text in line)


def set_cell(folder: Path, file: str, key: str, column: str, value: str) -> int:
    """Set one cell of the row whose first cell is ``key``; return that row's line number
    (header = 1), the row a problem must name."""
    frame = pd.read_csv(folder / file, dtype=str, keep_default_na=False)
    index = frame.index[frame.iloc[:, 0] == key][0]
    frame.loc[index, column] = value
    frame.to_csv(folder / file, index=False, lineterminator="\n")
    return int(index) + 2


def problems_of(folder: Path, case: str) -> list[data.Problem]:
    """The problems ``load_all`` refuses the folder with (it must refuse), each message kept for
    the terminal summary."""
    with pytest.raises(data.DataValidationError) as caught:
        data.load_all(folder)
    record_bad_input(case, str(caught.value))
    return caught.value.problems


def assert_named(
    problems: list[data.Problem], file: str, row: int | None, column: str | None, rule: str
) -> data.Problem:
    """One problem has exactly this place and rule, and its message line says so."""
    hits = [p for p in problems if (p.file, p.row, p.column, p.rule) == (file, row, column, rule)]
    assert hits, f"no {(file, row, column, rule)} among {[str(p) for p in problems]}"
    text = str(hits[0])
    assert text.startswith(f"{file}, row {row if row is not None else '-'}, "), text
    assert (f"column {column!r}" if column else "column -") in text and f"[{rule}]" in text, text
    return hits[0]
