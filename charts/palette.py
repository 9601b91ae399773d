"""One look for every chart: colours, marker symbols, dashes, fonts and honest axes.

Councillors read these charts on a laptop or printed in a panel pack, some of
them with colour-vision deficiency, so the rules live in one place:

- Okabe–Ito colours (safe for the common colour-vision deficiencies); the
  council is always Okabe–Ito blue, on every chart.
- Colour is never the only cue: each series also has its own marker symbol,
  line dash and a name in the legend or a text label.
- Axes do not mislead: bars and counts start at zero; lines of percentages,
  rates and scores zoom in on the data (a line's level, not its length,
  carries the value) and say where the axis starts; no percentage axis goes
  past 100. The rules are `charts.axes`, which the meeting pack's slides use too.
- Text is at least 13 px, the legend sits below the plot, and the layout is
  fixed (white background, explicit fonts, no Plotly template) so a PNG export
  looks like the page.
"""

from __future__ import annotations

import copy
import math
import textwrap
from collections.abc import Iterable
from dataclasses import dataclass

import plotly.graph_objects as go

from charts import axes
from charts.text import plotly_text
from domain.palette import (
    AXIS_LINE,
    BACKGROUND,
    COUNCIL,
    ENGLAND,
    GRID,
    MUTED_TEXT,
    NEIGHBOURS,
    REGION,
    TEXT,
    WHITE,
)
from domain.units import UNITS

# A white outline behind labels, so a label stays readable where a line crosses it.
HALO = ", ".join(f"{x}px {y}px 1px {WHITE}" for x, y in ((-1, -1), (1, -1), (-1, 1), (1, 1)))

FONT_FAMILY = "Liberation Sans, Arial, Helvetica, sans-serif"
FONT_SIZE = 14  # body text, ticks, legend; nothing smaller than 13
SMALL_FONT_SIZE = 13  # notes and labels on the plot
TITLE_FONT_SIZE = 18
TITLE_WRAP = 36  # characters per title line before wrapping: fits a chart on a 390 px phone
# (about 330 px wide; at 46 the end of a title was cut off there, WCAG 1.4.10 reflow)

SUBTITLE_ROOM = 24  # top margin (px) for the line under the title
LEGEND_ROOM = 110  # bottom margin (px): tick labels, axis title and two legend rows

AXIS_TITLES = {name: unit.axis_title for name, unit in UNITS.items()}

# For st.plotly_chart(fig, config=PLOTLY_CONFIG, theme=None): no Plotly logo, no
# "share to Plotly Cloud" button. The logo can only be hidden by this config,
# not by the figure itself; theme=None keeps Streamlit from restyling the chart.
# No "responsive": Streamlit sets each chart's width and height from its container
# itself, so Plotly's own resize handling (a listener and 100% sizing per chart) is
# not needed.
PLOTLY_CONFIG: dict[str, object] = {
    "displaylogo": False,
    "showSendToCloud": False,
    "modeBarButtonsToRemove": ["sendChartToCloud", "lasso2d", "select2d"],
}


@dataclass(frozen=True)
class SeriesStyle:
    """How one comparator is drawn: colour, marker symbol, line dash and width."""

    colour: str
    symbol: str
    dash: str
    width: float


COUNCIL_STYLE = SeriesStyle(COUNCIL, "circle", "solid", 3)
NEIGHBOURS_STYLE = SeriesStyle(NEIGHBOURS, "square", "dash", 2)
REGION_STYLE = SeriesStyle(REGION, "diamond", "dot", 2)
ENGLAND_STYLE = SeriesStyle(ENGLAND, "triangle-up", "dashdot", 2)
SERIES_STYLES = {
    "council": COUNCIL_STYLE,
    "neighbours": NEIGHBOURS_STYLE,
    "region": REGION_STYLE,
    "england": ENGLAND_STYLE,
}


# Other councils on a chart of several councils: OTHER_COLOURS (domain/palette.py)
# with 7 symbols and 5 dashes never repeat all three within 11 lines.
OTHER_SYMBOLS = ("square", "diamond", "triangle-up", "x", "star", "triangle-down", "cross")
OTHER_DASHES = ("dash", "dot", "dashdot", "longdash", "longdashdot")


def wrap_title(title: str, width: int = TITLE_WRAP) -> str:
    """A long title broken onto lines (Plotly never wraps titles itself), shown literally.

    Titles and category names hold data text (a local indicator's title, a
    council's name), so each line is escaped (`charts.text.plotly_text`) before
    the line breaks are added.
    """
    # Broken at spaces only: a word longer than a line (a web address) keeps its own line
    # whole rather than be cut, and a hyphenated word stays together.
    lines = textwrap.wrap(title, width, break_long_words=False, break_on_hyphens=False) or [title]
    return "<br>".join(plotly_text(line) for line in lines)


Trace = dict[str, object]
Layout = dict[str, object]


def merge(base: dict, extra: dict) -> dict:
    """Plotly's update rule on plain dicts: nested dicts merge, anything else replaces.

    The figures are built as plain dicts and turned into a `go.Figure` once at the
    end: Plotly validates every property on every update, so a figure built by
    a dozen `update_layout` calls cost 30-50 ms, against 3-4 ms built at once.
    Returns ``base``, changed in place.
    """
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            merge(base[key], value)  # type: ignore[arg-type]
        else:
            base[key] = value
    return base


