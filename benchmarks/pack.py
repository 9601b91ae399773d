"""Benchmark: build a 20-indicator meeting pack (python-pptx), cold and warm.

Usage:
    .venv/bin/python benchmarks/pack.py [--db FILE] [--council CODE] [--repeats N]

"Cold" includes reading the store and computing every comparison, as the
command line does; "warm" is the deck alone from the cached comparison table,
as the Export page's download does. Median of the repeats.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from exports.pack import PackRequest, build_pack, pack_from_store  # noqa: E402
from indicators.catalogue import grouping  # noqa: E402
from indicators.compare import compare_all  # noqa: E402
from indicators.compute import all_values  # noqa: E402
from indicators.scorecard import neighbour_lists  # noqa: E402
from loaders.store import open_store  # noqa: E402


def twenty_indicators() -> list[str]:
    ids = [i for theme in grouping("lga").themes for i in theme.indicator_ids]
    return list(dict.fromkeys(ids))[:20]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", default=str(PROJECT / "data" / "demo.duckdb"))
    parser.add_argument("--council", default="172")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    ids = twenty_indicators()
    con = open_store(args.db, read_only=True)
    cold = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        deck = pack_from_store(con, args.council, ids)
        cold.append(time.perf_counter() - started)
    neighbours = neighbour_lists(con)
    table = compare_all(all_values(con), neighbours)
    request = PackRequest(args.council, "council", ids, sn_model=None)
    warm = []
    for _ in range(args.repeats):
        started = time.perf_counter()
        deck = build_pack(table, neighbours, request)
        warm.append(time.perf_counter() - started)
    print(f"Machine: {os.cpu_count()} cores. Store: {args.db}, council {args.council}.")
    print(
        f"20-indicator deck ({len(deck):,} bytes): cold {statistics.median(cold):.2f} s, "
        f"warm {statistics.median(warm):.2f} s (median of {args.repeats})"
    )


if __name__ == "__main__":
    main()
