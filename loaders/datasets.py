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

Each measure also has a kind (a count, a percentage, a rate per 10,000, an
average on its own scale) that says which values are possible at all. They are
declared here, beside the layouts: ``MEASURE_KINDS`` for the four measures the
fixed layouts publish, ``row_kinds`` for rows whose label says the count column
holds something else (DfE puts the SDQ average and "Percentage of children who
had a missing incident" in the ``number`` column), and ``column_kinds`` for the
wide outcome files. ``shares`` and ``totals`` name the published numerators and
the denominators they are a share of. The loader refuses any file with a value
its kind does not allow (``ees.check_value_ranges`` and the checks beside it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from domain.units import COUNT_VALUES as COUNT
from domain.units import INCIDENTS_PER_CHILD_VALUES as INCIDENTS_PER_CHILD
from domain.units import PERCENT_VALUES as PERCENT
from domain.units import RATE_VALUES as RATE_PER_10000
from domain.units import ValueKind

REQUIRED_LOCATION_COLUMNS = ("time_period", "time_identifier", "geographic_level")

POPULATION = ValueKind("a population estimate", minimum=0)
# Children placed in the area by other councils minus the council's own placed outside it.
NET_COUNT = ValueKind("a net count (in minus out)")
# Strengths and Difficulties Questionnaire: 0 to 40 for each child, so for their average.
SDQ_AVERAGE = ValueKind("an average SDQ score", minimum=0, maximum=40)
AVERAGE_DAYS = ValueKind("an average number of days", minimum=0)
# Attainment 8: eight GCSE slots graded 9 to 1, English and maths counted twice, so 0 to 90.
ATTAINMENT_8 = ValueKind("an Attainment 8 score", minimum=0, maximum=90)
# The EBacc average point score is on the 9 to 1 grade scale.
EBACC_POINT_SCORE = ValueKind("an EBacc average point score", minimum=0, maximum=9)
# Progress 8 is (Attainment 8 - its estimate) / 10, and both run 0 to 90.
PROGRESS_8 = ValueKind("a Progress 8 score", minimum=-9, maximum=9)
# Totals of pupils' scores, the numerators of the averages beside them.
TOTAL_POINTS = ValueKind("a total of pupils' points", minimum=0)
# KS2 progress scores and their sums are negative for pupils below their estimate, and
# DfE publishes no fixed scale for them; a confidence limit can pass the end of the
# scale of what it bounds when few pupils are counted. Declared, not range-checked.
PROGRESS_SCORE = ValueKind("a progress score")
CONFIDENCE_LIMIT = ValueKind("a confidence limit")

# National and regional counts are rounded to the nearest 10 (council counts are not),
# so a rounded count may pass the total it is a share of by up to this much.
ROUNDED_LEVELS = ("National", "Regional")
ROUNDING = 10

# The canonical measures of the fixed layouts, and the kind of number each holds.
MEASURE_KINDS: dict[str, ValueKind] = {
    "number": COUNT,
    "percentage": PERCENT,
    "rate_per_10000": RATE_PER_10000,
    "population_estimate": POPULATION,
}

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
    # The kind of each measure column where MEASURE_KINDS does not say (the wide files).
    column_kinds: dict[str, ValueKind] = field(default_factory=dict)
    # (numerator, denominator) columns published in the same row, the first a share
    # of the second, so never larger than it.
    shares: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class DatasetSpec:
    """A dataset the app understands, in every layout it has been published."""

    id: str
    title: str
    publication: str
    layouts: tuple[Layout, ...]
    label_aliases: dict[str, dict[str, str]] = field(default_factory=dict)
    age_labels: bool = False
    # Rows whose breakdown (newest wording) says the count column holds another kind.
    row_kinds: dict[str, ValueKind] = field(default_factory=dict)
    # Breakdowns (newest wording) that are the whole of their cohort: every other
    # row's count in the same cohort, place and period is a share of it (the
    # published percentage is count / total), so never larger than it.
    totals: tuple[str, ...] = ()


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

# The wide outcome files: one column per measure. Names as DfE publishes them
# (lower-cased): t_ a count or total, pt_ a percentage, avg_ an average.
KS2_SUBJECTS = ("read", "writta", "mat", "rwm", "gps", "scita")
KS2_PROGRESS_SUBJECTS = ("read", "writta", "mat")
KS2_KINDS: dict[str, ValueKind] = {
    **{f"t_{s}_eligible_pupils": COUNT for s in KS2_SUBJECTS},
    **{f"t_{s}_met_expected_standard": COUNT for s in KS2_SUBJECTS},
    **{f"pt_{s}_met_expected_standard": PERCENT for s in KS2_SUBJECTS},
    **{f"t_{s}_progress_eligible_pupils": COUNT for s in KS2_PROGRESS_SUBJECTS},
    **{f"t_{s}_progress_score": PROGRESS_SCORE for s in KS2_PROGRESS_SUBJECTS},
    **{f"avg_{s}_progress_score": PROGRESS_SCORE for s in KS2_PROGRESS_SUBJECTS},
    **{f"avg_{s}_progress_score_lower_ci": CONFIDENCE_LIMIT for s in KS2_PROGRESS_SUBJECTS},
    **{f"avg_{s}_progress_score_upper_ci": CONFIDENCE_LIMIT for s in KS2_PROGRESS_SUBJECTS},
}
KS4_KINDS: dict[str, ValueKind] = {
    "t_pupils": COUNT,
    "t_att8": TOTAL_POINTS,
    "avg_att8": ATTAINMENT_8,
    "t_l2basics_95": COUNT,
    "pt_l2basics_95": PERCENT,
    "t_l2basics_94": COUNT,
    "pt_l2basics_94": PERCENT,
    "t_ebacc_e_ptq_ee": COUNT,
    "pt_ebacc_e_ptq_ee": PERCENT,
    "t_ebaccaps": TOTAL_POINTS,
    "avg_ebaccaps": EBACC_POINT_SCORE,
    "t_inp8calc": COUNT,
    "t_p8score": PROGRESS_SCORE,
    "avg_p8score": PROGRESS_8,
    "p8score_ci_low": CONFIDENCE_LIMIT,
    "p8score_ci_upp": CONFIDENCE_LIMIT,
}
ABSENCE_KINDS: dict[str, ValueKind] = {
    "t_pupils": COUNT,
    "t_sess_possible": COUNT,
    "t_sess_overall": COUNT,
    "pt_overall": PERCENT,
    "t_sess_authorised": COUNT,
    "pt_sess_authorised": PERCENT,
    "t_sess_unauthorised": COUNT,
    "pt_sess_unauthorised": PERCENT,
    "t_pupils_pa_10_exact": COUNT,
    "pt_pupils_pa_10_exact": PERCENT,
    "t_pupils_pa_50_exact": COUNT,
    "pt_pupils_pa_50_exact": PERCENT,
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
                shares=(("number", "population_estimate"),),
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
                shares=(("children_count", "population_estimate"),),
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
        totals=("Total children",),
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
        totals=("Total new placements", "Total placements changing"),
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
        row_kinds={"Net gain of children by responsible LA": NET_COUNT},
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
        totals=("Total",),
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
        totals=("Total",),
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
        totals=("Suitability total",),
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
        # Those living with former foster carers are a share of these young people.
        totals=(
            "Young people who ceased to be looked after in a foster placement on their 18th "
            "birthday and were eligible for care leavers support",
        ),
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
        row_kinds={
            "Percentage of children who had a missing incident during the year": PERCENT,
            "Percentage of children who were away from placement without authorisation "
            "during the year": PERCENT,
            "Average number of missing incidents per looked after child who went missing": (
                INCIDENTS_PER_CHILD
            ),
            "Average number of away from placement without authorisation incidents per "
            "looked after child": INCIDENTS_PER_CHILD,
        },
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
        row_kinds={"Average duration of last period of care (days)": AVERAGE_DAYS},
        totals=("Total", "Total children"),
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
        totals=("Total",),
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
        totals=("Total", "Total children"),
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
        totals=("Total children",),
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
        row_kinds={"SDQ average score": SDQ_AVERAGE},
        totals=(
            "Total all ages",
            "Total ages 0 to 4 years",
            "Total ages 5 to 16 years",
            "Total ages 10 to 17 years",
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
        totals=("Total children",),
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
        totals=("Total", "Total children"),
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
                column_kinds=KS2_KINDS,
                shares=tuple(
                    (f"t_{s}_met_expected_standard", f"t_{s}_eligible_pupils") for s in KS2_SUBJECTS
                ),
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
                column_kinds=KS4_KINDS,
                shares=(
                    ("t_l2basics_94", "t_pupils"),
                    ("t_l2basics_95", "t_pupils"),
                    ("t_ebacc_e_ptq_ee", "t_pupils"),
                ),
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
                column_kinds=ABSENCE_KINDS,
                shares=(
                    ("t_sess_overall", "t_sess_possible"),
                    ("t_sess_authorised", "t_sess_possible"),
                    ("t_sess_unauthorised", "t_sess_possible"),
                    ("t_pupils_pa_10_exact", "t_pupils"),
                    ("t_pupils_pa_50_exact", "t_pupils"),
                ),
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


def measure_kind(layout: Layout, column: str, measure: str) -> ValueKind | None:
    """The kind of number a published measure column holds, or None if undeclared.

    A wide outcome file may gain a column DfE adds later: it is loaded, but has
    no kind to check until one is declared here.
    """
    if layout.other_columns_are_measures:
        return layout.column_kinds.get(column)
    return layout.column_kinds.get(column) or MEASURE_KINDS.get(measure)


def row_kind(spec: DatasetSpec, breakdown: str, measure: str) -> ValueKind | None:
    """The kind a row's label gives its count column (an average, a percentage), if any."""
    return spec.row_kinds.get(breakdown) if measure == "number" else None


def cell_kind(dataset: str, breakdown: str, measure: str) -> ValueKind | None:
    """The kind of one published cell, named as the indicator catalogue names its source."""
    spec = DATASETS_BY_ID.get(dataset)
    if spec is None:
        return None
    kind = row_kind(spec, breakdown, measure)
    if kind is not None:
        return kind
    for layout in spec.layouts:
        kind = measure_kind(layout, measure, measure)
        if kind is not None:
            return kind
    return None
