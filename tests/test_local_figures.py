"""The council's own quarterly figures: small counts protected, then shown on the line pages."""

from __future__ import annotations

import json
import math
import shutil
from datetime import date

import pytest
import streamlit as st
from conftest import PROJECT, load_texts
from fixtures import quarterly as q
from html_tables import tables_on_page
from streamlit.testing.v1 import AppTest

from exports.tables import to_csv_bytes
from indicators import local
from loaders.store import open_store

# An indicator's cases are in different quarters, and no two indicators here are linked,
# so each figure is protected on its own.
SMALL_FIGURES = [
    # (indicator, quarter, value, numerator, denominator, hidden)
    ("care_leavers_19_21_eet_pct", "Q1", "97", "97", "100", True),  # 3 are not in EET
    ("care_leavers_19_21_eet_pct", "Q2", "94", "94", "100", False),
    ("missing_pct", "Q1", "2", "", "200", True),  # 2 % of 200 gives back 4 children
    ("missing_pct", "Q2", "3", "", "200", False),  # 6 children
    ("short_breaks_count", "Q1", "0", "", "", False),  # none is not a child to identify
    ("short_breaks_count", "Q2", "5", "", "", True),  # DfE suppresses 1 to 5
    ("short_breaks_count", "Q3", "6", "", "", False),
    ("members_trained_pct", "Q1", "96", "48", "50", True),  # a local indicator: 2 are not
    ("members_trained_pct", "Q2", "4", "", "50", True),  # 2 of 50
    ("members_trained_pct", "Q3", "12", "", "50", False),  # 6 of 50
]


@pytest.fixture(scope="module")
def small_figures(demo_db, tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "store.duckdb"
    shutil.copyfile(demo_db, path)
    con = open_store(path)
    rows = [
        q.row(indicator, value, quarter=quarter, numerator=numerator, denominator=denominator)
        for indicator, quarter, value, numerator, denominator, _ in SMALL_FIGURES
    ]
    report = load_texts(
        con,
        {"local.csv": q.local_definitions(), "values.csv": q.quarterly_return(*rows)},
        today=date(2026, 1, 1),
    )
    assert report.status == "committed", [p.describe() for p in report.problems]
    figures = local.quarterly_figures(con, "172")
    con.close()
    return figures.set_index(["indicator_id", "quarter"])


@pytest.mark.parametrize(
    ("indicator", "quarter", "value", "is_hidden"),
    [(i, quarter, float(v), h) for i, quarter, v, _, _, h in SMALL_FIGURES],
)
def test_the_returns_small_numbers_and_shares_that_give_them_back_are_suppressed(
    small_figures, indicator, quarter, value, is_hidden
):
    figure = small_figures.loc[(indicator, quarter)]
    assert (figure["symbol"] == "c") is is_hidden
    if is_hidden:
        assert math.isnan(figure["value"])
    else:
        assert figure["value"] == value
    assert not {"numerator", "denominator"} & set(small_figures.columns)  # never passed on


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
    table = tables_on_page(at)[0].set_index("Indicator")
    assert table.loc["Councillors trained", "2025-26 Q1"] == "64%"
    assert table.loc["Councillors trained", "2025-26 Q2"] == "70%"
    assert len(at.get("plotly_chart")) == 1


def test_a_protected_count_never_appears_on_the_page_or_in_its_downloads(store_with_returns):
    at = open_line_page("cohort")
    own = tables_on_page(at)[0].set_index("Indicator")
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


def test_a_lines_own_figures_follow_the_lines_order():
    """The quarterly table and the 'Chart of' box list a line's indicators as its page
    does (line 1 opens on children in care, not on whichever id sorts first)."""
    import pandas as pd

    from indicators.catalogue import grouping
    from indicators.local import for_line

    order = grouping().theme("cohort").indicator_ids
    assert len(order) >= 2
    figures = pd.DataFrame(
        {
            "indicator_id": ["own_measure", order[1], order[0], order[1]],
            "lines": [("cohort",)] * 4,
            "value": [1.0, 2.0, 3.0, 4.0],
        }
    )
    listed = for_line(figures, "cohort")
    assert list(listed["indicator_id"]) == [order[0], order[1], order[1], "own_measure"]
    assert list(listed["value"]) == [3.0, 2.0, 4.0, 1.0]  # each indicator's rows as they came
