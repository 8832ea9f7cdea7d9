"""Every exercise of the registry (helpers.exercises): its answer, the feedback a student gets,
the notebooks' check cells and the teacher's answer key.

Why one file: the checks are the same for every exercise; only the table of answers differs.
Each expected value is worked out by hand from data/ (the arithmetic is in its comment), never
read from helpers/exercises.py, so a change in the data or in the registry that moves an answer
fails here. The notebook checks read structure (exercise ids, check cells, outputs), not the
wording of a cell.
"""

from __future__ import annotations

import ast
import json
import math
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from helpers.exercises import check, expected, registry
from helpers.paths import project_root

NOTEBOOKS = project_root() / "notebooks"
KEYS = (
    project_root() / "docs" / "answer-keys.md"
)  # teacher-only: the site neither builds nor links it
PLOTLY_MIME = "application/vnd.plotly.v1+json"
WIDGET_VIEW_MIME = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE_MIME = "application/vnd.jupyter.widget-state+json"

BY_HAND: dict[str, Any] = {
    # 01.1: resolution 2321 adopted 30 Nov 2016 (resolutions.csv, R2321) + 2397's midterm term of
    #       15 months (resolution_terms.csv, T2397_MIDTERM) = Feb 2018; February 2018 has 28 days
    #       (2018 is no leap year): 28 Feb 2018.
    "01.1": date(2018, 2, 28),
    # 01.2: 2397 adopted 22 Dec 2017; + 12 months (T2397_MIDTERM_COVERS) = 22 Dec 2018;
    #       + 15 months (T2397_MIDTERM) = 22 Mar 2019. Days: 23-31 Dec = 9, Jan = 31, Feb = 28,
    #       1-22 Mar = 22; 9 + 31 + 28 + 22 = 90.
    "01.2": 90,
    # 01.3: adoptions 30 Nov 2016 (2321), 5 Aug 2017 (2371), 11 Sep 2017 (2375), 22 Dec 2017 (2397).
    #       Gaps: 2321 -> 2371 = 1 (Nov) + 31+31+28+31+30+31+30+31 (Dec-Jul) + 5 = 249 days;
    #       2371 -> 2375 = 26 + 11 = 37 days; 2375 -> 2397 = 19 + 31 + 30 + 22 = 102 days.
    #       The fewest, 37, belong to 2371.
    "01.3": "2371",
    # 02.1: worker_estimates.csv: more than $500,000,000 a year (WE_US_2020_USD) from nearly
    #       100,000 workers (WE_US_2020_WORLD): 500,000,000 / 100,000 = 5,000 a year;
    #       / 12 = 416.67 dollars of state revenue per worker per month.
    "02.1": 500_000_000 / 100_000 / 12,
    # 02.2: 80,000 in China + 30,000 in Russia (WE_REUTERS_2019_*) = 110,000;
    #       - 100,000 (WE_US_2020_WORLD) = 10,000 workers.
    "02.2": 10_000,
    # 02.3: experts' low end $200,000,000 (WE_EXPERTS_2019_USD) / 100,000 workers
    #       (WE_STATE_2019_WORLD) = 2,000 a year to the state per worker; over the 0.7 share
    #       ASSUMPTION (assumptions.csv, A_SHARE_TO_STATE): 2,000 / 0.7 = 2,857.14 dollars of pay.
    "02.3": 200_000_000 / 100_000 / 0.7,
    # 03.1: visas.csv: 10,345 student visas in 2019 / 2,610 in 2018 = 3.9636.
    "03.1": 10_345 / 2_610,
    # 03.2: entries.csv EN_PRESANCTIONS_VISAS low end, 12,000 a year, over the additional tourist
    #       visas of 2019: 16,613 - 2,035 = 14,578; 12,000 / 14,578 = 0.8232.
    "03.2": 12_000 / (16_613 - 2_035),
    # 03.3: russia_workers.csv RW_NEW_REG is counted over "Sep 2017 - Aug 2018" (date precision
    #       "period"): a flow.
    "03.3": "flow",
    # 04.1: RW_2017_END, 30,023 on 31 Dec 2017, to the deadline 22 Dec 2019 (22 Dec 2017 + 24
    #       months): 365 + 356 = 721 days = 103 whole weeks; 30,023 / 103 = 291.485.
    "04.1": 30_023 / 103,
    # 04.2: default seats a week: 2 flights (transport.csv) x 150 seats x 0.5 + 100 rail seats
    #       (assumptions.csv) = 250. RW_2020_JAN (about 1,000, 23 Jan 2020) to RW_2020_MAR (10 Mar
    #       2020): 8 + 29 (leap February) + 10 = 47 days = 6 whole weeks; to the closure on 31 Jan
    #       (events.csv, E_VLADIVOSTOK_SUSPENDED) 8 days = 1 whole week, so 5 after it. The week
    #       before carries 250; the other 750 need 750 / (250 x 5) = 0.6 of the seats.
    "04.2": 750 / (250 * 5),
    # 04.3: 30,023 - 11,490 (RW_2018_END) = 18,533 over 2018's 365 days = 365 / 7 weeks:
    #       18,533 x 7 / 365 = 355.427.
    "04.3": 18_533 * 7 / 365,
}

