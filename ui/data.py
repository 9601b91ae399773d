"""One DuckDB connection per process, a cursor per use, and reads cached by data version.

Every cached read of the store takes the data version and the database path as its
first arguments, so a committed load (which bumps the version) shows on every page at
once, and two stores never share a cache entry. What is worked out from the shared
indicator tables alone (a council's rows, its scorecard, its charts) is keyed instead by
what those tables hold (``view_key``): a load that leaves them as they were (a council's
quarterly return, officers' commentary) keeps every council's pages warm, and one that
changes them changes the key.

Pages read the store and the indicators through this module (docs/ARCHITECTURE.md:
a page imports ``ui``, ``exports``, ``charts`` and ``domain``, never ``indicators``
or ``loaders``), so what they show is sliced here, not in the page.

Replicas (README "Running it for a council"): a *writer* serves ``CP_DB`` read-write
and, with ``CP_PUBLISH_DIR`` set, publishes a read-only copy after every commit
(``loaders/publish.py``). A *reader* (``CP_READ_PUBLISHED`` set to that folder) never
opens ``CP_DB``: at the start of each run it reads which published store is current,
pins the run to it (every read of the run sees one store), and opens it read-only,
one cached connection per published file. The path is part of every cache key, so
the first run after a publish reads the new store without a restart.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import pandas as pd
import streamlit as st

from indicators import at_a_glance, derived, facts, scorecard, views
from indicators.catalogue import Grouping, Indicator, catalogue
from indicators.compute import all_values
from loaders.datasets import DATASETS_BY_ID
from loaders.publish import (
    KEEP,
    NothingPublished,
    PublishFailed,
    current,
    open_current,
    open_published,
    publish,
    published_version,
)
from loaders.store import commits_in_this_process, data_version, open_store
from ui.access import READER_ENV

if TYPE_CHECKING:
    from ui.state import Selection

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "demo.duckdb"
# Cached reads are keyed by (data version, store path); a reader replica moves to a new
# published store with every commit, so old entries must age out rather than pile up:
# a few stores' worth of each read (the one in use, the one being warmed, one before),
# every council's per-council reads, and each neighbour model and average's comparisons.
STORES_KEPT = 3
COUNCILS_KEPT = 200
# The three whole-store tables every page starts from (every indicator, the neighbour
# lists, the comparisons) are shared objects (`st.cache_resource`), not copies: a
# `st.cache_data` read unpickles its value, and a line page read the comparisons (about
# 50,000 rows) six times a run, a fifth of its time. Nothing may change them in place
# (pandas' copy-on-write keeps a slice or a derived frame from doing so; tested in
# tests/test_app_pages.py).
VIEWS_KEPT = 8


def _grouping_key(found: Grouping) -> tuple[str, int]:
    return found.id, hash(found.themes)  # frozen dataclasses of text: hashable


def _selection_key(selection: Selection) -> tuple[object, ...]:
    return (
        selection.council,
        selection.council_name,
        selection.year,
        selection.sn_model,
        selection.sn_method,
        _grouping_key(selection.grouping),
    )


# How a cached read's arguments are keyed when they are a page's selection or a grouping:
# by their fields. Streamlit's own hashing walks every theme's texts and questions, and
# a line page made about 130 cached reads a run, 1 ms each. (In memory only, per process.)
CACHE_KEYS = {"ui.state.Selection": _selection_key, "indicators.catalogue.Grouping": _grouping_key}
PUBLISH_DIR_ENV = "CP_PUBLISH_DIR"  # the writer: where it publishes after each commit
_PINNED = "_published_store"  # the published store this session's run reads
_PUBLISH_PROBLEM = "_publish_problem"


def published_folder() -> Path | None:
    """The publish folder this reader reads, or None when this is not a reader."""
    folder = os.environ.get(READER_ENV)
    return Path(folder) if folder else None


def publish_folder() -> Path | None:
    """The folder this writer publishes to after each commit (None: no readers)."""
    folder = os.environ.get(PUBLISH_DIR_ENV)
    return Path(folder) if folder and published_folder() is None else None


# A reader's warm-up thread reads the store it warms, whatever the pointer says by then.
_this_thread = threading.local()


def _pinned() -> str | None:
    warming = getattr(_this_thread, "store", None)
    if warming:
        return warming
    try:
        return st.session_state.get(_PINNED)
    except Exception:  # no session (a bare script): read the pointer each time
        return None


def database_path() -> Path:
    """The store the app serves: ``CP_DB`` if set, else the demo database; on a reader,
    the published store this run is pinned to (or the current one)."""
    folder = published_folder()
    if folder is None:
        return Path(os.environ.get("CP_DB", str(DEFAULT_DB)))
    pinned = _pinned()
    return Path(pinned) if pinned else current(folder)


def begin_run() -> None:
    """At the start of every run (app.py). A reader pins the run to the store published
    now (one read of ``CURRENT``), so any run that starts after a publish shows it, and a
    publish during the run never mixes two stores on one page; a writer shows a publish
    that failed after a commit."""
    folder = published_folder()
    if folder is None:
        problem = st.session_state.pop(_PUBLISH_PROBLEM, None)
        if problem:
            st.error(problem)
        return
    try:
        path, _ = open_current(folder, lambda found: _published_connection(str(found)))
    except NothingPublished as nothing:
        st.error(str(nothing))
        st.stop()
    st.session_state[_PINNED] = str(path)
    _watch_publishes()


# How often a reader looks for a new publish between runs (reading CURRENT: ~50 µs).
WATCH_SECONDS = 0.5
_watcher: list[tuple[threading.Thread, threading.Event]] = []  # at most one: (thread, its stop)
_watcher_lock = threading.Lock()


@atexit.register
def _stop_watcher() -> None:
    # Stopped before the interpreter tears down DuckDB's module, not killed mid-read.
    stop_watching_publishes(within=2)


def stop_watching_publishes(within: float = 60) -> None:
    """Stop the publish watcher and wait (at most ``within`` s) for it to finish the
    warm-up it may be in; the next reader run starts a new one. At the interpreter's
    exit, and when a test's reader set-up ends: a watcher left running would warm the
    next test's store into that test's cache folder, both read from the environment."""
    with _watcher_lock:
        stopping = list(_watcher)
        _watcher.clear()
    for thread, stop in stopping:
        stop.set()
        thread.join(timeout=within)


def _watch_publishes() -> None:
    """Start, once per process, a thread that warms each new publish as soon as it
    appears. It only saves time: a run never waits for it to switch (it reads
    ``CURRENT`` itself); a run that starts mid-warm-up waits for the same cached reads
    (Streamlit computes one cache entry once) instead of computing them again."""
    with _watcher_lock:
        if _watcher:
            return
        stop = threading.Event()
        thread = threading.Thread(target=_watch, args=(stop,), name="publish-watcher", daemon=True)
        _watcher.append((thread, stop))
    thread.start()


def _watch(stop: threading.Event) -> None:
    warmed: str | None = None
    while not stop.wait(WATCH_SECONDS):
        folder = published_folder()  # read each time: tests change it
        if folder is None:
            continue
        try:
            newest = str(current(folder))
        except (NothingPublished, OSError):
            continue
        if newest != warmed:
            _warm_up(newest)
            warmed = newest


def _warm_up(path: str) -> None:
    """Compute a store's shared reads (what every page starts from). The writer computed
    its indicators and comparisons before publishing (``_compute_for_readers``), so
    this mostly reads them back from disk; without them (a store published by
    ``python -m loaders publish``) it computes them."""
    _this_thread.store = path
    try:
        _warm_store(data_version(_published_connection(path).cursor()), path)
    except Exception as error:  # the runs compute what they need
        print(f"warming {path} failed: {error!r}", file=sys.stderr, flush=True)
    finally:
        _this_thread.store = None


def _warm_store(version: int, path: str) -> None:
    """A store's shared reads, the default view's comparisons and their fingerprints, and
    the own figures of the councils that have them: what every page starts from (a
    reader's warm-up; the writer before it publishes)."""
    _councils(version, path)
    _is_demo(version, path)
    _years(version, path)
    _as_loaded(version, path)
    models = _neighbour_models(version, path)
    _comparisons(version, path, models[0] if models else None, "mean")
    # What the default view holds: the key of every council's pages (unchanged figures
    # keep them).
    _view_content(version, path, models[0] if models else None, "mean")
    _values_content(version, path)
    # The councils with figures of their own (in a council's deployment, itself): what
    # their line pages show first, worked out from their extract's child-level records.
    for council in _councils_with_own_figures(version, path):
        _quarterly(version, path, council)
        _reconciliation(version, path, council)
        _extract_notes(version, path, council)


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT)
def _councils_with_own_figures(version: int, path: str) -> list[str]:
    from indicators.local import councils_with_own_figures

    return councils_with_own_figures(cursor())


