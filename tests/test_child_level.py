"""Quarterly indicators from an SSDA903 extract: hand-built cases with answers worked by hand.

The extract in tests/fixtures/ssda903.py gives each child one edge case; the
expected figures below are counted from its comments, not from the code.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from indicators.child_level import (
    RAW_COLUMNS,
    extract_quarters,
    not_available,
    protect,
    quarterly_extract_figures,
)
from loaders.load import ExtractOptions
from tests.conftest import load_texts, store_contents
from tests.fixtures.ssda903 import EPISODES, extract_files

pytestmark = pytest.mark.pure

AS_AT = date(2025, 3, 31)


def load_extract(con, files=None, as_at=AS_AT, la="825"):
    return load_texts(con, files or extract_files(), extract=ExtractOptions(la, as_at))


@pytest.fixture
def loaded(store):
    report = load_extract(store)
    assert report.status == "committed", [p.describe() for p in report.problems]
    return store


def at(figures: pd.DataFrame, indicator: str, when: date = AS_AT) -> float:
    row = figures[(figures["indicator_id"] == indicator) & (figures["quarter_end"] == when)]
    assert len(row) == 1, f"{indicator} at {when}: {len(row)} rows"
    return float(row["value"].iloc[0])


@pytest.fixture
def figures(loaded):
    return quarterly_extract_figures(loaded, "825", threshold=1)  # nothing hidden


def test_the_clean_extract_loads_without_problems(store):
    report = load_extract(store)
    assert report.problems == []
    assert report.preview is not None
    assert "5 quarter end(s): 31/03/2024 to 31/03/2025" in " ".join(report.preview.lines())


def test_quarter_ends_need_a_full_year_of_records(loaded):
    # Complete from 1 April 2023 (the first episode end is June 2023).
    ends = [q.quarter_end for q in extract_quarters(loaded, "825")]
    assert ends == [
        date(2024, 3, 31),
        date(2024, 6, 30),
        date(2024, 9, 30),
        date(2024, 12, 31),
        date(2025, 3, 31),
    ]


def test_children_looked_after_exclude_short_breaks_and_a_child_leaving_that_day(figures):
    # A, C, E, F, G, H, I, J; not D (short breaks), B (ceased on 31 March), K (left 2023).
    assert at(figures, "cla_count") == 8


def test_starts_and_ceasings_count_each_child_once(loaded):
    from indicators.child_level import _raw_figures

    raw = _raw_figures(loaded, extract_quarters(loaded, "825"))
    assert raw[raw["indicator_id"].str.contains("rate")].empty  # no population loaded
    # Start and ceasing counts are checked through the rates in the demo test; here the
    # counts themselves, from the rates' numerators when a population is known:
    from indicators import child_level

    original = child_level._populations
    child_level._populations = lambda cursor: {"825": {2024: 10_000.0}}
    try:
        raw = _raw_figures(loaded, extract_quarters(loaded, "825"))
    finally:
        child_level._populations = original
    last = raw[raw["quarter_end"] == AS_AT].set_index("indicator_id")
    assert last.loc["cla_starts_rate_per_10k", "numerator"] == 4  # B, C, F, G (not D)
    assert last.loc["cla_ceased_rate_per_10k", "numerator"] == 2  # B, G
    assert last.loc["cla_rate_per_10k", "value"] == pytest.approx(8.0)  # 8 per 10,000


def test_three_or_more_placements(figures):
    # Only F: C's same-day episode, E's temporary placement and return, and F's
    # legal-status change are not placements.
    assert at(figures, "placements_3plus_pct") == pytest.approx(100 / 8)


def test_long_term_stability(figures):
    # Under 16 and looked after 2.5 years: A, H, I. Stable: A, and H (adopted by the
    # foster carer); I moved in January 2024.
    assert at(figures, "long_term_stability_pct") == pytest.approx(200 / 3)


def test_placement_groups_and_providers(figures):
    assert at(figures, "foster_pct") == pytest.approx(62.5)  # A, C, G, I, J
    assert at(figures, "childrens_homes_pct") == pytest.approx(25)  # E, F
    assert at(figures, "placed_for_adoption_pct") == pytest.approx(12.5)  # H
    assert at(figures, "other_placements_pct") == 0
    assert at(figures, "provider_own_pct") == pytest.approx(50)  # A, G, H, J
    assert at(figures, "provider_private_pct") == pytest.approx(25)  # E, F
    assert at(figures, "foster_own_provision_pct") == pytest.approx(60)  # A, G, J of 5


def test_missing_and_away(figures):
    # Looked after during the year (not D, not K): 9. A went missing twice; F was away.
    assert at(figures, "missing_pct") == pytest.approx(100 / 9)
    assert at(figures, "away_without_authorisation_pct") == pytest.approx(100 / 9)
    assert at(figures, "missing_incidents_per_child") == 2


def test_review_participation_leaves_out_under_fours_and_older_reviews(figures):
    # In the year: A PN1, C PN7, F PN4 (A's PN0 and its March 2024 review left out).
    assert at(figures, "review_participation_pct") == pytest.approx(200 / 3)


def test_unaccompanied_children_whose_status_has_not_ended(figures):
    assert at(figures, "uasc_count") == 1  # J; I's status ended in January


def test_care_leavers_by_birthday_in_the_year(figures):
    assert at(figures, "care_leavers_19_21_count") == 2  # L1 (19), L2 (21)
    assert at(figures, "care_leavers_19_21_in_touch_pct") == 50
    assert at(figures, "care_leavers_19_21_eet_pct") == 50
    assert at(figures, "care_leavers_higher_education_pct") == 50
    assert at(figures, "care_leavers_19_21_suitable_accom_pct") == 50
    assert at(figures, "care_leavers_17_18_eet_pct") == 100  # L3
    assert at(figures, "care_leavers_17_18_suitable_accom_pct") == 0


def test_health_for_children_looked_after_twelve_months(figures):
    # Cohort: A, E, H, I, J (J has no OC2 row, so counts as not recorded).
    assert at(figures, "health_assessment_pct") == 60
    assert at(figures, "dental_check_pct") == 40
    assert at(figures, "immunisations_pct") == 40
    assert at(figures, "substance_misuse_pct") == 20
    assert at(figures, "development_checks_pct") == 100  # H, aged 4
    assert at(figures, "convictions_pct") == 25  # I, of A, E, I, J aged 10 or over
    assert at(figures, "sdq_mean") == 16  # A 12, E 20
    assert at(figures, "sdq_concern_pct") == 50
    # Health is for the extract's last complete year only.
    health = figures[figures["indicator_id"] == "health_assessment_pct"]
    assert list(health["quarter_end"]) == [AS_AT]


def test_out_of_area_is_not_available_without_a_placement_council(loaded, figures):
    assert "placed_outside_la_pct" not in set(figures["indicator_id"])
    assert "PL_LA" in not_available(loaded, "825")["placed_outside_la_pct"]


@pytest.mark.parametrize(
    "placed",
    [
        {"A": "826", "C": "826"},
        {"A": "826", "C": "W06000001"},  # C in Wales (an ONS code) beside three-digit codes
    ],
    ids=["another council", "a placement in Wales"],
)
def test_out_of_area_counts_placements_in_another_council(store, placed):
    columns = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,URN,PL_LA"
    rows = [e.split(",") for e in EPISODES]
    with_la = [",".join([*r[:9], r[12], placed.get(r[0], "825")]) for r in rows]
    files = extract_files(episodes=None)
    files["episodes.csv"] = "\n".join([columns, *with_la]) + "\n"
    assert load_extract(store, files).status == "committed"
    figures = quarterly_extract_figures(store, "825", threshold=1)
    assert at(figures, "placed_outside_la_pct") == pytest.approx(25)  # A, C of 8
    assert not_available(store, "825") == {}


def test_a_later_extract_supersedes_for_the_quarters_it_covers_and_undo_restores(loaded):
    from loaders.store import undo_load

    before = quarterly_extract_figures(loaded, "825", threshold=1)
    # A later extract in which J left care on 1 January 2025.
    episodes = [e for e in EPISODES if not e.startswith("J,")]
    episodes.append("J,01/01/2019,S,C2,N1,U1,PR1,01/01/2025,E13,,,,SC16")
    report = load_extract(loaded, extract_files(episodes), as_at=date(2025, 4, 2))
    assert report.status == "committed"
    assert any("Supersedes load" in line for line in report.preview.lines())
    after = quarterly_extract_figures(loaded, "825", threshold=1)
    assert at(after, "cla_count") == 7 and at(after, "cla_count", date(2024, 12, 31)) == 8
    assert set(after["load_id"]) == {report.load_id}
    undo_load(loaded, report.load_id)
    again = quarterly_extract_figures(loaded, "825", threshold=1)
    pd.testing.assert_frame_equal(again, before)


def test_bad_rows_are_reported_by_table_line_child_and_column_and_set_aside(store):
    episodes = [*EPISODES, "Z,31/02/2025,S,C2,N1,U1,PR1,,,,,,", "Y,01/02/2025,S,C2,N1,Q9,PR1,,,,,,"]
    header = extract_files()["header.csv"] + "Y,1,01/01/2012,WBRI,,,\nZ,1,01/01/2012,WBRI,,,\n"
    report = load_extract(store, extract_files(episodes, **{"header.csv": header}))
    assert report.status == "committed"
    found = {(p.table, p.check, p.line, p.child, p.column, p.severity) for p in report.problems}
    line = len(EPISODES) + 2
    assert ("Episodes", "date", line, "Z", "DECOM", "error") in found
    assert ("Episodes", "place", line + 1, "Y", "PLACE", "warning") in found
    stored = store.execute("SELECT child FROM extract_episodes WHERE child IN ('Y', 'Z')")
    assert stored.fetchall() == [("Y",)]  # Z set aside; Y kept with its code counted as other
    table = report.problems_table()
    assert {"table", "child"} <= set(table.columns)


def test_an_extract_without_a_council_is_refused_and_nothing_is_written(store):
    before = store_contents(store)
    report = load_texts(store, extract_files())
    assert report.status == "rejected"
    assert "three-digit code" in report.files[0].message
    assert store_contents(store) == before


def test_protection_hides_small_counts_complements_and_one_hidden_cell_in_a_sum():
    raw = pd.DataFrame(
        [
            (1, AS_AT, "cla_count", 100, None, 100.0, None),
            (1, AS_AT, "foster_pct", 60, 100, 60.0, "placement"),
            (1, AS_AT, "childrens_homes_pct", 3, 100, 3.0, "placement"),  # small
            (1, AS_AT, "placed_for_adoption_pct", 12, 100, 12.0, "placement"),  # next smallest
            (1, AS_AT, "other_placements_pct", 25, 100, 25.0, "placement"),
            (1, AS_AT, "missing_pct", 97, 100, 97.0, None),  # 3 did not go missing
            (1, AS_AT, "uasc_count", 0, None, 0.0, None),  # zero is not disclosive
            (1, AS_AT, "sdq_mean", 4, 4, 15.0, None),  # average of four children
            # Another council's extract at the same date: its cells are its own group.
            (2, AS_AT, "foster_pct", 80, 100, 80.0, "placement"),
            (2, AS_AT, "childrens_homes_pct", 10, 100, 10.0, "placement"),
            (2, AS_AT, "placed_for_adoption_pct", 10, 100, 10.0, "placement"),
        ],
        columns=RAW_COLUMNS,
    )
    protected = protect(raw, threshold=5)
    shown = protected[protected["load_id"] == 1].set_index("indicator_id")
    hidden = set(shown.index[shown["symbol"] == "c"])
    assert hidden == {"childrens_homes_pct", "placed_for_adoption_pct", "missing_pct", "sdq_mean"}
    assert shown.loc[sorted(hidden), "value"].isna().all()
    assert {"numerator", "denominator"}.isdisjoint(shown.columns)
    assert protected.loc[protected["load_id"] == 2, "symbol"].isna().all()


def test_the_threshold_is_configurable(loaded, monkeypatch):
    monkeypatch.setenv("CP_SMALL_COUNT", "10")
    figures = quarterly_extract_figures(loaded, "825")
    assert (figures["symbol"] == "c").all()  # no count in this tiny extract reaches 10
    assert figures.loc[figures["symbol"] == "c", "value"].isna().all()


def test_extract_only_indicators_have_unique_short_titles_and_known_lines():
    from domain.registry import registry
    from indicators.catalogue import grouping

    titles = [item.short_title for item in registry().indicators]
    assert len(titles) == len(set(titles))  # tables are keyed by short title
    lines = {theme.id for theme in grouping("lga").themes}
    assert {line for extra in registry().extract_only() for line in extra.lines} <= lines


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"header.csv": extract_files()["header.csv"]}, "needs its Episodes table"),
        (
            {**extract_files(), "episodes_again.csv": extract_files()["episodes.csv"] + "\n"},
            "Two copies of the same SSDA903 table",
        ),
    ],
)
def test_an_incomplete_or_doubled_extract_is_refused_and_nothing_is_written(store, files, message):
    before = store_contents(store)
    report = load_texts(store, files, extract=ExtractOptions("825", AS_AT))
    assert report.status == "rejected"
    assert all(message in f.message for f in report.files if f.outcome == "rejected")
    assert store_contents(store) == before


@pytest.mark.slow
def test_a_region_computed_in_one_pass_matches_each_council_alone(tmp_path):
    import numpy as np

    from demo.ssda903_extract import regional_plans, write_extract
    from indicators.child_level import every_council_extract_figures
    from loaders.load import load_paths
    from loaders.store import open_store

    plans = regional_plans(2, 2, 7)
    con = open_store(tmp_path / "region.duckdb")
    for k, plan in enumerate(plans):
        write_extract(tmp_path / plan.la_code, plan, np.random.default_rng([7, k]))
        options = ExtractOptions(plan.la_code, plan.as_at)
        assert load_paths(con, [tmp_path / plan.la_code], extract=options).status == "committed"
    region = every_council_extract_figures(con)
    assert set(region["la_code"]) == {plan.la_code for plan in plans}
    by_council = [set(region.loc[region["la_code"] == p.la_code, "quarter_end"]) for p in plans]
    assert by_council[0] & by_council[1]  # the same quarter ends, computed side by side
    for plan in plans:
        alone = quarterly_extract_figures(con, plan.la_code)
        mine = region[region["la_code"] == plan.la_code].drop(columns="la_code")
        pd.testing.assert_frame_equal(mine.reset_index(drop=True), alone)
    con.close()


def _without_times(contents: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Store contents with the load log's timestamps taken out (they differ run to run)."""
    loads = [row[:1] + row[3:] for row in contents["loads"]]  # load_id, then after the times
    return {**contents, "loads": loads}


