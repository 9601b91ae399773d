"""The council's own quarterly figures: SSDA903 extracts, quarterly returns, local indicators.

Between DfE's annual releases the council's latest position comes from its own
data: figures computed from its SSDA903 child-level extract (indicators/
child_level.py, with DfE's definitions), figures typed into its quarterly
return, and local indicators the council defines for itself (e.g. councillors
trained in corporate parenting, for line of enquiry 2). Where the extract and
the return both give an indicator for a quarter, the extract's figure is
shown: it is computed from the records with the published definition.
Small numbers are protected before any page, download or slide sees them, by the
one rule in indicators/protection.py (the extract's figures inside child_level,
the return's and local indicators' here).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from domain.registry import LOCAL, Indicator, local_entry, parse_indicator, registry
from domain.rounding import round_half_up
from domain.units import is_share_unit
from indicators import child_level, protection
from indicators.catalogue import grouping
from indicators.formatting import format_value, points_word

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
    "source",
]
RETURN_SOURCE = "quarterly return"


def definitions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The registry's indicators and the council's local ones: titles, units and lines,
    one row per id."""
    rows = [_definition_row(item) for item in registry().indicators]
    local = con.execute(
        "SELECT indicator_id, title, short_title, unit, decimals, polarity, line_of_enquiry, "
        "definition, questions FROM current_local_indicators"
    ).fetchall()
    for indicator_id, title, short, unit, decimals, polarity, line, definition, questions in local:
        entry = local_entry(
            indicator_id, title, short, unit, decimals, polarity, line, definition, questions
        )
        rows.append(_definition_row(parse_indicator(entry, LOCAL, registry().lines)))
    return pd.DataFrame(rows)


