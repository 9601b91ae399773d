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
    assert "measure_value: 1 error, column 'children_count', line 4" in result.stdout
    assert "thirty-five" not in result.stdout  # cell values only with --details, at a terminal
    assert "Nothing was loaded" in result.stdout


def _run_at_a_terminal(*args: str) -> tuple[int, str]:
    """The command with its output to a pseudo-terminal, as an analyst at a prompt sees it."""
    import os
    import pty

    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "loaders", *args], cwd=PROJECT, stdout=follower, stderr=follower
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closes when the command ends
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return process.wait(timeout=120), b"".join(chunks).decode("utf-8", "replace")


def test_details_show_cell_values_only_at_a_terminal(tmp_path: Path):
    bad = tmp_path / "bad.csv"
    bad.write_text(ees.number_and_rate_2025().replace(",35,", ",thirty-five,"))
    db = str(tmp_path / "s.duckdb")
    redirected = _run("load", str(bad), "--db", db, "--details")
    assert redirected.returncode == 1
    assert "thirty-five" not in redirected.stdout
    assert "--details shows problems only at a terminal" in redirected.stdout
    assert "line 4" in redirected.stdout  # the summary still says where
    code, shown = _run_at_a_terminal("load", str(bad), "--db", db, "--details")
    assert code == 1
    assert "line 4, column 'children_count'" in shown and "thirty-five" in shown
    assert "only at a terminal" not in shown


EXTRACT_EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
    "QX90417,01/04/2024,S,C2,N1,ZZ9,PR1,10/06/2024,X1,,,,\n"  # a placement code not valid
    "QX90417,10/06/2024,P,C2,N1,U1,PR0,,,,,,\n"
    "QX90418,31/02/2024,S,C2,N1,U1,PR1,,,,,,\n"  # a date that does not exist
)
EXTRACT_HEADER = "CHILD,SEX,DOB,ETHNIC\nQX90417,1,01/01/2012,WBRI\nQX90418,2,02/02/2013,WBRI\n"
EXTRACT_REVIEWS = (
    "CHILD,REVIEW,REVIEW_CODE\nQX90417,01/05/2024,PN1\nQX90418,07/05/2026,PN1\n"  # after as-at
)


def test_an_extracts_problems_are_counted_by_check_and_line_without_children_or_values(
    tmp_path: Path,
):
    folder = tmp_path / "extract"
    folder.mkdir()
    (folder / "episodes.csv").write_text(EXTRACT_EPISODES)
    (folder / "header.csv").write_text(EXTRACT_HEADER)
    (folder / "reviews.csv").write_text(EXTRACT_REVIEWS)
    args = ("load", str(folder), "--db", str(tmp_path / "s.duckdb"), "--la", "825")
    result = _run(*args, "--as-at", "2025-03-31", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for secret in ("QX9041", "ZZ9", "31/02/2024", "07/05/2026", "found '"):
        assert secret not in out, secret
    # Each count names the rule: the DfE's code, or a local one where the DfE has none.
    assert "[DfE 146] place: 1 warning (kept), column 'PLACE', line 2" in out
    assert "[DfE 141] date: 1 error (set aside), column 'DECOM', line 4" in out
    assert "[local CP05] after_as_at: 1 error (set aside), column 'REVIEW', line 3" in out
    assert "--details" in out  # says how to see more
    code, shown = _run_at_a_terminal(*args, "--as-at", "2025-03-31", "--dry-run", "--details")
    assert code == 0
    assert "QX90417" in shown and "ZZ9" in shown


def test_the_fake_extract_prints_no_child_or_value_by_default(reference_data: Path, tmp_path):
    import re

    from loaders.load import ExtractOptions, load_paths
    from loaders.store import open_store

    folder = reference_data / "ssda903_fake"
    con = open_store(tmp_path / "in_process.duckdb")
    report = load_paths(con, [folder], dry_run=True, extract=ExtractOptions("904"))
    con.close()
    named = {p.child for f in report.files for p in [*f.problems, *f.folded] if p.child}
    assert len(named) > 50
    # Six-digit ids cannot be mistaken for a line number (at most 12,583) or a count.
    long_ids = {child for child in named if len(child) >= 6}
    db = str(tmp_path / "s.duckdb")
    for extra in ((), ("--details",)):  # --details is refused: the output is not a terminal
        result = _run("load", str(folder), "--db", db, "--la", "904", "--dry-run", *extra)
        assert result.returncode == 0, result.stdout + result.stderr
        tokens = set(re.findall(r"[A-Za-z0-9]+", result.stdout))
        assert not tokens & long_ids
        assert "found '" not in result.stdout and "child " not in result.stdout
        # The 72 overlaps, by rule: the previous episode not ended (DfE 142), or ended
        # after this one starts (DfE 501).
        assert "[DfE 142] episodes_overlap: 10 warnings (kept)" in result.stdout
        assert "[DfE 501] episodes_overlap: 62 warnings (kept)" in result.stdout
        assert (
            "[local CP05] after_as_at: 5,038 errors (set aside), column 'REVIEW', lines 3, 4, 8"
            in (result.stdout)
        )
    assert "only at a terminal" in result.stdout
    dolo = next(line for line in result.stdout.splitlines() if "DoLo.csv" in line)
    assert "not used" in dolo and "the indicators do not use this table" in dolo


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


def test_a_store_the_app_is_serving_is_named_plainly_by_every_command_line(tmp_path: Path):
    """DuckDB lets one process write a file; the app holds it while it serves the store."""
    import time

    from loaders.store import open_store

    db = tmp_path / "served.duckdb"
    open_store(db).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]); "
            "print('holding', flush=True); time.sleep(120)",
            str(db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        commands = [
            ["loaders", "history", "--db", str(db)],
            ["loaders", "load", str(tmp_path / "nothing.csv"), "--db", str(db)],
            ["indicators", "show", "--db", str(db), "--la", "825"],
            ["exports", "pack", "--db", str(db), "--la", "825", "--out", str(tmp_path / "p.pptx")],
        ]
        for command in commands:
            started = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-m", *command], cwd=PROJECT, capture_output=True, text=True
            )
            said = result.stdout + result.stderr
            assert result.returncode == 1, said
            assert "the app is serving this store (it holds the write lock)" in said, said
            assert "load through the Data page" in said and "cp " in said, said
            assert "Traceback" not in said and "IO Error" not in said, said
            assert "Conflicting lock" not in said, said
            assert time.perf_counter() - started < 60
    finally:
        holder.kill()
        holder.wait()


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
