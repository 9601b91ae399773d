"""The indicators against DfE's published figures (needs CP_REFERENCE_DATA)."""

from __future__ import annotations

import numpy as np
import pytest

from indicators.compute import all_values
from indicators.scorecard import comparisons, council_scorecard


@pytest.fixture(scope="module")
def real_values(real_2024_2025):
    return all_values(real_2024_2025)


def test_recomputed_rates_round_to_the_published_rates_everywhere(real_values):
    for indicator_id in ("cla_rate_per_10k", "cla_starts_rate_per_10k", "cla_ceased_rate_per_10k"):
        # Councils only: regional and national counts are published rounded to the
        # nearest 10, so their rates cannot always be rebuilt from the printed counts.
        rows = real_values[
            (real_values["indicator_id"] == indicator_id)
            & (real_values["geographic_level"] == "Local authority")
            & real_values["value"].notna()
            & real_values["value_precise"].notna()
        ]
        assert len(rows) > 700, indicator_id  # ~150 councils x 5 years
        rounded = np.floor(rows["value_precise"] + 0.5)
        mismatches = rows[rounded != rows["value"]]
        assert mismatches.empty, mismatches[["area_code", "year", "value", "value_precise"]].head()


def test_england_2025_children_looked_after(real_values):
    england = real_values[(real_values["area_code"] == "E92000001") & (real_values["year"] == 2025)]
    by_id = dict(zip(england["indicator_id"], england["value"], strict=True))
    assert by_id["cla_count"] == 81770
    assert by_id["cla_rate_per_10k"] == 67


def test_buckinghamshire_neighbour_mean_of_the_2025_rate(real_2024_2025):
    card = council_scorecard(real_2024_2025, "825", year=2025)
    row = card.rows.set_index("indicator_id").loc["cla_rate_per_10k"]
    assert row["sn_count"] == 10
    assert round(row["sn_value"], 1) == 47.6
    assert row["sn_model"] == "2025"


def test_rutland_three_plus_placements_is_suppressed_not_zero(real_2024_2025):
    card = council_scorecard(real_2024_2025, "857", year=2025)
    row = card.rows.set_index("indicator_id").loc["placements_3plus_pct"]
    assert row["symbol"] == "c"
    assert np.isnan(row["value"])
    assert "suppressed" in next(s for s in card.sentences if s.startswith("3+ placements in the"))


def test_every_council_has_ranks_and_bands_for_the_latest_rate(real_2024_2025):
    table = comparisons(real_2024_2025)
    latest = table[(table["indicator_id"] == "placements_3plus_pct") & (table["year"] == 2025)]
    with_value = latest[latest["value"].notna()]
    assert with_value["rank"].min() == 1
    assert set(with_value["quartile_band"]) == {"A", "B", "C", "D"}
    assert (with_value["rank_of"] == len(with_value)).all()


def test_a_council_on_a_quartile_of_a_higher_is_better_indicator_takes_the_worse_band(
    real_2024_2025,
):
    """LAIT R/fn_analysis.R calculate_quartile_band, with quartiles from R's quantile()
    over every council's 2025 long-term stability (LAIT R/lait_modules/mod_la_lvl_table.R)."""
    table = comparisons(real_2024_2025)
    rows = table[(table["indicator_id"] == "long_term_stability_pct") & (table["year"] == 2025)]
    rows = rows.set_index("area_code")
    assert tuple(rows[["q1", "median", "q3"]].iloc[0]) == (63, 68, 72)
    # Barnet on Q1, Newham on the median, Birmingham on Q3: each in the band below.
    for code, value, expected in (("302", 63, "D"), ("316", 68, "C"), ("330", 72, "B")):
        assert (rows.loc[code, "value"], rows.loc[code, "quartile_band"]) == (value, expected)


def test_indicators_without_polarity_have_no_rank_and_no_band_for_any_council(real_2024_2025):
    """LAIT R/fn_analysis.R calculate_rank and calculate_quartile_band: "-" for polarity "-"."""
    table = comparisons(real_2024_2025)
    for indicator_id in ("cla_count", "cla_rate_per_10k", "missing_pct"):
        rows = table[table["indicator_id"] == indicator_id]
        assert rows["value"].notna().sum() > 500, indicator_id
        assert rows[["rank", "rank_of", "quartile_band"]].isna().all().all(), indicator_id


def test_rutlands_nine_children_in_long_term_stability_are_too_few_to_be_a_strength(
    real_2024_2025,
):
    card = council_scorecard(real_2024_2025, "857", year=2025)
    row = card.rows.set_index("indicator_id").loc["long_term_stability_pct"]
    assert (row["numerator"], row["denominator"], row["value"]) == (9, 9, 100)  # DfE 2025
    assert not any(s.startswith("Long-term stability") for s in card.summary["strengths"])
    assert any(
        s.startswith("Long-term stability: based on 9 children") for s in card.summary["too_small"]
    )
    text = next(s for s in card.sentences if s.startswith("Long-term stability"))
    assert "100% (9 of 9)" in text and "one child is 11 points" in text


def test_buckinghamshires_one_point_fall_in_stability_is_said_to_be_within_chance(
    real_2024_2025,
):
    card = council_scorecard(real_2024_2025, "825", year=2025)
    text = next(s for s in card.sentences if s.startswith("Long-term stability"))
    assert text.startswith(
        "Long-term stability: 65% (90 of 138) in Buckinghamshire in 2025, worse than 66% the "
        "year before."
    )
    assert "Neither change is larger than chance would explain." in text


def test_no_sentence_for_any_council_writes_a_count_of_one_to_five_children(real_2024_2025):
    import re

    table = comparisons(real_2024_2025)
    for code in ("857", "816", "825"):
        card = council_scorecard(None, code, table=table)
        for text in card.sentences:
            for part, whole in re.findall(r"\((\d[\d,]*) of (\d[\d,]*)\)", text):
                numbers = [int(part.replace(",", "")), int(whole.replace(",", ""))]
                numbers.append(numbers[1] - numbers[0])
                assert not any(1 <= n <= 5 for n in numbers), text
