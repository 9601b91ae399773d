"""One council's indicators with every comparison: what the CLI, scorecard and packs read.

``comparisons`` computes everything for every council and period once (the
app caches it per data version); ``council_scorecard`` picks one council's
rows, for a year or each indicator's latest, and writes the sentences.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from indicators import views
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
    name = _council_name(rows, council)
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


def council_summary(table: pd.DataFrame, council: str, year: int | None = None) -> dict:
    """`council_scorecard`'s summary alone (strengths, concerns, figures too small to
    judge), without a sentence for every indicator: At a glance shows only these, and
    the other sentences were about half the cost of its first visit for a council."""
    rows = council_rows(table, council, year)
    by_id = {item.id: item for item in catalogue()}
    return strengths_and_concerns(rows, by_id, _council_name(rows, council))


def _council_name(rows: pd.DataFrame, council: str) -> str:
    return str(rows["area_name"].iloc[0]) if not rows.empty else council


# ------------------------------------------------------------ the Scorecard page's table
# How the page can order its rows. The first keeps the grouping's order.
ORDERS = ("Lines of enquiry", "Concerns first", "Worst band first", "Worsening first")
_BAND_ORDER = {"D": 0, "C": 1, "B": 2, "A": 3}
_DIRECTION_ORDER = {"worsening": 0, "no change": 1, "improving": 2}


def judgements(
    table: pd.DataFrame,
    council: str,
    year: int | None = None,
    figures: views.CouncilFigures | None = None,
) -> pd.DataFrame:
    """Per indicator, the figure the scorecard shows judged as At a glance judges it:
    'concern', 'strength' or '' (narrative's rule: against England, with the band and
    the funnel limits), with how strongly, the band and the direction, for ordering.
    ``figures``: the council's rows of ``table`` already indexed, when the caller keeps them."""
    from indicators.narrative import _judgement as strength_or_concern  # the one rule

    figures = figures or views.CouncilFigures(table, council)
    records = []
    for item in catalogue():
        row = figures.shown_row(item.id, year)
        judged = strength_or_concern(row, item) if row is not None else None
        records.append(
            {
                "indicator_id": item.id,
                "judgement": judged[0] if judged else "",
                "weight": judged[1] if judged else 0,
                "band": row["quartile_band"] if row is not None and item.is_banded else None,
                # How far down the ranking the council is (1 = last), to order within a band.
                "standing": _standing(row) if row is not None and item.is_ranked else None,
                "direction": row["direction"] if row is not None else None,
            }
        )
    return pd.DataFrame(records)


def _standing(row: pd.Series) -> float | None:
    """The council's rank over the councils ranked (58 of 151 is 0.38; last is 1)."""
    rank, ranked = row.get("rank"), row.get("rank_of")
    if rank is None or ranked is None or pd.isna(rank) or pd.isna(ranked) or not ranked:
        return None
    return float(rank) / float(ranked)


def arrange(
    card: pd.DataFrame,
    judged: pd.DataFrame,
    themes: list[str] | None = None,
    concerns_only: bool = False,
    order: str = ORDERS[0],
) -> pd.DataFrame:
    """The scorecard rows to show: the themes chosen, only the concerns if asked, in the
    order asked (ties keep the grouping's order; outside the themes' order, each
    indicator once). Columns as `views.scorecard` gives."""
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, not {order!r}")
    keyed = card.reset_index(drop=True).merge(judged, on="indicator_id", how="left")
    keyed["position"] = range(len(keyed))
    if themes is not None:
        keyed = keyed[keyed["Theme"].isin(themes)]
    if concerns_only:
        keyed = keyed[keyed["judgement"] == "concern"]
    last = len(_BAND_ORDER)
    # Within a band, the council lower in the ranking first (148th of 148 before 114th of
    # 150); unranked after the ranked, in the grouping's order.
    lower_first = -(
        keyed["standing"].astype(float).fillna(0.0)
        if "standing" in keyed.columns
        else pd.Series(0.0, index=keyed.index)
    )
    # Only the order asked for is worked out.
    keys = {
        "Lines of enquiry": lambda: [keyed["position"]],
        "Concerns first": lambda: [
            (keyed["judgement"] != "concern").astype(int),
            -keyed["weight"].fillna(0).where(keyed["judgement"] == "concern", 0),
            keyed["band"].map(_BAND_ORDER).fillna(last),
            lower_first,
        ],
        "Worst band first": lambda: [keyed["band"].map(_BAND_ORDER).fillna(last), lower_first],
        "Worsening first": lambda: [keyed["direction"].map(_DIRECTION_ORDER).fillna(last)],
    }[order]()
    sort = pd.DataFrame({f"k{i}": key for i, key in enumerate(keys)}).assign(
        position=keyed["position"]
    )
    ordered = keyed.loc[sort.sort_values(list(sort.columns), kind="stable").index]
    if order != ORDERS[0]:
        # Out of the themes' order an indicator in two lines of enquiry is listed once.
        ordered = ordered.drop_duplicates("indicator_id")
    return ordered[list(card.columns)].reset_index(drop=True)
