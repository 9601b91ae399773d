"""SSDA903 child-level extracts: recognise each table, parse dates, check the rows.

A council's analysts export the SSDA903 return's tables (Header, Episodes,
Reviews, UASC, OC2, OC3, AD1, PlacedAdoption, PrevPerm, Missing, SWEpisodes and,
from 2025-26, DoLo: Deprivation of Liberty Orders) from their case-management
system every quarter. Each table is recognised by its columns. The checks are
rules registered in `loaders.ssda903_rules`, in the Data to Insight validator's
manner: each names its DfE rule code (or a local one), the columns it reads and
the collection years it applies to, returns one result shape (`Problem`, naming
rule, file, table, line, child and column) and has its own test. Staging keeps
exactly the columns the rules and the store read. Each rule is SQL over the
tables staged in a private schema of an in-memory DuckDB (`stage`), so a council's
extract of 100,000 episodes is checked in a fraction of a second.

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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from domain.periods import quarter_end_sql, reporting_year_start, year_ending_march
from loaders.csv_text import CsvColumns, CsvTable
from loaders.problems import Problem, Severity
from loaders.ssda903_rules import REGISTRY, Rule, RuleError, rule_set, sql_list
from loaders.ssda903_rules.spec import (
    DATE_COLUMNS,
    DATE_FORMAT,
    NEVER_STAGED,
    OC2_FLAGS,
    PLACE,
    SPEC_COLUMNS,
    TABLES,
    YES_NO,
)

# The tables the indicators use (see STORED_COLUMNS); the others are checked and kept
# out of the store.
STORED_TABLES = ("Episodes", "Header", "Reviews", "UASC", "OC2", "OC3", "Missing")


def place_codes(collection_year: int) -> set[str]:
    """Valid PLACE codes for the collection year ending 31 March `collection_year`."""
    return set(PLACE.for_year(collection_year))


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

    def find(
        self,
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
        """One problem per row of `table` (or the `source` query over it) where `where` holds:
        what every rule returns.

        `value` is the SQL for the value shown (the column by default); `detail` is
        passed to a callable `message` or `expected`. Errors set the row aside.
        """
        shown = value or f'"{column}"'
        rows_from = source or f'"{table}"'
        found = self.rows(
            f"SELECT _row, CHILD, {shown}, {detail} FROM {rows_from} WHERE {where} ORDER BY _row",
            parameters,
        )
        if severity == "error":
            self.set_aside.setdefault(table, set()).update(int(row[0]) for row in found)
        return [
            Problem(
                severity,
                check,
                message(extra) if callable(message) else message,
                self.files[table],
                line=int(row_index) + 2,
                column=column,
                value=str(shown),
                expected=expected(extra) if callable(expected) else expected,
                child=str(child),
                table=table,
            )
            for row_index, child, shown, extra in found
        ]

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


def stage(
    tables: list[CsvTable | CsvColumns], columns: Mapping[str, frozenset[str]] | None = None
) -> Extract:
    """Stage the recognised tables in a new in-memory database (text trimmed of spaces,
    dates parsed), keeping only the columns the checks and the store use (no names,
    UPNs or postcodes).

    Of two copies of one table, the first is staged (the loader refuses a batch
    with two copies of a table the indicators use). `columns` (by table) replaces the
    columns kept: a rule's own test stages only what the rule says it reads.
    """
    con, schema = _staging_cursor()
    extract = Extract(con, {}, {}, {}, schema=schema)
    try:
        for table in tables:
            _stage_table(extract, table, USED_COLUMNS if columns is None else columns)
    except BaseException:
        extract.close()  # the schema is freed whatever happens
        raise
    return extract


def _stage_table(
    extract: Extract, table: CsvTable | CsvColumns, kept: Mapping[str, frozenset[str]]
) -> None:
    """One recognised table into the extract's schema (a second copy is skipped)."""
    con = extract.con
    name = recognise(table)
    if name is None or name in extract.files:  # a second copy: the first is used
        return
    source = _arrow(table)
    columns = [c for c in source.column_names if c in kept.get(name, {"CHILD"})]
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
                    rule=problem.rule,
                )
            )
    return shown, [p for rows in by_table.values() for p in rows]


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
    """The recognised tables of an extract and every problem its collection year's rules find.

    `as_at` is the date the extract was run to; by default the latest date it records.
    The rules are those of the collection year `as_at` falls in (`rule_set`).
    """
    extract = stage(tables)
    try:
        extract.as_at = as_at or latest_date(extract) or date.today()
        rules = rule_set(extract.collection_year)
        missing = unstaged(rules)
        if missing:  # a rule registered after start-up: refuse rather than find nothing
            raise RuleError("Rules read columns that are not staged: " + "; ".join(missing))
        return extract, [problem for rule in rules for problem in rule.run(extract)]
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
# What the store reads beyond STORED_COLUMNS: reviews counted by quarter and code, and
# OC2's score and yes/no columns (see `rows_for_store`).
STORE_READS: dict[str, frozenset[str]] = {
    "Reviews": frozenset(["REVIEW", "REVIEW_CODE"]),
    "OC2": frozenset(["SDQ_SCORE", *OC2_FLAGS]),
}


def _staged_columns() -> dict[str, frozenset[str]]:
    """The columns staged from each table: CHILD (every problem names the child), and
    exactly those the registered rules and the store read."""
    read = REGISTRY.columns()
    staged: dict[str, frozenset[str]] = {}
    for table in TABLES:
        stored = frozenset(STORED_COLUMNS.get(table, ("", {}))[1].values())
        columns = {"CHILD"} | read.get(table, set()) | stored | STORE_READS.get(table, set())
        refused = sorted((columns & NEVER_STAGED) | (columns - SPEC_COLUMNS[table]))
        if refused:
            raise RuleError(f"The store reads {refused} from {table}: not staged.")
        staged[table] = frozenset(columns)
    return staged


USED_COLUMNS: dict[str, frozenset[str]] = _staged_columns()


def unstaged(rules: Iterable[Rule]) -> list[str]:
    """What the rules read that staging does not keep (a rule registered after start-up)."""
    return [
        f"{rule.code} reads {table}.{column}"
        for rule in rules
        for table, columns in rule.reads.items()
        for column in columns
        if column not in USED_COLUMNS.get(table, frozenset())
    ]


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
            f'CASE WHEN "{c}" IN ({sql_list(YES_NO)}) THEN "{c}" ELSE \'\' END AS {c.lower()}'
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
