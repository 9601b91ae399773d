"""Tables as numbers for a spreadsheet: what the CSV and Excel downloads hold.

Why: a page's tables are written for reading ('50 of 522 (10%)', '58 of 151',
'▼ worsening'), and an analyst who downloaded one got those words, which a
spreadsheet cannot add up or chart. Each table here holds the same figures as the
page shows them, one number to a cell: the figure exactly as shown (67% is 67, 13.9
is 13.9), the children behind it, the comparisons, the rank and the band, with the
word for a figure that is not a number ('suppressed', 'not available', 'no data') in
a note column beside it.

The privacy rule holds as on the page (``formatting.counts_shown``, the same rule as
``n_of_N``): no count of children from 1 to 5 is written, nor the children counted
beside a percentage when those not counted would be 1 to 5, nor any count beside a
figure shown as a word (DfE may publish the counts of a percentage it withholds);
those cells are empty. The figures themselves are DfE's as published, as on the page.
"""

from __future__ import annotations

import pandas as pd

from domain.units import UNITS, is_share_unit
from domain.wording import BAND_MEANINGS, NEIGHBOURS_AVERAGE_HEADING, NEIGHBOURS_COLUMN
from indicators.catalogue import Indicator, indicator
from indicators.formatting import counts_shown, number_shown, period_label, whole_count
from indicators.narrative import change_chance_words
from indicators.views import (
    FALL,
    LEVEL,
    RISE,
    CouncilFigures,
    direction_label,
    previous_shown,
    show,
)

RANK_HEADING = "Rank (1 = best)"
RANKED_HEADING = "Councils ranked"
NOTE = "note"


def unit_words(item: Indicator) -> str:
    """The unit as a column says it: 'Percentage', 'Rate per 10,000 children'."""
    found = UNITS.get(item.unit)
    return found.axis_title if found is not None else item.unit


def _has_counts(item: Indicator) -> tuple[bool, bool]:
    """Whether the indicator's figures have children counted (a rate or share: its unit
    has a scale, as ``counts_shown`` asks), and out of how many (a share)."""
    found = UNITS.get(item.unit)
    has_counted = found is not None and found.scale is not None
    return has_counted, has_counted and is_share_unit(item.unit)


def _numbers(values: list[float | None], decimals: int) -> pd.Series:
    """Whole numbers as whole numbers ('10', not '10.0'), empty where None."""
    series = pd.Series(values, dtype="float64")
    return series.astype("Int64") if decimals == 0 else series


def _counts(values: list[int | None]) -> pd.Series:
    return pd.Series(values, dtype="Int64")


MOVED = {RISE: "rose", FALL: "fell", LEVEL: "no change"}


def _change(row: pd.Series | None, item: Indicator) -> dict[str, str]:
    """The page's direction cell ('▲ worsening (may be chance)') in three columns a
    spreadsheet can filter: which way the figure moved, whether that is better or worse
    (or only up or down), and whether the change is larger than chance would explain."""
    if row is None:
        return {"Moved": "", "Direction": "", "Change against chance": ""}
    arrow, _, word = direction_label(row["direction"], item.polarity).partition(" ")
    return {
        "Moved": MOVED.get(arrow, ""),
        "Direction": word,
        "Change against chance": change_chance_words(row, item),
    }


def _counts_beside(
    item: Indicator, value: object, symbol: object, numerator: object, denominator: object
) -> tuple[int | None, int | None]:
    """The children behind a figure, only where the figure is a number, as the page shows
    them (``figure_with_count``): beside 'suppressed' or 'less than 0.5' they could give
    back what DfE withheld."""
    if number_shown(value, symbol, item.decimals) is None:
        return None, None
    return counts_shown(numerator, denominator, item.unit)


def _note(item: Indicator, value: object, symbol: object) -> str:
    """'' for a number; else the word the page shows ('suppressed', 'no data')."""
    return (
        "" if number_shown(value, symbol, item.decimals) is not None else show(item, value, symbol)
    )


