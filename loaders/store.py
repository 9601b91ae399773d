"""The DuckDB store: schema, migrations, the load log and the data version.

Everything the app knows lives in one DuckDB file. The schema is created and
migrated by code: the ``schema_version`` table records which migrations ran,
and opening an older database applies the missing ones in order, so a council
never has to rebuild its store after an upgrade.

Facts are stored long (one published cell per row) with the release they came
from, so a newer release's revision of an old year wins by default while the
older value stays queryable. Every load runs in one transaction and bumps the
data version, which is what the app's caches are keyed on.
"""

from __future__ import annotations

import getpass
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

Migration = Callable[[duckdb.DuckDBPyConnection], None]


def _migration_1_initial(con: duckdb.DuckDBPyConnection) -> None:
    """Facts, the load log, statistical neighbours and the data version."""
    con.execute(
        """
        CREATE TABLE loads (
            load_id        INTEGER PRIMARY KEY,
            started_at     TIMESTAMP NOT NULL,
            finished_at    TIMESTAMP,
            user_name      VARCHAR,
            kind           VARCHAR NOT NULL,
            release        VARCHAR,
            status         VARCHAR NOT NULL,
            rows_read      BIGINT NOT NULL DEFAULT 0,
            rows_loaded    BIGINT NOT NULL DEFAULT 0,
            rows_rejected  BIGINT NOT NULL DEFAULT 0,
            message        VARCHAR
        )
        """
    )
    con.execute(
        """
        CREATE TABLE load_files (
            load_id        INTEGER NOT NULL,
            file_name      VARCHAR NOT NULL,
            sha256         VARCHAR NOT NULL,
            dataset        VARCHAR,
            release        VARCHAR,
            outcome        VARCHAR NOT NULL,
            rows_read      BIGINT NOT NULL DEFAULT 0,
            rows_loaded    BIGINT NOT NULL DEFAULT 0,
            rows_rejected  BIGINT NOT NULL DEFAULT 0,
            message        VARCHAR
        )
        """
    )
    con.execute(
        """
        CREATE TABLE facts (
            load_id          INTEGER NOT NULL,
            dataset          VARCHAR NOT NULL,
            release          VARCHAR NOT NULL,
            time_period      VARCHAR NOT NULL,
            year             INTEGER NOT NULL,
            time_identifier  VARCHAR NOT NULL,
            geographic_level VARCHAR NOT NULL,
            area_code        VARCHAR NOT NULL,
            area_name        VARCHAR NOT NULL,
            country_code     VARCHAR,
            region_code      VARCHAR,
            region_name      VARCHAR,
            old_la_code      VARCHAR,
            new_la_code      VARCHAR,
            la_name          VARCHAR,
            cohort           VARCHAR NOT NULL,
            breakdown        VARCHAR NOT NULL,
            variant          VARCHAR NOT NULL,
            measure          VARCHAR NOT NULL,
            value            DOUBLE,
            symbol           VARCHAR,
            published_filters VARCHAR NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE statistical_neighbours (
            load_id              INTEGER NOT NULL,
            model                VARCHAR NOT NULL,
            old_la_code          VARCHAR NOT NULL,
            la_name              VARCHAR,
            sn_rank              INTEGER NOT NULL,
            neighbour_old_la_code VARCHAR NOT NULL,
            neighbour_la_name    VARCHAR,
            closeness            VARCHAR
        )
        """
    )
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR NOT NULL)")
    con.execute("INSERT INTO meta VALUES ('data_version', '0')")
    # The newest release wins for each published cell; ties go to the latest load.
    con.execute(
        """
        CREATE VIEW current_facts AS
        SELECT * EXCLUDE (newest_first) FROM (
            SELECT *, row_number() OVER (
                PARTITION BY dataset, time_period, geographic_level, area_code,
                             cohort, breakdown, variant, measure
                ORDER BY release DESC, load_id DESC) AS newest_first
            FROM facts
        ) WHERE newest_first = 1
        """
    )
    # The latest list loaded for each neighbour model is the one in force.
    con.execute(
        """
        CREATE VIEW current_neighbours AS
        SELECT * FROM statistical_neighbours
        WHERE (model, load_id) IN (
            SELECT (model, max(load_id)) FROM statistical_neighbours GROUP BY model)
        """
    )
    # Councils and regions with their code history, taken from the data itself.
    con.execute(
        """
        CREATE VIEW areas AS
        SELECT geographic_level, area_code, area_name, new_la_code, region_code, region_name,
               min(year) AS first_year, max(year) AS last_year
        FROM facts
        GROUP BY ALL
        """
    )


