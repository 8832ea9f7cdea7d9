"""Grade students' copies of the notebooks with otter-grader: one CSV row per student and exercise.

Usage, from the repository root (``./tasks grade`` runs this)::

    python -m tools.grade submissions/                     # submissions/<student>/03-the-visa-surge.ipynb ...
    python -m tools.grade alice.ipynb bob.ipynb --notebook 03 --out build/grades-03.csv

Why otter, and how: otter-grader is what many courses already use to autograde notebooks. For
each notebook of the collection this writes otter's OK-format test files (one per exercise,
``build/grading/<notebook>/tests/``), each calling the exercise registry's
``helpers.exercises.check`` on the answer variable named in that notebook's check cell, and
packs them with ``otter generate`` into an autograder zip. Every submission is then graded by
``otter.api.grade_submission`` -- otter's non-containerized run path: it re-executes the
submitted notebook in a fresh kernel of this environment (errors in a cell do not stop the
run) and runs the tests on what it defined. The answers are never typed here: the registry
computes them from data/, exactly as the students' own check cells do.

Whatever comes in, each student gets a row for each exercise with a score and a reason that a
teacher can read to the student: a wrong answer gets the check's own feedback ("Not yet: your
answer is too high."), an answer cell left as given gets "Not answered yet", a deleted or
crashing answer cell gets "answer_1 is not defined", and a file that is not a notebook, or
that otter cannot grade, gets a score of 0 for every exercise of its notebook and the reason.

Naming: a file named after a notebook of the collection (``03-the-visa-surge.ipynb``) belongs
to the student named by its folder; any other file is named after its student
(``alice.ipynb``), and its notebook is read from its exercises or given with ``--notebook``.

Trust: grading runs the students' code on this machine with your rights, as running their
notebooks would. Grade untrusted submissions as an unprivileged user or in a container.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import logging
import multiprocessing
import os
import re
import signal
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import nbformat

from tools.notebooks import NOTEBOOKS_DIR, ROOT, notebook_paths

#: A check cell: ``check("03.1", answer_1)``; the id and the answer variable are all the grader needs.
CHECK_RE = re.compile(r"""\bcheck\(\s*["'](?P<id>\d\d\.\w+)["']\s*,\s*(?P<name>[A-Za-z_]\w*)\s*[,)]""")
WORK_DIR = ROOT / "build" / "grading"
FIELDS = ("student", "notebook", "exercise", "score", "max", "reason")
POINTS = 1
#: otter's OK format, as ``otter assign`` writes it: a Python file defining ``test``.
OK_TEMPLATE = '''OK_FORMAT = True

test = {{
    "name": "{name}",
    "points": {points},
    "suites": [
        {{
            "cases": [
                {{
                    "code": r"""
{code}""",
                    "hidden": False,
                    "locked": False,
                }},
            ],
            "scored": True,
            "setup": "",
            "teardown": "",
            "type": "doctest",
        }},
    ],
}}
'''
#: What a spreadsheet would run as a formula if a cell started with it (a student's file name might).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExerciseCell:
    """One exercise as a notebook asks it: its id, the answer variable and the check cell's index."""

    exercise_id: str
    variable: str
    cell: int


@dataclass(frozen=True)
class Row:
    """One line of the grade sheet."""

    student: str
    notebook: str
    exercise: str
    score: float
    max: float
    reason: str


def find_exercises(notebook: nbformat.NotebookNode) -> list[ExerciseCell]:
    """The exercises of a notebook, found by their check cells (not by position, which changes)."""
    found = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "code":
            found += [ExerciseCell(m["id"], m["name"], index) for m in CHECK_RE.finditer(cell.source)]
    return found


def collection_exercises(folder: Path = NOTEBOOKS_DIR) -> dict[str, list[ExerciseCell]]:
    """Each collection notebook's stem mapped to its exercises (notebooks without any left out)."""
    table = {}
    for path in notebook_paths(folder):
        exercises = find_exercises(nbformat.read(path, as_version=4))
        if exercises:
            table[path.stem] = exercises
    return table


def ok_test(exercise: ExerciseCell) -> str:
    """An otter OK-format test file for one exercise: the registry's check must answer "Correct.".

    The doctest prints the check's feedback, so a failure's "Got:" line is the sentence the
    student saw. A missing variable is reported, not raised; ``builtins.print`` is used so a
    notebook that rebinds ``print`` cannot fake the output.
    """
    missing = f"Missing: {exercise.variable} is not defined (its cell was deleted, renamed or raised an error)."
    code = (
        ">>> import builtins as _wa_builtins\n"
        ">>> from helpers.exercises import check as _wa_check\n"
        f">>> _wa_builtins.print(_wa_check({exercise.exercise_id!r}, {exercise.variable}) "
        f"if {exercise.variable!r} in globals() else {missing!r})\n"
        "Correct.\n"
    )
    return OK_TEMPLATE.format(name=exercise.exercise_id, points=POINTS, code=code)


def test_file_name(exercise_id: str) -> str:
    """``03.1`` -> ``q03_1.py``: otter imports test files, so the name must be a module name."""
    return "q" + re.sub(r"\W", "_", exercise_id) + ".py"


def build_autograder(notebook: str, exercises: list[ExerciseCell], work_dir: Path = WORK_DIR) -> Path:
    """Write the OK test files and otter's config for one notebook, and ``otter generate`` its zip."""
    from otter.generate import main as otter_generate

    folder = work_dir / notebook
    tests = folder / "tests"
    tests.mkdir(parents=True, exist_ok=True)
    for stale in tests.glob("q*.py"):
        stale.unlink()
    for exercise in exercises:
        (tests / test_file_name(exercise.exercise_id)).write_text(ok_test(exercise), encoding="utf-8")
    config = folder / "otter_config.json"
    config.write_text(json.dumps({"print_summary": False}, indent=2) + "\n", encoding="utf-8")
    zip_path = folder / "autograder.zip"
    with quiet():
        otter_generate(
            tests_dir=str(tests),
            output_path=str(zip_path),
            config=str(config),
            no_requirements=True,
            no_environment=True,
        )
    return zip_path


@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence otter's prints and its kernel's chatter; the CSV and the summary are the output."""
    sink = io.StringIO()
    previous = logging.root.manager.disable
    logging.disable(logging.WARNING)
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield
    finally:
        logging.disable(previous)


@dataclass(frozen=True)
class Submission:
    """One file handed in: whose it is and which notebook of the collection it answers."""

    path: Path
    student: str
    notebook: str | None
    problem: str | None = None  # why it cannot be graded, if it cannot


def submission_files(arguments: Iterable[Path]) -> Iterator[tuple[Path, str | None]]:
    """Each file to grade, with its student when a folder says so.

    A file named on the command line is graded whatever it is. Under a folder named, the
    ``.ipynb`` files are graded (hidden ones skipped), and a file in a subfolder belongs to the
    student that subfolder is named after (``submissions/alice/...``).
    """
    for argument in arguments:
        if not argument.is_dir():
            yield argument, None
            continue
        for path in sorted(argument.rglob("*.ipynb")):
            parts = path.relative_to(argument).parts
            if path.is_file() and not any(part.startswith(".") for part in parts):
                yield path, parts[0] if len(parts) > 1 else None


def identify(
    path: Path,
    notebooks: dict[str, list[ExerciseCell]],
    forced: str | None = None,
    student: str | None = None,
) -> Submission:
    """Whose file this is and which notebook it answers; never raises (a problem is recorded).

    Without a ``student`` from its folder: a file named after a notebook (``03-the-visa-surge``)
    is its folder's student's; ``alice-03-the-visa-surge`` and ``alice`` are alice's.
    """
    named_after = next((stem for stem in notebooks if path.stem == stem or path.stem.endswith(stem)), None)
    if student is None:
        if named_after and path.stem == named_after:
            student = path.resolve().parent.name
        elif named_after:
            student = path.stem.removesuffix(named_after).rstrip("-_ ") or path.stem
        else:
            student = path.stem
    if not path.is_file():
        return Submission(path, student, forced or named_after, f"no such file: {path}")
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception as error:  # nbformat raises several kinds for a broken file
        reason = f"not a readable notebook ({type(error).__name__}: {first_line(error)})"
        return Submission(path, student, forced or named_after, reason)
    ids = {e.exercise_id for e in find_exercises(notebook)}
    by_ids = next((stem for stem, exercises in notebooks.items() if ids & {e.exercise_id for e in exercises}), None)
    which = forced or named_after or by_ids
    if which is None:
        return Submission(path, student, None, "no exercise of the collection in it: name the notebook with --notebook")
    return Submission(path, student, which)


def first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__


def reason_from(message: str, passed: bool) -> str:
    """The check's own feedback, out of otter's doctest report (its "Got:" lines)."""
    if passed:
        return "Correct."
    got = re.search(r"^Got:\n((?:    .*\n?)+)", message, flags=re.M)
    if got:
        return " ".join(line.strip() for line in got.group(1).splitlines() if line.strip())
    exception = re.search(r"^(\w+(?:Error|Exception)\b.*)$", message, flags=re.M)
    return f"The check could not run: {exception.group(1)}" if exception else "Not correct."


def saved_errors(path: Path) -> list[str]:
    """Errors shown in the notebook as handed in (its last run), e.g. 'cell 4: RuntimeError: boom'."""
    try:
        notebook = nbformat.read(path, as_version=4)
    except Exception:
        return []
    return [
        f"cell {index}: {output.get('ename', 'Error')}: {str(output.get('evalue', ''))[:120]}"
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def grade_one(submission: Submission, exercises: list[ExerciseCell], autograder: Path) -> list[Row]:
    """Rows for one submission: otter's score per exercise, or 0 with the reason it could not run."""
    import otter.api

    def rows_all(score: float, reason: str) -> list[Row]:
        return [
            Row(submission.student, submission.notebook or "", e.exercise_id, score, POINTS, reason) for e in exercises
        ]

    if submission.problem:
        return rows_all(0, submission.problem)
    try:
        with quiet():
            results = otter.api.grade_submission(str(submission.path), str(autograder), quiet=True)
    except Exception as error:  # otter raises anything from a kernel crash to a bad zip
        return rows_all(0, f"otter could not grade it ({type(error).__name__}: {first_line(error)})")
    report = results.to_dict()
    errors = saved_errors(submission.path)
    note = f" (the notebook as handed in shows an error: {errors[0]})" if errors else ""
    rows = []
    for exercise in exercises:
        result = report.get(exercise.exercise_id)
        if result is None:
            rows.append(
                Row(submission.student, submission.notebook or "", exercise.exercise_id, 0, POINTS, "not graded")
            )
            continue
        cases = result.get("test_case_results") or []
        passed = bool(cases) and all(case.get("passed") for case in cases)
        message = "\n".join(case.get("message", "") for case in cases)
        reason = reason_from(message, passed) + note
        score = float(result.get("score") or 0)
        rows.append(Row(submission.student, submission.notebook or "", exercise.exercise_id, score, POINTS, reason))
    return rows


def rows_for(submission: Submission, exercises: list[ExerciseCell], score: float, reason: str) -> list[Row]:
    """The same score and reason for every exercise of a submission."""
    return [Row(submission.student, submission.notebook or "", e.exercise_id, score, POINTS, reason) for e in exercises]


def _child(target: Callable[..., Any], args: tuple[Any, ...], sender: Connection) -> None:
    """A forked worker: its own process group (so its kernel dies with it), one job, one answer."""
    os.setpgid(0, 0)
    try:
        sender.send(target(*args))
    finally:
        sender.close()


def run_bounded(
    target: Callable[..., Any],
    jobs: list[tuple[Any, ...]],
    workers: int,
    timeout: float,
    on_done: Callable[[int, Any], None] | None = None,
) -> list[Any]:
    """``target(*job)`` for each job in forked processes, ``workers`` at a time; None for one that
    outlives ``timeout`` seconds (it and its children, e.g. a kernel stuck in a loop, are killed).

    Why not a process pool: a pool cannot stop a worker whose notebook never ends, and otter
    sets no time limit on a cell. Forked, because otter is already imported here and changes the
    working directory (no threads).
    """
    context = multiprocessing.get_context("fork")
    results: list[Any] = [None] * len(jobs)
    waiting = list(range(len(jobs)))
    running: dict[int, tuple[Any, Connection, float]] = {}
    while waiting or running:
        while waiting and len(running) < max(1, workers):
            index = waiting.pop(0)
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_child, args=(target, jobs[index], sender))
            process.start()
            sender.close()
            running[index] = (process, receiver, time.monotonic() + timeout)
        for index, (process, receiver, deadline) in list(running.items()):
            if receiver.poll(0.1):
                with contextlib.suppress(EOFError):
                    results[index] = receiver.recv()
            elif process.is_alive() and time.monotonic() < deadline:
                continue
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.join()
            receiver.close()
            del running[index]
            if on_done and results[index] is not None:
                on_done(index, results[index])
    return results


def safe_cell(value: object) -> object:
    """A value a spreadsheet shows as text, never runs as a formula (a file name may start with '=')."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    if isinstance(value, float):
        return f"{value:g}"
    return value


def write_csv(rows: Iterable[Row], out: Path) -> int:
    """Write the grade sheet; return how many rows."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(FIELDS)
        for row in rows:
            writer.writerow([safe_cell(getattr(row, name)) for name in FIELDS])
            count += 1
    return count


def grade(
    paths: Iterable[Path],
    out: Path,
    forced: str | None = None,
    folder: Path = NOTEBOOKS_DIR,
    work_dir: Path = WORK_DIR,
    workers: int = 2,
    timeout: float = 600,
) -> list[Row]:
    """Grade every submission in ``paths`` and write ``out``; the rows are returned too."""
    notebooks = collection_exercises(folder)
    if forced is not None and forced not in notebooks:
        matches = [stem for stem in notebooks if stem.startswith(f"{forced}-") or stem == forced]
        if len(matches) != 1:
            raise SystemExit(f"grade: --notebook {forced!r}: choose one of {', '.join(notebooks)}")
        forced = matches[0]
    submissions = [identify(path, notebooks, forced, student) for path, student in submission_files(paths)]
    autograders = {
        name: build_autograder(name, notebooks[name], work_dir)
        for name in dict.fromkeys(s.notebook for s in submissions if s.notebook and not s.problem)
    }
    jobs = [
        (s, notebooks[s.notebook], autograders.get(s.notebook, Path())) for s in submissions if s.notebook is not None
    ]
    import otter.api  # noqa: F401 -- imported once here (seconds), inherited by the forked workers

    def report(index: int, done: list[Row]) -> None:
        print(
            f"  {done[0].student} / {done[0].notebook}: {sum(r.score for r in done):g} of {sum(r.max for r in done):g}"
        )

    results = run_bounded(grade_one, jobs, workers, timeout, on_done=report)
    graded = {
        index: result
        if result is not None
        else rows_for(
            jobs[index][0],
            jobs[index][1],
            0,
            f"grading stopped: it took over {timeout:g} s (a cell that never ends?) or its process died",
        )
        for index, result in enumerate(results)
    }
    rows = [row for index in range(len(jobs)) for row in graded[index]]
    rows += [Row(s.student, "", "", 0, 0, s.problem or "unknown notebook") for s in submissions if s.notebook is None]
    write_csv(rows, out)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="./tasks grade",
        description="Grade students' notebooks against the exercise registry with otter-grader; write a CSV.",
    )
    parser.add_argument("submissions", nargs="+", type=Path, help="notebook files, or folders of them")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "grades.csv", help="the CSV to write")
    parser.add_argument(
        "--notebook", default=None, help="which notebook these answer (e.g. 03), if their names do not say"
    )
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="submissions graded at once")
    parser.add_argument("--timeout", type=float, default=600, help="seconds one submission may take to grade")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    print(f"Grading with otter-grader (no Docker); work files in {WORK_DIR}")
    rows = grade(args.submissions, args.out, args.notebook, workers=args.jobs, timeout=args.timeout)
    students = len({r.student for r in rows})
    print(f"Wrote {len(rows)} rows for {students} student(s) to {args.out}")


if __name__ == "__main__":
    main()