def warm_up() -> None:
    """For the first visitor (``ui/serve.py``, as that visitor's first run begins, or
    before anyone comes): the shared reads of the store served now, into the caches
    every run reads. A reader warms the store published now and starts watching for
    the next; its runs still pin their own store at each start."""
    folder = published_folder()
    if folder is None:
        _warm_store(*_key())
        return
    with contextlib.suppress(NothingPublished):  # each run says so
        _warm_up(str(current(folder)))
    _watch_publishes()


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    con = open_store(path)
    folder = publish_folder()
    if folder is not None and published_version(folder) != data_version(con):
        try:
            # Readers start from what this writer serves.
            publish(con, folder, before_switch=_hand_key_to_readers(con))
        except PublishFailed as failed:  # the writer still serves; its log says why
            print(failed, file=sys.stderr, flush=True)
    return con


@st.cache_resource(show_spinner=False, max_entries=KEEP)
def _published_connection(path: str) -> duckdb.DuckDBPyConnection:
    # Older stores drop out of the cache; a run still reading one keeps its cursor.
    return open_published(path)


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on the process's connection (safe across sessions); on a reader,
    on the read-only connection to this run's published store."""
    path = str(database_path())
    if published_folder() is not None:
        return _reader_cursor(path)
    return _connection(path).cursor()


