"""SSDA903 child-level extracts: recognise each table, parse dates, check the rows.

A council's analysts export the SSDA903 return's tables (Header, Episodes,
Reviews, UASC, OC2, OC3, AD1, PlacedAdoption, PrevPerm, Missing, SWEpisodes)
from their case-management system every quarter. Each table is recognised by
its columns. The checks follow the Data to Insight validator's style: small
named functions, one result shape (`Problem`, naming file, table, line, child
and column), each with its own test.

Unlike a DfE release, an extract is never refused whole for a bad row: the
case-management system always holds some, and the panel still needs this
quarter's figures. A row whose dates cannot be read (or that is not in the
period the extract covers) is set aside and reported as an error; a row with
an unknown code is kept, reported as a warning, and counted under "code not
valid" wherever its code matters. Reports name children, so they are shown to
analysts only, never on a page for viewers or in an export.

This module reads and checks; `rows_for_store` shapes the usable rows for the
store. Turning episodes into indicators at a date is the indicators layer's job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from loaders.csv_text import CsvTable
from loaders.problems import Problem, Severity

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
}
# The tables the indicators use (see STORED_COLUMNS); the others are checked and kept
# out of the store.
STORED_TABLES = ("Episodes", "Header", "Reviews", "UASC", "OC2", "OC3", "Missing")

# Placement codes by collection year (the year ending 31 March): K3 arrived in
# 2024-25; H5, P2 and Z1 went and Z11-Z14 arrived in 2025-26.
PLACE_BASE = frozenset(
    [
        "A3",
        "A4",
        "A5",
        "A6",
        "H5",
        "K1",
        "K2",
        "P1",
        "P2",
        "P3",
        "R1",
        "R2",
        "R3",
        "R5",
        "S1",
        "T0",
        "T1",
        "T2",
        "T3",
        "T4",
        "U1",
        "U2",
        "U3",
        "U4",
        "U5",
        "U6",
        "Z1",
    ]
)
LEGAL_STATUS = frozenset(
    ["C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"]
)
REASON_NEW_EPISODE = frozenset(["B", "L", "P", "S", "T", "U"])
CATEGORY_OF_NEED = frozenset(f"N{i}" for i in range(1, 9))
PLACEMENT_PROVIDER = frozenset(f"PR{i}" for i in range(6))
REASON_EPISODE_CEASED = frozenset(
    [
        "E11",
        "E12",
        "E13",
        "E14",
        "E15",
        "E16",
        "E17",
        "E2",
        "E3",
        "E41",
        "E45",
        "E46",
        "E47",
        "E48",
        "E4A",
        "E4B",
        "E5",
        "E6",
        "E7",
        "E8",
        "E9",
        "X1",
    ]
)
REVIEW_PARTICIPATION = frozenset(f"PN{i}" for i in range(8))
MISSING_KIND = frozenset({"M", "A"})  # missing; away from placement without authorisation
IN_TOUCH = frozenset(["YES", "NO", "DIED", "REFU", "NREQ", "RHOM"])
# Activity: F/P = full/part time; 1 higher education, 2 other education, 4 training
# or employment, 5 apprenticeship; G4-G6 not in education, employment or training; 0 unknown.
ACTIVITY = frozenset(["F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5", "G4", "G5", "G6", "0"])
# Accommodation: a letter for the type and 1 (suitable) or 2 (not suitable); 0 unknown.
ACCOMMODATION = frozenset({f"{kind}{s}" for kind in "BCDEGHKRSTUVWXYZ" for s in "12"} | {"0"})
YES_NO = frozenset({"0", "1"})
OC2_FLAGS = (
    "CONVICTED",
    "HEALTH_CHECK",
    "IMMUNISATIONS",
    "TEETH_CHECK",
    "HEALTH_ASSESSMENT",
    "SUBSTANCE_MISUSE",
)
DATE_FORMAT = "%d/%m/%Y"
# Date columns by table, and whether each is required.
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
}


def place_codes(collection_year: int) -> set[str]:
    """Valid PLACE codes for the collection year ending 31 March `collection_year`."""
    codes = set(PLACE_BASE)
    if collection_year >= 2025:
        codes.add("K3")
    if collection_year >= 2026:
        codes -= {"H5", "P2", "Z1"}
        codes |= {"Z11", "Z12", "Z13", "Z14"}
    return codes


def collection_year(day: date | pd.Timestamp) -> int:
    """The SSDA903 collection year (the year of the 31 March it ends on) a date falls in."""
    return day.year + 1 if day.month > 3 else day.year


def recognise(table: CsvTable) -> str | None:
    """The SSDA903 table a file holds, by its columns; None when it is not one."""
    columns = {c.upper() for c in table.columns}
    for name, needed in TABLES.items():
        if set(needed) <= columns:
            return name
    return None


def parse_dates(values: pd.Series) -> pd.Series:
    """dd/mm/YYYY text as datetimes; blanks and unreadable text become NaT."""
    return pd.to_datetime(values, format=DATE_FORMAT, errors="coerce")


# ------------------------------------------------------------------ the extract
@dataclass
class Extract:
    """One extract's tables as text frames, with file names, dates and the as-at date."""

    tables: dict[str, pd.DataFrame]
    files: dict[str, str]
    as_at: date
    dates: dict[str, dict[str, pd.Series]] = field(default_factory=dict)
    set_aside: dict[str, set[int]] = field(default_factory=dict)

    @property
    def collection_year(self) -> int:
        return collection_year(self.as_at)

    def date(self, table: str, column: str) -> pd.Series:
        if column not in self.dates.setdefault(table, {}):
            self.dates[table][column] = parse_dates(self.tables[table][column])
        return self.dates[table][column]


