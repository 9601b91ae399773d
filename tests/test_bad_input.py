"""Bad input: each leaves the store unchanged in content and names the file and place."""

from __future__ import annotations

import pytest
from conftest import load_texts, store_contents
from fixtures import ees


@pytest.fixture
def loaded_store(store):
    """A store that already holds one good load, so 'unchanged' means something."""
    load_texts(store, {"first.csv": ees.number_and_rate_pre2025()})
    return store


GOOD = ees.placement_stability_2025()
BAD_INPUTS = {
    "empty file": (b"", "empty_file", None),
    "header only": (GOOD.splitlines()[0].encode() + b"\n", "no_rows", 2),
    "one column, no delimiter": (b"time_period\n2024\n", "delimiter", 1),
    "binary junk named .csv": (bytes(range(256)) * 40, "not_text", None),
    "truncated last line": (GOOD.encode()[:-25], "row_length", 5),
    "number column holding text": (
        GOOD.replace("Total children,81770,100", "Total children,eighty,100").encode(),
        "measure_value",
        2,
    ),
    "percentage holding a stray word": (
        GOOD.replace("Total children,35,100", "Total children,35,all").encode(),
        "measure_value",
        4,
    ),
    "unknown geographic level": (
        GOOD.replace("National", "Nation", 1).encode(),
        "geographic_level",
        2,
    ),
    "bad council code": (GOOD.replace(",857,", ",85,").encode(), "la_code", 4),
    "bad time period": (
        GOOD.replace("2025,Reporting", "25/26,Reporting", 1).encode(),
        "time_period",
        2,
    ),
    "duplicated rows": ((GOOD + GOOD.splitlines()[1] + "\n").encode(), "duplicate_rows", None),
}


@pytest.mark.parametrize("case", BAD_INPUTS)
def test_bad_input_is_rejected_and_changes_nothing(loaded_store, case):
    data, check, line = BAD_INPUTS[case]
    before = store_contents(loaded_store)
    report = load_texts(loaded_store, {"upload.csv": data})
    assert report.status == "rejected", case
    problem = report.files[0].problems[0]
    assert problem.file == "upload.csv"
    assert problem.check == check
    if line is not None:
        assert problem.line == line
    assert problem.describe().startswith("upload.csv")
    assert store_contents(loaded_store) == before


def test_semicolon_delimited_copy_loads_the_same_facts(store, tmp_path):
    from loaders.store import open_store

    other = open_store(tmp_path / "other.duckdb")
    load_texts(store, {"comma.csv": GOOD})
    load_texts(other, {"semicolon.csv": GOOD.replace(",", ";")})
    query = "SELECT * EXCLUDE (load_id) FROM facts ORDER BY ALL"
    assert store.execute(query).fetchall() == other.execute(query).fetchall()


def test_windows_1252_file_keeps_accented_council_names(store):
    text = ees.number_and_rate_2025().replace("Rutland", "Saint-Hélier-lès-Bains")
    report = load_texts(store, {"excel.csv": text.replace("\n", "\r\n").encode("cp1252")})
    assert report.status == "committed"
    names = store.execute("SELECT DISTINCT la_name FROM facts WHERE area_code = '857'").fetchall()
    assert names == [("Saint-Hélier-lès-Bains",)]
    assert any(p.check == "encoding" for p in report.files[0].problems)


def test_a_damaged_zip_is_refused(store, tmp_path):
    from loaders.load import load_paths

    archive = tmp_path / "release.zip"
    archive.write_bytes(b"PK\x03\x04 this is not really a zip")
    before = store_contents(store)
    report = load_paths(store, [archive])
    assert report.status == "rejected"
    assert "zip" in report.files[0].message
    assert store_contents(store) == before
