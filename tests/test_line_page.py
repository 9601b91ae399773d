"""A line-of-enquiry page draws one chart per indicator; the other chart and the table
behind it are one click away, and they show the council's own figures.

The page used to send both charts and a folded table for every indicator (up to 18
charts); the browser drew them all. Now the page opens with every indicator's
headline and questions, and the first indicator's panel open with its trend drawn;
each other indicator's panel ("chart, table and definition") is drawn when opened,
with its trend, the control that swaps it for its ranking among similar councils,
a switch that shows the table with its downloads, the definition and the "Add to
meeting pack" button. These tests check that nothing was lost: what the reader
reaches is the right chart, for the right council, agreeing with its table and with
the store's list of similar councils, and every indicator's headline and questions
are on the page before any panel is opened.
"""

from __future__ import annotations

import json
import re

import pytest
import streamlit as st
from conftest import open_app_page, open_every_chart_panel
from html_tables import line_summary

from indicators.catalogue import grouping
from indicators.views import indicators_of
from loaders.store import open_store
from ui.components import TABLE_SWITCH
from ui.line_page import (
    AMONG_SIMILAR,
    CHART_PANEL,
    CHART_VIEWS,
    IN_PACK,
    OVER_TIME,
    panel_key,
)
from ui.text import markdown_text

COUNCIL, NAME = "172", "Wyrebrook"
INDICATOR = "placements_3plus_pct"
VIEW = f"{INDICATOR}_{COUNCIL}_view"


