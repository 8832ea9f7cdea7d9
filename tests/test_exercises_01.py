"""Notebook 01's exercises: expected answers worked out by hand, feedback, and the notebook's cells.

The expected values below come from the fact sheet's dates and terms, with the arithmetic in the
comments; none is read from helpers.exercises.e01.
"""

from __future__ import annotations

import ast
import json
import math
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest

from helpers.exercises import check, expected, registry
from helpers.paths import project_root

NOTEBOOK = project_root() / "notebooks" / "01-the-resolution.ipynb"
KEYS = project_root() / "docs" / "answer-keys.md"  # teacher-only: the site neither builds nor links it

# A: resolution 2321 adopted 30 Nov 2016 (F01) + paragraph 8's midterm term of 15 months (F07)
#    = Feb 2018; February 2018 has 28 days (2018 is not a leap year): 28 Feb 2018.
# B: 2397 adopted 22 Dec 2017 (F04); +12 months = 22 Dec 2018 (F07b), +15 months = 22 Mar 2019 (F07).
#    Days: 23-31 Dec = 9, Jan = 31, Feb = 28, 1-22 Mar = 22; 9 + 31 + 28 + 22 = 90.
# C: 30 Nov 2016 -> 5 Aug 2017 (F02): 31+31+28+31+30+31+30+31 (Dec..Jul) - 0 + 5 = 248 days;
#    5 Aug -> 11 Sep 2017 (F03): 26 + 11 = 37 days; 11 Sep -> 22 Dec 2017: 19+31+30+22 = 102 days.
#    The fewest, 37, belong to 2371.
BY_HAND = {"01.1": date(2018, 2, 28), "01.2": 90, "01.3": "2371"}


@pytest.mark.parametrize("exercise_id", sorted(BY_HAND))
def test_registry_computes_the_hand_worked_answer(exercise_id: str, tables: dict[str, pd.DataFrame]) -> None:
    assert expected(exercise_id, tables) == BY_HAND[exercise_id]


def test_right_answers_in_every_form_a_student_may_type(tables: dict[str, pd.DataFrame]) -> None:
    for exercise_id, answer in [("01.1", date(2018, 2, 28)), ("01.1", "2018-02-28"), ("01.2", 90), ("01.2", 90.0),
                                ("01.2", np.int64(90)), ("01.3", "2371"), ("01.3", " 2371 "), ("01.3", 2371)]:
        assert check(exercise_id, answer, tables).correct, (exercise_id, answer)


def test_off_by_one_day_counts_get_the_counting_hint(tables: dict[str, pd.DataFrame]) -> None:
    for answer in (89, 91):
        feedback = check("01.2", answer, tables)
        assert not feedback.correct
        assert "count" in feedback.message and "(end - start).days" in feedback.message
    for answer in (88, 92, 3):  # two days off, or months instead of days: not a counting slip
        feedback = check("01.2", answer, tables)
        assert not feedback.correct and "count" not in feedback.message


def test_wrong_answers_are_wrong(tables: dict[str, pd.DataFrame]) -> None:
    assert not check("01.1", date(2018, 3, 2), tables).correct  # 15 x 30 days from 30 Nov 2016, near the trap
    assert not check("01.1", "2018-02-27", tables).correct
    assert not check("01.3", "2397", tables).correct  # no step followed 2397
    assert not check("01.3", "2375", tables).correct


@pytest.mark.parametrize("answer", [None, ..., "", "abc", [90], {"a": 1}, math.nan, math.inf, 10**400, True,
                                    pd.NaT, date.max, b"90", 2.5 + 1j])
@pytest.mark.parametrize("exercise_id", sorted(BY_HAND))
def test_anything_typed_gets_feedback_not_a_traceback(exercise_id: str, answer: object,
                                                      tables: dict[str, pd.DataFrame]) -> None:
    feedback = check(exercise_id, answer, tables)
    assert not feedback.correct and feedback.message


def _cells() -> list[dict]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_check_cells_name_a_registered_exercise_and_carry_no_answer_expression() -> None:
    found = {}
    for index, cell in enumerate(_cells()):
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(_source(cell))
        calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", None) == "check"]
        for call in calls:
            exercise_id, given = call.args
            assert isinstance(exercise_id, ast.Constant) and exercise_id.value in registry()
            assert isinstance(given, ast.Name) and not call.keywords, f"cell {index}: check() takes only a name"
            assert len(tree.body) == 1, f"cell {index}: the check cell holds nothing but the check"
            found[exercise_id.value] = (index, given.id)
    assert set(found) == set(BY_HAND)
    sources = [_source(c) for c in _cells()]
    for exercise_id, (index, name) in found.items():
        assert any(re.fullmatch(rf"{name} = \.\.\.  # .*", s.strip()) for s in sources[:index]), exercise_id


def _texts_shown(cell: dict) -> list[str]:
    """What a reader sees of a cell: markdown, printed text, HTML and plotly titles, labels and annotations."""
    if cell["cell_type"] == "markdown":
        return [_source(cell)]
    texts = []
    for output in cell.get("outputs", []):
        texts.append("".join(output.get("text", "")))
        bundle = output.get("data", {})
        texts += ["".join(bundle.get(m, "")) for m in ("text/plain", "text/html", "text/markdown")]
        figure = bundle.get("application/vnd.plotly.v1+json")
        if figure:
            layout = figure["layout"]
            texts += [json.dumps(layout.get("title", {})), *(a.get("text", "") for a in layout.get("annotations", []))]
            texts += [json.dumps(trace.get(k, "")) for trace in figure["data"] for k in ("text", "hovertext", "name")]
    return texts


def _widget_texts() -> list[str]:
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    state = notebook["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    return [str(m["state"].get("value", "")) for m in state.get("state", {}).values()]


def test_no_answer_is_shown_above_its_exercise() -> None:
    cells = _cells()
    starts = {key: next(i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
                        and (_source(c).startswith(f"**Exercise {key}.") or f"\n**Exercise {key}." in _source(c))) for key in "123"}
    shown_answers = {
        "1": re.compile(r"2018-02-28|28 Feb(ruary)? 2018|Feb(ruary)? 28,? 2018"),
        "2": re.compile(r"\b90\b"),
        "3": re.compile(r"\b37\b"),  # the gap that gives 2371 away (2371 itself is in the first table)
    }
    for key, pattern in shown_answers.items():
        above = [t for c in cells[: starts[key] + 1] for t in _texts_shown(c)] + _widget_texts()
        hits = [t[:80] for t in above if pattern.search(t)]
        assert not hits, f"exercise {key}'s answer is shown above it: {hits}"


def test_answer_key_states_what_the_registry_computes(tables: dict[str, pd.DataFrame]) -> None:
    keys = KEYS.read_text(encoding="utf-8")
    section = keys[keys.index("### [01 The resolution]"):]
    section = section[: section.index("\n### ", 1)]
    bullets = {m[1]: m[0] for m in re.finditer(r"^- \*\*Exercise \w \(`(01\.\w)`.*$", section, re.MULTILINE)}
    assert set(bullets) == set(BY_HAND)
    assert f"`{expected('01.1', tables).isoformat()}`" in bullets["01.1"]
    assert re.search(rf"\bis {expected('01.2', tables)}\b", bullets["01.2"])
    assert f'`"{expected("01.3", tables)}"`' in bullets["01.3"]
