"""Indicator values from stored facts: published, recomputed, suppressed, by release."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import load_texts, one_figure
from fixtures import ees

from domain.rounding import round_half_up
from indicators.compute import all_values

pytestmark = pytest.mark.pure


def test_round_half_up_matches_published_rounding():
    assert round_half_up(2.5) == 3 and round_half_up(3.5) == 4 and round_half_up(-2.5) == -3
    assert round_half_up(14.45, 1) == 14.5


def test_rate_is_reported_as_published_with_a_precise_recomputation(store):
    load_texts(store, {"rates.csv": ees.number_and_rate_2025()})
    values = all_values(store)
    council = one_figure(values, "cla_rate_per_10k", "857", 2025)
    assert council["value"] == 43
    assert council["numerator"] == 35 and council["denominator"] == 8200
    assert council["value_precise"] == 35 / 8200 * 10_000
    england = one_figure(values, "cla_count", "E92000001", 2025)
    assert england["value"] == 81770


def test_suppressed_inputs_give_a_suppressed_output_never_a_number(store):
    load_texts(store, {"stability.csv": ees.placement_stability_2025()})
    row = one_figure(all_values(store), "placements_3plus_pct", "857", 2025)
    assert pd.isna(row["value"]) and row["symbol"] == "c"
    assert pd.isna(row["value_precise"])


def test_newest_release_wins_unless_another_is_asked_for(store):
    load_texts(store, {"old.csv": ees.number_and_rate_pre2025(england_2024=83630)})
    load_texts(store, {"new.csv": ees.number_and_rate_2025(england_2024=83530)})
    assert one_figure(all_values(store), "cla_count", "E92000001", 2024)["value"] == 83530
    older = one_figure(all_values(store, release="2024"), "cla_count", "E92000001", 2024)
    assert older["value"] == 83630 and older["release"] == "2024"


NET_GAIN = (
    "time_period,time_identifier,geographic_level,country_code,country_name,region_code,"
    "region_name,old_la_code,la_name,new_la_code,characteristic,number\n"
    "2025,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,857,Rutland,"
    "E06000017,2. Children who are the responsibility of this LA placed outside the LA boundary,"
    "{outside}\n"
    "2025,Reporting year,Local authority,E92000001,England,E12000004,East Midlands,857,Rutland,"
    "E06000017,Net gain of children by responsible LA,5\n"
)


def test_computed_share_is_rounded_and_carries_input_symbols(store, tmp_path):
    from loaders.store import open_store

    load_texts(
        store, {"rates.csv": ees.number_and_rate_2025(), "gain.csv": NET_GAIN.format(outside=14)}
    )
    row = one_figure(all_values(store), "placed_outside_la_pct", "857", 2025)
    assert row["value"] == 40  # 14 / 35 = 40.0 %
    assert row["value_precise"] == 40.0
    other = open_store(tmp_path / "other.duckdb")
    load_texts(
        other, {"rates.csv": ees.number_and_rate_2025(), "gain.csv": NET_GAIN.format(outside="c")}
    )
    row = one_figure(all_values(other), "placed_outside_la_pct", "857", 2025)
    assert pd.isna(row["value"]) and row["symbol"] == "c"