#: Right answers in the forms a student may type them, to the precision each question asks.
RIGHT_ANSWERS = [
    ("01.1", date(2018, 2, 28)),
    ("01.1", "2018-02-28"),
    ("01.2", 90),
    ("01.2", 90.0),
    ("01.2", np.int64(90)),  # a pandas difference of days
    ("01.3", "2371"),
    ("01.3", " 2371 "),
    ("01.3", 2371),
    ("02.1", 417),  # to the nearest dollar, within half a dollar of 416.67
    ("02.1", 416.67),
    ("02.1", 416.2),
    ("02.2", 10_000),
    ("02.3", 2_857),
    ("02.3", 2_857.14),
    ("03.1", 3.96),
    ("03.2", 0.82),
    ("03.3", "flow"),
    ("04.1", 291.5),  # rounded to one decimal, as asked
    ("04.2", 0.6),
    ("04.3", 355.4),
]

#: Wrong answers, with what the feedback must say ("" where only the verdict matters).
WRONG_ANSWERS = [
    ("01.1", date(2018, 3, 2), ""),  # 15 x 30 days from 30 Nov 2016, near the trap
    ("01.1", "2018-02-27", ""),
    ("01.2", 89, "(end - start).days"),  # off by one day: the counting hint
    ("01.2", 91, "(end - start).days"),
    ("01.3", "2397", ""),  # no step followed 2397
    ("01.3", "2375", ""),
    ("02.1", 416, ""),  # beyond half a dollar: 415-418 was once accepted, no longer
    ("02.1", 418, ""),
    ("02.1", 415, ""),
    ("02.1", 5_000, ""),  # the yearly figure is not the monthly one
    ("02.2", 110_000, ""),  # the sum, not the excess
    ("02.2", 10_001, ""),
    ("02.2", -10_000, ""),
    ("02.3", 2_858, ""),
    ("02.3", 2_000, ""),  # state revenue per worker, not the pay it implies
    ("02.3", 7_143, ""),  # the US line's amount (500,000,000 / 100,000 / 0.7), not the experts'
    ("03.1", 4.0, "rounding"),  # the explorer's one-decimal ratio
    ("03.1", 396, "units"),
    ("03.1", 8.16, "too high"),  # the tourist fold change: the wrong row
    ("03.1", "3.96", "not text"),
    ("03.2", 0.83, "rounding"),
    ("03.2", 82, "units"),  # a percentage where a share is asked
    ("03.2", 0.79, "too low"),  # the old flow-against-stock answer, 11,490 / 14,578
    ("03.2", [0.82], "single number"),
    ("03.3", "stock", "Not this one"),
    ("04.1", 291, "Close"),  # whole number: 0.17 % off, beyond the 0.1 % allowed
    ("04.2", 60, "units"),  # a percentage where a share is asked
    ("04.2", 0.59, "week before the closure"),
    ("04.2", 0.8, ""),  # 1,000 / 1,250: forgot the week before the closure
    ("04.3", 18_533 / 52, "exact days"),  # 356.4: whole weeks instead of days / 7
]

