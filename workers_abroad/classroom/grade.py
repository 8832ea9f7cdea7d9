"""Grade students' notebooks: each run in a sandbox, its answers scored outside it, a new CSV.

Usage, from the repository root (``./tasks grade`` runs ``python -m workers_abroad.classroom.grade``
with the same arguments)::

    ./tasks grade submissions/      # submissions/<student>/03-the-visa-surge.ipynb ...
    ./tasks grade alice.ipynb bob.ipynb --notebook 03 --out build/grades-03.csv

How, and why this way: a submission is hostile code, and a score that its own kernel reports is
whatever the submission wants. So each submission's code cells run in a sandbox of their own
(``sandbox``: bubblewrap namespaces, an unprivileged user, limits, no network, no view of
the teacher's files, of the answer registry or of other submissions) in a fresh python3 kernel,
whatever kernel the file names (``sandbox_runner``). The sandboxed run hands back only
the values of ``answer_1``, ``answer_2``, ... as JSON; here, outside, that JSON is validated as
untrusted data and each value is checked against the exercise registry (``helpers.exercises``)
in the grader's own process. Nothing the submission prints, patches or writes elsewhere counts.

Whatever comes in, each student gets a row for each exercise with a score and a reason a teacher
can read to the student: the check's own feedback ("Not yet: your answer is too high."), "Not
answered yet" for an answer left as given, "Missing: answer_1 is not defined" for a deleted or
crashing answer cell, "Not plain data" for an answer that is no number, text or date, and a
reason for a file that cannot be graded at all (not JSON, another nbformat, a malformed cell, too
large, a run that never ends or kills its kernel). The rest of the class is graded regardless.

Each run writes a new CSV (``build/grades-<time>.csv`` unless ``--out``), and never overwrites one
without ``--force``. No sandbox, no grading: without bubblewrap the command stops and says what to
install; ``--no-sandbox-i-understand`` grades without one and says so in every row.

Naming: a file named after a notebook of the collection (``03-the-visa-surge.ipynb``) belongs to
the student named by its folder; any other file is named after its student (``alice.ipynb``),
and its notebook is read from its check cells or given with ``--notebook``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
import os
import re
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workers_abroad.classroom import sandbox
from workers_abroad.classroom.exercise_cells import CHECK_RE, ExerciseCell, collection_exercises
from workers_abroad.classroom.handout import build_tree
from workers_abroad.publishing.notebooks import NOTEBOOKS_DIR, ROOT

FIELDS = ("student", "notebook", "exercise", "score", "max", "reason", "isolation")
POINTS = 1
BUILD = ROOT / "build"
#: What a spreadsheet runs as a formula if a cell starts with it (a student's file name might).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_NOTEBOOK_BYTES = 20 * 1024**2
MAX_CELLS = 2_000
MAX_TEXT = 200
SANDBOXED = "sandboxed (bubblewrap)"
UNSANDBOXED = "NOT SANDBOXED: graded with the teacher's rights (--no-sandbox-i-understand)"
ANSWER_KINDS = {"missing", "placeholder", "bool", "number", "text", "date", "other"}
MISSING = "Missing: {name} is not defined (its cell was deleted, renamed or raised an error)."


@dataclass(frozen=True)
class Row:
    """One line of the grade sheet."""

    student: str
    notebook: str
    exercise: str
    score: float
    max: float
    reason: str
    isolation: str = SANDBOXED


@dataclass(frozen=True)
class Submission:
    """One file handed in: whose it is, which notebook it answers, its code cells, or why not."""

    path: Path
    student: str
    notebook: str | None
    cells: tuple[str, ...] = ()
    problem: str | None = None


@dataclass
class Report:
    """What a sandboxed run reported, validated: the answers by variable and what went wrong."""

    answers: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    problem: str | None = None  # why no answer at all can be read


# ---------------------------------------------------------------- reading submissions


def cell_source(cell: Any, index: int) -> str:
    """A cell's source as text; ValueError naming the cell and the rule when it is not one."""
    if not isinstance(cell, dict):
        raise ValueError(f"cell {index} is not an object (it is {type(cell).__name__})")
    kind = cell.get("cell_type")
    if kind not in ("code", "markdown", "raw"):
        shown = "no cell_type" if kind is None else f"cell_type {str(kind)[:40]!r}"
        raise ValueError(f"cell {index} has {shown} (expected code, markdown or raw)")
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(line, str) for line in source):
        return "".join(source)
    if isinstance(source, str):
        return source
    raise ValueError(f"cell {index}'s source is not text (it is {type(source).__name__})")


