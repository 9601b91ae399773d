"""The charts keep the design rules councillors rely on, and export to PNG.

Rules checked: the council is always Okabe–Ito blue; each comparator has its own
colour, marker symbol and dash; suppressed figures are gaps with a note, never
zeros; bars and counts start at zero and lines zoom (the rules themselves
are tested in test_chart_rules.py); rankings put the best at
the top by polarity; funnel limits are the ones `indicators.compare` computes.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import pytest
from conftest import all_strings

from charts import (
    PLOTLY_CONFIG,
    breakdown_chart,
    figure_to_png,
    funnel_chart,
    multi_trend_chart,
    palette,
    png,
    ranking_chart,
    sparkline_values,
    trend_chart,
)
from domain.palette import COUNCIL, ENGLAND, NEIGHBOURS, OTHER, REGION
from indicators.compare import Z_95, Z_998, funnel_limits

pytestmark = pytest.mark.pure

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
NAN = math.nan
CHROMIUM = png.chromium_path()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no Chromium (Debian's chromium package) for kaleido"
)
TITLE = "Children looked after with three or more placements during the year"


# ------------------------------------------------------------------ examples


def trend_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period_label": ["2020", "2021", "2022", "2023", "2024"],
            "council": [11.0, NAN, 9.0, 12.0, 10.0],
            "neighbours": [10.2, 10.8, 10.1, 11.3, 10.9],
            "region": [9.5, 9.9, 10.4, 10.0, 10.2],
            "england": [10.0, 10.0, 10.0, 10.0, 10.0],
            "council_symbol": [None, "c", None, None, None],
        }
    )


def count_trend_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "period_label": ["2020/21", "2021/22", "2022/23", "2023/24"],
            "council": [1806.0, 1900.0, NAN, 2230.0],
            "neighbours": [NAN] * 4,
            "region": [NAN] * 4,
            "england": [NAN] * 4,
            "council_symbol": [None, None, "x", None],
        }
    )


def ranking_frame() -> pd.DataFrame:
    names = [
        ("E10000016", "Kent", 12.0, None),
        ("E10000012", "Essex", 10.0, None),
        ("E10000014", "Hampshire", 8.0, None),
        ("E10000017", "Lancashire", 13.0, None),
        ("E10000028", "Staffordshire", 9.0, None),
        ("E10000024", "Nottinghamshire", NAN, "c"),
        ("E10000031", "Warwickshire", 11.0, None),
        ("E10000034", "Worcestershire", 7.0, None),
        ("E10000032", "West Sussex", 10.5, None),
        ("E10000018", "Leicestershire", 14.0, None),
        ("E06000058", "Bournemouth, Christchurch and Poole", 9.5, None),
    ]
    return pd.DataFrame(names, columns=["area_code", "area_name", "value", "symbol"])


def funnel_frame() -> pd.DataFrame:
    rows = [("E10000016", "Kent", 13.2, 1850.0)]
    for i in range(40):
        denominator = 60.0 + 53.0 * i
        wobble = ((i * 7) % 11 - 5) / 2.0
        rows.append((f"E0{i:07d}", f"Council {i}", 10.0 + wobble, denominator))
    return pd.DataFrame(rows, columns=["area_code", "area_name", "value", "denominator"])


def breakdown_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "category": [
                "Foster placements",
                "Placed for adoption",
                "Placed with parents or others with parental responsibility",
                "Other placements in the community",
                "Secure units, children's homes and semi-independent living",
                "Other residential settings",
            ],
            "council": [68.0, 3.0, 7.0, 4.0, 16.0, NAN],
            "england": [68.5, 2.0, 6.5, 4.0, 17.0, 1.0],
        }
    )


def compare_frame() -> pd.DataFrame:
    """Rows as `indicators.views.compare_rows` makes them: council by year."""
    councils = ranking_frame().head(6)
    rows = []
    for offset, (year, period) in enumerate([(2021, "2021"), (2022, "2022"), (2023, "2023")]):
        for code, name, value, _ in councils.itertuples(index=False):
            suppressed = (code == "E10000016" and year == 2022) or math.isnan(value)
            rows.append(
                {
                    "area_code": code,
                    "area_name": name,
                    "year": year,
                    "period_label": period,
                    "value": NAN if suppressed else value + offset,
                    "symbol": "c" if suppressed else None,
                }
            )
    return pd.DataFrame(rows).sort_values(["year", "area_name"])


def make_multi_trend() -> go.Figure:
    return multi_trend_chart(
        compare_frame(),
        council_code="E10000016",
        title=f"{TITLE}: chosen councils",
        unit="percent",
        decimals=0,
    )


def make_trend(**overrides) -> go.Figure:
    options = {
        "title": TITLE,
        "unit": "percent",
        "decimals": 0,
        "council_name": "Kent",
        "region_label": "South East",
    }
    options.update(overrides)
    frame = options.pop("frame", None)
    return trend_chart(trend_frame() if frame is None else frame, **options)


def make_ranking(
    polarity: str = "lower is better",
    frame: pd.DataFrame | None = None,
    england: float = 10.0,
):
    return ranking_chart(
        ranking_frame() if frame is None else frame,
        council_code="E10000016",
        title=TITLE,
        unit="percent",
        decimals=0,
        polarity=polarity,
        england=england,
        neighbour_average=11.0,
    )


def make_funnel(unit: str = "percent", england: float = 10.0) -> go.Figure:
    return funnel_chart(
        funnel_frame(),
        council_code="E10000016",
        title=TITLE,
        unit=unit,
        england=england,
        decimals=0,
    )


def make_breakdown() -> go.Figure:
    return breakdown_chart(
        breakdown_frame(),
        title="Where children looked after were living on 31 March 2024",
        unit="percent",
        council_name="Kent",
    )


def trace(fig: go.Figure, name: str):
    matches = [t for t in fig.data if t.name == name]
    assert matches, f"no trace named {name!r} in {[t.name for t in fig.data]}"
    return matches[0]


def annotation_texts(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations]


def chart_words(fig: go.Figure) -> list[str]:
    """The notes on a chart and the line under its title."""
    return [*annotation_texts(fig), fig.layout.title.subtitle.text or ""]


def bar_order(fig: go.Figure) -> list[str]:
    """Category labels top to bottom (the axis is reversed: first is at the top)."""
    assert fig.layout.yaxis.autorange == "reversed"
    return list(fig.layout.yaxis.categoryarray)


def plain(label: str) -> str:
    """A category label without its markup."""
    import re

    return re.sub(r"<[^>]+>", "", label)


# ------------------------------------------------------------------ trend


def test_trend_series_have_their_own_colour_symbol_dash_and_name():
    fig = make_trend()
    assert fig.data[-1].name == "Kent"  # drawn on top of the comparators
    legend = sorted(fig.data, key=lambda t: t.legendrank)
    assert [t.name for t in legend] == [
        "Kent",
        "Similar councils (average)",
        "South East",
        "England",
    ]
    expected = {
        "Kent": (COUNCIL, "circle", "solid"),
        "Similar councils (average)": (NEIGHBOURS, "square", "dash"),
        "South East": (REGION, "diamond", "dot"),
        "England": (ENGLAND, "triangle-up", "dashdot"),
    }
    for name, (colour, symbol, dash) in expected.items():
        line = trace(fig, name)
        assert line.line.color == colour
        assert line.marker.color == colour
        assert line.marker.symbol == symbol
        assert line.line.dash == dash
        assert line.connectgaps is False
    assert trace(fig, "Kent").line.width == 3
    assert len({t.marker.symbol for t in fig.data}) == 4
    assert len({t.line.dash for t in fig.data}) == 4


def test_trend_keeps_periods_in_the_order_given():
    fig = make_trend()
    assert list(trace(fig, "Kent").x) == ["2020", "2021", "2022", "2023", "2024"]
    assert fig.layout.xaxis.type == "category"


def test_suppressed_council_value_is_a_gap_with_a_note_not_a_zero():
    fig = make_trend()
    council = trace(fig, "Kent")
    assert council.y[1] is None
    assert 0 not in council.y
    assert council.text[1] == ""
    notes = [a for a in fig.layout.annotations if "suppressed" in a.text]
    assert len(notes) == 1
    # Placed by position: Plotly would read the label "2021" as the 2,021st category.
    assert notes[0].x == 1
    # Above the plot, where it cannot hide the comparators' points for that year.
    assert (notes[0].yref, notes[0].y, notes[0].yanchor) == ("paper", 1, "bottom")


def test_not_available_symbol_is_noted_in_words():
    fig = make_trend(frame=count_trend_frame(), unit="count", title="Children looked after")
    assert trace(fig, "Kent").y[2] is None
    assert any("not available" in text for text in annotation_texts(fig))


def test_a_gap_says_in_its_hover_why_it_is_there_x_and_c_differently():
    suppressed = next(a for a in make_trend().layout.annotations if "suppressed" in a.text)
    assert suppressed.hovertext == (
        "The council's figure for 2021 is suppressed to protect children's privacy"
    )
    fig = make_trend(frame=count_trend_frame(), unit="count", title="Children looked after")
    (gap,) = fig.layout.annotations
    assert gap.text == "<i>not available</i>"
    assert gap.hovertext == "The council's figure for 2022/23 is not available"
    assert "privacy" not in gap.hovertext and "suppressed" not in gap.hovertext


def test_trend_leaves_out_comparators_with_no_values():
    fig = make_trend(frame=count_trend_frame(), unit="count", title="Children looked after")
    assert [t.name for t in fig.data] == ["Kent"]
    assert fig.layout.showlegend is True  # Plotly hides a one-series legend by default


def test_trend_hover_and_labels_use_formatted_values():
    fig = make_trend()
    council = trace(fig, "Kent")
    assert council.customdata[0] == "11%"
    assert council.text[0] == "11%"
    count = make_trend(frame=count_trend_frame(), unit="count", title="Children looked after")
    assert trace(count, "Kent").customdata[0] == "1,806"
    rate = make_trend(
        frame=trend_frame().assign(council=[13.9, NAN, 14.2, 15.0, 13.1]),
        unit="incidents per child",
        decimals=1,
    )
    assert trace(rate, "Kent").customdata[0] == "13.9"


def test_percent_line_axis_zooms_to_the_data_and_says_where_it_starts():
    fig = make_trend()  # every figure between 9 % and 12 %
    low, high = fig.layout.yaxis.range
    assert 0 < low < 9 and 12 < high < 30
    assert fig.layout.yaxis.ticksuffix == "%"
    assert f"Axis starts at {low:g}%, not zero" in fig.layout.title.subtitle.text


def test_count_axis_starts_at_zero():
    fig = make_trend(frame=count_trend_frame(), unit="count", title="Children looked after")
    low, high = fig.layout.yaxis.range
    assert low == 0
    assert high > 2230


def test_rate_axis_may_zoom_in():
    frame = trend_frame().assign(
        council=[58.0, NAN, 62.0, 63.5, 61.0],
        neighbours=[55.0, 56.0, 57.5, 58.0, 59.0],
        region=[52.0, 53.0, 54.0, 54.5, 55.0],
        england=[67.0, 67.0, 70.0, 71.0, 70.0],
    )
    fig = make_trend(frame=frame, unit="rate per 10,000")
    low, high = fig.layout.yaxis.range
    assert 0 < low <= 52 and 71 <= high < 90
    assert fig.layout.yaxis.autorange is False
    assert fig.layout.yaxis.title.text == "Rate per 10,000 children"


def test_multi_trend_puts_the_council_first_in_blue_and_others_distinct():
    fig = make_multi_trend()
    names = [t.name for t in sorted(fig.data, key=lambda t: t.legendrank)]
    assert names[0] == "Kent (your council)"
    assert len(names) == 6
    council = fig.data[-1]
    assert council.line.color == COUNCIL and council.marker.symbol == "circle"
    assert council.y[1] is None and 0 not in council.y
    assert any("suppressed" in a.text for a in fig.layout.annotations)
    others = fig.data[:-1]
    assert COUNCIL not in {t.line.color for t in others}
    styles = {(t.line.color, t.marker.symbol, t.line.dash) for t in others}
    assert len(styles) == len(others)
    low, high = fig.layout.yaxis.range
    assert 0 <= low <= 7 and 16 <= high <= 100


def test_multi_trend_grows_so_a_phone_keeps_the_plot_with_a_legend_row_per_council():
    from charts.figures import DEFAULT_HEIGHT, LEGEND_ROW, PERIOD_AXIS_ROOM, PLOT_AT_LEAST

    def councils(count: int) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "area_code": f"E{index:08d}",
                "area_name": f"Council {index}",
                "year": year,
                "period_label": str(year),
                "value": 40.0 + index,
                "symbol": None,
            }
            for index in range(count)
            for year in (2023, 2024, 2025)
        )

    def chart(count: int) -> go.Figure:
        return multi_trend_chart(
            councils(count), council_code="E00000000", title=TITLE, unit="percent", decimals=0
        )

    assert chart(1).layout.height == DEFAULT_HEIGHT  # one line: the default leaves room
    assert chart(3).layout.height <= chart(8).layout.height <= chart(15).layout.height
    many = chart(15)
    assert len(many.data) == 15
    # On a 390 px phone each legend entry takes a row; the plot keeps its height.
    plot = many.layout.height - many.layout.margin.t - PERIOD_AXIS_ROOM - LEGEND_ROW * 15
    assert plot >= PLOT_AT_LEAST
    assert many.layout.height > DEFAULT_HEIGHT


def test_multi_trend_note_names_only_the_kinds_of_gap_shown():
    only_c = " ".join(chart_words(make_multi_trend()))
    assert "suppressed to protect children's privacy" in only_c
    assert "not available" not in only_c
    frame = compare_frame()
    frame["symbol"] = frame["symbol"].replace("c", "x")
    only_x = multi_trend_chart(
        frame, council_code="E10000016", title=TITLE, unit="percent", decimals=0
    )
    texts = " ".join(chart_words(only_x))
    assert "not available" in texts
    assert "privacy" not in texts and "suppressed" not in texts


# ------------------------------------------------------------------ ranking


def test_ranking_lower_is_better_puts_the_lowest_first_and_suppressed_last():
    order = [plain(label) for label in bar_order(make_ranking("lower is better"))]
    assert order[0] == "Worcestershire"  # 7%
    assert order[1] == "Hampshire"  # 8%
    assert order[-2] == "Leicestershire"  # 14%
    assert order[-1] == "Nottinghamshire"  # suppressed


def test_ranking_higher_is_better_puts_the_highest_first():
    order = [plain(label) for label in bar_order(make_ranking("higher is better"))]
    assert order[:2] == ["Leicestershire", "Lancashire"]
    assert order[-2:] == ["Worcestershire", "Nottinghamshire"]


def test_ranking_without_polarity_puts_the_highest_first():
    order = [plain(label) for label in bar_order(make_ranking("none"))]
    assert order[0] == "Leicestershire"


def test_ranking_rejects_an_unknown_polarity():
    with pytest.raises(ValueError, match="polarity"):
        make_ranking("bigger")


def test_ranking_highlights_the_council_in_blue_and_bold():
    fig = make_ranking()
    council = trace(fig, "Kent (your council)")
    assert council.marker.color == COUNCIL
    assert len(council.x) == 1 and council.x[0] == 12.0
    (label,) = council.y
    assert "<b>" in label and "Kent (your council)" in label
    others = trace(fig, "Similar councils")
    assert others.marker.color == OTHER
    assert not any("your council" in y for y in others.y)
    assert list(council.text) == ["12%"]


def test_ranking_lists_a_suppressed_council_with_the_word_and_no_bar():
    fig = make_ranking()
    others = trace(fig, "Similar councils")
    index = list(others.y).index("Nottinghamshire")
    assert others.x[index] is None
    notes = [a for a in fig.layout.annotations if a.text == "suppressed"]
    assert len(notes) == 1
    assert bar_order(fig)[int(notes[0].y)] == "Nottinghamshire"


def test_ranking_gap_for_x_says_not_available_and_its_hover_explains_c():
    fig = make_ranking()
    (note,) = [a for a in fig.layout.annotations if a.text == "suppressed"]
    assert note.hovertext == "Nottinghamshire: suppressed to protect children's privacy"
    frame = ranking_frame()
    frame["symbol"] = frame["symbol"].replace("c", "x")
    texts = annotation_texts(make_ranking(frame=frame))
    assert "not available" in texts and "suppressed" not in texts


def test_ranking_has_labelled_england_and_neighbour_average_lines():
    fig = make_ranking()
    lines = {(s.x0, s.line.color, s.line.dash) for s in fig.layout.shapes}
    assert (10.0, ENGLAND, "dashdot") in lines
    assert (11.0, NEIGHBOURS, "dash") in lines
    texts = [plain(t) for t in annotation_texts(fig)]
    assert "England 10%" in texts
    assert "Similar councils (average) 11%" in texts
    # In the legend too, as lines with their dash.
    assert trace(fig, "England 10%").line.dash == "dashdot"
    assert trace(fig, "Similar councils (average) 11%").line.dash == "dash"


def test_ranking_without_reference_values_draws_no_lines():
    fig = ranking_chart(
        ranking_frame(),
        council_code="E10000016",
        title=TITLE,
        unit="percent",
        decimals=0,
        polarity="lower is better",
        england=None,
        neighbour_average=NAN,
    )
    assert len(fig.layout.shapes) == 0


def test_ranking_bars_start_at_zero_for_rates():
    frame = ranking_frame().assign(value=[60.0, 55, 70, 80, 65, NAN, 58, 62, 75, 90, 50])
    fig = ranking_chart(
        frame,
        council_code="E10000016",
        title="Children looked after per 10,000 children aged under 18",
        unit="rate per 10,000",
        decimals=0,
        polarity="none",
        england=70.0,
        neighbour_average=66.0,
    )
    assert fig.layout.xaxis.range[0] == 0


# ------------------------------------------------------------------ funnel


def test_funnel_limits_are_those_of_indicators_compare():
    fig = make_funnel()
    for name, z in (("95% limits", Z_95), ("99.8% limits", Z_998)):
        curve = trace(fig, name)
        x, y = list(curve.x), list(curve.y)
        split = x.index(None)
        upper_x, upper_y = x[:split], y[:split]
        lower_x, lower_y = x[split + 1 :], y[split + 1 :]
        assert min(upper_x) == 60.0 and max(upper_x) == 60.0 + 53.0 * 39
        for i in (0, len(upper_x) // 2, len(upper_x) - 1):
            low, high = funnel_limits(10.0, upper_x[i], "percent", z)
            assert upper_y[i] == pytest.approx(high)
            assert lower_y[i] == pytest.approx(low)
            assert lower_x[i] == upper_x[i]
    assert trace(fig, "95% limits").line.dash != trace(fig, "99.8% limits").line.dash


def test_funnel_marks_the_council_and_england():
    fig = make_funnel()
    council = trace(fig, "Kent (your council)")
    assert council.marker.color == COUNCIL
    assert council.marker.size >= 14
    assert list(council.x) == [1850.0] and list(council.y) == [13.2]
    assert "Kent" in council.text[0]
    others = trace(fig, "Other councils")
    assert others.marker.color == OTHER
    assert "Kent" not in [row[0] for row in others.customdata]
    assert len(others.x) == 40
    england = trace(fig, "England 10%")
    assert set(england.y) == {10.0}
    assert fig.layout.xaxis.title.text == "Number of children (denominator)"
    assert fig.layout.yaxis.range[0] == 0


def test_funnel_says_why_the_council_has_no_point():
    points = funnel_frame()
    points = points[points["area_code"] != "E10000016"]
    options = {"council_code": "E10000016", "title": TITLE, "unit": "percent", "decimals": 0}
    x_gap = funnel_chart(points, england=10.0, council_symbol="x", **options)
    (text,) = [t for t in annotation_texts(x_gap) if "no figure" in t]
    assert text == "Your council has no figure to plot: not available"
    c_gap = funnel_chart(points, england=10.0, council_symbol="c", **options)
    assert any("children's privacy" in t for t in annotation_texts(c_gap))
    unknown = funnel_chart(points, england=10.0, **options)
    assert any(t.endswith("not in the data loaded") for t in annotation_texts(unknown))


def test_funnel_for_rates_uses_poisson_limits_and_population_axis():
    fig = make_funnel(unit="rate per 10,000", england=70.0)
    assert fig.layout.xaxis.title.text == "Children aged 0–17"
    curve = trace(fig, "99.8% limits")
    _, high = funnel_limits(70.0, curve.x[0], "rate per 10,000", Z_998)
    assert curve.y[0] == pytest.approx(high)


def test_funnel_refuses_counts():
    with pytest.raises(ValueError, match="percentage or a rate"):
        make_funnel(unit="count")


# ------------------------------------------------------------------ breakdown


def test_breakdown_bars_council_against_hatched_england_in_order():
    fig = make_breakdown()
    council, england = trace(fig, "Kent"), trace(fig, "England")
    assert council.type == england.type == "bar"
    assert council.orientation == england.orientation == "h"
    assert council.marker.color == COUNCIL
    assert england.marker.pattern.shape == "/"
    assert england.marker.pattern.fgcolor == ENGLAND
    categories = [plain(c.replace("<br>", " ")) for c in council.y]
    assert categories == list(breakdown_frame()["category"])
    assert bar_order(fig) == list(council.y)
    assert list(council.text[:2]) == ["68%", "3%"]
    assert council.x[5] is None
    assert "Kent: no data" in annotation_texts(fig)
    low, high = fig.layout.xaxis.range
    largest = max(v for t in (council, england) for v in t.x if v is not None)
    assert low == 0 and largest < high <= 100


def test_breakdown_gap_words_come_from_the_symbol_table():
    frame = breakdown_frame().assign(council_symbol=[None, None, None, None, None, "z"])
    fig = breakdown_chart(frame, title="Where children live", unit="percent", council_name="Kent")
    (note,) = [a for a in fig.layout.annotations if a.text.startswith("Kent:")]
    assert note.text == "Kent: not applicable"
    assert note.hovertext == "Kent, Other residential settings: not applicable"


def test_percentage_bars_start_at_zero_and_stop_past_the_largest_value_and_references():
    fig = make_ranking("lower is better")  # councils 7–14 %, England 10 %
    low, high = fig.layout.xaxis.range
    assert low == 0
    assert 14 < high < 30
    assert (high - low) / fig.layout.xaxis.dtick <= 7  # a few round ticks
    high_england = make_ranking("lower is better", england=40.0)
    assert high_england.layout.xaxis.range[1] > 40


# ------------------------------------------------------------------ all charts


def all_charts() -> dict[str, go.Figure]:
    return {
        "trend": make_trend(),
        "ranking": make_ranking(),
        "funnel": make_funnel(),
        "breakdown": make_breakdown(),
        "multi_trend": make_multi_trend(),
    }


def council_traces(fig: go.Figure) -> list:
    return [t for t in fig.data if t.name in ("Kent", "Kent (your council)")]


def test_council_is_the_same_blue_on_every_chart():
    for kind, fig in all_charts().items():
        (council,) = council_traces(fig)
        assert council.marker.color == COUNCIL, kind
    assert COUNCIL == "#0072B2"


def test_layout_is_readable_and_the_legend_sits_below():
    for kind, fig in all_charts().items():
        layout = fig.layout
        assert layout.font.size >= 13, kind
        assert layout.legend.orientation == "h", kind
        assert layout.legend.yanchor == "bottom" and layout.legend.y == 0, kind
        assert layout.paper_bgcolor == "#FFFFFF"
        assert "sendChartToCloud" in layout.modebar.remove
        assert layout.title.text and "<b>" not in layout.title.text
        for axis in (layout.xaxis, layout.yaxis):
            assert axis.tickfont.size >= 13, kind
        for note in layout.annotations:
            assert note.font.size is None or note.font.size >= 13, kind
        for item in fig.data:
            for font in ("textfont", "insidetextfont", "outsidetextfont"):
                size = getattr(getattr(item, font, None), "size", None)
                assert size is None or size >= 13, (kind, item.name, font)


def test_long_titles_wrap():
    fig = make_trend(title="A very long indicator title " * 5)
    assert "<br>" in fig.layout.title.text


def test_plotly_config_hides_the_logo():
    assert PLOTLY_CONFIG["displaylogo"] is False
    assert PLOTLY_CONFIG["showSendToCloud"] is False


def test_unknown_unit_is_refused():
    with pytest.raises(ValueError, match="unit"):
        make_trend(unit="percentage")


def test_sparkline_values_turn_nan_into_gaps():
    values = sparkline_values(pd.Series([1.0, NAN, 3.5, None]))
    assert values == [1.0, None, 3.5, None]


def test_charts_package_does_not_import_streamlit():
    for source in Path(palette.__file__).parent.glob("*.py"):
        for line in source.read_text(encoding="utf-8").splitlines():
            assert not line.lstrip().startswith(("import streamlit", "from streamlit")), source


# ------------------------------------------------------------------ PNG


def test_png_export_without_chromium_says_what_to_install(monkeypatch):
    monkeypatch.setattr(png, "_started", False)
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    with pytest.raises(RuntimeError, match="install Debian's chromium package"):
        figure_to_png(make_trend())


def test_png_engine_starts_without_mathjax_or_any_other_script_from_the_network(monkeypatch):
    """kaleido's default page loads MathJax from a public CDN: the app runs with no network."""
    import kaleido

    calls = []
    monkeypatch.setattr(png, "_started", False)
    monkeypatch.setattr(png, "chromium_path", lambda: "/usr/bin/chromium")
    monkeypatch.setattr(kaleido, "start_sync_server", lambda *a, **k: calls.append((a, k)))
    monkeypatch.setattr(png, "_render", lambda fig, opts: b"\x89PNG")
    figure_to_png(make_trend())
    ((_, kwargs),) = calls
    assert kwargs.get("mathjax") is False
    page = kaleido.PageGenerator(
        plotly=kwargs.get("plotlyjs"), mathjax=kwargs["mathjax"]
    ).generate_index()
    assert "mathjax" not in page.lower()
    assert "http://" not in page and "https://" not in page, page


