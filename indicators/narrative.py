"""Plain-English sentences a councillor can read aloud, and a summary of strengths and concerns.

Every sentence says the figure and the children behind it ("100% (9 of 9)"), the
year, which way it moved since last year and over the last three to five years,
and how it compares with similar councils and England, in words ("better than",
"worse than") rather than colour. Because a panel acts on these words, each
change and each difference from England also says whether it is larger than
chance would explain (indicators/significance.py), and a figure built on so few
children that chance cannot be told apart says so instead of being judged.
A number of children small enough to identify a child is never written.

`sentence_parts` gives the sentences separately (a slide's heading can take the
first); `sentence` joins them. `strengths_and_concerns` lists every strength and
every concern, never hides a worsening strength, and names the figures too
small to judge.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from domain.units import COUNT_KIND, HIGHER_IS_BETTER, LOWER_IS_BETTER
from indicators import significance
from indicators.catalogue import Indicator
from indicators.compare import direction as direction_between
from indicators.formatting import (
    base_words,
    format_value,
    n_of_N,
    period_label,
    symbol_sentence,
)
from indicators.protection import small_count_threshold

DIRECTION_WORDS = {
    "improving": "an improvement on",
    "worsening": "worse than",
    "no change": "the same as",
    "up": "up from",
    "down": "down from",
}
# The longer view, completing "Over 5 years it has ...".
LONGER_WORDS = {
    "improving": "improved",
    "worsening": "worsened",
    "no change": "stayed the same",
    "up": "risen",
    "down": "fallen",
}
# A change's or difference's size against chance, completing "... a change ...".
CHANGE_CHANCE = {
    significance.WITHIN_CHANCE: "small enough that it may be chance",
    significance.BEYOND_95: "larger than chance would usually explain",
    significance.BEYOND_998: "far larger than chance would explain",
}
TOO_FEW = "too few to tell a real difference from chance"


def _missing(value: object) -> bool:
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(float(value))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _get(row: pd.Series | dict, key: str) -> object:
    value = row.get(key)
    return None if _missing(value) else value


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


def _year_label(row: pd.Series | dict, year: object) -> str:
    """Another year in the row's own form: '2020', or '2019/20' for academic years."""
    text = str(row.get("time_period") or "")
    number = int(float(year))  # type: ignore[arg-type]
    if len(text) == 6 and text.isdigit():
        return f"{number - 1}/{number % 100:02d}"
    return str(number)


def small_base(row: pd.Series | dict, item: Indicator) -> bool:
    """Whether the figure rests on too few children to tell a difference from chance."""
    if not item.counts_people:
        return False
    enough = significance.enough_for_england_test(
        _get(row, "england_value"), _get(row, "denominator"), item.unit
    )
    return enough is False


def base_size(row: pd.Series | dict, item: Indicator) -> str:
    """What a figure rests on, in words: '9 children (one child is 11 points)'.

    A percentage gives its base; a rate the children counted ('12 children'), or,
    when that is a small number, 'fewer than 6 children'.
    """
    numerator, denominator = _get(row, "numerator"), _get(row, "denominator")
    words = base_words(numerator, denominator, item.unit, item.counts)
    if words:
        return words
    count = n_of_N(numerator, denominator, item.unit, item.counts)
    return count or f"fewer than {small_count_threshold()} {item.counts}"


def _figure_clause(row: pd.Series | dict, item: Indicator, value: float) -> str:
    """'100% (9 of 9)': the figure, with the children behind it where that is safe."""
    count = n_of_N(_get(row, "numerator"), _get(row, "denominator"), item.unit, item.counts)
    return f"{_figure(value, item)} ({count})" if count else _figure(value, item)


def _level(row: pd.Series | dict, item: Indicator, before: str) -> str | None:
    """A change against chance: from the year before ('previous') or the longer view ('earlier')."""
    return significance.change_level(
        _get(row, "numerator"),
        _get(row, "denominator"),
        _get(row, f"{before}_numerator"),
        _get(row, f"{before}_denominator"),
        item.unit,
    )


def _inline(found: str | None) -> str:
    """Words for a change beyond chance, said where the change is; '' for one within chance."""
    if found in (significance.BEYOND_95, significance.BEYOND_998):
        return f"a change {CHANGE_CHANCE[found]}"
    return ""


def _change_clause(row: pd.Series | dict, item: Indicator, judged: bool) -> tuple[str, str | None]:
    """(', worse than 10% the year before', the change's level against chance)."""
    previous = _get(row, "previous_value")
    direction = row.get("direction", "not comparable")
    before = _get(row, "previous_symbol")
    if previous is None and isinstance(before, str) and before:
        # Say why there is no change to give: the year before's symbol in words.
        return f" (the year before's figure is {symbol_sentence(before)})", None
    if direction not in DIRECTION_WORDS or previous is None:
        return "", None
    text = f", {DIRECTION_WORDS[direction]} {_figure(previous, item)} the year before"
    if direction == "no change" or not judged:
        return text, None
    found = _level(row, item, "previous")
    words = _inline(found)
    return (f"{text} ({words})" if words else text), found