def _migration_2_indexes(con: duckdb.DuckDBPyConnection) -> None:
    """Speed up the two look-ups every page makes: one area, one dataset."""
    con.execute("CREATE INDEX facts_dataset ON facts (dataset, geographic_level, area_code)")
    con.execute("CREATE INDEX facts_load ON facts (load_id)")


def _migration_3_local_indicators(con: duckdb.DuckDBPyConnection) -> None:
    """Indicators a council defines for itself (e.g. councillors trained), by load."""
    con.execute(
        """
        CREATE TABLE local_indicators (
            load_id         INTEGER NOT NULL,
            indicator_id    VARCHAR NOT NULL,
            title           VARCHAR NOT NULL,
            short_title     VARCHAR NOT NULL,
            line_of_enquiry VARCHAR NOT NULL,
            unit            VARCHAR NOT NULL,
            decimals        INTEGER NOT NULL,
            polarity        VARCHAR NOT NULL,
            definition      VARCHAR,
            questions       VARCHAR
        )
        """
    )
    # The latest definition of each local indicator is the one in force.
    con.execute(
        """
        CREATE VIEW current_local_indicators AS
        SELECT * EXCLUDE (newest_first) FROM (
            SELECT *, row_number() OVER (
                PARTITION BY indicator_id ORDER BY load_id DESC) AS newest_first
            FROM local_indicators
        ) WHERE newest_first = 1
        """
    )


def _migration_4_child_level_extracts(con: duckdb.DuckDBPyConnection) -> None:
    """SSDA903 extracts: one row per extract, and the usable rows of the tables the
    indicators need (no names, UPNs or postcodes). Readers never see these tables
    directly: the indicators layer aggregates and protects them first."""
    con.execute(
        """
        CREATE TABLE extracts (
            load_id      INTEGER NOT NULL,
            la_code      VARCHAR NOT NULL,
            as_at        DATE NOT NULL,
            covers_from  DATE NOT NULL,
            children     INTEGER NOT NULL,
            episodes     INTEGER NOT NULL,
            has_pl_la    BOOLEAN NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE TABLE extract_episodes (
            load_id INTEGER NOT NULL, child VARCHAR NOT NULL, decom DATE NOT NULL, dec DATE,
            rne VARCHAR, ls VARCHAR, cin VARCHAR, place VARCHAR, place_provider VARCHAR,
            rec VARCHAR, urn VARCHAR, pl_la VARCHAR
        )
        """
    )
    con.execute(
        "CREATE TABLE extract_children (load_id INTEGER NOT NULL, child VARCHAR NOT NULL, "
        "sex VARCHAR, dob DATE)"
    )
    con.execute(
        "CREATE TABLE extract_reviews (load_id INTEGER NOT NULL, child VARCHAR NOT NULL, "
        "review DATE NOT NULL, review_code VARCHAR)"
    )
    con.execute(
        "CREATE TABLE extract_missing (load_id INTEGER NOT NULL, child VARCHAR NOT NULL, "
        "kind VARCHAR, mis_start DATE NOT NULL, mis_end DATE)"
    )
    con.execute(
        "CREATE TABLE extract_uasc (load_id INTEGER NOT NULL, child VARCHAR NOT NULL, duc DATE)"
    )
    con.execute(
        "CREATE TABLE extract_care_leavers (load_id INTEGER NOT NULL, child VARCHAR NOT NULL, "
        "dob DATE NOT NULL, in_touch VARCHAR, activ VARCHAR, accom VARCHAR)"
    )
    con.execute(
        "CREATE TABLE extract_health (load_id INTEGER NOT NULL, child VARCHAR NOT NULL, "
        "sdq_score DOUBLE, convicted VARCHAR, health_check VARCHAR, immunisations VARCHAR, "
        "teeth_check VARCHAR, health_assessment VARCHAR, substance_misuse VARCHAR)"
    )


