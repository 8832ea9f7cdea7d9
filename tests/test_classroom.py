"""Graded assignments and student copies: the round trip a teacher makes, on sample submissions.

Why these cases: a grade sheet is only useful if every student gets a row for every exercise,
whatever they hand in. The submissions are made here, in tmp, from the collection's notebook
03 (one notebook keeps the test under a minute on two cores; every notebook is graded by the
same code, and ``test_every_registered_exercise_has_a_check_cell`` shows the grader finds the
exercises of all of them): all right (answers filled from the registry's ``expected()``, and
never run, so grading must re-execute it), all wrong, left as given, one that raises, and a
file that is not a notebook. They are graded by the real command, each in its sandbox
(hostile submissions: tests/test_grade_sandbox.py).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from helpers.exercises import expected, registry
from workers_abroad.classroom import sandbox
from workers_abroad.classroom.exercise_cells import (
    CHECK_RE,
    answer_leaks,
    collection_exercises,
    find_exercises,
    student_copy,
)
from workers_abroad.classroom.grade import (
    FIELDS,
    NotPlain,
    Row,
    default_out,
    read_report,
    safe_cell,
    write_csv,
)
from workers_abroad.classroom.handout import write_notebooks
from workers_abroad.publishing.notebooks import NOTEBOOKS_DIR, ROOT, notebook_paths

NOTEBOOK = next(p for p in notebook_paths() if p.name.startswith("03-"))
PLACEHOLDER = re.compile(r"^(?P<name>answer_\w+)\s*=\s*\.\.\.", flags=re.M)


def literal(value: object) -> str:
    """An answer as a student would type it: dates as 'YYYY-MM-DD', which the checks accept."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return repr(value.isoformat())
    return repr(value)


def wrong(exercise_id: str) -> str:
    """An answer that is wrong and not merely rounded or off by a unit: three times too big,
    another option, a year late."""
    value = expected(exercise_id)
    exercise = registry()[exercise_id]
    if exercise.kind == "choice":
        return repr(next(o for o in exercise.options if o.lower() != str(value).lower()))
    if exercise.kind == "date":
        return literal(value + dt.timedelta(days=400))
    return repr(float(value) * 3)


def fill(notebook: nbformat.NotebookNode, answer: dict[str, str]) -> nbformat.NotebookNode:
    """Replace each ``answer_x = ...`` placeholder with the given source text, by variable name."""
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = PLACEHOLDER.sub(
                lambda m: f"{m['name']} = {answer[m['name']]}", cell.source
            )
    return notebook


def variables() -> dict[str, str]:
    """The collection notebook's answer variables, by exercise id."""
    return {
        e.exercise_id: e.variable for e in find_exercises(nbformat.read(NOTEBOOK, as_version=4))
    }


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, dict[str, str]]]:
    """Five students' submissions of notebook 03, graded by ``./tasks grade``; rows by
    student and exercise."""
    base = tmp_path_factory.mktemp("submissions")
    names = variables()
    source = nbformat.read(NOTEBOOK, as_version=4)

    def submit(student: str, notebook: nbformat.NotebookNode | str) -> None:
        folder = base / "submissions" / student
        folder.mkdir(parents=True)
        target = folder / NOTEBOOK.name
        if isinstance(notebook, str):
            target.write_text(notebook, encoding="utf-8")
        else:
            nbformat.write(notebook, target)

    right = fill(nbformat.from_dict(source), {names[i]: literal(expected(i)) for i in names})
    for cell in right.cells:  # handed in without running it: grading must run it
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    submit("alice", right)
    submit("bob", fill(nbformat.from_dict(source), {names[i]: wrong(i) for i in names}))
    submit("carol", nbformat.from_dict(source))
    raising = fill(nbformat.from_dict(source), {names[i]: literal(expected(i)) for i in names})
    boom = nbformat.v4.new_code_cell('raise RuntimeError("boom")')
    boom.outputs = [
        nbformat.v4.new_output("error", ename="RuntimeError", evalue="boom", traceback=[])
    ]
    raising.cells.insert(2, boom)
    second = sorted(names)[1]
    for cell in raising.cells:  # the second answer's cell raises: its variable is never defined
        cell.source = re.sub(
            rf"^{names[second]} = .*$", f"{names[second]} = 1 / 0", cell.source, flags=re.M
        )
    submit("dave", raising)
    submit("erin", "this is not a notebook {")
    out = base / "grades.csv"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "workers_abroad.classroom.grade",
            str(base / "submissions"),
            "--out",
            str(out),
            "--jobs",
            "2",
        ],
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert tuple(rows[0].keys()) == FIELDS
    table: dict[str, dict[str, dict[str, str]]] = {}
    for row in rows:
        assert row["exercise"] not in table.setdefault(row["student"], {}), f"two rows for {row}"
        table[row["student"]][row["exercise"]] = row
    return table