def _span(row: pd.Series | dict) -> str:
    """How many years back the longer view goes ('5'); '' without one."""
    earlier_year, year = _get(row, "earlier_year"), _get(row, "year")
    if earlier_year is None or year is None:
        return ""
    return str(int(float(year)) - int(float(earlier_year)))  # type: ignore[arg-type]


def _longer_view(
    row: pd.Series | dict, item: Indicator, value: float, judged: bool
) -> tuple[str, str | None]:
    """('Over 5 years it has improved (from 64% in 2020).', the change's level against chance)."""
    earlier, earlier_year = _get(row, "earlier_value"), _get(row, "earlier_year")
    year = _get(row, "year")
    if earlier is None or earlier_year is None or year is None:
        return "", None
    moved = direction_between(value, float(earlier), item.decimals, item.polarity)  # type: ignore[arg-type]
    if moved not in LONGER_WORDS:
        return "", None
    text = (
        f"Over {_span(row)} years it has {LONGER_WORDS[moved]} "
        f"(from {_figure(earlier, item)} in {_year_label(row, earlier_year)})"
    )
    if not judged or moved == "no change":
        return text + ".", None
    found = _level(row, item, "earlier")
    words = _inline(found)
    return (f"{text}, {words}." if words else f"{text}."), found


def _within_chance(change_level: str | None, longer_level: str | None, span: str) -> str:
    """One sentence for the changes chance may explain: 'Neither change is larger than ...'."""
    within = significance.WITHIN_CHANCE
    if change_level == within and longer_level == within:
        return "Neither change is larger than chance would explain."
    if change_level == within:
        return "The change since the year before is small enough that it may be chance."
    if longer_level == within:
        return f"The change over {span} years is small enough that it may be chance."
    return ""


def _comparisons(row: pd.Series | dict, item: Indicator, value: float, judged: bool) -> str:
    sn_value, sn_count = _get(row, "sn_value"), _get(row, "sn_count") or 0
    england = _get(row, "england_value")
    neighbours = ""
    if sn_value is not None and sn_count:
        neighbours = (
            f"similar councils ({_figure(sn_value, item)}, the average of the "
            f"{int(float(sn_count))} DfE statistical neighbours with a figure)"  # type: ignore[arg-type]
        )
    if item.kind == COUNT_KIND:
        # A council's count is not comparable with England's total: give context only.
        if not neighbours:
            return ""
        return (
            f"Similar councils had {_figure(sn_value, item)} on average (the "
            f"{int(float(sn_count))} DfE statistical neighbours with a figure)."  # type: ignore[arg-type]
        )
    comparisons = []
    if neighbours:
        comparisons.append(f"{_compare_word(value, float(sn_value), item)} {neighbours}")  # type: ignore[arg-type]
    if england is not None:
        comparisons.append(
            f"{_compare_word(value, float(england), item)} England ({_figure(england, item)})"  # type: ignore[arg-type]
        )
    if not comparisons:
        return ""
    text = "That is " + " and ".join(comparisons)
    found = significance.england_level(
        row.get("funnel_flag"), england, _get(row, "denominator"), item.unit
    )
    if judged and england is not None and found in CHANGE_CHANCE:
        same = round(value, item.decimals) == round(float(england), item.decimals)  # type: ignore[arg-type]
        if not same:
            text += f"; the difference from England is {CHANGE_CHANCE[found]}"
    return text + "."


def sentence_parts(row: pd.Series | dict, item: Indicator, council_name: str) -> list[str]:
    """The sentences for one indicator, council and year, first the figure and its change."""
    year = period_label(row.get("time_period") or int(row["year"]))
    symbol = row.get("symbol")
    if not _missing(symbol) and symbol:
        # The symbol table's sentence: only 'c' speaks of children's privacy.
        reason = symbol_sentence(str(symbol))
        return [f"{item.short_title}: {council_name}'s figure for {year} is {reason}."]
    value = float(row["value"])
    # Chance is judged only for counts of people with enough of them (not school sessions).
    small = small_base(row, item)
    judged = item.counts_people and not small
    change, change_level = _change_clause(row, item, judged)
    longer, longer_level = _longer_view(row, item, value, judged)
    first = (
        f"{item.short_title}: {_figure_clause(row, item, value)} in {council_name} in {year}"
        f"{change}."
    )
    parts = [
        first,
        longer,
        _within_chance(change_level, longer_level, _span(row)),
        _comparisons(row, item, value, judged),
    ]
    if small:
        size = base_size(row, item)
        parts.append(f"Based on {size}: {TOO_FEW}.")
    return [part for part in parts if part]


def sentence(row: pd.Series | dict, item: Indicator, council_name: str) -> str:
    """One indicator, council and year in a few plain sentences (sentence_parts joined)."""
    return " ".join(sentence_parts(row, item, council_name))