def _migration_5_reviews_by_quarter(con: duckdb.DuckDBPyConnection) -> None:
    """Reviews kept as counts by quarter and participation code, not one row per child
    and review: the indicators only count them by quarter, and a review is the
    largest child-level table (a council's extract holds about two per child a year).
    Less is written per load, and no child-level review is kept."""
    from domain.periods import quarter_end_sql  # the one definition of a quarter

    con.execute(
        "CREATE TABLE extract_review_quarters (load_id INTEGER NOT NULL, "
        "quarter_end DATE NOT NULL, review_code VARCHAR NOT NULL, reviews INTEGER NOT NULL)"
    )
    con.execute(
        f"INSERT INTO extract_review_quarters SELECT load_id, {quarter_end_sql('review')}, "
        "coalesce(review_code, ''), count(*) FROM extract_reviews GROUP BY ALL"
    )
    con.execute("DROP TABLE extract_reviews")


def _migration_6_one_name_per_place(con: duckdb.DuckDBPyConnection) -> None:
    """One name (and ONS code and region) per place, chosen the same way whatever the
    order of loads: from DfE's published files before a council's own returns, then
    the newest release, then the latest year, then alphabetical order. Pages,
    downloads and slides take names from here, never from whichever file was loaded
    last. Ties in the newest-release rule are broken by stated columns too, so the
    figures shown never depend on the order of rows in the store."""
    con.execute(
        """
        CREATE VIEW area_names AS
        SELECT geographic_level, area_code, area_name, new_la_code, region_code, region_name
        FROM (  -- each way a place is named, by release: thousands of rows, not millions
            SELECT geographic_level, area_code, area_name, new_la_code, region_code,
                   region_name, dataset = 'quarterly_return' AS from_return, release,
                   max(year) AS year
            FROM facts
            GROUP BY ALL
        )
        QUALIFY row_number() OVER (
            PARTITION BY geographic_level, area_code
            ORDER BY from_return, release DESC, year DESC, area_name,
                     new_la_code NULLS LAST, region_code NULLS LAST) = 1
        """
    )
    con.execute(
        """
        CREATE OR REPLACE VIEW current_facts AS
        SELECT * EXCLUDE (newest_first) FROM (
            SELECT *, row_number() OVER (
                PARTITION BY dataset, time_period, geographic_level, area_code,
                             cohort, breakdown, variant, measure
                ORDER BY release DESC, load_id DESC, value NULLS LAST, symbol NULLS LAST,
                         area_name, published_filters) AS newest_first
            FROM facts
        ) WHERE newest_first = 1
        """
    )


def _migration_7_commentary(con: duckdb.DuckDBPyConnection) -> None:
    """Officers' commentary on an indicator for one council and period (context, action,
    owner), written as a load of its own: who wrote it and when are the load's, the
    History tab lists it, and undo takes it out and brings back the one before. Rows
    are only ever added; the newest load's row for (council, indicator, period) is the
    commentary in force (an empty one withdraws it)."""
    con.execute(
        """
        CREATE TABLE commentary (
            load_id      INTEGER NOT NULL,
            indicator_id VARCHAR NOT NULL,
            council      VARCHAR NOT NULL,
            period       VARCHAR NOT NULL,
            context      VARCHAR NOT NULL,
            action       VARCHAR NOT NULL,
            owner        VARCHAR NOT NULL,
            who          VARCHAR,
            written_at   TIMESTAMP NOT NULL
        )
        """
    )
    con.execute(
        """
        CREATE VIEW current_commentary AS
        SELECT * FROM commentary
        QUALIFY row_number() OVER (
            PARTITION BY council, indicator_id, period ORDER BY load_id DESC) = 1
        """
    )


