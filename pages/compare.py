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
    from charts import funnel_chart, ranking_chart

    items = {item.id: item for item in catalogue()}
    indicator_id = st.selectbox(
        "Indicator", list(items), format_func=lambda i: items[i].title, key="compare_indicator"
    )
    item = items[indicator_id]
    table = data.comparisons(selection.sn_model, selection.sn_method)
    names = data.councils().set_index("old_la_code")["la_name"].to_dict()
    lists = data.neighbours()
    own = lists[
        (lists["old_la_code"] == selection.council)
        & (lists["model"].astype(str) == str(selection.sn_model))
    ]
    default = [selection.council, *own["neighbour_old_la_code"].tolist()]
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
    rows = table[(table["indicator_id"] == indicator_id) & (table["area_code"].isin(chosen))]
    st.header("Trend", divider="gray")
    pivot = rows.pivot_table(index="time_period", columns="area_name", values="value")
    trend_table = pivot.reset_index().rename(columns={"time_period": "Year"})
    trend_table["Year"] = trend_table["Year"].map(period_label)
    import plotly.express as px

    long = rows.assign(Year=rows["time_period"].map(period_label)).sort_values("year")
    fig = px.line(
        long,
        x="Year",
        y="value",
        color="area_name",
        markers=True,
        symbol="area_name",
        labels={"value": item.short_title, "area_name": "Council"},
        title=f"{item.short_title}: chosen councils",
    )
    chart_with_table(fig, trend_table, f"compare_{slug(item.short_title)}", "compare_trend")

    st.header(f"Ranking, {period_label(str(year))}", divider="gray")
    ranked = table[
        (table["indicator_id"] == indicator_id)
        & (table["year"] == year)
        & (table["area_code"].isin(chosen))
    ]
    england = ranked["england_value"].dropna()
    fig = ranking_chart(
        ranked[["area_code", "area_name", "value", "symbol"]],
        council_code=selection.council,
        title=f"{item.short_title}, {year}",
        unit=item.unit,
        decimals=item.decimals,
        polarity=item.polarity,
        england=float(england.iloc[0]) if len(england) else None,
        neighbour_average=None,
    )
    shown = ranked.assign(
        Figure=[
            views.show(item, v, s) for v, s in zip(ranked["value"], ranked["symbol"], strict=True)
        ]
    )
    chart_with_table(
        fig,
        shown[["area_name", "Figure", "rank", "rank_of", "quartile_band"]].rename(
            columns={
                "area_name": "Council",
                "rank": "Rank",
                "rank_of": "of",
                "quartile_band": "Band",
            }
        ),
        f"ranking_{slug(item.short_title)}_{year}",
        "compare_rank",
    )

    st.header("Funnel plot: is the difference more than chance?", divider="gray")
    if not item.is_rate_or_share:
        st.info("Funnel plots are drawn for percentages and rates, which have a denominator.")
    else:
        points = views.funnel_points(table, indicator_id, year)
        england_all = table[(table["indicator_id"] == indicator_id) & (table["year"] == year)][
            "england_value"
        ].dropna()
        if points.empty or england_all.empty:
            st.info("Not enough published figures to draw a funnel plot for this year.")
        else:
            fig = funnel_chart(
                points,
                council_code=selection.council,
                title=f"{item.short_title}, {year}: every council by size",
                unit=item.unit,
                england=float(england_all.iloc[0]),
                decimals=item.decimals,
            )
            own_flag = points.loc[points["area_code"] == selection.council, "funnel_flag"]
            if len(own_flag):
                flag = own_flag.iloc[0] or "within"
                st.markdown(
                    f"**{selection.council_name} is {flag} the limits around England.** "
                    "Councils inside the funnel differ from England by no more than chance "
                    "would explain for their size; outside the 99.8% limits, the difference is "
                    "very unlikely to be chance."
                )
            chart_with_table(
                fig,
                points.rename(
                    columns={
                        "area_name": "Council",
                        "value": "Figure",
                        "denominator": "Denominator",
                        "funnel_flag": "Against the limits",
                    }
                ).drop(columns=["area_code"]),
                f"funnel_{slug(item.short_title)}_{year}",
                "compare_funnel",
            )
