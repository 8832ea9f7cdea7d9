"""End to end: markup planted in every free-text cell of data/ never becomes live markup anywhere.

Data text is untrusted (a student can edit any CSV). This test copies data/, appends a payload to
every free-text cell of every table (ids, dates, numbers, enums, patterned codes and URLs stay
valid, and quotes keep their figures, so the copy still passes validation), executes every
notebook against it with nbclient (WORKERS_ABROAD_DATA points at the copy), and looks for live
markup coming from the payload in every output a browser renders: text/html, text/markdown,
image/svg+xml, the text fields of plotly figures, and widget state (HTML values, labels,
descriptions, Output widgets' outputs). Each payload names its table and column, so a finding
says where the text came from. Then it builds the static site from those executed notebooks and
opens every page in headless chromium, where an init script and a dialog handler record any
alert() that fires (the payload's onerror handler, script or javascript: link would call it).

A separate check: a ``javascript:`` URL in sources.csv is rejected by validation, so it can never
become a link. Notebooks run two at a time (the machine has two cores); about a minute in all.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from helpers import data
from helpers.paths import project_root
from tests.browser_support import build_site
from tests.conftest import record_xss_finding

#: About two minutes: every notebook is executed on planted data (kernels), the site is built and
#: opened in chromium; still in the suite.
pytestmark = [pytest.mark.slow, pytest.mark.kernel, pytest.mark.browser]
ROOT = project_root()
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "srcdoc",
    "poster",
    "background",
}
RENDERED = ("text/html", "text/markdown", "image/svg+xml", "application/javascript")
PLOTLY = "application/vnd.plotly.v1+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def payload(place: str) -> str:
    """Markup that runs if it is ever rendered unescaped; ``place`` (table.column) traces it
    back."""
    return (
        f' <img src=x onerror="alert(\'{place}\')"><script>alert("{place}")</script>'
        f"<a href=\"javascript:alert('{place}')\">{place}</a> "
        f"[{place}](javascript:alert(3)) javascript:alert(3)"
    )


# ---------------------------------------------------------------- planting


def free_text_columns(resource: dict[str, Any]) -> list[str]:
    """String columns a person writes: no enum, no URL format, not the key, not a derivation rule,
    not a code."""
    key = resource["schema"]["primaryKey"][0]
    return [
        f["name"]
        for f in resource["schema"]["fields"]
        if f.get("type", "string") == "string"
        and f["name"] not in (key, "derived_from")
        and f.get("format") != "uri"
        and "enum" not in f.get("constraints", {})
    ]


def plant(folder: Path) -> dict[str, list[str]]:
    """Append the payload to every free-text cell that stays valid with it; returns table -> planted
    columns."""
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    planted: dict[str, list[str]] = {}
    for resource in descriptor["resources"]:
        path = folder / resource["path"]
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        fields = {f["name"]: f for f in resource["schema"]["fields"]}
        columns = []
        for column in free_text_columns(resource):
            pattern = fields[column].get("constraints", {}).get("pattern")
            text = payload(f"{resource['name']}.{column}")
            if (
                not frame[column].any()
                or pattern
                and not all(re.fullmatch(pattern, v + text) for v in frame[column] if v)
            ):
                # an empty column, or a patterned code (an id, a label format) appending would
                # make invalid
                continue
            frame[column] = [v + text if v else v for v in frame[column]]
            columns.append(column)
        frame.to_csv(path, index=False, lineterminator="\n")
        planted[resource["name"]] = columns
    return planted


@pytest.fixture(scope="module")
def planted_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    folder = tmp_path_factory.mktemp("planted") / "data"
    shutil.copytree(ROOT / "data", folder)
    return folder, plant(folder)


def test_the_planted_copy_is_valid_and_covers_every_table(
    planted_data: tuple[Path, dict[str, list[str]]],
) -> None:
    """Not vacuous: the payload reached every table and every quote, and the copy still loads."""
    folder, planted = planted_data
    assert data.validation_problems(folder) == []
    tables = data.load_all(folder)
    assert set(planted) == set(tables)
    for name, columns in planted.items():
        assert "quote" in columns or name == "sources", (name, columns)
        for column in columns:
            assert (
                tables[name][column].str.contains(f"alert('{name}.{column}')", regex=False).any()
            ), (name, column)
    assert {"publisher", "title", "note"} <= set(planted["sources"])


def test_a_javascript_url_is_refused_so_it_never_becomes_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(ROOT / "data", folder)
    frame = pd.read_csv(folder / "sources.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "url"] = "javascript:alert(3)"
    frame.to_csv(folder / "sources.csv", index=False, lineterminator="\n")
    problems = data.validation_problems(folder)
    assert [(p.file, p.row, p.column, p.rule) for p in problems] == [
        ("sources.csv", 2, "url", "http-url")
    ]


# ---------------------------------------------------------------- finding live markup


class LiveMarkup(HTMLParser):
    """Collects what a browser would run: script elements, on* handlers and javascript: URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._script = tag == "script"
        for name, value in attrs:
            squeezed = re.sub(r"[\s\x00-\x1f]", "", value or "").lower()
            if name.startswith("on") and "alert(" in (value or ""):
                self.found.append(f"<{tag} {name}={value!r}>")
            elif name in URL_ATTRIBUTES and squeezed.startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag: str) -> None:
        self._script = False

    def handle_data(self, text: str) -> None:
        if self._script and text.strip().startswith("alert("):  # the planted script element itself
            self.found.append(f"<script>{text.strip()}</script>")


