"""Loading what the store already holds writes nothing, and says so.

The same figures in a file with a new SHA-256 (saved with semicolons, or
re-exported) are recognised figure by figure: a fact with the same cell,
release, value and symbol is not written again. Copies of a neighbour list are
compared link by link, whatever the types the layouts read them as.
"""

from __future__ import annotations

from conftest import load_texts, store_contents
from fixtures import ees
from test_neighbours import _long, _workbook

from loaders.load import load_paths
from loaders.store import undo_load


def test_the_same_file_saved_with_semicolons_writes_nothing(store):
    text = ees.placement_stability_2025()
    assert load_texts(store, {"stability.csv": text}).status == "committed"
    before = store_contents(store)
    report = load_texts(store, {"stability_semicolons.csv": text.replace(",", ";")})
    assert report.status == "nothing new"
    assert (
        report.preview is not None and report.preview.unchanged_facts == 8
    )  # 4 rows, count and share
    assert report.files[0].outcome == "already loaded"
    assert store_contents(store) == before  # not even a load logged


def test_a_dry_run_of_nothing_new_offers_no_commit(store):
    text = ees.placement_stability_2025()
    load_texts(store, {"stability.csv": text})
    report = load_texts(store, {"copy.csv": text.replace(",", ";")}, dry_run=True)
    assert report.status == "nothing new"


def test_a_file_with_anything_new_is_written_whole_so_undo_stays_exact(store):
    """Undoing the first load must not take away figures the second load also holds."""
    text = ees.placement_stability_2025()
    first = load_texts(store, {"stability.csv": text}).load_id
    revised = text.replace(
        "With 3 or more placements during the year,c,c",
        "With 3 or more placements during the year,3,9",
    )
    report = load_texts(store, {"revised.csv": revised})
    assert report.status == "committed" and report.facts_loaded == 8
    undo_load(store, first)
    assert store.execute("SELECT count(*) FROM current_facts").fetchone()[0] == 8


def test_the_same_neighbour_list_loaded_again_is_not_written(store):
    load_texts(store, {"statistical_neighbours_2025_long.csv": _long()})
    before = store_contents(store)
    report = load_texts(store, {"sn_again_2025.csv": _long().replace("\n", "\r\n")})
    assert report.status == "nothing new"
    assert store_contents(store) == before


def test_copies_of_a_neighbour_list_in_two_layouts_are_called_identical(store):
    """A workbook's ranks and codes are numbers, the CSV's text: still the same links."""
    header = "old_la_code,la_name,region,sn_rank,sn_old_la_code,sn_closeness,sn_la_name"
    lines = [header] + [
        f"101,Council 101,North,{rank},{110 + rank},Very close,Council {110 + rank}"
        for rank in range(1, 11)
    ]
    report = load_texts(
        store,
        {"sn_may_2025.xlsx": _workbook(), "sn_long_2025.csv": "\n".join(lines) + "\n"},
    )
    copy = next(f for f in report.files if f.name == "sn_long_2025.csv")
    assert copy.outcome == "not used"
    assert "identical to sn_may_2025.xlsx" in copy.message


def test_the_real_neighbour_files_are_identical_where_dfe_published_one_model_twice(
    store, reference_data
):
    """DfE's workbooks and their long CSVs hold the same 1,560 (2021) and 1,580 (2025) links."""
    report = load_paths(store, [reference_data / "dfe" / "statistical_neighbours"])
    messages = {f.name.rsplit("/", 1)[-1]: f.message for f in report.files}
    assert "identical to" in messages["statistical_neighbours_2021_long.csv"]
    assert "identical to" in messages["statistical_neighbours_2025_long.csv"]
    # The dashboard's wide copy really lacks five councils: said in numbers.
    assert (
        "50 of that file's 1,580 are not in this one"
        in messages["sn_model_2025_wide_from_CSC_dashboard.csv"]
    )
