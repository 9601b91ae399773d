"""Statistical neighbours of the fictional councils, in DfE's long CSV layout.

DfE's children's services statistical neighbours rank, for each council, the
ten councils most similar to it on socio-economic indicators, with a closeness
band. Here similarity is measured on the councils' latent traits (deprivation,
urbanity, size, diversity), the same traits that drive their figures, so
neighbours really do look alike in the demo. The 2025 model uses slightly
drifted traits and different weights, so some neighbours change between models,
as they did between DfE's April 2021 and May 2025 models. Each model spells its
closeness bands the way the real file does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from demo.conventions import write_csv
from demo.world import World

HEADER = [
    "old_la_code",
    "la_name",
    "region",
    "sn_rank",
    "sn_old_la_code",
    "sn_closeness",
    "sn_la_name",
]
N_NEIGHBOURS = 10

# (label, cumulative share of neighbour pairs up to this band) as in each real file.
BANDS_2021 = (
    ("Extremely Close", 0.06),
    ("Very Close", 0.66),
    ("Close", 0.84),
    ("Somewhat close", 0.93),
    ("Not Close", 1.0),
)
BANDS_2025 = (
    ("Extremely close", 0.01),
    ("Very close", 0.56),
    ("Close", 0.89),
    ("Somewhat close", 0.97),
    ("Not close", 1.0),
)


def _features(world: World, rng: np.random.Generator, model: int) -> np.ndarray:
    n = world.n
    if model == 2021:
        pop = np.log(world.population[2019].astype(float))
        cols = [world.deprivation, world.urbanity, pop, world.diversity]
        weights = (1.0, 0.8, 0.6, 0.6)
    else:
        pop = np.log(world.population[2023].astype(float))
        cols = [
            world.deprivation + rng.normal(0.0, 0.15, n),
            world.urbanity + rng.normal(0.0, 0.1, n),
            pop,
            world.diversity + rng.normal(0.0, 0.1, n),
        ]
        weights = (1.0, 0.7, 0.7, 0.7)
    feats = np.stack(
        [(c - c.mean()) / c.std() * w for c, w in zip(cols, weights, strict=True)], axis=1
    )
    return feats


def neighbour_rows(world: World, rng: np.random.Generator, model: int) -> list[list[str]]:
    feats = _features(world, rng, model)
    dist = np.sqrt(((feats[:, None, :] - feats[None, :, :]) ** 2).sum(axis=-1))
    np.fill_diagonal(dist, np.inf)
    order = np.argsort(dist, axis=1, kind="stable")[:, :N_NEIGHBOURS]
    chosen = np.take_along_axis(dist, order, axis=1)
    bands = BANDS_2021 if model == 2021 else BANDS_2025
    cuts = [float(np.quantile(chosen, share)) for _, share in bands[:-1]]

    def band(d: float) -> str:
        for (label, _), cut in zip(bands, cuts, strict=False):
            if d <= cut:
                return label
        return bands[-1][0]

    councils = world.councils
    if model == 2021:
        ordered = sorted(councils, key=lambda c: c.old_la_code)
    else:
        ordered = sorted(councils, key=lambda c: c.la_name)
    rows: list[list[str]] = []
    for council in ordered:
        i = council.index
        for rank in range(N_NEIGHBOURS):
            j = int(order[i, rank])
            other = councils[j]
            rows.append(
                [
                    council.old_la_code,
                    council.la_name,
                    council.region.name,
                    str(rank + 1),
                    other.old_la_code,
                    band(float(dist[i, j])),
                    other.la_name,
                ]
            )
    return rows


def write_neighbours(path: Path, world: World, rng: np.random.Generator, model: int) -> int:
    return write_csv(path, HEADER, neighbour_rows(world, rng, model))