def figure(traces: list[Trace], layout: Layout) -> go.Figure:
    """The figure the traces and layout describe, validated once by Plotly."""
    return go.Figure({"data": traces, "layout": layout})


def axis_values(traces: Iterable[Trace], axis: str) -> list[float]:
    """Every finite number plotted on the x or y axis of a figure's traces."""
    found: list[float] = []
    for trace in traces:
        values = trace.get(axis)
        if values is None:
            continue
        for value in values:  # type: ignore[attr-defined]
            is_number = isinstance(value, int | float) and not isinstance(value, bool)
            if is_number and math.isfinite(value):
                found.append(float(value))
    return found


def chart_layout(
    traces: list[Trace],
    title: str,
    unit: str,
    *,
    value_axis: str = "y",
    subtitle: str | None = None,
    references: Iterable[float | None] = (),
) -> Layout:
    """Fonts, margins, legend below, white background and the value axis for a unit.

    `value_axis` is "y" for line and funnel charts and "x" for horizontal bars.
    The axis follows `charts.axes.value_axis` (bars and counts from zero, lines
    of percentages, rates and scores zoomed to the data with a note saying
    where the axis starts, never past 100 %, round ticks); `references` are
    values of lines drawn across the bars (England, the neighbours' average),
    which the axis must reach. `subtitle` (already escaped) goes under the
    title: what the chart's polarity is, which gaps it has. Returns the layout
    to merge over the chart's own (`merge`).
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {tuple(UNITS)}, not {unit!r}")
    has_bars = any(trace.get("type") == "bar" for trace in traces)
    span = axes.value_axis(
        axis_values(traces, value_axis), unit, bars=has_bars, references=references
    )
    # Neither Plotly nor PowerPoint draws an axis break: a zoomed axis says where it
    # starts, under the title, where it hides no point.
    subtitle = " · ".join(part for part in (subtitle, span.note) if part) or None
    title_lines = wrap_title(title)
    extra_lines = title_lines.count("<br>")
    top = 64 + 24 * extra_lines + (SUBTITLE_ROOM if subtitle else 0)
    title_layout: dict[str, object] = {
        "text": title_lines,
        "x": 0.01,
        "xref": "container",
        "xanchor": "left",
        # Plotly anchors a wrapped title by its first line, so the padding grows
        # with each extra line to keep the whole title inside the figure.
        "y": 1,
        "yref": "container",
        "yanchor": "top",
        "pad": {"t": 10 + 24 * extra_lines},
        "font": {"size": TITLE_FONT_SIZE, "color": TEXT, "family": FONT_FAMILY},
    }
    if subtitle:
        title_layout["subtitle"] = {
            "text": subtitle,
            "font": {"size": SMALL_FONT_SIZE, "color": MUTED_TEXT, "family": FONT_FAMILY},
        }
    grid = {
        "gridcolor": GRID,
        "linecolor": AXIS_LINE,
        "showline": True,
        "ticks": "",
        "tickfont": {"size": SMALL_FONT_SIZE},
        "title": {"font": {"size": FONT_SIZE}, "standoff": 15},
        "zerolinecolor": GRID,
        "zerolinewidth": 2,
        "automargin": True,
    }
    axis = {
        "title": {"text": AXIS_TITLES[unit]},
        "tickformat": f",.{span.tick_decimals}f",
        "ticksuffix": UNITS[unit].suffix,
        "tick0": span.low,
        "dtick": span.step,
        "range": span.as_list(),
        "autorange": False,
        "zeroline": True,
        "zerolinecolor": AXIS_LINE,
    }
    # No Plotly template: "plotly_white" was 7 KB of each chart's 11 KB, sent to the
    # browser and validated on every build; what it gave is set here instead.
    return {
        "autotypenumbers": "strict",  # a category such as "2021" stays a label
        "title": title_layout,
        "font": {"family": FONT_FAMILY, "size": FONT_SIZE, "color": TEXT},
        "paper_bgcolor": BACKGROUND,
        "plot_bgcolor": BACKGROUND,
        "margin": {"l": 70, "r": 40, "t": top, "b": LEGEND_ROOM, "autoexpand": True},
        "showlegend": True,  # even with one series: the legend names the council's line
        "legend": {
            "orientation": "h",
            "x": 0,
            "xanchor": "left",
            # Pinned to the bottom of the figure, so it never meets the x-axis title
            # whatever the figure's height; the bottom margin leaves room for it.
            "y": 0,
            "yref": "container",
            "yanchor": "bottom",
            "font": {"size": FONT_SIZE},
            "title": {"text": ""},
            "traceorder": "normal",
        },
        "hoverlabel": {
            "font": {"size": FONT_SIZE, "family": FONT_FAMILY},
            "bgcolor": "white",
            "align": "left",
        },
        "modebar": {"remove": ["sendChartToCloud", "lasso2d", "select2d"]},
        "separators": ".,",
        "xaxis": merge(copy.deepcopy(grid), axis if value_axis == "x" else {}),
        "yaxis": merge(copy.deepcopy(grid), axis if value_axis != "x" else {}),
    }