SEVERITY = {
    "well above (99.8%)": 3,
    "well below (99.8%)": 3,
    "above (95%)": 2,
    "below (95%)": 2,
}
WORSENING_STRENGTH = "Better than England, but worse than the year before."
WORSENING_STRENGTH_LONGER = "Better than England, but worse than a few years ago."


def _judgement(row: pd.Series | dict, item: Indicator) -> tuple[str, int] | None:
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


def _worsening_note(row: pd.Series | dict, item: Indicator) -> str:
    """What to add to a strength that is getting worse; '' when it is not."""
    if row.get("direction") == "worsening":
        return WORSENING_STRENGTH
    earlier = _get(row, "earlier_value")
    if earlier is not None and not _missing(row.get("value")):
        moved = direction_between(
            float(row["value"]),
            float(earlier),  # type: ignore[arg-type]
            item.decimals,
            item.polarity,
        )
        if moved == "worsening":
            return WORSENING_STRENGTH_LONGER
    return ""


IMPROVING_CONCERN = "Worse than England, but better than the year before."


@dataclass(frozen=True)
class Judgement:
    """One indicator judged a strength or a concern, with what qualifies it."""

    indicator_id: str
    kind: str  # "strength" or "concern"
    weight: int  # larger is further from England (funnel limits, best or worst quarter)
    caveat: str  # a strength getting worse, or a concern getting better, says so; else ""


def judgements(
    rows: pd.DataFrame,
    indicators: dict[str, Indicator],
    indicator_ids: Iterable[str] | None = None,
) -> tuple[list[Judgement], list[str]]:
    """Every strength and concern among `rows` (biggest first, then in row order), and
    the ids of the figures on too few children to judge.

    A strength is better than England and either in the best quarter of councils
    or beyond the funnel limits; a concern is the reverse. A figure on too few
    children to tell from chance is neither. ``indicator_ids`` limits the judgement
    to those indicators (a meeting pack's).
    """
    wanted = None if indicator_ids is None else set(indicator_ids)
    found: list[tuple[int, Judgement]] = []
    too_small: list[str] = []
    # Rows as dictionaries: a pandas row read cell by cell cost most of a council's judgement.
    for position, row in enumerate(rows.to_dict("records")):
        item = indicators.get(row["indicator_id"])
        if item is None or (wanted is not None and item.id not in wanted):
            continue
        judged = _judgement(row, item)
        if not judged:
            continue
        if small_base(row, item):
            too_small.append(item.id)
            continue
        kind, weight = judged
        if kind == "strength":
            caveat = _worsening_note(row, item)
        else:
            caveat = IMPROVING_CONCERN if row.get("direction") == "improving" else ""
        found.append((position, Judgement(item.id, kind, weight, caveat)))
    found.sort(key=lambda pair: (-pair[1].weight, pair[0]))
    return [judgement for _, judgement in found], too_small


def strengths_and_concerns(
    rows: pd.DataFrame,
    indicators: dict[str, Indicator],
    council_name: str,
    limit: int | None = None,
    indicator_ids: Iterable[str] | None = None,
) -> dict[str, list[str]]:
    """Every strength and concern for one council and year, as sentences, biggest first.

    The judgement is `judgements`; each is the indicator's sentence, and a strength
    that got worse since last year (or over the longer view), or a concern that got
    better, says so. A figure on too few children to tell from chance is named under
    ``too_small`` instead. ``limit`` cuts each list; a caller that cuts must say how
    many there are (``len`` of the uncut list).
    """
    judged, too_small = judgements(rows, indicators, indicator_ids)
    rows_by_id = {row["indicator_id"]: row for row in rows.to_dict("records")}
    summary: dict[str, list[str]] = {"strengths": [], "concerns": []}
    for judgement in judged:
        item = indicators[judgement.indicator_id]
        text = sentence(rows_by_id[judgement.indicator_id], item, council_name)
        # The caveat first: a reader who stops at the heading must not take a fall for a
        # strength (or miss that a concern is improving).
        summary[f"{judgement.kind}s"].append(" ".join(p for p in (judgement.caveat, text) if p))
    summary = {kind: texts[:limit] for kind, texts in summary.items()}
    summary["too_small"] = [
        f"{indicators[i].short_title}: based on {base_size(rows_by_id[i], indicators[i])}, "
        f"{TOO_FEW}."
        for i in too_small
    ]
    return summary


# A change's size against chance in a few words, for a tile or a table cell.
SHORT_CHANCE = {
    significance.WITHIN_CHANCE: "may be chance",
    significance.BEYOND_95: "more than chance",
    significance.BEYOND_998: "far more than chance",
}
TOO_FEW_SHORT = "too few to judge"


def change_chance_words(row: pd.Series | dict, item: Indicator) -> str:
    """The change since the year before against chance, in a few words; '' when untested."""
    if not item.counts_people:
        return ""
    if small_base(row, item):
        return TOO_FEW_SHORT
    if row.get("direction") in (None, "no change", "not comparable"):
        return ""
    return SHORT_CHANCE.get(_level(row, item, "previous") or "", "")
