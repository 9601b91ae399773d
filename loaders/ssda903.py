"""SSDA903 child-level extracts: recognise each table, parse dates, and check the rows.

A council's analysts export the SSDA903 return's tables (Header, Episodes,
Reviews, UASC, OC2, OC3, AD1, PlacedAdoption, PrevPerm, Missing, SWEpisodes)
from their case-management system. Each table is recognised by its columns.
The checks follow the Data to Insight validator's style: small named
functions, one result shape (`Problem`, naming table, line, child and
column). Reports of these checks hold child identifiers, so they are shown to
analysts only, never on a page for viewers or in an export.

This module reads and checks; turning episodes into indicators at a date is
the indicators layer's job.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd

from loaders.csv_text import CsvTable
from loaders.problems import Problem

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

# Placement codes by collection year (the year ending 31 March): K3 arrived in
# 2024-25; H5, P2 and Z1 went and Z11-Z14 arrived in 2025-26.
PLACE_BASE = {
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
}
LEGAL_STATUS = {"C1", "C2", "D1", "E1", "J1", "J2", "J3", "L1", "L2", "L3", "V2", "V3", "V4"}
REASON_NEW_EPISODE = {"B", "L", "P", "S", "T", "U"}
CATEGORY_OF_NEED = {f"N{i}" for i in range(1, 9)}
PLACEMENT_PROVIDER = {f"PR{i}" for i in range(6)}
REASON_EPISODE_CEASED = {
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
}
REVIEW_PARTICIPATION = {f"PN{i}" for i in range(8)}
DATE_FORMAT = "%d/%m/%Y"


def place_codes(collection_year: int) -> set[str]:
    """Valid PLACE codes for the collection year ending 31 March `collection_year`."""
    codes = set(PLACE_BASE)
    if collection_year >= 2025:
        codes.add("K3")
    if collection_year >= 2026:
        codes -= {"H5", "P2", "Z1"}
        codes |= {"Z11", "Z12", "Z13", "Z14"}
    return codes


def recognise(table: CsvTable) -> str | None:
    """The SSDA903 table a file holds, by its columns; None when it is not one."""
    columns = {c.upper() for c in table.columns}
    for name, needed in TABLES.items():
        if set(needed) <= columns:
            return name
    return None


def parse_date(text: str) -> date | None:
    try:
        return datetime.strptime(text.strip(), DATE_FORMAT).date()
    except ValueError:
        return None


# ------------------------------------------------------------------ the checks
@dataclass
class Extract:
    """The tables of one extract, as text frames with their source file names."""

    tables: dict[str, pd.DataFrame]
    files: dict[str, str]
    collection_year: int  # the year ending 31 March the extract is for


Check = Callable[[Extract], list[Problem]]


def _problem(extract: Extract, table: str, index: int, check: str, message: str, **where):
    row = extract.tables[table].iloc[index]
    return Problem(
        "error",
        check,
        message,
        extract.files[table],
        line=index + 2,
        child=str(row.get("CHILD", "")),
        **where,
    )


def _code_check(table: str, column: str, allowed: Callable[[Extract], set[str]], name: str):
    def check(extract: Extract) -> list[Problem]:
        frame = extract.tables.get(table)
        if frame is None or column not in frame.columns:
            return []
        valid = allowed(extract)
        return [
            _problem(
                extract,
                table,
                index,
                name,
                f"{column} is not a valid code for "
                f"{extract.collection_year - 1}-{extract.collection_year % 100:02d}.",
                column=column,
                value=value,
                expected=", ".join(sorted(valid)),
            )
            for index, value in enumerate(frame[column])
            if value and value not in valid
        ]

    check.__name__ = f"check_{name}"
    return check


check_place = _code_check("Episodes", "PLACE", lambda e: place_codes(e.collection_year), "place")
check_legal_status = _code_check("Episodes", "LS", lambda e: LEGAL_STATUS, "legal_status")
check_reason_new_episode = _code_check("Episodes", "RNE", lambda e: REASON_NEW_EPISODE, "rne")
check_category_of_need = _code_check("Episodes", "CIN", lambda e: CATEGORY_OF_NEED, "cin")
check_provider = _code_check(
    "Episodes", "PLACE_PROVIDER", lambda e: PLACEMENT_PROVIDER, "place_provider"
)
check_reason_ceased = _code_check("Episodes", "REC", lambda e: REASON_EPISODE_CEASED, "rec")
check_review_participation = _code_check(
    "Reviews", "REVIEW_CODE", lambda e: REVIEW_PARTICIPATION, "review_code"
)


def check_episode_dates(extract: Extract) -> list[Problem]:
    """DECOM is a date; DEC, when given, is a date on or after DECOM."""
    frame = extract.tables.get("Episodes")
    if frame is None:
        return []
    problems = []
    for index, (start_text, end_text) in enumerate(zip(frame["DECOM"], frame["DEC"], strict=True)):
        start = parse_date(start_text)
        if start is None:
            problems.append(
                _problem(
                    extract,
                    "Episodes",
                    index,
                    "date",
                    "The episode start date is not a date.",
                    column="DECOM",
                    value=start_text,
                    expected="dd/mm/YYYY",
                )
            )
            continue
        if not end_text:
            continue
        end = parse_date(end_text)
        if end is None:
            problems.append(
                _problem(
                    extract,
                    "Episodes",
                    index,
                    "date",
                    "The episode end date is not a date.",
                    column="DEC",
                    value=end_text,
                    expected="dd/mm/YYYY",
                )
            )
        elif end < start:
            problems.append(
                _problem(
                    extract,
                    "Episodes",
                    index,
                    "date_order",
                    "The episode ends before it starts.",
                    column="DEC",
                    value=f"{end_text} (started {start_text})",
                    expected="an end date on or after DECOM",
                )
            )
    return problems


def check_episodes_do_not_overlap(extract: Extract) -> list[Problem]:
    """A child's episodes follow one another: each starts on or after the previous one ends."""
    frame = extract.tables.get("Episodes")
    if frame is None:
        return []
    dated = frame.assign(
        start_date=frame["DECOM"].map(parse_date),
        end_date=frame["DEC"].map(parse_date),
        row_number=range(len(frame)),
    ).dropna(subset=["start_date"])
    problems = []
    for _, episodes in dated.sort_values(["CHILD", "start_date"]).groupby("CHILD", sort=False):
        previous = None
        for row in episodes.itertuples():
            if previous is not None and (
                previous.end_date is None or row.start_date < previous.end_date
            ):
                problems.append(
                    _problem(
                        extract,
                        "Episodes",
                        int(row.row_number),
                        "episodes_overlap",
                        "This episode starts before the child's previous "
                        f"episode (line {int(previous.row_number) + 2}) ends.",
                        column="DECOM",
                        value=row.DECOM,
                        expected="on or after the previous DEC",
                    )
                )
            previous = row
    return problems


