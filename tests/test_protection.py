"""One rule for small numbers (indicators/protection.py), for the extract, the return and
local indicators.

Each case that reveals a child is checked the way someone reading the page would try
it: a brute-force search over every way the children could be split that agrees with
the figures left visible, asking whether the small number can still be worked out.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable
from datetime import date

import pandas as pd
import pytest

from domain.registry import read_links, registry
from domain.rounding import round_half_up
from indicators import protection
from indicators.child_level import RAW_COLUMNS
from indicators.child_level import protect as protect_extract

pytestmark = pytest.mark.pure

LIMIT = 6  # DfE's rule: a council's counts of 1 to 5 are suppressed
AS_AT = date(2025, 3, 31)


# ------------------------------------------------------------------ the brute-force reader
Cell = tuple[str, tuple[str, ...], tuple[str, ...] | None]  # unit, atoms counted, atoms of


def feasible(
    atoms: list[str], total: int, cells: dict[str, Cell], visible: dict[str, float]
) -> list[dict[str, int]]:
    """Every split of `total` children into `atoms` that agrees with the visible cells.

    A count cell shows the number of children in its atoms; a percentage cell shows
    those children as a share of its denominator's atoms, rounded as pages round
    (half up, whole numbers).
    """
    found = []
    for cut in itertools.combinations(range(total + len(atoms) - 1), len(atoms) - 1):
        bounds = (-1, *cut, total + len(atoms) - 1)
        split = {atom: bounds[i + 1] - bounds[i] - 1 for i, atom in enumerate(atoms)}
        if all(_agrees(cells[name], split, shown) for name, shown in visible.items()):
            found.append(split)
    return found


def _agrees(cell: Cell, split: dict[str, int], shown: float) -> bool:
    unit, counted, of = cell
    part = sum(split[a] for a in counted)
    if unit == "count":
        return part == shown
    whole = sum(split[a] for a in of or ())
    return whole > 0 and round_half_up(100 * part / whole) == shown


def possible(splits: list[dict[str, int]], secret: Callable[[dict[str, int]], int]) -> set[int]:
    return {secret(split) for split in splits}


def cannot_be_worked_out(values: set[int]) -> bool:
    """The reader cannot tell the number, nor even that it is small."""
    return len(values) > 1 and max(values) >= LIMIT


# ------------------------------------------------------------------ helpers
def frame(*rows, keys=("quarter",)) -> pd.DataFrame:
    """Cells of one quarter: (indicator_id, unit, value, numerator, denominator)."""
    return pd.DataFrame(
        [("Q1", *row) for row in rows],
        columns=[*keys, "indicator_id", "unit", "value", "numerator", "denominator"],
    )


def hidden(protected: pd.DataFrame) -> set[str]:
    return set(protected.loc[protected["symbol"] == "c", "indicator_id"])


def visible(protected: pd.DataFrame) -> dict[str, float]:
    shown = protected[protected["symbol"] != "c"]
    return {
        i: round_half_up(float(v))
        for i, v in zip(shown["indicator_id"], shown["value"], strict=True)
    }


def raw(*rows, load=1) -> pd.DataFrame:
    """An extract's unprotected cells at one quarter end:
    (indicator_id, numerator, denominator, group_id)."""
    records = []
    for indicator, numerator, denominator, group in rows:
        value = numerator if denominator is None else 100.0 * numerator / denominator
        records.append((load, AS_AT, indicator, numerator, denominator, value, group))
    return pd.DataFrame(records, columns=RAW_COLUMNS)


nan = math.nan


# ------------------------------------------------------------------ the threshold
def test_the_default_follows_dfe_counts_of_1_to_5_are_suppressed(monkeypatch):
    monkeypatch.delenv("CP_SMALL_COUNT", raising=False)
    assert protection.small_count_threshold() == LIMIT
    monkeypatch.setenv("CP_SMALL_COUNT", "10")
    assert protection.small_count_threshold() == 10  # a council's stricter policy
    monkeypatch.setenv("CP_SMALL_COUNT", "nonsense")
    assert protection.small_count_threshold() == LIMIT


@pytest.mark.parametrize(
    ("count", "is_hidden"),
    [(0, False), (1, True), (3, True), (5, True), (6, False), (590, False)],
)
def test_counts_of_1_to_5_are_hidden_and_zero_is_shown(count, is_hidden):
    protected = protection.protect(
        frame(("short_breaks_count", "count", count, nan, nan)), ["quarter"], LIMIT
    )
    assert (hidden(protected) == {"short_breaks_count"}) is is_hidden
    assert math.isnan(protected["value"].iloc[0]) is is_hidden
    assert {"numerator", "denominator"}.isdisjoint(protected.columns)


# ------------------------------------------------------------------ shares
@pytest.mark.parametrize(
    ("value", "numerator", "denominator", "is_hidden"),
    [
        (97, 97, 100, True),  # EET 97 % of 100: 3 young people are not
        (97, nan, 100, True),  # the same without the numerator
        (95, 95, 100, True),
        (94, 94, 100, False),
        (2, nan, 200, True),  # missing 2 % of 200 gives back 4 children
        (3, nan, 200, False),  # 6 children
        (98, nan, 200, True),  # 4 did not
        (50, nan, 4, True),  # a share of 4 children
        (0, 0, 40, False),  # none of 40
        (100, 40, 40, False),  # all of 40
    ],
)
def test_a_share_is_hidden_when_its_numerator_or_its_complement_is_small(
    value, numerator, denominator, is_hidden
):
    cells = frame(("care_leavers_19_21_eet_pct", "percent", value, numerator, denominator))
    protected = protection.protect(cells, ["quarter"], LIMIT)
    assert bool(hidden(protected)) is is_hidden


def test_a_rate_of_a_small_count_and_an_average_over_few_children_are_hidden():
    protected = protection.protect(
        frame(
            ("cla_starts_rate_per_10k", "rate per 10,000", 4.0, nan, 10_000),  # 4 children
            ("cla_ceased_rate_per_10k", "rate per 10,000", 40.0, 40, 10_000),
            ("sdq_mean", "score", 15.0, 4, 4),  # four children's average
            ("ks4_attainment8", "score", 20.0, nan, nan),  # nothing to check it by
        ),
        ["quarter"],
        LIMIT,
    )
    assert hidden(protected) == {"cla_starts_rate_per_10k", "sdq_mean"}


def test_the_councils_own_symbols_are_kept():
    cells = frame(
        ("short_breaks_count", "count", nan, nan, nan),
        ("net_gain_count", "count", nan, nan, nan),
    ).assign(symbol=["x", "c"])
    protected = protection.protect(cells, ["quarter"], LIMIT)
    assert list(protected["symbol"]) == ["x", "c"]


# ------------------------------------------------------------------ linked cells
CHAIN_ATOMS = ["own_foster", "other_foster", "own_not_foster", "neither"]
CHAIN_CELLS: dict[str, Cell] = {
    "cla_count": ("count", tuple(CHAIN_ATOMS), None),
    "foster_pct": ("percent", ("own_foster", "other_foster"), tuple(CHAIN_ATOMS)),
    "provider_own_pct": ("percent", ("own_foster", "own_not_foster"), tuple(CHAIN_ATOMS)),
    "foster_own_provision_pct": ("percent", ("own_foster",), ("own_foster", "other_foster")),
    # The extract's other placement and provider cells, as the case below fills them.
    "childrens_homes_pct": ("percent", ("own_not_foster", "neither"), tuple(CHAIN_ATOMS)),
    "provider_private_pct": ("percent", ("other_foster", "neither"), tuple(CHAIN_ATOMS)),
}
# 60 children: 40 fostered (32 by the council's own carers, 8 by others), 20 in children's
# homes (3 of them the council's own). Own provision is 35: 32 foster + 3.
CHAIN_TRUTH = {"own_foster": 32, "other_foster": 8, "own_not_foster": 3, "neither": 17}


def _chain_secrets(splits):
    for atom, number in CHAIN_TRUTH.items():
        if 0 < number < LIMIT:
            yield atom, possible(splits, lambda s, a=atom: s[a])


def test_the_brute_force_reader_rebuilds_the_3_when_everything_is_shown():
    shown = {"cla_count": 60, "foster_pct": 67, "provider_own_pct": 58,
             "foster_own_provision_pct": 80}  # fmt: skip
    splits = feasible(CHAIN_ATOMS, 60, CHAIN_CELLS, shown)
    assert possible(splits, lambda s: s["own_not_foster"]) == {3}


def test_foster_own_provision_and_own_foster_of_60_cannot_rebuild_the_3_from_the_extract():
    extract = raw(
        ("cla_count", 60, None, None),
        ("foster_pct", 40, 60, "placement"),
        ("childrens_homes_pct", 20, 60, "placement"),
        ("placed_for_adoption_pct", 0, 60, "placement"),
        ("placed_with_parents_pct", 0, 60, "placement"),
        ("independent_living_pct", 0, 60, "placement"),
        ("other_residential_pct", 0, 60, "placement"),
        ("residential_schools_pct", 0, 60, "placement"),
        ("other_placements_pct", 0, 60, "placement"),
        ("provider_own_pct", 35, 60, "provider"),
        ("provider_private_pct", 25, 60, "provider"),
        ("provider_other_la_pct", 0, 60, "provider"),
        ("provider_voluntary_pct", 0, 60, "provider"),
        ("provider_other_pct", 0, 60, "provider"),
        ("foster_own_provision_pct", 32, 40, None),
    )
    protected = protect_extract(extract, threshold=LIMIT)
    assert hidden(protected), "3 children in the council's own non-foster provision"
    shown = {k: v for k, v in visible(protected).items() if k in CHAIN_CELLS}
    splits = feasible(CHAIN_ATOMS, 60, CHAIN_CELLS, shown)
    assert CHAIN_TRUTH in splits
    for atom, values in _chain_secrets(splits):
        assert cannot_be_worked_out(values), (atom, sorted(values), shown)


def test_the_same_chain_from_percentages_and_denominators_alone():
    """As a quarterly return gives them: no numerators, each share with its denominator."""
    cells = frame(
        ("cla_count", "count", 60, nan, nan),
        ("foster_pct", "percent", 67, nan, 60),
        ("provider_own_pct", "percent", 58, nan, 60),
        ("foster_own_provision_pct", "percent", 80, nan, 40),
    )
    protected = protection.protect(cells, ["quarter"], LIMIT)
    shown = visible(protected)
    splits = feasible(CHAIN_ATOMS, 60, CHAIN_CELLS, shown)
    assert CHAIN_TRUTH in splits
    for atom, values in _chain_secrets(splits):
        assert cannot_be_worked_out(values), (atom, sorted(values), shown)
    assert "foster_pct" not in hidden(protected)  # the headline figure stays


def test_higher_education_within_education_employment_or_training():
    """8 of 20 care leavers in EET, 7 of them in higher education: 1 in other EET."""
    extract = raw(
        ("care_leavers_19_21_count", 20, None, None),
        ("care_leavers_19_21_eet_pct", 8, 20, None),
        ("care_leavers_higher_education_pct", 7, 20, None),
        ("care_leavers_19_21_in_touch_pct", 14, 20, None),
    )
    protected = protect_extract(extract, threshold=LIMIT)
    atoms = ["higher", "other_eet", "not_eet"]
    cells: dict[str, Cell] = {
        "care_leavers_19_21_count": ("count", tuple(atoms), None),
        "care_leavers_19_21_eet_pct": ("percent", ("higher", "other_eet"), tuple(atoms)),
        "care_leavers_higher_education_pct": ("percent", ("higher",), tuple(atoms)),
    }
    shown = {k: v for k, v in visible(protected).items() if k in cells}
    splits = feasible(atoms, 20, cells, shown)
    assert cannot_be_worked_out(possible(splits, lambda s: s["other_eet"]))
    assert "care_leavers_19_21_in_touch_pct" not in hidden(protected)


def test_a_breakdown_with_cells_left_out_of_the_return_still_protects_its_small_cell():
    """50 children: 30 fostered, 15 in children's homes, 3 placed for adoption, 2 with
    parents. The return gives only the first three shares: the 3 is hidden, and the
    visible shares must not leave the reader knowing that adoption is small."""
    cells = frame(
        ("cla_count", "count", 50, nan, nan),
        ("foster_pct", "percent", 60, nan, 50),
        ("childrens_homes_pct", "percent", 30, nan, 50),
        ("placed_for_adoption_pct", "percent", 6, nan, 50),
    )
    protected = protection.protect(cells, ["quarter"], LIMIT)
    assert "placed_for_adoption_pct" in hidden(protected)
    atoms = ["foster", "homes", "adoption", "rest"]
    everyone = tuple(atoms)
    described: dict[str, Cell] = {
        "cla_count": ("count", everyone, None),
        "foster_pct": ("percent", ("foster",), everyone),
        "childrens_homes_pct": ("percent", ("homes",), everyone),
        "placed_for_adoption_pct": ("percent", ("adoption",), everyone),
    }
    splits = feasible(atoms, 50, described, visible(protected))
    assert cannot_be_worked_out(possible(splits, lambda s: s["adoption"]))


def test_a_hidden_count_hides_the_rate_built_on_it():
    protected = protection.protect(
        frame(
            ("cla_count", "count", 4, nan, nan),
            ("cla_rate_per_10k", "rate per 10,000", 3.0, nan, nan),  # its count is cla_count
        ),
        ["quarter"],
        LIMIT,
    )
    assert hidden(protected) == {"cla_count", "cla_rate_per_10k"}


def test_cells_are_protected_within_their_own_group_only():
    cells = pd.concat(
        [
            frame(("short_breaks_count", "count", 3, nan, nan)),
            frame(("short_breaks_count", "count", 30, nan, nan)).assign(quarter="Q2"),
        ],
        ignore_index=True,
    )
    protected = protection.protect(cells, ["quarter"], LIMIT)
    assert list(protected["symbol"]) == ["c", None]


def test_links_are_data_the_rule_reads():
    """A council's own breakdown, declared as a link, is protected like DfE's."""
    links = read_links(
        """
        unpublished = []
        [[link]]
        id = "visits"
        total = "visits_count"
        parts = ["visits_in_person", "visits_online"]
        """
    )
    cells = frame(
        ("visits_count", "count", 40, nan, nan),
        ("visits_in_person", "count", 37, nan, nan),
        ("visits_online", "count", 3, nan, nan),
    )
    assert hidden(protection.protect(cells, ["quarter"], LIMIT)) == {"visits_online"}
    with_link = protection.protect(cells, ["quarter"], LIMIT, links=links)
    assert hidden(with_link) == {"visits_online", "visits_in_person"}


def test_every_name_in_the_links_file_is_an_indicator_or_declared_unpublished():
    ids = set(registry().ids())
    links = protection.links()
    assert links.links, "the links file declares the breakdowns"
    assert not (links.unpublished & ids)
    for link in links.links:
        for name in (link.total, *link.parts):
            assert name in ids or name in links.unpublished, (link.id, name)


def test_a_mistyped_link_is_refused():
    with pytest.raises(ValueError, match="fostr_pct"):
        read_links(
            """
            unpublished = ["rest"]
            [[link]]
            id = "typo"
            total = "cla_count"
            parts = ["fostr_pct", "rest"]
            """,
            known={"cla_count", "foster_pct"},
        )


def test_no_small_number_of_the_chain_can_be_worked_out_whatever_the_split():
    """Seeded random splits of up to 40 children across the foster / own provision
    chain, as an extract gives them: nothing small is ever left to work out."""
    rng = random.Random(903)
    for _ in range(25):
        n = rng.randint(12, 40)
        cut = sorted(rng.sample(range(n + 3), 3))
        bounds = (-1, *cut, n + 3)
        truth = dict(
            zip(CHAIN_ATOMS, (bounds[i + 1] - bounds[i] - 1 for i in range(4)), strict=True)
        )
        fostered = truth["own_foster"] + truth["other_foster"]
        own = truth["own_foster"] + truth["own_not_foster"]
        rows = [
            ("cla_count", n, None, None),
            ("foster_pct", fostered, n, "placement"),
            ("childrens_homes_pct", n - fostered, n, "placement"),
            ("provider_own_pct", own, n, "provider"),
            ("provider_private_pct", n - own, n, "provider"),
        ]
        if fostered:
            rows.append(("foster_own_provision_pct", truth["own_foster"], fostered, None))
        protected = protect_extract(raw(*rows), threshold=LIMIT)
        shown = {k: v for k, v in visible(protected).items() if k in CHAIN_CELLS}
        splits = feasible(CHAIN_ATOMS, n, CHAIN_CELLS, shown)
        assert truth in splits
        for atom, number in truth.items():
            if 0 < number < LIMIT:
                values = possible(splits, lambda s, a=atom: s[a])
                assert cannot_be_worked_out(values), (truth, atom, sorted(values), shown)
