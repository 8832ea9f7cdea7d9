"""Build the static HTML site: every notebook, the teacher guide and a contents page, in site/.

Each page is what ``jupyter nbconvert --to workers-abroad`` (:mod:`.export`) writes for one
notebook, rendered as :mod:`.render` says (sanitized, charts drawn from one local plotly.js with
their tables, widgets as snapshots), except that the shared files are linked from ``assets/``
once instead of inlined into every page. Links between notebooks and to the guide point at the
built pages; the teacher-only answer keys are never built or linked (docs/answer-keys.md).

Run: ``python -m workers_abroad.publishing.site [--out site] [--notebooks DIR]``
(``./tasks site``). Open site/index.html.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat

from workers_abroad.publishing.export import WorkersAbroadExporter
from workers_abroad.publishing.notebooks import ROOT, notebook_paths
from workers_abroad.publishing.render import (
    PLOTLY_BUNDLE,
    SITE_ASSETS,
    check_bundle,
    css_files,
)

GUIDE = ROOT / "docs" / "teacher-guide.md"
SITE = ROOT / "site"
#: The folder of every page's shared files (plotly.js, the CSS, site.js), linked by the template.
ASSETS = "assets"
NOTEBOOK_LINK_RE = re.compile(
    r'href="(?:\.\./notebooks/|notebooks/)?(\d\d-[a-z0-9-]+)\.ipynb(#[^"]*)?"'
)
GUIDE_LINK_RE = re.compile(r'href="(?:\.\./)?(?:docs/)?teacher-guide\.md(#[^"]*)?"')
#: Teacher-only pages (docs/answer-keys.md): never built, and a link to one keeps only its text.
TEACHER_ONLY_LINK_RE = re.compile(
    r'<a\b[^>]*\bhref="[^"]*answer-keys(?:\.md|\.html)?(?:#[^"]*)?"[^>]*>(.*?)</a>', re.S
)


@dataclass(frozen=True)
class Page:
    """One built page: its file, what it weighs and how many charts it draws."""

    path: Path
    title: str
    size: int
    charts: int


def site_bar(has_guide: bool) -> str:
    """The bar at the top of every page: the site's contents and, when built, the teacher guide."""
    links = ['<a href="index.html">Workers Abroad: contents</a>']
    if has_guide:
        links.append('<a href="teacher-guide.html">Teacher guide</a>')
    return f'<nav class="wa-sitebar" aria-label="Site">{" · ".join(links)}</nav>'


def rewrite_links(page: str) -> str:
    """Links between notebooks and to the guide point at the built pages.

    A link to the teacher-only answer keys keeps its words but loses its target: the site is
    public and never carries that page, so it links nowhere near it either.
    """
    page = TEACHER_ONLY_LINK_RE.sub(r"\1", page)
    page = NOTEBOOK_LINK_RE.sub(lambda m: f'href="{m[1]}.html{m[2] or ""}"', page)
    return GUIDE_LINK_RE.sub(lambda m: f'href="teacher-guide.html{m[1] or ""}"', page)


def write_assets(out: Path) -> None:
    """The shared files every page links to: plotly.js, JupyterLab's CSS, the site's own."""
    assets = out / ASSETS
    assets.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(check_bundle(), assets / PLOTLY_BUNDLE.name)
    for name, text in css_files().items():
        (assets / name).write_text(text, encoding="utf-8")
    shutil.copyfile(SITE_ASSETS / "site.js", assets / "site.js")


# --------------------------------------------------------------------------------- build


def contents_markdown(entries: Sequence[tuple[str, str]], has_guide: bool) -> str:
    """The contents page: every notebook in reading order, then the teacher guide."""
    lines = [
        "# Workers Abroad",
        "",
        "Interactive notebooks about North Korean workers abroad and the UN repatriation deadline, "
        "as static pages. Charts are interactive (hover, zoom); "
        "each has its data in a table below it. "
        "Widgets show a snapshot: to move their controls, run the notebooks in JupyterLab.",
        "",
        "## Notebooks",
        "",
        *[f"{name[:2]}. [{title}]({name}.html)" for name, title in entries],
    ]
    if has_guide:
        lines += ["", "## For teachers", "", "- [Teacher guide](teacher-guide.html)"]
    return "\n".join(lines) + "\n"


def build(
    out: Path = SITE, notebooks: Sequence[Path] | None = None, guide: Path = GUIDE
) -> list[Page]:
    """Build the whole site into ``out`` (emptied first) and return its pages."""
    if out.exists():
        shutil.rmtree(out)
    write_assets(out)
    has_guide = guide.is_file()
    exporter = WorkersAbroadExporter(inline_assets=False, site_bar=site_bar(has_guide))
    paths = notebook_paths() if notebooks is None else list(notebooks)
    pages: list[Page] = []
    entries: list[tuple[str, str]] = []
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        body, resources = exporter.from_notebook_node(notebook, {"metadata": {"name": path.stem}})
        target = out / f"{path.stem}.html"
        target.write_text(rewrite_links(body), encoding="utf-8")
        title = resources["wa"]["title"]
        pages.append(Page(target, title, target.stat().st_size, resources["wa"]["charts"]))
        entries.append((path.stem, title))
    documents = [("index.html", "Workers Abroad", contents_markdown(entries, has_guide))]
    if has_guide:
        documents.append(("teacher-guide.html", "Teacher guide", guide.read_text(encoding="utf-8")))
    for name, title, markdown in documents:
        notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(markdown)])
        notebook.metadata["title"] = title
        body, _ = exporter.from_notebook_node(notebook, {"metadata": {"name": title}})
        target = out / name
        target.write_text(rewrite_links(body), encoding="utf-8")
        page = Page(target, "Contents" if name == "index.html" else title, target.stat().st_size, 0)
        pages.insert(0, page) if name == "index.html" else pages.append(page)
    return pages


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--out", type=Path, default=SITE, help="output folder, emptied first (default: site/)"
    )
    parser.add_argument(
        "--notebooks",
        type=Path,
        default=None,
        help="folder of executed notebooks to build from (default: notebooks/, as committed)",
    )
    args = parser.parse_args(argv)
    paths = notebook_paths(args.notebooks) if args.notebooks else None
    pages = build(args.out, paths)
    shared = sum(p.stat().st_size for p in (args.out / ASSETS).iterdir())
    total = sum(p.stat().st_size for p in args.out.rglob("*") if p.is_file())
    print(f"{'page':<40} {'KB':>7} {'charts':>6}")
    for page in pages:
        print(f"{page.path.name:<40} {page.size / 1024:>7.0f} {page.charts:>6}")
    print(f"{'assets/ (shared by every page)':<40} {shared / 1024:>7.0f}")
    print(f"{'whole site':<40} {total / 1024:>7.0f}")
    print(f"open {args.out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
