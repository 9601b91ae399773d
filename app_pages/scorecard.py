"""Scorecard: every indicator in one table, grouped by theme, with trend sparklines.

A panel member scans it for what needs asking about, so it can be cut down to the
concerns and ordered by them; every judgement is carried by a sign and a word as
well as by position (no colour), and every column fits a 1,366-pixel laptop screen.
The tables are plain HTML, as each line page's summary (ui/html_table.py says why):
read, not sorted; the order box brings what needs asking about to the top.
"""

from __future__ import annotations

import streamlit as st

from ui import data, state
from ui.components import page_heading, scorecard_caption, scorecard_tables, table_downloads
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
        "about to the top.",
    )
    shown = data.scorecard_view(selection, chosen, concerns_only, order)
    about = (
        "each indicator's latest figure against similar councils, the region and England, "
        "with its rank, band and trend"
    )

    if shown.empty:
        st.info(
            "No concerns among the themes shown: no indicator is both worse than England and "
            "in the worst quarter or beyond the range chance would explain."
            if concerns_only
            else "Choose at least one theme to list its indicators."
        )
    for theme, table in scorecard_tables(selection, chosen, concerns_only, order, about):
        if theme is not None:
            st.markdown(f"##### {markdown_text(theme)}")
        st.html(table)
    listed = shown.drop(columns=["indicator_id"])
    st.caption(scorecard_caption(listed))
    table_downloads(
        data.scorecard_download(selection, chosen, concerns_only, order),
        f"scorecard_{selection.council}",
        "scorecard",
    )