#: Anything a student may type instead of an answer: none is right for any exercise.
ANYTHING = [
    None,
    ...,
    "",
    "abc",
    "417",
    "291.5",
    [90],
    [291.5],
    {"a": 1},
    math.nan,
    math.inf,
    10**400,
    True,
    pd.NaT,
    date.max,
    b"90",
    2.5 + 1j,
]


def standalone(number: str) -> str:
    """A pattern for a number written on its own, not inside a longer one or a name (9,000 and
    S90 hold no 90)."""
    return rf"(?<![\w.,]){re.escape(number)}(?!\w|[.,]\d)"


#: How each answer could be shown before the student works it out; none may be above its
#: exercise. 03.3's "flow" is a word the notebook teaches, so it cannot be searched for.
ANSWER_SHOWN: dict[str, list[str]] = {
    "01.1": [r"2018-02-28|28 Feb(ruary)? 2018|Feb(ruary)? 28,? 2018"],
    "01.2": [standalone("90")],
    "01.3": [standalone("37")],  # the gap that gives 2371 away (2371 itself is in the first table)
    "02.1": [standalone(form) for form in ("416.67", "416.7", "417")],
    "02.2": [standalone(form) for form in ("10,000", "10000", "110,000", "110000")],
    "02.3": [standalone(form) for form in ("2,857", "2857")],
    "03.1": [standalone(form) for form in ("3.96", "3.964")],
    "03.2": [standalone(form) for form in ("0.82", "0.823")] + [r"(?<![\d.])82 ?%"],
    "03.3": [],
    "04.1": [standalone(form) for form in ("291.5", "291.49", "291.4")],
    "04.2": [standalone(form) for form in ("0.6", "0.60")] + [r"(?<![\d.])60 ?%"],
    "04.3": [standalone(form) for form in ("355.4", "355.43")],
}


def notebook_of(exercise_id: str) -> Path:
    """The notebook an exercise belongs to: "03.1" is in notebooks/03-*.ipynb."""
    (path,) = NOTEBOOKS.glob(f"{exercise_id.split('.')[0]}-*.ipynb")
    return path


def exercise_notebooks() -> list[Path]:
    return sorted({notebook_of(exercise_id) for exercise_id in BY_HAND})


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def source(cell: dict[str, Any]) -> str:
    return "".join(cell["source"])


# ---------------------------------------------------------------- the registry's answers


def test_the_registry_holds_exactly_the_exercises_worked_here() -> None:
    assert sorted(registry()) == sorted(BY_HAND)


@pytest.mark.parametrize("exercise_id", sorted(BY_HAND))
def test_the_registry_computes_the_hand_worked_answer(
    exercise_id: str, tables: dict[str, pd.DataFrame]
) -> None:
    by_hand = BY_HAND[exercise_id]
    if isinstance(by_hand, float):
        assert expected(exercise_id, tables) == pytest.approx(by_hand, rel=1e-12)
    else:
        assert expected(exercise_id, tables) == by_hand


def test_answers_follow_the_data_not_a_typed_number(tables: dict[str, pd.DataFrame]) -> None:
    changed = {name: frame.copy() for name, frame in tables.items()}
    changed["visas"].loc["V2019_STUDENT", "count"] = 5_220  # 2 x 2,610
    changed["visas"].loc["V2019_TOURIST", "count"] = 14_035  # 12,000 more than 2,035
    changed["russia_workers"].loc["RW_NEW_REG", "date_precision"] = "day"
    assert expected("03.1", changed) == pytest.approx(2.0)
    assert expected("03.2", changed) == pytest.approx(1.0)
    assert expected("03.3", changed) == "stock"


