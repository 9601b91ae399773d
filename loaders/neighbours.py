"""Read DfE's children's services statistical neighbour lists.

Each council has ten statistical neighbours, ranked 1 to 10, each with a
closeness band ("Extremely close" … "Not close"). DfE publishes them as a
workbook (one sheet, a two-row preamble, then ``LA num, LA Name, …, SN1, SNP,
SN2, SNP …``); the data folders also carry a wide CSV (``SN_1, SN_1P …``) and a
long CSV (one row per council and neighbour). All three are read here.

The model year (2021, 2025 …) is not written inside the files, so it is given
by the user or, failing that, read from a year in the file name.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pandas as pd

from loaders.csv_text import CsvTable
from loaders.identity import check_unsafe_text
from loaders.problems import FileRejected, Problem

LONG_COLUMNS = {"old_la_code", "sn_rank", "sn_old_la_code", "sn_closeness"}
NEIGHBOUR_COLUMNS = [
    "model",
    "old_la_code",
    "la_name",
    "sn_rank",
    "neighbour_old_la_code",
    "neighbour_la_name",
    "closeness",
]
YEAR_IN_NAME = re.compile(r"(20[1-3]\d)")


@dataclass
class ParsedNeighbours:
    file: str
    layout: str
    neighbours: pd.DataFrame | None
    rows_read: int
    problems: list[Problem]


def looks_like_long(table: CsvTable) -> bool:
    return set(table.columns) >= LONG_COLUMNS


def looks_like_wide(table: CsvTable) -> bool:
    columns = set(table.columns)
    return "old_la_code" in columns and {"sn_1", "sn_1p", "sn_10"} <= columns


def model_year(file: str, given: str | None) -> str | None:
    """The neighbour model's year: as given, else the last year-like number in the name."""
    if given:
        return given
    found = YEAR_IN_NAME.findall(file.rsplit("/", 1)[-1])
    return found[-1] if found else None


def _closeness(label: str) -> str:
    label = " ".join(str(label).split())
    return label[:1].upper() + label[1:].lower() if label and label != "-" else ""


def _missing_model(file: str) -> ParsedNeighbours:
    return ParsedNeighbours(
        file,
        "statistical neighbours",
        None,
        0,
        [
            Problem(
                "error",
                "neighbour_model",
                "Cannot tell which statistical neighbour model this is.",
                file,
                expected="a model year in the file name (e.g. _2025) or given with "
                "--neighbour-model",
            )
        ],
    )


def _validate(frame: pd.DataFrame, file: str, layout: str, rows_read: int) -> ParsedNeighbours:
    problems: list[Problem] = []
    # Councils that did not exist when a model was made (e.g. Cumberland in the
    # 2021 model) are listed with blank neighbours: they simply have none.
    blank = frame["neighbour_old_la_code"].astype(str).str.strip().isin(["", "-", "None"])
    frame = frame[~blank]
    code = r"\d{3}"
    for column in ("old_la_code", "neighbour_old_la_code"):
        bad = ~frame[column].astype(str).str.fullmatch(code)
        for index in frame.index[bad][:10]:
            problems.append(
                Problem(
                    "error",
                    "la_code",
                    "Not a three-digit council code.",
                    file,
                    line=int(frame.at[index, "_line"]),
                    column=column,
                    value=str(frame.at[index, column]),
                    expected="a code such as 857",
                )
            )
    bad_rank = ~frame["sn_rank"].between(1, 10)
    for index in frame.index[bad_rank][:10]:
        problems.append(
            Problem(
                "error",
                "sn_rank",
                "Neighbour rank out of range.",
                file,
                line=int(frame.at[index, "_line"]),
                column="sn_rank",
                value=str(frame.at[index, "sn_rank"]),
                expected="a whole number from 1 to 10",
            )
        )
    self_neighbour = frame["old_la_code"] == frame["neighbour_old_la_code"]
    for index in frame.index[self_neighbour][:10]:
        problems.append(
            Problem(
                "error",
                "self_neighbour",
                "A council is listed as its own neighbour.",
                file,
                line=int(frame.at[index, "_line"]),
                column="sn_old_la_code",
                value=str(frame.at[index, "neighbour_old_la_code"]),
                expected="another council's code",
            )
        )
    duplicated = frame.duplicated(subset=["old_la_code", "sn_rank"])
    for index in frame.index[duplicated][:10]:
        problems.append(
            Problem(
                "error",
                "duplicate_rank",
                "The same council has two neighbours at this rank.",
                file,
                line=int(frame.at[index, "_line"]),
                column="sn_rank",
                value=str(frame.at[index, "sn_rank"]),
                expected="ranks 1 to 10 once each",
            )
        )
    problems += check_unsafe_text(
        file,
        frame.rename(columns={"neighbour_la_name": "sn_la_name"}),
        frame["_line"],
        ["la_name", "sn_la_name"],
    )
    if problems:
        return ParsedNeighbours(file, layout, None, rows_read, problems)
    # Each row keeps its line (not stored), so later checks can name it.
    kept = frame[[*NEIGHBOUR_COLUMNS, "_line"]].rename(columns={"_line": "line"})
    return ParsedNeighbours(file, layout, kept, rows_read, [])