def code_cells(path: Path) -> list[str]:
    """The code cells of a notebook file, read as untrusted JSON; ValueError says why not."""
    if path.is_symlink() or not path.is_file():
        raise ValueError("not a regular file (a link or a folder)")
    size = path.stat().st_size
    if size > MAX_NOTEBOOK_BYTES:
        raise ValueError(f"too large: {size:,} bytes (at most {MAX_NOTEBOOK_BYTES:,})")
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ValueError(f"not a readable notebook (not UTF-8 text, byte {error.start})") from error
    except json.JSONDecodeError as error:
        raise ValueError(
            f"not a readable notebook (invalid JSON at line {error.lineno}, column {error.colno})"
        ) from error
    except RecursionError as error:
        raise ValueError("not a readable notebook (JSON nested too deeply)") from error
    if not isinstance(document, dict) or not isinstance(document.get("cells"), list):
        raise ValueError("not a readable notebook (no list of cells: not nbformat 4)")
    if document.get("nbformat") != 4:
        raise ValueError(
            f"not a readable notebook (nbformat {str(document.get('nbformat'))[:10]}, expected 4)"
        )
    if len(document["cells"]) > MAX_CELLS:
        raise ValueError(f"too many cells: {len(document['cells'])} (at most {MAX_CELLS})")
    sources = [(cell_source(cell, index), cell) for index, cell in enumerate(document["cells"])]
    return [source if cell["cell_type"] == "code" else "" for source, cell in sources]


def submission_files(arguments: Iterable[Path]) -> Iterator[tuple[Path, str | None]]:
    """Each file to grade, with its student when a folder says so.

    A file named on the command line is graded whatever it is. Under a folder, the ``.ipynb``
    files are graded (hidden ones and links skipped), and a file in a subfolder belongs to the
    student that subfolder is named after (``submissions/alice/...``).
    """
    for argument in arguments:
        if not argument.is_dir():
            yield argument, None
            continue
        for top, folders, files in os.walk(argument, followlinks=False):
            folders[:] = sorted(f for f in folders if not f.startswith("."))
            for name in sorted(files):
                path = Path(top) / name
                parts = path.relative_to(argument).parts
                if name.endswith(".ipynb") and not name.startswith(".") and not path.is_symlink():
                    yield path, parts[0] if len(parts) > 1 else None


def owner(path: Path, named_after: str | None, student: str | None) -> str:
    """Whose file: its folder's student, or the name before the notebook's (``alice-03-...``)."""
    if student is not None:
        return student
    if named_after and path.stem == named_after:
        return path.resolve().parent.name
    if named_after:
        return path.stem.removesuffix(named_after).rstrip("-_ ") or path.stem
    return path.stem


def identify(
    path: Path,
    notebooks: dict[str, list[ExerciseCell]],
    forced: str | None = None,
    student: str | None = None,
) -> Submission:
    """Whose file this is, which notebook it answers, and its code cells; never raises."""
    named_after = next(
        (stem for stem in notebooks if path.stem == stem or path.stem.endswith(stem)), None
    )
    who = owner(path, named_after, student)
    try:
        cells = code_cells(path)
    except (ValueError, OSError) as error:
        return Submission(path, who, forced or named_after, problem=str(error))
    ids = {m["id"] for source in cells for m in CHECK_RE.finditer(source)}
    by_ids = next(
        (stem for stem, found in notebooks.items() if ids & {e.exercise_id for e in found}), None
    )
    which = forced or named_after or by_ids
    if which is None:
        return Submission(
            path,
            who,
            None,
            problem="no exercise of the collection in it: name the notebook with --notebook",
        )
    return Submission(path, who, which, tuple(cells))


# ---------------------------------------------------------------- reading the sandbox's report


def plain_text(value: Any, limit: int = MAX_TEXT) -> str:
    """Text from the sandbox, safe to show: no control characters, at most ``limit`` of them."""
    text = value if isinstance(value, str) else ""
    return re.sub(r"[\x00-\x1f\x7f]+", " ", text)[:limit]


