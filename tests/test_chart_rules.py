"""The chart rules hold on every chart a councillor sees: pages, PNGs and the meeting pack.

Rules (issue "Pages and meeting pack a panel can read right", charts part):

- the value axis fits the data: bars and counts from zero, lines of shares,
  rates and scores zoomed with a note saying where the axis starts, no
  percentage axis past 100 %, a few round ticks (labels never collide);
- a count is never drawn against England's or a region's total;
- every chart names its measure and unit, says what the years are and
  whether higher or lower is better.

The rules themselves (`charts.axes`) are tested on many value sets; then the
figures the stability, care leavers and cohort pages draw (AppTest on the demo
store) and the pack's native charts are checked against the same function.
"""

from __future__ import annotations

import io
import json
import math

import pytest
from conftest import app_caches_cleared, open_app_page, open_every_chart_panel
from pptx import Presentation

from charts import trend_chart
from charts.axes import (
    ACADEMIC_YEAR_TITLE,
    MAX_INTERVALS,
    REPORTING_YEAR_TITLE,
    measure_title,
    names_unit,
    period_axis_title,
    polarity_label,
    reference_allowed,
    trend_columns,
    value_axis,
)
from domain.units import POLARITIES, UNITS, is_share_unit
from exports.pack import PackRequest, build_pack
from indicators.catalogue import grouping, indicator
from indicators.compare import compare_all
from indicators.compute import all_values
from indicators.scorecard import neighbour_lists
from loaders.store import open_store
from ui.line_page import AMONG_SIMILAR

POLARITY_TEXTS = tuple(polarity_label(p) for p in POLARITIES)
AXIS_TITLE_UNITS: dict[str, str] = {}
for _name, _unit in UNITS.items():  # "Number" is a count's (a local "number" shares it)
    AXIS_TITLE_UNITS.setdefault(_unit.axis_title, _name)
COMPARATOR_NAMES = ("England", "Region")

# Value sets as the pages meet them: narrow shares, shares near 100, a council and
# England's total, rates, scores, a flat line, one point, a negative net gain.
VALUE_SETS = [
    ("percent", [6.0, 8.0, 12.0, 9.0]),
    ("percent", [97.0, 99.0, 100.0, 98.5]),
    ("percent", [61.0, 63.0, 64.0]),
    ("percent", [9.0, 9.0, 9.0]),
    ("percent", [0.0, 2.0, 1.0]),
    ("percent", [45.0]),
    ("count", [268.0, 243.0, 38440.0]),
    ("count", [9.0, 11.0]),
    ("count", [-20.0, 35.0]),
    ("rate per 10,000", [58.0, 62.0, 63.5, 70.0]),
    ("score", [13.9, 14.2, 15.0]),
    ("incidents per child", [0.51, 0.7, 0.6]),
    ("rate per 10,000", [1234.5, 1180.0]),
]


def ticks(span) -> list[float]:
    return [span.low + i * span.step for i in range(span.tick_count)]


# ------------------------------------------------------------------ the rules


@pytest.mark.parametrize(("unit", "values"), VALUE_SETS)
@pytest.mark.parametrize("bars", [False, True])
def test_the_axis_holds_every_value_on_a_few_round_ticks(unit, values, bars):
    span = value_axis(values, unit, bars=bars)
    assert span.low <= min(values) and max(values) <= span.high
    intervals = (span.high - span.low) / span.step
    assert intervals == pytest.approx(round(intervals))  # the top is a tick
    assert 1 <= round(intervals) <= MAX_INTERVALS  # a few ticks: labels never collide
    labels = [span.tick_text(t) for t in ticks(span)]
    assert len(set(labels)) == len(labels)  # no two ticks read the same
    if is_share_unit(unit):
        assert span.low >= 0 and span.high <= 100
        assert span.step >= 1


@pytest.mark.parametrize(("unit", "values"), VALUE_SETS)
def test_bars_and_counts_start_at_zero(unit, values):
    assert value_axis(values, unit, bars=True).from_zero
    if unit == "count":
        assert value_axis(values, unit, bars=False).from_zero


