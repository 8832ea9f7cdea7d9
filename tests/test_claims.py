"""The claims rule (tools.claims): every number in the prose is a data figure, an output, or
structure.

Three parts. The collection: every notebook's markdown, README.md and the teacher guide pass
the rule, and the seed article's figures are all mentioned. The rule itself, on small
synthetic notebooks written here with nbformat (so these tests do not move when the prose
does): outputs of the same notebook count, within the rounding written; an invented number
is caught, in a copy of a real notebook too; a small number or a bare year that equals only
a figure of an unrelated row fails. The extractor, on hand-written sentences whose expected
readings are worked out by hand, never copied from the code under test.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from tools import claims
from tools.claims import Claim, Figure, Outputs, Registry, check_text, classify, extract
from workers_abroad.publishing.notebooks import NOTEBOOKS_DIR, ROOT, notebook_paths

DOCUMENTS = claims.collection_documents()


@pytest.fixture(scope="module")
def descriptor() -> dict:
    return json.loads((ROOT / "data" / "datapackage.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def registry(tables: dict, descriptor: dict) -> Registry:
    return claims.registry_from_tables(tables, descriptor)


# ---------------------------------------------------------------- the collection


@pytest.mark.parametrize("path", DOCUMENTS, ids=[p.name for p in DOCUMENTS])
def test_every_number_in_the_prose_is_accounted_for(path: Path, registry: Registry) -> None:
    unmatched = claims.unmatched_claims(path, registry)
    if unmatched:
        pytest.fail(
            pytrace=False,
            reason=(
                f"{len(unmatched)} number(s) in {path.relative_to(ROOT)} are neither a figure in"
                " data/, nor printed by a code cell of the same notebook (within the rounding"
                " written), nor structural. Print it from code, add it to data/ with its source,"
                " or reword (python -m tools.claims --report shows every match):\n  "
                + "\n  ".join(str(u) for u in unmatched)
            ),
        )


def test_the_collection_is_read() -> None:
    """Every notebook, the README and every docs page (the teacher guide, the answer keys):
    a document missing here is never checked."""
    names = {p.relative_to(ROOT).as_posix() for p in DOCUMENTS}
    notebooks = {p.relative_to(ROOT).as_posix() for p in NOTEBOOKS_DIR.glob("*.ipynb")}
    pages = {p.relative_to(ROOT).as_posix() for p in (ROOT / "docs").glob("*.md")}
    assert len(notebooks) >= 5  # 00-start-here to 04-deadline-logistics (README's contents)
    assert {"docs/teacher-guide.md", "docs/answer-keys.md"} <= pages
    assert names == notebooks | {"README.md"} | pages


def test_every_seed_figure_is_mentioned(tables: dict, descriptor: dict) -> None:
    missing = claims.unmentioned_seed_figures(tables, descriptor, claims.collection_texts())
    if missing:
        pytest.fail(
            pytrace=False,
            reason="seed figures never mentioned in any notebook's prose or outputs, README "
            "or teacher guide:\n  " + "\n  ".join(f"{m.where} = {m.value}" for m in missing),
        )


def test_seed_figures_are_the_seed_rows(tables: dict, descriptor: dict) -> None:
    # The seed article's figures (fact sheet F10, F25, F40, F41, F50) and its dated events.
    values = {f.value for f in claims.seed_figures(tables, descriptor)}
    assert {
        16613.0,
        10345.0,
        2035.0,
        2610.0,
        100000.0,
        50000.0,
        30000.0,
        500e6,
        1000.0,
        2.0,
    } <= values
    assert (2019, 12, 22) in values  # the deadline, "Dec. 22" in the seed
    assert 11490.0 not in values  # a secondary figure (F21): not the seed's to cover


def test_seed_coverage_fails_when_a_figure_is_never_mentioned(
    tables: dict, descriptor: dict
) -> None:
    texts = [
        "Russia issued 16,613 tourist and 10,345 student visas in 2019, and 2,035 tourist in 2018."
    ]
    missing = {
        m.where.split()[1] for m in claims.unmentioned_seed_figures(tables, descriptor, texts)
    }
    assert "V2019_TOURIST" not in missing and "V2018_TOURIST" not in missing
    assert "V2018_STUDENT" in missing  # 2,610 is not in the text
    assert "E_DEADLINE" in missing  # no date in the text


def test_the_data_registry_holds_figures_dates_and_structure(registry: Registry) -> None:
    numbers = {f.value: f for f in registry.numbers}
    assert numbers[16613.0].where.startswith("visas.csv V2019_TOURIST count")  # F41
    assert numbers[16613.0].row == "V2019_TOURIST"
    assert 1.2e9 in numbers  # F13, the outlier's low end
    assert 150.0 in numbers  # A_SEATS_PER_FLIGHT default: an assumption's figures are figures
    dates = {f.value for f in registry.dates}
    assert (2017, 12, 22) in dates  # F04: 2397 adopted
    assert {2321, 2371, 2375, 2397, 1718} <= registry.resolutions  # 1718 from F02's quote
    assert {8, 17} <= registry.paragraphs
    assert registry.resolution_years[2397] == {2017}
    assert {"V2019_TOURIST", "T2397_REPAT", "S01"} <= registry.row_ids


def test_an_invented_number_in_a_real_notebook_is_caught(
    tmp_path: Path, registry: Registry
) -> None:
    # Two copies of the same bytes (the real notebook may change while this runs): one as is, one
    # planted.
    source = tmp_path / "as-is" / "03-the-visa-surge.ipynb"
    source.parent.mkdir()
    shutil.copy(NOTEBOOKS_DIR / source.name, source)
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    notebook = nbformat.read(copy, as_version=4)
    index = next(
        i
        for i, c in enumerate(notebook.cells)
        if c.cell_type == "markdown" and "navigation" not in c.metadata.get("tags", [])
    )
    notebook.cells[index].source += "\n\nThen 12,345 ghosts crossed the border."
    nbformat.write(notebook, copy)
    before = {(f.place, f.verdict.claim.text) for f in claims.unmatched_claims(source, registry)}
    after = {(f.place, f.verdict.claim.text) for f in claims.unmatched_claims(copy, registry)}
    assert after - before == {(f"cell {index}", "12,345")}
    result = run_claims(str(copy))
    assert result.returncode == 1
    assert (
        f"{copy}:cell {index}:12,345  [count] UNMATCHED in: Then 12,345 ghosts crossed the border."
        in result.stdout
    )


# ---------------------------------------------------------------- the rule, on synthetic notebooks

# A registry written by hand: the visa counts of F40/F41 (rows V2018_TOURIST, V2019_TOURIST),
# two flights a week (T_FLIGHTS), 24 months (T2397_REPAT, labelled in months), a share of 0.8,
# the deadline 22 Dec 2019 (E_DEADLINE), Dec 2018 at month precision, a source published in 2016
# (S31), resolution 2397 of 2017, ¶8.
HAND = Registry(
    numbers=[
        Figure(2035.0, "visas.csv V2018_TOURIST count", "V2018_TOURIST"),
        Figure(16613.0, "visas.csv V2019_TOURIST count", "V2019_TOURIST"),
        Figure(20000.0, "worker_estimates.csv W_ROUND low", "W_ROUND"),
        Figure(100000.0, "worker_estimates.csv W_US low", "W_US"),
        Figure(
            0.8,
            "assumptions.csv A_SHARE default (share)",
            "A_SHARE",
            words=frozenset({"share", "default"}),
        ),
        Figure(
            2.0,
            "transport.csv T_FLIGHTS value (flights per week)",
            "T_FLIGHTS",
            words=frozenset({"flight", "week"}),
        ),
        Figure(
            24.0,
            "resolution_terms.csv T2397_REPAT value (months after adoption)",
            "T2397_REPAT",
            words=frozenset({"month", "adoption"}),
        ),
    ],
    dates=[
        Figure((2019, 12, 22), "events.csv E_DEADLINE date", "E_DEADLINE"),
        Figure((2018, 12, None), "russia_workers.csv RW_2018_DEC as_of", "RW_2018_DEC"),
        Figure((2016, None, None), "sources.csv S31 published", "S31"),
    ],
    resolutions={2397},
    paragraphs={8},
    resolution_years={2397: {2017}},
    row_ids={
        "V2018_TOURIST",
        "V2019_TOURIST",
        "W_ROUND",
        "W_US",
        "A_SHARE",
        "T_FLIGHTS",
        "T2397_REPAT",
        "E_DEADLINE",
        "RW_2018_DEC",
        "S31",
    },
)


def run_claims(*arguments: str) -> subprocess.CompletedProcess[str]:
    """``python -m tools.claims`` with these arguments, as a maintainer runs it."""
    command = [sys.executable, "-m", "tools.claims", *arguments]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def write_notebook(
    folder: Path, name: str, prose: str, code: str = "", bundle: dict | None = None
) -> Path:
    """A notebook: one markdown cell of ``prose`` (cell 0), then one executed code cell (cell 1)
    whose source is ``code`` and whose display output carries ``bundle`` (mime type → data)."""
    cell = nbformat.v4.new_code_cell(code, execution_count=1)
    if bundle:
        cell.outputs = [nbformat.v4.new_output("display_data", bundle)]
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(prose), cell])
    path = folder / name
    nbformat.write(notebook, path)
    return path


def bases(path: Path, registry: Registry = HAND) -> list[tuple[str, str, str]]:
    """(number, basis, detail) for every number in the notebook's prose."""
    return [
        (f.verdict.claim.text, f.verdict.basis, f.verdict.detail)
        for f in claims.check_document(path, registry)
    ]


