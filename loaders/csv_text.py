"""Turn the bytes of an uploaded CSV into a header and rows, or say plainly why not.

Files arrive from Explore Education Statistics (UTF-8, often with a byte-order
mark, sometimes CRLF) and from analysts' copies saved by Excel on Windows
(Windows-1252, sometimes semicolon-separated). All of these are read; anything
that is not a readable table (binary junk, an empty file, a header alone, a
cut-short last line) is refused with a message that names the file and line.

Every check costs time and memory in proportion to the file, and a file far
beyond any real one is refused before it is read: more than `MAX_COLUMNS`
columns (DfE's files have fewer than 60, SSDA903 tables fewer than 40), a line
longer than `MAX_LINE_BYTES`, or more than `MAX_ROWS` rows. Each limit can be
set with an environment variable (CP_MAX_COLUMNS, CP_MAX_LINE_BYTES,
CP_MAX_ROWS). Files are read as Arrow columns of text without decoding a copy of
the whole file; the csv module's row reader, whose rules and messages are the
reference, reads what Arrow might read differently, streaming, so it never holds
the decoded text either.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from loaders.problems import FileRejected, Problem

DELIMITERS = (",", ";", "\t", "|")
DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "vertical bars"}

MAX_COLUMNS = int(os.environ.get("CP_MAX_COLUMNS", "500"))
MAX_LINE_BYTES = int(os.environ.get("CP_MAX_LINE_BYTES", str(1024**2)))
MAX_ROWS = int(os.environ.get("CP_MAX_ROWS", "5000000"))

# Arrow's default allocator (mimalloc) keeps the pages it frees for later use, so a
# large file's working copies (the reader's blocks, trimmed columns, the table once
# its facts are made) stayed in the process: about 180 MB more at the peak for a
# 150 MB file. The system allocator gives them back (and `release_unused` then
# trims the heap).
if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
    pa.set_memory_pool(pa.system_memory_pool())

CODECS = {"utf-8": "utf-8-sig", "windows-1252": "cp1252"}
# Large files are scanned (line lengths, quotes, encoding) this many bytes at a time.
CHUNK = 16 * 1024**2
# Rows the row reader hands over to Arrow at a time.
BATCH_ROWS = 65536
CR, LF, QUOTE = 13, 10, 34
# Cells are read as Arrow's large strings (64-bit offsets): pandas's text columns are
# made of them, so the table becomes a frame without another copy of its offsets.
TEXT = pa.large_string()


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

    @property
    def row_count(self) -> int:
        return len(self.rows)


_WITHOUT_LINE_BREAKS = str.maketrans("", "", "\r\n\t")


def _refusal(file: str, check: str, message: str, **where: object) -> FileRejected:
    return FileRejected([Problem("error", check, message, file, **where)])  # type: ignore[arg-type]


def _is_utf8(data: bytes) -> bool:
    """Whether the bytes are UTF-8, decoded a chunk at a time (no copy of the whole file)."""
    if data.isascii():
        return True
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(data), CHUNK):
            decoder.decode(view[start : start + CHUNK], final=start + CHUNK >= len(data))
    except UnicodeDecodeError:
        return False
    return True


def _cp1252_error(data: bytes) -> int | None:
    """Where the bytes stop being Windows-1252 (five byte values are not), or None."""
    view = memoryview(data)
    for start in range(0, len(data), CHUNK):
        try:
            codecs.decode(view[start : start + CHUNK], "cp1252")
        except UnicodeDecodeError as error:
            return start + error.start
    return None


def text_checks(file: str, data: bytes) -> tuple[str, list[Problem]]:
    """The file's encoding, and notes, once it is known to be text: UTF-8 (with or
    without BOM), else Windows-1252. Refuses empty files, binary data and bytes
    neither encoding reads; the whole file is never decoded at once."""
    notes: list[Problem] = []
    if not data or data.isspace():  # (strip() would copy a large file)
        raise _refusal(file, "empty_file", "The file is empty.", expected="a CSV table")
    if b"\x00" in data[:65536]:
        raise _refusal(
            file,
            "not_text",
            "The file is not a text CSV (it contains binary data). "
            "Was it saved as .xlsx or another format and renamed?",
            expected="a comma-separated text file",
        )
    if _is_utf8(data):
        encoding = "utf-8"
    else:
        bad = _cp1252_error(data)
        if bad is not None:
            raise _refusal(
                file,
                "encoding",
                "The file's characters could not be read as UTF-8 or as Windows-1252. "
                "Save it again as 'CSV UTF-8'.",
                value=repr(data[bad : bad + 4]),
                expected="UTF-8 text",
            )
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
    # 16 KB hold at least 4,096 characters in either encoding.
    sample = data[:16384].decode(CODECS[encoding], errors="ignore")[:4096]
    if not sample.translate(_WITHOUT_LINE_BREAKS).isprintable() and sum(
        ch.isprintable() or ch in "\r\n\t" for ch in sample
    ) < 0.95 * len(sample):
        raise _refusal(
            file,
            "not_text",
            "The file does not look like a text CSV (it is mostly unprintable characters).",
            expected="a comma-separated text file",
        )
    return encoding, notes


# ------------------------------------------------------------------ limits
def _content_end(data: bytes) -> int:
    """The length of the file without the blank space at its end (found without a copy,
    looking back from the end a little further each time)."""
    view = np.frombuffer(data, dtype=np.uint8)
    end, size = len(view), 4096
    while end:
        chunk = view[max(0, end - size) : end]
        # bytes.isspace(): space, \t, \n, \v, \f, \r
        solid = np.flatnonzero((chunk != 32) & ((chunk < 9) | (chunk > 13)))
        if len(solid):
            return end - len(chunk) + int(solid[-1]) + 1
        end -= len(chunk)
        size = min(size * 4, CHUNK)
    return 0


def _longest_line_at_most(data: bytes, newline: bytes) -> int:
    """A bound on the longest line's length, found cheaply when every 64 KB of the file
    holds a line break (then no line is longer than 128 KB); else the exact length."""
    step = 1 << 16
    if all(data.find(newline, start, start + step) >= 0 for start in range(0, len(data), step)):
        return 2 * step - 1
    return _longest_line(data, newline[0])[0]


def _longest_line(data: bytes, newline: int) -> tuple[int, int]:
    """The length in bytes (without its line break) and the offset of the longest line,
    lines ending at each `newline` byte (a carriage return before one is not counted)."""
    view = np.frombuffer(data, dtype=np.uint8)
    longest, where, previous = 0, 0, -1  # previous: the last line break seen
    for start in range(0, len(view), CHUNK):
        breaks = np.flatnonzero(view[start : start + CHUNK] == newline) + start
        if not len(breaks):
            continue
        begins = np.concatenate(([previous + 1], breaks[:-1] + 1))
        lengths = breaks - begins
        if newline == LF:
            lengths -= view[np.maximum(breaks - 1, 0)] == CR
        i = int(lengths.argmax())
        if lengths[i] > longest:
            longest, where = int(lengths[i]), int(begins[i])
        previous = int(breaks[-1])
    if len(view) - previous - 1 > longest:
        longest, where = len(view) - previous - 1, previous + 1
    return longest, where


def check_size(file: str, data: bytes) -> int:
    """Refuse a file with more rows, or a longer line, than the limits; returns the
    length of its longest line, or a bound on it. At most two passes over the bytes
    (usually one), nothing decoded."""
    # Lines end in a line feed (after a carriage return or not), or in a carriage
    # return alone (old Mac files).
    newline = b"\n" if b"\n" in data else b"\r"
    # Rows after the header, not counting blank lines at the end (a line has a byte at least).
    rows = data.count(newline, 0, _content_end(data)) if len(data) > MAX_ROWS else 0
    if rows > MAX_ROWS:
        raise _refusal(
            file,
            "too_many_rows",
            f"The file has more than {MAX_ROWS:,} rows of data; the app reads at most "
            f"{MAX_ROWS:,} from one file.",
            value=f"{rows:,} rows",
            expected=f"at most {MAX_ROWS:,} rows",
        )
    longest = _longest_line_at_most(data, newline)
    if longest <= MAX_LINE_BYTES:
        return longest
    longest, where = _longest_line(data, newline[0])
    if longest > MAX_LINE_BYTES:
        line = data.count(newline, 0, where) + 1
        raise _refusal(
            file,
            "line_too_long",
            f"Line {line:,} is {longest:,} bytes long; the app reads lines of at most "
            f"{MAX_LINE_BYTES:,} bytes.",
            line=line,
            expected=f"lines of at most {MAX_LINE_BYTES:,} bytes",
        )
    return longest


def _check_width(file: str, columns: int) -> None:
    if columns > MAX_COLUMNS:
        raise _refusal(
            file,
            "too_many_columns",
            f"The file has {columns:,} columns; the app reads files of at most "
            f"{MAX_COLUMNS:,} (DfE's have fewer than 60).",
            line=1,
            expected=f"at most {MAX_COLUMNS:,} columns",
        )


# ------------------------------------------------------------------ header
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
    raise _refusal(
        file,
        "delimiter",
        "Could not find the columns: the first line has no commas (or other "
        "separators) between column names.",
        line=1,
        value=header_line[:80],
        expected="column names separated by commas",
    )


def _checked_header(file: str, header: list[str]) -> list[str]:
    """Normalised column names (trimmed, lower case); every column named, and once."""
    _check_width(file, len(header))
    columns = [name.strip().lower() for name in header]
    blank = next((i for i, name in enumerate(columns) if not name), None)
    if blank is not None:
        raise _refusal(
            file,
            "header",
            f"Column {blank + 1} of the header has no name.",
            line=1,
            expected="a name for every column",
        )
    duplicated = sorted(name for name, times in Counter(columns).items() if times > 1)
    if duplicated:
        raise _refusal(
            file,
            "header",
            "The header names the same column twice.",
            line=1,
            column=duplicated[0],
            expected="each column named once",
        )
    return columns


def _first_line(data: bytes, encoding: str) -> str:
    """The header line, decoded, without decoding the rest of the file."""
    end = data.find(b"\n")
    end = len(data) if end < 0 else end
    carriage = data.find(b"\r", 0, end)  # a file whose lines end in a carriage return alone
    return data[: end if carriage < 0 else carriage].decode(CODECS[encoding])


@dataclass
class _Text:
    """What is known of a file before its rows are read."""

    encoding: str
    delimiter: str
    header_line: str
    longest_line: int
    notes: list[Problem]


def _examine(file: str, data: bytes) -> _Text:
    """The checks both readers make first, in this order: text, size, separator."""
    encoding, notes = text_checks(file, data)
    longest = check_size(file, data)
    header_line = _first_line(data, encoding)
    delimiter = _choose_delimiter(file, header_line, notes)
    return _Text(encoding, delimiter, header_line, longest, notes)


# ------------------------------------------------------------------ row reader
def _read_rows(file: str, data: bytes, text: _Text, keep: Callable[[list[str]], None]) -> list[str]:
    """Read every row with the csv module, streaming, and check the file is a table.

    Each row goes to `keep` in order (blank rows at the end are dropped), until
    a problem is found; the checked column names are returned. The messages are
    the reference both readers give.
    """
    stream = io.TextIOWrapper(io.BytesIO(data), encoding=CODECS[text.encoding], newline="")
    reader = csv.reader(stream, delimiter=text.delimiter, strict=True)
    problems: list[Problem] = []
    rows = 0

    def settle(index: int, row: list[str], last: bool) -> None:
        nonlocal rows
        if len(row) != width and len(problems) < 20:
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
                    value=text.delimiter.join(row)[:80],
                    expected=f"{width} values",
                )
            )
        if not problems:
            keep(row)
        rows += 1

    try:
        header = next(reader, [])
        _check_width(file, len(header))
        width = len(header)
        held: tuple[int, list[str]] | None = None  # the last row with something in it
        blanks: list[tuple[int, list[str]]] = []  # blank rows since: the end, unless more follow
        for index, row in enumerate(reader):
            if not any(cell.strip() for cell in row):
                blanks.append((index, row))
                continue
            if held is not None:
                settle(*held, last=False)
            for blank in blanks:
                settle(*blank, last=False)
            blanks.clear()
            held = (index, row)
        if held is not None:
            settle(*held, last=True)
    except csv.Error as error:
        raise _refusal(
            file,
            "malformed_csv",
            f"The file is not valid CSV ({error}).",
            line=reader.line_num,
            expected="quotes closed on the same row",
        ) from error
    columns = _checked_header(file, header)
    if not rows:
        raise _refusal(
            file,
            "no_rows",
            "The file has a header but no data rows.",
            line=2,
            expected="at least one row of data under the header",
        )
    if problems:
        raise FileRejected(problems)
    return columns


def read_csv_bytes(file: str, data: bytes) -> CsvTable:
    """Parse a whole CSV file held in memory, checking it is a rectangular table."""
    text = _examine(file, data)
    rows: list[list[str]] = []
    columns = _read_rows(file, data, text, rows.append)
    return CsvTable(file, columns, rows, text.encoding, text.delimiter, text.notes)


# ------------------------------------------------------------------ large tables
@dataclass
class CsvColumns:
    """A CSV read column by column (text cells): every file the loader reads.

    A release file or a council's extract has hundreds of thousands of rows:
    held as Python lists they cost seconds and ten times the file's size in
    memory, as an Arrow table of text milliseconds and about its size, and
    DuckDB and pandas read it without copying. Cells are the file's text,
    unchanged ("" when blank).
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

    def first_data_line(self) -> int:
        """Line number (1-based, as a spreadsheet shows it) of the first data row."""
        return 2

    @cached_property
    def rows(self) -> list[list[str]]:
        """The rows as lists of text, for the small files read row by row (a quarterly
        return, neighbour lists); made when first asked for."""
        return [list(row) for row in zip(*(c.to_pylist() for c in self.table.columns), strict=True)]


