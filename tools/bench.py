"""The benchmark: measured here, never asserted in tests (timings vary by machine).

Prints each notebook's execution time beside the floor (the same kernel running an empty
notebook), the whole strict-nbval suite's time, ``import helpers`` time and each committed
notebook's size, and compares them with the collection's targets:
  suite <= 1.5 x (floor x notebooks) + 1 s per notebook; import helpers < 0.5 s; notebook < 300 KB.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

import nbformat
from nbclient import NotebookClient

from tools.notebooks import NOTEBOOKS_DIR, ROOT, notebook_paths


def run_seconds(notebook: nbformat.NotebookNode) -> float:
    """Wall time to start a kernel, run the notebook and shut the kernel down."""
    started = time.perf_counter()
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS_DIR)}}).execute()
    return time.perf_counter() - started


def import_seconds(statement: str, repeats: int = 5) -> float:
    """Median time of ``statement`` in a fresh interpreter."""
    code = f"import time; t = time.perf_counter(); {statement}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout) for _ in range(repeats)]
    return statistics.median(runs)


def verdict(ok: bool) -> str:
    return "ok" if ok else "OVER TARGET"


def main() -> None:
    paths = notebook_paths()
    floor = statistics.median(run_seconds(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1")])) for _ in range(3))
    print(f"floor (kernel start + empty notebook): {floor:.2f} s")
    for path in paths:
        seconds = run_seconds(nbformat.read(path, as_version=4))
        print(f"  {path.name:<36} {seconds:6.2f} s  (floor + {seconds - floor:.2f} s)")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pytest", "-q", "--nbval", "--nbval-current-env", "-p", "no:cacheprovider", *map(str, paths)], cwd=ROOT, check=True, capture_output=True)
    suite = time.perf_counter() - started
    budget = 1.5 * floor * len(paths) + len(paths)
    print(f"nbval suite: {suite:.2f} s  (target <= {budget:.2f} s: {verdict(suite <= budget)})")
    for statement in ("import helpers", "import helpers.data", "import helpers.plots, helpers.widgets"):
        seconds = import_seconds(statement)
        target = f"  (target < 0.5 s: {verdict(seconds < 0.5)})" if statement == "import helpers" else ""
        print(f"{statement}: {seconds:.3f} s{target}")
    for path in paths:
        kb = path.stat().st_size / 1024
        print(f"  {path.name:<36} {kb:7.1f} KB  (target < 300 KB: {verdict(kb < 300)})")


if __name__ == "__main__":
    main()
