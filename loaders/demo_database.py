"""Build the demo database from the project's own fictional-data generator.

The demo files are written in DfE's own layouts and loaded through the same
loaders as real downloads, so the demo exercises the real code path. The
database is built beside its final name and moved into place only when
complete, so an interrupted build never leaves a half-made demo behind.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from loaders.identity import DEMO_KIND
from loaders.load import ExtractOptions, LoadReport, load_paths
from loaders.store import open_store


def build_demo_database(path: str | Path, seed: int | None = None) -> LoadReport:
    """Generate the fictional councils' files and load them into a new store at ``path``.

    Two loads: the DfE- and ONS-shaped files, then the first council's SSDA903
    extract (so the demo shows quarterly figures from child-level data).
    """
    from demo.generate import DEFAULT_SEED, generate_demo_files
    from demo.ssda903_extract import demo_plan, published_targets, write_demo_extract

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    building = target.with_name(target.name + ".building")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(prefix="cp_demo_") as folder:
        if seed is None:
            generate_demo_files(Path(folder))
        else:
            generate_demo_files(Path(folder), seed=seed)
        extract_folder = Path(folder) / "ssda903"
        seed = DEFAULT_SEED if seed is None else seed
        con = open_store(building)
        try:
            report = load_paths(
                con, [folder], kind=DEMO_KIND, user_name="demo generator", with_preview=False
            )
            _check_loaded(report)
            # The extract follows the council's figures as published in the files just loaded.
            targets = published_targets(con, demo_plan(seed).la_code)
            plan = write_demo_extract(extract_folder, seed, targets)
            extract_report = load_paths(
                con,
                [extract_folder],
                kind=DEMO_KIND,
                user_name="demo generator",
                extract=ExtractOptions(plan.la_code, plan.as_at),
            )
            _check_loaded(extract_report)
        finally:
            con.close()
    building.replace(target)
    return report


def _check_loaded(report: LoadReport) -> None:
    if report.status != "committed":
        problems = "; ".join(p.describe() for p in report.problems[:5])
        raise RuntimeError(f"The demo data did not load ({report.status}): {problems}")
