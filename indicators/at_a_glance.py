"""The "at a glance" headline figures for one council, with England alongside.

This is the summary table councils already put at the front of their
corporate parenting strategies (Buckinghamshire's is the model): how many
children are in care, the rate per 10,000 children, the share in foster care,
the share living outside the council's area, and care leavers, over the
latest three years.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from indicators.facts import ENGLAND, Selector, series
from indicators.formatting import format_value

CLA_ON_31_MARCH = "Children looked after on 31 March each year"


@dataclass(frozen=True)
class Headline:
    """One row of the at-a-glance table."""

    id: str
    label: str
    short_label: str
    unit: str  # count | percent | rate
    source: Selector
    denominator: Selector | None = None  # when set, value = source / denominator × 100


HEADLINES: tuple[Headline, ...] = (
    Headline(
        "cla_count",
        "Children looked after on 31 March",
        "Children in care",
        "count",
        Selector("cla_number_and_rate", CLA_ON_31_MARCH, "", "number"),
    ),
    Headline(
        "cla_rate_per_10k",
        "Rate per 10,000 children aged under 18",
        "Rate per 10,000 children",
        "rate",
        Selector("cla_number_and_rate", CLA_ON_31_MARCH, "", "rate_per_10000"),
    ),
    Headline(
        "foster_pct",
        "Share living with foster carers",
        "In foster care",
        "percent",
        Selector("cla_characteristics", "Placement", "1. Total foster placements", "percentage"),
    ),
    Headline(
        "placed_outside_la_pct",
        "Share placed outside the council's area",
        "Placed outside the council",
        "percent",
        Selector(
            "cla_placement_net_gain",
            "",
            "2. Children who are the responsibility of this LA placed outside the LA boundary",
            "number",
        ),
        denominator=Selector("cla_number_and_rate", CLA_ON_31_MARCH, "", "number"),
    ),
    Headline(
        "care_leavers_19_21_count",
        "Care leavers aged 19 to 21",
        "Care leavers aged 19–21",
        "count",
        Selector("care_leavers_activity", "19 to 21 years", "Total", "number"),
    ),
    Headline(
        "care_leavers_19_21_eet_pct",
        "Care leavers aged 19 to 21 in education, employment or training",
        "Care leavers 19–21 in work or study",
        "percent",
        Selector(
            "care_leavers_activity",
            "19 to 21 years",
            "Total in education, employment or training",
            "percentage",
        ),
    ),
)


def _ratio(numerator: pd.DataFrame, denominator: pd.DataFrame) -> pd.DataFrame:
    """numerator ÷ denominator × 100 by place and year; a symbol on either side wins."""
    merged = numerator.merge(
        denominator[["area_code", "year", "value", "symbol"]],
        on=["area_code", "year"],
        suffixes=("", "_denominator"),
    )
    merged["value"] = (merged["value"] / merged["value_denominator"] * 100).round(0)
    merged["symbol"] = merged["symbol"].fillna(merged["symbol_denominator"])
    merged.loc[merged["symbol"].notna(), "value"] = float("nan")
    return merged.drop(columns=["value_denominator", "symbol_denominator"])


def headline_values(
    con: duckdb.DuckDBPyConnection, area_code: str, release: str | None = None
) -> pd.DataFrame:
    """Every headline for the council and England, every year: long form."""
    places = [area_code, ENGLAND]
    frames = []
    for headline in HEADLINES:
        values = series(con, headline.source, places, release)
        if headline.denominator is not None:
            values = _ratio(values, series(con, headline.denominator, places, release))
        values = values.assign(headline_id=headline.id, label=headline.label, unit=headline.unit)
        frames.append(values)
    columns = ["headline_id", "label", "unit", "area_code", "area_name", "year", "value", "symbol"]
    return (
        pd.concat(frames, ignore_index=True)[columns] if frames else pd.DataFrame(columns=columns)
    )


def latest_years(values: pd.DataFrame, area_code: str, count: int = 3) -> list[int]:
    """The latest ``count`` years in which the council has a children-looked-after figure."""
    council = values[(values["area_code"] == area_code) & (values["headline_id"] == "cla_count")]
    return sorted(council["year"].unique().tolist())[-count:]


def at_a_glance_table(
    con: duckdb.DuckDBPyConnection, area_code: str, years: int = 3
) -> tuple[pd.DataFrame, list[int]]:
    """The display table: one row per headline, the council's last three years, then England.

    Returns the table (all cells formatted text) and the years shown.
    """
    values = headline_values(con, area_code)
    shown = latest_years(values, area_code, years)
    rows = []
    for headline in HEADLINES:
        row: dict[str, str] = {"Measure": headline.label}
        for place, prefix in ((area_code, ""), (ENGLAND, "England ")):
            cells = values[(values["headline_id"] == headline.id) & (values["area_code"] == place)]
            for year in shown:
                cell = cells[cells["year"] == year]
                if cell.empty:
                    text = "no data"
                else:
                    value = cell["value"].iloc[0]
                    symbol = cell["symbol"].iloc[0]
                    text = format_value(
                        None if pd.isna(value) else float(value),
                        None if pd.isna(symbol) else str(symbol),
                        headline.unit,
                    )
                row[f"{prefix}{year}"] = text
        rows.append(row)
    return pd.DataFrame(rows), shown


def headline_tiles(con: duckdb.DuckDBPyConnection, area_code: str) -> list[dict[str, object]]:
    """For each headline: the council's latest figure, the year before, and England's.

    Each tile uses the latest year in which the council has that figure
    (published or suppressed), so a dataset DfE has not yet updated still shows.
    """
    values = headline_values(con, area_code)
    tiles = []
    for headline in HEADLINES:
        cells = values[values["headline_id"] == headline.id]
        council = cells[cells["area_code"] == area_code]
        latest = int(council["year"].max()) if not council.empty else None

        def pick(place: str, year: int | None, cells: pd.DataFrame = cells) -> tuple:
            found = cells[(cells["area_code"] == place) & (cells["year"] == year)]
            if found.empty:
                return None, None
            value, symbol = found["value"].iloc[0], found["symbol"].iloc[0]
            return (
                None if pd.isna(value) else float(value),
                None if pd.isna(symbol) else str(symbol),
            )

        previous = latest - 1 if latest is not None else None
        value, symbol = pick(area_code, latest)
        before, before_symbol = pick(area_code, previous)
        england, england_symbol = pick(ENGLAND, latest)
        tiles.append(
            {
                "id": headline.id,
                "label": headline.label,
                "short_label": headline.short_label,
                "year": latest,
                "value": format_value(value, symbol, headline.unit),
                "previous_year": previous,
                "previous": format_value(before, before_symbol, headline.unit),
                "change": None if value is None or before is None else value - before,
                "england": format_value(england, england_symbol, headline.unit),
                "unit": headline.unit,
            }
        )
    return tiles
