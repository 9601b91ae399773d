"""Every indicator and comparison, kept on disk between processes, keyed by what they are made of.

Why: a new app process (a server start, a second replica over the same published
store, a restart) computes every indicator and comparison for every council
before its first page can draw (about a second on the demo store, most of a cold
start's server time). The same store contents and the same code always give the
same tables, so the first process to compute them writes them beside the store's
other caches, and the next one reads them back (tens of milliseconds).

The key is the content, not a name: a hash of the store's facts and neighbour
lists (every row, by DuckDB's ``hash``), its load log and data version, its schema
version, the source of the indicator, domain and loader code, and the versions of
the libraries that compute them. Any change to one of those is a new key, so a
stale table is never read. A table is written to a temporary file and renamed
into place, so a reader sees a whole file or none; a file that cannot be read
(or a cache folder that cannot be written, as on a read-only replica) means the
table is computed as before. Arrow's file format keeps every pandas type, so a
table read back is identical, cell for cell and type for type, to the one computed
(tests/test_derived.py).

``CP_DERIVED_CACHE`` names the folder (default ``.cache/derived`` in the project);
``off`` turns it off.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

PROJECT = Path(__file__).resolve().parent.parent
CACHE_ENV = "CP_DERIVED_CACHE"
DEFAULT_FOLDER = PROJECT / ".cache" / "derived"
# Files kept per table: a few recent stores and code versions, not every one ever seen.
KEEP_PER_TABLE = 8
FINGERPRINT_LENGTH = 32
# The code whose change can change a figure: the indicators, the shared vocabulary and
# the store's views (loaders), with their data files.
CODE_FOLDERS = ("indicators", "domain", "loaders")
CODE_SUFFIXES = (".py", ".toml")
# Every table a kept figure is computed from: the published facts, the neighbour lists,
# a council's own indicators and its SSDA903 extracts (child-level records: two stores
# with the same facts and load log but another extract give other quarterly figures).
FIGURE_TABLES = (
    "facts",
    "statistical_neighbours",
    "local_indicators",
    "extracts",
    "extract_episodes",
    "extract_children",
    "extract_review_quarters",
    "extract_missing",
    "extract_uasc",
    "extract_care_leavers",
    "extract_health",
)
CONTENT_QUERIES = (
    *(f"SELECT count(*), bit_xor(hash(t)) FROM {table} t" for table in FIGURE_TABLES),
    "SELECT count(*), bit_xor(hash(l.load_id, l.status)) FROM loads l",
    "SELECT value FROM meta WHERE key = 'data_version'",
    "SELECT max(version) FROM schema_version",
)


def cache_folder() -> Path | None:
    """Where derived tables are kept, or None when turned off."""
    setting = os.environ.get(CACHE_ENV, "")
    if setting.lower() == "off":
        return None
    return Path(setting) if setting else DEFAULT_FOLDER


_code_key: str | None = None


def code_fingerprint() -> str:
    """A hash of the code (and library versions) that computes the tables; once a process."""
    global _code_key
    if _code_key is None:
        digest = hashlib.sha256()
        for folder in CODE_FOLDERS:
            for path in sorted((PROJECT / folder).rglob("*")):
                if path.suffix in CODE_SUFFIXES and path.is_file():
                    digest.update(str(path.relative_to(PROJECT)).encode())
                    digest.update(path.read_bytes())
        for version in (duckdb.__version__, pd.__version__, np.__version__, pa.__version__):
            digest.update(version.encode())
        _code_key = digest.hexdigest()
    return _code_key


def content_key(con: duckdb.DuckDBPyConnection) -> str:
    """The key for tables computed from this store's contents by this code."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for query in CONTENT_QUERIES:
        digest.update(repr(con.execute(query).fetchall()).encode())
    return digest.hexdigest()[:32]


def fingerprint(*frames: pd.DataFrame) -> str:
    """A hash of every cell of the frames, with their columns, types and row labels: the
    same for two frames that hold the same table, whichever store they were read from.
    (Pandas' own per-row hashes, about 15 ms for the demo's 52,500 comparison rows.)"""
    digest = hashlib.sha256()
    for frame in frames:
        digest.update(repr((list(frame.columns), [str(t) for t in frame.dtypes])).encode())
        digest.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return digest.hexdigest()[:FINGERPRINT_LENGTH]


