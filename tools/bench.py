"""The benchmark: measured in one run, never asserted in tests (timings vary by machine).

Run ``python -m tools.bench`` from the repository root (``./tasks bench``). It prints one
table and exits 0 whatever it finds, because speed is something to watch, not a test:

* the kernel floor: a kernel started, an empty notebook run, the kernel shut down;
* each notebook's execution time, its delta above that floor (target ≤ 0.5 s) and its size
  (target < 300 KB);
* the strict-nbval run over every notebook (what ``./tasks test`` spends on notebooks);
* the import time of the libraries (``import pandas, plotly.graph_objects, ipywidgets``)
  against the import time of the helpers the notebooks themselves import (read from their
  code cells), each the median of fresh interpreters;
* both ratios: the largest notebook delta over the floor, and helper imports / library
  imports (target ≤ 1.2: the helpers should cost little beyond the libraries they wrap);
* the loader: ``load_all`` on a copy of data/ with 100,000 more valid visa rows, first
  validating (no stamp yet: every rule runs) and then with its stamp (parse and type only),
  each in a fresh interpreter that has imported pandas already, as a notebook has (target:
  validation under 3 s, issue 20). ``--loader-only`` measures just this.
"""

from __future__ import annotations

import argparse
import ast
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from workers_abroad.publishing.kernels import notebook_client_options
from workers_abroad.publishing.notebooks import NOTEBOOKS_DIR, ROOT, notebook_paths

LIBRARIES = "import pandas, plotly.graph_objects, ipywidgets"
DELTA_TARGET = 0.5  # seconds above the floor, per notebook
IMPORT_RATIO_TARGET = 1.2  # helper imports / library imports
SIZE_TARGET_KB = 300
LOADER_ROWS = 100_000
LOADER_TARGET = 3.0  # seconds to validate and load 100,000 valid rows (issue 20)


def run_seconds(notebook: nbformat.NotebookNode) -> float:
    """Wall time to start a kernel, run the notebook (in place) and shut the kernel down."""
    started = time.perf_counter()
    NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        record_timing=True,
        resources={"metadata": {"path": str(NOTEBOOKS_DIR)}},
        **notebook_client_options(),
    ).execute()
    return time.perf_counter() - started


def median_run(
    notebook: nbformat.NotebookNode, repeats: int
) -> tuple[float, nbformat.NotebookNode]:
    """The median wall time over ``repeats`` runs, and the last run's executed notebook (with its
    timings)."""
    times, executed = [], notebook
    for _ in range(repeats):
        executed = nbformat.from_dict(notebook)
        times.append(run_seconds(executed))
    return statistics.median(times), executed


def slowest_cells(notebook: nbformat.NotebookNode, count: int) -> list[tuple[float, int, str]]:
    """(seconds, cell index, first source line) of the ``count`` slowest code cells, from
    nbclient's timings."""
    cells = []
    for index, cell in enumerate(notebook.cells):
        timing = cell.get("metadata", {}).get("execution", {})
        start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
        if cell.cell_type == "code" and start and end:
            seconds = (
                datetime.fromisoformat(end.replace("Z", "+00:00"))
                - datetime.fromisoformat(start.replace("Z", "+00:00"))
            ).total_seconds()
            first = next((line for line in cell.source.splitlines() if line.strip()), "")
            cells.append((seconds, index, first))
    return sorted(cells, reverse=True)[:count]


def _import_once(statement: str) -> float:
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    return float(
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    )


def import_seconds(statements: list[str], repeats: int) -> list[float]:
    """Median time of each statement in fresh interpreters (the cost a kernel pays once).

    One discarded warm-up run each (a cold file cache would be charged to whichever runs
    first), then the statements alternate, so drift in the machine's load hits them alike.
    """
    for statement in statements:
        _import_once(statement)
    runs: list[list[float]] = [[] for _ in statements]
    for _ in range(repeats):
        for index, statement in enumerate(statements):
            runs[index].append(_import_once(statement))
    return [statistics.median(r) for r in runs]


def helper_imports(path: Path) -> list[str]:
    """The import statements of ``helpers`` in a notebook's code cells, as written there."""
    statements: list[str] = []
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type != "code":
            continue
        source = "\n".join(
            line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!"))
        )
        try:
            tree = ast.parse(source)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            module = node.module or "" if isinstance(node, ast.ImportFrom) else ""
            if (
                any(n.split(".")[0] == "helpers" for n in names)
                or module.split(".")[0] == "helpers"
            ):
                statements.append(ast.unparse(node))
    return statements