def check_child_in_header(extract: Extract) -> list[Problem]:
    header, episodes = extract.tables.get("Header"), extract.tables.get("Episodes")
    if header is None or episodes is None:
        return []
    known = set(header["CHILD"])
    return [
        _problem(
            extract,
            "Episodes",
            index,
            "child_in_header",
            "This child has episodes but is not in the Header table.",
            column="CHILD",
            value=child,
            expected="a CHILD listed in Header",
        )
        for index, child in enumerate(episodes["CHILD"])
        if child not in known
    ]


def check_header_duplicates(extract: Extract) -> list[Problem]:
    header = extract.tables.get("Header")
    if header is None:
        return []
    repeated = header["CHILD"].duplicated()
    return [
        _problem(
            extract,
            "Header",
            int(index),
            "duplicate",
            "This child appears twice in Header.",
            column="CHILD",
            value=child,
            expected="one row per child",
        )
        for index, child in header.loc[repeated, "CHILD"].items()
    ]


CHECKS: list[Check] = [
    check_place,
    check_legal_status,
    check_reason_new_episode,
    check_category_of_need,
    check_provider,
    check_reason_ceased,
    check_review_participation,
    check_episode_dates,
    check_episodes_do_not_overlap,
    check_child_in_header,
    check_header_duplicates,
]


def read_extract(tables: list[CsvTable], collection_year: int) -> tuple[Extract, list[Problem]]:
    """The recognised tables of an extract and every problem the checks find."""
    frames: dict[str, pd.DataFrame] = {}
    files: dict[str, str] = {}
    for table in tables:
        name = recognise(table)
        if name is None:
            continue
        frame = pd.DataFrame(table.rows, columns=[c.upper() for c in table.columns]).fillna("")
        frames[name] = frame.map(lambda v: v.strip() if isinstance(v, str) else v)
        files[name] = table.file
    extract = Extract(frames, files, collection_year)
    return extract, [problem for check in CHECKS for problem in check(extract)]
