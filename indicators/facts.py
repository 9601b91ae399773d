"""Read published facts back out of the store, newest release first.

These are the only queries the indicator code needs for published figures:
a series of one published cell over years for some places, optionally from a
named release instead of the newest one.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from domain.facts import Selector
from loaders.store import scalar


def series(
    con: duckdb.DuckDBPyConnection,
    selector: Selector,
    area_codes: list[str],
    release: str | None = None,
) -> pd.DataFrame:
    """Values of one published cell by year for the given places.

    Columns: year, time_period, geographic_level, area_code, area_name, value,
    symbol, release. With ``release`` given, only that release is read;
    otherwise the newest release of each year wins.
    """
    source = "current_facts" if release is None else "facts"
    query = f"""
        SELECT year, time_period, geographic_level, area_code, area_name, value, symbol, release
        FROM {source}
        WHERE dataset = ? AND cohort = ? AND breakdown = ? AND variant = ? AND measure = ?
          AND area_code IN (SELECT unnest(?::VARCHAR[]))
          {"AND release = ?" if release is not None else ""}
        ORDER BY area_code, year
    """
    params: list[object] = [
        selector.dataset,
        selector.cohort,
        selector.breakdown,
        selector.variant,
        selector.measure,
        area_codes,
    ]
    if release is not None:
        params.append(release)
    return con.execute(query, params).df()


def councils(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every council in the store with its one display name and region (by name).

    Names come from the store's ``area_names`` view (newest DfE release first, the
    same whatever order files were loaded in), never from the last file loaded.
    """
    return con.execute(
        """
        SELECT area_code AS old_la_code, area_name AS la_name, region_code, region_name,
               new_la_code
        FROM area_names
        WHERE geographic_level = 'Local authority'
        ORDER BY la_name, old_la_code
        """
    ).df()


def is_demo(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any committed load in the store is the fictional demo data."""
    return bool(
        scalar(con, "SELECT count(*) FROM loads WHERE kind = 'demo data' AND status = 'committed'")
    )


def loaded_releases(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Each dataset's releases in the store, the years they cover and when they were loaded."""
    return con.execute(
        """
        SELECT f.dataset, f.release, min(f.year) AS first_year, max(f.year) AS last_year,
               max(l.finished_at) AS loaded_at
        FROM facts f JOIN loads l USING (load_id)
        WHERE l.status = 'committed'
        GROUP BY f.dataset, f.release
        ORDER BY f.dataset, f.release
        """
    ).df()
