"""Run one submission's code cells in a fresh kernel, inside the sandbox, and hand back its answers.

This file is the only code of the grader that runs inside the sandbox (sandbox.py mounts it
read-only). It reads the job from stdin (the code cells and the answer variables), runs the cells
with nbclient in the collection's python3 kernel over IPC sockets in the sandbox's scratch folder,
keeps no output but the first errors, then asks the kernel for the answer variables as JSON and
writes the result to the pipe the job names (``result_fd``). Everything it writes is the
submission's own claim: the
grader outside validates it as untrusted data and scores it with the registry there.

Standard library, nbformat and nbclient only: the sandbox has no workers_abroad package.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

SCRATCH = os.environ.get("WA_SCRATCH", "/scratch")  # set only when graded without a sandbox
ANSWERS_FILE = f"{SCRATCH}/answers.json"
MAX_ANSWERS_BYTES = 64 * 1024
MAX_ERRORS = 5
#: Runs in the student's kernel after their cells: plain data only, anything else is named by type.
DUMP = """
def _wa_dump(names, path):
    import datetime as _dt
    import json as _json
    import math as _math
    import numbers as _numbers
    scope = globals()
    found = {}
    for name in names:
        if name not in scope:
            found[name] = {"kind": "missing"}
            continue
        value = scope[name]
        if value is None or value is Ellipsis:
            found[name] = {"kind": "placeholder"}
        elif isinstance(value, bool) or type(value).__name__ == "bool_":
            found[name] = {"kind": "bool", "value": bool(value)}
        elif isinstance(value, _numbers.Real):
            number = float(value)
            shown = number if _math.isfinite(number) else repr(number)
            found[name] = {"kind": "number", "value": shown}
        elif isinstance(value, str):
            found[name] = {"kind": "text", "value": value[:200]}
        elif isinstance(value, (_dt.date, _dt.datetime)):
            found[name] = {"kind": "date", "value": value.isoformat()[:10]}
        else:
            found[name] = {"kind": "other", "type": type(value).__name__[:60]}
    with open(path, "w", encoding="utf-8") as handle:
        _json.dump(found, handle)
_wa_dump(__NAMES__, __PATH__)
"""


class QuietClient(NotebookClient):
    """nbclient without kept outputs: a notebook that prints megabytes costs the runner nothing."""

    errors: list[str]

    def output(self, outs: list, msg: dict, display_id: str | None, cell_index: int) -> None:
        """Keep only the first few errors, shortened, as 'cell N: Name: value'."""
        if msg.get("msg_type") == "error" and len(self.errors) < MAX_ERRORS:
            content = msg.get("content", {})
            self.errors.append(
                f"cell {cell_index}: {str(content.get('ename'))[:80]}: "
                f"{str(content.get('evalue'))[:160]}"
            )
        return None


def notebook_of(cells: list[str], names: list[str]) -> nbformat.NotebookNode:
    """The cells to run, then the cell that writes the answers: always the python3 kernel."""
    code = [nbformat.v4.new_code_cell(source) for source in cells]
    dump = DUMP.replace("__NAMES__", repr(names)).replace("__PATH__", repr(ANSWERS_FILE))
    code.append(nbformat.v4.new_code_cell(dump))
    notebook = nbformat.v4.new_notebook(cells=code)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return notebook


def run(job: dict[str, Any]) -> dict[str, Any]:
    """Execute the job's cells and collect the answers file; never raises for the student's code."""
    names = [str(name) for name in job["variables"]]
    notebook = notebook_of([str(source) for source in job["cells"]], names)
    manager = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=f"{SCRATCH}/run/kernel")
    client = QuietClient(
        notebook,
        km=manager,
        kernel_name="python3",
        timeout=int(job["cell_timeout"]),
        allow_errors=True,
        interrupt_on_timeout=True,
        store_widget_state=False,
        record_timing=False,
        resources={"metadata": {"path": str(job["cwd"])}},
    )
    client.errors = []
    status = "ran"
    try:
        client.execute()
    except DeadKernelError:
        status = "kernel died"
    except CellTimeoutError:
        status = "cell timeout"
    except Exception as error:  # nbclient's own failure: reported, never the student's traceback
        status = f"runner error: {type(error).__name__}"
    answers = None
    if os.path.isfile(ANSWERS_FILE) and os.path.getsize(ANSWERS_FILE) <= MAX_ANSWERS_BYTES:
        with open(ANSWERS_FILE, encoding="utf-8") as handle:
            answers = handle.read(MAX_ANSWERS_BYTES + 1)  # it may have grown since
    return {"status": status, "errors": client.errors, "answers": answers}


def main() -> None:
    job = json.loads(sys.stdin.read())
    for folder in ("run", "home", "tmp"):
        os.makedirs(f"{SCRATCH}/{folder}", mode=0o700, exist_ok=True)
    result = json.dumps(run(job))
    with os.fdopen(int(job["result_fd"]), "w", encoding="utf-8") as channel:
        channel.write(result)


if __name__ == "__main__":
    main()
