"""Loading the real DfE and ONS files (needs CP_REFERENCE_DATA; skipped otherwise)."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.facts import ENGLAND_CODE as ENGLAND
from domain.facts import Selector
from indicators.facts import series
from loaders.load import load_paths
from loaders.store import open_store

# The LA-level files the indicators need, and the dataset each must be recognised as.
EXPECTED = {
    "cla_release_2022/la_cla_at_31_march_placement_stability_indicator.csv": "cla_placement_stability",
    "cla_release_2022/la_cla_on_31_march_la_of_placement_net_gain.csv": "cla_placement_net_gain",
    "cla_release_2022/official_statistics_la_cla_school_moves.csv": "cla_school_moves",
    "cla_release_2022/official_statistics_la_cco_sw_stability.csv": "cla_social_worker_changes",
    "cla_release_2022/la_cla_who_started_to_be_looked_after.csv": "cla_started",
    "cla_release_2024/cla_number_and_rate_per_10k_children.csv": "cla_number_and_rate",
    "cla_release_2024/la_cla_placement_stability.csv": "cla_placement_stability",
    "cla_release_2024/la_cla_on_31_march_la_of_placement_netgain.csv": "cla_placement_net_gain",
    "cla_release_2024/la_cla_during_year_new_placements.csv": "cla_new_placements",
    "cla_release_2024/la_care_leavers_intouch.csv": "care_leavers_in_touch",
    "cla_release_2024/la_care_leavers_activity.csv": "care_leavers_activity",
    "cla_release_2024/la_care_leavers_accommodation_suitability.csv": "care_leavers_accommodation",
    "cla_release_2024/la_care_leavers_stayput.csv": "care_leavers_staying_put",
    "cla_release_2024/la_children_who_were_missing_or_away_from_placement_without_authorisation.csv": "cla_missing",
    "cla_release_2024/la_conviction_health_outcome_cla.csv": "cla_health_outcomes",
    "cla_release_2024/la_children_who_ceased_during_the_year.csv": "cla_ceased",
    "cla_release_2025/cla_number_and_rate_per_10k_children.csv": "cla_number_and_rate",
    "cla_release_2025/la_cla_placement_stability.csv": "cla_placement_stability",
    "cla_release_2025/la_cla_during_year_new_placements.csv": "cla_new_placements",
    "cla_release_2025/la_care_leavers_activity.csv": "care_leavers_activity",
    "cla_release_2025/la_care_leavers_accommodation_suitability.csv": "care_leavers_accommodation",
    "cla_release_2025/la_conviction_health_outcome_cla.csv": "cla_health_outcomes",
    "cla_release_2025/la_cla_school_moves.csv": "cla_school_moves",
    "cla_release_2025/la_cla_swcount.csv": "cla_social_worker_changes",
    "outcomes_cin_cla/ks2_la.csv": "ks2_cin_cla",
    "outcomes_cin_cla/ks4_la.csv": "ks4_cin_cla",
    "outcomes_cin_cla/absence_la.csv": "absence_cin_cla",
}
CLA_31_MARCH = Selector(
    "cla_number_and_rate", "Children looked after on 31 March each year", "", "number"
)


@pytest.fixture(scope="module")
def real_store(reference_data: Path, tmp_path_factory: pytest.TempPathFactory):
    dfe = reference_data / "dfe"
    con = open_store(tmp_path_factory.mktemp("real") / "real.duckdb")
    reports = {}
    batches = [
        [dfe / "cla_release_2022"],
        [dfe / "cla_release_2024"],
        [dfe / "cla_release_2025"],
        [dfe / "outcomes_cin_cla"],
        [dfe / "statistical_neighbours" / "statistical_neighbours_2021_long.csv"],
        [dfe / "statistical_neighbours" / "statistical_neighbours_2025_long.csv"],
        [reference_data / "ons" / "ons_mid-year_population_estimates_2012_to_2024.csv"],
    ]
    for batch in batches:
        report = load_paths(con, batch)
        for file in report.files:
            reports[file.name] = file
        assert report.status == "committed", [p.describe() for p in report.problems][:5]
    yield con, reports, dfe
    con.close()


def test_every_csv_loads_or_is_listed_as_not_used(real_store):
    _, reports, _ = real_store
    outcomes = {file.outcome for file in reports.values()}
    assert outcomes <= {"loaded", "not used"}
    assert sum(f.outcome == "loaded" for f in reports.values()) >= 45


def test_every_la_file_the_indicators_need_is_recognised(real_store):
    _, reports, dfe = real_store
    for relative, dataset in EXPECTED.items():
        report = reports[str(dfe / relative)]
        assert (report.outcome, report.dataset) == ("loaded", dataset), relative


def test_england_cla_2024_revised_by_the_2025_release(real_store):
    con, _, _ = real_store
    newest = series(con, CLA_31_MARCH, [ENGLAND])
    assert newest.loc[newest["year"] == 2024, "value"].item() == 83530
    assert newest.loc[newest["year"] == 2024, "release"].item() == "2025"
    older = series(con, CLA_31_MARCH, [ENGLAND], release="2024")
    assert older.loc[older["year"] == 2024, "value"].item() == 83630


def test_rutland_suppressed_stability_cells_are_null_with_symbol_c(real_store):
    con, _, _ = real_store
    rows = con.execute(
        "SELECT value, symbol FROM current_facts WHERE dataset = 'cla_placement_stability' "
        "AND area_code = '857' AND symbol IS NOT NULL"
    ).fetchall()
    assert rows, "Rutland has suppressed stability cells in the published files"
    assert all(value is None for value, _ in rows)
    assert {symbol for _, symbol in rows} == {"c"}


def test_neighbours_and_population_loaded(real_store):
    con, _, _ = real_store
    models = dict(
        con.execute(
            "SELECT model, count(DISTINCT old_la_code) FROM current_neighbours GROUP BY model"
        ).fetchall()
    )
    assert models["2021"] >= 150 and models["2025"] >= 150
    population = con.execute(
        "SELECT value FROM current_facts WHERE dataset = 'ons_population' AND year = 2024 "
        "AND geographic_level = 'National'"
    ).fetchone()
    assert population == (12183016.0,)


def test_code_history_is_kept_for_councils_whose_ons_code_changed(real_store):
    con, _, _ = real_store
    codes = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT new_la_code FROM areas WHERE area_code = '825'"
        ).fetchall()
    }
    assert {"E10000002", "E06000060"} <= codes


def test_the_real_files_load_in_the_other_order_each_in_a_batch_of_its_own(
    reference_data: Path, tmp_path: Path
):
    """No real release renames a council another one named (loaders/identity.py)."""
    dfe = reference_data / "dfe"
    neighbours = dfe / "statistical_neighbours"
    con = open_store(tmp_path / "reversed.duckdb")
    try:
        for batch in [
            reference_data / "ons" / "ons_mid-year_population_estimates_2012_to_2024.csv",
            neighbours / "sn_model_2025_wide_from_CSC_dashboard.csv",
            neighbours / "sn_april_2021.xlsx",
            dfe / "cla_release_2025",
            dfe / "outcomes_cin_cla",
            dfe / "cla_release_2024",
            dfe / "cla_release_2022",
            neighbours / "sn_may_2025.xlsx",
        ]:
            report = load_paths(con, [batch])
            assert report.status == "committed", [p.describe() for p in report.problems][:5]
            assert not [p for p in report.problems if p.severity == "error"]
    finally:
        con.close()


def _lait_names(reference_data: Path) -> dict[str, str]:
    import openpyxl

    workbook = openpyxl.load_workbook(
        reference_data / "dfe" / "lait" / "la_code_list.xlsx", read_only=True
    )
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))[1:]
    return {str(code): str(name) for code, name, *_ in rows if code}


def _ons_names(reference_data: Path) -> dict[str, str]:
    import csv

    names = {}
    lookup = reference_data / "ons" / "LTLA-UTLA_Apr23_Lookup_England-Wales.csv"
    with lookup.open(encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            names[row["UTLA23CD"]] = row["UTLA23NM"]
            names[row["LTLA23CD"]] = row["LTLA23NM"]
    return names


def test_every_council_code_and_name_agrees_with_the_lait_list_and_the_ons_lookup(
    real_store, reference_data: Path
):
    """The names the releases give each code are the LAIT list's and ONS's, under same_name.

    This is what makes the run-time rule safe to apply without either list: the
    variations the comparison forgives are the ones these lists and releases use.
    """
    from loaders.identity import same_name

    con, _, _ = real_store
    lait, ons = _lait_names(reference_data), _ons_names(reference_data)
    named = con.execute(
        "SELECT DISTINCT area_code, area_name, new_la_code FROM facts "
        "WHERE geographic_level = 'Local authority' "
        "UNION SELECT DISTINCT old_la_code, la_name, NULL FROM statistical_neighbours "
        "UNION SELECT DISTINCT neighbour_old_la_code, neighbour_la_name, NULL "
        "FROM statistical_neighbours WHERE neighbour_la_name <> ''"
    ).fetchall()
    assert len(named) > 150
    disagree = [
        (code, name, lait.get(code), new, ons.get(new))
        for code, name, new in named
        if code not in lait
        or not same_name(name, lait[code])
        or (new in ons and not same_name(name, ons[new]))
    ]
    assert not disagree
    # A council whose ONS code changed kept one code ONS still uses; the others are retired.
    changed = con.execute(
        "SELECT area_code, list(DISTINCT new_la_code) FROM facts "
        "WHERE geographic_level = 'Local authority' GROUP BY area_code "
        "HAVING count(DISTINCT new_la_code) > 1"
    ).fetchall()
    assert {code for code, _ in changed} >= {"825"}
    for code, codes in changed:
        assert sum(c in ons for c in codes) == 1, (code, codes)