def answer_value(entry: Any) -> tuple[bool, Any]:
    """(found, value) for one reported answer; ValueError for an entry the runner never writes."""
    if not isinstance(entry, dict) or entry.get("kind") not in ANSWER_KINDS:
        raise ValueError("an answer entry of an unknown form")
    kind, value = entry["kind"], entry.get("value")
    if kind == "missing":
        return False, None
    if kind == "placeholder":
        return True, ...
    if kind == "bool" and isinstance(value, bool):
        return True, value
    if kind == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return True, float(value)
    if kind == "number" and value in ("nan", "inf", "-inf"):
        return True, float(value)
    if kind == "text" and isinstance(value, str) and len(value) <= MAX_TEXT:
        return True, value
    if kind == "date" and isinstance(value, str):
        return True, dt.date.fromisoformat(value)
    if kind == "other":
        return True, NotPlain(plain_text(entry.get("type"), 60) or "object")
    raise ValueError(f"a {kind} answer with a value of the wrong type")


@dataclass(frozen=True)
class NotPlain:
    """An answer that was no number, text or date: only its type's name comes out of the sandbox."""

    type_name: str


def read_report(outcome: sandbox.Outcome, variables: list[str]) -> Report:
    """The sandbox's result validated strictly: anything unexpected is a problem, never a crash."""
    if outcome.timed_out:
        return Report(
            problem="grading stopped: it ran past the time limit (a cell that never ends?)"
        )
    if not outcome.result:
        return Report(
            problem=f"the run ended without a report (exit {outcome.exit_code}: a crash or a limit)"
        )
    try:
        result = json.loads(outcome.result.decode("utf-8"))
        if not isinstance(result, dict):
            raise ValueError("not an object")
        errors = (
            [plain_text(e, 300) for e in result.get("errors", [])[:5]]
            if isinstance(result.get("errors"), list)
            else []
        )
        status = plain_text(result.get("status"), 60)
        if result.get("answers") is None:
            why = (
                "the kernel died (memory, a crash or a limit)"
                if status == "kernel died"
                else status
            )
            return Report(errors=errors, problem=f"no answers could be read: {why}")
        raw = json.loads(str(result["answers"]))
        if not isinstance(raw, dict):
            raise ValueError("answers not an object")
        answers = {}
        for name in variables:
            found, value = answer_value(raw.get(name, {"kind": "missing"}))
            if found:
                answers[name] = value
        return Report(answers=answers, errors=errors)
    except (ValueError, TypeError, KeyError, RecursionError, UnicodeDecodeError) as error:
        return Report(problem=f"the run's report is not valid ({plain_text(str(error), 80)})")


# ---------------------------------------------------------------- scoring, outside the sandbox


def score(exercise: ExerciseCell, report: Report, tables: Any) -> tuple[float, str]:
    """The registry's verdict on one reported answer, computed here."""
    from helpers.exercises import check

    if exercise.variable not in report.answers:
        return 0, MISSING.format(name=exercise.variable)
    value = report.answers[exercise.variable]
    if isinstance(value, NotPlain):
        return (
            0,
            f"Not plain data: {exercise.variable} is a {value.type_name}; "
            "give a number, a text or a date.",
        )
    feedback = check(exercise.exercise_id, value, tables)
    return (POINTS if feedback.correct else 0), str(feedback.message)


def rows_of(
    submission: Submission,
    exercises: list[ExerciseCell],
    report: Report,
    tables: Any,
    isolation: str,
) -> list[Row]:
    """One row per exercise: the score and reason, and a note of the run's first error."""
    note = f" (the run showed an error: {report.errors[0]})" if report.errors else ""
    rows = []
    for exercise in exercises:
        if report.problem:
            points, reason = 0.0, report.problem
        else:
            points, reason = score(exercise, report, tables)
        rows.append(
            Row(
                submission.student,
                submission.notebook or "",
                exercise.exercise_id,
                points,
                POINTS,
                reason + note,
                isolation,
            )
        )
    return rows


def rows_for(
    submission: Submission, exercises: list[ExerciseCell], reason: str, isolation: str
) -> list[Row]:
    """The same zero and reason for every exercise of a submission that could not be run."""
    if not exercises:
        return [Row(submission.student, submission.notebook or "", "", 0, 0, reason, isolation)]
    return [
        Row(
            submission.student,
            submission.notebook or "",
            e.exercise_id,
            0,
            POINTS,
            reason,
            isolation,
        )
        for e in exercises
    ]


# ---------------------------------------------------------------- the grade sheet


def safe_cell(value: object) -> object:
    """A value a spreadsheet shows as text, never runs as a formula (a name may start with '=')."""
    if isinstance(value, float):
        return f"{value:g}"
    if not isinstance(value, str):
        return value
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", " ", value)
    return "'" + text if text.startswith(FORMULA_START) else text


