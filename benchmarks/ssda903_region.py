"""Benchmark: load a region's SSDA903 extracts and compute every quarterly indicator.

    .venv/bin/python benchmarks/ssda903_region.py [--councils 30] [--years 10]

Writes a fictional region with the project's generator (demo/ssda903_extract.py;
kept in .cache/ and reused), loads each council's extract into a new store
through the same path as the Data page and the command line (read, check,
preview, commit), then computes every indicator at every quarter end for every
council in one pass, protected as the pages show them. Prints the timings the README quotes.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from demo.ssda903_extract import regional_plans, write_extract  # noqa: E402
from indicators.child_level import every_council_extract_figures  # noqa: E402
from loaders.load import EXTRACT_WORKERS, ExtractOptions, load_extracts  # noqa: E402
from loaders.store import open_store  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=30)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=903)
    parser.add_argument(
        "--workers", type=int, default=EXTRACT_WORKERS, help="extracts read and checked at once"
    )
    args = parser.parse_args()
    plans = regional_plans(args.councils, args.years, args.seed)
    folder = PROJECT / ".cache" / f"region_{args.councils}x{args.years}_{args.seed}"
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        for k, plan in enumerate(plans):
            write_extract(folder / plan.la_code, plan, np.random.default_rng([args.seed, k]))
        (folder / "done").write_text("ok")
        print(f"generated the region in {time.perf_counter() - started:.0f} s (not timed below)")
    episodes = sum((folder / p.la_code / "episodes.csv").read_text().count("\n") - 1 for p in plans)
    with tempfile.TemporaryDirectory() as scratch:
        con = open_store(Path(scratch) / "region.duckdb")
        started = time.perf_counter()
        reports = load_extracts(
            con,
            [([folder / p.la_code], ExtractOptions(p.la_code, p.as_at)) for p in plans],
            workers=args.workers,
        )
        assert all(r.status == "committed" for r in reports), [r.status for r in reports]
        # Counted in: folding the write-ahead log into the database file.
        con.execute("CHECKPOINT")
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        table = every_council_extract_figures(con)
        figures = len(table)
        quarters = len(table[["la_code", "quarter_end"]].drop_duplicates())
        computed = time.perf_counter() - started
        con.close()
    print(
        f"{args.councils} councils x {args.years} years: {episodes:,} episodes\n"
        f"load (read, check, preview, commit; {args.councils} loads): {loaded:.1f} s\n"
        f"every indicator at every quarter end ({quarters:,} council-quarters, "
        f"{figures:,} protected figures): {computed:.1f} s\n"
        f"total: {loaded + computed:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