@pytest.mark.slow
def test_a_region_loaded_in_parallel_is_the_same_as_loading_each_in_turn(tmp_path):
    import numpy as np

    from demo.ssda903_extract import regional_plans, write_extract
    from loaders.load import load_extracts, load_paths
    from loaders.store import open_store
    from tests.conftest import store_contents

    plans = regional_plans(3, 2, 11)
    for k, plan in enumerate(plans):
        write_extract(tmp_path / plan.la_code, plan, np.random.default_rng([11, k]))
    # The first council's folder listed twice: the second time it is already loaded.
    batch = [([tmp_path / p.la_code], ExtractOptions(p.la_code, p.as_at)) for p in plans]
    batch.append(batch[0])

    in_turn = open_store(tmp_path / "in_turn.duckdb")
    expected = [load_paths(in_turn, paths, extract=options) for paths, options in batch]
    together = open_store(tmp_path / "together.duckdb")
    threads = together.execute("SELECT current_setting('threads')").fetchall()
    reports = load_extracts(together, batch, workers=2)
    assert together.execute("SELECT current_setting('threads')").fetchall() == threads

    assert [r.status for r in reports] == [r.status for r in expected]
    assert [r.status for r in reports] == ["committed"] * 3 + ["nothing new"]
    assert [r.load_id for r in reports] == [1, 2, 3, None]
    for mine, theirs in zip(reports, expected, strict=True):
        assert mine.files_table().equals(theirs.files_table())
        assert [p.describe() for p in mine.problems] == [p.describe() for p in theirs.problems]
    assert _without_times(store_contents(together)) == _without_times(store_contents(in_turn))
    in_turn.close()
    together.close()


