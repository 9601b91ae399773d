"""The fictional demo data: DfE layouts, determinism, calibration, suppression and consistency.

The demo is generated once per module (a few seconds) and every test reads those
files. Comparisons with the real published files need CP_REFERENCE_DATA and are
skipped with a reason otherwise; the hard-coded headers below keep the layout
checks meaningful on a fresh clone.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from demo.generate import DEFAULT_SEED, OUTPUT_FILES, generate_demo_files, main

PROJECT = Path(__file__).resolve().parent.parent
GEO = "time_period,time_identifier,geographic_level,country_code,country_name,region_code,region_name,old_la_code,la_name,new_la_code"
CLA = "cla_release"

EXPECTED_HEADERS = {
    f"{CLA}/cla_number_and_rate_per_10k_children.csv": f"{GEO},population_type,population_estimate,children_count,rate_per_10000",
    f"{CLA}/la_cla_placement_stability.csv": f"{GEO},cla_group,placement_stability,children_count,children_percent",
    f"{CLA}/la_cla_during_year_new_placements.csv": f"{GEO},characteristic,breakdown,children_count,children_percent",
    f"{CLA}/la_care_leavers_activity.csv": f"{GEO},care_leaver_age,breakdown,care_leaver_count,care_leaver_percent",
    f"{CLA}/la_care_leavers_accommodation_suitability.csv": f"{GEO},care_leaver_age,breakdown,care_leaver_count,care_leaver_percent",
    f"{CLA}/la_conviction_health_outcome_cla.csv": f"{GEO},characteristic,breakdown,children_count,children_percent",
    f"{CLA}/la_cla_school_moves.csv": f"{GEO},cla_group,move_measure,school_stability,number,percentage",
    f"{CLA}/la_cla_swcount.csv": f"{GEO},cla_group,sw_stability,number,percentage",
    f"{CLA}/la_children_looked_after_exclusively_under_a_series_of_short_term_placements.csv": f"{GEO},cla_group,number",
    f"{CLA}/la_cla_on_31_march_la_of_placement_netgain.csv": f"{GEO},characteristic,number",
    f"{CLA}/la_care_leavers_intouch.csv": f"{GEO},age,in_touch,number,percentage",
    f"{CLA}/la_care_leavers_stayput.csv": f"{GEO},age,stay_put,number,percentage",
    f"{CLA}/la_children_who_were_missing_or_away_from_placement_without_authorisation.csv": f"{GEO},CLA_group,number",
    f"{CLA}/la_cla_on_31_march_by_characteristics.csv": f"{GEO},cla_group,characteristic,number,percentage",
    f"{CLA}/la_cla_on_31_march_by_placement_provider.csv": f"{GEO},placement_type,placement_provider,number,percentage",
    "outcomes_cin_cla/ks2_la.csv": (
        f"{GEO},social_care_group,version,"
        "t_read_eligible_pupils,t_read_met_expected_standard,pt_read_met_expected_standard,"
        "t_writta_eligible_pupils,t_writta_met_expected_standard,pt_writta_met_expected_standard,"
        "t_mat_eligible_pupils,t_mat_met_expected_standard,pt_mat_met_expected_standard,"
        "t_rwm_eligible_pupils,t_rwm_met_expected_standard,pt_rwm_met_expected_standard,"
        "t_gps_eligible_pupils,t_gps_met_expected_standard,pt_gps_met_expected_standard,"
        "t_scita_eligible_pupils,t_scita_met_expected_standard,pt_scita_met_expected_standard,"
        "t_read_progress_eligible_pupils,t_read_progress_score,avg_read_progress_score,avg_read_progress_score_lower_CI,avg_read_progress_score_upper_CI,"
        "t_writta_progress_eligible_pupils,t_writta_progress_score,avg_writta_progress_score,avg_writta_progress_score_lower_CI,avg_writta_progress_score_upper_CI,"
        "t_mat_progress_eligible_pupils,t_mat_progress_score,avg_mat_progress_score,avg_mat_progress_score_lower_CI,avg_mat_progress_score_upper_CI"
    ),
    "outcomes_cin_cla/ks4_la.csv": (
        f"{GEO},social_care_group,version,t_pupils,t_att8,avg_att8,t_l2basics_95,pt_l2basics_95,"
        "t_l2basics_94,pt_l2basics_94,t_ebacc_e_ptq_ee,pt_ebacc_e_ptq_ee,t_ebaccaps,avg_ebaccaps,"
        "t_inp8calc,t_p8score,avg_p8score,p8score_CI_low,p8score_CI_upp"
    ),
    "outcomes_cin_cla/absence_la.csv": (
        f"{GEO},absence_terms,social_care_group,phase_type_grouping,t_pupils,t_sess_possible,"
        "t_sess_overall,pt_overall,t_sess_authorised,pt_sess_authorised,t_sess_unauthorised,"
        "pt_sess_unauthorised,t_pupils_pa_10_exact,pt_pupils_pa_10_exact,t_pupils_pa_50_exact,"
        "pt_pupils_pa_50_exact"
    ),
    "statistical_neighbours/statistical_neighbours_2021_long.csv": "old_la_code,la_name,region,sn_rank,sn_old_la_code,sn_closeness,sn_la_name",
    "statistical_neighbours/statistical_neighbours_2025_long.csv": "old_la_code,la_name,region,sn_rank,sn_old_la_code,sn_closeness,sn_la_name",
    "ons/ons_mid-year_population_estimates.csv": (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,new_la_code,la_name,age_group,population_estimate"
    ),
}

# The real file each demo file imitates (relative to CP_REFERENCE_DATA).
REAL_FILES = {
    f"{CLA}/cla_number_and_rate_per_10k_children.csv": "dfe/cla_release_2025/cla_number_and_rate_per_10k_children.csv",
    f"{CLA}/la_cla_placement_stability.csv": "dfe/cla_release_2025/la_cla_placement_stability.csv",
    f"{CLA}/la_cla_during_year_new_placements.csv": "dfe/cla_release_2025/la_cla_during_year_new_placements.csv",
    f"{CLA}/la_care_leavers_activity.csv": "dfe/cla_release_2025/la_care_leavers_activity.csv",
    f"{CLA}/la_care_leavers_accommodation_suitability.csv": "dfe/cla_release_2025/la_care_leavers_accommodation_suitability.csv",
    f"{CLA}/la_conviction_health_outcome_cla.csv": "dfe/cla_release_2025/la_conviction_health_outcome_cla.csv",
    f"{CLA}/la_cla_school_moves.csv": "dfe/cla_release_2025/la_cla_school_moves.csv",
    f"{CLA}/la_cla_swcount.csv": "dfe/cla_release_2025/la_cla_swcount.csv",
    f"{CLA}/la_children_looked_after_exclusively_under_a_series_of_short_term_placements.csv": "dfe/cla_release_2024/la_children_looked_after_exclusively_under_a_series_of_short_term_placements.csv",
    f"{CLA}/la_cla_on_31_march_la_of_placement_netgain.csv": "dfe/cla_release_2024/la_cla_on_31_march_la_of_placement_netgain.csv",
    f"{CLA}/la_care_leavers_intouch.csv": "dfe/cla_release_2024/la_care_leavers_intouch.csv",
    f"{CLA}/la_care_leavers_stayput.csv": "dfe/cla_release_2024/la_care_leavers_stayput.csv",
    f"{CLA}/la_children_who_were_missing_or_away_from_placement_without_authorisation.csv": "dfe/cla_release_2024/la_children_who_were_missing_or_away_from_placement_without_authorisation.csv",
    "outcomes_cin_cla/ks2_la.csv": "dfe/outcomes_cin_cla/ks2_la.csv",
    "outcomes_cin_cla/ks4_la.csv": "dfe/outcomes_cin_cla/ks4_la.csv",
    "outcomes_cin_cla/absence_la.csv": "dfe/outcomes_cin_cla/absence_la.csv",
    "statistical_neighbours/statistical_neighbours_2021_long.csv": "dfe/statistical_neighbours/statistical_neighbours_2021_long.csv",
    "statistical_neighbours/statistical_neighbours_2025_long.csv": "dfe/statistical_neighbours/statistical_neighbours_2025_long.csv",
    "ons/ons_mid-year_population_estimates.csv": "ons/ons_mid-year_population_estimates_2012_to_2024.csv",
}
# Files with no LA-level counterpart in the shared folder: the national file's filters.
NATIONAL_FILES = {
    f"{CLA}/la_cla_on_31_march_by_characteristics.csv": "dfe/cla_release_2024/national_cla_on_31_march_by_characteristics.csv",
    f"{CLA}/la_cla_on_31_march_by_placement_provider.csv": "dfe/cla_release_2024/national_cla_on_31_march_by_placement_provider_placement_type_and_locality.csv",
}

SYMBOLS = {"c", "k", "x", "z"}
FILTER_COLUMNS = {
    "population_type",
    "cla_group",
    "placement_stability",
    "characteristic",
    "breakdown",
    "care_leaver_age",
    "move_measure",
    "school_stability",
    "sw_stability",
    "age",
    "in_touch",
    "stay_put",
    "CLA_group",
    "placement_type",
    "placement_provider",
    "social_care_group",
    "version",
    "absence_terms",
    "phase_type_grouping",
}
YEARS = [str(y) for y in range(2018, 2026)]
ACADEMIC_YEARS = [f"{y - 1}{y % 100:02d}" for y in range(2018, 2026)]
SMALL_COUNCILS = {"Saltmere Haven", "Little Ormesby", "Fenwick Parva", "Isles of Merrow"}
# Count columns of each file (everything else with a number is a percentage, rate or score).
COUNT_COLUMNS = {"children_count", "care_leaver_count", "number"}
NOT_COUNTS = {  # rows of the "number" column that hold averages, percentages or net gains
    "Average number of away from placement without authorisation incidents per looked after child",
    "Average number of missing incidents per looked after child who went missing",
    "Percentage of children who had a missing incident during the year",
    "Percentage of children who were away from placement without authorisation during the year",
    "Net gain of children by responsible LA",
    "SDQ average score",
}


@pytest.fixture(scope="module")
def second_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, subprocess.Popen]]:
    """The command line run with the default seed, in parallel with the in-process run."""
    out = tmp_path_factory.mktemp("demo_cli")
    command = [sys.executable, "-m", "demo", str(out), "--seed", str(DEFAULT_SEED)]
    process = subprocess.Popen(
        command, cwd=PROJECT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    yield out, process
    if process.poll() is None:
        process.kill()
        process.communicate()


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory: pytest.TempPathFactory, second_run) -> Path:
    out = tmp_path_factory.mktemp("demo_files")
    generate_demo_files(out)
    return out


class Table:
    """A CSV file held by column, so big files scan quickly; row dicts are built on demand."""

    def __init__(self, path: Path) -> None:
        import pandas as pd

        try:  # pyarrow's CSV reader is several times faster on the big files
            import pyarrow  # noqa: F401

            engine = "pyarrow"
        except ImportError:
            engine = "c"
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, engine=engine)
        self.header = list(frame.columns)
        self.size = len(frame)
        self.columns = {c: tuple(frame[c].tolist()) for c in self.header}

    def __getitem__(self, column: str) -> tuple[str, ...]:
        return self.columns[column]

    def where(self, **filters: str) -> list[int]:
        keep = range(self.size)
        for column, value in filters.items():
            values = self.columns[column]
            keep = [i for i in keep if values[i] == value]
        return list(keep)

    def records(self, **filters: str) -> list[dict[str, str]]:
        return [{c: self.columns[c][i] for c in self.header} for i in self.where(**filters)]


_cache: dict[tuple[Path, str], Table] = {}


@pytest.fixture(scope="module", autouse=True)
def _release_tables() -> Iterator[None]:
    """The parsed files are large: drop them when this module's tests are done."""
    yield
    _cache.clear()


