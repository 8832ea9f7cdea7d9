"""Helpers that never surprise (issue 20): every public function of ``helpers``, called with
arbitrary values.

Each public function and class of each helper module is found by inspection (so a new one is
covered without editing this file) and called with a value drawn for each of its parameters:
None, bools, ints (huge ones too), floats with NaN and infinities, Decimals, Fractions, numpy
scalars, pandas' NA and NaT, text, bytes, lists, dicts, Paths, dates, and a few values that reach
deeper (a real table, a figure, a known id). Whatever comes in, only a ValueError or a TypeError
may come out; the self-checks answer any answer with Feedback."""

from __future__ import annotations

import inspect
from datetime import date, datetime
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import capacity, data, derived, explorers, numbers, paths, plots, selfcheck
from helpers.selfcheck import Feedback

#: The modules whose public names a notebook or a teacher may call (helpers.exercises is covered
#: separately).
MODULES: tuple[ModuleType, ...] = (
    paths,
    numbers,
    derived,
    data,
    selfcheck,
    plots,
    capacity,
    explorers,
)
TABLES = data.load_all()

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=10**300, max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.from_type(Fraction),
    st.from_type(complex),
    st.integers(-(2**63), 2**63 - 1).map(np.int64),
    st.floats(width=32).map(np.float32),
    st.floats().map(np.float64),
    st.booleans().map(np.bool_),
    st.dates().map(np.datetime64),
    st.just(np.datetime64("NaT")),
    st.sampled_from([pd.NA, pd.NaT, ..., float("nan"), float("inf"), -float("inf")]),
    st.text(max_size=12),
    st.binary(max_size=8),
    st.from_type(date),
    st.from_type(datetime),
    st.datetimes(min_value=datetime(1700, 1, 1), max_value=datetime(2200, 1, 1)).map(pd.Timestamp),
    st.text(max_size=8).map(Path),
)
#: Values that get past the first check, so a call goes deeper than "wrong type".
DEEPER = st.sampled_from(
    [
        "S01",
        "visas",
        "03.1",
        "2397",
        "A_SEATS_PER_FLIGHT",
        "RW_2017_END",
        "money",
        "share",
        "link",
        "auto",
        "visas.csv",
        "",
        ".",
        "../README.md",
        "/dev/zero",
        "months_after(R2397,T2397_REPAT)",
        "difference(A,B)",
        "official report",
        ["S01", "S99"],
        ("2321", "2397"),
        {"visas": 1},
        {"count": "money"},
        Path("visas.csv"),
        date(2019, 12, 22),
        2.5,
        0,
        -1,
        10**6,
        float("nan"),
    ]
)


def deeper_objects() -> st.SearchStrategy[Any]:
    """Real objects of the collection: whole tables, one table, a row, a figure, settings, a
    widget."""
    import ipywidgets

    return st.sampled_from(
        [
            TABLES,
            TABLES["visas"],
            TABLES["sources"],
            TABLES["assumptions"],
            TABLES["visas"].iloc[0],
            TABLES["visas"].iloc[:0],
            go.Figure(),
            capacity.settings_from(TABLES),
            ipywidgets.FloatSlider(),
            {"seats": ipywidgets.FloatSlider()},
            pd.Series([1, 2], name="n"),
            lambda **_: None,
        ]
    )


VALUES = st.one_of(
    SCALARS,
    DEEPER,
    deeper_objects(),
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.text(max_size=4), SCALARS, max_size=2),
)


def public_callables() -> list[tuple[str, Any]]:
    """Every public function and class defined in the helper modules."""
    found = []
    for module in MODULES:
        for name, value in vars(module).items():
            if (
                name.startswith("_")
                or not callable(value)
                or getattr(value, "__module__", None) != module.__name__
            ):
                continue
            if isinstance(value, type) and issubclass(value, BaseException):
                continue  # an error class is raised, not called for work
            found.append((f"{module.__name__}.{name}", value))
    return sorted(found, key=lambda pair: pair[0])


CALLABLES = public_callables()