def _reader_cursor(path: str) -> duckdb.DuckDBPyConnection:
    """A cursor on a published store. A fragment's rerun (a chart switched on a page
    drawn before) reads the store its page was pinned to; once more stores have been
    published than are kept, that file is gone: the whole page is then drawn again,
    on the current store, rather than fail or mix two stores."""
    warming = getattr(_this_thread, "store", None)
    # Checked before connecting: while any cursor on a deleted store is still open (another
    # session's run), DuckDB hands that same database to a new connection to its path.
    if warming or Path(path).exists():
        try:
            return _published_connection(path).cursor()
        except duckdb.IOException:
            if warming or Path(path).exists():
                raise
    st.session_state.pop(_PINNED, None)
    st.rerun(scope="app")


def publish_for_readers(show_next_run: bool = True) -> str | None:
    """On a writer with readers, publish what was just committed; the failure, if any, in
    words (and, with ``show_next_run``, at the top of the next run, for a caller that
    reruns at once). Does nothing elsewhere."""
    folder = publish_folder()
    if folder is None:
        return None
    con = _connection(str(database_path()))
    if published_version(folder) == data_version(con):
        return None
    _compute_for_readers()
    try:
        publish(con, folder, before_switch=_hand_key_to_readers(con, _computed_key()))
    except PublishFailed as failed:
        message = f"The load is committed here, but the readers do not show it yet: {failed}"
        if show_next_run:
            st.session_state[_PUBLISH_PROBLEM] = message
        return message
    return None


