"""The four charts a corporate parenting panel reads, as plain Plotly figures.

Each compares one council with its statistical neighbours, its region and
England. The functions take small frames (as `indicators.views` makes them)
and return a `plotly.graph_objects.Figure`, so the pages, the PNG and slide
exports and the tests all draw exactly the same chart.

A suppressed or missing figure is a gap with a note saying why, never a zero:
the short word from the symbol table in `indicators.formatting` ("suppressed",
"not available") on the chart and its plain sentence in the hover text, so a
gap DfE marked ``x`` is never said to protect children's privacy. Hover text
shows values as the tables do ("67%", "1,806", "13.9").

Names, titles and period labels come from loaded files and Plotly renders a
subset of HTML in all of its text (a name holding ``<a href>`` would be a live
link in the chart): every function here escapes the data text it is given with
`charts.text` before it reaches a title, legend, tick label, note or hover text.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from charts import axes
from charts.palette import (
    COUNCIL_STYLE,
    ENGLAND_STYLE,
    HALO,
    NEIGHBOURS_STYLE,
    OTHER_DASHES,
    OTHER_SYMBOLS,
    REGION_STYLE,
    SMALL_FONT_SIZE,
    Layout,
    SeriesStyle,
    Trace,
    axis_values,
    chart_layout,
    figure,
    merge,
    wrap_title,
)
from charts.text import plotly_text, template_text
from domain.palette import (
    COUNCIL,
    ENGLAND,
    HIGHLIGHT_TEXT,
    LIMITS,
    MUTED_TEXT,
    NEIGHBOURS_TEXT,
    OTHER,
    OTHER_COLOURS,
    OTHER_OUTLINE,
    TEXT,
    WHITE,
)
from domain.units import (
    LOWER_IS_BETTER,
    POLARITIES,
    UNITS,
    is_rate_or_share_unit,
    is_share_unit,
)
from domain.wording import NEIGHBOURS_AVERAGE_HEADING, NEIGHBOURS_SHORT
from indicators.compare import Z_95, Z_998, funnel_limits
from indicators.formatting import (
    format_value,
    gap_kinds_note,
    symbol_sentence,
    symbol_word,
)
from indicators.views import england_by_period

FUNNEL_UNITS = tuple(name for name in UNITS if is_rate_or_share_unit(name))
CATEGORY_WRAP = 32  # characters per line of a breakdown category
FUNNEL_POINTS = 150  # points along each control-limit curve
# Orange is too pale for text on white (2:1); its labels use a darker shade.
TEXT_COLOURS = {NEIGHBOURS_STYLE.colour: NEIGHBOURS_TEXT}


def sparkline_values(series: pd.Series) -> list[float | None]:
    """Values for a table sparkline or a trace: floats, with None for NaN (a gap)."""
    return [_number(value) for value in series]


def trend_chart(
    series: pd.DataFrame,
    *,
    title: str,
    unit: str,
    decimals: int,
    council_name: str,
    neighbours_label: str = NEIGHBOURS_AVERAGE_HEADING,
    region_label: str = "Region",
    england_label: str = "England",
    period_title: str | None = None,
    polarity: str | None = None,
) -> go.Figure:
    """The council's figure over time against its neighbours' average, region and England.

    `series` has one row per period, in the order to show: `period_label`,
    `council`, `neighbours`, `region`, `england` and `council_symbol` (a DfE
    symbol such as "c" when the council's figure was suppressed). A comparator
    with no values at all is left out, and so is every comparator of a count
    (`charts.axes.trend_columns`: a council's count against England's total is a
    flat line at zero). A missing council value is a gap in the line with a
    note above the plot saying why, where it hides no published point.

    `polarity` ("higher is better", ...) is said under the title; `period_title`
    names the x-axis (by default what DfE's years are: the year ending 31 March,
    or the academic year). The title should name the measure and its unit
    (`charts.axes.measure_title`).
    """
    periods = [plotly_text(label) for label in series["period_label"]]
    drawn = axes.trend_columns(unit)
    traces: list[Trace] = []
    # The council is drawn last, on top of the comparators, but listed first.
    lines = (
        ("neighbours", neighbours_label, NEIGHBOURS_STYLE, 2),
        ("region", region_label, REGION_STYLE, 3),
        ("england", england_label, ENGLAND_STYLE, 4),
        ("council", council_name, COUNCIL_STYLE, 1),
    )
    for column, name, style, rank in lines:
        if column not in series.columns or column not in drawn:
            continue
        values = sparkline_values(series[column])
        if all(value is None for value in values):
            continue
        texts = [_show(value, unit, decimals) for value in values]
        is_council = column == "council"
        labels = [t if v is not None else "" for t, v in zip(texts, values, strict=True)]
        if is_council:
            labels = _labels_that_fit(labels, values)
        latest = max((i for i, v in enumerate(values) if v is not None), default=None)
        if is_council and latest is not None:
            labels[latest] = f"<b>{labels[latest]}</b>"  # the latest year stands out
        traces.append(
            _trace(
                "scatter",
                x=periods,
                y=values,
                name=plotly_text(name),
                mode="lines+markers+text" if is_council else "lines+markers",
                line={"color": style.colour, "dash": style.dash, "width": style.width},
                marker=_marker(style, size=11 if is_council else 9),
                connectgaps=False,
                customdata=texts,
                text=labels if is_council else None,
                textposition="top center",
                textfont={"color": HIGHLIGHT_TEXT, "size": SMALL_FONT_SIZE, "shadow": HALO},
                cliponaxis=False,
                legendrank=rank,
                hovertemplate=f"{template_text(name)}: %{{customdata}}<extra></extra>",
            )
        )
    notes = _missing_council_notes(series, periods)
    layout: Layout = {
        "annotations": notes,
        "xaxis": {
            "type": "category",
            "categoryorder": "array",
            "categoryarray": periods,
            "title": {"text": period_title or axes.period_axis_title(series["period_label"])},
        },
        "hovermode": "x unified",
    }
    subtitle = axes.polarity_label(polarity) if polarity else None
    merge(layout, chart_layout(traces, title, unit, subtitle=subtitle))
    _labels_clear_of_the_top(traces, layout, plotly_text(council_name))
    if notes:
        _room_above_plot(layout)
    return figure(traces, layout)


def multi_trend_chart(
    rows: pd.DataFrame,
    *,
    council_code: str,
    title: str,
    unit: str,
    decimals: int,
    polarity: str | None = None,
) -> go.Figure:
    """Several councils' figures over time, one line each, the chosen council in blue.

    `rows` has one row per council and period (as `indicators.views.compare_rows`
    makes them): `area_code`, `area_name`, `year`, `period_label`, `value` and
    `symbol`. The other councils get their own colour, marker symbol and dash
    (combinations repeat only beyond the palette's length) and a legend name. A
    missing figure is a gap; the council's own gaps carry a note saying why, and
    the kinds of gap on the chart are named under the title with its `polarity`.
    England's line (from `england_value`) is drawn with them for a rate or share;
    counts are compared council with council here, never with England.
    """
    frame = rows.sort_values(["year", "area_name"], kind="stable")
    periods = [str(p) for p in dict.fromkeys(frame["period_label"])]
    shown_periods = [plotly_text(p) for p in periods]
    traces: list[Trace] = []
    own_notes: list[dict[str, object]] = []
    codes = list(dict.fromkeys(frame["area_code"]))
    if council_code in codes:  # drawn last, on top of the others; listed first
        codes.remove(council_code)
        codes.append(council_code)
    gap_symbols: list[str | None] = []
    for index, code in enumerate(codes):
        mine = code == council_code
        own = frame[frame["area_code"] == code].drop_duplicates("period_label")
        by_period = own.set_index(own["period_label"].astype(str))
        values = [_number(by_period["value"].get(p)) for p in periods]
        texts = [_show(value, unit, decimals) for value in values]
        symbols = [by_period["symbol"].get(p) if "symbol" in own else None for p in periods]
        gap_symbols += [s for v, s in zip(values, symbols, strict=True) if v is None]
        name = str(own["area_name"].iloc[0])
        style = COUNCIL_STYLE if mine else _other_style(index)
        traces.append(
            _trace(
                "scatter",
                x=shown_periods,
                y=values,
                name=plotly_text(f"{name} (your council)" if mine else name),
                mode="lines+markers",
                line={"color": style.colour, "dash": style.dash, "width": style.width},
                marker=_marker(style, size=11 if mine else 8),
                connectgaps=False,
                legendrank=1 if mine else 2 + index,
                customdata=texts,
                hovertemplate=f"{template_text(name)}: %{{customdata}}<extra></extra>",
            )
        )
        if mine:
            series = pd.DataFrame({"council": values, "council_symbol": symbols})
            own_notes = _missing_council_notes(series, shown_periods)
    by_period = england_by_period(frame) if "england" in axes.trend_columns(unit) else {}
    england = [_number(by_period.get(period)) for period in periods]
    if any(value is not None for value in england):
        # England beside the chosen councils, as on every line page's trend (a count is
        # compared council with council only: England's is no yardstick for one).
        traces.append(
            _trace(
                "scatter",
                x=shown_periods,
                y=england,
                name="England",
                mode="lines+markers",
                line={
                    "color": ENGLAND_STYLE.colour,
                    "dash": ENGLAND_STYLE.dash,
                    "width": ENGLAND_STYLE.width,
                },
                marker=_marker(ENGLAND_STYLE, size=8),
                connectgaps=False,
                legendrank=2 + len(codes),
                customdata=[_show(value, unit, decimals) for value in england],
                hovertemplate="England: %{customdata}<extra></extra>",
            )
        )
    notes = [axes.polarity_label(polarity)] if polarity else []
    if gap_symbols:
        # Names only the kinds of gap on this chart ('x' alone is never "suppressed").
        notes.append(plotly_text(gap_kinds_note(gap_symbols)))
    layout: Layout = {
        "annotations": own_notes,
        "xaxis": {"type": "category", "title": {"text": axes.period_axis_title(periods)}},
        "hovermode": "x unified",
    }
    merge(layout, chart_layout(traces, title, unit, subtitle=" · ".join(notes) or None))
    if own_notes:
        _room_above_plot(layout)
    layout["height"] = height_with_a_legend_row_each(layout, len(traces))
    return figure(traces, layout)


# A chart of many lines on a phone: Plotly sets its legend entries side by side only
# while they fit, so on a 390 px screen each council's name took a row of its own and
# the legend squeezed the plot of eleven councils to a strip about 50 px high (it
# takes at most half the figure, then scrolls). The figure grows instead, by a row per
# entry beyond the room a figure of Plotly's default height leaves.
DEFAULT_HEIGHT = 450  # Plotly's figure height when the layout sets none (px)
LEGEND_ROW = 24  # one legend entry's row at FONT_SIZE (px)
PLOT_AT_LEAST = 220  # the plot itself, between the title and the period axis (px)
PERIOD_AXIS_ROOM = 90  # period labels (turned on a phone) and the axis title (px)


def height_with_a_legend_row_each(layout: Layout, entries: int) -> int:
    """The figure's height (px) that leaves the plot ``PLOT_AT_LEAST`` px when every one
    of ``entries`` legend entries takes a row (a phone); never below Plotly's default."""
    margin = layout.get("margin", {})
    top = int(margin.get("t", 0)) if isinstance(margin, dict) else 0
    return max(DEFAULT_HEIGHT, top + PLOT_AT_LEAST + PERIOD_AXIS_ROOM + LEGEND_ROW * entries)


def ranking_chart(
    ranking: pd.DataFrame,
    *,
    council_code: str,
    title: str,
    unit: str,
    decimals: int,
    polarity: str,
    england: float | None,
    neighbour_average: float | None,
    others_name: str = NEIGHBOURS_SHORT.capitalize(),
) -> go.Figure:
    """The council and its statistical neighbours as bars, best at the top.

    ``others_name`` names the other councils' bars in the legend: "Similar councils"
    unless they are others a reader chose (Compare).

    "Best" follows `polarity`: highest first when higher is better or when the
    indicator has no polarity, lowest first when lower is better. A council
    without a value is listed at the bottom with no bar and its symbol in words
    ("suppressed" for "c", "not available" for "x"; "no data" without a symbol), its
    sentence in the hover text.
    Vertical lines mark England and the neighbours' average; a count's
    ranking marks only the neighbours' average, never England's total
    (`charts.axes.reference_allowed`). The bars start at zero and the axis
    reaches every line. The polarity is said under the title.
    """
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")
    rows = ranking.copy()
    rows["value"] = pd.to_numeric(rows["value"], errors="coerce").astype(float)
    with_value = rows[rows["value"].notna()]
    without_value = rows[rows["value"].isna()].sort_values("area_name", kind="stable")
    ascending = polarity == LOWER_IS_BETTER
    with_value = with_value.sort_values(
        ["value", "area_name"], ascending=[ascending, True], kind="stable"
    )
    rows = pd.concat([with_value, without_value], ignore_index=True)
    is_council = rows["area_code"] == council_code
    labels = [
        _council_label(name) if mine else plotly_text(name)
        for name, mine in zip(rows["area_name"], is_council, strict=True)
    ]
    rows["label"] = labels
    texts = [_show(_number(v), unit, decimals) for v in rows["value"]]
    rows["text"] = texts

    traces: list[Trace] = []
    council_name = str(rows.loc[is_council, "area_name"].iloc[0]) if is_council.any() else ""
    for mine, name, colour, outline in (
        (False, others_name, OTHER, OTHER_OUTLINE),
        (True, f"{council_name} (your council)", COUNCIL, COUNCIL),
    ):
        part = rows[is_council == mine]
        if part.empty:
            continue
        traces.append(
            _trace(
                "bar",
                x=sparkline_values(part["value"]),
                y=list(part["label"]),
                orientation="h",
                name=plotly_text(name),
                marker={"color": colour, "line": {"color": outline, "width": 1}},
                text=list(part["text"]),
                # Inside the end of the bar when it fits, where the reference lines
                # (drawn beneath the bars) cannot cross it; outside a short bar.
                textposition="auto",
                insidetextanchor="end",
                constraintext="none",
                textangle=0,  # never turned on its side inside a thin bar
                insidetextfont={"size": SMALL_FONT_SIZE, "color": WHITE if mine else TEXT},
                outsidetextfont={
                    "size": SMALL_FONT_SIZE,
                    "color": HIGHLIGHT_TEXT if mine else TEXT,
                    "shadow": HALO,
                },
                cliponaxis=False,
                legendrank=1 if mine else 2,
                customdata=[plotly_text(name) for name in part["area_name"]],
                hovertemplate="<b>%{customdata}</b>: %{text}<extra></extra>",
            )
        )
    missing = [i for i, value in enumerate(rows["value"]) if math.isnan(value)]
    annotations = [
        {
            "x": 0,
            "y": position,
            "xref": "x",
            "yref": "y",
            "text": symbol_word(symbol),
            "hovertext": f"{plotly_text(rows['area_name'].iloc[position])}: "
            f"{symbol_sentence(symbol)}",
            "showarrow": False,
            "xanchor": "left",
            "xshift": 4,
            "bgcolor": WHITE,
            "font": {"size": SMALL_FONT_SIZE, "color": MUTED_TEXT, "style": "italic"},
        }
        for position, symbol in zip(missing, _symbols(rows), strict=True)
    ]
    references = [
        (label, value, style)
        for comparator, label, value, style in (
            ("england", "England", england, ENGLAND_STYLE),
            ("neighbours", NEIGHBOURS_AVERAGE_HEADING, neighbour_average, NEIGHBOURS_STYLE),
        )
        if axes.reference_allowed(unit, comparator)
    ]
    layout: Layout = {
        "annotations": annotations,
        "barmode": "overlay",
        "bargap": 0.3,
        "yaxis": _bars_top_to_bottom(labels),
        "height": max(380, 200 + 32 * len(rows)),
    }
    merge(
        layout,
        chart_layout(
            traces,
            title,
            unit,
            value_axis="x",
            subtitle=axes.polarity_label(polarity),
            references=[_number(value) for _, value, _ in references],
        ),
    )
    _reference_lines(traces, layout, references, unit, decimals)
    return figure(traces, layout)


def funnel_chart(
    points: pd.DataFrame,
    *,
    council_code: str,
    title: str,
    unit: str,
    england: float,
    decimals: int,
    council_symbol: str | None = None,
    neighbour_codes: Sequence[str] = (),
) -> go.Figure:
    """Every council's figure against its size, with England and control limits.

    The council is the large blue dot; its statistical neighbours (``neighbour_codes``)
    are orange squares, so a reader finds the councils they compare with first.

    A council outside the 99.8 % limits is unlikely to differ from England by
    chance alone; inside the 95 % limits, the difference may well be chance.
    Limits come from `indicators.compare.funnel_limits` (binomial for
    percentages, Poisson for rates), drawn from the smallest denominator
    present to the largest. When the council has no point, a note says why, from
    ``council_symbol`` (its DfE symbol for the year, if any).
    """
    if unit not in FUNNEL_UNITS:
        raise ValueError(f"a funnel plot needs a percentage or a rate, not {unit!r}")
    frame = points.copy()
    frame["value"] = pd.to_numeric(frame["value"], errors="coerce").astype(float)
    frame["denominator"] = pd.to_numeric(frame["denominator"], errors="coerce").astype(float)
    frame = frame[frame["value"].notna() & (frame["denominator"] > 0)]
    mine = frame["area_code"] == council_code
    near = frame["area_code"].isin(list(neighbour_codes)) & ~mine
    others, neighbours, council = frame[~mine & ~near], frame[near], frame[mine]
    denominator_title = (
        "Number of children (denominator)" if is_share_unit(unit) else "Children aged 0–17"
    )
    traces: list[Trace] = []
    annotations: list[dict[str, object]] = []
    if not frame.empty:
        low, high = float(frame["denominator"].min()), float(frame["denominator"].max())
        sizes = _curve_points(low, high)
        for rank, (label, z, dash, width) in enumerate(
            (("95% limits", Z_95, "dash", 1.5), ("99.8% limits", Z_998, "dot", 2)), start=4
        ):
            limits = [funnel_limits(england, n, unit, z) for n in sizes]
            x = [*sizes, None, *sizes]
            y = [*(_number(hi) for _, hi in limits), None, *(_number(lo) for lo, _ in limits)]
            side = ["upper"] * len(sizes) + [""] + ["lower"] * len(sizes)
            traces.append(
                _trace(
                    "scatter",
                    x=x,
                    y=y,
                    name=label,
                    mode="lines",
                    line={"color": LIMITS, "dash": dash, "width": width},
                    connectgaps=False,
                    legendrank=rank,
                    customdata=side,
                    hovertemplate=f"{label} (%{{customdata}}) for %{{x:,.0f}}: "
                    f"%{{y:,.{decimals + 1}f}}{'%' if is_share_unit(unit) else ''}<extra></extra>",
                )
            )
        traces.append(
            _trace(
                "scatter",
                x=[low, high],
                y=[england, england],
                name=f"England {_show(england, unit, decimals)}",
                mode="lines",
                line={"color": ENGLAND, "dash": ENGLAND_STYLE.dash, "width": 2},
                legendrank=3,
                hovertemplate=f"England: {_show(england, unit, decimals)}<extra></extra>",
            )
        )
    traces.append(
        _trace(
            "scatter",
            x=list(others["denominator"]),
            y=list(others["value"]),
            name="Other councils",
            mode="markers",
            legendrank=2,
            marker={
                "color": OTHER,
                "size": 8,
                "symbol": "circle",
                "line": {"color": OTHER_OUTLINE, "width": 1},
            },
            customdata=_funnel_hover(others, unit, decimals),
            hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>"
            "%{customdata[2]}<extra></extra>",
        )
    )
    if not neighbours.empty:
        traces.append(
            _trace(
                "scatter",
                x=list(neighbours["denominator"]),
                y=list(neighbours["value"]),
                name=NEIGHBOURS_SHORT.capitalize(),
                mode="markers",
                legendrank=1.5,
                marker=_marker(NEIGHBOURS_STYLE, size=11, outline="white"),
                customdata=_funnel_hover(neighbours, unit, decimals),
                hovertemplate="<b>%{customdata[0]}</b> (neighbour)<br>%{customdata[1]}<br>"
                "%{customdata[2]}<extra></extra>",
            )
        )
    x_max = float(frame["denominator"].max()) if not frame.empty else 1.0
    if not council.empty:
        row = council.iloc[0]
        share = float(row["denominator"]) / x_max
        traces.append(
            _trace(
                "scatter",
                x=[float(row["denominator"])],
                y=[float(row["value"])],
                name=plotly_text(f"{row['area_name']} (your council)"),
                mode="markers+text",
                legendrank=1,
                marker=_marker(COUNCIL_STYLE, size=16, outline="white"),
                text=[
                    f"<b>{plotly_text(row['area_name'])}</b> "
                    f"{_show(float(row['value']), unit, decimals)}"
                ],
                textposition="middle left" if share > 0.7 else "middle right",
                textfont={"color": HIGHLIGHT_TEXT, "size": SMALL_FONT_SIZE + 1, "shadow": HALO},
                cliponaxis=False,
                customdata=_funnel_hover(council, unit, decimals),
                hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<br>"
                "%{customdata[2]}<extra></extra>",
            )
        )
    else:
        annotations.append(
            {
                "text": f"Your council has no figure to plot: {symbol_sentence(council_symbol)}",
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": 1,
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": SMALL_FONT_SIZE, "color": MUTED_TEXT},
            }
        )
    layout: Layout = {
        "annotations": annotations,
        "xaxis": {
            "title": {"text": denominator_title},
            "tickformat": ",",
            "range": [0, x_max * 1.05],
            "rangemode": "tozero",
        },
        "hovermode": "closest",
    }
    merge(layout, chart_layout(traces, title, unit))
    if is_share_unit(unit):
        # A deliberate exception to 0–100: the funnel sits in a narrow band and on a
        # full 0–100 axis a council outside the limits looks inside them. The axis
        # still starts at zero and the exception applies to funnel plots only.
        ceiling = _percent_ceiling(axis_values(traces, "y"))
        merge(layout, {"yaxis": {"range": [0, ceiling], "dtick": 5 if ceiling <= 30 else 10}})
    return figure(traces, layout)


def breakdown_chart(frame: pd.DataFrame, *, title: str, unit: str, council_name: str) -> go.Figure:
    """The council's shares by category (e.g. placement type) beside England's.

    Categories are shown top to bottom in the order given. England's bars are
    hatched as well as coloured, and every bar is labelled with its value, so
    the two series can be told apart without colour. An optional ``council_symbol``
    column (DfE's symbol, e.g. "c") says why a council's bar is missing.
    """
    symbols = list(frame["council_symbol"]) if "council_symbol" in frame else [None] * len(frame)
    # Long category names wrap onto two or three lines rather than squeeze the bars.
    categories = [wrap_title(str(c), CATEGORY_WRAP) for c in frame["category"]]
    traces: list[Trace] = []
    annotations: list[dict[str, object]] = []
    series = (
        ("council", council_name, {"color": COUNCIL, "line": {"color": COUNCIL, "width": 0.5}}),
        (
            "england",
            "England",
            {
                "color": WHITE,
                "pattern": {
                    "shape": "/",
                    "fgcolor": ENGLAND,
                    "size": 7,
                    "solidity": 0.25,
                    "fillmode": "overlay",
                },
                "line": {"color": ENGLAND, "width": 1},
            },
        ),
    )
    offsets = (-0.19, 0.19)
    for index, (column, name, marker) in enumerate(series):
        values = sparkline_values(frame[column])
        texts = [_show(value, unit, 0 if is_share_unit(unit) else 1) for value in values]
        traces.append(
            _trace(
                "bar",
                x=values,
                y=categories,
                orientation="h",
                name=plotly_text(name),
                marker=marker,
                text=texts,
                textposition="outside",
                textfont={
                    "size": SMALL_FONT_SIZE,
                    "color": HIGHLIGHT_TEXT if index == 0 else TEXT,
                    "shadow": HALO,
                },
                cliponaxis=False,
                customdata=texts,
                hovertemplate=f"<b>{template_text(name)}</b> %{{y}}: "
                "%{customdata}<extra></extra>",
            )
        )
        for position, value in enumerate(values):
            if value is None:
                symbol = symbols[position] if index == 0 else None  # England has no symbol
                gap_symbol = symbol if isinstance(symbol, str) else None
                annotations.append(
                    {
                        "x": 0,
                        "y": position + offsets[index],
                        "xref": "x",
                        "yref": "y",
                        "text": f"{plotly_text(name)}: {symbol_word(gap_symbol)}",
                        "hovertext": f"{plotly_text(name)}, "
                        f"{plotly_text(frame['category'].iloc[position])}: "
                        f"{symbol_sentence(gap_symbol)}",
                        "showarrow": False,
                        "xanchor": "left",
                        "xshift": 4,
                        "font": {"size": SMALL_FONT_SIZE, "color": MUTED_TEXT, "style": "italic"},
                    }
                )
    layout: Layout = {
        "annotations": annotations,
        "barmode": "group",
        "bargap": 0.25,
        "bargroupgap": 0.05,
        "yaxis": _bars_top_to_bottom(categories),
        "height": max(380, 200 + 56 * len(categories)),
    }
    merge(layout, chart_layout(traces, title, unit, value_axis="x"))
    return figure(traces, layout)


# ------------------------------------------------------------------ helpers


def _number(value: object) -> float | None:
    """A float, or None for NaN, None, pd.NA and text."""
    if value is None or value is pd.NA:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def _bars_top_to_bottom(categories: list[str]) -> dict[str, object]:
    """A horizontal bar chart's category axis: top to bottom in the order given, no grid."""
    return {
        "type": "category",
        "categoryorder": "array",
        "categoryarray": categories,
        "autorange": "reversed",
        "title": {"text": ""},
        "showgrid": False,
    }


def _trace(kind: str, **properties: object) -> Trace:
    """A trace as a plain dict ("scatter", "bar"); a property given as None is left unset."""
    given = {name: value for name, value in properties.items() if value is not None}
    return {"type": kind, **given}


def _show(value: float | None, unit: str, decimals: int) -> str:
    """A value as the tables print it ('67%', '1,806', '13.9'), or 'no data'."""
    return format_value(value, None, unit, decimals)


def _marker(style: SeriesStyle, size: int, outline: str | None = None) -> dict[str, object]:
    marker: dict[str, object] = {"symbol": style.symbol, "color": style.colour, "size": size}
    if outline:
        marker["line"] = {"color": outline, "width": 2}
    return marker


def _other_style(index: int) -> SeriesStyle:
    """A colour, symbol and dash for the index-th other council (never the council's blue)."""
    return SeriesStyle(
        OTHER_COLOURS[index % len(OTHER_COLOURS)],
        OTHER_SYMBOLS[index % len(OTHER_SYMBOLS)],
        OTHER_DASHES[index % len(OTHER_DASHES)],
        1.5,
    )


def _council_label(name: object) -> str:
    return f'<span style="color:{HIGHLIGHT_TEXT}"><b>{plotly_text(name)} (your council)</b></span>'


def _symbols(rows: pd.DataFrame) -> list[str | None]:
    """DfE symbols of the rows without a value, in order (None when there is none)."""
    if "symbol" not in rows.columns:
        return [None] * int(rows["value"].isna().sum())
    symbols = rows.loc[rows["value"].isna(), "symbol"]
    return [s if isinstance(s, str) and s else None for s in symbols]


def _missing_council_notes(series: pd.DataFrame, periods: list[str]) -> list[dict[str, object]]:
    """Notes above the council line's gaps: 'suppressed', 'not available' or 'no data'.

    The note sits just above the plot, over the gap's years, so it never hides a
    published point (a comparator's marker may be where the council's would have
    been). Neighbouring years with the same kind of gap share one note, centred
    over them, so notes never overlap one another. The hover text gives the
    symbol's sentence ("... is suppressed to protect children's privacy"; "... is
    not available"). Returns the notes (Plotly annotations).
    """
    values = sparkline_values(series["council"])
    if "council_symbol" in series.columns:
        symbols = [s if isinstance(s, str) and s else None for s in series["council_symbol"]]
    else:
        symbols = [None] * len(values)
    runs: list[tuple[str | None, list[int]]] = []
    for index, (value, symbol) in enumerate(zip(values, symbols, strict=True)):
        if value is not None:
            continue
        word = symbol_word(symbol)
        if runs and runs[-1][1][-1] == index - 1 and symbol_word(runs[-1][0]) == word:
            runs[-1][1].append(index)
        else:
            runs.append((symbol, [index]))
    notes: list[dict[str, object]] = []
    for symbol, indexes in runs:
        years = (
            periods[indexes[0]]
            if len(indexes) == 1
            else f"{periods[indexes[0]]} to {periods[indexes[-1]]}"
        )
        notes.append(
            {
                # The category's position, not its label: Plotly reads a label such
                # as "2021" as the 2,021st category.
                "x": (indexes[0] + indexes[-1]) / 2,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 2,
                "text": f"<i>{symbol_word(symbol)}</i>",
                "hovertext": f"The council's figure for {years} is {symbol_sentence(symbol)}",
                "showarrow": False,
                "font": {"size": SMALL_FONT_SIZE, "color": COUNCIL},
                "bgcolor": "rgba(255,255,255,0.9)",
                "bordercolor": COUNCIL,
                "borderwidth": 1,
                "borderpad": 2,
            }
        )
    return notes


# Up to this many points, the council's line labels every one (a trend of annual
# figures); beyond it (fifteen quarter ends) the labels ran into each other ("6363%"),
# on a phone and on a half-width chart, so only the first, the latest, the lowest and
# the highest are labelled; the others are in the hover text and the chart's table.
LABEL_EVERY_POINT_UP_TO = 8


def _labels_that_fit(labels: list[str], values: list[float | None]) -> list[str]:
    """Every label for a short series; for a long one, only the first, the latest, the
    lowest and the highest figure's (the earliest of equal ones)."""
    shown = [i for i, value in enumerate(values) if value is not None]
    if len(shown) <= LABEL_EVERY_POINT_UP_TO:
        return labels
    keep = {
        shown[0],
        shown[-1],
        min(shown, key=lambda i: values[i]),  # type: ignore[arg-type,return-value]
        max(shown, key=lambda i: values[i]),  # type: ignore[arg-type,return-value]
    }
    return [label if i in keep else "" for i, label in enumerate(labels)]


def _labels_clear_of_the_top(traces: list[Trace], layout: Layout, trace_name: str) -> None:
    """Values near the top of the axis are labelled below their point, inside the plot.

    A label above a point at the top of the axis (100 %) would stand above the
    plot, where the gap notes are.
    """
    low, high = layout["yaxis"]["range"]  # type: ignore[index]
    for trace in traces:
        if trace.get("name") != trace_name or trace.get("text") is None:
            continue
        top_band = high - 0.1 * (high - low)
        trace["textposition"] = [
            "bottom center" if y is not None and y > top_band else "top center"
            for y in trace["y"]  # type: ignore[attr-defined]
        ]


# The gap notes' band above the plot (px): a note's boxed word (about 20 px, 2 px above
# the plot) and a clear gap under the subtitle (26 px left them touching it).
GAP_NOTES_ROOM = 32


def _room_above_plot(layout: Layout) -> None:
    """More top margin, for the gap notes that sit above the plot."""
    margin = layout["margin"]
    margin["t"] = (margin.get("t") or 80) + GAP_NOTES_ROOM  # type: ignore[union-attr,index]


def _reference_lines(
    traces: list[Trace],
    layout: Layout,
    references: list[tuple[str, float | None, SeriesStyle]],
    unit: str,
    decimals: int,
) -> None:
    """Vertical England and neighbour-average lines, labelled on two rows above the bars."""
    axis_range = layout["xaxis"].get("range")  # type: ignore[union-attr]
    right = float(axis_range[1]) if axis_range else None
    row = 0
    for name, value, style in references:
        number = _number(value)
        if number is None:
            continue
        label = f"{name} {_show(number, unit, decimals)}"
        layout.setdefault("shapes", []).append(  # type: ignore[union-attr]
            {
                "type": "line",
                "x0": number,
                "x1": number,
                "xref": "x",
                "y0": 0,
                "y1": 1,
                "yref": "y domain",  # from the bottom of the plot to its top
                "line": {"color": style.colour, "dash": style.dash, "width": 2},
                "layer": "below",  # under the bars, so value labels stay readable
            }
        )
        near_right = right is not None and right > 0 and number / right > 0.45
        layout.setdefault("annotations", []).append(  # type: ignore[union-attr]
            {
                "x": number,
                "xref": "x",
                "y": 1,
                "yref": "paper",
                "yshift": 4 + 22 * row,
                "yanchor": "bottom",
                "xanchor": "right" if near_right else "left",
                "text": f"<b>{label}</b>" if name == "England" else label,
                "showarrow": False,
                "font": {
                    "size": SMALL_FONT_SIZE,
                    "color": TEXT_COLOURS.get(style.colour, style.colour),
                },
            }
        )
        # A legend entry too, showing the line's dash (a line, not just a colour).
        traces.append(
            _trace(
                "scatter",
                x=[None],
                y=[None],
                mode="lines",
                name=label,
                line={"color": style.colour, "dash": style.dash, "width": 2},
                hoverinfo="skip",
                legendrank=3 + row,
            )
        )
        row += 1
    if row:
        margin = layout["margin"]
        margin["t"] = (margin.get("t") or 80) + 22 * row  # type: ignore[union-attr,index]


def _percent_ceiling(values: list[float]) -> float:
    """The top of a funnel's percentage axis: the next 10 above every value, at most 100."""
    top = max(values, default=100.0)
    return float(min(100, 10 * math.ceil(top * 1.05 / 10 + 1e-9)))


def _curve_points(low: float, high: float) -> list[float]:
    """Denominators for a smooth limit curve from the smallest council to the largest."""
    if high <= low:
        return [low]
    sizes = np.unique(np.concatenate([np.geomspace(low, high, FUNNEL_POINTS), [low, high]]))
    return [float(n) for n in sizes]


def _funnel_hover(rows: pd.DataFrame, unit: str, decimals: int) -> list[list[str]]:
    noun = "children" if is_share_unit(unit) else "children aged 0–17"
    columns = zip(rows["area_name"], rows["value"], rows["denominator"], strict=True)
    return [
        [plotly_text(name), _show(float(value), unit, decimals), f"{float(n):,.0f} {noun}"]
        for name, value, n in columns
    ]
