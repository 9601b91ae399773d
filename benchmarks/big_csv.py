"""Benchmark: peak memory and time for one large (~150 MB) DfE-layout CSV.

Usage:
    .venv/bin/python benchmarks/big_csv.py [--mb 150] [--keep FOLDER]

Writes, in a temporary folder, a placement stability file in DfE's 2025 layout
(every row valid: 900 fictional councils, six cohort and breakdown rows for each
council and year, as many years as it takes to reach the size; the loader
recognises and accepts it), then runs each case in a process of its own and
reads that process's peak resident memory (its RSS high-water mark, from
`wait4`'s resource usage, the same figure `getrusage(RUSAGE_CHILDREN)` gives)
and wall-clock time (including Python's start and imports, about a second):

(a) the command line's dry run: `python -m loaders load big.csv --db … --dry-run`
(b) the command line's commit: `python -m loaders load big.csv --db …`
(c) the Data page's check (`ui.loading.checked_uploads`, what the page calls on
    upload), called directly with the file as an upload held in memory, as
    Streamlit holds it; no browser.

Each case starts from a new, empty store.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent

GEO = (
    "time_period,time_identifier,geographic_level,country_code,country_name,"
    "region_code,region_name,old_la_code,la_name,new_la_code"
)
HEADER = f"{GEO},cla_group,placement_stability,children_count,children_percent"
# The six cohort and breakdown rows DfE publishes for each council and year.
GROUPS = (
    ("CLA on 31 March", "Total children", 100),
    ("CLA on 31 March", "With 3 or more placements during the year", 10),
    ("CLA 2 years on 31 March", "Total children", 100),
    ("CLA 2 years on 31 March", "With 3 or more placements during the previous 2 years", 12),
    (
        "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years",
        "Total children",
        100,
    ),
    (
        "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years",
        "Living with the same carer for at least 2 years",
        70,
    ),
)
COUNCILS = range(100, 1000)


def write_big_csv(path: Path, megabytes: float) -> tuple[int, int]:
    """Write the file; returns (data rows, bytes)."""
    target = int(megabytes * 1024**2)
    rows = written = 0
    year = 2025
    with path.open("w", encoding="utf-8", newline="") as out:
        written += out.write("\ufeff" + HEADER + "\r\n")
        while written < target and year >= 1000:
            lines = []
            for code in COUNCILS:
                total = 200 + code % 300
                place = (
                    f"{year},Reporting year,Local authority,E92000001,England,E12000004,"
                    f"East Midlands,{code},Council {code},E06000{code}"
                )
                for cohort, breakdown, percent in GROUPS:
                    count = total * percent // 100
                    lines.append(f"{place},{cohort},{breakdown},{count},{percent}\r\n")
            chunk = "".join(lines)
            written += out.write(chunk)
            rows += len(lines)
            year -= 1
    return rows, path.stat().st_size


PAGE_CHECK = """
import io
import sys
from pathlib import Path
sys.path.insert(0, {project!r})
from ui import loading
from loaders.load import ExtractOptions

class Upload(io.BytesIO):  # as Streamlit's UploadedFile: the bytes, held in memory
    def __init__(self, path):
        super().__init__(Path(path).read_bytes())
        self.name = Path(path).name

report, refused = loading.checked_uploads([Upload({csv!r})], ExtractOptions())
print(report.status if report else refused, report.facts_loaded if report else 0)
"""


def measure(command: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Seconds, peak RSS (bytes) and output of one command run as a process of its own."""
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0,):
        print(output[-3000:])
        raise SystemExit(f"{command} failed ({process.returncode})")
    return seconds, usage.ru_maxrss * 1024, output  # ru_maxrss is in kilobytes on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=150, help="size of the file (MiB)")
    parser.add_argument("--keep", help="write the file (and stores) here, and keep them")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        csv = folder / "big.csv"
        started = time.perf_counter()
        rows, size = write_big_csv(csv, args.mb)
        print(
            f"Wrote {csv.name}: {size / 1024**2:,.0f} MiB, {rows:,} rows "
            f"({rows * 2:,} facts), in {time.perf_counter() - started:.0f} s "
            f"(not timed). Machine: {os.cpu_count()} cores."
        )
        python = sys.executable
        env = dict(os.environ, PYTHONPATH=str(PROJECT))
        cases = {
            "(a) CLI dry run": [python, "-m", "loaders", "load", str(csv), "--dry-run"],
            "(b) CLI commit": [python, "-m", "loaders", "load", str(csv)],
            "(c) Data page check": [
                python,
                "-c",
                PAGE_CHECK.format(project=str(PROJECT), csv=str(csv)),
            ],
        }
        print("\n| case | peak RSS | seconds |\n|---|---|---|")
        for label, command in cases.items():
            store = folder / f"store_{label[1]}.duckdb"
            store.unlink(missing_ok=True)
            Path(f"{store}.wal").unlink(missing_ok=True)
            if "loaders" in command:
                command = [*command, "--db", str(store)]
            seconds, peak, output = measure(command, dict(env, CP_DB=str(store)))
            last = output.strip().splitlines()[-1] if output.strip() else ""
            print(f"| {label} | {peak / 1024**2:,.0f} MiB | {seconds:.1f} |  {last[:70]}")


if __name__ == "__main__":
    main()