def _hand_key_to_readers(
    con: duckdb.DuckDBPyConnection, computed: tuple[int, str] | None = None
) -> Callable[[Path], None]:
    """What a publish calls once the new file is in place, before readers are pointed at
    it: the file's content key, kept for the readers (``derived.keep_store_key``), so no
    reader hashes every fact again on its first run on that store. ``computed`` is the
    (data version, key) the writer already worked out for its readers: used when the
    published version is that one, else the key is worked out on the writer's connection
    (which, under the publish's lock, shows exactly what was copied). A failure only
    makes the readers compute it."""

    def keep(published: Path) -> None:
        try:
            if computed is not None and data_version(con) == computed[0]:
                key = computed[1]
            else:
                key = derived.content_key(con)
            derived.keep_store_key(published, key)
        except Exception as error:
            print(
                f"handing the content key to readers failed: {error!r}", file=sys.stderr, flush=True
            )

    return keep


def _computed_key() -> tuple[int, str] | None:
    """The writer's (data version, content key) as ``_compute_for_readers`` left it cached."""
    try:
        version, path = _key()
        return version, _content_key(version, path)
    except Exception:  # the publish works it out itself
        return None


def _compute_for_readers() -> None:
    """Before publishing, the writer computes the new store's indicators and comparisons
    (the default view), their fingerprints and the council list. They are kept on disk by
    content (indicators/derived.py), and a published copy has the same content, so each
    reader's warm-up reads them back in tens of milliseconds instead of computing them
    for a second or more: the commit shows on the readers that much sooner. A failure
    here only makes the readers compute."""
    try:
        _warm_store(*_key())  # what a reader's warm-up reads, computed here once
    except Exception as error:  # publishing matters more than the head start
        print(f"computing for readers failed: {error!r}", file=sys.stderr, flush=True)


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT)
def _as_loaded(version: int, path: str) -> tuple[object, int] | None:
    rows = (
        cursor()
        .execute(
            "SELECT max(coalesce(finished_at, started_at)), max(load_id) FROM loads "
            "WHERE status <> 'in progress'"
        )
        .fetchall()
    )
    return None if not rows or rows[0][1] is None else (rows[0][0], int(rows[0][1]))


def as_loaded_caption() -> str:
    """Which data the page shows, in a few words: "Data as loaded 2 Dec 2026 09:10 (load 5)"."""
    found = _as_loaded(*_key())
    if found is None:
        return "No data loaded yet."
    when, load_id = found
    stamp = when.strftime("%d %b %Y %H:%M") if hasattr(when, "strftime") else str(when)
    return f"Data as loaded {stamp} UTC (load {load_id})"


def _key() -> tuple[int, str]:
    # The cached reads here and below are called with their arguments named: for each
    # argument passed by position Streamlit reads the function's signature again (about
    # a sixth of a line page's cached reads' cost, and a page makes dozens of them).
    path = str(database_path())
    if published_folder() is not None:
        if not Path(path).exists():  # a rerun pinned to a store since deleted:
            _reader_cursor(path)  # drawn again on the current store (see there)
        return _published_store_version(path=path), path
    return _version_after(path=path, commits=commits_in_this_process()), path


@st.cache_resource(show_spinner=False, max_entries=STORES_KEPT)
def _version_after(path: str, commits: int) -> int:
    # The store's version read once per load this process commits (loaders/store.py's
    # count): only this process can write the file it holds, so between two of its
    # commits the version cannot change. A page makes about thirty cached reads a run.
    return data_version(cursor())


@st.cache_resource(show_spinner=False, max_entries=KEEP)
def _published_store_version(path: str) -> int:
    # A published store never changes (loaders/publish.py), so its version is read
    # once, not by a query at each of the twenty cached reads a page makes.
    return data_version(_reader_cursor(path))


