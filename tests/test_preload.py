"""The chart code's early start (ui/preload.py): on the pages that draw charts, not others."""

from __future__ import annotations

from pathlib import Path

import pytest
import streamlit as st
from conftest import open_app_page

from ui.preload import chart_code_tag, chart_code_url


@pytest.mark.pure
def test_the_chart_code_is_found_in_the_installed_streamlit():
    # A Streamlit that renamed or split its chart module would make the start a silent
    # no-op: this fails instead, so the preload is looked at again on an upgrade.
    url = chart_code_url()
    assert url is not None and url.startswith("./static/js/PlotlyChart.")
    assert (Path(st.__file__).parent / "static" / url.removeprefix("./")).is_file()


@pytest.mark.pure
def test_the_tag_is_a_module_script_of_that_file_and_its_elements_hiding_style():
    tag = chart_code_tag("./static/js/PlotlyChart.abc.js")
    assert '<script type="module" src="./static/js/PlotlyChart.abc.js" data-cp-chart-code>' in tag
    assert "display: none" in tag and tag.startswith("<style>")


@pytest.fixture
def demo_pages(demo_db, monkeypatch):
    monkeypatch.setenv("CP_DB", str(demo_db))
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def _preloads(at) -> int:
    tag = chart_code_tag(chart_code_url())
    return sum(1 for element in at.get("html") if element.proto.body == tag)


@pytest.mark.parametrize(
    ("page", "expected"),
    [("cohort", 1), ("compare", 1), ("at_a_glance", 0), ("scorecard", 0), ("duties", 0)],
)
def test_pages_with_charts_start_the_chart_code_and_the_others_do_not(demo_pages, page, expected):
    at = open_app_page(page, "172")
    assert _preloads(at) == expected
    if expected:
        # In the sidebar, before its controls (its element takes no room).
        assert any(
            element.proto.body == chart_code_tag(chart_code_url())
            for element in at.sidebar.get("html")
        )
