"""Data tests: the committed data/ obeys the Frictionless schema and the provenance rules."""

from __future__ import annotations

import csv
import json
import re
from datetime import date

import pytest

from helpers import data
from helpers.derived import add_months, evaluate_rule
from helpers.numbers import numbers_in
from tests.conftest import DATA

DESCRIPTOR = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in DESCRIPTOR["resources"]}
FACT_IDS = set(
    re.findall(
        r"^\| (F\d{2}b?) \|", (DATA / "fact-sheet.md").read_text(encoding="utf-8"), flags=re.M
    )
)


def raw_rows(name: str) -> list[dict[str, str]]:
    with open(DATA / RESOURCES[name]["path"], encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def all_rows() -> list[tuple[str, dict[str, str]]]:
    return [(name, row) for name in RESOURCES for row in raw_rows(name)]


def test_package_passes_every_rule() -> None:
    assert data.validation_problems(DATA) == []


def test_every_table_loads_typed_and_complete() -> None:
    tables = data.load_all(DATA)
    assert set(tables) == set(RESOURCES)
    for name, frame in tables.items():
        assert len(frame) == len(raw_rows(name)), name
        key = RESOURCES[name]["schema"]["primaryKey"][0]
        assert frame.index.name == key and frame.index.is_unique, name
        assert frame.index.tolist() == [row[key] for row in raw_rows(name)], name
        for field in RESOURCES[name]["schema"]["fields"]:
            if field["name"] == key:
                continue  # the key is the index, not a column
            dtype = str(frame[field["name"]].dtype)
            expected = {"integer": "Int64", "number": "Float64", "date": "datetime64"}.get(
                field["type"], "str"
            )
            assert dtype.startswith(expected) or (expected == "str" and dtype == "string"), (
                name,
                field["name"],
                dtype,
            )


def test_each_figure_appears_in_its_quote() -> None:
    checked = 0
    for name, row in all_rows():
        if row.get("status") in (None, "assumption"):
            continue
        for field in RESOURCES[name]["schema"]["fields"]:
            value = row[field["name"]]
            if field.get("x-figure") and value:
                assert float(value) in numbers_in(row["quote"]), (
                    f"{name} {row}: {value} not in quote"
                )
                checked += 1
    assert (
        checked >= 60
    )  # every table with figures contributes; a schema losing its x-figure marks fails here


def test_every_source_id_resolves_and_no_source_is_unused() -> None:
    known = {row["source_id"] for row in raw_rows("sources")}
    cited = set()
    for name, row in all_rows():
        if name == "sources":
            continue
        ids = (
            [row["source_id"], *row["also_source_ids"].split()]
            if row["source_id"]
            else row["also_source_ids"].split()
        )
        assert set(ids) <= known, (name, row)
        cited |= set(ids)
    assert known - cited == set(), f"sources never cited: {sorted(known - cited)}"


def test_every_fact_id_is_on_the_fact_sheet() -> None:
    assert len(FACT_IDS) > 40
    checked = 0
    for name, row in all_rows():
        if name == "sources" or (name == "assumptions" and not row["fact_id"]):
            continue  # sources have no fact; an assumption is what no fact gives
        assert row["fact_id"], (
            f"{name} row without a fact_id: {row}"
        )  # README: every row carries fact_id
        assert row["fact_id"] in FACT_IDS, (name, row["fact_id"])
        checked += 1
    assert checked >= 80  # all the figure tables' rows, not a handful


def test_seed_rows_cite_the_seed_article() -> None:
    seed_rows = [(n, r) for n, r in all_rows() if r.get("status") == "seed"]
    assert seed_rows
    for name, row in seed_rows:
        assert row["source_id"] == "S01", (name, row)


def test_assumptions_are_labelled_and_defaults_in_range() -> None:
    rows = raw_rows("assumptions")
    assert len(rows) >= 5  # seats per flight, two shares, rail seats, tourist visas as work
    for row in rows:
        assert row["label"].startswith("ASSUMPTION: ")
        assert row["status"] == "assumption"
        assert float(row["minimum"]) <= float(row["default"]) <= float(row["maximum"])


# Every derived row and its value, by hand: 22 Dec 2017 + 15, 24 and 27 months (F05, F07) and
# 30,023 - 11,490 (F28). Not computed with helpers.derived, which the loader also uses.
DERIVED_BY_HAND = {
    "E_MIDTERM_REPORT_DUE": "2019-03-22",
    "E_DEADLINE": "2019-12-22",
    "E_FINAL_REPORT_DUE": "2020-03-22",
    "RW_DECLINE": "18533",
}


def test_derived_rows_recompute() -> None:
    rows_by_id = {}
    for name, row in all_rows():
        rows_by_id[row[RESOURCES[name]["schema"]["primaryKey"][0]]] = row
    derived = {key: row for key, row in rows_by_id.items() if row.get("derived_from")}
    assert set(derived) == set(DERIVED_BY_HAND)
    for key, row in derived.items():
        actual = row["date"] if "date" in row else row["count"]
        assert actual == DERIVED_BY_HAND[key], (key, actual)
        # and the rule the loader enforces gives the same value
        expected = evaluate_rule(row["derived_from"], rows_by_id)
        assert (expected == actual) if isinstance(expected, str) else (float(actual) == expected), (
            key,
            expected,
        )


def test_the_deadline_is_24_months_after_adoption() -> None:
    # F05/F06: adopted 22 Dec 2017, "no later than 24 months" -> the seed's "Dec. 22" of 2019.
    adopted = date(2017, 12, 22)
    assert add_months(adopted, 24) == date(2019, 12, 22)
    deadline_row = next(r for r in raw_rows("events") if r["event_id"] == "E_DEADLINE")
    assert deadline_row["date"] == "2019-12-22"
    assert "Dec. 22" in deadline_row["quote"]


def test_russian_decline_is_the_difference_of_the_two_reports() -> None:
    # F28: 30,023 - 11,490 = 18,533, by hand.
    counts = {r["obs_id"]: int(r["count"]) for r in raw_rows("russia_workers")}
    assert counts["RW_2017_END"] - counts["RW_2018_END"] == counts["RW_DECLINE"] == 18533


@pytest.mark.parametrize("name", sorted(RESOURCES))
def test_primary_keys_are_declared_and_unique(name: str) -> None:
    key = RESOURCES[name]["schema"]["primaryKey"][0]
    values = [row[key] for row in raw_rows(name)]
    assert values and all(values), f"{name}: no rows, or a row without its {key}"
    assert len(values) == len(set(values))


def fact_sheet_rows() -> dict[str, tuple[set[str], str, str]]:
    """fact id -> (source ids on its fact-sheet row, its status word, the row's text)."""
    facts = {}
    for line in (DATA / "fact-sheet.md").read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| (F\d{2}b?) \|(.*)\|\s*$", line)
        if match:
            cells = [c.strip() for c in match[2].split("|")]
            status = re.match(r"[a-z]+", cells[-1])[0]
            facts[match[1]] = (set(re.findall(r"S\d{2}b?", match[2])), status, match[2])
    return facts


def test_rows_agree_with_their_fact_sheet_entry() -> None:
    """A row cites only its fact's sources and carries its fact's status.

    Two readings of the sheet are allowed: "(and seed)" admits the seed article S01, and a
    fact the sheet marks derived may be a seed row when the seed states the same value and
    the row's derived_from recomputes it (the deadline).
    """
    facts = fact_sheet_rows()
    checked = 0
    for name, row in all_rows():
        if not row.get("fact_id") or row["status"] == "assumption":
            continue
        sources, status, text = facts[row["fact_id"]]
        seed_states_it = "seed" in text or (status == "derived" and row["status"] == "seed")
        allowed = sources | ({"S01"} if seed_states_it else set())
        cited = {row["source_id"], *row["also_source_ids"].split()}
        assert cited <= allowed, (name, row["fact_id"], cited, allowed)
        if status == "derived":
            assert row.get("derived_from"), (name, row)
        else:
            assert row["status"] == status, (name, row["fact_id"], row["status"], status)
        checked += 1
    assert checked >= 80


def test_paragraph_8_clauses_are_quoted_word_for_word() -> None:
    """F05b: each exception's text is a verbatim part of its provenance quote, and both exist."""
    clauses = raw_rows("provision_clauses")
    assert {c["clause_id"] for c in clauses} == {"X2397_OWN_NATIONAL", "X2397_PROHIBITED"}
    for clause in clauses:
        assert clause["text"] in clause["quote"], clause["clause_id"]
        assert clause["fact_id"] == "F05b"


def test_the_closures_of_late_january_2020_are_dated_from_their_sources() -> None:
    """F53-F56: the border and route closures carry the dates the fact sheet gives."""
    dates = {r["event_id"]: r["date"] for r in raw_rows("events")}
    assert dates["E_TOURIST_BAN"] == "2020-01-22"  # F53: "from 22 Jan 2020"
    assert dates["E_CHINA_ROUTES"] == "2020-01-31"  # F54: "as of 31 January 2020"
    assert dates["E_VLADIVOSTOK_SUSPENDED"] == "2020-01-31"  # F55: the note of Friday 31 Jan 2020
    assert dates["E_ENTRY_CLOSED_REPORTED"] == "2020-02-26"  # F56: Yonhap, 26 Feb 2020


def test_the_airline_is_named_only_with_the_sources_that_name_it() -> None:
    """The seed says only "one airline": a row that names Air Koryo says which sources give the
    name and that the name is secondary, even on a seed row (fact-check, December 2026)."""
    known = {row["source_id"] for row in raw_rows("sources")}
    named = [row for row in raw_rows("transport") if row["operator"]]
    assert named
    for row in named:
        naming = set(row["operator_source_ids"].split())
        assert naming and naming <= known, row["transport_id"]
        assert "S01" not in naming, row["transport_id"]  # the seed does not name the airline
        assert row["operator_status"] == "secondary", row["transport_id"]
    for row in raw_rows("transport"):
        if not row["operator"]:
            assert not row["operator_source_ids"] and not row["operator_status"], row[
                "transport_id"
            ]
