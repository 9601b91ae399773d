"""Reporting years and quarters, as the DfE's children looked after statistics use them.

The SSDA903 collection and the DfE's "year ending 31 March" figures run April to
March: a date from 1 April 2024 to 31 March 2025 is in the year ending 31 March
2025 (collection year 2025, financial year "202425"). Quarters end on 30 June
(Q1), 30 September (Q2), 31 December (Q3) and 31 March (Q4). Every module that
needs one of these rules asks this one; none writes it out again.
"""

from __future__ import annotations

from datetime import date, timedelta

QUARTER_END_DAYS = ((3, 31), (6, 30), (9, 30), (12, 31))
YEAR_START_MONTH = 4  # the reporting year starts on 1 April


def year_ending_march(day: date) -> int:
    """The year of the 31 March that ends the reporting year a date falls in
    (the SSDA903 collection year): 1 April 2024 → 2025, 31 March 2025 → 2025."""
    return day.year + 1 if day.month >= YEAR_START_MONTH else day.year


def reporting_year_start(day: date) -> date:
    """1 April of the reporting year a date falls in."""
    return date(year_ending_march(day) - 1, YEAR_START_MONTH, 1)


def two_year_period(year_ending: int) -> str:
    """The DfE's tidy-file period for a year that spans two calendar years and ends in
    `year_ending` (a financial year to 31 March, or an academic year): 2025 → "202425"."""
    return f"{year_ending - 1}{year_ending % 100:02d}"


def quarter_label(end: date) -> tuple[str, str]:
    """A quarter end as the financial year and quarter DfE's tidy files use (202425, Q4)."""
    quarter = {6: "Q1", 9: "Q2", 12: "Q3", 3: "Q4"}[end.month]
    return two_year_period(year_ending_march(end)), quarter


def quarter_ends_covered(start: date, as_at: date) -> list[date]:
    """The quarter ends an SSDA903 extract gives full figures for.

    Every figure looks back at most twelve months (starts, moves, missing
    incidents), so a quarter end counts when the extract's records are complete
    for the year before it: from a year after `start` up to the as-at date.
    """
    first = date(start.year + 1, start.month, start.day)
    ends = []
    for year in range(first.year - 1, as_at.year + 1):
        for month, day in QUARTER_END_DAYS:
            end = date(year, month, day)
            if first - timedelta(days=1) <= end <= as_at:
                ends.append(end)
    return ends


def quarter_end_sql(day: str) -> str:
    """SQL for the end of the quarter (31 March, 30 June, 30 September, 31 December)
    a date falls in."""
    return f"(date_trunc('quarter', {day}) + INTERVAL 3 MONTH - INTERVAL 1 DAY)::DATE"
