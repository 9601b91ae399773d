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

from loaders.csv_text import CsvTable
from loaders.datasets import (
    CANONICAL_FILTERS,
    COUNT,
    DATASETS,
    GEOGRAPHY_COLUMNS,
    REQUIRED_LOCATION_COLUMNS,
    ROUNDED_LEVELS,
    ROUNDING,
    TIME_COLUMNS,
    DatasetSpec,
    Layout,
    ValueKind,
    canonical_label,
    measure_kind,
    row_kind,
)
from loaders.identity import check_unsafe_text
from loaders.problems import Problem

# The symbols a cell may hold instead of a number. What each means, in the words
# every page uses, is in one table: indicators/formatting.py (SYMBOLS).
SYMBOLS = ("c", "x", "z", "k", "low", "u", "~", ":")
GEOGRAPHIC_LEVELS = ("National", "Regional", "Local authority")
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


def recognise(table: CsvTable) -> Recognition:
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
    table: CsvTable, spec: DatasetSpec, layout: Layout, cache: dict[str, set[str]]
) -> bool:
    for canonical_filter, wanted in layout.markers.items():
        published = [c for c, f in layout.filters.items() if f == canonical_filter]
        if not published:
            return False
        column = published[0]
        if column not in cache:
            index = table.columns.index(column)
            cache[column] = {row[index] for row in table.rows}
        labels = {canonical_label(spec, canonical_filter, v) for v in cache[column]}
        if not any(canonical_label(spec, canonical_filter, w) in labels for w in wanted):
            return False
    return True


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