def version_key() -> tuple[int, str]:
    """(data version, store path): the key every cached read and figure starts with."""
    return _key()


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT)
def _councils(version: int, path: str) -> pd.DataFrame:
    # Kept by content with the indicator tables: a query over every fact (about 50 ms
    # of a reader's first run on each newly published store), read back in one.
    con = cursor()
    return derived.kept("councils", _content_key(version, path), lambda: facts.councils(con))


def councils() -> pd.DataFrame:
    return _councils(*_key())


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT)
def _is_demo(version: int, path: str) -> bool:
    return facts.is_demo(cursor())


def is_demo() -> bool:
    return _is_demo(*_key())


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT * COUNCILS_KEPT)
def _at_a_glance(values_key: str, area_code: str) -> tuple[pd.DataFrame, list[int]]:
    return at_a_glance.at_a_glance_table(cursor(), area_code, values=values())


def at_a_glance_table(area_code: str) -> tuple[pd.DataFrame, list[int]]:
    return _at_a_glance(_values_content(*_key()), area_code)


def at_a_glance_download(area_code: str, council_name: str) -> Callable[[], pd.DataFrame]:
    """What makes At a glance's figures as numbers for a spreadsheet (its downloads), on
    the click, from the table of figures this run read (the click's thread has no session
    to say which store that was)."""
    return partial(at_a_glance.at_a_glance_download, values(), area_code, council_name)


@st.cache_resource(show_spinner=False, max_entries=STORES_KEPT)
def _values(version: int, path: str) -> pd.DataFrame:
    # Kept on disk by content (indicators/derived.py): a new process over the same
    # store reads it back rather than computing it again.
    con = cursor()
    return derived.kept("values", _content_key(version, path), lambda: all_values(con))


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT)
def _content_key(version: int, path: str) -> str:
    """What the store's indicator tables are made of (indicators/derived.py), once a version;
    on a reader, as the writer handed it for the published file when it did."""
    if published_folder() is not None:
        handed = derived.kept_store_key(Path(path))
        if handed is not None:
            return handed
    return derived.content_key(cursor())


def values() -> pd.DataFrame:
    """Every indicator for every place and period (councils, regions, England)."""
    return _values(*_key())


@st.cache_resource(show_spinner=False, max_entries=STORES_KEPT)
def _values_content(version: int, path: str) -> str:
    key = _content_key(version, path)
    return "values-" + derived.kept_fingerprint("values", key, _values(version, path))


@st.cache_resource(show_spinner=False, max_entries=STORES_KEPT)
def _neighbours(version: int, path: str) -> pd.DataFrame:
    return scorecard.neighbour_lists(cursor())


def neighbours() -> pd.DataFrame:
    return _neighbours(*_key())


@st.cache_resource(show_spinner=False, max_entries=STORES_KEPT)
def _neighbour_models(version: int, path: str) -> tuple[str, ...]:
    models = _neighbours(version, path)["model"].dropna().unique()
    return tuple(sorted({str(m) for m in models}, reverse=True))


def neighbour_models() -> list[str]:
    """The statistical neighbour models loaded, newest first (read once a store: every
    run's sidebar asks)."""
    return list(_neighbour_models(*_key()))


@st.cache_resource(show_spinner=False, max_entries=STORES_KEPT * VIEWS_KEPT)
def _comparisons(version: int, path: str, model: str | None, method: str) -> pd.DataFrame:
    from indicators.compare import compare_all

    def compute() -> pd.DataFrame:
        return compare_all(_values(version, path), _neighbours(version, path), model, method)

    key = f"{_content_key(version, path)}-{derived.part_key(model, method)}"
    return derived.kept("comparisons", key, compute)


def comparisons(model: str | None, method: str) -> pd.DataFrame:
    """Every indicator, council and period with its comparisons (cached per version)."""
    return _comparisons(*_key(), model, method)


