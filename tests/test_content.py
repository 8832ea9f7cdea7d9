"""Content rules from the third fact-check (issue 22): what a reader must never be shown.

Why: the fact-check found words that overstate a source ("exactly" as a qualifier no source
wrote, "workers" for people a source says are no longer workers), quotation marks around
words no source wrote, an exercise answered before it is asked, and notebooks too long for
a lesson. Each rule here states one of those findings so that it cannot come back unseen.
The texts are read from the committed notebooks (prose, printed outputs, tables, chart
titles and hovers) and from data/; nothing is typed from the code under test.
"""

from __future__ import annotations

import base64
import csv
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tools import claims
from workers_abroad.publishing.notebooks import (
    MAX_PROSE_WORDS,
    NAV_TAG,
    ROOT,
    notebook_paths,
    prose_cells,
    prose_words,
    reading_minutes,
)

NOTEBOOKS = notebook_paths()
DATA = ROOT / "data"
GUIDE = ROOT / "docs" / "teacher-guide.md"
PLOTLY = "application/vnd.plotly.v1+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


def read(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def csv_rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def data_tables() -> dict[str, list[dict[str, str]]]:
    descriptor = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
    return {r["path"]: csv_rows(r["path"]) for r in descriptor["resources"]}


# ---------------------------------------------------------------- "exactly"

EXACTLY = re.compile(r"\bexactly\b", re.IGNORECASE)


def shown_json(notebook: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(where, JSON text) of everything a notebook shows besides its prose: every code cell's
    outputs (text, tables, chart titles, hovers, chart data) and the saved widget state."""
    for index, cell in enumerate(notebook.get("cells", [])):
        if cell.get("cell_type") == "code":
            yield f"cell {index} outputs", json.dumps(cell.get("outputs", []), ensure_ascii=False)
    state = notebook.get("metadata", {}).get("widgets", {}).get(WIDGET_STATE, {})
    yield "widget state", json.dumps(state, ensure_ascii=False)


def exactly_shown(notebook: Mapping[str, Any]) -> list[str]:
    return [where for where, text in shown_json(notebook) if EXACTLY.search(text)]


def test_the_exactly_rule_finds_a_hover_that_says_exactly() -> None:
    figure = {"data": [{"hovertemplate": "10 Mar 2020: exactly 511"}], "layout": {}}
    notebook = {"cells": [{"cell_type": "code", "outputs": [{"data": {PLOTLY: figure}}]}]}
    assert exactly_shown(notebook) == ["cell 0 outputs"]
    figure["data"][0]["hovertemplate"] = "10 Mar 2020: 511 (as written)"
    assert exactly_shown(notebook) == []


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_output_table_or_hover_says_exactly(path: Path) -> None:
    """No source wrote "exactly": a figure given without a qualifier is shown "as written"."""
    assert exactly_shown(read(path)) == [], (
        f"{path.name}: 'exactly' shown in {exactly_shown(read(path))}"
    )


def test_no_data_table_or_schema_offers_exactly_as_a_qualifier() -> None:
    for name, rows in data_tables().items():
        for row in rows:
            assert "exactly" not in row.get("qualifier", ""), (name, row)
    descriptor = (DATA / "datapackage.json").read_text(encoding="utf-8")
    assert '"exactly"' not in descriptor


# ---------------------------------------------------------------- quotation marks

_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_LINK_TARGET = re.compile(r"\]\([^)\n]*\)")
_TAG = re.compile(r"<[^>\n]+>")
_DOUBLE = re.compile(r"[\"“]([^\"“”\n]+?)[\"”]")
# A single-quoted span opens after a non-letter and closes before one, so "Russia's" and the
# workers' pay are apostrophes, not quotation marks.
_SINGLE = re.compile(r"(?<![A-Za-z0-9])['‘]([^'‘’\n]+?)['’](?![A-Za-z0-9])")


def normal(text: str) -> str:
    """Lower case, straight apostrophes and quotes, one space: how two copies of a quotation
    compare."""
    text = (
        text.replace("’", "'")
        .replace("‘", "'")
        .replace("“", '"')
        .replace("”", '"')
        .replace("&#x27;", "'")
    )
    return " ".join(text.lower().split())


def quotations(text: str) -> list[str]:
    """The words a text puts in quotation marks (double, or single in chart texts), code and links
    left out."""
    text = _TAG.sub(" ", _LINK_TARGET.sub("]", _CODE.sub(" ", text)))
    found = [m[1] for m in _DOUBLE.finditer(text)]
    return found + [m[1] for m in _SINGLE.finditer(_DOUBLE.sub(" ", text))]


def quotable() -> str:
    """What a source wrote, as data/ keeps it: every row's provenance quote, the exceptions' text,
    the sources' titles, and the seed sentences of data/seed-quotes.md."""
    texts = []
    for rows in data_tables().values():
        for row in rows:
            texts += [row[c] for c in ("quote", "text", "title") if row.get(c)]
    texts.append((DATA / "seed-quotes.md").read_text(encoding="utf-8"))
    return normal("\n".join(texts))


def unsourced(quoted: str, corpus: str) -> bool:
    """Whether a quotation holds words no source wrote; "…" joins fragments that are each
    checked."""
    fragments = [normal(f).strip(" .,;:") for f in re.split(r"…|\.\.\.", quoted)]
    return any(f and f not in corpus for f in fragments)


def strings(value: Any) -> list[str]:
    """Every string in a (nested) list, or the string itself: a trace's per-point texts."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for item in value for s in strings(item)]
    return []


def chart_texts(figure: Mapping[str, Any]) -> list[str]:
    """A chart's visible texts: titles, annotations, trace names, point labels and hovers."""
    texts = claims._plotly_texts(figure)
    for trace in figure.get("data", []):
        for key in ("name", "text", "hovertext", "hovertemplate", "customdata"):
            texts += strings(trace.get(key))
    return texts


def notebook_quotations(path: Path) -> Iterator[tuple[str, str]]:
    """(where, quoted words) for the prose, the printed outputs, and the charts of one notebook."""
    notebook = read(path)
    state = claims._widget_state(notebook)
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] == "markdown" and NAV_TAG not in cell.get("metadata", {}).get(
            "tags", []
        ):
            yield from ((f"cell {index}", q) for q in quotations("".join(cell["source"])))
            continue
        if re.search(r"^check\(", "".join(cell["source"]), re.MULTILINE):
            # a self-check's feedback quotes the answer's options ('stock', 'flow'), not a source
            continue
        for output in cell.get("outputs", []):
            texts = claims.output_texts_of(output, state)
            figure = output.get("data", {}).get(PLOTLY)
            texts += chart_texts(figure) if isinstance(figure, Mapping) else []
            for text in texts:
                yield from ((f"cell {index} output", q) for q in quotations(text))


def test_the_quotation_rule_tells_a_source_from_a_gloss() -> None:
    corpus = normal("The rest, about 1,000 people, are in reality no longer workers")
    assert quotations(
        'Zakharova said they were "no longer workers" and “how many times as many”'
    ) == ["no longer workers", "how many times as many"]
    assert quotations("Russia's count, the workers' pay, `\"stock\"`") == []
    assert quotations("the note's 'Friday' (S39)") == ["Friday"]
    assert not unsourced("in reality … no longer workers", corpus)
    assert unsourced("how many times as many", corpus)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_only_what_a_source_wrote_stands_in_quotation_marks(path: Path) -> None:
    corpus = quotable()
    bad = [f"{where}: {q!r}" for where, q in notebook_quotations(path) if unsourced(q, corpus)]
    assert bad == [], (
        f"{path.name}: quoted words that no data quote, source title or seed sentence holds: {bad}"
    )


# ---------------------------------------------------------------- people remaining, not workers

#: The fact-sheet entries of the ~1,000 (Zakharova: "no longer workers") and the 511 (S15:
#: "remain").
REMAINING_FACTS = {"F25", "F26"}


def remaining_rows() -> list[dict[str, str]]:
    rows = [r for r in csv_rows("russia_workers.csv") if r["fact_id"] in REMAINING_FACTS]
    assert len(rows) == 2, "the ~1,000 of Jan 2020 and the 511 of 10 Mar 2020"
    return rows


def test_the_rows_of_people_remaining_do_not_count_workers() -> None:
    for row in remaining_rows():
        assert "worker" not in row["measure"], row["obs_id"]
        assert row["measure"] == "people_remaining", row["obs_id"]


def values(array: Any) -> list[Any]:
    """A plotly array as saved in a notebook: a plain list, or {"bdata": base64, "dtype": ...}."""
    if isinstance(array, Mapping) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array) if isinstance(array, list) else []


