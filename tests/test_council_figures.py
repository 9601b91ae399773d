"""`views.CouncilFigures` answers every lookup as `latest_year` and `council_row` do.

Pages look up a council's figure for an indicator many times a run through the index;
the free functions are the rule it must keep (the year asked for if the council has
it, else its latest before it, else its latest; the first row of that year).
"""

from __future__ import annotations

import pandas as pd
import pytest

from indicators import views
from indicators.catalogue import catalogue
from indicators.compare import COMPARISON_COLUMNS


def comparison_rows(rows: list[tuple[str, str, int, float]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {column: None for column in COMPARISON_COLUMNS}
            | {"indicator_id": i, "area_code": a, "year": y, "value": v, "time_period": str(y)}
            for i, a, y, v in rows
        ]
    )
    frame["value"] = frame["value"].astype(float)
    frame["year"] = frame["year"].astype("int32")
    return frame.astype({"indicator_id": "str", "area_code": "str"})


def assert_same_as_the_rule(table: pd.DataFrame, council: str, years: list[int | None]) -> int:
    figures = views.CouncilFigures(table, council)
    checked = 0
    for indicator_id in [*sorted({str(i) for i in table["indicator_id"].dropna()}), "absent"]:
        # The sparkline's figures, as the rows taken as a frame give them.
        assert figures.trend(indicator_id) == views.sparkline(
            figures.indicator_rows(indicator_id)
        ), indicator_id
        for year in years:
            expected_year = views.latest_year(table, indicator_id, council, year)
            assert figures.latest_year(indicator_id, year) == expected_year, (indicator_id, year)
            for asked in {year, expected_year}:
                expected = views.council_row(table, indicator_id, council, asked)
                found = figures.row(indicator_id, asked)
                if expected is None:
                    assert found is None, (indicator_id, asked)
                else:
                    assert found is not None and found.name == expected.name
                    pd.testing.assert_series_equal(found, expected)
                checked += 1
    return checked


@pytest.mark.pure
def test_the_year_shown_and_the_row_follow_the_rule_on_awkward_rows() -> None:
    table = comparison_rows(
        [
            ("cla_rate", "172", 2023, 60.0),
            ("cla_rate", "999", 2025, 10.0),  # another council's later year is not ours
            ("cla_rate", "172", 2021, 58.0),  # out of order
            ("cla_rate", "172", 2023, 61.0),  # a second row for a year: the first is kept
            ("foster_pct", "172", 2025, 70.0),
            ("foster_pct", "999", 2024, 71.0),
            ("only_elsewhere", "999", 2024, 1.0),
        ]
    )
    years = [None, 2019, 2021, 2022, 2023, 2024, 2025, 2030]
    assert assert_same_as_the_rule(table, "172", years) > 0
    figures = views.CouncilFigures(table, "172")
    assert figures.latest_year("cla_rate", 2022) == 2021
    assert figures.latest_year("cla_rate", 2019) == 2023  # nothing before: its latest
    assert figures.row("cla_rate", 2023)["value"] == 60.0
    assert figures.latest_year("only_elsewhere") is None
    assert figures.row("cla_rate", None) is None
    assert list(figures.indicator_rows("cla_rate")["year"]) == [2023, 2021, 2023]
    assert figures.indicator_rows("absent").empty
    # Oldest first, a year's rows in the table's order; the year with no figure left out.
    assert figures.trend("cla_rate") == [58.0, 60.0, 61.0]
    with_gap = comparison_rows([("x", "172", 2024, 2.0), ("x", "172", 2022, float("nan"))])
    assert views.CouncilFigures(with_gap, "172").trend("x") == [2.0]
    assert figures.trend("absent") == []


@pytest.mark.pure
def test_a_row_is_read_once_and_shared() -> None:
    table = comparison_rows([("cla_rate", "172", 2025, 60.0)])
    figures = views.CouncilFigures(table, "172")
    assert figures.row("cla_rate", 2025) is figures.shown_row("cla_rate")


def test_every_demo_council_indicator_and_year_matches_the_rule(demo_db) -> None:
    from indicators.compare import compare_all
    from indicators.compute import all_values
    from indicators.scorecard import neighbour_lists
    from loaders.store import open_store

    con = open_store(demo_db, read_only=True)
    try:
        values = all_values(con)
        neighbours = neighbour_lists(con)
    finally:
        con.close()
    model = sorted({str(m) for m in neighbours["model"]}, reverse=True)[0]
    table = compare_all(values, neighbours, model, "mean")
    years: list[int | None] = [None, *sorted({int(y) for y in table["year"]}), 2099]
    councils = sorted({str(a) for a in table["area_code"].dropna()})
    checked = 0
    for council in councils[:: max(1, len(councils) // 6)]:  # six councils, all sizes
        own = table[table["area_code"] == council]
        checked += assert_same_as_the_rule(own, council, years)
    assert checked > len(catalogue()) * len(years) * 6
