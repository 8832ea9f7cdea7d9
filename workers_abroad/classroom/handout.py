"""The handout a teacher gives out whole: notebooks, data/ and helpers/, with no answer in it.

Why: the collection's ``helpers/exercises.py`` computes every answer from data/ (the teacher's
registry), so a folder that ships it hands every answer to anyone who imports it. A handout
ships instead a generated ``helpers/exercises.py`` (``handout_check.py`` with its keys
filled in): salted hashes of each right answer at the precision the exercise asks for, and of a
coarser rounding for "close". Its ``check(id, answer)`` says right, close or wrong, never more.

The grader builds the same tree (with a salt of its own) as the read-only collection each
sandboxed submission runs against: ``build_tree``.
"""

from __future__ import annotations

import pprint
import secrets
import shutil
import zipfile
from pathlib import Path
from typing import Any

import nbformat

from workers_abroad.classroom import handout_check
from workers_abroad.classroom.exercise_cells import (
    answer_cell,
    answer_leaks,
    answer_pattern,
    find_exercises,
    renderings,
    student_copy,
)
from workers_abroad.publishing.notebooks import NOTEBOOKS_DIR, ROOT, notebook_paths

HELPERS_DIR = ROOT / "helpers"
DATA_DIR = ROOT / "data"
#: The module replaced in the handout: the registry that computes answers.
REGISTRY_MODULE = "exercises.py"
KEYS_LINE = "KEYS: dict[str, dict[str, Any]] = {}"
PLACES_WORDS = {0: "as a whole number", 1: "to one decimal place", 2: "to two decimal places"}
README = """Workers Abroad: student copy

Open the notebooks in notebooks/ with JupyterLab and run them from the top. They read data/ and
import helpers/ from this folder. The check cells say whether an answer is right, close or not yet;
they hold no answer themselves. Hand back the notebooks you were asked to, with your answers in.
"""


def precision_sentence(kind: str, places: int | None) -> str:
    """The precision a question asks for: 'Give your answer to two decimal places.'"""
    if kind == "date":
        return "Give the date as date(YYYY, M, D) or as text, 'YYYY-MM-DD'."
    if kind == "choice":
        return "Give one of the options, as text in quotes."
    if places is None:
        raise ValueError("a number exercise needs the decimal places it asks for (Exercise.places)")
    return f"Give your answer {PLACES_WORDS.get(places, f'to {places} decimal places')}."


def exercise_key(exercise_id: str, salt: str) -> dict[str, Any]:
    """One exercise's hashed key: what the handout's check compares with, never the answer."""
    from helpers.exercises import expected, registry

    exercise = registry()[exercise_id]
    value = expected(exercise_id)
    key: dict[str, Any] = {
        "kind": exercise.kind,
        "places": exercise.places,
        "salt": salt,
        "close": None,
    }
    key["options"] = list(exercise.options)
    if exercise.kind == "number":
        if exercise.places is None:
            raise ValueError(f"{exercise_id}: a number exercise needs Exercise.places")
        key["right"] = handout_check.fingerprint(
            salt, exercise_id, handout_check.rounded(value, exercise.places)
        )
        coarse = handout_check.rounded(value, exercise.places - 1)
        key["close"] = handout_check.fingerprint(salt, exercise_id, coarse)
    elif exercise.kind == "date":
        day = handout_check.as_date(value)
        if day is None:
            raise ValueError(f"{exercise_id}: the registry's answer is not a date")
        key["right"] = handout_check.fingerprint(salt, exercise_id, day.isoformat())
        key["close"] = handout_check.fingerprint(salt, exercise_id, day.isoformat()[:7])
    else:
        key["right"] = handout_check.fingerprint(salt, exercise_id, str(value).strip().lower())
    return key


def check_module_source(salt: str) -> str:
    """The handout's ``helpers/exercises.py``: handout_check.py with every exercise's hashed key."""
    from helpers.exercises import registry

    keys = {exercise_id: exercise_key(exercise_id, salt) for exercise_id in sorted(registry())}
    source = Path(handout_check.__file__).read_text(encoding="utf-8")
    if source.count(KEYS_LINE) != 1:
        raise RuntimeError(f"handout_check.py must define KEYS once as {KEYS_LINE!r}")
    filled = "KEYS: dict[str, dict[str, Any]] = " + pprint.pformat(keys, width=100, sort_dicts=True)
    return source.replace(KEYS_LINE, filled)


#: The grader's sandbox gets no self-check at all: scores are computed outside, so inside a check
#: needs to confirm nothing (not even by trying answers against it).
GRADING_STUB = '''"""Graded outside this sandbox: a check here confirms nothing."""

from typing import Any

from helpers.selfcheck import Feedback


def check(exercise_id: Any, answer: Any, tables: Any = None) -> Feedback:
    return Feedback(False, "Handed in: the grader checks this answer.")
'''


