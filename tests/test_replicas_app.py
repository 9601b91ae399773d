"""The app as a reader replica and as a writer that publishes (AppTest, the demo store).

A reader serves the published store read-only, never the writer's file, switches to
a new publish at its next run without a restart, and offers no loading; a writer
publishes every commit (docs/ARCHITECTURE.md, "Replicas").
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT, app_caches_cleared
from streamlit.testing.v1 import AppTest

from indicators import derived
from loaders.commentary import save_commentary
from loaders.publish import current, publish, published_version
from loaders.store import data_version, load_transaction, open_store

COUNCIL = "172"


@pytest.fixture
def replica_stores(demo_db, tmp_path, monkeypatch):
    """The writer's own store (a copy of the demo) and a publish folder holding its first
    publish; the app is set up as a reader of that folder."""
    writers = tmp_path / "writer.duckdb"
    shutil.copyfile(demo_db, writers)
    folder = tmp_path / "published"
    con = open_store(writers)
    publish(con, folder)
    monkeypatch.setenv("CP_READ_PUBLISHED", str(folder))
    monkeypatch.setenv("CP_WRITER_URL", "http://localhost:8080/admin/")
    # The writer's file is held read-write here (as the writer would): a reader that
    # tried to open it at all would fail on DuckDB's lock, or read it by mistake.
    monkeypatch.setenv("CP_DB", str(writers))
    # No indicator tables kept from an earlier test run: a reader computes what a writer
    # did not compute before publishing.
    monkeypatch.setenv("CP_DERIVED_CACHE", str(tmp_path / "derived"))
    with app_caches_cleared():
        yield con, folder
    con.close()


def _app(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    at.session_state["council"] = COUNCIL
    at.run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    return at


def _shown_load(at: AppTest) -> str:
    captions = [c.value for c in at.sidebar.caption if c.value.startswith("Data as loaded")]
    assert len(captions) == 1, [c.value for c in at.sidebar.caption]
    return captions[0].rsplit("(", 1)[1]


def test_a_reader_reads_the_published_store_read_only(replica_stores):
    writer, folder = replica_stores
    at = _app()
    last_load = writer.execute("SELECT max(load_id) FROM loads").fetchall()[0][0]
    assert _shown_load(at) == f"load {last_load})"
    pinned = Path(at.session_state["_published_store"])
    assert pinned == current(folder) and pinned.parent == folder
    from ui import data

    reader = data._published_connection(str(pinned))
    readonly = reader.execute(
        "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()[0][0]
    assert readonly is True
    with pytest.raises(duckdb.Error, match="read-only"):
        reader.cursor().execute("UPDATE meta SET value = '0'")


def _correct_children_in_care(writer: duckdb.DuckDBPyConnection, number: int) -> int:
    """Commit a load that corrects the council's 2025 children in care (as a DfE
    revision would); the load's id."""
    with load_transaction(writer, "test correction") as record:
        writer.execute(
            "INSERT INTO facts SELECT * REPLACE (? AS load_id, ? AS value) FROM current_facts "
            "WHERE dataset = 'cla_number_and_rate' AND time_period = '2025' "
            "AND geographic_level = 'Local authority' AND area_code = ? "
            "AND cohort = 'Children looked after on 31 March each year' AND measure = 'number'",
            [record.load_id, float(number), COUNCIL],
        )
    return record.load_id


def _children_in_care_2025(at: AppTest) -> float:
    """The last point of the council's line on the cohort page's first chart (children in
    care, number, ending in 2025)."""
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["layout"]["title"]["text"].startswith("Children in care (number)"), spec["layout"]
    (line,) = [trace for trace in spec["data"] if trace.get("name") == "Wyrebrook"]
    return line["y"][-1]


def test_the_first_run_after_a_publish_shows_it(replica_stores):
    """Published by `publish` alone (no indicators computed by a writer beforehand): the
    reader computes them in that run rather than show the store before."""
    writer, folder = replica_stores
    at = _app("cohort")
    before_load, before_figure = _shown_load(at), _children_in_care_2025(at)
    load_id = _correct_children_in_care(writer, 777)
    publish(writer, folder)
    at.run()  # at once: no waiting for a warm-up
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert _shown_load(at) == f"load {load_id})" != before_load
    assert _children_in_care_2025(at) == 777 != before_figure
    assert Path(at.session_state["_published_store"]) == current(folder)