def live_markup(text: str, markdown: bool = False) -> list[str]:
    parser = LiveMarkup()
    parser.feed(text)
    parser.close()
    found = parser.found
    if markdown:  # a Markdown link renders as <a href=...>
        found += [
            m.group(0) for m in re.finditer(r"\]\(\s*<?\s*javascript:[^)]*\)", text, re.IGNORECASE)
        ]
    return found


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)


def scan_outputs(outputs: list[dict[str, Any]], where: str) -> Iterator[str]:
    for output in outputs:
        for mime, content in (output.get("data") or {}).items():
            text = "".join(content) if isinstance(content, list) else content
            if mime in RENDERED:
                for hit in live_markup(text, markdown=mime == "text/markdown"):
                    yield f"{where} {mime}: {hit}"
            elif mime == PLOTLY:
                for value in strings(content):
                    for hit in live_markup(value):
                        yield f"{where} plotly figure text: {hit}"


def scan_notebook(notebook: dict[str, Any], name: str) -> list[str]:
    findings = []
    for index, cell in enumerate(notebook["cells"]):
        findings += scan_outputs(cell.get("outputs", []), f"{name} cell {index}")
    state = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    for model_id, model in state.items():
        where = f"{name} widget {model.get('model_name')} {model_id[:8]}"
        values = model.get("state", {})
        findings += scan_outputs(values.get("outputs", []), where + " output")
        # What ipywidgets 8 puts in the page as HTML (innerHTML): an HTML or HTMLMath value, and a
        # description that allows HTML. Labels, option labels, button texts and tooltips are set as
        # text.
        html_keys = ["value"] if model.get("model_name") in ("HTMLModel", "HTMLMathModel") else []
        html_keys += ["description"] if values.get("description_allow_html") else []
        findings += [
            f"{where} {key}: {hit}"
            for key in html_keys
            for hit in live_markup(str(values.get(key, "")))
        ]
    return findings


def error_outputs(notebook: dict[str, Any], name: str) -> list[str]:
    return [
        f"{name} cell {i}: {o.get('ename')}: {o.get('evalue', '')[:160]}"
        for i, cell in enumerate(notebook["cells"])
        for o in cell.get("outputs", [])
        if o.get("output_type") == "error"
    ]


# ---------------------------------------------------------------- executing the notebooks on
# planted data

EXECUTE = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True, store_widget_state=True,
               resources={"metadata": {"path": sys.argv[3]}}).execute()
