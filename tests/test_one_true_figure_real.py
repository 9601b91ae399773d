"""One true figure on DfE's real releases (needs CP_REFERENCE_DATA).

The 2022, 2024 and 2025 releases of "Children looked after in England" revise
one another's years. Loaded in one batch, or one at a time in either order,
they must give byte-identical figures for every council, and the figures the
2025 release revised must be the 2025 release's (docs/METHODOLOGY.md, "Which
release wins").
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import one_figure

from indicators.compute import all_values
from indicators.scorecard import comparisons
from loaders.load import load_paths
from loaders.store import open_store

pytestmark = pytest.mark.reference
PROJECT = Path(__file__).resolve().parent.parent
RELEASES = ("cla_release_2022", "cla_release_2024", "cla_release_2025")
ORDERS = {
    "one batch": [RELEASES],
    "oldest first": [(r,) for r in RELEASES],
    "newest first": [(r,) for r in reversed(RELEASES)],
}


def _build(path: Path, reference: Path, batches: list[tuple[str, ...]]) -> Path:
    con = open_store(path)
    dfe = reference / "dfe"
    for batch in [
        *([dfe / name for name in names] for names in batches),
        [dfe / "statistical_neighbours" / "statistical_neighbours_2025_long.csv"],
    ]:
        report = load_paths(con, batch)
        assert report.status == "committed", [p.describe() for p in report.problems][:3]
    con.close()
    return path


@pytest.fixture(scope="module")
def stores(reference_data, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("one_true_figure")
    return {
        name: _build(folder / f"{name.replace(' ', '_')}.duckdb", reference_data, batches)
        for name, batches in ORDERS.items()
    }


@pytest.fixture(scope="module")
def tables(stores) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    result = {}
    for name, path in stores.items():
        con = open_store(path, read_only=True)
        result[name] = (all_values(con), comparisons(con))
        con.close()
    return result


def test_every_batching_and_order_gives_identical_figures_for_every_council(tables):
    expected_values, expected_comparisons = (t.to_csv(index=False) for t in tables["one batch"])
    for name, (values, compared) in tables.items():
        assert values.to_csv(index=False) == expected_values, name
        assert compared.to_csv(index=False) == expected_comparisons, name
    assert tables["one batch"][1]["area_code"].nunique() >= 150


def test_reading_the_same_store_twice_gives_identical_figures(stores, tables):
    con = open_store(stores["one batch"], read_only=True)
    try:
        again = all_values(con)
    finally:
        con.close()
    assert again.to_csv(index=False) == tables["one batch"][0].to_csv(index=False)


def test_the_command_line_prints_the_same_bytes_whatever_the_load_order(stores):
    printed = {
        name: subprocess.run(
            [sys.executable, "-m", "indicators", "show", "--db", str(path), "--la", "825",
             "--format", "csv", "--sentences"],
            cwd=PROJECT, capture_output=True, check=True,
        ).stdout
        for name, path in stores.items()
    }  # fmt: skip
    assert len(set(printed.values())) == 1, {k: len(v) for k, v in printed.items()}


def test_revised_figures_are_the_2025_releases(tables):
    values, compared = tables["one batch"]
    buckinghamshire = one_figure(values, "cla_count", "825", 2024)
    assert (buckinghamshire["value"], buckinghamshire["release"]) == (520, "2025")
    # So 2025 against 2024 is a rise of two (522 from 520), not a fall of one from 523.
    tile = one_figure(compared, "cla_count", "825", 2025)
    assert (tile["value"], tile["previous_value"], tile["direction"]) == (522, 520, "up")
    york = one_figure(values, "long_term_stability_pct", "816", 2024)
    assert (york["value"], york["release"]) == (73, "2025")
    lewisham = one_figure(values, "cla_rate_per_10k", "209", 2024)
    assert lewisham["value"] == 72
    assert round(lewisham["value_precise"]) == 72
    assert lewisham["release"] == "2025"


def test_england_has_one_value_on_every_councils_page(tables):
    values, compared = tables["one batch"]
    england = one_figure(values, "cla_count", "E92000001", 2023)["value"]
    shown = compared[(compared["indicator_id"] == "cla_count") & (compared["year"] == 2023)]
    assert set(shown["england_value"]) == {england}
    per_figure = compared.groupby(["indicator_id", "year"])["england_value"].nunique(dropna=True)
    assert per_figure.max() == 1
    per_region = compared.groupby(["indicator_id", "year", "region_code"])["region_value"].nunique(
        dropna=True
    )
    assert per_region.max() == 1
