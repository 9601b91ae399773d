"""An SSDA903 extract is one unit: loaded whole, recognised whole, and missed tables named.

An extract is "nothing new" only when an extract of the same council, as at the
same date, with the same table files is already loaded; otherwise every table
is read and stored with it, even tables byte-identical to a file loaded before
(the same reviews re-sent with corrected episodes, or another council's copy).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from conftest import load_texts, store_contents
from fixtures.ssda903 import EPISODES, extract_files

from indicators.child_level import quarterly_extract_figures
from loaders.load import ExtractOptions, load_paths
from loaders.store import EXTRACT_TABLES, undo_load

AS_AT = date(2025, 3, 31)
# A table the indicators do not use: checked, not stored, still part of the extract.
AD1 = "CHILD,DOB,DATE_INT,DATE_MATCH,FOSTER_CARE,NB_ADOPTR,SEX_ADOPTR,LS_ADOPTR\n"
AD1 += "B,01/05/2012,01/02/2024,01/03/2024,0,1,MF,L0\n"
# Figures that come from the tables other than Episodes.
FROM_OTHER_TABLES = ("care_leavers_", "review_participation_pct", "uasc_count", "sdq_mean")


def load_extract(con, files=None, la="825", as_at=AS_AT, **options):
    return load_texts(con, files or extract_files(), extract=ExtractOptions(la, as_at), **options)


def corrected_episodes() -> dict[str, str]:
    """The same extract with one child's episodes corrected (J left care on 1 January 2025)."""
    episodes = [e for e in EPISODES if not e.startswith("J,")]
    episodes.append("J,01/01/2019,S,C2,N1,U1,PR1,01/01/2025,E13,,,,SC16")
    return extract_files(episodes)


def rows_by_table(con, load_id: int) -> dict[str, int]:
    query = "SELECT count(*) FROM {} WHERE load_id = ?"
    return {
        table: con.execute(query.format(table), [load_id]).fetchall()[0][0]
        for table in EXTRACT_TABLES.values()
    }


def figures_at(con, la: str, when: date = AS_AT):
    figures = quarterly_extract_figures(con, la, threshold=1)  # nothing hidden
    return figures[figures["quarter_end"] == when].set_index("indicator_id")


def from_other_tables(figures) -> list[str]:
    return sorted(i for i in figures.index if i.startswith(FROM_OTHER_TABLES))


def test_an_extract_sent_again_with_only_episodes_corrected_is_loaded_whole(store):
    first = load_extract(store)
    assert first.status == "committed"
    before = figures_at(store, "825")
    assert len(from_other_tables(before)) >= 8  # care leavers, reviews, UASC, health

    report = load_extract(store, corrected_episodes())

    assert report.status == "committed"
    assert {f.name: f.outcome for f in report.files} == dict.fromkeys(extract_files(), "loaded")
    assert not [p for p in report.problems if p.check == "extract_table_missing"]
    stored, earlier = rows_by_table(store, report.load_id), rows_by_table(store, first.load_id)
    assert {t: n for t, n in stored.items() if t != "extract_episodes"} == {
        t: n for t, n in earlier.items() if t != "extract_episodes"
    }
    after = figures_at(store, "825")
    assert set(after["load_id"]) == {report.load_id}  # the corrected extract is the one shown
    assert from_other_tables(after) == from_other_tables(before)
    for indicator in from_other_tables(before):
        if indicator.startswith(("care_leavers_", "review_participation")):
            assert after.loc[indicator, "value"] == before.loc[indicator, "value"], indicator


def test_an_identical_extract_sent_again_is_nothing_new_and_writes_nothing(store):
    files = {**extract_files(), "ad1.csv": AD1}  # with a table the indicators do not use
    first = load_extract(store, files)
    assert first.status == "committed"
    before = store_contents(store)

    again = load_extract(store, files)

    assert again.status == "nothing new", [p.describe() for p in again.problems]
    assert {f.outcome for f in again.files} == {"already loaded"}
    assert all(f"load {first.load_id}" in f.message for f in again.files)
    assert again.problems == []
    assert store_contents(store) == before


def test_the_same_extract_with_another_as_at_date_or_table_is_loaded(store):
    assert load_extract(store).status == "committed"
    assert load_extract(store, as_at=date(2025, 4, 30)).status == "committed"
    with_ad1 = {**extract_files(), "ad1.csv": AD1}
    assert load_extract(store, with_ad1).status == "committed"


def test_an_undone_extract_can_be_loaded_again(store):
    first = load_extract(store)
    undo_load(store, first.load_id)
    again = load_extract(store)
    assert again.status == "committed"
    assert all(rows_by_table(store, again.load_id).values())  # every table stored again


@pytest.mark.parametrize("identical", [("reviews.csv",), tuple(extract_files())])
def test_another_councils_extract_with_byte_identical_tables_is_loaded_whole(store, identical):
    first = load_extract(store, la="825")
    # Other bytes (Windows line endings) for the tables that are not identical: same rows.
    files = {
        name: text if name in identical else text.replace("\n", "\r\n")
        for name, text in extract_files().items()
    }

    report = load_extract(store, files, la="826")

    assert report.status == "committed", [f.message for f in report.files]
    assert {f.outcome for f in report.files} == {"loaded"}
    assert rows_by_table(store, report.load_id) == rows_by_table(store, first.load_id)
    assert from_other_tables(figures_at(store, "826")) == from_other_tables(
        figures_at(store, "825")
    )


def test_an_extract_without_a_table_its_predecessor_had_says_so_before_commit(store):
    assert load_extract(store).status == "committed"
    files = extract_files()
    del files["oc3.csv"]

    checked = load_extract(store, files, as_at=date(2025, 6, 30), dry_run=True)

    expected = (
        "This extract has no OC3 table; the extract as at 31/03/2025 had one: care leavers' "
        "figures for the quarters it covers will not be available."
    )
    assert checked.status == "dry run"
    (warning,) = [p for p in checked.problems if p.check == "extract_table_missing"]
    assert (warning.severity, warning.message) == ("warning", expected)
    assert expected in checked.preview.lines()
    assert expected in checked.problems_table()["message"].tolist()
    # A warning, not a refusal: the analyst may still load it.
    committed = load_extract(store, files, as_at=date(2025, 6, 30))
    assert committed.status == "committed"


def test_each_missing_table_is_named_with_what_it_takes_away(store):
    assert load_extract(store).status == "committed"
    files = {"episodes.csv": extract_files()["episodes.csv"]}
    checked = load_extract(store, files, as_at=date(2025, 6, 30), dry_run=True)
    messages = [p.message for p in checked.problems if p.check == "extract_table_missing"]
    named = [m.split(";")[0].removeprefix("This extract has no ") for m in messages]
    assert named == [
        "Header table",
        "Reviews table",
        "UASC table",
        "OC2 table",
        "OC3 table",
        "Missing table",
    ]


def test_the_real_fake_extract_loaded_twice_is_nothing_new(store, reference_data: Path):
    folder = reference_data / "ssda903_fake"
    options = ExtractOptions("825")
    first = load_paths(store, [folder], extract=options)
    assert first.status == "committed"
    before = store_contents(store)
    again = load_paths(store, [folder], extract=options)
    assert again.status == "nothing new", [f.message for f in again.files]
    assert store_contents(store) == before
    # Another council's copy of the same files is its own extract.
    other = load_paths(store, [folder], extract=ExtractOptions("826"))
    assert other.status == "committed"
    assert rows_by_table(store, other.load_id) == rows_by_table(store, first.load_id)