def table(demo_dir: Path, name: str) -> Table:
    key = (demo_dir, name)
    if key not in _cache:
        _cache[key] = Table(demo_dir / name)
    return _cache[key]


def rows(demo_dir: Path, name: str) -> list[dict[str, str]]:
    return table(demo_dir, name).records()


def la_rows(demo_dir: Path, name: str) -> list[dict[str, str]]:
    return table(demo_dir, name).records(geographic_level="Local authority")


def national(demo_dir: Path, name: str, year: str, **filters: str) -> dict[str, str]:
    found = table(demo_dir, name).records(geographic_level="National", time_period=year, **filters)
    assert len(found) == 1, (name, year, filters, len(found))
    return found[0]


def real_header(path: Path) -> list[str]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return next(csv.reader(handle))


def half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


# ---------------------------------------------------------------------------
# Files and layouts


def test_every_file_is_written_with_its_published_header(demo_dir: Path) -> None:
    assert set(EXPECTED_HEADERS) == set(OUTPUT_FILES)
    for name in OUTPUT_FILES:
        path = demo_dir / name
        assert path.is_file(), name
        raw = path.read_bytes()
        assert not raw.startswith(b"\xef\xbb\xbf"), f"{name} has a byte-order mark"
        assert b"\r" not in raw, f"{name} has CR line endings"
        raw.decode("utf-8")
        with path.open(encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle))
        assert header == EXPECTED_HEADERS[name].split(","), name