nbformat.write(nb, sys.argv[2])
"""


@pytest.fixture(scope="module")
def executed(
    planted_data: tuple[Path, dict[str, list[str]]], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """Every notebook, copied and executed against the planted data, two at a time (two cores)."""
    folder, _ = planted_data
    source = tmp_path_factory.mktemp("notebooks-source")
    out = tmp_path_factory.mktemp("notebooks-executed")
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy(path, source / path.name)
    env = {**os.environ, "WORKERS_ABROAD_DATA": str(folder), "PYTHONPATH": str(ROOT)}

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", EXECUTE, str(path), str(out / path.name), str(source)],
            env=env,
            cwd=source,
            capture_output=True,
            text=True,
            timeout=600,
        )

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, sorted(source.glob("*.ipynb"))))
    failed = [r.stderr[-2000:] for r in results if r.returncode]
    assert not failed, failed
    return out


def test_no_planted_markup_is_live_in_any_notebook_output(executed: Path) -> None:
    findings, errors = [], []
    for path in sorted(executed.glob("*.ipynb")):
        notebook = json.loads(path.read_text(encoding="utf-8"))
        findings += scan_notebook(notebook, path.stem)
        errors += error_outputs(notebook, path.stem)
    for line in findings + [f"(error, not scanned past it) {e}" for e in errors]:
        record_xss_finding(line)
    assert len(list(executed.glob("*.ipynb"))) == len(list((ROOT / "notebooks").glob("*.ipynb")))
    reached = [
        p.stem
        for p in executed.glob("*.ipynb")
        if "onerror" in json.dumps(json.loads(p.read_text())["cells"])
    ]
    assert len(reached) >= 3, (
        f"the payload reached the outputs of only {reached}: the test would prove little"
    )
    assert not findings, f"{len(findings)} live markup finding(s):\n" + "\n".join(findings)


def test_every_notebook_runs_on_planted_data(executed: Path) -> None:
    """Data text is text: a payload in a label must not break a notebook (which would leave outputs
    unchecked)."""
    errors = [
        e
        for path in sorted(executed.glob("*.ipynb"))
        for e in error_outputs(json.loads(path.read_text()), path.stem)
    ]
    assert not errors, "\n".join(errors)


# ---------------------------------------------------------------- the static site, in a real
# browser

RECORDER = """
window.__fired = [];
for (const name of ["alert", "confirm", "prompt"]) {
  window[name] = (message) => { window.__fired.push(name + ": " + String(message)); };
}
"""


def test_no_planted_markup_fires_in_the_static_site(
    executed: Path, tmp_path: Path, browser: Any
) -> None:
    site = tmp_path / "site"
    build_site(site, notebooks=executed)
    pages = sorted(site.glob("*.html"))
    assert len(pages) >= len(list(executed.glob("*.ipynb")))
    static = [
        f"{page.name}: {hit}"
        for page in pages
        for hit in live_markup(page.read_text(encoding="utf-8"))
    ]
    fired: list[str] = []
    shown: list[str] = []
    control = tmp_path / "control.html"
    control.write_text("<p>control</p>" + payload("control"), encoding="utf-8")
    context = browser.new_context(offline=True)  # the shared chromium (tests/conftest.py)
    try:
        context.add_init_script(RECORDER)
        page = context.new_page()
        page.goto(control.as_uri(), wait_until="load")
        page.wait_for_timeout(300)
        assert len(page.evaluate("window.__fired")) == 2, (
            "the recorder must catch the payload's onerror and script"
        )
        page.close()
        for page_path in pages:
            page = context.new_page()
            page.on(
                "dialog",
                lambda dialog, name=page_path.name: (
                    fired.append(f"{name}: dialog {dialog.message}"),
                    dialog.dismiss(),
                ),
            )
            page.goto(page_path.as_uri(), wait_until="load")
            page.wait_for_timeout(300)  # let image errors and deferred scripts run
            fired.extend(f"{page_path.name}: {m}" for m in page.evaluate("window.__fired"))
            shown += [page_path.name] * ("onerror=" in page.inner_text("body"))
            page.close()
    finally:
        context.close()
    for line in static + fired:
        record_xss_finding(f"site {line}")
    assert len(shown) >= 3, (
        f"the payload, as text, reached only {shown}: the test would prove little"
    )
    assert not static and not fired, "\n".join(static + fired)


def test_the_scanner_finds_live_markup_and_passes_escaped_text() -> None:
    """The detector itself: each kind of live markup is found, the same text escaped is not."""
    raw = payload("t.c")
    assert (
        len(live_markup(raw, markdown=True)) == 4
    )  # onerror, script, javascript: href, Markdown link
    assert live_markup('<A HREF=" jav&#x09;ascript:alert(1)">x</A>') and live_markup(
        "<svg><a xlink:href='javascript:alert(1)'/></svg>"
    )
    escaped = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    assert live_markup(escaped) == []
    notebook = {
        "cells": [
            {
                "outputs": [
                    {"data": {"text/html": raw, PLOTLY: {"layout": {"title": {"text": raw}}}}}
                ]
            }
        ],
        "metadata": {
            "widgets": {
                WIDGET_STATE: {
                    "state": {
                        "a" * 32: {"model_name": "HTMLModel", "state": {"value": raw}},
                        "b" * 32: {"model_name": "LabelModel", "state": {"value": raw}},
                        "c" * 32: {
                            "model_name": "FloatSliderModel",
                            "state": {"description": raw, "description_allow_html": True},
                        },
                    }
                }
            }
        },
    }
    found = scan_notebook(notebook, "nb")
    assert {f.split(":")[0] for f in found} == {
        "nb cell 0 text/html",
        "nb cell 0 plotly figure text",
        f"nb widget HTMLModel {'a' * 8} value",
        f"nb widget FloatSliderModel {'c' * 8} description",
    }
