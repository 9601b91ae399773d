"""Benchmark: every page as a real browser draws it, against a one-chart Streamlit floor.

Usage:
    .venv/bin/python benchmarks/browser_pages.py [--db FILE] [--repeats N]
        [--pages cohort,scorecard] [--cold-repeats N] [--cold-plain] [--quick]
        [--baseline DIR]

AppTest (benchmarks/pages.py) times the server's script run only; a councillor
waits for the browser too: the websocket, Streamlit's front end, Plotly drawing
every chart. This script drives Debian's Chromium through Playwright and times,
for each page of the running app (ui.page_list.PAGES), the wait from navigation
to the page fully drawn: Streamlit's run finished (``stApp`` in state
``notRunning``, no status widget), no skeleton left, and every
``stPlotlyChart`` holding its ``svg.main-svg``.

There is no absolute target for a browser on a shared 2-core machine, so every
figure is set against a floor measured in the same run: a one-chart Streamlit
page (one Plotly line of a few points) served by a second ``streamlit run`` on
another port. Floor and page measurements alternate to cancel drift, and each
page's median of N is printed with its ratio to the floor's median.

- First visit: a new browser context (a fresh Streamlit session) opening the
  page for a council no earlier visit in that server process has opened. The
  server-wide caches (every indicator and comparison for every council, once per
  data version) are warm by then; the council's page tables and figures are not.
- Second visit: the same address again in the same context (a reload: a new
  session, every server cache warm, the browser's static files cached).
- Cold start: from ``streamlit run`` to the first chart of a line-of-enquiry page
  drawn (nothing cached), against the floor's own cold start to its chart. The
  app is started as ``make run`` starts it, through its launcher (``python -m
  ui.serve``, which warms the first run's imports and caches once the server is
  up); ``--cold-plain`` also times the same app started by a bare ``streamlit run
  app.py``, in the same alternation (the launcher's before and after).
- Second-visit CPU: the processor time the second visit took, in every Chromium
  process (``SystemInfo.getProcessInfo``) and in the serving ``streamlit`` process
  (``/proc``), set against the floor's. On a machine shared with other work the wall
  clock drifts with the load; the CPU a visit needs hardly does, so this column is
  the one to compare between runs made under different loads.

--baseline DIR serves DIR/app.py too (another checkout of the project, e.g. the
commit before a change, unpacked with ``git archive``) over its own copy of the
store, and visits its pages alternately with this checkout's and the floor's, so a
change is measured against what it changes in the same minutes, under the same
load; its rows are named ``PAGE@baseline``.

Without --db it serves a copy of the demo database and, when $CP_REFERENCE_DATA
is set, also a store of DfE's 2024 and 2025 releases, outcomes, population and
2025 neighbours (built as benchmarks/indicators.py builds it). Goals (issue 17):
second visit at most 2x the floor, first visit at most 3x, cold start at most 1.3x.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from deploy.chromium import CHROMIUM, launch_options  # noqa: E402
from deploy.processes import ServerFailed, serving  # noqa: E402
from ui.page_list import PAGES  # noqa: E402

VIEWPORT = {"width": 1366, "height": 900}
SECOND_VISIT_GOAL = 2.0
FIRST_VISIT_GOAL = 3.0
COLD_START_GOAL = 1.3
BASELINE = "@baseline"  # after a page's name: the --baseline checkout's visits of it
# The drawn state must still hold this long after it is first seen: Streamlit can
# finish one run and start another (a page switch, a query-string change).
SETTLE_SECONDS = 0.3
TIMEOUT_MS = 120_000

FLOOR_SCRIPT = '''"""The floor: one Plotly line chart, the least a Streamlit chart page can cost."""

import plotly.graph_objects as go
import streamlit as st

st.title("Floor")
st.plotly_chart(go.Figure(go.Scatter(x=[1, 2, 3, 4, 5], y=[3, 1, 4, 1, 5], mode="lines")))
'''

# True once the page is fully drawn (see the module docstring).
DRAWN_JS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector('[data-testid="stStatusWidget"]')) return false;
    if (document.querySelector('[data-testid="stSkeleton"], [data-testid="stAppSkeleton"]'))
        return false;
    if (!document.querySelector('[data-testid="stMain"] h1')) return false;
    const charts = document.querySelectorAll('[data-testid="stPlotlyChart"]');
    for (const chart of charts) if (!chart.querySelector('svg.main-svg')) return false;
    return true;
}"""
FIRST_CHART_JS = (
    """() => document.querySelector('[data-testid="stPlotlyChart"] svg.main-svg') !== null"""
)


# ---- pure helpers: medians and ratios (tested in tests/test_benchmarks_browser.py) ----


