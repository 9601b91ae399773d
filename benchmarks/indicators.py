"""Benchmark: every indicator with every comparison, for every council and period.

Usage:
    .venv/bin/python benchmarks/indicators.py [--db FILE] [--repeats N]

Without --db, builds a store from $CP_REFERENCE_DATA: DfE's 2024 and 2025
releases, the outcomes files, ONS population and the 2025 neighbour list (the
load itself is not timed). Prints the first (cold) run and the median of the
following (warm) runs, split into reading values and computing comparisons.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from indicators.compare import compare_all
from indicators.compute import all_values
from indicators.scorecard import neighbour_lists
from loaders.load import load_paths
from loaders.store import open_store


def build_real_store(folder: Path, path: Path, *, release_2025: bool = True) -> None:
    """DfE's 2024 and 2025 releases, outcomes, ONS population and 2025 neighbours in one
    store; without ``release_2025``, all but the 2025 release (the load test's analyst
    commits it)."""
    dfe = folder / "dfe"
    batches = [
        dfe / "cla_release_2024",
        *([dfe / "cla_release_2025"] if release_2025 else []),
        dfe / "outcomes_cin_cla",
        folder / "ons" / "ons_mid-year_population_estimates_2012_to_2024.csv",
        dfe / "statistical_neighbours" / "statistical_neighbours_2025_long.csv",
    ]
    con = open_store(path)
    try:
        for batch in batches:
            report = load_paths(con, [batch])
            if report.status != "committed":
                problems = [problem.describe() for problem in report.problems][:5]
                raise RuntimeError(f"{batch} did not load: {problems}")
    finally:
        con.close()


def run_once(con) -> tuple[float, float, int]:
    started = time.perf_counter()
    values = all_values(con)
    neighbours = neighbour_lists(con)
    read = time.perf_counter() - started
    started = time.perf_counter()
    table = compare_all(values, neighbours)
    return read, time.perf_counter() - started, len(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if args.db:
            path = Path(args.db)
        elif os.environ.get("CP_REFERENCE_DATA"):
            path = Path(tmp) / "real.duckdb"
            build_real_store(Path(os.environ["CP_REFERENCE_DATA"]), path)
        else:
            raise SystemExit("Give --db FILE, or set CP_REFERENCE_DATA.")
        con = open_store(path, read_only=True)
        facts = con.execute("SELECT count(*) FROM facts").fetchall()[0][0]
        runs = [run_once(con) for _ in range(args.repeats + 1)]
        con.close()
    cold, warm = runs[0], runs[1:]
    read = statistics.median(r[0] for r in warm)
    compare = statistics.median(r[1] for r in warm)
    rows = cold[2]
    print(f"Store: {path if args.db else 'real 2024+2025 releases'} ({facts:,} facts)")
    print(f"Rows computed: {rows:,} (indicator x council x period, with every comparison)")
    print(f"Cold run : {cold[0] + cold[1]:.2f} s (read {cold[0]:.2f} s, compare {cold[1]:.2f} s)")
    print(
        f"Warm runs: {read + compare:.2f} s median of {args.repeats} "
        f"(read {read:.2f} s, compare {compare:.2f} s); machine: {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
