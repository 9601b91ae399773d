"""Pages on DfE's real published data (skipped without CP_REFERENCE_DATA).

The published figures a councillor would check the dashboard against: DfE's
2025 release gives Buckinghamshire 10% of children with three or more
placements in the year and 65% in long-term stable placements.
"""

from __future__ import annotations

import json

import pytest
import streamlit as st
from conftest import open_app_page
from html_tables import line_summary
from streamlit.testing.v1 import AppTest

from indicators.catalogue import grouping
from indicators.views import indicators_of
from ui.line_page import panel_key

pytestmark = pytest.mark.reference

BUCKINGHAMSHIRE = "825"


@pytest.fixture
def real_page(real_db, monkeypatch):
    monkeypatch.setenv("CP_DB", str(real_db))
    st.cache_data.clear()
    st.cache_resource.clear()

    def open_page(page: str, council: str = BUCKINGHAMSHIRE) -> AppTest:
        return open_app_page(page, council, timeout=120)

    yield open_page
    st.cache_data.clear()
    st.cache_resource.clear()


def test_stability_page_shows_buckinghamshires_published_2025_figures(real_page):
    at = real_page("stability")
    summary = line_summary(at).set_index("Indicator")
    assert summary.loc["3+ placements in the year", "Year"] == "2025"
    # DfE 2025: 50 of Buckinghamshire's 522 children had three or more placements.
    assert summary.loc["3+ placements in the year", "Latest"] == "50 of 522 (10%)"
    assert summary.loc["Long-term stability", "Year"] == "2025"
    assert summary.loc["Long-term stability", "Latest"] == "90 of 138 (65%)"
    text = "\n".join(m.value for m in at.markdown)
    assert "3+ placements in the year: 10% (50 of 522) in Buckinghamshire in 2025" in text
    assert "Long-term stability: 65% (90 of 138) in Buckinghamshire in 2025" in text
    # A one-point fall is not called a change without saying it may be chance.
    assert "Neither change is larger than chance would explain." in text
    assert not any("Demo data" in w.value for w in at.warning)


def test_at_a_glance_on_real_data_shows_published_count_and_no_placeholder_text(real_page):
    at = real_page("at_a_glance")
    children = at.metric[0]
    assert children.label == "Children in care"
    assert children.value == "522"  # DfE 2025 release, Buckinghamshire, 31 March 2025
    captions = [c.value for c in at.caption]
    assert not any("None" in c for c in captions), captions


def test_a_line_page_opens_on_the_first_indicator_the_council_has_a_figure_for(real_page):
    """The store here holds no council-level placement breakdown (DfE publishes it in a
    file the 2024 release folder does not hold), so the care leavers line's first
    indicator, independent or supported living, has no figure: the trend drawn when the
    page opens is the next indicator's, not none at all."""
    at = real_page("care_leavers")
    items = indicators_of(grouping("lga"), "care_leavers")
    summary = line_summary(at).set_index("Indicator")
    assert items[0].id == "independent_living_pct"
    assert summary.loc[items[0].short_title, "Latest"] == "no data"
    with_figure = [i for i in items if summary.loc[i.short_title, "Latest"] != "no data"]
    assert with_figure and with_figure[0] is not items[0]
    [trend] = at.get("plotly_chart")
    title = json.loads(trend.proto.spec)["layout"]["title"]["text"]
    assert with_figure[0].short_title in title
    assert at.session_state[panel_key(with_figure[0].id, BUCKINGHAMSHIRE)] is True
    assert panel_key(items[0].id, BUCKINGHAMSHIRE) not in at.session_state  # no panel at all
