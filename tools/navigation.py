"""Write the navigation cells and the contents lists, or check that they are current.

Run as ``python -m tools.navigation [--check] [--root DIR]`` from the repository root.
Adding a notebook takes one file and one command (``./tasks nav``): each notebook gets a
prev / contents / next cell at its top and bottom, and the contents list in
00-start-here and in README.md is rebuilt from the notebooks' first headings.
``--check`` changes nothing and exits 1 when anything is stale (run by ./tasks test and the
pre-commit hook). ``--root`` points it at a copy of the collection (the tests use one).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import nbformat

from workers_abroad.publishing.notebooks import NAV_TAG, ROOT, first_heading, notebook_paths

START = "00-start-here.ipynb"
CONTENTS_TAG = "contents"
README_BEGIN, README_END = "<!-- contents:begin -->", "<!-- contents:end -->"


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
    """The numbered contents list, links relative to ``prefix`` (00's folder or README's)."""
    return [
        f"{i}. [{title}]({prefix}{path.name})" for i, (path, title) in enumerate(zip(paths, titles))
    ]


def nav_cell(text: str, cell_id: str) -> nbformat.NotebookNode:
    """A tagged markdown cell with a fixed id, so rewriting it leaves an unchanged file
    unchanged."""
    cell = nbformat.v4.new_markdown_cell(text, metadata={"tags": [NAV_TAG]})
    cell.id = cell_id
    return cell


def updated_notebook(
    notebook: nbformat.NotebookNode, nav: str, contents: str | None
) -> nbformat.NotebookNode:
    """The notebook with fresh nav cells at both ends and, in 00, a fresh contents cell."""
    cells = [c for c in notebook.cells if NAV_TAG not in c.metadata.get("tags", [])]
    for cell in cells:
        if contents is not None and CONTENTS_TAG in cell.metadata.get("tags", []):
            cell.source = contents
    notebook.cells = [nav_cell(nav, "nav-top"), *cells, nav_cell(nav, "nav-bottom")]
    return notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="change nothing; exit 1 if anything is stale"
    )
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="the collection's folder (default: this repository)"
    )
    args = parser.parse_args(argv)
    readme_path = args.root / "README.md"
    try:
        paths = notebook_paths(args.root / "notebooks")
        notebooks = [nbformat.read(p, as_version=4) for p in paths]
        titles = [first_heading(p) for p in paths]
    except ValueError as error:
        raise SystemExit(str(error)) from None
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
    readme = readme_path.read_text(encoding="utf-8")
    block = "\n".join([README_BEGIN, *contents_lines(paths, titles, "notebooks/"), README_END])
    new_readme = re.sub(
        re.escape(README_BEGIN) + ".*?" + re.escape(README_END),
        lambda _m: block,
        readme,
        flags=re.S,
    )
    if README_BEGIN not in readme:
        raise SystemExit(f"README.md lacks the {README_BEGIN} … {README_END} markers")
    if new_readme != readme:
        stale.append("README.md")
        if not args.check:
            readme_path.write_text(new_readme, encoding="utf-8")
    if stale:
        verb = "stale" if args.check else "updated"
        print(
            f"navigation {verb}: {', '.join(stale)}" + (" (run ./tasks nav)" if args.check else "")
        )
        return 1 if args.check else 0
    print("navigation is current")
    return 0


def _strip_ids(text: str) -> str:
    return re.sub(r'\n\s*"id": "[^"]*",?', "", text)


if __name__ == "__main__":
    sys.exit(main())
