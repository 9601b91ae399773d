"""Page-shaped views over a hand-built comparison table: tiles and the year shown."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from domain.units import HIGHER_IS_BETTER, LOWER_IS_BETTER, NO_POLARITY
from indicators import views
from indicators.compare import COMPARISON_COLUMNS

pytestmark = pytest.mark.pure

NAN = math.nan


def comparison_rows(rows: list[dict]) -> pd.DataFrame:
    """A comparison table with the given cells and every other column empty."""
    frame = pd.DataFrame([{column: None for column in COMPARISON_COLUMNS} | row for row in rows])
    for column in ("value", "previous_value", "sn_value", "england_value"):
        frame[column] = frame[column].astype(float)
    return frame


def row(indicator_id: str, year: int, value: float, previous: float, **cells) -> dict:
    return {
        "indicator_id": indicator_id,
        "area_code": "172",
        "area_name": "Wyrebrook",
        "year": year,
        "time_period": cells.pop("time_period", str(year)),
        "value": value,
        "previous_year": year - 1,
        "previous_value": previous,
        **cells,
    }


def test_tile_for_a_share_gives_points_words_neighbours_and_england():
    table = comparison_rows(
        [
            row(
                "foster_pct",
                2025,
                73.0,
                69.0,
                direction="improving",
                sn_value=67.4,
                england_value=68.0,
            )
        ]
    )
    (tile,) = views.headline_tiles(table, "172", ("foster_pct",))
    assert tile["value"] == "73%"
    assert tile["change"] == "+4 points since 2024 · improving"
    assert tile["caption"] == "2025 · similar councils 67% · England 68%"
    assert tile["polarity"] == "higher is better"


def test_tile_for_a_count_with_one_step_down_and_no_neighbours():
    table = comparison_rows(
        [row("cla_count", 2025, 540.0, 577.0, direction="down", england_value=81770.0)]
    )
    (tile,) = views.headline_tiles(table, "172", ("cla_count",))
    assert tile["value"] == "540"
    assert tile["change"] == "-37 since 2024 · down"
    assert tile["caption"] == "2025"  # a count is not set beside England's total


def test_tile_for_an_academic_year_names_the_previous_academic_year():
    table = comparison_rows(
        [
            row(
                "care_leavers_19_21_eet_pct",
                2025,
                52.0,
                52.2,
                time_period="202425",
                direction="no change",
                england_value=54.0,
            )
        ]
    )
    (tile,) = views.headline_tiles(table, "172", ("care_leavers_19_21_eet_pct",))
    assert tile["change"] == "no change since 2023/24"
    assert tile["caption"].startswith("2024/25 · ")


def test_suppressed_tile_says_so_and_shows_no_change():
    table = comparison_rows(
        [row("foster_pct", 2025, NAN, 69.0, symbol="c", direction="not comparable")]
    )
    (tile,) = views.headline_tiles(table, "172", ("foster_pct",))
    assert tile["value"] == "suppressed"
    assert tile["change"] is None


def test_a_tile_explains_its_symbol_in_the_same_words_as_everywhere_else():
    table = comparison_rows(
        [
            row("foster_pct", 2025, NAN, 69.0, symbol="x", direction="not comparable"),
            row("cla_count", 2025, NAN, 40.0, symbol="c", direction="not comparable"),
            row("placed_outside_la_pct", 2025, 30.0, 29.0, direction="up"),
        ]
    )
    foster, count, outside = views.headline_tiles(
        table, "172", ("foster_pct", "cla_count", "placed_outside_la_pct")
    )
    assert foster["value"] == "not available"
    assert foster["note"] == "Not available."
    assert count["value"] == "suppressed"
    assert count["note"] == "Suppressed to protect children's privacy."
    assert outside["note"] == ""


def test_breakdown_table_and_funnel_sentence_use_the_symbol_words():
    frame = pd.DataFrame(
        {
            "category": ["Foster placements", "Placed for adoption", "Other"],
            "council_symbol": ["x", "c", None],
            "council": [NAN, NAN, 12.0],
            "england": [68.0, 3.0, 1.0],
        }
    )
    shown = views.breakdown_table(frame, "Wyrebrook")
    assert list(shown["Wyrebrook"]) == ["not available", "suppressed", "12%"]
    points = pd.DataFrame(columns=["area_code", "funnel_flag"])
    assert views.funnel_sentence(points, "172", "Wyrebrook", "x") == (
        "Wyrebrook's figure for this year is not available, so it is not in the funnel plot."
    )
    assert "published figure with a denominator" in views.funnel_sentence(
        points, "172", "Wyrebrook"
    )


def test_tile_the_council_lacks_says_not_published_and_shows_england():
    other = row("foster_pct", 2025, 70.0, 69.0, england_value=68.0) | {"area_code": "999"}
    table = comparison_rows([other])
    (tile,) = views.headline_tiles(table, "172", ("foster_pct",))
    assert tile["value"] == "no data"
    assert tile["caption"] == "Not in the data loaded for this council · England 68% (2025)"


def test_the_chosen_year_is_used_when_the_council_has_it_else_its_latest_before():
    table = comparison_rows(
        [
            row("cla_count", 2023, 500.0, 480.0),
            row("cla_count", 2024, 520.0, 500.0),
            row("cla_count", 2025, 540.0, 520.0),
        ]
    )
    assert views.latest_year(table, "cla_count", "172", 2024) == 2024
    assert views.latest_year(table, "cla_count", "172", None) == 2025
    assert views.latest_year(table, "cla_count", "172", 2030) == 2025
    assert views.headline_tiles(table, "172", ("cla_count",), 2024)[0]["value"] == "520"


def test_a_missing_figure_says_where_it_comes_from_and_gives_england():
    other = row("foster_pct", 2025, 70.0, 69.0, england_value=68.0) | {"area_code": "999"}
    note = views.missing_figure_note(
        comparison_rows([other]), views.indicator("foster_pct"), "Wyrebrook"
    )
    assert note.startswith("No figure for Wyrebrook is loaded. It comes from DfE,")
    assert note.endswith("England's figure for 2025 is 68%.")


def _ranking_rows(indicator_id: str, ranked: bool) -> pd.DataFrame:
    """Three councils, one suppressed, as views.ranking returns them."""
    ranks = [2, 1, None] if ranked else [None, None, None]
    rank_of = [2, 2, None] if ranked else [None, None, None]
    return pd.DataFrame(
        {
            "area_code": ["172", "173", "174"],
            "area_name": ["Wyrebrook", "Eastmoor", "Hollins"],
            "value": [12.0, 30.0, NAN],
            "symbol": [None, None, "c"],
            "rank": pd.array(ranks, dtype="Int64"),
            "rank_of": pd.array(rank_of, dtype="Int64"),
        }
    )


def test_a_ranking_table_without_polarity_has_no_rank_column_and_lists_highest_first():
    """LAIT R/fn_analysis.R calculate_rank: no rank ("-") when polarity is "-"."""
    item = views.indicator("cla_rate_per_10k")
    table = views.ranking_table(_ranking_rows(item.id, ranked=False), item)
    assert list(table.columns) == ["Council", "Figure"]
    assert list(table["Council"]) == ["Eastmoor", "Wyrebrook", "Hollins"]
    assert list(table["Figure"]) == ["30", "12", "suppressed"]
    assert "NA" not in table.to_csv(index=False) and "nan" not in table.to_csv(index=False)


def test_a_ranking_table_with_polarity_keeps_rank_of_n():
    item = views.indicator("placements_3plus_pct")
    table = views.ranking_table(_ranking_rows(item.id, ranked=True), item)
    assert list(table.columns) == ["Council", "Figure", "Rank (1 = best)"]
    # Best first, as the chart lists them; the council without a figure last.
    assert list(table["Rank (1 = best)"]) == ["1 of 2 (1 = best)", "2 of 2 (1 = best)", ""]
    assert list(table["Council"]) == ["Eastmoor", "Wyrebrook", "Hollins"]


def test_the_scorecard_shows_no_rank_or_band_for_an_indicator_without_polarity():
    """LAIT R/fn_analysis.R calculate_rank and calculate_quartile_band: "-" without polarity."""
    from indicators.catalogue import Grouping, Theme

    table = comparison_rows(
        [
            # A rank in the table is not shown where the registry says it means nothing.
            row("cla_count", 2025, 540.0, 577.0, direction="down", rank=5, rank_of=150),
            row(
                "placements_3plus_pct",
                2025,
                9.0,
                10.0,
                direction="improving",
                rank=3,
                rank_of=150,
                quartile_band="A",
            ),
        ]
    )
    table["rank"] = table["rank"].astype("Int64")
    table["rank_of"] = table["rank_of"].astype("Int64")
    theme = Theme("cohort", "Cohort", indicator_ids=("cla_count", "placements_3plus_pct"))
    card = views.scorecard(table, "172", Grouping("g", "G", "", (theme,))).set_index("indicator_id")
    assert (card.loc["cla_count", "Rank (1 = best)"], card.loc["cla_count", "Band"]) == ("–", "–")
    assert card.loc["placements_3plus_pct", "Rank (1 = best)"] == "3 of 150"
    assert card.loc["placements_3plus_pct", "Band"] == "✔ A best"


def test_the_scorecard_says_a_suppressed_year_before_is_suppressed_not_missing():
    from indicators.catalogue import Grouping, Theme

    table = comparison_rows(
        [
            row("long_term_stability_pct", 2024, NAN, NAN, symbol="c"),
            row("long_term_stability_pct", 2025, 100.0, NAN, direction="not comparable"),
        ]
    )
    theme = Theme("stability", "Stability", indicator_ids=("long_term_stability_pct",))
    card = views.scorecard(table, "172", Grouping("g", "G", "", (theme,)))
    assert card.loc[0, "Previous"] == "suppressed"


def test_the_scorecard_marks_a_suppressed_figures_rank_and_band_with_a_dash_not_a_blank():
    """A screen reader reads nothing for an empty cell: "–" is explained under the table."""
    from indicators.catalogue import Grouping, Theme

    table = comparison_rows(
        [row("long_term_stability_pct", 2025, NAN, 64.0, symbol="c", direction="not comparable")]
    )
    theme = Theme("stability", "Stability", indicator_ids=("long_term_stability_pct",))
    card = views.scorecard(table, "172", Grouping("g", "G", "", (theme,)))
    assert card.loc[0, "Latest"] == "suppressed"
    assert (card.loc[0, "Rank (1 = best)"], card.loc[0, "Band"]) == ("–", "–")


def test_the_scorecard_says_when_a_change_may_be_chance():
    from indicators.catalogue import Grouping, Theme

    table = comparison_rows(
        [
            row(
                "long_term_stability_pct",
                2025,
                65.0,
                66.0,
                direction="worsening",
                numerator=90.0,
                denominator=138.0,
                previous_numerator=91.0,
                previous_denominator=138.0,
                england_value=69.0,
            )
        ]
    )
    theme = Theme("stability", "Stability", indicator_ids=("long_term_stability_pct",))
    card = views.scorecard(table, "172", Grouping("g", "G", "", (theme,)))
    assert card.loc[0, "Direction"] == "▼ worsening (may be chance)"
    assert card.loc[0, "Latest"] == "90 of 138 (65%)"


@pytest.mark.parametrize(
    ("direction", "polarity", "shown"),
    [
        # The arrow follows the figure; the word says whether that is better or worse.
        ("improving", LOWER_IS_BETTER, "▼ improving"),  # fewer placement moves
        ("worsening", LOWER_IS_BETTER, "▲ worsening"),  # more absence
        ("improving", HIGHER_IS_BETTER, "▲ improving"),
        ("worsening", HIGHER_IS_BETTER, "▼ worsening"),
        ("up", NO_POLARITY, "▲ up"),
        ("down", NO_POLARITY, "▼ down"),
        ("no change", HIGHER_IS_BETTER, "► no change"),
        ("not comparable", LOWER_IS_BETTER, "– not comparable"),
        ("improving", NO_POLARITY, "– improving"),  # no arrow the word cannot back
    ],
)
def test_the_direction_arrow_follows_the_figure_and_the_word_judges_it(direction, polarity, shown):
    assert views.direction_label(direction, polarity) == shown


def test_the_arrow_agrees_with_the_figures_for_every_change_compare_judges():
    """Whatever the values, the arrow points the way the figure moved (at its precision)."""
    from indicators.compare import direction

    for current, previous in ((19.0, 22.0), (11.0, 9.0), (64.6, 64.4), (2.51, 2.4)):
        for polarity in (HIGHER_IS_BETTER, LOWER_IS_BETTER, NO_POLARITY):
            word = direction(current, previous, 0, polarity)
            arrow = views.direction_label(word, polarity)[0]
            moved = round(current) - round(previous)
            assert arrow == ("▲" if moved > 0 else "▼" if moved < 0 else "►"), (
                current,
                previous,
                polarity,
                word,
            )