@pytest.fixture
def stability(demo_db, monkeypatch):
    """The stability page for Wyrebrook on the demo store."""
    monkeypatch.setenv("CP_DB", str(demo_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield open_app_page("stability", COUNCIL)
    st.cache_data.clear()
    st.cache_resource.clear()


def _specs(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def _percent(cell: str) -> float:
    """'39 of 577 (7%)' or '14%' -> 7.0 or 14.0."""
    return float(re.findall(r"([\d.]+)%", cell)[-1])


def test_the_page_opens_with_one_trend_and_every_other_chart_in_its_folded_panel(stability):
    at = stability
    stability_items = indicators_of(grouping("lga"), "stability")
    # One panel per indicator, named by it (a screen reader hears which chart it opens).
    panels = [e.label for e in at.expander if e.label.endswith(CHART_PANEL)]
    assert panels == [f"{markdown_text(i.short_title)}: {CHART_PANEL}" for i in stability_items]
    # The chart on screen when the page opens is drawn; the folded panels send nothing:
    # no chart control, switch or button.
    [control] = at.segmented_control
    assert (control.key, control.options, control.value) == (VIEW, list(CHART_VIEWS), OVER_TIME)
    [trend] = _specs(at)
    assert trend["data"][0]["type"] == "scatter"  # a trend (lines)
    assert stability_items[0].short_title in trend["layout"]["title"]["text"]
    pack_buttons = [b.key for b in at.button if b.key and b.key.startswith("pack_add_")]
    assert pack_buttons == [f"pack_add_{INDICATOR}"]
    # The tables wait for the reader: no table behind a chart is sent until asked for.
    tables = [t for t in at.toggle if t.key.endswith("_table")]
    assert [t.key for t in tables] == [f"{INDICATOR}_{COUNCIL}_trend_table"]
    assert [t.label for t in tables] == [TABLE_SWITCH]
    assert not any(t.value for t in at.toggle)  # tables and commentary forms start off
    assert not at.text_area
    assert not at.get("download_button")
    assert not at.dataframe  # the line's summary is a plain table (st.html), no data grid
    summary = line_summary(at)
    assert list(summary["Indicator"]) == [i.short_title for i in stability_items]
    # What the shortened columns mean is in words under the table, not only in tooltips.
    captions = " ".join(c.value for c in at.caption)
    assert "Similar councils are " in captions and "Rank: " in captions and "Band: " in captions
    assert summary.attrs["caption"].startswith(f"{NAME}: ")
    # Each sparkline says its figures in words (oldest first), ending with the latest.
    latest = summary["Latest"].iloc[0].split("(")[-1].rstrip(")")
    assert (
        summary["Trend"].iloc[0].startswith(f"{stability_items[0].short_title}, oldest to latest: ")
    )
    assert summary["Trend"].iloc[0].endswith(latest)

    # Every indicator's trend is one click away (its panel), for the right indicator,
    # with its control and its table's switch.
    at = open_every_chart_panel(at, "stability", COUNCIL)
    specs = _specs(at)
    assert len(specs) == len(stability_items)  # one chart each, not two
    assert [c.key for c in at.segmented_control] == [
        f"{i.id}_{COUNCIL}_view" for i in stability_items
    ]
    assert all(c.value == OVER_TIME for c in at.segmented_control)
    assert all(spec["data"][0]["type"] == "scatter" for spec in specs)
    for item, spec in zip(stability_items, specs, strict=True):
        assert item.short_title in spec["layout"]["title"]["text"]
    tables = [t for t in at.toggle if t.key.endswith("_table")]
    assert [t.label for t in tables] == [TABLE_SWITCH] * len(stability_items)


def test_a_panel_folded_by_the_reader_draws_nothing(stability):
    at = stability
    at.session_state[panel_key(INDICATOR, COUNCIL)] = False
    at.run()
    assert not at.get("plotly_chart") and not at.segmented_control and not at.toggle
    # ... while every headline and question stays.
    text = "\n".join(m.value for m in at.markdown)
    items = indicators_of(grouping("lga"), "stability")
    assert text.count("**Questions to ask officers**") == len(items)


def _section(at, short_title: str) -> list[str]:
    """An indicator's heading, headline and questions (one Markdown element), by paragraph."""
    heading = f"## {markdown_text(short_title)}\n\n"
    [section] = [m.value for m in at.markdown if m.value.startswith(heading)]
    return section.split("\n\n")


def test_every_headline_is_on_the_page_before_any_chart_is_chosen(stability):
    at = stability
    at.session_state[panel_key(INDICATOR, COUNCIL)] = False  # no panel open, no chart
    at.run()
    assert not at.get("plotly_chart")
    items = indicators_of(grouping("lga"), "stability")
    for item in items:
        # A heading, then the sentence: its figure in bold, for the council; then the
        # questions.
        heading, headline, questions, *listed = _section(at, item.short_title)
        assert heading == f"## {markdown_text(item.short_title)}"
        assert headline.startswith(f"**{markdown_text(item.short_title)}:")
        assert NAME in headline
        assert questions == "**Questions to ask officers**"
        assert listed == ["\n".join(f"- {markdown_text(q)}" for q in item.questions)]


def test_the_ranking_chart_is_one_click_away_and_ranks_the_councils_similar_councils(
    stability, demo_db
):
    at = stability
    at.segmented_control(key=VIEW).set_value(AMONG_SIMILAR).run()
    [ranking] = _specs(at)  # still one chart: the ranking replaced the trend
    assert "similar councils" in ranking["layout"]["title"]["text"]
    bars = {
        re.sub(r"<[^>]+>", "", name).replace(" (your council)", ""): value
        for trace in ranking["data"]
        if trace["type"] == "bar"
        for name, value in zip(trace["y"], trace["x"], strict=True)
    }
    con = open_store(demo_db)  # as the app opens it: one configuration per file
    try:
        neighbours = {
            name
            for (name,) in con.execute(
                "SELECT neighbour_la_name FROM current_neighbours "
                "WHERE old_la_code = ? AND model = (SELECT max(model) FROM current_neighbours)",
                [COUNCIL],
            ).fetchall()
        }
    finally:
        con.close()
    assert set(bars) == neighbours | {NAME}
    # The switch is per indicator: the other panels are still folded, nothing drawn.
    assert [c.key for c in at.segmented_control] == [VIEW]

    # Its table, on request, holds the same councils and the same figures as the bars.
    at.toggle(key=f"{INDICATOR}_{COUNCIL}_rank_table").set_value(True).run()
    table = at.dataframe[0].value
    assert dict(zip(table["Council"], table["Figure"].map(_percent), strict=True)) == bars
    labels = [str(b.proto.label) for b in at.get("download_button")]
    assert labels[:2] == ["Download CSV", "Download Excel"]


def test_the_trend_table_is_one_switch_away_and_matches_the_chart(stability):
    at = stability
    at.toggle(key=f"{INDICATOR}_{COUNCIL}_trend_table").set_value(True).run()
    table = at.dataframe[0].value
    trend = _specs(at)[0]
    council = next(t for t in trend["data"] if str(t.get("name", "")).startswith(NAME))
    assert list(table["Year"]) == list(council["x"])
    assert [_percent(cell) for cell in table[NAME]] == council["y"]
    # The headline above the chart gives the latest of those figures.
    headline = _section(at, indicators_of(grouping("lga"), "stability")[0].short_title)[1]
    assert headline.startswith("**3+ placements")
    assert f"({table[NAME].iloc[-1].split(' (')[0]})" in headline
    labels = [str(b.proto.label) for b in at.get("download_button")]
    assert labels[:2] == ["Download CSV", "Download Excel"]


def test_questions_in_view_and_definition_and_add_to_pack_in_every_panel(stability):
    at = stability
    items = indicators_of(grouping("lga"), "stability")
    text = "\n".join(m.value for m in at.markdown)
    assert text.count("**Questions to ask officers**") == len(items)
    assert all(markdown_text(q) in text for item in items for q in item.questions)
    at = open_every_chart_panel(at, "stability", COUNCIL)
    text = "\n".join(m.value for m in at.markdown)
    assert all(f"**Definition.** {item.definition}" in text for item in items)
    assert all(f"**Source.** {item.source_note}" in text for item in items)
    assert {b.key for b in at.button if b.key and b.key.startswith("pack_add_")} == {
        f"pack_add_{item.id}" for item in items
    }


def test_an_indicator_added_to_the_pack_says_so_under_its_questions(stability):
    at = stability
    at.button(key=f"pack_add_{INDICATOR}").click().run()
    assert list(at.session_state["pack_indicators"]) == [INDICATOR]
    assert [c.value for c in at.caption].count(IN_PACK) == 1
    assert not [b for b in at.button if b.key == f"pack_add_{INDICATOR}"]
    # Said with its panel folded too.
    at.session_state[panel_key(INDICATOR, COUNCIL)] = False
    at.run()
    assert [c.value for c in at.caption].count(IN_PACK) == 1


def test_the_chart_on_arrival_is_the_first_indicators_the_council_has_a_figure_for(
    demo_db, tmp_path, monkeypatch
):
    """A store without the council's figure for its line's first indicator (here the care
    leavers line's first, independent or supported living, taken out of a copy of the
    demo store): the page opens with the next indicator's trend drawn, not with none."""
    import shutil

    items = indicators_of(grouping("lga"), "care_leavers")
    first, second = items[0], items[1]
    assert first.id == "independent_living_pct"
    store = tmp_path / "without.duckdb"
    shutil.copyfile(demo_db, store)
    con = open_store(store)
    try:
        con.execute(
            "DELETE FROM facts WHERE area_code = ? AND breakdown LIKE '5. Total independent%'",
            [COUNCIL],
        )
    finally:
        con.close()
    monkeypatch.setenv("CP_DB", str(store))
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        at = open_app_page("care_leavers", COUNCIL)
        assert line_summary(at).set_index("Indicator").loc[first.short_title, "Latest"] == (
            "no data"
        )
        [trend] = _specs(at)
        assert second.short_title in trend["layout"]["title"]["text"]
        assert at.session_state[panel_key(second.id, COUNCIL)] is True
        assert panel_key(first.id, COUNCIL) not in at.session_state  # no figure, no panel
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()
