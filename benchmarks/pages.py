"""Benchmark: each page's server-side run time (Streamlit AppTest), cold and warm.

Usage:
    .venv/bin/python benchmarks/pages.py [--db FILE] [--council CODE] [--repeats N]

Without --db, runs on the demo database (built first if missing) and, when
$CP_REFERENCE_DATA is set, also on a store of DfE's 2024 and 2025 releases,
outcomes, population and 2025 neighbours. "Cold start" is the first page
after the server starts or a load commits (it computes every indicator and
comparison for every council); "first visit" is a page's first run for the
council (it builds that page's charts); "warm" is the median of the following
runs, which reuse the cached tables and figures as a panel member's second
visit, or anyone else's visit to the same view, does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from ui.page_list import READING_PAGES  # noqa: E402

PAGES = READING_PAGES


def time_pages(db: Path, council: str, repeats: int) -> list[tuple[str, float, float]]:
    import logging

    import streamlit as st
    from streamlit.testing.v1 import AppTest

    # AppTest outside a server warns about its missing runtime on every run.
    for name in ("streamlit", "streamlit.runtime", "streamlit.runtime.scriptrunner_utils"):
        logging.getLogger(name).setLevel(logging.ERROR)

    os.environ["CP_DB"] = str(db)
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=300)
    at.session_state["council"] = council
    started = time.perf_counter()
    at.run()
    results = [("(cold start)", time.perf_counter() - started, float("nan"))]
    for page in PAGES:
        timings = []
        for _ in range(repeats + 1):
            at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
            at.session_state["council"] = council
            at.run()
            if page != "at_a_glance":
                at.switch_page(f"app_pages/{page}.py")
            started = time.perf_counter()
            at.run()
            timings.append(time.perf_counter() - started)
            if at.exception:
                raise SystemExit(f"{page}: {at.exception[0].message}")
        results.append((page, timings[0], statistics.median(timings[1:])))
    return results


def print_results(label: str, results: list[tuple[str, float, float]]) -> None:
    print(f"\n{label}")
    print(f"{'page':<14} {'first visit':>12} {'warm (median)':>14}")
    for page, first, warm in results:
        warm_text = "" if warm != warm else f"{warm * 1000:>11.0f} ms"
        print(f"{page:<14} {first * 1000:>10.0f} ms {warm_text:>14}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db")
    parser.add_argument("--council", help="old_la_code (default: 172 demo, 825 real)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"Machine: {os.cpu_count()} cores. Times are AppTest server-side script runs.")
    if args.db:
        print_results(
            f"Store: {args.db}", time_pages(Path(args.db), args.council or "172", args.repeats)
        )
        return
    demo = PROJECT / "data" / "demo.duckdb"
    if not demo.exists():
        from loaders.demo_database import build_demo_database

        build_demo_database(demo)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "demo.duckdb"
        copy.write_bytes(demo.read_bytes())
        print_results(
            "Demo database (council 172)", time_pages(copy, args.council or "172", args.repeats)
        )
        if os.environ.get("CP_REFERENCE_DATA"):
            from benchmarks.indicators import build_real_store

            real = Path(tmp) / "real.duckdb"
            build_real_store(Path(os.environ["CP_REFERENCE_DATA"]), real)
            print_results(
                "Real DfE 2024 + 2025 releases (Buckinghamshire, 825)",
                time_pages(real, args.council or "825", args.repeats),
            )


if __name__ == "__main__":
    main()