def test_a_reader_takes_the_content_key_the_writer_handed_over(replica_stores, monkeypatch):
    """A writer's publish hands over the new file's content key (ui.data's
    ``_hand_key_to_readers``): the reader's first run on it shows it without hashing
    every fact itself."""
    from ui import data

    writer, folder = replica_stores
    load_id = _correct_children_in_care(writer, 777)
    publish(writer, folder, before_switch=data._hand_key_to_readers(writer))
    handed = derived.kept_store_key(current(folder))
    assert handed is not None

    def hashed_again(con):
        raise AssertionError("the reader hashed the store's facts again")

    monkeypatch.setattr(derived, "content_key", hashed_again)
    at = _app("cohort")
    assert _shown_load(at) == f"load {load_id})"
    assert _children_in_care_2025(at) == 777


def test_a_publish_that_changes_no_figure_keeps_the_pages_built_and_one_that_does_not(
    replica_stores,
):
    """Commentary (or a quarterly return) changes no published figure: the next run
    shows the new load, and the council's charts and rows worked out before are reused,
    not built again; a correction of a figure builds them again, with the new figure."""
    from ui import data, figures

    writer, folder = replica_stores
    at = _app("cohort")
    selection = at.session_state["_selection"]
    chart = figures.indicator_chart("cla_count", selection, figures.TREND)
    rows = data.council_figures(selection)
    view = data.view_key(selection)
    assert chart is not None and rows.shown_row("cla_count") is not None

    load_id = save_commentary(writer, "cla_count", COUNCIL, "2025", "Context", "", "", "test")
    publish(writer, folder)
    at.run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert _shown_load(at) == f"load {load_id})"
    assert data.view_key(selection) == view
    assert figures.indicator_chart("cla_count", selection, figures.TREND) is chart
    assert data.council_figures(selection) is rows

    _correct_children_in_care(writer, 777)
    publish(writer, folder)
    at.run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert data.view_key(selection) != view
    rebuilt = figures.indicator_chart("cla_count", selection, figures.TREND)
    assert rebuilt is not chart and data.council_figures(selection) is not rows
    assert data.council_figures(selection).shown_row("cla_count", 2025)["value"] == 777
    assert _children_in_care_2025(at) == 777


def test_a_run_under_way_when_a_store_is_published_finishes_on_the_store_before(
    replica_stores, monkeypatch
):
    writer, folder = replica_stores
    at = _app("cohort")
    before_load, before_figure = _shown_load(at), _children_in_care_2025(at)
    load_id = _correct_children_in_care(writer, 778)
    from ui import data

    begin_run = data.begin_run
    published = []

    def publish_once_the_run_has_begun() -> None:
        begin_run()
        if not published:
            published.append(publish(writer, folder))

    monkeypatch.setattr(data, "begin_run", publish_once_the_run_has_begun)
    at.run()  # begins on the store before, which is then published over mid-run
    assert published and current(folder) == published[0].path
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert (_shown_load(at), _children_in_care_2025(at)) == (before_load, before_figure)
    at.run()
    assert (_shown_load(at), _children_in_care_2025(at)) == (f"load {load_id})", 778)


def test_a_readers_line_page_sends_analysts_to_the_writer_for_commentary(replica_stores):
    at = _app("stability")
    assert not at.get("form") and not at.text_area
    captions = [c.value.replace("\u2060", "") for c in at.caption]
    assert any(
        c.startswith("To add or change the officer commentary, use the writer: http://localhost")
        for c in captions
    )


def test_a_reader_offers_no_loading_and_names_the_writer(replica_stores):
    at = _app("data")
    text = " ".join(e.value for e in at.info).replace("\u2060", "")  # markdown_text's joiners
    assert "for reading" in text and "http://localhost:8080/admin/" in text
    assert not at.get("file_uploader")
    assert [b for b in at.button if "Commit" in b.label or "Undo" in b.label] == []


