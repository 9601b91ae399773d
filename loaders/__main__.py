"""Command line: ``python -m loaders load PATH… --db FILE``, ``region``, ``history``, ``undo N``,
``demo``.

Prints what each file was recognised as, what was loaded, rejected (with every
problem by file, line and column) and not used, so an analyst can load a whole
DfE release folder or zip and see at a glance what happened.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import duckdb

from loaders.identity import DEMO_REFUSAL
from loaders.load import ExtractOptions, LoadReport, load_extracts, load_paths
from loaders.store import load_history, open_store_or_exit


def print_report(report: LoadReport) -> None:
    groups = {"loaded": [], "already loaded": [], "not used": [], "rejected": []}
    for file in report.files:
        groups.setdefault(file.outcome, []).append(file)
    for file in groups["loaded"]:
        if file.dataset == "ssda903":  # a table of a child-level extract
            print(f"  loaded    {file.name}\n            as {file.dataset_title}: {file.message}")
            continue
        print(
            f"  loaded    {file.name}\n"
            f"            as {file.dataset} ({file.layout}), release {file.release}: "
            f"{file.rows_read:,} rows, {file.facts:,} facts"
        )
    for file in groups["already loaded"]:
        print(f"  skipped   {file.name}: {file.message}")
    for file in groups["not used"]:
        print(f"  not used  {file.name}: {file.message}")
    # The demo store's refusal is the same for every file: said once, at the end.
    demo_store = any(p.message == DEMO_REFUSAL for p in report.problems)
    for file in groups["rejected"]:
        print(f"  REJECTED  {file.name}")
        for problem in file.problems:
            if problem.severity == "error" and problem.message != DEMO_REFUSAL:
                print(f"            - {problem.describe()}")
            elif problem.severity == "error":
                print("            - published data, and this store holds the demo (below)")
    # Warnings about a file as a whole (an extract lacking a table its predecessor had),
    # unless the preview below says the same.
    previewed = set(report.preview.lines()) if report.preview is not None else set()
    for file in report.files:
        for problem in file.problems:
            if problem.severity == "info":
                print(f"  note      {problem.describe()}")
            elif (
                problem.severity == "warning"
                and not problem.table
                and problem.message not in previewed
            ):
                print(f"  WARNING   {problem.message}")
    _print_extract_problems(report)
    if report.preview is not None:
        for line in report.preview.lines():
            print(f"  preview   {line}")
        revisions = report.preview.revisions
        for row in revisions.head(20).itertuples():
            print(
                f"            revised {row.dataset} {row.time_period} {row.area_name} "
                f"{row.breakdown} {row.measure}: {row.old_value} -> {row.new_value}"
            )
        if len(revisions) > 20:
            print(f"            … and {len(revisions) - 20:,} more revisions")
    if report.status == "committed":
        print(
            f"Committed load {report.load_id}: {report.facts_loaded:,} facts from "
            f"{len(groups['loaded'])} file(s) in {report.seconds:.1f} s."
        )
    elif report.status == "rejected" and demo_store:
        print(f"Nothing was loaded. {DEMO_REFUSAL}")
    elif report.status == "rejected":
        print("Nothing was loaded: fix the rejected file(s) above and load again.")
    elif report.status == "dry run":
        print(f"Dry run: {report.facts_loaded:,} facts would be loaded; nothing was written.")
    else:
        print("Nothing new to load." if report.files else "No files to load here.")


def _print_extract_problems(report: LoadReport, shown: int = 30) -> None:
    """An extract's problems (rows set aside, codes not valid), a few of each check."""
    found = [p for p in report.problems if p.table and p.severity != "info"]
    if not found:
        return
    by_check: dict[tuple[str, str], list] = {}
    for problem in found:
        by_check.setdefault((problem.table or "", problem.check), []).append(problem)
    print(f"  extract   {len(found):,} problem(s) in the SSDA903 tables:")
    for (table, check), problems in sorted(by_check.items()):
        aside = sum(p.severity == "error" for p in problems)
        print(
            f"            {table} {check}: {len(problems):,} row(s)"
            + (f", {aside:,} set aside" if aside else ", kept")
        )
        for problem in problems[: max(1, shown // len(by_check))]:
            print(f"              - {problem.describe()}")


def print_history(con: duckdb.DuckDBPyConnection, with_files: bool = False) -> None:
    history = load_history(con)
    if history.empty:
        print("No loads yet.")
        return
    for row in history.itertuples():
        when = row.started_at.strftime("%Y-%m-%d %H:%M")
        print(
            f"load {row.load_id:>3}  {when}  {row.user_name or 'unknown':<12} {row.kind:<12} "
            f"release {row.release or '-':<10} {row.status:<10} "
            f"{row.rows_loaded:>9,} rows loaded"
        )
        if with_files:
            for item in (row.files or "").split("; "):
                print(f"           {item}")


def _store(path: str) -> duckdb.DuckDBPyConnection:
    """The store at `path`, or a plain message (no traceback) when it cannot be opened."""
    return open_store_or_exit(path)


def _day(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def load_region(folder: Path, db: str, as_at: date | None, user: str | None, dry_run: bool) -> int:
    """Each council's extract in `folder` (sub-folders named by three-digit code) as its own
    load, read and checked two at a time. Returns 1 when any extract was refused."""
    if not folder.is_dir():
        print(f"{folder} is not a folder.")
        return 1
    councils = sorted(p for p in folder.iterdir() if p.is_dir())
    for other in [p for p in councils if not (p.name.isdigit() and len(p.name) == 3)]:
        print(f"skipped {other.name}/: not a three-digit council code")
    councils = [p for p in councils if p.name.isdigit() and len(p.name) == 3]
    if not councils:
        print(f"{folder} holds no council folders (named by three-digit code, e.g. 904/).")
        return 1
    con = _store(db)
    batch = [([path], ExtractOptions(path.name, as_at)) for path in councils]
    reports = load_extracts(con, batch, user_name=user, dry_run=dry_run)
    for path, report in zip(councils, reports, strict=True):
        print(f"council {path.name} ({path})")
        print_report(report)
    counts = Counter(r.status for r in reports)
    print("Region: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) + ".")
    con.close()
    return 1 if counts.get("rejected") else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m loaders", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    load = commands.add_parser("load", help="load files, folders or zips into the store")
    load.add_argument("paths", nargs="+", help="CSV, XLSX or ZIP files, or folders")
    load.add_argument("--db", required=True, help="the DuckDB file (created if missing)")
    load.add_argument("--release", help="release tag for every fact (default: from the data)")
    load.add_argument("--neighbour-model", help="statistical neighbour model year, e.g. 2025")
    load.add_argument("--user", help="who is loading (default: the operating-system user)")
    load.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    load.add_argument("--la", help="SSDA903 extracts: the council's three-digit code")
    load.add_argument(
        "--as-at",
        type=_day,
        help="SSDA903 extracts: the date the extract was run to, YYYY-MM-DD "
        "(default: its latest episode date)",
    )
    region = commands.add_parser(
        "region", help="load a region's SSDA903 extracts: one folder per council, named by its code"
    )
    region.add_argument("folder", help="holds a folder per council (e.g. 904/) with its extract")
    region.add_argument("--db", required=True, help="the DuckDB file (created if missing)")
    region.add_argument("--user", help="who is loading (default: the operating-system user)")
    region.add_argument("--dry-run", action="store_true", help="validate only; write nothing")
    region.add_argument(
        "--as-at",
        type=_day,
        help="the date every extract was run to, YYYY-MM-DD (default: each one's latest date)",
    )
    history = commands.add_parser("history", help="list every load")
    history.add_argument("--db", required=True)
    history.add_argument("--files", action="store_true", help="list each load's files too")
    undo = commands.add_parser("undo", help="take a load out again, restoring what it revised")
    undo.add_argument("load_id", type=int)
    undo.add_argument("--db", required=True)
    undo.add_argument("--user", help="who is undoing (default: the operating-system user)")
    demo = commands.add_parser("demo", help="build the demo database of fictional councils")
    demo.add_argument("--db", required=True)
    demo.add_argument("--seed", type=int, help="generator seed (default: the project's)")
    args = parser.parse_args(argv)

    if args.command == "demo":
        from loaders.demo_database import build_demo_database

        report = build_demo_database(args.db, args.seed)
        print(
            f"Demo database written to {args.db}: {report.facts_loaded:,} facts from "
            f"{sum(f.outcome == 'loaded' for f in report.files)} files "
            f"in {report.seconds:.1f} s."
        )
        return 0

    if args.command == "undo":
        from loaders.store import UndoRefused, undo_load

        con = _store(args.db)
        try:
            undo_id = undo_load(con, args.load_id, args.user)
        except UndoRefused as refused:
            print(refused)
            return 1
        print(f"Load {args.load_id} undone (logged as load {undo_id}).")
        return 0

    if args.command == "history":
        con = _store(args.db)
        print_history(con, with_files=args.files)
        return 0

    if args.command == "region":
        return load_region(Path(args.folder), args.db, args.as_at, args.user, args.dry_run)

    con = _store(args.db)
    report = load_paths(
        con,
        args.paths,
        release=args.release,
        neighbour_model=args.neighbour_model,
        user_name=args.user,
        dry_run=args.dry_run,
        extract=ExtractOptions(args.la, args.as_at),
    )
    print_report(report)
    return 1 if report.status == "rejected" else 0


if __name__ == "__main__":
    sys.exit(main())
