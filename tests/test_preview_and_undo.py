"""Validate → preview → commit → undo, and two writers at once."""

from __future__ import annotations

import threading
import time

import pytest
from conftest import load_texts, store_contents
from fixtures import ees

from loaders.store import UndoRefused, data_version, load_history, scalar, undo_load

ENGLAND_2024 = (
    "SELECT value FROM current_facts WHERE dataset = 'cla_number_and_rate' "
    "AND area_code = 'E92000001' AND time_period = '2024' AND measure = 'number'"
)


def test_preview_of_a_first_load_is_all_new_and_writes_nothing(store):
    before = store_contents(store)
    report = load_texts(store, {"a.csv": ees.number_and_rate_2025()}, dry_run=True)
    assert report.status == "dry run"
    assert report.preview.new_facts > 0
    assert report.preview.revised_facts == 0
    assert report.preview.new_periods  # periods the store has never seen
    assert store_contents(store) == before


def test_preview_shows_a_revision_old_to_new(store):
    load_texts(store, {"old.csv": ees.number_and_rate_2025(england_2024=83530)})
    report = load_texts(
        store, {"new.csv": ees.number_and_rate_2025(england_2024=83999)}, dry_run=True
    )
    preview = report.preview
    assert preview.revised_facts == 1
    revision = preview.revisions.iloc[0]
    assert (revision["time_period"], revision["area_name"]) == ("2024", "England")
    assert (revision["old_value"], revision["new_value"]) == ("83,530", "83,999")
    assert preview.new_facts == 0
    assert preview.unchanged_facts > 0


def test_revisions_are_named_as_analysts_read_them_with_the_variant(store):
    from datetime import date

    from fixtures import quarterly as q

    from exports.tables import to_csv_bytes

    today = date(2026, 11, 23)
    first = q.quarterly_return(q.row("cla_count", "590"), q.row("cla_count", "601", quarter="Q2"))
    again = q.quarterly_return(q.row("cla_count", "595"), q.row("cla_count", "606", quarter="Q2"))
    load_texts(store, {"first.csv": first}, today=today)
    preview = load_texts(store, {"again.csv": again}, today=today, dry_run=True).preview
    assert list(preview.revisions["variant"]) == ["Q1", "Q2"]
    table = preview.revisions_table().sort_values("Variant")
    assert list(table.columns) == [
        "Dataset",
        "Period",
        "Place",
        "Cohort",
        "Breakdown or indicator",
        "Variant",
        "Measure",
        "Old value",
        "New value",
        "Old release",
        "New release",
    ]
    assert set(table["Dataset"]) == {"Quarterly return"}
    assert set(table["Breakdown or indicator"]) == {"Children looked after on 31 March"}
    assert set(table["Measure"]) == {"Value"}
    # The two revisions differ by their quarter: without it they would look the same.
    assert not table.drop(columns=["Old value", "New value"]).duplicated().any()
    csv = to_csv_bytes(table).decode("utf-8-sig").splitlines()
    assert csv[0].startswith("Dataset,Period,Place,Cohort,Breakdown or indicator,Variant,")
    assert "Children looked after on 31 March,Q1,Value,590,595" in csv[1]


def test_a_published_revision_is_named_by_its_dataset_title_and_measure(store):
    load_texts(store, {"old.csv": ees.number_and_rate_2025(england_2024=83530)})
    report = load_texts(
        store, {"new.csv": ees.number_and_rate_2025(england_2024=83999)}, dry_run=True
    )
    (row,) = report.preview.revisions_table().to_dict("records")
    assert row["Dataset"].startswith("Children looked after, starting and ceasing")
    assert (row["Measure"], row["Place"], row["Period"]) == ("Number", "England", "2024")


def test_undo_restores_the_revised_value_and_is_logged(store):
    load_texts(store, {"old.csv": ees.number_and_rate_2025(england_2024=83530)})
    revised = load_texts(store, {"new.csv": ees.number_and_rate_2025(england_2024=83999)})
    assert scalar(store, ENGLAND_2024) == 83999
    version = data_version(store)

    undo_id = undo_load(store, revised.load_id, "analyst")

    assert scalar(store, ENGLAND_2024) == 83530
    assert data_version(store) == version + 1
    history = load_history(store).set_index("load_id")
    assert history.loc[revised.load_id, "status"] == f"undone by load {undo_id}"
    assert history.loc[undo_id, "kind"] == "undo"
    assert history.loc[undo_id, "user_name"] == "analyst"


def test_undo_of_the_only_load_leaves_no_facts(store):
    report = load_texts(store, {"a.csv": ees.number_and_rate_2025()})
    undo_load(store, report.load_id)
    assert scalar(store, "SELECT count(*) FROM facts") == 0


def test_an_undone_file_can_be_loaded_again(store):
    files = {"a.csv": ees.number_and_rate_2025()}
    first = load_texts(store, files)
    assert load_texts(store, files).status == "nothing new"  # recognised as already loaded
    undo_load(store, first.load_id)
    assert load_texts(store, files).status == "committed"


