"""Student handouts: the notebooks with every answer reset, data/, and helpers/ without the answers.

Usage, from the repository root (``./tasks student`` runs
``python -m workers_abroad.classroom.student`` with the same arguments)::

    ./tasks student              # writes build/student/ and build/student.zip
    ./tasks student handout/     # or another folder (and handout.zip beside it)

What a teacher hands out is the folder or the zip, whole: ``notebooks/`` (answer lines back to
``...``, no outputs, each exercise's precision stated), ``data/``, and ``helpers/``, whose
``exercises.py`` is replaced by self-checks that hold salted hashes instead of answers
(``handout.py``). Why the notebooks are searched too: the collection's notebooks are committed
executed, so a check cell carries the output of its last run; a copy is searched for the
registry's expected values (rounded, with thousands separators, as a percentage, a date in the
usual spellings) in the cells around each exercise, and the whole handout for any file showing
one. A handout in which one is found is not written: the command names the exercise and the file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

from workers_abroad.classroom.exercise_cells import find_exercises
from workers_abroad.classroom.handout import build_handout
from workers_abroad.publishing.notebooks import ROOT

OUT = ROOT / "build" / "student"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="./tasks student", description="Write the student handout: a folder and a zip."
    )
    parser.add_argument(
        "out", nargs="?", type=Path, default=OUT, help=f"folder to write into (default {OUT})"
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    folder, archive = build_handout(args.out)
    notebooks = sorted((folder / "notebooks").glob("*.ipynb"))
    print(f"Wrote the handout to {folder} and {archive}:")
    for path in notebooks:
        print(
            f"  notebooks/{path.name}: "
            f"{len(find_exercises(nbformat.read(path, as_version=4)))} exercise(s)"
        )
    print("  data/, helpers/ (self-checks hold no answer), README.txt")


if __name__ == "__main__":
    main()
