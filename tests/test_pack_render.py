"""The meeting pack drawn by LibreOffice, slide by slide, for a person to look at.

Skipped, with the reason, when LibreOffice is not installed (`make test` tries to
install it). The pictures land in test-artifacts/pack_<store>-<n>.png. The real
packs are the ones the issue names: stability and care leavers for Buckinghamshire
(825) and for Rutland (857), whose small numbers leave many figures suppressed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ARTIFACTS

from exports.pack import PackRequest, latest_rows, pack_from_store
from indicators.catalogue import grouping
from indicators.compare import compare_all
from indicators.compute import all_values
from indicators.scorecard import neighbour_lists
from loaders.store import open_store

SOFFICE = shutil.which("soffice")
PDFTOPPM = shutil.which("pdftoppm")
IDS = [*grouping("lga").theme("stability").indicator_ids, "cla_rate_per_10k"]


def render(deck: bytes, name: str, folder: Path) -> list[Path]:
    if not SOFFICE or not PDFTOPPM:
        pytest.skip("LibreOffice (soffice) and poppler (pdftoppm) are not installed")
    source = folder / f"{name}.pptx"
    source.write_bytes(deck)
    profile = folder / f"lo_profile_{os.getpid()}"  # its own profile: shared ones fail silently
    subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    pdf = folder / f"{name}.pdf"
    assert pdf.exists(), "LibreOffice wrote no PDF"
    ARTIFACTS.mkdir(exist_ok=True)
    for old in ARTIFACTS.glob(f"pack_{name}-*.png"):
        old.unlink()
    subprocess.run(
        [PDFTOPPM, "-png", "-r", "50", str(pdf), str(ARTIFACTS / f"pack_{name}")],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return sorted(ARTIFACTS.glob(f"pack_{name}-*.png"))


def test_demo_pack_renders_one_picture_per_slide(demo_db_copy, tmp_path):
    con = open_store(demo_db_copy)
    deck = pack_from_store(con, "172", IDS, meeting_name="Corporate parenting panel")
    con.close()
    pictures = render(deck, "demo", tmp_path)
    assert len(pictures) == 2 + len(IDS) + 1
    assert all(p.stat().st_size > 5_000 for p in pictures)  # drawn, not blank


def with_figures(con, council: str, ids: list[str]) -> list[str]:
    """The indicators the council has a figure for: the only ones that get a slide."""
    neighbours = neighbour_lists(con)
    model = str(max(neighbours["model"].astype(str)))
    table = compare_all(all_values(con), neighbours, model)
    rows = latest_rows(table, PackRequest(council, "", ids))
    return [i for i, row in rows.items() if row is not None]


@pytest.mark.parametrize("council", ["825", "857"])
@pytest.mark.parametrize("theme", ["stability", "care_leavers"])
def test_real_pack_renders_one_picture_per_slide(real_2024_2025, tmp_path, council, theme):
    # The session's shared connection: DuckDB allows one configuration per file per process.
    ids = list(grouping("lga").theme(theme).indicator_ids)
    deck = pack_from_store(real_2024_2025, council, ids, meeting_name="Corporate parenting panel")
    pictures = render(deck, f"real_{council}_{theme}", tmp_path)
    assert len(pictures) == 2 + len(with_figures(real_2024_2025, council, ids)) + 1
    assert all(p.stat().st_size > 5_000 for p in pictures)