def test_a_writer_publishes_every_commit_for_its_readers(demo_db, tmp_path, monkeypatch):
    writers = tmp_path / "writer.duckdb"
    shutil.copyfile(demo_db, writers)
    folder = tmp_path / "published"
    monkeypatch.setenv("CP_DB", str(writers))
    monkeypatch.setenv("CP_PUBLISH_DIR", str(folder))
    derived_folder = tmp_path / "derived"
    monkeypatch.setenv("CP_DERIVED_CACHE", str(derived_folder))
    with app_caches_cleared():
        at = _app()  # the writer publishes what it serves when it starts
        from ui import data

        con = data._connection(str(writers))
        assert published_version(folder) == data_version(con)
        load_id = save_commentary(con, "cla_count", COUNCIL, "2025", "Context", "", "", "test")
        assert data.publish_for_readers() is None
        assert published_version(folder) == data_version(con)
        reader = duckdb.connect(str(current(folder)), read_only=True)
        assert reader.execute("SELECT max(load_id) FROM loads").fetchall()[0][0] == load_id
        # The writer computed the new store's indicators and comparisons before publishing,
        # kept by content: a reader's warm-up finds them under the published copy's key.
        key = derived.content_key(reader)
        reader.close()
        kept = {path.name for path in derived_folder.glob("*.arrow")}
        assert f"values-{key}.arrow" in kept, kept
        assert any(name.startswith(f"comparisons-{key}-") for name in kept), kept
        # And handed the published file's key over, so no reader hashes every fact again.
        assert derived.kept_store_key(current(folder)) == key
        at.run()
        assert not at.exception


def test_a_writer_says_plainly_when_a_publish_fails(demo_db, tmp_path, monkeypatch):
    import errno

    from loaders import publish as publishing

    writers = tmp_path / "writer.duckdb"
    shutil.copyfile(demo_db, writers)
    folder = tmp_path / "published"
    monkeypatch.setenv("CP_DB", str(writers))
    monkeypatch.setenv("CP_PUBLISH_DIR", str(folder))
    with app_caches_cleared():
        _app()
        from ui import data

        con = data._connection(str(writers))
        first = current(folder)
        save_commentary(con, "cla_count", COUNCIL, "2025", "Context", "", "", "test")

        def disk_full(path):
            raise OSError(errno.ENOSPC, "No space left on device")

        monkeypatch.setattr(publishing, "_fsync_path", disk_full)
        message = data.publish_for_readers(show_next_run=False)
        assert message.startswith("The load is committed here, but the readers do not show it")
        assert "No space left on device" in message and first.name in message
        assert current(folder) == first


def test_a_rerun_whose_store_was_deleted_meanwhile_redraws_the_page_on_the_current_one(
    replica_stores, monkeypatch
):
    """A fragment's rerun (a chart switched on a page drawn earlier) reads the store its
    page was drawn from, without app.py's ``begin_run``. After more publishes than are
    kept that store is deleted: the page is drawn again, whole, on the current store,
    rather than fail. (AppTest cannot rerun one fragment: a run that skips ``begin_run``
    stands in for it.)"""
    writer, folder = replica_stores
    at = _app("cohort")
    pinned = Path(at.session_state["_published_store"])
    from loaders.publish import KEEP
    from ui import data

    for number in range(KEEP):
        load_id = _correct_children_in_care(writer, 800 + number)
        publish(writer, folder)
    assert not pinned.exists()
    # Another session's page still reading the deleted store holds a cursor on it (DuckDB
    # then hands the same open database to anyone connecting to that path): this run
    # must not read it.
    held = data._published_connection(str(pinned)).cursor()
    data._published_connection.clear()
    begin_run = data.begin_run
    skipped = []

    def skip_the_first_begin_run() -> None:
        if not skipped:
            skipped.append(True)
            return
        begin_run()

    monkeypatch.setattr(data, "begin_run", skip_the_first_begin_run)
    try:
        at.run()
    finally:
        held.close()
    assert skipped
    assert not at.exception, at.exception[0].message if at.exception else ""
    assert (_shown_load(at), _children_in_care_2025(at)) == (f"load {load_id})", 800 + KEEP - 1)
    assert Path(at.session_state["_published_store"]) == current(folder)


def test_a_stopped_publish_watcher_warms_no_later_publish(replica_stores):
    """`stop_watching_publishes` (the end of every test's app, and the interpreter's exit)
    stops the thread that warms each new publish, once it has finished what it was doing:
    a publish after it is warmed by no one until a reader's next run starts a new watcher.
    Left running, it warmed the next test's store into that test's cache folder."""
    import time

    from ui import data

    writer, folder = replica_stores
    _app()
    ((thread, _),) = data._watcher
    data.stop_watching_publishes()
    assert not thread.is_alive() and not data._watcher
    cache = Path(derived.cache_folder())
    kept_before = sorted(p.name for p in cache.glob("*.arrow"))
    _correct_children_in_care(writer, 555)
    publish(writer, folder)
    time.sleep(data.WATCH_SECONDS * 4)  # time for a running watcher to warm it
    assert sorted(p.name for p in cache.glob("*.arrow")) == kept_before
    at = _app()
    ((again, _),) = data._watcher
    assert again is not thread and again.is_alive()
    assert _shown_load(at).startswith("load ")