def draw_call(draw: st.DrawFn, function: Any) -> tuple[list[Any], dict[str, Any]]:
    """Arguments for ``function``'s signature: each parameter drawn (an optional one sometimes
    left out)."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind is parameter.VAR_POSITIONAL:
            args += draw(st.lists(VALUES, max_size=2))
        elif parameter.kind is parameter.VAR_KEYWORD:
            kwargs |= draw(
                st.dictionaries(
                    st.sampled_from(["seats_per_flight", "nosuch", "share_for_workers"]),
                    VALUES,
                    max_size=1,
                )
            )
        elif parameter.default is not parameter.empty and draw(st.booleans()):
            continue
        elif parameter.kind is parameter.KEYWORD_ONLY:
            kwargs[parameter.name] = draw(VALUES)
        else:
            args.append(draw(VALUES))
    return args, kwargs


def derandomized(examples: int) -> settings:
    """Hypothesis settings for these searches: the same ``examples`` every run (derandomized, no
    example database), so CI is repeatable and a failure reproduces; no deadline, because speed
    is measured by tools.bench and this file hunts only errors other than ValueError/TypeError."""
    return settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def test_every_module_has_public_callables() -> None:
    """Not vacuous: the inspection finds the functions the issue names."""
    names = {name for name, _ in CALLABLES}
    expected = {
        "helpers.plots.money",
        "helpers.plots.cell",
        "helpers.plots.table",
        "helpers.plots.finish",
        "helpers.plots.source_line",
        "helpers.paths.data_path",
        "helpers.numbers.numbers_in",
        "helpers.derived.months_after",
        "helpers.data.load_all",
        "helpers.capacity.settings_from",
        "helpers.selfcheck.check_number",
        "helpers.selfcheck.check_date",
        "helpers.selfcheck.check_choice",
        "helpers.explorers.assumption_slider",
        "helpers.derived.add_months",
    }
    assert expected <= names, expected - names
    assert len(CALLABLES) >= 40


@derandomized(1500)
@given(st.data())
def test_public_functions_raise_only_value_or_type_errors(drawn: st.DataObject) -> None:
    name, function = drawn.draw(st.sampled_from(CALLABLES), label="function")
    args, kwargs = draw_call(drawn.draw, function)
    try:
        function(*args, **kwargs)
    except (ValueError, TypeError):
        pass  # a named refusal; a DataValidationError and NotFound are ValueErrors too
    # Anything else (AttributeError, a bare KeyError, RecursionError, ...) fails the test with its
    # traceback.


ANSWERS = st.one_of(VALUES, st.lists(VALUES, max_size=2))


@derandomized(600)
@given(answer=ANSWERS)
def test_self_checks_answer_any_answer_with_feedback(answer: Any) -> None:
    for feedback in (
        selfcheck.check_number(answer, 3.96),
        selfcheck.check_date(answer, date(2019, 12, 22)),
        selfcheck.check_choice(answer, "2397", ("2321", "2397")),
    ):
        assert isinstance(feedback, Feedback) and feedback.message, (answer, feedback)


# -------------------------------------------------- the cases issue 20 names, each by hand


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (-2.5e6, "-$2.5 million"),
        (-417, "-$417"),
        (-0.2, "$0"),
        (2.5e6, "$2.5 million"),
        (np.int64(500_000_000), "$500 million"),
    ],
)
def test_money_reads_as_a_reader_says_it(value: object, shown: str) -> None:
    assert plots.money(value) == shown


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (float("nan"), "value must be finite"),
        (float("inf"), "value must be finite"),
        (None, "value must be a real number"),
        ("5", "value must be a real number"),
    ],
)
def test_money_names_what_it_cannot_show(value: object, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        plots.money(value)


def test_cell_shows_infinity_as_a_reader_writes_it() -> None:
    assert (plots.cell(float("inf")), plots.cell(-float("inf")), plots.cell(Decimal("2.50"))) == (
        "∞",
        "-∞",
        "2.5",
    )
    with pytest.raises(ValueError, match="kind must be one of"):
        plots.cell(1, kind="dollars")


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Decimal("3.96"), "Correct."),
        (pd.NA, "Not answered yet"),
        (pd.NaT, "Not answered yet"),
        (np.float64(3.96), "Correct."),
        (b"3.96", "not text"),
    ],
)
def test_check_number_takes_any_number_and_names_the_rest(answer: object, message: str) -> None:
    assert message in selfcheck.check_number(answer, 3.96).message


def test_check_choice_and_check_date_take_numpy_values() -> None:
    assert selfcheck.check_choice(np.int64(2397), "2397", ("2321", "2397")).correct
    assert selfcheck.check_choice(2397, "2397", ("2321", "2397")).correct
    assert not selfcheck.check_choice(True, "2397", ("2321", "2397")).correct
    assert selfcheck.check_date(np.datetime64("2019-12-22"), date(2019, 12, 22)).correct
    assert "Not answered" in selfcheck.check_date(np.datetime64("NaT"), date(2019, 12, 22)).message
    assert "Not answered" in selfcheck.check_date(pd.NA, date(2019, 12, 22)).message


@pytest.mark.parametrize(
    ("tolerances", "words"),
    [
        ({"rel_tol": -0.1}, "rel_tol <= close_tol"),
        ({"close_tol": float("nan")}, "close_tol must be finite"),
        ({"abs_tol": -1}, "abs_tol must be 0 or more"),
        ({"abs_tol": float("nan")}, "abs_tol must be finite"),
        ({"rel_tol": "0.1"}, "rel_tol must be a real number"),
    ],
)
def test_bad_tolerances_are_the_authors_mistake_and_named(
    tolerances: dict[str, Any], words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        selfcheck.check_number(1.0, 1.0, **tolerances)


def test_data_path_takes_paths_and_refuses_nothing_as_a_name() -> None:
    assert paths.data_path(Path("visas.csv")) == paths.data_path("visas.csv")
    for parts in [("",), (".",), ("visas.csv", "")]:
        with pytest.raises(ValueError, match=r"refused: \[path-"):
            paths.data_path(*parts)
    with pytest.raises(TypeError, match="parts must be file names"):
        paths.data_path(7)  # type: ignore[arg-type]


def test_numbers_in_reads_scientific_notation() -> None:
    assert numbers.numbers_in("1e5") == {100000.0}
    assert numbers.numbers_in("2.5e-3 of it") == {0.0025}
    assert numbers.numbers_in("1e999") == set()


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: derived.months_after(None, "R2397", "T"), TypeError, "tables must be the tables"),
        (lambda: derived.months_after(TABLES, 2397, "T"), TypeError, "provision_id must be"),
        (lambda: derived.months_after(TABLES, "R1999", "T2397_REPAT"), KeyError, "no row 'R1999'"),
        (lambda: plots.table(None), TypeError, "frame must be a DataFrame"),
        (
            lambda: plots.finish(
                go.Figure(), TABLES["visas"], TABLES["sources"], title=None, subtitle="s"
            ),
            TypeError,
            "title must be text",
        ),
        (lambda: capacity.settings_from(None), TypeError, "tables must be the tables"),
        (lambda: capacity.settings_from({}), ValueError, "tables must hold"),
        (
            lambda: plots.source_line("S01", TABLES["sources"]),
            TypeError,
            "source_ids must be a list",
        ),
        (lambda: plots.source_line(["S99"], TABLES["sources"]), ValueError, "S99"),
        (lambda: plots.marker(["official report"]), ValueError, "unknown kind of figure"),
        (lambda: data.load_table(3), TypeError, "name must be a table's name"),
    ],
)
def test_misuse_named_in_the_issue_is_a_named_error(
    call: Any, error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        call()


def test_not_found_is_both_a_key_error_and_a_value_error() -> None:
    with pytest.raises(data.NotFound) as caught:
        explorers.assumption_slider(TABLES["assumptions"], "A_NOPE")
    assert isinstance(caught.value, KeyError) and isinstance(caught.value, ValueError)
    assert str(caught.value).startswith("no row 'A_NOPE' in table 'assumptions'")


EXERCISE_IDS = st.one_of(
    VALUES, st.sampled_from(["01.1", "01.3", "02.1", "03.1", "03.3", "04.2", "99.9"])
)
CHECK_TABLES = st.one_of(st.none(), st.just({}), st.just({"visas": TABLES["visas"]}), VALUES)


@derandomized(400)
@given(exercise_id=EXERCISE_IDS, answer=ANSWERS, tables=CHECK_TABLES)
def test_check_answers_anything_with_feedback(exercise_id: Any, answer: Any, tables: Any) -> None:
    from helpers.exercises import check

    feedback = check(exercise_id, answer, tables)
    assert isinstance(feedback, Feedback) and feedback.message
