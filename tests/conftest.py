"""Shared fixtures: a private validation cache, the validated tables, disposable copies of
data/, one chromium and one static site for the whole run, and a JupyterLab per module."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from helpers.paths import project_root

DATA = project_root() / "data"
BAD_INPUT_MESSAGES: list[tuple[str, str]] = []
XSS_FINDINGS: list[str] = []


@pytest.fixture(autouse=True, scope="session")
def private_validation_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests validate for real: never trust a stamp left by a notebook run."""
    mp = pytest.MonkeyPatch()
    mp.setenv("WORKERS_ABROAD_CACHE", str(tmp_path_factory.mktemp("validation-cache")))
    yield
    mp.undo()


@pytest.fixture(scope="session")
def tables(private_validation_cache: None) -> dict[str, pd.DataFrame]:
    """Every table of data/, validated and typed: one load for the whole session (load_all
    returns copies)."""
    from helpers.data import load_all

    return load_all()


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    """A writable copy of data/ to corrupt."""
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


def record_bad_input(case: str, message: str) -> None:
    """Keep an error message so the terminal summary shows what each corruption produces."""
    BAD_INPUT_MESSAGES.append((case, message))


def record_xss_finding(line: str) -> None:
    """Keep what tests/test_xss.py found, so the summary lists each output for its notebook's
    owner."""
    XSS_FINDINGS.append(line)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if XSS_FINDINGS:
        terminalreporter.section(
            "XSS test: live markup from planted data, and cells that failed on it"
        )
        for line in XSS_FINDINGS:
            terminalreporter.write_line(line)
    if BAD_INPUT_MESSAGES:
        terminalreporter.section("bad-input suite: the error each corrupted copy of data/ gives")
        for case, message in BAD_INPUT_MESSAGES:
            terminalreporter.write_line(f"[{case}]")
            for line in message.splitlines():
                terminalreporter.write_line(f"    {line}")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's chromium, headless, launched once for the whole run by Playwright from its fixed
    path (Playwright's sync API allows one running instance per thread).

    Between its calls Playwright marks its event loop as running in this thread, so a later
    test could not call ``asyncio.run`` itself; nbclient and jupyter_client cope (their
    ``run_sync`` then runs the coroutine on a thread of its own), and no test does.
    """
    from playwright.sync_api import sync_playwright

    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS

    assert CHROMIUM.is_file(), (
        f"{CHROMIUM} is missing: install Debian's chromium package (./tasks test does)"
    )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def site_notebooks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of notebooks/ taken once: the site and the tests' expectations read the same
    files while notebooks are edited during the run."""
    from tests.browser_support import notebook_paths

    folder = tmp_path_factory.mktemp("notebooks")
    for path in notebook_paths():
        shutil.copyfile(path, folder / path.name)
    return folder


@pytest.fixture(scope="session")
def site(site_notebooks: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The static site, built once per run from ``site_notebooks`` by the project's builder."""
    from tests.browser_support import build_site

    return build_site(tmp_path_factory.mktemp("site") / "site", notebooks=site_notebooks)


@pytest.fixture(scope="module")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """One JupyterLab on a copy of notebooks/ for a test module, every notebook's kernel started
    at once (they boot while the browser starts); always shut down with its kernels."""
    from tests.browser_support import notebook_paths, process_group_alive, start_lab, stop_lab

    server = start_lab(tmp_path_factory.mktemp("jupyterlab"))
    try:
        for path in notebook_paths():
            server.start_kernel_for(path.name)
        yield server
    finally:
        pgid = server.process.pid
        stop_lab(server)
        if process_group_alive(pgid):
            raise RuntimeError(f"JupyterLab's process group {pgid} survived the shutdown")
