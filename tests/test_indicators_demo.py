"""The indicators on the demo database, and the command line a panel analyst would run."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import PROJECT

from indicators.catalogue import catalogue
from indicators.scorecard import SHOW_COLUMNS, comparisons
from loaders.store import open_store


@pytest.fixture(scope="module")
def demo_table(demo_db):
    con = open_store(demo_db)
    table = comparisons(con)
    con.close()
    return table


# Small counts are suppressed (c) in the demo as DfE suppresses them, so indicators
# built on small groups of children have values for fewer councils.
SMALL_GROUPS = {
    "short_breaks_count": 0.3,
    "placed_for_adoption_pct": 0.4,
    "other_residential_pct": 0.3,
    "care_leavers_higher_education_pct": 0.3,
    "ks2_rwm_expected_pct": 0.4,
    "convictions_pct": 0.4,
}


def test_every_indicator_has_a_value_for_most_demo_councils(demo_table):
    councils = demo_table["area_code"].nunique()
    assert councils == 150
    for item in catalogue():
        rows = demo_table[demo_table["indicator_id"] == item.id]
        assert not rows.empty, item.id
        latest = rows[rows["year"] == rows["year"].max()]
        share = latest["value"].notna().sum() / councils
        assert share >= SMALL_GROUPS.get(item.id, 0.75), (item.id, share)


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "indicators", *args], cwd=PROJECT, capture_output=True, text=True
    )


def test_cli_show_prints_every_column_for_a_demo_council(demo_db_copy):
    result = _cli("show", "--db", str(demo_db_copy), "--la", "172", "--format", "csv")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == ",".join(SHOW_COLUMNS)
    assert len(lines) - 1 >= 40
    assert any(line.startswith("placements_3plus_pct,2025,") for line in lines)


def test_cli_show_table_with_sentences_reads_sensibly(demo_db_copy):
    result = _cli(
        "show",
        "--db",
        str(demo_db_copy),
        "--la",
        "172",
        "--period",
        "2025",
        "--sn-method",
        "median",
        "--sentences",
    )
    assert result.returncode == 0, result.stderr
    assert (
        "Wyrebrook (172); neighbours: DfE 2025 statistical neighbour model, median" in result.stdout
    )
    assert "- Children in care: " in result.stdout and "in Wyrebrook in 2025" in result.stdout
    assert "Strengths:" in result.stdout and "Concerns:" in result.stdout


def test_cli_list_prints_the_catalogue():
    result = _cli("list")
    assert result.returncode == 0
    assert "placements_3plus_pct" in result.stdout and "lower is better" in result.stdout


def test_cli_unknown_council_says_so(demo_db_copy):
    result = _cli("show", "--db", str(demo_db_copy), "--la", "999")
    assert result.returncode == 1
    assert "No indicators found for council 999" in result.stderr


def test_a_councils_summary_alone_is_its_scorecards_summary(demo_table):
    # At a glance reads the summary without every indicator's sentence: the same lists.
    from indicators.scorecard import council_scorecard, council_summary

    councils = sorted({str(a) for a in demo_table["area_code"].dropna()})
    judged = 0
    for code in councils[:: max(1, len(councils) // 8)]:
        for year in (None, 2023):
            summary = council_summary(demo_table, code, year)
            assert summary == council_scorecard(None, code, year, table=demo_table).summary
            judged += len(summary["strengths"]) + len(summary["concerns"])
    assert judged > 0
