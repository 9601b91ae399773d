"""SSDA903 extract checks: each named check on a tiny extract, then the peer's fake extract."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from loaders.csv_text import read_csv_bytes
from loaders.ssda903 import place_codes, read_extract, recognise

pytestmark = pytest.mark.pure

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,1,01/01/2012,WBRI,,,\n2,2,02/02/2013,WBRI,,,\n"
EPISODES_COLUMNS = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN"
)


def episodes(*rows: str) -> str:
    return "\n".join([EPISODES_COLUMNS, *rows]) + "\n"


GOOD = (
    "1,01/04/2024,S,C2,N1,U1,PR1,10/06/2024,X1,,,,",
    "1,10/06/2024,P,C2,N1,K3,PR0,,,,,,",
    "2,05/05/2024,S,V3,N1,T1,PR1,06/05/2024,E8,,,,",
)


def check(episode_text: str, header: str = HEADER, year: int = 2025):
    tables = [
        read_csv_bytes("header.csv", header.encode()),
        read_csv_bytes("episodes.csv", episode_text.encode()),
    ]
    return read_extract(tables, date(year, 3, 31))[1]


def test_a_clean_extract_has_no_problems():
    assert check(episodes(*GOOD)) == []


def test_tables_are_recognised_by_their_columns():
    assert recognise(read_csv_bytes("x.csv", episodes(*GOOD).encode())) == "Episodes"
    assert recognise(read_csv_bytes("h.csv", HEADER.encode())) == "Header"
    assert recognise(read_csv_bytes("n.csv", b"a,b\n1,2\n")) is None
    # Deprivation of Liberty Orders, collected from 2025-26: recognised, not used for figures.
    dolo = b"CHILD,DOB,DOLO_START,DOLO_END\n1,05/12/2012,01/01/2025,02/01/2025\n"
    assert recognise(read_csv_bytes("DoLo.csv", dolo)) == "DoLo"


def test_a_dolo_table_is_checked_and_reported_as_not_used_for_figures(store):
    from conftest import load_texts

    from loaders.load import ExtractOptions

    dolo = "CHILD,DOB,DOLO_START,DOLO_END\n1,05/12/2012,01/01/2025,2/1/25\n"
    report = load_texts(
        store,
        {"header.csv": HEADER, "episodes.csv": episodes(*GOOD), "DoLo.csv": dolo},
        extract=ExtractOptions("825", date(2025, 3, 31)),
        dry_run=True,
    )
    assert report.status == "dry run"
    file = next(f for f in report.files if f.name == "DoLo.csv")
    assert (file.outcome, file.dataset, file.dataset_title) == (
        "not used",
        "ssda903",
        "SSDA903 DoLo",
    )
    assert "the indicators do not use this table" in file.message
    assert "not a DfE open-data file" not in file.message
    ((problem),) = file.problems  # its dates are checked like every table's
    assert (problem.check, problem.column, problem.line) == ("date", "DOLO_END", 2)


def test_rows_after_the_as_at_date_are_one_problem_with_a_hint_and_every_row_in_the_report(store):
    from conftest import load_texts

    from loaders.load import ExtractOptions

    later = [f"{child},01/0{month}/2025,PN1" for child in (1, 2) for month in range(4, 10)]
    reviews = "\n".join(["CHILD,REVIEW,REVIEW_CODE", "1,01/03/2025,PN1", *later]) + "\n"
    report = load_texts(
        store,
        {"header.csv": HEADER, "episodes.csv": episodes(*GOOD), "reviews.csv": reviews},
        extract=ExtractOptions("825", date(2025, 3, 31)),
        dry_run=True,
    )
    file = next(f for f in report.files if f.name == "reviews.csv")
    (summary,) = [p for p in file.problems if p.check == "after_as_at"]
    assert summary.severity == "error" and summary.child is None and summary.value is None
    assert summary.line == 3 and summary.column == "REVIEW"
    assert "12 rows" in summary.message and "lines 3, 4, 5, 6, 7" in summary.message
    assert "choose a later as-at date or leave it blank" in summary.message.lower()
    assert file.message.startswith("1 rows kept, 12 set aside")
    assert [p.line for p in file.folded] == list(range(3, 15))
    assert {p.child for p in file.folded} == {"1", "2"}
    shown = report.problems_table()
    assert (shown["check"] == "after_as_at").sum() == 1
    detailed = report.problems_table(detailed=True)
    assert (detailed["check"] == "after_as_at").sum() == 13  # the summary and each row
    assert set(detailed.loc[detailed["line"] > 3, "child"]) == {"1", "2"}


def test_place_codes_follow_the_collection_year():
    assert "K3" not in place_codes(2024) and "K3" in place_codes(2025)
    assert {"H5", "P2", "Z1"} <= place_codes(2025)
    assert not {"H5", "P2", "Z1"} & place_codes(2026)
    assert {"Z11", "Z12", "Z13", "Z14"} <= place_codes(2026)


@pytest.mark.parametrize(
    ("row", "check_name", "column"),
    [
        ("2,05/05/2024,S,V3,N1,Q9,PR1,06/05/2024,E8,,,,", "place", "PLACE"),
        ("2,05/05/2024,S,X9,N1,T1,PR1,06/05/2024,E8,,,,", "legal_status", "LS"),
        ("2,05/05/2024,Z,V3,N1,T1,PR1,06/05/2024,E8,,,,", "rne", "RNE"),
        ("2,05/05/2024,S,V3,N9,T1,PR1,06/05/2024,E8,,,,", "cin", "CIN"),
        ("2,05/05/2024,S,V3,N1,T1,PR9,06/05/2024,E8,,,,", "place_provider", "PLACE_PROVIDER"),
        ("2,05/05/2024,S,V3,N1,T1,PR1,06/05/2024,E99,,,,", "rec", "REC"),
        ("2,31/02/2024,S,V3,N1,T1,PR1,06/05/2024,E8,,,,", "date", "DECOM"),
        ("2,05/05/2024,S,V3,N1,T1,PR1,01/05/2024,E8,,,,", "date_order", "DEC"),
        ("3,05/05/2024,S,V3,N1,T1,PR1,06/05/2024,E8,,,,", "child_in_header", "CHILD"),
    ],
)
def test_each_bad_episode_is_named_by_check_line_child_and_column(row, check_name, column):
    problems = check(episodes(GOOD[0], GOOD[1], row))
    assert len(problems) == 1, [p.describe() for p in problems]
    problem = problems[0]
    assert (problem.check, problem.line, problem.column) == (check_name, 4, column)
    assert problem.child == row.split(",")[0]
    assert problem.file == "episodes.csv"


def test_k3_is_refused_before_2024_25_and_z1_after_2025_26():
    k3 = episodes("2,05/05/2023,S,C2,N1,K3,PR1,06/05/2023,E8,,,,")
    assert [p.check for p in check(k3, year=2025)] == ["place"]
    # The same code in an episode of 2024-25 is fine.
    assert check(episodes("2,05/05/2024,S,C2,N1,K3,PR1,06/05/2024,E8,,,,")) == []
    z1 = episodes("2,05/05/2025,S,V3,N1,Z1,PR1,06/05/2025,E8,,,,")
    assert [p.check for p in check(z1, year=2026)] == ["place"]


def test_overlapping_episodes_of_one_child_are_reported():
    overlapping = episodes(GOOD[0], "1,01/06/2024,P,C2,N1,U1,PR0,,,,,,")
    found = check(overlapping)
    (problem,) = [p for p in found if p.check == "episodes_overlap"]
    assert problem.line == 3 and problem.severity == "warning"  # kept, counted once
    assert "line 2" in problem.message


def test_episodes_that_do_not_chain_are_reported():
    gap_without_start = episodes(
        "1,01/04/2024,S,C2,N1,U1,PR1,10/06/2024,E13,,,,", "1,20/06/2024,P,C2,N1,U2,PR1,,,,,,"
    )
    (problem,) = check(gap_without_start)
    assert (problem.check, problem.line, problem.column, problem.expected) == (
        "episodes_chain",
        3,
        "RNE",
        "RNE S",
    )


@pytest.mark.parametrize(
    ("table", "text", "check_name", "column"),
    [
        (
            "missing.csv",
            "CHILD,DOB,MISSING,MIS_START,MIS_END\n1,01/01/2012,X,01/05/2024,\n",
            "missing_code",
            "MISSING",
        ),
        (
            "missing.csv",
            "CHILD,DOB,MISSING,MIS_START,MIS_END\n1,01/01/2012,M,01/05/2024,01/04/2024\n",
            "date_order",
            "MIS_END",
        ),
        (
            "oc3.csv",
            "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n9,01/01/2005,MAYBE,F1,S1\n",
            "in_touch",
            "IN_TOUCH",
        ),
        (
            "oc3.csv",
            "CHILD,DOB,IN_TOUCH,ACTIV,ACCOM\n9,01/01/2005,YES,F1,S3\n",
            "accommodation",
            "ACCOM",
        ),
        (
            "reviews.csv",
            "CHILD,DOB,REVIEW,REVIEW_CODE\n1,01/01/2012,01/05/2024,PN8\n",
            "review_code",
            "REVIEW_CODE",
        ),
        (
            "oc2.csv",
            "CHILD,DOB,SDQ_SCORE,CONVICTED,HEALTH_CHECK,IMMUNISATIONS\n1,01/01/2012,41,0,1,1\n",
            "sdq_score",
            "SDQ_SCORE",
        ),
    ],
)
def test_other_tables_codes_and_dates(table, text, check_name, column):
    tables = [
        read_csv_bytes("header.csv", HEADER.encode()),
        read_csv_bytes("episodes.csv", episodes(*GOOD).encode()),
        read_csv_bytes(table, text.encode()),
    ]
    (problem,) = read_extract(tables, date(2025, 3, 31))[1]
    assert (problem.check, problem.column, problem.line, problem.file) == (
        check_name,
        column,
        2,
        table,
    )


def test_a_child_twice_in_header_is_a_duplicate():
    header = HEADER + "1,1,01/01/2012,WBRI,,,\n"
    (problem,) = check(episodes(*GOOD), header=header)
    assert (problem.check, problem.file, problem.line) == ("duplicate", "header.csv", 4)


def test_the_fake_extract_is_read_whole_and_its_problems_reported(reference_data: Path):
    folder = reference_data / "ssda903_fake"
    tables = [read_csv_bytes(p.name, p.read_bytes()) for p in sorted(folder.glob("*.csv"))]
    extract, problems = read_extract(tables)
    assert extract.as_at == date(2018, 4, 1)  # its latest episode date
    assert {"Header", "Episodes", "Reviews", "OC3", "Missing", "SWEpisodes"} <= set(extract.tables)
    assert extract.row_count["Episodes"] == 5_050
    checks = {(p.table, p.check) for p in problems}
    assert {
        ("Episodes", "episodes_overlap"),
        ("Episodes", "episodes_chain"),
        ("Reviews", "after_as_at"),
        ("Reviews", "duplicate"),
        ("OC3", "activity"),
        ("OC3", "accommodation"),
    } <= checks
    assert sum(p.check == "episodes_overlap" for p in problems) == 72
    assert "DoLo" in extract.tables  # recognised, though not used for figures
    assert {p.value for p in problems if p.check == "activity"} == {"P3", "F3"}
    assert all(p.line and p.line >= 2 and p.child and p.table for p in problems)
    # Read as at mid-2025, the episodes still open in 2025-26 may not carry the withdrawn
    # placement codes; those that ended years ago may.
    _, later = read_extract(tables, date(2025, 6, 30))
    withdrawn = [p for p in later if p.check == "place"]
    assert {p.value for p in withdrawn} == {"H5", "P2", "Z1"}
    open_rows = {i + 2 for i, end in enumerate(extract.text("Episodes", "DEC")) if not end}
    assert {p.line for p in withdrawn} <= open_rows


def test_cells_padded_with_spaces_are_read_as_their_codes_and_dates():
    from loaders.csv_text import read_csv_columns
    from loaders.ssda903 import rows_for_store

    padded = episodes(" 1 ,01/04/2024 , S,C2 ,N1,U1,PR1, 10/06/2024,X1 ,,,,", *GOOD[1:])
    tables = [
        read_csv_columns("header.csv", HEADER.replace("1,1,", " 1,1,").encode()),
        read_csv_columns("episodes.csv", padded.encode()),
    ]
    extract, problems = read_extract(tables, date(2025, 3, 31))
    assert problems == []
    stored = rows_for_store(extract)["episodes"].to_pylist()
    extract.close()
    assert stored[0]["child"] == "1" and stored[0]["rne"] == "S" and stored[0]["rec"] == "X1"
    assert (stored[0]["decom"], stored[0]["dec"]) == (date(2024, 4, 1), date(2024, 6, 10))
    assert [row["ls"] for row in stored] == ["C2", "C2", "V3"]


def test_closing_an_extract_frees_its_staged_tables():
    from loaders import ssda903

    first, _ = read_extract([read_csv_bytes("header.csv", HEADER.encode())], date(2025, 3, 31))
    second, _ = read_extract([read_csv_bytes("header.csv", HEADER.encode())], date(2025, 3, 31))
    assert first.schema != second.schema  # each extract has its own tables

    def schemas() -> set[str]:
        rows = ssda903._STAGING[0].execute("SELECT schema_name FROM duckdb_schemas()").fetchall()
        return {name for (name,) in rows}

    assert {first.schema, second.schema} <= schemas()
    first.close()
    assert first.schema not in schemas() and second.schema in schemas()
    assert second.text("Header", "CHILD") == ["1", "2"]
    second.close()


def test_cells_padded_with_no_break_spaces_are_trimmed_too():
    """Excel exports pad with no-break spaces (here in a Windows-1252 file)."""
    from loaders.csv_text import read_csv_columns
    from loaders.ssda903 import rows_for_store

    reviews = b"CHILD,REVIEW,REVIEW_CODE\r\n1,01/05/2024,PN1\xa0\r\n2\xa0,02/05/2024\xa0,PN2\r\n"
    tables = [
        read_csv_columns("header.csv", HEADER.encode()),
        read_csv_columns("reviews.csv", reviews),
    ]
    extract, problems = read_extract(tables, date(2025, 3, 31))
    assert problems == []
    counted = rows_for_store(extract)["review_quarters"].to_pylist()
    extract.close()
    extract.close()  # closing twice is harmless
    assert counted == [{"quarter_end": date(2024, 6, 30), "review_code": "PN1", "reviews": 1},
                       {"quarter_end": date(2024, 6, 30), "review_code": "PN2", "reviews": 1}]  # fmt: skip
