"""One rule for small numbers, for every figure the council gives the app itself.

The SSDA903 extract's figures (indicators/child_level.py), the quarterly return's
and local indicators' (indicators/local.py) all pass through `protect` before any
page, download or slide sees them. docs/METHODOLOGY.md, "Small numbers", states the
rule; in short:

1. **Primary suppression.** A number of children from 1 to threshold - 1 (DfE: 1 to
   5) is hidden ('c'), and so is every figure that gives one back: a count, a rate
   or share whose numerator is small, a share whose complement (denominator minus
   numerator) is small, and an average over few children. A percentage given with a
   denominator reveals its numerator, round(p x d / 100), even when the numerator
   is not given. Zeros are shown.
2. **Linked cells** (indicators/linked_cells.toml, read as data): a total and its
   parts. Complementary suppression then hides more cells, smallest first, until
   no hidden cell, and no small number of children the pages do not show, can be
   worked out by adding and subtracting what is visible, and the hidden parts of a
   total together hold at least the threshold.

Cells are protected together within a group (`keys`: one extract's quarter end,
one quarter of a return). The numerators and denominators never leave `protect`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import pandas as pd

from domain.registry import Links, registry
from domain.rounding import round_half_up_counts
from domain.symbols import SUPPRESSED
from domain.units import COUNT, UNITS, is_share_unit

# Counts below this many children (and figures that would give one back) are shown as
# 'c'. DfE suppresses a council's counts of 1 to 5, so the smallest count shown is 6.
SMALL_COUNT_ENV = "CP_SMALL_COUNT"
DEFAULT_SMALL_COUNT = 6


def small_count_threshold() -> int:
    """The smallest count shown (default 6: counts of 1 to 5 become 'c', as DfE's)."""
    text = os.environ.get(SMALL_COUNT_ENV, "")
    return int(text) if text.strip().isdigit() and int(text) >= 1 else DEFAULT_SMALL_COUNT


def small_counts_text() -> str:
    """The counts hidden, in words: '1 to 5' by default."""
    largest = small_count_threshold() - 1
    return "1" if largest == 1 else f"1 to {largest}"


# ------------------------------------------------------------------ the links (data)
def links() -> Links:
    """The links in indicators/linked_cells.toml, checked against the ids (the registry's)."""
    return registry().links


# ------------------------------------------------------------------ the rule
def protect(
    cells: pd.DataFrame,
    keys: Sequence[str],
    threshold: int | None = None,
    links: Links | None = None,
) -> pd.DataFrame:
    """Hide small numbers, and the cells that would give them back, group by group.

    `cells`: one row per figure, with the `keys` that make a group, `indicator_id`,
    `unit`, `value` and, where known, `numerator`, `denominator` and `symbol` (a
    symbol already given, such as the council's own 'c', is kept). Returns the
    same rows in the same order with `value` removed and `symbol` 'c' where hidden,
    without the numerators and denominators.
    """
    limit = small_count_threshold() if threshold is None else int(threshold)
    chosen = _links() if links is None else links
    frame = cells.reset_index(drop=True).copy()
    for column in ("numerator", "denominator", "symbol"):
        if column not in frame.columns:
            frame[column] = None
    if frame.empty:
        return frame.drop(columns=["numerator", "denominator"])
    # Ids and units as codes into their few distinct values (a region has ~40,000 rows).
    id_codes, id_names = pd.factorize(frame["indicator_id"])
    unit_codes, unit_names = pd.factorize(frame["unit"], use_na_sentinel=False)
    unit_names = [str(u) for u in unit_names]
    # What one child is worth in a figure of each unit: a percentage counts its numerator
    # out of 100 of its denominator, a rate out of 10,000 (domain/units.py).
    scales = [UNITS[u].scale if u in UNITS else None for u in unit_names]
    scale = np.array([np.nan if s is None else s for s in scales], float)[unit_codes]
    is_count = np.array([u == COUNT for u in unit_names], bool)[unit_codes]
    share = np.array([is_share_unit(u) for u in unit_names], bool)[unit_codes]
    values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    numerators = pd.to_numeric(frame["numerator"], errors="coerce").to_numpy(dtype=float)
    denominators = pd.to_numeric(frame["denominator"], errors="coerce").to_numpy(dtype=float)
    symbol = frame["symbol"]
    has_symbol = (symbol.notna() & symbol.ne("")).to_numpy(dtype=bool)
    suppressed = symbol.eq(SUPPRESSED).to_numpy(dtype=bool)
    shown = ~np.isnan(values) & ~has_symbol
    group = frame.groupby(list(keys), sort=False, dropna=False).ngroup().to_numpy()

    table = _LinkTable(chosen, group, (id_codes, [str(i) for i in id_names]), scale, is_count)
    counts, denominators = table.rows_counts(values, numerators, denominators)

    def small(numbers: np.ndarray) -> np.ndarray:
        with np.errstate(invalid="ignore"):
            return (numbers > 0) & (numbers < limit)

    primary = shown & (small(counts) | small(denominators) | (share & small(denominators - counts)))
    secret = table.complementary(shown & ~primary, suppressed, limit)
    hidden = primary | (shown & secret)
    frame.loc[hidden, "value"] = float("nan")
    symbols = symbol.where(has_symbol, None).to_numpy(dtype=object, copy=True)
    symbols[hidden] = SUPPRESSED
    frame["symbol"] = pd.Series(symbols, dtype=object)
    frame["value"] = frame["value"].astype(float)
    return frame.drop(columns=["numerator", "denominator"])


def _links() -> Links:
    """The declared links (`protect`'s own `links` argument hides the function's name)."""
    return links()


class _LinkTable:
    """The linked quantities of every group as arrays (groups x quantities), so that the
    rule runs over a region's thousand quarter ends at once."""

    def __init__(self, chosen: Links, group, ids, scale, is_count):
        self.relations = [(total, parts) for total, parts in chosen.relations() if total and parts]
        names: list[str] = []
        for total, parts in self.relations:
            for name in (total, *parts):
                if name not in names:
                    names.append(name)
        self.names = names
        self.column = {name: i for i, name in enumerate(names)}
        self.share_of = [
            (self.column[part], self.column[total])
            for part, total in chosen.denominators()
            if part in self.column and total in self.column
        ]
        groups = int(group.max()) + 1 if len(group) else 0
        shape = (groups, len(names))
        codes, id_names = ids
        columns = np.array([self.column.get(name, -1) for name in id_names], int)
        columns = columns[codes] if len(codes) else columns[:0]
        self.rows = np.flatnonzero(columns >= 0)  # the rows that are linked cells
        self.at = (group[self.rows], columns[self.rows])
        self.present = np.zeros(shape, bool)
        self.present[self.at] = True
        # Each linked indicator's unit (one per id): a count, or the scale of a share.
        self.scale = np.full(len(names), np.nan)
        self.scale[self.at[1]] = scale[self.rows]
        self.unit_count = np.zeros(len(names), bool)
        self.unit_count[self.at[1]] = is_count[self.rows]
        self.row_scale, self.row_is_count = scale, is_count
        self.value = np.full(shape, np.nan)
        self.count = np.full(shape, np.nan)
        self.denominator = np.full(shape, np.nan)
        self.given = np.full(shape, np.nan)

    # -------------------------------------------------------------- what we know
    def rows_counts(self, values, numerators, denominators) -> tuple[np.ndarray, np.ndarray]:
        """Each row's number of children and denominator, as far as the figures give them.

        A row's own numerator first; a count is its value; a percentage or rate with a
        denominator gives back round(value x denominator / scale). Linked cells also
        take a share's denominator from its total, and a sum's one missing member
        from the others.
        """
        counts = numerators.copy()
        is_count = self.row_is_count & np.isnan(counts)
        counts[is_count] = values[is_count]
        need = np.isnan(counts) & ~np.isnan(denominators) & ~np.isnan(self.row_scale)
        counts[need] = round_half_up_counts(
            values[need] * denominators[need] / self.row_scale[need]
        )
        dens = denominators.copy()
        self.value[self.at] = values[self.rows]
        self.denominator[self.at] = denominators[self.rows]
        self.given[self.at] = numerators[self.rows]
        self._derive()
        counts[self.rows] = self.count[self.at]
        dens[self.rows] = self.denominator[self.at]
        return counts, dens

    def _from_values(self) -> None:
        need = np.isnan(self.count)
        given = need & ~np.isnan(self.given)
        self.count[given] = self.given[given]
        need &= ~given
        counted = need & self.unit_count[None, :] & ~np.isnan(self.value)
        self.count[counted] = self.value[counted]
        scaled = need & ~counted & ~np.isnan(self.denominator) & ~np.isnan(self.value)
        scaled &= ~np.isnan(self.scale)[None, :]
        scale = np.broadcast_to(self.scale, self.count.shape)
        self.count[scaled] = round_half_up_counts(
            self.value[scaled] * self.denominator[scaled] / scale[scaled]
        )

    def _derive(self) -> None:
        """What the figures themselves give: our own knowledge, hidden cells included."""
        self._from_values()
        for _ in range(len(self.relations) + len(self.share_of) + 1):
            before = np.isnan(self.count).sum() + np.isnan(self.denominator).sum()
            for part, total in self.share_of:
                need = np.isnan(self.denominator[:, part]) & ~np.isnan(self.count[:, total])
                self.denominator[need, part] = self.count[need, total]
            self._from_values()
            for total, parts in self.relations:
                members = [self.column[total], *(self.column[p] for p in parts)]
                block = self.count[:, members]
                missing = np.isnan(block)
                one = np.flatnonzero(missing.sum(axis=1) == 1)
                if not one.size:
                    continue
                which = missing[one].argmax(axis=1)
                known = np.where(missing[one], 0.0, block[one])
                parts_sum = known[:, 1:].sum(axis=1)
                solved = np.where(which == 0, parts_sum, known[:, 0] - parts_sum)
                self.count[one, np.asarray(members)[which]] = solved
            if np.isnan(self.count).sum() + np.isnan(self.denominator).sum() == before:
                break

    # -------------------------------------------------------------- what a reader knows
    def complementary(self, visible_rows, suppressed_rows, limit: int) -> np.ndarray:
        """Rows to hide so that nothing hidden, nor any small number not shown, can be
        worked out from the visible cells (complementary suppression)."""
        hide = np.zeros(len(visible_rows), bool)
        if not self.rows.size or not self.relations:
            return hide
        visible = np.zeros(self.present.shape, bool)
        visible[self.at] = visible_rows[self.rows]
        secret = np.zeros(self.present.shape, bool)  # hidden cells, whose counts are secret
        secret[self.at] = ~visible_rows[self.rows] & (
            suppressed_rows[self.rows] | ~np.isnan(self.value[self.at])
        )
        before = visible.copy()
        active = np.arange(visible.shape[0])
        for _ in range(visible.shape[1] + 1):
            broken, derived_by = self._audit(visible[active], secret[active], limit, active)
            bad = np.flatnonzero(broken >= 0)
            if not bad.size:
                break
            for position in bad:
                g = active[position]
                cell = self._choose(g, int(broken[position]), visible[g], derived_by[position])
                if cell is None:  # nothing left to hide in its relations: hide all linked
                    secret[g] |= visible[g]
                    visible[g] = False
                else:
                    visible[g, cell] = False
                    secret[g, cell] = True
            active = active[bad]
        else:  # pragma: no cover - each pass hides a cell; this cannot be reached
            secret[active] |= visible[active]
            visible[active] = False
        newly = before & ~visible
        hide[self.rows] = newly[self.at]
        return hide

    def _audit(self, visible, secret, limit: int, groups) -> tuple[np.ndarray, np.ndarray]:
        """For each group, the first relation that gives away a hidden cell or a small
        number (or -1), and which relation let the reader work out each quantity."""
        count = self.count[groups]
        known = visible & ~np.isnan(count)
        derived_by = np.full(known.shape, -1)
        broken = np.full(known.shape[0], -1)

        def flag(rows: np.ndarray, relation: int) -> None:
            fresh = rows[broken[rows] < 0]
            broken[fresh] = relation

        with np.errstate(invalid="ignore"):
            for _ in range(len(self.relations) + 1):
                changed = False
                for r, (total, parts) in enumerate(self.relations):
                    t = self.column[total]
                    members = np.array([t, *(self.column[p] for p in parts)])
                    p_cols = members[1:]
                    unknown = ~known[:, members]
                    k = unknown.sum(axis=1)
                    # One unknown: the reader works it out by adding or subtracting.
                    one = np.flatnonzero(k == 1)
                    if one.size:
                        cols = members[unknown[one].argmax(axis=1)]
                        known[one, cols] = True
                        derived_by[one, cols] = r
                        changed = True
                        value = count[one, cols]
                        gives = secret[one, cols] | (
                            ~visible[one, cols] & (value > 0) & (value < limit)
                        )
                        flag(one[gives], r)
                    # Several unknowns beside a known total: the reader knows their sum.
                    several = known[:, t] & (k >= 2)
                    rest = count[:, t] - np.where(known[:, p_cols], count[:, p_cols], 0).sum(1)
                    flag(np.flatnonzero(several & (rest > 0) & (rest < limit)), r)
                    zero = np.flatnonzero(several & (np.abs(rest) < 0.5))
                    if zero.size:  # all of them are 0: each is worked out
                        opened = unknown[zero]
                        for row, mask in zip(zero, opened, strict=True):
                            cols = members[mask]
                            count[row, cols] = 0.0
                            known[row, cols] = True
                            derived_by[row, cols] = r
                            if secret[row, cols].any():
                                flag(np.array([row]), r)
                        changed = True
                if not changed:
                    break
        return broken, derived_by

    def _choose(self, g: int, relation: int, visible, derived_by) -> int | None:
        """The next cell to hide: the smallest visible part of the relation that gives a
        number away, or of the relations that gave the reader its other quantities;
        a total only when no part is left."""
        considered, queue, candidates = set(), [relation], {}
        while queue:
            r = queue.pop()
            if r in considered:
                continue
            considered.add(r)
            total, parts = self.relations[r]
            for position, name in enumerate((total, *parts)):
                col = self.column[name]
                if visible[col]:
                    is_total = position == 0
                    candidates[col] = min(candidates.get(col, is_total), is_total)
                elif derived_by[col] >= 0:
                    queue.append(int(derived_by[col]))
        if not candidates:
            return None
        counts = self.count[g].tolist()

        def order(col: int) -> tuple[bool, bool, float, str]:
            number = counts[col]
            unknown = number != number  # NaN: a count the figures do not give
            return (candidates[col], unknown, 0.0 if unknown else number, self.names[col])

        return min(candidates, key=order)