#: Hand-worked cases of a notebook whose one code cell printed ``bundle``: (notebook, prose,
#: bundle, each number's (text, basis)); "output" means that cell's output accounts for it.
OUTPUT_CASES = {
    # 16,613 / 2,035 = 8.16363...: "about 8.2×" rounds it at one decimal, "8.16 times" at two.
    "within the rounding written": (
        "03-x.ipynb",
        "Tourist visas rose about 8.2× (8.16 times).",
        {"text/plain": "8.163636363636364"},
        [("8.2×", "output"), ("8.16 times", "output")],
    ),
    # "about 18,500" covers 18,450 to 18,550: 18,533 is in; "more than 18,500" too (18,533 is
    # at least 18,500); "nearly 18,600" needs 18,550 to 18,600.
    "about, more than, nearly": (
        "03-x.ipynb",
        "about 18,500 and more than 18,500 but nearly 18,600",
        {"text/plain": "18533"},
        [("18,500", "output"), ("18,500", "output"), ("18,600", "")],
    ),
    # 22 Dec 2019 is derived in data/; 28 Feb 2018 printed; 23 Dec 2019 neither.
    "full dates": (
        "01-x.ipynb",
        "Due 22 Dec 2019, reported 28 Feb 2018, not 23 Dec 2019.",
        {"text/plain": "2018-02-28"},
        [("22 Dec 2019", "data"), ("28 Feb 2018", "output"), ("23 Dec 2019", "")],
    ),
    # An HTML table's index (the th cells 0 and 1) is not a printed number.
    "an HTML table without its index": (
        "03-x.ipynb",
        "It was 12,345, in 1 case.",
        {
            "text/html": "<table><tr><th>0</th><th>1</th><td>12,345</td></tr></table>",
            "text/plain": "0 1 12345",
        },
        [("12,345", "output"), ("1", "")],
    ),
}


