"""Compare: any indicator, any councils, with a funnel plot that allows for size."""

from __future__ import annotations

import streamlit as st

from indicators import views
from indicators.catalogue import catalogue
from indicators.formatting import period_label
from ui import data, state
from ui.components import chart_with_table, page_heading, slug

selection = state.current()
if page_heading(
    "Compare councils",
    selection,
    "Pick an indicator and the councils to compare. The funnel plot shows whether a "
    "council's difference from England is bigger than chance would explain for its size.",
):
    assert selection is not None
    from charts import funnel_chart, multi_trend_chart, ranking_chart

    items = {item.id: item for item in catalogue()}
    ids = list(items)
    indicator_id = st.selectbox(
        "Indicator",
        ids,
        index=ids.index("cla_rate_per_10k"),
        format_func=lambda i: items[i].title,
        key="compare_indicator",
    )
    item = items[indicator_id]
    table = data.comparisons(selection.sn_model, selection.sn_method)
    names = data.councils().set_index("old_la_code")["la_name"].to_dict()
    default = views.council_and_neighbours(data.neighbours(), selection.council, selection.sn_model)
    chosen = st.multiselect(
        "Councils",
        list(names),
        default=[c for c in default if c in names],
        format_func=lambda c: names[c],
        key=f"compare_councils_{selection.council}",
        help="Your council's statistical neighbours are chosen to start with.",
    )
    year = views.latest_year(table, indicator_id, selection.council, selection.year)
    if year is None:
        st.info(f"No figures for {item.title.lower()} for {selection.council_name}.")
        st.stop()
    rows = views.compare_rows(table, indicator_id, chosen)

    st.header("Trend", divider="gray")
    fig = multi_trend_chart(
        rows,
        council_code=selection.council,
        title=f"{item.short_title}: chosen councils",
        unit=item.unit,
        decimals=item.decimals,
    )
    chart_with_table(
        fig,
        views.compare_trend_table(rows, item),
        f"compare_{slug(item.short_title)}",
        "compare_trend",
    )

    label = period_label(str(year))
    st.header(f"Ranking, {label}", divider="gray")
    ranked = rows[rows["year"] == year]
    england = ranked["england_value"].dropna()
    fig = ranking_chart(
        ranked[["area_code", "area_name", "value", "symbol"]],
        council_code=selection.council,
        title=f"{item.short_title}, {label}",
        unit=item.unit,
        decimals=item.decimals,
        polarity=item.polarity,
        england=float(england.iloc[0]) if len(england) else None,
        neighbour_average=None,
    )
    chart_with_table(
        fig,
        views.ranking_table(ranked, item),
        f"ranking_{slug(item.short_title)}_{year}",
        "compare_rank",
    )

    st.header("Funnel plot: is the difference more than chance?", divider="gray")
    points = views.funnel_points(table, indicator_id, year) if item.is_rate_or_share else None
    england_value = views.england_value(table, indicator_id, year)
    if points is None:
        st.info("Funnel plots are drawn for percentages and rates, which have a denominator.")
    elif points.empty or england_value is None:
        st.info("Not enough published figures to draw a funnel plot for this year.")
    else:
        fig = funnel_chart(
            points,
            council_code=selection.council,
            title=f"{item.short_title}, {label}: every council by size",
            unit=item.unit,
            england=england_value,
            decimals=item.decimals,
        )
        st.markdown(views.funnel_sentence(points, selection.council, selection.council_name))
        chart_with_table(
            fig,
            views.funnel_table(points, item),
            f"funnel_{slug(item.short_title)}_{year}",
            "compare_funnel",
        )
