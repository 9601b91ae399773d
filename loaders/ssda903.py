"""SSDA903 child-level extracts: recognise each table, parse dates, check the rows.

A council's analysts export the SSDA903 return's tables (Header, Episodes,
Reviews, UASC, OC2, OC3, AD1, PlacedAdoption, PrevPerm, Missing, SWEpisodes and,
from 2025-26, DoLo: Deprivation of Liberty Orders) from their case-management
system every quarter. Each table is recognised by its columns. The checks
follow the Data to Insight validator's style: small named functions, one
result shape (`Problem`, naming file, table, line, child and column), each
with its own test. Each check is a SQL condition over the
tables staged in a private schema of an in-memory DuckDB (`stage`), so a council's extract of
100,000 episodes is checked in a fraction of a second.

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

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from domain.periods import quarter_end_sql, reporting_year_start, year_ending_march
from loaders.csv_text import CsvColumns, CsvTable
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
    # Deprivation of Liberty Orders (from the 2025-26 collection): checked, not used for figures.
    "DoLo": ("CHILD", "DOLO_START", "DOLO_END"),
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
    "DoLo": {"DOLO_START": True, "DOLO_END": False},
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


def collection_year(day: date) -> int:
    """The SSDA903 collection year (the year of the 31 March it ends on) a date falls in."""
    return year_ending_march(day)


def recognise(table: CsvTable | CsvColumns | list[str]) -> str | None:
    """The SSDA903 table a file holds, by its columns; None when it is not one."""
    names = table if isinstance(table, list) else table.columns
    columns = {c.upper() for c in names}
    for name, needed in TABLES.items():
        if set(needed) <= columns:
            return name
    return None


def _arrow(table: CsvTable | CsvColumns) -> pa.Table:
    """A read table's cells as Arrow text columns (upper-case names)."""
    names = [c.upper() for c in table.columns]
    if isinstance(table, CsvColumns):
        return table.table.rename_columns(names)
    return pa.table({name: [row[i] for row in table.rows] for i, name in enumerate(names)})


def _quoted(values: frozenset[str] | set[str] | tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values))


def _date_sql(column: str) -> str:
    """dd/mm/YYYY text as a DATE; anything else (blank, 2-digit year, 31/02) NULL."""
    return (
        f"CASE WHEN regexp_full_match({column}, '[0-9]{{1,2}}/[0-9]{{1,2}}/[0-9]{{4}}') "
        f"THEN try_strptime({column}, '{DATE_FORMAT}')::DATE END"
    )


# ------------------------------------------------------------------ the extract
@dataclass
class Extract:
    """One extract's tables, staged in a private in-memory DuckDB schema.

    Each recognised table is a DuckDB table of the same name, its columns the
    file's (upper case, trimmed text), plus `_row` (0-based data row, so line =
    `_row` + 2) and `d_<COLUMN>` (a DATE, NULL when unreadable) for each date
    column. The checks are SQL over these, so a region's extracts take seconds.
    """

    con: duckdb.DuckDBPyConnection
    files: dict[str, str]
    columns: dict[str, list[str]]
    row_count: dict[str, int]
    as_at: date = date.min
    set_aside: dict[str, set[int]] = field(default_factory=dict)
    derived: set[str] = field(default_factory=set)
    schema: str = ""  # in the staging database (see `stage`)
    closed: bool = False

    @property
    def tables(self) -> list[str]:
        return list(self.files)

    @property
    def collection_year(self) -> int:
        return collection_year(self.as_at)

    def has(self, table: str, *columns: str) -> bool:
        return table in self.files and all(c in self.columns[table] for c in columns)

    def rows(self, sql: str, parameters: list[object] | None = None) -> list[tuple]:
        return self.con.execute(sql, parameters or []).fetchall()

    def text(self, table: str, column: str) -> list[str]:
        """One column's cells in file order (for tests and the command line)."""
        return [r[0] for r in self.rows(f'SELECT "{column}" FROM "{table}" ORDER BY _row')]

    def table_of(self, name: str, sql: str) -> str:
        """A table computed once from the staged ones (for checks that share it)."""
        if name not in self.derived:
            self.con.execute(f'CREATE TABLE "{name}" AS {sql}')
            self.derived.add(name)
        return f'"{name}"'

    def close(self) -> None:
        """Free the staged tables (their schema in the staging database); once is enough."""
        if self.closed:
            return
        if self.schema:
            self.con.execute(f"DROP SCHEMA IF EXISTS memory.{self.schema} CASCADE")
        self.con.close()
        self.closed = True


