"""The council's own quarterly figures: its quarterly return and its local indicators.

Quarterly returns hold catalogue indicators (the council's latest position
between DfE's annual releases) and local indicators the council defines for
itself (e.g. councillors trained in corporate parenting, for line of enquiry 2).
Small counts are protected here, before any page, download or slide sees them.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from indicators.catalogue import catalogue
from indicators.formatting import format_value

# Counts of 1 to 4 children, and percentages built on them, are shown as
# suppressed ('c'), the threshold DfE's children looked after statistics use
# for council-level figures.
SMALL_COUNT = 5
COLUMNS = [
    "indicator_id",
    "title",
    "short_title",
    "unit",
    "decimals",
    "polarity",
    "lines",
    "definition",
    "questions",
    "time_period",
    "quarter",
    "period_label",
    "value",
    "symbol",
]


def definitions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Catalogue and local indicators' titles, units and lines, one row per id."""
    rows = [
        {
            "indicator_id": item.id,
            "title": item.title,
            "short_title": item.short_title,
            "unit": item.unit,
            "decimals": item.decimals,
            "polarity": item.polarity,
            "lines": tuple(item.lines),
            "definition": item.definition,
            "questions": tuple(item.questions),
        }
        for item in catalogue()
    ]
    local = con.execute(
        "SELECT indicator_id, title, short_title, unit, decimals, polarity, line_of_enquiry, "
        "definition, questions FROM current_local_indicators"
    ).fetchall()
    for indicator_id, title, short, unit, decimals, polarity, line, definition, questions in local:
        rows.append(
            {
                "indicator_id": indicator_id,
                "title": title,
                "short_title": short,
                "unit": unit,
                "decimals": int(decimals),
                "polarity": polarity,
                "lines": (line,),
                "definition": definition or "",
                "questions": tuple(q for q in (questions or "").split("|") if q.strip()),
            }
        )
    return pd.DataFrame(rows)


def quarterly_figures(con: duckdb.DuckDBPyConnection, council: str) -> pd.DataFrame:
    """Every quarterly figure the council has returned, oldest first, small counts protected."""
    raw = con.execute(
        """
        SELECT breakdown AS indicator_id, time_period, variant AS quarter, measure, value, symbol
        FROM current_facts
        WHERE dataset = 'quarterly_return' AND area_code = ?
        """,
        [council],
    ).df()
    if raw.empty:
        return pd.DataFrame(columns=COLUMNS)
    wide = raw.pivot_table(
        index=["indicator_id", "time_period", "quarter"],
        columns="measure",
        values="value",
        aggfunc="first",
    ).reset_index()
    symbols = raw[raw["measure"] == "value"][["indicator_id", "time_period", "quarter", "symbol"]]
    wide = wide.merge(symbols, on=["indicator_id", "time_period", "quarter"], how="left")
    for column in ("value", "numerator"):
        if column not in wide.columns:
            wide[column] = float("nan")
    figures = wide.merge(definitions(con), on="indicator_id", how="inner")
    figures = protect_small_counts(figures)
    figures["period_label"] = [
        f"{period[:4]}-{period[4:]} {quarter}"
        for period, quarter in zip(figures["time_period"], figures["quarter"], strict=True)
    ]
    figures = figures.sort_values(["indicator_id", "time_period", "quarter"])
    return figures[COLUMNS].reset_index(drop=True)


def protect_small_counts(figures: pd.DataFrame) -> pd.DataFrame:
    """Counts of 1–4 and percentages whose numerator is 1–4 become 'c' (value removed)."""
    figures = figures.copy()
    small_count = (figures["unit"] == "count") & figures["value"].between(1, SMALL_COUNT - 1)
    small_numerator = figures["numerator"].between(1, SMALL_COUNT - 1)
    hidden = small_count | small_numerator
    figures.loc[hidden, "value"] = float("nan")
    figures.loc[hidden, "symbol"] = "c"
    figures["numerator"] = float("nan")  # never shown: the value is enough
    return figures


def for_line(figures: pd.DataFrame, line: str) -> pd.DataFrame:
    """The figures whose indicator belongs to a line of enquiry."""
    if figures.empty:
        return figures
    return figures[figures["lines"].map(lambda lines: line in lines)]


def shown(row: pd.Series) -> str:
    unit = {"percent": "percent", "count": "count"}.get(str(row["unit"]), "number")
    symbol = row["symbol"] if isinstance(row["symbol"], str) else None
    value = None if pd.isna(row["value"]) else float(row["value"])
    return format_value(value, symbol, unit, int(row["decimals"]))


def quarter_table(figures: pd.DataFrame) -> pd.DataFrame:
    """Indicators down, quarters across, figures as the page shows them."""
    if figures.empty:
        return pd.DataFrame(columns=["Indicator"])
    cells = figures.assign(shown=figures.apply(shown, axis=1))
    table = cells.pivot_table(
        index="short_title", columns="period_label", values="shown", aggfunc="first"
    )
    table = table[sorted(table.columns)].fillna("no data").reset_index()
    return table.rename(columns={"short_title": "Indicator"})


def quarter_series(rows: pd.DataFrame) -> pd.DataFrame:
    """One indicator's quarters in the shape the trend chart draws (council only)."""
    nothing = [float("nan")] * len(rows)
    return pd.DataFrame(
        {
            "period_label": list(rows["period_label"]),
            "council": list(rows["value"].astype(float)),
            "council_symbol": [s if isinstance(s, str) else None for s in rows["symbol"]],
            "neighbours": nothing,
            "region": nothing,
            "england": nothing,
        }
    )