def append_visa_rows(folder: Path, rows: int) -> None:
    """``rows`` more valid visa rows at the end of ``folder``/visas.csv, each with its own key,
    count and quote stating that count, so every rule has work to do on each row. The loader's
    tests (tests/test_loader_limits.py) load these same rows, so what they check is what this
    benchmark times."""
    with open(folder / "visas.csv", "a", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        for i in range(rows):
            writer.writerow(
                [
                    f"VX{i}",
                    "2018",
                    "2018-01-01",
                    "2018-12-31",
                    "work",
                    i,
                    "F40",
                    "S01",
                    "",
                    "seed",
                    f"In these generated rows, {i:,} work visas.",
                ]
            )


def _load_once(folder: Path, cache: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one load_all in a fresh interpreter. CPU time is what the
    load costs; on a shared machine the wall time also holds the waits for a core."""
    code = (
        "import time, pandas; from pathlib import Path; from helpers import data; "
        "t, c = time.perf_counter(), time.process_time(); "
        f"data.load_all(Path({str(folder)!r})); "
        "print(time.perf_counter() - t, time.process_time() - c)"
    )
    env = {**os.environ, "WORKERS_ABROAD_CACHE": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True, env=env
    )
    wall, cpu = done.stdout.split()
    return float(wall), float(cpu)


def loader_seconds(
    rows: int, repeats: int
) -> tuple[list[tuple[float, float]], list[tuple[float, float]], int]:
    """(validating runs, stamped runs, bytes of visas.csv), each run (wall, CPU) seconds in a fresh
    interpreter; a validating run gets a fresh, empty stamp folder, a stamped run the one its
    validation left."""
    with tempfile.TemporaryDirectory(prefix="wa-bench-loader-") as tmp:
        folder = Path(tmp, "data")
        shutil.copytree(ROOT / "data", folder)
        append_visa_rows(folder, rows)
        fresh, stamped = [], []
        for run in range(repeats):
            cache = Path(tmp, f"cache-{run}")
            fresh.append(_load_once(folder, cache))
            stamped.append(_load_once(folder, cache))
        return fresh, stamped, (folder / "visas.csv").stat().st_size


def report_loader(rows: int, repeats: int) -> None:
    """The loader's line of the benchmark: validating, then stamped, wall and CPU time."""
    fresh, stamped, size = loader_seconds(rows, repeats)
    print(
        f"\nloader, data/ with {rows:,} more visa rows ({size / 1e6:.1f} MB),"
        f" median of {repeats} fresh interpreters (wall s / CPU s):"
    )
    for label, runs in (("validate and load (no stamp)", fresh), ("load with its stamp", stamped)):
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        target = ""
        if runs is fresh:
            target = f"  (target < {LOADER_TARGET} s: {verdict(wall < LOADER_TARGET)})"
        each = ", ".join(f"{w:.2f}/{c:.2f}" for w, c in runs)
        print(f"  {label + ':':<30} {wall:6.2f} / {cpu:5.2f}{target}  runs {each}")


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER TARGET"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per notebook (median; the floor gets 3 more)"
    )
    parser.add_argument(
        "--import-repeat", type=int, default=7, help="fresh interpreters per import timing (median)"
    )
    parser.add_argument("--no-nbval", action="store_true", help="skip timing the strict-nbval run")
    parser.add_argument(
        "--cells", type=int, default=3, help="show each notebook's N slowest cells (0: none)"
    )
    parser.add_argument(
        "--loader-only", action="store_true", help="measure only the loader on 100,000 rows"
    )
    parser.add_argument(
        "--loader-repeat", type=int, default=3, help="fresh interpreters per loader timing (median)"
    )
    args = parser.parse_args(argv)
    if args.loader_only:
        report_loader(LOADER_ROWS, args.loader_repeat)
        return 0
    paths = notebook_paths()

    empty = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])
    run_seconds(
        nbformat.from_dict(empty)
    )  # warm-up, discarded: the first kernel start pays for cold caches
    floors = [run_seconds(nbformat.from_dict(empty)) for _ in range(args.repeat + 4)]
    floor = statistics.median(floors)
    print(f"{'notebook':<34} {'run s':>7} {'over floor':>11} {'size KB':>8}")
    print(
        f"{'(kernel floor: empty notebook)':<34} {floor:7.2f} {'':>11} {'':>8}  "
        f"median of {len(floors)} after a warm-up, {min(floors):.2f}–{max(floors):.2f} s"
    )
    deltas = {}
    for path in paths:
        try:
            seconds, executed = median_run(nbformat.read(path, as_version=4), args.repeat)
        except Exception as error:  # a broken notebook is reported, not a reason to stop measuring
            text = re.sub(r"\x1b\[[0-9;]*m", "", str(error)).strip()
            summary = text.splitlines()[-1] if text else type(error).__name__
            size_kb = path.stat().st_size / 1024
            print(f"{path.name:<34} {'':>7} {'':>11} {size_kb:8.1f}  NOT TIMED: {summary[:80]}")
            continue
        deltas[path.name] = seconds - floor
        kb = path.stat().st_size / 1024
        flags = [] if deltas[path.name] <= DELTA_TARGET else [f"delta > {DELTA_TARGET} s"]
        flags += [] if kb < SIZE_TARGET_KB else [f"size ≥ {SIZE_TARGET_KB} KB"]
        verdicts = "; ".join(flags) or "ok"
        print(f"{path.name:<34} {seconds:7.2f} {deltas[path.name]:+11.2f} {kb:8.1f}  {verdicts}")
        timed = slowest_cells(executed, len(executed.cells))
        if args.cells and timed:
            code_cells = sum(1 for cell in executed.cells if cell.cell_type == "code")
            total = sum(t for t, _, _ in timed)
            print(f"    {code_cells} code cells ran for {total:.2f} s in all; the slowest:")
        for cell_seconds, index, first in timed[: args.cells]:
            print(f"    cell {index:>3} {cell_seconds:6.2f} s  {first[:70]}")

    if not args.no_nbval:
        started = time.perf_counter()
        nbval = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "--nbval",
                "--nbval-current-env",
                "--nbval-cell-timeout=120",
                "-p",
                "no:cacheprovider",
                *map(str, paths),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        status = "passed" if nbval.returncode == 0 else f"FAILED (exit {nbval.returncode})"
        nbval_seconds = time.perf_counter() - started
        print(f"\nstrict nbval, {len(paths)} notebooks: {nbval_seconds:.2f} s, {status}")
        plain = re.sub(r"\x1b\[[0-9;]*m", "", nbval.stdout).splitlines()
        for line in [line for line in plain if line.startswith(("FAILED", "ERROR"))][:10]:
            print(f"    {line[:110]}")

    statements = sorted({s for path in paths for s in helper_imports(path)})
    libraries, helpers_time = import_seconds(
        [LIBRARIES, "; ".join(statements) or "pass"], args.import_repeat
    )
    print(
        f"\nimport time, median of {args.import_repeat} fresh interpreters each (after a warm-up):"
    )
    print(f"  {LIBRARIES:<66} {libraries:6.3f} s")
    print(f"  {'the notebooks’ helper imports, all together:':<66} {helpers_time:6.3f} s")
    for statement in statements:
        print(f"    {statement}")

    import_ratio = helpers_time / libraries
    print("\nratios:")
    if deltas:
        worst = max(deltas, key=deltas.__getitem__)
        untimed = (
            f"; {len(paths) - len(deltas)} notebook(s) not timed"
            if len(deltas) < len(paths)
            else ""
        )
        print(
            f"  max notebook delta over floor: {deltas[worst]:.2f} s ({worst})"
            f" = {deltas[worst] / floor:.2f} × floor"
            f"  (target ≤ {DELTA_TARGET} s: {verdict(deltas[worst] <= DELTA_TARGET)}{untimed})"
        )
    else:
        print("  max notebook delta over floor: no notebook ran")
    print(
        f"  helper imports / library imports: {import_ratio:.2f}"
        f"  (target ≤ {IMPORT_RATIO_TARGET}: {verdict(import_ratio <= IMPORT_RATIO_TARGET)})"
    )
    report_loader(LOADER_ROWS, args.loader_repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
