"""One DuckDB connection per process, a cursor per use, and reads cached by data version."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

from indicators import at_a_glance, facts
from loaders.store import data_version, open_store

DEFAULT_DB = Path(__file__).resolve().parent.parent / "data" / "demo.duckdb"


def database_path() -> Path:
    """The store the app serves: ``CP_DB`` if set, else the demo database."""
    return Path(os.environ.get("CP_DB", str(DEFAULT_DB)))


@st.cache_resource(show_spinner=False)
def _connection(path: str) -> duckdb.DuckDBPyConnection:
    return open_store(path)


def cursor() -> duckdb.DuckDBPyConnection:
    """A fresh cursor on the process's single connection (safe across sessions)."""
    return _connection(str(database_path())).cursor()


def current_version() -> int:
    return data_version(cursor())


@st.cache_data(show_spinner=False)
def _councils(version: int, path: str) -> pd.DataFrame:
    return facts.councils(cursor())


def councils() -> pd.DataFrame:
    return _councils(current_version(), str(database_path()))


@st.cache_data(show_spinner=False)
def _is_demo(version: int, path: str) -> bool:
    return facts.is_demo(cursor())


def is_demo() -> bool:
    return _is_demo(current_version(), str(database_path()))


@st.cache_data(show_spinner=False)
def _at_a_glance(version: int, path: str, area_code: str) -> tuple[pd.DataFrame, list[int]]:
    return at_a_glance.at_a_glance_table(cursor(), area_code)


def at_a_glance_table(area_code: str) -> tuple[pd.DataFrame, list[int]]:
    return _at_a_glance(current_version(), str(database_path()), area_code)


@st.cache_data(show_spinner=False)
def _tiles(version: int, path: str, area_code: str) -> list[dict[str, object]]:
    return at_a_glance.headline_tiles(cursor(), area_code)


def headline_tiles(area_code: str) -> list[dict[str, object]]:
    return _tiles(current_version(), str(database_path()), area_code)