def figure_columns(
    item: Indicator,
    name: str,
    values: list[object],
    symbols: list[object],
    numerators: list[object],
    denominators: list[object],
    counted_heading: str | None = None,
) -> dict[str, pd.Series | list]:
    """A figure's columns: the number as shown, the children behind it (where the unit
    has them and they may be shown) and the note. ``counted_heading`` names the column
    of those counted (default: '<name>: children counted', in the indicator's words)."""
    columns: dict[str, pd.Series | list] = {
        name: _numbers(
            [number_shown(v, s, item.decimals) for v, s in zip(values, symbols, strict=True)],
            item.decimals,
        )
    }
    has_counted, has_whole = _has_counts(item)
    counted = [
        _counts_beside(item, v, s, n, d)
        for v, s, n, d in zip(values, symbols, numerators, denominators, strict=True)
    ]
    if has_counted:
        heading = counted_heading or f"{name}: {item.counts} counted"
        columns[heading] = _counts([part for part, _ in counted])
    if has_whole:
        columns[f"{name}: out of"] = _counts([whole for _, whole in counted])
    columns[f"{name}: {NOTE}"] = [_note(item, v, s) for v, s in zip(values, symbols, strict=True)]
    return columns


def _column(frame: pd.DataFrame, name: str) -> list[object]:
    return list(frame[name]) if name in frame.columns else [None] * len(frame)


def trend_download(frame: pd.DataFrame, item: Indicator, council_name: str) -> pd.DataFrame:
    """``views.trend``'s rows as numbers: a year a row, the council's figure with its
    children and note, then the similar councils' average, the region and England."""
    comparisons = {
        NEIGHBOURS_AVERAGE_HEADING: "neighbours",
        "Region": "region",
        "England": "england",
    }
    return pd.DataFrame(
        {
            "Indicator": [item.short_title] * len(frame),
            "Unit": [unit_words(item)] * len(frame),
            "Year": list(frame["period_label"]),
            **figure_columns(
                item,
                council_name,
                list(frame["council"]),
                _column(frame, "council_symbol"),
                _column(frame, "council_numerator"),
                _column(frame, "council_denominator"),
            ),
            **{
                heading: _numbers(
                    [number_shown(v, None, item.decimals) for v in frame[column]], item.decimals
                )
                for heading, column in comparisons.items()
            },
        }
    )


def compare_trend_download(rows: pd.DataFrame, item: Indicator) -> pd.DataFrame:
    """``views.compare_rows`` as numbers, a council and year a row (councils as the
    table lists them across, years oldest first): long, as a spreadsheet filters it."""
    ordered = rows.sort_values(["area_name", "year"], kind="stable").reset_index(drop=True)
    return _councils_table(ordered, item, {"Year": list(ordered["period_label"])})


def _councils_table(
    rows: pd.DataFrame, item: Indicator, before_figure: dict[str, list] | None = None
) -> pd.DataFrame:
    """A council a row: its name, the indicator and unit, any columns given, then the
    figure's columns (``figure_columns``)."""
    return pd.DataFrame(
        {
            "Council": list(rows["area_name"]),
            "Indicator": [item.short_title] * len(rows),
            "Unit": [unit_words(item)] * len(rows),
            **(before_figure or {}),
            **figure_columns(
                item,
                "Figure",
                list(rows["value"]),
                list(rows["symbol"]),
                _column(rows, "numerator"),
                _column(rows, "denominator"),
            ),
        }
    )


def ranking_download(rows: pd.DataFrame, item: Indicator, period: str = "") -> pd.DataFrame:
    """``views.ranking``'s councils as numbers, in the order ``views.ranking_table`` lists
    them (best first; highest first where nothing is ranked), with the year (``period``,
    as the chart's title gives it) in each row."""
    if item.is_ranked:
        order = (
            pd.DataFrame({"rank": pd.to_numeric(rows["rank"]), "name": rows["area_name"]})
            .reset_index(drop=True)
            .sort_values(["rank", "name"], na_position="last", kind="stable")
            .index
        )
    else:
        order = (
            rows["value"].reset_index(drop=True).sort_values(ascending=False, kind="stable").index
        )
    rows = rows.reset_index(drop=True).reindex(order).reset_index(drop=True)
    table = _councils_table(rows, item, {"Year": [period] * len(rows)})
    if item.is_ranked:
        table[RANK_HEADING] = _counts([whole_count(r) for r in rows["rank"]])
        table[RANKED_HEADING] = _counts(
            [
                whole_count(n) if whole_count(r) is not None else None
                for r, n in zip(rows["rank"], rows["rank_of"], strict=True)
            ]
        )
    return table