@pytest.mark.parametrize(
    ("name", "prose", "bundle", "expected"), OUTPUT_CASES.values(), ids=list(OUTPUT_CASES)
)
def test_an_output_accounts_for_the_numbers_it_prints(
    tmp_path: Path, name: str, prose: str, bundle: dict, expected: list[tuple[str, str]]
) -> None:
    path = write_notebook(tmp_path, name, prose, "x", bundle=bundle)
    found = bases(path)
    assert [(text, basis) for text, basis, _ in found] == expected
    details = {detail for _, basis, detail in found if basis == "output"}
    assert details == {f"{name} output of cell 1"}


@pytest.mark.parametrize("prose", ["8.3×", "8.1×", "about 18,400", "18,500"])
def test_a_number_outside_the_rounding_written_is_unmatched(tmp_path: Path, prose: str) -> None:
    # 8.1636 is neither 8.3 nor 8.1 at one decimal; 18,533 rounds to 18,500, not 18,400, and a
    # whole number without "about" must be exact.
    path = write_notebook(
        tmp_path, "03-x.ipynb", prose, "x", bundle={"text/plain": "8.163636 18533"}
    )
    assert [b for _, b, _ in bases(path)] == [""]


def test_outputs_of_another_notebook_do_not_count_for_a_notebook(tmp_path: Path) -> None:
    write_notebook(tmp_path, "01-a.ipynb", "Nothing here.", "x", bundle={"text/plain": "12345"})
    other = write_notebook(tmp_path, "02-b.ipynb", "It was 12,345.")
    assert [b for _, b, _ in bases(other)] == [""]


