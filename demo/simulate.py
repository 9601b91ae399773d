"""Simulate each fictional council's children-looked-after figures, year by year.

The published files overlap (children in foster care appear in the
characteristics file, the placement-provider file and the net-gain file), so
the figures are simulated once here as exact council-level counts and every
file is written from the same numbers. That keeps the files consistent with
each other the way real releases are: parts add up to totals, percentages are
counts over totals, and flows link stocks (ceased = looked after a year ago +
started - looked after now).

Each rate or proportion is a logistic (or log-linear) function of the council's
latent traits plus persistent and yearly noise, with a year-specific intercept
calibrated so that England (the sum of councils) matches national figures of
the real publication. Counts are then drawn binomially or from a multinomial,
so small councils are noisy the way small councils really are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from demo.world import SIM_YEARS, YEARS, World

Array = np.ndarray
N_YEARS = len(YEARS)


def by_year(*values: float) -> Array:
    """A per-year target (one value per published year, 2018 first)."""
    if len(values) != N_YEARS:
        raise ValueError(f"expected {N_YEARS} yearly values, got {len(values)}")
    return np.asarray(values, dtype=float)


def expit(x: Array) -> Array:
    return 1.0 / (1.0 + np.exp(-x))


def logit(p: float | Array) -> Array:
    p = np.asarray(p, dtype=float)
    return np.log(p / (1.0 - p))


def calibrate_intercept(target: float, weights: Array, lp: Array) -> float:
    """The intercept ``a`` making the weighted mean of ``expit(a + lp)`` equal ``target``."""
    lo, hi = -30.0, 30.0
    w = weights.astype(float)
    total = w.sum()
    if total <= 0:
        return float(logit(target))
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if (w * expit(mid + lp)).sum() / total < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def la_probabilities(
    rng: np.random.Generator,
    targets: Array,
    effect: Array,
    weights: Array,
    year_sd: float = 0.08,
) -> Array:
    """Council x year probabilities whose weighted England mean is ``targets`` each year."""
    n = effect.shape[0]
    lp = effect[:, None] + rng.normal(0.0, year_sd, (n, len(targets)))
    probs = np.empty_like(lp)
    for t, target in enumerate(targets):
        a = calibrate_intercept(float(target), weights[:, t], lp[:, t])
        probs[:, t] = expit(a + lp[:, t])
    return probs


def calibrate_shares(target: Array, weights: Array, lp: Array, rounds: int = 40) -> Array:
    """Council rows of category shares (softmax of ``lp`` + b) averaging to ``target``."""
    target = np.asarray(target, dtype=float)
    target = target / target.sum()
    b = np.log(np.maximum(target, 1e-12))
    w = weights.astype(float)[:, None]
    shares = _softmax(lp + b)
    for _ in range(rounds):
        current = (w * shares).sum(axis=0) / max(w.sum(), 1.0)
        b += np.log(np.maximum(target, 1e-12) / np.maximum(current, 1e-12))
        shares = _softmax(lp + b)
    return shares


def _softmax(x: Array) -> Array:
    z = np.exp(x - x.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def binomial(rng: np.random.Generator, n: Array, p: Array) -> Array:
    return rng.binomial(np.asarray(n, dtype=np.int64), np.clip(p, 0.0, 1.0)).astype(np.int64)


def multinomial(rng: np.random.Generator, n: Array, shares: Array) -> Array:
    """Split counts ``n`` (any shape) by ``shares`` (same shape + categories)."""
    shares = np.asarray(shares, dtype=float)
    shares = shares / shares.sum(axis=-1, keepdims=True)
    return rng.multinomial(np.asarray(n, dtype=np.int64), shares).astype(np.int64)


def persistent(rng: np.random.Generator, n: int, sd: float) -> Array:
    return rng.normal(0.0, sd, n)


# ---------------------------------------------------------------------------
# Stocks and flows

# England (sum of councils) targets, reporting years 2018..2025.
CLA_RATE = by_year(64, 65, 67, 67, 70, 71, 70, 68)
CLA_RATE_2017 = 62.0
STARTS_RATE = by_year(28.5, 28.5, 27.5, 25.5, 27.5, 28.5, 28.5, 28)


@dataclass
class Core:
    """Exact council x year counts shared by many files (columns are ``YEARS``)."""

    population: Array  # 0-17 population used for the rate (ONS mid-year Y-1)
    cla: Array  # looked after on 31 March
    cla_prev: Array  # looked after on 31 March a year earlier
    starts: Array
    ceased: Array
    during: Array  # looked after at any time during the year
    cla12: Array  # looked after continuously for 12 months at 31 March


def simulate_core(world: World, rng: np.random.Generator) -> Core:
    n = world.n
    sim_pop = np.stack([world.population[y - 1] for y in SIM_YEARS], axis=1).astype(float)
    lp = (
        0.34 * world.deprivation
        + 0.05 * world.urbanity
        + world.region_rate_shift
        + persistent(rng, n, 0.17)
    )
    trend = persistent(rng, n, 0.016)
    ar = np.zeros((n, len(SIM_YEARS)))
    ar[:, 0] = rng.normal(0.0, 0.05, n)
    for t in range(1, len(SIM_YEARS)):
        ar[:, t] = 0.7 * ar[:, t - 1] + rng.normal(0.0, 0.03, n)
    years = np.asarray(SIM_YEARS, dtype=float)
    lp_t = lp[:, None] + trend[:, None] * (years - 2021.5)[None, :] + ar
    targets = np.concatenate([[CLA_RATE_2017], CLA_RATE])
    expected = np.empty_like(lp_t)
    for t in range(len(SIM_YEARS)):
        raw = sim_pop[:, t] * np.exp(lp_t[:, t]) / 10_000
        expected[:, t] = raw * targets[t] * sim_pop[:, t].sum() / 10_000 / raw.sum()
    expected[world.small] = np.clip(expected[world.small], 24, 40)
    # Stocks change smoothly (the AR term carries the year-to-year movement), so counting
    # noise is kept below Poisson; otherwise "ceased" (a difference of stocks) gets too noisy.
    noise = rng.normal(0.0, 0.5, expected.shape) * np.sqrt(expected)
    cla_all = np.maximum(np.rint(expected + noise), 0).astype(np.int64)
    cla_all[world.small] = np.clip(cla_all[world.small], 20, 45)

    cla_prev = cla_all[:, :-1]
    cla = cla_all[:, 1:]
    pop = sim_pop[:, 1:].astype(np.int64)

    # Councils with few children in care start (and end) care for relatively more of them.
    log_rate = np.log(cla_all[:, 1:].mean(axis=1) / sim_pop[:, 1:].mean(axis=1))
    start_eff = persistent(rng, n, 0.12) - 0.2 * (log_rate - log_rate.mean())
    base = 0.5 * (cla_prev + cla) * np.exp(start_eff[:, None] + rng.normal(0, 0.07, (n, N_YEARS)))
    scale = STARTS_RATE * pop.sum(axis=0) / 10_000 / base.sum(axis=0)
    starts = rng.poisson(base * scale[None, :]).astype(np.int64)
    ceased = cla_prev + starts - cla
    floor = np.maximum(np.rint(0.45 * starts).astype(np.int64), 1)
    low = ceased < floor
    ceased[low] = floor[low]
    starts = cla - cla_prev + ceased
    during = cla_prev + starts

    cla12_p = la_probabilities(
        rng, by_year(*[0.716] * N_YEARS), persistent(rng, n, 0.2), cla, year_sd=0.05
    )
    cla12 = binomial(rng, cla, cla12_p)
    return Core(pop, cla, cla_prev, starts, ceased, during, cla12)


# ---------------------------------------------------------------------------
# Placements on 31 March

PLACEMENT_CATEGORIES = (
    "foster",
    "adoption",
    "parents",
    "homes",
    "indep",
    "other_res",
    "res_school",
    "other",
)
# England shares of children looked after on 31 March, by reporting year.
_PLACEMENT_SHARES = np.array(
    [
        # foster adoption parents homes indep other_res res_school other
        [0.735, 0.034, 0.066, 0.083, 0.063, 0.012, 0.0020, 0.0050],  # 2018
        [0.725, 0.033, 0.068, 0.086, 0.066, 0.012, 0.0020, 0.0080],
        [0.715, 0.029, 0.069, 0.089, 0.081, 0.013, 0.0015, 0.0065],
        [0.705, 0.031, 0.075, 0.092, 0.075, 0.013, 0.0015, 0.0075],
        [0.697, 0.029, 0.069, 0.093, 0.091, 0.012, 0.0013, 0.0087],
        [0.676, 0.027, 0.069, 0.095, 0.103, 0.014, 0.0011, 0.0149],
        [0.674, 0.023, 0.063, 0.103, 0.075, 0.015, 0.0011, 0.0459],
        [0.680, 0.022, 0.060, 0.105, 0.070, 0.016, 0.0010, 0.0460],  # 2025
    ]
)
# Share of each located category placed outside the council boundary (England).
_OUTSIDE_BASE = {
    "foster": 0.42,
    "adoption": 0.80,
    "parents": 0.19,
    "homes": 0.68,
    "indep": 0.44,
    "other_res": 0.74,
    "res_school": 0.67,
}
OUTSIDE_SHARE = by_year(0.41, 0.415, 0.42, 0.425, 0.43, 0.435, 0.45, 0.45)
LOCATED = tuple(c for c in PLACEMENT_CATEGORIES if c != "other")

# Placement providers for every located category except "parents".
PROVIDERS = ("ola", "other_public", "own", "private", "voluntary")
_PROVIDER_BASE: dict[tuple[str, str], tuple[float, ...]] = {
    ("foster", "in"): (0.0012, 0.0, 0.75, 0.17, 0.079),
    ("foster", "out"): (0.010, 0.0, 0.385, 0.518, 0.087),
    ("homes", "in"): (0.004, 0.001, 0.355, 0.574, 0.066),
    ("homes", "out"): (0.019, 0.0005, 0.0005, 0.928, 0.052),
    ("indep", "in"): (0.005, 0.005, 0.07, 0.79, 0.13),
    ("indep", "out"): (0.005, 0.003, 0.005, 0.96, 0.027),
    ("other_res", "in"): (0.01, 0.15, 0.21, 0.60, 0.03),
    ("other_res", "out"): (0.02, 0.22, 0.0, 0.71, 0.05),
    ("res_school", "in"): (0.0, 0.0, 0.33, 0.34, 0.33),
    ("res_school", "out"): (0.15, 0.0, 0.0, 0.67, 0.18),
    ("adoption", "in"): (0.05, 0.0, 0.82, 0.01, 0.12),
    ("adoption", "out"): (0.24, 0.0, 0.47, 0.01, 0.28),
}


def simulate_placements(world: World, core: Core, rng: np.random.Generator) -> dict[str, Array]:
    """Counts by placement category, locality, kinship and provider; and the net gain."""
    n = world.n
    k = len(PLACEMENT_CATEGORIES)
    effects = np.zeros((n, k))
    effects[:, 0] = 0.25 * world.inhouse
    effects[:, 1] = persistent(rng, n, 0.3) - 0.1 * world.older
    effects[:, 2] = persistent(rng, n, 0.4)
    effects[:, 3] = 0.2 * world.deprivation + 0.2 * world.older + persistent(rng, n, 0.2)
    effects[:, 4] = 0.45 * world.older + persistent(rng, n, 0.2)
    effects[:, 5] = persistent(rng, n, 0.3)
    effects[:, 6] = persistent(rng, n, 0.5)
    effects[:, 7] = persistent(rng, n, 0.8)
    counts = np.zeros((n, N_YEARS, k), dtype=np.int64)
    for t in range(N_YEARS):
        lp = effects + rng.normal(0.0, 0.06, (n, k))
        shares = calibrate_shares(_PLACEMENT_SHARES[t], core.cla[:, t], lp)
        counts[:, t, :] = multinomial(rng, core.cla[:, t], shares)
    out: dict[str, Array] = {}
    for j, cat in enumerate(PLACEMENT_CATEGORIES):
        out[cat] = counts[:, :, j]

    # Inside or outside the council boundary.
    located = sum(out[c] for c in LOCATED)
    place_eff = 0.75 * world.out_of_area + persistent(rng, n, 0.15)
    yearly = place_eff[:, None] + rng.normal(0.0, 0.1, (n, N_YEARS))
    shift = np.zeros(N_YEARS)
    for t in range(N_YEARS):
        lo, hi = -5.0, 5.0
        for _ in range(50):
            mid = 0.5 * (lo + hi)
            expected = sum(
                (out[c][:, t] * expit(logit(_OUTSIDE_BASE[c]) + yearly[:, t] + mid)).sum()
                for c in LOCATED
            )
            if expected / max(located[:, t].sum(), 1) < OUTSIDE_SHARE[t]:
                lo = mid
            else:
                hi = mid
        shift[t] = 0.5 * (lo + hi)
    for c in LOCATED:
        p_out = expit(logit(_OUTSIDE_BASE[c]) + yearly + shift[None, :])
        outside = binomial(rng, out[c], p_out)
        out[f"{c}_out"] = outside
        out[f"{c}_in"] = out[c] - outside

    # Kinship (relative or friend) foster carers.
    kin_eff = persistent(rng, n, 0.3)
    trend = np.linspace(-0.15, 0.05, N_YEARS)[None, :]
    out["foster_in_kin"] = binomial(
        rng, out["foster_in"], expit(logit(0.28) + kin_eff[:, None] + trend)
    )
    out["foster_out_kin"] = binomial(
        rng, out["foster_out"], expit(logit(0.18) + kin_eff[:, None] + trend)
    )

    # Providers: in-house fostering depends on the council's sufficiency trait.
    own_homes = persistent(rng, n, 1.2)
    years = np.arange(N_YEARS)[None, :]
    for (cat, loc), base in _PROVIDER_BASE.items():
        weights = np.broadcast_to(np.asarray(base), (n, N_YEARS, len(PROVIDERS))).copy()
        own_lp = np.zeros((n, N_YEARS))
        if cat == "foster":
            own_lp = 0.6 * world.inhouse[:, None] - 0.03 * years
        elif cat == "homes" and loc == "in":
            own_lp = np.broadcast_to(own_homes[:, None], (n, N_YEARS))
        own_lp = own_lp + persistent(rng, n, 0.15)[:, None]
        weights[:, :, 2] *= np.exp(own_lp)
        weights[:, :, 3] *= np.exp(persistent(rng, n, 0.15))[:, None]
        out[f"{cat}_{loc}_providers"] = multinomial(rng, out[f"{cat}_{loc}"], weights)

    # Net gain: children placed out go to other councils (3% leave England).
    out["placed_out"] = sum(out[f"{c}_out"] for c in LOCATED)
    host = world.population[2020] * np.exp(
        0.45 * world.deprivation - 0.5 * world.urbanity + persistent(rng, n, 0.35)
    )
    placed_in = np.zeros((n, N_YEARS), dtype=np.int64)
    for t in range(N_YEARS):
        pool = int(np.rint(out["placed_out"][:, t].sum() * 0.97))
        w = host * np.exp(rng.normal(0.0, 0.08, n))
        placed_in[:, t] = rng.multinomial(pool, w / w.sum())
    out["placed_in"] = placed_in
    return out


# ---------------------------------------------------------------------------
# Stability, moves and missing episodes


def simulate_stability(world: World, core: Core, rng: np.random.Generator) -> dict[str, Array]:
    n = world.n
    out: dict[str, Array] = {}
    cla = core.cla
    instab = -0.35 * world.practice + 0.2 * world.older + persistent(rng, n, 0.2)
    out["three_plus"] = binomial(
        rng,
        cla,
        la_probabilities(rng, by_year(0.10, 0.10, 0.09, 0.09, 0.10, 0.11, 0.11, 0.10), instab, cla),
    )
    out["cla2y"] = binomial(
        rng, cla, la_probabilities(rng, by_year(*[0.73] * N_YEARS), persistent(rng, n, 0.2), cla)
    )
    out["three_plus_2y"] = binomial(
        rng,
        out["cla2y"],
        la_probabilities(
            rng, by_year(0.21, 0.21, 0.21, 0.21, 0.21, 0.22, 0.23, 0.23), instab, out["cla2y"]
        ),
    )
    out["long_term"] = binomial(
        rng, cla, la_probabilities(rng, by_year(*[0.35] * N_YEARS), persistent(rng, n, 0.2), cla)
    )
    out["same_carer"] = binomial(
        rng,
        out["long_term"],
        la_probabilities(
            rng,
            by_year(0.70, 0.70, 0.70, 0.70, 0.71, 0.68, 0.68, 0.69),
            0.35 * world.practice + persistent(rng, n, 0.25),
            out["long_term"],
        ),
    )

    # New placements during the year and the reasons placements changed.
    churn = np.exp(-0.12 * world.practice + persistent(rng, n, 0.1))[:, None]
    new_total = rng.poisson(cla * 1.1 * churn * np.exp(rng.normal(0, 0.06, (n, N_YEARS)))).astype(
        np.int64
    )
    unknown = by_year(0.05, 0.05, 0.06, 0.08, 0.11, 0.13, 0.16, 0.13)
    location = np.zeros((n, N_YEARS, 5))
    unknown_eff = persistent(rng, n, 0.6)
    for t in range(N_YEARS):
        rest = np.array([0.46, 0.05, 0.20, 0.16])
        rest = rest / rest.sum() * (1 - unknown[t])
        target = np.concatenate([[unknown[t]], rest])
        lp = np.zeros((n, 5))
        lp[:, 0] = unknown_eff
        lp[:, 3] = lp[:, 4] = 0.7 * world.out_of_area
        lp += rng.normal(0, 0.08, (n, 5))
        location[:, t, :] = calibrate_shares(target, new_total[:, t], lp, rounds=20)
    out["new_location"] = multinomial(rng, new_total, location)
    out["new_total"] = new_total
    changing = rng.poisson(cla * 0.72 * churn * np.exp(rng.normal(0, 0.06, (n, N_YEARS)))).astype(
        np.int64
    )
    reason_base = np.array(
        [
            0.0066,
            0.0042,
            0.0715,
            0.0847,
            0.1775,
            0.3411,
            0.0316,
            0.0025,
            0.2464,
            0.0068,
            0.0169,
            0.0101,
        ]
    )
    reason_eff = rng.normal(0.0, 0.3, (n, 1, len(reason_base)))
    weights = reason_base * np.exp(reason_eff + rng.normal(0, 0.08, (n, N_YEARS, len(reason_base))))
    out["reasons"] = multinomial(rng, changing, weights)
    out["changing"] = changing

    # School moves (children of school age) and social worker changes.
    moves = -0.3 * world.practice + persistent(rng, n, 0.2)
    out["school_2y_total"] = binomial(rng, cla, 0.55 * np.ones((n, N_YEARS)))
    out["school_2y_any"] = binomial(
        rng,
        out["school_2y_total"],
        la_probabilities(rng, by_year(*[0.20] * N_YEARS), moves, out["school_2y_total"]),
    )
    out["school_2y_mid"] = binomial(rng, out["school_2y_any"], 0.72 * np.ones((n, N_YEARS)))
    out["school_total"] = binomial(rng, cla, 0.63 * np.ones((n, N_YEARS)))
    out["school_any"] = binomial(
        rng,
        out["school_total"],
        la_probabilities(rng, by_year(*[0.11] * N_YEARS), moves, out["school_total"]),
    )
    out["school_mid"] = binomial(rng, out["school_any"], 0.71 * np.ones((n, N_YEARS)))
    out["sw_three_plus"] = binomial(
        rng,
        cla,
        la_probabilities(
            rng,
            by_year(0.29, 0.28, 0.28, 0.27, 0.27, 0.27, 0.27, 0.27),
            -0.2 * world.practice + persistent(rng, n, 0.45),
            cla,
            year_sd=0.12,
        ),
    )
    return out


def simulate_missing(world: World, core: Core, rng: np.random.Generator) -> dict[str, Array]:
    n = world.n
    during = core.during
    out: dict[str, Array] = {}
    eff = 0.3 * world.older + 0.2 * world.deprivation + persistent(rng, n, 0.35)
    p_missing = la_probabilities(
        rng, by_year(0.105, 0.11, 0.113, 0.10, 0.108, 0.111, 0.112, 0.112), eff, during, 0.1
    )
    missing = binomial(rng, during, p_missing)
    repeat = binomial(rng, missing, expit(logit(0.63) + persistent(rng, n, 0.2))[:, None])
    lam = 7.5 * np.exp(persistent(rng, n, 0.25))[:, None]
    out["missing"] = missing
    out["missing_repeat"] = repeat
    out["missing_incidents"] = missing + repeat + rng.poisson(repeat * lam).astype(np.int64)
    out["missing_31"] = binomial(rng, missing, 0.022 * np.ones((n, N_YEARS)))
    p_away = la_probabilities(
        rng,
        by_year(0.031, 0.030, 0.031, 0.024, 0.023, 0.023, 0.023, 0.022),
        persistent(rng, n, 0.5),
        during,
        0.1,
    )
    away = binomial(rng, during, p_away)
    away_repeat = binomial(rng, away, 0.5 * np.ones((n, N_YEARS)))
    lam_away = 5.0 * np.exp(persistent(rng, n, 0.3))[:, None]
    out["away"] = away
    out["away_repeat"] = away_repeat
    out["away_incidents"] = (
        away + away_repeat + rng.poisson(away_repeat * lam_away).astype(np.int64)
    )
    out["away_31"] = binomial(rng, away, 0.02 * np.ones((n, N_YEARS)))
    return out


# ---------------------------------------------------------------------------
# Care leavers

CARE_LEAVER_AGES = ("17 to 18", "19 to 21")
_LEAVER_RATIO = {
    "17 to 18": by_year(0.14, 0.143, 0.146, 0.149, 0.150, 0.160, 0.171, 0.181),
    "19 to 21": by_year(0.37, 0.38, 0.39, 0.40, 0.41, 0.415, 0.435, 0.47),
}
_OUT_OF_TOUCH = {
    "17 to 18": by_year(0.07, 0.07, 0.065, 0.06, 0.06, 0.06, 0.06, 0.06),
    "19 to 21": by_year(0.11, 0.11, 0.10, 0.095, 0.09, 0.085, 0.09, 0.09),
}
_OUT_OF_TOUCH_SPLIT = {  # not in touch, refuses contact, no longer requires services
    "17 to 18": (0.69, 0.06, 0.25),
    "19 to 21": (0.57, 0.11, 0.32),
}
EET_SHARE = {
    "17 to 18": by_year(0.64, 0.64, 0.65, 0.65, 0.66, 0.66, 0.64, 0.65),
    "19 to 21": by_year(0.51, 0.52, 0.52, 0.52, 0.55, 0.56, 0.54, 0.55),
}
_EET_SPLIT = {  # education (not HE), higher education, apprenticeship, training or employment
    "17 to 18": (0.76, 0.045, 0.03, 0.165),
    "19 to 21": (0.39, 0.115, 0.036, 0.459),
}
_NEET_SPLIT = {  # illness or disability, other reasons, pregnancy or parenting
    "17 to 18": (0.12, 0.82, 0.06),
    "19 to 21": (0.22, 0.67, 0.11),
}
_SUITABLE_IF_KNOWN = {
    "17 to 18": by_year(*[0.97] * N_YEARS),
    "19 to 21": by_year(0.955, 0.955, 0.955, 0.955, 0.958, 0.96, 0.965, 0.965),
}


def simulate_care_leavers(world: World, core: Core, rng: np.random.Generator) -> dict[str, Array]:
    n = world.n
    out: dict[str, Array] = {}
    leaver_eff = 0.25 * world.older + persistent(rng, n, 0.15)
    for age in CARE_LEAVER_AGES:
        base = core.cla_prev * np.exp(leaver_eff[:, None] + rng.normal(0, 0.05, (n, N_YEARS)))
        scale = _LEAVER_RATIO[age] * core.cla.sum(axis=0) / base.sum(axis=0)
        total = rng.poisson(base * scale[None, :]).astype(np.int64)
        touch_eff = -0.35 * world.practice + persistent(rng, n, 0.3)
        lost = binomial(rng, total, la_probabilities(rng, _OUT_OF_TOUCH[age], touch_eff, total))
        split = multinomial(rng, lost, np.asarray(_OUT_OF_TOUCH_SPLIT[age]))
        known = total - lost
        p_eet_known = EET_SHARE[age] / (1.0 - _OUT_OF_TOUCH[age])
        eet_eff = 0.35 * world.practice - 0.25 * world.deprivation + persistent(rng, n, 0.25)
        eet = binomial(rng, known, la_probabilities(rng, p_eet_known, eet_eff, known))
        eet_split = multinomial(rng, eet, np.asarray(_EET_SPLIT[age]))
        neet_split = multinomial(rng, known - eet, np.asarray(_NEET_SPLIT[age]))
        suit_eff = 0.3 * world.practice + persistent(rng, n, 0.4)
        suitable = binomial(
            rng, known, la_probabilities(rng, _SUITABLE_IF_KNOWN[age], suit_eff, known)
        )
        out[f"{age}_total"] = total
        out[f"{age}_not_in_touch"] = split[..., 0]
        out[f"{age}_refuses"] = split[..., 1]
        out[f"{age}_no_longer"] = split[..., 2]
        out[f"{age}_unknown"] = lost
        out[f"{age}_eet"] = eet_split
        out[f"{age}_neet"] = neet_split
        out[f"{age}_suitable"] = suitable
        out[f"{age}_unsuitable"] = known - suitable

    practice = 0.3 * world.practice + persistent(rng, n, 0.35)
    for label, ratio, target in (
        ("18", 0.044, by_year(0.55, 0.56, 0.58, 0.60, 0.62, 0.62, 0.62, 0.62)),
        ("19_20", 0.087, by_year(0.25, 0.26, 0.28, 0.30, 0.31, 0.32, 0.32, 0.33)),
    ):
        eligible = rng.poisson(core.cla * ratio * np.exp(persistent(rng, n, 0.2))[:, None]).astype(
            np.int64
        )
        out[f"stayput_{label}_eligible"] = eligible
        out[f"stayput_{label}"] = binomial(
            rng, eligible, la_probabilities(rng, target, practice, eligible, 0.1)
        )
    return out


# ---------------------------------------------------------------------------
# Health, convictions and wellbeing (children looked after for 12 months)

SDQ_MEAN = by_year(13.8, 13.8, 13.9, 13.9, 14.0, 14.2, 14.3, 14.4)


def simulate_health(world: World, core: Core, rng: np.random.Generator) -> dict[str, Array]:
    n = world.n
    c12 = core.cla12
    out: dict[str, Array] = {}
    good = 0.4 * world.practice + persistent(rng, n, 0.3)

    def share(total: Array, target: Array, eff: Array, year_sd: float = 0.1) -> Array:
        return binomial(rng, total, la_probabilities(rng, target, eff, total, year_sd))

    out["dev_total"] = share(c12, by_year(*[0.109] * N_YEARS), persistent(rng, n, 0.15))
    out["dev_ok"] = share(out["dev_total"], by_year(*[0.88] * N_YEARS), good)
    out["conv_total"] = share(c12, by_year(*[0.70] * N_YEARS), 0.2 * world.older)
    out["convicted"] = share(
        out["conv_total"],
        by_year(0.04, 0.035, 0.03, 0.024, 0.022, 0.02, 0.022, 0.02),
        0.3 * world.deprivation + persistent(rng, n, 0.3),
    )
    out["health_ok"] = share(c12, by_year(0.89, 0.90, 0.90, 0.91, 0.89, 0.89, 0.89, 0.90), good)
    out["immunised"] = share(c12, by_year(0.85, 0.86, 0.86, 0.86, 0.85, 0.82, 0.82, 0.83), good)
    out["dental"] = share(c12, by_year(0.84, 0.85, 0.86, 0.40, 0.70, 0.76, 0.79, 0.80), good, 0.2)
    out["sdq_total"] = share(c12, by_year(*[0.74] * N_YEARS), persistent(rng, n, 0.1))
    out["sdq_received"] = share(
        out["sdq_total"],
        by_year(0.78, 0.79, 0.80, 0.80, 0.77, 0.75, 0.77, 0.78),
        good + persistent(rng, n, 0.6),
    )
    concern_eff = 0.2 * world.deprivation + persistent(rng, n, 0.2)
    concern = la_probabilities(
        rng,
        by_year(0.37, 0.37, 0.37, 0.37, 0.37, 0.38, 0.39, 0.39),
        concern_eff,
        out["sdq_received"],
    )
    borderline = 0.13 * np.ones_like(concern)
    normal = np.clip(1.0 - concern - borderline, 0.05, None)
    out["sdq_bands"] = multinomial(
        rng, out["sdq_received"], np.stack([concern, borderline, normal], axis=-1)
    )
    received = out["sdq_received"]
    weights = received / np.maximum(received.sum(axis=0, keepdims=True), 1)
    centred = concern - (weights * concern).sum(axis=0, keepdims=True)
    mean_score = SDQ_MEAN[None, :] + 22.0 * centred + rng.normal(0.0, 0.35, (n, N_YEARS))
    # Hidden total of everyone's score x 10, so averages aggregate like the real ones.
    out["sdq_score_x10"] = np.rint(mean_score * 10 * out["sdq_received"]).astype(np.int64)
    out["substance"] = share(c12, by_year(*[0.03] * N_YEARS), persistent(rng, n, 0.4))
    out["substance_refused"] = share(
        out["substance"], by_year(*[0.42] * N_YEARS), persistent(rng, n, 0.3)
    )
    out["substance_received"] = binomial(
        rng, out["substance"] - out["substance_refused"], 0.72 * np.ones((n, N_YEARS))
    )
    return out


# ---------------------------------------------------------------------------
# Characteristics of children looked after on 31 March

AGE_BANDS = ("under1", "1to4", "5to9", "10to15", "16plus")
_AGE_SHARES = np.array(
    [
        [0.055, 0.135, 0.190, 0.390, 0.230],  # 2018
        [0.053, 0.135, 0.190, 0.390, 0.232],
        [0.052, 0.135, 0.184, 0.392, 0.237],
        [0.049, 0.144, 0.186, 0.388, 0.233],
        [0.048, 0.138, 0.181, 0.386, 0.247],
        [0.046, 0.132, 0.178, 0.381, 0.263],
        [0.045, 0.129, 0.180, 0.376, 0.270],
        [0.044, 0.127, 0.180, 0.375, 0.274],  # 2025
    ]
)
# Care orders, detained for child protection, placement order, S20, youth justice.
_LEGAL_SHARES = np.array(
    [
        [0.765, 0.0006, 0.072, 0.159, 0.0034],
        [0.770, 0.0006, 0.068, 0.158, 0.0034],
        [0.767, 0.0004, 0.063, 0.166, 0.0034],
        [0.788, 0.0006, 0.060, 0.149, 0.0032],
        [0.777, 0.0005, 0.055, 0.165, 0.0026],
        [0.757, 0.0005, 0.054, 0.185, 0.0031],
        [0.747, 0.0004, 0.056, 0.194, 0.0026],
        [0.745, 0.0004, 0.056, 0.196, 0.0026],
    ]
)
# White, mixed, Asian, Black, other, refused or not yet obtained.
_ETHNICITY_SHARES = np.array(
    [
        [0.750, 0.100, 0.045, 0.073, 0.028, 0.004],
        [0.745, 0.101, 0.045, 0.074, 0.031, 0.004],
        [0.743, 0.101, 0.045, 0.074, 0.034, 0.003],
        [0.748, 0.105, 0.044, 0.069, 0.030, 0.004],
        [0.729, 0.107, 0.048, 0.070, 0.042, 0.004],
        [0.714, 0.107, 0.054, 0.071, 0.049, 0.005],
        [0.710, 0.107, 0.053, 0.074, 0.047, 0.009],
        [0.705, 0.108, 0.055, 0.076, 0.048, 0.008],
    ]
)
# Category of need N1..N8.
_NEED_SHARES = np.array(
    [
        [0.630, 0.030, 0.030, 0.076, 0.145, 0.014, 0.0013, 0.074],
        [0.635, 0.029, 0.029, 0.076, 0.143, 0.014, 0.0013, 0.072],
        [0.646, 0.027, 0.029, 0.076, 0.141, 0.013, 0.0012, 0.067],
        [0.662, 0.026, 0.028, 0.076, 0.140, 0.012, 0.0011, 0.055],
        [0.660, 0.024, 0.027, 0.074, 0.132, 0.011, 0.0011, 0.071],
        [0.653, 0.023, 0.025, 0.074, 0.126, 0.011, 0.0011, 0.087],
        [0.660, 0.023, 0.024, 0.073, 0.122, 0.010, 0.0010, 0.087],
        [0.662, 0.022, 0.024, 0.072, 0.120, 0.010, 0.0010, 0.089],
    ]
)
MALE_SHARE = by_year(0.560, 0.560, 0.562, 0.557, 0.564, 0.573, 0.571, 0.570)


def _split_by_year(rng: np.random.Generator, total: Array, targets: Array, effects: Array) -> Array:
    n = total.shape[0]
    result = np.zeros((n, N_YEARS, targets.shape[1]), dtype=np.int64)
    for t in range(N_YEARS):
        lp = effects + rng.normal(0.0, 0.06, effects.shape)
        shares = calibrate_shares(targets[t], total[:, t], lp)
        result[:, t, :] = multinomial(rng, total[:, t], shares)
    return result


def simulate_characteristics(
    world: World, core: Core, placements: dict[str, Array], rng: np.random.Generator
) -> dict[str, Array]:
    n = world.n
    out: dict[str, Array] = {}
    age_eff = np.zeros((n, 5))
    age_eff[:, 4] = 0.35 * world.older + persistent(rng, n, 0.1)
    age_eff[:, 0] = age_eff[:, 1] = 0.1 * world.deprivation + persistent(rng, n, 0.1)
    out["age"] = _split_by_year(rng, core.cla, _AGE_SHARES, age_eff)
    out["male"] = binomial(
        rng,
        core.cla,
        la_probabilities(
            rng, MALE_SHARE, 0.1 * world.older + persistent(rng, n, 0.05), core.cla, 0.03
        ),
    )
    legal_eff = np.zeros((n, 5))
    legal_eff[:, 2] = persistent(rng, n, 0.3)
    legal_eff[:, 3] = 0.4 * world.older + persistent(rng, n, 0.4)
    legal_eff[:, 4] = persistent(rng, n, 0.5)
    out["legal"] = _split_by_year(rng, core.cla, _LEGAL_SHARES, legal_eff)
    eth_eff = rng.normal(0.0, 0.25, (n, 6))
    eth_eff[:, 0] = -1.0 * world.diversity
    out["ethnicity"] = _split_by_year(rng, core.cla, _ETHNICITY_SHARES, eth_eff)
    need_eff = rng.normal(0.0, 0.15, (n, 8))
    need_eff[:, 7] += 0.6 * world.older
    need_eff[:, 0] += 0.1 * world.deprivation
    out["need"] = _split_by_year(rng, core.cla, _NEED_SHARES, need_eff)
    # Secure children's homes are a small part of "secure homes and children's homes".
    out["secure_in"] = binomial(rng, placements["homes_in"], 0.004 * np.ones((n, N_YEARS)))
    out["secure_out"] = binomial(rng, placements["homes_out"], 0.016 * np.ones((n, N_YEARS)))
    return out