def _period_end_year(period: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Year each period ends in ('2024' -> 2024, '202425' -> 2025) and a validity mask."""
    four = period.str.fullmatch(r"\d{4}")
    six = period.str.fullmatch(r"\d{6}")
    year = pd.Series(pd.NA, index=period.index, dtype="Int64")
    year[four] = period[four].astype(int)
    first = period[six].str[:4].astype(int)
    second = period[six].str[4:].astype(int)
    consecutive = (first + 1) % 100 == second
    year[six & consecutive.reindex(period.index, fill_value=False)] = first[consecutive] + 1
    return year, year.notna()


def _check_location(frame: pd.DataFrame, file: str, problems: list[Problem]) -> pd.Series:
    year, valid_period = _period_end_year(frame["time_period"])
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
    level = frame["geographic_level"]
    _problem_rows(
        problems,
        ~level.isin(GEOGRAPHIC_LEVELS),
        frame,
        file,
        "geographic_level",
        "geographic_level",
        "Unknown geographic level.",
        "National, Regional or Local authority",
    )
    is_la = level == "Local authority"
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
            is_la & ~frame["old_la_code"].str.fullmatch(r"\d{3}"),
            frame,
            file,
            "la_code",
            "old_la_code",
            "A local authority row has no valid three-digit council code.",
            "a three-digit code such as 857",
        )
        _problem_rows(
            problems,
            is_la & (frame["la_name"].str.strip() == ""),
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
                is_la
                & (frame["new_la_code"] != "")
                & ~frame["new_la_code"].str.fullmatch(r"[EWSN]\d{8}"),
                frame,
                file,
                "new_la_code",
                "new_la_code",
                "The ONS council code is not in the usual form.",
                "a nine-character code such as E06000017",
            )
    is_region = level == "Regional"
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
                is_region & (frame["region_code"].str.strip() == ""),
                frame,
                file,
                "region_code",
                "region_code",
                "A regional row has no region code.",
                "a code such as E12000004",
            )
    if "country_code" not in frame:
        frame["country_code"] = "E92000001"
    if "country_name" not in frame:
        frame["country_name"] = "England"
    return year


def _area_columns(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    level = frame["geographic_level"]
    empty = pd.Series("", index=frame.index)
    region_code = frame.get("region_code", empty)
    region_name = frame.get("region_name", empty)
    old_la_code = frame.get("old_la_code", empty)
    la_name = frame.get("la_name", empty)
    code = frame["country_code"].where(level == "National", region_code)
    code = code.where(level != "Local authority", old_la_code)
    name = frame["country_name"].where(level == "National", region_name)
    name = name.where(level != "Local authority", la_name)
    return code, name


def parse_facts(table: CsvTable, recognition: Recognition) -> ParsedFile:
    """Validate every row of a recognised table and turn it into long facts."""
    assert recognition.spec is not None and recognition.layout is not None
    spec, layout = recognition.spec, recognition.layout
    file = table.file
    frame = pd.DataFrame(table.rows, columns=table.columns, dtype="string").fillna("")
    frame = frame.apply(lambda column: column.str.strip())
    problems: list[Problem] = []
    year = _check_location(frame, file, problems)
    problems.extend(check_unsafe_text(file, frame))

    values: dict[str, pd.Series] = {}
    symbols: dict[str, pd.Series] = {}
    for column in recognition.measure_columns:
        cells = frame[column]
        is_symbol = cells.isin(SYMBOLS)
        is_number = cells.str.fullmatch(NUMBER).fillna(False).astype(bool)
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
        values[column] = pd.to_numeric(cells.where(is_number), errors="coerce")
        symbols[column] = cells.where(is_symbol)
    if problems:
        return ParsedFile(file, spec.id, layout.name, None, len(frame), problems)

    labels = _canonical_labels(frame, spec, recognition)
    breakdowns = pd.Categorical(labels["breakdown"].to_numpy(dtype=object))
    kinds = {
        column: _cell_kinds(spec, layout, column, measure, breakdowns, frame.index)
        for column, measure in recognition.measure_columns.items()
    }
    problems += check_value_ranges(frame, values, kinds, file)
    problems += check_numerators_within_denominators(frame, values, layout, file)
    problems += check_counts_within_totals(frame, values, kinds, spec, recognition, labels, file)
    if problems:
        return ParsedFile(file, spec.id, layout.name, None, len(frame), problems)

    code, name = _area_columns(frame)
    base = pd.DataFrame(
        {
            "dataset": spec.id,
            "time_period": frame["time_period"],
            "year": year.astype("int64"),
            "time_identifier": frame["time_identifier"],
            "geographic_level": frame["geographic_level"],
            "area_code": code,
            "area_name": name,
            "country_code": frame["country_code"],
        }
    )
    for column in ("region_code", "region_name", "old_la_code", "new_la_code", "la_name"):
        base[column] = frame[column].replace("", None) if column in frame else None
    for canonical in CANONICAL_FILTERS:
        base[canonical] = labels[canonical]
    base["published_filters"] = _published_filters(
        frame, [*recognition.filter_columns, *layout.published_only]
    )
    # The line each fact came from (not stored): checks made after parsing can name it.
    base["line"] = (frame.index + 2).astype("int32")

    pieces = []
    for column, measure in recognition.measure_columns.items():
        piece = base.copy()
        piece["measure"] = measure
        piece["value"] = values[column]
        piece["symbol"] = symbols[column]
        pieces.append(piece)
    facts = pd.concat(pieces, ignore_index=True)[[*FACT_COLUMNS, "line"]]
    _check_duplicates(facts, file, problems)
    if problems:
        return ParsedFile(file, spec.id, layout.name, None, len(frame), problems)
    return ParsedFile(
        file, spec.id, layout.name, facts, len(frame), [], latest_year=int(year.max())
    )


def _canonical_labels(
    frame: pd.DataFrame, spec: DatasetSpec, recognition: Recognition
) -> dict[str, pd.Series]:
    """Each row's cohort, breakdown and variant in the newest wording ("" if none)."""
    labels = {}
    for canonical in CANONICAL_FILTERS:
        published = [c for c, f in recognition.filter_columns.items() if f == canonical]
        if published:
            cells = frame[published[0]]
            mapping = {v: canonical_label(spec, canonical, v) for v in cells.unique()}
            labels[canonical] = cells.map(mapping)
        else:
            labels[canonical] = pd.Series("", index=frame.index)
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
    code, _ = _area_columns(frame)
    group = frame["time_period"] + "\x1f" + frame["geographic_level"] + "\x1f" + code
    for canonical in ("cohort", "variant"):
        group = group + "\x1f" + labels[canonical]
    is_total = labels["breakdown"].isin(spec.totals)
    total_rows = frame.index[is_total & count.notna()]
    first_total = pd.Series(total_rows, index=group[total_rows].to_numpy())
    first_total = first_total[~first_total.index.duplicated()]
    total_row = group.map(first_total)  # the row holding each row's total (NaN: none)
    total = total_row.map(count)
    is_count = kinds[column].is_kind(COUNT)
    over = ~is_total & is_count & ((count - total) > _rounding_allowance(frame))
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


def _published_filters(frame: pd.DataFrame, names: list[str]) -> pd.Series:
    """The filter labels exactly as published, as JSON (one encoding per combination)."""
    if not names:
        return pd.Series("{}", index=frame.index)
    combined = frame[names[0]]
    for name in names[1:]:
        combined = combined + "\x1f" + frame[name]
    encoded = {
        key: json.dumps(dict(zip(names, key.split("\x1f"), strict=True)), ensure_ascii=False)
        for key in combined.unique()
    }
    return combined.map(encoded)


def _check_duplicates(facts: pd.DataFrame, file: str, problems: list[Problem]) -> None:
    key = [
        "time_period",
        "geographic_level",
        "area_code",
        "cohort",
        "breakdown",
        "variant",
        "measure",
    ]
    duplicated = facts.duplicated(subset=key, keep="first")
    if duplicated.any():
        first = facts[duplicated].iloc[0]
        problems.append(
            Problem(
                "error",
                "duplicate_rows",
                f"{int(duplicated.sum())} cells appear more than once for the same period, "
                f"place and filters (first: {first['area_name']} {first['time_period']}, "
                f"{first['cohort']} / {first['breakdown']}).",
                file,
                expected="one row per period, place and filter combination",
            )
        )