def test_a_line_of_narrow_shares_zooms_and_says_where_the_axis_starts():
    span = value_axis([6.0, 8.0, 12.0, 9.0], "percent", bars=False)
    assert 0 < span.low <= 6 and 12 <= span.high <= 20
    assert span.note == f"Axis starts at {span.low:g}%, not zero"
    # The data fill most of the height: not squashed against a fixed 0–100 axis.
    assert (12 - 6) / (span.high - span.low) >= 0.5


def test_a_line_near_zero_starts_at_zero_without_a_note():
    span = value_axis([2.0, 3.0, 4.0], "percent", bars=False)
    assert span.low == 0 and span.note is None


def test_a_line_near_100_percent_stops_at_100():
    span = value_axis([97.0, 100.0], "percent", bars=False)
    assert span.high == 100 and span.low > 0


def test_references_are_on_the_bar_axis():
    span = value_axis([5.0, 7.0], "percent", bars=True, references=[40.0, None, math.nan])
    assert span.high >= 40


def test_a_count_is_drawn_for_the_council_alone():
    assert trend_columns("count") == ("council",)
    assert set(trend_columns("percent")) == {"council", "neighbours", "region", "england"}
    assert not reference_allowed("count", "england")
    assert not reference_allowed("count", "region")
    assert reference_allowed("count", "neighbours")
    assert reference_allowed("rate per 10,000", "england")


def test_titles_name_the_measure_unit_years_and_what_the_years_are():
    assert measure_title("Long-term stability", "percent", ["2022", "2025"]) == (
        "Long-term stability (percentage), 2022 to 2025"
    )
    assert period_axis_title(["2024", "2025"]) == REPORTING_YEAR_TITLE == "Year ending 31 March"
    assert period_axis_title(["2023/24", "2024/25"]) == ACADEMIC_YEAR_TITLE
    # A measure naming its unit is not told it twice.
    assert measure_title("Rate in care per 10,000", "rate per 10,000", ["2025"]) == (
        "Rate in care per 10,000, 2025"
    )
    assert polarity_label("higher is better") == "Higher is better"
    assert polarity_label("none").startswith("Neither")


def test_a_count_trend_drops_england_and_region_even_when_given():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "period_label": ["2024", "2025"],
            "council": [243.0, 268.0],
            "neighbours": [300.0, 331.0],
            "region": [5600.0, 5790.0],
            "england": [37000.0, 38440.0],
            "council_symbol": [None, None],
        }
    )
    fig = trend_chart(
        frame, title="Care leavers", unit="count", decimals=0, council_name="Buckinghamshire"
    )
    assert [t.name for t in fig.data] == ["Buckinghamshire"]
    low, high = fig.layout.yaxis.range
    assert low == 0 and 268 <= high < 1000


# ------------------------------------------------------------------ the pages


def plotly_figures(at) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def figure_checks(spec: dict) -> None:
    """Every rule a page's figure must keep."""
    layout = spec["layout"]
    title = layout["title"]["text"]
    assert title != "Trend over the years"
    words = layout["title"].get("subtitle", {}).get("text", "")
    bars = any(trace.get("type") == "bar" for trace in spec["data"])
    value_key = "xaxis" if bars else "yaxis"
    axis = layout[value_key]
    unit = AXIS_TITLE_UNITS[axis["title"]["text"]]
    assert names_unit(title, unit), title
    assert any(text in words for text in POLARITY_TEXTS), (title, words)
    values = [
        v
        for trace in spec["data"]
        for v in (trace.get("x" if bars else "y") or [])
        if isinstance(v, int | float)
    ]
    span = value_axis(values, unit, bars=bars)
    # The value axis follows the one rule; bars may reach further for a reference line.
    assert axis["range"][0] == pytest.approx(span.low), title
    if bars:
        assert axis["range"][0] <= 0 <= axis["range"][1]
    else:
        assert axis["range"][1] == pytest.approx(span.high), title
        if span.note:
            assert span.note in words
        assert layout["xaxis"]["title"]["text"] in (REPORTING_YEAR_TITLE, ACADEMIC_YEAR_TITLE)
    if is_share_unit(unit):
        assert axis["range"][1] <= 100
    if unit == "count":
        names = [str(trace.get("name", "")) for trace in spec["data"]]
        notes = [str(a.get("text", "")) for a in layout.get("annotations", [])]
        for comparator in COMPARATOR_NAMES:
            assert not any(n.startswith(comparator) for n in names), (title, names)
            assert not any(comparator in n for n in notes), (title, notes)


