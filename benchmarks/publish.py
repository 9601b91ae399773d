"""How long a publish for reader replicas takes: the two ways of copying the store.

``python benchmarks/publish.py [--db STORE] [--runs 5]`` copies the store (the demo
database by default) to a temporary folder first, so the store itself is never
touched, then publishes it ``--runs`` times each way, alternating, and prints the
median seconds and the published file's size. The writer pays this after every
commit (README, "Speed").
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from loaders.publish import publish  # noqa: E402
from loaders.store import open_store  # noqa: E402


def _no_file_copy(con, source, target) -> bool:
    return False  # makes publish() use COPY FROM DATABASE


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", type=Path, default=PROJECT / "data" / "demo.duckdb")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="publish_bench_") as scratch:
        store = Path(scratch) / "store.duckdb"
        shutil.copyfile(args.db, store)
        con = open_store(store)
        times: dict[str, list[float]] = {"file copy": [], "database copy": []}
        sizes: dict[str, int] = {}
        for _ in range(args.runs):
            for method, options in (
                ("file copy", {}),
                ("database copy", {"copy_file": _no_file_copy}),
            ):
                started = time.perf_counter()
                published = publish(con, Path(scratch) / "published", **options)
                times[method].append(time.perf_counter() - started)
                assert published.method == method
                sizes[method] = published.path.stat().st_size
        con.close()
    print(f"store {args.db} ({args.db.stat().st_size / 1e6:.1f} MB), {args.runs} runs each")
    for method, seconds in times.items():
        print(
            f"  {method:14s} median {statistics.median(seconds):.3f} s "
            f"(min {min(seconds):.3f}, max {max(seconds):.3f}), "
            f"published file {sizes[method] / 1e6:.1f} MB"
        )


if __name__ == "__main__":
    main()
