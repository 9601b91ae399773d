"""Plain-English sentences a councillor can read aloud, and a summary of strengths and concerns.

Every sentence says the figure, the year, which way it moved, and how it
compares with similar councils and England, in words ("better than", "worse
than") rather than colour. Nothing here needs statistics to understand.
"""

from __future__ import annotations

import math

import pandas as pd

from domain.units import COUNT_KIND, HIGHER_IS_BETTER, LOWER_IS_BETTER
from indicators.catalogue import Indicator
from indicators.formatting import format_value, period_label, symbol_sentence

DIRECTION_WORDS = {
    "improving": "an improvement on",
    "worsening": "worse than",
    "no change": "the same as",
    "up": "up from",
    "down": "down from",
}


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _figure(value: object, item: Indicator) -> str:
    return format_value(None if _missing(value) else float(value), None, item.unit, item.decimals)


def _compare_word(value: float, other: float, item: Indicator) -> str:
    """'better than' / 'worse than' / 'higher than' / 'lower than' / 'the same as'."""
    mine, theirs = round(value, item.decimals), round(other, item.decimals)
    if mine == theirs:
        return "the same as"
    higher = mine > theirs
    if item.polarity == HIGHER_IS_BETTER:
        return "better than" if higher else "worse than"
    if item.polarity == LOWER_IS_BETTER:
        return "worse than" if higher else "better than"
    return "higher than" if higher else "lower than"


def sentence(row: pd.Series | dict, item: Indicator, council_name: str) -> str:
    """One sentence for one indicator, council and year."""
    year = period_label(row.get("time_period") or int(row["year"]))
    symbol = row.get("symbol")
    if not _missing(symbol) and symbol:
        # The symbol table's sentence: only 'c' speaks of children's privacy.
        reason = symbol_sentence(str(symbol))
        return f"{item.short_title}: {council_name}'s figure for {year} is {reason}."
    value = float(row["value"])
    text = f"{item.short_title}: {_figure(value, item)} in {council_name} in {year}"
    previous = row.get("previous_value")
    direction = row.get("direction", "not comparable")
    if direction in DIRECTION_WORDS and not _missing(previous):
        text += f", {DIRECTION_WORDS[direction]} {_figure(previous, item)} the year before"
    text += "."
    sn_value, sn_count = row.get("sn_value"), row.get("sn_count", 0)
    england = row.get("england_value")
    if item.kind == COUNT_KIND:
        # A council's count is not comparable with England's total: give context only.
        if not _missing(sn_value) and sn_count:
            text += (
                f" Similar councils averaged {_figure(sn_value, item)} ({int(sn_count)} with data)."
            )
        return text
    comparisons = []
    if not _missing(sn_value) and sn_count:
        comparisons.append(
            f"{_compare_word(value, float(sn_value), item)} similar councils "
            f"({_figure(sn_value, item)}, average of {int(sn_count)})"
        )
    if not _missing(england):
        comparisons.append(
            f"{_compare_word(value, float(england), item)} England ({_figure(england, item)})"
        )
    if comparisons:
        text += " That is " + " and ".join(comparisons) + "."
    return text


SEVERITY = {
    "well above (99.8%)": 3,
    "well below (99.8%)": 3,
    "above (95%)": 2,
    "below (95%)": 2,
}


def _judgement(row: pd.Series, item: Indicator) -> tuple[str, int] | None:
    """('strength' | 'concern', weight) for an indicator with polarity, else None."""
    if not item.has_polarity or _missing(row.get("value")) or _missing(row.get("england_value")):
        return None
    word = _compare_word(float(row["value"]), float(row["england_value"]), item)
    weight = SEVERITY.get(row.get("funnel_flag") or "", 0)
    band = row.get("quartile_band")
    if band in ("A", "D"):
        weight += 1
    if weight == 0:
        return None
    if word == "better than" and (band == "A" or weight >= 2):
        return ("strength", weight)
    if word == "worse than" and (band == "D" or weight >= 2):
        return ("concern", weight)
    return None


def strengths_and_concerns(
    rows: pd.DataFrame, indicators: dict[str, Indicator], council_name: str, limit: int = 3
) -> dict[str, list[str]]:
    """The biggest strengths and concerns for one council and year, as sentences.

    A strength is better than England and either in the best quarter of councils
    or beyond the funnel limits; a concern is the reverse. Those beyond the 99.8 %
    limits come first, so chance differences in small councils are not headlined.
    """
    found: dict[str, list[tuple[int, str]]] = {"strength": [], "concern": []}
    for _, row in rows.iterrows():
        item = indicators.get(row["indicator_id"])
        if item is None:
            continue
        judged = _judgement(row, item)
        if judged:
            kind, weight = judged
            found[kind].append((weight, sentence(row, item, council_name)))
    return {
        f"{kind}s": [text for _, text in sorted(items, key=lambda x: -x[0])[:limit]]
        for kind, items in found.items()
    }