@dataclass
class Timings:
    """Seconds per measurement, by what was measured ("floor", a page name, ...)."""

    first: dict[str, list[float]] = field(default_factory=dict)
    second: dict[str, list[float]] = field(default_factory=dict)
    charts: dict[str, int] = field(default_factory=dict)  # Plotly charts on the drawn page
    # CPU seconds of the second visit (browser and server), when measured.
    second_cpu: dict[str, list[float]] = field(default_factory=dict)

    def add(
        self, name: str, first: float, second: float, charts: int = 0, cpu: float | None = None
    ) -> None:
        self.first.setdefault(name, []).append(first)
        self.second.setdefault(name, []).append(second)
        self.charts[name] = max(charts, self.charts.get(name, 0))
        if cpu is not None:
            self.second_cpu.setdefault(name, []).append(cpu)


def cpu_ratio(timings: Timings, name: str, floor: str = "floor") -> float | None:
    """The median second-visit CPU of ``name`` over the floor's (None if not measured)."""
    if not timings.second_cpu.get(name) or not timings.second_cpu.get(floor):
        return None
    return ratio_to_floor(timings.second_cpu[name], timings.second_cpu[floor])


def ratio_to_floor(values: Sequence[float], floor: Sequence[float]) -> float:
    """The median of ``values`` over the median of ``floor``."""
    if not values or not floor:
        raise ValueError("a ratio needs at least one measurement on each side")
    floor_median = statistics.median(floor)
    if floor_median <= 0:
        raise ValueError("the floor's median must be positive")
    return statistics.median(values) / floor_median


def verdict(ratio: float, goal: float) -> str:
    return "ok" if ratio <= goal else "OVER"


def table_rows(
    timings: Timings, floor: str = "floor"
) -> list[tuple[str, float, float, float, float]]:
    """(name, first median s, first ratio, second median s, second ratio) per measured name.

    The floor's own row comes first (ratio 1); pages follow in measuring order.
    """
    names = [floor] + [name for name in timings.first if name != floor]
    return [
        (
            name,
            statistics.median(timings.first[name]),
            ratio_to_floor(timings.first[name], timings.first[floor]),
            statistics.median(timings.second[name]),
            ratio_to_floor(timings.second[name], timings.second[floor]),
        )
        for name in names
    ]


# ---- servers and browser ----


