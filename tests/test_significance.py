"""Is it more than chance? The change tests and the small-base rule, worked by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from indicators import significance
from indicators.compare import compare_all
from indicators.significance import (
    BEYOND_95,
    BEYOND_998,
    TOO_SMALL,
    WITHIN_CHANCE,
    change_level,
    change_z,
    england_level,
    enough_for_england_test,
    points_per_child,
)

pytestmark = pytest.mark.pure


def test_two_proportion_z_hand_worked():
    # 50/100 against 40/100: pooled p 0.45, SE √(0.45·0.55·(1/100 + 1/100)) = 0.070356.
    assert change_z(50, 100, 40, 100, "percent") == pytest.approx(0.1 / 0.070356, rel=1e-4)
    # 60/100 against 40/100: pooled p 0.5, SE 0.070711, z 2.828: beyond 95 %, not 99.8 %.
    assert change_z(60, 100, 40, 100, "percent") == pytest.approx(2.8284, rel=1e-4)
    assert change_level(50, 100, 40, 100, "percent") == WITHIN_CHANCE
    assert change_level(60, 100, 40, 100, "percent") == BEYOND_95
    assert change_level(40, 100, 60, 100, "percent") == BEYOND_95  # either way round


def test_poisson_rate_z_hand_worked():
    # 100 children in 10,000 against 60 in 10,000: pooled rate 0.008,
    # SE √(0.008·(2/10,000)) = 0.0012649, difference 0.004: z 3.162, beyond 99.8 %.
    z = change_z(100, 10_000, 60, 10_000, "rate per 10,000")
    assert z == pytest.approx(3.1623, rel=1e-4)
    assert change_level(100, 10_000, 60, 10_000, "rate per 10,000") == BEYOND_998


def test_a_change_on_too_few_children_is_not_tested():
    # 9 of 9 against 6 of 9: fewer than 5 expected on the 'not' side.
    assert change_z(9, 9, 6, 9, "percent") is None
    assert change_level(9, 9, 6, 9, "percent") == TOO_SMALL
    # Without a base nothing can be said, and scores are never tested.
    assert change_level(None, None, 6, 9, "percent") is None
    assert change_level(10, 20, 12, 20, "score") is None


def test_england_comparison_needs_five_expected_children_each_side():
    # Rutland's long-term stability: 9 children, England 69 %: 9 × 0.31 = 2.8 expected.
    assert enough_for_england_test(69.0, 9, "percent") is False
    assert england_level("above (95%)", 69.0, 9, "percent") == TOO_SMALL
    # Buckinghamshire's: 138 children.
    assert enough_for_england_test(69.0, 138, "percent") is True
    assert england_level("within", 69.0, 138, "percent") == WITHIN_CHANCE
    assert england_level("well below (99.8%)", 69.0, 138, "percent") == BEYOND_998
    # A rate: 40 per 10,000 of 1,000 children expects 4.
    assert enough_for_england_test(40.0, 1_000, "rate per 10,000") is False
    assert enough_for_england_test(40.0, 10_000, "rate per 10,000") is True
    assert enough_for_england_test(40.0, None, "percent") is None


def test_one_child_in_points():
    assert points_per_child(9, "percent") == pytest.approx(11.11, rel=1e-3)
    assert points_per_child(9, "rate per 10,000") is None


def test_the_thresholds_are_the_funnel_plots():
    assert significance.level(1.95) == WITHIN_CHANCE
    assert significance.level(-1.97) == BEYOND_95
    assert significance.level(3.1) == BEYOND_998
    assert significance.level(math.nan) is None


def test_the_comparison_table_carries_the_earlier_figure_three_to_five_years_back():
    from tests.test_compare import _indicator, _neighbours

    rows = []
    for year, value in ((2018, 30.0), (2020, 40.0), (2021, 45.0), (2024, 50.0), (2025, 55.0)):
        rows.append(("Local authority", "101", year, value, 10.0 * year % 7, 100.0))
    frame = pd.DataFrame(
        rows, columns=["geographic_level", "area_code", "year", "value", "numerator", "denominator"]
    )
    frame = frame.assign(
        indicator_id="x",
        area_name="A",
        time_period=frame["year"].astype(str),
        value_precise=math.nan,
        symbol=None,
        region_code="R1",
        release="2025",
    )
    table = compare_all(frame, _neighbours({}), indicators=(_indicator(),)).set_index("year")
    # 2025: 2020 is five years back (2018 is seven); 2024: 2021 is three back, 2020 four:
    # the earliest in the window is kept.
    assert table.loc[2025, "earlier_year"] == 2020 and table.loc[2025, "earlier_value"] == 40.0
    assert table.loc[2024, "earlier_year"] == 2020
    assert table.loc[2021, "earlier_year"] == 2018
    assert pd.isna(table.loc[2020, "earlier_year"])  # 2015 to 2017: nothing
    assert table.loc[2025, "previous_numerator"] == table.loc[2024, "numerator"]
    assert table.loc[2025, "earlier_denominator"] == 100.0
