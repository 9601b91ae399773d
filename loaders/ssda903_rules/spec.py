"""What the DfE's SSDA903 specification says, as data: tables, columns, dates and code lists.

The rules (`loaders.ssda903_rules.rules`) and the staging (`loaders.ssda903.stage`)
both read from here, so a column name or a code is written once. Code lists that
change between collection years are a base list plus each year's additions and
withdrawals (`CodeList`), not an `if` per year: a new year's change is one line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Each table's identifying columns (a file is that table when it has all of them).
TABLES: dict[str, tuple[str, ...]] = {
    "Episodes": ("CHILD", "DECOM", "RNE", "LS", "CIN", "PLACE", "PLACE_PROVIDER", "DEC", "REC"),
    "Header": ("CHILD", "SEX", "DOB", "ETHNIC"),
    "Reviews": ("CHILD", "REVIEW", "REVIEW_CODE"),
    "UASC": ("CHILD", "SEX", "DOB", "DUC"),
    "OC2": ("CHILD", "SDQ_SCORE", "CONVICTED", "HEALTH_CHECK", "IMMUNISATIONS"),
    "OC3": ("CHILD", "IN_TOUCH", "ACTIV", "ACCOM"),
    "AD1": ("CHILD", "DATE_INT", "DATE_MATCH", "FOSTER_CARE"),
    "PlacedAdoption": ("CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
    "PrevPerm": ("CHILD", "PREV_PERM", "LA_PERM", "DATE_PERM"),
    "Missing": ("CHILD", "MISSING", "MIS_START", "MIS_END"),
    "SWEpisodes": ("CHILD", "SW_ID", "SW_DECOM", "SW_DEC"),
    # Deprivation of Liberty Orders (from the 2025-26 collection): checked, not used for figures.
    "DoLo": ("CHILD", "DOLO_START", "DOLO_END"),
}

# Every column the specification gives each table (the Data to Insight validator's
# list, plus the placement location columns councils' extracts carry). A rule may
# read only these: a misspelt column fails when the rule is registered.
SPEC_COLUMNS: dict[str, frozenset[str]] = {
    "Header": frozenset(["CHILD", "SEX", "DOB", "ETHNIC", "UPN", "MOTHER", "MC_DOB"]),
    "Episodes": frozenset(
        [
            *TABLES["Episodes"],
            "REASON_PLACE_CHANGE",
            "HOME_POST",
            "PL_POST",
            "URN",
            "PL_LA",
            "PL_LOCATION",
            "PL_DISTANCE",
        ]
    ),
    "Reviews": frozenset(["CHILD", "DOB", "REVIEW", "REVIEW_CODE"]),
    "UASC": frozenset(["CHILD", "SEX", "DOB", "DUC"]),
    "OC2": frozenset(
        [
            "CHILD",
            "DOB",
            "SDQ_SCORE",
            "SDQ_REASON",
            "CONVICTED",
            "HEALTH_CHECK",
            "IMMUNISATIONS",
            "TEETH_CHECK",
            "HEALTH_ASSESSMENT",
            "SUBSTANCE_MISUSE",
            "INTERVENTION_RECEIVED",
            "INTERVENTION_OFFERED",
        ]
    ),
    "OC3": frozenset(["CHILD", "DOB", "IN_TOUCH", "ACTIV", "ACCOM"]),
    "AD1": frozenset(
        [
            "CHILD",
            "DOB",
            "DATE_INT",
            "DATE_MATCH",
            "FOSTER_CARE",
            "NB_ADOPTR",
            "SEX_ADOPTR",
            "LS_ADOPTR",
        ]
    ),
    "PlacedAdoption": frozenset(
        ["CHILD", "DOB", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"]
    ),
    "PrevPerm": frozenset(["CHILD", "DOB", "PREV_PERM", "LA_PERM", "DATE_PERM"]),
    "Missing": frozenset(["CHILD", "DOB", "MISSING", "MIS_START", "MIS_END"]),
    "SWEpisodes": frozenset(["CHILD", "DOB", "SW_ID", "SW_DECOM", "SW_DEC", "SW_REASON"]),
    "DoLo": frozenset(["CHILD", "DOB", "DOLO_START", "DOLO_END"]),
}
# Personal details never copied out of a file, whatever a rule or the store asks for:
# pupil numbers, postcodes and mothers' details.
NEVER_STAGED = frozenset(["UPN", "HOME_POST", "PL_POST", "MOTHER", "MC_DOB"])

DATE_FORMAT = "%d/%m/%Y"
# Date columns by table, and whether each is required. Each is staged beside its
# text as `d_<COLUMN>` (a DATE, NULL when unreadable) and stored as a date.
DATE_COLUMNS: dict[str, dict[str, bool]] = {
    "Episodes": {"DECOM": True, "DEC": False},
    "Header": {"DOB": True},
    "Reviews": {"REVIEW": True},
    "Missing": {"MIS_START": True, "MIS_END": False},
    "UASC": {"DOB": False, "DUC": False},
    "OC3": {"DOB": True},
    "OC2": {"DOB": False},
    "PlacedAdoption": {"DATE_PLACED": True, "DATE_PLACED_CEASED": False},
    "AD1": {"DATE_INT": False, "DATE_MATCH": False},
    "SWEpisodes": {"SW_DECOM": True, "SW_DEC": False},
    "DoLo": {"DOLO_START": True, "DOLO_END": False},
}


@dataclass(frozen=True)
class YearChange:
    """What a collection year (the year of the 31 March it ends on) adds and withdraws."""

    added: frozenset[str] = frozenset()
    withdrawn: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CodeList:
    """A column's valid codes: a base list, then each collection year's changes."""

    base: frozenset[str]
    changes: Mapping[int, YearChange] = field(default_factory=dict)

    def for_year(self, collection_year: int) -> frozenset[str]:
        """The codes valid in the collection year ending 31 March `collection_year`."""
        codes = set(self.base)
        for year in sorted(self.changes):
            if year <= collection_year:
                codes = (codes - self.changes[year].withdrawn) | self.changes[year].added
        return frozenset(codes)

    @property
    def years_changed(self) -> tuple[int, ...]:
        return tuple(sorted(self.changes))


def _codes(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Placement type: K3 arrived in 2024-25; H5, P2 and Z1 went and Z11-Z14 arrived in 2025-26.
PLACE = CodeList(
    _codes("A3 A4 A5 A6 H5 K1 K2 P1 P2 P3 R1 R2 R3 R5 S1 T0 T1 T2 T3 T4 U1 U2 U3 U4 U5 U6 Z1"),
    {
        2025: YearChange(added=_codes("K3")),
        2026: YearChange(added=_codes("Z11 Z12 Z13 Z14"), withdrawn=_codes("H5 P2 Z1")),
    },
)
LEGAL_STATUS = CodeList(_codes("C1 C2 D1 E1 J1 J2 J3 L1 L2 L3 V2 V3 V4"))
REASON_NEW_EPISODE = CodeList(_codes("B L P S T U"))
CATEGORY_OF_NEED = CodeList(frozenset(f"N{i}" for i in range(1, 9)))
PLACEMENT_PROVIDER = CodeList(frozenset(f"PR{i}" for i in range(6)))
REASON_EPISODE_CEASED = CodeList(
    _codes("E11 E12 E13 E14 E15 E16 E17 E2 E3 E41 E45 E46 E47 E48 E4A E4B E5 E6 E7 E8 E9 X1")
)
REVIEW_PARTICIPATION = CodeList(frozenset(f"PN{i}" for i in range(8)))
# Missing; away from placement without authorisation.
MISSING_KIND = CodeList(_codes("M A"))
IN_TOUCH = CodeList(_codes("YES NO DIED REFU NREQ RHOM"))
# Activity: F/P = full/part time; 1 higher education, 2 other education, 4 training
# or employment, 5 apprenticeship; G4-G6 not in education, employment or training; 0 unknown.
ACTIVITY = CodeList(_codes("F1 P1 F2 P2 F4 P4 F5 P5 G4 G5 G6 0"))
# Accommodation: a letter for the type and 1 (suitable) or 2 (not suitable); 0 unknown.
ACCOMMODATION = CodeList(
    frozenset({f"{kind}{s}" for kind in "BCDEGHKRSTUVWXYZ" for s in "12"} | {"0"})
)
YES_NO = frozenset({"0", "1"})
# OC2's yes/no columns (health and offending of children looked after for 12 months).
OC2_FLAGS = (
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
)
