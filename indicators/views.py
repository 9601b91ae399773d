"""Shape indicator tables into what each chart and table on a page needs.

Pages stay thin: they ask for a trend, a ranking among neighbours, the points
of a funnel plot, or a scorecard, and get a small frame ready to draw. These
are plain functions over the cached comparison table, so they are fast and
tested without Streamlit.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from domain.units import COUNT_KIND, HIGHER_IS_BETTER, LOWER_IS_BETTER, unit_kind
from domain.wording import (
    NEIGHBOURS_AVERAGE_HEADING,
    NEIGHBOURS_COLUMN,
    NEIGHBOURS_SHORT,
    RANK_COLUMN,
    band_flag,
    rank_of,
    rank_words,
)
from indicators.catalogue import Grouping, Indicator, catalogue, indicator
from indicators.formatting import (
    figure_with_count,
    first_capital,
    format_value,
    n_of_N,
    period_label,
    points_word,
    symbol_sentence,
    symbol_word,
)
from indicators.narrative import base_size, change_chance_words, small_base

# The scorecard's column for the neighbour average: the one name (domain/wording.py).

# The arrow follows the figure, as At a glance's change does (▲ it rose, ▼ it fell), and
# the word says whether that is better or worse: a fall in placement moves is "▼
# improving", never an up arrow beside a falling figure. The arrow is read off the word
# and the polarity, never the values again, so the two can never disagree.
# As DfE's LAIT draws its trend (R/fn_table_helpers.R, trend_icon_renderer: arrow-up
# for a rise, arrow-down for a fall, left-right for none, whatever the polarity).
RISE, FALL, LEVEL, NO_ARROW = "▲", "▼", "►", "–"
_ROSE = {
    ("improving", HIGHER_IS_BETTER): True,
    ("worsening", HIGHER_IS_BETTER): False,
    ("improving", LOWER_IS_BETTER): False,
    ("worsening", LOWER_IS_BETTER): True,
}


def direction_label(direction: str, polarity: str) -> str:
    """'▼ improving': an arrow for which way the figure moved since the year before,
    then the direction of travel in words (``compare.direction``'s word)."""
    if direction == "up":
        return f"{RISE} up"
    if direction == "down":
        return f"{FALL} down"
    if direction == "no change":
        return f"{LEVEL} no change"
    rose = _ROSE.get((direction, polarity))
    if rose is None:  # not comparable, or a word this polarity cannot give
        return f"{NO_ARROW} {direction}"
    return f"{RISE if rose else FALL} {direction}"


# Quartile bands with a sign and a word, so no reader depends on colour or on knowing
# which letter is best (LAIT's bands: A is the best quarter of councils).
NOT_RANKED = "–"  # no rank or band: no polarity, no figure to rank, no band (LAIT's "-")


def show(item: Indicator, value: object, symbol: object = None) -> str:
    """A figure as the page shows it ('67%', '1,806', 'suppressed', 'no data')."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    has_symbol = isinstance(symbol, str) and symbol
    if missing and not has_symbol:
        return "no data"
    return format_value(
        None if missing else float(value),
        symbol if has_symbol else None,
        item.unit,
        item.decimals,
    )


def show_with_count(
    item: Indicator, value: object, symbol: object, numerator: object, denominator: object
) -> str:
    """A figure with the children behind it: '50 of 522 (10%)'; as ``show`` without them."""
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if missing or (isinstance(symbol, str) and symbol):
        return show(item, value, symbol)
    number = float(value)  # type: ignore[arg-type]
    return figure_with_count(
        number, None, item.unit, item.decimals, numerator, denominator, item.counts
    )


def trend(table: pd.DataFrame, indicator_id: str, council: str) -> pd.DataFrame:
    """Council, neighbour average, region and England over every year with data.

    ``council_numerator`` and ``council_denominator`` are the children behind each
    figure, for "50 of 522" beside it (never shown when small: ``formatting.n_of_N``).
    """
    rows = table[(table["indicator_id"] == indicator_id) & (table["area_code"] == council)]
    rows = rows.sort_values("year")
    return pd.DataFrame(
        {
            "year": rows["year"].astype(int),
            "period_label": rows["time_period"].map(period_label),
            "council": rows["value"].astype(float),
            "council_symbol": rows["symbol"].where(rows["symbol"].notna(), None),
            "council_numerator": rows["numerator"].astype(float),
            "council_denominator": rows["denominator"].astype(float),
            "neighbours": rows["sn_value"].astype(float),
            "neighbours_count": rows["sn_count"],
            "region": rows["region_value"].astype(float),
            "england": rows["england_value"].astype(float),
        }
    ).reset_index(drop=True)


def trend_table(frame: pd.DataFrame, item: Indicator, council_name: str) -> pd.DataFrame:
    """The trend as a readable table (the chart's 'table view' and CSV download)."""
    return pd.DataFrame(
        {
            "Year": frame["period_label"],
            council_name: [
                show_with_count(item, v, s, n, d)
                for v, s, n, d in zip(
                    frame["council"],
                    frame["council_symbol"],
                    frame.get("council_numerator", [None] * len(frame)),
                    frame.get("council_denominator", [None] * len(frame)),
                    strict=True,
                )
            ],
            NEIGHBOURS_AVERAGE_HEADING: [show(item, v) for v in frame["neighbours"]],
            "Region": [show(item, v) for v in frame["region"]],
            "England": [show(item, v) for v in frame["england"]],
        }
    )


def ranking(
    table: pd.DataFrame,
    neighbours: pd.DataFrame,
    indicator_id: str,
    council: str,
    year: int,
    model: str | None,
) -> pd.DataFrame:
    """The council and its statistical neighbours in one year (value, symbol, rank of N)."""
    codes = council_and_neighbours(neighbours, council, model)
    rows = table[
        (table["indicator_id"] == indicator_id)
        & (table["year"] == year)
        & (table["area_code"].isin(codes))
    ]
    columns = ["area_code", "area_name", "value", "symbol", "rank", "rank_of"]
    # The children behind each figure, for "50 of 522" in tables and tooltips.
    columns += [c for c in ("numerator", "denominator") if c in rows.columns]
    return rows[columns].reset_index(drop=True)


def funnel_points(table: pd.DataFrame, indicator_id: str, year: int) -> pd.DataFrame:
    """Every council with a value and a denominator: the dots of a funnel plot."""
    rows = table[(table["indicator_id"] == indicator_id) & (table["year"] == year)]
    rows = rows[rows["denominator"].notna() & (rows["denominator"] > 0)]
    value = rows["value_precise"].fillna(rows["value"])
    return pd.DataFrame(
        {
            "area_code": rows["area_code"],
            "area_name": rows["area_name"],
            "value": value,
            "denominator": rows["denominator"],
            "funnel_flag": rows["funnel_flag"],
        }
    )[value.notna()].reset_index(drop=True)


def _year_to_show(years: list[int], year: int | None) -> int | None:
    """The one rule for which year a page shows: the one asked for if the council has
    it, else its latest before it, else its latest."""
    if not years:
        return None
    if year is not None and year in years:
        return int(year)
    eligible = [y for y in years if y <= year] if year is not None else years
    return int(max(eligible or years))


def latest_year(
    table: pd.DataFrame, indicator_id: str, council: str, year: int | None = None
) -> int | None:
    """The year to show: the one asked for if the council has it, else its latest."""
    # Only the years are taken (taking every column of the matching rows cost most of
    # each lookup). A page's many lookups of one council go through `CouncilFigures`.
    mine = (table["indicator_id"] == indicator_id) & (table["area_code"] == council)
    return _year_to_show([int(y) for y in table["year"][mine]], year)


def council_row(
    table: pd.DataFrame, indicator_id: str, council: str, year: int | None
) -> pd.Series | None:
    if year is None:
        return None
    found = np.flatnonzero(
        (
            (table["indicator_id"] == indicator_id)
            & (table["area_code"] == council)
            & (table["year"] == year)
        ).to_numpy(dtype=bool, na_value=False)
    )
    return table.iloc[int(found[0])] if len(found) else None  # the first, as it was


class CouncilFigures:
    """One council's rows of a comparison table, found by indicator and year at once.

    A page looks up the council's figure for each of its indicators several times (the
    sentence, the chart, the commentary's period, the scorecard row, the judgement).
    Filtering a table for each lookup cost about a millisecond (pandas compares Arrow
    strings and builds a Series each time), a scorecard a hundred of them; this reads
    the council's rows once and answers each lookup from a dictionary. It gives what
    `latest_year` and `council_row` give (tested), and its rows are shared: read them,
    never change them.
    """

    def __init__(self, table: pd.DataFrame, council: str) -> None:
        self.council = council
        self.rows = table[table["area_code"] == council]
        self._first: dict[tuple[str, int], int] = {}
        self._positions: dict[str, list[int]] = {}
        indicator_ids = self.rows["indicator_id"].to_numpy(dtype=object, na_value=None)
        years = self.rows["year"].to_numpy()
        for position, (indicator_id, year) in enumerate(zip(indicator_ids, years, strict=True)):
            if indicator_id is None:
                continue
            self._first.setdefault((indicator_id, int(year)), position)  # the first, as it was
            self._positions.setdefault(indicator_id, []).append(position)
        self._years = {
            indicator_id: [int(years[p]) for p in positions]
            for indicator_id, positions in self._positions.items()
        }
        self._row_at: dict[int, pd.Series] = {}
        self._year_at = [int(year) for year in years]
        self._values = self.rows["value"].to_numpy(dtype=float, na_value=np.nan)
        self._trends: dict[str, list[float]] = {}

    def latest_year(self, indicator_id: str, year: int | None = None) -> int | None:
        """The year to show: the one asked for if the council has it, else its latest."""
        return _year_to_show(self._years.get(indicator_id, []), year)

    def row(self, indicator_id: str, year: int | None) -> pd.Series | None:
        """The council's row for the indicator and year (None if it has none)."""
        if year is None:
            return None
        position = self._first.get((indicator_id, int(year)))
        if position is None:
            return None
        found = self._row_at.get(position)
        if found is None:
            found = self._row_at.setdefault(position, self.rows.iloc[position])
        return found

    def shown_row(self, indicator_id: str, year: int | None = None) -> pd.Series | None:
        """The row of the figure a page shows for the indicator (`latest_year`'s year)."""
        return self.row(indicator_id, self.latest_year(indicator_id, year))

    def indicator_rows(self, indicator_id: str) -> pd.DataFrame:
        """Every row of the council for one indicator, in the table's order."""
        return self.rows.iloc[self._positions.get(indicator_id, [])]

    def trend(self, indicator_id: str) -> list[float]:
        """`sparkline` of the indicator's rows, read from the council's figures held as
        an array: taking the rows as a frame and sorting them cost about 3 ms an
        indicator, two-thirds of a scorecard's first build (tests say they agree)."""
        found = self._trends.get(indicator_id)
        if found is None:
            positions = self._positions.get(indicator_id, [])
            oldest_first = sorted(positions, key=lambda p: self._year_at[p])  # stable
            found = [float(self._values[p]) for p in oldest_first if not np.isnan(self._values[p])]
            found = self._trends.setdefault(indicator_id, found)
        return list(found)


def indicator_groups(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Rows split by indicator, once: a page's lookups of one council's figures then
    filter a few rows each, not the council's few hundred (or the whole table)."""
    return {
        str(indicator_id): group
        for indicator_id, group in rows.groupby("indicator_id", sort=False, observed=True)
    }


def sparkline(rows: pd.DataFrame) -> list[float]:
    """One council's figures for one indicator, oldest first, the years without one left out."""
    ordered = rows.sort_values("year", kind="stable")["value"].astype(float)
    return [float(v) for v in ordered if pd.notna(v)]


def scorecard(
    table: pd.DataFrame,
    council: str,
    grouping: Grouping,
    year: int | None = None,
    theme_id: str | None = None,
    figures: CouncilFigures | None = None,
) -> pd.DataFrame:
    """Every indicator in one table, grouped by theme, with a sparkline of the trend.

    With ``theme_id``, only that theme's indicators (a line-of-enquiry page's summary).
    ``figures``: the council's rows of ``table`` already indexed, when the caller keeps them.
    """
    # Every lookup below is of the council's own rows: indexed once, not filtered per
    # lookup (a scorecard makes about 150 lookups).
    figures = figures or CouncilFigures(table, council)
    rows = []
    themes = [t for t in grouping.themes if theme_id is None or t.id == theme_id]
    for theme in themes:
        for indicator_id in theme.indicator_ids:
            item = indicator(indicator_id)
            row = figures.shown_row(indicator_id, year)
            base = {
                "Theme": theme.label,
                "Indicator": item.short_title,
                "indicator_id": indicator_id,
                "Year": period_label(row["time_period"]) if row is not None else "",
            }
            if row is None:
                rows.append(
                    {
                        **base,
                        "Latest": "no data",
                        "Previous": "",
                        "Direction": "",
                        NEIGHBOURS_COLUMN: "",
                        "Region": "",
                        "England": "",
                        RANK_COLUMN: NOT_RANKED,
                        "Band": NOT_RANKED,
                        "Trend": [],
                    }
                )
                continue
            # No figure to rank (suppressed, not published): "–", never an empty cell.
            rank = rank_of(row["rank"], row["rank_of"]) if pd.notna(row["rank"]) else NOT_RANKED
            rows.append(
                {
                    **base,
                    "Latest": show_with_count(
                        item, row["value"], row["symbol"], row["numerator"], row["denominator"]
                    ),
                    # The year before as published: its symbol's word if it had one.
                    "Previous": previous_shown(figures, item, row),
                    "Direction": _direction_shown(row, item),
                    NEIGHBOURS_COLUMN: show(item, row["sn_value"]),
                    "Region": show(item, row["region_value"]),
                    "England": show(item, row["england_value"]),
                    # Ranks and bands only where they mean something (the registry says).
                    RANK_COLUMN: rank if item.is_ranked else NOT_RANKED,
                    "Band": (band_flag(row["quartile_band"]) or NOT_RANKED)
                    if item.is_banded
                    else NOT_RANKED,
                    # The sparkline joins the years with a figure (gaps break the drawing).
                    "Trend": figures.trend(indicator_id),
                }
            )
    return pd.DataFrame(rows)


def _direction_shown(row: pd.Series, item: Indicator) -> str:
    """'▼ worsening (may be chance)': the arrow and word, and the change against chance."""
    arrow = direction_label(row["direction"], item.polarity)
    chance = change_chance_words(row, item)
    return f"{arrow} ({chance})" if chance else str(arrow)


def previous_shown(figures: CouncilFigures, item: Indicator, row: pd.Series) -> str:
    """The year before's figure, or its symbol's word ('suppressed'), never 'no data' for one."""
    if pd.notna(row["previous_value"]):
        return show(item, row["previous_value"])
    before = figures.row(item.id, int(row["previous_year"]))
    return show(item, None, before["symbol"]) if before is not None else show(item, None)


def share_breakdown(
    values: pd.DataFrame, indicator_ids: tuple[str, ...], council: str, year: int
) -> pd.DataFrame:
    """Council and England shares for a set of share indicators (e.g. placement types)."""
    rows = []
    for indicator_id in indicator_ids:
        item = indicator(indicator_id)
        cells = values[(values["indicator_id"] == indicator_id) & (values["year"] == year)]
        council_cell = cells[cells["area_code"] == council]
        england_cell = cells[cells["geographic_level"] == "National"]
        symbol = council_cell["symbol"].iloc[0] if len(council_cell) else None
        rows.append(
            {
                "category": item.short_title,
                "council_symbol": symbol if isinstance(symbol, str) else None,
                "council": float(council_cell["value"].iloc[0]) if len(council_cell) else math.nan,
                "england": float(england_cell["value"].iloc[0]) if len(england_cell) else math.nan,
            }
        )
    return pd.DataFrame(rows)


def indicators_of(grouping: Grouping, theme_id: str) -> tuple[Indicator, ...]:
    by_id = {item.id: item for item in catalogue()}
    return tuple(by_id[i] for i in grouping.theme(theme_id).indicator_ids)


def compare_rows(table: pd.DataFrame, indicator_id: str, councils: list[str]) -> pd.DataFrame:
    """The chosen councils' rows for one indicator, every year, oldest first."""
    rows = table[(table["indicator_id"] == indicator_id) & (table["area_code"].isin(councils))]
    return rows.assign(period_label=rows["time_period"].map(period_label)).sort_values(
        ["year", "area_name"]
    )


def compare_trend_table(rows: pd.DataFrame, item: Indicator) -> pd.DataFrame:
    """Years down, councils across, figures as the page shows them."""
    shown = rows.assign(figure=_figures_with_counts(rows, item))
    wide = shown.pivot_table(
        index=["year", "period_label"], columns="area_name", values="figure", aggfunc="first"
    )
    table = wide.reset_index().drop(columns=["year"]).rename(columns={"period_label": "Year"})
    table.columns.name = None
    if "england_value" in rows.columns and unit_kind(item.unit) != COUNT_KIND:
        # England's figure each year, as the chart draws it beside the councils.
        by_period = england_by_period(rows)
        table["England"] = [show(item, by_period.get(str(period))) for period in table["Year"]]
    return table


def england_by_period(rows: pd.DataFrame) -> dict[str, float]:
    """England's figure for each period label of ``compare_rows``' rows (the same in every
    council's row of a year); empty without an ``england_value`` column."""
    if "england_value" not in rows.columns:
        return {}
    known = rows.dropna(subset=["england_value"]).drop_duplicates("period_label")
    return dict(zip(known["period_label"].astype(str), known["england_value"], strict=True))


def _figures_with_counts(rows: pd.DataFrame, item: Indicator) -> list[str]:
    """Each row's figure as shown, with its children beside it where the row has them."""
    none = [None] * len(rows)
    return [
        show_with_count(item, v, s, n, d)
        for v, s, n, d in zip(
            rows["value"],
            rows["symbol"],
            rows["numerator"] if "numerator" in rows.columns else none,
            rows["denominator"] if "denominator" in rows.columns else none,
            strict=True,
        )
    ]


def ranking_table(rows: pd.DataFrame, item: Indicator) -> pd.DataFrame:
    """A ranking as a readable table: council, figure, rank of N, best first.

    Without polarity there is no rank (as in LAIT: "1 = best" means nothing for a
    count), so the table lists the councils highest first, as the chart does.
    """
    figures = _figures_with_counts(rows, item)
    if not item.is_ranked:
        order = rows["value"].reset_index(drop=True).sort_values(ascending=False, kind="stable")
        return (
            pd.DataFrame({"Council": list(rows["area_name"]), "Figure": figures})
            .reindex(order.index)
            .reset_index(drop=True)
        )
    # Best first, as the chart lists them; councils without a rank (no figure) last.
    order = (
        pd.DataFrame({"rank": pd.to_numeric(rows["rank"]), "name": rows["area_name"]})
        .reset_index(drop=True)
        .sort_values(["rank", "name"], na_position="last", kind="stable")
        .index
    )
    return (
        pd.DataFrame(
            {
                "Council": list(rows["area_name"]),
                "Figure": figures,
                "Rank (1 = best)": [
                    rank_words(r, n) if pd.notna(r) else ""
                    for r, n in zip(rows["rank"], rows["rank_of"], strict=True)
                ],
            }
        )
        .reindex(order)
        .reset_index(drop=True)
    )


def council_and_neighbours(neighbours: pd.DataFrame, council: str, model: str | None) -> list[str]:
    """The council followed by its statistical neighbours in rank order."""
    lists = neighbours[neighbours["old_la_code"] == council]
    if model:
        lists = lists[lists["model"].astype(str) == str(model)]
    return [council, *lists.sort_values("sn_rank")["neighbour_old_la_code"].tolist()]


def england_value(table: pd.DataFrame, indicator_id: str, year: int) -> float | None:
    rows = table[(table["indicator_id"] == indicator_id) & (table["year"] == year)]
    found = rows["england_value"].dropna()
    return float(found.iloc[0]) if len(found) else None


FUNNEL_WORDS = {
    "within": "within the range chance would explain around England",
    "above (95%)": "above the 95% limit: higher than England by more than chance would usually "
    "explain",
    "below (95%)": "below the 95% limit: lower than England by more than chance would usually "
    "explain",
    "well above (99.8%)": "above the 99.8% limit: higher than England, very unlikely to be chance",
    "well below (99.8%)": "below the 99.8% limit: lower than England, very unlikely to be chance",
}


# The funnel flag in a table cell: plain words, never a bare percentage level.
FUNNEL_SHORT = {
    "within": "within what chance would explain",
    "above (95%)": "higher, more than chance would usually explain",
    "below (95%)": "lower, more than chance would usually explain",
    "well above (99.8%)": "higher, far more than chance would explain",
    "well below (99.8%)": "lower, far more than chance would explain",
}


def funnel_sentence(
    points: pd.DataFrame, council: str, council_name: str, council_symbol: str | None = None
) -> str:
    """Where the council sits on the funnel plot, or why it is not on it (its symbol's words)."""
    flag = points.loc[points["area_code"] == council, "funnel_flag"]
    if flag.empty and isinstance(council_symbol, str) and council_symbol:
        return (
            f"{council_name}'s figure for this year is {symbol_sentence(council_symbol)}, "
            "so it is not in the funnel plot."
        )
    if flag.empty:
        return f"{council_name} has no published figure with a denominator for this year."
    words = FUNNEL_WORDS.get(flag.iloc[0] or "within", FUNNEL_WORDS["within"])
    return (
        f"**{council_name} is {words}.** Smaller councils sit further left, where chance "
        "alone moves figures more, so their limits are wider."
    )


def funnel_table(points: pd.DataFrame, item: Indicator) -> pd.DataFrame:
    return (
        pd.DataFrame(
            {
                "Council": points["area_name"],
                "Figure": [show(item, v) for v in points["value"]],
                f"Number of {item.counts} it is out of": points["denominator"].map(
                    lambda v: f"{v:,.0f}"
                ),
                "Against England, allowing for chance": [
                    FUNNEL_SHORT.get(flag, "") for flag in points["funnel_flag"]
                ],
            }
        )
        .sort_values("Council")
        .reset_index(drop=True)
    )


def breakdown_table(frame: pd.DataFrame, council_name: str) -> pd.DataFrame:
    """A share breakdown as a table, with symbols in words (never a blank for 'suppressed')."""
    council = [
        symbol_word(s) if isinstance(s, str) else ("no data" if pd.isna(v) else f"{v:.0f}%")
        for v, s in zip(frame["council"], frame["council_symbol"], strict=True)
    ]
    england = ["no data" if pd.isna(v) else f"{v:.0f}%" for v in frame["england"]]
    return pd.DataFrame({"Placement": frame["category"], council_name: council, "England": england})


def headline_tiles(
    table: pd.DataFrame,
    council: str,
    ids: tuple[str, ...],
    year: int | None = None,
    figures: CouncilFigures | None = None,
) -> list[dict[str, object]]:
    """The At a glance tiles: latest figure, change in words, neighbours and England.

    Each tile uses the chosen year when the council has it, else its latest
    year with a figure (a dataset DfE has not yet updated still shows). The
    change reads like "+2 since 2024 · up" or "-3 points since 2024 ·
    improving": a number, then a word, so nothing depends on the arrow's colour.
    The caption gives the year and the children behind the figure ("2025: 50 of
    522"), similar councils and England, then whether the change may be chance.
    """
    tiles = []
    figures = figures or CouncilFigures(table, council)
    for indicator_id in ids:
        item = indicator(indicator_id)
        row = figures.shown_row(indicator_id, year)
        tile: dict[str, object] = {
            "id": indicator_id,
            "label": item.title,
            "short_label": item.short_title,
            "polarity": item.polarity,
            "year": period_label(row["time_period"]) if row is not None else None,
            "value": "no data",
            "change": None,
            "direction": None,
            "neighbours": None,
            "england": None,
            "caption": "",
            # The children behind the figure ('50 of 522'), where that is safe to show.
            "count": "",
            # The change against chance: 'change may be chance' (also in the caption).
            "chance": "",
            # The symbol's sentence, for the tile's help text ("Not available.").
            "note": "",
        }
        if row is None:
            latest_england = table[table["indicator_id"] == indicator_id]["year"].max()
            if pd.notna(latest_england):
                england = england_value(table, indicator_id, int(latest_england))
                tile["england"] = show(item, england)
                tile["year"] = str(int(latest_england))
            tile["caption"] = "Not in the data loaded for this council" + (
                f" · England {tile['england']} ({tile['year']})" if tile["england"] else ""
            )
            tiles.append(tile)
            continue
        tile["value"] = show(item, row["value"], row["symbol"])
        if isinstance(row["symbol"], str) and row["symbol"]:
            tile["note"] = first_capital(symbol_sentence(row["symbol"])) + "."
        else:
            tile["count"] = n_of_N(row["numerator"], row["denominator"], item.unit, item.counts)
            if small_base(row, item):
                size = base_size(row, item)
                tile["note"] = f"Based on {size}: too few to tell a real difference from chance."
        tile["neighbours"] = show(item, row["sn_value"]) if pd.notna(row["sn_value"]) else None
        tile["england"] = show(item, row["england_value"])
        tile["direction"] = row["direction"] if isinstance(row["direction"], str) else None
        if pd.notna(row["value"]) and pd.notna(row["previous_value"]):
            change = float(row["value"]) - float(row["previous_value"])
            rounded = round(change, item.decimals)
            number = f"{rounded:+,.{item.decimals}f}" if rounded else "no change"
            if rounded and item.is_share:
                number += f" {points_word(rounded)}"
            previous = _previous_period_label(str(row["time_period"]), int(row["previous_year"]))
            words = tile["direction"] if tile["direction"] not in (None, "no change") else ""
            tile["change"] = " · ".join(
                part for part in (f"{number} since {previous}", words) if part
            )
            # Beside the change, not in it: a tile's change line is cut short when long.
            chance = change_chance_words(row, item)
            tile["chance"] = f"change {chance}" if chance else ""
        year_and_count = f"{tile['year']}: {tile['count']}" if tile["count"] else f"{tile['year']}"
        # A council's count beside England's total tells a reader nothing (as the charts).
        comparators = [year_and_count]
        if item.kind != COUNT_KIND:
            comparators.append(f"England {tile['england']}")
        if tile["neighbours"]:
            comparators.insert(1, f"{NEIGHBOURS_SHORT} {tile['neighbours']}")
        if tile.get("chance"):
            comparators.append(str(tile["chance"]))
        tile["caption"] = " · ".join(comparators)
        tiles.append(tile)
    return tiles


def _previous_period_label(time_period: str, previous_year: int) -> str:
    """The year before, in the same form: '2024' or, for academic years, '2023/24'."""
    if len(time_period) == 6 and time_period.isdigit():
        return f"{previous_year - 1}/{previous_year % 100:02d}"
    return str(previous_year)


def missing_figure_note(table: pd.DataFrame, item: Indicator, council_name: str) -> str:
    """What to tell a reader when the council has no figure: where it comes from, and England's."""
    note = f"No figure for {council_name} is loaded. It comes from {item.source_note}"
    years = table.loc[table["indicator_id"] == item.id, "year"]
    if not years.empty:
        year = int(years.max())
        england = england_value(table, item.id, year)
        if england is not None:
            note += f" England's figure for {year} is {show(item, england)}."
    return note