# Extracts are staged in one in-memory DuckDB database per process, each in a schema
# of its own, reached through a cursor of its own: opening and closing a database
# per extract costs more than checking a small one. One thread per query: an
# extract's tables are too small for DuckDB to split, and a region's extracts are
# staged two at a time (loaders.load.load_extracts).
_STAGING: list[duckdb.DuckDBPyConnection] = []
_STAGING_LOCK = threading.Lock()
_SCHEMA_NUMBERS = itertools.count(1)


def _staging_cursor() -> tuple[duckdb.DuckDBPyConnection, str]:
    """A cursor on the staging database, its default schema a new, empty one."""
    with _STAGING_LOCK:
        if not _STAGING:
            _STAGING.append(duckdb.connect(config={"threads": 1}))
        cursor = _STAGING[0].cursor()
        schema = f"extract_{next(_SCHEMA_NUMBERS)}"
    cursor.execute(f"CREATE SCHEMA memory.{schema}")
    cursor.execute(f"USE memory.{schema}")
    return cursor, schema


def _has_padding(column: pa.ChunkedArray) -> bool:
    """Whether some cell may need DuckDB's `trim`: it starts or ends with a space, or
    holds a character outside ASCII (DuckDB trims Unicode spaces too). Checking is
    cheaper than trimming."""
    edges = pc.or_(pc.starts_with(column, " "), pc.ends_with(column, " "))
    return pc.any(pc.or_(edges, pc.invert(pc.string_is_ascii(column)))).as_py() is True


def stage(tables: list[CsvTable | CsvColumns]) -> Extract:
    """Stage the recognised tables in a new in-memory database (text trimmed of spaces,
    dates parsed), keeping only the columns the checks and the store use (no names,
    UPNs or postcodes).

    Of two copies of one table, the first is staged (the loader refuses a batch
    with two copies of a table the indicators use).
    """
    con, schema = _staging_cursor()
    extract = Extract(con, {}, {}, {}, schema=schema)
    try:
        for table in tables:
            _stage_table(extract, table)
    except BaseException:
        extract.close()  # the schema is freed whatever happens
        raise
    return extract


def _stage_table(extract: Extract, table: CsvTable | CsvColumns) -> None:
    """One recognised table into the extract's schema (a second copy is skipped)."""
    con = extract.con
    name = recognise(table)
    if name is None or name in extract.files:  # a second copy: the first is used
        return
    source = _arrow(table)
    columns = [c for c in source.column_names if c in USED_COLUMNS[name]]
    source = source.select(columns).append_column(
        "_row", pa.array(np.arange(source.num_rows, dtype=np.int64))
    )
    maybe = not isinstance(table, CsvColumns) or table.padded
    padded = {c for c in columns if maybe and _has_padding(source[c])}
    cells = {c: f'trim("{c}")' if c in padded else f'"{c}"' for c in columns}
    trimmed = [f'{cells[c]} AS "{c}"' for c in columns]
    dates = [
        _date_sql(cells[c]) + f' AS "d_{c}"' for c in DATE_COLUMNS.get(name, {}) if c in columns
    ]
    con.register("incoming", source)
    try:
        con.execute(
            f'CREATE TABLE "{name}" AS SELECT _row, {", ".join(trimmed + dates)} FROM incoming'
        )
    finally:
        con.unregister("incoming")
    extract.files[name] = table.file
    extract.columns[name] = columns
    extract.row_count[name] = source.num_rows


Check = Callable[[Extract], list[Problem]]


def _problems(
    extract: Extract,
    table: str,
    where: str,
    check: str,
    message: str | Callable[[object], str],
    column: str,
    expected: str | Callable[[object], str],
    severity: Severity = "warning",
    value: str | None = None,
    detail: str = "NULL",
    source: str | None = None,
    parameters: list[object] | None = None,
) -> list[Problem]:
    """One problem per row of `table` (or the `source` query over it) where `where` holds.

    `value` is the SQL for the value shown (the column by default); `detail` is
    passed to a callable `message` or `expected`. Errors set the row aside.
    """
    shown = value or f'"{column}"'
    rows_from = source or f'"{table}"'
    found = extract.rows(
        f"SELECT _row, CHILD, {shown}, {detail} FROM {rows_from} WHERE {where} ORDER BY _row",
        parameters,
    )
    if severity == "error":
        extract.set_aside.setdefault(table, set()).update(int(row[0]) for row in found)
    return [
        Problem(
            severity,
            check,
            message(extra) if callable(message) else message,
            extract.files[table],
            line=int(row_index) + 2,
            column=column,
            value=str(shown),
            expected=expected(extra) if callable(expected) else expected,
            child=str(child),
            table=table,
        )
        for row_index, child, shown, extra in found
    ]


