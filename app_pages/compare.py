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
    indicator_id = st.selectbox(
        "Indicator",
        ids,
        index=ids.index("cla_rate_per_10k"),
        format_func=lambda i: items[i].title,
        key="compare_indicator",
    )
    item = items[indicator_id]
    names = data.councils().set_index("old_la_code")["la_name"].to_dict()
    default = data.council_and_neighbours(selection)
    chosen = st.multiselect(
        "Councils",
        list(names),
        default=[c for c in default if c in names],
        format_func=lambda c: names[c],
        key=f"compare_councils_{selection.council}",
        help="Your council's statistical neighbours are chosen to start with.",
    )
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
        st.markdown(content.funnel_sentence)
        chart_with_table(
            content.funnel_figure,
            content.funnel_table,
            f"funnel_{stem}_{content.year}",
            "compare_funnel",
        )
