"""The fictional councils and regions, and the hidden traits that drive their figures.

Real statistics look alike between similar councils because the same things
(deprivation, how urban a place is, its size and diversity, how its services
are run) shape many indicators at once. To make the demo believable, each
invented council gets persistent latent traits here; every simulated indicator
is then a function of these traits plus noise, so statistical neighbours look
alike and trends are gentle. The roster (names, codes, regions) is fixed so that
every seed describes the same places; the traits and populations depend on the seed.

All names are invented. None is the name of a real English council.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from domain.facts import ENGLAND_CODE, ENGLAND_NAME

# Reporting years (31 March) published in every CLA file, and the academic years
# of the outcome files (202425 is the year ending in summer 2025, i.e. reporting year 2025).
YEARS: tuple[int, ...] = tuple(range(2018, 2026))
LATEST_YEAR = YEARS[-1]
# Simulation starts one year earlier, so the first published year has a "previous" year.
SIM_YEARS: tuple[int, ...] = (YEARS[0] - 1, *YEARS)
# ONS mid-year estimates needed: the rate at 31 March of year Y uses mid-(Y-1).
MID_YEARS: tuple[int, ...] = tuple(y - 1 for y in YEARS)

COUNTRY_CODE = ENGLAND_CODE
COUNTRY_NAME = ENGLAND_NAME

# The council whose ONS code changes (like Buckinghamshire E10000002 -> E06000060):
# it became a unitary authority in April 2020, so its new code is used from the
# reporting year ending 31 March 2021 (and from ONS mid-2020).
CODE_CHANGE_COUNCIL = "Wyrebrook"
CODE_CHANGE_YEAR = 2021

# Small councils (like Rutland): 0-17 populations of 7,000-15,000 and 20-45 children
# looked after, so that many of their cells are suppressed.
SMALL_COUNCILS: tuple[str, ...] = (
    "Saltmere Haven",
    "Little Ormesby",
    "Fenwick Parva",
    "Isles of Merrow",
)


@dataclass(frozen=True)
class Region:
    """A fictional region (code E129000nn)."""

    index: int
    code: str
    name: str


@dataclass(frozen=True)
class Council:
    """A fictional council with its DfE (old) and ONS (new) codes."""

    index: int
    old_la_code: str
    la_name: str
    region: Region
    current_code: str
    previous_code: str | None = None
    small: bool = False

    def new_la_code(self, reporting_year: int) -> str:
        """The ONS code in use for a reporting year (31 March of that year)."""
        if self.previous_code is not None and reporting_year < CODE_CHANGE_YEAR:
            return self.previous_code
        return self.current_code


# (region name, deprivation mean, urbanity mean, diversity shift, CLA-rate shift, names)
_REGION_SPECS: tuple[tuple[str, float, float, float, float, tuple[str, ...]], ...] = (
    (
        "Northern Fells",
        0.75,
        0.0,
        -0.4,
        0.12,
        (
            "Kestrel Bay",
            "Harrowdale",
            "Skelbrook",
            "Thornmouth",
            "Greyholme",
            "Annerby",
            "Wexcombe Fell",
            "Ravensholt",
            "Brackenridge",
            "Saltmere Haven",
            "Coldhaugh",
            "Eskerby",
        ),
    ),
    (
        "Western Moors",
        0.5,
        0.45,
        0.0,
        0.08,
        (
            "Ashbourne Vale",
            "Millbridge",
            "Oakhurst Moor",
            "Pendlebrook",
            "Rookcastle",
            "Calderwick",
            "Hollinsford",
            "Bramwell Heath",
            "Fairhaven Sands",
            "Loxley Cross",
            "Merebank",
            "Tanners Green",
            "Whitmoor",
            "Duncliffe",
            "Harwood Vale",
            "Stanway Water",
            "Coppice Hill",
            "Kirkholme",
            "Brindle Moss",
            "Ormskeld",
            "Lowther Bridge",
            "Sedgeport",
        ),
    ),
    (
        "Eastern Wolds",
        0.35,
        0.0,
        -0.1,
        0.0,
        (
            "Wykeham Wolds",
            "Holmewold",
            "Ferrisby",
            "Brantingford",
            "Rillington Carr",
            "Aldermouth",
            "Barnthorpe",
            "Cawthorne Ridge",
            "Elmswell Vale",
            "Garrowby Moor",
            "Hessleburn",
            "Kilnsey Dale",
            "Marrick",
            "Netherwold",
            "Swaleham",
        ),
    ),
    (
        "Midland Shires",
        -0.05,
        -0.3,
        0.0,
        -0.05,
        (
            "Little Ormesby",
            "Fenwick Parva",
            "Ashby Marne",
            "Quenby Heath",
            "Charnbrook",
            "Dovecote Vale",
            "Hathern Cross",
            "Kirkby Mallet",
            "Lindhurst",
            "Trentmere",
        ),
    ),
    (
        "Heartland Vales",
        0.2,
        0.4,
        0.4,
        0.02,
        (
            "Ardenleigh",
            "Bramcote Cross",
            "Colmore Green",
            "Edgewood Valley",
            "Foxmoor",
            "Hollybush Vale",
            "Ironmarsh",
            "Kenilbrook",
            "Malvenmoor",
            "Nethercote Heath",
            "Quillerton",
            "Sallowfield",
            "Wyrebrook",
            "Yardlow",
        ),
    ),
    (
        "Fenland Coast",
        -0.1,
        -0.6,
        -0.3,
        0.0,
        (
            "Marshbeck Fen",
            "Ousemouth",
            "Wisbeck",
            "Holmfen",
            "Saltmarsh Point",
            "Cranmere",
            "Dunmere Staithe",
            "Eastwold Sands",
            "Gildenmarsh",
            "Thetmoor",
            "Wellsmere",
        ),
    ),
    (
        "Capital Metro",
        0.25,
        1.8,
        1.3,
        -0.22,
        (
            "Aldgrave",
            "Bellingford",
            "Brixmoor",
            "Camberleigh",
            "Chalkgate",
            "Deptwood",
            "Eastbury Park",
            "Fleetmoor",
            "Greenhollow",
            "Hackwell",
            "Harrowmead",
            "Highcastle",
            "Hornsgrove",
            "Kennetbury",
            "Lambridge",
            "Leyfield",
            "Marylands",
            "Newgate Cross",
            "Nortonbury",
            "Paddingham",
            "Peckmoor",
            "Queensmead",
            "Rothermere Park",
            "Shadwick",
            "Sothenbury",
            "Stepfield",
            "Tamsford",
            "Tottenbridge",
            "Walmoor",
            "Wandleford",
            "Westholme Cross",
            "Whitecastle",
        ),
    ),
    (
        "Southern Downs",
        -0.7,
        -0.15,
        0.1,
        -0.08,
        (
            "Ashcombe Downs",
            "Beaconsmere",
            "Chalkbourne",
            "Downley Vale",
            "Everden",
            "Fairweald",
            "Godsworth",
            "Hindmere",
            "Islebourne",
            "Lydmere",
            "Medwell",
            "Oakleigh Downs",
            "Pevenmouth",
            "Rotherbourne",
            "Sellowmere",
            "Tillingford",
            "Wealdham",
            "Winterbrook",
            "Yewmouth",
        ),
    ),
    (
        "Western Peninsula",
        -0.2,
        -0.7,
        -0.5,
        0.0,
        (
            "Amberhaven",
            "Bidmoor",
            "Camelmouth",
            "Dunmarrow",
            "Elmcombe",
            "Ferncombe",
            "Helmouth",
            "Kestlemoor",
            "Lannock",
            "Morwen Bay",
            "Polwenna",
            "Trevannick",
            "Trelowen",
            "Wellsbridge",
            "Isles of Merrow",
        ),
    ),
)


def _build_roster() -> tuple[tuple[Region, ...], tuple[Council, ...]]:
    regions: list[Region] = []
    councils: list[Council] = []
    code = 101
    for r_index, spec in enumerate(_REGION_SPECS):
        region = Region(r_index, f"E129{r_index + 1:05d}", spec[0])
        regions.append(region)
        for name in spec[5]:
            previous = f"E109{code:05d}" if name == CODE_CHANGE_COUNCIL else None
            councils.append(
                Council(
                    index=len(councils),
                    old_la_code=str(code),
                    la_name=name,
                    region=region,
                    current_code=f"E069{code:05d}",
                    previous_code=previous,
                    small=name in SMALL_COUNCILS,
                )
            )
            code += 1
    return tuple(regions), tuple(councils)


REGIONS, COUNCILS = _build_roster()


@dataclass(frozen=True)
class World:
    """The roster plus seeded latent traits and child populations.

    Every trait array has one entry per council, in roster order. Traits are on a
    roughly standard-normal scale; ``population`` maps an ONS mid-year to the
    0-17 population of each council.
    """

    regions: tuple[Region, ...]
    councils: tuple[Council, ...]
    region_of: np.ndarray
    small: np.ndarray
    deprivation: np.ndarray
    urbanity: np.ndarray
    diversity: np.ndarray
    practice: np.ndarray
    out_of_area: np.ndarray
    inhouse: np.ndarray
    older: np.ndarray
    region_rate_shift: np.ndarray
    population: dict[int, np.ndarray]

    @property
    def n(self) -> int:
        return len(self.councils)


def _standardise(values: np.ndarray) -> np.ndarray:
    return (values - values.mean()) / values.std()


def build_world(rng: np.random.Generator) -> World:
    """Draw each council's latent traits and its 0-17 population for every mid-year."""
    n = len(COUNCILS)
    region_of = np.array([c.region.index for c in COUNCILS])
    small = np.array([c.small for c in COUNCILS])
    dep_mean = np.array([s[1] for s in _REGION_SPECS])[region_of]
    urb_mean = np.array([s[2] for s in _REGION_SPECS])[region_of]
    div_shift = np.array([s[3] for s in _REGION_SPECS])[region_of]
    rate_shift = np.array([s[4] for s in _REGION_SPECS])[region_of]

    deprivation = dep_mean + rng.normal(0.0, 0.75, n)
    urbanity = urb_mean + rng.normal(0.0, 0.6, n)
    # Small councils are affluent, rural places (think Rutland).
    deprivation[small] = rng.normal(-1.1, 0.25, small.sum())
    urbanity[small] = rng.normal(-1.2, 0.3, small.sum())
    diversity = 0.5 * urbanity + div_shift + rng.normal(0.0, 0.5, n)
    practice = -0.25 * deprivation + rng.normal(0.0, 0.95, n)
    out_of_area = _standardise(0.6 * urbanity + rng.normal(0.0, 0.8, n))
    out_of_area[small] += 1.0
    inhouse = _standardise(-0.3 * urbanity + rng.normal(0.0, 0.9, n))
    older = rng.normal(0.0, 1.0, n) + 0.3 * (region_of == 6)

    # 0-17 population at mid-2024; counties (rural) are bigger, metro boroughs similar-sized.
    log_pop = np.log(64_000) - 0.3 * urbanity + rng.normal(0.0, 0.42, n)
    metro = region_of == 6
    log_pop[metro] = np.log(60_000) + rng.normal(0.0, 0.2, metro.sum())
    pop_2024 = np.clip(np.exp(log_pop), 28_000, 360_000)
    pop_2024 *= 12_150_000 / pop_2024[~small].sum()
    pop_2024[small] = rng.uniform(7_500, 14_500, small.sum())
    growth = rng.normal(0.0045, 0.004, n)
    population: dict[int, np.ndarray] = {}
    for mid_year in range(MID_YEARS[0] - 1, MID_YEARS[-1] + 1):
        factor = (1.0 + growth) ** (mid_year - 2024)
        wobble = 1.0 + rng.normal(0.0, 0.002, n)
        population[mid_year] = np.rint(pop_2024 * factor * wobble).astype(np.int64)

    return World(
        regions=REGIONS,
        councils=COUNCILS,
        region_of=region_of,
        small=small,
        deprivation=deprivation,
        urbanity=urbanity,
        diversity=diversity,
        practice=practice,
        out_of_area=out_of_area,
        inhouse=inhouse,
        older=older,
        region_rate_shift=rate_shift,
        population=population,
    )
