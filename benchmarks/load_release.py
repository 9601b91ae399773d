"""Benchmark: load a whole DfE release folder, next to DuckDB's own read_csv of the same files.

Usage:
    .venv/bin/python benchmarks/load_release.py [RELEASE_FOLDER] [--repeats N]

RELEASE_FOLDER defaults to $CP_REFERENCE_DATA/dfe/cla_release_2024. Each run
loads into a new temporary store. Prints the median of the runs: seconds, CSV
rows per second and facts per second for the project's loader (read, recognise,
validate, reshape, commit), and for DuckDB's ``read_csv`` (parse and insert
only, no validation) as the floor to compare against.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loaders.load import load_paths
from loaders.store import open_store


def time_project_loader(folder: Path) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        con = open_store(Path(tmp) / "bench.duckdb")
        started = time.perf_counter()
        report = load_paths(con, [folder])
        seconds = time.perf_counter() - started
        con.close()
    if report.status != "committed":
        raise SystemExit(f"load did not commit: {report.status}")
    return seconds, report.rows_loaded, report.facts_loaded


def time_duckdb_read_csv(files: list[Path]) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "raw.duckdb"))
        started = time.perf_counter()
        rows = 0
        for index, file in enumerate(files):
            con.execute(
                f"CREATE TABLE t{index} AS SELECT * FROM read_csv(?, header = true)", [str(file)]
            )
            rows += con.execute(f"SELECT count(*) FROM t{index}").fetchall()[0][0]
        seconds = time.perf_counter() - started
        con.close()
    return seconds, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.folder:
        folder = Path(args.folder)
    elif os.environ.get("CP_REFERENCE_DATA"):
        folder = Path(os.environ["CP_REFERENCE_DATA"]) / "dfe" / "cla_release_2024"
    else:
        raise SystemExit("Give a release folder, or set CP_REFERENCE_DATA.")

    # Compare like with like: DuckDB reads the same files the loader recognised.
    project = [time_project_loader(folder) for _ in range(args.repeats)]
    seconds = statistics.median(p[0] for p in project)
    rows, facts = project[0][1], project[0][2]
    with tempfile.TemporaryDirectory() as tmp:
        con = open_store(Path(tmp) / "probe.duckdb")
        report = load_paths(con, [folder], dry_run=True)
        con.close()
    used = [Path(f.name) for f in report.files if f.outcome == "loaded"]
    raw = [time_duckdb_read_csv(used) for _ in range(args.repeats)]
    raw_seconds = statistics.median(r[0] for r in raw)
    raw_rows = raw[0][1]

    print(f"Release folder: {folder} ({len(used)} files recognised)")
    print(f"Runs: {args.repeats} (median shown); machine: {os.cpu_count()} cores")
    print(
        f"Project loader : {seconds:6.2f} s  {rows:>9,} rows  {rows / seconds:>10,.0f} rows/s  "
        f"{facts / seconds:>10,.0f} facts/s"
    )
    print(
        f"DuckDB read_csv: {raw_seconds:6.2f} s  {raw_rows:>9,} rows  "
        f"{raw_rows / raw_seconds:>10,.0f} rows/s  (parse + insert only)"
    )
    print(f"Ratio          : the loader takes {seconds / raw_seconds:.1f}x DuckDB's read_csv")


if __name__ == "__main__":
    main()
