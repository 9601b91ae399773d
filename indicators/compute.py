"""Indicator values for every place and period, as published and recomputed.

One query gathers every indicator's published cell (and its numerator and
denominator cells) for every council, region and England and every year. Each
figure is read from one release only, the newest that publishes it (or the
release named), so a value is never built from one release's count over another
release's population. The published value is
reported as published; where a numerator and denominator exist, a precise
value is recomputed (a rate per 10,000 from the count and the population DfE
used, printed beside it in the same file), which rounds to the published one.

A suppressed or unavailable input gives a suppressed output carrying DfE's
symbol, never a number.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from domain.symbols import MOST_PROTECTIVE_FIRST
from indicators.catalogue import Indicator, catalogue

VALUE_COLUMNS = [
    "indicator_id",
    "geographic_level",
    "area_code",
    "area_name",
    "region_code",
    "year",
    "time_period",
    "value",
    "symbol",
    "value_precise",
    "numerator",
    "denominator",
    "release",
]


def selectors(indicators: tuple[Indicator, ...]) -> pd.DataFrame:
    """One row per (indicator, role) naming the published cell to read."""
    rows = []
    for item in indicators:
        roles = [("value", item.source)]
        if item.numerator is not None and item.denominator is not None:
            roles += [("numerator", item.numerator), ("denominator", item.denominator)]
        for role, selector in roles:
            rows.append(
                {
                    "indicator_id": item.id,
                    "role": role,
                    "dataset": selector.dataset,
                    "cohort": selector.cohort,
                    "breakdown": selector.breakdown,
                    "variant": selector.variant,
                    "measure": selector.measure,
                    "computed": item.computed,
                }
            )
    return pd.DataFrame(rows)


QUERY = """
WITH cells AS (
    -- Every published cell an indicator reads, one per release (a later load of
    -- the same release replaces an earlier one).
    SELECT s.indicator_id, s.role, s.computed, f.year, f.time_period, f.geographic_level,
           f.area_code, f.value, f.symbol, f.release
    FROM facts f
    JOIN wanted_cells s
      ON f.dataset = s.dataset AND f.cohort = s.cohort AND f.breakdown = s.breakdown
     AND f.variant = s.variant AND f.measure = s.measure
    WHERE $release IS NULL OR f.release = $release
    QUALIFY row_number() OVER (
        PARTITION BY s.indicator_id, s.role, f.time_period, f.geographic_level, f.area_code,
                     f.release
        ORDER BY f.load_id DESC) = 1
),
releases AS (
    SELECT indicator_id, time_period, geographic_level, area_code, release,
           CASE WHEN any_value(computed)
                THEN bool_or(role = 'numerator') AND bool_or(role = 'denominator')
                ELSE bool_or(role = 'value') END AS complete
    FROM cells
    GROUP BY ALL
),
chosen AS (
    -- One release per figure: the newest that publishes it (for a figure the app
    -- computes, the newest that publishes both its inputs). Value, numerator and
    -- denominator all come from that release, never mixed.
    SELECT indicator_id, time_period, geographic_level, area_code,
           max(release) AS release
    FROM releases
    WHERE complete
    GROUP BY ALL
)
SELECT c.indicator_id, c.geographic_level, c.area_code, c.year, c.time_period,
       n.area_name, n.region_code,
       c.release,
       max(c.value) FILTER (WHERE c.role = 'value') AS published,
       max(c.symbol) FILTER (WHERE c.role = 'value') AS published_symbol,
       count(*) FILTER (WHERE c.role = 'value') AS has_published,
       max(c.value) FILTER (WHERE c.role = 'numerator') AS numerator,
       max(c.symbol) FILTER (WHERE c.role = 'numerator') AS numerator_symbol,
       max(c.value) FILTER (WHERE c.role = 'denominator') AS denominator,
       max(c.symbol) FILTER (WHERE c.role = 'denominator') AS denominator_symbol
FROM cells c
JOIN chosen USING (indicator_id, time_period, geographic_level, area_code, release)
JOIN area_names n USING (geographic_level, area_code)
GROUP BY ALL
"""


def _worst_symbols(first: pd.Series, second: pd.Series) -> pd.Series:
    """Per row, the more protective of two symbols ('c' before 'x' before 'z' ...)."""
    order = {symbol: rank for rank, symbol in enumerate(MOST_PROTECTIVE_FIRST)}
    first_rank = first.map(order).fillna(99)
    second_rank = second.map(order).fillna(99)
    return first.where(first_rank <= second_rank, second).where(first.notna() | second.notna())


def all_values(
    con: duckdb.DuckDBPyConnection,
    release: str | None = None,
    indicators: tuple[Indicator, ...] | None = None,
) -> pd.DataFrame:
    """Every indicator for every place and period (columns: VALUE_COLUMNS)."""
    indicators = indicators or catalogue()
    by_id = {item.id: item for item in indicators}
    # A cursor of its own: the registered table stays private to this call, and a
    # caller's unfinished result on the connection cannot get in the way.
    cursor = con.cursor()
    try:
        cursor.register("wanted_cells", selectors(indicators))
        raw = cursor.execute(QUERY, {"release": release}).df()
    finally:
        cursor.close()
    if raw.empty:
        return pd.DataFrame(columns=VALUE_COLUMNS)
    scale = raw["indicator_id"].map({k: v.scale for k, v in by_id.items()})
    decimals = raw["indicator_id"].map({k: v.decimals for k, v in by_id.items()})
    computed = raw["indicator_id"].map({k: v.computed for k, v in by_id.items()}).astype(bool)

    inputs_ok = raw["numerator"].notna() & raw["denominator"].notna() & (raw["denominator"] > 0)
    precise = (raw["numerator"] / raw["denominator"] * scale).where(inputs_ok)
    input_symbol = _worst_symbols(raw["numerator_symbol"], raw["denominator_symbol"])
    value = raw["published"].where(~computed)
    symbol = raw["published_symbol"].where(~computed)
    # Computed indicators (DfE prints no value): round the precise value, carry input symbols.
    factor = np.power(10.0, decimals.astype(float))
    rounded = np.sign(precise) * np.floor(np.abs(precise) * factor + 0.5 + 1e-9) / factor
    value = value.where(~computed, rounded)
    symbol = symbol.where(~computed, input_symbol)
    # Never show a recomputed number beside a value DfE suppressed.
    precise = precise.where(symbol.isna())
    # A published indicator whose cell is missing altogether is not reported.
    keep = computed | (raw["has_published"] > 0)
    result = raw.assign(value=value, symbol=symbol, value_precise=precise)[keep]
    result = result[result["value"].notna() | result["symbol"].notna()]
    return result[VALUE_COLUMNS].sort_values(
        ["indicator_id", "geographic_level", "area_code", "year"], ignore_index=True
    )