def _wait_drawn(page, started: float) -> float:
    """Seconds from ``started`` to the page first seen fully drawn (and still so after settling)."""
    while True:
        page.wait_for_function(DRAWN_JS, polling="raf", timeout=TIMEOUT_MS)
        drawn = time.perf_counter()
        page.wait_for_timeout(SETTLE_SECONDS * 1000)
        if page.evaluate(DRAWN_JS):
            return drawn - started


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of one process so far (``/proc/PID/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS


def chromium_cpu_seconds(browser) -> float:
    """CPU seconds so far of every process of this Chromium (browser, renderers, GPU...)."""
    session = browser.new_browser_cdp_session()
    try:
        processes = session.send("SystemInfo.getProcessInfo")["processInfo"]
    finally:
        session.detach()
    return sum(process["cpuTime"] for process in processes)


def visit_twice(
    browser, url: str, server_pid: int | None = None
) -> tuple[float, float, int, float | None]:
    """First and second visit to ``url`` in one new context (a fresh session): their times,
    the charts drawn, and (given the server's PID) the second visit's CPU seconds."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        page = context.new_page()
        timings = []
        cpu = None
        for visit in range(2):
            if visit == 1 and server_pid is not None:
                cpu_before = chromium_cpu_seconds(browser) + process_cpu_seconds(server_pid)
            started = time.perf_counter()
            page.goto(url, wait_until="commit", timeout=TIMEOUT_MS)
            timings.append(_wait_drawn(page, started))
            if visit == 1 and server_pid is not None:
                cpu_after = chromium_cpu_seconds(browser) + process_cpu_seconds(server_pid)
                cpu = cpu_after - cpu_before
        charts = page.locator('[data-testid="stPlotlyChart"]').count()
        return timings[0], timings[1], charts, cpu
    finally:
        context.close()


def cold_start(
    browser, script: Path, database: Path | None, path: str, log: Path, launcher: bool = True
) -> float:
    """Seconds from ``streamlit run`` to the first chart drawn at ``path`` (the app through
    its launcher unless ``launcher`` is False)."""
    with serving(script, database, log, launcher=launcher) as server:
        context = browser.new_context(viewport=VIEWPORT)
        try:
            page = context.new_page()
            page.goto(f"{server.url}/{path}", wait_until="commit", timeout=TIMEOUT_MS)
            page.wait_for_function(FIRST_CHART_JS, polling="raf", timeout=TIMEOUT_MS)
            return time.perf_counter() - server.started
        finally:
            context.close()


def councils_in(database: Path) -> list[str]:
    """Every council's code in the store, in the sidebar's order."""
    from indicators import facts
    from loaders.store import open_store

    con = open_store(database, read_only=True)
    try:
        return [str(code) for code in facts.councils(con)["old_la_code"]]
    finally:
        con.close()


def measure(
    browser,
    database: Path,
    floor_script: Path,
    pages: Sequence[str],
    repeats: int,
    cold_repeats: int,
    work: Path,
    baseline: Path | None = None,
    cold_plain: list[float] | None = None,
) -> tuple[Timings, list[float], list[float], str]:
    """Page and floor visits, alternating, then cold starts; returns them and a note.

    With ``baseline`` (a directory holding another checkout's ``app.py``), that app is
    served too, over its own copy of the store, and each of its page visits comes
    between the floor's and this checkout's, recorded as ``PAGE@baseline``. Given
    ``cold_plain``, each cold start of the app through its launcher is followed by one
    started by a bare ``streamlit run app.py``, appended to it.
    """
    app = PROJECT / "app.py"
    log = work / "streamlit.log"
    paths = {page.name: page.url_path for page in PAGES}
    councils = councils_in(database)
    fresh = iter(councils)
    reused = False
    timings = Timings()
    with ExitStack() as servers:
        floor = servers.enter_context(serving(floor_script, None, log))
        server = servers.enter_context(serving(app, database, log))
        apps = [("", server)]
        if baseline is not None:
            baseline_store = work / "baseline-store.duckdb"
            shutil.copyfile(database, baseline_store)
            before = servers.enter_context(serving(baseline / "app.py", baseline_store, log))
            apps.insert(0, (BASELINE, before))
        # Warm the server-wide caches (and the floor's imports) before timing visits.
        visit_twice(browser, floor.url)
        for _, each in apps:
            visit_twice(browser, f"{each.url}/?council={next(fresh)}")
        for name in pages:
            for _ in range(repeats):
                timings.add("floor", *visit_twice(browser, floor.url, floor.process.pid))
                for suffix, each in apps:
                    council = next(fresh, None)
                    if council is None:
                        reused = True
                        fresh = iter(councils)
                        council = next(fresh)
                    url = f"{each.url}/{paths[name]}?council={council}"
                    timings.add(name + suffix, *visit_twice(browser, url, each.process.pid))
                print(".", end="", flush=True)
    print()
    first_line = next(page.url_path for page in PAGES if page.is_line_of_enquiry)
    cold_app, cold_floor = [], []
    for _ in range(cold_repeats):
        cold_floor.append(cold_start(browser, floor_script, None, "", log))
        cold_path = f"{first_line}?council={councils[0]}"
        cold_app.append(cold_start(browser, app, database, cold_path, log))
        if cold_plain is not None:
            cold_plain.append(cold_start(browser, app, database, cold_path, log, launcher=False))
    note = (
        "first visits: a new council for every visit"
        if not reused
        else "first visits: more visits than councils, so some councils were opened twice"
    )
    caches = (
        "warm before any timed visit: the server-wide tables (every indicator, every council) "
        "and the browser's Chromium; first visit: new context (no HTTP cache, new session), "
        "the council's page tables and figures cold; second visit: every cache warm"
    )
    return timings, cold_app, cold_floor, f"{note}; cold start page: /{first_line}\n{caches}"


def worst_ratios(rows: Sequence[tuple[str, float, float, float, float]]) -> tuple[float, float]:
    """The worst first-visit and second-visit ratios of this checkout's pages (``table_rows``):
    the goals are this checkout's, so neither the floor nor a ``--baseline`` page counts."""
    ours = [row for row in rows if row[0] != "floor" and not row[0].endswith(BASELINE)]
    return max((row[2] for row in ours), default=0.0), max((row[4] for row in ours), default=0.0)


def print_results(
    label: str,
    timings: Timings,
    cold_app: list[float],
    cold_floor: list[float],
    note: str,
    cold_plain: Sequence[float] = (),
) -> None:
    floor_visits = len(timings.first["floor"])
    page_visits = min(len(values) for name, values in timings.first.items() if name != "floor")
    print(f"\n{label}")
    print(
        f"median of {page_visits} visits per page, of {floor_visits} floor visits "
        f"alternating with them; {note}"
    )
    print(
        f"{'page':<14} {'charts':>6} {'first visit':>12} {'x floor':>8} "
        f"{'second visit':>13} {'x floor':>8} {'second CPU':>11} {'x floor':>8}"
    )
    rows = table_rows(timings)
    for name, first, first_ratio, second, second_ratio in rows:
        cpu = timings.second_cpu.get(name)
        cpu_text = (
            f"{statistics.median(cpu) * 1000:>8.0f} ms {cpu_ratio(timings, name):>7.2f}x"
            if cpu
            else ""
        )
        print(
            f"{name:<14} {timings.charts.get(name, 0):>6} "
            f"{first * 1000:>9.0f} ms {first_ratio:>7.2f}x "
            f"{second * 1000:>10.0f} ms {second_ratio:>7.2f}x {cpu_text}"
        )
    worst_first, worst_second = worst_ratios(rows)
    print(
        f"worst first visit {worst_first:.2f}x floor (goal {FIRST_VISIT_GOAL}x: "
        f"{verdict(worst_first, FIRST_VISIT_GOAL)}); worst second visit {worst_second:.2f}x "
        f"(goal {SECOND_VISIT_GOAL}x: {verdict(worst_second, SECOND_VISIT_GOAL)})"
    )
    if cold_app:
        cold_ratio = ratio_to_floor(cold_app, cold_floor)
        print(
            f"cold start to the first chart, median of {len(cold_app)}: app "
            f"{statistics.median(cold_app):.2f} s, floor {statistics.median(cold_floor):.2f} s, "
            f"{cold_ratio:.2f}x (goal {COLD_START_GOAL}x: {verdict(cold_ratio, COLD_START_GOAL)})"
        )
    if cold_plain:
        print(
            f"the same app by a bare `streamlit run app.py` (no launcher), alternating: "
            f"{statistics.median(cold_plain):.2f} s, "
            f"{ratio_to_floor(cold_plain, cold_floor):.2f}x the floor"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", help="a ready store (copied first); default: demo, then real")
    parser.add_argument("--repeats", type=int, default=3, help="visits per page (median)")
    parser.add_argument("--cold-repeats", type=int, default=None, help="default: --repeats")
    parser.add_argument(
        "--pages", help="comma-separated page names (default: every page in ui.page_list)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="one visit each to three pages, one cold start"
    )
    parser.add_argument(
        "--baseline",
        help="another checkout's directory (holding app.py) whose pages alternate with these",
    )
    parser.add_argument(
        "--cold-plain",
        action="store_true",
        help="also time cold starts of the app by a bare `streamlit run app.py`",
    )
    args = parser.parse_args()
    known = [page.name for page in PAGES]
    pages = args.pages.split(",") if args.pages else known
    if args.quick:
        pages = pages if args.pages else ["at_a_glance", "scorecard", "cohort"]
        args.repeats = 1
        args.cold_repeats = 1
    unknown = [name for name in pages if name not in known]
    if unknown:
        raise SystemExit(f"unknown pages {unknown}; known: {', '.join(known)}")
    cold_repeats = args.repeats if args.cold_repeats is None else args.cold_repeats
    baseline = Path(args.baseline).resolve() if args.baseline else None
    if baseline is not None and not (baseline / "app.py").exists():
        raise SystemExit(f"--baseline {baseline}: no app.py there")

    from playwright.sync_api import sync_playwright

    print(f"Machine: {os.cpu_count()} cores; Chromium {CHROMIUM}, viewport 1366x900.")
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        work = Path(tmp)
        floor_script = work / "floor" / "floor.py"
        floor_script.parent.mkdir()
        floor_script.write_text(FLOOR_SCRIPT)
        browser = playwright.chromium.launch(**launch_options())
        stores: list[tuple[str, Path]] = []
        if args.db:
            stores.append((f"Store: {args.db}", Path(args.db)))
        else:
            demo = PROJECT / "data" / "demo.duckdb"
            if not demo.exists():
                from loaders.demo_database import build_demo_database

                build_demo_database(demo)
            stores.append(("Demo database", demo))

        def measure_and_print(label: str, store: Path) -> None:
            plain: list[float] | None = [] if args.cold_plain else None
            measured = measure(
                browser,
                store,
                floor_script,
                pages,
                args.repeats,
                cold_repeats,
                work,
                baseline,
                plain,
            )
            print_results(label, *measured, cold_plain=plain or ())

        for label, source in stores:
            copy = work / f"{source.stem}-copy.duckdb"
            shutil.copyfile(source, copy)
            measure_and_print(label, copy)
        if not args.db and os.environ.get("CP_REFERENCE_DATA"):
            from benchmarks.indicators import build_real_store

            real = work / "real.duckdb"
            build_real_store(Path(os.environ["CP_REFERENCE_DATA"]), real)
            measure_and_print("Real DfE 2024 + 2025 releases", real)
        browser.close()


if __name__ == "__main__":
    try:
        main()
    except ServerFailed as failed:
        raise SystemExit(str(failed)) from None