# Child-level tables (and the reviews, counted by quarter), in the order a load writes
# them (each keyed by load_id).
EXTRACT_TABLES = {
    "episodes": "extract_episodes",
    "children": "extract_children",
    "review_quarters": "extract_review_quarters",
    "missing": "extract_missing",
    "uasc": "extract_uasc",
    "care_leavers": "extract_care_leavers",
    "health": "extract_health",
}


def _migration_8_no_indexes_on_facts(con: duckdb.DuckDBPyConnection) -> None:
    """The two indexes of migration 2 go: DuckDB never reads through them (its plan for
    one area of one dataset, or one load's facts, is a scan of the table, which its
    zone maps already narrow), while every load paid to keep them: 0.12 s of the
    commit's 0.3 s of CPU for the 2024 release folder's 266,081 facts."""
    con.execute("DROP INDEX IF EXISTS facts_dataset")
    con.execute("DROP INDEX IF EXISTS facts_load")


MIGRATIONS: list[tuple[int, str, Migration]] = [
    (1, "facts, load log, neighbours, data version", _migration_1_initial),
    (2, "indexes on facts", _migration_2_indexes),
    (3, "local indicator definitions", _migration_3_local_indicators),
    (4, "SSDA903 child-level extracts", _migration_4_child_level_extracts),
    (5, "SSDA903 reviews counted by quarter", _migration_5_reviews_by_quarter),
    (
        6,
        "one name per place; stated tie-breaks for the newest figure",
        _migration_6_one_name_per_place,
    ),
    (7, "officers' commentary on indicators", _migration_7_commentary),
    (8, "no indexes on facts (never used, dear to keep)", _migration_8_no_indexes_on_facts),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: list | None = None) -> object:
    """The single value a query returns (None for no rows).

    Reads the whole result, so the connection is free for the next statement
    (DuckDB 2.0 keeps a result open after ``fetchone()``).
    """
    rows = con.execute(query, params or []).fetchall()
    return rows[0][0] if rows else None


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    """The highest migration applied to this database (0 for an empty one)."""
    exists = scalar(
        con, "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
    )
    if not exists:
        return 0
    return int(scalar(con, "SELECT coalesce(max(version), 0) FROM schema_version") or 0)