def test_a_missing_count_is_not_zero(tables: dict[str, pd.DataFrame]) -> None:
    changed = dict(tables)
    changed["visas"] = tables["visas"].drop(index="V2018_STUDENT")
    with pytest.raises(KeyError, match="student"):
        expected("03.1", changed)


# ---------------------------------------------------------------- the feedback a student gets


@pytest.mark.parametrize(("exercise_id", "answer"), RIGHT_ANSWERS, ids=repr)
def test_right_answers_in_every_form_a_student_may_type(
    exercise_id: str, answer: object, tables: dict[str, pd.DataFrame]
) -> None:
    assert check(exercise_id, answer, tables).correct


@pytest.mark.parametrize(("exercise_id", "answer", "says"), WRONG_ANSWERS, ids=repr)
def test_wrong_answers_are_wrong_with_the_hint_they_need(
    exercise_id: str, answer: object, says: str, tables: dict[str, pd.DataFrame]
) -> None:
    feedback = check(exercise_id, answer, tables)
    assert not feedback.correct
    assert says in feedback.message


@pytest.mark.parametrize("answer", [88, 92, 3])
def test_only_a_one_day_slip_gets_the_counting_hint(
    answer: int, tables: dict[str, pd.DataFrame]
) -> None:
    """Two days off, or months instead of days, is not a counting slip."""
    feedback = check("01.2", answer, tables)
    assert not feedback.correct
    assert "count" not in feedback.message


@pytest.mark.parametrize("answer", ANYTHING, ids=repr)
@pytest.mark.parametrize("exercise_id", sorted(BY_HAND))
def test_anything_typed_gets_feedback_not_a_traceback(
    exercise_id: str, answer: object, tables: dict[str, pd.DataFrame]
) -> None:
    feedback = check(exercise_id, answer, tables)
    assert not feedback.correct
    assert feedback.message


@pytest.mark.parametrize("exercise_id", sorted(BY_HAND))
def test_the_placeholder_is_not_answered_yet(
    exercise_id: str, tables: dict[str, pd.DataFrame]
) -> None:
    assert check(exercise_id, ..., tables).message.startswith("Not answered yet")


# ---------------------------------------------------------------- the notebooks' check cells


def check_calls(tree: ast.AST) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "check"
    ]


def placeholder_names(tree: ast.Module) -> set[str]:
    """Names a cell sets to the placeholder ``...``."""
    return {
        target.id
        for statement in tree.body
        if isinstance(statement, ast.Assign) and is_placeholder(statement.value)
        for target in statement.targets
        if isinstance(target, ast.Name)
    }


