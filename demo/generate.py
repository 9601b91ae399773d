"""Generate the whole fictional demo dataset: one call, one seed, byte-identical output.

``generate_demo_files(out_dir, seed)`` writes DfE- and ONS-shaped CSV files
under ``out_dir`` (see ``OUTPUT_FILES``) and returns their paths. Each topic
draws from its own random stream derived from the seed, so changing one topic's
simulation does not reshuffle every other file. Only the standard library and
numpy are used, every number is formatted by exact integer or decimal rounding,
and nothing depends on hash or set ordering, so the output depends only on the
seed (and numpy's bit generator).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Collection, Sequence
from pathlib import Path

import numpy as np

from demo import cla_files as cf
from demo import outcomes, placement_files
from demo.conventions import CountTable, geographies
from demo.neighbours import write_neighbours
from demo.population import write_population
from demo.simulate import (
    simulate_care_leavers,
    simulate_characteristics,
    simulate_core,
    simulate_health,
    simulate_missing,
    simulate_placements,
    simulate_stability,
)
from demo.world import YEARS, build_world

DEFAULT_SEED = 20250331

CLA = "cla_release"
OUTPUT_FILES: tuple[str, ...] = (
    f"{CLA}/cla_number_and_rate_per_10k_children.csv",
    f"{CLA}/la_cla_placement_stability.csv",
    f"{CLA}/la_cla_during_year_new_placements.csv",
    f"{CLA}/la_care_leavers_activity.csv",
    f"{CLA}/la_care_leavers_accommodation_suitability.csv",
    f"{CLA}/la_conviction_health_outcome_cla.csv",
    f"{CLA}/la_cla_school_moves.csv",
    f"{CLA}/la_children_looked_after_exclusively_under_a_series_of_short_term_placements.csv",
    f"{CLA}/la_cla_swcount.csv",
    f"{CLA}/la_cla_on_31_march_la_of_placement_netgain.csv",
    f"{CLA}/la_care_leavers_intouch.csv",
    f"{CLA}/la_care_leavers_stayput.csv",
    f"{CLA}/la_children_who_were_missing_or_away_from_placement_without_authorisation.csv",
    f"{CLA}/la_cla_on_31_march_by_characteristics.csv",
    f"{CLA}/la_cla_on_31_march_by_placement_provider.csv",
    "outcomes_cin_cla/ks2_la.csv",
    "outcomes_cin_cla/ks4_la.csv",
    "outcomes_cin_cla/absence_la.csv",
    "statistical_neighbours/statistical_neighbours_2021_long.csv",
    "statistical_neighbours/statistical_neighbours_2025_long.csv",
    "ons/ons_mid-year_population_estimates.csv",
)

# One independent random stream per topic.
_STREAMS = (
    "world",
    "core",
    "placements",
    "stability",
    "missing",
    "leavers",
    "health",
    "characteristics",
    "ks2",
    "ks4",
    "absence",
    "sn2021",
    "sn2025",
    "short_breaks",  # appended last so the streams before it (and their files) are unchanged
)


def generate_demo_files(
    out_dir: Path, seed: int = DEFAULT_SEED, *, only: Collection[str] | None = None
) -> list[Path]:
    """Write the demo files under ``out_dir`` and return their paths (``OUTPUT_FILES`` order).

    ``only`` limits the output to some of ``OUTPUT_FILES`` (the simulation is the same,
    so those files are byte-identical to a full run with the same seed).
    """
    wanted = tuple(OUTPUT_FILES) if only is None else tuple(f for f in OUTPUT_FILES if f in only)
    if only is not None and (unknown := set(only) - set(OUTPUT_FILES)):
        raise ValueError(f"unknown demo files: {sorted(unknown)}")
    out_dir = Path(out_dir)
    rng = {name: np.random.default_rng([seed, k]) for k, name in enumerate(_STREAMS)}
    world = build_world(rng["world"])
    n = world.n
    geos = geographies(world.regions, world.councils)
    core = simulate_core(world, rng["core"])
    placements = simulate_placements(world, core, rng["placements"])
    stability = simulate_stability(world, core, rng["stability"])
    missing = simulate_missing(world, core, rng["missing"])
    leavers = simulate_care_leavers(world, core, rng["leavers"])
    health = simulate_health(world, core, rng["health"])
    chars = simulate_characteristics(world, core, placements, rng["characteristics"])
    short_breaks = cf.simulate_short_breaks(core, rng["short_breaks"])

    count_pct_2025 = ("children_count", "children_percent")
    leaver_2025 = ("care_leaver_count", "care_leaver_percent")
    count_pct = ("number", "percentage")

    def table(
        filters: Sequence[str],
        measures: Sequence[str],
        spec: CountTable,
        values: cf.ValuesFn,
        years: Sequence[int] = YEARS,
    ) -> Callable[[Path], object]:
        return lambda path: cf.write_table(path, filters, measures, spec, values, geos, n, years)

    writers: dict[str, Callable[[Path], object]] = {
        "cla_number_and_rate_per_10k_children.csv": lambda path: cf.write_rates(path, core, geos),
        "la_cla_placement_stability.csv": table(
            ("cla_group", "placement_stability"),
            count_pct_2025,
            cf.stability_table(),
            cf.stability_values(core, stability),
        ),
        "la_cla_during_year_new_placements.csv": table(
            ("characteristic", "breakdown"),
            count_pct_2025,
            cf.new_placements_table(),
            cf.new_placements_values(stability),
        ),
        "la_care_leavers_activity.csv": table(
            ("care_leaver_age", "breakdown"),
            leaver_2025,
            cf.activity_table(),
            cf.activity_values(leavers),
        ),
        "la_care_leavers_accommodation_suitability.csv": table(
            ("care_leaver_age", "breakdown"),
            leaver_2025,
            cf.suitability_table(),
            cf.suitability_values(leavers),
        ),
        "la_conviction_health_outcome_cla.csv": table(
            ("characteristic", "breakdown"),
            count_pct_2025,
            cf.health_table(),
            cf.health_values(core, health),
        ),
        "la_cla_school_moves.csv": table(
            ("cla_group", "move_measure", "school_stability"),
            count_pct,
            cf.school_table(),
            cf.school_values(stability),
            years=cf.SCHOOL_YEARS,
        ),
        "la_cla_swcount.csv": table(
            ("cla_group", "sw_stability"),
            count_pct,
            cf.sw_table(),
            cf.sw_values(core, stability),
            years=cf.SCHOOL_YEARS,
        ),
        "la_children_looked_after_exclusively_under_a_series_of_short_term_placements.csv": table(
            ("cla_group",),
            ("number",),
            cf.short_breaks_table(),
            cf.short_breaks_values(short_breaks),
        ),
        "la_cla_on_31_march_la_of_placement_netgain.csv": lambda path: cf.write_netgain(
            path, placements, geos, n
        ),
        "la_care_leavers_intouch.csv": table(
            ("age", "in_touch"), count_pct, cf.in_touch_table(), cf.in_touch_values(leavers)
        ),
        "la_care_leavers_stayput.csv": table(
            ("age", "stay_put"), count_pct, cf.stayput_table(), cf.stayput_values(leavers)
        ),
        "la_children_who_were_missing_or_away_from_placement_without_authorisation.csv": table(
            ("CLA_group",), ("number",), cf.missing_table(), cf.missing_values(core, missing)
        ),
        "la_cla_on_31_march_by_characteristics.csv": table(
            ("cla_group", "characteristic"),
            count_pct,
            placement_files.characteristics_table(),
            placement_files.characteristics_values(core, placements, chars),
        ),
        "la_cla_on_31_march_by_placement_provider.csv": table(
            ("placement_type", "placement_provider"),
            count_pct,
            placement_files.provider_table(),
            placement_files.provider_values(placements),
        ),
    }
    writers = {f"{CLA}/{name}": fn for name, fn in writers.items()}
    # The outcome and neighbour files draw from their own streams as they are written.
    neighbours = "statistical_neighbours/statistical_neighbours"
    writers |= {
        "outcomes_cin_cla/ks2_la.csv": lambda path: outcomes.write_ks2(
            path, world, core, rng["ks2"], geos
        ),
        "outcomes_cin_cla/ks4_la.csv": lambda path: outcomes.write_ks4(
            path, world, core, rng["ks4"], geos
        ),
        "outcomes_cin_cla/absence_la.csv": lambda path: outcomes.write_absence(
            path, world, core, rng["absence"], geos
        ),
        f"{neighbours}_2021_long.csv": lambda path: write_neighbours(
            path, world, rng["sn2021"], 2021
        ),
        f"{neighbours}_2025_long.csv": lambda path: write_neighbours(
            path, world, rng["sn2025"], 2025
        ),
        "ons/ons_mid-year_population_estimates.csv": lambda path: write_population(
            path, world, geos
        ),
    }
    paths = []
    for name in wanted:
        path = out_dir / name
        writers[name](path)
        paths.append(path)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m demo.generate OUT_DIR [--seed N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m demo",
        description="Write fictional children-looked-after data in DfE's open-data layouts.",
    )
    parser.add_argument("out_dir", type=Path, help="folder to write the CSV files into")
    parser.add_argument(
        "--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    paths = generate_demo_files(args.out_dir, seed=args.seed)
    elapsed = time.perf_counter() - started
    print(f"Wrote {len(paths)} files to {args.out_dir} in {elapsed:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
