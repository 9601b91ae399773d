"""The figures and tables a page draws, built once per set of figures and view.

A figure costs a few milliseconds to build (Plotly validates it once) and a
line-of-enquiry page shows one chart per indicator, so each chart is built when
it is first shown, not before: the ranking among similar councils is built when
a reader chooses it. Each is kept as a shared object (`st.cache_resource`: no
copy on each read; nothing changes a figure or table after it is built). The
key starts with a hash of what the view's comparisons and neighbour lists hold
(`data.view_key`), so a committed load that changes a figure is seen at once, one
that changes none keeps every chart built; old entries age out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from domain.wording import NEIGHBOURS_SHORT, OTHER_CHOSEN_COUNCILS
from indicators import downloads, views
from indicators.catalogue import indicator
from indicators.formatting import period_label
from ui import data
from ui.data import CACHE_KEYS
from ui.state import Selection
from ui.text import markdown_text

MAX_ENTRIES = 2000


TREND = "trend"
RANKING = "ranking"


@dataclass(frozen=True)
class Chart:
    """A chart, the table behind it, and what makes that table as numbers (its downloads,
    made on the click from the chart's own rows: no store is read then)."""

    figure: go.Figure
    table: pd.DataFrame
    download: Callable[[], pd.DataFrame]


@dataclass(frozen=True)
class CompareContent:
    """The Compare page for one indicator and set of councils."""

    year: int
    period: str
    trend_figure: go.Figure
    trend_table: pd.DataFrame
    trend_download: Callable[[], pd.DataFrame]
    ranking_figure: go.Figure
    ranking_table: pd.DataFrame
    ranking_download: Callable[[], pd.DataFrame]
    funnel_figure: go.Figure | None
    funnel_table: pd.DataFrame | None
    funnel_sentence: str


def indicator_chart(indicator_id: str, selection: Selection, chart: str) -> Chart | None:
    """An indicator's trend (`TREND`) or its ranking among similar councils (`RANKING`)
    for the council, with its table; None when the council has no figure for it."""
    if chart not in (TREND, RANKING):
        raise ValueError(f"chart must be {TREND!r} or {RANKING!r}, not {chart!r}")
    return _indicator_chart(data.view_key(selection), indicator_id, selection, chart)


def compare_content(
    indicator_id: str, councils: tuple[str, ...], selection: Selection
) -> CompareContent | None:
    return _compare_content(data.view_key(selection), indicator_id, councils, selection)


@st.cache_resource(show_spinner=False, max_entries=MAX_ENTRIES, hash_funcs=CACHE_KEYS)
def _indicator_chart(
    view: str, indicator_id: str, selection: Selection, chart: str
) -> Chart | None:
    from charts import measure_title, ranking_chart, trend_chart

    item = indicator(indicator_id)
    figures = data.council_figures(selection)
    year = figures.latest_year(item.id, selection.year)
    row = figures.row(item.id, year)
    if row is None:
        return None
    if chart == TREND:
        history = views.trend(figures.rows, item.id, selection.council)
        return Chart(
            trend_chart(
                history,
                title=measure_title(item.short_title, item.unit, history["period_label"]),
                unit=item.unit,
                decimals=item.decimals,
                council_name=selection.council_name,
                polarity=item.polarity,
            ),
            views.trend_table(history, item, selection.council_name),
            partial(downloads.trend_download, history, item, selection.council_name),
        )
    table = data.comparisons(selection.sn_model, selection.sn_method)
    ranked = views.ranking(
        table, data.neighbours(), item.id, selection.council, year, selection.sn_model
    )
    return Chart(
        ranking_chart(
            ranked,
            council_code=selection.council,
            title=measure_title(item.short_title, item.unit, [period_label(row["time_period"])])
            + ": similar councils",
            unit=item.unit,
            decimals=item.decimals,
            polarity=item.polarity,
            england=None if row.isna()["england_value"] else float(row["england_value"]),
            neighbour_average=None if row.isna()["sn_value"] else float(row["sn_value"]),
        ),
        views.ranking_table(ranked, item),
        partial(downloads.ranking_download, ranked, item, period_label(row["time_period"])),
    )


@st.cache_resource(show_spinner=False, max_entries=MAX_ENTRIES, hash_funcs=CACHE_KEYS)
def _compare_content(
    view: str,
    indicator_id: str,
    councils: tuple[str, ...],
    selection: Selection,
) -> CompareContent | None:
    from charts import funnel_chart, measure_title, multi_trend_chart, ranking_chart

    item = indicator(indicator_id)
    table = data.comparisons(selection.sn_model, selection.sn_method)
    year = views.latest_year(table, indicator_id, selection.council, selection.year)
    if year is None:
        return None
    rows = views.compare_rows(table, indicator_id, list(councils))
    ranked = rows[rows["year"] == year]
    # As published ("2024/25" for a school year), as the trend and the table say it.
    period = period_label(str(ranked["time_period"].iloc[0] if len(ranked) else year))
    neighbours = data.council_and_neighbours(selection)[1:]
    only_similar = set(councils) - {selection.council} <= set(neighbours)
    england = views.england_value(table, indicator_id, year)
    funnel_figure = funnel_table = None
    funnel_words = ""
    points = views.funnel_points(table, indicator_id, year) if item.is_rate_or_share else None
    if points is not None and not points.empty and england is not None:
        # The council's symbol that year (if any) says why it has no point.
        own = views.council_row(table, indicator_id, selection.council, year)
        symbol = own["symbol"] if own is not None and isinstance(own["symbol"], str) else None
        funnel_figure = funnel_chart(
            points,
            council_code=selection.council,
            title=f"{item.short_title}, {period}: every council by size",
            unit=item.unit,
            england=england,
            decimals=item.decimals,
            council_symbol=symbol,
            neighbour_codes=neighbours,
        )
        funnel_table = views.funnel_table(points, item)
        # Markdown with bold of its own: the name is escaped before it goes in.
        funnel_words = views.funnel_sentence(
            points, selection.council, markdown_text(selection.council_name), symbol
        )
    return CompareContent(
        year=year,
        period=period,
        trend_figure=multi_trend_chart(
            rows,
            council_code=selection.council,
            title=measure_title(
                f"{item.short_title}: chosen councils",
                item.unit,
                list(dict.fromkeys(rows.sort_values("year")["period_label"])),
            ),
            unit=item.unit,
            decimals=item.decimals,
            polarity=item.polarity,
        ),
        trend_table=views.compare_trend_table(rows, item),
        trend_download=partial(downloads.compare_trend_download, rows, item),
        ranking_figure=ranking_chart(
            ranked[["area_code", "area_name", "value", "symbol"]],
            council_code=selection.council,
            title=measure_title(item.short_title, item.unit, [period]),
            unit=item.unit,
            decimals=item.decimals,
            polarity=item.polarity,
            england=england,
            neighbour_average=None,
            others_name=(NEIGHBOURS_SHORT.capitalize() if only_similar else OTHER_CHOSEN_COUNCILS),
        ),
        ranking_table=views.ranking_table(ranked, item),
        ranking_download=partial(downloads.ranking_download, ranked, item, period),
        funnel_figure=funnel_figure,
        funnel_table=funnel_table,
        funnel_sentence=funnel_words,
    )
