"""Write the navigation cells and the contents lists, or check that they are current.

Adding a notebook takes one file and one command (``./tasks nav``): each notebook gets a
prev / contents / next cell at its top and bottom, and the contents list in
00-start-here and in README.md is rebuilt from the notebooks' first headings.
``--check`` changes nothing and exits 1 when anything is stale (run by ./tasks test).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
README = ROOT / "README.md"
START = "00-start-here.ipynb"
NAV_TAG = "navigation"
CONTENTS_TAG = "contents"
README_BEGIN, README_END = "<!-- contents:begin -->", "<!-- contents:end -->"
NAME_RE = re.compile(r"^\d\d-[a-z0-9-]+\.ipynb$")


def notebook_paths() -> list[Path]:
    """The collection's notebooks, in reading order (their NN- prefix)."""
    paths = sorted(NOTEBOOKS.glob("*.ipynb"))
    bad = [p.name for p in paths if not NAME_RE.match(p.name)]
    if bad:
        raise SystemExit(f"notebooks must be named NN-slug.ipynb: {bad}")
    return paths


def first_heading(notebook: nbformat.NotebookNode) -> str | None:
    """The first level-1 heading outside the navigation cells, if any (also used by build_site.py)."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and NAV_TAG not in cell.metadata.get("tags", []):
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def title_of(notebook: nbformat.NotebookNode, path: Path) -> str:
    """The notebook's title: its first level-1 heading, which every notebook must have."""
    title = first_heading(notebook)
    if title is None:
        raise SystemExit(f"{path.name}: no '# Title' heading")
    return title


def nav_text(paths: list[Path], index: int) -> str:
    """'← prev · Contents · next →' for the notebook at ``index``."""
    parts = []
    if index > 0:
        parts.append(f"[← {paths[index - 1].stem}]({paths[index - 1].name})")
    if paths[index].name != START:
        parts.append(f"[Contents]({START})")
    if index + 1 < len(paths):
        parts.append(f"[{paths[index + 1].stem} →]({paths[index + 1].name})")
    return " · ".join(parts)


def contents_lines(paths: list[Path], titles: list[str], prefix: str) -> list[str]:
    return [f"{i}. [{title}]({prefix}{path.name})" for i, (path, title) in enumerate(zip(paths, titles))]


def nav_cell(text: str, cell_id: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text, metadata={"tags": [NAV_TAG]})
    cell.id = cell_id
    return cell


def updated_notebook(notebook: nbformat.NotebookNode, nav: str, contents: str | None) -> nbformat.NotebookNode:
    """The notebook with fresh nav cells at both ends and, in 00, a fresh contents cell."""
    cells = [c for c in notebook.cells if NAV_TAG not in c.metadata.get("tags", [])]
    for cell in cells:
        if contents is not None and CONTENTS_TAG in cell.metadata.get("tags", []):
            cell.source = contents
    notebook.cells = [nav_cell(nav, "nav-top"), *cells, nav_cell(nav, "nav-bottom")]
    return notebook


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="change nothing; exit 1 if anything is stale")
    args = parser.parse_args()
    paths = notebook_paths()
    notebooks = [nbformat.read(p, as_version=4) for p in paths]
    titles = [title_of(nb, p) for nb, p in zip(notebooks, paths)]
    contents_cell = "## Contents\n\n" + "\n".join(contents_lines(paths, titles, ""))
    stale = []
    for index, (path, notebook) in enumerate(zip(paths, notebooks)):
        before = nbformat.writes(nbformat.read(path, as_version=4))
        contents = contents_cell if path.name == START else None
        after_nb = updated_notebook(notebook, nav_text(paths, index), contents)
        nbformat.validator.normalize(after_nb)
        after = nbformat.writes(after_nb)
        if _strip_ids(before) != _strip_ids(after):
            stale.append(path.name)
            if not args.check:
                nbformat.write(after_nb, path)
    readme = README.read_text(encoding="utf-8")
    block = "\n".join([README_BEGIN, *contents_lines(paths, titles, "notebooks/"), README_END])
    new_readme = re.sub(re.escape(README_BEGIN) + ".*?" + re.escape(README_END), lambda _m: block, readme, flags=re.S)
    if README_BEGIN not in readme:
        raise SystemExit(f"README.md lacks the {README_BEGIN} … {README_END} markers")
    if new_readme != readme:
        stale.append("README.md")
        if not args.check:
            README.write_text(new_readme, encoding="utf-8")
    if stale:
        verb = "stale" if args.check else "updated"
        print(f"navigation {verb}: {', '.join(stale)}" + (" (run ./tasks nav)" if args.check else ""))
        return 1 if args.check else 0
    print("navigation is current")
    return 0


def _strip_ids(text: str) -> str:
    return re.sub(r'\n\s*"id": "[^"]*",?', "", text)


if __name__ == "__main__":
    sys.exit(main())
