"""The Scorecard page's filter and orders (indicators.scorecard.arrange), on hand-made rows."""

from __future__ import annotations

import pandas as pd
import pytest

from indicators.scorecard import ORDERS, arrange

pytestmark = pytest.mark.pure


def card() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Theme": ["1. Ours", "1. Ours", "6. Stability", "6. Stability", "7. Leavers"],
            "Indicator": ["a", "b", "c", "d", "e"],
            "indicator_id": ["a", "b", "c", "d", "e"],
            "Band": ["✔ A best", "–", "✘ D worst", "◐ C 3rd", "✘ D worst"],
        }
    )


def judged() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "indicator_id": ["a", "b", "c", "d", "e"],
            "judgement": ["strength", "", "concern", "", "concern"],
            "weight": [1, 0, 1, 0, 3],
            "band": ["A", None, "D", "C", "D"],
            "direction": ["improving", "up", "worsening", "no change", "improving"],
        }
    )


def shown(**options) -> list[str]:
    return arrange(card(), judged(), **options)["Indicator"].tolist()


def test_the_lines_order_keeps_the_grouping_and_the_columns():
    table = arrange(card(), judged())
    assert table["Indicator"].tolist() == ["a", "b", "c", "d", "e"]
    assert list(table.columns) == list(card().columns)


def test_themes_and_concerns_only_filter():
    assert shown(themes=["6. Stability"]) == ["c", "d"]
    assert shown(concerns_only=True) == ["c", "e"]
    assert shown(themes=["1. Ours"], concerns_only=True) == []


def test_each_order_puts_what_needs_asking_about_first():
    assert shown(order="Concerns first") == ["e", "c", "d", "a", "b"]  # stronger concern first
    assert shown(order="Worst band first") == ["c", "e", "d", "a", "b"]  # no band last
    assert shown(order="Worsening first") == ["c", "d", "a", "e", "b"]  # 'up' has no polarity


def test_within_a_band_the_council_lower_in_the_ranking_comes_first():
    """Every concern in band D used to keep the lines' order whatever the Order box said;
    the council ranked 148th of 148 now comes before the one ranked 114th of 150."""
    standing = judged().assign(
        judgement=["", "", "concern", "", "concern"],
        weight=[0, 0, 2, 0, 2],
        standing=[0.1, None, 114 / 150, 0.6, 148 / 148],
    )
    for order in ("Concerns first", "Worst band first"):
        listed = arrange(card(), standing, order=order)["Indicator"].tolist()
        assert listed[:2] == ["e", "c"], order


def test_an_indicator_in_two_themes_is_listed_once_outside_the_themes_order():
    twice = pd.concat([card(), card().iloc[[2]].assign(Theme="7. Leavers")], ignore_index=True)
    assert arrange(twice, judged())["Indicator"].tolist() == ["a", "b", "c", "d", "e", "c"]
    assert arrange(twice, judged(), order="Concerns first")["Indicator"].tolist() == [
        "e",
        "c",
        "d",
        "a",
        "b",
    ]


def test_an_unknown_order_is_refused():
    assert "Lines of enquiry" in ORDERS
    with pytest.raises(ValueError, match="order must be one of"):
        arrange(card(), judged(), order="Alphabetical")
