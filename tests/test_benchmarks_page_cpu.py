"""benchmarks/page_cpu.py: its arithmetic on hand-made runs, the CPU it reads, and one
short run against a real server (the slow phase)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import PROJECT

from benchmarks.page_cpu import PAGES, server_cpu, summary_rows


def _runs(first: float, returning: float) -> dict[str, dict[str, list[float]]]:
    return {
        "first": {page: [first, first * 3] for page in PAGES},
        "return": {page: [returning] for page in PAGES},
    }


@pytest.mark.pure
def test_each_row_is_the_mean_in_milliseconds_over_councils_and_rounds() -> None:
    first, returning = summary_rows("app", [_runs(0.010, 0.004), _runs(0.030, 0.008)])
    # first visits: (10 + 30 + 30 + 90) / 4 = 40 ms a page; return: (4 + 8) / 2 = 6 ms
    assert first == "| app | first | 40 | " + " | ".join(["40"] * len(PAGES)) + " |"
    assert returning == "| app | return | 6 | " + " | ".join(["6"] * len(PAGES)) + " |"


@pytest.mark.pure
def test_the_cpu_read_grows_with_work_done() -> None:
    before = server_cpu(os.getpid())
    total = 0
    while server_cpu(os.getpid()) - before < 0.05:
        total += sum(range(10_000))
    assert total > 0


def test_a_short_run_measures_every_page_of_a_real_server(demo_db) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "benchmarks/page_cpu.py",
            "--councils",
            "2",
            "--rounds",
            "1",
            "--db",
            str(demo_db),
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line for line in done.stdout.splitlines() if line.startswith("| this checkout")]
    assert [row.split(" | ")[1] for row in rows] == ["first", "return"]
    for row in rows:
        figures = [float(cell) for cell in row.strip("| ").split(" | ")[2:]]
        assert len(figures) == len(PAGES) + 1 and all(f > 0 for f in figures), row
