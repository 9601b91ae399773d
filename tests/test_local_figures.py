"""The council's own quarterly figures: small counts protected, then shown on the line pages."""

from __future__ import annotations

import json
import math
import shutil
from datetime import date

import pandas as pd
import pytest
import streamlit as st
from conftest import PROJECT, load_texts
from fixtures import quarterly as q
from streamlit.testing.v1 import AppTest

from exports.tables import to_csv_bytes
from indicators import local
from loaders.store import open_store


def figures(unit: str, value: float, numerator: float = math.nan) -> pd.DataFrame:
    return pd.DataFrame(
        {"unit": [unit], "value": [value], "numerator": [numerator], "symbol": [None]}
    )


@pytest.mark.parametrize(
    ("unit", "value", "numerator", "hidden"),
    [
        ("count", 4, math.nan, True),
        ("count", 1, math.nan, True),
        ("count", 5, math.nan, False),
        ("count", 0, math.nan, False),  # none is not a child who could be identified
        ("percent", 60, 3, True),
        ("percent", 60, 5, False),
        ("rate per 10,000", 4, math.nan, False),
    ],
)
def test_small_counts_and_shares_built_on_them_are_suppressed(unit, value, numerator, hidden):
    protected = local.protect_small_counts(figures(unit, value, numerator)).iloc[0]
    assert (protected["symbol"] == "c") is hidden
    assert math.isnan(protected["value"]) is hidden
    assert math.isnan(protected["numerator"])  # never passed on


@pytest.fixture
def store_with_returns(demo_db, tmp_path, monkeypatch):
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_db, path)
    con = open_store(path)
    values = q.quarterly_return(
        q.row("members_trained_pct", "64", numerator="32", denominator="50"),
        q.row("members_trained_pct", "70", quarter="Q2", numerator="35", denominator="50"),
        q.row("cla_count", "3", quarter="Q2"),
        q.row("cla_count", "590"),
    )
    report = load_texts(
        con, {"local.csv": q.local_definitions(), "values.csv": values}, today=date(2026, 1, 1)
    )
    assert report.status == "committed"
    con.close()
    monkeypatch.setenv("CP_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield path
    st.cache_data.clear()
    st.cache_resource.clear()


def open_line_page(page: str) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
    at.session_state["council"] = "172"
    at.run()
    at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    return at


def test_duties_page_shows_the_local_indicator_by_quarter(store_with_returns):
    at = open_line_page("duties")
    assert any(h.value == "The council's own quarterly figures" for h in at.header)
    table = at.dataframe[0].value.set_index("Indicator")
    assert table.loc["Councillors trained", "2025-26 Q1"] == "64%"
    assert table.loc["Councillors trained", "2025-26 Q2"] == "70%"
    assert len(at.get("plotly_chart")) == 1


def test_a_protected_count_never_appears_on_the_page_or_in_its_downloads(store_with_returns):
    at = open_line_page("cohort")
    own = at.dataframe[0].value.set_index("Indicator")
    assert own.loc["Children in care", "2025-26 Q2"] == "suppressed"
    assert own.loc["Children in care", "2025-26 Q1"] == "590"
    # The chart's data (what its table and CSV download come from) has a gap, not 3.
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    council_line = next(t for t in spec["data"] if str(t.get("name", "")).startswith("Wyrebrook"))
    assert list(council_line["y"]) == [590.0, None]
    assert "3" not in set(own.loc["Children in care"])
    st.cache_resource.clear()  # the app's connection lets go of the file
    con = open_store(store_with_returns)
    figures = local.quarterly_figures(con, "172")
    con.close()
    table = local.quarter_table(figures[figures["indicator_id"] == "cla_count"])
    assert ",3" not in to_csv_bytes(table).decode("utf-8-sig")