@st.cache_resource(show_spinner=False, max_entries=STORES_KEPT * VIEWS_KEPT)
def _view_content(version: int, path: str, model: str | None, method: str) -> str:
    # Once per store and view: the comparisons and neighbour lists hashed cell by cell.
    table = _comparisons(version, path, model, method)
    # The comparisons' fingerprint kept beside them (the writer's, read by its readers).
    name = f"{_content_key(version, path)}-{derived.part_key(model, method)}"
    kept = derived.kept_fingerprint("comparisons", name, table)
    return f"view-{kept}-{derived.fingerprint(_neighbours(version, path))}"


def view_key(selection: Selection) -> str:
    """What the selection's view is worked out from (every comparison for its neighbour
    model and average, and the neighbour lists), as a hash of their contents: the key of
    every cached read and figure made from them alone. Two stores with the same figures
    give the same key, so a commit that leaves the figures as they were (a quarterly
    return, commentary) keeps what was worked out from them."""
    version, path = _key()
    return _view_content(
        version=version, path=path, model=selection.sn_model, method=selection.sn_method
    )


@st.cache_resource(show_spinner=False, max_entries=STORES_KEPT * COUNCILS_KEPT)
def _council_comparisons(view: str, model: str | None, method: str, council: str) -> pd.DataFrame:
    table = comparisons(model, method)  # this run's store: `view` says it holds the same
    return table[table["area_code"] == council]


def council_comparisons(selection: Selection) -> pd.DataFrame:
    """The comparisons' rows for the selected council alone (every indicator and year):
    what a page's lookups of the council's own figures filter, a 150th of the whole
    table (each lookup in the whole table cost a few milliseconds, dozens a page)."""
    return _council_comparisons(
        view_key(selection), selection.sn_model, selection.sn_method, selection.council
    )


@st.cache_resource(show_spinner=False, max_entries=STORES_KEPT * COUNCILS_KEPT)
def _council_figures(
    view: str, model: str | None, method: str, council: str
) -> views.CouncilFigures:
    return views.CouncilFigures(_council_comparisons(view, model, method, council), council)


def council_figures(selection: Selection) -> views.CouncilFigures:
    """The council's comparison rows indexed by indicator and year, kept once per view:
    each of a page's lookups of the council's figure for an indicator (its sentence,
    chart, commentary, scorecard row, judgement) is then a dictionary read."""
    return _council_figures(
        view=view_key(selection),
        model=selection.sn_model,
        method=selection.sn_method,
        council=selection.council,
    )


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT)
def _years(version: int, path: str) -> list[int]:
    frame = _values(version, path)
    # The distinct years first (a set of every row's year was 20 ms of a reader's first
    # run on each newly published store).
    return sorted((int(y) for y in frame["year"].dropna().unique()), reverse=True)


def years() -> list[int]:
    return _years(*_key())


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT)
def _releases(version: int, path: str) -> pd.DataFrame:
    return facts.loaded_releases(cursor())


def releases() -> pd.DataFrame:
    """Which release of each dataset is loaded, the years it covers, and when it was loaded."""
    return _releases(*_key())


def releases_described() -> pd.DataFrame:
    """`releases()` as the About page shows it: dataset title, release, years, load date."""
    frame = releases()
    if frame.empty:
        return frame
    return frame.assign(
        Dataset=frame["dataset"].map(
            lambda d: DATASETS_BY_ID[d].title if d in DATASETS_BY_ID else d
        ),
        Years=frame["first_year"].astype(str) + " to " + frame["last_year"].astype(str),
        Loaded=frame["loaded_at"].dt.strftime("%d %B %Y"),
    )[["Dataset", "release", "Years", "Loaded"]].rename(columns={"release": "Release"})


def indicators_by_id() -> dict[str, Indicator]:
    """Every catalogue indicator by id, in the catalogue's order."""
    return {item.id: item for item in catalogue()}


def headline_tiles(selection: Selection) -> list[dict[str, object]]:
    """The At a glance tiles for the selection (latest figure, change, neighbours, England)."""
    table = comparisons(selection.sn_model, selection.sn_method)
    return views.headline_tiles(
        table,
        selection.council,
        at_a_glance.HEADLINE_IDS,
        selection.year,
        figures=council_figures(selection),
    )