@pytest.mark.slow
def test_out_of_area_needs_the_councils_own_code_in_the_form_the_extract_uses(tmp_path):
    """The benchmark's one-council region: PL_LA as ONS codes, its own known or not."""
    import numpy as np

    from demo.ssda903_extract import regional_plans, write_extract
    from loaders.load import load_paths
    from loaders.store import open_store

    (plan,) = regional_plans(1, 2, 5)
    write_extract(tmp_path / plan.la_code, plan, np.random.default_rng(5))
    con = open_store(tmp_path / "one.duckdb")
    options = ExtractOptions(plan.la_code, plan.as_at)
    assert load_paths(con, [tmp_path / plan.la_code], extract=options).status == "committed"
    figures = quarterly_extract_figures(con, plan.la_code)
    assert len(figures) > 100
    # Its PL_LA are ONS codes and no DfE release names the fictional council's own:
    # inside cannot be told from outside, so no figure, and the reason.
    assert "placed_outside_la_pct" not in set(figures["indicator_id"])
    assert "ONS code" in not_available(con, plan.la_code)["placed_outside_la_pct"]
    # A published row naming the council's ONS code (as a DfE release would).
    con.execute(
        "INSERT INTO facts (load_id, dataset, release, time_period, year, time_identifier, "
        "geographic_level, area_code, area_name, old_la_code, new_la_code, cohort, breakdown, "
        "variant, measure, value, published_filters) VALUES (99, 'cla_number_and_rate', "
        "'2025', '2025', 2025, 'Reporting year', 'Local authority', ?, 'Fictional', ?, ?, "
        "'', '', '', 'population_estimate', 1000, '')",
        [plan.la_code, plan.la_code, plan.ons_code],
    )
    figures = quarterly_extract_figures(con, plan.la_code)
    shares = figures.loc[figures["indicator_id"] == "placed_outside_la_pct", "value"]
    assert len(shares) and shares.between(1, 99).all()
    assert not_available(con, plan.la_code) == {}
    con.close()


