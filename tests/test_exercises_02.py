"""Notebook 02's exercises: the registry's answers against hand arithmetic, and the notebook's check cells.

The expected values are worked out by hand from the fact sheet (the arithmetic is in each
comment), never read from helpers/exercises/e02.py, so a change in the data or in the registry
that moves an answer fails here.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from helpers.exercises import check, expected, registry

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "02-worker-estimates.ipynb"
KEYS = ROOT / "docs" / "answer-keys.md"  # teacher-only: the site neither builds nor links it

HAND: dict[str, float] = {
    # F10: Pyongyang earned more than $500 million a year from nearly 100,000 workers:
    # 500,000,000 / 100,000 = 5,000 a year; / 12 = 416.67 dollars of state revenue per worker per month.
    "02.1": 416.6666666666667,
    # F11 against F10: 80,000 in China + 30,000 in Russia = 110,000; 110,000 - 100,000 = 10,000 workers.
    "02.2": 10_000,
    # F12 (both from S12): $200 million / about 100,000 workers = 2,000 a year to the state per worker;
    # at the 70% share ASSUMPTION (assumptions.csv A_SHARE_TO_STATE): 2,000 / 0.7 = 2,857.14 dollars of pay a year.
    "02.3": 2857.142857142857,
}
#: Whole-number forms of each answer that must never be printed above its exercise.
ANSWER_TEXTS: dict[str, tuple[str, ...]] = {
    "02.1": ("416.67", "416.7", "417"),
    "02.2": ("10,000", "10000", "110,000", "110000"),
    "02.3": ("2,857", "2857"),
}


@pytest.fixture(scope="module")
def notebook() -> dict[str, Any]:
    return json.loads(NOTEBOOK.read_text(encoding="utf-8"))


def test_notebook_02_registers_three_exercises():
    assert sorted(i for i in registry() if i.startswith("02.")) == sorted(HAND)


@pytest.mark.parametrize("exercise_id", sorted(HAND))
def test_the_registry_computes_the_hand_worked_answer(tables, exercise_id):
    assert expected(exercise_id, tables) == pytest.approx(HAND[exercise_id], rel=1e-12)


@pytest.mark.parametrize(
    ("exercise_id", "answer", "correct"),
    [
        ("02.1", 417, True), ("02.1", 416.67, True), ("02.1", 416.2, True),  # the nearest dollar, within half a dollar
        ("02.1", 416, False), ("02.1", 418, False), ("02.1", 415, False),  # 415-418 was once accepted: no longer
        ("02.1", 5_000, False),  # the yearly figure is not the monthly one
        ("02.2", 10_000, True), ("02.2", 110_000, False), ("02.2", 10_001, False), ("02.2", -10_000, False),
        ("02.3", 2_857, True), ("02.3", 2_857.14, True), ("02.3", 2_858, False),
        ("02.3", 2_000, False),  # state revenue per worker, not the pay it implies
        ("02.3", 7_143, False),  # the US line's amount, not the experts' low end
    ],
)
def test_checks_accept_only_the_answer_to_the_precision_asked(tables, exercise_id, answer, correct):
    assert check(exercise_id, answer, tables).correct is correct


@pytest.mark.parametrize("answer", [..., None, "417", [417], float("nan"), float("inf"), True, 10**400])
def test_any_input_gets_feedback_not_a_traceback(tables, answer):
    for exercise_id in HAND:
        feedback = check(exercise_id, answer, tables)
        assert feedback.correct is False and feedback.message


def _source(cell: dict[str, Any]) -> str:
    return "".join(cell["source"])


def _check_cells(notebook: dict[str, Any]) -> list[tuple[int, str]]:
    return [(i, _source(c)) for i, c in enumerate(notebook["cells"])
            if c["cell_type"] == "code" and "check(" in _source(c)]


def test_check_cells_use_registered_ids_once_each_and_carry_no_answer_expression(notebook):
    cells = _check_cells(notebook)
    seen = []
    for _, source in cells:
        lines = [line.strip() for line in source.strip().splitlines()]
        match = re.fullmatch(r'check\("(\d\d\.\d)", (answer_\d)\)', lines[-1])
        assert match, f"the check line should be check(\"02.N\", answer_N): {lines[-1]!r}"
        # the only other line is the placeholder the student replaces: nothing to evaluate for the answer
        assert lines[:-1] == [f"{match[2]} = ...  # " + lines[0].split("# ", 1)[1]], source
        seen.append(match[1])
    assert seen == sorted(HAND)
    assert set(seen) <= set(registry())


def _widget_texts(model_id: str, state: dict[str, Any], seen: set[str]) -> list[str]:
    if model_id in seen or model_id not in state:
        return []
    seen.add(model_id)
    text = json.dumps(state[model_id]["state"], ensure_ascii=False)
    children = re.findall(r"IPY_MODEL_([0-9a-f]{32})", text)
    return [text, *(t for child in children for t in _widget_texts(child, state, seen))]


def _output_texts(cell: dict[str, Any], state: dict[str, Any]) -> list[str]:
    texts = []
    for output in cell.get("outputs", []):
        texts.append("".join(output.get("text", "")))
        for mime, value in output.get("data", {}).items():
            if mime == "application/vnd.jupyter.widget-view+json":
                texts += _widget_texts(value["model_id"], state, set())
            else:
                texts.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    return texts


def test_no_answer_is_printed_or_written_above_its_exercise(notebook):
    state = notebook["metadata"].get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for index, source in _check_cells(notebook):
        exercise_id = re.search(r'check\("(\d\d\.\d)"', source)[1]
        above = notebook["cells"][:index]
        texts = [t for c in above for t in _output_texts(c, state)] + [_source(c) for c in above if c["cell_type"] == "markdown"]
        for answer in ANSWER_TEXTS[exercise_id]:
            pattern = re.compile(rf"(?<![\d.,]){re.escape(answer)}(?![\d]|,\d)")
            hits = [t[max(m.start() - 60, 0):m.end() + 60] for t in texts for m in pattern.finditer(t)]
            assert not hits, f"{exercise_id}'s answer {answer} appears above it: {hits[:3]}"


def test_committed_check_cells_show_the_unanswered_feedback(notebook):
    for index, _ in _check_cells(notebook):
        outputs = notebook["cells"][index]["outputs"]
        assert ["".join(o["data"]["text/plain"]) for o in outputs] == [
            "Not answered yet: replace the placeholder with your number."
        ]


def test_the_answer_key_states_each_answer_as_the_registry_rounds_it(tables):
    keys = KEYS.read_text(encoding="utf-8")
    section = keys.split("### [02 ", 1)[1].split("\n### ", 1)[0]
    for number, exercise_id in enumerate(sorted(HAND), start=1):
        key = re.search(rf"^- \*\*Exercise {number}\.\*\* (.*)$", section, re.M)
        assert key, f"no key for exercise {number} of notebook 02"
        assert f"{round(expected(exercise_id, tables)):,}" in key[1], key[1]
