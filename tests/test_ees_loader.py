"""Recognising DfE files by content and storing their cells as long facts."""

from __future__ import annotations

import pytest
from conftest import load_texts, store_contents
from fixtures import ees

from loaders.csv_text import read_csv_bytes
from loaders.ees import recognise

pytestmark = pytest.mark.pure


def _recognise(text: str):
    return recognise(read_csv_bytes("f.csv", text.encode()))


def test_both_schemas_are_recognised_as_the_same_dataset():
    old = _recognise(ees.number_and_rate_pre2025())
    new = _recognise(ees.number_and_rate_2025())
    assert old.spec.id == new.spec.id == "cla_number_and_rate"
    assert old.layout.name == "pre-2025"
    assert new.layout.name == "2025 harmonised"


def test_recognition_ignores_the_file_name(store):
    report = load_texts(store, {"whatever_name.csv": ees.placement_stability_2025()})
    assert report.files[0].dataset == "cla_placement_stability"


def test_symbols_are_kept_never_zero(store):
    load_texts(store, {"a.csv": ees.number_and_rate_pre2025()})
    value, symbol = store.execute(
        "SELECT value, symbol FROM facts WHERE area_code = '857' AND year = 2024 "
        "AND measure = 'number'"
    ).fetchone()
    assert value is None
    assert symbol == "c"


def test_older_labels_are_mapped_to_the_newest_wording(store):
    load_texts(
        store, {"a.csv": ees.placement_stability_2022(), "b.csv": ees.placement_stability_2025()}
    )
    labels = {
        row[0]
        for row in store.execute(
            "SELECT DISTINCT cohort || ' | ' || breakdown FROM facts "
            "WHERE dataset = 'cla_placement_stability'"
        ).fetchall()
    }
    assert "CLA on 31 March | With 3 or more placements during the year" in labels
    assert (
        "Children looked after continuously for at least 2.5 years on 31 March aged under 16 "
        "years | Living with the same carer for at least 2 years"
    ) in labels
    published = store.execute(
        "SELECT published_filters FROM facts WHERE year = 2022 AND breakdown LIKE 'Living%' LIMIT 1"
    ).fetchone()[0]
    assert "Living in the same placement" in published


def test_newest_release_wins_and_older_stays_queryable(store):
    load_texts(store, {"old.csv": ees.number_and_rate_pre2025(england_2024=83630)})
    load_texts(store, {"new.csv": ees.number_and_rate_2025(england_2024=83530)})
    query = (
        "SELECT release, value FROM {table} WHERE geographic_level = 'National' AND year = 2024 "
        "AND measure = 'number' AND cohort = 'Children looked after on 31 March each year' "
        "ORDER BY release"
    )
    assert store.execute(query.format(table="current_facts")).fetchall() == [("2025", 83530.0)]
    assert store.execute(query.format(table="facts")).fetchall() == [
        ("2024", 83630.0),
        ("2025", 83530.0),
    ]


def test_release_is_taken_from_the_data_or_given(store):
    report = load_texts(store, {"a.csv": ees.number_and_rate_pre2025()})
    assert report.files[0].release == "2024"
    report = load_texts(
        store, {"b.csv": ees.placement_stability_2025()}, release="2025-provisional"
    )
    assert report.files[0].release == "2025-provisional"


def test_file_of_another_publication_is_not_used_and_lists_its_columns(store):
    before = store_contents(store)
    report = load_texts(store, {"workforce.csv": ees.unrelated_publication()})
    assert report.files[0].outcome == "not used"
    assert "fte_teachers" in report.files[0].message
    assert report.status == "nothing new"
    assert store_contents(store) == before


def test_number_column_holding_text_rejects_the_whole_file(store):
    text = ees.number_and_rate_pre2025().replace(",40,50", ",forty,50")
    before = store_contents(store)
    report = load_texts(store, {"bad.csv": text})
    assert report.status == "rejected"
    problem = report.files[0].problems[0]
    assert (problem.file, problem.line, problem.column, problem.value) == (
        "bad.csv",
        5,
        "number",
        "forty",
    )
    assert "number" in problem.expected
    assert store_contents(store) == before


def test_a_bad_file_stops_the_whole_batch(store):
    before = store_contents(store)
    bad = ees.placement_stability_2025().replace(
        "E92000001,England,,,,,", "E92000001,England,,,,,", 1
    )
    bad = bad.replace("National", "Nation", 1)
    report = load_texts(store, {"good.csv": ees.number_and_rate_2025(), "bad.csv": bad})
    assert report.status == "rejected"
    assert [f.outcome for f in report.files] == ["loaded", "rejected"]
    assert report.files[1].problems[0].column == "geographic_level"
    assert store_contents(store) == before


def test_the_same_file_twice_is_recognised_by_hash(store):
    first = load_texts(store, {"a.csv": ees.number_and_rate_2025()})
    facts_after_first = store.execute("SELECT count(*) FROM facts").fetchone()[0]
    second = load_texts(store, {"copy_with_other_name.csv": ees.number_and_rate_2025()})
    assert first.status == "committed"
    assert second.status == "nothing new"
    assert second.files[0].outcome == "already loaded"
    assert f"load {first.load_id}" in second.files[0].message
    assert store.execute("SELECT count(*) FROM facts").fetchone()[0] == facts_after_first


def test_each_committed_load_changes_the_data_version(store):
    from loaders.store import data_version

    start = data_version(store)
    load_texts(store, {"a.csv": ees.number_and_rate_2025()})
    after_one = data_version(store)
    load_texts(store, {"b.csv": ees.placement_stability_2025()})
    assert start < after_one < data_version(store)


def test_load_log_records_files_hashes_and_rows(store):
    import hashlib

    text = ees.number_and_rate_2025()
    report = load_texts(store, {"a.csv": text}, user_name="analyst@council")
    row = store.execute(
        "SELECT l.user_name, l.status, l.release, l.rows_read, l.rows_loaded, f.file_name, f.sha256 "
        "FROM loads l JOIN load_files f USING (load_id) WHERE load_id = ?",
        [report.load_id],
    ).fetchone()
    assert row == (
        "analyst@council",
        "committed",
        "2025",
        3,
        3,
        "a.csv",
        hashlib.sha256(text.encode()).hexdigest(),
    )


def test_any_column_order_gives_the_same_facts(store, tmp_path):
    from loaders.store import open_store

    text = ees.placement_stability_2025()
    lines = [line.split(",") for line in text.strip().split("\n")]
    order = list(reversed(range(len(lines[0]))))
    shuffled = "\n".join(",".join(line[i] for i in order) for line in lines) + "\n"
    other = open_store(tmp_path / "other.duckdb")
    load_texts(store, {"a.csv": text})
    load_texts(other, {"a.csv": shuffled})
    query = "SELECT * EXCLUDE (load_id, published_filters) FROM facts ORDER BY ALL"
    assert store.execute(query).fetchall() == other.execute(query).fetchall()
