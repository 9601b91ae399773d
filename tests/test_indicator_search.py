"""Finding an indicator by the words a panel member uses (the Compare page's search)."""

from __future__ import annotations

import pytest

from indicators.catalogue import catalogue, grouping
from indicators.search import SYNONYMS, matching_indicators, searchable_text

pytestmark = pytest.mark.pure


def found(query: str) -> list[str]:
    return matching_indicators(catalogue(), query)


def test_a_line_of_enquiry_word_finds_every_indicator_of_that_line():
    assert found("stability") == list(grouping("lga").theme("stability").indicator_ids)


@pytest.mark.parametrize("query", ["long-term", "Long term", "LONG-TERM stability"])
def test_a_short_title_finds_its_indicator_whatever_the_case(query):
    assert found(query) == ["long_term_stability_pct"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("NEET", {"care_leavers_17_18_eet_pct", "care_leavers_19_21_eet_pct"}),
        ("GCSE", {"ks4_attainment8"}),
        ("teeth", {"dental_check_pct"}),
        ("drugs", {"substance_misuse_pct"}),
    ],
)
def test_common_words_find_the_catalogue_s_terms(query, expected):
    assert set(found(query)) == expected


def test_every_word_must_match_so_more_words_narrow():
    assert set(found("care leavers")) > set(found("care leavers EET"))
    assert found("care leavers EET 17") == ["care_leavers_17_18_eet_pct"]


def test_nothing_typed_lists_everything_and_nonsense_nothing():
    assert found("") == [item.id for item in catalogue()]
    assert found("zebra crossing") == []


def test_every_synonym_leads_to_at_least_one_indicator():
    texts = [searchable_text(item) for item in catalogue()]
    for word, meanings in SYNONYMS.items():
        assert any(m in text for m in meanings for text in texts), word
