"""Build the demo database from the project's own fictional-data generator.

The demo files are written in DfE's own layouts and loaded through the same
loaders as real downloads, so the demo exercises the real code path. The
database is built beside its final name and moved into place only when
complete, so an interrupted build never leaves a half-made demo behind.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from loaders.load import LoadReport, load_paths
from loaders.store import open_store

DEMO_KIND = "demo data"


def build_demo_database(path: str | Path, seed: int | None = None) -> LoadReport:
    """Generate the fictional councils' files and load them into a new store at ``path``."""
    from demo.generate import generate_demo_files

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
        con = open_store(building)
        try:
            report = load_paths(
                con, [folder], kind=DEMO_KIND, user_name="demo generator", with_preview=False
            )
        finally:
            con.close()
    if report.status != "committed":
        problems = "; ".join(p.describe() for p in report.problems[:5])
        raise RuntimeError(f"The demo data did not load ({report.status}): {problems}")
    building.replace(target)
    return report
