"""Compare: any indicator, any councils, with a funnel plot that allows for size."""

from __future__ import annotations

import streamlit as st

from ui import data, state
from ui.components import chart_with_table, page_heading, slug
from ui.figures import compare_content
from ui.text import markdown_text

selection = state.current()
if page_heading(
    "Compare councils",
    selection,
    "Pick an indicator and the councils to compare. The funnel plot shows whether a "
    "council's difference from England is bigger than chance would explain for its size.",
):
    assert selection is not None
    items = data.indicators_by_id()
    ids = list(items)
    state.initial_compare_indicator("compare_indicator", ids, "cla_rate_per_10k")

    def choose_first_match() -> None:
        """A search that leaves out the indicator shown chooses its first match."""
        matches = data.find_indicators(st.session_state["compare_search"])
        if matches and st.session_state["compare_indicator"] not in matches:
            st.session_state["compare_indicator"] = matches[0]

    query = st.text_input(
        "Find an indicator",
        key="compare_search",
        on_change=choose_first_match,
        placeholder="Type a word: stability, long-term, missing, EET, GCSE…",
        help="Matches titles, short titles, the lines of enquiry and common words for them. "
        "Every word typed must match.",
    )
    found = data.find_indicators(query) if query.strip() else ids
    if not found:
        st.warning(f"No indicator matches ‘{markdown_text(query)}’; every indicator is listed.")
        found = ids
    current = st.session_state["compare_indicator"]
    options = found if current in found else [current, *found]
    indicator_id = st.selectbox(
        "Indicator" if not query.strip() else f"Indicator ({len(found)} found)",
        options,
        format_func=lambda i: (
            items[i].title
            if items[i].short_title.lower() in items[i].title.lower()
            else f"{items[i].title} ({items[i].short_title})"
        ),
        key="compare_indicator",
    )
    item = items[indicator_id]
    names = data.councils().set_index("old_la_code")["la_name"].to_dict()
    default = data.council_and_neighbours(selection)
    councils_key = f"compare_councils_{selection.council}"
    state.initial_compare_councils(councils_key, list(names), [c for c in default if c in names])
    chosen = st.multiselect(
        "Councils",
        list(names),
        format_func=lambda c: names[c],
        key=councils_key,
        help="Your council's similar councils (DfE statistical neighbours) are chosen first.",
    )
    state.keep_compare_in_address(indicator_id, chosen)
    content = compare_content(indicator_id, tuple(chosen), selection)
    if content is None:
        name = markdown_text(selection.council_name)
        st.info(f"No figures for {item.title.lower()} for {name}.")
        st.stop()
    stem = slug(item.short_title)

    st.header("Trend", divider="gray")
    chart_with_table(content.trend_figure, content.trend_table, f"compare_{stem}", "compare_trend")

    st.header(f"Ranking, {content.period}", divider="gray")
    chart_with_table(
        content.ranking_figure,
        content.ranking_table,
        f"ranking_{stem}_{content.year}",
        "compare_rank",
    )

    st.header("Funnel plot: is the difference more than chance?", divider="gray")
    if not item.is_rate_or_share:
        st.info("Funnel plots are drawn for percentages and rates, which have a denominator.")
    elif content.funnel_figure is None:
        st.info("Not enough published figures to draw a funnel plot for this year.")
    else:
        st.markdown(
            "Each dot is one council, placed by the number of children its figure is out of "
            f"(across) and the figure (up), with {markdown_text(selection.council_name)} the "
            "large blue circle and its similar councils orange squares; a council "
            "outside the curved lines differs from England by more than chance would explain "
            "for its size."
        )
        st.markdown(content.funnel_sentence)
        chart_with_table(
            content.funnel_figure,
            content.funnel_table,
            f"funnel_{stem}_{content.year}",
            "compare_funnel",
        )
