"""Notebook 04's exercises: answers pinned by hand, check cells that carry no answer, nothing printed above.

Hand arithmetic from the fact sheet and data/assumptions.csv's defaults is in the comments.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

import pandas as pd
import pytest

from helpers.exercises import check, expected, registry
from helpers.paths import project_root

NOTEBOOK = project_root() / "notebooks" / "04-deadline-logistics.ipynb"
KEYS = project_root() / "docs" / "answer-keys.md"  # teacher-only: the site neither builds nor links it

# 04.1: F20's 30,023 over the whole weeks from 31 Dec 2017 to the deadline, 22 Dec 2019 (F06):
#       365 + 356 = 721 days = 103 weeks exactly; 30,023 / 103 = 291.485...
# 04.2: defaults give 2 x 150 x 0.5 + 100 = 250 seats a week. 23 Jan 2020 (F25) -> 10 Mar 2020 (F26) is
#       47 days = 6 whole weeks, of which 1 ends by the closure on 31 Jan (F55, 8 days on) and 5 after it.
#       The week before carries 250 of about 1,000; the other 750 need 750 / (250 x 5) = 0.6 of the seats.
# 04.3: F20 - F21 = 30,023 - 11,490 = 18,533 over 2018's 365 days = 365/7 weeks: 18,533 x 7 / 365 = 355.427...
BY_HAND: dict[str, float] = {"04.1": 30_023 / 103, "04.2": 750 / (250 * 5), "04.3": 18_533 * 7 / 365}


@pytest.fixture(scope="module")
def notebook() -> dict[str, Any]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def test_the_registry_holds_exactly_these_exercises():
    assert sorted(i for i in registry() if i.startswith("04.")) == sorted(BY_HAND)


@pytest.mark.parametrize("exercise_id", sorted(BY_HAND))
def test_expected_answers_match_the_hand_arithmetic(tables, exercise_id):
    assert expected(exercise_id, tables) == pytest.approx(BY_HAND[exercise_id], rel=1e-12)


def test_feedback_on_the_slips_a_student_is_likely_to_make(tables):
    assert check("04.1", 291.5, tables).correct  # rounded to one decimal, as asked
    assert not check("04.1", 291, tables).correct  # whole number: 0.17 % off, beyond the 0.1 % allowed
    assert "Close" in check("04.1", 291, tables).message
    assert check("04.2", 0.6, tables).correct
    assert "units" in check("04.2", 60, tables).message  # a percentage where a share is asked
    assert "week before the closure" in check("04.2", 0.59, tables).message  # close, with the hint
    assert not check("04.2", 0.8, tables).correct  # 1,000 / 1,250: forgot the week before the closure
    assert check("04.3", 355.4, tables).correct
    whole_weeks = 18_533 / 52  # 356.4: whole weeks instead of days / 7
    assert "exact days" in check("04.3", whole_weeks, tables).message


@pytest.mark.parametrize("answer", ["291.5", None, ..., [291.5], float("nan"), 10**400, pd.NaT, True])
def test_any_answer_gets_feedback_never_a_traceback(tables, answer):
    for exercise_id in BY_HAND:
        feedback = check(exercise_id, answer, tables)
        assert not feedback.correct and feedback.message


def _code_cells(notebook: dict[str, Any]) -> list[str]:
    return ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]


def test_check_cells_use_registered_ids_and_carry_no_answer_expression(notebook):
    calls = []
    for source in _code_cells(notebook):
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "check":
                calls.append(node)
                exercise_id, answer = node.args
                assert isinstance(exercise_id, ast.Constant) and exercise_id.value in BY_HAND
                assert isinstance(answer, ast.Name) and not node.keywords  # a bare name: nothing to evaluate
                assigned = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Assign)
                            and any(getattr(t, "id", None) == answer.id for t in n.targets)]
                assert len(assigned) == 1 and isinstance(assigned[0].value, ast.Constant)
                assert assigned[0].value.value is ...  # the placeholder, not a value
    assert sorted(c.args[0].value for c in calls) == sorted(BY_HAND)


def _shown_text(notebook: dict[str, Any]) -> str:
    """Every text a reader sees: markdown, printed and displayed outputs, chart text, widget values."""
    parts = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown"]
    outputs = [o for c in notebook["cells"] for o in c.get("outputs", [])]
    widget_state = notebook["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for model in widget_state.get("state", {}).values():
        outputs += model["state"].get("outputs") or []
        parts.append(str(model["state"].get("value", "")))
    for output in outputs:
        parts.append("".join(output.get("text", "")))
        bundle = output.get("data", {})
        for kind in ("text/plain", "text/html", "text/markdown"):
            parts.append("".join(bundle.get(kind, "")))
        figure = bundle.get("application/vnd.plotly.v1+json")
        if figure:
            layout = figure["layout"]
            parts += [layout["title"]["text"], layout["title"].get("subtitle", {}).get("text", "")]
            parts += [a.get("text", "") for a in layout.get("annotations", [])]
            parts += [json.dumps(t.get("customdata", "")) + json.dumps(t.get("text", "")) for t in figure["data"]]
    return "\n".join(parts)


def test_no_answer_is_shown_anywhere_in_the_notebook(notebook):
    shown = _shown_text(notebook)
    assert "Capacity simulator" in shown and "seats a week" in shown  # the scan reaches outputs and widgets
    for pattern in (r"(?<![\d.])291\.[45]", r"(?<![\d.])0\.60?(?![\d])", r"(?<![\d.])60 ?%", r"(?<![\d.])355\.4"):
        assert not re.search(pattern, shown), pattern


def test_the_answer_keys_state_the_registry_values(tables):
    keys = KEYS.read_text(encoding="utf-8")
    section = keys[keys.index("[04 Deadline logistics]"):]
    for exercise_id, written in (("04.1", "{:.1f}"), ("04.2", "{:.1f}"), ("04.3", "{:.1f}")):
        number = exercise_id.split(".")[1]
        line = next(line for line in section.splitlines() if line.startswith(f"- **Exercise {number}.**"))
        assert written.format(expected(exercise_id, tables)) in line, line