def _may_have_padded_cells(body: bytes | bytearray) -> bool:
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


def _blank_rows(table: pa.Table) -> pa.ChunkedArray | None:
    """Which rows are blank in every column (Arrow reads a blank line as one), or None."""
    blank = pc.equal(pc.utf8_trim_whitespace(table.column(0)), "")
    if not pc.any(blank).as_py():  # the usual case, decided by one column
        return None
    for column in table.columns[1:]:
        blank = pc.and_(blank, pc.equal(pc.utf8_trim_whitespace(column), ""))
    return blank if pc.any(blank).as_py() else None


def _without_blank_end(table: pa.Table) -> pa.Table | None:
    """The table without blank rows at its end (the row reader drops those), or None
    when a blank row comes before the end (the row reader says what it makes of it)."""
    blank = _blank_rows(table)
    if blank is None:
        return table
    kept = table.num_rows - int(pc.sum(blank).as_py())
    if kept == 0 or pc.any(blank.slice(0, kept)).as_py():
        return None
    return table.slice(0, kept)


def _utf8(data: bytes, encoding: str) -> bytes | bytearray:
    """The file as UTF-8 for Arrow: its own bytes, or Windows-1252 re-encoded a chunk
    at a time (one copy, never the decoded text of the whole file)."""
    if encoding == "utf-8":
        return data
    view = memoryview(data)
    body = bytearray()
    for start in range(0, len(data), CHUNK):
        body += codecs.decode(view[start : start + CHUNK], "cp1252").encode("utf-8")
    return body


