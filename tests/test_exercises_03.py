"""Notebook 03's exercises: the registry's answers, the feedback they give, and the notebook's check cells.

Expected values are worked out by hand from /work/shared/facts.md (F40, F41: the seed's visa
counts; F46: 12,000-15,000 visas a year before the sanctions; F27: the WSJ's new registrations
"Sep 2017 - Aug 2018"), never copied from helpers/exercises/e03.py.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from helpers.exercises import check, expected, registry
from helpers.paths import project_root

NOTEBOOK = project_root() / "notebooks" / "03-the-visa-surge.ipynb"
KEYS = project_root() / "docs" / "answer-keys.md"  # teacher-only: the site neither builds nor links it

# 03.1: student visas 10,345 (2019, F41) / 2,610 (2018, F40) = 3.9636
STUDENT_FOLD = 10_345 / 2_610
# 03.2: 12,000 (F46, low end) / (16,613 - 2,035 = 14,578 additional tourist visas, F41 - F40) = 0.8232
PRESANCTIONS_SHARE = 12_000 / (16_613 - 2_035)


def test_hand_worked_values_are_what_the_question_asks() -> None:
    """Guard the constants above against a slip: the rounded answers the notebook asks for."""
    assert round(STUDENT_FOLD, 2) == 3.96
    assert round(PRESANCTIONS_SHARE, 2) == 0.82


def test_registry_computes_the_hand_worked_answers(tables: dict[str, pd.DataFrame]) -> None:
    assert expected("03.1", tables) == pytest.approx(STUDENT_FOLD, rel=1e-12)
    assert expected("03.2", tables) == pytest.approx(PRESANCTIONS_SHARE, rel=1e-12)
    assert expected("03.3", tables) == "flow"  # counted over a period, Sep 2017 - Aug 2018 (F27)


def test_answers_follow_the_data_not_a_typed_number(tables: dict[str, pd.DataFrame]) -> None:
    changed = {name: frame.copy() for name, frame in tables.items()}
    visas = changed["visas"]
    visas.loc[visas["visa_id"] == "V2019_STUDENT", "count"] = 5_220  # 2 x 2,610
    visas.loc[visas["visa_id"] == "V2019_TOURIST", "count"] = 14_035  # 12,000 more than 2,035
    assert expected("03.1", changed) == pytest.approx(2.0)
    assert expected("03.2", changed) == pytest.approx(1.0)
    workers = changed["russia_workers"]
    workers.loc[workers["obs_id"] == "RW_NEW_REG", "date_precision"] = "day"
    assert expected("03.3", changed) == "stock"


def test_a_missing_count_is_not_zero(tables: dict[str, pd.DataFrame]) -> None:
    changed = dict(tables)
    changed["visas"] = tables["visas"][tables["visas"]["visa_id"] != "V2018_STUDENT"]
    with pytest.raises(KeyError, match="student"):
        expected("03.1", changed)


@pytest.mark.parametrize(
    ("exercise_id", "answer", "correct", "says"),
    [
        ("03.1", 3.96, True, "Correct"),
        ("03.1", 4.0, False, "rounding"),  # the explorer's one-decimal ratio
        ("03.1", 396, False, "units"),
        ("03.1", 8.16, False, "too high"),  # the tourist fold change: the wrong row
        ("03.1", "3.96", False, "not text"),
        ("03.1", ..., False, "Not answered"),
        ("03.2", 0.82, True, "Correct"),
        ("03.2", 0.83, False, "rounding"),
        ("03.2", 82, False, "units"),  # a percentage where a share is asked
        ("03.2", 0.79, False, "too low"),  # the old flow-against-stock answer, 11,490 / 14,578
        ("03.2", [0.82], False, "single number"),
        ("03.3", "flow", True, "Correct"),
        ("03.3", "stock", False, "Not this one"),
        ("03.3", None, False, "Not answered"),
    ],
)
def test_feedback(tables: dict[str, pd.DataFrame], exercise_id: str, answer: object, correct: bool, says: str) -> None:
    feedback = check(exercise_id, answer, tables)
    assert feedback.correct is correct
    assert says in feedback.message


# ---------------------------------------------------------------- the notebook's check cells


def _cells() -> list[dict]:
    return json.loads(Path(NOTEBOOK).read_text(encoding="utf-8"))["cells"]


def _source(cell: dict) -> str:
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def _check_calls(tree: ast.AST) -> list[ast.Call]:
    return [n for n in ast.walk(tree) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == "check"]


def test_check_cells_hold_only_a_placeholder_and_a_check_by_id() -> None:
    """An answer cell is `answer_N = ...` and `check("03.N", answer_N)`: no expression a student could evaluate."""
    seen = []
    for cell in _cells():
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(_source(cell))
        calls = _check_calls(tree)
        if not calls:
            continue
        assert len(tree.body) == 2, _source(cell)
        assign, call = tree.body
        assert isinstance(assign, ast.Assign) and isinstance(assign.value, ast.Constant) and assign.value.value is ...
        name = assign.targets[0]
        assert isinstance(name, ast.Name) and re.fullmatch(r"answer_\d", name.id)
        assert isinstance(call, ast.Expr) and call.value is calls[0]
        exercise_id, answer = calls[0].args
        assert isinstance(exercise_id, ast.Constant) and isinstance(answer, ast.Name) and answer.id == name.id
        assert not calls[0].keywords
        seen.append(exercise_id.value)
    notebook_ids = sorted(i for i in registry() if i.startswith("03."))
    assert seen == notebook_ids == ["03.1", "03.2", "03.3"]


def test_notebook_never_reaches_for_the_expected_answer() -> None:
    for cell in _cells():
        source = _source(cell)
        assert "expected(" not in source and "exercises.e03" not in source and "registry(" not in source


def _texts_above(index: int, cells: list[dict], widget_state: dict) -> str:
    """Markdown and every output (streams, HTML, plotly JSON) above a cell, plus the saved widget state."""
    parts = [json.dumps(widget_state)]
    for cell in cells[:index]:
        parts.append(_source(cell) if cell["cell_type"] == "markdown" else json.dumps(cell.get("outputs", [])))
    return "\n".join(parts)


@pytest.mark.parametrize(("exercise_id", "decimals"), [("03.1", 2), ("03.2", 2)])
def test_no_answer_is_printed_above_its_exercise(tables: dict[str, pd.DataFrame], exercise_id: str, decimals: int) -> None:
    """Nothing above the check cell shows the answer at the precision asked, nor more precisely.

    (Exercise 3's answer, "flow", is a word the notebook teaches, so it cannot be searched for.)
    """
    notebook = json.loads(Path(NOTEBOOK).read_text(encoding="utf-8"))
    cells = notebook["cells"]
    index = next(i for i, c in enumerate(cells) if c["cell_type"] == "code" and f'check("{exercise_id}"' in _source(c))
    text = _texts_above(index, cells, notebook["metadata"].get("widgets", {}))
    answer = float(expected(exercise_id, tables))
    for shown in (f"{answer:.{decimals}f}", f"{answer:.{decimals + 1}f}", f"{answer:.0%}"):
        assert not re.search(rf"(?<![\d.]){re.escape(shown)}(?!\d)", text), f"{exercise_id}: {shown} appears above it"


def test_answer_keys_state_the_registry_answers(tables: dict[str, pd.DataFrame]) -> None:
    keys = KEYS.read_text(encoding="utf-8")
    section = keys.split("### [03", 1)[1].split("\n### ", 1)[0]
    lines = {m.group(1): m.group(2) for m in re.finditer(r"\*\*Exercise (\d)\.\*\*(.*)", section)}
    assert f"{expected('03.1', tables):.2f}" in lines["1"]
    assert f"{expected('03.2', tables):.2f}" in lines["2"]
    assert f'"{expected("03.3", tables)}"' in lines["3"]