@pytest.mark.reference
def test_headers_match_the_real_files(reference_data: Path) -> None:
    ref = reference_data
    for name, real in REAL_FILES.items():
        assert real_header(ref / real) == EXPECTED_HEADERS[name].split(","), name
    geo = GEO.split(",")
    for name, real in NATIONAL_FILES.items():
        national_header = real_header(ref / real)
        filters_and_measures = [c for c in national_header if c not in geo]
        assert EXPECTED_HEADERS[name].split(",") == geo + filters_and_measures, name


@pytest.mark.reference
def test_filter_labels_are_the_published_ones(demo_dir: Path, reference_data: Path) -> None:
    import pandas as pd

    ref = reference_data
    for name, real in {**REAL_FILES, **NATIONAL_FILES}.items():
        if "statistical_neighbours" in name or name.startswith("ons/"):
            continue
        header = EXPECTED_HEADERS[name].split(",")
        filters = [c for c in header[10:] if c in FILTER_COLUMNS]
        assert filters, name
        published = pd.read_csv(
            ref / real, dtype=str, keep_default_na=False, encoding="utf-8-sig", usecols=filters
        )
        for column in filters:
            ours = set(table(demo_dir, name)[column])
            labels = {" ".join(v.split()) for v in published[column].unique()}
            assert ours <= labels, (name, column, sorted(ours - labels))


