"""Benchmark: load a whole DfE release folder, next to DuckDB's own read_csv of the same files.

Usage:
    .venv/bin/python benchmarks/load_release.py [RELEASE_FOLDER] [--repeats N]

RELEASE_FOLDER defaults to $CP_REFERENCE_DATA/dfe/cla_release_2024. Each run
loads into a new temporary store. The loader's runs and DuckDB's ``read_csv``
runs (parse and insert only, no validation: the floor to compare against)
alternate, so both see the same machine. Prints the median of the runs: seconds
by the clock and seconds of this process's CPU (all threads), CSV rows per second
and facts per second, and the loader's ratio to the floor both ways. On a shared
machine the CPU ratio is the steadier: the clock also counts the time other
programs had the cores.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import duckdb

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from loaders.load import load_paths
from loaders.store import open_store


def process_cpu() -> float:
    """Seconds of CPU this process has used so far, every thread counted."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def time_project_loader(folder: Path) -> tuple[float, float, int, int]:
    """Clock seconds, CPU seconds, CSV rows and facts of one load into a new store."""
    with tempfile.TemporaryDirectory() as tmp:
        con = open_store(Path(tmp) / "bench.duckdb")
        started, cpu = time.perf_counter(), process_cpu()
        report = load_paths(con, [folder])
        seconds, cpu = time.perf_counter() - started, process_cpu() - cpu
        con.close()
    if report.status != "committed":
        raise SystemExit(f"load did not commit: {report.status}")
    return seconds, cpu, report.rows_loaded, report.facts_loaded


def time_duckdb_read_csv(files: list[Path]) -> tuple[float, float, int]:
    """Clock seconds, CPU seconds and rows of DuckDB reading the files into tables."""
    with tempfile.TemporaryDirectory() as tmp:
        con = duckdb.connect(str(Path(tmp) / "raw.duckdb"))
        started, cpu = time.perf_counter(), process_cpu()
        rows = 0
        for index, file in enumerate(files):
            con.execute(
                f"CREATE TABLE t{index} AS SELECT * FROM read_csv(?, header = true)", [str(file)]
            )
            rows += con.execute(f"SELECT count(*) FROM t{index}").fetchall()[0][0]
        seconds, cpu = time.perf_counter() - started, process_cpu() - cpu
        con.close()
    return seconds, cpu, rows


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
    with tempfile.TemporaryDirectory() as tmp:
        con = open_store(Path(tmp) / "probe.duckdb")
        report = load_paths(con, [folder], dry_run=True)
        con.close()
    used = [Path(f.name) for f in report.files if f.outcome == "loaded"]
    project, raw = [], []
    for _ in range(args.repeats):
        project.append(time_project_loader(folder))
        raw.append(time_duckdb_read_csv(used))
    seconds = statistics.median(p[0] for p in project)
    cpu = statistics.median(p[1] for p in project)
    rows, facts = project[0][2], project[0][3]
    raw_seconds = statistics.median(r[0] for r in raw)
    raw_cpu = statistics.median(r[1] for r in raw)
    raw_rows = raw[0][2]

    print(f"Release folder: {folder} ({len(used)} files recognised)")
    print(f"Runs: {args.repeats} each, alternating (median shown); machine: {os.cpu_count()} cores")
    print(
        f"Project loader : {seconds:6.2f} s ({cpu:5.2f} s CPU)  {rows:>9,} rows  "
        f"{rows / seconds:>10,.0f} rows/s  {facts / seconds:>10,.0f} facts/s"
    )
    print(
        f"DuckDB read_csv: {raw_seconds:6.2f} s ({raw_cpu:5.2f} s CPU)  {raw_rows:>9,} rows  "
        f"{raw_rows / raw_seconds:>10,.0f} rows/s  (parse + insert only)"
    )
    print(
        f"Ratio          : the loader takes {seconds / raw_seconds:.2f}x DuckDB's read_csv "
        f"by the clock, {cpu / raw_cpu:.2f}x by CPU"
    )


if __name__ == "__main__":
    main()
