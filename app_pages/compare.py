"""Compare: any indicator, any councils, with a funnel plot that allows for size.

Three charts: the chosen councils over time, their ranking in the year, and the
funnel plot of every council. They are three tabs, and only the chosen tab's chart
is run and sent (``st.tabs(on_change="rerun")``): drawing all three on every visit
cost Chromium about 0.25 s a chart, and the page took 2.2-2.3x a one-chart page on
a reload. What the funnel plot says (is the council's difference from England more
than chance?) is a sentence above the tabs, in view whichever chart is shown.
"""

from __future__ import annotations

import streamlit as st

from ui import data, state
from ui.components import chart_with_table, page_heading, slug
from ui.figures import compare_content
from ui.text import markdown_text

# Labels that stay the same whatever the year or indicator: the chosen tab is kept by label.
OVER_TIME_TAB = "Over time"
RANKING_TAB = "Ranking in the year"
FUNNEL_TAB = "Funnel plot: is the difference more than chance?"
TABS_KEY = "compare_chart"

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
    funnel_drawn = item.is_rate_or_share and content.funnel_figure is not None
    if funnel_drawn:  # what the funnel says, in view whichever chart is chosen
        st.markdown(content.funnel_sentence)

    over_time, ranking, funnel = st.tabs(
        [OVER_TIME_TAB, RANKING_TAB, FUNNEL_TAB],
        key=TABS_KEY,
        on_change="rerun",
    )
    if over_time.open:
        with over_time:
            chart_with_table(
                content.trend_figure,
                content.trend_table,
                f"compare_{stem}",
                "compare_trend",
                content.trend_download,
            )
    if ranking.open:
        with ranking:
            chart_with_table(
                content.ranking_figure,
                content.ranking_table,
                f"ranking_{stem}_{content.year}",
                "compare_rank",
                content.ranking_download,
            )
    if funnel.open:
        with funnel:
            if not item.is_rate_or_share:
                st.info(
                    "Funnel plots are drawn for percentages and rates, which have a denominator."
                )
            elif content.funnel_figure is None:
                st.info("Not enough published figures to draw a funnel plot for this year.")
            else:
                st.markdown(
                    "Each dot is one council, placed by the number of children its figure is "
                    "out of (across) and the figure (up), with "
                    f"{markdown_text(selection.council_name)} the large blue circle and its "
                    "similar councils orange squares; a council outside the curved lines "
                    "differs from England by more than chance would explain for its size."
                )
                chart_with_table(
                    content.funnel_figure,
                    content.funnel_table,
                    f"funnel_{stem}_{content.year}",
                    "compare_funnel",
                )
