"""Key stage 2, key stage 4 and absence of children in need and looked after, by council.

These are the "Outcomes for children in need, including children looked after"
files: academic-year periods (``202425``), one row per social care group, many
measure columns, percentages to one decimal place (whole numbers for KS2).
Children looked after for 12 months attain about as well as other children in
need but attend school far better, which the simulated groups reproduce. Years
without data in reality are ``x`` here too: no KS2 tests in 2019/20 and 2020/21,
no absence data for 2019/20, and no progress measures where there was no baseline.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import numpy as np

from demo.conventions import (
    GEO_COLUMNS,
    Geography,
    decimal_str,
    percent,
    round_to_10,
    trim_decimal,
    write_csv,
)
from demo.simulate import Core, calibrate_intercept, expit, logit, persistent
from demo.world import YEARS, World
from domain.facts import REGIONAL
from domain.periods import two_year_period
from domain.symbols import NOT_APPLICABLE, NOT_AVAILABLE, SUPPRESSED

ACADEMIC_YEAR = "Academic year"
GROUPS = ("CINO at 31 March", "CLA 12 months at 31 March", "CPPO at 31 March")
CINO, CLA, CPPO = range(3)
VERSION = "Final"
Cell = int | float
Cells = dict[tuple[int, int], list[dict[str, Cell]]]  # (council, year) -> one dict per row
Renderer = Callable[[dict[str, Cell], bool, int], list[str]]


def academic_year(reporting_year: int) -> str:
    """201718 for the school year ending in summer 2018 (reporting year 2018)."""
    return two_year_period(reporting_year)


def _pct(part: int, whole: int, decimals: int) -> str:
    text = percent(part, whole, decimals)
    return trim_decimal(text) if decimals else text


def _cohorts(
    world: World,
    core: Core,
    rng: np.random.Generator,
    ratio_cla: float,
    ratio_cino: float,
    ratio_cppo: float,
) -> np.ndarray:
    """Pupils in each group: council x year x group."""
    n = world.n
    cla = rng.binomial(core.cla12, ratio_cla)
    cin_eff = np.exp(0.2 * world.deprivation + persistent(rng, n, 0.25))[:, None]
    cp_eff = np.exp(persistent(rng, n, 0.3))[:, None]
    base = core.cla12 * ratio_cla
    cino = rng.poisson(base * ratio_cino * cin_eff)
    cppo = rng.poisson(base * ratio_cppo * cp_eff)
    return np.stack([cino, cla, cppo], axis=-1).astype(np.int64)


def _calibrated(target: float, weights: np.ndarray, lp: np.ndarray) -> np.ndarray:
    return expit(calibrate_intercept(target, weights, lp) + lp)


def _rows(
    path: Path,
    measure_columns: Sequence[str],
    filters: Sequence[tuple[str, ...]],
    cells: Cells,
    render: Renderer,
    geos: Sequence[Geography],
    filter_columns: Sequence[str],
) -> int:
    """Write rows: year (newest first) x geography x filter combination."""

    def rows() -> Iterator[list[str]]:
        for year in sorted(YEARS, reverse=True):
            t = YEARS.index(year)
            regional = {
                geo: [_sum([cells[(i, t)][f] for i in geo.members]) for f in range(len(filters))]
                for geo in geos
                if geo.level == REGIONAL
            }
            england = [_sum([r[f] for r in regional.values()]) for f in range(len(filters))]
            for geo in geos:
                prefix = [academic_year(year), ACADEMIC_YEAR, *geo.columns(year)]
                by_filter = cells[geo.members[0], t] if geo.is_la else regional.get(geo, england)
                for filt, values in zip(filters, by_filter, strict=True):
                    yield [*prefix, *filt, *render(values, geo.is_la, year)]

    return write_csv(path, [*GEO_COLUMNS, *filter_columns, *measure_columns], rows())


def _sum(dicts: list[dict[str, Cell]]) -> dict[str, Cell]:
    return {k: sum(d[k] for d in dicts) for k in dicts[0]}


def _count(value: int, is_la: bool) -> str:
    return str(value) if is_la else str(round_to_10(value))


# ---------------------------------------------------------------------------
# Key stage 2

KS2_SUBJECTS = ("read", "writta", "mat", "rwm", "gps", "scita")
KS2_PROGRESS = ("read", "writta", "mat")
KS2_COLUMNS = [
    *[
        c
        for s in KS2_SUBJECTS
        for c in (
            f"t_{s}_eligible_pupils",
            f"t_{s}_met_expected_standard",
            f"pt_{s}_met_expected_standard",
        )
    ],
    *[
        c
        for s in KS2_PROGRESS
        for c in (
            f"t_{s}_progress_eligible_pupils",
            f"t_{s}_progress_score",
            f"avg_{s}_progress_score",
            f"avg_{s}_progress_score_lower_CI",
            f"avg_{s}_progress_score_upper_CI",
        )
    ],
]
# England expected-standard rates for the latest year, by group.
_KS2_TARGETS = {
    CINO: {"read": 0.44, "writta": 0.39, "mat": 0.40, "rwm": 0.30, "gps": 0.41, "scita": 0.48},
    CLA: {"read": 0.51, "writta": 0.45, "mat": 0.46, "rwm": 0.34, "gps": 0.47, "scita": 0.56},
    CPPO: {"read": 0.49, "writta": 0.42, "mat": 0.43, "rwm": 0.32, "gps": 0.44, "scita": 0.53},
}
_KS2_YEAR_SHIFT = {2018: -0.02, 2019: 0.0, 2022: -0.12, 2023: 0.02, 2024: -0.02, 2025: 0.0}
_KS2_NO_TESTS = (2020, 2021)
_KS2_PROGRESS_YEARS = (2018, 2019, 2022, 2023)
_KS2_PROGRESS_MEAN = {CINO: (-1.8, -1.9, -2.1), CLA: (-0.2, -0.7, -0.95), CPPO: (-1.7, -2.0, -2.0)}
_PROGRESS_SD = 5.8


def _ks2_cells(world: World, core: Core, rng: np.random.Generator) -> Cells:
    n = world.n
    pupils = _cohorts(world, core, rng, 0.053, 3.4, 0.78)
    la_eff = 0.25 * world.practice - 0.15 * world.deprivation + persistent(rng, n, 0.15)
    cells: Cells = {(i, t): [] for i in range(n) for t in range(len(YEARS))}
    for t, year in enumerate(YEARS):
        for g in (CINO, CLA, CPPO):
            n_all = pupils[:, t, g]
            lp = la_eff + rng.normal(0.0, 0.1, n)
            shift = _KS2_YEAR_SHIFT.get(year, 0.0)
            probs = {
                s: _calibrated(float(expit(logit(p) + shift)), n_all, lp)
                for s, p in _KS2_TARGETS[g].items()
            }
            n_writ = n_all - rng.binomial(n_all, 0.006)
            rwm = rng.binomial(n_writ, probs["rwm"])
            p_rwm = np.clip(probs["rwm"], 0.0, 0.999)

            # Everyone meeting the standard in reading, writing and maths (RWM) meets it in
            # each subject, so each subject adds a share of the other pupils to the RWM count.
            met = {"rwm": rwm}
            for subject, total in (("read", n_all), ("writta", n_writ), ("mat", n_all)):
                q = np.clip((probs[subject] - p_rwm) / (1.0 - p_rwm), 0.0, 1.0)
                met[subject] = rwm + rng.binomial(total - rwm, q)
            met |= {
                "gps": rng.binomial(n_all, probs["gps"]),
                "scita": rng.binomial(n_writ, probs["scita"]),
            }
            eligible = {
                "read": n_all,
                "writta": n_writ,
                "mat": n_all,
                "rwm": n_writ,
                "gps": n_all,
                "scita": n_writ,
            }
            progress = {}
            for j, s in enumerate(KS2_PROGRESS):
                pe = rng.binomial(n_all, 0.93)
                mean = _KS2_PROGRESS_MEAN[g][j] + 0.8 * lp + (0.2 if year == 2023 else 0.0)
                noise = rng.normal(0.0, 1.0, n) * _PROGRESS_SD / np.sqrt(np.maximum(pe, 1))
                progress[s] = (pe, (mean + noise) * pe)
            for i in range(n):
                row: dict[str, Cell] = {}
                for s in KS2_SUBJECTS:
                    row[f"n_{s}"] = int(eligible[s][i])
                    row[f"met_{s}"] = int(met[s][i])
                for s, (pe, total) in progress.items():
                    row[f"pe_{s}"] = int(pe[i])
                    row[f"ps_{s}"] = round(float(total[i]), 5) if pe[i] else 0.0
                cells[(i, t)].append(row)
    return cells


def _ks2_render(v: dict[str, Cell], is_la: bool, year: int) -> list[str]:
    if year in _KS2_NO_TESTS:
        return [NOT_AVAILABLE] * len(KS2_COLUMNS)
    n = int(v["n_read"])
    out: list[str] = []
    small = is_la and 1 <= n <= 5
    for s in KS2_SUBJECTS:
        total, met = int(v[f"n_{s}"]), int(v[f"met_{s}"])
        if small:
            out += [SUPPRESSED] * 3
        elif total == 0:
            out += ["0", NOT_APPLICABLE, NOT_APPLICABLE]
        elif 1 <= met <= 5:
            out += [_count(total, is_la), SUPPRESSED, SUPPRESSED]
        else:
            out += [_count(total, is_la), _count(met, is_la), _pct(met, total, 0)]
    for s in KS2_PROGRESS:
        pe, ps = int(v[f"pe_{s}"]), float(v[f"ps_{s}"])
        if year not in _KS2_PROGRESS_YEARS:
            out += [NOT_AVAILABLE] * 5
        elif small or (is_la and 1 <= pe <= 5):
            out += [SUPPRESSED] * 5
        elif pe == 0:
            out += ["0"] + [NOT_APPLICABLE] * 4
        else:
            avg = ps / pe
            half = 1.96 * _PROGRESS_SD / np.sqrt(pe)
            out += [
                _count(pe, is_la),
                decimal_str(ps, 5, strip=True),
                decimal_str(avg, 2, strip=True),
                decimal_str(avg - half, 2, strip=True),
                decimal_str(avg + half, 2, strip=True),
            ]
    return out


def write_ks2(
    path: Path, world: World, core: Core, rng: np.random.Generator, geos: Sequence[Geography]
) -> int:
    cells = _ks2_cells(world, core, rng)
    filters = [(g, VERSION) for g in GROUPS]
    return _rows(
        path, KS2_COLUMNS, filters, cells, _ks2_render, geos, ["social_care_group", "version"]
    )


# ---------------------------------------------------------------------------
# Key stage 4

KS4_COLUMNS = [
    "t_pupils",
    "t_att8",
    "avg_att8",
    "t_l2basics_95",
    "pt_l2basics_95",
    "t_l2basics_94",
    "pt_l2basics_94",
    "t_ebacc_e_ptq_ee",
    "pt_ebacc_e_ptq_ee",
    "t_ebaccaps",
    "avg_ebaccaps",
    "t_inp8calc",
    "t_p8score",
    "avg_p8score",
    "p8score_CI_low",
    "p8score_CI_upp",
]
_ATT8_CLA = {
    2018: 19.0,
    2019: 19.0,
    2020: 21.3,
    2021: 23.0,
    2022: 20.5,
    2023: 19.6,
    2024: 19.4,
    2025: 19.3,
}
_ATT8_GAP = {CINO: -0.8, CLA: 0.0, CPPO: -1.4}
_P8_MEAN = {CINO: -1.55, CLA: -1.25, CPPO: -1.8}
_P8_YEARS = (2018, 2019, 2022, 2023, 2024)
_P8_SD = 1.2


def _ks4_cells(world: World, core: Core, rng: np.random.Generator) -> Cells:
    n = world.n
    pupils = _cohorts(world, core, rng, 0.105, 2.2, 0.35)
    la_eff = 0.3 * world.practice - 0.2 * world.deprivation + persistent(rng, n, 0.3)
    cells: Cells = {(i, t): [] for i in range(n) for t in range(len(YEARS))}
    for t, year in enumerate(YEARS):
        for g in (CINO, CLA, CPPO):
            size = pupils[:, t, g]
            base = _ATT8_CLA[year] + _ATT8_GAP[g]
            mean = base + 2.0 * la_eff + rng.normal(0.0, 14.0 / np.sqrt(np.maximum(size, 1)))
            mean += base - (mean * size).sum() / max(size.sum(), 1)
            mean = np.clip(mean, 2.0, 60.0)
            p94 = np.clip(0.19 * np.exp(0.09 * (mean - _ATT8_CLA[2025])), 0.01, 0.9)
            n94 = rng.binomial(size, p94)
            n95 = rng.binomial(n94, 0.48)
            entered = rng.binomial(size, np.clip(0.10 * np.exp(0.05 * (mean - 19.3)), 0.01, 0.9))
            aps = np.clip(mean / 12.4 + rng.normal(0.0, 0.05, n), 0.1, 8.0)
            inp8 = rng.binomial(size, 0.8)
            for i in range(n):
                pe = int(inp8[i])
                p8 = (
                    _P8_MEAN[g]
                    + 0.08 * (mean[i] - base)
                    + rng.normal(0.0, _P8_SD / np.sqrt(max(pe, 1)))
                )
                cells[(i, t)].append(
                    {
                        "n": int(size[i]),
                        "att8": round(float(mean[i]) * int(size[i]) * 4) / 4,
                        "n95": int(n95[i]),
                        "n94": int(n94[i]),
                        "entered": int(entered[i]),
                        "aps": round(float(aps[i]) * int(size[i]), 2),
                        "inp8": pe,
                        "p8": round(float(p8) * pe, 3),
                    }
                )
    return cells


def _ks4_render(v: dict[str, Cell], is_la: bool, year: int) -> list[str]:
    n = int(v["n"])
    width = len(KS4_COLUMNS)
    if is_la and 1 <= n <= 5:
        out = [SUPPRESSED] * width
    elif n == 0:
        out = ["0"] + [NOT_APPLICABLE] * (width - 1)
    else:
        out = [
            _count(n, is_la),
            decimal_str(float(v["att8"]), 2, strip=True),
            decimal_str(float(v["att8"]) / n, 1, strip=True),
        ]
        for key in ("n95", "n94", "entered"):
            part = int(v[key])
            if 1 <= part <= 5:
                out += [SUPPRESSED, SUPPRESSED]
            else:
                out += [_count(part, is_la), _pct(part, n, 1)]
        out += [
            decimal_str(float(v["aps"]), 2, strip=True),
            decimal_str(float(v["aps"]) / n, 2, strip=True),
        ]
        pe = int(v["inp8"])
        if is_la and 1 <= pe <= 5:
            out += [SUPPRESSED] * 5
        elif pe == 0:
            out += ["0"] + [NOT_APPLICABLE] * 4
        else:
            avg = float(v["p8"]) / pe
            half = 1.96 * _P8_SD / np.sqrt(pe)
            out += [
                _count(pe, is_la),
                decimal_str(float(v["p8"]), 3, strip=True),
                decimal_str(avg, 2, strip=True),
                decimal_str(avg - half, 2, strip=True),
                decimal_str(avg + half, 2, strip=True),
            ]
    if year not in _P8_YEARS:
        out[-5:] = [NOT_AVAILABLE] * 5
    return out


def write_ks4(
    path: Path, world: World, core: Core, rng: np.random.Generator, geos: Sequence[Geography]
) -> int:
    cells = _ks4_cells(world, core, rng)
    filters = [(g, VERSION) for g in GROUPS]
    return _rows(
        path, KS4_COLUMNS, filters, cells, _ks4_render, geos, ["social_care_group", "version"]
    )


# ---------------------------------------------------------------------------
# Absence

PHASES = (
    "Total",
    "State-funded secondary",
    "State-funded primary",
    "State-funded alternative provision school",
    "Special",
)
ABSENCE_TERMS = "six half terms"
ABSENCE_COLUMNS = [
    "t_pupils",
    "t_sess_possible",
    "t_sess_overall",
    "pt_overall",
    "t_sess_authorised",
    "pt_sess_authorised",
    "t_sess_unauthorised",
    "pt_sess_unauthorised",
    "t_pupils_pa_10_exact",
    "pt_pupils_pa_10_exact",
    "t_pupils_pa_50_exact",
    "pt_pupils_pa_50_exact",
]
# Per group, for secondary, primary, alternative provision and special schools (latest year).
_PHASE_SHARE = {
    CLA: (0.48, 0.38, 0.015, 0.125),
    CINO: (0.37, 0.42, 0.02, 0.19),
    CPPO: (0.38, 0.54, 0.027, 0.054),
}
_ABSENCE_RATE = {
    CLA: (12.0, 3.8, 39.9, 11.2),
    CINO: (25.5, 10.9, 52.5, 14.2),
    CPPO: (32.2, 13.0, 56.6, 25.1),
}
_UNAUTHORISED = {
    CLA: (0.47, 0.16, 0.46, 0.28),
    CINO: (0.57, 0.41, 0.53, 0.23),
    CPPO: (0.66, 0.51, 0.57, 0.44),
}
_PA10 = {
    CLA: (27.5, 7.5, 74.2, 25.8),
    CINO: (61.0, 34.3, 92.3, 37.5),
    CPPO: (69.8, 43.0, 94.1, 58.4),
}
_PA50 = {CLA: (9.5, 0.8, 41.6, 7.7), CINO: (20.1, 3.3, 54.5, 7.5), CPPO: (27.8, 4.0, 60.2, 20.1)}
_SESSIONS = (343.0, 365.0, 300.0, 350.0)
_RATE_YEAR = {2018: 0.57, 2019: 0.57, 2021: 0.95, 2022: 0.87, 2023: 0.93, 2024: 0.98, 2025: 1.0}
_PA_YEAR = {2018: 0.58, 2019: 0.59, 2021: 1.25, 2022: 0.94, 2023: 0.98, 2024: 1.02, 2025: 1.0}
_ABSENCE_NOT_COLLECTED = 2020
_ABSENCE_KEYS = ("pupils", "possible", "overall", "authorised", "unauthorised", "pa10", "pa50")


def _absence_cells(world: World, core: Core, rng: np.random.Generator) -> Cells:
    n = world.n
    pupils = _cohorts(world, core, rng, 0.58, 3.5, 0.8)
    la_factor = np.exp(0.12 * world.deprivation - 0.1 * world.practice + persistent(rng, n, 0.12))
    cells: Cells = {(i, t): [] for i in range(n) for t in range(len(YEARS))}
    for t, year in enumerate(YEARS):
        m_rate = _RATE_YEAR.get(year, 1.0)
        m_pa = _PA_YEAR.get(year, 1.0)
        for g in (CINO, CLA, CPPO):
            split = rng.multinomial(
                pupils[:, t, g], np.asarray(_PHASE_SHARE[g]) / sum(_PHASE_SHARE[g])
            )
            phase_rows = []
            for ph in range(4):
                size = split[:, ph]
                possible = np.rint(size * (_SESSIONS[ph] + rng.normal(0, 5, n))).astype(np.int64)
                possible = np.maximum(possible, 0)
                rate = (
                    _ABSENCE_RATE[g][ph] / 100 * m_rate * la_factor * np.exp(rng.normal(0, 0.05, n))
                )
                overall = np.rint(possible * np.clip(rate, 0.0, 0.9)).astype(np.int64)
                u_share = np.clip(_UNAUTHORISED[g][ph] * np.exp(rng.normal(0, 0.15, n)), 0, 0.95)
                unauth = np.rint(overall * u_share).astype(np.int64)
                p10 = np.clip(_PA10[g][ph] / 100 * m_pa * la_factor**1.2, 0.0, 0.98)
                pa10 = rng.binomial(size, p10)
                ratio50 = _PA50[g][ph] / _PA10[g][ph]
                pa50 = rng.binomial(pa10, np.clip(ratio50 * m_rate**0.5 * la_factor**0.5, 0, 0.95))
                phase_rows.append((size, possible, overall, overall - unauth, unauth, pa10, pa50))
            for i in range(n):
                rows = [
                    {k: int(arr[i]) for k, arr in zip(_ABSENCE_KEYS, phase, strict=True)}
                    for phase in phase_rows
                ]
                total = {k: sum(r[k] for r in rows) for k in _ABSENCE_KEYS}
                cells[(i, t)].extend([total, *rows])
    return cells


def _absence_render(v: dict[str, Cell], is_la: bool, year: int) -> list[str]:
    width = len(ABSENCE_COLUMNS)
    if year == _ABSENCE_NOT_COLLECTED:
        return [NOT_AVAILABLE] * width
    size = int(v["pupils"])
    if is_la and 1 <= size <= 5:
        return [SUPPRESSED] * width
    if size == 0:
        return [
            "0",
            "0",
            "0",
            NOT_APPLICABLE,
            "0",
            NOT_APPLICABLE,
            "0",
            NOT_APPLICABLE,
            "0",
            NOT_APPLICABLE,
            "0",
            NOT_APPLICABLE,
        ]
    possible = int(v["possible"])
    out = [_count(size, is_la), _count(possible, is_la)]
    for key in ("overall", "authorised", "unauthorised"):
        out += [_count(int(v[key]), is_la), _pct(int(v[key]), possible, 1)]
    for key in ("pa10", "pa50"):
        part = int(v[key])
        if 1 <= part <= 5:
            out += [SUPPRESSED, SUPPRESSED]
        else:
            out += [_count(part, is_la), _pct(part, size, 1)]
    return out


def write_absence(
    path: Path, world: World, core: Core, rng: np.random.Generator, geos: Sequence[Geography]
) -> int:
    cells = _absence_cells(world, core, rng)
    filters = [(ABSENCE_TERMS, g, ph) for g in GROUPS for ph in PHASES]
    return _rows(
        path,
        ABSENCE_COLUMNS,
        filters,
        cells,
        _absence_render,
        geos,
        ["absence_terms", "social_care_group", "phase_type_grouping"],
    )