def remaining_points(figure: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], int]]:
    """(trace, point index) of each point that draws a people-remaining count on its date."""
    wanted = {(r["as_of"], int(r["count"])) for r in remaining_rows()}
    for trace in figure.get("data", []):
        xs, ys = values(trace.get("x")), values(trace.get("y"))
        for index, (x, y) in enumerate(zip(xs, ys)):
            if (
                isinstance(x, str)
                and isinstance(y, (int, float))
                and (x[:10], int(y)) in wanted
                and y == int(y)
            ):
                yield trace, index


def point_words(trace: Mapping[str, Any], index: int) -> str:
    """What a reader sees on hovering one point: its hover template and its own hover, text and
    data."""
    words = [str(trace.get("hovertemplate", ""))]
    for key in ("hovertext", "text", "customdata"):
        items = trace.get(key)
        if isinstance(items, list) and index < len(items):
            words.append(json.dumps(items[index], ensure_ascii=False))
        elif isinstance(items, str):
            words.append(items)
    return " ".join(words)


def test_the_point_rule_decodes_a_chart_and_finds_a_hover_that_says_workers() -> None:
    row = remaining_rows()[0]
    y = base64.b64encode(np.array([int(row["count"])], dtype="i4").tobytes()).decode()
    trace = {
        "x": [f"{row['as_of']}T00:00:00"],
        "y": {"bdata": y, "dtype": "i4"},
        "customdata": [["workers"]],
    }
    points = list(remaining_points({"data": [trace]}))
    assert points == [(trace, 0)]
    assert "workers" in point_words(trace, 0)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_chart_calls_the_people_remaining_workers(path: Path) -> None:
    """A point for the ~1,000 or the 511 is not hovered as workers, nor drawn on an axis of
    workers."""
    drawn = 0
    for index, cell in enumerate(read(path)["cells"]):
        for output in cell.get("outputs", []):
            figure = output.get("data", {}).get(PLOTLY)
            points = list(remaining_points(figure)) if isinstance(figure, Mapping) else []
            for trace, point in points:
                drawn += 1
                hover = point_words(trace, point)
                assert not re.search(r"\bworkers?\b", hover, re.IGNORECASE), (
                    f"{path.name} cell {index}: {hover}"
                )
            if points:
                axis = json.dumps(figure["layout"].get("yaxis", {}).get("title", ""))
                assert "worker" not in axis.lower(), f"{path.name} cell {index}: y axis {axis}"
    if path.stem.startswith(("02", "04")):
        assert drawn, (
            f"{path.name} draws Russia's counts, so the rule must have found the remaining points"
        )


