"""The browser benchmark's arithmetic: medians, ratios to the floor, and the goal verdicts.

The benchmark itself (benchmarks/browser_pages.py) needs two Streamlit servers and
Chromium; its figures are only as good as these few lines, so they are checked here
without either.
"""

from __future__ import annotations

import os
import time

import pytest

from benchmarks.browser_pages import (
    BASELINE,
    FLOOR_SCRIPT,
    Timings,
    cpu_ratio,
    process_cpu_seconds,
    ratio_to_floor,
    table_rows,
    verdict,
    worst_ratios,
)

pytestmark = pytest.mark.pure


def test_ratio_is_median_over_median_so_one_slow_visit_does_not_move_it() -> None:
    assert ratio_to_floor([2.0, 9.0, 4.0], [1.0, 2.0, 50.0]) == pytest.approx(2.0)
    assert ratio_to_floor([3.0, 1.0], [2.0]) == pytest.approx(1.0)


@pytest.mark.parametrize(("values", "floor"), [([], [1.0]), ([1.0], []), ([1.0], [0.0])])
def test_ratio_refuses_missing_or_zero_floor(values: list[float], floor: list[float]) -> None:
    with pytest.raises(ValueError):
        ratio_to_floor(values, floor)


def test_verdict_allows_exactly_the_goal() -> None:
    assert verdict(2.0, 2.0) == "ok"
    assert verdict(2.01, 2.0) == "OVER"


def test_table_puts_the_floor_first_and_sets_each_page_against_it() -> None:
    timings = Timings()
    timings.add("cohort", 3.0, 1.5)
    timings.add("floor", 1.0, 0.5)
    timings.add("cohort", 5.0, 0.9)
    timings.add("floor", 2.0, 0.3)
    timings.add("cohort", 4.0, 1.2)
    timings.add("floor", 1.5, 0.4)
    rows = table_rows(timings)
    assert [row[0] for row in rows] == ["floor", "cohort"]
    floor, cohort = rows
    assert floor[2] == pytest.approx(1.0) and floor[4] == pytest.approx(1.0)
    assert cohort[1] == pytest.approx(4.0)  # median first visit
    assert cohort[2] == pytest.approx(4.0 / 1.5)
    assert cohort[3] == pytest.approx(1.2)
    assert cohort[4] == pytest.approx(1.2 / 0.4)


def test_worst_ratios_are_this_checkouts_pages_not_the_floor_or_the_baseline() -> None:
    timings = Timings()
    timings.add("floor", 1.0, 0.5)
    timings.add("cohort", 2.0, 0.8)
    timings.add("cohort" + BASELINE, 5.0, 1.5)  # the baseline's worse: not this checkout's
    timings.add("scorecard", 1.5, 0.9)
    first, second = worst_ratios(table_rows(timings))
    assert first == pytest.approx(2.0) and second == pytest.approx(0.9 / 0.5)


def test_floor_script_is_one_plotly_chart_and_compiles() -> None:
    compile(FLOOR_SCRIPT, "floor.py", "exec")
    assert FLOOR_SCRIPT.count("st.plotly_chart(") == 1


def test_cpu_ratio_is_median_over_median_and_absent_when_not_measured() -> None:
    timings = Timings()
    timings.add("floor", 1.0, 0.5, cpu=0.4)
    timings.add("cohort", 3.0, 1.5, charts=1, cpu=1.0)
    timings.add("floor", 1.0, 0.5, cpu=0.6)
    timings.add("cohort", 3.0, 1.5, charts=1, cpu=2.0)
    timings.add("about", 2.0, 1.0)  # no server PID given: no CPU figure
    assert cpu_ratio(timings, "cohort") == pytest.approx(1.5 / 0.5)
    assert cpu_ratio(timings, "about") is None


def test_process_cpu_seconds_counts_this_process_working() -> None:
    before = process_cpu_seconds(os.getpid())
    deadline = time.process_time() + 0.2
    while time.process_time() < deadline:
        pass
    assert process_cpu_seconds(os.getpid()) - before >= 0.1
