"""README serves each reader in turn, stays short, and names only commands and paths that exist.

A short top (what this is, a screenshot, the two commands and what each installs), a table of
contents, then Reading, Teaching, Data and Contributing; the long material lives in docs/. A path
README names either exists in the repository or is one git ignores (what a command generates, or an
example folder such as submissions/, which must never be committed by accident).
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from helpers.paths import project_root

ROOT = project_root()
README = ROOT / "README.md"
MAX_BYTES = 12_000
#: The sections, in the order the readers come: each reader stops when they have what they need.
SECTIONS = ["Get started", "Contents", "Reading", "Teaching", "Data", "Contributing"]
#: The long material README links to instead of holding.
DOCS_PAGES = [
    "docs/install.md",
    "docs/data.md",
    "docs/contributing.md",
    "docs/benchmark.md",
    "docs/teacher-guide.md",
    "docs/grading.md",
    "docs/hub.md",
]
PATH_SUFFIXES = (
    ".md",
    ".csv",
    ".json",
    ".ipynb",
    ".py",
    ".cff",
    ".yml",
    ".toml",
    ".png",
    ".html",
    ".sh",
)


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text(encoding="utf-8")


def headings(text: str, level: int = 2) -> list[str]:
    """The headings of one level, outside code blocks."""
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    return re.findall(rf"^{'#' * level} (.+?)\s*$", prose, flags=re.M)


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def task_commands() -> set[str]:
    result = subprocess.run(
        [str(ROOT / "tasks"), "help"], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    return set(re.findall(r"^\s+\./tasks ([a-z-]+)", result.stdout, flags=re.M))


def exists(path: str) -> bool:
    """A path from the root, or a bare file name the README's tables give inside its folder."""
    if "/" in path.rstrip("/"):
        return (ROOT / path).exists()
    return any((ROOT / folder / path).exists() for folder in ("", "data", "notebooks", "docs"))


def git_ignores(path: str) -> bool:
    result = subprocess.run(
        ["git", "-C", str(ROOT), "check-ignore", "-q", path], capture_output=True
    )
    return result.returncode == 0


def named_paths(text: str) -> set[str]:
    """Relative link targets, and inline-code words that look like repository paths."""
    links = {
        target.split("#")[0]
        for target in re.findall(r"\]\(([^)\s]+)\)", text)
        if not re.match(r"[a-z]+:|#", target)
    }
    words: set[str] = set()
    for code in re.findall(r"`([^`\n]+)`", text):
        for word in code.split():
            word = word.strip(",;:()")
            if re.match(r"[a-z]+://|-|~|\$", word) or "…" in word or "OWNER" in word:
                continue
            if "/" in word or word.endswith(PATH_SUFFIXES):
                words.add(word)
    return {path for path in links | words if path}


def test_readme_is_under_twelve_kilobytes() -> None:
    size = README.stat().st_size
    assert size < MAX_BYTES, f"README.md is {size} bytes; move long material to docs/"


def test_sections_come_in_the_readers_order(readme: str) -> None:
    found = headings(readme)
    positions = [found.index(section) for section in SECTIONS if section in found]
    assert [s for s in SECTIONS if s in found] == SECTIONS, f"missing sections; README has {found}"
    assert positions == sorted(positions), f"sections out of order: {found}"


def test_the_table_of_contents_links_every_later_section(readme: str) -> None:
    found = headings(readme)
    contents = readme.split("## Contents", 1)[1].split("\n## ", 1)[0]
    anchors = re.findall(r"\]\(#([^)]+)\)", contents)
    later = found[found.index("Contents") + 1 :]
    assert anchors == [github_anchor(heading) for heading in later]


def test_the_top_has_a_screenshot_the_two_commands_and_what_they_install(readme: str) -> None:
    top = readme.split("## Contents", 1)[0]
    images = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", top)
    assert len(images) == 1 and (ROOT / images[0]).is_file(), images
    first_block = re.search(r"```bash\n(.*?)```", top, flags=re.S)
    assert first_block, "no commands at the top"
    commands = re.findall(r"^(\./tasks \S+)", first_block[1], flags=re.M)
    assert commands == ["./tasks lab", "./tasks test"]
    for installed in ("JupyterLab", "chromium", "bubblewrap", "apt-get", "sudo"):
        assert installed in top, f"the top does not say the commands install {installed}"


def test_every_command_readme_names_exists(readme: str) -> None:
    known = task_commands()
    named = set(re.findall(r"\./tasks ([a-z][a-z-]*)", readme))
    assert named and named <= known, f"unknown ./tasks commands: {sorted(named - known)}"
    for tool in re.findall(r"-m tools\.([a-z_]+)", readme):
        assert (ROOT / "tools" / f"{tool}.py").is_file(), tool
    for script in re.findall(r"(?<![\w/])(tools/[\w-]+\.sh)", readme):
        assert (ROOT / script).is_file(), script


def test_every_path_readme_names_exists_or_is_generated_and_ignored(readme: str) -> None:
    paths = named_paths(readme)
    assert {"data/", "docs/install.md", "notebooks/00-start-here.ipynb", "submissions/"} <= paths
    wrong = sorted(p for p in paths if not exists(p) and not git_ignores(p))
    assert wrong == [], f"README names paths that neither exist nor are ignored by git: {wrong}"


def test_the_example_folders_are_ignored_by_git() -> None:
    for folder in ("submissions/", "build/", "site/", "handout/"):
        assert git_ignores(folder), (
            f"{folder} is not in .gitignore: student work could be committed"
        )
    assert not git_ignores("notebooks/00-start-here.ipynb")  # the check can fail


def test_the_lab_address_in_readme_is_the_one_tasks_opens(readme: str) -> None:
    addresses = re.findall(r"http://127\.0\.0\.1:\d+(/lab/\S*?)\?token", readme)
    script = (ROOT / "tasks").read_text(encoding="utf-8")
    assert addresses, "README does not show the address ./tasks lab prints"
    assert all(f"--LabApp.default_url={address} " in script for address in addresses), addresses


@pytest.mark.parametrize("page", DOCS_PAGES)
def test_the_long_material_is_linked_from_readme(readme: str, page: str) -> None:
    assert f"]({page})" in readme, f"README does not link {page}"
    assert (ROOT / page).is_file(), f"{page} is linked but missing"


def test_the_benchmark_markers_are_in_one_place() -> None:
    """tools/bench.py rewrites the text between the markers: exactly one pair, in
    docs/benchmark.md."""
    pages = [README, *sorted((ROOT / "docs").glob("*.md"))]
    holders = [p.name for p in pages if "<!-- bench:begin -->" in p.read_text(encoding="utf-8")]
    assert holders == ["benchmark.md"]
    text = (ROOT / "docs" / "benchmark.md").read_text(encoding="utf-8")
    assert text.index("<!-- bench:begin -->") < text.index("<!-- bench:end -->")


def test_the_path_finder_sees_what_it_should() -> None:
    text = "See [a](docs/x.md#y), `./tasks grade submissions/`, `build/grades.csv` and [w](https://x.org/a/b)."
    assert named_paths(text) == {"docs/x.md", "./tasks", "submissions/", "build/grades.csv"}
    assert github_anchor("Licences and citation") == "licences-and-citation"


def test_the_data_section_names_every_table_and_its_source(readme: str) -> None:
    section = readme.split("\n## Data\n", 1)[1].split("\n## ", 1)[0]
    package = json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))
    tables = {Path(resource["path"]).name for resource in package["resources"]}
    missing = sorted(table for table in tables if f"`{table}`" not in section)
    assert missing == [], f"README's Data section does not name {missing}"
    assert "where it comes from" in section
