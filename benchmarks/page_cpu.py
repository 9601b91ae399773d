"""Benchmark: the server's CPU for each page run, first visit and return visit.

Usage:
    .venv/bin/python benchmarks/page_cpu.py [--councils N] [--rounds R] [--baseline DIR]

What a reader replica spends on one page run is what decides how many panel members
two cores serve before their pages queue (the load test's p95): this measures it
without the queue. The app is served through its launcher over a private copy of the
demo store, and one protocol-level session (the load test's `ProtocolSession`: no
browser) opens At a glance, the scorecard and three lines of enquiry for one council
after another, then for the same councils again. Around each run the server
process's CPU (user and system, ``/proc/PID/stat``, every thread: the script and
the messages sent) is read; a first visit builds the council's figures, a return
visit reuses them. ``--baseline DIR`` (another checkout, e.g. from ``git archive``)
is measured in turn with this one, each round in the other order.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))  # before benchmarks/ (its indicators.py is not the package)

from benchmarks.browser_pages import process_cpu_seconds  # noqa: E402
from benchmarks.load_test import (  # noqa: E402
    ROUND_PAGES,
    ProtocolSession,
    launchers_warmed,
    run_in_own_loop,
)
from deploy.processes import serving  # noqa: E402

PAGES = ROUND_PAGES
FIRST_COUNCIL = "140"  # every page once before the clock: the server has served pages


def server_cpu(pid: int) -> float:
    """CPU seconds so far of the server and its children (the launcher runs the app in
    its own process, or as a child)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(k) for k in children.read_text().split()] if children.exists() else []
    return sum(process_cpu_seconds(p) for p in (pid, *kids))


async def visit_councils(
    url: str, pid: int, log: Path, councils: int
) -> dict[str, dict[str, list[float]]]:
    """Per visit ("first", "return") and page, the server CPU seconds of each run, once
    the launcher's warm-up (which starts with the first run) has ended."""
    seconds: dict[str, dict[str, list[float]]] = {}
    async with ProtocolSession(url) as session:
        for page in PAGES:
            await session.run(page, FIRST_COUNCIL)
        await asyncio.to_thread(launchers_warmed, [log])
        codes = [c for c in session.council_options if c != FIRST_COUNCIL][:councils]
        if len(codes) < councils:
            raise SystemExit(f"the store has {len(codes)} other councils, not {councils}")
        for visit in ("first", "return"):
            seconds[visit] = {page: [] for page in PAGES}
            for code in codes:
                for page in PAGES:
                    before = server_cpu(pid)
                    run = await session.run(page, code)
                    if run.errors or not run.headings:
                        raise SystemExit(f"{page} for {code}: {run.errors or 'no heading'}")
                    seconds[visit][page].append(server_cpu(pid) - before)
    return seconds


def measure(app: Path, database: Path, councils: int, workdir: Path):
    copy = workdir / f"{app.parent.name}.duckdb"
    shutil.copyfile(database, copy)
    log = workdir / f"{app.parent.name}.log"
    with serving(app, copy, log) as server:
        return run_in_own_loop(visit_councils(server.url, server.process.pid, log, councils))


def summary_rows(label: str, runs: list[dict[str, dict[str, list[float]]]]) -> list[str]:
    """Markdown rows: mean milliseconds per page over every round, first and return visit."""
    rows = []
    for visit in ("first", "return"):
        per_page = {
            page: statistics.mean(s for r in runs for s in r[visit][page]) * 1000 for page in PAGES
        }
        every = statistics.mean(per_page.values())
        cells = " | ".join(f"{per_page[p]:.0f}" for p in PAGES)
        rows.append(f"| {label} | {visit} | {every:.0f} | {cells} |")
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--db", type=Path, default=PROJECT / "data" / "demo.duckdb")
    parser.add_argument("--baseline", type=Path, help="another checkout to measure in turn")
    arguments = parser.parse_args(argv)
    if not arguments.db.exists():
        raise SystemExit(f"{arguments.db} not found: `make run` or `python -m loaders demo` first")
    apps = {"this checkout": PROJECT / "app.py"}
    if arguments.baseline:
        apps["baseline"] = arguments.baseline.resolve() / "app.py"
    results: dict[str, list] = {label: [] for label in apps}
    with tempfile.TemporaryDirectory(prefix="page_cpu_") as folder:
        for round_number in range(arguments.rounds):
            order = list(apps) if round_number % 2 == 0 else list(reversed(apps))
            for label in order:
                runs = measure(apps[label], arguments.db, arguments.councils, Path(folder))
                results[label].append(runs)
                print(f"round {round_number + 1}: {label} measured", flush=True)
    print(
        f"\nServer CPU per page run, ms (mean of {arguments.councils} councils × "
        f"{arguments.rounds} rounds; one session, councils one after another)\n"
    )
    print(f"| app | visit | every page | {' | '.join(PAGES)} |")
    print("|---|---|---|" + "---|" * len(PAGES))
    for label, runs in results.items():
        print("\n".join(summary_rows(label, runs)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