@pytest.mark.slow
@needs_chromium
def test_the_real_engine_page_loads_nothing_from_the_network_and_still_draws(tmp_path):
    """In a process of its own (one engine per process): the page kaleido writes for
    its browser names only local files, and a PNG still comes back."""
    import subprocess
    import sys

    script = (
        "import kaleido._page_generator as g\n"
        "pages = []\n"
        "original = g.PageGenerator.generate_index\n"
        "def keep(self):\n"
        "    pages.append(original(self))\n"
        "    return pages[-1]\n"
        "g.PageGenerator.generate_index = keep\n"
        "import plotly.graph_objects as go\n"
        "from charts.png import figure_to_png\n"
        "data = figure_to_png(go.Figure(go.Scatter(x=[1, 2], y=[3, 4])), 400, 300)\n"
        "assert data.startswith(b'\\x89PNG'), data[:10]\n"
        "print('PAGES', len(pages))\n"
        "print(pages[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "PAGES 1" in result.stdout
    page = result.stdout.split("PAGES 1", 1)[1]
    assert "<script" in page
    assert "http://" not in page and "https://" not in page, page


@pytest.mark.slow
@needs_chromium
def test_figure_to_png_returns_png_bytes():
    started = time.perf_counter()
    data = figure_to_png(make_trend(), width=800, height=450)
    assert data.startswith(b"\x89PNG")
    assert time.perf_counter() - started < 60


@pytest.mark.slow
@needs_chromium
def test_every_chart_renders_to_png_for_a_look():
    """Writes test-artifacts/charts_*.png: open them to check the charts by eye."""
    ARTIFACTS.mkdir(exist_ok=True)
    figures = all_charts()
    figures["trend_count"] = make_trend(
        frame=count_trend_frame(), unit="count", title="Children looked after on 31 March"
    )
    for kind, fig in figures.items():
        data = figure_to_png(fig)
        assert data.startswith(b"\x89PNG"), kind
        assert len(data) > 10_000, kind  # a drawn chart, not a blank page
        (ARTIFACTS / f"charts_{kind}.png").write_bytes(data)


# ------------------------------------------------------------------ data text shown literally
MARKUP_NAME = '<a href="http://example.invalid">Kent</a> <b>&amp;</b>'
ESCAPED_NAME = '&lt;a href="http://example.invalid"&gt;Kent&lt;/a&gt; &lt;b&gt;&amp;amp;&lt;/b&gt;'
MARKUP_TITLE = '<a href="http://example.invalid/t">Trained</a>'


def figure_strings(fig: go.Figure) -> list[str]:
    """Every string in the figure's JSON (titles, names, labels, hover text, annotations)."""
    return all_strings(fig.to_plotly_json())


def renamed(frame: pd.DataFrame, code: str = "E10000016") -> pd.DataFrame:
    frame = frame.copy()
    frame.loc[frame["area_code"] == code, "area_name"] = MARKUP_NAME
    # A neighbour with no figure: its name is in a note's hover text too.
    frame.loc[frame["area_code"] == "E10000024", "area_name"] = MARKUP_NAME + " 2"
    return frame


MARKUP_CHARTS = {
    "trend": lambda: make_trend(council_name=MARKUP_NAME, title=MARKUP_TITLE),
    "multi_trend": lambda: multi_trend_chart(
        renamed(compare_frame()), council_code="E10000016", title=MARKUP_TITLE,
        unit="percent", decimals=0,
    ),
    "ranking": lambda: ranking_chart(
        renamed(ranking_frame()), council_code="E10000016", title=MARKUP_TITLE,
        unit="percent", decimals=0, polarity="lower is better", england=10.0,
        neighbour_average=11.0,
    ),
    "funnel": lambda: funnel_chart(
        renamed(funnel_frame()), council_code="E10000016", title=MARKUP_TITLE,
        unit="percent", england=10.0, decimals=0,
    ),
    "breakdown": lambda: breakdown_chart(
        breakdown_frame().assign(category=[MARKUP_TITLE, *breakdown_frame()["category"][1:]]),
        title=MARKUP_TITLE, unit="percent", council_name=MARKUP_NAME,
    ),
}  # fmt: skip


@pytest.mark.parametrize("chart", list(MARKUP_CHARTS))
def test_names_and_titles_from_files_are_shown_literally_in_charts(chart):
    """Plotly renders <a href>, <b>, <br> and <span style> in text: data text is escaped."""
    strings = figure_strings(MARKUP_CHARTS[chart]())
    assert not [s for s in strings if "<a " in s or "<b>&amp;" in s], chart
    unwrapped = [s.replace("<br>", " ") for s in strings]  # a long title's line breaks
    assert any("&lt;a href=" in s and "/t" in s for s in unwrapped), "title escaped"
    assert any(ESCAPED_NAME in s for s in strings), "name escaped"


def _council_labels(fig: go.Figure) -> list[str]:
    council = next(t for t in fig.data if t.name == "Kent")
    return [str(label).replace("<b>", "").replace("</b>", "") for label in council.text]


def test_a_long_series_labels_its_first_latest_lowest_and_highest_points_only():
    """Fifteen quarter ends labelled at every point ran into each other ("6363%")."""
    values = [64.0, 63.0, 63.0, 61.0, 59.0, 56.0, 55.0, 57.0, 57.0, 56.0, 56.0, 56.0, 56.0]
    values += [60.0, 62.0]
    quarters = pd.DataFrame(
        {
            "period_label": [f"Q{i:02d}" for i in range(len(values))],
            "council": values,
            "neighbours": [NAN] * len(values),
            "region": [NAN] * len(values),
            "england": [NAN] * len(values),
            "council_symbol": [None] * len(values),
        }
    )
    labels = _council_labels(make_trend(frame=quarters))
    assert [i for i, label in enumerate(labels) if label] == [0, 6, 14]  # 64 is first and highest
    assert labels[0] == "64%" and labels[6] == "55%" and labels[14] == "62%"


def test_a_short_series_labels_every_point():
    labels = _council_labels(make_trend())
    council = next(t for t in make_trend().data if t.name == "Kent")
    assert all(label for label, y in zip(labels, council.y, strict=True) if y is not None)


def test_compare_draws_england_beside_the_chosen_councils_for_a_share_not_a_count():
    """As every line page's trend does: England's figure each year (the same in every
    council's row), after the councils in the legend; a count is compared council with
    council only."""
    england = {2021: 60.0, 2022: 61.0, 2023: 62.0}
    rows = compare_frame().assign(england_value=lambda f: f["year"].map(england))
    share = multi_trend_chart(
        rows, council_code="E10000016", title=TITLE, unit="percent", decimals=0
    )
    [line] = [t for t in share.data if t.name == "England"]
    assert list(line.y) == [60.0, 61.0, 62.0]
    assert line.legendrank > max(t.legendrank for t in share.data if t.name != "England")
    count = multi_trend_chart(rows, council_code="E10000016", title=TITLE, unit="count", decimals=0)
    assert not [t for t in count.data if t.name == "England"]
    # Without England's figures (an older caller's rows) there is no England line.
    assert not [t for t in make_multi_trend().data if t.name == "England"]
