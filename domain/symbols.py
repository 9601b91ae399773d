"""DfE's symbols: what a cell holds instead of a number, and what each one means.

``SYMBOLS`` is the one table of those meanings, in DfE's order (the current
symbols, then the older ones), so every loader accepts the same symbols and every
page, chart, table, download and slide says the same thing about the same symbol.
Only ``c`` is ever said to protect children's privacy (``x`` is "not available":
nothing was withheld).

The meanings follow DfE's data guidance for the children looked after releases
("'c' to protect confidentiality ... 'z' for not applicable, 'x' for not
available, 'k' ... a value that would round to zero but is not zero, for example
where a percentage is <0.5%") and, for the older symbols, DfE's open data
standards: ``low`` "rounds to 0, but is not 0" (``~`` is its obsolete form),
``u`` "an observation of low reliability", and ``:`` the obsolete form of ``x``.
The council's own small-number protection marks its hidden figures ``c`` too, so
the same words apply.
"""

from __future__ import annotations

from dataclasses import dataclass

SUPPRESSED = "c"
NOT_AVAILABLE = "x"
NOT_APPLICABLE = "z"
ROUNDS_TO_ZERO = "k"


@dataclass(frozen=True)
class SymbolMeaning:
    """One symbol's words: a short one for cells, a sentence for notes, a meaning for keys.

    ``word`` fits a table cell, tile or chart label ("suppressed"). ``sentence``
    completes "the figure is ..." in narrative sentences, footnotes and hover
    text ("suppressed to protect children's privacy"). ``meaning`` completes
    "'Suppressed' means ..." in the key under a table and in the glossary.
    """

    symbol: str
    word: str
    sentence: str
    meaning: str


_NOT_AVAILABLE = (
    "not available",
    "not available",
    "no figure is available for that place and year, for example because it was not collected",
)
_VERY_SMALL = (
    "very small",
    "more than zero but so small that it rounds to zero",
    "the figure is more than zero but so small that it would round to zero",
)

# In DfE's order: the current symbols, then the older ones.
SYMBOLS: dict[str, SymbolMeaning] = {
    entry.symbol: entry
    for entry in (
        SymbolMeaning(
            SUPPRESSED,
            "suppressed",
            "suppressed to protect children's privacy",
            "the number is small enough that a child could be identified, so it is withheld "
            "to protect children's privacy",
        ),
        SymbolMeaning(NOT_AVAILABLE, *_NOT_AVAILABLE),
        SymbolMeaning(
            NOT_APPLICABLE,
            "not applicable",
            "not applicable",
            "the measure does not apply there, so there is no figure",
        ),
        SymbolMeaning(
            ROUNDS_TO_ZERO,
            "less than 0.5",
            "more than zero but less than 0.5",
            "the figure is more than zero but less than 0.5 (for example a percentage under "
            "0.5%), so it would round to zero",
        ),
        SymbolMeaning("low", *_VERY_SMALL),
        SymbolMeaning(
            "u",
            "low reliability",
            "not shown because it is of low reliability",
            "DfE judged the figure to be of low reliability (for example because of missing "
            "returns), so none is shown",
        ),
        SymbolMeaning("~", *_VERY_SMALL),
        SymbolMeaning(":", *_NOT_AVAILABLE),
    )
}
# When a figure is worked out from two cells, it carries the more protective of their
# symbols: a suppressed input ('c') before a rounded one, before one not available.
MOST_PROTECTIVE_FIRST = ("c", "low", "~", "u", "k", "x", ":", "z")

# No symbol and no value: the place has no figure for that year in the data loaded.
NO_DATA = SymbolMeaning(
    "", "no data", "not in the data loaded", "no figure for that year is in the data loaded"
)


def is_symbol(text: object) -> bool:
    """Whether a cell's text is one of DfE's symbols rather than a number."""
    return isinstance(text, str) and text in SYMBOLS