def _arrow_reads_as_csv_does(body: bytes | bytearray, delimiter: str) -> bool:
    """Whether every quote in the file is where the csv module's strict rules put one.

    Arrow's reader is lenient where the row reader refuses (`"x"y` reads as
    `xy`). When each quote opens a field (at its start), closes it (before a
    separator, a line break or the end of the file) or is doubled inside it, both
    read the file alike; otherwise the row reader reads it. Found from the quotes'
    positions alone, so a file with quoted labels is not parsed twice.
    """
    view = np.frombuffer(body, dtype=np.uint8)
    quotes = np.concatenate(
        [
            np.flatnonzero(view[start : start + CHUNK] == QUOTE) + start
            for start in range(0, len(view), CHUNK)
        ]
        or [np.empty(0, dtype=np.int64)]
    )
    if not len(quotes):
        return True
    if len(quotes) % 2:  # a quote left open
        return False
    bounds = np.array([ord(delimiter), LF, CR, QUOTE], dtype=np.uint8)
    opens, closes = quotes[0::2], quotes[1::2]
    start = len(codecs.BOM_UTF8) if body.startswith(codecs.BOM_UTF8) else 0
    # An opening quote starts a field, or follows the closing quote it is doubled with.
    opened = (opens == start) | np.isin(view[np.maximum(opens - 1, 0)], bounds)
    after = closes + 1
    closed = (after == len(view)) | np.isin(view[np.minimum(after, len(view) - 1)], bounds)
    return bool(opened.all() and closed.all())


