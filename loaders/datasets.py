"""Which published datasets the app reads, and how each layout maps to one form.

DfE changes file names, column names and labels between releases (the 2025
release "harmonised" them), so a dataset is recognised by its columns and its
filter labels, never by its file name. Each dataset below lists the layouts it
has been published in; each layout says which published columns are filters
and which are measures, and which labels prove the file is this dataset.

Every filter is mapped onto up to three canonical filters:

- ``cohort``: the group of children counted (e.g. "CLA on 31 March");
- ``breakdown``: the category within it (e.g. "With 3 or more placements during the year");
- ``variant``: a further split (e.g. "Mid-year moves").

Labels that DfE reworded between releases are mapped to the newest wording, so
one indicator selector works across all years. The published labels are kept
with each fact as well.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Columns that place a row in time and space; every EES file has some of these.
TIME_COLUMNS = ("time_period", "time_identifier")
GEOGRAPHY_COLUMNS = (
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "la_name",
    "new_la_code",
)
REQUIRED_LOCATION_COLUMNS = ("time_period", "time_identifier", "geographic_level")
CANONICAL_FILTERS = ("cohort", "breakdown", "variant")

# Published measure column -> canonical measure (the pre-2025 names).
COUNT_AND_PERCENT_2025 = {"children_count": "number", "children_percent": "percentage"}
COUNT_AND_PERCENT = {"number": "number", "percentage": "percentage"}
CARE_LEAVER_2025 = {"care_leaver_count": "number", "care_leaver_percent": "percentage"}
NUMBER_ONLY = {"number": "number"}


@dataclass(frozen=True)
class Layout:
    """One way a dataset has been published (its columns and telltale labels)."""

    name: str
    filters: dict[str, str]
    measures: dict[str, str]
    markers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # For the wide outcome files: every other column is a measure, and these must exist.
    other_columns_are_measures: bool = False
    required_measures: tuple[str, ...] = ()
    # Filters kept with each fact as published but not part of its identity (e.g. a
    # KS2 "version" that is Final one year and Revised the next).
    published_only: tuple[str, ...] = ()


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset the app understands, in every layout it has been published."""

    id: str
    title: str
    publication: str
    layouts: tuple[Layout, ...]
    label_aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    age_labels: bool = False


CARE_LEAVER_AGE = re.compile(r"^Aged (\d.*)$")


def canonical_label(spec: DatasetSpec, canonical_filter: str, label: str) -> str:
    """The newest wording of a published filter label."""
    label = " ".join(label.split())
    label = spec.label_aliases.get(canonical_filter, {}).get(label, label)
    if spec.age_labels and canonical_filter == "cohort":
        match = CARE_LEAVER_AGE.match(label)
        if match:
            label = f"{match.group(1)} years"
    return label


CLA = "Children looked after in England including adoptions"
OUTCOMES = "Outcomes for children in need, including children looked after"
ONS = "ONS mid-year population estimates"

CHILDS_BEHAVIOUR = {
    "Carer requests placement end other than due to childs behaviour": (
        "Carer requests placement end other than due to child's behaviour"
    ),
    "Carer requests placement ends due to childs behaviour": (
        "Carer requests placement ends due to child's behaviour"
    ),
}

