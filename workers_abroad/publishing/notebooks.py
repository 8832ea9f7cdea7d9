"""The one list of the collection's notebooks and the one reader of their titles.

Why: navigation, execution, the benchmark, the claims check and the site build all walk the
notebooks; each used to glob and parse titles its own way. They all import this module, so a
new notebook (one file named ``NN-slug.ipynb``) is picked up everywhere at once.

The API is small and stable: :data:`ROOT`, :data:`NOTEBOOKS_DIR`, :data:`NAV_TAG`,
:func:`notebook_paths` and :func:`first_heading`; and, for the teacher guide's reading times
(``python -m workers_abroad.publishing.notebooks`` prints them), :func:`prose_words` and
:func:`reading_minutes`. It reads notebooks as plain JSON: importing nbformat costs seconds (it
compiles JSON schemas), too much for a pre-commit hook."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The repository root (the folder holding notebooks/, data/, helpers/, workers_abroad/ and tools/):
#: the collection runs from its checkout (an editable install), so its notebooks and data are here.
ROOT = Path(__file__).resolve().parents[2]
#: Where the notebooks live.
NOTEBOOKS_DIR = ROOT / "notebooks"
#: Cells carrying this tag are navigation, written by tools.navigation: not content.
NAV_TAG = "navigation"
#: A notebook's file name: two digits for its place in the reading order, then a slug.
NAME_RE = re.compile(r"^\d\d-[a-z0-9-]+\.ipynb$")


def notebook_paths(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The notebooks in ``folder``, in reading order (their NN- prefix).

    Raises ValueError naming any ``.ipynb`` file that is not named ``NN-slug.ipynb``: a
    misnamed notebook would otherwise be silently left out of navigation, tests and site.
    """
    paths = sorted(Path(folder).glob("*.ipynb"))
    bad = [p.name for p in paths if not NAME_RE.match(p.name)]
    if bad:
        raise ValueError(f"notebooks in {folder} must be named NN-slug.ipynb: {', '.join(bad)}")
    return paths


def first_heading(notebook: Path | str | Mapping[str, Any]) -> str:
    """The notebook's title: the first ``# Heading`` of a markdown cell that is not navigation.

    Accepts a path or an already-read notebook (an nbformat node or the plain JSON dict).
    Raises ValueError (naming the file when it has one) if there is no such heading, since
    every notebook must have a title.
    """
    name = "notebook"
    if isinstance(notebook, (str, Path)):
        name = Path(notebook).name
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") == "markdown" and NAV_TAG not in cell.get("metadata", {}).get(
            "tags", []
        ):
            source = cell.get("source", "")
            for line in ("".join(source) if isinstance(source, list) else source).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    raise ValueError(f"{name}: no '# Title' heading in a markdown cell")


#: Cells carrying this tag are the contents list in 00-start-here, written by tools.navigation.
CONTENTS_TAG = "contents"
#: Words a student reads in a minute, for the reading times in docs/teacher-guide.md.
WORDS_PER_MINUTE = 200
#: The most prose a notebook may hold: about 11 minutes of reading, so that a lesson has room
#: for its exercises (docs/teacher-guide.md, "How long each notebook takes").
MAX_PROSE_WORDS = 2_200
_LINK_TARGET = re.compile(r"\]\([^)\n]*\)")
_HTML_TAG = re.compile(r"<[^>\n]+>")
_WORD = re.compile(r"\S*[A-Za-z0-9]\S*")


def prose_cells(notebook: Path | str | Mapping[str, Any]) -> list[str]:
    """The markdown a student reads: every markdown cell but navigation and the contents list."""
    if isinstance(notebook, (str, Path)):
        notebook = json.loads(Path(notebook).read_text(encoding="utf-8"))
    texts = []
    for cell in notebook.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") != "markdown" or NAV_TAG in tags or CONTENTS_TAG in tags:
            continue
        source = cell.get("source", "")
        texts.append("".join(source) if isinstance(source, list) else source)
    return texts


def word_count(markdown: str) -> int:
    """Words as a reader meets them: link addresses and HTML tags are not read, so not counted."""
    return len(_WORD.findall(_HTML_TAG.sub(" ", _LINK_TARGET.sub("]", markdown))))


def prose_words(notebook: Path | str | Mapping[str, Any]) -> int:
    """The words of a notebook's prose (its markdown cells, without navigation)."""
    return sum(word_count(text) for text in prose_cells(notebook))


def reading_minutes(words: int) -> int:
    """Minutes to read ``words`` at WORDS_PER_MINUTE, rounded up: a lesson plan needs the whole
    minute."""
    return -(-words // WORDS_PER_MINUTE)


def main() -> int:
    """``python -m workers_abroad.publishing.notebooks``: each notebook's prose words and reading
    time, for the teacher guide."""
    for path in notebook_paths():
        words = prose_words(path)
        flag = "" if words <= MAX_PROSE_WORDS else f"  (over {MAX_PROSE_WORDS:,})"
        minutes = reading_minutes(words)
        pace = f"{WORDS_PER_MINUTE} words a minute"
        print(f"{path.stem}: {words:,} words, {minutes} min at {pace}{flag}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
