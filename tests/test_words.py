"""One vocabulary: children beside every percentage, bands and ranks in words, one name
for statistical neighbours, and no abbreviation without its plain words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from domain.wording import (
    BAND_MEANINGS,
    NEIGHBOURS_NAME,
    PLAIN_WORDS,
    band_words,
    rank_words,
)
from indicators import views
from indicators.formatting import base_words, figure_with_count, n_of_N

pytestmark = pytest.mark.pure

GLOSSARY = Path(__file__).resolve().parents[1] / "docs" / "GLOSSARY.md"


def test_n_of_N_beside_a_percentage_and_children_beside_a_rate():
    assert n_of_N(50, 522, "percent") == "50 of 522"
    assert figure_with_count(10.0, None, "percent", 0, 50, 522) == "50 of 522 (10%)"
    assert figure_with_count(40.0, None, "rate per 10,000", 0, 522, 130_000) == (
        "40 (522 children)"
    )
    assert n_of_N(7, 7, "percent", "young people") == "7 of 7"
    assert n_of_N(1_234, 5_678, "percent") == "1,234 of 5,678"


@pytest.mark.parametrize(
    ("numerator", "denominator"),
    [(3, 40), (37, 40), (5, 5), (1, 30), (None, 30), (30, None)],
)
def test_no_count_small_enough_to_identify_a_child_is_shown(numerator, denominator):
    assert n_of_N(numerator, denominator, "percent") == ""
    shown = figure_with_count(50.0, None, "percent", 0, numerator, denominator)
    assert shown == "50%"


def test_zeros_are_shown_and_a_suppressed_figure_keeps_its_word():
    assert n_of_N(0, 41, "percent") == "0 of 41"
    assert figure_with_count(None, "c", "percent", 0, 9, 9) == "suppressed"
    assert n_of_N(50, 522, "count") == ""  # a count is already the number of children


def test_the_base_in_words():
    assert base_words(9, 9, "percent") == "9 children (one child is 11 points)"
    assert base_words(7, 7, "percent", "young people") == (
        "7 young people (one young person is 14 points)"
    )
    # 8 of 10 would give back the 2 not counted: the base is given to the next ten up.
    assert (
        base_words(8, 10, "percent") == "fewer than 20 children (one child is more than 5 points)"
    )
    assert (
        base_words(3, 4, "percent") == "fewer than 10 children (one child is more than 10 points)"
    )


def test_band_letters_and_ranks_are_worded_by_meaning():
    assert band_words("A") == "A (best quarter)"
    assert band_words("D") == "D (worst quarter)"
    assert band_words(None) == band_words("") == ""
    assert set(BAND_MEANINGS) == set("ABCD")
    assert rank_words(58, 151) == "58 of 151 (1 = best)"
    assert rank_words(None, 151) == ""


def test_the_funnel_table_says_its_flags_in_words():
    item = views.indicator("long_term_stability_pct")
    import pandas as pd

    points = pd.DataFrame(
        {
            "area_code": ["1", "2"],
            "area_name": ["A", "B"],
            "value": [50.0, 90.0],
            "denominator": [100.0, 200.0],
            "funnel_flag": ["within", "well above (99.8%)"],
        }
    )
    table = views.funnel_table(points, item)
    assert "Denominator" not in table.columns
    words = list(table["Against England, allowing for chance"])
    assert words == [
        "within what chance would explain",
        "higher, far more than chance would explain",
    ]
    assert not any("%)" in w for w in words)


def test_one_name_for_statistical_neighbours():
    assert "similar councils" in NEIGHBOURS_NAME and "statistical neighbours" in NEIGHBOURS_NAME
    assert views.NEIGHBOURS_COLUMN == "Similar councils"
    trend_columns = views.trend_table(
        views.trend(_empty_table(), "foster_pct", "1"), views.indicator("foster_pct"), "A"
    ).columns
    assert "Similar councils (average)" in trend_columns
    assert not any("Statistical neighbours" in c for c in trend_columns)


def _empty_table():
    import pandas as pd

    from indicators.compare import COMPARISON_COLUMNS

    return pd.DataFrame(columns=COMPARISON_COLUMNS)


def test_every_abbreviation_has_plain_words_in_the_glossary():
    text = GLOSSARY.read_text(encoding="utf-8")
    for abbreviation in PLAIN_WORDS:
        assert re.search(rf"\b{re.escape(abbreviation)}\b", text, re.IGNORECASE), abbreviation


def test_a_ranking_table_gives_each_councils_children_but_never_a_small_count():
    import pandas as pd

    item = views.indicator("placements_3plus_pct")
    rows = pd.DataFrame(
        {
            "area_code": ["1", "2"],
            "area_name": ["A", "B"],
            "value": [10.0, 8.0],
            "symbol": [None, None],
            "rank": pd.array([2, 1], dtype="Int64"),
            "rank_of": pd.array([2, 2], dtype="Int64"),
            "numerator": [50.0, 4.0],
            "denominator": [522.0, 50.0],
        }
    )
    table = views.ranking_table(rows, item)
    figures = dict(zip(table["Council"], table["Figure"], strict=True))
    assert figures == {"A": "50 of 522 (10%)", "B": "8%"}
