"""The "at a glance" headline figures for one council, with England alongside.

This is the summary table councils already put at the front of their
corporate parenting strategies (Buckinghamshire's is the model): how many
children are in care, the rate per 10,000 children, the share in foster care,
the share living outside the council's area, and care leavers, over the
latest three years. Every figure is a catalogue indicator, computed by
``compute.all_values`` like everywhere else.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from domain.facts import ENGLAND_CODE as ENGLAND
from indicators.catalogue import Indicator, indicator
from indicators.compute import all_values
from indicators.formatting import figure_with_count, format_value

HEADLINE_IDS = (
    "cla_count",
    "cla_rate_per_10k",
    "foster_pct",
    "placed_outside_la_pct",
    "care_leavers_19_21_count",
    "care_leavers_19_21_eet_pct",
)


def headlines() -> tuple[Indicator, ...]:
    return tuple(indicator(i) for i in HEADLINE_IDS)


def headline_values(
    con: duckdb.DuckDBPyConnection,
    area_code: str,
    release: str | None = None,
    values: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every headline for the council and England, every year: long form.

    ``values`` is every indicator's table as `all_values` makes it (the app keeps it
    once per data version), so a council's table costs a filter, not a query; without
    it the headlines are computed from the store.
    """
    if values is None:
        values = all_values(con, release, headlines())
    return headline_rows(values, area_code)


def headline_rows(values: pd.DataFrame, area_code: str) -> pd.DataFrame:
    """The headlines' rows of every indicator's table, for the council and England."""
    wanted = values["indicator_id"].isin(HEADLINE_IDS) & values["area_code"].isin(
        [area_code, ENGLAND]
    )
    return values[wanted].rename(columns={"indicator_id": "headline_id"})


def latest_years(values: pd.DataFrame, area_code: str, count: int = 3) -> list[int]:
    """The latest ``count`` years in which the council has a children-looked-after figure."""
    council = values[(values["area_code"] == area_code) & (values["headline_id"] == "cla_count")]
    return sorted(council["year"].unique().tolist())[-count:]


def _cells(values: pd.DataFrame) -> dict[tuple[str, str, int], tuple]:
    """Every cell of the table by (headline, place, year): (value, symbol, numerator,
    denominator), the first row where there are several; read once, not a filter each."""
    cells: dict[tuple[str, str, int], tuple] = {}
    columns = ("headline_id", "area_code", "year", "value", "symbol", "numerator", "denominator")
    for headline_id, place, year, value, symbol, numerator, denominator in zip(
        *(values[column] for column in columns), strict=True
    ):
        cells.setdefault(
            (str(headline_id), str(place), int(year)),
            (
                None if pd.isna(value) else float(value),
                None if pd.isna(symbol) else str(symbol),
                numerator,
                denominator,
            ),
        )
    return cells


NO_CELL = (None, None, None, None)


def at_a_glance_table(
    con: duckdb.DuckDBPyConnection,
    area_code: str,
    years: int = 3,
    values: pd.DataFrame | None = None,
) -> tuple[pd.DataFrame, list[int]]:
    """The display table: one row per headline, the council's last three years, then England.

    Returns the table (all cells formatted text) and the years shown. Each row is
    named by the indicator's short title (the tiles' label), so the first column stays
    narrow enough to keep in place on a phone while the years scroll. The council's
    percentages and rates carry the children behind them, each year its own ("50 of
    522 (10%)"), never a small number; England's are left as figures.
    """
    values = headline_values(con, area_code, values=values)
    shown = latest_years(values, area_code, years)
    cells = _cells(values)
    rows = []
    for item in headlines():
        row: dict[str, str] = {"Measure": item.short_title}
        for place, prefix in ((area_code, ""), (ENGLAND, "England ")):
            for year in shown:
                value, symbol, numerator, denominator = cells.get(
                    (item.id, place, int(year)), NO_CELL
                )
                if value is None and symbol is None:
                    text = "no data"
                elif place == area_code:
                    text = figure_with_count(
                        value, symbol, item.unit, item.decimals, numerator, denominator, item.counts
                    )
                else:
                    text = format_value(value, symbol, item.unit, item.decimals)
                row[f"{prefix}{year}"] = text
        rows.append(row)
    return pd.DataFrame(rows), shown


def at_a_glance_download(
    values: pd.DataFrame, area_code: str, council_name: str, years: int = 3
) -> pd.DataFrame:
    """``at_a_glance_table``'s figures as numbers for a spreadsheet (its downloads): a
    headline and year a row, the council's figure with the children behind it (never 1
    to 5) and a note for a word, then England's (``indicators.downloads``). ``values``
    is every indicator's table as ``all_values`` makes it (no store is read here)."""
    from indicators.downloads import as_shown, figure_columns, unit_words

    values = headline_rows(values, area_code)
    shown = latest_years(values, area_code, years)
    cells = _cells(values)
    frames = []
    for item in headlines():
        council = [cells.get((item.id, area_code, int(year)), NO_CELL) for year in shown]
        england = [cells.get((item.id, ENGLAND, int(year)), NO_CELL) for year in shown]
        frame = pd.DataFrame(
            {
                "Measure": [item.short_title] * len(shown),
                "Unit": [unit_words(item)] * len(shown),
                "Year": [str(year) for year in shown],
                **figure_columns(
                    item,
                    council_name,
                    [cell[0] for cell in council],
                    [cell[1] for cell in council],
                    [cell[2] for cell in council],
                    [cell[3] for cell in council],
                    counted_heading=f"{council_name}: counted",
                ),
            }
        )
        frame["England"] = pd.Series(
            [as_shown(cell[0], cell[1], item) for cell in england], dtype=object
        )
        frames.append(frame)
    columns = [
        "Measure",
        "Unit",
        "Year",
        council_name,
        f"{council_name}: counted",
        f"{council_name}: out of",
        f"{council_name}: note",
        "England",
    ]
    return pd.concat(frames, ignore_index=True).reindex(columns=columns)
