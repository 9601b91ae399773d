"""Command line: ``python -m loaders load PATH… --db FILE``, ``region``, ``history``, ``undo N``,
``demo``, ``publish``.

Prints what each file was recognised as, what was loaded, rejected and not
used, so an analyst can load a whole DfE release folder or zip and see at a
glance what happened. Problems are counted by file, check and line, naming no
child and showing no cell value, so a scheduled job's log holds neither;
``--details`` prints each problem in full, and only when the output is a terminal.
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
from loaders.problems import Problem
from loaders.store import load_history, open_store_or_exit

DETAILS_REFUSED = (
    "--details shows problems only at a terminal: this output is redirected (a log, a file "
    "or a pipe), and the details name children and show cell values. Above is the summary; "
    "run the command at a terminal, or see the check report on the Data page."
)
SUMMARY_NOTE = (
    "Problems are summarised by check and line, without children or cell values: run with "
    "--details at a terminal to see each one, or see the check report on the Data page."
)
LINES_SHOWN = 10


def print_report(report: LoadReport, details: bool = False) -> None:
    """What happened to each file. Problems are counted by check with their lines, naming
    no child and showing no cell value, unless `details` (only ever at a terminal)."""
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
        if any(p.message == DEMO_REFUSAL for p in file.problems):
            print("            - published data, and this store holds the demo (below)")
        errors = [p for p in file.problems if p.severity == "error" and p.message != DEMO_REFUSAL]
        if details:
            for problem in errors:
                print(f"            - {problem.describe()}")
        else:
            _print_summary(errors, [p for p in file.folded if p.severity == "error"])
    # Warnings about a file as a whole (an extract lacking a table its predecessor had),
    # unless the preview below says the same. They name tables, never children.
    previewed = set(report.preview.lines()) if report.preview is not None else set()
    for file in report.files:
        for problem in file.problems:
            if problem.severity == "info":
                print(f"  note      {problem.describe() if details else _where(problem)}")
            elif (
                problem.severity == "warning"
                and not problem.table
                and problem.message not in previewed
            ):
                print(f"  WARNING   {problem.message}")
    summarised = _print_extract_problems(report, details)
    if summarised or (not details and any(f.outcome == "rejected" for f in report.files)):
        print(f"  {SUMMARY_NOTE}")
    if report.preview is not None:
        for line in report.preview.lines():
            print(f"  preview   {line}")
        revisions = report.preview.revisions
        for row in revisions.head(20).itertuples():
            print(
                f"            revised {row.dataset_title} {row.time_period} {row.area_name} "
                f"{' / '.join(filter(None, (row.cohort, row.breakdown_label, row.variant)))} "
                f"{row.measure_label}: {row.old_value} -> {row.new_value}"
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


def _where(problem: Problem) -> str:
    """A note's file and message, without the value it found."""
    return f"{problem.file}: {problem.message}"


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}" + ("" if count == 1 else "s")


def _counted(problems: list[Problem], folded: list[Problem]) -> list[Problem]:
    """The problems counted one by one: the rows a summary problem stands for (`folded`)
    instead of the summary."""
    folded_checks = {p.check for p in folded}
    return [p for p in problems if p.check not in folded_checks] + folded


def _print_summary(
    problems: list[Problem], folded: list[Problem], extract: bool = False, indent: int = 12
) -> None:
    """Problems counted by check (with their columns and lines); a problem of the whole
    file (no line) by its message, which names no cell."""
    by_check: dict[tuple[str, str, str | None], list[Problem]] = {}
    for problem in _counted(problems, folded):
        if problem.line is None:
            print(f"{' ' * indent}- {problem.message}")
        else:
            key = (problem.check, problem.severity, problem.rule)
            by_check.setdefault(key, []).append(problem)
    for (check, severity, rule), found in by_check.items():
        kept = (" (set aside)" if severity == "error" else " (kept)") if extract else ""
        columns = sorted({p.column for p in found if p.column})
        lines = sorted({p.line for p in found if p.line is not None})
        shown = ", ".join(str(line) for line in lines[:LINES_SHOWN])
        more = f" … and {len(lines) - LINES_SHOWN:,} more" if len(lines) > LINES_SHOWN else ""
        print(
            f"{' ' * indent}- {f'[{rule}] ' if rule else ''}{check}: "
            f"{_plural(len(found), severity)}{kept}"
            + (f", column {', '.join(repr(c) for c in columns)}" if columns else "")
            + f", line{'s' if len(lines) > 1 else ''} {shown}{more}"
        )


def _print_extract_problems(report: LoadReport, details: bool, shown: int = 30) -> bool:
    """An extract's problems (rows set aside, codes not valid) by file: counted by check
    and line, or with `details` a few of each check in full. True when summarised."""
    files = [
        f
        for f in report.files
        if f.outcome != "rejected" and any(p.table and p.severity != "info" for p in f.problems)
    ]
    if not files:
        return False
    problems = {f.name: [p for p in f.problems if p.severity != "info"] for f in files}
    total = sum(len(_counted(problems[f.name], f.folded)) for f in files)
    print(f"  extract   {total:,} problem(s) in the SSDA903 tables:")
    for file in files:
        print(f"            {file.name} ({file.dataset_title}):")
        if not details:
            _print_summary(problems[file.name], file.folded, extract=True, indent=14)
            continue
        by_check: dict[str, list[Problem]] = {}
        for problem in problems[file.name]:
            by_check.setdefault(problem.check, []).append(problem)
        each = max(1, shown // len(by_check))
        for check, listed in by_check.items():
            for problem in listed[:each]:
                print(f"              - {problem.describe()}")
            if len(listed) > each:
                print(f"              … and {len(listed) - each:,} more {check}")
    return not details


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


def load_region(
    folder: Path,
    db: str,
    as_at: date | None,
    user: str | None,
    dry_run: bool,
    details: bool = False,
) -> int:
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
        print_report(report, details)
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
    for command in (load, region):
        command.add_argument(
            "--details",
            action="store_true",
            help="each problem in full, naming children and showing cell values; only when "
            "the output is a terminal (never in a log)",
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
    publish = commands.add_parser(
        "publish", help="publish a read-only copy of the store for reader replicas"
    )
    publish.add_argument("--db", required=True, help="the store (not while the app serves it)")
    publish.add_argument("--to", required=True, help="the publish folder readers read")
    args = parser.parse_args(argv)

    if args.command == "publish":
        from loaders.publish import PublishFailed
        from loaders.publish import publish as publish_store

        con = _store(args.db)
        try:
            published = publish_store(con, args.to)
        except PublishFailed as failed:
            print(failed)
            return 1
        finally:
            con.close()
        print(
            f"Published data version {published.data_version} as {published.path} "
            f"({published.method}); readers of {args.to} switch to it at their next page run."
        )
        return 0

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

    # Details name children and show cell values: never in a scheduled job's log.
    details = args.details and sys.stdout.isatty()
    if args.command == "region":
        code = load_region(Path(args.folder), args.db, args.as_at, args.user, args.dry_run, details)
        if args.details and not details:
            print(DETAILS_REFUSED)
        return code

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
    print_report(report, details)
    if args.details and not details:
        print(DETAILS_REFUSED)
    return 1 if report.status == "rejected" else 0


if __name__ == "__main__":
    sys.exit(main())