def readme_bases(folder: Path, text: str, notebook: Path) -> list[tuple[str, str, str]]:
    """(number, basis, detail) for every number of a README.md holding ``text``, next to one
    notebook whose outputs it may cite."""
    readme = folder / "README.md"
    readme.write_text(text, encoding="utf-8")
    outputs = claims.outputs_for(readme, HAND, notebooks=[notebook])
    return [
        (f.verdict.claim.text, f.verdict.basis, f.verdict.detail)
        for f in claims.check_document(readme, HAND, outputs)
    ]


def test_readme_and_the_guide_may_cite_any_notebooks_output(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path, "01-a.ipynb", "Nothing here.", "x", bundle={"text/plain": "12345"}
    )
    found = readme_bases(tmp_path, "The notebooks find 12,345, not 54,321.\n", notebook)
    assert [(text, basis) for text, basis, _ in found] == [("12,345", "output"), ("54,321", "")]


def test_a_small_count_in_readme_needs_an_output_of_the_same_kind(tmp_path: Path) -> None:
    # Notebook 04 prints "Air: 2 flights a week"; README's "two flights" is that, "Two of its
    # screenshots" is not, though both are a 2 some notebook printed.
    notebook = write_notebook(
        tmp_path, "04-a.ipynb", "Nothing here.", "x", bundle={"text/plain": "Air: 2 flights a week"}
    )
    found = readme_bases(
        tmp_path, "Only two flights a week.\n\nTwo of its screenshots:\n", notebook
    )
    assert found == [
        (
            "two",
            "output",
            "04-a.ipynb output of cell 1 [small: a printed output, same kind: flight, week]",
        ),
        ("Two", "", ""),
    ]


def test_a_data_figure_counts_anywhere_when_the_number_is_not_small(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, "03-x.ipynb", "Russia issued 16,613 tourist visas.")
    assert bases(path) == [("16,613", "data", "visas.csv V2019_TOURIST count")]


def test_a_small_number_matching_only_an_unrelated_figure_fails(tmp_path: Path) -> None:
    # 2 is a figure of T_FLIGHTS (flights a week); a notebook that never touches that row
    # cannot claim "two" on its strength: "two sources disagree" is not about flights.
    unrelated = write_notebook(
        tmp_path, "02-x.ipynb", "The two sources disagree.", "tables['visas']"
    )
    assert [b for _, b, _ in bases(unrelated)] == [""]


def test_a_small_number_from_a_row_the_notebook_uses_passes_and_says_so(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path, "04-x.ipynb", "Only two flights a week.", 'row(tables["transport"], "T_FLIGHTS")'
    )
    assert bases(path) == [
        (
            "two",
            "data",
            "transport.csv T_FLIGHTS value (flights per week) "
            "[small: a row used or cited, same kind: flight, week]",
        )
    ]


