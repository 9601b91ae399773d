"""Benchmark: load a region's SSDA903 extracts and compute every quarterly indicator.

    .venv/bin/python benchmarks/ssda903_region.py [--councils 30] [--years 10]

Writes a fictional region with the project's generator (demo/ssda903_extract.py;
kept in .cache/ and reused), loads each council's extract into a new store as
`python -m loaders region` does (each council its own load, with the Data page's
reading, checks, preview and commit; two extracts read and checked at once, on
this machine's two cores), then computes every indicator at every quarter end for every
council in one pass, protected as the pages show them. Runs it three times (each
into a new store) and prints the medians the README quotes, with their range.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
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
    parser.add_argument("--repeat", type=int, default=3, help="runs (the median is quoted)")
    parser.add_argument(
        "--workers", type=int, default=EXTRACT_WORKERS, help="extracts read and checked at once"
    )
    args = parser.parse_args()
    plans = regional_plans(args.councils, args.years, args.seed)
    # Kept per generator version: a change to the generator writes the region anew.
    generator = hashlib.sha256((PROJECT / "demo" / "ssda903_extract.py").read_bytes())
    name = f"region_{args.councils}x{args.years}_{args.seed}_{generator.hexdigest()[:8]}"
    folder = PROJECT / ".cache" / name
    if not (folder / "done").exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        for k, plan in enumerate(plans):
            write_extract(folder / plan.la_code, plan, np.random.default_rng([args.seed, k]))
        (folder / "done").write_text("ok")
        print(f"generated the region in {time.perf_counter() - started:.0f} s (not timed below)")
    episodes = sum((folder / p.la_code / "episodes.csv").read_text().count("\n") - 1 for p in plans)
    runs = [_one_run(folder, plans, args.workers) for _ in range(args.repeat)]
    loaded = statistics.median(r.loaded for r in runs)
    computed = statistics.median(r.computed for r in runs)
    total = statistics.median(r.loaded + r.computed for r in runs)

    def spread(values: list[float]) -> str:
        return f"{min(values):.1f}-{max(values):.1f}"

    print(
        f"{args.councils} councils x {args.years} years: {episodes:,} episodes; "
        f"median of {args.repeat} runs (range)\n"
        f"load ({args.councils} loads, {args.workers} at once; read, check, commit, "
        f"checkpoint): {loaded:.1f} s ({spread([r.loaded for r in runs])})\n"
        f"every indicator at every quarter end ({runs[0].quarters:,} council-quarters, "
        f"{runs[0].figures:,} protected figures): {computed:.1f} s "
        f"({spread([r.computed for r in runs])})\n"
        f"total: {total:.1f} s ({spread([r.loaded + r.computed for r in runs])})"
    )
    return 0


@dataclass
class Run:
    loaded: float
    computed: float
    quarters: int
    figures: int


def _one_run(folder: Path, plans: list, workers: int) -> Run:
    """Load the region into a new store, then compute every figure; both timed."""
    with tempfile.TemporaryDirectory() as scratch:
        con = open_store(Path(scratch) / "region.duckdb")
        started = time.perf_counter()
        reports = load_extracts(
            con,
            [([folder / p.la_code], ExtractOptions(p.la_code, p.as_at)) for p in plans],
            workers=workers,
        )
        assert all(r.status == "committed" for r in reports), [r.status for r in reports]
        # Counted in: folding the write-ahead log into the database file.
        con.execute("CHECKPOINT")
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        table = every_council_extract_figures(con)
        computed = time.perf_counter() - started
        quarters = len(table[["la_code", "quarter_end"]].drop_duplicates())
        con.close()
    return Run(loaded, computed, quarters, len(table))


if __name__ == "__main__":
    raise SystemExit(main())
