"""The demo extract's targets: the council's published figures, read without the indicators.

`demo/ssda903_extract.py: published_targets` reads the store's facts by the
catalogue's selectors (the generator sits below the indicators in the layers and
may not import them). These tests hold it to the figures the indicators
themselves give, for every council, so the demo extract follows exactly what the
pages show; and they check that every figure the simulator follows is one the
catalogue has, so a renamed indicator cannot quietly drop to a default.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from demo.generate import DEFAULT_SEED
from demo.ssda903_extract import CouncilPlan, demo_plan, published_targets, simulate_extract
from indicators.catalogue import catalogue
from indicators.compute import all_values
from loaders.store import open_store


def latest_by_indicator(values: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Council -> indicator -> its latest value with a number, from `all_values`."""
    councils = values[values["geographic_level"] == "Local authority"].dropna(subset=["value"])
    latest = councils.sort_values("year").groupby(["area_code", "indicator_id"]).tail(1)
    result: dict[str, dict[str, float]] = {}
    for row in latest.itertuples():
        result.setdefault(row.area_code, {})[row.indicator_id] = float(row.value)
    return result


def assert_targets_are_the_indicators(con: duckdb.DuckDBPyConnection) -> None:
    expected = latest_by_indicator(all_values(con))
    assert len(expected) > 100
    differing = {
        council: code_targets
        for council, code_targets in expected.items()
        if published_targets(con, council) != code_targets
    }
    assert not differing, sorted(differing)[:5]


def test_demo_targets_are_the_figures_the_pages_show(demo_db: Path) -> None:
    con = open_store(demo_db)
    try:
        assert_targets_are_the_indicators(con)
    finally:
        con.close()


@pytest.mark.reference
def test_targets_read_one_release_per_figure_on_real_data(real_2024_2025) -> None:
    """DfE's 2024 and 2025 releases: a computed share takes both its inputs from one release."""
    assert_targets_are_the_indicators(real_2024_2025)


def test_a_council_without_figures_has_no_targets(demo_db: Path) -> None:
    con = open_store(demo_db)
    try:
        assert published_targets(con, "999") == {}
    finally:
        con.close()


@dataclasses.dataclass
class RecordingPlan(CouncilPlan):
    """A plan that notes every figure the simulator asks it for."""

    asked: set[str] = dataclasses.field(default_factory=set)

    def target(self, indicator_id: str, default: float) -> float:
        self.asked.add(indicator_id)
        return super().target(indicator_id, default)


def test_every_figure_the_extract_follows_is_in_the_catalogue() -> None:
    plan = demo_plan(DEFAULT_SEED)
    recording = RecordingPlan(**{f.name: getattr(plan, f.name) for f in dataclasses.fields(plan)})
    simulate_extract(recording, np.random.default_rng([DEFAULT_SEED, 903]))
    ids = {item.id for item in catalogue()}
    assert len(recording.asked) >= 20
    assert recording.asked <= ids, sorted(recording.asked - ids)
