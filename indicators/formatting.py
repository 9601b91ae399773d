"""Numbers as councillors read them: thousands separators, units, and symbols in words.

A suppressed or unavailable figure is never shown as a zero or a blank: the
symbol DfE published is shown with its meaning, from the one table of those
meanings (``domain.symbols.SYMBOLS``), so every page, chart, table, download and
slide says the same thing about the same symbol. This module turns figures and
symbols into words; it defines none.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from domain.symbols import NO_DATA, SYMBOLS, SymbolMeaning
from domain.units import PERCENT, UNITS

# The short words alone, for callers that only put a word in a cell.
SYMBOL_WORDS = {symbol: entry.word for symbol, entry in SYMBOLS.items()}


def meaning_of(symbol: str | None) -> SymbolMeaning:
    """The table's entry for a symbol; ``NO_DATA`` for none; the symbol itself if unknown.

    Loaders accept only the symbols in the table, so an unknown one should never
    arrive; if it does, it is shown as published rather than guessed at.
    """
    if not symbol:
        return NO_DATA
    return SYMBOLS.get(
        symbol,
        SymbolMeaning(symbol, symbol, f"marked '{symbol}' by its publisher", f"marked '{symbol}'"),
    )


def symbol_word(symbol: str | None) -> str:
    """A symbol as a table cell, tile or chart label shows it: 'suppressed', 'not available'."""
    return meaning_of(symbol).word


def symbol_sentence(symbol: str | None) -> str:
    """What completes "the figure is ...": 'suppressed to protect children's privacy'."""
    return meaning_of(symbol).sentence


def format_value(value: float | None, symbol: str | None, unit: str, decimals: int = 0) -> str:
    """One figure as text: '83,530', '70', '67%', '13.9', or the symbol's word."""
    if symbol:
        return symbol_word(symbol)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return NO_DATA.word
    found = UNITS.get(unit)
    if found is not None and found.suffix:
        return f"{value:.{decimals}f}{found.suffix}"
    return f"{value:,.{decimals}f}"


def _distinct(symbols: Iterable[str | None]) -> list[SymbolMeaning]:
    """The meanings of the symbols given, each sentence once, in the table's order."""
    order = {symbol: rank for rank, symbol in enumerate(SYMBOLS)}
    # Anything but a symbol (None, NaN, "") is a gap with no symbol: no data.
    found = {meaning_of(s if isinstance(s, str) else None) for s in symbols}
    ranked = sorted(found, key=lambda m: (order.get(m.symbol, len(order)), m.symbol))
    seen: set[str] = set()
    distinct = []
    for entry in ranked:
        if entry.sentence not in seen:
            seen.add(entry.sentence)
            distinct.append(entry)
    return distinct


