"""One council's indicators with every comparison: what the CLI, scorecard and packs read.

``comparisons`` computes everything for every council and period once (the
app caches it per data version); ``council_scorecard`` picks one council's
rows, for a year or each indicator's latest, and writes the sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from indicators.catalogue import catalogue
from indicators.compare import compare_all
from indicators.compute import all_values
from indicators.narrative import sentence, strengths_and_concerns

SHOW_COLUMNS = [
    "indicator_id",
    "period",
    "value",
    "value_precise",
    "numerator",
    "denominator",
    "symbol",
    "sn_value",
    "sn_count",
    "region_value",
    "england_value",
    "rank",
    "rank_of",
    "quartile_band",
    "direction",
    "funnel_flag",
]


def neighbour_lists(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The statistical neighbour lists in force, for every model loaded."""
    return con.execute(
        "SELECT model, old_la_code, sn_rank, neighbour_old_la_code, closeness "
        "FROM current_neighbours ORDER BY model, old_la_code, sn_rank"
    ).df()


def neighbour_models(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Neighbour model years loaded, newest first."""
    rows = con.execute("SELECT DISTINCT model FROM current_neighbours ORDER BY model DESC")
    return [str(r[0]) for r in rows.fetchall()]


def comparisons(
    con: duckdb.DuckDBPyConnection,
    sn_model: str | None = None,
    sn_method: str = "mean",
    release: str | None = None,
) -> pd.DataFrame:
    """Every indicator, council and period with its comparisons."""
    return compare_all(all_values(con, release), neighbour_lists(con), sn_model, sn_method)


def council_rows(table: pd.DataFrame, council: str, year: int | None = None) -> pd.DataFrame:
    """One row per indicator for the council: the year asked, or each one's latest."""
    rows = table[table["area_code"] == council]
    if year is not None:
        rows = rows[rows["year"] == year]
    else:
        rows = rows.sort_values("year").groupby("indicator_id", sort=False).tail(1)
    order = {item.id: position for position, item in enumerate(catalogue())}
    rows = rows.assign(period=rows["time_period"]).sort_values(
        "indicator_id", key=lambda ids: ids.map(order)
    )
    return rows.reset_index(drop=True)


@dataclass
class Scorecard:
    council_code: str
    council_name: str
    sn_model: str | None
    sn_method: str
    rows: pd.DataFrame
    sentences: list[str] = field(default_factory=list)
    summary: dict[str, list[str]] = field(default_factory=dict)

    @property
    def sn_description(self) -> str:
        if not self.sn_model:
            return "no statistical neighbour list loaded for this council"
        return (
            f"DfE {self.sn_model} statistical neighbour model, {self.sn_method} of those with data"
        )


def council_scorecard(
    con: duckdb.DuckDBPyConnection | None,
    council: str,
    year: int | None = None,
    sn_model: str | None = None,
    sn_method: str = "mean",
    release: str | None = None,
    table: pd.DataFrame | None = None,
) -> Scorecard:
    """The council's indicators, comparisons, sentences and strengths/concerns summary."""
    if table is None:
        if con is None:
            raise ValueError("give a connection or an already computed comparison table")
        table = comparisons(con, sn_model, sn_method, release)
    rows = council_rows(table, council, year)
    name = rows["area_name"].iloc[0] if not rows.empty else council
    by_id = {item.id: item for item in catalogue()}
    sentences = [sentence(row, by_id[row["indicator_id"]], name) for _, row in rows.iterrows()]
    model = next((m for m in rows.get("sn_model", pd.Series()).dropna() if m), None)
    return Scorecard(
        council_code=council,
        council_name=name,
        sn_model=model,
        sn_method=sn_method,
        rows=rows,
        sentences=sentences,
        summary=strengths_and_concerns(rows, by_id, name),
    )
