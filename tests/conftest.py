"""Shared fixtures: temporary stores, the real reference data (when available), caches."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from loaders.load import InputFile, load_files
from loaders.store import open_store

PROJECT = Path(__file__).resolve().parent.parent


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


def store_contents(con) -> dict[str, list[tuple]]:
    """Every row of the data tables, for before/after comparisons."""
    return {
        table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
        for table in ("facts", "loads", "load_files", "statistical_neighbours", "meta")
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
def real_2024_2025(reference_data: Path, tmp_path_factory: pytest.TempPathFactory):
    """A store with DfE's 2024 and 2025 releases, outcomes, ONS population and 2025 neighbours."""
    from loaders.load import load_paths

    dfe = reference_data / "dfe"
    con = open_store(tmp_path_factory.mktemp("real2425") / "real.duckdb")
    for batch in (
        dfe / "cla_release_2024",
        dfe / "cla_release_2025",
        dfe / "outcomes_cin_cla",
        reference_data / "ons" / "ons_mid-year_population_estimates_2012_to_2024.csv",
        dfe / "statistical_neighbours" / "statistical_neighbours_2025_long.csv",
    ):
        report = load_paths(con, [batch])
        assert report.status == "committed", [p.describe() for p in report.problems][:5]
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
