"""Benchmark: the analyst's path (check + preview, then commit), quarterly return and release.

Usage:
    .venv/bin/python benchmarks/load_workflow.py [--repeats N]

1. A typical quarterly return (every catalogue indicator for one council, four
   quarters) into a copy of the demo store: the check-and-preview step the Data
   page runs on upload, then the commit.
2. With $CP_REFERENCE_DATA set, the whole DfE 2024 release folder through the
   same two steps, into a store that already holds the 2025 release (so the
   preview has revisions to find).
Each figure is the median of the runs, on a fresh copy each time.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from loaders.load import InputFile, expand_paths, load_files, load_paths  # noqa: E402
from loaders.quarterly import return_template  # noqa: E402
from loaders.store import open_store  # noqa: E402


def quarterly_return() -> InputFile:
    rows: list[str] = []
    for quarter in ("Q1", "Q2", "Q3", "Q4"):
        text = return_template(
            "172", "Wyrebrook", "E06000099", "E12000002", "North West", "202425", quarter
        )
        lines = text.strip().splitlines()
        rows += [line + "12" for line in lines[1:]]  # a value every indicator can take
    return InputFile("quarterly_return.csv", ("\n".join([lines[0], *rows]) + "\n").encode())


def time_two_steps(store: Path, inputs: list[InputFile]) -> tuple[float, float, int]:
    con = open_store(store)
    try:
        started = time.perf_counter()
        checked = load_files(con, inputs, dry_run=True, today=date(2026, 11, 23))
        check_seconds = time.perf_counter() - started
        if checked.status != "dry run":
            raise SystemExit(f"check did not pass: {checked.status} {checked.problems[:3]}")
        started = time.perf_counter()
        committed = load_files(con, inputs, today=date(2026, 11, 23))
        commit_seconds = time.perf_counter() - started
        if committed.status != "committed":
            raise SystemExit(f"commit did not happen: {committed.status}")
    finally:
        con.close()
    return check_seconds, commit_seconds, committed.facts_loaded


def run(label: str, base: Path, inputs: list[InputFile], repeats: int) -> None:
    checks, commits, facts = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeats):
            store = Path(tmp) / "store.duckdb"
            shutil.copyfile(base, store)
            check, commit, facts = time_two_steps(store, inputs)
            checks.append(check)
            commits.append(commit)
            store.unlink()
    print(
        f"{label}: {facts:,} facts; check + preview {statistics.median(checks):.2f} s, "
        f"commit (checks again, then writes) {statistics.median(commits):.2f} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"Machine: {os.cpu_count()} cores; median of {args.repeats} runs.")
    demo = PROJECT / "data" / "demo.duckdb"
    if not demo.exists():
        from loaders.demo_database import build_demo_database

        build_demo_database(demo)
    run("Quarterly return into the demo store", demo, [quarterly_return()], args.repeats)
    reference = os.environ.get("CP_REFERENCE_DATA")
    if reference:
        dfe = Path(reference) / "dfe"
        with tempfile.TemporaryDirectory() as tmp:
            base = Path(tmp) / "with_2025.duckdb"
            con = open_store(base)
            load_paths(con, [dfe / "cla_release_2025"])
            con.close()
            inputs, _ = expand_paths([dfe / "cla_release_2024"])
            run("DfE 2024 release into a store holding 2025", base, inputs, args.repeats)


if __name__ == "__main__":
    main()
