"""The claims test: every number a reader sees is a data figure, a helper's value, or structure.

The first part checks the collection itself: each markdown cell of each notebook, README.md
and the teacher guide (when it exists), and the coverage of the seed article's figures.
The second part checks the extractor and the matcher on hand-written sentences, with
expectations worked out by hand (the arithmetic is in the comments), never copied from
the code under test.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import pytest

from helpers import claims, data
from helpers.claims import Claim, Registry, check_text, classify, extract
from helpers.paths import data_dir, project_root

DOCUMENTS = claims.collection_documents()


@pytest.fixture(scope="module")
def tables() -> dict:
    return data.load_all()


@pytest.fixture(scope="module")
def descriptor() -> dict:
    return data.read_descriptor(data_dir())


@pytest.fixture(scope="module")
def registry(tables: dict, descriptor: dict) -> Registry:
    return claims.registry_from_tables(tables, descriptor, claims.derived_from_modules(tables))


# ---------------------------------------------------------------- the collection


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_every_claim_in_the_prose_is_accounted_for(path: Path, registry: Registry) -> None:
    unmatched = claims.unmatched_claims(path, registry)
    if unmatched:
        pytest.fail(pytrace=False, reason=(
        f"{len(unmatched)} number(s) in {path.relative_to(project_root())} are neither a figure in data/, "
        "nor a value a helper's derived_values() computes (within the rounding written), nor structural. "
        "Add the figure to data/ with its source, expose the computation in the topic module's "
        "derived_values(), or reword:\n  " + "\n  ".join(str(u) for u in unmatched)
        ))


def test_the_collection_is_read() -> None:
    """Every notebook, the README and the teacher guide: a document missing here is never checked."""
    names = {p.relative_to(project_root()).as_posix() for p in DOCUMENTS}
    notebooks = {p.relative_to(project_root()).as_posix() for p in (project_root() / "notebooks").glob("*.ipynb")}
    assert len(notebooks) >= 5  # 00-start-here to 04-deadline-logistics (README's contents)
    assert names == notebooks | {"README.md", "docs/teacher-guide.md"}


def test_every_seed_figure_is_mentioned(tables: dict, descriptor: dict) -> None:
    missing = claims.unmentioned_seed_figures(tables, descriptor, claims.collection_texts())
    if missing:
        pytest.fail(pytrace=False, reason="seed figures never mentioned in any notebook's prose or outputs, README "
                    "or teacher guide:\n  " + "\n  ".join(f"{m.where} = {m.value}" for m in missing))


def test_seed_figures_are_the_seed_rows(tables: dict, descriptor: dict) -> None:
    # The seed article's figures (fact sheet F10, F25, F40, F41, F50) and its dated events.
    values = {f.value for f in claims.seed_figures(tables, descriptor)}
    assert {16613.0, 10345.0, 2035.0, 2610.0, 100000.0, 50000.0, 30000.0, 500e6, 1000.0, 2.0} <= values
    assert (2019, 12, 22) in values  # the deadline, "Dec. 22" in the seed
    assert 11490.0 not in values  # a secondary figure (F21): not the seed's to cover


def test_seed_coverage_fails_when_a_figure_is_never_mentioned(tables: dict, descriptor: dict) -> None:
    texts = ["Russia issued 16,613 tourist and 10,345 student visas in 2019, and 2,035 tourist in 2018."]
    missing = {m.where.split()[1] for m in claims.unmentioned_seed_figures(tables, descriptor, texts)}
    assert "V2019_TOURIST" not in missing and "V2018_TOURIST" not in missing
    assert "V2018_STUDENT" in missing  # 2,610 is not in the text
    assert "E_DEADLINE" in missing  # no date in the text


def test_outputs_count_but_a_dataframe_index_does_not(tmp_path: Path) -> None:
    html = "<table><tr><th>0</th><td>16613</td></tr><tr><th>1</th><td>2035</td></tr></table>"
    notebook = {"cells": [{"cell_type": "code", "source": "", "metadata": {}, "outputs": [
        {"output_type": "execute_result", "data": {"text/html": html, "text/plain": "0  16613\n1  2035"}}]}]}
    path = tmp_path / "99-test.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    numbers = {c.value for t in claims.output_texts(path) for c in extract(t, read_one=True)}
    assert numbers == {16613.0, 2035.0}


# ---------------------------------------------------------------- the registry


def test_registry_holds_data_figures_dates_and_structure(registry: Registry) -> None:
    assert 16613.0 in registry.numbers  # F41
    assert 1.2e9 in registry.numbers  # F13, the outlier's low end
    assert (2017, 12, 22) in registry.dates  # F04: 2397 adopted
    assert (2021, 11, None) in registry.dates  # F61: month precision keeps no day
    assert {2321, 2371, 2375, 2397, 1718} <= registry.resolutions  # 1718 from F02's quote
    assert {8, 17} <= registry.paragraphs
    assert 150.0 in registry.assumptions  # A_SEATS_PER_FLIGHT default


def test_changing_the_data_changes_the_check(tables: dict, descriptor: dict) -> None:
    changed = {name: frame.copy() for name, frame in tables.items()}
    visas = changed["visas"]
    visas.loc[visas["visa_id"] == "V2019_TOURIST", "count"] = 17000
    registry = claims.registry_from_tables(changed, descriptor)
    assert not check_text("16,613 tourist visas", registry)[0].ok
    assert check_text("17,000 tourist visas", registry)[0].ok


def _write_module(folder: Path, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(body, encoding="utf-8")
    sys.modules.pop(name, None)


def test_derived_modules_are_collected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_module(tmp_path, "claims_topic_ok", (
        "from datetime import date\n"
        "def derived_values(tables):\n"
        "    return {'ratio': 16613 / 2035, 'deadline': date(2019, 12, 22), 'count': 3}\n"
    ))
    monkeypatch.syspath_prepend(str(tmp_path))
    values = claims.derived_from_modules({}, ["claims_topic_ok", "claims_topic_not_written_yet"])
    assert values == {
        "claims_topic_ok: ratio": pytest.approx(8.1636, abs=1e-4),  # 16613 / 2035 by hand: 8.1636...
        "claims_topic_ok: deadline": date(2019, 12, 22),
        "claims_topic_ok: count": 3.0,
    }


def test_a_listed_module_without_derived_values_fails_loudly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_module(tmp_path, "claims_topic_silent", "VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ValueError, match="claims_topic_silent.*no derived_values"):
        claims.derived_from_modules({}, ["claims_topic_silent"])


def test_derived_values_must_be_numbers_or_dates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_module(tmp_path, "claims_topic_bad", "def derived_values(tables):\n    return {'label': 'eight'}\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(ValueError, match="claims_topic_bad.*'label'.*finite number or a date"):
        claims.derived_from_modules({}, ["claims_topic_bad"])


def test_every_listed_module_that_exists_feeds_the_registry(tables: dict) -> None:
    import importlib.util

    # The four topic modules are written (each has its own test file); none may drop out of the list.
    topics = {"helpers.timeline", "helpers.estimates", "helpers.visas", "helpers.capacity"}
    assert topics <= set(claims.DERIVED_MODULES)
    written = [name for name in claims.DERIVED_MODULES if importlib.util.find_spec(name)]
    assert topics <= set(written)
    values = claims.derived_from_modules(tables)
    assert {key.split(":")[0] for key in values} == set(written)


# ---------------------------------------------------------------- extraction, by hand


def kinds_values(text: str) -> list[tuple[str, object]]:
    return [(c.kind, c.value) for c in extract(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tourist visas rose about 8.2× in 2019.", [("ratio", 8.2), ("year", 2019.0)]),
        ("more than $500 million a year from nearly 100,000 workers",
         [("money", 500e6), ("count", 100000.0)]),
        ("US$1.2–2.3 billion, an outlier", [("money", 1.2e9), ("money", 2.3e9)]),
        ("80% of them", [("percent", 80.0)]),
        ("adopted 15–0", [("count", 15.0), ("count", 0.0)]),
        ("fewer than half", [("percent", 50.0)]),
        ("only two flights a week, by one airline", [("count", 2.0)]),
        ("fewer than ten thousand remain", [("count", 10000.0)]),
        ("the deadline of 22 December 2019", [("date", (2019, 12, 22))]),
        ("by 22 Dec 2019", [("date", (2019, 12, 22))]),
        ("by Dec. 22 last year", [("date", (None, 12, 22))]),
        ("on December 22, 2019, the", [("date", (2019, 12, 22))]),
        ("as of 2019-12-22", [("date", (2019, 12, 22))]),
        ("In December 2017 the Council", [("date", (2017, 12, None))]),
        ("resolution 2397, paragraph 8", [("resolution", 2397.0), ("paragraph", 8.0)]),
        ("resolution 2375 (¶17)", [("resolution", 2375.0), ("paragraph", 17.0)]),
        ("S/RES/2397 (2017)", [("resolution", 2397.0), ("year", 2017.0)]),
        ("see notebooks 01–04", [("notebook", 1.0), ("notebook", 4.0)]),
        ("notebooks 01 and 02, with 03 as homework", [("notebook", 1.0), ("notebook", 2.0), ("notebook", 3.0)]),
        ("**Exercise 2.** Compute it.", [("enumeration", 2.0)]),
        ("## 3. Reading it honestly", []),
        ("Needs Python 3.11.", [("version", 0.0)]),
        ("in 2018–19", [("year", 2018.0), ("year", 2019.0)]),
        ("on the 22nd of December 2019", [("date", (2019, 12, 22))]),
        ("a footnote[^1] here", []),
    ],
)
def test_extract_reads_numbers_as_a_reader_does(text: str, expected: list) -> None:
    assert kinds_values(text) == expected


def test_code_links_lists_and_html_are_not_prose() -> None:
    text = (
        "1. Run `tables['visas'].head(5)` first.\n"
        "2. See [03 The visa surge](03-the-visa-surge.ipynb) and https://example.org/2016/42\n"
        "<img src='chart-7.png'> &#8212; 03-the-visa-surge.ipynb\n"
        "```python\nx = 12345\n```\n"
    )
    assert kinds_values(text) == [("notebook", 3.0)]


def test_navigation_cells_are_skipped(tmp_path: Path) -> None:
    notebook = {"cells": [
        {"cell_type": "markdown", "metadata": {"tags": ["navigation"]}, "source": "[← 98 old](98-old.ipynb) 12345"},
        {"cell_type": "markdown", "metadata": {}, "source": ["Russia issued ", "16,613 tourist visas."]},
        {"cell_type": "code", "metadata": {}, "source": "x = 99999", "outputs": []},
    ]}
    path = tmp_path / "99-test.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    passages = claims.notebook_passages(path)
    assert [(p.where, p.text) for p in passages] == [("cell 1", "Russia issued 16,613 tourist visas.")]


def test_extract_rejects_what_is_not_text() -> None:
    with pytest.raises(ValueError, match="markdown text"):
        extract(None)  # type: ignore[arg-type]


# ---------------------------------------------------------------- matching, by hand

# A registry written by hand: the visa counts of F40/F41, the surge ratio 16613 / 2035 =
# 8.16363..., Russia's permit fall 30,023 − 11,490 = 18,533 (F28), the deadline 22 Dec 2019,
# a month-precise date (Dec 2018), resolution 2397 paragraph 8, a seats-per-flight assumption.
HAND = Registry(
    numbers={2035.0: ["visas 2018 tourist"], 16613.0: ["visas 2019 tourist"], 20000.0: ["a round figure"],
             100000.0: ["US estimate"], 0.8: ["a share"], 0.5: ["half"],
             24.0: ["resolution_terms T2397_REPAT (months after adoption)"], 2.0: ["flights per week"]},
    derived={16613 / 2035: ["derived surge ratio"], 18533.0: ["derived permit fall"]},
    dates={(2019, 12, 22): ["deadline"], (2018, 12, None): ["Matsegora, Dec 2018"]},
    resolutions={2397},
    paragraphs={8},
    assumptions={150.0: ["A_SEATS_PER_FLIGHT default"]},
)


def verdicts(text: str) -> list[tuple[str, str]]:
    return [(v.claim.text, v.basis) for v in check_text(text, HAND)]


@pytest.mark.parametrize(
    ("text", "basis"),
    [
        ("about 8.2×", "derived"),  # 8.1636 rounds to 8.2 at one decimal
        ("8.16 times", "derived"),  # and to 8.16 at two
        ("8.2×", "derived"),  # a ratio is always read as rounded
        ("more than 8 times", "derived"),  # 8.16 lies between 8 and 8.5
        ("8 times", "derived"),  # a whole ratio rounds to the unit: |8.16 − 8| < 0.5
        ("about 17,000", "data"),  # 16,613 rounds to 17,000 at the thousands
        ("20,000", "data"),  # exactly the figure
        ("about 20,000", "data"),
        ("18,533 fewer permits", "derived"),
        ("a fall of −18,533", "derived"),  # the sign is the sentence's business
        ("nearly 100,000", "data"),
        ("80%", "data"),  # the share 0.8 as a percentage
        ("more than half", "data"),
        ("16,613 tourist visas", "data"),
        ("within 24 months", "data"),  # 24 labelled in months
        ("22 December 2019", "data"),
        ("22 Dec 2019", "data"),
        ("Dec. 22", "data"),
        ("December 2019", "data"),
        ("in 2019", "data"),  # the year of a date in data/
        ("Dec 2018", "data"),
        ("resolution 2397, paragraph 8", "structural"),
        ("ASSUMPTION: 150 seats per flight", "structural"),
    ],
)
def test_a_claim_matches_within_the_rounding_written(text: str, basis: str) -> None:
    results = verdicts(text)
    assert results and all(b == basis for _, b in results), results


@pytest.mark.parametrize(
    "text",
    [
        "8.3×",  # 8.1636 does not round to 8.3
        "8.1×",  # nor to 8.1 (8.15 would be the edge)
        "18,000",  # no qualifier: a whole number must be exact
        "more than 9 times",  # 8.16 is not above 9
        "17,000",  # without a qualifier a whole count is exact
        "about 21,000",  # rounding at the thousands allows ±500; the nearest values, 20,000 and 18,533, are further
        "85%",  # 0.8 is 80%, not 85%
        "23 December 2019",
        "15 Dec 2018",  # Dec 2018 is month-precise: no day to match
        "3 months",
        "resolution 2270",
        "paragraph 9",
        "150 seats per flight",  # the same number, not shown as an assumption
    ],
)
def test_a_claim_nothing_accounts_for_is_unmatched(text: str) -> None:
    results = verdicts(text)
    assert results and all(b == "" for _, b in results), results


def test_a_count_of_days_weeks_or_months_needs_a_value_of_that_kind() -> None:
    # 2 is in the registry as flights per week, so "two flights" passes, "two months" does not.
    assert verdicts("two flights a week") == [("two", "data")]
    assert verdicts("two months later") == [("two", "")]


def test_a_count_of_the_list_it_introduces_is_structural() -> None:
    text = "## The story in five sentences\n\n1. a\n2. b\n3. c\n4. d\n5. e\n"
    assert verdicts(text) == [("five", "structural")]
    assert verdicts("## The story in four sentences\n\n1. a\n2. b\n3. c\n4. d\n5. e\n") == [("four", "")]


def test_an_unmatched_claim_reports_its_place_and_sentence(tmp_path: Path) -> None:
    notebook = {"cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Title"},
        {"cell_type": "markdown", "metadata": {}, "source": "Fine: 16,613 visas.\nThen 12,345 ghosts appeared. Next."},
    ]}
    path = tmp_path / "98-test.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    unmatched = claims.unmatched_claims(path, HAND)
    assert [str(u) for u in unmatched] == ["98-test.ipynb, cell 1, line 2: '12,345' (count) in: Then 12,345 ghosts appeared."]


def test_a_claim_is_a_plain_value() -> None:
    claim = Claim("8.2×", "ratio", 8.2, 0, 4, unit=0.1, decimals=1, qualifier="round")
    assert classify(claim, HAND).basis == "derived"
