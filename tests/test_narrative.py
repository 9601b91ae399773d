"""Sentences a councillor can read aloud, and the strengths-and-concerns summary."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.catalogue import indicator
from indicators.narrative import sentence, strengths_and_concerns

pytestmark = pytest.mark.pure


def _row(**values):
    base = {
        "indicator_id": "placements_3plus_pct",
        "year": 2025,
        "time_period": "2025",
        "value": 12.0,
        "symbol": None,
        "previous_value": 10.0,
        "direction": "worsening",
        "sn_value": 9.4,
        "sn_count": 10,
        "england_value": 10.0,
        "quartile_band": "D",
        "funnel_flag": "above (95%)",
    }
    base.update(values)
    return pd.Series(base)


def test_sentence_states_value_direction_neighbours_and_england_in_words():
    text = sentence(_row(), indicator("placements_3plus_pct"), "Rutland")
    assert text == (
        "3+ placements in the year: 12% in Rutland in 2025, worse than 10% the year before. "
        "That is worse than similar councils (9%, the average of the 10 DfE statistical "
        "neighbours with a figure) and worse than England (10%)."
    )


def test_suppressed_figure_is_explained_not_shown():
    text = sentence(_row(value=None, symbol="c"), indicator("placements_3plus_pct"), "Rutland")
    assert text == (
        "3+ placements in the year: Rutland's figure for 2025 is suppressed to protect "
        "children's privacy."
    )


def test_a_figure_not_available_is_not_called_suppressed():
    # DfE's 'x' (school moves in 2020, for example) is not available, not withheld.
    item = indicator("placements_3plus_pct")
    text = sentence(_row(value=None, symbol="x"), item, "Rutland")
    assert text == "3+ placements in the year: Rutland's figure for 2025 is not available."
    assert "privacy" not in text and "suppressed" not in text
    older = sentence(_row(value=None, symbol=":"), item, "Rutland")
    assert older.endswith("is not available.")


def test_other_symbols_read_as_their_meaning():
    item = indicator("placements_3plus_pct")
    assert sentence(_row(value=None, symbol="z"), item, "Rutland").endswith(
        "Rutland's figure for 2025 is not applicable."
    )
    low = sentence(_row(value=None, symbol="k"), item, "Rutland")
    assert "more than zero but less than 0.5" in low and "privacy" not in low


def test_counts_are_not_compared_with_england_totals():
    row = _row(
        indicator_id="cla_count",
        value=40.0,
        previous_value=35.0,
        direction="up",
        sn_value=120.0,
        england_value=81770.0,
    )
    text = sentence(row, indicator("cla_count"), "Rutland")
    assert "England" not in text
    assert (
        "Similar councils had 120 on average (the 10 DfE statistical neighbours with a figure)."
        in text
    )


def test_academic_years_read_as_such():
    row = _row(
        indicator_id="ks4_attainment8",
        time_period="202425",
        value=19.3,
        previous_value=18.2,
        direction="improving",
        sn_value=18.0,
        england_value=17.3,
    )
    assert "in 2024/25, an improvement on 18.2" in sentence(row, indicator("ks4_attainment8"), "X")


def test_summary_puts_big_differences_first():
    rows = pd.DataFrame(
        [
            _row(),  # concern, 95 % flag + band D
            _row(
                indicator_id="long_term_stability_pct",
                value=80.0,
                england_value=69.0,
                quartile_band="A",
                funnel_flag="well above (99.8%)",
                direction="improving",
                previous_value=75.0,
                sn_value=70.0,
            ),
            _row(
                indicator_id="health_assessment_pct",
                value=91.0,
                england_value=90.0,
                quartile_band="B",
                funnel_flag="within",
            ),  # nothing notable
        ]
    )
    ids = {i: indicator(i) for i in rows["indicator_id"]}
    summary = strengths_and_concerns(rows, ids, "Rutland")
    assert len(summary["strengths"]) == 1 and summary["strengths"][0].startswith("Long-term")
    assert len(summary["concerns"]) == 1 and summary["concerns"][0].startswith("3+ placements")