def test_geography_rows_follow_the_real_conventions(demo_dir: Path) -> None:
    data = rows(demo_dir, f"{CLA}/cla_number_and_rate_per_10k_children.csv")
    levels = {r["geographic_level"] for r in data}
    assert levels == {"National", "Regional", "Local authority"}
    nat = [r for r in data if r["geographic_level"] == "National"]
    assert {(r["country_code"], r["country_name"]) for r in nat} == {("E92000001", "England")}
    assert all(r["region_code"] == r["old_la_code"] == r["new_la_code"] == "" for r in nat)
    regions = {
        (r["region_code"], r["region_name"]) for r in data if r["geographic_level"] == "Regional"
    }
    assert len(regions) == 9
    assert {code for code, _ in regions} == {f"E129{i:05d}" for i in range(1, 10)}
    councils = {
        (r["old_la_code"], r["la_name"]) for r in data if r["geographic_level"] == "Local authority"
    }
    assert 145 <= len(councils) <= 155
    assert (
        len({code for code, _ in councils}) == len({name for _, name in councils}) == len(councils)
    )
    assert all(re.fullmatch(r"\d{3}", code) for code, _ in councils)
    codes_by_council = defaultdict(set)
    for r in la_rows(demo_dir, f"{CLA}/cla_number_and_rate_per_10k_children.csv"):
        assert re.fullmatch(r"E\d{8}", r["new_la_code"]), r["new_la_code"]
        codes_by_council[r["old_la_code"]].add(r["new_la_code"])
    changed = [code for code, news in codes_by_council.items() if len(news) > 1]
    assert len(changed) == 1, "exactly one council should change its ONS code"


