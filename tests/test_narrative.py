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


# ------------------------------------------------------------ chance, bases and counts
def _stability(**values):
    """Long-term stability for a council, with its base and the years before."""
    base = {
        "indicator_id": "long_term_stability_pct",
        "value": 65.0,
        "numerator": 90.0,
        "denominator": 138.0,
        "previous_value": 66.0,
        "previous_numerator": 91.0,
        "previous_denominator": 138.0,
        "direction": "worsening",
        "earlier_year": 2020,
        "earlier_value": 69.0,
        "earlier_numerator": 95.0,
        "earlier_denominator": 138.0,
        "sn_value": 68.0,
        "england_value": 69.0,
        "quartile_band": "C",
        "funnel_flag": "within",
    }
    base.update(values)
    return _row(**base)


def test_a_one_point_fall_says_it_may_be_chance_and_gives_the_longer_view():
    text = sentence(_stability(), indicator("long_term_stability_pct"), "Buckinghamshire")
    assert text.startswith(
        "Long-term stability: 65% (90 of 138) in Buckinghamshire in 2025, worse than 66% "
        "the year before."
    )
    assert "Over 5 years it has worsened (from 69% in 2020)." in text
    assert "Neither change is larger than chance would explain." in text
    assert "the difference from England is small enough that it may be chance" in text


def test_a_change_beyond_chance_says_so_where_it_is():
    row = _stability(
        value=80.0,
        numerator=110.0,
        direction="improving",
        previous_value=60.0,
        previous_numerator=83.0,
        earlier_value=79.0,
        earlier_numerator=109.0,
    )
    text = sentence(row, indicator("long_term_stability_pct"), "X")
    assert "an improvement on 60% the year before (a change far larger than chance" in text
    assert "The change over 5 years is small enough that it may be chance." in text


def test_a_small_base_is_flagged_in_words_and_not_judged_against_chance():
    # Rutland 2025: 9 of 9 children, England 69 %.
    row = _stability(
        value=100.0,
        numerator=9.0,
        denominator=9.0,
        previous_value=None,
        direction="not comparable",
        earlier_value=69.0,
        earlier_numerator=9.0,
        earlier_denominator=13.0,
        funnel_flag="above (95%)",
        quartile_band="A",
    )
    text = sentence(row, indicator("long_term_stability_pct"), "Rutland")
    assert "100% (9 of 9) in Rutland" in text
    assert (
        "Based on 9 children (one child is 11 points): too few to tell a real difference "
        "from chance." in text
    )
    assert "larger than chance" not in text and "may be chance" not in text


def test_a_small_number_of_children_is_never_written():
    item = indicator("long_term_stability_pct")
    # 3 children counted, and (separately) 2 not counted: neither may be given back.
    for numerator, denominator in ((3.0, 40.0), (38.0, 40.0)):
        row = _stability(
            value=round(numerator / denominator * 100), numerator=numerator, denominator=denominator
        )
        text = sentence(row, item, "X")
        assert f"{numerator:.0f} of" not in text and "of 40" not in text, text
    row = _stability(value=80.0, numerator=8.0, denominator=10.0, funnel_flag="within")
    text = sentence(row, item, "X")
    assert "of 10" not in text and "fewer than 20 children" in text


def test_a_worsening_figure_is_never_a_strength_without_saying_so():
    rows = pd.DataFrame(
        [
            _stability(  # better than England, worse than last year
                value=80.0,
                numerator=110.0,
                england_value=69.0,
                quartile_band="A",
                funnel_flag="above (95%)",
                previous_value=85.0,
                previous_numerator=117.0,
            ),
            _stability(  # better than England and last year, worse than 5 years ago
                indicator_id="care_leavers_19_21_eet_pct",
                value=60.0,
                numerator=120.0,
                denominator=200.0,
                england_value=54.0,
                quartile_band="A",
                direction="improving",
                previous_value=58.0,
                earlier_value=65.0,
            ),
        ]
    )
    ids = {i: indicator(i) for i in rows["indicator_id"]}
    strengths = strengths_and_concerns(rows, ids, "X")["strengths"]
    assert len(strengths) == 2
    assert strengths[0].startswith("Better than England, but worse than the year before. ")
    assert strengths[1].startswith("Better than England, but worse than a few years ago. ")