def is_placeholder(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is ...


def assigned_names(tree: ast.Module) -> set[str]:
    return {
        target.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def check_cells(notebook: dict[str, Any]) -> Iterator[tuple[int, ast.Module, ast.Call]]:
    """Each code cell holding a check() call, with its index, its syntax tree and the call."""
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(source(cell))
        for call in check_calls(tree):
            yield index, tree, call


def check_cell_problems(call: ast.Call, tree: ast.Module, placeholders: set[str]) -> list[str]:
    """What is wrong with one check cell: it must call check("NN.k", name) on a name whose last
    value is the placeholder, and hold nothing else a student could evaluate."""
    problems = []
    if len(call.args) != 2 or call.keywords:
        return ["check() takes an exercise id and a name, nothing else"]
    exercise_id, given = call.args
    if not (isinstance(exercise_id, ast.Constant) and exercise_id.value in registry()):
        problems.append(f"{ast.unparse(exercise_id)} is no registered exercise")
    if not isinstance(given, ast.Name):
        problems.append(f"the answer {ast.unparse(given)} is an expression, not a name")
    elif given.id not in placeholders:
        problems.append(f"{given.id} is not set to the placeholder ... before the check")
    others = [s for s in tree.body if not is_check_or_placeholder(s)]
    if others:
        problems.append(f"the cell also runs {ast.unparse(others[0])!r}")
    return problems


def is_check_or_placeholder(statement: ast.stmt) -> bool:
    if isinstance(statement, ast.Assign):
        return is_placeholder(statement.value)
    return isinstance(statement, ast.Expr) and bool(check_calls(statement))


@pytest.mark.parametrize("path", exercise_notebooks(), ids=lambda path: path.stem)
def test_check_cells_name_a_registered_exercise_and_carry_no_answer_expression(
    path: Path,
) -> None:
    notebook = read(path)
    placeholders: set[str] = set()
    checked = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse(source(cell))
        placeholders = (placeholders - assigned_names(tree)) | placeholder_names(tree)
        for call in check_calls(tree):
            problems = check_cell_problems(call, tree, placeholders)
            assert not problems, f"{path.name} cell {index}: {problems}"
            checked.append(call.args[0].value)
    prefix = path.name[:2] + "."
    assert checked == sorted(i for i in registry() if i.startswith(prefix)), (
        f"{path.name} checks {checked}: each of its exercises once, in order"
    )


@pytest.mark.parametrize("path", exercise_notebooks(), ids=lambda path: path.stem)
def test_no_code_cell_reaches_for_the_expected_answer(path: Path) -> None:
    for index, cell in enumerate(read(path)["cells"]):
        if cell["cell_type"] != "code":
            continue
        names = {
            getattr(node, "id", None) or getattr(node, "attr", None)
            for node in ast.walk(ast.parse(source(cell)))
        }
        reached = names & {"expected", "registry", "EXERCISES"}
        assert not reached, f"{path.name} cell {index} uses {reached}"


@pytest.mark.parametrize("path", exercise_notebooks(), ids=lambda path: path.stem)
def test_committed_check_cells_show_the_unanswered_feedback(path: Path) -> None:
    notebook = read(path)
    for index, _tree, call in check_cells(notebook):
        outputs = notebook["cells"][index]["outputs"]
        shown = ["".join(output["data"]["text/plain"]) for output in outputs]
        assert len(shown) == 1 and shown[0].startswith("Not answered yet"), (
            f"{path.name} cell {index} ({call.args[0].value}) shows {shown}"
        )


def widget_texts(model_id: str, models: dict[str, Any], seen: set[str]) -> list[str]:
    """What a displayed widget shows: its values and labels, and its children's, Output
    widgets' outputs included."""
    if model_id in seen or model_id not in models:
        return []
    seen.add(model_id)
    state = models[model_id].get("state", {})
    texts = [str(state.get(key, "")) for key in ("value", "description", "placeholder", "tooltip")]
    labels = state.get("_options_labels", [])
    if isinstance(state.get("index"), int) and labels:
        texts.append(str(labels[state["index"]]))  # a selection slider shows its chosen label
    texts += output_texts(state.get("outputs", []), models, seen)
    children = re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(state.get("children", [])))
    for child in children:
        texts += widget_texts(child, models, seen)
    return texts


def figure_texts(figure: dict[str, Any]) -> list[str]:
    """A chart's words: title, subtitle, annotations, and each trace's name, text and hover data."""
    layout = figure.get("layout", {})
    title = layout.get("title", {})
    texts = [json.dumps(title)]
    texts += [annotation.get("text", "") for annotation in layout.get("annotations", [])]
    for trace in figure.get("data", []):
        texts += [json.dumps(trace.get(key, "")) for key in ("name", "text", "hovertext")]
        texts.append(json.dumps(trace.get("customdata", "")))
    return texts


def output_texts(
    outputs: list[dict[str, Any]], models: dict[str, Any], seen: set[str]
) -> list[str]:
    """What a reader sees of a cell's outputs: printed text, text, HTML and markdown, charts'
    words and displayed widgets."""
    texts = []
    for output in outputs:
        texts.append("".join(output.get("text", "")))
        bundle = output.get("data", {})
        texts += ["".join(bundle.get(m, "")) for m in ("text/plain", "text/html", "text/markdown")]
        if PLOTLY_MIME in bundle:
            texts += figure_texts(bundle[PLOTLY_MIME])
        if WIDGET_VIEW_MIME in bundle:
            texts += widget_texts(bundle[WIDGET_VIEW_MIME]["model_id"], models, seen)
    return texts


def texts_shown_above(notebook: dict[str, Any], index: int) -> list[str]:
    """Everything a reader sees above the cell at ``index``: markdown and outputs."""
    widgets = notebook["metadata"].get("widgets", {}).get(WIDGET_STATE_MIME, {})
    models = widgets.get("state", {})
    texts = []
    for cell in notebook["cells"][:index]:
        if cell["cell_type"] == "markdown":
            texts.append(source(cell))
        else:
            texts += output_texts(cell.get("outputs", []), models, set())
    return texts


def test_the_scan_of_shown_text_reaches_charts_and_widgets() -> None:
    """Reading 04 reaches a chart's words and a widget's label, so a miss above is not blindness."""
    notebook = read(notebook_of("04.1"))
    shown = "\n".join(texts_shown_above(notebook, len(notebook["cells"])))
    assert "ASSUMPTION" in shown  # the simulator's slider labels, held in the widget state
    assert any(
        PLOTLY_MIME in output.get("data", {})
        for cell in notebook["cells"]
        for output in cell.get("outputs", [])
    )


@pytest.mark.parametrize("exercise_id", sorted(BY_HAND))
def test_no_answer_is_shown_above_its_exercise(exercise_id: str) -> None:
    notebook = read(notebook_of(exercise_id))
    index = next(i for i, _tree, call in check_cells(notebook) if call.args[0].value == exercise_id)
    texts = texts_shown_above(notebook, index)
    for pattern in ANSWER_SHOWN[exercise_id]:
        hits = [
            text[max(m.start() - 60, 0) : m.end() + 60]
            for text in texts
            for m in re.finditer(pattern, text)
        ]
        assert not hits, f"{exercise_id}'s answer ({pattern}) is shown above it: {hits[:3]}"


# ---------------------------------------------------------------- the teacher's answer key


def answer_key(exercise_id: str) -> str:
    """The key's line for one exercise, after its bold heading: '- **Exercise 2 ...** answer'."""
    keys = KEYS.read_text(encoding="utf-8")
    notebook, number = exercise_id.split(".")
    section = keys.split(f"### [{notebook} ", 1)[1].split("\n### ", 1)[0]
    line = re.search(rf"^- \*\*Exercise {number}\b.*$", section, re.MULTILINE)
    assert line, f"the answer key has no line for exercise {exercise_id}"
    return line[0].split("**", 2)[2]


@pytest.mark.parametrize("exercise_id", sorted(BY_HAND))
def test_the_answer_key_states_first_what_the_registry_computes(
    exercise_id: str, tables: dict[str, pd.DataFrame]
) -> None:
    """The key opens with the answer, rounded as the question asks (its ``places``)."""
    key = answer_key(exercise_id)
    answer = expected(exercise_id, tables)
    exercise = registry()[exercise_id]
    if exercise.kind == "date":
        assert f"`{answer.isoformat()}`" in key, key
    elif exercise.kind == "choice":
        assert f'`"{answer}"`' in key, key
    else:
        first = re.search(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?", key)
        assert first, key
        assert float(first[0].replace(",", "")) == round(answer, exercise.places), key