def ids_03() -> list[str]:
    return sorted(i for i in registry() if i.startswith("03."))


def test_one_row_per_student_and_exercise(graded):
    assert sorted(graded) == ["alice", "bob", "carol", "dave", "erin"]
    for student, rows in graded.items():
        assert sorted(rows) == ids_03(), student
        assert {r["notebook"] for r in rows.values()} == {NOTEBOOK.stem}
        assert {r["max"] for r in rows.values()} == {"1"}


def test_all_right_unexecuted_scores_full(graded):
    for exercise, row in graded["alice"].items():
        assert (float(row["score"]), row["reason"]) == (1.0, "Correct."), exercise


def test_all_wrong_scores_zero_with_the_checks_feedback(graded):
    for exercise, row in graded["bob"].items():
        assert float(row["score"]) == 0, exercise
        kind = registry()[exercise].kind
        hint = {
            "number": "Not yet: your answer is too high.",
            "choice": "Not this one",
            "date": "too late",
        }[kind]
        assert hint in row["reason"], row


def test_placeholders_left_say_not_answered(graded):
    for exercise, row in graded["carol"].items():
        assert float(row["score"]) == 0, exercise
        assert row["reason"].startswith("Not answered yet"), row


def test_a_notebook_that_raises_is_graded_and_the_missing_answer_named(graded):
    names = variables()
    second = sorted(names)[1]
    for exercise, row in graded["dave"].items():
        assert "RuntimeError: boom" in row["reason"], row  # the first error of the graded run
        if exercise == second:
            assert float(row["score"]) == 0
            assert row["reason"].startswith(f"Missing: {names[second]} is not defined"), row
        else:
            assert float(row["score"]) == 1, row


def test_a_file_that_is_not_a_notebook_scores_zero_with_the_reason(graded):
    for row in graded["erin"].values():
        assert float(row["score"]) == 0
        assert row["reason"].startswith("not a readable notebook"), row


def test_every_registered_exercise_has_a_check_cell():
    found = {e.exercise_id for exercises in collection_exercises().values() for e in exercises}
    assert found == set(registry())


def report(answers: object, **extra: object) -> sandbox.Outcome:
    """A sandbox's result as the runner writes it, with ``answers`` as the kernel's JSON text."""
    return sandbox.Outcome(
        json.dumps({"status": "ran", "errors": [], "answers": answers, **extra}).encode(), False, 0
    )


