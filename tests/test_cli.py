"""The command line: load files, folders and zips; print history."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from conftest import PROJECT
from fixtures import ees


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "loaders", *args], cwd=PROJECT, capture_output=True, text=True
    )


def test_load_a_release_zip_then_history(tmp_path: Path):
    archive = tmp_path / "release.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("data/cla_number_and_rate_per_10k_children.csv", ees.number_and_rate_2025())
        zf.writestr("data/la_cla_placement_stability.csv", ees.placement_stability_2025())
        zf.writestr("data/school_workforce.csv", ees.unrelated_publication())
        zf.writestr("data-guidance/data-guidance.txt", "notes")
    db = tmp_path / "store.duckdb"
    result = _run("load", str(archive), "--db", str(db), "--user", "analyst")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "loaded    " in result.stdout
    assert "as cla_number_and_rate (2025 harmonised), release 2025" in result.stdout
    assert "not used  " in result.stdout and "fte_teachers" in result.stdout
    assert "Committed load 1" in result.stdout

    history = _run("history", "--db", str(db), "--files")
    assert history.returncode == 0
    assert "load   1" in history.stdout and "analyst" in history.stdout
    assert "la_cla_placement_stability.csv [loaded]" in history.stdout


def test_rejected_file_exits_non_zero_and_names_line_and_column(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text(ees.number_and_rate_2025().replace(",35,", ",thirty-five,"))
    result = _run("load", str(bad), "--db", str(tmp_path / "s.duckdb"))
    assert result.returncode == 1
    assert "REJECTED" in result.stdout
    assert "line 4, column 'children_count'" in result.stdout
    assert "thirty-five" in result.stdout
    assert "Nothing was loaded" in result.stdout


def test_dry_run_writes_nothing(tmp_path: Path):
    good = tmp_path / "good.csv"
    good.write_text(ees.number_and_rate_2025())
    db = tmp_path / "s.duckdb"
    result = _run("load", str(good), "--db", str(db), "--dry-run")
    assert "Dry run" in result.stdout
    assert "No loads yet." in _run("history", "--db", str(db)).stdout


def test_zip_with_unsafe_path_is_refused(tmp_path: Path):
    archive = tmp_path / "evil.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../etc/passwd.csv", "a,b\n1,2\n")
    result = _run("load", str(archive), "--db", str(tmp_path / "s.duckdb"))
    assert result.returncode == 1
    assert "unsafe path" in result.stdout


def test_dry_run_previews_revisions_and_undo_restores(tmp_path: Path):
    db = tmp_path / "s.duckdb"
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(ees.number_and_rate_2025(england_2024=83530))
    second.write_text(ees.number_and_rate_2025(england_2024=83999))
    assert _run("load", str(first), "--db", str(db)).returncode == 0
    preview = _run("load", str(second), "--db", str(db), "--dry-run").stdout
    assert "1 revised" in preview
    assert "England" in preview and "83,530 -> 83,999" in preview
    assert _run("load", str(second), "--db", str(db)).returncode == 0
    undone = _run("undo", "2", "--db", str(db))
    assert "Load 2 undone (logged as load 3)" in undone.stdout
    history = _run("history", "--db", str(db)).stdout
    assert "undone by load 3" in history
    assert _run("undo", "3", "--db", str(db)).returncode == 1  # an undo is not undone


def test_region_loads_each_council_folder_as_its_own_load(tmp_path: Path):
    from fixtures.ssda903 import extract_files

    def windows(files: dict[str, str]) -> dict[str, str]:  # other bytes, the same rows
        return {name: text.replace("\n", "\r\n") for name, text in files.items()}

    region = tmp_path / "region"
    for council, files in {
        "825": extract_files(),
        "826": windows(extract_files()),
        # No Episodes table: refused, and the other councils still load.
        "827": {"header.csv": extract_files()["header.csv"].replace("WBRI", "WIRI")},
    }.items():
        (region / council).mkdir(parents=True)
        for name, text in files.items():
            (region / council / name).write_text(text)
    (region / "notes").mkdir()
    db = tmp_path / "region.duckdb"
    checked = _run("region", str(region), "--db", str(db), "--as-at", "2025-03-31", "--dry-run")
    assert "Region: 2 dry run, 1 rejected." in checked.stdout, checked.stdout + checked.stderr
    assert "No loads yet." in _run("history", "--db", str(db)).stdout  # nothing written
    result = _run("region", str(region), "--db", str(db), "--as-at", "2025-03-31")
    assert result.returncode == 1, result.stdout + result.stderr  # one council refused
    assert "skipped notes/: not a three-digit council code" in result.stdout
    assert "council 825" in result.stdout and "Committed load 1" in result.stdout
    assert "council 826" in result.stdout and "Committed load 2" in result.stdout
    assert "council 827" in result.stdout and "needs its Episodes table" in result.stdout
    assert "Region: 2 committed, 1 rejected." in result.stdout
    assert "as SSDA903 Episodes: " in result.stdout and " rows kept, " in result.stdout
    assert "(None)" not in result.stdout
    history = _run("history", "--db", str(db)).stdout
    assert "load   1" in history and "load   2" in history and "load   3" not in history


def test_region_says_so_for_an_empty_council_folder_and_a_date_in_the_wrong_form(tmp_path: Path):
    region = tmp_path / "region"
    (region / "828").mkdir(parents=True)
    db = tmp_path / "region.duckdb"
    wrong_date = _run("region", str(region), "--db", str(db), "--as-at", "31/03/2025")
    assert wrong_date.returncode == 2
    assert "expected a date as YYYY-MM-DD, got '31/03/2025'" in wrong_date.stderr
    empty = _run("region", str(region), "--db", str(db))
    assert empty.returncode == 0, empty.stdout + empty.stderr
    assert "council 828" in empty.stdout and "No files to load here." in empty.stdout
    assert "No loads yet." in _run("history", "--db", str(db)).stdout
    missing = _run("region", str(tmp_path / "nowhere"), "--db", str(db))
    assert missing.returncode == 1 and "is not a folder" in missing.stdout


def test_a_database_that_cannot_be_opened_is_named_without_a_traceback(tmp_path: Path):
    blocked = tmp_path / "a file, not a folder"
    blocked.write_text("x")
    (tmp_path / "region" / "825").mkdir(parents=True)
    for command in (["history"], ["region", str(tmp_path / "region")], ["load", str(tmp_path)]):
        result = _run(*command, "--db", str(blocked / "store.duckdb"))
        assert result.returncode == 1
        assert "Cannot open the database" in result.stderr and "Traceback" not in result.stderr


def test_a_damaged_zip_is_refused_without_a_traceback(tmp_path: Path):
    from test_hostile_files import DAMAGE, damaged_zip

    db = tmp_path / "s.duckdb"
    for kind in DAMAGE:
        archive = tmp_path / f"{kind.replace(' ', '_')}.zip"
        archive.write_bytes(damaged_zip(kind))
        result = _run("load", str(archive), "--db", str(db))
        output = result.stdout + result.stderr
        assert result.returncode == 1, output
        assert "Traceback" not in output
        assert f"The zip {archive} is damaged: " in result.stdout
        assert "download it again" in result.stdout
        assert "Nothing was loaded" in result.stdout
    assert "No loads yet." in _run("history", "--db", str(db)).stdout


def test_an_extract_is_one_unit_and_a_table_it_lacks_is_named(tmp_path: Path):
    from fixtures.ssda903 import extract_files

    whole, without_oc3 = tmp_path / "whole", tmp_path / "without_oc3"
    for folder, files in (
        (whole, extract_files()),
        (without_oc3, {k: v for k, v in extract_files().items() if k != "oc3.csv"}),
    ):
        folder.mkdir()
        for name, text in files.items():
            (folder / name).write_text(text)
    db = str(tmp_path / "s.duckdb")
    first = _run("load", str(whole), "--db", db, "--la", "825", "--as-at", "2025-03-31")
    assert first.returncode == 0, first.stdout + first.stderr
    again = _run("load", str(whole), "--db", db, "--la", "825", "--as-at", "2025-03-31")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "is already loaded (load 1); nothing to write" in again.stdout
    assert "Nothing new to load." in again.stdout
    checked = _run(
        "load", str(without_oc3), "--db", db, "--la", "825", "--as-at", "2025-06-30", "--dry-run"
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert (
        "This extract has no OC3 table; the extract as at 31/03/2025 had one: care leavers' "
        "figures for the quarters it covers will not be available." in checked.stdout
    )