def _definition_row(item: Indicator) -> dict[str, object]:
    return {
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


def extract_source(as_at: object) -> str:
    return f"SSDA903 extract as at {pd.Timestamp(as_at):%d/%m/%Y}"


def quarterly_figures(con: duckdb.DuckDBPyConnection, council: str) -> pd.DataFrame:
    """Every quarterly figure the council has, oldest first, small counts protected.

    Figures from its SSDA903 extracts come first; the quarterly return fills
    the indicators and quarters the extracts do not give.
    """
    returned = _returned_figures(con, council)
    extract = child_level.quarterly_extract_figures(con, council)
    if extract.empty:
        return returned
    computed = extract.merge(definitions(con), on="indicator_id", how="inner")
    computed["value"] = [
        None if pd.isna(v) else round_half_up(float(v), int(d))
        for v, d in zip(computed["value"], computed["decimals"], strict=True)
    ]
    computed["value"] = computed["value"].astype(float)
    computed["symbol"] = computed["symbol"].where(computed["symbol"].notna(), None)
    computed["source"] = computed["as_at"].map(extract_source)
    computed["period_label"] = [
        f"{period[:4]}-{period[4:]} {quarter}"
        for period, quarter in zip(computed["time_period"], computed["quarter"], strict=True)
    ]
    key = ["indicator_id", "time_period", "quarter"]
    if len(returned):
        covered = returned[key].merge(computed[key], how="left", indicator=True)["_merge"]
        returned = returned[(covered == "left_only").to_numpy()]
    together = pd.concat([computed[COLUMNS], returned[COLUMNS]], ignore_index=True)
    return together.sort_values(["indicator_id", "time_period", "quarter"]).reset_index(drop=True)


def councils_with_own_figures(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The councils with figures of their own in the store (an SSDA903 extract or a
    quarterly return), by code: in a council's own deployment, the council itself."""
    rows = con.execute(
        """
        SELECT la_code FROM extracts
        UNION
        SELECT area_code FROM current_facts WHERE dataset = 'quarterly_return'
        ORDER BY 1
        """
    ).fetchall()
    return [str(code) for (code,) in rows]


def _returned_figures(con: duckdb.DuckDBPyConnection, council: str) -> pd.DataFrame:
    """Every quarterly figure the council has returned, small counts protected."""
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
    for column in ("value", "numerator", "denominator"):
        if column not in wide.columns:
            wide[column] = float("nan")
    figures = wide.merge(definitions(con), on="indicator_id", how="inner")
    # One quarter's figures are protected together (a breakdown and its total, shares
    # of one denominator); numerators and denominators go no further.
    figures = protection.protect(figures, ["time_period", "quarter"])
    figures["period_label"] = [
        f"{period[:4]}-{period[4:]} {quarter}"
        for period, quarter in zip(figures["time_period"], figures["quarter"], strict=True)
    ]
    figures["source"] = RETURN_SOURCE
    figures = figures.sort_values(["indicator_id", "time_period", "quarter"])
    return figures[COLUMNS].reset_index(drop=True)


def for_line(figures: pd.DataFrame, line: str) -> pd.DataFrame:
    """The figures whose indicator belongs to a line of enquiry, in the line's order (its
    indicators as the page lists them; those it does not list after, as they came)."""
    if figures.empty:
        return figures
    mine = figures[figures["lines"].map(lambda lines: line in lines)]
    theme = next((t for t in grouping().themes if t.id == line), None)
    listed = {
        indicator_id: position
        for position, indicator_id in enumerate(theme.indicator_ids if theme else ())
    }
    place = mine["indicator_id"].map(lambda i: listed.get(i, len(listed)))
    return mine.iloc[place.reset_index(drop=True).sort_values(kind="stable").index]


def _shown(value: object, symbol: object, unit: object, decimals: object) -> str:
    """One figure as the pages show it: its value, or the word for its symbol."""
    return format_value(
        None if pd.isna(value) else float(value),  # type: ignore[arg-type]
        symbol if isinstance(symbol, str) else None,
        str(unit),
        int(decimals),  # type: ignore[call-overload]
    )


def quarter_table(figures: pd.DataFrame, latest: int | None = None) -> pd.DataFrame:
    """Indicators down, quarters across (oldest first), figures as the page shows them;
    only the ``latest`` quarters when given (a page's table that must fit beside the
    sidebar, its newest figures in view, not scrolled off to the right)."""
    if figures.empty:
        return pd.DataFrame(columns=["Indicator"])
    # Column by column: a pandas row for each figure cost about 0.1 ms (a page's table).
    cells = figures.assign(
        shown=[
            _shown(*cell)
            for cell in zip(
                figures["value"],
                figures["symbol"],
                figures["unit"],
                figures["decimals"],
                strict=True,
            )
        ]
    )
    table = cells.pivot_table(
        index="short_title", columns="period_label", values="shown", aggfunc="first"
    )
    quarters = sorted(table.columns)
    if latest is not None:
        if latest < 1:
            raise ValueError(f"latest must be at least 1 quarter, not {latest}")
        quarters = quarters[-latest:]
    table = table[quarters].fillna("no data").reset_index()
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


RECONCILIATION_COLUMNS = [
    "Indicator",
    "31 March",
    "From the extract",
    "Published by DfE",
    "Difference",
    "Likely reasons",
]


def _reasons(indicator_id: str, as_at: str) -> str:
    reasons = [
        f"episodes recorded or corrected after the return (the extract is as at {as_at})",
        "DfE's own revisions in later releases",
    ]
    if indicator_id in child_level.PLACEMENT_MOVE_IDS:
        reasons.append(
            "which episodes count as a placement move (DfE's exact rule is not published; "
            "see the methodology)"
        )
    if indicator_id in child_level.CARE_LEAVER_IDS or indicator_id in child_level.HEALTH_FLAGS:
        reasons.append("OC2/OC3 information completed after the return")
    text = "; ".join(reasons)
    return text[0].upper() + text[1:] + "."  # not str.capitalize: it lowercases "DfE"


def _difference(gap: float, unit: str, decimals: int) -> str:
    """'+3', '−7 points' (a gap between two percentages is in percentage points, as At a
    glance writes a change, never '−7%'), or 'none' when it rounds to nothing."""
    rounded = round_half_up(gap, decimals)
    if rounded == 0:
        return "none"
    sign = "+" if gap > 0 else "−"
    if is_share_unit(unit):
        return f"{sign}{abs(rounded):,.{decimals}f} {points_word(rounded)}"
    return sign + format_value(abs(gap), None, unit, decimals)


def reconciliation(figures: pd.DataFrame, published: pd.DataFrame, council: str) -> pd.DataFrame:
    """The extract's figure at each 31 March beside the DfE's published one, with the gap.

    `figures` is `quarterly_figures`' output (already protected); `published` the
    catalogue values (`indicators.compute.all_values`). Only indicators the DfE
    publishes for the council that year appear; a protected figure gives no
    difference.
    """
    local = extract_figures(figures)
    local = local[local["quarter"] == "Q4"].copy()
    if local.empty or published.empty:
        return pd.DataFrame(columns=RECONCILIATION_COLUMNS)
    local["year"] = local["time_period"].str[:4].astype(int) + 1
    council_values = published[
        (published["geographic_level"] == "Local authority") & (published["area_code"] == council)
    ][["indicator_id", "year", "value", "symbol"]]
    both = local.merge(council_values, on=["indicator_id", "year"], suffixes=("", "_published"))
    rows = []
    for row in both.sort_values(["year", "indicator_id"]).itertuples():
        unit = str(row.unit)
        local_text = _shown(row.value, row.symbol, unit, row.decimals)
        published_symbol = row.symbol_published if isinstance(row.symbol_published, str) else None
        published_value = None if pd.isna(row.value_published) else float(row.value_published)
        published_text = format_value(published_value, published_symbol, unit, int(row.decimals))
        if pd.isna(row.value) or published_value is None:
            difference = "not comparable"
        else:
            difference = _difference(float(row.value) - published_value, unit, int(row.decimals))
        rows.append(
            {
                "Indicator": row.short_title,
                "31 March": row.year,
                "From the extract": local_text,
                "Published by DfE": published_text,
                "Difference": difference,
                "Likely reasons": "Agrees."
                if difference == "none"
                else _reasons(row.indicator_id, row.source.removeprefix("SSDA903 extract as at ")),
            }
        )
    return pd.DataFrame(rows, columns=RECONCILIATION_COLUMNS)


# How many differing indicators the sentence above the side-by-side table names.
DIFFERENCES_NAMED = 3


def differences_sentence(check: pd.DataFrame) -> str:
    """The latest 31 March's differences between the extract and DfE's published figures,
    in a sentence a reader sees without opening the side-by-side table ('' when every
    comparable figure agrees): how many differ of how many compared, the first few by
    name with both figures. `check` is `reconciliation`'s table (or some of its rows)."""
    if check.empty:
        return ""
    year = int(check["31 March"].max())
    latest = check[check["31 March"] == year]
    compared = latest[latest["Difference"] != "not comparable"]
    differ = compared[compared["Difference"] != "none"]
    if differ.empty:
        return ""
    named = [
        f"{row['Indicator']} {row['From the extract']} in the extract, "
        f"{row['Published by DfE']} published"
        for _, row in differ.head(DIFFERENCES_NAMED).iterrows()
    ]
    more = len(differ) - len(named)
    listed = "; ".join(named) + (f"; and {more} more" if more else "")
    return (
        f"At 31 March {year} the extract differs from DfE's published figure for "
        f"{_how_many(len(differ), len(compared))} ({listed}). The side-by-side table under "
        "the chart gives each difference and its likely reasons."
    )


def _how_many(differ: int, compared: int) -> str:
    """'2 of the 5 indicators here', 'all 3 indicators here', 'both', 'the one'."""
    if differ < compared:
        return f"{differ} of the {compared} indicators here"
    if compared == 1:
        return "the one indicator here"
    return "both indicators here" if compared == 2 else f"all {compared} indicators here"


def extract_figures(figures: pd.DataFrame) -> pd.DataFrame:
    """Only the figures computed from SSDA903 extracts."""
    return figures[figures["source"].str.startswith("SSDA903")]