def kept_fingerprint(name: str, key: str, table: pd.DataFrame) -> str:
    """`fingerprint(table)` for the table kept as `name` under `key`, itself kept beside it:
    every process serving the same contents (a writer and its readers) hashes a table
    once between them, not once each after every publish. Same key, same table, same
    fingerprint (the key is the store's contents and the code)."""
    folder = cache_folder()
    if folder is None:
        return fingerprint(table)
    path = folder / f"{name}-{key}.fingerprint"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        found = path.read_text(encoding="ascii").strip()
        if len(found) == FINGERPRINT_LENGTH:
            return found
    found = fingerprint(table)
    _write_text(folder, name, path, found)  # not kept: computed again next time, that is all
    return found


def _write_text(folder: Path, name: str, path: Path, text: str) -> bool:
    """Write a short text whole (a temporary file renamed into place); False if it could
    not be written."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="ascii") as out:
                out.write(text)
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
    except OSError:
        return False
    return True


# A published store's content key, handed by the writer to its readers. A published
# file is never written again and its name is never reused (loaders/publish.py), so the
# key written for a name holds for as long as that file exists. Each reader would
# otherwise hash every fact again on its first run after each publish (about 45 ms of
# the demo store's 1.2 million facts, while runs queue behind it).
STORE_KEY_PREFIX = "store-key-"


def keep_store_key(store_file: Path, key: str) -> bool:
    """Keep ``key``, the content key of the published store ``store_file``, for the
    readers of that file, with the fingerprint of the code that computed it; the oldest
    beyond `KEEP_PER_TABLE` are dropped. False if it could not be kept (readers then
    compute it)."""
    folder = cache_folder()
    if folder is None:
        return False
    path = folder / f"{STORE_KEY_PREFIX}{store_file.name}.key"
    if not _write_text(folder, STORE_KEY_PREFIX, path, f"{code_fingerprint()} {key}"):
        return False
    with contextlib.suppress(OSError):
        older = sorted(folder.glob(f"{STORE_KEY_PREFIX}*.key"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-KEEP_PER_TABLE]:
            stale.unlink(missing_ok=True)
    return True


def kept_store_key(store_file: Path) -> str | None:
    """The content key the writer kept for the published store ``store_file``, if it was
    computed by this very code (a reader of another version computes its own)."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        text = (folder / f"{STORE_KEY_PREFIX}{store_file.name}.key").read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return None
    code, _, key = text.strip().partition(" ")
    if code != code_fingerprint() or len(key) != 32 or not key.isalnum():
        return None
    return key


def part_key(*parts: object) -> str:
    """A short key for a table's own choices (the neighbour model and method)."""
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:16]


def kept(
    name: str, key: str, compute: Callable[[], pd.DataFrame], as_read_back: bool = False
) -> pd.DataFrame:
    """The table `name` for `key`: read back if kept, else computed (and kept).

    ``as_read_back``: the computed table is returned as it reads back from its file
    (through Arrow), for a table whose columns Arrow would not give back as they were
    built (Python objects in a column: a float column built as objects comes back as
    floats, text as strings, a missing text as NaN rather than None). Either way every
    caller then sees the same table, whether this process computed it or read it.
    """
    folder = cache_folder()
    if folder is None:
        table = compute()
        return through_arrow(table) if as_read_back else table
    path = folder / f"{name}-{key}.arrow"
    try:
        return feather.read_table(path, memory_map=False).to_pandas()
    except (OSError, pa.ArrowException):
        pass  # not kept yet, or unreadable: computed below
    table = compute()
    if as_read_back:
        table = through_arrow(table)
    _keep(folder, name, path, table)
    return table


def through_arrow(table: pd.DataFrame) -> pd.DataFrame:
    """The table as it comes back from a kept file (Arrow's types for every column)."""
    return pa.Table.from_pandas(table).to_pandas()


def _keep(folder: Path, name: str, path: Path, table: pd.DataFrame) -> None:
    """Write the table whole (a temporary file renamed into place), then drop the oldest
    files of the same table beyond `KEEP_PER_TABLE`. A folder that cannot be written is
    no error: the table was computed and is returned either way."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}-", suffix=".tmp")
        os.close(handle)
        try:
            feather.write_feather(table, temporary, compression="uncompressed")
            os.replace(temporary, path)
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
        older = sorted(folder.glob(f"{name}-*.arrow"), key=lambda p: p.stat().st_mtime)
        for stale in older[:-KEEP_PER_TABLE]:
            stale.unlink(missing_ok=True)
            stale.with_suffix(".fingerprint").unlink(missing_ok=True)
    except (OSError, pa.ArrowException):
        return
