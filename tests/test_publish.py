"""Publishing the store for reader replicas: complete or not at all, and read-only.

Readers must never see a half-written store, a failed publish must leave the one
before current, and a reader must never be able to write (docs/ARCHITECTURE.md,
"Replicas").
"""

from __future__ import annotations

import errno
import multiprocessing
import shutil
import subprocess
import sys
import time
import types
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT

from loaders import publish as publishing
from loaders.publish import (
    KEEP,
    POINTER,
    NothingPublished,
    PublishFailed,
    current,
    open_current,
    open_published,
    publish,
    published_version,
)
from loaders.store import data_version, load_transaction, open_store

pytestmark = pytest.mark.pure

ROWS_PER_LOAD = 500


def _commit_load(con: duckdb.DuckDBPyConnection) -> int:
    """One load of ROWS_PER_LOAD facts-like rows; a whole store holds version × ROWS_PER_LOAD."""
    with load_transaction(con, "test") as record:
        con.execute(
            "CREATE TABLE IF NOT EXISTS numbers (load_id INTEGER, n INTEGER, padding VARCHAR)"
        )
        con.execute(
            "INSERT INTO numbers SELECT ?, range, repeat('x', 200) FROM range(?)",
            [record.load_id, ROWS_PER_LOAD],
        )
    return data_version(con)


def _consistent(con: duckdb.DuckDBPyConnection) -> int:
    """The store's version, after checking its rows are exactly those of its loads."""
    version = data_version(con)
    rows = con.execute("SELECT count(*) FROM numbers").fetchall()[0][0] if version else 0
    assert rows == version * ROWS_PER_LOAD, (version, rows)
    return version


@pytest.fixture
def writer(tmp_path: Path):
    con = open_store(tmp_path / "writer" / "store.duckdb")
    _commit_load(con)
    yield con
    con.close()


def test_publish_makes_a_complete_read_only_copy_and_points_to_it(writer, tmp_path):
    folder = tmp_path / "published"
    published = publish(writer, folder)
    assert published.method == "file copy"
    assert current(folder) == published.path
    assert published_version(folder) == 1
    reader = open_published(current(folder))
    assert _consistent(reader) == 1
    with pytest.raises(duckdb.Error, match="read-only"):
        reader.execute("INSERT INTO numbers VALUES (0, 0, '')")
    reader.close()
    assert {p.name for p in folder.iterdir()} == {POINTER, published.path.name}


def test_a_reader_never_opens_the_writers_file(writer, tmp_path):
    writers_file = tmp_path / "writer" / "store.duckdb"
    with pytest.raises(ValueError, match="not a published store"):
        open_published(writers_file)
    folder = tmp_path / "published"
    publish(writer, folder)
    path, reader = open_current(folder)
    assert path.parent == folder and path != writers_file
    readonly = reader.execute(
        "SELECT readonly FROM duckdb_databases() WHERE database_name = current_database()"
    ).fetchall()[0][0]
    assert readonly is True
    reader.close()


def test_nothing_published_yet_is_said_plainly(tmp_path):
    with pytest.raises(NothingPublished, match="python -m loaders publish"):
        current(tmp_path)


def test_the_database_copy_is_used_when_the_file_copy_cannot_be(writer, tmp_path):
    folder = tmp_path / "published"
    published = publish(writer, folder, copy_file=lambda con, source, target: False)
    assert published.method == "database copy"
    reader = open_published(published.path)
    assert _consistent(reader) == 1
    query = "SELECT table_name, index_name, sql FROM duckdb_indexes() ORDER BY ALL"
    assert reader.execute(query).fetchall() == writer.execute(query).fetchall()  # every index
    reader.close()


def _failing_fsync(path: Path) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def _half_copy(con, source: Path, target: Path) -> bool:
    con.execute("CHECKPOINT")
    data = source.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    return True


@pytest.mark.parametrize("failure", ["disk full", "half-written copy"])
def test_a_failed_publish_leaves_the_previous_store_current(writer, tmp_path, monkeypatch, failure):
    folder = tmp_path / "published"
    first = publish(writer, folder)
    _commit_load(writer)
    options = {}
    if failure == "disk full":
        monkeypatch.setattr(publishing, "_fsync_path", _failing_fsync)
    else:
        options["copy_file"] = _half_copy
    with pytest.raises(PublishFailed) as failed:
        publish(writer, folder, **options)
    assert "version 2" in str(failed.value) and first.path.name in str(failed.value)
    assert current(folder) == first.path
    assert {p.name for p in folder.iterdir()} == {POINTER, first.path.name}  # no leftovers
    monkeypatch.undo()
    assert published_version(folder) == 1
    assert publish(writer, folder).data_version == 2  # and the next one works


def test_only_the_newest_stores_are_kept(writer, tmp_path):
    folder = tmp_path / "published"
    for _ in range(KEEP + 3):
        publish(writer, folder)
        _commit_load(writer)
    stores = sorted(folder.glob("store-v*.duckdb"))
    assert len(stores) == KEEP
    assert current(folder) in stores


def _hammer(folder: str, ready, stop, results) -> None:
    """A reader process: open the current store again and again until told to stop."""
    seen, errors = set(), []
    while not stop.is_set():
        try:
            _, con = open_current(folder)
            seen.add(_consistent(con))
            con.close()
        except Exception as error:  # any error at all is the failure this test looks for
            errors.append(repr(error))
        ready.set()
    results.put((sorted(seen), errors))


PUBLISHES = 12


def test_readers_opening_during_publishes_see_the_old_or_new_store_never_an_error(
    writer, tmp_path, monkeypatch
):
    folder = tmp_path / "published"
    publish(writer, folder)
    # An AppTest earlier in this process leaves Streamlit's stand-in for app.py as
    # __main__, and a spawned process runs __main__ first: the readers would run the app.
    monkeypatch.setitem(sys.modules, "__main__", types.ModuleType("__main__"))
    context = multiprocessing.get_context("spawn")
    results, stop = context.Queue(), context.Event()
    ready = [context.Event() for _ in range(2)]
    readers = [
        context.Process(target=_hammer, args=(str(folder), started, stop, results))
        for started in ready
    ]
    for reader in readers:
        reader.start()
    try:
        for started in ready:  # spawned processes import first: slow on a busy machine
            assert started.wait(timeout=180)
        for _ in range(PUBLISHES):
            _commit_load(writer)
            publish(writer, folder)
            time.sleep(0.05)  # let the readers open each store
    finally:
        stop.set()
    outcomes = [results.get(timeout=180) for _ in readers]
    for reader in readers:
        reader.join(timeout=60)
    final = data_version(writer)
    assert final == PUBLISHES + 1
    for seen, errors in outcomes:
        assert errors == []
        assert len(seen) >= 2 and set(seen) <= set(range(1, final + 1))


def test_publish_command_line(tmp_path):
    store = tmp_path / "store.duckdb"
    con = open_store(store)
    _commit_load(con)
    con.close()
    folder = tmp_path / "published"
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "publish", "--db", str(store), "--to", str(folder)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Published data version 1" in done.stdout
    assert published_version(folder) == 1
    shutil.rmtree(folder)