def test_every_release_file_covers_eight_reporting_years(demo_dir: Path) -> None:
    for name in OUTPUT_FILES:
        if not name.startswith(CLA):
            continue
        data = table(demo_dir, name)
        periods = set(data["time_period"])
        assert set(data["time_identifier"]) == {"Reporting year"}
        if name.endswith(("school_moves.csv", "swcount.csv")):
            with_data = {
                data["time_period"][i]
                for i in data.where(geographic_level="Local authority")
                if data["number"][i] not in SYMBOLS
            }
            assert len(with_data) >= 6, name
            assert periods <= set(YEARS), name
        else:
            assert sorted(periods) == YEARS, name
    for name in ("ks2_la.csv", "ks4_la.csv", "absence_la.csv"):
        data = rows(demo_dir, f"outcomes_cin_cla/{name}")
        assert sorted({r["time_period"] for r in data}) == ACADEMIC_YEARS
        assert {r["time_identifier"] for r in data} == {"Academic year"}
        groups = {r["social_care_group"] for r in data}
        assert {"CLA 12 months at 31 March", "CINO at 31 March"} <= groups
        if name != "absence_la.csv":
            assert {r["version"] for r in data} == {"Final"}
    absence = rows(demo_dir, "outcomes_cin_cla/absence_la.csv")
    assert {r["absence_terms"] for r in absence} == {"six half terms"}
    assert "Total" in {r["phase_type_grouping"] for r in absence}
    ons = rows(demo_dir, "ons/ons_mid-year_population_estimates.csv")
    assert {str(int(y) - 1) for y in YEARS} <= {r["time_period"] for r in ons}
    assert {r["age_group"] for r in ons} == {"Children aged 0 to 17 years"}


# ---------------------------------------------------------------------------
# Determinism


def test_same_seed_gives_identical_bytes(demo_dir: Path, second_run) -> None:
    """``python -m demo OUT --seed N`` (run alongside) writes exactly the same bytes."""
    out, process = second_run
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == sorted(OUTPUT_FILES)
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() == (demo_dir / name).read_bytes(), name


def test_a_different_seed_gives_different_data(demo_dir: Path, tmp_path: Path) -> None:
    names = [
        f"{CLA}/cla_number_and_rate_per_10k_children.csv",
        "statistical_neighbours/statistical_neighbours_2025_long.csv",
    ]
    other = generate_demo_files(tmp_path / "other", seed=DEFAULT_SEED + 1, only=names)
    assert other == [tmp_path / "other" / name for name in names]
    for name in names:
        assert (tmp_path / "other" / name).read_bytes() != (demo_dir / name).read_bytes(), name
    same = generate_demo_files(tmp_path / "same", only=names[:1])
    assert same[0].read_bytes() == (demo_dir / names[0]).read_bytes()


