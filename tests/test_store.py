"""The store: migrations, all-or-nothing loads, and surviving a killed process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT, load_texts, store_contents
from fixtures import ees

from loaders.load import PAUSE_ENV
from loaders.store import (
    MIGRATIONS,
    SCHEMA_VERSION,
    data_version,
    load_transaction,
    migrate,
    open_store,
    schema_version,
)

pytestmark = pytest.mark.pure


def test_new_store_is_at_the_latest_schema(store):
    assert schema_version(store) == SCHEMA_VERSION
    assert data_version(store) == 0


def test_migration_5_keeps_reviews_as_counts_by_quarter_and_code(tmp_path: Path):
    path = tmp_path / "v4.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, MIGRATIONS[:4])
    con.execute(
        "INSERT INTO extract_reviews VALUES "
        "(7, 'A', '2024-04-01', 'PN1'), (7, 'B', '2024-06-30', 'PN1'), "
        "(7, 'A', '2024-07-01', 'PN0'), (7, 'C', '2024-12-31', NULL), "
        "(8, 'A', '2024-04-02', 'PN1')"
    )
    con.close()
    con = open_store(path)
    rows = con.execute("SELECT * FROM extract_review_quarters ORDER BY ALL").fetchall()
    assert [(load, str(end), code, n) for load, end, code, n in rows] == [
        (7, "2024-06-30", "PN1", 2),
        (7, "2024-09-30", "PN0", 1),
        (7, "2024-12-31", "", 1),
        (8, "2024-06-30", "PN1", 1),
    ]
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    assert "extract_reviews" not in tables  # no child-level review is kept
    con.close()


def test_opening_an_older_database_migrates_it_and_keeps_its_data(tmp_path: Path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, MIGRATIONS[:1])
    assert schema_version(con) == 1
    load_texts(con, {"a.csv": ees.number_and_rate_2025()})
    facts_before = con.execute("SELECT count(*) FROM facts").fetchone()[0]
    con.close()

    con = open_store(path)
    assert schema_version(con) == SCHEMA_VERSION
    # Migration 2's indexes on facts were made and are gone again (migration 8).
    indexes = {r[0] for r in con.execute("SELECT index_name FROM duckdb_indexes()").fetchall()}
    assert not {"facts_dataset", "facts_load"} & indexes
    assert con.execute("SELECT count(*) FROM facts").fetchone()[0] == facts_before
    assert migrate(con) == []  # nothing left to do


def test_an_error_inside_a_load_leaves_nothing_behind(store):
    load_texts(store, {"a.csv": ees.number_and_rate_2025()})
    before = store_contents(store)
    with pytest.raises(RuntimeError), load_transaction(store, "test") as record:
        store.execute(
            "INSERT INTO facts SELECT ? AS load_id, * EXCLUDE (load_id) FROM facts",
            [record.load_id],
        )
        raise RuntimeError("disk full, say")
    assert store_contents(store) == before


def test_a_failed_insert_keeps_its_own_error_and_duckdb_its_threads(store, monkeypatch):
    """Facts are written with DuckDB on one thread (loaders.load._one_thread). A write
    that fails aborts the transaction: the load is rolled back, the user sees that
    error (not DuckDB refusing to change a setting mid-abort), and the setting is back."""
    import loaders.load

    load_texts(store, {"a.csv": ees.number_and_rate_2025()})
    before = store_contents(store)
    threads = store.execute("SELECT current_setting('threads')").fetchone()[0]

    def failing_write(con, load_id, parsed):
        con.execute("INSERT INTO facts (load_id) VALUES (?)", [load_id])  # NOT NULL columns

    monkeypatch.setattr(loaders.load, "_write", failing_write)
    with pytest.raises(duckdb.ConstraintException):
        load_texts(store, {"b.csv": ees.number_and_rate_2025().replace("2025", "2026")})
    assert store_contents(store) == before
    assert store.execute("SELECT current_setting('threads')").fetchone()[0] == threads


@pytest.mark.slow
def test_a_process_killed_mid_load_leaves_the_previous_state(tmp_path: Path):
    path = tmp_path / "store.duckdb"
    first = tmp_path / "first.csv"
    second = tmp_path / "second.csv"
    first.write_text(ees.number_and_rate_2025())
    second.write_text(ees.placement_stability_2025())
    run = [sys.executable, "-m", "loaders", "load", "--db", str(path)]
    subprocess.run([*run, str(first)], check=True, cwd=PROJECT, capture_output=True)
    con = open_store(path)
    before = store_contents(con)
    con.close()

    env = {**os.environ, PAUSE_ENV: "30"}
    process = subprocess.Popen(
        [*run, str(second)], cwd=PROJECT, env=env, stdout=subprocess.PIPE, text=True
    )
    line = process.stdout.readline()  # printed from inside the open transaction
    assert "paused inside load" in line
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    time.sleep(0.2)

    con = open_store(path)
    assert store_contents(con) == before
    assert con.execute("SELECT count(*) FROM loads WHERE status = 'in progress'").fetchone()[0] == 0


def test_a_command_line_reading_an_older_store_upgrades_it_first(tmp_path: Path):
    """`indicators show` opens read-only; a store from before the `area_names` view
    (migration 6) is upgraded first instead of failing on the missing view."""
    path = tmp_path / "v5.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, MIGRATIONS[:5])
    load_texts(con, {"a.csv": ees.number_and_rate_2025()})
    con.close()
    shown = subprocess.run(
        [sys.executable, "-m", "indicators", "show", "--db", str(path), "--la", "857"],
        cwd=PROJECT, capture_output=True, text=True,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "Rutland" in shown.stdout
    con = open_store(path, read_only=True)
    assert schema_version(con) == SCHEMA_VERSION
    con.close()


@pytest.mark.slow
def test_an_older_store_held_by_another_process_gives_a_plain_message(tmp_path: Path):
    path = tmp_path / "v5.duckdb"
    con = duckdb.connect(str(path))
    migrate(con, MIGRATIONS[:5])
    con.close()
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import duckdb,time; c=duckdb.connect({str(path)!r}); "
         "print('open', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "open"
        shown = subprocess.run(
            [sys.executable, "-m", "indicators", "show", "--db", str(path), "--la", "857"],
            cwd=PROJECT, capture_output=True, text=True,
        )  # fmt: skip
    finally:
        holder.kill()
    assert shown.returncode != 0
    assert "Cannot open the database" in shown.stderr
    assert "Traceback" not in shown.stderr
