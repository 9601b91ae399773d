"""Read Explore Education Statistics (EES) open-data CSVs into canonical long facts.

One published cell becomes one fact: the dataset, time, place, the canonical
filters, the measure, and either a number or the symbol DfE printed instead
(``c`` suppressed, ``x`` not available, ``z`` not applicable, ``k`` rounds to
zero, and the older ``low``, ``u``, ``~``, ``:``). A symbol is never a zero.

A file is recognised by its columns and filter labels (see ``datasets``). A
recognised file with any broken row is rejected whole, with every problem
named by file, line, column and value, so nothing half-read reaches the store.
A number that cannot be what its column measures (a percentage of -40, a
negative count, more children with three placements than children in care) is
such a problem too: see ``check_value_ranges`` and the two checks after it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from domain.facts import (
    CANONICAL_FILTERS,
    ENGLAND_CODE,
    GEOGRAPHIC_LEVELS,
    GEOGRAPHY_COLUMNS,
    TIME_COLUMNS,
)
from domain.symbols import SYMBOLS
from domain.units import COUNT_VALUES, ValueKind
from loaders.csv_text import CsvColumns, CsvTable
from loaders.datasets import (
    DATASETS,
    REQUIRED_LOCATION_COLUMNS,
    ROUNDED_LEVELS,
    ROUNDING,
    DatasetSpec,
    Layout,
    canonical_label,
    measure_kind,
    row_kind,
)
from loaders.identity import GEOGRAPHY_TEXT_COLUMNS, check_unsafe_text, unsafe_reason
from loaders.problems import Problem

# The symbols a cell may hold instead of a number, and what each means, are one table
# (domain/symbols.py: SYMBOLS).
FACT_COLUMNS = [
    "dataset",
    "time_period",
    "year",
    "time_identifier",
    "geographic_level",
    "area_code",
    "area_name",
    "country_code",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
    "cohort",
    "breakdown",
    "variant",
    "measure",
    "value",
    "symbol",
    "published_filters",
]
MAX_PROBLEMS_PER_CHECK = 10
NUMBER = re.compile(r"^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$")


@dataclass
class Recognition:
    """What a file was recognised as (or why it was not)."""

    spec: DatasetSpec | None
    layout: Layout | None
    filter_columns: dict[str, str] = field(default_factory=dict)
    measure_columns: dict[str, str] = field(default_factory=dict)
    reason: str = ""


@dataclass
class ParsedFile:
    """A recognised file turned into facts, or the problems that stop it loading."""

    file: str
    dataset: str
    layout: str
    facts: pd.DataFrame | None
    rows_read: int
    problems: list[Problem]
    latest_year: int | None = None


def recognise(table: CsvTable | CsvColumns) -> Recognition:
    """Find the dataset and layout this table is, by its columns and labels."""
    columns = set(table.columns)
    missing_location = [c for c in REQUIRED_LOCATION_COLUMNS if c not in columns]
    if missing_location:
        return Recognition(
            None,
            None,
            reason="not a DfE open-data file: it has no "
            + ", ".join(f"'{c}'" for c in missing_location)
            + " column",
        )
    content_columns = columns - set(TIME_COLUMNS) - set(GEOGRAPHY_COLUMNS)
    column_matches: list[tuple[DatasetSpec, Layout]] = []
    for spec in DATASETS:
        for layout in spec.layouts:
            named = set(layout.filters) | set(layout.published_only)
            if layout.other_columns_are_measures:
                fits = named | set(layout.required_measures) <= content_columns
            else:
                fits = content_columns == named | set(layout.measures)
            if fits:
                column_matches.append((spec, layout))
    if not column_matches:
        return Recognition(None, None, reason="its columns match no dataset the app uses")
    labels_cache: dict[str, set[str]] = {}
    for spec, layout in column_matches:
        if _markers_present(table, spec, layout, labels_cache):
            filters = dict(layout.filters)
            if layout.other_columns_are_measures:
                named = set(filters) | set(layout.published_only)
                measures = {c: c for c in sorted(content_columns - named)}
            else:
                measures = dict(layout.measures)
            return Recognition(spec, layout, filters, measures)
    return Recognition(
        None,
        None,
        reason="its columns are laid out like a children-looked-after table the app uses, "
        "but its labels are not ones the app knows",
    )


def _markers_present(
    table: CsvTable | CsvColumns, spec: DatasetSpec, layout: Layout, cache: dict[str, set[str]]
) -> bool:
    for canonical_filter, wanted in layout.markers.items():
        published = [c for c, f in layout.filters.items() if f == canonical_filter]
        if not published:
            return False
        column = published[0]
        if column not in cache:
            cache[column] = _labels(table, column)
        labels = {canonical_label(spec, canonical_filter, v) for v in cache[column]}
        if not any(canonical_label(spec, canonical_filter, w) in labels for w in wanted):
            return False
    return True


def _labels(table: CsvTable | CsvColumns, column: str) -> set[str]:
    """The distinct cells of one column, as published."""
    if isinstance(table, CsvColumns):
        return set(pc.unique(table.table.column(column)).to_pylist())
    index = table.columns.index(column)
    return {row[index] for row in table.rows}


def _text_frame(table: CsvTable | CsvColumns) -> pd.DataFrame:
    """The table as text columns, each cell trimmed. From Arrow columns without
    copying those with nothing to trim (a release file's million cells are rarely padded)."""
    if not isinstance(table, CsvColumns):
        frame = pd.DataFrame(table.rows, columns=table.columns, dtype="string").fillna("")
        return frame.apply(lambda column: column.str.strip())
    columns = {}
    for name, cells in zip(table.columns, table.table.columns, strict=True):
        trimmed = pc.utf8_trim_whitespace(cells)
        if pc.all(pc.equal(trimmed, cells)).as_py():
            trimmed = cells
        columns[name] = pd.arrays.ArrowStringArray(trimmed)
    return pd.DataFrame(columns, copy=False)


RowText = str | Callable[[Hashable], str]


def _row_text(text: RowText, row_index: Hashable) -> str:
    return text(row_index) if callable(text) else text


def _problem_rows(
    problems: list[Problem],
    mask: pd.Series,
    frame: pd.DataFrame,
    file: str,
    check: str,
    column: str,
    message: RowText,
    expected: RowText,
) -> None:
    """Add one problem per offending row (up to a limit, then a count of the rest).

    The message and the expectation may be functions of the row, for checks whose
    wording names the row's own figures ("-40 is not a percentage").
    """
    if not mask.any():  # the usual case, and the cheap test: no row to name
        return
    bad = frame.index[mask]
    for row_index in bad[:MAX_PROBLEMS_PER_CHECK]:
        problems.append(
            Problem(
                "error",
                check,
                _row_text(message, row_index),
                file,
                line=int(row_index) + 2,
                column=column,
                value=str(frame.at[row_index, column]),
                expected=_row_text(expected, row_index),
            )
        )
    if len(bad) > MAX_PROBLEMS_PER_CHECK:
        problems.append(
            Problem(
                "error",
                check,
                f"{len(bad) - MAX_PROBLEMS_PER_CHECK} more lines have the same problem "
                f"in column '{column}'.",
                file,
                column=column,
                expected=_row_text(expected, bad[MAX_PROBLEMS_PER_CHECK]),
            )
        )


class _Numbered:
    """A file's text columns, each numbered once: every cell's number among its column's
    distinct cells (in order of first appearance), and those cells.

    A column of a million cells holds a few thousand values, so the checks and codings
    work on the distinct cells and spread the result back over the rows. The place and
    period columns are read by two to four of them each (a check, the coding, the
    published filters, the totals' groups), and numbering a column is the dear part:
    it is done once per column here, for all of them.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._numbered: dict[str, tuple[np.ndarray, pd.Series]] = {}

    def __call__(self, column: str) -> tuple[np.ndarray, pd.Series]:
        """The column's cell numbers and its distinct cells (as `_distinct_cells`)."""
        if column not in self._numbered:
            self._numbered[column] = _distinct_cells(self.frame[column])
        return self._numbered[column]

    def per_value(self, column: str, compute: Callable[[pd.Series], pd.Series]) -> pd.Series:
        """`compute` of each distinct cell of the column, spread back over the rows."""
        codes, distinct = self(column)
        return _spread(compute(distinct), codes, self.frame.index)


def _distinct_cells(cells: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """Each cell's number among the column's distinct cells, and those cells."""
    codes, distinct = pd.factorize(cells, use_na_sentinel=False)
    return codes, pd.Series(distinct, dtype=cells.dtype)


def _spread(per_distinct: pd.Series, codes: np.ndarray, index: pd.Index) -> pd.Series:
    """A result for each distinct cell, spread back over the rows they are on."""
    return pd.Series(per_distinct.array.take(codes), index=index)


def _period_end_year(numbered: _Numbered) -> tuple[pd.Series, pd.Series]:
    """Year each row's period ends in ('2024' -> 2024, '202425' -> 2025) and a validity mask."""
    year = numbered.per_value("time_period", _end_years)
    return year, year.notna()


FOUR_DIGITS = re.compile(r"\d{4}")
SIX_DIGITS = re.compile(r"\d{6}")


def _end_years(period: pd.Series) -> pd.Series:
    """The year each distinct period ends in (missing if it is not a year or an academic
    year). In plain Python: a file has a handful of periods, and a dozen pandas steps
    over a handful of cells cost more than the file's million rows' numbering."""
    return pd.Series(pd.array([_end_year(p) for p in period], dtype="Int64"))


def _end_year(period: str) -> int | None:
    """'2024' -> 2024; '202425' -> 2025 (the years consecutive); anything else None. As
    pandas' `str.fullmatch` does, digits are Python's (`re`'s \\d)."""
    if FOUR_DIGITS.fullmatch(period):
        return int(period)
    if SIX_DIGITS.fullmatch(period):
        first, second = int(period[:4]), int(period[4:])
        return first + 1 if (first + 1) % 100 == second else None
    return None


def _blank(cells: pd.Series) -> pd.Series:
    return cells.str.strip() == ""


def _not_an_ons_code(cells: pd.Series) -> pd.Series:
    return (cells != "") & ~cells.str.fullmatch(r"[EWSN]\d{8}")


def _check_location(numbered: _Numbered, file: str, problems: list[Problem]) -> pd.Series:
    frame = numbered.frame
    year, valid_period = _period_end_year(numbered)
    _problem_rows(
        problems,
        ~valid_period,
        frame,
        file,
        "time_period",
        "time_period",
        "The time period is not a year or an academic year.",
        "a year such as 2024, or an academic year such as 202425",
    )
    _problem_rows(
        problems,
        ~numbered.per_value("geographic_level", lambda levels: levels.isin(GEOGRAPHIC_LEVELS)),
        frame,
        file,
        "geographic_level",
        "geographic_level",
        "Unknown geographic level.",
        "National, Regional or Local authority",
    )
    is_la = numbered.per_value("geographic_level", lambda levels: levels == "Local authority")
    if is_la.any():
        for column in ("old_la_code", "la_name"):
            if column not in frame:
                problems.append(
                    Problem(
                        "error",
                        "required_column",
                        "Local authority rows need this column.",
                        file,
                        column=column,
                        expected="the column present",
                    )
                )
                return year
        _problem_rows(
            problems,
            is_la & ~numbered.per_value("old_la_code", lambda codes: codes.str.fullmatch(r"\d{3}")),
            frame,
            file,
            "la_code",
            "old_la_code",
            "A local authority row has no valid three-digit council code.",
            "a three-digit code such as 857",
        )
        _problem_rows(
            problems,
            is_la & numbered.per_value("la_name", _blank),
            frame,
            file,
            "la_name",
            "la_name",
            "A local authority row has no council name.",
            "the council's name",
        )
        if "new_la_code" in frame:
            _problem_rows(
                problems,
                is_la & numbered.per_value("new_la_code", _not_an_ons_code),
                frame,
                file,
                "new_la_code",
                "new_la_code",
                "The ONS council code is not in the usual form.",
                "a nine-character code such as E06000017",
            )
    is_region = numbered.per_value("geographic_level", lambda levels: levels == "Regional")
    if is_region.any():
        if "region_code" not in frame or "region_name" not in frame:
            problems.append(
                Problem(
                    "error",
                    "required_column",
                    "Regional rows need region_code and region_name columns.",
                    file,
                    column="region_code",
                    expected="the columns present",
                )
            )
        else:
            _problem_rows(
                problems,
                is_region & numbered.per_value("region_code", _blank),
                frame,
                file,
                "region_code",
                "region_code",
                "A regional row has no region code.",
                "a code such as E12000004",
            )
    if "country_code" not in frame:
        frame["country_code"] = ENGLAND_CODE
    if "country_name" not in frame:
        frame["country_name"] = "England"
    return year


def _place_text_safe(numbered: _Numbered) -> bool:
    """Whether no distinct name or code in the place columns is unsafe (the judgement
    `check_unsafe_text` makes, which then names every unsafe cell by line)."""
    return not any(
        unsafe_reason(value)
        for column in GEOGRAPHY_TEXT_COLUMNS
        if column in numbered.frame
        for value in numbered(column)[1]
    )


def _area_columns(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Each row's place: the country's, the region's or the council's code and name."""
    level = pa.array(frame["geographic_level"])
    national = pc.equal(level, "National")
    council = pc.equal(level, "Local authority")

    def text(column: str) -> pa.Array | pa.ChunkedArray | pa.Scalar:
        return pa.array(frame[column]) if column in frame else pa.scalar("")

    def choose(country: str, region: str, la: str) -> pd.Series:
        chosen = pc.if_else(council, text(la), pc.if_else(national, text(country), text(region)))
        return pd.Series(pd.arrays.ArrowStringArray(chosen), index=frame.index)

    return (
        choose("country_code", "region_code", "old_la_code"),
        choose("country_name", "region_name", "la_name"),
    )


def parse_facts(table: CsvTable | CsvColumns, recognition: Recognition) -> ParsedFile:
    """Validate every row of a recognised table and turn it into long facts."""
    assert recognition.spec is not None and recognition.layout is not None
    spec, layout = recognition.spec, recognition.layout
    file = table.file
    frame = _text_frame(table)
    numbered = _Numbered(frame)
    problems: list[Problem] = []
    year = _check_location(numbered, file, problems)
    if not _place_text_safe(numbered):  # the usual case costs one look at each distinct cell
        problems.extend(check_unsafe_text(file, frame))

    values: dict[str, pd.Series] = {}
    symbols: dict[str, pd.Series] = {}
    for column in recognition.measure_columns:
        cells = frame[column]
        # Each distinct cell judged once, the column's cells numbered once for all three.
        codes, distinct = numbered(column)
        distinct_is_number = distinct.str.fullmatch(NUMBER).fillna(False).astype(bool)
        distinct_is_symbol = distinct.isin(tuple(SYMBOLS))
        is_symbol = _spread(distinct_is_symbol, codes, cells.index)
        if not (distinct_is_symbol | distinct_is_number).all():  # a cell to name
            is_number = _spread(distinct_is_number, codes, cells.index)
            _problem_rows(
                problems,
                ~(is_symbol | is_number),
                frame,
                file,
                "measure_value",
                column,
                "This cell should hold a number or one of DfE's symbols.",
                "a number, or c, x, z, k, low, u, ~ or :",
            )
        values[column] = _spread(
            pd.to_numeric(distinct.where(distinct_is_number), errors="coerce"), codes, cells.index
        )
        symbols[column] = _spread(distinct.where(distinct_is_symbol), codes, cells.index)
    if problems:
        return ParsedFile(file, spec.id, layout.name, None, len(frame), problems)

    labels = _canonical_labels(numbered, spec, recognition)
    breakdowns = pd.Categorical(labels["breakdown"])
    kinds = {
        column: _cell_kinds(spec, layout, column, measure, breakdowns, frame.index)
        for column, measure in recognition.measure_columns.items()
    }
    problems += check_value_ranges(frame, values, kinds, file)
    problems += check_numerators_within_denominators(frame, values, layout, file)
    code, name = _area_columns(frame)
    problems += check_counts_within_totals(
        frame, values, kinds, spec, recognition, labels, file, code, numbered
    )
    if problems:
        return ParsedFile(file, spec.id, layout.name, None, len(frame), problems)

    # Every text column is categorical: a small code a fact, not a copy of the text
    # (a 150 MB file's 1.7 million facts would take 800 MB as text).
    columns: dict[str, object] = {
        "dataset": _constant(spec.id, len(frame), frame.index),
        "time_period": _coded(numbered("time_period"), frame.index),
        "year": year.astype("int64"),
        "time_identifier": _coded(numbered("time_identifier"), frame.index),
        "geographic_level": _coded(numbered("geographic_level"), frame.index),
        "area_code": _coded(_distinct_cells(code), frame.index),
        "area_name": _coded(_distinct_cells(name), frame.index),
        "country_code": _coded(numbered("country_code"), frame.index),
    }
    for column in ("region_code", "region_name", "old_la_code", "new_la_code", "la_name"):
        columns[column] = (
            _coded(numbered(column), frame.index, blank_is_none=True)
            if column in frame
            else pd.Series(np.full(len(frame), None, dtype=object), index=frame.index)
        )
    for canonical in CANONICAL_FILTERS:
        columns[canonical] = labels[canonical]
    columns["published_filters"] = _published_filters(
        numbered, [*recognition.filter_columns, *layout.published_only]
    )
    # The line each fact came from (not stored): checks made after parsing can name it.
    columns["line"] = pd.Series((frame.index + 2).astype("int32"), index=frame.index)
    base = pd.DataFrame(columns, copy=False)  # made at once: each added column costs a copy

    measures = list(dict.fromkeys(recognition.measure_columns.values()))
    separate = len(measures) == len(recognition.measure_columns)
    if separate:  # each column its own measure: a cell is repeated exactly when its row is
        _check_duplicates(base, file, problems, measures=len(measures))
        if problems:
            return ParsedFile(file, spec.id, layout.name, None, len(frame), problems)
    # The rows once per measure column, end to end: each row's columns repeated (a
    # categorical's codes, not its text), then that column's measure, value and symbol.
    measure_columns = list(recognition.measure_columns)
    long: dict[str, object] = {name: _repeated(base[name], len(measure_columns)) for name in base}
    measure_codes = [measures.index(measure) for measure in recognition.measure_columns.values()]
    long["measure"] = pd.Categorical.from_codes(
        np.repeat(np.array(measure_codes, dtype=np.int8), len(base)), measures
    )
    long["value"] = pd.concat([values[c] for c in measure_columns], ignore_index=True).array
    long["symbol"] = pd.concat([symbols[c] for c in measure_columns], ignore_index=True).array
    facts = pd.DataFrame({name: long[name] for name in [*FACT_COLUMNS, "line"]}, copy=False)
    if not separate:
        _check_duplicates(facts, file, problems)
    if problems:
        return ParsedFile(file, spec.id, layout.name, None, len(frame), problems)
    return ParsedFile(
        file, spec.id, layout.name, facts, len(frame), [], latest_year=int(year.max())
    )


def _repeated(cells: pd.Series, times: int) -> pd.api.extensions.ExtensionArray | np.ndarray:
    """A column end to end `times` times, as `pd.concat` would put it (a categorical
    stays one, with the same categories), without pandas unifying the pieces."""
    if isinstance(cells.dtype, pd.CategoricalDtype):
        codes = np.tile(cells.cat.codes.to_numpy(), times)
        return pd.Categorical.from_codes(codes, dtype=cells.dtype)
    return pd.array(np.tile(cells.to_numpy(), times), dtype=cells.dtype)


def _coded(
    numbered: tuple[np.ndarray, pd.Series], index: pd.Index, blank_is_none: bool = False
) -> pd.Series:
    """A text column, numbered (`_distinct_cells`), as a categorical of its distinct values
    (sorted, as `pd.factorize(sort=True)` gives them); blank cells missing if asked."""
    first_seen, distinct = numbered
    order = np.argsort(np.asarray(distinct, dtype=object), kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    codes, values = rank[first_seen], pd.Index(distinct.array.take(order))
    if blank_is_none and len(values) and values[0] == "":
        # Sorted, a blank is the first value: dropped by shifting the codes down
        # (`cat.remove_categories` does the same a hundred times slower).
        codes = np.where(codes <= 0, -1, codes - 1)
        values = values[1:]
    return pd.Series(pd.Categorical.from_codes(codes, values), index=index)


def _constant(value: str, length: int, index: pd.Index) -> pd.Series:
    """One text repeated on every row, as a categorical (one code a row)."""
    return pd.Series(
        pd.Categorical.from_codes(np.zeros(length, dtype=np.int8), [value]), index=index
    )


def _categorical(codes: np.ndarray, texts: list[str], index: pd.Index) -> pd.Series:
    """Rows coded 0..n-1 for `texts`, several codes possibly the same text, as a
    categorical of the distinct texts (sorted)."""
    categories, inverse = np.unique(np.array(texts, dtype=object), return_inverse=True)
    return pd.Series(pd.Categorical.from_codes(inverse[codes], categories), index=index)


def _canonical_labels(
    numbered: _Numbered, spec: DatasetSpec, recognition: Recognition
) -> dict[str, pd.Series]:
    """Each row's cohort, breakdown and variant in the newest wording ("" if none),
    as categoricals: each distinct label is reworded once."""
    frame = numbered.frame
    labels = {}
    for canonical in CANONICAL_FILTERS:
        published = [c for c, f in recognition.filter_columns.items() if f == canonical]
        if published:
            codes, published_labels = numbered(published[0])
            newest = [canonical_label(spec, canonical, v) for v in published_labels]
            labels[canonical] = _categorical(codes, newest, frame.index)
        else:
            labels[canonical] = _constant("", len(frame), frame.index)
    return labels


@dataclass
class CellKinds:
    """The kind of each row's cell in one measure column.

    The column's own kind, unless the row's breakdown label says the cell holds
    something else (the SDQ average in a count column); None where no kind is
    declared (a column DfE added later). Kept by label, as labels are few and rows
    many: a whole column's limits are one array lookup.
    """

    labels: pd.Categorical  # each row's breakdown label
    kinds: list[ValueKind | None]  # the kind of each of the labels' categories
    index: pd.Index

    def of(self, row: Hashable) -> ValueKind:
        kind = self.kinds[self.labels.codes[self.index.get_loc(row)]]
        assert kind is not None  # only rows with a limit are ever reported
        return kind

    def limit(self, end: str) -> pd.Series:
        """Each row's "minimum" or "maximum" (NaN where there is none)."""
        ends = [getattr(kind, end, None) for kind in self.kinds]
        by_category = np.array([np.nan if e is None else e for e in ends], dtype=float)
        return pd.Series(by_category[self.labels.codes], index=self.index)

    def is_kind(self, wanted: ValueKind) -> pd.Series:
        by_category = np.array([kind is wanted for kind in self.kinds], dtype=bool)
        return pd.Series(by_category[self.labels.codes], index=self.index)


def _cell_kinds(
    spec: DatasetSpec,
    layout: Layout,
    column: str,
    measure: str,
    breakdowns: pd.Categorical,
    index: pd.Index,
) -> CellKinds:
    own = measure_kind(layout, column, measure)
    kinds = [row_kind(spec, label, measure) or own for label in breakdowns.categories]
    return CellKinds(breakdowns, kinds, index)


def check_value_ranges(
    frame: pd.DataFrame,
    values: dict[str, pd.Series],
    kinds: dict[str, CellKinds],
    file: str,
) -> list[Problem]:
    """Every number is a possible value of its kind: a percentage 0 to 100, a count or a
    rate never negative, an average within its scale (SDQ 0 to 40, Attainment 8 0 to 90).

    Symbols (c, x, z, k ...) are not numbers and are never range-checked.
    """
    problems: list[Problem] = []
    for column, value in values.items():
        kind = kinds[column]
        outside = (value < kind.limit("minimum")) | (value > kind.limit("maximum"))
        _problem_rows(
            problems,
            outside.fillna(False).astype(bool),
            frame,
            file,
            "value_range",
            column,
            lambda row, column=column, kind=kind: (
                f"{frame.at[row, column]} is not {kind.of(row).name}"
            ),
            lambda row, kind=kind: kind.of(row).expected(),
        )
    return problems


def _rounding_allowance(frame: pd.DataFrame) -> pd.Series:
    """How far a rounded count may pass the total it is a share of: national and regional
    counts are rounded to the nearest 10, a council's are exact."""
    return frame["geographic_level"].isin(ROUNDED_LEVELS).astype(int) * ROUNDING


def _rounding_note(frame: pd.DataFrame, row: Hashable) -> str:
    level = frame.at[row, "geographic_level"]
    if level not in ROUNDED_LEVELS:
        return ""
    return f" (or up to {ROUNDING} more, as {level.lower()} counts are rounded to the nearest 10)"


def check_numerators_within_denominators(
    frame: pd.DataFrame, values: dict[str, pd.Series], layout: Layout, file: str
) -> list[Problem]:
    """A count published beside the number it is a share of is never larger than it
    (pupils reaching the standard, of pupils eligible; children in care, of all children)."""
    problems: list[Problem] = []
    allowance = _rounding_allowance(frame)
    for numerator, denominator in layout.shares:
        if numerator not in values or denominator not in values:
            continue
        over = (values[numerator] - values[denominator]) > allowance
        _problem_rows(
            problems,
            over.fillna(False).astype(bool),
            frame,
            file,
            "numerator_within_denominator",
            numerator,
            lambda row, n=numerator, d=denominator: (
                f"{frame.at[row, n]} in {n} is more than the {frame.at[row, d]} in {d}, "
                "the number it is a share of"
            ),
            lambda row, d=denominator: (
                f"no more than {d} ({frame.at[row, d]}){_rounding_note(frame, row)}"
            ),
        )
    return problems


def check_counts_within_totals(
    frame: pd.DataFrame,
    values: dict[str, pd.Series],
    kinds: dict[str, CellKinds],
    spec: DatasetSpec,
    recognition: Recognition,
    labels: dict[str, pd.Series],
    file: str,
    code: pd.Series | None = None,
    numbered: _Numbered | None = None,
) -> list[Problem]:
    """A count is never larger than the total of its cohort in the same place and period.

    Only where the file publishes a percentage beside each count, so the total row is
    truly the whole the counts are a share of (the percentage is count / total). The
    total rows are named in the dataset's spec (e.g. "Total children").
    """
    measures = recognition.measure_columns
    counts = [column for column, measure in measures.items() if measure == "number"]
    if not spec.totals or not counts or "percentage" not in measures.values():
        return []
    column = counts[0]
    count = values[column]
    if code is None:
        code, _ = _area_columns(frame)
    numbered = numbered or _Numbered(frame)
    group = _group_numbers(
        [
            numbered("time_period"),
            numbered("geographic_level"),
            code,
            labels["cohort"],
            labels["variant"],
        ]
    )
    is_total = labels["breakdown"].isin(spec.totals)
    numbers = count.to_numpy(dtype=float, na_value=np.nan)
    total_rows = np.flatnonzero(is_total.to_numpy() & ~np.isnan(numbers))
    groups_with_total, first = np.unique(group[total_rows], return_index=True)
    holder = np.full(group.max() + 1, -1)
    holder[groups_with_total] = total_rows[first]  # each group's first total row
    found = holder[group]  # the row holding each row's total (-1: none)
    total_row = pd.Series(np.where(found >= 0, found, np.nan), index=frame.index)
    total = np.where(found >= 0, numbers[np.maximum(found, 0)], np.nan)
    is_count = kinds[column].is_kind(COUNT_VALUES)
    over = ~is_total & is_count & ((numbers - total) > _rounding_allowance(frame))
    problems: list[Problem] = []
    _problem_rows(
        problems,
        over.fillna(False).astype(bool),
        frame,
        file,
        "count_within_total",
        column,
        lambda row: (
            f"{frame.at[row, column]} is more than the total it is a share of, "
            f"{frame.at[int(total_row[row]), column]}"
        ),
        lambda row: (
            f"no more than {frame.at[int(total_row[row]), column]}, the "
            f"'{labels['breakdown'][int(total_row[row])]}' row on line "
            f"{int(total_row[row]) + 2}{_rounding_note(frame, row)}"
        ),
    )
    return problems


def _group_numbers(
    columns: list[pd.Series | tuple[np.ndarray, pd.Series]], dense: bool = True
) -> np.ndarray:
    """A number for each row's combination of values in `columns`, from each column's
    codes (no text is joined); `dense`: 0, 1, ... in order of first appearance. A column
    may come already numbered (`_Numbered`)."""
    first = columns[0]
    group = np.zeros(len(first[0] if isinstance(first, tuple) else first), dtype=np.int64)
    size = 1  # the numbers so far are below this
    for column in columns:
        if isinstance(column, tuple):  # numbered already (no cell missing)
            codes, width = column[0], len(column[1]) + 1
        elif isinstance(column.dtype, pd.CategoricalDtype):
            codes, width = column.cat.codes.to_numpy(), len(column.cat.categories) + 1
        else:
            codes, uniques = pd.factorize(column)
            width = len(uniques) + 1
        if size * width >= 2**62:  # renumber densely before the numbers could overflow
            group, found = pd.factorize(group)
            size = len(found)
        group *= width
        group += codes
        group += 1  # a missing value's code is -1
        size *= width
    return pd.factorize(group)[0] if dense else group


def _published_filters(numbered: _Numbered, names: list[str]) -> pd.Series:
    """The filter labels exactly as published, as JSON (one encoding per combination)."""
    frame = numbered.frame
    if not names:
        return _constant("{}", len(frame), frame.index)
    group = _group_numbers([numbered(name) for name in names])
    _, first = np.unique(group, return_index=True)  # each combination's first row
    firsts = frame[names].iloc[first].itertuples(index=False)
    encoded = [json.dumps(dict(zip(names, row, strict=True)), ensure_ascii=False) for row in firsts]
    return _categorical(group, encoded, frame.index)


def _check_duplicates(
    facts: pd.DataFrame, file: str, problems: list[Problem], measures: int = 1
) -> None:
    """No two facts for the same cell. Given the rows before they become facts (no
    `measure` column), each duplicated row is `measures` duplicated facts."""
    key = ["time_period", "geographic_level", "area_code", "cohort", "breakdown", "variant"]
    key += ["measure"] if "measure" in facts else []
    group = _group_numbers([facts[column] for column in key], dense=False)
    _, firsts = np.unique(group, return_index=True)  # each cell's first fact
    if len(firsts) < len(facts):
        duplicated = np.ones(len(facts), dtype=bool)
        duplicated[firsts] = False
        first = facts.iloc[int(np.flatnonzero(duplicated)[0])]
        problems.append(
            Problem(
                "error",
                "duplicate_rows",
                f"{(len(facts) - len(firsts)) * measures} cells appear more than once for "
                "the same period, "
                f"place and filters (first: {first['area_name']} {first['time_period']}, "
                f"{first['cohort']} / {first['breakdown']}).",
                file,
                expected="one row per period, place and filter combination",
            )
        )
