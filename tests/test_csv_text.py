"""Reading CSV bytes: encodings, line endings, delimiters, and files that are not tables."""

from __future__ import annotations

import pytest

from loaders.csv_text import header_columns, read_csv_bytes, read_csv_columns
from loaders.problems import FileRejected

pytestmark = pytest.mark.pure


def test_utf8_with_bom_and_crlf_is_read_and_columns_normalised():
    data = "\ufeffTime_Period,la_name\r\n2024,Rutland\r\n".encode()
    table = read_csv_bytes("a.csv", data)
    assert table.columns == ["time_period", "la_name"]
    assert table.rows == [["2024", "Rutland"]]
    assert table.encoding == "utf-8"


def test_windows_1252_from_excel_keeps_accents():
    data = "la_name,number\r\nSaint-Étienne-lès-Bois,12\r\nCafé Borough,3\r\n".encode("cp1252")
    table = read_csv_bytes("excel.csv", data)
    assert table.encoding == "windows-1252"
    assert table.rows[0][0] == "Saint-Étienne-lès-Bois"
    assert any(note.check == "encoding" for note in table.notes)


def test_semicolon_separated_file_is_read_with_a_note():
    table = read_csv_bytes("semi.csv", b"a;b;c\n1;2;3\n")
    assert table.delimiter == ";"
    assert table.rows == [["1", "2", "3"]]
    assert any(note.check == "delimiter" for note in table.notes)


@pytest.mark.parametrize(
    ("data", "check"),
    [
        (b"", "empty_file"),
        (b"   \n\n", "empty_file"),
        (b"time_period,number\n", "no_rows"),
        (b"\x00\x01\x02PK\x03\x04binary\x00junk" * 50, "not_text"),
        # Control characters but no NUL byte: mostly unprintable.
        (b"a,b\n" + bytes(range(1, 32)) * 20, "not_text"),
        (b"just one column name\nvalue\n", "delimiter"),
    ],
)
def test_unreadable_files_are_refused_with_a_named_check(data, check):
    with pytest.raises(FileRejected) as raised:
        read_csv_bytes("bad.csv", data)
    assert raised.value.problems[0].check == check
    assert raised.value.problems[0].file == "bad.csv"


def test_truncated_last_line_is_named_by_line_number():
    data = b"a,b,c\n1,2,3\n4,5,6\n7,8"
    with pytest.raises(FileRejected) as raised:
        read_csv_bytes("cut.csv", data)
    problem = raised.value.problems[0]
    assert problem.check == "row_length"
    assert problem.line == 4
    assert "cut short" in problem.message


def test_trailing_blank_lines_are_ignored():
    table = read_csv_bytes("t.csv", b"a,b\n1,2\n\n\n")
    assert table.rows == [["1", "2"]]


def test_duplicate_header_is_refused():
    with pytest.raises(FileRejected) as raised:
        read_csv_bytes("d.csv", b"a,b,a\n1,2,3\n")
    assert raised.value.problems[0].column == "a"


# The column reader (large SSDA903 tables) must read and refuse exactly as the row reader.
SAME_AS_ROW_READER = [
    "\ufeffTime_Period,la_name\r\n2024,Rutland\r\n".encode(),
    "la_name,number\r\nSaint-Étienne-lès-Bois,12\r\nCafé Borough,3\r\n".encode("cp1252"),
    b"a;b;c\n1;2;3\n",
    b'a,b\n"1,5",2\n" x ",\n',
    b"a,b\n1,2\n\n\n",
    b"a,b\n1,2\n\n3,4\n",
    b'a,b\n"line\none",2\n',
    b"a,b,c\n1,2,3\n4,5,6\n7,8",
    b"a,b,c\n1,2,3,4\n",
    b"a,b,a\n1,2,3\n",
    b"a,,c\n1,2,3\n",
    b"time_period,number\n",
    b"",
    b"\x00\x01\x02PK\x03\x04binary\x00junk" * 50,
    # Quoting: Arrow's reader is lenient where the row reader is strict, so these must
    # reach the row reader's rules (or be read the same way by both).
    b'a,b\n"x"y,2\n',
    b'a,b\n"x" ,2\n',
    b'a,b\n"unterminated,2\n',
    b'a,b\nx"y,2\n',
    b'a,b\n"say ""hello""",2\n"",""\n',
    b'\xef\xbb\xbf"a","b"\r\n"1","2"\r\n',
    b'a,b\n"1,\r\n2",3\n4,5\n',
    # Line endings and blank lines.
    b"a,b\r1,2\r3,4\r",
    b"a,b\n1,2\n,\n",
    b"a,b\n1,2\n,\n3,4\n",
    b"a,b\n1,2\n  \n",
    b"a,b\n1,2\r\n\r\n \r\n",
    # A cell longer than the row reader's field limit (131,072 characters).
    b"a,b\n" + b"x" * 140_000 + b",2\n",
    # Windows-1252 with quotes and a semicolon.
    'a;b\n"Caf\u00e9; Borough";2\n'.encode("cp1252"),
]


@pytest.mark.parametrize("data", SAME_AS_ROW_READER)
def test_the_column_reader_reads_and_refuses_as_the_row_reader_does(data):
    try:
        expected = read_csv_bytes("f.csv", data)
    except FileRejected as refused:
        with pytest.raises(FileRejected) as raised:
            read_csv_columns("f.csv", data)
        assert raised.value.problems == refused.problems
        return
    table = read_csv_columns("f.csv", data)
    assert table.columns == expected.columns
    assert table.table.to_pylist() == [
        dict(zip(expected.columns, row, strict=True)) for row in expected.rows
    ]
    assert (table.encoding, table.delimiter) == (expected.encoding, expected.delimiter)
    assert [n.check for n in table.notes] == [n.check for n in expected.notes]
    assert table.row_count == len(expected.rows)


def test_header_columns_reads_only_the_first_line():
    assert header_columns(b"\xef\xbb\xbfCHILD; DECOM\n1;2\n") == ["child", "decom"]
    assert header_columns(b"\x00\x01") == ["\x00\x01"]


@pytest.mark.parametrize(
    ("data", "padded"),
    [
        (b"a,b\n1,2\n", False),
        (b"a,b\n1 ,2\n", True),
        (b"a,b\n1, 2\n", True),
        (b"a,b\n 1,2\n", True),
        (b"a,b\n1,2 \n", True),
        (b"a,b\r\n1,2 \r\n", True),
        (b'a,b\n"1 ",2\n', True),
        (b"a,b\n1,2\n3,4 ", True),
        (b"a,b\n1 2,3\n", True),  # a space anywhere: the columns are checked one by one
        (("a,b\n" + "1,2\n" * 20 + "3\u00a0,4\n").encode(), True),  # Unicode spaces too
    ],
)
def test_the_reader_says_whether_any_cell_may_need_trimming(data, padded):
    from loaders.csv_text import read_csv_columns

    assert read_csv_columns("t.csv", data).padded is padded
