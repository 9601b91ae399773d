"""ONS mid-year estimates of children aged 0 to 17, in the layout the project uses.

Rates per 10,000 need a denominator: the rate on 31 March of year Y uses the
ONS estimate for mid-(Y-1). The file covers every mid-year needed by the CLA
files. Note ONS's column order differs from DfE's (old_la_code, new_la_code,
la_name), and ONS uses the code in force in each year, so the council whose
code changed shows its old code up to mid-2019.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from demo.conventions import GEO_COLUMNS, Geography, write_csv
from demo.world import MID_YEARS, World

AGE_GROUP = "Children aged 0 to 17 years"
HEADER = [
    *GEO_COLUMNS[:7],
    "old_la_code",
    "new_la_code",
    "la_name",
    "age_group",
    "population_estimate",
]


def write_population(path: Path, world: World, geos: Sequence[Geography]) -> int:
    def rows() -> Iterator[list[str]]:
        for mid_year in sorted(MID_YEARS, reverse=True):
            pop = world.population[mid_year]
            for geo in geos:
                total = int(pop[list(geo.members)].sum())
                # Mid-year Y is in force for the reporting year ending 31 March Y+1.
                cols = geo.columns(mid_year + 1, ons_order=True)
                yield [str(mid_year), "Reporting year", *cols, AGE_GROUP, str(total)]

    return write_csv(path, HEADER, rows())
