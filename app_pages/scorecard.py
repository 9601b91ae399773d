"""Scorecard: every indicator in one table, grouped by theme, with trend sparklines."""

from __future__ import annotations

import streamlit as st

from ui import data, state
from ui.components import page_heading, table_downloads, table_key

selection = state.current()
if page_heading(
    "Scorecard",
    selection,
    "Every indicator on one page: the latest figure, the year before and the direction of "
    "travel, the statistical neighbours' average, the region and England, the council's rank "
    "among all councils (1 = best) and its quartile band (A = best quarter), as in DfE's LAIT.",
):
    assert selection is not None
    card = data.scorecard_rows(selection)
    themes = [t.label for t in selection.grouping.themes if t.indicator_ids]
    chosen = st.multiselect(
        "Show themes", themes, default=themes, help="Choose which groups of indicators to list."
    )
    shown = card[card["Theme"].isin(chosen)].drop(columns=["indicator_id"])
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(38 * (len(shown) + 1) + 3, 1400),
        # Sized for a laptop screen (pinned columns would turn their text grey).
        column_config={
            "Theme": st.column_config.TextColumn("Theme", width=110),
            "Indicator": st.column_config.TextColumn("Indicator", width=190),
            "Year": st.column_config.TextColumn("Year", width=56),
            "Latest": st.column_config.TextColumn("Latest", width=60),
            "Previous": st.column_config.TextColumn("Previous", width=64),
            "Direction": st.column_config.TextColumn("Direction", width=108),
            "Neighbours": st.column_config.TextColumn("Neighbours", width=78),
            "Region": st.column_config.TextColumn("Region", width=56),
            "England": st.column_config.TextColumn("England", width=60),
            "Rank": st.column_config.TextColumn("Rank", width=74),
            "Band": st.column_config.TextColumn("Band", width=44),
            "Trend": st.column_config.LineChartColumn("Trend", width=72),
        },
    )
    # The meanings of the symbol words in the rows shown, from the one table.
    meanings = table_key(shown.drop(columns=["Trend"]))
    st.caption(
        " ".join(
            part
            for part in (
                "Direction: ▲ ▼ ► with words, judged by whether higher or lower is better.",
                meanings,
                "Bands are quarters of all councils: A best, D worst. There is no rank or band "
                "where neither higher nor lower is better (a count of children in care, for "
                "example).",
            )
            if part
        )
    )
    table_downloads(shown.drop(columns=["Trend"]), f"scorecard_{selection.council}", "scorecard")
