"""A file cannot rename a council, and demo and real data never mix (loaders/identity.py)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from conftest import PROJECT, load_texts, store_contents
from fixtures import ees
from fixtures import quarterly as q
from fixtures.ssda903 import extract_files

from loaders.load import ExtractOptions
from loaders.store import open_store

TODAY = date(2026, 11, 23)
BUCKS = ("825", "Buckinghamshire", "E06000060")
RUTLAND = ("857", "Rutland", "E06000017")
ALDERMOUTH = "Aldermôuth-sur-Mer Borough Council"
HYPERLINK = '=HYPERLINK("http://x","y")'


def errors(report) -> list:
    return [p for p in report.problems if p.severity == "error"]


def committed(report) -> None:
    assert report.status == "committed", [p.describe() for p in report.problems][:5]


def a_return(code: str, name: str, ons: str, region: str = "E12000008,South East") -> str:
    """A one-line quarterly return for the council given (name quoted as a spreadsheet would)."""
    geography = f"Local authority,E92000001,England,{region},{code},{ees.csv_cell(name)},{ons}"
    return q.quarterly_return(q.row("cla_count", "530", geography=geography))


# ------------------------------------------------------------ names as text
@pytest.mark.parametrize(
    "name",
    [
        HYPERLINK,
        "+44 Buckinghamshire",
        "@SUM(A1)",
        "-Buckinghamshire",
        "<b>Buckinghamshire</b>",
        "Buckinghamshire{x}",
        "[Buckinghamshire](http://x)",
        "Buckingham$hire$",
        "Bucking\x07hamshire",
        "Buckingham\u202eshire",
    ],
)
def test_a_formula_or_markup_name_in_a_dfe_file_is_refused(store, name):
    before = store_contents(store)
    report = load_texts(store, {"la.csv": ees.councils_2025([RUTLAND, ("825", name, BUCKS[2])])})
    assert report.status == "rejected"
    [problem] = errors(report)
    assert (problem.check, problem.line, problem.column) == ("unsafe_text", 3, "la_name")
    assert problem.value == name
    assert store_contents(store) == before


def test_a_formula_region_name_is_refused_too(store):
    text = ees.councils_2025([RUTLAND], region=("E12000004", "=cmd|' /C calc'!A0"))
    report = load_texts(store, {"la.csv": text})
    assert report.status == "rejected"
    [problem] = errors(report)
    assert (problem.line, problem.column) == (2, "region_name")


def test_a_formula_name_in_a_quarterly_return_is_refused(store):
    before = store_contents(store)
    report = load_texts(store, {"q.csv": a_return("825", HYPERLINK, BUCKS[2])}, today=TODAY)
    assert report.status == "rejected"
    [problem] = errors(report)
    assert (problem.check, problem.line, problem.column, problem.value) == (
        "unsafe_text",
        2,
        "la_name",
        HYPERLINK,
    )
    assert store_contents(store) == before


def test_names_with_ordinary_punctuation_are_not_refused(store):
    names = [
        ("801", "Bristol, City of", "E06000023"),
        ("342", "St. Helens", "E08000013"),
        ("808", "Stockton-on-Tees", "E06000004"),
        ("839", "Bournemouth, Christchurch and Poole", "E06000058"),
        ("835", "Dorset (Pre LG)", "E10000009"),
        ("999", "King's Lynn & West Norfolk", "E07000146"),
    ]
    committed(load_texts(store, {"la.csv": ees.councils_2025(names)}))


# ------------------------------------------------------- one name per code
def test_a_file_cannot_rename_a_council_in_the_store(store):
    committed(load_texts(store, {"first.csv": ees.councils_2025([BUCKS, RUTLAND])}))
    before = store_contents(store)
    renamed = ees.councils_2025([RUTLAND, ("825", ALDERMOUTH, BUCKS[2])], year=2024)
    report = load_texts(store, {"renamed.csv": renamed})
    assert report.status == "rejected"
    [problem] = errors(report)
    assert (problem.check, problem.file, problem.line, problem.column) == (
        "council_name",
        "renamed.csv",
        3,
        "la_name",
    )
    assert problem.value == ALDERMOUTH
    assert "Code 825 is 'Buckinghamshire' in the store" in problem.message
    assert f"this file calls it '{ALDERMOUTH}'" in problem.message
    assert "line 3, column 'la_name'" in problem.describe()
    assert store_contents(store) == before


def test_a_quarterly_return_cannot_rename_a_council_either(store):
    committed(load_texts(store, {"first.csv": ees.councils_2025([BUCKS])}))
    before = store_contents(store)
    report = load_texts(store, {"q.csv": a_return("825", ALDERMOUTH, BUCKS[2])}, today=TODAY)
    assert report.status == "rejected"
    [problem] = errors(report)
    assert (problem.check, problem.line, problem.column) == ("council_name", 2, "la_name")
    assert "'Buckinghamshire' in the store" in problem.message and ALDERMOUTH in problem.message
    assert store_contents(store) == before


def test_two_files_of_one_batch_must_agree_on_a_name(store):
    report = load_texts(
        store,
        {
            "a.csv": ees.councils_2025([BUCKS]),
            "b.csv": ees.councils_2025([("825", ALDERMOUTH, BUCKS[2])], year=2024),
        },
    )
    assert report.status == "rejected"
    [problem] = errors(report)
    assert problem.file == "b.csv"
    assert "'Buckinghamshire' in a.csv" in problem.message and ALDERMOUTH in problem.message
    assert store.execute("SELECT count(*) FROM facts").fetchone() == (0,)


def test_one_file_must_agree_with_itself(store):
    earlier_year = ees.councils_2025([("825", ALDERMOUTH, BUCKS[2])], year=2024)
    text = ees.councils_2025([BUCKS, RUTLAND]) + earlier_year.split("\n", 1)[1]
    report = load_texts(store, {"la.csv": text})
    assert report.status == "rejected"
    [problem] = errors(report)
    assert problem.line == 4
    assert "'Buckinghamshire' on line 2 of this file" in problem.message


def _neighbours(name_825: str) -> str:
    lines = ["old_la_code,la_name,region,sn_rank,sn_old_la_code,sn_closeness,sn_la_name"]
    others = ["801", "802", "803", "805", "806", "807", "808", "810", "811", "812"]
    lines += [
        f"825,{ees.csv_cell(name_825)},South East,{rank},{code},Close,Council {code}"
        for rank, code in enumerate(others, start=1)
    ]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("name", "check"), [(ALDERMOUTH, "council_name"), (HYPERLINK, "unsafe_text")]
)
def test_a_neighbour_list_cannot_rename_a_council_either(store, name, check):
    committed(load_texts(store, {"first.csv": ees.councils_2025([BUCKS])}))
    before = store_contents(store)
    report = load_texts(store, {"sn_2025.csv": _neighbours(name)})
    assert report.status == "rejected"
    assert {p.check for p in errors(report)} == {check}
    problem = errors(report)[0]  # a formula: every line it is on; a name: where first seen
    assert (problem.line, problem.column, problem.value) == (2, "la_name", name)
    assert store_contents(store) == before
    committed(load_texts(store, {"sn_2025.csv": _neighbours("Buckinghamshire Council")}))


def test_a_region_cannot_be_renamed(store):
    committed(load_texts(store, {"first.csv": ees.councils_2025([RUTLAND])}))
    text = ees.councils_2025([RUTLAND], year=2024, region=("E12000004", "Aldermouth Shire"))
    report = load_texts(store, {"second.csv": text})
    assert report.status == "rejected"
    [problem] = errors(report)
    assert (problem.check, problem.column) == ("region_name", "region_name")
    assert "'East Midlands' in the store" in problem.message


def test_the_ways_dfe_has_written_the_same_council_are_accepted(store):
    first = ees.councils_2025(
        [
            ("801", "Bristol, City of", "E06000023"),
            ("810", "Kingston upon Hull, City of", "E06000010"),
            ("884", "Herefordshire, County of", "E06000019"),
            ("342", "St. Helens", "E08000013"),
            ("882", "Southend-on-Sea", "E06000033"),
            ("840", "County Durham", "E06000047"),
            ("822", "Bedford", "E06000055"),
            ("835", "Dorset", "E10000009"),
            ("928", "Northamptonshire", "E10000021"),
            ("825", "Buckinghamshire", "E10000002"),
        ],
        year=2020,
        region=("E12000003", "Yorkshire and The Humber"),
    )
    committed(load_texts(store, {"2020.csv": first}))
    second = ees.councils_2025(
        [
            ("801", "Bristol", "E06000023"),
            ("810", "Kingston Upon Hull, City of", "E06000010"),
            ("884", "Herefordshire", "E06000019"),
            ("342", "St Helens", "E08000013"),
            ("882", "Southend on Sea", "E06000033"),
            ("840", "Durham", "E06000047"),
            ("822", "Bedford Borough", "E06000055"),
            ("835", "Dorset (Pre LG)", "E10000009"),
            ("940", "North Northamptonshire", "E06000061"),
            ("941", "West Northamptonshire", "E06000062"),
            ("838", "Dorset", "E06000059"),
            ("839", "Bournemouth, Christchurch and Poole", "E06000058"),
            ("825", "Buckinghamshire", "E06000060"),
        ],
        year=2021,
        region=("E12000003", "Yorkshire and the Humber"),
    )
    report = load_texts(store, {"2021.csv": second})
    committed(report)
    [note] = [p for p in report.problems if p.check == "ons_code"]
    assert note.severity == "info"
    assert "E10000002" in note.message and "E06000060" in note.message


def test_an_ons_code_cannot_move_to_another_council(store):
    committed(
        load_texts(store, {"first.csv": ees.councils_2025([("801", "Bristol", "E06000023")])})
    )
    before = store_contents(store)
    report = load_texts(store, {"second.csv": ees.councils_2025([("825", BUCKS[1], "E06000023")])})
    assert report.status == "rejected"
    [problem] = errors(report)
    assert (problem.check, problem.column, problem.value) == (
        "ons_code",
        "new_la_code",
        "E06000023",
    )
    assert "801" in problem.message and "Bristol" in problem.message
    assert store_contents(store) == before


def test_the_councils_own_data_sets_are_named_as_the_loaders_name_them():
    from loaders import identity, quarterly

    own = {quarterly.QUARTERLY_DATASET, quarterly.LOCAL_DATASET, "ssda903"}
    assert own == identity.COUNCILS_OWN_DATASETS


def test_names_are_compared_after_generic_words_and_punctuation():
    from loaders.identity import same_name

    assert same_name("Bristol, City of", "Bristol")
    assert same_name("Royal Borough of Kingston upon Thames", "Kingston upon Thames")
    assert same_name("London Borough of Hackney", "Hackney Council")
    assert same_name("Brighton & Hove", "Brighton and Hove")
    assert same_name("Wigan Metropolitan Borough Council", "Wigan")
    assert same_name("Yorkshire and The Humber", "Yorkshire and the Humber")
    assert not same_name("Buckinghamshire", ALDERMOUTH)
    assert not same_name("Aldermouth", "Aldermôuth")  # an accent is a different name
    assert not same_name("North Northamptonshire", "West Northamptonshire")
    assert not same_name("Council", "Borough")


# --------------------------------------------------------- the demo store
@pytest.fixture
def demo_store(demo_db, tmp_path):
    path = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, path)
    con = open_store(path)
    yield con
    con.close()


def test_published_files_are_refused_by_the_demo_store(demo_store):
    before = store_contents(demo_store)
    for dry_run in (True, False):
        report = load_texts(demo_store, {"cla.csv": ees.number_and_rate_2025()}, dry_run=dry_run)
        assert report.status == "rejected"
        [problem] = errors(report)
        assert problem.check == "demo_store"
        assert "fictional demo councils" in problem.message
        assert "CP_DB=data/council.duckdb make run" in problem.message
        assert "--db data/council.duckdb" in problem.message
    assert store_contents(demo_store) == before


def test_neighbour_lists_are_published_data_too(demo_store):
    lines = ["old_la_code,la_name,region,sn_rank,sn_old_la_code,sn_closeness,sn_la_name"]
    lines += [f"172,Wyrebrook,North,{r},{100 + r},Close,Council {r}" for r in range(1, 11)]
    report = load_texts(demo_store, {"sn_2025.csv": "\n".join(lines) + "\n"})
    assert report.status == "rejected"
    assert errors(report)[0].check == "demo_store"


def test_a_return_for_a_demo_council_still_loads_into_the_demo_store(demo_store):
    committed(load_texts(demo_store, {"q.csv": q.quarterly_return()}, today=TODAY))


def test_a_return_for_a_council_the_demo_does_not_have_is_refused(demo_store):
    before = store_contents(demo_store)
    report = load_texts(demo_store, {"q.csv": a_return(*BUCKS)}, today=TODAY)
    assert report.status == "rejected"
    [problem] = errors(report)
    assert problem.check == "demo_store" and problem.value == "825"
    assert "fictional demo councils" in problem.message and "new store" in problem.message
    assert store_contents(demo_store) == before


def test_an_extract_must_be_for_a_demo_council_too(demo_store):
    as_at = date(2025, 3, 31)
    report = load_texts(demo_store, extract_files(), extract=ExtractOptions("825", as_at))
    assert report.status == "rejected"
    assert {p.check for p in errors(report)} == {"demo_store"}
    report = load_texts(
        demo_store, extract_files(), extract=ExtractOptions("172", as_at), dry_run=True
    )
    assert report.status == "dry run"


def test_the_command_line_refuses_published_files_for_the_demo_store(demo_db, tmp_path: Path):
    database = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, database)
    release = tmp_path / "cla_number_and_rate_per_10k_children.csv"
    release.write_text(ees.number_and_rate_2025())
    result = subprocess.run(
        [sys.executable, "-m", "loaders", "load", str(release), "--db", str(database)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "fictional demo councils" in result.stdout
    assert "--db data/council.duckdb" in result.stdout
    assert "Traceback" not in result.stderr


def test_the_places_of_facts_with_lines_are_worked_out_as_in_pandas():
    """`places_in_facts` takes a faster path when every fact knows its line: it gives the
    very frame (rows, order, index, dtypes) the pandas path gives, blanks, missing regions,
    unknown levels, repeated names and ties on one line included. (Only the text
    columns' missing-value marker may differ, which depends on the facts' own
    categories; the identity check reads the cells, never the dtypes.)"""
    import pandas as pd

    from loaders import identity

    text = pd.StringDtype(na_value=float("nan"))
    rows = [
        ("National", "E92000001", "England", None, None, None, 2),
        ("Regional", "E12000008", "South East", None, "E12000008", "South East", 3),
        ("Local authority", "825", "Buckinghamshire", "E06000060", "E12000008", "South East", 4),
        ("Local authority", "857", "Rutland", "", "E12000004", "East Midlands", 4),
        ("Local authority", "999", "  ", "E06000001", "E12000004", "", 6),
        ("Local authority", "", "Nameless", None, None, None, 7),
        ("Ward", "W1", "Somewhere", None, "E12000004", "East Midlands", 8),
        ("Local authority", "825", "Buckinghamshire Council", "E06000060", None, None, 9),
        ("Regional", "E12000008", "South East", None, "E12000008", "South East", 10),
    ]
    columns = ["geographic_level", "area_code", "area_name", "new_la_code"]
    columns += ["region_code", "region_name", "line"]
    distinct = pd.DataFrame(rows, columns=columns)
    for column in columns[:-1]:
        distinct[column] = distinct[column].astype(text).astype("category")
    distinct["line"] = distinct["line"].astype("int32")

    fast = identity._places_at_first_lines(distinct)
    slow = identity._places_of(distinct)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True, check_dtype=False)
    assert list(fast["name"]) == [
        "England",
        "South East",
        "Buckinghamshire",
        "Rutland",
        "East Midlands",
        "Buckinghamshire Council",
    ]
