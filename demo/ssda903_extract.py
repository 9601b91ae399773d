"""Fictional SSDA903 extracts: the demo council's, and a whole region's for the benchmark.

A council's extract is simulated child by child so that it agrees with the
council's published-style figures: the children looked after at each 31 March
follow the published count (plus a few late-recorded episodes, as real
extracts do), and the children starting each year follow the published starts.
Each child's period of care is a chain of episodes: placement moves, legal
status changes, temporary placements with a return to the same carer, the odd
child who leaves and comes back, and young people leaving at 18 (who then
appear in OC3). Reviews, missing incidents, UASC status and OC2 health follow.

Everything is fictional: children are numbered, dates are drawn at random.
Only the standard library, numpy and pandas are used, and output depends only on the seed.
"""

from __future__ import annotations

import argparse
import bisect
import copy
import csv
import io
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from domain.periods import year_ending_march
from domain.registry import Indicator, registry
from domain.rounding import round_half_up

EPISODE_COLUMNS = [
    "CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC",
    "REASON_PLACE_CHANGE", "HOME_POST", "PL_POST", "URN", "PL_LA",
]  # fmt: skip
HEADER_COLUMNS = ["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]
FOSTER = ("U1", "U2", "U3", "U4", "U5", "U6")
WITHDRAWN_2025_26 = {"H5", "P2", "Z1"}
NEW_CODES_START = date(2025, 4, 1)


@dataclass
class CouncilPlan:
    """What one council's extract should agree with."""

    la_code: str  # old_la_code
    ons_code: str  # new_la_code, used in PL_LA
    neighbour_codes: tuple[str, ...]  # where out-of-area placements are
    start: date  # the extract is complete from this 1 April
    as_at: date
    looked_after: dict[date, int]  # the count to follow at each 31 March (start's included)
    starts: dict[int, int]  # children starting in each year ending 31 March
    prefix: str = ""  # child identifiers are prefix + number
    # Published-style figures to follow (catalogue id -> latest value); defaults otherwise.
    targets: dict[str, float] = field(default_factory=dict)

    def target(self, indicator_id: str, default: float) -> float:
        value = self.targets.get(indicator_id)
        return default if value is None or value != value else float(value)


@dataclass
class Child:
    number: str
    dob: date
    sex: str
    care_start: date
    care_end: date | None = None
    uasc: bool = False
    episodes: list[list[str | date | None]] = field(default_factory=list)


def _d(text: date | None) -> str:
    return "" if text is None else text.strftime("%d/%m/%Y")


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


class _Simulator:
    def __init__(
        self,
        plan: CouncilPlan,
        rng: np.random.Generator,
        calibration: dict[str, float] | None = None,
    ):
        self.plan = plan
        self.rng = rng
        # Each placement group's chance, scaled (``calibrated``); 1 where not given.
        self.calibration = calibration or {}
        self.children: list[Child] = []
        self.counter = 0
        self._chances: dict[tuple[int, str], float] = {}

    # -------------------------------------------------------------- the children
    def _new_child(self, care_start: date, age_years: float, uasc: bool = False) -> Child:
        self.counter += 1
        dob = care_start - timedelta(days=int(age_years * 365.25))
        sex = "1" if self.rng.random() < 0.56 else "2"
        child = Child(f"{self.plan.prefix}{self.counter:06d}", dob, sex, care_start, uasc=uasc)
        self.children.append(child)
        return child

    def _age_at_start(self) -> float:
        band = self.rng.choice(5, p=[0.20, 0.17, 0.20, 0.25, 0.18])
        low, high = [(0, 1), (1, 5), (5, 10), (10, 15), (15, 17.5)][band]
        return float(self.rng.uniform(low, high))

    def simulate(self) -> None:
        plan, rng = self.plan, self.rng
        first_march = min(plan.looked_after)
        # The children already looked after when the extract's records begin.
        stock = []
        for _ in range(plan.looked_after[first_march]):
            years_in_care = min(float(rng.exponential(2.6)), 12.0)
            age_now = float(rng.uniform(0.3, 17.6))
            years_in_care = min(years_in_care, age_now - 0.05)
            start = first_march - timedelta(days=int(years_in_care * 365.25))
            stock.append(self._new_child(start, age_now - years_in_care))
        # Year by year: the published starts arrive, and enough children leave that
        # the count on 31 March follows the published one.
        marches = sorted(plan.looked_after)
        for year_end in [*marches[1:], None]:
            begin = (marches[marches.index(year_end) - 1] if year_end else marches[-1]) + timedelta(
                days=1
            )
            end = year_end or plan.as_at
            if begin > end:
                break
            span = (end - begin).days + 1
            fiscal = year_ending_march(end)
            arrivals = plan.starts.get(fiscal, plan.starts[max(plan.starts)])
            arrivals = round(arrivals * span / 365)
            left = [c for c in self.children if c.care_end and not c.uasc]
            looked_after_now = {c.number for c in stock if c.care_end is None}
            for offset in sorted(rng.integers(0, span, arrivals)):
                day = begin + timedelta(days=int(offset))
                if left and rng.random() < 0.06:  # a child who went home comes back
                    before = left[int(rng.integers(0, len(left)))]
                    if (
                        before.care_end < day - timedelta(days=30)
                        and _add_years(  # type: ignore[operator]
                            before.dob, 17
                        )
                        > day
                        and before.number not in looked_after_now
                    ):
                        looked_after_now.add(before.number)
                        again = Child(before.number, before.dob, before.sex, day)
                        self.children.append(again)
                        stock.append(again)
                        continue
                age = self._age_at_start()
                uasc = age >= 14 and rng.random() < 0.22
                stock.append(self._new_child(day, age, uasc))
            in_care = [c for c in stock if c.care_end is None]
            everyone = len(in_care)
            # Young people leave on their 18th birthday.
            for child in in_care:
                eighteen = _add_years(child.dob, 18)
                if begin <= eighteen <= end and eighteen > child.care_start:
                    child.care_end = eighteen
            in_care = [c for c in in_care if c.care_end is None]
            target = plan.looked_after.get(year_end) if year_end else None
            if target is None:  # after the last published year: that year's turnover
                leave = int(everyone * self._turnover() * span / 365) - (everyone - len(in_care))
            else:
                leave = len(in_care) - target
            # Leaving dates spread over the year; each leaver is someone in care that day.
            in_care.sort(key=lambda c: c.care_start)
            starts = [c.care_start for c in in_care]
            for offset in sorted(rng.integers(0, span, max(0, min(leave, len(in_care))))):
                day = begin + timedelta(days=int(offset))
                eligible = bisect.bisect_left(starts, day)
                for _attempt in range(50):
                    if not eligible:
                        break
                    child = in_care[int(rng.integers(0, eligible))]
                    if child.care_end is None:
                        child.care_end = day
                        break
            stock = [c for c in stock if c.care_end is None]

    def _move_rate(self) -> float:
        """Moves a year for this child: a minority move often, most rarely.

        With a share m of frequent movers (2.5 moves a year) and the rest moving
        at rate r, about 0.71m of children have three or more placements in a
        year, and (1 - m) e^(-2r) stay put for two years: m and r follow the
        council's published 3+ placements and long-term stability figures.
        """
        three = self.plan.target("placements_3plus_pct", 10) / 100
        stable = self.plan.target("long_term_stability_pct", 70) / 100
        movers = min(max(three / 0.71, 0.02), 0.9)
        settled = min(max(-np.log(max(stable, 0.05) / (1 - movers)) / 2, 0.02), 1.0)
        return 2.5 if self.rng.random() < movers else float(settled)

    def _turnover(self) -> float:
        """The share of children leaving care in the last published year."""
        marches = sorted(self.plan.looked_after)
        before, after = self.plan.looked_after[marches[-2]], self.plan.looked_after[marches[-1]]
        arrivals = self.plan.starts.get(marches[-1].year, after)
        return max(0.05, (before + arrivals - after) / before)

    # -------------------------------------------------------------- episodes
    def _placement(self, age: float) -> tuple[str, str]:
        """A placement type and provider, in the shares the council publishes."""
        rng, plan = self.rng, self.plan
        shares = {
            group: plan.target(indicator_id, default) / 100
            for group, (_, indicator_id, default) in PLACEMENT_GROUPS.items()
        }
        own_foster = plan.target("foster_own_provision_pct", 60) / 100
        scale = self.calibration
        roll = rng.random()
        if age < 5 and roll < shares["adoption"] * 4 * scale.get("adoption", 1.0):
            return str(rng.choice(["A3", "A4", "A5", "A6"])), "PR1"
        if age >= 16 and rng.random() < self._independent_chance():
            return self._independent_placement()
        roll = rng.random()
        parents = shares["parents"] * scale.get("parents", 1.0)
        if roll < parents:
            return "P1", "PR0"
        homes = self._chance_from_age(8, "childrens_homes_pct", 10) * scale.get("homes", 1.0)
        if age >= 8 and roll < parents + homes:
            return str(rng.choice(["K2", "K2", "K2", "K1"])), str(
                rng.choice(["PR4", "PR1", "PR2"], p=[0.8, 0.15, 0.05])
            )
        if age >= 10 and roll > 1 - shares["residential"] * 1.6 * scale.get("residential", 1.0):
            return str(rng.choice(["R1", "S1", "R5"])), "PR3"
        if rng.random() < own_foster:
            return str(rng.choice(FOSTER)), "PR1"
        return str(rng.choice(FOSTER)), str(rng.choice(["PR4", "PR5", "PR2"], p=[0.8, 0.15, 0.05]))

    def _independent_placement(self) -> tuple[str, str]:
        rng = self.rng
        return str(rng.choice(["H5", "P2"])), str(rng.choice(["PR4", "PR5", "PR1"]))

    def _independent_chance(self) -> float:
        """The chance that a young person of 16 or 17 lives independently or in supported
        accommodation (``_chance_from_age``)."""
        return min(
            0.95,
            self._chance_from_age(16, "independent_living_pct", 6)
            * self.calibration.get("independent", 1.0),
        )

    def last_march(self) -> date:
        """The extract's last 31 March with a published count."""
        return max(m for m in self.plan.looked_after if m <= self.plan.as_at)

    def _chance_from_age(self, age: int, indicator_id: str, default: float) -> float:
        """The chance of a placement open only to children of ``age`` or over: the
        council's published share of all its children, over the share of its children of
        that age or over on the last 31 March (worked out once, from the children
        simulated), so that the share on that day follows the published one."""
        key = (age, indicator_id)
        if key not in self._chances:
            march = self.last_march()
            in_care = [
                c
                for c in self.children
                if c.care_start <= march and (c.care_end is None or c.care_end > march)
            ]
            older = sum(1 for c in in_care if _add_years(c.dob, age) <= march)
            wanted = self.plan.target(indicator_id, default) / 100
            self._chances[key] = min(0.95, wanted * len(in_care) / older) if older else 0.0
        return self._chances[key]

    def _location(self) -> str:
        if self.rng.random() >= self.plan.target("placed_outside_la_pct", 38) / 100:
            return self.plan.ons_code
        return str(self.rng.choice(self.plan.neighbour_codes))

    def episodes_of(self, child: Child, is_return: bool) -> list[list]:
        rng, plan = self.rng, self.plan
        end = child.care_end
        last = min(end or plan.as_at, plan.as_at)
        # Change points: moves, legal status changes, temporary placements.
        years = max((last - child.care_start).days / 365.25, 0.01)
        moves = sorted(
            child.care_start + timedelta(days=int(d))
            for d in rng.integers(
                1, max(2, (last - child.care_start).days), rng.poisson(self._move_rate() * years)
            )
        )
        legal = rng.random() < 0.35
        legal_day = child.care_start + timedelta(days=int(rng.integers(20, 200)))
        status = "V2" if rng.random() < 0.03 else ("V3" if rng.random() < 0.015 else "C2")
        age = (child.care_start - child.dob).days / 365.25
        place, provider = self._placement(age)
        urn = f"SC{rng.integers(100000, 999999)}"
        location = self._location()
        rows = []
        current_start, rne = child.care_start, "S"
        events: list[tuple[date, str]] = [(d, "P") for d in moves]
        if legal and legal_day < last and status == "C2":
            events.append((legal_day, "L"))
        if rng.random() < 0.08 * years:
            temporary = child.care_start + timedelta(
                days=int(rng.integers(5, max(6, (last - child.care_start).days)))
            )
            events.append((temporary, "T"))
        # At 16 many young people move to semi-independent or supported accommodation.
        sixteen = _add_years(child.dob, 16)
        if child.care_start < sixteen < last and rng.random() < self._independent_chance():
            events.append((sixteen, "I"))
        events = sorted(set(e for e in events if child.care_start < e[0] < last))
        for day, kind in events:
            if day <= current_start:
                continue
            rows.append([child.number, current_start, rne, status, "N1", place, provider, day, "X1",
                         urn, location])  # fmt: skip
            if kind == "L":
                status, rne = ("C1" if rng.random() < 0.6 else "E1"), "L"
            elif kind == "T":
                back = day + timedelta(days=int(rng.integers(2, 15)))
                if back >= last:
                    current_start, rne = day, "P"
                    continue
                temporary_place = str(rng.choice(["T1", "T2", "T3", "T4"]))
                rows.append([child.number, day, "P", status, "N1", temporary_place,
                             "PR0", back, "X1", "", location])  # fmt: skip
                day, rne = back, "P"
            else:
                age = (day - child.dob).days / 365.25
                if kind == "I":
                    new_place, provider = self._independent_placement()
                else:
                    new_place, provider = self._placement(age)
                # Adopted by the foster carer: a change of legal status and placement.
                rne = "T" if place in FOSTER and new_place in ("A3", "A5") else "P"
                place = new_place
                urn = f"SC{rng.integers(100000, 999999)}"
                location = self._location()
            current_start = day
        if end is not None and end <= plan.as_at:
            reason = (
                "E8"
                if end == _add_years(child.dob, 18)
                else str(rng.choice(["E13", "E11", "E12", "E41", "E45", "E48", "E15"]))
            )
            rows.append([child.number, current_start, rne, status, "N1", place, provider, end,
                         reason, urn, location])  # fmt: skip
        else:
            rows.append([child.number, current_start, rne, status, "N1", place, provider, None, "",
                         urn, location])  # fmt: skip
        if is_return:
            rows[0][2] = "S"
        # From 2025-26, H5, P2 and Z1 are withdrawn: an episode still open then carries Z11.
        for row in rows:
            if row[5] in WITHDRAWN_2025_26 and (row[7] is None or row[7] >= NEW_CODES_START):
                row[5] = "Z11"
        return rows

    # -------------------------------------------------------------- the tables
    def tables(self) -> dict[str, str]:
        plan, rng = self.plan, self.rng
        episodes: list[list] = []
        seen: set[str] = set()
        for child in self.children:
            for row in self.episodes_of(child, child.number in seen):
                ends = row[7]
                if ends is not None and ends < plan.start and row[8] != "X1":
                    continue  # care ended before the extract's records begin
                episodes.append(row)
            seen.add(child.number)
        # Keep only periods of care that reach the extract's start.
        open_children = {row[0] for row in episodes if row[7] is None or row[7] >= plan.start}
        episodes = [row for row in episodes if row[0] in open_children and row[1] <= plan.as_at]
        people = {c.number: c for c in self.children if c.number in open_children}
        out: dict[str, str] = {}
        out["episodes.csv"] = _csv(
            EPISODE_COLUMNS,
            (
                [*r[:7], _d(r[7]), r[8], "", "", "", r[9], r[10]]
                for r in ([r[0], _d(r[1]), *r[2:]] for r in episodes)
            ),
        )  # fmt: skip
        out["header.csv"] = _csv(
            HEADER_COLUMNS,
            ([c.number, c.sex, _d(c.dob), "WBRI", "", "", ""] for c in people.values()),
        )
        out["uasc.csv"] = _csv(
            ["CHILD", "SEX", "DOB", "DUC"],
            ([c.number, c.sex, _d(c.dob), _d(_add_years(c.dob, 18))]
             for c in people.values() if c.uasc),
        )  # fmt: skip
        out["reviews.csv"] = _csv(["CHILD", "DOB", "REVIEW", "REVIEW_CODE"], self._reviews(people))
        out["missing.csv"] = _csv(
            ["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"], self._missing(people)
        )
        out["oc3.csv"] = _csv(["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"], self._oc3())
        out["oc2.csv"] = _csv(
            ["CHILD", "DOB", "SDQ_SCORE", "SDQ_REASON", "CONVICTED", "HEALTH_CHECK",
             "IMMUNISATIONS", "TEETH_CHECK", "HEALTH_ASSESSMENT", "SUBSTANCE_MISUSE",
             "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"],
            self._oc2(people),
        )  # fmt: skip
        del rng
        return out

    def _periods(self, people: dict[str, Child]):
        for child in self.children:
            if child.number in people:
                yield (
                    child,
                    max(child.care_start, self.plan.start),
                    min(child.care_end or self.plan.as_at, self.plan.as_at),
                )

    def _reviews(self, people: dict[str, Child]):
        codes = ["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"]
        weights = [0.42, 0.10, 0.07, 0.07, 0.11, 0.11, 0.12]
        for child, first, last in self._periods(people):
            day = child.care_start + timedelta(days=20)
            gap = 70
            while day <= last:
                if day >= first:
                    young = (day - child.dob).days < 4 * 365.25
                    code = "PN0" if young else str(self.rng.choice(codes, p=weights))
                    yield [child.number, _d(child.dob), _d(day), code]
                day += timedelta(days=gap + int(self.rng.integers(-10, 10)))
                gap = 182

    def _missing(self, people: dict[str, Child]):
        """Missing and away incidents for children aged 11 or over.

        Each child is, or is not, one who goes missing (drawn once for the period of
        care), and one who does has incidents at a steady rate through their time in care
        from 11: any 12 months, ending at any quarter, look alike (drawn a year at a time
        to each 31 March, the quarters between swung). The chance and the rate follow the
        council's published share who went missing and incidents per child, for the year
        to the last 31 March (``_steady_rate``); away without authorisation likewise, at
        1.5 incidents a year."""
        rng, plan = self.rng, self.plan
        exposures = self._years_from_age(11, people)
        missing = _steady_rate(
            exposures,
            plan.target("missing_pct", 10) / 100,
            plan.target("missing_incidents_per_child", 4),
        )
        away = _steady_rate(exposures, plan.target("away_without_authorisation_pct", 4) / 100, None)
        starts: dict[str, set[date]] = {}  # one incident per child and start (as the checks ask)
        for child, first, last in self._periods(people):
            used = starts.setdefault(child.number, set())
            begin = max(first, _add_years(child.dob, 11))
            days = (last - begin).days
            if days <= 0:
                continue
            for kind, (chance, rate) in (("M", missing), ("A", away)):
                if rng.random() >= chance:
                    continue
                for _ in range(rng.poisson(rate * days / 365)):
                    start = begin + timedelta(days=int(rng.integers(0, days)))
                    back = min(start + timedelta(days=int(rng.integers(0, 3))), plan.as_at)
                    if start not in used:
                        used.add(start)
                        yield [child.number, _d(child.dob), kind, _d(start), _d(back)]

    def _years_from_age(self, age: int, people: dict[str, Child]) -> list[float]:
        """Each child looked after in the year to the last 31 March: the years of it they
        spent in care at ``age`` or over (0 for a younger child)."""
        march = self.last_march()
        year_start = _add_years(march, -1) + timedelta(days=1)
        years: dict[str, float] = {}
        for child, first, last in self._periods(people):
            begin, end = max(first, year_start), min(last, march)
            if begin > end:
                continue
            older_from = max(begin, _add_years(child.dob, age))
            spent = max(0, (end - older_from).days) / 365
            years[child.number] = years.get(child.number, 0.0) + spent
        return list(years.values())

    def _oc3(self):
        """Care leavers at their latest birthday from 17 to 21: the young people who left
        at 18 and other former relevant children, as many each year as the council
        publishes (a third of its care leavers aged 19 to 21), from three years before
        the extract's records to its as-at date."""
        rng, plan = self.rng, self.plan
        leavers = [c for c in self.children if c.care_end == _add_years(c.dob, 18)]
        first = _add_years(plan.start, -3)
        # Each year's leavers at 18, topped up to the year's third of the published count
        # (a year with more leavers than that gets none added).
        per_year = plan.target("care_leavers_19_21_count", 3 * len(leavers) / 4) / 3
        others: list[Child] = []
        year_start = first
        while year_start < plan.as_at:
            year_end = min(_add_years(year_start, 1), plan.as_at)
            share = (year_end - year_start).days / 365.25
            already = sum(1 for c in leavers if year_start <= c.care_end < year_end)  # type: ignore[operator]
            for _ in range(max(0, round(per_year * share) - already)):
                left = year_start + timedelta(
                    days=int(rng.integers(0, max(1, (year_end - year_start).days)))
                )
                dob = _add_years(left, -18)
                number = f"{plan.prefix}L{len(others):05d}"
                others.append(Child(number, dob, "1", dob, care_end=left))
            year_start = year_end
        march = self.last_march()
        targets = {
            ages: (
                plan.target("care_leavers_19_21_in_touch_pct", 90) / 100,
                plan.target(f"care_leavers_{ages}_eet_pct", 55) / 100,
                plan.target("care_leavers_higher_education_pct", 6) / 100,
                plan.target(f"care_leavers_{ages}_suitable_accom_pct", 88) / 100,
            )
            for ages in ("17_18", "19_21")
        }
        for child in [*others, *leavers]:
            # The figures for those aged 17 or 18 at the last 31 March follow that age
            # group's published figures; the older ones the 19 to 21 year olds'.
            young = _add_years(child.dob, 19) > march
            in_touch_share, eet, higher, suitable = targets["17_18" if young else "19_21"]
            if young:
                higher = 0.0  # counted for 19 to 21 year olds only
            if rng.random() >= in_touch_share:
                in_touch, activity, accommodation = "NO", "0", "0"
                yield [child.number, _d(child.dob), in_touch, activity, accommodation]
                continue
            roll = rng.random() * in_touch_share
            if roll < higher:
                activity = str(rng.choice(["F1", "P1"], p=[0.85, 0.15]))
            elif roll < eet:
                activity = str(rng.choice(["F2", "P2", "F4", "P4", "F5"]))
            else:
                activity = str(rng.choice(["G4", "G5", "G6"], p=[0.25, 0.6, 0.15]))
            kind = str(rng.choice(list("BCDEGHKRSTUVWXYZ")))
            accommodation = kind + ("1" if rng.random() < suitable / in_touch_share else "2")
            yield [child.number, _d(child.dob), "YES", activity, accommodation]

    def _oc2(self, people: dict[str, Child]):
        """Health for children looked after 12 months at the last 31 March of the extract."""
        rng, plan = self.rng, self.plan
        march = date(year_ending_march(plan.as_at) - 1, 3, 31)
        for child in self.children:
            if child.number not in people:
                continue
            if not (
                child.care_start <= march - timedelta(days=365)
                and (child.care_end is None or child.care_end > march)
            ):
                continue  # fmt: skip
            age = (march - child.dob).days / 365.25
            sdq = ""
            if 5 <= age < 17 and rng.random() < 0.8:
                score = rng.normal(plan.target("sdq_mean", 14), 6.5)
                sdq = str(round(float(np.clip(score, 0, 40))))  # rounded: truncating lowers
            yes = lambda p: "1" if rng.random() < p else "0"  # noqa: E731
            t = lambda indicator, default: plan.target(indicator, default) / 100  # noqa: E731
            yield [
                child.number, _d(child.dob), sdq, "" if sdq else "SDQ1",
                yes(t("convictions_pct", 3)) if age >= 10 else "0",
                yes(t("development_checks_pct", 88)) if age < 5 else "",
                yes(t("immunisations_pct", 86)), yes(t("dental_check_pct", 82)),
                yes(t("health_assessment_pct", 90)), yes(t("substance_misuse_pct", 3)), "", "",
            ]  # fmt: skip


def _csv(columns: Sequence[str], rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


AWAY_RATE = 1.5  # incidents a year of a child who goes away without authorisation


def _steady_rate(
    exposures: list[float], share: float, per_child: float | None
) -> tuple[float, float]:
    """(chance, rate): the chance a child is one who has incidents, and their incidents a
    year, such that over children looked after for ``exposures`` years each (of the
    year, from 11), a ``share`` of them have at least one incident and those who do
    have ``per_child`` incidents on average (``AWAY_RATE`` a year where not given).

    With rate r, a child exposed for t years has at least one incident with chance
    1 - e^(-rt), and r t incidents on average: r solves sum(r t) / sum(1 - e^(-rt)) =
    per_child (by halving the interval; the ratio grows with r from 1), and the chance
    is the share over the mean of 1 - e^(-rt)."""
    exposed = [t for t in exposures if t > 0]
    if not exposures or not exposed:
        return 0.0, 0.0
    rate = AWAY_RATE
    if per_child is not None and per_child > 1:
        low, high = 1e-6, 60.0
        for _ in range(60):
            rate = (low + high) / 2
            ratio = sum(rate * t for t in exposed) / sum(1 - math.exp(-rate * t) for t in exposed)
            low, high = (rate, high) if ratio < per_child else (low, rate)
    reached = sum(1 - math.exp(-rate * t) for t in exposed) / len(exposures)
    return min(share / reached, 0.95) if reached else 0.0, rate


# Placement groups on 31 March: the codes the simulator gives each, and the published
# share each follows (foster care is what is left).
PLACEMENT_GROUPS = {
    "adoption": ({"A3", "A4", "A5", "A6"}, "placed_for_adoption_pct", 3),
    "parents": ({"P1"}, "placed_with_parents_pct", 6),
    "homes": ({"K1", "K2"}, "childrens_homes_pct", 10),
    "independent": ({"H5", "P2", "Z11"}, "independent_living_pct", 6),
    "residential": ({"R1", "R5", "S1"}, "other_residential_pct", 2),
}


def calibrated(plan: CouncilPlan, rng: np.random.Generator) -> dict[str, float]:
    """How much to scale each placement group's chance so that the children placed in it
    on the extract's last 31 March are the share the council publishes.

    A placement is drawn when an episode starts, by the child's age then, and most last
    for years, so the shares on a 31 March drift from the chances drawn with (a child
    who came into care at six is rarely in a children's home at twelve). A trial run on
    a copy of ``rng`` measures each group's share on that day, and each chance is scaled
    by the published share over the measured one (within a quarter and four times):
    the demo council's extract then agrees with its published placements within a point
    or two, as a real return's extract does, rather than by up to nine.
    """
    trial = _Simulator(plan, copy.deepcopy(rng))
    trial.simulate()
    march = trial.last_march()
    counts = dict.fromkeys(PLACEMENT_GROUPS, 0)
    everyone = 0
    seen: set[str] = set()
    for child in trial.children:
        for row in trial.episodes_of(child, child.number in seen):
            if row[1] <= march and (row[7] is None or row[7] > march):
                everyone += 1
                for group, (codes, _, _) in PLACEMENT_GROUPS.items():
                    counts[group] += row[5] in codes
        seen.add(child.number)
    scale = {}
    for group, (_, indicator_id, default) in PLACEMENT_GROUPS.items():
        wanted = plan.target(indicator_id, default) / 100
        measured = counts[group] / everyone if everyone else 0.0
        scale[group] = min(4.0, max(0.25, wanted / measured)) if measured else 1.0
    return scale


def simulate_extract(plan: CouncilPlan, rng: np.random.Generator) -> dict[str, str]:
    """One council's extract as file name -> CSV text, its placements ``calibrated``."""
    simulator = _Simulator(plan, rng, calibrated(plan, rng))
    simulator.simulate()
    return simulator.tables()


def write_extract(folder: Path, plan: CouncilPlan, rng: np.random.Generator) -> int:
    """Write one council's extract into `folder`; returns the number of episodes."""
    folder.mkdir(parents=True, exist_ok=True)
    tables = simulate_extract(plan, rng)
    for name, text in tables.items():
        (folder / name).write_text(text, encoding="utf-8")
    return tables["episodes.csv"].count("\n") - 1


# ------------------------------------------------------------------ demo and region
DEMO_EXTRACT_AS_AT = date(2025, 9, 30)
DEMO_EXTRACT_START = date(2021, 4, 1)


# The published cells the demo council's extract follows are the registry's own
# selectors (domain/registry.py): the generator sits below the indicators and never
# imports them.
SELECTOR_FIELDS = ("dataset", "cohort", "breakdown", "variant", "measure")
TARGETS_QUERY = """
WITH cells AS (
    -- The council's cells each target reads, one per release (the latest load of it).
    SELECT c.indicator_id, c.role, f.year, f.time_period, f.release, f.value
    FROM facts f
    JOIN target_cells c USING (dataset, cohort, breakdown, variant, measure)
    WHERE f.geographic_level = 'Local authority' AND f.area_code = $la_code
    QUALIFY row_number() OVER (
        PARTITION BY c.indicator_id, c.role, f.time_period, f.release ORDER BY f.load_id DESC) = 1
),
chosen AS (
    -- One release per figure: the newest that publishes it (or both its inputs).
    SELECT indicator_id, time_period, max(release) AS release
    FROM (
        SELECT indicator_id, time_period, release
        FROM cells
        GROUP BY ALL
        HAVING bool_or(role = 'value')
            OR (bool_or(role = 'numerator') AND bool_or(role = 'denominator'))
    )
    GROUP BY ALL
)
SELECT indicator_id, year,
       max(value) FILTER (WHERE role = 'value') AS published,
       max(value) FILTER (WHERE role = 'numerator') AS numerator,
       max(value) FILTER (WHERE role = 'denominator') AS denominator
FROM cells
JOIN chosen USING (indicator_id, time_period, release)
GROUP BY ALL
"""


def target_cells(indicators: Sequence[Indicator]) -> list[dict[str, str]]:
    """One row per (indicator, role) naming the published cell.

    An indicator DfE prints (``source``) is followed as printed; one the app computes
    (``computed = true``) is its numerator over its denominator.
    """
    rows = []
    for indicator in indicators:
        cells = (
            {"numerator": indicator.numerator, "denominator": indicator.denominator}
            if indicator.computed
            else {"value": indicator.source}
        )
        for role, cell in cells.items():
            assert cell is not None, f"{indicator.id}: computed without its {role}"
            rows.append(
                {
                    "indicator_id": indicator.id,
                    "role": role,
                    **{name: str(getattr(cell, name)) for name in SELECTOR_FIELDS},
                }
            )
    return rows


def published_targets(con, la_code: str) -> dict[str, float]:
    """The council's latest published value of each catalogue indicator (for `targets`).

    Each figure is read from one release, the newest that publishes it (for one the app
    computes, the newest that publishes both its numerator and denominator, which are
    then divided, scaled and rounded as the catalogue says), as the indicators read
    them. Indicators with no figure for the council are left out.
    """
    indicators = registry().published()
    entries = {indicator.id: indicator for indicator in indicators}
    cursor = con.cursor()  # the registered cells stay private to this call
    try:
        cursor.register("target_cells", pd.DataFrame(target_cells(indicators)))
        rows = cursor.execute(TARGETS_QUERY, {"la_code": la_code}).fetchall()
    finally:
        cursor.close()
    latest: dict[str, tuple[int, float]] = {}
    for indicator_id, year, published, numerator, denominator in rows:
        entry = entries[indicator_id]
        if not entry.computed:
            value = published
        elif numerator is not None and denominator is not None and denominator > 0:
            ratio = numerator / denominator * float(entry.scale)
            value = round_half_up(ratio, entry.decimals)
        else:
            value = None
        if value is not None and (indicator_id not in latest or year > latest[indicator_id][0]):
            latest[indicator_id] = (year, float(value))
    return {indicator_id: value for indicator_id, (_, value) in latest.items()}


def demo_plan(seed: int, targets: dict[str, float] | None = None) -> CouncilPlan:
    """The demo council's (the first in the sidebar) extract, following its published figures."""
    from demo.generate import DEFAULT_SEED  # noqa: F401  (same seed convention)
    from demo.simulate import simulate_core
    from demo.world import YEARS, build_world

    streams = {name: np.random.default_rng([seed, k]) for k, name in enumerate(["world", "core"])}
    world = build_world(streams["world"])
    core = simulate_core(world, streams["core"])
    index = min(range(world.n), key=lambda i: world.councils[i].la_name)
    council = world.councils[index]
    region = world.region_of[index]
    neighbours = tuple(
        c.current_code
        for i, c in enumerate(world.councils)
        if world.region_of[i] == region and i != index
    )[:6]
    late = np.random.default_rng([seed, 99]).integers(0, 12, len(YEARS))
    looked_after = {
        date(year, 3, 31): int(core.cla[index][k] + late[k])
        for k, year in enumerate(YEARS)
        if year >= DEMO_EXTRACT_START.year
    }
    starts = {year: int(core.starts[index][k]) for k, year in enumerate(YEARS)}
    return CouncilPlan(
        council.old_la_code,
        council.current_code,
        neighbours,
        DEMO_EXTRACT_START,
        DEMO_EXTRACT_AS_AT,
        looked_after,
        starts,
        targets=targets or {},
    )


def write_demo_extract(
    folder: Path, seed: int, targets: dict[str, float] | None = None
) -> CouncilPlan:
    plan = demo_plan(seed, targets)
    write_extract(folder, plan, np.random.default_rng([seed, 903]))
    return plan


def regional_plans(councils: int = 30, years: int = 10, seed: int = 903) -> list[CouncilPlan]:
    """A fictional region for the benchmark: councils of 1,800 to 6,400 children (larger
    than most, so that 30 councils over 10 years make about 1.5 million episodes)."""
    rng = np.random.default_rng(seed)
    as_at = date(2026, 3, 31)
    start = date(as_at.year - years, 4, 1)
    plans = []
    codes = [str(900 + i) for i in range(councils)]
    for number, code in enumerate(codes):
        size = float(rng.uniform(1800, 6400))
        trend = float(rng.normal(0.015, 0.02))
        looked_after = {
            date(start.year + k, 3, 31): int(size * (1 + trend) ** k) for k in range(years + 1)
        }
        starts = {start.year + k: int(size * rng.uniform(0.40, 0.50)) for k in range(years + 2)}
        plans.append(
            CouncilPlan(
                code,
                f"E06900{code}",
                # Placed out of area: in other councils of the region (in councils
                # outside it when the region is one council).
                tuple(f"E06900{c}" for c in codes if c != code)[:8] or ("E06999001",),
                start,
                as_at,
                looked_after,
                starts,
                prefix=f"{number:02d}",
            )
        )
    return plans


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m demo.ssda903_extract OUT_DIR [--councils 30 --years 10]``: a region."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--councils", type=int, default=30)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--seed", type=int, default=903)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    total = 0
    for k, plan in enumerate(regional_plans(args.councils, args.years, args.seed)):
        total += write_extract(
            args.out_dir / plan.la_code, plan, np.random.default_rng([args.seed, k])
        )
    print(
        f"Wrote {args.councils} extracts ({total:,} episodes) to {args.out_dir} "
        f"in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