@st.cache_data(show_spinner=False, max_entries=500, hash_funcs=CACHE_KEYS)
def _strengths_and_concerns(view: str, selection: Selection) -> dict[str, list[str]]:
    table = comparisons(selection.sn_model, selection.sn_method)
    summary = scorecard.council_summary(table, selection.council, selection.year)
    return {
        "strengths": list(summary.get("strengths", [])),
        "concerns": list(summary.get("concerns", [])),
        # Figures on too few children to judge against chance (neither strength nor concern).
        "too_small": list(summary.get("too_small", [])),
    }


def strengths_and_concerns(selection: Selection) -> dict[str, list[str]]:
    """The council's strengths and concerns (sentences) for the selection's year."""
    return _strengths_and_concerns(view_key(selection), selection)


def council_and_neighbours(selection: Selection) -> list[str]:
    """The selected council followed by its statistical neighbours in rank order."""
    return views.council_and_neighbours(neighbours(), selection.council, selection.sn_model)


@st.cache_data(show_spinner=False, max_entries=500, hash_funcs=CACHE_KEYS)
def _scorecard_rows(
    view: str, selection: Selection, grouping: Grouping, theme_id: str | None
) -> pd.DataFrame:
    table = comparisons(selection.sn_model, selection.sn_method)
    figures = council_figures(selection)
    return views.scorecard(
        table, selection.council, grouping, selection.year, theme_id=theme_id, figures=figures
    )


def scorecard_rows(
    selection: Selection, grouping: Grouping | None = None, theme_id: str | None = None
) -> pd.DataFrame:
    """Scorecard rows for a view: the chosen grouping, or one theme of `grouping`."""
    return _scorecard_rows(view_key(selection), selection, grouping or selection.grouping, theme_id)


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT)
def _history(version: int, path: str) -> pd.DataFrame:
    from loaders.store import load_history

    return load_history(cursor(), names_only=True)


def history() -> pd.DataFrame:
    """Every load, newest first (who, when, kind, release, status, files, hashes).

    Files by name only: the folders they were loaded from on the server are not shown.
    """
    return _history(*_key())


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT * COUNCILS_KEPT)
def _quarterly(version: int, path: str, council: str) -> pd.DataFrame:
    from indicators.local import quarterly_figures
    from indicators.protection import small_count_threshold

    con = cursor()
    if council not in _councils_with_own_figures(version, path):
        return quarterly_figures(con, council)  # none: two empty reads
    # Kept on disk by content, as the indicator tables are: worked out from a council's
    # child-level extract (about 0.4 s for the demo's), the same for the same store and
    # code. The small-count threshold is in the key: it changes what is withheld.
    key = f"{_content_key(version, path)}-{derived.part_key(council, small_count_threshold())}"
    # One file name per council: the oldest files of a name are dropped beyond a few.
    name = "quarterly-" + "".join(c for c in council if c.isalnum())
    return derived.kept(name, key, lambda: quarterly_figures(con, council), as_read_back=True)


def quarterly_figures(council: str) -> pd.DataFrame:
    """The council's own quarterly figures (catalogue and local indicators), protected."""
    return _quarterly(*_key(), council)


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT * COUNCILS_KEPT)
def _reconciliation(version: int, path: str, council: str) -> pd.DataFrame:
    from indicators.local import reconciliation as reconcile

    return reconcile(quarterly_figures(council), values(), council)


def reconciliation(council: str) -> pd.DataFrame:
    """The extract's 31 March figures beside DfE's published ones, with the differences."""
    return _reconciliation(*_key(), council)


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT * COUNCILS_KEPT)
def _reconciliation_of(
    version: int, path: str, council: str, titles: tuple[str, ...]
) -> tuple[pd.DataFrame, str]:
    from indicators.local import differences_sentence

    check = _reconciliation(version, path, council)
    check = check[check["Indicator"].isin(titles)]
    return check, differences_sentence(check)


