"""Turn the bytes of an uploaded CSV into a header and rows, or say plainly why not.

Files arrive from Explore Education Statistics (UTF-8, often with a byte-order
mark, sometimes CRLF) and from analysts' copies saved by Excel on Windows
(Windows-1252, sometimes semicolon-separated). All of these are read; anything
that is not a readable table (binary junk, an empty file, a header alone, a
cut-short last line) is refused with a message that names the file and line.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from loaders.problems import FileRejected, Problem

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}


@dataclass
class CsvTable:
    """A decoded CSV: normalised column names, raw rows, and notes on how it was read."""

    file: str
    columns: list[str]
    rows: list[list[str]]
    encoding: str
    delimiter: str
    notes: list[Problem] = field(default_factory=list)

    def first_data_line(self) -> int:
        """Line number (1-based, as a spreadsheet shows it) of the first data row."""
        return 2


_WITHOUT_LINE_BREAKS = str.maketrans("", "", "\r\n\t")


def decode(file: str, data: bytes) -> tuple[str, str, list[Problem]]:
    """Decode bytes as UTF-8 (with or without BOM), falling back to Windows-1252."""
    notes: list[Problem] = []
    if not data or data.isspace():  # (strip() would copy a large file)
        raise FileRejected(
            [Problem("error", "empty_file", "The file is empty.", file, expected="a CSV table")]
        )
    if b"\x00" in data[:65536]:
        raise FileRejected(
            [
                Problem(
                    "error",
                    "not_text",
                    "The file is not a text CSV (it contains binary data). "
                    "Was it saved as .xlsx or another format and renamed?",
                    file,
                    expected="a comma-separated text file",
                )
            ]
        )
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8"
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError as error:
            raise FileRejected(
                [
                    Problem(
                        "error",
                        "encoding",
                        "The file's characters could not be read as UTF-8 or as Windows-1252. "
                        "Save it again as 'CSV UTF-8'.",
                        file,
                        value=repr(data[error.start : error.start + 4]),
                        expected="UTF-8 text",
                    )
                ]
            ) from error
        encoding = "windows-1252"
        notes.append(
            Problem(
                "info",
                "encoding",
                "Read as Windows-1252 (the file was not UTF-8, as files saved by older "
                "Excel versions often are).",
                file,
            )
        )
    sample = text[:4096]
    if not sample.translate(_WITHOUT_LINE_BREAKS).isprintable() and sum(
        ch.isprintable() or ch in "\r\n\t" for ch in sample
    ) < 0.95 * len(sample):
        raise FileRejected(
            [
                Problem(
                    "error",
                    "not_text",
                    "The file does not look like a text CSV (it is mostly unprintable characters).",
                    file,
                    expected="a comma-separated text file",
                )
            ]
        )
    return text, encoding, notes


def _choose_delimiter(file: str, header_line: str, notes: list[Problem]) -> str:
    counts = {d: header_line.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    if counts[","] >= 1 and counts[","] >= counts[best]:
        return ","
    if counts[best] >= 1:
        notes.append(
            Problem(
                "info",
                "delimiter",
                f"Columns are separated by {DELIMITER_NAMES[best]}, not commas; read accordingly.",
                file,
            )
        )
        return best
    raise FileRejected(
        [
            Problem(
                "error",
                "delimiter",
                "Could not find the columns: the first line has no commas (or other "
                "separators) between column names.",
                file,
                line=1,
                value=header_line[:80],
                expected="column names separated by commas",
            )
        ]
    )


def _checked_header(file: str, header: list[str]) -> list[str]:
    """Normalised column names (trimmed, lower case); every column named, and once."""
    columns = [name.strip().lower() for name in header]
    if any(not name for name in columns):
        blank = [i + 1 for i, name in enumerate(columns) if not name]
        raise FileRejected(
            [
                Problem(
                    "error",
                    "header",
                    f"Column {blank[0]} of the header has no name.",
                    file,
                    line=1,
                    expected="a name for every column",
                )
            ]
        )
    duplicated = sorted({c for c in columns if columns.count(c) > 1})
    if duplicated:
        raise FileRejected(
            [
                Problem(
                    "error",
                    "header",
                    "The header names the same column twice.",
                    file,
                    line=1,
                    column=duplicated[0],
                    expected="each column named once",
                )
            ]
        )
    return columns


def _first_line(text: str) -> str:
    """The header line, without copying the rest of a large file."""
    end = text.find("\n")
    return (text if end < 0 else text[:end]).rstrip("\r")


def read_csv_bytes(file: str, data: bytes) -> CsvTable:
    """Parse a whole CSV file held in memory, checking it is a rectangular table."""
    text, encoding, notes = decode(file, data)
    first_line = _first_line(text)
    delimiter = _choose_delimiter(file, first_line, notes)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
        rows = list(reader)
    except csv.Error as error:
        raise FileRejected(
            [
                Problem(
                    "error",
                    "malformed_csv",
                    f"The file is not valid CSV ({error}).",
                    file,
                    line=reader.line_num,
                    expected="quotes closed on the same row",
                )
            ]
        ) from error
    columns = _checked_header(file, header)
    # Drop blank lines at the end (Excel sometimes adds them); keep the rest so
    # that line numbers in messages match what the analyst sees in an editor.
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows:
        raise FileRejected(
            [
                Problem(
                    "error",
                    "no_rows",
                    "The file has a header but no data rows.",
                    file,
                    line=2,
                    expected="at least one row of data under the header",
                )
            ]
        )
    width = len(columns)
    problems: list[Problem] = []
    for index, row in enumerate(rows):
        if len(row) != width:
            last = index == len(rows) - 1
            problems.append(
                Problem(
                    "error",
                    "row_length",
                    (
                        "The last line is incomplete; the file may have been cut short "
                        "while downloading or copying."
                        if last and len(row) < width
                        else f"This line has {len(row)} values but the header has {width}."
                    ),
                    file,
                    line=index + 2,
                    value=delimiter.join(row)[:80],
                    expected=f"{width} values",
                )
            )
            if len(problems) >= 20:
                break
    if problems:
        raise FileRejected(problems)
    return CsvTable(file, columns, rows, encoding, delimiter, notes)


# ------------------------------------------------------------------ large tables
@dataclass
class CsvColumns:
    """A large CSV read column by column (text cells), for child-level extracts.

    A council's extract has hundreds of thousands of rows: held as Python lists
    they cost seconds, as an Arrow table of text milliseconds, and DuckDB scans
    it without copying. Cells are the file's text, unchanged ("" when blank).
    """

    file: str
    columns: list[str]
    table: pa.Table
    encoding: str
    delimiter: str
    notes: list[Problem] = field(default_factory=list)
    # False when no cell can start or end with a space (then none needs trimming).
    padded: bool = True

    @property
    def row_count(self) -> int:
        return self.table.num_rows


def _may_have_padded_cells(body: bytes) -> bool:
    """Whether some cell may start or end with a space DuckDB's `trim` removes: false
    when the file holds no space and no character outside ASCII (DuckDB also trims
    Unicode spaces, such as the no-break spaces of Excel exports). Two fast scans of
    the bytes, as against trimming every cell."""
    return b" " in body or not body.isascii()


def header_columns(data: bytes) -> list[str]:
    """The normalised column names of a CSV's first line, read cheaply (no checks).

    Used to decide how to read a file before reading it whole; an unreadable
    first line gives no columns, and the whole read then says what is wrong.
    """
    head = data[:65536].decode("utf-8-sig", errors="replace").split("\n", 1)[0].rstrip("\r")
    counts = {d: head.count(d) for d in DELIMITERS}
    delimiter = "," if counts[","] else max(DELIMITERS, key=lambda d: counts[d])
    try:
        header = next(csv.reader([head], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return []
    return [name.strip().lower() for name in header]


def _has_blank_row(table: pa.Table) -> bool:
    """Whether some row is blank in every column (Arrow reads a blank line as one)."""
    blank = pc.equal(pc.utf8_trim_whitespace(table.column(0)), "")
    if not pc.any(blank).as_py():  # the usual case, decided by one column
        return False
    for column in table.columns[1:]:
        blank = pc.and_(blank, pc.equal(pc.utf8_trim_whitespace(column), ""))
    return pc.any(blank).as_py() is True


def read_csv_columns(file: str, data: bytes) -> CsvColumns:
    """Read a whole CSV as columns of text, with the same checks and messages as
    `read_csv_bytes`.

    Arrow's reader takes a rectangular file; anything it refuses (a ragged or
    cut-short line, a quoted line break, blank lines) is read again by
    `read_csv_bytes`, which either names the line that is wrong or reads it.
    """
    text, encoding, notes = decode(file, data)
    first_line = _first_line(text)
    delimiter = _choose_delimiter(file, first_line, notes)
    # Arrow reads UTF-8: the file's own bytes when it is UTF-8 (no copy), else re-encoded.
    body = data.removeprefix(codecs.BOM_UTF8) if encoding == "utf-8" else text.encode("utf-8")
    try:
        header = next(csv.reader([first_line], delimiter=delimiter))
        table = pacsv.read_csv(
            io.BytesIO(body),
            read_options=pacsv.ReadOptions(
                skip_rows=1, column_names=[f"c{i}" for i in range(len(header))]
            ),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={f"c{i}": pa.string() for i in range(len(header))},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (csv.Error, pa.ArrowInvalid):
        table = None
    if table is None or table.num_rows == 0 or _has_blank_row(table):
        # Let the row-by-row reader say what is wrong (or drop blank lines at the end).
        slow = read_csv_bytes(file, data)
        table = pa.table({f"c{i}": [row[i] for row in slow.rows] for i in range(len(slow.columns))})
        return CsvColumns(
            file,
            slow.columns,
            table.rename_columns(slow.columns),
            encoding,
            delimiter,
            slow.notes,
        )
    columns = _checked_header(file, header)
    padded = _may_have_padded_cells(body)
    return CsvColumns(
        file, columns, table.rename_columns(columns), encoding, delimiter, notes, padded
    )
