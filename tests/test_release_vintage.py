"""Which release a figure comes from: one per file, the newest wins, never mixed.

The rule (docs/METHODOLOGY.md, "Which release wins"): each file's release is
the latest period it holds (or the one named with ``--release``), never taken
from other files in the batch; for each published cell the newest release
wins, and within one release the later load; a figure's value, numerator and
denominator all come from the one release chosen for it. So the same files
give the same figures however they are batched and in whatever order.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import load_texts, one_figure
from fixtures import ees

from indicators.compute import all_values
from loaders.store import open_store

GEO = ees.GEO
RUTLAND = "Local authority,E92000001,England,E12000004,East Midlands,857,Rutland,E06000017"
CLA = "Children looked after at 31 March each year"


def _numbers_2024_release(rutland_2024: str = "40") -> str:
    """The 2024 release's layout, reaching 2024: Rutland's count and population."""
    header = f"{GEO},population_count,population_estimate,number,rate_per_10000"
    return (
        f"{header}\n"
        f"2023,Reporting year,{RUTLAND},{CLA},8000,38,48\n"
        f"2024,Reporting year,{RUTLAND},{CLA},8100,{rutland_2024},49\n"
    )


def _numbers_2025_release() -> str:
    """The 2025 release, revising Rutland's 2024 count (40 -> 35) and its population."""
    header = (
        "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
        "region_name,old_la_code,la_name,new_la_code,population_type,children_count,"
        "population_estimate,rate_per_10000"
    )
    cohort = "Children looked after on 31 March each year"
    return (
        f"{header}\n"
        f"2024,Reporting year,{RUTLAND},{cohort},35,8000,44\n"
        f"2025,Reporting year,{RUTLAND},{cohort},36,8200,44\n"
    )


NET_GAIN_2024 = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,la_name,new_la_code,characteristic,number\n"
    f"2024,Reporting year,{RUTLAND},"
    "2. Children who are the responsibility of this LA placed outside the LA boundary,14\n"
    f"2024,Reporting year,{RUTLAND},Net gain of children by responsible LA,5\n"
)

FILES = {
    "numbers_2024.csv": _numbers_2024_release(),
    "numbers_2025.csv": _numbers_2025_release(),
    "net_gain_2024.csv": NET_GAIN_2024,
}


def _store_from(path: Path, batches: list[list[str]]):
    con = open_store(path)
    for batch in batches:
        report = load_texts(con, {name: FILES[name] for name in batch})
        assert report.status == "committed", [p.describe() for p in report.problems]
    return con


def test_each_file_carries_the_release_it_holds_not_the_batch_newest(store):
    report = load_texts(store, FILES)
    releases = {f.name: f.release for f in report.files}
    assert releases == {
        "numbers_2024.csv": "2024",
        "numbers_2025.csv": "2025",
        "net_gain_2024.csv": "2024",
    }
    stored = store.execute(
        "SELECT DISTINCT release FROM facts WHERE year = 2023 AND area_code = '857'"
    ).fetchall()
    assert stored == [("2024",)]


def test_in_one_batch_the_newer_release_wins_every_time(store):
    load_texts(store, FILES)
    for _ in range(3):
        row = one_figure(all_values(store), "cla_count", "857", 2024)
        assert row["value"] == 35 and row["release"] == "2025"


def test_a_figure_never_mixes_releases(store):
    """The rate's count and population come from the release of the rate itself."""
    load_texts(store, FILES)
    rate = one_figure(all_values(store), "cla_rate_per_10k", "857", 2024)
    assert rate["release"] == "2025"
    assert (rate["numerator"], rate["denominator"]) == (35, 8000)
    # The share placed outside: DfE publishes the outside count only in its 2024
    # release, so both inputs come from the 2024 release (14 of 40), never 14 of
    # the 2025 release's revised 35.
    share = one_figure(all_values(store), "placed_outside_la_pct", "857", 2024)
    assert (share["numerator"], share["denominator"], share["release"]) == (14, 40, "2024")
    assert share["value"] == 35


@pytest.mark.parametrize(
    "batches",
    [
        [["numbers_2025.csv"], ["numbers_2024.csv"], ["net_gain_2024.csv"]],
        [["net_gain_2024.csv", "numbers_2024.csv"], ["numbers_2025.csv"]],
        [["numbers_2024.csv"], ["numbers_2025.csv", "net_gain_2024.csv"]],
    ],
    ids=["newest-first", "oldest-first", "mixed"],
)
def test_batching_and_order_of_loads_do_not_change_any_figure(tmp_path, batches):
    one_batch = _store_from(tmp_path / "one.duckdb", [list(FILES)])
    other = _store_from(tmp_path / "other.duckdb", batches)
    expected = all_values(one_batch).to_csv(index=False)
    assert all_values(other).to_csv(index=False) == expected
    assert all_values(other).to_csv(index=False) == expected  # and again


def test_a_council_keeps_the_name_of_the_newest_release_whatever_the_load_order(tmp_path):
    renamed = _numbers_2025_release().replace(",Rutland,", ",Rutland County,")
    for name, order in (("a", ["old", "new"]), ("b", ["new", "old"])):
        con = open_store(tmp_path / f"{name}.duckdb")
        for which in order:
            text = _numbers_2024_release() if which == "old" else renamed
            load_texts(con, {f"{which}.csv": text})
        names = set(all_values(con).query("area_code == '857'")["area_name"])
        assert names == {"Rutland County"}, (order, names)
