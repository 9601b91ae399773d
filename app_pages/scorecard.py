"""Scorecard: every indicator in one table, grouped by theme, with trend sparklines.

A panel member scans it for what needs asking about, so it can be cut down to the
concerns and ordered by them; every judgement is carried by a sign and a word as
well as by position (no colour), and every column fits a 1,366-pixel laptop screen.
"""

from __future__ import annotations

import streamlit as st

from ui import data, state
from ui.components import page_heading, scorecard_caption, scorecard_columns, table_downloads
from ui.text import markdown_text

selection = state.current()
if page_heading(
    "Scorecard",
    selection,
    "Every indicator on one page: the latest figure, the year before and the direction of "
    "travel, the average of similar councils (DfE statistical neighbours), the region and "
    "England, the council's rank among all councils (1 = best) and its quartile band "
    "(A = best quarter), as in DfE's LAIT.",
):
    assert selection is not None
    themes = [t.label for t in selection.grouping.themes if t.indicator_ids]
    chosen = st.multiselect(
        "Show themes", themes, default=themes, help="Choose which groups of indicators to list."
    )
    left, right = st.columns([1, 2], vertical_alignment="bottom")
    concerns_only = left.toggle(
        "Concerns only",
        key="scorecard_concerns_only",
        help="Worse than England and either in the worst quarter of councils or beyond the "
        "range chance would explain for the council's size (as At a glance).",
    )
    order = right.selectbox(
        "Order",
        data.SCORECARD_ORDERS,
        key="scorecard_order",
        help="Lines of enquiry keeps the themes' order; the others bring what needs asking "
        "about to the top. Column headings sort too.",
    )
    shown = data.scorecard_view(selection, chosen, concerns_only, order).drop(
        columns=["indicator_id"]
    )

    def rows_table(rows, key: str) -> None:
        st.dataframe(
            rows.drop(columns=["Theme"]),
            hide_index=True,
            width="stretch",
            height=min(35 * (len(rows) + 1) + 3, 1400),
            column_config=scorecard_columns(),
            key=key,
        )

    if shown.empty:
        st.info(
            "No concerns among the themes shown: no indicator is both worse than England and "
            "in the worst quarter or beyond the range chance would explain."
            if concerns_only
            else "Choose at least one theme to list its indicators."
        )
    elif order == data.SCORECARD_ORDERS[0]:
        for number, theme in enumerate(dict.fromkeys(shown["Theme"])):
            st.markdown(f"##### {markdown_text(theme)}")
            rows_table(shown[shown["Theme"] == theme], f"scorecard_table_{number}")
    else:
        rows_table(shown, "scorecard_table")
    st.caption(scorecard_caption(shown))
    table_downloads(shown.drop(columns=["Trend"]), f"scorecard_{selection.council}", "scorecard")