def test_a_region_load_goes_on_when_one_extract_cannot_be_read_or_written(tmp_path, monkeypatch):
    import loaders.load as load
    from loaders.store import open_store

    folders = []
    for k, la in enumerate(("825", "826", "827")):
        folder = tmp_path / la
        folder.mkdir()
        for name, text in extract_files().items():  # other bytes per council, the same rows
            variant = (text, text.replace("\n", "\r\n"), "\ufeff" + text)[k]
            (folder / name).write_bytes(variant.encode())
        folders.append(([folder], ExtractOptions(la, AS_AT)))
    real_prepare, real_write = load.prepare, load._write_extract

    def prepare(inputs, con, **options):
        if options["extract"].la_code == "826":
            raise OSError("the disk went away")
        return real_prepare(inputs, con, **options)

    def write_extract(con, load_id, extract):
        if extract.la_code == "827":
            raise RuntimeError("out of space")
        return real_write(con, load_id, extract)

    monkeypatch.setattr(load, "prepare", prepare)
    monkeypatch.setattr(load, "_write_extract", write_extract)
    con = open_store(tmp_path / "region.duckdb")
    reports = load.load_extracts(con, folders, workers=2)
    assert [r.status for r in reports] == ["committed", "rejected", "rejected"]
    assert (
        "could not be read and checked: OSError: the disk went away" in reports[1].files[0].message
    )
    assert "could not be written" in reports[2].files[0].message
    assert con.execute("SELECT DISTINCT la_code FROM extracts").fetchall() == [("825",)]
    assert con.execute("SELECT count(*) FROM loads WHERE status = 'committed'").fetchall() == [(1,)]
    con.close()
