"""DfE's symbols in the same plain words everywhere, from one table (domain/symbols.py).

`c` (confidential) is the only symbol that means a figure was withheld to protect
children's privacy; `x` is "not available", `z` "not applicable", and so on. A
footnote names only the symbols present in what it explains.
"""

from __future__ import annotations

import re

import pytest
from conftest import PROJECT

from domain.symbols import SYMBOLS
from indicators import formatting
from indicators.formatting import (
    format_value,
    gap_kinds_note,
    gaps_note,
    symbol_key,
    symbol_sentence,
    symbol_word,
)

pytestmark = pytest.mark.pure

PRIVACY = "privacy"


@pytest.mark.parametrize(
    ("symbol", "word"),
    [
        ("c", "suppressed"),
        ("x", "not available"),
        ("z", "not applicable"),
        ("k", "less than 0.5"),
        ("low", "very small"),
        ("u", "low reliability"),
        ("~", "very small"),
        (":", "not available"),
    ],
)
def test_each_symbol_is_shown_as_its_word_in_tables_tiles_and_charts(symbol, word):
    assert format_value(None, symbol, "percent") == word
    assert format_value(12.0, symbol, "count") == word  # a symbol wins over any value
    assert symbol_word(symbol) == word


def test_only_c_is_described_as_protecting_privacy():
    assert symbol_sentence("c") == "suppressed to protect children's privacy"
    for symbol in SYMBOLS:
        if symbol != "c":
            assert PRIVACY not in symbol_sentence(symbol), symbol
            assert "suppress" not in symbol_sentence(symbol), symbol
            assert "suppress" not in SYMBOLS[symbol].meaning, symbol
    assert symbol_sentence("x") == "not available"
    assert symbol_sentence("z") == "not applicable"


def test_the_older_symbols_mean_what_their_newer_equivalents_mean():
    # DfE's open data standards: ':' is the obsolete form of 'x', '~' of 'low'.
    assert SYMBOLS[":"].sentence == SYMBOLS["x"].sentence
    assert SYMBOLS["~"].sentence == SYMBOLS["low"].sentence
    assert "round" in SYMBOLS["k"].meaning and "round" in SYMBOLS["low"].meaning


def test_no_symbol_and_an_unknown_symbol_still_read_as_words():
    assert symbol_word(None) == "no data"
    assert format_value(None, None, "count") == "no data"
    assert symbol_word("q") == "q"
    assert "q" in symbol_sentence("q") and PRIVACY not in symbol_sentence("q")


def test_the_loaders_accept_exactly_the_symbols_the_table_explains():
    from loaders import ees, quarterly

    # The same table, not copies of its keys.
    assert ees.SYMBOLS is SYMBOLS and quarterly.SYMBOLS is SYMBOLS
    assert formatting.SYMBOLS is SYMBOLS
    assert not hasattr(ees, "SYMBOL_MEANINGS")  # one table of meanings, not two


def test_a_gap_note_names_only_the_symbols_present():
    only_x = gaps_note([("2020", "x")])
    assert only_x == "Gaps in the line: 2020 not available."
    assert PRIVACY not in only_x
    mixed = gaps_note([("2019", "c"), ("2020", "x"), ("2021", "c"), ("2022", None)])
    assert mixed == (
        "Gaps in the line: 2019 and 2021 suppressed to protect children's privacy; "
        "2020 not available; 2022 not in the data loaded."
    )
    assert gaps_note([]) == ""
    three = gaps_note([("2019", "c"), ("2020", "c"), ("2021", "c")], lead="No bar")
    assert three == "No bar: 2019, 2020 and 2021 suppressed to protect children's privacy."


def test_a_note_on_kinds_of_gap_names_each_meaning_once():
    assert gap_kinds_note(["x", ":", "x"]) == "A gap in a line is a figure that is not available."
    both = gap_kinds_note(["x", "c", None])
    assert both == (
        "A gap in a line is a figure that is suppressed to protect children's privacy, "
        "not available, or not in the data loaded."
    )
    assert gap_kinds_note([]) == ""


def test_the_key_under_a_table_lists_only_the_words_it_shows():
    cells = ["67%", "suppressed", "not available", "suppressed", 12, None, "no data"]
    key = symbol_key(cells)
    assert key.startswith("'Suppressed' means ")
    assert PRIVACY in key and "'Not available' means " in key
    assert "applicable" not in key and "'No data'" not in key
    assert PRIVACY not in symbol_key(["not available"])
    assert symbol_key(["12", "70%"]) == ""


def test_the_glossary_lists_every_symbol_with_the_same_words():
    glossary = (PROJECT / "docs" / "GLOSSARY.md").read_text(encoding="utf-8")
    assert formatting.symbols_markdown() in glossary
    rows = re.findall(r"^\| `([^`]+)` \| (.+?) \| (.+?) \|$", glossary, flags=re.MULTILINE)
    listed = {symbol: (word, sentence) for symbol, word, sentence in rows}
    assert set(listed) == set(SYMBOLS)
    for symbol, entry in SYMBOLS.items():
        assert listed[symbol] == (entry.word, entry.meaning), symbol