def _year_label(year: int) -> str:
    return f"{year - 1}-{year % 100:02d}"


def _code_check(table: str, column: str, allowed: frozenset[str], name: str) -> Check:
    """A check that `column` of `table` holds one of `allowed` (blank allowed)."""

    def check(extract: Extract) -> list[Problem]:
        if not extract.has(table, column):
            return []
        return _problems(
            extract,
            table,
            f'"{column}" <> \'\' AND "{column}" NOT IN ({_quoted(allowed)})',
            name,
            f"{column} is not a valid code; the row is kept and counted as 'code not valid'.",
            column,
            ", ".join(sorted(allowed)),
        )

    check.__name__ = f"check_{name}"
    return check


# The collection year of an episode's last day in the extract (its end, or the as-at date).
_EPISODE_YEAR = (
    "(SELECT *, CASE WHEN month(last_day) > 3 THEN year(last_day) + 1 ELSE year(last_day) END "
    "AS collection_year FROM (SELECT *, least(coalesce(d_DEC, ?::DATE), ?::DATE) AS last_day "
    'FROM "Episodes"))'
)


def check_place(extract: Extract) -> list[Problem]:
    """PLACE is valid for the collection year of the episode's last day in the extract.

    An episode that ended in 2023-24 may say H5; one still open in 2025-26 may not.
    """
    if not extract.has("Episodes", "PLACE", "DEC"):
        return []
    regimes = ((2024, place_codes(2024)), (2025, place_codes(2025)), (2026, place_codes(2026)))
    valid_list = (
        "CASE "
        + " ".join(
            f"WHEN collection_year <= {year} THEN [{_quoted(codes)}]"
            for year, codes in regimes[:-1]
        )
        + f" ELSE [{_quoted(regimes[-1][1])}] END"
    )
    return _problems(
        extract,
        "Episodes",
        f"PLACE <> '' AND NOT list_contains({valid_list}, PLACE)",
        "place",
        lambda year: f"PLACE is not a valid placement code in {_year_label(int(year))}; "  # type: ignore[call-overload]
        "the episode is kept and counted as 'code not valid'.",
        "PLACE",
        lambda year: ", ".join(sorted(place_codes(int(year)))),  # type: ignore[call-overload]
        detail="collection_year",
        source=_EPISODE_YEAR,
        parameters=[extract.as_at, extract.as_at],
    )


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
    problems: list[Problem] = []
    for column in OC2_FLAGS:
        if extract.has("OC2", column):
            problems += _problems(
                extract,
                "OC2",
                f'"{column}" <> \'\' AND "{column}" NOT IN ({_quoted(YES_NO)})',
                "health_flag",
                f"{column} is not 0 or 1.",
                column,
                "0 or 1",
            )
    return problems