SCORECARD_COLUMNS = (
    "Council",
    "Council code",
    "Theme",
    "Indicator",
    "Indicator id",
    "Unit",
    "Year",
    "Latest",
    "Counted",
    "Out of",
    "Latest: note",
    "Previous",
    "Previous: note",
    "Moved",
    "Direction",
    "Change against chance",
    NEIGHBOURS_COLUMN,
    "Region",
    "England",
    RANK_HEADING,
    RANKED_HEADING,
    "Band",
)


def scorecard_download(
    shown: pd.DataFrame, figures: CouncilFigures, year: int | None, council_name: str = ""
) -> pd.DataFrame:
    """The Scorecard's rows as listed (``shown``: its themes, filter and order, with
    ``indicator_id``) as numbers: each indicator's latest figure with its children and
    note, the year before, the direction in words, the comparisons, the rank and band.

    Each row names the council (name and code) and the indicator's catalogue id: files
    for several councils can be put together, and an indicator listed under two lines
    of enquiry (as the page lists it, once under each) is told apart by its id."""
    records = []
    for theme, indicator_id in zip(shown["Theme"], shown["indicator_id"], strict=True):
        item = indicator(indicator_id)
        row = figures.shown_row(indicator_id, year)
        get = ({} if row is None else row.to_dict()).get
        counted, whole = _counts_beside(
            item, get("value"), get("symbol"), get("numerator"), get("denominator")
        )
        previous = as_shown(get("previous_value"), None, item)
        ranked = item.is_ranked and whole_count(get("rank")) is not None
        records.append(
            {
                "Council": council_name,
                "Council code": figures.council,
                "Theme": theme,
                "Indicator": item.short_title,
                "Indicator id": indicator_id,
                "Unit": unit_words(item),
                "Year": "" if row is None else period_label(row["time_period"]),
                "Latest": as_shown(get("value"), get("symbol"), item),
                "Counted": counted,
                "Out of": whole,
                "Latest: note": _note(item, get("value"), get("symbol")),
                "Previous": previous,
                # The year before's word where it was not a number ('suppressed').
                "Previous: note": ""
                if row is None or previous is not None
                else previous_shown(figures, item, row),
                **_change(row, item),
                NEIGHBOURS_COLUMN: as_shown(get("sn_value"), None, item),
                "Region": as_shown(get("region_value"), None, item),
                "England": as_shown(get("england_value"), None, item),
                RANK_HEADING: whole_count(get("rank")) if ranked else None,
                RANKED_HEADING: whole_count(get("rank_of")) if ranked else None,
                "Band": _band(get("quartile_band")) if item.is_banded else "",
            }
        )
    if not records:
        return pd.DataFrame(columns=SCORECARD_COLUMNS)
    # Each column as built: a column of several indicators' figures keeps 67 a whole
    # number beside 13.9 (pandas would make every cell a float, 67.0).
    return pd.DataFrame(
        {
            column: pd.Series([record[column] for record in records], dtype=object)
            for column in SCORECARD_COLUMNS
        }
    )


def as_shown(value: object, symbol: object, item: Indicator) -> int | float | None:
    """One figure as the page shows it, a whole number where it has no decimals (a
    column of several indicators mixes 67 and 13.9)."""
    number = number_shown(value, symbol, item.decimals)
    return int(number) if number is not None and item.decimals == 0 else number


def _band(band: object) -> str:
    """The quartile band's letter (A best), or '' where there is none."""
    return band if isinstance(band, str) and band in BAND_MEANINGS else ""
