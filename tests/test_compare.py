"""Comparisons on small hand-worked fixtures: neighbours, ranks, bands, direction, funnels."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from domain.facts import Selector
from indicators.catalogue import Indicator
from indicators.compare import band, compare_all, direction, funnel_limits, quartiles

pytestmark = pytest.mark.pure

SEL = Selector("d", "", "", "number")


def _indicator(
    id="x",
    polarity="higher is better",
    unit="percent",
    decimals=0,
    denominator=True,
    quartile_bands=True,
):
    return Indicator(
        id=id,
        title=id,
        short_title=id,
        lines=("cohort",),
        unit=unit,
        decimals=decimals,
        polarity=polarity,
        definition="",
        source=SEL,
        questions=("a?", "b?"),
        source_note="",
        numerator=SEL if denominator else None,
        denominator=SEL if denominator else None,
        scale=100.0,
        quartile_bands=quartile_bands,
    )


def _values(rows):
    """rows: (level, code, year, value, symbol, denominator, region_code)."""
    frame = pd.DataFrame(
        rows,
        columns=[
            "geographic_level",
            "area_code",
            "year",
            "value",
            "symbol",
            "denominator",
            "region_code",
        ],
    )
    frame["indicator_id"] = "x"
    frame["area_name"] = frame["area_code"]
    frame["time_period"] = frame["year"].astype(str)
    frame["value_precise"] = math.nan
    frame["numerator"] = math.nan
    frame["release"] = "2025"
    return frame


LA = "Local authority"


def _world(values_2025, values_2024=None, symbols=None):
    """Councils 101..10n in region R1 with the given values, plus region and England rows."""
    rows = [
        ("National", "E92000001", 2025, 50.0, None, 1000.0, None),
        ("Regional", "R1", 2025, 40.0, None, 500.0, None),
        ("Regional", "I1", 2025, 99.0, None, 100.0, None),
    ]  # an Inner-London-like row
    for i, value in enumerate(values_2025):
        code = str(101 + i)
        symbol = (symbols or {}).get(code)
        rows.append((LA, code, 2025, None if symbol else value, symbol, 100.0, "R1"))
    for i, value in enumerate(values_2024 or []):
        rows.append((LA, str(101 + i), 2024, value, None, 100.0, "R1"))
    return _values(rows)


def _neighbours(pairs, model="2025"):
    return pd.DataFrame(
        [(model, a, rank, b) for a, others in pairs.items() for rank, b in enumerate(others, 1)],
        columns=["model", "old_la_code", "sn_rank", "neighbour_old_la_code"],
    )


def test_quartiles_match_excel_quartile_inc():
    assert quartiles(pd.Series([1, 2, 3, 4, 5, 6, 7, 8])) == (2.75, 4.5, 6.25)


def test_quartiles_match_r_quantile_type_7():
    """LAIT R/lait_modules/mod_la_lvl_table.R: quantile(na.rm = TRUE), R's default type 7.

    R: quantile(c(80, 87, 91, 93, 95, NA), na.rm = TRUE) gives 87, 91, 93 for 25/50/75 %.
    """
    assert quartiles(pd.Series([80, 87, 91, 93, 95, math.nan])) == (87.0, 91.0, 93.0)


@pytest.mark.parametrize(
    ("value", "polarity", "expected"),
    [
        (6.26, "higher is better", "A"),
        (6.25, "higher is better", "B"),  # on Q3: the worse band, (Q2, Q3] is B
        (6.24, "higher is better", "B"),
        (4.5, "higher is better", "C"),  # on Q2
        (2.76, "higher is better", "C"),
        (2.75, "higher is better", "D"),  # on Q1: [min, Q1] is D
        (2.74, "higher is better", "D"),
        (2.75, "lower is better", "A"),  # on Q1: [min, Q1] is A
        (2.76, "lower is better", "B"),
        (4.5, "lower is better", "B"),  # on Q2
        (6.25, "lower is better", "C"),  # on Q3
        (6.26, "lower is better", "D"),
        (5.0, "none", None),
    ],
)
def test_band_boundaries(value, polarity, expected):
    """LAIT R/fn_analysis.R calculate_quartile_band: each band is (lower quartile, upper]."""
    assert band(value, 2.75, 4.5, 6.25, polarity) == expected


NINE = [1, 2, 3, 4, 5, 6, 7, 8, 9]  # min 1, Q1 3, Q2 5, Q3 7, max 9: quartiles on values


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        # High: D = [min, Q1], C = (Q1, Q2], B = (Q2, Q3], A = (Q3, max].
        ("higher is better", ["D", "D", "D", "C", "C", "B", "B", "A", "A"]),
        # Low: A = [min, Q1], B = (Q1, Q2], C = (Q2, Q3], D = (Q3, max].
        ("lower is better", ["A", "A", "A", "B", "B", "C", "C", "D", "D"]),
    ],
)
def test_bands_in_the_table_for_values_on_min_quartiles_and_max(polarity, expected):
    """LAIT R/fn_analysis.R calculate_quartile_band, quartiles over all councils with a value."""
    table = compare_all(_world(NINE), _neighbours({}), indicators=(_indicator(polarity=polarity),))
    assert (table["q1"].iloc[0], table["median"].iloc[0], table["q3"].iloc[0]) == (3, 5, 7)
    assert list(table.sort_values("value")["quartile_band"]) == expected


def test_a_council_on_the_median_of_a_higher_is_better_indicator_is_band_c():
    """LAIT R/fn_analysis.R calculate_quartile_band: quartiles 87/91/93, a council at 91 is C."""
    table = compare_all(_world([80, 87, 91, 93, 95]), _neighbours({}), indicators=(_indicator(),))
    bands = dict(zip(table["value"], table["quartile_band"], strict=True))
    assert bands == {80: "D", 87: "D", 91: "C", 93: "B", 95: "A"}


@pytest.mark.parametrize(
    ("polarity", "ranks", "bands"),
    [
        ("higher is better", [9, 6, 6, 6, 5, 2, 2, 2, 1], "DDDDCBBBA"),
        ("lower is better", [1, 2, 2, 2, 5, 6, 6, 6, 9], "AAAABCCCD"),
    ],
)
def test_tied_councils_share_the_lowest_rank_and_the_same_band(polarity, ranks, bands):
    """LAIT R/fn_analysis.R calculate_rank (ties.method = "min") and calculate_quartile_band."""
    values = [2, 4, 4, 4, 6, 8, 8, 8, 10]  # Q1 4, Q2 6, Q3 8: the ties sit on quartiles
    table = compare_all(
        _world(values), _neighbours({}), indicators=(_indicator(polarity=polarity),)
    ).sort_values("value")
    assert list(table["rank"]) == ranks
    assert "".join(table["quartile_band"]) == bands


def test_the_table_and_the_single_value_band_agree():
    """LAIT R/fn_analysis.R calculate_quartile_band, vectorised here: same answer both ways."""
    for polarity in ("higher is better", "lower is better"):
        table = compare_all(
            _world([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5]),
            _neighbours({}),
            indicators=(_indicator(polarity=polarity),),
        )
        for _, row in table.iterrows():
            assert row["quartile_band"] == band(
                row["value"], row["q1"], row["median"], row["q3"], polarity
            )


def test_an_indicator_without_polarity_has_no_rank_and_no_band():
    """LAIT R/fn_analysis.R calculate_rank gives "-" and calculate_quartile_band "-"
    when the polarity is neither High nor Low."""
    table = compare_all(
        _world([10, 20, 30, 40]), _neighbours({}), indicators=(_indicator(polarity="none"),)
    )
    assert table["rank"].isna().all()
    assert table["rank_of"].isna().all()
    assert table["quartile_band"].isna().all()
    # The spread of councils is still there to describe, and the values to sort by.
    assert table["median"].iloc[0] == 25


def test_an_indicator_lait_does_not_band_is_ranked_but_not_banded():
    """LAIT global.R no_qb_indicators (dictionary No_Quartile = "N") and R/fn_analysis.R
    calculate_quartile_band(no_show_qb = TRUE): "-" for the band, the rank as usual."""
    table = compare_all(
        _world([10, 20, 30, 40]), _neighbours({}), indicators=(_indicator(quartile_bands=False),)
    )
    assert dict(zip(table["value"], table["rank"], strict=True)) == {10: 4, 20: 3, 30: 2, 40: 1}
    assert table["quartile_band"].isna().all()


def test_ties_share_the_lowest_rank_and_rank_of_counts_councils_with_data():
    """LAIT R/fn_analysis.R calculate_rank: rank(-x, ties.method = "min"), NA rank for NA."""
    table = compare_all(
        _world([10, 20, 20, 30, 5], symbols={"105": "c"}),
        _neighbours({}),
        indicators=(_indicator(),),
    )
    ranks = dict(zip(table["area_code"], table["rank"], strict=True))
    assert ranks["104"] == 1 and ranks["102"] == 2 and ranks["103"] == 2 and ranks["101"] == 4
    assert pd.isna(ranks["105"])
    assert set(table["rank_of"]) == {4}


def test_lower_is_better_ranks_the_smallest_first():
    """LAIT R/fn_analysis.R calculate_rank: rank(x, ties.method = "min") for "Low"."""
    table = compare_all(
        _world([10, 20, 30]), _neighbours({}), indicators=(_indicator(polarity="lower is better"),)
    )
    assert dict(zip(table["area_code"], table["rank"], strict=True)) == {
        "101": 1,
        "102": 2,
        "103": 3,
    }


def test_neighbour_mean_and_median_skip_missing_and_suppressed_neighbours():
    world = _world([10, 20, 40, 90, 7], symbols={"105": "c"})
    lists = _neighbours({"101": ["102", "103", "104", "105", "999"]})
    mean = compare_all(world, lists, indicators=(_indicator(),))
    row = mean[mean["area_code"] == "101"].iloc[0]
    assert row["sn_value"] == pytest.approx(50.0)  # (20 + 40 + 90) / 3
    assert row["sn_count"] == 3
    assert row["sn_model"] == "2025"
    median = compare_all(world, lists, sn_method="median", indicators=(_indicator(),))
    assert median.loc[median["area_code"] == "101", "sn_value"].item() == 40.0
    # A council without a list has no neighbour value, and says so.
    other = mean[mean["area_code"] == "102"].iloc[0]
    assert pd.isna(other["sn_value"]) and other["sn_count"] == 0 and pd.isna(other["sn_model"])


def test_neighbour_model_is_selectable_and_defaults_to_the_newest():
    world = _world([10, 20, 30])
    lists = pd.concat(
        [_neighbours({"101": ["102"]}, "2021"), _neighbours({"101": ["103"]}, "2025")]
    )
    newest = compare_all(world, lists, indicators=(_indicator(),))
    assert newest.loc[newest["area_code"] == "101", "sn_value"].item() == 30
    older = compare_all(world, lists, sn_model="2021", indicators=(_indicator(),))
    assert older.loc[older["area_code"] == "101", "sn_value"].item() == 20


def test_region_and_england_are_the_published_rows():
    table = compare_all(_world([10, 20]), _neighbours({}), indicators=(_indicator(),))
    assert set(table["region_value"]) == {40.0}  # R1's row, never I1's
    assert set(table["england_value"]) == {50.0}


@pytest.mark.parametrize(
    ("now", "before", "polarity", "expected"),
    [
        (12, 10, "higher is better", "improving"),
        (8, 10, "higher is better", "worsening"),
        (8, 10, "lower is better", "improving"),
        (10.4, 10.0, "higher is better", "no change"),  # same at the published precision
        (12, 10, "none", "up"),
        (8, 10, "none", "down"),
        (math.nan, 10, "higher is better", "not comparable"),
    ],
)
def test_direction_of_travel(now, before, polarity, expected):
    assert direction(now, before, 0, polarity) == expected


def test_direction_in_the_table_uses_the_previous_year_and_handles_suppression():
    world = _world([12, 8, 10], [10, 10, 10], symbols={"103": "c"})
    table = compare_all(
        world, _neighbours({}), indicators=(_indicator(polarity="lower is better"),)
    )
    latest = table[table["year"] == 2025].set_index("area_code")
    assert latest.loc["101", "direction"] == "worsening"
    assert latest.loc["102", "direction"] == "improving"
    assert latest.loc["103", "direction"] == "not comparable"
    assert latest.loc["101", "previous_value"] == 10


def test_funnel_limits_hand_worked():
    # Percentage: England 10 %, n = 100: standard error 3 points.
    low, high = funnel_limits(10.0, 100, "percent", 1.959964)
    assert (round(low, 2), round(high, 2)) == (4.12, 15.88)
    # Rate per 10,000: England 50, population 10,000: expected 50 children, SE = sqrt(50).
    low, high = funnel_limits(50.0, 10_000, "rate per 10,000", 1.959964)
    assert (round(low, 2), round(high, 2)) == (36.14, 63.86)


def test_funnel_flags_in_the_table():
    # England 50 %, every council n = 100: 95 % limits 40.2..59.8, 99.8 % 34.5..65.5.
    table = compare_all(_world([50, 62, 70, 38, 20]), _neighbours({}), indicators=(_indicator(),))
    flags = dict(zip(table["area_code"], table["funnel_flag"], strict=True))
    assert flags == {
        "101": "within",
        "102": "above (95%)",
        "103": "well above (99.8%)",
        "104": "below (95%)",
        "105": "well below (99.8%)",
    }


def test_scores_and_counts_get_no_funnel():
    table = compare_all(
        _world([50, 70]), _neighbours({}), indicators=(_indicator(unit="score", denominator=False),)
    )
    assert set(table["funnel_flag"]) == {""}


def test_the_compare_table_has_englands_figure_each_year_for_a_share():
    from indicators.catalogue import indicator
    from indicators.views import compare_trend_table

    rows = pd.DataFrame(
        {
            "area_code": ["1", "2", "1", "2"],
            "area_name": ["One", "Two", "One", "Two"],
            "year": [2024, 2024, 2025, 2025],
            "time_period": ["2024", "2024", "2025", "2025"],
            "period_label": ["2024", "2024", "2025", "2025"],
            "value": [10.0, 12.0, 11.0, 13.0],
            "symbol": [None] * 4,
            "england_value": [9.0, 9.0, 10.0, 10.0],
        }
    )
    table = compare_trend_table(rows, indicator("placements_3plus_pct"))
    assert list(table.columns) == ["Year", "One", "Two", "England"]
    assert list(table["England"]) == ["9%", "10%"]
    counts = compare_trend_table(rows, indicator("cla_count"))
    assert "England" not in counts.columns
