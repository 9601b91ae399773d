"""The council's quarterly return and its local indicator definitions.

Quarterly return: DfE's tidy layout for one council, one row per indicator
and quarter (layout and rules in docs/QUARTERLY_RETURN.md)::

    time_period,time_identifier,geographic_level,country_code,country_name,
    region_code,region_name,old_la_code,la_name,new_la_code,indicator_id,
    numerator,denominator,value
    202526,Q2,Local authority,E92000001,England,E12000008,South East,825,
    Buckinghamshire,E06000060,cla_count,,,530

``time_period`` is the financial year (202526 = April 2025 to March 2026) and
``time_identifier`` the quarter (Q1 = April–June … Q4 = January–March).
``indicator_id`` is an id from the catalogue or from a local indicator file.

Local indicator definitions: one row per indicator the council adds::

    indicator_id,title,short_title,line_of_enquiry,unit,decimals,polarity,definition,questions

Each check is a small named function returning `Problem`s (the eesyscreener
style): blocking checks on the shape of the file first, then one check per
rule on the content, each naming the line, column, value and what was expected.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from domain.facts import (
    ENGLAND_CODE,
    ENGLAND_NAME,
    GEOGRAPHY_COLUMNS,
    LOCAL_AUTHORITY,
    TIME_COLUMNS,
)
from domain.registry import LOCAL, check_entry, local_entry, registry
from domain.symbols import SYMBOLS
from domain.units import (
    COUNT,
    COUNT_VALUES,
    SCORE_UNIT,
    UNITS,
    ValueKind,
    is_rate_or_share_unit,
)
from loaders.csv_text import CsvTable
from loaders.datasets import cell_kind
from loaders.identity import check_unsafe_text
from loaders.problems import Problem

QUARTERLY_DATASET = "quarterly_return"
LOCAL_DATASET = "local_indicators"
RETURN_COLUMNS = [
    *TIME_COLUMNS,
    *GEOGRAPHY_COLUMNS,
    "indicator_id",
    "numerator",
    "denominator",
    "value",
]
REQUIRED_RETURN_COLUMNS = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "old_la_code",
    "la_name",
    "new_la_code",
    "indicator_id",
    "value",
]
DEFINITION_COLUMNS = [
    "indicator_id",
    "title",
    "short_title",
    "line_of_enquiry",
    "unit",
    "decimals",
    "polarity",
    "definition",
    "questions",
]
REQUIRED_DEFINITION_COLUMNS = ["indicator_id", "title", "line_of_enquiry", "unit", "polarity"]
QUARTERS = {"Q1": (6, 30, 0), "Q2": (9, 30, 0), "Q3": (12, 31, 0), "Q4": (3, 31, 1)}
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,60}$")
NEW_LA_PATTERN = re.compile(r"^E(06|07|08|09|10)\d{6}$")
OLDEST_YEAR = 2010
MEASURES = ("value", "numerator", "denominator")
# A definition's fields (domain/registry.py) as its file's columns name them.
DEFINITION_FIELD_COLUMNS = {"lines": "line_of_enquiry"}


def catalogue_units() -> dict[str, str]:
    """Indicator id → unit, for every published indicator (the registry's)."""
    return {item.id: item.unit for item in registry().published()}


def catalogue_titles() -> dict[str, str]:
    """Indicator id → its title, as the pages show it (the registry's)."""
    return {item.id: item.title for item in registry().published()}


def indicator_kind(indicator_id: str, unit: str | None) -> ValueKind | None:
    """The kind of value an indicator can have: its unit's, unless the unit is a count
    or a score, whose range depends on what is counted or scored; then the kind of
    the published cell a registered indicator comes from (see ``datasets.cell_kind``).
    """
    item = registry().get(indicator_id) if indicator_id in registry() else None
    if item is not None and item.source is not None and unit in (COUNT, SCORE_UNIT):
        source = item.source
        kind = cell_kind(source.dataset, source.breakdown, source.measure)
        if kind is not None:
            return kind
    found = UNITS.get(unit or "")
    return None if found is None else found.values


def lines_of_enquiry() -> tuple[str, ...]:
    """The LGA lines of enquiry's ids (the registry's)."""
    return registry().lines


def is_quarterly_return(table: CsvTable) -> bool:
    return {"indicator_id", "time_identifier", "value"} <= set(table.columns)


def is_local_definitions(table: CsvTable) -> bool:
    return {"indicator_id", "title", "line_of_enquiry", "polarity"} <= set(table.columns)


def quarter_end(time_period: str, quarter: str) -> date:
    """The last day of a financial-year quarter: ('202526', 'Q4') → 31 March 2026."""
    month, day, offset = QUARTERS[quarter]
    return date(int(time_period[:4]) + offset, month, day)


# ----------------------------------------------------------------- the checks
@dataclass
class ReturnContext:
    """What the content checks need beyond the file: known indicators and today."""

    units: dict[str, str]  # indicator id → unit (catalogue and local)
    today: date


Check = Callable[[CsvTable, pd.DataFrame, ReturnContext], list[Problem]]


def _problem(table: CsvTable, check: str, message: str, index: int | None = None, **where):
    line = None if index is None else table.first_data_line() + index
    return Problem("error", check, message, table.file, line, **where)


def check_required_columns(table: CsvTable, required: list[str]) -> list[Problem]:
    missing = [c for c in required if c not in table.columns]
    return [
        Problem(
            "error",
            "required_columns",
            f"The file has no '{column}' column.",
            table.file,
            1,
            column,
            expected=", ".join(required),
        )
        for column in missing
    ]


def _rows(frame: pd.DataFrame, *columns: str):
    """Each row's position among the file's rows (its line is counted from it, whether
    or not blank rows were left out) with its cells in `columns`."""
    return zip(frame.index, zip(*(frame[c] for c in columns), strict=True), strict=True)


def check_one_council(table: CsvTable, frame: pd.DataFrame, _: ReturnContext) -> list[Problem]:
    problems = []
    first = frame["old_la_code"].iloc[0] if len(frame) else ""
    for index, (level, code) in _rows(frame, "geographic_level", "old_la_code"):
        if level != LOCAL_AUTHORITY:
            problems.append(
                _problem(
                    table,
                    "one_council",
                    "A quarterly return holds one council's own figures.",
                    index,
                    column="geographic_level",
                    value=level,
                    expected=LOCAL_AUTHORITY,
                )
            )
        elif code != first:
            problems.append(
                _problem(
                    table,
                    "one_council",
                    "Every row must be for the same council.",
                    index,
                    column="old_la_code",
                    value=code,
                    expected=first,
                )
            )
    return problems


def check_council_codes(table: CsvTable, frame: pd.DataFrame, _: ReturnContext) -> list[Problem]:
    problems = []
    for index, (old, new) in _rows(frame, "old_la_code", "new_la_code"):
        if not (old.isdigit() and len(old) == 3):
            problems.append(
                _problem(
                    table,
                    "council_code",
                    "The old council code is not a DfE code.",
                    index,
                    column="old_la_code",
                    value=old,
                    expected="three digits, e.g. 825",
                )
            )
        if not NEW_LA_PATTERN.match(new):
            problems.append(
                _problem(
                    table,
                    "council_code",
                    "The new council code is not an ONS council code.",
                    index,
                    column="new_la_code",
                    value=new,
                    expected="E06…, E08…, E09… or E10… and six digits",
                )
            )
    return problems


def check_periods(table: CsvTable, frame: pd.DataFrame, context: ReturnContext) -> list[Problem]:
    """Financial year and quarter are well formed, ended, and not from long ago."""
    problems = []
    for index, (period, quarter) in _rows(frame, "time_period", "time_identifier"):
        if not (
            len(period) == 6 and period.isdigit() and int(period[4:]) == (int(period[:4]) + 1) % 100
        ):
            problems.append(
                _problem(
                    table,
                    "period",
                    "The time period is not a financial year.",
                    index,
                    column="time_period",
                    value=period,
                    expected="a financial year such as 202526",
                )
            )
            continue
        if quarter not in QUARTERS:
            problems.append(
                _problem(
                    table,
                    "quarter",
                    "The time identifier is not a quarter.",
                    index,
                    column="time_identifier",
                    value=quarter,
                    expected="Q1, Q2, Q3 or Q4",
                )
            )
            continue
        ends = quarter_end(period, quarter)
        if ends > context.today or ends.year < OLDEST_YEAR:
            problems.append(
                _problem(
                    table,
                    "quarter_in_range",
                    f"{quarter} {period[:4]}-{period[4:]} ends on {ends:%d %B %Y}, "
                    + ("which has not happened yet." if ends > context.today else "too long ago."),
                    index,
                    column="time_identifier",
                    value=f"{period} {quarter}",
                    expected=f"a quarter ended between {OLDEST_YEAR} and {context.today:%d %B %Y}",
                )
            )
    return problems


def check_indicators_known(
    table: CsvTable, frame: pd.DataFrame, context: ReturnContext
) -> list[Problem]:
    return [
        _problem(
            table,
            "indicator_known",
            "This indicator is not in the catalogue or a loaded local indicator file.",
            index,
            column="indicator_id",
            value=indicator_id,
            expected="an id from the template, or one defined in a local indicator file",
        )
        for index, indicator_id in frame["indicator_id"].items()
        if indicator_id not in context.units
    ]


def check_numbers(table: CsvTable, frame: pd.DataFrame, _: ReturnContext) -> list[Problem]:
    """Values are numbers or DfE symbols; numerators and denominators are numbers."""
    problems = []
    for column in MEASURES:
        for index, text in frame[column].items():
            if text == "" and column != "value":
                continue
            if column == "value" and text in SYMBOLS:
                continue
            if _number(text) is None:
                problems.append(
                    _problem(
                        table,
                        "number",
                        "This is not a number"
                        + (" or a DfE symbol." if column == "value" else "."),
                        index,
                        column=column,
                        value=text,
                        expected="a number such as 42 or 12.5"
                        + (", or c, x, z, k, u" if column == "value" else ", or empty"),
                    )
                )
    return problems


def check_value_ranges(
    table: CsvTable, frame: pd.DataFrame, context: ReturnContext
) -> list[Problem]:
    """Each value is one its indicator can have (a percentage 0 to 100, a count never
    negative, an SDQ average 0 to 40, a net gain anything); numerators and
    denominators are counts. Symbols are not numbers and are never range-checked."""
    problems = []
    records = frame[["indicator_id", *MEASURES]].to_dict("records")
    for index, record in zip(frame.index, records, strict=True):
        value_kind = indicator_kind(
            record["indicator_id"], context.units.get(record["indicator_id"])
        )
        for column, kind in (
            ("value", value_kind),
            ("numerator", COUNT_VALUES),
            ("denominator", COUNT_VALUES),
        ):
            text = record[column]
            number = _number(text)
            if kind is None or number is None or kind.allows(number):
                continue
            problems.append(
                _problem(
                    table,
                    "value_range",
                    f"{text} is not {kind.name}",
                    index,
                    column=column,
                    value=text,
                    expected=kind.expected(),
                )
            )
    return problems


def check_numerator_within_denominator(
    table: CsvTable, frame: pd.DataFrame, context: ReturnContext
) -> list[Problem]:
    """A percentage's or a rate's numerator is a share of its denominator: never larger."""
    problems = []
    for index, (indicator_id, top, bottom) in _rows(
        frame, "indicator_id", "numerator", "denominator"
    ):
        numerator, denominator = _number(top), _number(bottom)
        if numerator is None or denominator is None:
            continue
        # Not incidents per child (a mean): a child who goes missing twice makes
        # incidents outnumber children.
        if is_rate_or_share_unit(context.units.get(indicator_id, "")) and numerator > denominator:
            problems.append(
                _problem(
                    table,
                    "numerator_within_denominator",
                    f"{top} in numerator is more than the {bottom} in denominator, "
                    "the number it is a share of",
                    index,
                    column="numerator",
                    value=f"{top} of {bottom}",
                    expected=f"no more than denominator ({bottom})",
                )
            )
    return problems


def check_duplicates(table: CsvTable, frame: pd.DataFrame, _: ReturnContext) -> list[Problem]:
    keys = list(
        zip(frame["indicator_id"], frame["time_period"], frame["time_identifier"], strict=True)
    )
    first_line: dict[tuple, int] = {}
    problems = []
    for index, key in zip(frame.index, keys, strict=True):
        if key not in first_line:
            first_line[key] = table.first_data_line() + index
            continue
        problems.append(
            _problem(
                table,
                "duplicate",
                f"This indicator and quarter already appear on line {first_line[key]}.",
                index,
                column="indicator_id",
                value=" ".join(key),
                expected="one row per indicator and quarter",
            )
        )
    return problems


def check_place_text(table: CsvTable, frame: pd.DataFrame, _: ReturnContext) -> list[Problem]:
    """Names and codes of places hold no formula or markup (loaders/identity.py)."""
    lines = pd.Series(frame.index, index=frame.index) + table.first_data_line()
    return check_unsafe_text(table.file, frame, lines)


RETURN_CHECKS: list[Check] = [
    check_one_council,
    check_place_text,
    check_council_codes,
    check_periods,
    check_indicators_known,
    check_numbers,
    check_value_ranges,
    check_numerator_within_denominator,
    check_duplicates,
]


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", ""))
    except (ValueError, AttributeError):
        return None


def _frame(table: CsvTable, columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(table.rows, columns=table.columns).fillna("")
    for column in columns:
        if column not in frame.columns:
            frame[column] = ""
    return frame.map(lambda v: v.strip() if isinstance(v, str) else v)


# ------------------------------------------------------------ parse to facts
@dataclass
class ParsedReturn:
    problems: list[Problem]
    facts: pd.DataFrame | None = None
    latest_year: int | None = None
    notes: list[Problem] = field(default_factory=list)  # said, never a refusal


def parse_return(table: CsvTable, context: ReturnContext) -> ParsedReturn:
    """Validate a quarterly return and turn it into facts (value, numerator, denominator)."""
    blocking = check_required_columns(table, REQUIRED_RETURN_COLUMNS)
    if blocking:
        return ParsedReturn(blocking)
    frame = _frame(table, RETURN_COLUMNS)
    if frame.empty:
        return ParsedReturn([_problem(table, "empty", "The file has a header but no rows.")])
    # The template lists every indicator: rows left blank are the ones not collected.
    blank = (frame[list(MEASURES)] == "").all(axis=1)
    if blank.all():
        return ParsedReturn(
            [
                _problem(
                    table,
                    "empty",
                    "No row has a value: fill in value (and numerator and denominator where "
                    "you have them) for the indicators you collect.",
                    expected="at least one row with a value",
                )
            ]
        )
    notes = []
    if blank.any():
        notes.append(
            Problem(
                "info",
                "blank_rows",
                f"{int(blank.sum())} rows with no value, numerator or denominator were left "
                "out (the template's rows for indicators not collected).",
                table.file,
            )
        )
    frame = frame[~blank]  # the index keeps each row's position, so lines stay right
    problems = [p for check in RETURN_CHECKS for p in check(table, frame, context)]
    if problems:
        return ParsedReturn(problems, notes=notes)
    rows = []
    for index, record in zip(frame.index, frame.to_dict("records"), strict=True):
        ends = quarter_end(record["time_period"], record["time_identifier"])
        base = {
            "dataset": QUARTERLY_DATASET,
            "time_period": record["time_period"],
            "year": ends.year,
            "time_identifier": record["time_identifier"],
            "geographic_level": LOCAL_AUTHORITY,
            "area_code": record["old_la_code"],
            "area_name": record["la_name"],
            "country_code": record["country_code"] or ENGLAND_CODE,
            "region_code": record["region_code"] or None,
            "region_name": record["region_name"] or None,
            "old_la_code": record["old_la_code"],
            "new_la_code": record["new_la_code"],
            "la_name": record["la_name"],
            "cohort": "Quarterly return",
            "breakdown": record["indicator_id"],
            "variant": record["time_identifier"],
            "published_filters": json.dumps({"quarter_end": ends.isoformat()}),
            "line": table.first_data_line() + index,  # not stored: for later checks
        }
        for measure in MEASURES:
            text = record[measure]
            if text == "" and measure != "value":
                continue
            is_symbol = text in SYMBOLS
            rows.append(
                base
                | {
                    "measure": measure,
                    "value": None if is_symbol else _number(text),
                    "symbol": text if is_symbol else None,
                }
            )
    facts = pd.DataFrame(rows)
    return ParsedReturn([], facts, int(facts["year"].max()), notes)


@dataclass
class ParsedDefinitions:
    problems: list[Problem]
    definitions: pd.DataFrame | None = None


def parse_definitions(table: CsvTable) -> ParsedDefinitions:
    """Validate a local indicator definition file."""
    blocking = check_required_columns(table, REQUIRED_DEFINITION_COLUMNS)
    if blocking:
        return ParsedDefinitions(blocking)
    frame = _frame(table, DEFINITION_COLUMNS)
    problems = []
    # The id is the file's own check; every other field is checked by the registry's
    # one validator, as published and extract-derived indicators are.
    id_rules = [
        ("indicator_id", lambda v: bool(ID_PATTERN.match(v)), "lower-case letters, digits, _"),
        (
            "indicator_id",
            lambda v: v not in registry(),
            "an id not already in the catalogue",
        ),
    ]
    for index, record in enumerate(frame.to_dict("records")):
        wrong = [
            (column, record[column], expected)
            for column, ok, expected in id_rules
            if not ok(record[column])
        ]
        entry = local_entry(**{column: record[column] for column in DEFINITION_COLUMNS})
        for name, _, expected in check_entry(entry, LOCAL, registry().lines):
            column = DEFINITION_FIELD_COLUMNS.get(name, name)
            wrong.append((column, record[column], expected))
        for column, value, expected in wrong:
            problems.append(
                _problem(
                    table,
                    f"definition_{column}",
                    f"The {column.replace('_', ' ')} is not valid.",
                    index,
                    column=column,
                    value=value,
                    expected=expected,
                )
            )
    repeated = frame["indicator_id"].duplicated()
    problems += [
        _problem(
            table,
            "duplicate",
            "This indicator is defined twice.",
            int(index),
            column="indicator_id",
            value=value,
            expected="one row per indicator",
        )
        for index, value in frame.loc[repeated, "indicator_id"].items()
    ]
    if problems:
        return ParsedDefinitions(problems)
    frame["short_title"] = frame["short_title"].where(frame["short_title"] != "", frame["title"])
    frame["decimals"] = frame["decimals"].map(lambda v: int(v) if v else 0)
    return ParsedDefinitions([], frame[DEFINITION_COLUMNS].reset_index(drop=True))


def return_template(
    old_la_code: str,
    la_name: str,
    new_la_code: str,
    region_code: str,
    region_name: str,
    time_period: str,
    quarter: str,
) -> str:
    """A quarterly return to fill in: every catalogue indicator for one council and quarter."""
    # Names come from loaded data: neutralised like every other download.
    la_name, region_name = _safe_text(la_name), _safe_text(region_name)
    header = ",".join(RETURN_COLUMNS)
    geography = (
        f"{time_period},{quarter},{LOCAL_AUTHORITY},{ENGLAND_CODE},{ENGLAND_NAME},{region_code},"
        f"{region_name},{old_la_code},{la_name},{new_la_code}"
    )
    rows = [f"{geography},{indicator_id},,," for indicator_id in sorted(catalogue_units())]
    return "\n".join([header, *rows]) + "\n"


def _safe_text(text: str) -> str:
    """A name safe in a CSV cell: no leading formula character, no comma or quote."""
    cleaned = text.replace(",", " ").replace('"', "")
    return "'" + cleaned if cleaned[:1] in ("=", "+", "-", "@") else cleaned