Check = Callable[[Extract], list[Problem]]


def _problems(
    extract: Extract,
    table: str,
    mask: pd.Series | np.ndarray,
    check: str,
    message: str | Callable[[int], str],
    column: str,
    expected: str,
    severity: Severity = "warning",
    value: pd.Series | None = None,
) -> list[Problem]:
    """One problem per row where `mask` holds; errors set the row aside."""
    frame = extract.tables[table]
    rows = np.flatnonzero(np.asarray(mask, dtype=bool))
    if severity == "error":
        extract.set_aside.setdefault(table, set()).update(int(i) for i in rows)
    values = frame[column] if value is None else value
    children = frame["CHILD"]
    return [
        Problem(
            severity,
            check,
            message(int(i)) if callable(message) else message,
            extract.files[table],
            line=int(i) + 2,
            column=column,
            value=str(values.iat[i]),
            expected=expected,
            child=str(children.iat[i]),
            table=table,
        )
        for i in rows
    ]


def _year_label(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"


def _code_check(table: str, column: str, allowed: frozenset[str], name: str) -> Check:
    """A check that `column` of `table` holds one of `allowed` (blank allowed)."""

    def check(extract: Extract) -> list[Problem]:
        frame = extract.tables.get(table)
        if frame is None or column not in frame.columns:
            return []
        values = frame[column]
        bad = (values != "") & ~values.isin(allowed)
        return _problems(
            extract,
            table,
            bad,
            name,
            f"{column} is not a valid code; the row is kept and counted as 'code not valid'.",
            column,
            ", ".join(sorted(allowed)),
        )

    check.__name__ = f"check_{name}"
    return check


def check_place(extract: Extract) -> list[Problem]:
    """PLACE is valid for the collection year of the episode's last day in the extract.

    An episode that ended in 2023-24 may say H5; one still open in 2025-26 may not.
    """
    frame = extract.tables.get("Episodes")
    if frame is None:
        return []
    as_at = pd.Timestamp(extract.as_at)
    last_day = extract.date("Episodes", "DEC").fillna(as_at).clip(upper=as_at)
    years = np.where(last_day.dt.month > 3, last_day.dt.year + 1, last_day.dt.year)
    years = pd.Series(years, index=frame.index).fillna(extract.collection_year).astype(int)
    problems: list[Problem] = []
    for year in sorted(set(years)):
        valid = place_codes(year)
        bad = (years == year) & (frame["PLACE"] != "") & ~frame["PLACE"].isin(valid)
        problems += _problems(
            extract,
            "Episodes",
            bad,
            "place",
            f"PLACE is not a valid placement code in {_year_label(year)}; the episode is kept "
            "and counted as 'code not valid'.",
            "PLACE",
            ", ".join(sorted(valid)),
        )
    return problems


check_legal_status = _code_check("Episodes", "LS", LEGAL_STATUS, "legal_status")
check_reason_new_episode = _code_check("Episodes", "RNE", REASON_NEW_EPISODE, "rne")
check_category_of_need = _code_check("Episodes", "CIN", CATEGORY_OF_NEED, "cin")
check_provider = _code_check("Episodes", "PLACE_PROVIDER", PLACEMENT_PROVIDER, "place_provider")
check_reason_ceased = _code_check("Episodes", "REC", REASON_EPISODE_CEASED, "rec")
check_review_participation = _code_check(
    "Reviews", "REVIEW_CODE", REVIEW_PARTICIPATION, "review_code"
)
check_missing_kind = _code_check("Missing", "MISSING", MISSING_KIND, "missing_code")
check_in_touch = _code_check("OC3", "IN_TOUCH", IN_TOUCH, "in_touch")
check_activity = _code_check("OC3", "ACTIV", ACTIVITY, "activity")
check_accommodation = _code_check("OC3", "ACCOM", ACCOMMODATION, "accommodation")


def check_health_flags(extract: Extract) -> list[Problem]:
    """OC2's yes/no columns hold 0 or 1 (blank when not recorded)."""
    frame = extract.tables.get("OC2")
    if frame is None:
        return []
    problems: list[Problem] = []
    for column in (c for c in OC2_FLAGS if c in frame.columns):
        bad = (frame[column] != "") & ~frame[column].isin(YES_NO)
        problems += _problems(
            extract, "OC2", bad, "health_flag", f"{column} is not 0 or 1.", column, "0 or 1"
        )
    return problems


def check_sdq_score(extract: Extract) -> list[Problem]:
    """An SDQ score is a whole number from 0 to 40 (blank when not recorded)."""
    frame = extract.tables.get("OC2")
    if frame is None:
        return []
    scores = pd.to_numeric(frame["SDQ_SCORE"], errors="coerce")
    bad = (frame["SDQ_SCORE"] != "") & ~(scores.between(0, 40) & (scores % 1 == 0))
    return _problems(
        extract,
        "OC2",
        bad,
        "sdq_score",
        "SDQ_SCORE is not a score from 0 to 40.",
        "SDQ_SCORE",
        "a whole number from 0 to 40",
    )


def check_dates(extract: Extract) -> list[Problem]:
    """Every date column holds dd/mm/YYYY; a required one is not blank.

    An unreadable required date sets the row aside: it cannot be placed in time.
    """
    problems: list[Problem] = []
    for table, columns in DATE_COLUMNS.items():
        frame = extract.tables.get(table)
        if frame is None:
            continue
        for column, required in columns.items():
            if column not in frame.columns:
                continue
            text = frame[column]
            unreadable = extract.date(table, column).isna() & ((text != "") | required)
            problems += _problems(
                extract,
                table,
                unreadable,
                "date",
                f"{column} is not a date" + (" (required)." if required else "."),
                column,
                "dd/mm/YYYY",
                severity="error",
            )
    return problems


def _ordered(table: str, start: str, end: str, name: str) -> Check:
    def check(extract: Extract) -> list[Problem]:
        frame = extract.tables.get(table)
        if frame is None or end not in frame.columns:
            return []
        first, last = extract.date(table, start), extract.date(table, end)
        bad = (last < first).fillna(False)
        return _problems(
            extract,
            table,
            bad,
            "date_order",
            f"{end} is before {start}; the row is set aside.",
            end,
            f"a date on or after {start}",
            severity="error",
            value=frame[end] + " (" + start + " " + frame[start] + ")",
        )

    check.__name__ = f"check_{name}"
    return check


check_episode_order = _ordered("Episodes", "DECOM", "DEC", "episode_order")
check_missing_order = _ordered("Missing", "MIS_START", "MIS_END", "missing_order")
check_adoption_order = _ordered("PlacedAdoption", "DATE_PLACED", "DATE_PLACED_CEASED", "adoption")


def check_after_as_at(extract: Extract) -> list[Problem]:
    """Nothing in the extract starts after its as-at date."""
    problems: list[Problem] = []
    as_at = pd.Timestamp(extract.as_at)
    for table, column in (("Episodes", "DECOM"), ("Reviews", "REVIEW"), ("Missing", "MIS_START")):
        if table not in extract.tables:
            continue
        late = (extract.date(table, column) > as_at).fillna(False)
        problems += _problems(
            extract,
            table,
            late,
            "after_as_at",
            f"{column} is after the extract's as-at date ({extract.as_at:%d/%m/%Y}); "
            "the row is set aside.",
            column,
            f"on or before {extract.as_at:%d/%m/%Y}",
            severity="error",
        )
    return problems


def check_ceased_with_reason(extract: Extract) -> list[Problem]:
    """An episode with an end date has a reason it ended, and one without has none."""
    frame = extract.tables.get("Episodes")
    if frame is None:
        return []
    ended = frame["DEC"] != ""
    return _problems(
        extract,
        "Episodes",
        ended & (frame["REC"] == ""),
        "rec_missing",
        "The episode ended (DEC) but has no reason (REC); it is counted as ceasing care.",
        "REC",
        "a REC code when DEC is given",
    ) + _problems(
        extract,
        "Episodes",
        ~ended & (frame["REC"] != "") & (frame["REC"] != "X1"),
        "rec_without_dec",
        "The episode has a reason it ended (REC) but no end date (DEC).",
        "DEC",
        "DEC when REC is given",
    )


def _episode_order(extract: Extract) -> pd.DataFrame:
    """Each child's episodes with dates, in time order, and the episode before each."""
    frame = extract.tables["Episodes"]
    dated = pd.DataFrame(
        {
            "child": frame["CHILD"],
            "start": extract.date("Episodes", "DECOM"),
            "end": extract.date("Episodes", "DEC"),
            "rne": frame["RNE"],
            "rec": frame["REC"],
            "row": np.arange(len(frame)),
        }
    ).dropna(subset=["start"])
    dated = dated.sort_values(["child", "start", "row"], kind="stable")
    same_child = dated["child"].eq(dated["child"].shift())
    dated["previous_end"] = dated["end"].shift().where(same_child)
    dated["previous_open"] = same_child & dated["end"].shift().isna()
    dated["previous_rec"] = dated["rec"].shift().where(same_child)
    dated["previous_row"] = dated["row"].shift().where(same_child)
    dated["has_previous"] = same_child
    return dated


def check_episodes_do_not_overlap(extract: Extract) -> list[Problem]:
    """A child's episodes follow one another: each starts on or after the previous one ends."""
    if "Episodes" not in extract.tables:
        return []
    dated = _episode_order(extract)
    overlap = dated["has_previous"] & (
        dated["previous_open"] | (dated["start"] < dated["previous_end"]).fillna(False)
    )
    hits = dated[overlap]
    mask = np.zeros(len(extract.tables["Episodes"]), dtype=bool)
    mask[hits["row"].to_numpy()] = True
    previous_line = dict(zip(hits["row"], hits["previous_row"].astype(int) + 2, strict=True))
    return _problems(
        extract,
        "Episodes",
        mask,
        "episodes_overlap",
        lambda i: f"This episode starts before the child's previous episode "
        f"(line {previous_line[i]}) ends; the child is counted once.",
        "DECOM",
        "on or after the previous DEC",
    )


def check_episodes_chain(extract: Extract) -> list[Problem]:
    """Episodes within a period of care chain: an episode after one that ended with X1
    starts that same day and is not a new start (RNE S); any other episode after a
    gap is a new period of care (RNE S)."""
    if "Episodes" not in extract.tables:
        return []
    dated = _episode_order(extract)
    after_x1 = (
        dated["has_previous"] & (dated["previous_rec"] == "X1") & dated["previous_end"].notna()
    )
    broken = after_x1 & ((dated["start"] != dated["previous_end"]) | (dated["rne"] == "S"))
    after_gap = (
        dated["has_previous"]
        & dated["previous_end"].notna()
        & (dated["previous_rec"] != "X1")
        & (dated["rne"] != "S")
    )
    problems = []
    for mask_rows, message, expected in (
        (
            dated.loc[broken, "row"],
            "The previous episode ended with X1 (care continues), but this one does not start "
            "that day as a continuing episode.",
            "DECOM equal to the previous DEC, and RNE other than S",
        ),
        (
            dated.loc[after_gap, "row"],
            "The previous episode ended the child's care, so this one should start a new "
            "period of care.",
            "RNE S",
        ),
    ):
        mask = np.zeros(len(extract.tables["Episodes"]), dtype=bool)
        mask[mask_rows.to_numpy()] = True
        problems += _problems(extract, "Episodes", mask, "episodes_chain", message, "RNE", expected)
    return problems


def check_child_in_header(extract: Extract) -> list[Problem]:
    header, episodes = extract.tables.get("Header"), extract.tables.get("Episodes")
    if header is None or episodes is None:
        return []
    return _problems(
        extract,
        "Episodes",
        ~episodes["CHILD"].isin(set(header["CHILD"])),
        "child_in_header",
        "This child has episodes but is not in the Header table; age-based figures leave them out.",
        "CHILD",
        "a CHILD listed in Header",
    )


def _duplicate_check(table: str, key: tuple[str, ...], name: str, expected: str) -> Check:
    def check(extract: Extract) -> list[Problem]:
        frame = extract.tables.get(table)
        if frame is None:
            return []
        repeated = frame.duplicated(subset=list(key))
        return _problems(
            extract,
            table,
            repeated,
            "duplicate",
            f"This row repeats an earlier {table} row for the same "
            f"{' and '.join(key)}; it is set aside.",
            key[-1],
            expected,
            severity="error",
        )

    check.__name__ = f"check_{name}"
    return check


check_header_duplicates = _duplicate_check("Header", ("CHILD",), "header_dup", "one row per child")
check_episode_duplicates = _duplicate_check(
    "Episodes",
    ("CHILD", "DECOM", "DEC", "RNE", "LS", "PLACE", "PLACE_PROVIDER"),
    "episode_dup",
    "each episode once",
)
check_review_duplicates = _duplicate_check(
    "Reviews", ("CHILD", "REVIEW"), "review_dup", "one review per child and date"
)
check_missing_duplicates = _duplicate_check(
    "Missing", ("CHILD", "MIS_START"), "missing_dup", "one incident per child and start"
)
check_oc3_duplicates = _duplicate_check("OC3", ("CHILD",), "oc3_dup", "one row per care leaver")
check_oc2_duplicates = _duplicate_check("OC2", ("CHILD",), "oc2_dup", "one row per child")

CHECKS: list[Check] = [
    check_dates,
    check_episode_order,
    check_missing_order,
    check_adoption_order,
    check_after_as_at,
    check_place,
    check_legal_status,
    check_reason_new_episode,
    check_category_of_need,
    check_provider,
    check_reason_ceased,
    check_ceased_with_reason,
    check_review_participation,
    check_missing_kind,
    check_in_touch,
    check_activity,
    check_accommodation,
    check_health_flags,
    check_sdq_score,
    check_episodes_do_not_overlap,
    check_episodes_chain,
    check_child_in_header,
    check_header_duplicates,
    check_episode_duplicates,
    check_review_duplicates,
    check_missing_duplicates,
    check_oc3_duplicates,
    check_oc2_duplicates,
]


def frames_of(tables: list[CsvTable]) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
    """The recognised tables as text frames (upper-case columns, trimmed cells)."""
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for table in tables:
        name = recognise(table)
        if name is None:
            continue
        frame = pd.DataFrame(table.rows, columns=[c.upper() for c in table.columns], dtype=object)
        frame = frame.fillna("")
        for column in frame.columns:
            frame[column] = frame[column].astype(str).str.strip()
        frames[name] = frame
        files[name] = table.file
    return frames, files


def latest_date(frames: dict[str, pd.DataFrame]) -> date | None:
    """The latest episode start or end: the as-at date unless the analyst says otherwise.

    Only episodes count: a review or missing incident dated later is more likely
    a typing error (and is then reported as after the as-at date).
    """
    latest = None
    for table, column in (("Episodes", "DECOM"), ("Episodes", "DEC")):
        if table in frames:
            value = parse_dates(frames[table][column]).max()
            if pd.notna(value) and (latest is None or value.date() > latest):
                latest = value.date()
    return latest


def read_extract(
    tables: list[CsvTable], as_at: date | None = None
) -> tuple[Extract, list[Problem]]:
    """The recognised tables of an extract and every problem the checks find.

    `as_at` is the date the extract was run to; by default the latest date it records.
    """
    frames, files = frames_of(tables)
    extract = Extract(frames, files, as_at or latest_date(frames) or date.today())
    return extract, [problem for check in CHECKS for problem in check(extract)]


# ------------------------------------------------------------------ for the store
def _usable(extract: Extract, table: str) -> pd.DataFrame:
    frame = extract.tables[table]
    aside = extract.set_aside.get(table, set())
    keep = ~np.isin(np.arange(len(frame)), list(aside)) if aside else np.ones(len(frame), bool)
    return frame[keep]


def _dates(extract: Extract, table: str, column: str, rows: pd.Index) -> pd.Series:
    return extract.date(table, column).loc[rows].dt.date


def covers_from(episodes: pd.DataFrame) -> date | None:
    """The first day the extract's records are complete from.

    An SSDA903 extract holds every episode open at any time since some date
    (one collection year for the annual return, often years for a council's own
    extract), usually with the earlier episodes of the periods of care still
    open then. Children who left care before that date are absent, so the
    earliest recorded ceasing (an end with a reason other than X1) marks it: the
    extract is complete from the 1 April on or before that ceasing (or before
    the first start, when no child has left).
    """
    if episodes.empty:
        return None
    ceased = episodes["dec"][episodes["dec"].notna() & (episodes["rec"] != "X1")]
    first = ceased.min() if len(ceased) else episodes["decom"].min()
    year = first.year if first.month > 3 else first.year - 1
    return date(year, 4, 1)


# What is stored from each table: stored name, then column -> source column. A source
# column in DATE_COLUMNS is stored as a date; one the file lacks is stored blank.
STORED_COLUMNS: dict[str, tuple[str, dict[str, str]]] = {
    "Episodes": (
        "episodes",
        {
            "child": "CHILD", "decom": "DECOM", "dec": "DEC", "rne": "RNE", "ls": "LS",
            "cin": "CIN", "place": "PLACE", "place_provider": "PLACE_PROVIDER", "rec": "REC",
            "urn": "URN", "pl_la": "PL_LA",
        },
    ),
    "Header": ("children", {"child": "CHILD", "sex": "SEX", "dob": "DOB"}),
    "Reviews": ("reviews", {"child": "CHILD", "review": "REVIEW", "review_code": "REVIEW_CODE"}),
    "Missing": (
        "missing",
        {"child": "CHILD", "kind": "MISSING", "mis_start": "MIS_START", "mis_end": "MIS_END"},
    ),
    "UASC": ("uasc", {"child": "CHILD", "duc": "DUC"}),
    "OC3": (
        "care_leavers",
        {"child": "CHILD", "dob": "DOB", "in_touch": "IN_TOUCH", "activ": "ACTIV",
         "accom": "ACCOM"},
    ),
}  # fmt: skip


def rows_for_store(extract: Extract) -> dict[str, pd.DataFrame]:
    """The usable rows of the tables the indicators need, typed, without names or postcodes.

    Only what the indicators use is stored (no UPN, postcodes or mothers' details);
    placement location is kept only as the council of placement (PL_LA) when the
    extract carries it.
    """
    out: dict[str, pd.DataFrame] = {}
    for table, (stored, columns) in STORED_COLUMNS.items():
        if table not in extract.tables:
            continue
        frame = _usable(extract, table)
        typed = {}
        for name, source in columns.items():
            if source in DATE_COLUMNS.get(table, {}):
                typed[name] = _dates(extract, table, source, frame.index)
            else:
                typed[name] = frame.get(source, pd.Series("", index=frame.index))
        out[stored] = pd.DataFrame(typed).reset_index(drop=True)
    if "OC2" in extract.tables:
        frame = _usable(extract, "OC2")
        health = {"child": frame["CHILD"]}
        health["sdq_score"] = pd.to_numeric(frame["SDQ_SCORE"], errors="coerce")
        for column in OC2_FLAGS:
            source = frame.get(column, pd.Series("", index=frame.index))
            health[column.lower()] = source.where(source.isin(YES_NO), "")
        out["health"] = pd.DataFrame(health).reset_index(drop=True)
    return out


# ------------------------------------------------------------------ quarter ends
QUARTER_END_DAYS = ((3, 31), (6, 30), (9, 30), (12, 31))


def quarter_ends_covered(start: date, as_at: date) -> list[date]:
    """The quarter ends an extract gives full figures for.

    Every figure looks back at most twelve months (starts, moves, missing
    incidents), so a quarter end counts when the extract's records are complete
    for the year before it: from a year after `start` up to the as-at date.
    """
    first = date(start.year + 1, start.month, start.day)
    ends = []
    for year in range(first.year - 1, as_at.year + 1):
        for month, day in QUARTER_END_DAYS:
            end = date(year, month, day)
            if first - pd.Timedelta(days=1).to_pytimedelta() <= end <= as_at:
                ends.append(end)
    return ends


def quarter_label(end: date) -> tuple[str, str]:
    """A quarter end as the financial year and quarter DfE's tidy files use (202425, Q4)."""
    start_year = end.year if end.month > 3 else end.year - 1
    quarter = {6: "Q1", 9: "Q2", 12: "Q3", 3: "Q4"}[end.month]
    return f"{start_year}{(start_year + 1) % 100:02d}", quarter
