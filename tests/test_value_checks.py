"""Values nobody should accept: each check on its own, then the real files it must pass.

A percentage of -40, a negative count, or more children with three placements
than children in care is not a figure anyone published: a file holding one is
refused whole, with its file, line, column, value and the range expected, and
nothing of the batch is written. DfE's symbols are not numbers and are never
range-checked; real published files (CP_REFERENCE_DATA) must all still load.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import load_texts, store_contents
from fixtures import ees

from domain.symbols import SYMBOLS
from loaders.csv_text import read_csv_bytes
from loaders.datasets import DATASETS, canonical_label, measure_kind
from loaders.ees import recognise
from loaders.load import load_paths
from loaders.store import open_store

pytestmark = pytest.mark.pure

VALUE_CHECKS = {"value_range", "numerator_within_denominator", "count_within_total"}


def refused(store, name: str, text: str):
    """Load one file that must be refused; its single problem, with the store unchanged."""
    before = store_contents(store)
    report = load_texts(store, {name: text})
    assert report.status == "rejected", report.files_table()
    assert store_contents(store) == before
    errors = [p for p in report.problems if p.severity == "error"]
    assert len(errors) == 1, [p.describe() for p in errors]
    return errors[0]


def test_a_percentage_above_100_is_refused(store):
    text = ees.placement_stability_2025(council_3_or_more=("12", "140"))
    problem = refused(store, "stability.csv", text)
    assert (problem.check, problem.file, problem.line, problem.column, problem.value) == (
        "value_range",
        "stability.csv",
        5,
        "children_percent",
        "140",
    )
    assert problem.expected == "0 to 100"
    assert problem.message.startswith("140 is not a percentage")


def test_a_negative_count_is_refused(store):
    text = ees.placement_stability_2025(council_3_or_more=("-3", "c"))
    problem = refused(store, "stability.csv", text)
    assert (problem.check, problem.line, problem.column, problem.value) == (
        "value_range",
        5,
        "children_count",
        "-3",
    )
    assert problem.expected == "0 or more"
    assert "is not a count" in problem.message


@pytest.mark.parametrize(
    ("text", "numerator", "denominator"),
    [
        (  # the council's children in care outnumber its children
            ees.number_and_rate_2025().replace(",35,8200,43", ",9000,8200,43"),
            "children_count",
            "population_estimate",
        ),
        (  # more pupils with grade 4 in English and maths than pupils
            ees.ks4_outcomes(pupils="20", grade_4_in_basics="21"),
            "t_l2basics_94",
            "t_pupils",
        ),
    ],
    ids=["rate's count over its population", "KS4 pupils over the cohort"],
)
def test_a_numerator_above_its_denominator_in_the_same_row_is_refused(
    store, text, numerator, denominator
):
    problem = refused(store, "pair.csv", text)
    assert (problem.check, problem.line, problem.column) == (
        "numerator_within_denominator",
        2 if numerator.startswith("t_") else 4,
        numerator,
    )
    assert denominator in problem.message
    assert denominator in problem.expected


def test_a_count_above_the_total_it_is_a_share_of_is_refused(store):
    # 36 of the council's 35 children in care had 3 or more placements (a council's
    # counts are exact, so one over is too many).
    text = ees.placement_stability_2025(council_3_or_more=("36", "100"))
    problem = refused(store, "stability.csv", text)
    assert (problem.check, problem.line, problem.column, problem.value) == (
        "count_within_total",
        5,
        "children_count",
        "36",
    )
    assert "35" in problem.expected and "line 4" in problem.expected


def test_rounded_national_counts_may_pass_their_total_by_the_rounding_only(store):
    # England's counts are rounded to the nearest 10: 10 over its total of 81,770 can
    # be rounding; 20 over cannot.
    within = ees.placement_stability_2025(england_3_or_more=("81780", "100"))
    assert load_texts(store, {"within.csv": within}).status == "committed"
    beyond = ees.placement_stability_2025(england_3_or_more=("81790", "100"))
    problem = refused(store, "beyond.csv", beyond)
    assert (problem.check, problem.line) == ("count_within_total", 3)


@pytest.mark.parametrize(
    ("text", "line", "column", "value", "expected", "named"),
    [
        (ees.health_outcomes_2025("41"), 2, "children_count", "41", "0 to 40", "SDQ"),
        (ees.health_outcomes_2025("-0.5"), 2, "children_count", "-0.5", "0 to 40", "SDQ"),
        (ees.ks4_outcomes(avg_att8="95"), 2, "avg_att8", "95", "0 to 90", "Attainment 8"),
        (ees.missing_2024("140"), 3, "number", "140", "0 to 100", "percentage"),
    ],
    ids=["SDQ above 40", "SDQ below 0", "Attainment 8 above 90", "missing percentage"],
)
def test_an_average_or_score_outside_its_scale_is_refused(
    store, text, line, column, value, expected, named
):
    problem = refused(store, "scores.csv", text)
    assert (problem.check, problem.line, problem.column, problem.value) == (
        "value_range",
        line,
        column,
        value,
    )
    assert problem.expected == expected
    assert named in problem.message


def test_averages_and_net_figures_in_a_count_column_are_not_taken_for_counts(store):
    # The SDQ average (14.9), incidents per child (4.5) and a negative net gain are
    # published in the count column; each is checked against its own kind.
    report = load_texts(
        store,
        {
            "health.csv": ees.health_outcomes_2025("14.9"),
            "missing.csv": ees.missing_2024("12"),
            "net_gain.csv": ees.net_gain_2024("-12"),
            "ks4.csv": ees.ks4_outcomes(),
        },
    )
    assert report.status == "committed", [p.describe() for p in report.problems]


@pytest.mark.parametrize("symbol", SYMBOLS)
def test_a_symbol_in_a_percent_or_count_column_is_accepted(store, symbol):
    text = ees.placement_stability_2025(council_3_or_more=(symbol, symbol))
    report = load_texts(store, {"symbols.csv": text})
    assert report.status == "committed", [p.describe() for p in report.problems]
    stored = store.execute(
        "SELECT value, symbol FROM current_facts WHERE area_code = '857' "
        "AND breakdown LIKE 'With 3%' ORDER BY measure"
    ).fetchall()
    assert stored == [(None, symbol), (None, symbol)]


def test_every_measure_of_every_layout_has_a_kind():
    for spec in DATASETS:
        for layout in spec.layouts:
            columns = {**layout.measures, **{c: c for c in layout.column_kinds}}
            for column, measure in columns.items():
                assert measure_kind(layout, column, measure) is not None, (spec.id, column)
            for numerator, denominator in layout.shares:
                assert {numerator, denominator} <= set(columns), (spec.id, numerator)


# ------------------------------------------------------------ the real files
RELEASE_FOLDERS = [
    "dfe/cla_release_2022",
    "dfe/cla_release_2024",
    "dfe/cla_release_2025",
    "dfe/outcomes_cin_cla",
    "ons",
]


@pytest.mark.parametrize("folder", RELEASE_FOLDERS)
def test_every_real_release_folder_loads_with_no_value_problems(
    reference_data: Path, tmp_path: Path, folder: str
):
    con = open_store(tmp_path / "fresh.duckdb")
    try:
        report = load_paths(con, [reference_data / folder])
    finally:
        con.close()
    value_problems = [p.describe() for p in report.problems if p.check in VALUE_CHECKS]
    assert value_problems == []
    assert report.status == "committed", [p.describe() for p in report.problems][:5]


def test_every_measure_column_of_the_real_files_has_a_declared_kind(reference_data: Path):
    undeclared = []
    for folder in RELEASE_FOLDERS:
        for path in sorted((reference_data / folder).glob("*.csv")):
            recognition = recognise(read_csv_bytes(path.name, path.read_bytes()))
            if recognition.layout is None:
                continue
            for column, measure in recognition.measure_columns.items():
                if measure_kind(recognition.layout, column, measure) is None:
                    undeclared.append(f"{path.name}: {column}")
    assert undeclared == []


def test_york_placement_stability_of_minus_40_is_refused_and_the_store_kept(
    reference_data: Path, store
):
    path = reference_data / "dfe" / "cla_release_2025" / "la_cla_placement_stability.csv"
    original = path.read_bytes()
    york = b",816,York,E06000014,CLA on 31 March,With 3 or more placements during the year,26,"
    assert original.count(york + b"11") == 1
    line = original[: original.index(york)].count(b"\n") + 1
    assert load_texts(store, {path.name: original}).status == "committed"
    before = store_contents(store)

    report = load_texts(store, {path.name: original.replace(york + b"11", york + b"-40")})

    assert report.status == "rejected"
    assert store_contents(store) == before
    (problem,) = [p for p in report.problems if p.severity == "error"]
    assert (problem.check, problem.file, problem.line, problem.column, problem.value) == (
        "value_range",
        "la_cla_placement_stability.csv",
        line,
        "children_percent",
        "-40",
    )
    assert problem.describe() == (
        f"la_cla_placement_stability.csv, line {line}, column 'children_percent': "
        "-40 is not a percentage (found '-40'; expected 0 to 100)"
    )


def test_every_label_given_a_kind_or_named_a_total_is_a_published_one(reference_data: Path):
    # A misspelt label would silently check an average as a count, or skip a total.
    published: dict[str, set[str]] = {}
    for folder in RELEASE_FOLDERS:
        for path in sorted((reference_data / folder).glob("*.csv")):
            table = read_csv_bytes(path.name, path.read_bytes())
            recognition = recognise(table)
            if recognition.spec is None:
                continue
            spec = recognition.spec
            for column, canonical in recognition.filter_columns.items():
                if canonical == "breakdown":
                    index = table.columns.index(column)
                    labels = {canonical_label(spec, "breakdown", row[index]) for row in table.rows}
                    published.setdefault(spec.id, set()).update(labels)
    unknown = [
        (spec.id, label)
        for spec in DATASETS
        for label in [*spec.row_kinds, *spec.totals]
        if label not in published.get(spec.id, set())
    ]
    assert unknown == []
