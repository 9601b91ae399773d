"""Tables as CSV that are safe to open in Excel.

A cell that starts with ``=``, ``+``, ``-``, ``@`` (or a tab, carriage return or
line feed) can be run as a formula when the file is opened in a spreadsheet ("CSV
injection"); so can one whose first sign comes after blanks, or is the full-width
``＝``, ``＋``, ``－`` or ``＠`` that East Asian keyboards type. Such text cells are
prefixed with an apostrophe; plain numbers, including negative ones such as a net
gain of -12, are left as they are. The meeting pack's embedded chart workbooks
(`exports.pack`) use the same `neutralise_cell`.
"""

from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
# A formula sign, ASCII or full-width (and the small forms), after any leading blanks.
FORMULA_SIGNS = frozenset("=+-@＝＋－＠﹦﹢﹣﹫")
PLAIN_NUMBER = re.compile(r"^[-+]?\d[\d,]*(\.\d+)?%?$")


def neutralise_cell(value: object) -> object:
    """The cell, with an apostrophe in front if a spreadsheet could run it as a formula."""
    if isinstance(value, str) and _could_run(value) and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _could_run(text: str) -> bool:
    return text.startswith(FORMULA_START) or text.lstrip()[:1] in FORMULA_SIGNS


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell (and column name) neutralised."""
    safe = frame.copy()
    safe.columns = [neutralise_cell(str(c)) for c in safe.columns]
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            # Cell by cell into a column of objects: a column mixing whole numbers and
            # blanks keeps 577 as 577 (``map`` would infer floats and write 577.0).
            safe[column] = pd.Series(
                [neutralise_cell(cell) for cell in safe[column]], index=safe.index, dtype=object
            )
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV with a byte-order mark (so Excel shows accents correctly), made safe."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")


def symbol_notes(frame: pd.DataFrame) -> pd.DataFrame:
    """What each symbol word in the table means ('suppressed', 'not available'), one row each.

    From the one symbol table (`indicators.formatting.SYMBOLS`), and only for the
    words the table shows, so a download never explains a symbol it does not hold.
    """
    from indicators.formatting import symbols_shown

    cells = (cell for column in frame.columns for cell in frame[column])
    rows = [{"Shown as": e.word, "Meaning": e.meaning} for e in symbols_shown(cells)]
    return pd.DataFrame(rows, columns=["Shown as", "Meaning"])


def to_xlsx_bytes(frame: pd.DataFrame, sheet_name: str = "Data") -> bytes:
    """An Excel workbook of the table, with the same formula-safe cells as the CSV.

    When the table shows symbol words, a second sheet, "Notes", says what they
    mean (a CSV stays a plain table that programs can read).
    """
    import io

    buffer = io.BytesIO()
    notes = symbol_notes(frame)
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        safe_frame(frame).to_excel(writer, sheet_name=sheet_name[:31], index=False)
        if len(notes) and sheet_name[:31] != "Notes":
            safe_frame(notes).to_excel(writer, sheet_name="Notes", index=False)
    return buffer.getvalue()
