"""Statistical neighbour lists: workbook, wide CSV and long CSV layouts."""

from __future__ import annotations

import io

import openpyxl
import pytest
from conftest import load_texts, store_contents

pytestmark = pytest.mark.pure

LONG_HEADER = "old_la_code,la_name,region,sn_rank,sn_old_la_code,sn_closeness,sn_la_name"


def _long(codes=("101", "102", "103", "104", "105", "106", "107", "108", "109", "110", "111")):
    lines = [LONG_HEADER]
    for council in codes[:2]:
        others = [c for c in codes if c != council][:10]
        for rank, other in enumerate(others, start=1):
            band = "Very Close" if rank <= 3 else "Somewhat close"
            lines.append(f"{council},Council {council},North,{rank},{other},{band},Council {other}")
    return "\n".join(lines) + "\n"


def test_long_csv_keeps_model_rank_and_band(store):
    report = load_texts(store, {"statistical_neighbours_2025_long.csv": _long()})
    assert report.status == "committed"
    rows = store.execute(
        "SELECT model, sn_rank, neighbour_old_la_code, closeness FROM current_neighbours "
        "WHERE old_la_code = '101' ORDER BY sn_rank"
    ).fetchall()
    assert len(rows) == 10
    assert rows[0] == ("2025", 1, "102", "Very close")
    assert rows[9][3] == "Somewhat close"


def test_model_year_can_be_given_when_the_name_has_none(store):
    report = load_texts(store, {"neighbours.csv": _long()})
    assert report.status == "rejected"
    assert report.files[0].problems[0].check == "neighbour_model"
    report = load_texts(store, {"neighbours.csv": _long()}, neighbour_model="2021")
    assert report.status == "committed"
    assert store.execute("SELECT DISTINCT model FROM current_neighbours").fetchall() == [("2021",)]


def test_council_with_no_neighbours_in_a_model_is_skipped_not_an_error(store):
    text = _long() + "".join(f"942,Cumberland,North West,{r},,-,\n" for r in range(1, 11))
    report = load_texts(store, {"sn_2021.csv": text})
    assert report.status == "committed"
    assert (
        store.execute(
            "SELECT count(*) FROM current_neighbours WHERE old_la_code = '942'"
        ).fetchone()[0]
        == 0
    )


def test_a_council_listed_as_its_own_neighbour_is_refused(store):
    text = _long().replace("101,Council 101,North,1,102", "101,Council 101,North,1,101")
    before = store_contents(store)
    report = load_texts(store, {"sn_2025.csv": text})
    assert report.status == "rejected"
    problem = report.files[0].problems[0]
    assert (problem.check, problem.line, problem.column) == ("self_neighbour", 2, "sn_old_la_code")
    assert store_contents(store) == before


def test_wide_csv_layout(store):
    header = "old_la_code,la_name,region_ind,region_name," + ",".join(
        f"SN_{r},SN_{r}P" for r in range(1, 11)
    )
    row = "101,Council 101,3,North," + ",".join(f"{110 + r},Close " for r in range(1, 11))
    report = load_texts(store, {"sn_model_2025_wide.csv": f"\ufeff{header}\n{row}\n"})
    assert report.files[0].layout == "wide CSV"
    assert store.execute(
        "SELECT sn_rank, neighbour_old_la_code, closeness FROM current_neighbours ORDER BY sn_rank"
    ).fetchall()[0] == (1, "111", "Close")


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "LA SN Groups"
    sheet.append(["A", "B", "C", "D", "E"])
    sheet.append([1, 2, 3, 4, 5])
    header = ["LA num", "LA Name", "LA number", "GOInd", "GOReg"]
    for rank in range(1, 11):
        header += [f"SN{rank}", "SNP"]
    sheet.append(header)
    sheet.append(
        [101, "Council 101", 101, 3, "North"]
        + [x for r in range(1, 11) for x in (110 + r, "Very close")]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_dfe_workbook_layout(store):
    report = load_texts(store, {"sn_may_2025.xlsx": _workbook()})
    assert report.status == "committed"
    assert report.files[0].layout == "DfE workbook"
    assert store.execute("SELECT count(*) FROM current_neighbours").fetchone()[0] == 10


def test_a_newer_list_for_the_same_model_replaces_the_older_one(store):
    load_texts(store, {"sn_2025.csv": _long()})
    changed = _long().replace(
        "101,Council 101,North,1,102,Very Close,Council 102",
        "101,Council 101,North,1,111,Very Close,Council 111",
    )
    changed = changed.replace(
        "101,Council 101,North,10,111,Somewhat close,Council 111",
        "101,Council 101,North,10,102,Somewhat close,Council 102",
    )
    assert load_texts(store, {"sn_2025_revised.csv": changed}).status == "committed"
    assert store.execute(
        "SELECT neighbour_old_la_code FROM current_neighbours WHERE old_la_code = '101' "
        "AND sn_rank = 1"
    ).fetchone() == ("111",)
    # The older list is still in the store (so undoing the newer load restores it).
    assert (
        store.execute("SELECT count(DISTINCT load_id) FROM statistical_neighbours").fetchone()[0]
        == 2
    )