@pytest.mark.parametrize("load_id", [99, None])
def test_undo_refuses_unknown_loads_and_undos(store, load_id):
    report = load_texts(store, {"a.csv": ees.number_and_rate_2025()})
    if load_id is None:  # an undo cannot itself be undone
        load_id = undo_load(store, report.load_id)
    before = store_contents(store)
    with pytest.raises(UndoRefused):
        undo_load(store, load_id)
    assert store_contents(store) == before


def test_two_threads_committing_at_once_both_land_in_turn(store):
    files = [
        {"one.csv": ees.number_and_rate_2025(england_2024=83001)},
        {"two.csv": ees.number_and_rate_pre2025(england_2024=83002)},
    ]
    reports = [None, None]
    start = threading.Barrier(2)

    def commit(index: int) -> None:
        cursor = store.cursor()
        start.wait()
        reports[index] = load_texts(cursor, files[index])
        cursor.close()

    threads = [threading.Thread(target=commit, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [r.status for r in reports] == ["committed", "committed"]
    assert sorted(r.load_id for r in reports) == [1, 2]
    history = load_history(store)
    assert list(history["status"]) == ["committed", "committed"]
    assert data_version(store) == 2


def test_a_reader_never_sees_a_half_written_load(store, monkeypatch, capfd):
    from loaders.load import PAUSE_ENV

    monkeypatch.setenv(PAUSE_ENV, "3")  # the writer waits inside its open transaction
    writer = threading.Thread(
        target=lambda: load_texts(store.cursor(), {"a.csv": ees.number_and_rate_2025()})
    )
    writer.start()
    deadline = time.time() + 20
    while "paused inside load" not in capfd.readouterr().out and time.time() < deadline:
        time.sleep(0.05)
    reader = store.cursor()
    assert writer.is_alive()  # the load's facts are written but not committed
    assert scalar(reader, "SELECT count(*) FROM facts") == 0
    assert scalar(reader, "SELECT count(*) FROM loads") == 0
    writer.join(timeout=30)
    assert scalar(reader, "SELECT count(*) FROM facts") > 0


@pytest.fixture
def paused(store, monkeypatch, capfd):
    """Run one action in a thread that waits inside its open transaction, and another in
    a second thread while it waits; returns what each returned (or raised). Each action
    is given a cursor of its own."""
    from loaders.load import PAUSE_ENV

    def run_both(first, second) -> tuple[object, object]:
        results: dict[str, object] = {}
        capfd.readouterr()  # what earlier loads printed
        monkeypatch.setenv(PAUSE_ENV, "3")

        def run(key: str, action) -> None:
            cursor = store.cursor()
            try:
                results[key] = action(cursor)
            except Exception as error:  # the test looks at what was raised
                results[key] = error
            finally:
                cursor.close()

        one = threading.Thread(target=run, args=("first", first))
        one.start()
        deadline, seen = time.time() + 30, ""
        while "paused inside load" not in seen and time.time() < deadline:
            seen += capfd.readouterr().out
            time.sleep(0.05)
        assert "paused inside load" in seen, "the first writer never opened its transaction"
        two = threading.Thread(target=run, args=("second", second))
        two.start()
        one.join(timeout=60)
        two.join(timeout=60)
        return results["first"], results["second"]

    return run_both


def _extract(con):
    from datetime import date

    from fixtures.ssda903 import extract_files

    from loaders.load import ExtractOptions

    return load_texts(con, extract_files(), extract=ExtractOptions("825", date(2025, 3, 31)))


@pytest.mark.parametrize("kind", ["DfE file", "a copy saved with semicolons", "SSDA903 extract"])
def test_the_same_files_committed_twice_at_once_are_loaded_once(store, paused, kind):
    text = ees.number_and_rate_2025()

    def commit(con):
        if kind == "SSDA903 extract":
            return _extract(con)
        return load_texts(con, {"a.csv": text})

    def commit_copy(con):  # other bytes, the same figures
        return load_texts(con, {"copy.csv": text.replace(",", ";")})

    first, second = paused(commit, commit_copy if kind.startswith("a copy") else commit)

    assert (first.status, second.status) == ("committed", "nothing new")
    assert {f.outcome for f in second.files} == {"already loaded"}
    if not kind.startswith("a copy"):
        assert f"load {first.load_id}" in second.files[0].message
    history = load_history(store)
    assert list(history["status"]) == ["committed"]
    assert data_version(store) == 1
    if kind != "SSDA903 extract":
        assert scalar(store, "SELECT count(*) FROM facts") == first.facts_loaded
    else:
        assert scalar(store, "SELECT count(*) FROM extracts") == 1
        assert scalar(store, "SELECT count(DISTINCT load_id) FROM extract_episodes") == 1


def test_two_undos_of_one_load_at_once_one_is_refused(store, paused):
    report = load_texts(store, {"a.csv": ees.number_and_rate_2025()})

    first, second = paused(
        lambda con: undo_load(con, report.load_id), lambda con: undo_load(con, report.load_id)
    )

    assert isinstance(first, int), first
    assert isinstance(second, UndoRefused), second
    assert str(second) == f"Load {report.load_id} is already undone (by load {first})."
    history = load_history(store).set_index("load_id")
    assert list(history["kind"]).count("undo") == 1
    assert history.loc[report.load_id, "status"] == f"undone by load {first}"
    assert scalar(store, "SELECT count(*) FROM facts") == 0
    assert data_version(store) == 2
