"""The catalogue and groupings files: complete, consistent, and checked when edited."""

from __future__ import annotations

import pytest

from domain.units import POLARITIES
from indicators.catalogue import (
    REQUIRED_IDS,
    CatalogueError,
    catalogue,
    grouping,
    groupings,
    parse_catalogue,
)
from loaders.datasets import DATASETS_BY_ID

pytestmark = pytest.mark.pure


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


def test_the_lait_measure_and_quartile_band_fields_are_read():
    """LAIT's data dictionary (01_data/02_prod/lait_data_dictionary.csv): Measure, No_Quartile."""
    first, *others = REQUIRED_IDS
    text = _entry(
        id=first, lait_measure='"Number of Children looked after"', quartile_bands="false"
    ) + "".join(_entry(id=i) for i in others)
    parsed = {item.id: item for item in parse_catalogue(text)}
    assert parsed[first].lait_measure == "Number of Children looked after"
    assert parsed[first].quartile_bands is False and not parsed[first].is_banded
    # Both fields are optional: no LAIT measure, and banded where there is a polarity.
    assert parsed[others[0]].lait_measure is None and parsed[others[0]].quartile_bands


@pytest.mark.parametrize(
    ("changes", "message"),
    [({"lait_measure": '""'}, "lait_measure"), ({"quartile_bands": '"no"'}, "quartile_bands")],
)
def test_a_bad_lait_field_is_refused(changes, message):
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue(_entry(**changes))


# LAIT's dictionary gives these Polarity "-": a count or a rate of children in care is
# neither good nor bad in itself, and DfE's missing figures partly reflect how councils
# record incidents. LAIT then shows no rank and no quartile band.
LAIT_WITHOUT_POLARITY = (
    "cla_count",
    "cla_rate_per_10k",
    "cla_starts_rate_per_10k",
    "cla_ceased_rate_per_10k",
    "care_leavers_19_21_count",
    "missing_pct",
    "away_without_authorisation_pct",
)


@pytest.mark.parametrize("indicator_id", LAIT_WITHOUT_POLARITY)
def test_indicators_lait_gives_no_polarity_have_none_here(indicator_id):
    """LAIT lait_data_dictionary.csv Polarity "-", read by R/fn_analysis.R calculate_rank."""
    item = next(i for i in catalogue() if i.id == indicator_id)
    assert item.polarity == "none"
    assert not item.is_ranked and not item.is_banded


def test_missing_incidents_per_child_has_no_polarity_like_the_share_missing():
    """LAIT lait_data_dictionary.csv: "% Children looked after who were missing" is "-";
    LAIT lacks incidents per child, which rests on the same recording of missing episodes."""
    by_id = {i.id: i for i in catalogue()}
    assert by_id["missing_incidents_per_child"].polarity == by_id["missing_pct"].polarity == "none"


LAIT_POLARITY = {"High": "higher is better", "Low": "lower is better", "-": "none", "": "none"}
# Deliberate differences (docs/METHODOLOGY.md, "Differences from LAIT"): DfE publishes
# these percentages and rates as whole numbers and the app shows them as published;
# LAIT's dictionary leaves their decimal places blank, which LAIT shows as 1 (global.R).
WHOLE_NUMBERS_AS_PUBLISHED = frozenset(
    {
        "cla_rate_per_10k",
        "cla_starts_rate_per_10k",
        "cla_ceased_rate_per_10k",
        "foster_pct",
        "placed_with_parents_pct",
        "childrens_homes_pct",
        "independent_living_pct",
        "other_residential_pct",
        "placements_3plus_pct",
        "long_term_stability_pct",
        "sw_changes_pct",
        "care_leavers_19_21_eet_pct",
        "care_leavers_higher_education_pct",
        "care_leavers_19_21_suitable_accom_pct",
        "missing_pct",
        "away_without_authorisation_pct",
        "health_assessment_pct",
        "dental_check_pct",
        "immunisations_pct",
        "substance_misuse_pct",
        "convictions_pct",
        "ks2_rwm_expected_pct",
    }
)


def _cell(text: str) -> str:
    """A dictionary cell as R reads it: the file writes R's missing value as "NA"."""
    text = text.strip()
    return "" if text == "NA" else text


@pytest.fixture(scope="module")
def lait_dictionary(reference_data):
    import pandas as pd

    path = reference_data / "dfe" / "lait" / "lait_data_dictionary.csv"
    if not path.exists():
        pytest.skip(f"{path} is not in the reference data")
    return pd.read_csv(path, encoding="latin-1", dtype=str, keep_default_na=False)


def test_the_catalogue_follows_lait_for_every_indicator_it_maps(lait_dictionary):
    """LAIT lait_data_dictionary.csv (Polarity, dps, No_Quartile) as global.R reads it:
    a blank dps means 1 decimal place; No_Quartile "N" means no quartile band."""
    mapped = [item for item in catalogue() if item.lait_measure]
    assert len(mapped) >= 25
    for item in mapped:
        rows = lait_dictionary[lait_dictionary["Measure"] == item.lait_measure]
        assert len(rows) == 1, (item.id, item.lait_measure, len(rows))
        lait = rows.iloc[0]
        assert item.polarity == LAIT_POLARITY[_cell(lait["Polarity"])], (item.id, lait["Polarity"])
        assert item.quartile_bands == (_cell(lait["No_Quartile"]) != "N"), item.id
        lait_decimals = int(float(_cell(lait["dps"]) or 1))
        if item.id in WHOLE_NUMBERS_AS_PUBLISHED:
            assert item.unit in ("percent", "rate per 10,000") and item.decimals == 0, item.id
            assert lait_decimals != item.decimals, f"{item.id} now matches LAIT: unlist it"
        else:
            assert item.decimals == lait_decimals, (item.id, item.decimals, lait_decimals)
    assert {item.id for item in mapped} >= WHOLE_NUMBERS_AS_PUBLISHED