@pytest.fixture
def page_at(demo_db, monkeypatch):
    monkeypatch.setenv("CP_DB", str(demo_db))
    with app_caches_cleared():
        yield open_app_page


@pytest.mark.parametrize("council", ["172", "151"])
@pytest.mark.parametrize("page", ["stability", "care_leavers", "cohort"])
def test_the_pages_figures_keep_the_chart_rules(page_at, page, council):
    at = page_at(page, council)
    assert plotly_figures(at), f"{page} drew no chart"
    # The page opens with one chart drawn: open every panel (its trend), then its ranking.
    specs = plotly_figures(open_every_chart_panel(at, page, council))
    assert len(specs) >= len(at.segmented_control)
    for spec in specs:
        figure_checks(spec)
    for control in at.segmented_control:
        control.set_value(AMONG_SIMILAR)
    rankings = plotly_figures(at.run())
    assert any(trace["type"] == "bar" for spec in rankings for trace in spec["data"])
    for spec in rankings:
        figure_checks(spec)
    if page == "cohort":  # counts live here: drawn without England's total
        counts = [s for s in specs if s["layout"]["yaxis"]["title"]["text"] == "Number"]
        assert counts


# ------------------------------------------------------------------ the pack


@pytest.fixture(scope="module")
def demo_deck(demo_db_copy):
    con = open_store(demo_db_copy)
    neighbours = neighbour_lists(con)
    table = compare_all(all_values(con), neighbours)
    con.close()
    ids = [
        "cla_count",
        "care_leavers_19_21_count",
        *grouping("lga").theme("stability").indicator_ids[:2],
        "care_leavers_17_18_eet_pct",
        "cla_rate_per_10k",
    ]
    request = PackRequest("172", "Wyrebrook", ids, sn_model="2025", is_demo=True)
    return Presentation(io.BytesIO(build_pack(table, neighbours, request))), ids


def test_the_packs_native_charts_keep_the_chart_rules(demo_deck):
    deck, ids = demo_deck
    slides = [s for s in deck.slides if sum(1 for x in s.shapes if x.has_chart) == 2]
    assert len(slides) == len(ids)
    for slide, indicator_id in zip(slides, ids, strict=True):
        item = indicator(indicator_id)
        trend, ranking = (x.chart for x in slide.shapes if x.has_chart)
        for chart, bars in ((trend, False), (ranking, True)):
            values = [v for s in chart.plots[0].series for v in s.values if v is not None]
            span = value_axis(values, item.unit, bars=bars)
            axis = chart.value_axis
            assert (axis.minimum_scale, axis.maximum_scale) == (span.low, span.high)
            assert axis.major_unit == span.step
            if item.is_share:
                assert axis.maximum_scale <= 100
            if bars:
                assert axis.minimum_scale == 0
            title = chart.chart_title.text_frame.text
            assert names_unit(title, item.unit), title
            assert polarity_label(item.polarity) in title
            if span.note:
                assert span.note in title
        names = [s.name for s in trend.plots[0].series]
        assert names[0] == "Wyrebrook"
        if item.unit == "count":
            assert names == ["Wyrebrook"], (indicator_id, names)  # no England total
        else:
            assert "England" in names
        assert trend.category_axis.axis_title.text_frame.text == REPORTING_YEAR_TITLE


@pytest.mark.parametrize("indicator_id", ["cla_count", "placements_3plus_pct"])
def test_the_compare_pages_figures_keep_the_chart_rules(page_at, indicator_id):
    at = page_at("compare", "172", compare_indicator=indicator_id)
    # One chart per tab. The funnel plot keeps its own axis (its limits, from zero): the
    # other two follow the rules.
    shown = []
    for tab in [t.label for t in at.tabs]:
        at.session_state["compare_chart"] = tab
        shown.extend(plotly_figures(at.run()))
    specs = [
        spec
        for spec in shown
        if not any("limits" in str(trace.get("name", "")) for trace in spec["data"])
    ]
    assert len(specs) == 2  # chosen councils over time, and ranked
    for spec in specs:
        figure_checks(spec)