def test_every_concern_is_listed_and_a_pack_can_ask_for_its_own():
    worst = [
        "placements_3plus_pct",
        "placements_3plus_2yrs_pct",
        "school_moves_pct",
        "placed_outside_la_pct",
        "new_placements_outside_20mi_pct",
    ]
    rows = pd.DataFrame(
        [_row(indicator_id=i, numerator=60.0, denominator=500.0, quartile_band="D") for i in worst]
    )
    ids = {i: indicator(i) for i in worst}
    summary = strengths_and_concerns(rows, ids, "X")
    assert len(summary["concerns"]) == 5  # no silent cut at three
    chosen = strengths_and_concerns(rows, ids, "X", indicator_ids=worst[3:])
    assert [c.split(":")[0] for c in chosen["concerns"]] == [
        indicator(i).short_title for i in worst[3:]
    ]


def test_a_base_too_small_to_judge_is_neither_strength_nor_concern():
    rows = pd.DataFrame(
        [
            _stability(
                value=100.0,
                numerator=9.0,
                denominator=9.0,
                funnel_flag="above (95%)",
                quartile_band="A",
                direction="not comparable",
            )
        ]
    )
    summary = strengths_and_concerns(
        rows, {"long_term_stability_pct": indicator("long_term_stability_pct")}, "Rutland"
    )
    assert summary["strengths"] == [] and summary["concerns"] == []
    assert summary["too_small"] == [
        "Long-term stability: based on 9 children (one child is 11 points), too few to tell "
        "a real difference from chance."
    ]


def test_school_sessions_are_not_children():
    item = indicator("absence_overall_pct")
    row = _row(
        indicator_id=item.id,
        time_period="202425",
        value=9.1,
        numerator=5471.0,
        denominator=60254.0,
        previous_value=9.4,
        previous_numerator=5600.0,
        previous_denominator=59000.0,
        direction="improving",
        england_value=9.0,
    )
    text = sentence(row, item, "X")
    assert "chance" not in text and "children" not in text


def test_a_rate_on_very_few_children_says_so_without_the_number():
    item = indicator("cla_rate_per_10k")
    row = _row(
        indicator_id=item.id,
        value=60.0,
        numerator=3.0,
        denominator=500.0,
        previous_value=None,
        direction="not comparable",
        england_value=67.0,
        funnel_flag="within",
        quartile_band=None,
    )
    text = sentence(row, item, "X")
    assert "Based on fewer than 6 children: too few to tell a real difference from chance." in text
    assert "3 children" not in text


def test_a_suppressed_year_before_is_named_not_skipped():
    row = _stability(previous_value=None, previous_symbol="c", direction="not comparable")
    text = sentence(row, indicator("long_term_stability_pct"), "Rutland")
    assert text.startswith(
        "Long-term stability: 65% (90 of 138) in Rutland in 2025 (the year before's figure is "
        "suppressed to protect children's privacy)."
    )


def test_a_concern_that_improved_says_so():
    rows = pd.DataFrame(
        [
            _stability(  # worse than England (worst quarter), better than last year
                value=50.0,
                numerator=69.0,
                quartile_band="D",
                funnel_flag="below (95%)",
                direction="improving",
                previous_value=45.0,
                previous_numerator=62.0,
            )
        ]
    )
    ids = {i: indicator(i) for i in rows["indicator_id"]}
    concerns = strengths_and_concerns(rows, ids, "X")["concerns"]
    assert len(concerns) == 1
    assert concerns[0].startswith("Worse than England, but better than the year before. ")
