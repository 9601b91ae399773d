"""Write the "Children looked after in England" files in DfE's published layouts.

Each function below reproduces one open-data file of the real release: the same
columns, the same filter labels in the same order, the same measures, and the
same rounding and suppression (see :mod:`demo.conventions`). Files whose
newest layout is the 2025 "harmonised" schema use it; the others use the 2024
release's layout, as the project's loaders must read both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from demo.conventions import (
    GEO_COLUMNS,
    CountTable,
    Geography,
    Key,
    Value,
    aggregate,
    csv_line,
    percent,
    ratio,
    round_to_10,
    write_csv,
    write_lines,
)
from demo.simulate import Core
from demo.world import YEARS
from domain.facts import REGIONAL
from domain.symbols import NOT_APPLICABLE, NOT_AVAILABLE, SUPPRESSED

REPORTING_YEAR = "Reporting year"
ValuesFn = Callable[[int, int], dict[Key, Value]]


def write_table(
    path: Path,
    filter_columns: Sequence[str],
    measure_columns: Sequence[str],
    table: CountTable,
    values: ValuesFn,
    geos: Sequence[Geography],
    n_councils: int,
    years: Sequence[int] = YEARS,
) -> int:
    """Write one count-and-percentage file: every year (newest first) x geography x key."""

    key_text = [csv_line(key) for key in table.keys]

    def lines() -> Iterator[str]:
        for year in sorted(years, reverse=True):
            t = YEARS.index(year)
            per_council = [values(i, t) for i in range(n_councils)]
            # Regions first, then England as the sum of the regions (same total, less work).
            regional = {
                geo: aggregate(per_council, geo.members) for geo in geos if geo.level == REGIONAL
            }
            england = aggregate(list(regional.values()), range(len(regional)))
            for geo in geos:
                vals = per_council[geo.members[0]] if geo.is_la else regional.get(geo, england)
                prefix = csv_line([str(year), REPORTING_YEAR, *geo.columns(year)])
                for key, cells in zip(key_text, table.render(vals, geo.is_la), strict=True):
                    yield f"{prefix},{key},{cells}"

    return write_lines(path, [*GEO_COLUMNS, *filter_columns, *measure_columns], lines())


def _totals(keys: Sequence[Key], total: Key) -> dict[Key, Key]:
    return {k: total for k in keys} | {total: total}


# ---------------------------------------------------------------------------
# Numbers and rates per 10,000

POPULATION_TYPES = (
    "Children ceasing to be looked after each year",
    "Children looked after on 31 March each year",
    "Children starting to be looked after each year",
)


def write_rates(path: Path, core: Core, geos: Sequence[Geography]) -> int:
    """cla_number_and_rate_per_10k_children.csv (2025 harmonised schema)."""
    series = (core.ceased, core.cla, core.starts)

    def rows() -> Iterator[list[str]]:
        for year in sorted(YEARS, reverse=True):
            t = YEARS.index(year)
            for geo in geos:
                members = list(geo.members)
                pop = int(core.population[members, t].sum())
                prefix = [str(year), REPORTING_YEAR, *geo.columns(year)]
                for label, counts in zip(POPULATION_TYPES, series, strict=True):
                    count = int(counts[members, t].sum())
                    if 1 <= count <= 5:
                        number, rate = SUPPRESSED, SUPPRESSED
                    else:
                        number = str(count if geo.is_la else round_to_10(count))
                        rate = ratio(count * 10_000, pop, 0)
                    yield [*prefix, label, str(pop), number, rate]

    header = [
        *GEO_COLUMNS,
        "population_type",
        "population_estimate",
        "children_count",
        "rate_per_10000",
    ]
    return write_csv(path, header, rows())


# ---------------------------------------------------------------------------
# Placement stability and new placements

LONG_TERM = (
    "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years"
)
CLA_2Y = "CLA 2 years on 31 March"
CLA_31 = "CLA on 31 March"
TOTAL_CHILDREN = "Total children"


def stability_table() -> CountTable:
    keys = [
        (LONG_TERM, "Living with the same carer for at least 2 years"),
        (LONG_TERM, TOTAL_CHILDREN),
        (CLA_2Y, TOTAL_CHILDREN),
        (CLA_2Y, "With 3 or more placements during the previous 2 years"),
        (CLA_31, TOTAL_CHILDREN),
        (CLA_31, "With 3 or more placements during the year"),
    ]
    denominators = {k: (k[0], TOTAL_CHILDREN) for k in keys}
    return CountTable(keys, denominators)


def stability_values(core: Core, arr: dict[str, np.ndarray]) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        return {
            (LONG_TERM, "Living with the same carer for at least 2 years"): int(
                arr["same_carer"][i, t]
            ),
            (LONG_TERM, TOTAL_CHILDREN): int(arr["long_term"][i, t]),
            (CLA_2Y, TOTAL_CHILDREN): int(arr["cla2y"][i, t]),
            (CLA_2Y, "With 3 or more placements during the previous 2 years"): int(
                arr["three_plus_2y"][i, t]
            ),
            (CLA_31, TOTAL_CHILDREN): int(core.cla[i, t]),
            (CLA_31, "With 3 or more placements during the year"): int(arr["three_plus"][i, t]),
        }

    return values


LOCATION = "Location of new placements during the year"
LOCATION_LABELS = (
    "Distance not known or not recorded",
    "Placed inside LA boundary less than 20 miles from home",
    "Placed inside LA boundary more than 20 miles from home",
    "Placed outside LA boundary less than 20 miles from home",
    "Placed outside LA boundary more than 20 miles from home",
)
REASON = "Reason for placement change during the year"
REASON_LABELS = (
    "Allegation (s47)",
    "Approval removed",
    "Carer requests placement end other than due to child's behaviour",
    "Carer requests placement ends due to child's behaviour",
    "Change in the status of a placement only",
    "Change to/implementation of care plan",
    "Child requests placement to end",
    "Custody arrangement",
    "Other",
    "Resignation or closure of provision",
    "Responsible/area authority requests placement ends",
    "Standards of care concern",
)


def new_placements_table() -> CountTable:
    loc_parts = [(LOCATION, b) for b in LOCATION_LABELS]
    loc_total = (LOCATION, "Total new placements")
    reason_parts = [(REASON, b) for b in REASON_LABELS]
    reason_total = (REASON, "Total placements changing")
    return CountTable(
        [*loc_parts, loc_total, *reason_parts, reason_total],
        _totals(loc_parts, loc_total) | _totals(reason_parts, reason_total),
        groups=[(loc_total, tuple(loc_parts)), (reason_total, tuple(reason_parts))],
    )


def new_placements_values(arr: dict[str, np.ndarray]) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        result: dict[Key, Value] = {}
        for j, label in enumerate(LOCATION_LABELS):
            result[(LOCATION, label)] = int(arr["new_location"][i, t, j])
        result[(LOCATION, "Total new placements")] = int(arr["new_total"][i, t])
        for j, label in enumerate(REASON_LABELS):
            result[(REASON, label)] = int(arr["reasons"][i, t, j])
        result[(REASON, "Total placements changing")] = int(arr["changing"][i, t])
        return result

    return values


# ---------------------------------------------------------------------------
# Care leavers

EDUCATION = "Education other than higher education"
HIGHER = "Higher education i.e. studies beyond A level"
APPRENTICE = "In an apprenticeship"
TRAINING_ALL = "In training or employment"
TRAINING = "In training or employment (excl. apprenticeship)"
NEET_LABELS = (
    "Not in education, training or employment, owing to illness or disability",
    "Not in education, training or employment, owing to other reasons",
    "Not in education, training or employment, owing to pregnancy or parenting",
)
TOTAL = "Total"
EET_TOTAL = "Total in education, employment or training"
UNKNOWN = "Total information not known"
NEET_TOTAL = "Total not in education, employment or training"
ACTIVITY_LABELS = (
    EDUCATION,
    HIGHER,
    APPRENTICE,
    TRAINING_ALL,
    TRAINING,
    *NEET_LABELS,
    TOTAL,
    EET_TOTAL,
    UNKNOWN,
    NEET_TOTAL,
)
# Until 2021, apprenticeships were counted within "In training or employment".
APPRENTICESHIP_SPLIT_FROM = 2022


def _age_2025(age: str) -> str:
    return f"{age} years"


def activity_table() -> CountTable:
    keys: list[Key] = []
    denominators: dict[Key, Key] = {}
    groups: list[tuple[Key, tuple[Key, ...]]] = []
    for age in ("17 to 18", "19 to 21"):
        a = _age_2025(age)
        age_keys = [(a, b) for b in ACTIVITY_LABELS]
        keys += age_keys
        denominators |= {k: (a, TOTAL) for k in age_keys}
        eet_parts = tuple((a, b) for b in (EDUCATION, HIGHER, APPRENTICE, TRAINING_ALL, TRAINING))
        groups += [
            ((a, EET_TOTAL), eet_parts),
            ((a, NEET_TOTAL), tuple((a, b) for b in NEET_LABELS)),
            ((a, TOTAL), ((a, EET_TOTAL), (a, UNKNOWN), (a, NEET_TOTAL))),
        ]
    return CountTable(keys, denominators, groups)


def activity_values(arr: dict[str, np.ndarray]) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        split = YEARS[t] >= APPRENTICESHIP_SPLIT_FROM
        result: dict[Key, Value] = {}
        for age in ("17 to 18", "19 to 21"):
            a = _age_2025(age)
            eet = [int(v) for v in arr[f"{age}_eet"][i, t]]
            neet = [int(v) for v in arr[f"{age}_neet"][i, t]]
            unknown = int(arr[f"{age}_unknown"][i, t])
            result[(a, EDUCATION)] = eet[0]
            result[(a, HIGHER)] = eet[1]
            result[(a, APPRENTICE)] = eet[2] if split else NOT_APPLICABLE
            result[(a, TRAINING_ALL)] = NOT_APPLICABLE if split else eet[2] + eet[3]
            result[(a, TRAINING)] = eet[3] if split else NOT_APPLICABLE
            for label, v in zip(NEET_LABELS, neet, strict=True):
                result[(a, label)] = v
            result[(a, TOTAL)] = int(arr[f"{age}_total"][i, t])
            result[(a, EET_TOTAL)] = sum(eet)
            result[(a, UNKNOWN)] = unknown
            result[(a, NEET_TOTAL)] = sum(neet)
        return result

    return values


SUITABLE = "Accommodation considered suitable"
UNSUITABLE = "Accommodation considered unsuitable"
NO_INFORMATION = "No information"
SUITABILITY_TOTAL = "Suitability total"


def suitability_table() -> CountTable:
    keys: list[Key] = []
    denominators: dict[Key, Key] = {}
    groups: list[tuple[Key, tuple[Key, ...]]] = []
    for age in ("17 to 18", "19 to 21"):
        a = _age_2025(age)
        parts = [(a, SUITABLE), (a, UNSUITABLE), (a, NO_INFORMATION)]
        keys += [*parts, (a, SUITABILITY_TOTAL)]
        denominators |= _totals(parts, (a, SUITABILITY_TOTAL))
        groups.append(((a, SUITABILITY_TOTAL), tuple(parts)))
    return CountTable(keys, denominators, groups)


def suitability_values(arr: dict[str, np.ndarray]) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        result: dict[Key, Value] = {}
        for age in ("17 to 18", "19 to 21"):
            a = _age_2025(age)
            result[(a, SUITABLE)] = int(arr[f"{age}_suitable"][i, t])
            result[(a, UNSUITABLE)] = int(arr[f"{age}_unsuitable"][i, t])
            result[(a, NO_INFORMATION)] = int(arr[f"{age}_unknown"][i, t])
            result[(a, SUITABILITY_TOTAL)] = int(arr[f"{age}_total"][i, t])
        return result

    return values


IN_TOUCH_LABELS = (
    "Local authority in touch with care leaver",
    "Local authority not in touch with care leaver",
    TOTAL,
    "Young person no longer requires services",
    "Young person refuses contact",
)


def in_touch_table() -> CountTable:
    keys: list[Key] = []
    denominators: dict[Key, Key] = {}
    groups: list[tuple[Key, tuple[Key, ...]]] = []
    for age in ("17 to 18", "19 to 21"):
        a = f"Aged {age}"
        age_keys = [(a, b) for b in IN_TOUCH_LABELS]
        keys += age_keys
        denominators |= {k: (a, TOTAL) for k in age_keys}
        groups.append(((a, TOTAL), tuple(k for k in age_keys if k[1] != TOTAL)))
    return CountTable(keys, denominators, groups)


def in_touch_values(arr: dict[str, np.ndarray]) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        result: dict[Key, Value] = {}
        for age in ("17 to 18", "19 to 21"):
            a = f"Aged {age}"
            total = int(arr[f"{age}_total"][i, t])
            result[(a, IN_TOUCH_LABELS[0])] = total - int(arr[f"{age}_unknown"][i, t])
            result[(a, IN_TOUCH_LABELS[1])] = int(arr[f"{age}_not_in_touch"][i, t])
            result[(a, TOTAL)] = total
            result[(a, IN_TOUCH_LABELS[3])] = int(arr[f"{age}_no_longer"][i, t])
            result[(a, IN_TOUCH_LABELS[4])] = int(arr[f"{age}_refuses"][i, t])
        return result

    return values


STAYING = "Total living with former foster carers in the current year"
ELIGIBLE = (
    "Young people who ceased to be looked after in a foster placement on their 18th birthday "
    "and were eligible for care leavers support"
)
STAYPUT_AGES = (("Aged 18", "18"), ("Aged 19 to 20", "19_20"))


def stayput_table() -> CountTable:
    keys: list[Key] = []
    denominators: dict[Key, Key] = {}
    for label, _ in STAYPUT_AGES:
        keys += [(label, STAYING), (label, ELIGIBLE)]
        denominators |= _totals([(label, STAYING)], (label, ELIGIBLE))
    return CountTable(keys, denominators)


def stayput_values(arr: dict[str, np.ndarray]) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        result: dict[Key, Value] = {}
        for label, short in STAYPUT_AGES:
            result[(label, STAYING)] = int(arr[f"stayput_{short}"][i, t])
            result[(label, ELIGIBLE)] = int(arr[f"stayput_{short}_eligible"][i, t])
        return result

    return values


# ---------------------------------------------------------------------------
# Missing and away from placement (2024 release: everything in the "number" column)

AVG_AWAY = (
    "Average number of away from placement without authorisation incidents per looked after child",
)
AVG_MISSING = ("Average number of missing incidents per looked after child who went missing",)
AWAY_31 = ("Children away from placement without authorisation at 31 March",)
DURING = ("Children looked after during the year",)
MISSING_31 = ("Children missing at 31 March",)
MISSING = ("Children who had a missing incident during the year",)
MISSING_REPEAT = ("Children who went missing more than once during the year",)
AWAY = ("Children who were away from placement without authorisation during the year",)
AWAY_REPEAT = (
    "Children who were away from placement without authorisation more than once during the year",
)
AWAY_INCIDENTS = ("Number of away from placement without authorisation incidents during the year",)
MISSING_INCIDENTS = ("Number of missing incidents during the year",)
PCT_MISSING = ("Percentage of children who had a missing incident during the year",)
PCT_AWAY = (
    "Percentage of children who were away from placement without authorisation during the year",
)


def _average(incidents: Key, children: Key) -> Callable[[dict[Key, Value]], tuple[str, str]]:
    def fn(values: dict[Key, Value]) -> tuple[str, str]:
        n = int(values[children])
        text = "0" if n == 0 else ratio(int(values[incidents]), n, 1, strip=True)
        return text, text

    return fn


def _share(part: Key, whole: Key) -> Callable[[dict[Key, Value]], tuple[str, str]]:
    def fn(values: dict[Key, Value]) -> tuple[str, str]:
        text = percent(int(values[part]), int(values[whole]))
        return text, text

    return fn


def missing_table() -> CountTable:
    keys = [
        AVG_AWAY,
        AVG_MISSING,
        AWAY_31,
        DURING,
        MISSING_31,
        MISSING,
        MISSING_REPEAT,
        AWAY,
        AWAY_REPEAT,
        AWAY_INCIDENTS,
        MISSING_INCIDENTS,
        PCT_MISSING,
        PCT_AWAY,
    ]
    return CountTable(
        keys,
        links={MISSING: (MISSING_INCIDENTS,), AWAY: (AWAY_INCIDENTS,)},
        derived={
            AVG_AWAY: ((AWAY, AWAY_INCIDENTS), _average(AWAY_INCIDENTS, AWAY)),
            AVG_MISSING: ((MISSING, MISSING_INCIDENTS), _average(MISSING_INCIDENTS, MISSING)),
            PCT_MISSING: ((MISSING,), _share(MISSING, DURING)),
            PCT_AWAY: ((AWAY,), _share(AWAY, DURING)),
        },
        has_percent=False,
    )


def missing_values(core: Core, arr: dict[str, np.ndarray]) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        return {
            AWAY_31: int(arr["away_31"][i, t]),
            DURING: int(core.during[i, t]),
            MISSING_31: int(arr["missing_31"][i, t]),
            MISSING: int(arr["missing"][i, t]),
            MISSING_REPEAT: int(arr["missing_repeat"][i, t]),
            AWAY: int(arr["away"][i, t]),
            AWAY_REPEAT: int(arr["away_repeat"][i, t]),
            AWAY_INCIDENTS: int(arr["away_incidents"][i, t]),
            MISSING_INCIDENTS: int(arr["missing_incidents"][i, t]),
        }

    return values


# ---------------------------------------------------------------------------
# Health, convictions, SDQ and substance misuse (2025 harmonised schema)

DEV = "Development assessments: Children looked after ages 0 to 4 years"
CONV = "Convictions: Children looked after Ages 10 to 17 years"
HEALTH = "Health assessments: Children looked after all ages"
SDQ = "Ages 5 to 16 years with SDQ score"
SUBSTANCE = "Substance misuse: Children looked after all ages"
CONVICTED = "Convicted or subject to youth cautions, or youth conditional cautions during the year"
SDQ_LABELS = (
    "SDQ score is a cause for concern",
    "SDQ score is borderline",
    "SDQ score is normal",
)
SDQ_RECEIVED = (SDQ, "SDQ score was received")
SDQ_TOTAL = (SDQ, "Total ages 5 to 16 years")
SDQ_AVERAGE = (SDQ, "SDQ average score")
SDQ_SCORE_X10 = ("_hidden", "sdq score x10")
SUB_IDENTIFIED = (SUBSTANCE, "Identified as having a substance misuse problem")
SUB_REFUSED = (SUBSTANCE, "Offered intervention but refused it")
SUB_RECEIVED = (SUBSTANCE, "Received an intervention for their substance misuse problem")
SUB_TOTAL = (SUBSTANCE, "Total all ages")
HEALTH_LABELS = (
    "Had their annual health assessment",
    "Had their immunisations up to date",
    "Had their teeth checked by a dentist",
)


def _sdq_average(values: dict[Key, Value]) -> tuple[str, str]:
    received = int(values[SDQ_RECEIVED])
    if received == 0:
        return NOT_APPLICABLE, NOT_APPLICABLE
    return ratio(int(values[SDQ_SCORE_X10]), received * 10, 1), NOT_APPLICABLE


def health_table() -> CountTable:
    dev = [(DEV, "Development assessments up to date"), (DEV, "Total ages 0 to 4 years")]
    conv = [(CONV, CONVICTED), (CONV, "Total ages 10 to 17 years")]
    health = [(HEALTH, label) for label in HEALTH_LABELS]
    health_total = (HEALTH, "Total all ages")
    sdq_bands = [(SDQ, label) for label in SDQ_LABELS]
    keys = [
        *dev,
        *conv,
        *health,
        health_total,
        *sdq_bands,
        SDQ_RECEIVED,
        SDQ_TOTAL,
        SDQ_AVERAGE,
        SUB_IDENTIFIED,
        SUB_REFUSED,
        SUB_RECEIVED,
        SUB_TOTAL,
    ]
    denominators = (
        _totals(dev[:1], dev[1])
        | _totals(conv[:1], conv[1])
        | _totals(health, health_total)
        | {k: SDQ_RECEIVED for k in sdq_bands}
        | _totals([SDQ_RECEIVED], SDQ_TOTAL)
        | {SUB_REFUSED: SUB_IDENTIFIED, SUB_RECEIVED: SUB_IDENTIFIED}
        | _totals([SUB_IDENTIFIED], SUB_TOTAL)
    )
    return CountTable(
        keys,
        denominators,
        groups=[(SDQ_RECEIVED, tuple(sdq_bands))],
        z_if_no_denominator=frozenset({SUB_REFUSED, SUB_RECEIVED}),
        derived={SDQ_AVERAGE: ((SDQ_RECEIVED,), _sdq_average)},
    )


def health_values(core: Core, arr: dict[str, np.ndarray]) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        c12 = int(core.cla12[i, t])
        result: dict[Key, Value] = {
            (DEV, "Development assessments up to date"): int(arr["dev_ok"][i, t]),
            (DEV, "Total ages 0 to 4 years"): int(arr["dev_total"][i, t]),
            (CONV, CONVICTED): int(arr["convicted"][i, t]),
            (CONV, "Total ages 10 to 17 years"): int(arr["conv_total"][i, t]),
            (HEALTH, HEALTH_LABELS[0]): int(arr["health_ok"][i, t]),
            (HEALTH, HEALTH_LABELS[1]): int(arr["immunised"][i, t]),
            (HEALTH, HEALTH_LABELS[2]): int(arr["dental"][i, t]),
            (HEALTH, "Total all ages"): c12,
            SDQ_RECEIVED: int(arr["sdq_received"][i, t]),
            SDQ_TOTAL: int(arr["sdq_total"][i, t]),
            SDQ_SCORE_X10: int(arr["sdq_score_x10"][i, t]),
            SUB_IDENTIFIED: int(arr["substance"][i, t]),
            SUB_REFUSED: int(arr["substance_refused"][i, t]),
            SUB_RECEIVED: int(arr["substance_received"][i, t]),
            SUB_TOTAL: c12,
        }
        for j, label in enumerate(SDQ_LABELS):
            result[(SDQ, label)] = int(arr["sdq_bands"][i, t, j])
        return result

    return values


# ---------------------------------------------------------------------------
# School moves and social worker changes (published a year behind; 2020 not collected)

SCHOOL_YEARS = tuple(y for y in YEARS if y < YEARS[-1])
SCHOOL_NOT_COLLECTED = 2020
ANY = "Any moves"
MID = "Mid-year moves"
SCHOOL_KEYS: tuple[tuple[Key, str], ...] = (
    ((CLA_2Y, ANY, TOTAL_CHILDREN), "school_2y_total"),
    ((CLA_2Y, ANY, "With one or more moves during the previous 2 years"), "school_2y_any"),
    ((CLA_2Y, MID, TOTAL_CHILDREN), "school_2y_total"),
    ((CLA_2Y, MID, "With one or more mid-year moves during the previous 2 years"), "school_2y_mid"),
    ((CLA_31, ANY, TOTAL_CHILDREN), "school_total"),
    ((CLA_31, ANY, "With one or more moves during the year"), "school_any"),
    ((CLA_31, MID, TOTAL_CHILDREN), "school_total"),
    ((CLA_31, MID, "With one or more mid-year moves during the year"), "school_mid"),
)


def school_table() -> CountTable:
    keys = [k for k, _ in SCHOOL_KEYS]
    return CountTable(keys, {k: (k[0], k[1], TOTAL_CHILDREN) for k in keys})


def school_values(arr: dict[str, np.ndarray]) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        if YEARS[t] == SCHOOL_NOT_COLLECTED:
            return {k: NOT_AVAILABLE for k, _ in SCHOOL_KEYS}
        return {k: int(arr[name][i, t]) for k, name in SCHOOL_KEYS}

    return values


SW_TOTAL = (CLA_31, TOTAL_CHILDREN)
SW_THREE = (CLA_31, "3 or more social workers during the year")


def sw_table() -> CountTable:
    return CountTable([SW_TOTAL, SW_THREE], _totals([SW_THREE], SW_TOTAL))


def sw_values(core: Core, arr: dict[str, np.ndarray]) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        return {SW_TOTAL: int(core.cla[i, t]), SW_THREE: int(arr["sw_three_plus"][i, t])}

    return values


# ---------------------------------------------------------------------------
# Children looked after only under a series of short-term breaks

SHORT_BREAKS = (
    "Children who were only looked after exclusively under a series of short term placements",
)


def short_breaks_table() -> CountTable:
    return CountTable([SHORT_BREAKS], has_percent=False)


def simulate_short_breaks(core: Core, rng: np.random.Generator) -> np.ndarray:
    """Disabled children on short breaks only: about 1 % of the number in care (England ~700)."""
    expected = 0.0085 * core.cla.astype(float) + 1.0
    return rng.poisson(expected)


def short_breaks_values(counts: np.ndarray) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        return {SHORT_BREAKS: int(counts[i, t])}

    return values


# ---------------------------------------------------------------------------
# Net gain, characteristics and placement providers

NET_IN = ("1. Children who are the responsibility of other LAs placed within this LA boundary",)
NET_OUT = ("2. Children who are the responsibility of this LA placed outside the LA boundary",)
NET_GAIN = ("Net gain of children by responsible LA",)


def netgain_table() -> CountTable:
    return CountTable(
        [NET_IN, NET_OUT, NET_GAIN],
        links={NET_IN: (NET_GAIN,), NET_OUT: (NET_GAIN,)},
        exempt=frozenset({NET_GAIN}),
        has_percent=False,
    )


def netgain_values(arr: dict[str, np.ndarray]) -> ValuesFn:
    def values(i: int, t: int) -> dict[Key, Value]:
        placed_in = int(arr["placed_in"][i, t])
        placed_out = int(arr["placed_out"][i, t])
        return {NET_IN: placed_in, NET_OUT: placed_out, NET_GAIN: placed_in - placed_out}

    return values


def write_netgain(path: Path, arr: dict[str, np.ndarray], geos: Sequence[Geography], n: int) -> int:
    """Net gain file; national and regional net gains are the rounded parts' difference."""
    table = netgain_table()
    values = netgain_values(arr)

    def rows() -> Iterator[list[str]]:
        for year in sorted(YEARS, reverse=True):
            t = YEARS.index(year)
            per_council = [values(i, t) for i in range(n)]
            for geo in geos:
                prefix = [str(year), REPORTING_YEAR, *geo.columns(year)]
                if geo.is_la:
                    cells = table.render(per_council[geo.members[0]], True)
                else:
                    vals = aggregate(per_council, geo.members)
                    placed_in = round_to_10(int(vals[NET_IN]))
                    placed_out = round_to_10(int(vals[NET_OUT]))
                    cells = [str(placed_in), str(placed_out), str(placed_in - placed_out)]
                for key, cell in zip(table.keys, cells, strict=True):
                    yield [*prefix, *key, cell]

    return write_csv(path, [*GEO_COLUMNS, "characteristic", "number"], rows())