def reconciliation_of(council: str, titles: Iterable[str]) -> tuple[pd.DataFrame, str]:
    """`reconciliation`'s rows for the indicators titled ``titles`` (a line's), and the
    sentence on how they differ (``local.differences_sentence``): worked out once per
    store, not on every run of the page (about 6 ms)."""
    return _reconciliation_of(*_key(), council, tuple(sorted(set(titles))))


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT * COUNCILS_KEPT)
def _extract_notes(version: int, path: str, council: str) -> dict[str, str]:
    from indicators.child_level import not_available

    return not_available(cursor(), council)


def extract_not_available(council: str) -> dict[str, str]:
    """Indicators the council's extract cannot give, with the reason."""
    return _extract_notes(*_key(), council)


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT)
def _extracts(version: int, path: str) -> pd.DataFrame:
    from indicators.child_level import extracts_loaded

    return extracts_loaded(cursor())


def extracts() -> pd.DataFrame:
    """Every SSDA903 extract in the store (council, as-at date, quarter ends, size)."""
    return _extracts(*_key())


def extract_quarter_table(council: str) -> pd.DataFrame:
    """The figures from the council's extracts, indicators down and quarters across."""
    from indicators.local import extract_figures, quarter_table

    figures = extract_figures(quarterly_figures(council))
    return pd.DataFrame() if figures.empty else quarter_table(figures)


@st.cache_data(show_spinner=False, max_entries=STORES_KEPT * COUNCILS_KEPT)
def _commentary(version: int, path: str, council: str) -> pd.DataFrame:
    from indicators.commentary import current_commentary

    return current_commentary(cursor(), council)


def commentary(council: str) -> pd.DataFrame:
    """Officers' commentary in force for every indicator and period of the council."""
    return _commentary(*_key(), council)


def pack_commentary(selection: Selection, indicator_ids: list[str]) -> dict[str, str]:
    """The officers' commentary for each slide of a meeting pack, as its slide shows it."""
    from exports.pack import officer_commentary

    table = comparisons(selection.sn_model, selection.sn_method)
    return officer_commentary(cursor(), selection.council, table, indicator_ids, selection.year)


def find_indicators(query: str) -> list[str]:
    """Catalogue ids whose titles, lines or common synonyms match every word typed."""
    from indicators.search import matching_indicators

    return matching_indicators(catalogue(), query)


SCORECARD_ORDERS = scorecard.ORDERS


# Shared, not copied at each read (the page only reads it and makes new frames from it).
@st.cache_resource(show_spinner=False, max_entries=500, hash_funcs=CACHE_KEYS)
def _scorecard_view(
    view: str,
    selection: Selection,
    themes: tuple[str, ...],
    concerns_only: bool,
    order: str,
) -> pd.DataFrame:
    table = comparisons(selection.sn_model, selection.sn_method)
    figures = council_figures(selection)
    card = views.scorecard(
        table, selection.council, selection.grouping, selection.year, figures=figures
    )
    judged = scorecard.judgements(table, selection.council, selection.year, figures=figures)
    return scorecard.arrange(card, judged, list(themes), concerns_only, order)


def scorecard_view(
    selection: Selection, themes: list[str], concerns_only: bool, order: str
) -> pd.DataFrame:
    """The Scorecard page's rows: the themes chosen, concerns only if asked, in that order."""
    return _scorecard_view(view_key(selection), selection, tuple(themes), concerns_only, order)


def scorecard_download(
    selection: Selection, themes: list[str], concerns_only: bool, order: str
) -> Callable[[], pd.DataFrame]:
    """What makes the Scorecard's rows as listed, as numbers for a spreadsheet (its
    downloads), on the click, from the rows and figures this run read."""
    from indicators.downloads import scorecard_download as as_numbers

    shown = scorecard_view(selection, themes, concerns_only, order)
    return partial(
        as_numbers, shown, council_figures(selection), selection.year, selection.council_name
    )