DATASETS: tuple[DatasetSpec, ...] = (
    DatasetSpec(
        "cla_number_and_rate",
        "Children looked after, starting and ceasing: numbers and rates per 10,000 children",
        CLA,
        (
            Layout(
                "pre-2025",
                {"population_count": "cohort"},
                {
                    "number": "number",
                    "rate_per_10000": "rate_per_10000",
                    "population_estimate": "population_estimate",
                },
                {"cohort": ("Children looked after at 31 March each year",)},
            ),
            Layout(
                "2025 harmonised",
                {"population_type": "cohort"},
                {
                    "children_count": "number",
                    "rate_per_10000": "rate_per_10000",
                    "population_estimate": "population_estimate",
                },
                {"cohort": ("Children looked after on 31 March each year",)},
            ),
        ),
        {
            "cohort": {
                "Children looked after at 31 March each year": (
                    "Children looked after on 31 March each year"
                )
            }
        },
    ),
    DatasetSpec(
        "cla_time_series",
        "Children looked after: national time series since 1994",
        CLA,
        (
            Layout(
                "pre-2025",
                {"population_count": "cohort"},
                NUMBER_ONLY,
                {"cohort": ("Children looked after at 31 March",)},
            ),
        ),
    ),
    DatasetSpec(
        "cla_placement_stability",
        "Placement stability of children looked after on 31 March",
        CLA,
        (
            Layout(
                "2022 (placement stability indicator)",
                {"cla_group": "cohort", "characteristic": "breakdown"},
                COUNT_AND_PERCENT,
                {"breakdown": ("With 3 or more placements during the year",)},
            ),
            Layout(
                "pre-2025",
                {"cla_group": "cohort", "placement_stability": "breakdown"},
                COUNT_AND_PERCENT,
                {"breakdown": ("With 3 or more placements during the year",)},
            ),
            Layout(
                "2025 harmonised",
                {"cla_group": "cohort", "placement_stability": "breakdown"},
                COUNT_AND_PERCENT_2025,
                {"breakdown": ("With 3 or more placements during the year",)},
            ),
        ),
        {
            "cohort": {
                "Children looked after at 31 March": "CLA on 31 March",
                "Children looked after continuously for at least 2.5 years at 31 March aged "
                "under 16 years": "Children looked after continuously for at least 2.5 years "
                "on 31 March aged under 16 years",
            },
            "breakdown": {
                "Living in the same placement for at least 2 years, or are placed for adoption "
                "and their adoption and their adoptive placement together with their previous "
                "placement, last for at least 2 years": (
                    "Living with the same carer for at least 2 years"
                ),
            },
        },
    ),
    DatasetSpec(
        "cla_new_placements",
        "New placements during the year by location and distance, and reasons for change",
        CLA,
        (
            Layout(
                "pre-2025",
                {"cla_group": "cohort", "characteristic": "breakdown"},
                COUNT_AND_PERCENT,
                {"cohort": ("Location of new placements during the year",)},
            ),
            Layout(
                "2025 harmonised",
                {"characteristic": "cohort", "breakdown": "breakdown"},
                COUNT_AND_PERCENT_2025,
                {"cohort": ("Location of new placements during the year",)},
            ),
        ),
        {"breakdown": CHILDS_BEHAVIOUR},
    ),
    DatasetSpec(
        "cla_placement_net_gain",
        "Children placed in and out of the council's area on 31 March (net gain)",
        CLA,
        (
            Layout(
                "pre-2025",
                {"characteristic": "breakdown"},
                NUMBER_ONLY,
                {"breakdown": ("Net gain of children by responsible LA",)},
            ),
            Layout(
                "2025 harmonised",
                {"breakdown": "breakdown"},
                {"children_count": "number"},
                {"breakdown": ("Net gain of children by responsible LA",)},
            ),
        ),
    ),
    DatasetSpec(
        "care_leavers_in_touch",
        "Care leavers: whether the council is in touch",
        CLA,
        (
            Layout(
                "pre-2025",
                {"age": "cohort", "in_touch": "breakdown"},
                COUNT_AND_PERCENT,
            ),
            Layout(
                "2025 harmonised",
                {"care_leaver_age": "cohort", "breakdown": "breakdown"},
                CARE_LEAVER_2025,
                {"breakdown": ("Local authority in touch with care leaver",)},
            ),
        ),
        age_labels=True,
    ),
    DatasetSpec(
        "care_leavers_activity",
        "Care leavers: education, employment or training",
        CLA,
        (
            Layout(
                "pre-2025",
                {"age": "cohort", "activity": "breakdown"},
                COUNT_AND_PERCENT,
            ),
            Layout(
                "2025 harmonised",
                {"care_leaver_age": "cohort", "breakdown": "breakdown"},
                CARE_LEAVER_2025,
                {
                    "breakdown": (
                        "Total in education, employment or training",
                        "Education, training or employment",
                    )
                },
            ),
        ),
        age_labels=True,
    ),
    DatasetSpec(
        "care_leavers_accommodation",
        "Care leavers: whether their accommodation is suitable",
        CLA,
        (
            Layout(
                "pre-2025",
                {"age": "cohort", "accommodation_suitability": "breakdown"},
                COUNT_AND_PERCENT,
            ),
            Layout(
                "2025 harmonised",
                {"care_leaver_age": "cohort", "breakdown": "breakdown"},
                CARE_LEAVER_2025,
                {"breakdown": ("Accommodation considered suitable",)},
            ),
        ),
        {
            "breakdown": {
                "Accommodation considered not suitable": "Accommodation considered unsuitable",
                "Total": "Suitability total",
            }
        },
        age_labels=True,
    ),
    DatasetSpec(
        "care_leavers_staying_put",
        "Care leavers staying put with former foster carers",
        CLA,
        (
            Layout("pre-2025", {"age": "cohort", "stay_put": "breakdown"}, COUNT_AND_PERCENT),
            Layout(
                "2025 harmonised",
                {"care_leaver_age": "cohort", "breakdown": "breakdown"},
                CARE_LEAVER_2025,
                {"breakdown": ("Total living with former foster carers in the current year",)},
            ),
        ),
        age_labels=True,
    ),
    DatasetSpec(
        "cla_missing",
        "Children who went missing or were away from placement without authorisation",
        CLA,
        (
            Layout(
                "pre-2025",
                {"cla_group": "breakdown"},
                NUMBER_ONLY,
                {"breakdown": ("Children who had a missing incident during the year",)},
            ),
        ),
    ),
    DatasetSpec(
        "cla_short_term_breaks",
        "Children looked after only under a series of short-term breaks",
        CLA,
        (
            Layout(
                "pre-2025",
                {"cla_group": "breakdown"},
                NUMBER_ONLY,
                {
                    "breakdown": (
                        "Children who were only looked after exclusively under a series of "
                        "short term placements",
                    )
                },
            ),
        ),
    ),
    DatasetSpec(
        "cla_ceased",
        "Children who ceased to be looked after during the year",
        CLA,
        (
            Layout(
                "pre-2025",
                {"cla_group": "cohort", "characteristic": "breakdown"},
                COUNT_AND_PERCENT,
                {"cohort": ("Reason episode ceased",)},
            ),
            Layout(
                "2025 harmonised",
                {"characteristic": "cohort", "breakdown": "breakdown"},
                COUNT_AND_PERCENT_2025,
                {"cohort": ("Reason episode ceased",)},
            ),
        ),
    ),
    DatasetSpec(
        "cla_ceased_sgo_adoption",
        "Children who ceased to be looked after through adoption or special guardianship",
        CLA,
        (
            Layout(
                "pre-2025",
                {"cla_group": "cohort", "characteristic": "breakdown"},
                COUNT_AND_PERCENT,
                {"cohort": ("Special guardianship orders",)},
            ),
            Layout(
                "2025 harmonised",
                {"characteristic": "cohort", "breakdown": "breakdown"},
                COUNT_AND_PERCENT_2025,
                {"cohort": ("Special guardianship orders",)},
            ),
        ),
    ),
    DatasetSpec(
        "cla_started",
        "Children who started to be looked after during the year",
        CLA,
        (
            Layout(
                "pre-2025",
                {"cla_group": "cohort", "characteristic": "breakdown"},
                COUNT_AND_PERCENT,
                {"cohort": ("Taken into care", "Age on starting")},
            ),
            Layout(
                "2025 harmonised",
                {"characteristic": "cohort", "breakdown": "breakdown"},
                COUNT_AND_PERCENT_2025,
                {"cohort": ("Taken into care", "Age on starting")},
            ),
        ),
    ),
    DatasetSpec(
        "cla_characteristics",
        "Children looked after on 31 March by placement, age, sex, ethnicity and legal status",
        CLA,
        (
            Layout(
                "pre-2025",
                {"cla_group": "cohort", "characteristic": "breakdown"},
                COUNT_AND_PERCENT,
                {"cohort": ("Placement",)},
            ),
            Layout(
                "2025 harmonised",
                {"characteristic": "cohort", "breakdown": "breakdown"},
                COUNT_AND_PERCENT_2025,
                {"cohort": ("Placement",)},
            ),
        ),
    ),
    DatasetSpec(
        "cla_placement_provider",
        "Children looked after on 31 March by placement type and provider",
        CLA,
        (
            Layout(
                "pre-2025",
                {"placement_type": "cohort", "placement_provider": "breakdown"},
                COUNT_AND_PERCENT,
                {"breakdown": ("Own provision (by the LA)",)},
            ),
        ),
    ),
    DatasetSpec(
        "cla_health_outcomes",
        "Health and convictions of children looked after for 12 months or more (OC2)",
        CLA,
        (
            Layout(
                "pre-2025",
                {"cla_group": "cohort", "characteristic": "breakdown"},
                COUNT_AND_PERCENT,
                {"cohort": ("Health assessments: Children looked after all ages",)},
            ),
            Layout(
                "2025 harmonised",
                {"characteristic": "cohort", "breakdown": "breakdown"},
                COUNT_AND_PERCENT_2025,
                {"cohort": ("Health assessments: Children looked after all ages",)},
            ),
        ),
    ),
    DatasetSpec(
        "cla_school_moves",
        "School moves of children looked after",
        CLA,
        (
            Layout(
                "pre-2025",
                {"cla_group": "cohort", "move_measure": "variant", "school_stability": "breakdown"},
                COUNT_AND_PERCENT,
            ),
        ),
        {
            "breakdown": {
                "At least one move": "With one or more moves during the year",
                "At least one mid-year move": "With one or more mid-year moves during the year",
            }
        },
    ),
    DatasetSpec(
        "cla_social_worker_changes",
        "Social worker changes for children looked after",
        CLA,
        (
            Layout(
                "2022 (change measure)",
                {"change_measure": "cohort", "social_worker_stability": "breakdown"},
                COUNT_AND_PERCENT,
            ),
            Layout(
                "2025 (count of social workers)",
                {"cla_group": "cohort", "sw_stability": "breakdown"},
                COUNT_AND_PERCENT,
            ),
        ),
    ),
    DatasetSpec(
        "ks2_cin_cla",
        "Key stage 2 attainment of children in need and children looked after",
        OUTCOMES,
        (
            Layout(
                "outcomes",
                {"social_care_group": "cohort"},
                {},
                other_columns_are_measures=True,
                required_measures=("pt_rwm_met_expected_standard",),
                published_only=("version",),
            ),
        ),
    ),
    DatasetSpec(
        "ks4_cin_cla",
        "Key stage 4 attainment of children in need and children looked after",
        OUTCOMES,
        (
            Layout(
                "outcomes",
                {"social_care_group": "cohort"},
                {},
                other_columns_are_measures=True,
                required_measures=("avg_att8",),
                published_only=("version",),
            ),
        ),
    ),
    DatasetSpec(
        "absence_cin_cla",
        "Absence of children in need and children looked after",
        OUTCOMES,
        (
            Layout(
                "outcomes",
                {"social_care_group": "cohort", "phase_type_grouping": "breakdown"},
                {},
                other_columns_are_measures=True,
                required_measures=("pt_overall",),
                published_only=("absence_terms",),
            ),
        ),
    ),
    DatasetSpec(
        "ons_population",
        "Population aged 0 to 17 (ONS mid-year estimates)",
        ONS,
        (
            Layout(
                "EES layout",
                {"age_group": "cohort"},
                {"population_estimate": "population_estimate"},
                {"cohort": ("Children aged 0 to 17 years",)},
            ),
        ),
    ),
)

DATASETS_BY_ID = {spec.id: spec for spec in DATASETS}