def check_sdq_score(extract: Extract) -> list[Problem]:
    """An SDQ score is a whole number from 0 to 40 (blank when not recorded)."""
    if not extract.has("OC2", "SDQ_SCORE"):
        return []
    score = "try_cast(SDQ_SCORE AS DOUBLE)"
    return _problems(
        extract,
        "OC2",
        f"SDQ_SCORE <> '' AND NOT coalesce({score} BETWEEN 0 AND 40 AND {score} % 1 = 0, false)",
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
        for column, required in columns.items():
            if not extract.has(table, column):
                continue
            problems += _problems(
                extract,
                table,
                f'"d_{column}" IS NULL AND ("{column}" <> \'\' OR {str(required).upper()})',
                "date",
                f"{column} is not a date" + (" (required)." if required else "."),
                column,
                "dd/mm/YYYY",
                severity="error",
            )
    return problems


def _ordered(table: str, start: str, end: str, name: str) -> Check:
    def check(extract: Extract) -> list[Problem]:
        if not extract.has(table, start, end):
            return []
        return _problems(
            extract,
            table,
            f'coalesce("d_{end}" < "d_{start}", false)',
            "date_order",
            f"{end} is before {start}; the row is set aside.",
            end,
            f"a date on or after {start}",
            severity="error",
            value=f"\"{end}\" || ' ({start} ' || \"{start}\" || ')'",
        )

    check.__name__ = f"check_{name}"
    return check


check_episode_order = _ordered("Episodes", "DECOM", "DEC", "episode_order")
check_missing_order = _ordered("Missing", "MIS_START", "MIS_END", "missing_order")
check_adoption_order = _ordered("PlacedAdoption", "DATE_PLACED", "DATE_PLACED_CEASED", "adoption")


def check_after_as_at(extract: Extract) -> list[Problem]:
    """Nothing in the extract starts after its as-at date."""
    problems: list[Problem] = []
    for table, column in (("Episodes", "DECOM"), ("Reviews", "REVIEW"), ("Missing", "MIS_START")):
        if not extract.has(table, column):
            continue
        problems += _problems(
            extract,
            table,
            f'coalesce("d_{column}" > ?::DATE, false)',
            "after_as_at",
            f"{column} is after the extract's as-at date ({extract.as_at:%d/%m/%Y}); "
            "the row is set aside.",
            column,
            f"on or before {extract.as_at:%d/%m/%Y}",
            severity="error",
            parameters=[extract.as_at],
        )
    return problems


# Shown as the first lines of a summary problem.
LINES_SHOWN = 5


def fold_after_as_at(
    extract: Extract, problems: list[Problem], as_at_given: bool
) -> tuple[list[Problem], list[Problem]]:
    """The problems to show, with each table's rows after the as-at date as one problem.

    A too-early as-at date puts thousands of rows after it (5,038 reviews of the
    fake extract): one problem per table says how many, the first lines and
    what to do. Returns (shown, folded): the rows folded into a summary are kept
    for the downloadable check report.
    """
    by_table: dict[str, list[Problem]] = {}
    for problem in problems:
        if problem.check == "after_as_at":
            by_table.setdefault(problem.table or "", []).append(problem)
    if not by_table:
        return problems, []
    hint = (
        "Choose a later as-at date or leave it blank (the extract's latest episode start "
        "or end is then used)."
        if as_at_given
        else "The as-at date was taken from the latest episode start or end: if the extract "
        "was run later, choose a later as-at date (or leave it blank to keep this one)."
    )
    shown: list[Problem] = []
    for problem in problems:
        rows = by_table.get(problem.table or "") if problem.check == "after_as_at" else None
        if rows is None:
            shown.append(problem)
        elif problem is rows[0]:
            lines = ", ".join(str(p.line) for p in rows[:LINES_SHOWN])
            more = f" and {len(rows) - LINES_SHOWN:,} more" if len(rows) > LINES_SHOWN else ""
            columns = sorted({p.column or "" for p in rows})
            counted = f"{len(rows):,} rows have" if len(rows) > 1 else "1 row has"
            shown.append(
                Problem(
                    "error",
                    "after_as_at",
                    f"{counted} {' or '.join(columns)} after the extract's as-at date "
                    f"({extract.as_at:%d/%m/%Y}): line{'s' if len(rows) > 1 else ''} "
                    f"{lines}{more}, set aside. {hint} Every row is listed in the check "
                    "report download.",
                    problem.file,
                    line=problem.line,
                    column=problem.column if len(columns) == 1 else None,
                    expected=f"on or before {extract.as_at:%d/%m/%Y}",
                    table=problem.table,
                )
            )
    return shown, [p for rows in by_table.values() for p in rows]


def check_ceased_with_reason(extract: Extract) -> list[Problem]:
    """An episode with an end date has a reason it ended, and one without has none."""
    if not extract.has("Episodes", "DEC", "REC"):
        return []
    return _problems(
        extract,
        "Episodes",
        "DEC <> '' AND REC = ''",
        "rec_missing",
        "The episode ended (DEC) but has no reason (REC); it is counted as ceasing care.",
        "REC",
        "a REC code when DEC is given",
    ) + _problems(
        extract,
        "Episodes",
        "DEC = '' AND REC <> '' AND REC <> 'X1'",
        "rec_without_dec",
        "The episode has a reason it ended (REC) but no end date (DEC).",
        "DEC",
        "DEC when REC is given",
    )


# Each child's dated episodes in time order, with the episode before each.
_EPISODE_SEQUENCE = """
    SELECT _row, CHILD, DECOM, RNE, d_DECOM, lag(_row) OVER w IS NOT NULL AS has_previous,
        lag(d_DEC) OVER w AS previous_end, lag(REC) OVER w AS previous_rec,
        lag(_row) OVER w AS previous_row
    FROM "Episodes" WHERE d_DECOM IS NOT NULL
    WINDOW w AS (PARTITION BY CHILD ORDER BY d_DECOM, _row)
"""


def _sequence(extract: Extract) -> str:
    return extract.table_of("episode_sequence", _EPISODE_SEQUENCE)


def check_episodes_do_not_overlap(extract: Extract) -> list[Problem]:
    """A child's episodes follow one another: each starts on or after the previous one ends."""
    if not extract.has("Episodes", "DEC", "REC"):
        return []
    return _problems(
        extract,
        "Episodes",
        "has_previous AND (previous_end IS NULL OR d_DECOM < previous_end)",
        "episodes_overlap",
        lambda previous_row: f"This episode starts before the child's previous episode "
        f"(line {int(previous_row) + 2}) ends; the child is counted once.",  # type: ignore[call-overload]
        "DECOM",
        "on or after the previous DEC",
        detail="previous_row",
        source=_sequence(extract),
    )


def check_episodes_chain(extract: Extract) -> list[Problem]:
    """Episodes within a period of care chain: an episode after one that ended with X1
    starts that same day and is not a new start (RNE S); any other episode after a
    gap is a new period of care (RNE S)."""
    if not extract.has("Episodes", "DEC", "REC"):
        return []
    ended = "has_previous AND previous_end IS NOT NULL"
    return _problems(
        extract,
        "Episodes",
        f"{ended} AND previous_rec = 'X1' AND (d_DECOM <> previous_end OR RNE = 'S')",
        "episodes_chain",
        "The previous episode ended with X1 (care continues), but this one does not start "
        "that day as a continuing episode.",
        "RNE",
        "DECOM equal to the previous DEC, and RNE other than S",
        source=_sequence(extract),
    ) + _problems(
        extract,
        "Episodes",
        f"{ended} AND previous_rec <> 'X1' AND RNE <> 'S'",
        "episodes_chain",
        "The previous episode ended the child's care, so this one should start a new "
        "period of care.",
        "RNE",
        "RNE S",
        source=_sequence(extract),
    )


def check_child_in_header(extract: Extract) -> list[Problem]:
    if not (extract.has("Header") and extract.has("Episodes")):
        return []
    return _problems(
        extract,
        "Episodes",
        'NOT EXISTS (SELECT 1 FROM "Header" h WHERE h.CHILD = e.CHILD)',
        "child_in_header",
        "This child has episodes but is not in the Header table; age-based figures leave them out.",
        "CHILD",
        "a CHILD listed in Header",
        value="e.CHILD",
        source='"Episodes" e',
    )


def _duplicate_check(table: str, key: tuple[str, ...], name: str, expected: str) -> Check:
    def check(extract: Extract) -> list[Problem]:
        if not extract.has(table):
            return []
        keys = ", ".join(f'"{c}"' for c in key)
        return _problems(
            extract,
            table,
            "TRUE",
            "duplicate",
            f"This row repeats an earlier {table} row for the same "
            f"{' and '.join(key)}; it is set aside.",
            key[-1],
            expected,
            severity="error",
            # Each row after the first of its key (grouping is cheaper than a window).
            source=f'(SELECT t.* FROM "{table}" t JOIN (SELECT {keys}, min(_row) AS first_row '
            f'FROM "{table}" GROUP BY ALL HAVING count(*) > 1) d USING ({keys}) '
            "WHERE t._row > d.first_row)",
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


def latest_date(extract: Extract) -> date | None:
    """The latest episode start or end: the as-at date unless the analyst says otherwise.

    Only episodes count: a review or missing incident dated later is more likely
    a typing error (and is then reported as after the as-at date).
    """
    if not extract.has("Episodes", "DECOM", "DEC"):
        return None
    ((latest,),) = extract.rows('SELECT greatest(max(d_DECOM), max(d_DEC)) FROM "Episodes"')
    return latest


def read_extract(
    tables: list[CsvTable | CsvColumns], as_at: date | None = None
) -> tuple[Extract, list[Problem]]:
    """The recognised tables of an extract and every problem the checks find.

    `as_at` is the date the extract was run to; by default the latest date it records.
    """
    extract = stage(tables)
    try:
        extract.as_at = as_at or latest_date(extract) or date.today()
        return extract, [problem for check in CHECKS for problem in check(extract)]
    except BaseException:
        extract.close()  # the staged tables are freed whatever happens
        raise


# ------------------------------------------------------------------ for the store
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
# The columns staged from each table: those recognising it, checked, or stored.
USED_COLUMNS: dict[str, frozenset[str]] = {
    name: frozenset(needed)
    | frozenset(DATE_COLUMNS.get(name, {}))
    | frozenset(STORED_COLUMNS.get(name, ("", {}))[1].values())
    | (frozenset(OC2_FLAGS) if name == "OC2" else frozenset())
    for name, needed in TABLES.items()
}


def _kept(extract: Extract, table: str) -> str:
    """SQL for the rows of `table` not set aside."""
    aside = sorted(extract.set_aside.get(table, set()))
    keep = f" WHERE _row NOT IN ({', '.join(map(str, aside))})" if aside else ""
    return f'"{table}"{keep}'


def _usable(extract: Extract, table: str, selected: list[str]) -> pa.Table:
    """The rows of `table` not set aside, as the store's columns, in file order (DuckDB keeps
    the order rows were staged in: no sort needed)."""
    return extract.con.sql(
        f"SELECT {', '.join(selected)} FROM {_kept(extract, table)}"
    ).to_arrow_table()


def rows_for_store(extract: Extract) -> dict[str, pa.Table]:
    """The usable rows of the tables the indicators need, typed, without names or postcodes.

    Only what the indicators use is stored (no UPN, postcodes or mothers' details);
    placement location is kept only as the council of placement (PL_LA) when the
    extract carries it, and reviews only as counts by quarter and participation code.
    """
    out: dict[str, pa.Table] = {}
    for table, (stored, columns) in STORED_COLUMNS.items():
        if not extract.has(table):
            continue
        selected = []
        for name, source in columns.items():
            if source not in extract.columns[table]:
                kind = "DATE" if source in DATE_COLUMNS.get(table, {}) else "VARCHAR"
                selected.append(f"NULL::{kind} AS {name}" if kind == "DATE" else f"'' AS {name}")
            elif source in DATE_COLUMNS.get(table, {}):
                selected.append(f'"d_{source}" AS {name}')
            else:
                selected.append(f'"{source}" AS {name}')
        out[stored] = _usable(extract, table, selected)
    if extract.has("Reviews"):
        # Counted by quarter and code: all the indicators need (see the store's migration 5).
        out["review_quarters"] = extract.con.sql(
            f"SELECT {quarter_end_sql('d_REVIEW')} AS quarter_end, REVIEW_CODE AS review_code, "
            f"count(*)::INTEGER AS reviews FROM {_kept(extract, 'Reviews')} "
            "GROUP BY ALL ORDER BY ALL"
        ).to_arrow_table()
    if extract.has("OC2"):
        present = extract.columns["OC2"]
        flags = [
            f'CASE WHEN "{c}" IN ({_quoted(YES_NO)}) THEN "{c}" ELSE \'\' END AS {c.lower()}'
            if c in present
            else f"'' AS {c.lower()}"
            for c in OC2_FLAGS
        ]
        out["health"] = _usable(
            extract,
            "OC2",
            ["CHILD AS child", "try_cast(SDQ_SCORE AS DOUBLE) AS sdq_score", *flags],
        )
    return out


@dataclass(frozen=True)
class ExtractSummary:
    """What the preview says about an extract's usable episodes."""

    children: int
    episodes: int
    covers_from: date | None
    has_pl_la: bool


def summarise(episodes: pa.Table) -> ExtractSummary:
    """Children, episodes, the first day the records are complete from, and whether
    the extract says where children are placed.

    An SSDA903 extract holds every episode open at any time since some date
    (one collection year for the annual return, often years for a council's own
    extract), usually with the earlier episodes of the periods of care still
    open then. Children who left care before that date are absent, so the
    earliest recorded ceasing (an end with a reason other than X1) marks it: the
    extract is complete from the 1 April on or before that ceasing (or before
    the first start, when no child has left).
    """
    ceased = pc.and_(pc.is_valid(episodes["dec"]), pc.not_equal(episodes["rec"], "X1"))
    first = pc.min(pc.filter(episodes["dec"], ceased)).as_py() or pc.min(episodes["decom"]).as_py()
    has_pl_la = pc.any(pc.not_equal(episodes["pl_la"], "")).as_py() is True
    children = pc.count_distinct(episodes["child"]).as_py()
    count = episodes.num_rows
    start = None
    if first is not None:
        start = reporting_year_start(first)
    return ExtractSummary(int(children), int(count), start, bool(has_pl_la))