def migrate(
    con: duckdb.DuckDBPyConnection, migrations: list[tuple[int, str, Migration]] | None = None
) -> list[int]:
    """Apply every migration newer than the database, each in its own transaction."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_version ("
        "version INTEGER PRIMARY KEY, description VARCHAR, applied_at TIMESTAMP)"
    )
    applied: list[int] = []
    current = schema_version(con)
    for version, description, apply in migrations or MIGRATIONS:
        if version <= current:
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            apply(con)
            con.execute(
                "INSERT INTO schema_version VALUES (?, ?, ?)",
                [version, description, _now()],
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied


CHECKPOINT_THRESHOLD = "64MB"


class StoreOutdated(RuntimeError):
    """A store from an older version, which cannot be upgraded while another process holds it."""


def open_store(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating and migrating as needed) the store at ``path``.

    Read-only opens (the command lines) upgrade an older store first, so a
    view added by a later migration is always there to read.
    """
    path = Path(path)
    if read_only:
        con = duckdb.connect(str(path), read_only=True)
        if schema_version(con) >= SCHEMA_VERSION:
            return con
        # A store made by an older version: upgrade it once (a short write), then read.
        con.close()
        try:
            open_store(path).close()
        except duckdb.IOException as locked:
            raise StoreOutdated(
                f"{path} was made by an older version of the dashboard and needs a quick "
                "upgrade, which cannot run while another program (the app?) has it open. "
                "Open it in the app once, or stop the app and run this again."
            ) from locked
        return duckdb.connect(str(path), read_only=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    # A council's extract writes about 6 MB to the write-ahead log (185 MB for the
    # benchmark's 30-council region).
    # Under DuckDB's default threshold (16 MB) most such loads would end by rewriting
    # the database file, at about 0.1 s each; the log is as durable, and DuckDB folds
    # it into the file once it reaches this size (every ten or so loads of a region,
    # measured fastest of 32-256 MB) and when the store is closed.
    con.execute(f"SET checkpoint_threshold = '{CHECKPOINT_THRESHOLD}'")
    migrate(con)
    return con


SERVED_STORE = (
    "the app is serving this store (it holds the write lock): load through the Data page, "
    "or read a copy (cp {path} {copy}, then --db {copy}) / stop the app and run this again."
)


def open_store_or_exit(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """For the command lines: the store, or a plain message (no traceback) and exit.

    DuckDB lets one process write a file, and no other open it meanwhile: when the
    app (or another load) holds it, say so and what to do, not DuckDB's own words.
    """
    try:
        return open_store(path, read_only=read_only)
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise SystemExit(f"Cannot open the database {path}: {error}") from None
        pid = re.search(r"\(PID (\d+)\)", str(error))
        copy = Path(path).with_name(Path(path).stem + "_copy" + Path(path).suffix)
        message = SERVED_STORE.format(path=path, copy=copy)
        if pid:
            message += (
                f" (Process {pid.group(1)} holds the lock; if that is not the app, another "
                "load is running.)"
            )
        raise SystemExit(f"Cannot open the database {path}: {message}") from None
    except (OSError, duckdb.Error, StoreOutdated) as error:
        raise SystemExit(f"Cannot open the database {path}: {error}") from None


def data_version(con: duckdb.DuckDBPyConnection) -> int:
    """A number that changes with every committed load (the cache key for reads)."""
    value = scalar(con, "SELECT value FROM meta WHERE key = 'data_version'")
    return int(value) if value is not None else 0


def current_user() -> str | None:
    """The operating-system user, for the load log when nobody has signed in."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return None


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class LoadRecord:
    """What the log says about one load while it is being written."""

    load_id: int
    kind: str
    user_name: str | None


@contextmanager
def load_transaction(
    con: duckdb.DuckDBPyConnection, kind: str, user_name: str | None = None
) -> Iterator[LoadRecord]:
    """Run one load as one transaction: all of it is committed, or none of it.

    The body writes facts and file rows under ``record.load_id``; on leaving
    the block normally, the load is marked committed and the data version is
    bumped in the same transaction. Any exception rolls everything back.
    Writers take turns (`write_lock`), and the transaction begins once it is
    this writer's turn, so the body sees every load committed before it.
    """
    with write_lock():
        yield from _one_transaction(con, kind, user_name)


# One writer at a time in a process: two analysts committing at once are
# served in turn (each load gets its own id and data version). Readers never
# wait: DuckDB shows them the last committed state until a load commits.
_WRITE_LOCK = threading.RLock()


@contextmanager
def write_lock() -> Iterator[None]:
    """This process's writers, one at a time. A writer checks what the store already
    holds (the same files loaded, the load still undoable) while holding it, so that
    two analysts sending the same thing at once cannot both write it."""
    with _WRITE_LOCK:
        yield


# Test hook: seconds to wait inside the open transaction, so a test can kill the
# process mid-load, or start a second writer, and see what the store shows.
PAUSE_ENV = "CP_LOAD_PAUSE_BEFORE_COMMIT"


def _one_transaction(
    con: duckdb.DuckDBPyConnection, kind: str, user_name: str | None
) -> Iterator[LoadRecord]:
    con.execute("BEGIN TRANSACTION")
    try:
        load_id = int(scalar(con, "SELECT coalesce(max(load_id), 0) + 1 FROM loads") or 1)
        record = LoadRecord(load_id=load_id, kind=kind, user_name=user_name or current_user())
        con.execute(
            "INSERT INTO loads (load_id, started_at, user_name, kind, status) "
            "VALUES (?, ?, ?, ?, 'in progress')",
            [load_id, _now(), record.user_name, kind],
        )
        yield record
        pause = os.environ.get(PAUSE_ENV)
        if pause:
            print(f"paused inside load {load_id}", flush=True)
            time.sleep(float(pause))
        con.execute(
            "UPDATE meta SET value = CAST(CAST(value AS BIGINT) + 1 AS VARCHAR) "
            "WHERE key = 'data_version'"
        )
        con.execute(
            "UPDATE loads SET status = 'committed', finished_at = ? WHERE load_id = ?",
            [_now(), load_id],
        )
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    _COMMITTED[0] += 1


# Loads committed by this process, on any connection. The process that holds a store
# read-write is the only one that can write it (DuckDB locks the file), so while this
# count stands still the store's data version does too: the app asks the store for its
# version only when the count has moved, not at each of a page's cached reads.
_COMMITTED = [0]


def commits_in_this_process() -> int:
    """How many loads this process has committed so far (see `_COMMITTED`)."""
    return _COMMITTED[0]


class UndoRefused(Exception):
    """An undo that cannot be done (no such load, or already undone); the store is unchanged."""


def undo_load(con: duckdb.DuckDBPyConnection, load_id: int, user_name: str | None = None) -> int:
    """Take a committed load out of the store, exactly, and log the undo as a load of its own.

    Facts are never overwritten: a load only adds rows under its own id, and the
    newest release (then the latest load) is what the pages read. Removing a
    load's rows therefore brings back every value it revised, as it was. The
    load stays in the history marked "undone by load N". Returns N.
    """
    with load_transaction(con, "undo", user_name) as record:
        # Checked in the undo's own transaction, once it is this writer's turn: two
        # undos of one load sent at once cannot both go through.
        _check_undoable(con, load_id, record.load_id)
        removed = scalar(con, "SELECT count(*) FROM facts WHERE load_id = ?", [load_id])
        con.execute("DELETE FROM facts WHERE load_id = ?", [load_id])
        con.execute("DELETE FROM statistical_neighbours WHERE load_id = ?", [load_id])
        con.execute("DELETE FROM local_indicators WHERE load_id = ?", [load_id])
        notes = scalar(con, "SELECT count(*) FROM commentary WHERE load_id = ?", [load_id])
        con.execute("DELETE FROM commentary WHERE load_id = ?", [load_id])
        for table in ("extracts", *EXTRACT_TABLES.values()):
            con.execute(f"DELETE FROM {table} WHERE load_id = ?", [load_id])
        con.execute(
            "UPDATE loads SET status = ?, message = coalesce(message, '') || ? WHERE load_id = ?",
            [f"undone by load {record.load_id}", f" (undone by load {record.load_id})", load_id],
        )
        con.execute(
            "UPDATE loads SET message = ?, release = (SELECT release FROM loads WHERE load_id = ?) "
            "WHERE load_id = ?",
            [
                f"Undid load {load_id}: removed "
                + (f"{int(notes)} commentary" if notes else f"{int(removed or 0):,} facts"),
                load_id,
                record.load_id,
            ],
        )
        undo_id = record.load_id
    return undo_id


def _check_undoable(con: duckdb.DuckDBPyConnection, load_id: int, undo_id: int) -> None:
    """Refuse an undo of a load that is not there, not committed, or itself an undo."""
    rows = con.execute("SELECT status, kind FROM loads WHERE load_id = ?", [load_id]).fetchall()
    if not rows or load_id == undo_id:  # the undo's own row, not yet committed
        raise UndoRefused(f"There is no load {load_id}.")
    status, kind = rows[0]
    if status.startswith("undone by load "):
        raise UndoRefused(f"Load {load_id} is already undone ({status.removeprefix('undone ')}).")
    if status != "committed":
        raise UndoRefused(f"Load {load_id} cannot be undone: it is {status}.")
    if kind == "undo":
        raise UndoRefused(f"Load {load_id} is itself an undo; load the files again instead.")


def local_indicator_units(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Local indicator id → unit, for checking a quarterly return."""
    rows = con.execute("SELECT indicator_id, unit FROM current_local_indicators").fetchall()
    return dict(rows)


def loaded_hashes(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """SHA-256 of every file loaded on its own (a DfE or ONS file, a quarterly return, a
    neighbour list, local indicators) and still in the store, with the load that brought
    it. An SSDA903 extract's tables are not here: an extract is loaded, and recognised,
    whole (`extract_loads`)."""
    rows = con.execute(
        "SELECT f.sha256, min(f.load_id) FROM load_files f JOIN loads l USING (load_id) "
        "WHERE l.status = 'committed' AND f.outcome = 'loaded' "
        "AND f.dataset IS DISTINCT FROM 'ssda903' GROUP BY f.sha256"
    ).fetchall()
    return {sha: int(load_id) for sha, load_id in rows}


def extract_loads(
    con: duckdb.DuckDBPyConnection, la_code: str, as_at: date
) -> dict[int, frozenset[str]]:
    """The council's extracts as at that date still in the store: load id -> the SHA-256
    of every table file the extract was loaded with (those the indicators use and those
    only checked)."""
    rows = con.execute(
        "SELECT x.load_id, list(DISTINCT f.sha256) FILTER (WHERE f.sha256 IS NOT NULL) "
        "FROM extracts x JOIN loads l USING (load_id) "
        "LEFT JOIN load_files f ON f.load_id = x.load_id AND f.dataset = 'ssda903' "
        "AND f.outcome IN ('loaded', 'not used') "
        "WHERE l.status = 'committed' AND x.la_code = ? AND x.as_at = ? "
        "GROUP BY x.load_id ORDER BY x.load_id",
        [la_code, as_at],
    ).fetchall()
    return {int(load_id): frozenset(hashes) for load_id, hashes in rows}


# A logged file name without the folders it was read from on the server: the command
# line logs each file as given (/srv/returns/q.csv) and zip members as zip/member
# (/srv/dfe/release.zip/data/a.csv). Kept: the file's own name, or the zip's name and
# the path inside it (release.zip/data/a.csv). Either separator, for Windows servers.
_FILE_NAME_ONLY = r"""
    CASE WHEN regexp_matches(f.file_name, '(?i)\.zip[/\\]')
         THEN regexp_replace(f.file_name, '(?i)^.*?([^/\\]+\.zip[/\\])', '\1')
         ELSE regexp_replace(f.file_name, '^.*[/\\]', '') END
"""


def load_history(con: duckdb.DuckDBPyConnection, names_only: bool = False):  # -> DataFrame
    """Every load, newest first, with its files, for the history table and CLI (a
    commentary, which has none, says what it was about there instead).

    ``names_only`` gives each file's name without the server's folders (the Data page);
    the command line, run on the server, shows the paths as loaded.
    """
    name = _FILE_NAME_ONLY if names_only else "f.file_name"
    return con.execute(
        f"""
        SELECT l.load_id, l.started_at, l.finished_at, l.user_name, l.kind, l.release,
               l.status, l.rows_read, l.rows_loaded, l.rows_rejected,
               coalesce(string_agg({name} || ' [' || f.outcome || ']', '; '
                                   ORDER BY {name}),
                        -- a commentary has no files: what it was about
                        any_value(CASE WHEN l.kind = 'commentary' THEN l.message END)) AS files,
               string_agg(DISTINCT f.sha256, ' ') AS sha256
        FROM loads l LEFT JOIN load_files f USING (load_id)
        GROUP BY ALL
        ORDER BY l.load_id DESC
        """
    ).df()
