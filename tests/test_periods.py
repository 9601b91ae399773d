"""The reporting-year and quarter rules (domain/periods.py): April to March, quarter ends."""

from datetime import date

import pytest

from domain.periods import (
    quarter_end_sql,
    quarter_ends_covered,
    quarter_label,
    reporting_year_start,
    two_year_period,
    year_ending_march,
)

pytestmark = pytest.mark.pure


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2024, 3, 31), 2024),
        (date(2024, 4, 1), 2025),
        (date(2025, 3, 31), 2025),
        (date(2024, 12, 31), 2025),
    ],
)
def test_the_year_ends_on_31_march(day: date, year: int) -> None:
    assert year_ending_march(day) == year


def test_the_year_starts_on_1_april() -> None:
    assert reporting_year_start(date(2025, 3, 31)) == date(2024, 4, 1)
    assert reporting_year_start(date(2025, 4, 1)) == date(2025, 4, 1)


def test_periods_and_quarters_read_as_the_dfe_writes_them() -> None:
    assert two_year_period(2025) == "202425"
    assert two_year_period(2000) == "199900"
    assert quarter_label(date(2025, 3, 31)) == ("202425", "Q4")
    assert quarter_label(date(2024, 6, 30)) == ("202425", "Q1")
    assert quarter_label(date(2024, 12, 31)) == ("202425", "Q3")


def test_an_extract_covers_quarter_ends_a_year_after_it_starts() -> None:
    ends = quarter_ends_covered(date(2021, 4, 1), date(2023, 1, 15))
    assert ends == [date(2022, 3, 31), date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31)]


def test_the_quarter_end_in_sql_matches_the_python_rule() -> None:
    import duckdb

    days = [date(2024, 4, 1), date(2024, 6, 30), date(2024, 7, 1), date(2025, 3, 31)]
    con = duckdb.connect()
    got = [
        con.execute(f"SELECT {quarter_end_sql('?::DATE')}", [day]).fetchall()[0][0] for day in days
    ]
    assert got == [date(2024, 6, 30), date(2024, 6, 30), date(2024, 9, 30), date(2025, 3, 31)]