def _and_list(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def gaps_note(gaps: Iterable[tuple[str, str | None]], lead: str = "Gaps in the line") -> str:
    """A footnote for gaps, naming each gap's reason and only the reasons present.

    ``gaps`` are (label, symbol) pairs such as ("2020", "x"); a gap without a
    symbol is "not in the data loaded". Labels sharing a meaning are grouped:
    "Gaps in the line: 2019 and 2021 suppressed to protect children's privacy;
    2020 not available." Empty when there are no gaps.
    """
    groups: dict[str, list[str]] = {}
    pairs = [(str(label), symbol if isinstance(symbol, str) else None) for label, symbol in gaps]
    for entry in _distinct(symbol for _, symbol in pairs):
        groups[entry.sentence] = []
    for label, symbol in pairs:
        groups[symbol_sentence(symbol)].append(label)
    if not groups:
        return ""
    parts = [f"{_and_list(labels)} {sentence}" for sentence, labels in groups.items()]
    return f"{lead}: " + "; ".join(parts) + "."


def gap_kinds_note(
    symbols: Iterable[str | None], lead: str = "A gap in a line is a figure that is"
) -> str:
    """One sentence on the kinds of gap shown, each named once: '... not available.'

    For a chart or deck whose gaps are not listed one by one. Empty when there are none.
    """
    sentences = [entry.sentence for entry in _distinct(symbols)]
    if not sentences:
        return ""
    if len(sentences) == 1:
        return f"{lead} {sentences[0]}."
    return f"{lead} " + ", ".join(sentences[:-1]) + f", or {sentences[-1]}."


def first_capital(text: str) -> str:
    """The text with its first letter capitalised and the rest untouched ('DfE' stays)."""
    return text[:1].upper() + text[1:]


def symbols_shown(cells: Iterable[object]) -> list[SymbolMeaning]:
    """The table's entries whose word appears among the cells, each word once, in order."""
    shown = {cell for cell in cells if isinstance(cell, str)}
    entries: list[SymbolMeaning] = []
    for entry in SYMBOLS.values():
        if entry.word in shown and entry.word not in {e.word for e in entries}:
            entries.append(entry)
    return entries


def symbol_key(cells: Iterable[object]) -> str:
    """The key under a table: what each symbol word it shows means, and nothing else.

    "'Suppressed' means the number is small enough that a child could be
    identified ...". Empty when the table shows no symbol word.
    """
    return " ".join(f"'{first_capital(e.word)}' means {e.meaning}." for e in symbols_shown(cells))


def symbols_markdown() -> str:
    """The table as Markdown, as docs/GLOSSARY.md lists it (a test keeps the two equal)."""
    lines = ["| Symbol | Shown as | Means |", "|---|---|---|"]
    lines += [f"| `{s}` | {e.word} | {e.meaning} |" for s, e in SYMBOLS.items()]
    return "\n".join(lines)


def points_word(amount: float) -> str:
    """'point' or 'points' for a gap or change of ``amount`` percentage points (as the pages
    write it: "+3 points", "−1 point")."""
    return "point" if abs(amount) == 1 else "points"


def period_label(time_period: str | int) -> str:
    """'2025' stays '2025'; an academic year '202425' reads '2024/25'."""
    text = str(time_period)
    if len(text) == 6 and text.isdigit():
        return f"{text[:4]}/{text[4:]}"
    return text


def whole_count(value: object) -> int | None:
    """A whole count from a cell, or None for a missing or non-numeric one."""
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else round(number)


def count_is_safe(count: int | None, threshold: int | None = None) -> bool:
    """Whether a number of children may be shown: zero or at least the threshold (6).

    The privacy rule (indicators/protection.py): no count from 1 to 5, small enough
    to identify a child, is ever shown, even where a publication printed it.
    """
    from indicators.protection import small_count_threshold

    limit = small_count_threshold() if threshold is None else threshold
    return count is not None and (count == 0 or count >= limit)


SINGULAR = {"children": "child", "young people": "young person"}


def _counted(number: int, counted: str) -> str:
    """'9 children', '1 child', '7 young people', '2,448 school sessions'."""
    noun = SINGULAR.get(counted, counted.removesuffix("s")) if number == 1 else counted
    return f"{number:,} {noun}"


def n_of_N(numerator: object, denominator: object, unit: str, counted: str = "children") -> str:
    """The children behind a figure: '50 of 522' for a percentage, '310 children' for a rate.

    Empty when a count is missing, or when it (or, for a percentage, the children
    not counted, denominator minus numerator) is 1 to 5: a small number is never
    shown, and the percentage beside it would give the other back.
    """
    part, whole = counts_shown(numerator, denominator, unit)
    if part is None:
        return ""
    return f"{part:,} of {whole:,}" if whole is not None else _counted(part, counted)


def counts_shown(
    numerator: object, denominator: object, unit: str
) -> tuple[int | None, int | None]:
    """The children behind a figure that may be shown, as numbers: (counted, out of) for a
    percentage, (counted, None) for a rate, (None, None) where none may be (``n_of_N``'s
    rule: a count, or for a percentage the children not counted, of 1 to 5 hides both)."""
    found = UNITS.get(unit)
    if found is None or found.scale is None:
        return None, None
    part, whole = whole_count(numerator), whole_count(denominator)
    if not count_is_safe(part):
        return None, None
    if found.suffix == "%":
        if whole is None or not count_is_safe(whole) or not count_is_safe(whole - part):
            return None, None
        return part, whole
    return part, None


def number_shown(value: object, symbol: object, decimals: int) -> float | None:
    """A figure as a number, exactly as ``format_value`` writes it ('67%' is 67.0, '13.9'
    is 13.9); None where a symbol's word or 'no data' is shown instead."""
    if isinstance(symbol, str) and symbol:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else float(f"{number:.{decimals}f}")


def figure_with_count(
    value: float | None,
    symbol: str | None,
    unit: str,
    decimals: int,
    numerator: object = None,
    denominator: object = None,
    counted: str = "children",
) -> str:
    """A figure with its children beside it: '50 of 522 (10%)', '70 (310 children)', or '10%'."""
    figure = format_value(value, symbol, unit, decimals)
    if symbol or value is None or (isinstance(value, float) and math.isnan(value)):
        return figure
    count = n_of_N(numerator, denominator, unit, counted)
    if not count:
        return figure
    return f"{count} ({figure})" if UNITS[unit].suffix == "%" else f"{figure} ({count})"


def base_words(numerator: object, denominator: object, unit: str, counted: str = "children") -> str:
    """The size of a percentage's base in words: '9 children (one child is 11 points)'.

    Where the exact base, beside the percentage, would give back a small number
    (the children counted, or those not counted, 1 to 5), it is given only to the
    next ten up: 'fewer than 10 children (one child is more than 10 points)'.
    """
    whole = whole_count(denominator)
    if unit != PERCENT or whole is None or whole <= 0:
        return ""
    part = whole_count(numerator)
    exact = count_is_safe(whole) and (
        part is None or (count_is_safe(part) and count_is_safe(whole - part))
    )
    one = SINGULAR.get(counted, counted.removesuffix("s"))
    if exact:
        return f"{_counted(whole, counted)} (one {one} is {100 / whole:.0f} points)"
    ceiling = (whole // 10 + 1) * 10
    return f"fewer than {ceiling} {counted} (one {one} is more than {100 / ceiling:.0f} points)"