def _read_arrow(
    body: bytes | bytearray, width: int, delimiter: str, longest_line: int
) -> pa.Table | None:
    """The rows under the header as Arrow columns of text; None if Arrow cannot read it."""
    names = [f"c{i}" for i in range(width)]
    try:
        return pacsv.read_csv(
            pa.BufferReader(body),
            # One block at a time (a line must fit in one): on two cores, threads
            # saved a sixth of the reading time and cost a fifth more memory.
            read_options=pacsv.ReadOptions(
                skip_rows=1,
                column_names=names,
                block_size=max(1 << 20, 2 * longest_line + 2),
                use_threads=False,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                ignore_empty_lines=False,
                newlines_in_values=b'"' in body,  # a quoted value may hold a line break
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(names, TEXT),
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None


def _read_columns_by_rows(file: str, data: bytes, text: _Text) -> CsvColumns:
    """The row reader's reading (and refusals) as Arrow columns, a batch at a time."""
    batches: list[pa.Table] = []
    pending: list[list[str]] = []

    def flush() -> None:
        columns = [pa.array(cells, TEXT) for cells in zip(*pending, strict=True)]
        batches.append(pa.table(columns, names=[f"c{i}" for i in range(len(columns))]))
        pending.clear()

    def keep(row: list[str]) -> None:
        pending.append(row)
        if len(pending) >= BATCH_ROWS:
            flush()

    columns = _read_rows(file, data, text, keep)
    if pending:
        flush()
    table = pa.concat_tables(batches).rename_columns(columns)
    return CsvColumns(file, columns, table, text.encoding, text.delimiter, text.notes)


def read_csv_columns(file: str, data: bytes) -> CsvColumns:
    """Read a whole CSV as columns of text, with the same checks and messages as
    `read_csv_bytes`.

    Arrow's reader takes a rectangular file whose quotes follow the csv
    module's rules, with no cell longer than it allows; anything else (a ragged
    or cut-short line, a blank line before the end, a stray quote) is read by the
    row reader, which names the line that is wrong or reads it. Memory: the
    file's bytes (plus a UTF-8 copy of a Windows-1252 file) and the table.
    """
    text = _examine(file, data)
    try:
        header = next(csv.reader([text.header_line], delimiter=text.delimiter))
    except (csv.Error, StopIteration):
        return _read_columns_by_rows(file, data, text)
    _check_width(file, len(header))
    body = _utf8(data, text.encoding)
    table = None
    if text.longest_line <= csv.field_size_limit() and _arrow_reads_as_csv_does(
        body, text.delimiter
    ):
        table = _read_arrow(body, len(header), text.delimiter, text.longest_line)
    if table is not None and table.num_rows:
        table = _without_blank_end(table)
    if table is None or not table.num_rows:
        del table, body
        return _read_columns_by_rows(file, data, text)
    columns = _checked_header(file, header)
    padded = _may_have_padded_cells(body)
    return CsvColumns(
        file,
        columns,
        table.rename_columns(columns),
        text.encoding,
        text.delimiter,
        text.notes,
        padded,
    )
