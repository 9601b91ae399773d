"""Shared fixtures: temporary stores, the real reference data (when available), caches."""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from deploy.chromium import CHROMIUM, launch_options
from deploy.processes import APP, ServerFailed, serving
from loaders.load import InputFile, load_files
from loaders.store import EXTRACT_TABLES, open_store

PROJECT = Path(__file__).resolve().parent.parent


def open_app_page(page: str, council: str, timeout: float = 60, **state: object):
    """An AppTest of the whole app opened as a user would: the council chosen in the
    sidebar (and any other session state), then the page picked from the navigation.

    The state is set before the first run: under st.navigation, AppTest drops the
    entry script's sidebar on a rerun, so it cannot be set afterwards.
    """
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=timeout)
    at.session_state["council"] = council
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    if page != "at_a_glance":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    return at


def open_every_chart_panel(at, line: str, council: str):
    """Open every indicator's chart panel on a line-of-enquiry page (only the first is
    open when the page opens; a folded panel's chart, table and buttons are not drawn)."""
    from indicators.catalogue import grouping
    from indicators.views import indicators_of
    from ui.line_page import panel_key

    for item in indicators_of(grouping("lga"), line):
        at.session_state[panel_key(item.id, council)] = True
    return at.run()


ARTIFACTS = PROJECT / "test-artifacts"


# Fixtures that make a test slow: the demo or real store, an AppTest of the app, a server
# or a browser. A test marked `pure` (the inner loop) must use none of them.
SLOW_FIXTURES = frozenset(
    {"demo_db", "demo_db_copy", "real_db", "real_2024_2025", "server", "page", "app_for"}
)


def slow_fixtures_of_pure_tests(items: list[pytest.Item]) -> list[str]:
    """Each `pure` test that uses a slow fixture, as "test id: fixture, …" (none is allowed)."""
    found = []
    for item in items:
        slow = sorted(SLOW_FIXTURES.intersection(getattr(item, "fixturenames", ())))
        if item.get_closest_marker("pure") and (slow or item.get_closest_marker("browser")):
            found.append(f"{item.nodeid}: {', '.join(slow) or 'browser'}")
    return found


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test that reads the real files `reference` (the inner loop leaves them
    out), and refuse a `pure` test that uses a slow fixture."""
    for item in items:
        if "reference_data" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.reference)
    if misplaced := slow_fixtures_of_pure_tests(items):
        raise pytest.UsageError(
            "These tests are marked pure (the inner loop) but use a slow fixture; "
            "take the mark off or the fixture:\n" + "\n".join(misplaced)
        )


@contextlib.contextmanager
def app_caches_cleared():
    """Streamlit's caches empty before and after: a test's app opens its own store. After,
    a reader's publish watcher is stopped too, before the test's environment is undone:
    left running, it warmed the next test's store into that test's cache folder."""
    import streamlit as st

    from ui.data import stop_watching_publishes

    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        yield
    finally:
        stop_watching_publishes()
        st.cache_data.clear()
        st.cache_resource.clear()


@pytest.fixture
def private_demo_store(demo_db, tmp_path, monkeypatch):
    """A private copy of the demo store that the app opens (CP_DB): a test may write to it,
    or fail while writing, without touching the shared one."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("CP_DB", str(path))
    with app_caches_cleared():
        yield path


@pytest.fixture
def store(tmp_path: Path):
    """A new, empty, migrated store in a temporary folder."""
    con = open_store(tmp_path / "store.duckdb")
    yield con
    con.close()


def load_texts(con, files: dict[str, str | bytes], **options):
    """Load named in-memory files (text or bytes) as one batch."""
    inputs = [
        InputFile(name, data.encode("utf-8") if isinstance(data, str) else data)
        for name, data in files.items()
    ]
    return load_files(con, inputs, **options)


def one_figure(values, indicator_id: str, area: str, year: int):
    """The one row of an indicator table for an indicator, place and year (asserted unique)."""
    rows = values[
        (values["indicator_id"] == indicator_id)
        & (values["area_code"] == area)
        & (values["year"] == year)
    ]
    assert len(rows) == 1, rows
    return rows.iloc[0]


def all_strings(node: object) -> list[str]:
    """Every string inside a nested structure (a figure's JSON: titles, names, labels,
    hover text, annotations), arrays included."""
    found: list[str] = []

    def walk(item: object) -> None:
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list | tuple):
            for value in item:
                walk(value)
        elif hasattr(item, "tolist"):
            walk(item.tolist())

    walk(node)
    return found


def store_contents(con) -> dict[str, list[tuple]]:
    """Every row of the data tables, for before/after comparisons."""
    return {
        table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in (
            "facts",
            "loads",
            "load_files",
            "statistical_neighbours",
            "meta",
            "local_indicators",
            "commentary",
            "extracts",
            *EXTRACT_TABLES.values(),
        )
    }


@pytest.fixture(scope="session")
def reference_data() -> Path:
    """The real DfE/ONS files, or skip: set CP_REFERENCE_DATA to the shared data folder."""
    folder = os.environ.get("CP_REFERENCE_DATA")
    if not folder:
        pytest.skip("CP_REFERENCE_DATA is not set (point it at the shared real-data folder)")
    path = Path(folder)
    if not (path / "dfe").is_dir():
        pytest.skip(f"CP_REFERENCE_DATA={folder} has no dfe/ folder")
    return path


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database built by the project's generator, once per test session."""
    from loaders.demo_database import build_demo_database

    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    build_demo_database(path)
    return path


@pytest.fixture(scope="session")
def real_db(reference_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store file with DfE's 2024 and 2025 releases, outcomes, population and neighbours."""
    from benchmarks.indicators import build_real_store

    path = tmp_path_factory.mktemp("real2425") / "real.duckdb"
    build_real_store(reference_data, path)
    return path


@pytest.fixture(scope="session")
def real_2024_2025(real_db: Path):
    """An open connection to the real-data store (shared by the tests of one session)."""
    con = open_store(real_db)
    yield con
    con.close()


@pytest.fixture(scope="session")
def demo_db_copy(demo_db, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the demo database for other processes (CLI, server) to open.

    DuckDB lets one process hold a file open for writing; the AppTest tests keep
    the original open in this process.
    """
    import shutil

    path = tmp_path_factory.mktemp("demo_copy") / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    return path


# ---------------------------------------------------------------- browser tests


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    return launch_options()


@contextlib.contextmanager
def running_app(database: Path):
    """The app served by `streamlit run` on a free port, on the given store."""
    try:
        with serving(APP, database) as app_server:
            yield app_server.url
    except ServerFailed as failed:
        pytest.fail(str(failed))


@pytest.fixture(scope="session")
def server(demo_db, tmp_path_factory):
    # Its own copy: DuckDB lets one process at a time hold a file open for writing.
    database = tmp_path_factory.mktemp("server") / "demo.duckdb"
    shutil.copyfile(demo_db, database)
    with running_app(database) as url:
        yield url


def wait_idle(page, content: str = 'table.cp-summary, [data-testid="stDataFrame"]') -> None:
    """Wait for content, not for time: a page title, the given element, an idle app."""
    expect(page.locator("h1").first).to_be_visible(timeout=30_000)
    expect(page.locator(content).first).to_be_visible(timeout=30_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)
