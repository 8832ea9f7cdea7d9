"""``jupyter nbconvert --to workers-abroad``: one notebook as the site's offline page, in one file.

Why: nbconvert's own HTML export (and JupyterLab's *Save and Export Notebook As ▸ HTML*) loads
plotly from a CDN or not at all, so a teacher's exported notebook shows empty charts offline.
This exporter renders the notebook exactly as the site shows it (:mod:`.render`: same sanitizing,
charts, captions, data tables, widget snapshots, print layout, template) and inlines the
partial plotly.js bundle and the CSS, so the single .html file works with no network.

Registered as an ``nbconvert.exporters`` entry point in pyproject.toml, so after
``pip install -e .`` it is listed by ``jupyter nbconvert --help-all`` and in JupyterLab's
*File ▸ Save and Export Notebook As*. The site build uses the same class with
``inline_assets=False`` (one shared copy of the bundle in assets/) and a site bar.

Run: ``jupyter nbconvert --to workers-abroad notebooks/03-the-visa-surge.ipynb`` or
``python -m workers_abroad.publishing.export NOTEBOOK [--out FILE]``. Both write to
``build/export/`` unless told otherwise (``--output-dir``, ``--out``): generated pages stay
out of git's way, never beside the notebook.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nbformat
from jinja2 import pass_context
from jinja2.runtime import Context
from nbconvert import HTMLExporter
from traitlets import Bool, Unicode, default

from workers_abroad.publishing import render
from workers_abroad.publishing.notebooks import ROOT


def default_output_dir() -> Path:
    """Where exported pages go when no output folder is given: the ignored build/ folder.

    The checkout's build/export when the collection runs from its repository (``pip install
    -e .``, Binder), else build/export under the current folder (an installed copy must not
    write into site-packages).
    """
    if (ROOT / "pyproject.toml").is_file():
        return ROOT / "build" / "export"
    return Path.cwd() / "build" / "export"


DEFAULT_OUTPUT_DIR = default_output_dir()


class WorkersAbroadExporter(HTMLExporter):
    """An offline Workers Abroad page for one notebook (nbconvert's lab template, no CDN)."""

    export_from_notebook = "Workers Abroad page (offline, charts kept)"

    inline_assets = Bool(
        True,
        help="Inline plotly.js and the CSS into the page (one offline file) "
        "instead of linking assets/.",
    ).tag(config=True)
    site_bar = Unicode(
        "", help="HTML of the navigation bar put at the top of the page (the site sets it)."
    )
    default_output_dir = Unicode(
        str(DEFAULT_OUTPUT_DIR),
        help="Folder nbconvert writes to when --output-dir is not given (not the notebook's).",
    ).tag(config=True)

    @default("template_name")
    def _template_name_default(self) -> str:
        return "lab"

    @default("template_file")
    def _template_file_default(self) -> str:
        return render.TEMPLATE_FILE

    @default("extra_template_paths")
    def _extra_template_paths_default(self) -> list[str]:
        """Our page shell's folder, searched before nbconvert's lab template that it extends."""
        return [str(render.SITE_ASSETS)]

    @pass_context
    def markdown2html(self, context: Context, source: str) -> str:
        """A markdown cell as HTML, sanitized exactly as outputs are (``render.sanitize``).

        Why: nbconvert passes raw HTML in markdown through, so a shared notebook's cell
        could hold ``<script>`` or a ``javascript:`` link; a teacher exports students' work.
        """
        return render.sanitize(super().markdown2html(context, source))

    def from_notebook_node(
        self, nb: nbformat.NotebookNode, resources: dict[str, Any] | None = None, **kw: Any
    ) -> tuple[str, dict[str, Any]]:
        """Render the prepared notebook (sanitized outputs, drawn charts) in the Workers Abroad
        shell."""
        resources = dict(resources or {})
        name = resources.get("metadata", {}).get("name", "notebook")
        prepared, charts = render.prepare(nb)
        title = prepared.metadata.get("title") or render.title_of(prepared, name)
        prepared.metadata["title"] = title
        resources["wa"] = {
            **render.page_resources(self.inline_assets, self.site_bar),
            "title": title,
            "charts": charts,
        }
        body, resources = super().from_notebook_node(prepared, resources, **kw)
        body = render.without_idle_tab_stops(render.unwrap_plain_tokens(body))
        body = render.without_empty_collapsers(body)
        return body, self._to_output_dir(resources)

    def _to_output_dir(self, resources: dict[str, Any]) -> dict[str, Any]:
        """Resources pointing nbconvert's writer at ``default_output_dir``.

        Why: without ``--output-dir`` nbconvert writes beside the notebook (the writer reads
        the folder from ``metadata.path``), which puts generated pages in notebooks/ where
        git sees them. An explicit ``--output-dir`` still wins: the writer prefers it.
        """
        try:
            Path(self.default_output_dir).mkdir(parents=True, exist_ok=True)
        except OSError:  # read-only here (JupyterLab's export menu writes no file): leave it be
            return resources
        metadata = dict(resources.get("metadata") or {})
        metadata["path"] = self.default_output_dir
        return {**resources, "metadata": metadata}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("notebook", type=Path, help="the .ipynb file to export")
    parser.add_argument(
        "--out", type=Path, default=None, help="output .html (default: build/export/NOTEBOOK.html)"
    )
    args = parser.parse_args(argv)
    body, resources = WorkersAbroadExporter().from_filename(str(args.notebook))
    out = args.out or DEFAULT_OUTPUT_DIR / args.notebook.with_suffix(".html").name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(body, encoding="utf-8")
    print(f"{out} ({len(body.encode()) / 1024:.0f} KB, {resources['wa']['charts']} charts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
