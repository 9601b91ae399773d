"""What a published fact is keyed by: its place in time and space, its filters, its measure.

Every DfE open-data file starts with the time and geography columns below; the
loaders map each file's filters onto the three canonical ones, and the store keys
a cell by ``FACT_KEY``. A ``Selector`` names one published cell the way the
indicator registry does (dataset, canonical filters, measure).
"""

from __future__ import annotations

from dataclasses import dataclass

# Columns that place a row in time and space; every EES file has some of these.
TIME_COLUMNS = ("time_period", "time_identifier")
GEOGRAPHY_COLUMNS = (
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "la_name",
    "new_la_code",
)
CANONICAL_FILTERS = ("cohort", "breakdown", "variant")
# One published cell: which dataset, when, where, which filters and which measure.
FACT_KEY = (
    "dataset",
    "time_period",
    "geographic_level",
    "area_code",
    *CANONICAL_FILTERS,
    "measure",
)

NATIONAL = "National"
REGIONAL = "Regional"
LOCAL_AUTHORITY = "Local authority"
GEOGRAPHIC_LEVELS = (NATIONAL, REGIONAL, LOCAL_AUTHORITY)
ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"


@dataclass(frozen=True)
class Selector:
    """Which published cell: dataset, canonical filters and measure."""

    dataset: str
    cohort: str
    breakdown: str
    measure: str
    variant: str = ""