def test_a_small_count_must_be_of_the_same_kind_as_the_figure(tmp_path: Path) -> None:
    # The notebook uses T_FLIGHTS (2 flights a week), but "two sources" and "two exceptions"
    # count other things: the words around them share nothing with "flights per week".
    uses = 'row(tables["transport"], "T_FLIGHTS")'
    path = write_notebook(
        tmp_path,
        "04-x.ipynb",
        "The two sources disagree; two narrow exceptions; two flights.",
        uses,
    )
    assert [(t, b) for t, b, _ in bases(path)] == [("two", ""), ("two", ""), ("two", "data")]


def test_context_words_are_the_content_words_around_a_number_within_its_clause() -> None:
    text = "In January 2020, there were only two flights a week between Russia and the DPRK."
    start = text.index("two")
    assert claims.context_words(text, start, start + 3) == {
        "january",
        "flight",
        "week",
        "between",
    }  # "there were only" are stop words
    text = "Its default, 0, reads the closure literally; (250 × 5) = 0.6"
    start = text.index("0,")
    assert claims.context_words(text, start, start + 1) == {"default"}
    start = text.index("5)")
    assert claims.context_words(text, start, start + 1) == frozenset()  # brackets close the clause
    assert claims.kind_words("flights_per_week_max; countries") == {
        "flight",
        "week",
        "max",
        "country",
    }


def test_a_small_number_printed_by_the_notebook_passes_and_says_so(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path, "04-x.ipynb", "Only two flights a week.", "flights", bundle={"text/plain": "2"}
    )
    assert bases(path) == [
        ("two", "output", "04-x.ipynb output of cell 1 [small: a printed output]")
    ]


def test_a_bare_year_needs_a_row_the_notebook_uses_or_its_output(tmp_path: Path) -> None:
    # 2019 is the year of E_DEADLINE: unrelated to a notebook that never uses that row.
    alone = write_notebook(tmp_path, "01-x.ipynb", "In 2019 it changed.", "tables['visas']")
    assert [b for _, b, _ in bases(alone)] == [""]
    used = write_notebook(
        tmp_path, "01-y.ipynb", "In 2019 it changed.", "row(events, 'E_DEADLINE')"
    )
    assert bases(used) == [
        ("2019", "data", "year of events.csv E_DEADLINE date [small: a row used or cited]")
    ]
    printed = write_notebook(
        tmp_path, "01-z.ipynb", "In 2019 it changed.", "x", bundle={"text/plain": "2019-12-22"}
    )
    assert [b for _, b, _ in bases(printed)] == ["output"]


def test_a_bare_year_may_come_from_a_row_the_prose_cites(tmp_path: Path) -> None:
    # "(S31)" cites the source published in 2016: its year accounts for "2016" in that notebook.
    cited = write_notebook(tmp_path, "02-x.ipynb", "The Washington Post, 2016 (S31).")
    assert bases(cited) == [
        ("2016", "data", "year of sources.csv S31 published [small: a row used or cited]")
    ]
    uncited = write_notebook(tmp_path, "02-y.ipynb", "The Washington Post, 2016.")
    assert [b for _, b, _ in bases(uncited)] == [""]


def test_a_count_of_months_needs_a_value_counted_in_months(tmp_path: Path) -> None:
    # 24 is T2397_REPAT, labelled in months; 2 is a count of flights, not of months.
    uses_both = 'row(t, "T2397_REPAT"); row(t, "T_FLIGHTS")'
    path = write_notebook(tmp_path, "01-x.ipynb", "within 24 months; two months later", uses_both)
    assert [(t, b) for t, b, _ in bases(path)] == [("24", "data"), ("two", "")]
    printed = write_notebook(
        tmp_path, "01-y.ipynb", "two months later", "x", bundle={"text/plain": "2 months"}
    )
    assert [b for _, b, _ in bases(printed)] == ["output"]


