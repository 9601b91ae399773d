"""Limits: files too wide, too long or too deep are refused plainly, before the work is done.

A hosted app reads whatever is uploaded, so every check must cost time and
memory in proportion to the file (never to its square), and a file far larger
than any real one (DfE's files have fewer than 60 columns, SSDA903 tables fewer
than 40) is refused with a message naming the file and the limit.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import PROJECT, load_texts
from fixtures import ees

from loaders import csv_text
from loaders.csv_text import read_csv_bytes, read_csv_columns
from loaders.problems import FileRejected

pytestmark = pytest.mark.pure

READERS = [read_csv_bytes, read_csv_columns]


def refusal(reader, data: bytes, name: str = "wide.csv"):
    with pytest.raises(FileRejected) as raised:
        reader(name, data)
    return raised.value.problems[0]


def wide(columns: int, duplicate: bool = False) -> bytes:
    names = [f"column_{i}" for i in range(columns)]
    if duplicate:
        names[-1] = names[0]
    return (",".join(names) + "\n" + ",".join("1" for _ in names) + "\n").encode()


@pytest.mark.parametrize("reader", READERS)
def test_a_header_of_32000_columns_is_refused_for_its_width(reader):
    problem = refusal(reader, wide(32_000))
    assert problem.check == "too_many_columns"
    assert problem.file == "wide.csv" and problem.line == 1
    assert "32,000 columns" in problem.message and "at most 500" in problem.message
    assert problem.describe().startswith("wide.csv, line 1: The file has 32,000 columns")


@pytest.mark.parametrize("reader", READERS)
def test_duplicate_names_are_found_among_32000_columns_when_the_limit_allows(reader, monkeypatch):
    """The duplicate check is one pass (it was columns.count for each column: 12 s here)."""
    monkeypatch.setattr(csv_text, "MAX_COLUMNS", 40_000)
    problem = refusal(reader, wide(32_000, duplicate=True))
    assert problem.check == "header"
    assert problem.message == "The header names the same column twice."
    assert problem.column == "column_0"


@pytest.mark.parametrize("reader", READERS)
def test_a_file_at_the_column_limit_is_read(reader, monkeypatch):
    monkeypatch.setattr(csv_text, "MAX_COLUMNS", 40)
    assert reader("ok.csv", wide(40)).columns[-1] == "column_39"
    assert refusal(reader, wide(41)).check == "too_many_columns"


@pytest.mark.parametrize("reader", READERS)
def test_too_many_rows_are_refused_before_they_are_read(reader, monkeypatch):
    monkeypatch.setattr(csv_text, "MAX_ROWS", 10)
    rows = "".join(f"{i},x\n" for i in range(10))
    assert len(reader("ten.csv", f"a,b\n{rows}\n\n".encode()).columns) == 2  # blank tail: not rows
    problem = refusal(reader, f"a,b\n{rows}10,x\n".encode(), "deep.csv")
    assert problem.check == "too_many_rows"
    assert problem.file == "deep.csv"
    assert problem.message == (
        "The file has more than 10 rows of data; the app reads at most 10 from one file."
    )


@pytest.mark.parametrize("reader", READERS)
def test_a_line_longer_than_the_limit_is_refused_and_named(reader, monkeypatch):
    monkeypatch.setattr(csv_text, "MAX_LINE_BYTES", 100)
    long_cell = "y" * 150
    problem = refusal(reader, f"a,b\r\n1,x\r\n2,{long_cell}\r\n3,z\r\n".encode(), "long.csv")
    assert problem.check == "line_too_long"
    assert (problem.file, problem.line) == ("long.csv", 3)
    assert problem.message == "Line 3 is 152 bytes long; the app reads lines of at most 100 bytes."
    # The header is a line like any other: a huge one is refused before it is parsed.
    header = ",".join(f"c{i}" for i in range(60))
    assert refusal(reader, f"{header}\n1\n".encode()).line == 1


@pytest.mark.slow
def test_the_default_limits_and_their_settings():
    assert (csv_text.MAX_COLUMNS, csv_text.MAX_LINE_BYTES, csv_text.MAX_ROWS) == (
        500,
        1024**2,
        5_000_000,
    ) or any(name in os.environ for name in ("CP_MAX_COLUMNS", "CP_MAX_LINE_BYTES", "CP_MAX_ROWS"))
    code = (
        "from loaders import csv_text, load; print(csv_text.MAX_COLUMNS, csv_text.MAX_LINE_BYTES,"
        " csv_text.MAX_ROWS, load.MAX_ZIP_UNCOMPRESSED_BYTES)"
    )
    env = dict(
        os.environ,
        CP_MAX_COLUMNS="7",
        CP_MAX_LINE_BYTES="8",
        CP_MAX_ROWS="9",
        CP_MAX_ZIP_BYTES="10",
    )
    shown = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT, env=env, capture_output=True, text=True
    )
    assert shown.stdout.split() == ["7", "8", "9", "10"], shown.stderr


def test_a_refused_file_is_named_with_its_limit_by_the_loader(store, monkeypatch):
    monkeypatch.setattr(csv_text, "MAX_ROWS", 3)
    report = load_texts(store, {"cla_stability.csv": ees.placement_stability_2025()})
    assert report.status == "rejected"
    (problem,) = report.files[0].problems
    assert problem.describe() == (
        "cla_stability.csv: The file has more than 3 rows of data; the app reads at most 3 "
        "from one file. (found '4 rows'; expected at most 3 rows)"
    )