def copy_helpers(target: Path, salt: str | None) -> None:
    """helpers/ without the registry: every module as it is, exercises.py replaced by hashed
    checks (``salt`` given) or by the grading stub (``salt`` None)."""
    target.mkdir(parents=True, exist_ok=True)
    for module in sorted(HELPERS_DIR.glob("*.py")):
        if module.name != REGISTRY_MODULE:
            shutil.copyfile(module, target / module.name)
    source = GRADING_STUB if salt is None else check_module_source(salt)
    (target / REGISTRY_MODULE).write_text(source, encoding="utf-8")


def copy_data(target: Path) -> None:
    """data/ as it is: the tables, datapackage.json, the fact sheet and the licence."""
    shutil.copytree(DATA_DIR, target, ignore=shutil.ignore_patterns(".*", "__pycache__"))


def build_tree(target: Path, grading: bool = False) -> Path:
    """helpers/ and data/ of a handout under ``target``, with a fresh salt; for ``grading`` (the
    sandbox's read-only collection), helpers/exercises.py is the stub that checks nothing."""
    copy_helpers(target / "helpers", None if grading else secrets.token_hex(16))
    copy_data(target / "data")
    return target


def with_precision(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Each exercise's precision sentence added to the markdown cell asking it, unless there."""
    from helpers.exercises import registry

    for exercise in find_exercises(notebook):
        entry = registry().get(exercise.exercise_id)
        if entry is None:
            continue
        sentence = precision_sentence(entry.kind, entry.places)
        above = answer_cell(notebook, exercise)
        prompt = next(
            (i for i in range(above, -1, -1) if notebook.cells[i].cell_type == "markdown"), None
        )
        if prompt is None or sentence in notebook.cells[prompt].source:
            continue
        notebook.cells[prompt].source = notebook.cells[prompt].source.rstrip() + f"\n\n*{sentence}*"
    return notebook


def answer_renderings() -> dict[str, set[str]]:
    """Each exercise's answer written the ways a reader would recognise it (for the leak search)."""
    from helpers.exercises import expected, registry

    found: dict[str, set[str]] = {}
    for exercise_id, exercise in registry().items():
        value = expected(exercise_id)
        forms = renderings(value)
        if exercise.kind == "number" and exercise.places is not None:
            forms.add(handout_check.rounded(value, exercise.places))
        found[exercise_id] = {form for form in forms if len(form.strip("0.,%- ")) >= 2}
    return found


def leaks_in_tree(folder: Path) -> list[str]:
    """Every file under ``folder`` that shows an answer, as 'path: exercise id shows text'."""

    found = []
    for exercise_id, forms in answer_renderings().items():
        if not forms:
            continue
        pattern = answer_pattern(forms)
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            text = path.read_bytes().decode("utf-8", errors="replace")
            hit = pattern.search(text)
            if hit:
                found.append(f"{path.relative_to(folder)}: {exercise_id} shows {hit.group(1)!r}")
    return found


def without_outputs(notebook: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Every output and the saved widget state cleared: students run the notebook, and a widget's
    saved options (every day of a year, say) can hold an answer's spelling without meaning it."""
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return notebook


def handout_copy(path: Path) -> nbformat.NotebookNode:
    """One notebook as handed out: answers reset, no output, each exercise's precision stated."""

    return without_outputs(with_precision(student_copy(nbformat.read(path, as_version=4))))


def write_notebooks(target: Path, folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """Student copies of every notebook; SystemExit if one shows an answer near its exercise."""

    copies = {path.name: handout_copy(path) for path in notebook_paths(folder)}
    leaks = [
        f"{name}: {leak}" for name, notebook in copies.items() for leak in answer_leaks(notebook)
    ]
    if leaks:
        raise SystemExit("student: not written, an answer would be shown:\n  " + "\n  ".join(leaks))
    target.mkdir(parents=True, exist_ok=True)
    for name, notebook in copies.items():
        nbformat.write(notebook, target / name)
    return [target / name for name in copies]


def zip_folder(folder: Path, archive: Path) -> Path:
    """``folder`` as a zip whose entries start with the folder's name (what a student unpacks)."""
    archive.unlink(missing_ok=True)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            bundle.write(path, Path(folder.name) / path.relative_to(folder))
    return archive


def refuse_foreign(out: Path) -> None:
    """Never delete a folder that is not an earlier handout: a typo must not remove work."""
    readme = out / "README.txt"
    if not out.exists() or (out.is_dir() and not any(out.iterdir())):
        return
    if readme.is_file() and readme.read_text(encoding="utf-8").startswith(README.splitlines()[0]):
        return
    raise SystemExit(
        f"student: {out} exists and is not a handout written by this command: choose another folder"
    )


def build_handout(out: Path) -> tuple[Path, Path]:
    """Write the handout folder ``out`` and ``out``.zip; SystemExit if any file shows an answer."""
    refuse_foreign(out)
    if out.exists():
        shutil.rmtree(out)
    write_notebooks(out / "notebooks")
    build_tree(out)
    (out / "README.txt").write_text(README, encoding="utf-8")
    leaks = leaks_in_tree(out)
    if leaks:
        shutil.rmtree(out)
        raise SystemExit(
            "student: handout removed, an answer would be shown:\n  " + "\n  ".join(leaks)
        )
    return out, zip_folder(out, out.with_suffix(".zip"))