def test_chart_titles_annotations_and_widget_text_count(tmp_path: Path) -> None:
    figure = {
        "data": [],
        "layout": {
            "title": {
                "text": "Tourist visas rose <b>8.2×</b>",
                "subtitle": {"text": "3,067 in 2020-Q1"},
            },
            "annotations": [{"text": "a fall of 18,533"}],
        },
    }
    path = write_notebook(
        tmp_path,
        "03-x.ipynb",
        "8.2×, 3,067 and 18,533 but not 4,321.",
        "fig",
        bundle={"application/vnd.plotly.v1+json": figure},
    )
    assert [b for _, b, _ in bases(path)] == ["output", "output", "output", ""]

    notebook = nbformat.read(path, as_version=4)
    model = "a" * 32
    notebook.cells[1].outputs = [
        nbformat.v4.new_output(
            "display_data",
            {"application/vnd.jupyter.widget-view+json": {"model_id": model, "version_major": 2}},
        )
    ]
    notebook.metadata["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {
                model: {
                    "model_name": "HTMLModel",
                    "state": {"_model_name": "HTMLModel", "value": "<b>4,321</b> seats"},
                }
            }
        }
    }
    nbformat.write(notebook, path)
    assert [b for _, b, _ in bases(path)] == ["", "", "", "output"]


def test_structural_rules(tmp_path: Path) -> None:
    prose = (
        "See notebook 03 and [04 Logistics](04-x.ipynb). **Exercise 03.1.** "
        "Resolution 2397 (2017), "
        "paragraph 8, the 2nd report, a 45 min lesson. Python 3.11. Off by a power of ten."
    )
    path = write_notebook(tmp_path, "01-x.ipynb", prose)
    found = [(t, b, d.split()[0]) for t, b, d in bases(path)]
    assert found == [
        ("03", "structural", "S1"),
        ("04", "structural", "S1"),
        ("03.1", "structural", "S2"),
        ("2397", "structural", "S3"),
        ("2017", "structural", "S4"),
        ("8", "structural", "S5"),
        ("2", "structural", "S8"),
        ("45", "structural", "S9"),
        ("3.11", "structural", "S6"),
    ]


def test_structural_rules_do_not_let_wrong_numbers_through(tmp_path: Path) -> None:
    # 2270 is not a resolution in the registry, 2016 is not 2397's year, ¶9 is not a paragraph in
    # data/.
    path = write_notebook(
        tmp_path, "01-x.ipynb", "Resolution 2270; resolution 2397 (2016); paragraph 9."
    )
    assert [(t, b) for t, b, _ in bases(path)] == [
        ("2270", ""),
        ("2397", "structural"),
        ("2016", ""),
        ("9", ""),
    ]


def test_a_count_of_the_list_it_introduces_is_structural() -> None:
    text = "## The story in five sentences\n\n1. a\n2. b\n3. c\n4. d\n5. e\n"
    assert [(v.claim.text, v.basis) for v in check_text(text, HAND)] == [("five", "structural")]
    wrong = "## The story in four sentences\n\n1. a\n2. b\n3. c\n4. d\n5. e\n"
    assert [(v.claim.text, v.basis) for v in check_text(wrong, HAND)] == [("four", "")]


def test_the_report_names_what_every_number_matched(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path,
        "03-x.ipynb",
        "Russia issued 16,613 tourist visas, 8.2× more, in 2019.",
        "16613 / 2035",
        bundle={"text/plain": "8.163636"},
    )
    result = run_claims("--report", str(path))
    assert result.returncode == 1  # 2019: no row of this notebook, no output gives it
    lines = result.stdout.splitlines()
    assert lines == [
        f"{path}:cell 0:16,613  [count] data: visas.csv V2019_TOURIST count",
        f"{path}:cell 0:8.2×  [ratio] output: 03-x.ipynb output of cell 1",
        f"{path}:cell 0:2019  [year, small] UNMATCHED in: "
        "Russia issued 16,613 tourist visas, 8.2× more, in 2019.",
    ]
    clean = write_notebook(tmp_path, "03-y.ipynb", "Russia issued 16,613 tourist visas.")
    result = run_claims(str(clean))
    # without --report, only the unmatched are printed
    assert (result.returncode, result.stdout) == (0, "")


