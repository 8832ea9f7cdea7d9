"""The code's rooms hold: what is installed, and who may import whom.

Readers', Binder's and a hub's environments get ``helpers`` (the notebooks' import) and
``workers_abroad`` (publishing and classroom) from ``pip install -e .``; the maintainers' ``tools/``
stays in the repository. Inside, each room imports only the rooms below it
(helpers <- workers_abroad.publishing <- workers_abroad.classroom <- tools), and no modules import
each other in a circle, so a room can be read, moved or installed without the ones above it.
The import graph is read from the source with :mod:`ast` (every ``import``, in functions too).
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

from setuptools.discovery import PackageFinder

ROOT = Path(__file__).resolve().parent.parent
#: The rooms from the bottom up: a module may import its own room and the rooms before it.
ROOMS = ("helpers", "workers_abroad.publishing", "workers_abroad.classroom", "tools")
#: The packages whose import graph is checked: everything installed into a reader's environment.
INSTALLED = ("helpers", "workers_abroad")
#: A module of each installed room, which the installed environment must be able to import.
INSTALLED_MODULES = (
    "helpers.data",
    "workers_abroad.publishing.site",
    "workers_abroad.classroom.grade",
)


def module_name(path: Path, root: Path = ROOT) -> str:
    """``workers_abroad/publishing/site.py`` -> ``workers_abroad.publishing.site``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def source_files(root: Path = ROOT) -> Iterator[Path]:
    """Every Python file of the installed packages."""
    for package in INSTALLED:
        yield from sorted((root / package).rglob("*.py"))


def imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterator[str]:
    """Every module name an ``import`` or ``from ... import`` in ``tree`` names, made absolute.

    ``from a import b`` yields ``a`` and ``a.b`` (``b`` may be a module); names that are not
    modules of the project are dropped later.
    """
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Each module of the installed packages -> the project's modules it imports."""
    files = {module_name(path, root): path for path in source_files(root)}
    project_prefixes = (*INSTALLED, "tools")
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        names = imported_names(tree, module, path.name == "__init__.py")
        graph[module] = {
            name
            for name in names
            if name != module and (name in files or name.split(".")[0] == "tools")
            if name.split(".")[0] in project_prefixes
        }
    return graph


def room_of(module: str) -> int:
    """The room's place from the bottom: the longest room name the module starts with."""
    places = [i for i, room in enumerate(ROOMS) if module == room or module.startswith(room + ".")]
    if places:
        return max(places)
    return ROOMS.index("workers_abroad.publishing")  # workers_abroad/__init__.py: the lower room


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import from a room into a room above it, as 'importer -> imported'."""
    return sorted(
        f"{module} -> {name}"
        for module, names in graph.items()
        for name in names
        if room_of(name) > room_of(module)
    )


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or round a circle (Tarjan)."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = lowest[module] = len(index)
        stack.append(module)
        for name in graph.get(module, ()):
            if name not in index:
                visit(name)
                lowest[module] = min(lowest[module], lowest[name])
            elif name in stack:
                lowest[module] = min(lowest[module], index[name])
        if lowest[module] == index[module]:
            group = []
            while not group or group[-1] != module:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_nothing_imports_a_room_above_its_own():
    graph = import_graph()
    assert graph["workers_abroad.classroom.grade"], "the graph read no import at all"
    assert upward_imports(graph) == []


def test_no_modules_import_each_other_in_a_circle():
    assert circles(import_graph()) == []


def test_the_installed_environment_imports_the_rooms_but_not_tools(tmp_path: Path):
    """From a folder outside the repository, in isolated mode (no PYTHONPATH, no current folder
    on the path), the venv imports helpers and workers_abroad and finds no ``tools``."""
    probe = (
        "import importlib, importlib.util, sys\n"
        f"for name in {INSTALLED_MODULES!r}:\n"
        "    importlib.import_module(name)\n"
        "print(importlib.util.find_spec('tools'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-I", "-c", probe],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"


def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_package_list_holds_the_rooms_and_no_tools():
    """What setuptools puts in the wheel, found as it finds it from pyproject.toml."""
    find = pyproject()["tool"]["setuptools"]["packages"]["find"]
    packages = PackageFinder.find(
        where=str(ROOT), include=find.get("include", ("*",)), exclude=find.get("exclude", ())
    )
    assert not [name for name in packages if name.split(".")[0] == "tools"]
    assert {"helpers", "workers_abroad.publishing", "workers_abroad.classroom"} <= set(packages)
    expected = {module_name(path.parent) for path in source_files() if path.name == "__init__.py"}
    assert set(packages) == expected


def test_every_file_the_publishing_code_reads_installs_with_it():
    """The site's template and assets, the vendored plotly.js and Voila's template are read
    beside the modules at run time: each is matched by a package-data pattern."""
    folder = ROOT / "workers_abroad" / "publishing"
    patterns = pyproject()["tool"]["setuptools"]["package-data"]["workers_abroad.publishing"]
    data = [
        path.relative_to(folder).as_posix()
        for name in ("site_assets", "vendor", "voila")
        for path in (folder / name).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    ]
    installed = {
        path.relative_to(folder).as_posix() for pattern in patterns for path in folder.glob(pattern)
    }
    assert "voila/voila/templates/workers-abroad/index.html.j2" in data
    assert sorted(set(data) - installed) == []