# ---------------------------------------------------------------- 04 answers its question

CONCLUSION = "## So, could they all have gone home?"


def conclusion_cell(path: Path) -> tuple[int, str]:
    cells = read(path)["cells"]
    found = [
        (i, "".join(c["source"]))
        for i, c in enumerate(cells)
        if c["cell_type"] == "markdown" and "".join(c["source"]).startswith(CONCLUSION)
    ]
    assert len(found) == 1, f"{path.name}: one markdown cell headed {CONCLUSION!r}"
    return found[0]


def only_outputs_registry(full: claims.Registry) -> claims.Registry:
    """A registry with the structural numbers only (resolutions, paragraphs): no data figure or
    date."""
    return claims.Registry(
        resolutions=full.resolutions,
        paragraphs=full.paragraphs,
        resolution_years=full.resolution_years,
        row_ids=full.row_ids,
    )


def test_04_ends_with_a_conclusion_drawn_from_its_own_printed_figures() -> None:
    path = next(p for p in NOTEBOOKS if p.stem.startswith("04"))
    index, text = conclusion_cell(path)
    cells = read(path)["cells"]
    exercises = next(
        i for i, c in enumerate(cells) if "".join(c["source"]).startswith("## Exercises")
    )
    assert index < exercises, "the conclusion comes before the exercises"
    full = claims.build_registry()
    verdicts = claims.check_text(
        text, only_outputs_registry(full), claims.notebook_outputs(path, full.row_ids)
    )
    unprinted = [v.claim.text for v in verdicts if not v.ok]
    assert unprinted == [], (
        f"figures in the conclusion that no cell of {path.name} prints: {unprinted}"
    )
    printed = [v for v in verdicts if v.basis == "output"]
    assert len(printed) >= 8, "the conclusion states the notebook's results, not just words"


def test_the_conclusion_rule_refuses_a_figure_no_cell_printed() -> None:
    path = next(p for p in NOTEBOOKS if p.stem.startswith("04"))
    full = claims.build_registry()
    outputs = claims.notebook_outputs(path, full.row_ids)
    # 18,533 is in data/ (Yonhap's decline) but 04 does not print it: not enough for the conclusion.
    # (30,023 served here until 04's charts showed the table behind them, which lists that count.)
    verdicts = claims.check_text("So 18,533 could have left.", only_outputs_registry(full), outputs)
    assert [v.ok for v in verdicts] == [False]