def test_navigation_cells_are_not_prose(tmp_path: Path) -> None:
    path = write_notebook(tmp_path, "99-test.ipynb", "Russia issued 16,613 tourist visas.", "x = 9")
    notebook = nbformat.read(path, as_version=4)
    links = "[← 98 old](98-old.ipynb) 12345"
    navigation = nbformat.v4.new_markdown_cell(links, metadata={"tags": ["navigation"]})
    notebook.cells.insert(0, navigation)
    nbformat.write(notebook, path)
    assert [(p.where, p.text) for p in claims.notebook_passages(path)] == [
        ("cell 1", "Russia issued 16,613 tourist visas.")
    ]


def test_every_collection_notebook_is_read_from_the_one_list() -> None:
    assert [p for p in DOCUMENTS if p.suffix == ".ipynb"] == notebook_paths()


# ---------------------------------------------------------------- extraction, by hand


def kinds_values(text: str) -> list[tuple[str, object]]:
    return [(c.kind, c.value) for c in extract(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tourist visas rose about 8.2× in 2019.", [("ratio", 8.2), ("year", 2019.0)]),
        (
            "more than $500 million a year from nearly 100,000 workers",
            [("money", 500e6), ("count", 100000.0)],
        ),
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
        (
            "Timestamp 2019-12-22 00:00:00 and 2019-12-22T00:00",
            [("date", (2019, 12, 22)), ("date", (2019, 12, 22))],
        ),
        ("In December 2017 the Council", [("date", (2017, 12, None))]),
        ("resolution 2397, paragraph 8", [("resolution", 2397.0), ("paragraph", 8.0)]),
        ("resolution 2375 (¶17)", [("resolution", 2375.0), ("paragraph", 17.0)]),
        ("S/RES/2397 (2017)", [("resolution", 2397.0), ("resolution-year", 2017.0)]),
        (
            "resolutions 2371 (2017) and 2375 (2017)",
            [
                ("resolution", 2371.0),
                ("resolution-year", 2017.0),
                ("resolution", 2375.0),
                ("resolution-year", 2017.0),
            ],
        ),
        ("see notebooks 01–04", [("notebook", 1.0), ("notebook", 4.0)]),
        (
            "notebooks 01 and 02, with 03 as homework",
            [("notebook", 1.0), ("notebook", 2.0), ("notebook", 3.0)],
        ),
        (
            "helpers.visas (03: fold changes) at 09:55",
            [("notebook", 3.0), ("count", 9.0), ("count", 55.0)],
        ),
        ("**Exercise 2.** Compute it.", [("enumeration", 2.0)]),
        ("exercises 03.1 and 03.2", [("enumeration", 3.1), ("enumeration", 3.2)]),
        ("## 3. Reading it honestly", []),
        ("Needs Python 3.11.", [("version", 0.0)]),
        ("in 2018–19", [("year", 2018.0), ("year", 2019.0)]),
        ("on the 22nd of December 2019", [("date", (2019, 12, 22))]),
        ("the 3rd report", [("ordinal", 3.0)]),
        ("10–15 minutes, then 45 min", [("minutes", 10.0), ("minutes", 15.0), ("minutes", 45.0)]),
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


def test_extract_rejects_what_is_not_text() -> None:
    with pytest.raises(ValueError, match="markdown text"):
        extract(None)  # type: ignore[arg-type]


def test_a_claim_is_small_only_when_whole_and_below_100_or_a_year() -> None:
    assert Claim("2", "count", 2.0, 0, 1).is_small
    assert Claim("2019", "year", 2019.0, 0, 4).is_small
    assert not Claim("2.5", "count", 2.5, 0, 3, unit=0.1, decimals=1).is_small
    assert not Claim("100", "count", 100.0, 0, 3).is_small
    assert not Claim("80%", "percent", 80.0, 0, 3).is_small


def test_classify_is_a_pure_function_of_claim_registry_and_outputs() -> None:
    claim = Claim("8.2×", "ratio", 8.2, 0, 4, unit=0.1, decimals=1, qualifier="round")
    assert classify(claim, HAND).basis == ""
    printed = Outputs(numbers=(Figure(16613 / 2035, "x.ipynb output of cell 3"),))
    assert classify(claim, HAND, printed).detail == "x.ipynb output of cell 3"