def test_the_sandboxs_report_is_read_as_untrusted_data():
    good = read_report(
        report(json.dumps({"answer_1": {"kind": "number", "value": 3.96}})),
        ["answer_1", "answer_2"],
    )
    assert good.problem is None and good.answers == {"answer_1": 3.96}
    other = read_report(
        report(json.dumps({"answer_1": {"kind": "other", "type": "DataFrame"}})), ["answer_1"]
    )
    assert other.answers == {"answer_1": NotPlain("DataFrame")}
    for bad in (
        json.dumps({"answer_1": {"kind": "verdict", "correct": True}}),
        json.dumps({"answer_1": {"kind": "number", "value": "Correct."}}),
        json.dumps({"answer_1": {"kind": "text", "value": "x" * 5000}}),
        json.dumps({"answer_1": {"kind": "date", "value": "not a date"}}),
        json.dumps([1, 2]),
        "{not json",
    ):
        assert read_report(report(bad), ["answer_1"]).problem.startswith(
            "the run's report is not valid"
        ), bad
    assert read_report(sandbox.Outcome(b"garbage", False, 0), ["answer_1"]).problem
    assert read_report(sandbox.Outcome(b"", True, None), ["answer_1"]).problem.startswith(
        "grading stopped"
    )


def test_every_run_gets_a_new_sheet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("workers_abroad.classroom.grade.BUILD", tmp_path)
    now = dt.datetime(2026, 1, 2, 3, 4, 5)
    first = default_out(now)
    first.write_text("earlier", encoding="utf-8")
    second = default_out(now)
    assert (
        first.name == "grades-20260102-030405.csv" and second.name == "grades-20260102-030405-2.csv"
    )


def test_a_sheet_taken_while_grading_goes_to_a_numbered_name(tmp_path: Path):
    out = tmp_path / "grades.csv"
    row = Row("=alice", "03-the-visa-surge", "03.1", 1.0, 1, "Correct.")
    assert write_csv([row], out) == out
    out.write_text("another run's sheet", encoding="utf-8")
    assert write_csv([row], out) == tmp_path / "grades-2.csv"
    assert out.read_text(encoding="utf-8") == "another run's sheet"
    assert "'=alice,03-the-visa-surge,03.1,1,1,Correct." in (tmp_path / "grades-2.csv").read_text()
    assert write_csv([row], out, force=True) == out
    assert out.read_text(encoding="utf-8").startswith(",".join(FIELDS))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grades-2.csv", "grades.csv"]


def test_csv_cells_never_start_a_formula():
    for start in ("=", "+", "-", "@", "\t", "\r"):
        assert safe_cell(start + "HYPERLINK(1)") == "'" + start + "HYPERLINK(1)", repr(start)
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert safe_cell("alice") == "alice"


def test_check_cell_pattern():
    assert CHECK_RE.search('check("03.1", answer_1)')["name"] == "answer_1"
    assert CHECK_RE.search("check('01.1', answer_1)  # ok")["id"] == "01.1"
    assert CHECK_RE.search("checkpoint(answer_1)") is None


# ------------------------------------------------------------------------ student copies


@pytest.mark.parametrize("path", notebook_paths(NOTEBOOKS_DIR), ids=lambda p: p.stem)
def test_student_copy_reveals_no_answer(path: Path, tmp_path: Path):
    copy = student_copy(nbformat.read(path, as_version=4))
    exercises = find_exercises(copy)
    for exercise in exercises:
        assert copy.cells[exercise.cell].outputs == [], exercise
    assert answer_leaks(copy) == []
    for exercise in exercises:
        assert "expected(" not in copy.cells[exercise.cell].source


def test_leak_check_finds_an_answer_printed_above_its_exercise():
    source = nbformat.read(NOTEBOOK, as_version=4)
    first = find_exercises(source)[0]
    value = expected(first.exercise_id)
    shown = f"{value:.2f}" if isinstance(value, float) else str(value)
    source.cells.insert(first.cell, nbformat.v4.new_markdown_cell(f"Hint: the answer is {shown}."))
    leaks = answer_leaks(student_copy(source))
    assert leaks and first.exercise_id in leaks[0], leaks


def test_handout_notebooks_are_written_for_every_notebook(tmp_path: Path):
    written = write_notebooks(tmp_path)
    assert sorted(p.name for p in written) == [p.name for p in notebook_paths()]
    for path in written:
        notebook = nbformat.read(path, as_version=4)
        assert all(
            not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"
        ), path
