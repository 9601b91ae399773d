"""Indicator tables kept on disk between processes (indicators/derived.py).

The same store contents and code must give the same tables whether computed or
read back: every cell and every column type. A change to the contents is a new
key (never a stale table), a copy of the same contents is the same key, and a
cache that cannot be read or written only means the table is computed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from indicators import derived
from indicators.compare import compare_all
from indicators.compute import all_values
from indicators.scorecard import neighbour_lists


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "derived"
    monkeypatch.setenv(derived.CACHE_ENV, str(folder))
    return folder


def counted(compute):
    """`compute` with a count of its calls."""
    calls = []

    def wrapped() -> pd.DataFrame:
        calls.append(1)
        return compute()

    return wrapped, calls


def test_a_table_read_back_is_identical_to_the_one_computed(demo_db, cache):
    con = duckdb.connect(str(demo_db), read_only=True)
    key = derived.content_key(con)
    values = all_values(con)
    comparisons = compare_all(values, neighbour_lists(con), None, "mean")
    for name, table in (("values", values), ("comparisons", comparisons)):
        compute, calls = counted(lambda table=table: table)
        first = derived.kept(name, key, compute)
        again = derived.kept(name, key, compute)
        assert len(calls) == 1, "the second call reads the kept table"
        assert list(again.dtypes) == list(table.dtypes)
        pd.testing.assert_frame_equal(again, table, check_exact=True)
        pd.testing.assert_frame_equal(first, table, check_exact=True)
    assert sorted(p.name.split("-")[0] for p in cache.glob("*.arrow")) == ["comparisons", "values"]
    con.close()


def test_the_key_is_the_content_not_the_file(demo_db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copyfile(demo_db, copy)
    with duckdb.connect(str(demo_db), read_only=True) as con:
        original = derived.content_key(con)
    with duckdb.connect(str(copy)) as con:
        assert derived.content_key(con) == original, "a copy of the same store"
        con.execute(
            "UPDATE facts SET value = value + 1 WHERE rowid = (SELECT min(rowid) FROM facts)"
        )
        changed_fact = derived.content_key(con)
        assert changed_fact != original, "one figure changed"
        con.execute("DELETE FROM statistical_neighbours WHERE rowid = 0")
        no_link = derived.content_key(con)
        assert no_link not in {original, changed_fact}, "a neighbour link gone"
        # A council's extract is content too: the same facts and load log with one
        # child's episode ending a day later give other quarterly figures.
        con.execute(
            "UPDATE extract_episodes SET dec = dec + 1 "
            "WHERE rowid = (SELECT min(rowid) FROM extract_episodes WHERE dec IS NOT NULL)"
        )
        assert derived.content_key(con) not in {original, changed_fact, no_link}, "an episode"


def test_the_key_changes_with_the_code(demo_db, monkeypatch):
    with duckdb.connect(str(demo_db), read_only=True) as con:
        before = derived.content_key(con)
        monkeypatch.setattr(derived, "_code_key", "another version of the indicators")
        assert derived.content_key(con) != before


def test_an_unreadable_file_is_computed_again_and_replaced(cache):
    table = pd.DataFrame({"indicator_id": ["a", "b"], "value": [1.5, None]})
    cache.mkdir()
    (cache / "values-k1.arrow").write_bytes(b"not an arrow file")
    compute, calls = counted(lambda: table)
    pd.testing.assert_frame_equal(derived.kept("values", "k1", compute), table)
    pd.testing.assert_frame_equal(derived.kept("values", "k1", compute), table)
    assert len(calls) == 1
    assert not list(cache.glob("*.tmp")), "no temporary file left behind"


def test_a_folder_that_cannot_be_written_only_means_computing(tmp_path, monkeypatch):
    blocker = tmp_path / "a file, not a folder"
    blocker.write_text("")
    monkeypatch.setenv(derived.CACHE_ENV, str(blocker / "derived"))
    table = pd.DataFrame({"value": [1.0]})
    compute, calls = counted(lambda: table)
    for _ in range(2):
        pd.testing.assert_frame_equal(derived.kept("values", "k", compute), table)
    assert len(calls) == 2


def test_turned_off_it_computes_every_time_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv(derived.CACHE_ENV, "off")
    monkeypatch.setattr(derived, "DEFAULT_FOLDER", tmp_path / "never")
    compute, calls = counted(lambda: pd.DataFrame({"value": [2.0]}))
    derived.kept("values", "k", compute)
    derived.kept("values", "k", compute)
    assert len(calls) == 2 and not (tmp_path / "never").exists()


def test_only_the_newest_files_of_a_table_are_kept(cache):
    for number in range(derived.KEEP_PER_TABLE + 3):
        derived.kept("values", f"k{number}", lambda: pd.DataFrame({"value": [1.0]}))
    assert len(list(cache.glob("values-*.arrow"))) == derived.KEEP_PER_TABLE


def test_a_fingerprint_follows_every_cell_type_and_label_and_not_the_object():
    frame = pd.DataFrame({"area_code": ["172", "151"], "value": [1.0, 2.0]})
    same = pd.DataFrame({"area_code": ["172", "151"], "value": [1.0, 2.0]})
    assert derived.fingerprint(frame) == derived.fingerprint(same)
    changed_cell = frame.assign(value=[1.0, 2.5])
    changed_type = frame.assign(value=[1, 2])
    changed_label = frame.set_axis([5, 6])
    changed_order = frame.iloc[::-1].reset_index(drop=True)
    found = {
        derived.fingerprint(other)
        for other in (frame, changed_cell, changed_type, changed_label, changed_order)
    }
    assert len(found) == 5


def test_a_fingerprint_is_kept_beside_its_table_and_read_back(cache):
    frame = pd.DataFrame({"value": [1.0, 2.0]})
    derived.kept("comparisons", "k", lambda: frame)
    first = derived.kept_fingerprint("comparisons", "k", frame)
    assert first == derived.fingerprint(frame)
    kept = cache / "comparisons-k.fingerprint"
    assert kept.read_text(encoding="ascii") == first
    # Read back, not computed: another process serving the same contents hashes nothing.
    kept.write_text("f" * derived.FINGERPRINT_LENGTH, encoding="ascii")
    assert derived.kept_fingerprint("comparisons", "k", frame) == "f" * derived.FINGERPRINT_LENGTH
    # A damaged file is computed again and replaced.
    kept.write_text("short", encoding="ascii")
    assert derived.kept_fingerprint("comparisons", "k", frame) == first
    assert kept.read_text(encoding="ascii") == first


def test_old_fingerprints_go_with_their_tables(cache):
    for number in range(derived.KEEP_PER_TABLE + 3):
        table = pd.DataFrame({"value": [float(number)]})
        derived.kept("values", f"k{number}", lambda table=table: table)
        derived.kept_fingerprint("values", f"k{number}", table)
    kept = {p.stem for p in cache.glob("values-*.arrow")}
    assert {p.stem for p in cache.glob("values-*.fingerprint")} == kept
    assert len(kept) == derived.KEEP_PER_TABLE


def test_a_table_kept_as_read_back_is_the_same_computed_or_read(demo_db, cache):
    """A council's quarterly figures (built with Python objects in their columns) are kept
    as they read back: the process that computes them and the next one that reads them
    see the same table, cell for cell and type for type, and the same page text."""
    from indicators.local import councils_with_own_figures, quarter_table, quarterly_figures

    con = duckdb.connect(str(demo_db), read_only=True)
    assert councils_with_own_figures(con) == ["140"]
    built = quarterly_figures(con, "140")
    assert built["symbol"].eq("c").any()  # some cells withheld
    compute, calls = counted(lambda: built)
    first = derived.kept("quarterly", "k", compute, as_read_back=True)
    again = derived.kept("quarterly", "k", compute, as_read_back=True)
    assert len(calls) == 1
    assert list(again.dtypes) == list(first.dtypes)
    pd.testing.assert_frame_equal(again, first, check_exact=True)
    # What a councillor reads is the same as from the table as built.
    pd.testing.assert_frame_equal(quarter_table(again), quarter_table(built), check_exact=True)
    con.close()


def test_a_published_stores_key_is_handed_over_for_that_file_and_this_code(
    cache, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    store = tmp_path / "store-v7-abc.duckdb"
    assert derived.kept_store_key(store) is None  # nothing handed yet: readers compute
    key = "0123456789abcdef0123456789abcdef"
    assert derived.keep_store_key(store, key)
    assert derived.kept_store_key(store) == key
    assert derived.kept_store_key(tmp_path / "store-v8-def.duckdb") is None  # another file
    # A reader running other code (mid-upgrade) computes its own.
    monkeypatch.setattr(derived, "_code_key", "another version of the code")
    assert derived.kept_store_key(store) is None


def test_a_damaged_handed_key_is_not_used(cache, tmp_path: Path):
    store = tmp_path / "store-v7-abc.duckdb"
    assert derived.keep_store_key(store, "0123456789abcdef0123456789abcdef")
    (handed,) = cache.glob(f"{derived.STORE_KEY_PREFIX}*.key")
    handed.write_text(handed.read_text()[:-5])  # cut short
    assert derived.kept_store_key(store) is None
    handed.write_bytes(b"\xff\xfe")
    assert derived.kept_store_key(store) is None


def test_only_the_newest_handed_keys_are_kept(cache, tmp_path: Path):
    import os

    for version in range(derived.KEEP_PER_TABLE + 3):
        store = tmp_path / f"store-v{version}-x.duckdb"
        assert derived.keep_store_key(store, f"{version:032d}")
        handed = cache / f"{derived.STORE_KEY_PREFIX}{store.name}.key"
        os.utime(handed, (version, version))  # mtimes in order, whatever the clock's grain
    left = sorted(cache.glob(f"{derived.STORE_KEY_PREFIX}*.key"))
    assert len(left) == derived.KEEP_PER_TABLE
    assert derived.kept_store_key(tmp_path / "store-v0-x.duckdb") is None
    newest = derived.KEEP_PER_TABLE + 2
    assert derived.kept_store_key(tmp_path / f"store-v{newest}-x.duckdb") == f"{newest:032d}"


def test_turned_off_no_key_is_handed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(derived.CACHE_ENV, "off")
    store = tmp_path / "store-v7-abc.duckdb"
    assert not derived.keep_store_key(store, "0123456789abcdef0123456789abcdef")
    assert derived.kept_store_key(store) is None