def default_out(now: dt.datetime | None = None) -> Path:
    """``build/grades-YYYYMMDD-HHMMSS.csv``, numbered if taken: every run a new file."""
    stamp = (now or dt.datetime.now()).strftime("%Y%m%d-%H%M%S")
    candidate = BUILD / f"grades-{stamp}.csv"
    number = 2
    while candidate.exists():
        candidate = BUILD / f"grades-{stamp}-{number}.csv"
        number += 1
    return candidate


def free_name(out: Path) -> Path:
    """``out``, or ``out`` numbered (grades-2.csv, grades-3.csv ...) if another run took the
    name."""
    candidate, number = out, 2
    while candidate.exists():
        candidate = out.with_name(f"{out.stem}-{number}{out.suffix}")
        number += 1
    return candidate


def write_csv(rows: Iterable[Row], out: Path, force: bool = False) -> Path:
    """Write the sheet beside ``out``, then move it in place; replace a file only with ``force``.
    If another run took ``out`` while this one graded, the sheet goes to a numbered name instead
    (returned): a class's grades are never lost and never written over."""
    out.parent.mkdir(parents=True, exist_ok=True)
    handle = tempfile.NamedTemporaryFile(
        "w", newline="", encoding="utf-8", dir=out.parent, prefix=".grades-", delete=False
    )
    try:
        with handle:
            writer = csv.writer(handle)
            writer.writerow(FIELDS)
            for row in rows:
                writer.writerow([safe_cell(getattr(row, name)) for name in FIELDS])
        if force:
            os.replace(handle.name, out)
            return out
        while True:
            target = free_name(out)
            try:
                os.link(handle.name, target)  # fails if target exists: never written over
                return target
            except FileExistsError:
                continue
    finally:
        Path(handle.name).unlink(missing_ok=True)


# ---------------------------------------------------------------- the run


def resolve_notebook(forced: str | None, notebooks: dict[str, list[ExerciseCell]]) -> str | None:
    """``--notebook 03`` -> ``03-the-visa-surge``; SystemExit for a name of no single notebook."""
    if forced is None or forced in notebooks:
        return forced
    matches = [stem for stem in notebooks if stem.startswith(f"{forced}-")]
    if len(matches) != 1:
        raise SystemExit(f"grade: --notebook {forced!r}: choose one of {', '.join(notebooks)}")
    return matches[0]


def gather(
    paths: list[Path], notebooks: dict[str, list[ExerciseCell]], forced: str | None
) -> list[Submission]:
    """Every submission under ``paths``; SystemExit when a path is missing or nothing is found."""
    missing = [str(path) for path in paths if not path.exists() and not path.is_symlink()]
    if missing:
        raise SystemExit(
            f"grade: no such file or folder: {', '.join(missing)} (nothing was graded)"
        )
    found = [
        identify(path, notebooks, forced, student) for path, student in submission_files(paths)
    ]
    if not found:
        raise SystemExit(
            f"grade: no .ipynb file in {', '.join(map(str, paths))} (nothing was graded)"
        )
    return found


@dataclass
class Progress:
    """'[3 of 30] alice / 03-the-visa-surge: 2 of 3', printed as each submission is done."""

    total: int
    done: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def tell(self, rows: list[Row]) -> None:
        with self.lock:
            self.done += 1
            got, of = sum(r.score for r in rows), sum(r.max for r in rows)
            who = rows[0].student if rows else "?"
            notebook = rows[0].notebook if rows else "?"
            print(
                f"  [{self.done} of {self.total}] {who} / {notebook}: {got:g} of {of:g}",
                flush=True,
            )


def grade_one(
    submission: Submission,
    exercises: list[ExerciseCell],
    collection: Path,
    limits: sandbox.Limits,
    tables: Any,
    isolated: bool,
) -> list[Row]:
    """Rows for one submission: run in its sandbox, scored here."""
    isolation = SANDBOXED if isolated else UNSANDBOXED
    if submission.problem:
        return rows_for(submission, exercises, submission.problem, isolation)
    job = {
        "cells": list(submission.cells),
        "variables": sorted({e.variable for e in exercises}),
        "cell_timeout": limits.wall_seconds,
    }
    run = sandbox.run if isolated else sandbox.run_unsandboxed
    outcome = run(collection, job, limits)
    return rows_of(submission, exercises, read_report(outcome, job["variables"]), tables, isolation)