def test_cli_passes_folder_and_seed(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    calls = []
    monkeypatch.setattr(
        "demo.generate.generate_demo_files", lambda out, seed: calls.append((out, seed)) or []
    )
    assert main([str(tmp_path), "--seed", "7"]) == 0
    assert main([str(tmp_path)]) == 0
    assert calls == [(tmp_path, 7), (tmp_path, DEFAULT_SEED)]


# ---------------------------------------------------------------------------
# Calibration against England's published figures


def test_england_figures_are_realistic(demo_dir: Path) -> None:
    latest = YEARS[-1]
    rate = national(
        demo_dir,
        f"{CLA}/cla_number_and_rate_per_10k_children.csv",
        latest,
        population_type="Children looked after on 31 March each year",
    )
    assert 60 <= int(rate["rate_per_10000"]) <= 80
    stability = national(
        demo_dir,
        f"{CLA}/la_cla_placement_stability.csv",
        latest,
        placement_stability="With 3 or more placements during the year",
    )
    assert 8 <= int(stability["children_percent"]) <= 12
    eet = national(
        demo_dir,
        f"{CLA}/la_care_leavers_activity.csv",
        latest,
        care_leaver_age="19 to 21 years",
        breakdown="Total in education, employment or training",
    )
    assert 50 <= int(eet["care_leaver_percent"]) <= 60
    first = national(
        demo_dir,
        f"{CLA}/cla_number_and_rate_per_10k_children.csv",
        YEARS[0],
        population_type="Children looked after on 31 March each year",
    )
    assert int(first["rate_per_10000"]) < int(rate["rate_per_10000"])


def test_council_rates_spread_like_real_councils(demo_dir: Path) -> None:
    rates = [
        int(r["rate_per_10000"])
        for r in la_rows(demo_dir, f"{CLA}/cla_number_and_rate_per_10k_children.csv")
        if r["time_period"] == YEARS[-1]
        and r["population_type"].startswith("Children looked after")
    ]
    assert min(rates) < 35 and max(rates) > 140


def test_small_councils_are_small(demo_dir: Path) -> None:
    found = set()
    for r in la_rows(demo_dir, f"{CLA}/cla_number_and_rate_per_10k_children.csv"):
        if r["la_name"] in SMALL_COUNCILS and r["population_type"].startswith(
            "Children looked after"
        ):
            found.add(r["la_name"])
            assert 7_000 <= int(r["population_estimate"]) <= 15_000
            assert 20 <= int(r["children_count"]) <= 45
    assert found == SMALL_COUNCILS


# ---------------------------------------------------------------------------
# Suppression and symbols


def test_small_cells_are_suppressed_never_zeroed(demo_dir: Path) -> None:
    for name in OUTPUT_FILES:
        if not name.startswith(CLA):
            continue
        data = table(demo_dir, name)
        count_col = next(c for c in data.header if c in COUNT_COLUMNS)
        pct_col = next((c for c in data.header if c.endswith(("percent", "percentage"))), None)
        label = data[data.header[data.header.index(count_col) - 1]]
        counts, levels = data[count_col], data["geographic_level"]
        pcts = data[pct_col] if pct_col else None
        for i in range(data.size):
            value = counts[i]
            if label[i] in NOT_COUNTS:
                continue
            if value in SYMBOLS:
                if pcts is not None and value in {"c", "x"}:
                    assert pcts[i] == value, (name, data.records()[i])
                continue
            number = int(value)
            if levels[i] == "Local authority":
                assert not 1 <= number <= 5, (name, i)
            else:
                assert number % 10 == 0, (name, i)
            if pcts is not None and number == 0:
                assert pcts[i] in {"0", "z"}, (name, i)


def test_small_councils_have_suppressed_cells(demo_dir: Path) -> None:
    suppressed = defaultdict(int)
    for r in la_rows(demo_dir, f"{CLA}/la_care_leavers_activity.csv"):
        if r["care_leaver_count"] == "c":
            suppressed[r["la_name"]] += 1
    assert set(suppressed) >= SMALL_COUNCILS
    assert suppressed["Fenwick Parva"] > suppressed.get("Millbridge", 0)


def test_rounds_to_zero_and_not_applicable_symbols_are_used(demo_dir: Path) -> None:
    values = set(
        table(demo_dir, f"{CLA}/la_cla_during_year_new_placements.csv")["children_percent"]
    )
    assert "k" in values
    activity = rows(demo_dir, f"{CLA}/la_care_leavers_activity.csv")
    split = {
        (r["time_period"], r["breakdown"]): r["care_leaver_count"]
        for r in activity
        if r["geographic_level"] == "National" and r["care_leaver_age"] == "19 to 21 years"
    }
    assert split[("2025", "In training or employment")] == "z"
    assert split[("2021", "In an apprenticeship")] == "z"
    assert split[("2021", "In training or employment")] not in SYMBOLS
    sdq = national(
        demo_dir,
        f"{CLA}/la_conviction_health_outcome_cla.csv",
        "2025",
        breakdown="SDQ average score",
    )
    assert re.fullmatch(r"\d+\.\d", sdq["children_count"]) and sdq["children_percent"] == "z"
    missing = national(
        demo_dir,
        f"{CLA}/la_children_who_were_missing_or_away_from_placement_without_authorisation.csv",
        "2025",
        CLA_group="Average number of missing incidents per looked after child who went missing",
    )
    assert 5.5 <= float(missing["number"]) <= 7.5


# ---------------------------------------------------------------------------
# Internal consistency


def _by_council(demo_dir: Path, name: str, label_cols: tuple[str, ...], value: str):
    data = table(demo_dir, name)
    out: dict[tuple[str, str], dict[tuple[str, ...], str]] = defaultdict(dict)
    labels = [data[c] for c in label_cols]
    years, codes, values = data["time_period"], data["old_la_code"], data[value]
    for i in data.where(geographic_level="Local authority"):
        out[(years[i], codes[i])][tuple(col[i] for col in labels)] = values[i]
    return out


def test_rates_are_counts_over_population(demo_dir: Path) -> None:
    for r in la_rows(demo_dir, f"{CLA}/cla_number_and_rate_per_10k_children.csv"):
        if r["children_count"] in SYMBOLS:
            continue
        expected = half_up(int(r["children_count"]) * 10_000, int(r["population_estimate"]))
        assert int(r["rate_per_10000"]) == expected, r
    ons = {
        (r["time_period"], r["old_la_code"]): r["population_estimate"]
        for r in rows(demo_dir, "ons/ons_mid-year_population_estimates.csv")
    }
    for r in la_rows(demo_dir, f"{CLA}/cla_number_and_rate_per_10k_children.csv"):
        assert ons[(str(int(r["time_period"]) - 1), r["old_la_code"])] == r["population_estimate"]


def test_placements_add_up_across_files(demo_dir: Path) -> None:
    chars = _by_council(
        demo_dir,
        f"{CLA}/la_cla_on_31_march_by_characteristics.csv",
        ("cla_group", "characteristic"),
        "number",
    )
    providers = _by_council(
        demo_dir,
        f"{CLA}/la_cla_on_31_march_by_placement_provider.csv",
        ("placement_type", "placement_provider"),
        "number",
    )
    netgain = _by_council(
        demo_dir,
        f"{CLA}/la_cla_on_31_march_la_of_placement_netgain.csv",
        ("characteristic",),
        "number",
    )
    rates = _by_council(
        demo_dir,
        f"{CLA}/cla_number_and_rate_per_10k_children.csv",
        ("population_type",),
        "children_count",
    )
    checked = 0
    for key, c in chars.items():
        total = c[("Placement", "Total children")]
        assert total == rates[key][("Children looked after on 31 March each year",)]
        top = [v for (g, label), v in c.items() if g == "Placement" and re.match(r"\d\. ", label)]
        assert len(top) == 8
        if all(v not in SYMBOLS for v in top):
            assert sum(map(int, top)) == int(total)
            checked += 1
        # Each file is suppressed on its own (as DfE does), so compare where both are shown.
        foster_in = c[("Placement", "1a Total foster placements inside council boundary")]
        foster_in_2 = providers[key][("2a. Foster placements", "All children")]
        if "c" not in (foster_in, foster_in_2):
            assert foster_in == foster_in_2
        out = providers[key][("3. All children placed outside council boundary", "All children")]
        placed_out = netgain[key][
            ("2. Children who are the responsibility of this LA placed outside the LA boundary",)
        ]
        if "c" not in (out, placed_out):
            assert out == placed_out
        p = providers[key]
        if p[("1. All children looked after at 31 March", "All children")] not in SYMBOLS:
            assert p[("1. All children looked after at 31 March", "All children")] == total
    assert checked > 50


def test_care_leaver_activity_parts_add_up(demo_dir: Path) -> None:
    data = _by_council(
        demo_dir,
        f"{CLA}/la_care_leavers_activity.csv",
        ("care_leaver_age", "breakdown"),
        "care_leaver_count",
    )
    pct = _by_council(
        demo_dir,
        f"{CLA}/la_care_leavers_activity.csv",
        ("care_leaver_age", "breakdown"),
        "care_leaver_percent",
    )
    checked = 0
    for key, c in data.items():
        for age in ("17 to 18 years", "19 to 21 years"):
            parts = [
                c[(age, b)]
                for b in (
                    "Total in education, employment or training",
                    "Total information not known",
                    "Total not in education, employment or training",
                )
            ]
            total = c[(age, "Total")]
            if total in SYMBOLS or any(v in SYMBOLS for v in parts):
                continue
            assert sum(map(int, parts)) == int(total)
            eet = int(parts[0])
            assert pct[key][(age, "Total in education, employment or training")] == (
                str(half_up(100 * eet, int(total)))
                if half_up(100 * eet, int(total)) or not eet
                else "k"
            )
            checked += 1
    assert checked > 1500


# ---------------------------------------------------------------------------
# Statistical neighbours and names


@pytest.mark.parametrize("model", ["2021", "2025"])
def test_ten_neighbours_per_council(demo_dir: Path, model: str) -> None:
    data = rows(demo_dir, f"statistical_neighbours/statistical_neighbours_{model}_long.csv")
    councils = {
        r["old_la_code"]: r["la_name"]
        for r in la_rows(demo_dir, f"{CLA}/cla_number_and_rate_per_10k_children.csv")
    }
    ranks = defaultdict(list)
    for r in data:
        assert r["sn_old_la_code"] != r["old_la_code"]
        assert councils[r["sn_old_la_code"]] == r["sn_la_name"]
        ranks[r["old_la_code"]].append(int(r["sn_rank"]))
    assert set(ranks) == set(councils)
    assert all(sorted(v) == list(range(1, 11)) for v in ranks.values())
    bands = {r["sn_closeness"] for r in data}
    if model == "2021":
        assert bands <= {"Extremely Close", "Very Close", "Close", "Somewhat close", "Not Close"}
    else:
        assert bands <= {"Extremely close", "Very close", "Close", "Somewhat close", "Not close"}
    assert len(bands) >= 4


@pytest.mark.reference
def test_no_council_or_region_has_a_real_name(demo_dir: Path, reference_data: Path) -> None:
    import pandas as pd

    ref = reference_data
    sources = {
        "dfe/cla_release_2025/cla_number_and_rate_per_10k_children.csv": ["la_name", "region_name"],
        "dfe/cla_release_2022/la_cla_on_31_march_la_of_placement_net_gain.csv": ["la_name"],
        "dfe/statistical_neighbours/statistical_neighbours_2021_long.csv": [
            "la_name",
            "sn_la_name",
        ],
        "dfe/statistical_neighbours/statistical_neighbours_2025_long.csv": [
            "la_name",
            "sn_la_name",
        ],
        "ons/ons_mid-year_population_estimates_2012_to_2024.csv": ["la_name", "region_name"],
        "ons/LTLA-UTLA_Apr23_Lookup_England-Wales.csv": ["LTLA23NM", "UTLA23NM"],
    }
    real: set[str] = set()
    for source, columns in sources.items():
        table = pd.read_csv(
            ref / source, dtype=str, keep_default_na=False, encoding="utf-8-sig", usecols=columns
        )
        for column in columns:
            real |= {v.strip().lower() for v in table[column] if v.strip()}
    assert len(real) > 300
    data = rows(demo_dir, f"{CLA}/cla_number_and_rate_per_10k_children.csv")
    ours = {r["la_name"] for r in data if r["la_name"]} | {
        r["region_name"] for r in data if r["region_name"]
    }
    assert len(ours) > 150
    assert not {name for name in ours if name.lower() in real}
