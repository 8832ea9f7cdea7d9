"""The student handout holds no answer, in any file or anything importable, and its checks still
work.

Why: a teacher gives the handout out whole (notebooks, data/, helpers/). The answers are taken
here, in the test's process, from the teacher's registry (``helpers.exercises.expected``), and
written the ways a reader would recognise them (3.96, 0.82, 82%, 2018-02-28, 28 Feb 2018); none
may appear in the handout's files, in its zip, or among the values its modules hold once imported.
Each self-check in the handout must still confirm the right answer, typed at the precision its
exercise asks for, and say no more than right, close or wrong for a wrong one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from helpers.exercises import expected, registry
from workers_abroad.publishing.notebooks import ROOT

#: What a handout's check may say for an answer of the right form: right, close, or wrong.


def significant_digits(value: object, places: int | None) -> int:
    """Digits that carry information in the answer as asked: 3.96 has 3, 0.82 has
    2, 90 and 0.6 have 1."""
    if isinstance(value, dt.date):
        return 8
    digits = f"{float(value):.{places or 0}f}".replace("-", "").replace(".", "")
    return len(digits.lstrip("0").rstrip("0"))


#: What can be searched for. A choice's answer is one of the options its question names; an answer
#: with one significant digit (90 days, 10,000 workers, a share of 0.6) is the spelling of unrelated
#: numbers too (a wrap width of 90, a source's "fewer than 10,000"), so finding it proves nothing.
SEARCHABLE = sorted(
    i
    for i, e in registry().items()
    if e.kind != "choice" and significant_digits(expected(i), e.places) >= 2
)
VERDICTS = {
    "Correct.",
    "Close: check your rounding, or the day, or how you counted.",
    "Close: the right digits at the wrong size: check the units (a share, not a percentage?).",
    "Not yet: reread the question and try again.",
}


def forms(value: object, places: int | None) -> set[str]:
    """How a reader would recognise the answer ``value`` in a file."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return {
            value.isoformat(),
            f"{value.day} {value:%b %Y}",
            f"{value.day} {value:%B %Y}",
            f"{value:%B} {value.day}, {value.year}",
        }
    if isinstance(value, str):
        return set()  # a choice: its options are named in the question itself
    number = float(value)
    shown = {f"{number:.{p}f}" for p in range(max(places or 0, 0), 4)} | {
        f"{number:,.{p}f}" for p in range(max(places or 0, 0), 4)
    }
    if 0 < number < 1:
        shown |= {f"{number * 100:.0f}%", f"{number * 100:.1f}%", f"{number * 100:.0f} %"}
    return {text for text in shown if text.strip("0.,%- ")}


def typed(value: object, places: int | None) -> object:
    """The right answer as a student types it: rounded as asked, a date as 'YYYY-MM-DD'."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return value
    return round(float(value), places or 0)


def run_tool(module: str, *args: str, timeout: int) -> subprocess.CompletedProcess[str]:
    """``python -m module args`` in a fresh process from the repository root, as ``./tasks`` runs
    it, so the build is tested as a teacher gets it; its output is kept for the assertion's
    message, and ``timeout`` ends a hung build instead of stalling the suite."""
    return subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def handout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("handout") / "student"
    done = run_tool("workers_abroad.classroom.student", str(folder), timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder


def test_the_handout_has_everything_a_student_needs(handout: Path):
    notebooks = sorted(p.name for p in (handout / "notebooks").glob("*.ipynb"))
    assert notebooks == sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    assert (handout / "data" / "datapackage.json").is_file()
    assert {p.name for p in (ROOT / "helpers").glob("*.py")} == {
        p.name for p in (handout / "helpers").glob("*.py")
    }
    with zipfile.ZipFile(handout.with_suffix(".zip")) as bundle:
        names = {name for name in bundle.namelist() if not name.endswith("/")}
    assert names == {
        f"student/{p.relative_to(handout).as_posix()}" for p in handout.rglob("*") if p.is_file()
    }


@pytest.mark.parametrize("exercise_id", SEARCHABLE)
def test_no_file_shows_an_answer(handout: Path, exercise_id: str):
    shown = forms(expected(exercise_id), registry()[exercise_id].places)
    assert shown, "every searchable answer has a form to search for"
    pattern = re.compile(
        r"(?<![\w.,])("
        + "|".join(map(re.escape, sorted(shown, key=len, reverse=True)))
        + r")(?![\w%]|[.,]\d)"
    )
    found = []
    for path in sorted(p for p in handout.rglob("*") if p.is_file()):
        hit = pattern.search(path.read_bytes().decode("utf-8", errors="replace"))
        if hit:
            found.append(f"{path.relative_to(handout)}: {hit.group(1)}")
    with zipfile.ZipFile(handout.with_suffix(".zip")) as bundle:
        for name in bundle.namelist():
            hit = pattern.search(bundle.read(name).decode("utf-8", errors="replace"))
            if hit:
                found.append(f"zip {name}: {hit.group(1)}")
    assert found == []


PROBE = r"""
import datetime, importlib, json, pkgutil, sys, types
sys.path.insert(0, sys.argv[1])
import helpers
seen, values = set(), []
def walk(thing, depth=0):
    if id(thing) in seen or depth > 6:
        return
    seen.add(id(thing))
    if isinstance(thing, bool):
        return
    if isinstance(thing, (int, float)):
        values.append(["number", float(thing)])
    elif isinstance(thing, str):
        values.append(["text", thing[:2000]])
    elif isinstance(thing, (datetime.date, datetime.datetime)):
        values.append(["date", thing.isoformat()[:10]])
    elif isinstance(thing, (list, tuple, set, frozenset)):
        for item in thing:
            walk(item, depth + 1)
    elif isinstance(thing, dict):
        for key, item in thing.items():
            walk(key, depth + 1)
            walk(item, depth + 1)
    elif isinstance(thing, types.CodeType):
        walk(thing.co_consts, depth + 1)
    elif isinstance(thing, types.FunctionType):
        walk(thing.__code__, depth + 1)
        walk(thing.__defaults__, depth + 1)
        walk(thing.__kwdefaults__, depth + 1)
        walk(
            [c.cell_contents for c in (thing.__closure__ or ()) if c.cell_contents is not None],
            depth + 1,
        )
    elif isinstance(thing, type):
        walk(dict(vars(thing)), depth + 1)
    elif isinstance(thing, (staticmethod, classmethod)):
        walk(thing.__func__, depth + 1)
    elif isinstance(thing, property):
        walk([thing.fget, thing.fset], depth + 1)