def test_04_shows_its_first_chart_before_more_than_one_cell_of_drawing_functions() -> None:
    """A reader meets the question before the machinery: at most one cell of function
    definitions (a cell they can skip) stands before 04's first chart."""
    path = next(p for p in NOTEBOOKS if p.stem.startswith("04"))
    defining = 0
    for cell in read(path)["cells"]:
        if any(PLOTLY in o.get("data", {}) for o in cell.get("outputs", [])):
            break
        source = "".join(cell["source"]) if cell["cell_type"] == "code" else ""
        defining += bool(re.search(r"^def ", source, re.MULTILINE))
    assert defining <= 1


# ---------------------------------------------------------------- no answer before its exercise


def sentences_before(path: Path, stop: str | None) -> list[str]:
    """The prose sentences of a notebook, up to the markdown cell whose source starts with
    ``stop``."""
    found = []
    for text in prose_cells(path):
        if stop is not None and text.startswith(stop):
            break
        found += re.split(r"(?<=[.;:!?])\s+|\n+", text)
    return found


def test_no_notebook_answers_03_exercise_3_before_it_is_asked() -> None:
    """03's exercise 3 asks whether the WSJ's new registrations are a stock or a flow: no sentence
    before it (in 00 to 02, or earlier in 03) may say so about that figure."""
    about_wsj = re.compile(
        r"\bnew\b.*\bregist|\bregist\w*.*\bnew\b|\bWSJ\b|Wall Street Journal", re.IGNORECASE
    )
    before = [s for p in NOTEBOOKS if p.stem < "03" for s in sentences_before(p, None)]
    path_03 = next(p for p in NOTEBOOKS if p.stem.startswith("03"))
    before += sentences_before(path_03, "**Exercise 3.**")
    telling = [
        s
        for s in before
        if about_wsj.search(s) and re.search(r"\b(flow|stock)s?\b", s, re.IGNORECASE)
    ]
    assert telling == []


# ---------------------------------------------------------------- a lesson fits its slot


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_notebook_has_more_prose_than_a_lesson_can_read(path: Path) -> None:
    assert prose_words(path) <= MAX_PROSE_WORDS, (
        f"{path.name}: {prose_words(path):,} words of prose"
    )


def test_word_count_reads_words_not_link_addresses() -> None:
    assert (
        prose_words(
            {
                "cells": [
                    {
                        "cell_type": "markdown",
                        "metadata": {},
                        "source": "See [02](02-x.ipynb), `a`.",
                    }
                ]
            }
        )
        == 3
    )
    assert reading_minutes(200) == 1 and reading_minutes(201) == 2


def guide_times() -> dict[str, tuple[int, int]]:
    """Notebook number -> (reading minutes, exercise minutes) from the guide's table of times."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("## How long each notebook takes", 1)[1].split("\n## ", 1)[0]
    times = {}
    for line in section.splitlines():
        match = re.match(r"\| \[(\d\d) [^]]+\]\([^)]+\) \| `(\d+) min` \| `(\d+) min` \|", line)
        if match:
            times[match[1]] = (int(match[2]), int(match[3]))
    return times


def test_the_guide_records_each_notebooks_reading_time_as_computed() -> None:
    times = guide_times()
    assert set(times) == {p.stem[:2] for p in NOTEBOOKS}
    for path in NOTEBOOKS:
        reading, _ = times[path.stem[:2]]
        computed = reading_minutes(prose_words(path))
        assert reading == computed, (
            f"{path.name}: the guide says {reading} min, the prose takes {computed}"
        )


def plan_minutes(title: str) -> tuple[int, list[tuple[str, bool, bool]]]:
    """A lesson plan's slot and, per notebook it uses in class, whether it reads it and does its
    exercises."""
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split(f"### {title}", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    slot = int(re.search(r"`(\d+) min`", title)[1])
    uses = re.findall(r"^\| (\d\d) \| (yes|no) \| (yes|no) \|", section, re.MULTILINE)
    return slot, [(n, read_it == "yes", exercises == "yes") for n, read_it, exercises in uses]


@pytest.mark.parametrize("title", ["The short lesson (`45 min`)", "The long lesson (`90 min`)"])
def test_each_lesson_plan_fits_its_slot(title: str) -> None:
    """The reading and exercise times of what a plan does in class add up to no more than its
    slot."""
    times = guide_times()
    slot, uses = plan_minutes(title)
    assert uses, f"{title}: no table of the notebooks it uses"
    total = sum(times[n][0] * read_it + times[n][1] * exercises for n, read_it, exercises in uses)
    assert 0 < total <= slot, (
        f"{title}: {total} minutes of reading and exercises in a {slot}-minute slot"
    )
