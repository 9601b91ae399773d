"""Numbers as councillors read them: thousands separators, units, and symbols in words.

A suppressed or unavailable figure is never shown as a zero or a blank: the
symbol DfE published is shown with its meaning, so "c" reads as "suppressed".
"""

from __future__ import annotations

import math

SYMBOL_WORDS = {
    "c": "suppressed",
    "x": "not available",
    "z": "not applicable",
    "k": "less than 0.5",
    "low": "fewer than 5",
    "u": "low reliability",
    "~": "fewer than 5",
    ":": "not available",
}


def format_value(value: float | None, symbol: str | None, unit: str, decimals: int = 0) -> str:
    """One figure as text: '83,530', '70', '67%', '13.9', or the symbol's meaning."""
    if symbol:
        return SYMBOL_WORDS.get(symbol, symbol)
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "no data"
    if unit == "count":
        return f"{value:,.{decimals}f}"
    if unit == "percent":
        return f"{value:.{decimals}f}%"
    return f"{value:,.{decimals}f}"


def period_label(time_period: str | int) -> str:
    """'2025' stays '2025'; an academic year '202425' reads '2024/25'."""
    text = str(time_period)
    if len(text) == 6 and text.isdigit():
        return f"{text[:4]}/{text[4:]}"
    return text