for info in pkgutil.iter_modules(helpers.__path__):
    module = importlib.import_module(f"helpers.{info.name}")
    assert module.__file__.startswith(sys.argv[1]), module.__file__
    walk({k: v for k, v in vars(module).items() if not isinstance(v, types.ModuleType)})
from helpers.exercises import check
rights = json.loads(sys.argv[2])
verdicts = {i: [check(i, answer).correct, str(check(i, answer))] for i, answer in rights.items()}
wrongs = {i: str(check(i, answer)) for i, answer in json.loads(sys.argv[3]).items()}
print(json.dumps({"values": values, "verdicts": verdicts, "wrongs": wrongs}))
"""


def wrong_answer(exercise_id: str) -> object:
    """Far from the answer: three times it, a year later, another option."""
    value = expected(exercise_id)
    exercise = registry()[exercise_id]
    if exercise.kind == "choice":
        return next(o for o in exercise.options if o.lower() != str(value).lower())
    if exercise.kind == "date":
        return (value + dt.timedelta(days=400)).isoformat()
    return float(value) * 3


@pytest.fixture(scope="module")
def probed(handout: Path) -> dict[str, object]:
    """What importing every module of the handout's helpers holds, and what its checks say."""
    rights = {i: typed(expected(i), e.places) for i, e in registry().items()}
    wrongs = {i: wrong_answer(i) for i in registry()}
    done = subprocess.run(
        [
            sys.executable,
            "-I",
            "-B",
            "-c",
            PROBE,
            str(handout),
            json.dumps(rights),
            json.dumps(wrongs),
        ],
        cwd=handout,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("exercise_id", SEARCHABLE)
def test_nothing_importable_holds_an_answer(probed: dict[str, object], exercise_id: str):
    value, places = expected(exercise_id), registry()[exercise_id].places
    if isinstance(value, dt.date):
        hits = [v for kind, v in probed["values"] if kind == "date" and v == value.isoformat()]
        shown = forms(value, places)
        hits += [
            v[:80]
            for kind, v in probed["values"]
            if kind == "text" and any(form in v for form in shown)
        ]
    else:
        near = 0.5 * 10 ** -(places or 0)
        hits = [
            v for kind, v in probed["values"] if kind == "number" and abs(v - float(value)) < near
        ]
        shown = forms(value, places)
        pattern = (
            re.compile(r"(?<![\w.,])(" + "|".join(map(re.escape, shown)) + r")(?![\w%]|[.,]\d)")
            if shown
            else None
        )
        hits += [
            v[:80]
            for kind, v in probed["values"]
            if kind == "text" and pattern and pattern.search(v)
        ]
    assert hits == []


def test_every_self_check_confirms_a_right_answer(probed: dict[str, object]):
    verdicts = probed["verdicts"]
    assert set(verdicts) == set(registry())
    assert {i: v for i, v in verdicts.items() if not v[0]} == {}


def test_a_wrong_answer_hears_only_right_close_or_wrong(probed: dict[str, object]):
    assert set(probed["wrongs"].values()) <= VERDICTS - {"Correct."}, probed["wrongs"]


def test_an_existing_folder_that_is_not_a_handout_is_never_removed(tmp_path: Path):
    keep = tmp_path / "mine"
    keep.mkdir()
    (keep / "thesis.txt").write_text("years of work", encoding="utf-8")
    done = run_tool("workers_abroad.classroom.student", str(keep), timeout=120)
    assert done.returncode != 0 and "not a handout" in done.stderr
    assert (keep / "thesis.txt").read_text(encoding="utf-8") == "years of work"


def test_the_site_students_read_holds_no_key(tmp_path: Path):
    """The site (``workers_abroad.publishing.site``) builds the teacher guide but not the
    teacher-only answer keys."""
    out = tmp_path / "site"
    done = run_tool("workers_abroad.publishing.site", "--out", str(out), timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    pages = sorted(out.rglob("*.html"))
    assert "teacher-guide.html" in {p.name for p in pages}
    found = []
    for exercise_id in SEARCHABLE:
        shown = forms(expected(exercise_id), registry()[exercise_id].places)
        pattern = re.compile(
            r"(?<![\w.,])("
            + "|".join(map(re.escape, sorted(shown, key=len, reverse=True)))
            + r")(?![\w%]|[.,]\d)"
        )
        for page in pages:
            hit = pattern.search(page.read_text(encoding="utf-8"))
            if hit:
                found.append(f"{page.name}: {exercise_id} shows {hit.group(1)!r}")
    assert found == []
    links = re.findall(r'href="([^"]*)"', "".join(p.read_text(encoding="utf-8") for p in pages))
    assert [
        link for link in links if "answer-keys" in link
    ] == []  # named for teachers, never linked
