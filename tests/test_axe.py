"""Accessibility: axe-core finds no serious or critical violation on any site page or on the export.

axe-core is the engine browsers' own audits use (pinned in package.json, installed by
``npm ci`` when node_modules lacks it). Every page is audited as a reader opens it, offline,
in the light and in the dark colour scheme (the site follows the reader's system setting),
after its charts are drawn, so chart text is audited too. Moderate and minor findings are
printed, not failed on.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from tests.browser_support import ROOT, axe_script, open_with_charts_drawn

FAILING_IMPACTS = {"serious", "critical"}
SCHEMES = ("light", "dark")
EXPORTED = ROOT / "notebooks" / "03-the-visa-surge.ipynb"

pytestmark = pytest.mark.browser  # every audit runs in chromium


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "jupyter",
            "nbconvert",
            "--to",
            "workers-abroad",
            str(EXPORTED),
            "--output-dir",
            str(out),
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return out / f"{EXPORTED.stem}.html"


def audit(browser: Browser, url: str, scheme: str) -> list[dict[str, Any]]:
    """axe's violations on a page opened offline in one colour scheme, once its charts are drawn."""
    # bypass_csp: the pages' policy rightly blocks the script axe injects; the audit is ours, not
    # the page's.
    context = browser.new_context(
        viewport={"width": 1280, "height": 900},
        color_scheme=scheme,
        offline=True,
        bypass_csp=True,
    )
    try:
        page: Page = context.new_page()
        open_with_charts_drawn(page, url)
        page.add_script_tag(path=str(axe_script()))
        return page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        )
    finally:
        context.close()


def summary(violations: list[dict[str, Any]]) -> list[str]:
    return [
        f"{v['impact']} {v['id']} ×{len(v['nodes'])}: {v['help']} — e.g. {v['nodes'][0]['target']} "
        f"{v['nodes'][0].get('failureSummary', '')[:200]!r}"
        for v in violations
    ]


def check(browser: Browser, url: str, name: str) -> None:
    failing = []
    for scheme in SCHEMES:
        violations = audit(browser, url, scheme)
        for line in summary([v for v in violations if v["impact"] not in FAILING_IMPACTS]):
            print(f"{name} ({scheme}): {line}")
        failing += [
            f"{scheme}: {line}"
            for line in summary([v for v in violations if v["impact"] in FAILING_IMPACTS])
        ]
    assert not failing, f"{name}: axe finds serious or critical violations:\n" + "\n".join(failing)


def site_pages() -> list[str]:
    from workers_abroad.publishing.notebooks import notebook_paths

    return ["index.html", *[f"{p.stem}.html" for p in notebook_paths()], "teacher-guide.html"]


@pytest.mark.parametrize("name", site_pages())
def test_site_page_has_no_serious_accessibility_violation(name: str, site: Path, browser: Browser):
    page = site / name
    if name == "teacher-guide.html" and not (ROOT / "docs" / "teacher-guide.md").is_file():
        pytest.fail("the teacher guide is missing")
    check(browser, page.as_uri(), name)


def test_exported_notebook_has_no_serious_accessibility_violation(exported: Path, browser: Browser):
    check(browser, exported.as_uri(), exported.name)


def test_axe_sees_a_violation_when_there_is_one(browser: Browser, tmp_path: Path):
    """The audit is not blind: grey-on-white text and a link inside a button are caught."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><title>bad</title></head><body><main>'
        '<p style="color:#aaaaaa;background:#ffffff">pale text</p>'
        '<div role="button" tabindex="0">x <a href="#a">link</a></div></main></body></html>'
    )
    ids = {
        v["id"] for v in audit(browser, page.as_uri(), "light") if v["impact"] in FAILING_IMPACTS
    }
    assert {"color-contrast", "nested-interactive"} <= ids, ids


def test_axe_is_the_pinned_version():
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["axe-core"]
    assert json.loads((axe_script().parent / "package.json").read_text())["version"] == pinned