def grade(
    paths: list[Path],
    out: Path,
    forced: str | None = None,
    folder: Path = NOTEBOOKS_DIR,
    workers: int = 2,
    limits: sandbox.Limits | None = None,
    isolated: bool = True,
    force: bool = False,
) -> tuple[list[Row], Path]:
    """Grade every submission in ``paths`` and write ``out``; return the rows and the file
    written."""
    from helpers.data import load_all

    if out.exists() and not force:
        raise SystemExit(
            f"grade: {out} exists: choose another --out, or add --force to replace it "
            "(nothing was graded)"
        )
    limits = limits or sandbox.Limits()
    notebooks = collection_exercises(folder)
    forced = resolve_notebook(forced, notebooks)
    submissions = gather(paths, notebooks, forced)
    work = Path(tempfile.mkdtemp(prefix="wa-grade-"))
    try:
        collection = build_tree(work / "collection", grading=True)
        for path in [collection, *collection.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        if isolated:
            sandbox.probe(collection)
        tables = load_all()
        progress = Progress(len(submissions))
        results: dict[int, list[Row]] = {}
        pool = ThreadPoolExecutor(max_workers=max(1, workers))
        try:
            futures = {
                pool.submit(
                    grade_one,
                    s,
                    notebooks.get(s.notebook or "", []),
                    collection,
                    limits,
                    tables,
                    isolated,
                ): index
                for index, s in enumerate(submissions)
            }
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                progress.tell(results[futures[future]])
        except BaseException:  # Ctrl-C or a bug: no sandbox may outlive the grader
            pool.shutdown(wait=False, cancel_futures=True)
            sandbox.kill_all()
            raise
        pool.shutdown(wait=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    rows = [row for index in range(len(submissions)) for row in results[index]]
    written = write_csv(rows, out, force)
    if written != out:
        print(f"{out} was taken by another run while grading: wrote {written} instead")
    return rows, written


def summary(rows: list[Row]) -> list[str]:
    """One line per student: their total and each notebook's."""
    lines = []
    for student in dict.fromkeys(r.student for r in rows):
        mine = [r for r in rows if r.student == student]
        parts = []
        for notebook in dict.fromkeys(r.notebook for r in mine):
            theirs = [r for r in mine if r.notebook == notebook]
            got, of = sum(r.score for r in theirs), sum(r.max for r in theirs)
            parts.append(f"{notebook or 'unknown notebook'} {got:g}/{of:g}")
        total = sum(r.score for r in mine)
        lines.append(f"  {student}: {total:g} of {sum(r.max for r in mine):g} ({', '.join(parts)})")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="./tasks grade",
        description="Grade students' notebooks, each in a bubblewrap sandbox, against the "
        "exercise registry; write a new CSV.",
    )
    parser.add_argument(
        "submissions", nargs="+", type=Path, help="notebook files, or folders of them"
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="the CSV to write (default build/grades-<time>.csv)"
    )
    parser.add_argument("--force", action="store_true", help="replace --out if it exists")
    parser.add_argument(
        "--notebook",
        default=None,
        help="which notebook these answer (e.g. 03), if their names do not say",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        help="submissions graded at once (default: cores)",
    )
    parser.add_argument(
        "--timeout", type=float, default=300, help="seconds one submission may run (default 300)"
    )
    parser.add_argument(
        "--no-sandbox-i-understand",
        dest="unsandboxed",
        action="store_true",
        help="grade WITHOUT a sandbox, with your rights (every row says so): trusted code only",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    out = args.out or default_out()
    limits = sandbox.Limits(wall_seconds=args.timeout, cpu_seconds=max(1, math.ceil(args.timeout)))
    print(
        "Grading each submission in a bubblewrap sandbox"
        if not args.unsandboxed
        else f"WARNING: {UNSANDBOXED}"
    )
    started = time.monotonic()
    try:
        rows, written = grade(
            args.submissions,
            out,
            args.notebook,
            workers=args.jobs,
            limits=limits,
            isolated=not args.unsandboxed,
            force=args.force,
        )
    except sandbox.SandboxUnavailable as error:
        raise SystemExit(
            f"grade: no sandbox, so nothing was graded: {error}. "
            "To grade anyway, with your rights: --no-sandbox-i-understand"
        ) from error
    print("Per student:")
    print("\n".join(summary(rows)))
    students = len({r.student for r in rows})
    print(
        f"Wrote {len(rows)} rows for {students} student(s) to {written} "
        f"in {time.monotonic() - started:.0f} s"
    )


if __name__ == "__main__":
    main()
