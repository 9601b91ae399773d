"""The catalogue and groupings files: complete, consistent, and checked when edited."""

from __future__ import annotations

import pytest

from indicators.catalogue import (
    POLARITIES,
    REQUIRED_IDS,
    CatalogueError,
    catalogue,
    grouping,
    groupings,
    parse_catalogue,
)
from loaders.datasets import DATASETS_BY_ID


def test_every_required_indicator_is_defined():
    ids = [item.id for item in catalogue()]
    assert set(REQUIRED_IDS) <= set(ids)
    assert len(ids) == len(set(ids))


def test_every_indicator_is_complete_and_points_at_a_known_dataset():
    for item in catalogue():
        assert item.title and item.short_title and item.definition, item.id
        assert item.polarity in POLARITIES
        assert 2 <= len(item.questions) <= 4, item.id
        assert all(q.endswith("?") for q in item.questions), item.id
        for selector in (item.source, item.numerator, item.denominator):
            if selector is not None:
                assert selector.dataset in DATASETS_BY_ID, (item.id, selector.dataset)
        if item.unit == "percent" and item.numerator is not None:
            assert item.scale == 100, item.id
        if item.unit == "rate per 10,000":
            assert item.scale == 10000, item.id


def test_lga_grouping_has_the_lines_of_enquiry_and_a_local_example_exists():
    lga = grouping("lga")
    assert [t.number for t in lga.themes][:9] == list(range(1, 10))
    assert lga.theme("stability").indicator_ids[:3] == (
        "placements_3plus_pct",
        "long_term_stability_pct",
        "placements_3plus_2yrs_pct",
    )
    assert lga.theme("duties").local_only
    assert len(groupings()) >= 2
    local = grouping("five_priorities")
    assert "missing_pct" in local.theme("safe").indicator_ids


def _entry(**changes):
    base = {
        "id": "x_pct",
        "title": "X",
        "short_title": "X",
        "lines": '["cohort"]',
        "unit": '"percent"',
        "decimals": "0",
        "polarity": '"none"',
        "definition": '"d"',
        "questions": '["a?", "b?"]',
    }
    base.update(changes)
    lines = [
        f'{k} = "{v}"' if k in ("id", "title", "short_title") else f"{k} = {v}"
        for k, v in base.items()
    ]
    lines.append('source = { dataset = "cla_number_and_rate", measure = "number" }')
    return "[[indicator]]\n" + "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"polarity": '"good"'}, "polarity"),
        ({"unit": '"furlongs"'}, "unit"),
        ({"questions": '["only one?"]'}, "two questions"),
    ],
)
def test_a_bad_entry_is_refused_with_its_id(changes, message):
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(_entry(**changes))


def test_missing_required_ids_are_named():
    with pytest.raises(CatalogueError, match="cla_count"):
        parse_catalogue(_entry())