def parse_long(table: CsvTable, model: str | None) -> ParsedNeighbours:
    year = model_year(table.file, model)
    if not year:
        return _missing_model(table.file)
    raw = pd.DataFrame(table.rows, columns=table.columns, dtype="string").fillna("")
    frame = pd.DataFrame(
        {
            "model": year,
            "old_la_code": raw["old_la_code"].str.strip(),
            "la_name": raw.get("la_name", pd.Series("", index=raw.index)),
            "sn_rank": pd.to_numeric(raw["sn_rank"], errors="coerce").fillna(-1).astype(int),
            "neighbour_old_la_code": raw["sn_old_la_code"].str.strip(),
            "neighbour_la_name": raw.get("sn_la_name", pd.Series("", index=raw.index)),
            "closeness": raw["sn_closeness"].map(_closeness),
            "_line": raw.index + 2,
        }
    )
    return _validate(frame, table.file, "long CSV", len(raw))


def _from_wide(
    model: str, rows: list[tuple[int, dict[str, object]]], rank_column: str, band_column: str
) -> pd.DataFrame:
    records = []
    for line, row in rows:
        for rank in range(1, 11):
            neighbour = row.get(rank_column.format(rank))
            if neighbour in (None, ""):
                continue
            records.append(
                {
                    "model": model,
                    "old_la_code": _code(row.get("old_la_code")),
                    "la_name": str(row.get("la_name") or ""),
                    "sn_rank": rank,
                    "neighbour_old_la_code": _code(neighbour),
                    "neighbour_la_name": "",
                    "closeness": _closeness(str(row.get(band_column.format(rank)) or "")),
                    "_line": line,
                }
            )
    return pd.DataFrame.from_records(records, columns=[*NEIGHBOUR_COLUMNS, "_line"])


def _code(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() if value is not None else ""


def parse_wide(table: CsvTable, model: str | None) -> ParsedNeighbours:
    year = model_year(table.file, model)
    if not year:
        return _missing_model(table.file)
    rows = [(i + 2, dict(zip(table.columns, row, strict=True))) for i, row in enumerate(table.rows)]
    frame = _from_wide(year, rows, "sn_{}", "sn_{}p")
    return _validate(frame, table.file, "wide CSV", len(rows))


def is_neighbour_workbook(data: bytes) -> bool:
    """Whether an .xlsx holds a sheet laid out like DfE's neighbour workbook."""
    return _find_workbook_header(data) is not None


def _find_workbook_header(data: bytes):  # -> tuple[list[list[object]], int] | None
    try:
        import openpyxl

        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        return None
    for sheet in workbook.worksheets:
        rows = [list(r) for r in sheet.iter_rows(values_only=True, max_row=400)]
        for index, row in enumerate(rows[:10]):
            labels = [str(c).strip().lower() if c is not None else "" for c in row]
            if "la num" in labels and "sn1" in labels and "sn10" in labels:
                return rows, index
    return None


def parse_workbook(file: str, data: bytes, model: str | None) -> ParsedNeighbours:
    year = model_year(file, model)
    if not year:
        return _missing_model(file)
    found = _find_workbook_header(data)
    if found is None:
        raise FileRejected(
            [Problem("error", "workbook", "No neighbour sheet found in the workbook.", file)]
        )
    rows, header_index = found
    header = [str(c).strip().lower() if c is not None else "" for c in rows[header_index]]
    records = []
    for offset, row in enumerate(rows[header_index + 1 :]):
        if not row or row[0] in (None, ""):
            continue
        record: dict[str, object] = {
            "old_la_code": row[header.index("la num")],
            "la_name": row[header.index("la name")],
        }
        for rank in range(1, 11):
            position = header.index(f"sn{rank}")
            record[f"sn{rank}"] = row[position]
            record[f"sn{rank}p"] = row[position + 1] if position + 1 < len(row) else ""
        records.append((header_index + offset + 2, record))
    frame = _from_wide(year, records, "sn{}", "sn{}p")
    return _validate(frame, file, "DfE workbook", len(records))
