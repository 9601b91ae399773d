"""Downloads are safe to open in Excel (no formula injection)."""

from __future__ import annotations

import pandas as pd
import pytest

from exports.tables import neutralise_cell, to_csv_bytes

pytestmark = pytest.mark.pure


def test_formula_like_text_is_neutralised():
    for cell in ('=HYPERLINK("http://x")', "+cmd", "-2+3", "@SUM(A1)", "\tx"):
        assert neutralise_cell(cell) == "'" + cell


def test_numbers_and_plain_text_are_untouched():
    for cell in ("-12", "+5", "1,234", "67%", "Rutland", "c", 42, -3.5):
        assert neutralise_cell(cell) == cell


def test_csv_bytes_have_a_bom_and_neutralised_cells():
    frame = pd.DataFrame({"=name": ["=1+1", "Rutland"], "value": [-1, 2]})
    text = to_csv_bytes(frame).decode("utf-8")
    assert text.startswith("\ufeff'=name,value")
    assert "'=1+1" in text and "-1" in text and "'-1" not in text


def test_an_excel_download_explains_the_symbol_words_it_shows():
    import io

    from openpyxl import load_workbook

    from exports.tables import to_xlsx_bytes

    frame = pd.DataFrame({"Year": ["2020", "2021"], "Wyrebrook": ["not available", "67%"]})
    book = load_workbook(io.BytesIO(to_xlsx_bytes(frame, "Trend")))
    assert book.sheetnames == ["Trend", "Notes"]
    notes = [row for row in book["Notes"].iter_rows(values_only=True)]
    assert notes[0] == ("Shown as", "Meaning")
    assert [row[0] for row in notes[1:]] == ["not available"]
    assert "privacy" not in " ".join(str(cell) for row in notes for cell in row)
    plain = load_workbook(io.BytesIO(to_xlsx_bytes(frame.iloc[1:], "Trend")))
    assert plain.sheetnames == ["Trend"]


def test_formulas_behind_whitespace_or_in_full_width_forms_are_neutralised():
    # Spreadsheets skip leading blanks before a formula sign, and East Asian input
    # methods type the full-width signs, which Excel also reads as formula signs.
    for cell in (
        " =1+1",
        "  @SUM(A1)",
        "\n=1+1",
        "\r\n+cmd",
        "\u3000-2+3",
        "＝1+1",
        "＋cmd",
        "－2",
        "＠SUM(A1)",
    ):
        assert neutralise_cell(cell) == "'" + cell, repr(cell)


def test_neutralising_twice_changes_nothing_more():
    once = neutralise_cell("=1+1")
    assert neutralise_cell(once) == once
