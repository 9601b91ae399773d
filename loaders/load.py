"""Load a batch of files (single CSVs, folders, or release zips) into the store.

The batch is all-or-nothing: every file is read and validated first; if any
recognised file has a problem, nothing is written and the report says why.
Otherwise all facts go in under one load id, in one transaction, with the
release each fact came from. A file already in the store (same SHA-256) is
recognised and skipped, except the tables of an SSDA903 extract: an extract is
one unit, loaded whole, and already loaded only when the council's extract as
at the same date, with the same table files, is. Files the app does not use are
listed with their columns rather than treated as errors.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import lzma
import os
import time
import zipfile
import zlib
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path, PurePosixPath

import duckdb
import pandas as pd
import pyarrow as pa

from domain.periods import quarter_ends_covered
from loaders import ees, identity, neighbours, quarterly, ssda903
from loaders.csv_text import CsvColumns, CsvTable, header_columns, read_csv_columns
from loaders.preview import Preview, preview_facts, scannable
from loaders.problems import FileRejected, Problem
from loaders.store import (
    EXTRACT_TABLES,
    extract_loads,
    load_transaction,
    loaded_hashes,
    local_indicator_units,
    write_lock,
)
from loaders.store import PAUSE_ENV as PAUSE_ENV  # the tests' hook, kept importable here

ACCEPTED_SUFFIXES = (".csv", ".xlsx", ".zip")
MAX_ZIP_MEMBERS = int(os.environ.get("CP_MAX_ZIP_MEMBERS", "500"))
# A DfE release zip unpacks to tens of MB (the 2024 children looked after release
# folder is 26 MB); everything unpacked is held in memory while it is checked.
MAX_ZIP_UNCOMPRESSED_BYTES = int(os.environ.get("CP_MAX_ZIP_BYTES", str(500 * 1024**2)))
# DfE's CSVs compress about 10:1; a member packed more than 200:1 is a zip bomb.
MAX_COMPRESSION_RATIO = 200
# What unpacking a damaged zip (or workbook: an .xlsx is a zip) raises, from its table
# of contents to each file's compressed bytes (found by damaging zips at random).
ARCHIVE_DAMAGE = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    IndexError,
    NotImplementedError,
    RuntimeError,
)
# After reading a file this large, the memory it needed is given back to the system
# at once (a small file's is simply reused).
RELEASE_AFTER_BYTES = 8 * 1024**2


class InputFile:
    """One file's name (as the user would recognise it) and its bytes: held (an upload,
    a file from a zip), or read from `path` each time they are wanted (a file on disk,
    so a large one is not kept in memory while the rest of the batch is checked and
    written)."""

    def __init__(self, name: str, data: bytes | None = None, *, path: Path | None = None):
        if data is None and path is None:
            raise ValueError("an input file needs its bytes or its path")
        self.name = name
        self.path = path
        self._data = data

    @property
    def data(self) -> bytes:
        return self._data if self._data is not None else Path(self.path).read_bytes()  # type: ignore[arg-type]

    @property
    def size(self) -> int:
        return len(self._data) if self._data is not None else Path(self.path).stat().st_size  # type: ignore[arg-type]

    def read(self) -> bytes:
        """The bytes, once: a file on disk is read and its SHA-256 is taken from these
        very bytes (the ones checked and loaded), not from another reading."""
        data = self.data
        if self._data is None:
            self.__dict__["sha256"] = hashlib.sha256(data).hexdigest()
        return data

    @cached_property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def __repr__(self) -> str:
        return f"InputFile({self.name!r})"


@dataclass
class ExtractOptions:
    """What an SSDA903 extract does not say about itself: whose it is and when it was run to."""

    la_code: str | None = None  # the council's three-digit code (old_la_code)
    as_at: date | None = None  # by default the latest episode start or end in the extract


@dataclass
class ExtractRows:
    """An extract ready for the store: its usable rows and the row describing it."""

    la_code: str
    as_at: date
    summary: ssda903.ExtractSummary
    rows: dict[str, pa.Table]
    files: frozenset[str] = frozenset()  # the SHA-256 of every table file of the extract
    tables: tuple[str, ...] = ()  # the SSDA903 tables it has (Episodes, Header, ...)

    @property
    def covers_from(self) -> date:
        return self.summary.covers_from or self.as_at


@dataclass
class FileReport:
    """What happened to one file in a batch."""

    name: str
    sha256: str
    outcome: str  # loaded | not used | rejected | already loaded
    dataset: str | None = None
    dataset_title: str | None = None
    layout: str | None = None
    release: str | None = None
    rows_read: int = 0
    facts: int = 0
    message: str = ""
    problems: list[Problem] = field(default_factory=list)
    # Rows a summary problem in `problems` stands for (an extract's rows after its as-at
    # date): listed only in the downloadable check report.
    folded: list[Problem] = field(default_factory=list)


@dataclass
class LoadReport:
    """The result of a batch: per-file outcomes and, if committed, the load id."""

    files: list[FileReport]
    status: str  # committed | rejected | nothing new | dry run
    load_id: int | None = None
    seconds: float = 0.0
    preview: Preview | None = None

    @property
    def problems(self) -> list[Problem]:
        return [p for f in self.files for p in f.problems]

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_read for f in self.files if f.outcome == "loaded")

    @property
    def facts_loaded(self) -> int:
        return sum(f.facts for f in self.files if f.outcome == "loaded")

    def files_table(self) -> pd.DataFrame:
        """One row per file: what it was recognised as and what happened to it."""
        pending = self.status == "dry run"
        return pd.DataFrame(
            [
                {
                    "File": f.name,
                    "Outcome": "ready to load" if pending and f.outcome == "loaded" else f.outcome,
                    "Recognised as": f.dataset_title or f.dataset or "",
                    "Release": f.release or "",
                    "Rows": f.rows_read,
                    "Message": f.message,
                }
                for f in self.files
            ],
            columns=["File", "Outcome", "Recognised as", "Release", "Rows", "Message"],
        )

    def problems_table(self, detailed: bool = False) -> pd.DataFrame:
        """Every problem found, in the one shape every check returns; `detailed` adds the
        rows a summary problem stands for (for the downloadable check report)."""
        found = [p for f in self.files for p in f.problems + f.folded] if detailed else None
        found = self.problems if found is None else found
        columns = ["severity", "check", "message", "file", "line", "column", "value", "expected"]
        if any(p.child or p.table for p in found):  # an SSDA903 extract: for analysts only
            columns[4:4] = ["table", "child"]
            columns.insert(1, "rule")  # the DfE's rule code (or a local one) beside each
        return pd.DataFrame([p.as_dict() for p in found], columns=columns)


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[InputFile], list[FileReport]]:
    """Files, folders (recursively) and zips become a list of input files."""
    inputs: list[InputFile] = []
    skipped: list[FileReport] = []
    for path in map(Path, paths):
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                _add_path(child, inputs, skipped, display=str(child))
        elif path.is_file():
            _add_path(path, inputs, skipped, display=str(path))
        else:
            skipped.append(
                FileReport(
                    str(path),
                    "",
                    "rejected",
                    message="No such file or folder.",
                    problems=[
                        Problem("error", "missing_file", "No such file or folder.", str(path))
                    ],
                )
            )
    return inputs, skipped


def _add_path(path: Path, inputs: list[InputFile], skipped: list[FileReport], display: str) -> None:
    suffix = path.suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        skipped.append(
            FileReport(
                display,
                "",
                "not used",
                message=f"Not a CSV, Excel workbook or zip ({suffix or 'no extension'}).",
            )
        )
        return
    if suffix == ".zip":
        inputs.extend(unzip(display, path.read_bytes()))
    else:
        inputs.append(InputFile(display, path=path))


def unzip(name: str, data: bytes) -> list[InputFile]:
    """The CSV and Excel members of a zip, checked for size, count and unsafe paths.

    A damaged zip (cut short, or a file in it whose bytes no longer match) is
    refused with the zip and the file named, never a traceback.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ARCHIVE_DAMAGE as error:
        raise FileRejected([_damaged("zip", name, error)]) from error
    members = check_archive(name, archive)
    result = []
    for member in members:
        inner = PurePosixPath(member.filename.replace("\\", "/"))
        if inner.is_absolute() or ".." in inner.parts or ":" in member.filename:
            raise FileRejected(
                [
                    Problem(
                        "error",
                        "zip",
                        "The zip contains an unsafe path.",
                        name,
                        value=member.filename,
                        expected="paths inside the zip",
                    )
                ]
            )
        if inner.suffix.lower() in (".csv", ".xlsx"):
            result.append(InputFile(f"{name}/{member.filename}", _unpack(name, archive, member)))
    return result


def _unpack(name: str, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    """One file of a zip, or a plain refusal naming the zip and the file."""
    if member.flag_bits & 0x1:
        message = (
            f"The zip {name} is protected by a password ({member.filename}): unzip it "
            "yourself and load its files."
        )
        raise FileRejected([Problem("error", "zip", message, name, value=member.filename)])
    try:
        return archive.read(member)
    except ARCHIVE_DAMAGE as error:
        raise FileRejected([_damaged("zip", name, error, member.filename)]) from error


def _damaged(what: str, name: str, error: BaseException, member: str | None = None) -> Problem:
    """'The zip … is damaged: …; download it again.' (`what`: zip or workbook)."""
    detail = str(error) or type(error).__name__
    for python_says, plainly in PLAIN_DAMAGE.items():
        if detail.startswith(python_says):
            detail = plainly
            break
    else:
        detail = detail[:1].lower() + detail[1:]
    if member is not None:
        detail = f"{member} cannot be unpacked ({detail})"
    message = f"The {what} {name} is damaged: {detail}; download it again."
    return Problem("error", what, message, name)


# Python's words for the usual damage, and ours.
PLAIN_DAMAGE = {
    "File is not a zip file": "it is cut short, or not a zip at all",
    "Bad CRC-32": "its bytes do not match its checksum",
    "Error -3 while decompressing": "its compressed bytes are garbled",
    "Compressed file ended": "it is cut short",
    "EOFError": "it is cut short",
}


def _check_workbook_intact(name: str, data: bytes) -> None:
    """Refuse a damaged workbook before openpyxl reads it (an .xlsx is a zip of XML files):
    every file in it is unpacked and its checksum compared."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            bad = archive.testzip()
    except ARCHIVE_DAMAGE as error:
        raise FileRejected([_damaged("workbook", name, error)]) from error
    if bad is not None:
        error = zipfile.BadZipFile(f"Bad CRC-32 for file {bad!r}")
        raise FileRejected([_damaged("workbook", name, error, bad)])


def check_archive(name: str, archive: zipfile.ZipFile, kind: str = "zip") -> list[zipfile.ZipInfo]:
    """A zip's files (an Excel workbook is a zip too: `kind` says which the user gave),
    once their number, unpacked size and packing are known to be safe, from its
    directory alone: nothing is unpacked."""
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_ZIP_MEMBERS:
        raise FileRejected(
            [
                Problem(
                    "error",
                    "zip",
                    f"The {kind} holds {len(members)} files.",
                    name,
                    expected=f"at most {MAX_ZIP_MEMBERS}",
                )
            ]
        )
    total = sum(m.file_size for m in members)
    if total > MAX_ZIP_UNCOMPRESSED_BYTES:
        raise FileRejected(
            [
                Problem(
                    "error",
                    "zip",
                    f"The {kind} unpacks to more than the size limit.",
                    name,
                    value=f"{total:,} bytes",
                    expected=f"at most {MAX_ZIP_UNCOMPRESSED_BYTES:,}",
                )
            ]
        )
    for member in members:
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024**2 and ratio > MAX_COMPRESSION_RATIO:
            raise FileRejected(
                [
                    Problem(
                        "error",
                        "zip",
                        f"A file in the {kind} is packed suspiciously tightly (a 'zip bomb'); "
                        "nothing was unpacked.",
                        name,
                        value=f"{member.filename}: {ratio:,.0f}:1",
                        expected=f"at most {MAX_COMPRESSION_RATIO}:1",
                    )
                ]
            )
    packed = sum(m.compress_size for m in members)
    if total > 1024**2 and total / max(packed, 1) > MAX_COMPRESSION_RATIO:
        # Many small members, each under the size at which one is judged, add up.
        raise FileRejected(
            [
                Problem(
                    "error",
                    "zip",
                    f"The {kind}'s files are packed suspiciously tightly (a 'zip bomb'); "
                    "nothing was unpacked.",
                    name,
                    value=f"{total / max(packed, 1):,.0f}:1",
                    expected=f"at most {MAX_COMPRESSION_RATIO}:1",
                )
            ]
        )
    return members


@dataclass
class _Parsed:
    report: FileReport
    facts: pd.DataFrame | None = None
    neighbours: pd.DataFrame | None = None
    publication: str | None = None
    latest_year: int | None = None
    definitions: pd.DataFrame | None = None
    release_hint: str | None = None  # a release the file itself implies (quarterly returns)
    pending_return: CsvTable | CsvColumns | None = None  # checked once every definition is known
    extract_table: CsvColumns | None = None  # an SSDA903 table, checked with its extract
    extract: ExtractRows | None = None
    _scannable_facts: pa.Table | pd.DataFrame | None = field(default=None, repr=False)

    def scannable_facts(self) -> pa.Table | pd.DataFrame:
        """The facts as DuckDB reads them (`scannable`), converted once for the preview
        and the write (`facts` is not changed once parsed)."""
        assert self.facts is not None
        if self._scannable_facts is None:
            self._scannable_facts = scannable(self.facts)
        return self._scannable_facts


def _check_workbook(name: str, data: bytes) -> None:
    """An Excel workbook is a zip of XML: its zip checks come before openpyxl opens it
    (a workbook of a few hundred KB can unpack to gigabytes), then every part's
    checksum. One that is not a zip at all, or cut short, is refused as damaged."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except ARCHIVE_DAMAGE as error:
        raise FileRejected([_damaged("workbook", name, error)]) from error
    with archive:
        check_archive(name, archive, "workbook")
    _check_workbook_intact(name, data)  # sizes known safe: now every part's checksum


def _parse_one(
    item: InputFile, neighbour_model: str | None, already: dict[str, int], seen: dict[str, str]
) -> _Parsed:
    """Read and check one file, unless it is identical to one already loaded (`already`:
    SHA-256 to load) or earlier in the batch (`seen`: SHA-256 to name)."""
    data = item.read()
    sha = item.sha256
    earlier = (
        f"a file already loaded (load {already[sha]})"
        if sha in already
        else f"{seen[sha]} in this batch"
        if sha in seen
        else None
    )
    if earlier:
        return _Parsed(_skipped(FileReport(item.name, sha, "already loaded"), earlier))
    seen[sha] = item.name
    report = FileReport(item.name, sha, "rejected")
    try:
        if item.name.lower().endswith(".xlsx"):
            _check_workbook(item.name, data)
            if neighbours.is_neighbour_workbook(data):
                return _neighbour_result(
                    report, neighbours.parse_workbook(item.name, data, neighbour_model)
                )
            report.outcome = "not used"
            report.message = "An Excel workbook the app does not use."
            return _Parsed(report)
        if ssda903.recognise(header_columns(data)):  # large: read as columns
            report.dataset = "ssda903"
            return _Parsed(report, extract_table=read_csv_columns(item.name, data))
        table = read_csv_columns(item.name, data)
        del data  # (a file on disk: its bytes are not kept while its facts are made)
    except FileRejected as rejected:
        report.problems = rejected.problems
        report.message = rejected.problems[0].message
        return _Parsed(report)
    if quarterly.is_local_definitions(table):
        return _definitions_result(report, table)
    if quarterly.is_quarterly_return(table):
        report.dataset = quarterly.QUARTERLY_DATASET
        return _Parsed(report, pending_return=table)
    if neighbours.looks_like_long(table):
        return _neighbour_result(report, neighbours.parse_long(table, neighbour_model), table)
    if neighbours.looks_like_wide(table):
        return _neighbour_result(report, neighbours.parse_wide(table, neighbour_model), table)
    return _ees_result(report, table)


def _neighbour_result(
    report: FileReport,
    parsed: neighbours.ParsedNeighbours,
    table: CsvTable | CsvColumns | None = None,
) -> _Parsed:
    report.dataset = "statistical_neighbours"
    report.dataset_title = "Statistical neighbours"
    report.layout = parsed.layout
    report.rows_read = parsed.rows_read
    if table is not None:
        report.problems.extend(table.notes)
    if parsed.problems:
        report.problems.extend(parsed.problems)
        report.message = parsed.problems[0].message
        return _Parsed(report)
    assert parsed.neighbours is not None
    report.outcome = "loaded"
    report.release = str(parsed.neighbours["model"].iloc[0]) if len(parsed.neighbours) else None
    report.facts = len(parsed.neighbours)
    return _Parsed(report, neighbours=parsed.neighbours)


def _rejected(report: FileReport, problems: list[Problem]) -> _Parsed:
    """A file whose checks found problems: listed in full, first one in the message."""
    report.problems.extend(problems)
    report.message = f"Rejected: {len(problems)} problem(s), first: {problems[0].describe()}"
    return _Parsed(report)


def _definitions_result(report: FileReport, table: CsvTable | CsvColumns) -> _Parsed:
    parsed = quarterly.parse_definitions(table)
    report.dataset = quarterly.LOCAL_DATASET
    report.dataset_title = "Local indicator definitions"
    report.layout = "local indicators"
    report.rows_read = table.row_count
    report.problems.extend(table.notes)
    if parsed.problems:
        return _rejected(report, parsed.problems)
    assert parsed.definitions is not None
    report.outcome = "loaded"
    report.release = "local"
    report.facts = len(parsed.definitions)
    return _Parsed(report, definitions=parsed.definitions)


def _return_result(
    report: FileReport, table: CsvTable | CsvColumns, context: quarterly.ReturnContext
) -> _Parsed:
    parsed = quarterly.parse_return(table, context)
    report.dataset_title = "Quarterly return"
    report.layout = "quarterly return"
    report.rows_read = table.row_count
    report.problems.extend(table.notes + parsed.notes)
    if parsed.problems:
        return _rejected(report, parsed.problems)
    assert parsed.facts is not None
    report.outcome = "loaded"
    report.facts = len(parsed.facts)
    latest = parsed.facts.sort_values(["time_period", "time_identifier"]).iloc[-1]
    return _Parsed(
        report,
        facts=parsed.facts,
        publication="Quarterly return",
        latest_year=parsed.latest_year,
        release_hint=f"{latest['time_period']} {latest['time_identifier']}",
    )


def _ees_result(report: FileReport, table: CsvTable | CsvColumns) -> _Parsed:
    recognition = ees.recognise(table)
    report.rows_read = table.row_count
    if recognition.spec is None:
        report.outcome = "not used"
        report.message = f"Not used: {recognition.reason}. Columns: {', '.join(table.columns)}"
        return _Parsed(report)
    parsed = ees.parse_facts(table, recognition)
    report.dataset = recognition.spec.id
    report.dataset_title = recognition.spec.title
    report.layout = parsed.layout
    report.problems.extend(table.notes)
    if parsed.problems:
        return _rejected(report, parsed.problems)
    assert parsed.facts is not None
    report.outcome = "loaded"
    report.facts = len(parsed.facts)
    return _Parsed(
        report,
        facts=parsed.facts,
        publication=recognition.spec.publication,
        latest_year=parsed.latest_year,
    )


def _extract_results(
    parsed: list[_Parsed], options: ExtractOptions, con: duckdb.DuckDBPyConnection
) -> list[str]:
    """Check the SSDA903 tables of a batch as one extract; returns the preview's lines.

    The extract's rows go on the Episodes file's entry; every table's problems on
    its own file. A second copy of a stored table (two Episodes files) refuses
    the batch, since it is not clear which extract is meant.
    """
    items = [p for p in parsed if p.extract_table is not None]
    if not items:
        return []
    first: dict[str, _Parsed] = {}
    extra: list[_Parsed] = []
    for p in items:
        assert p.extract_table is not None
        name = ssda903.recognise(p.extract_table) or ""
        p.report.dataset_title = f"SSDA903 {name}"
        p.report.rows_read = p.extract_table.row_count
        p.report.problems.extend(p.extract_table.notes)
        if name in first:
            extra.append(p)
        else:
            first[name] = p
    refusal = None
    if "Episodes" not in first:
        refusal = (
            "An SSDA903 extract needs its Episodes table (CHILD, DECOM, RNE, LS, CIN, PLACE, "
            "PLACE_PROVIDER, DEC, REC) in the same load."
        )
    elif not options.la_code or not (options.la_code.isdigit() and len(options.la_code) == 3):
        refusal = (
            "Say which council this extract is for: its three-digit code (--la on the command "
            f"line, the council chosen on the Data page); got {options.la_code or 'none'}."
        )
    elif any(ssda903.recognise(p.extract_table) in ssda903.STORED_TABLES for p in extra):  # type: ignore[arg-type]
        refusal = "Two copies of the same SSDA903 table in one load: load one extract at a time."
    if refusal:
        for p in items:
            p.report.outcome = "rejected"
            p.report.message = refusal
            p.report.problems.append(
                Problem("error", "extract", refusal, p.report.name, expected="one whole extract")
            )
        return []
    extract, problems = ssda903.read_extract(
        [p.extract_table for p in first.values() if p.extract_table is not None], options.as_at
    )
    problems, folded = ssda903.fold_after_as_at(extract, problems, options.as_at is not None)
    by_table: dict[str, list[Problem]] = {}
    for problem in problems:
        by_table.setdefault(problem.table or "", []).append(problem)
    for problem in folded:
        first[problem.table or ""].report.folded.append(problem)
    try:
        rows = ssda903.rows_for_store(extract)
    finally:
        extract.close()
    stored = {table: name for table, (name, _) in ssda903.STORED_COLUMNS.items()}
    stored.update(OC2="health", Reviews="review_quarters")
    release = f"SSDA903 extract as at {extract.as_at:%d/%m/%Y}"
    for name, p in first.items():
        found = by_table.get(name, [])
        p.report.problems.extend(found)
        aside = len(extract.set_aside.get(name, set()))
        warnings = sum(1 for f in found if f.severity == "warning")
        if name in stored:
            p.report.outcome = "loaded"
            p.report.release = release
            p.report.facts = extract.row_count[name] - aside  # the rows kept
            p.report.message = (
                f"{p.report.facts:,} rows kept, {aside:,} set aside, {warnings:,} warnings."
            )
        else:
            p.report.outcome = "not used"
            p.report.message = (
                f"Checked ({len(found):,} problems); the indicators do not use this table."
            )
    for p in extra:
        assert p.extract_table is not None
        second, found = ssda903.read_extract([p.extract_table], extract.as_at)
        second.close()
        p.report.problems.extend(found)
        p.report.outcome = "not used"
        p.report.message = (
            f"Checked ({len(found):,} problems); a second {ssda903.recognise(p.extract_table)} "
            "table, not used by the indicators."
        )
    summary = ssda903.summarise(rows["episodes"])
    ready = ExtractRows(
        options.la_code,  # type: ignore[arg-type]
        extract.as_at,
        summary,
        rows,
        files=frozenset(p.report.sha256 for p in items),
        tables=tuple(first),
    )
    first["Episodes"].extract = ready
    start = ready.covers_from
    ends = quarter_ends_covered(start, extract.as_at)
    lines = [
        f"SSDA903 extract for council {options.la_code} as at {extract.as_at:%d/%m/%Y}: "
        f"{summary.children:,} children, {summary.episodes:,} episodes, complete from "
        f"{start:%d/%m/%Y}.",
        (
            f"Figures for {len(ends)} quarter end(s): {ends[0]:%d/%m/%Y} to {ends[-1]:%d/%m/%Y}."
            if ends
            else "No quarter end has a full year of records before it yet, so no figures."
        ),
    ]
    earlier = con.execute(
        "SELECT load_id, as_at FROM extracts WHERE la_code = ? AND as_at <= ? ORDER BY load_id",
        [options.la_code, extract.as_at],
    ).fetchall()
    for load_id, as_at in earlier:
        lines.append(
            f"Supersedes load {load_id} (as at {as_at:%d/%m/%Y}) for the quarter ends both cover."
        )
    return lines


def prepare(
    inputs: list[InputFile],
    con: duckdb.DuckDBPyConnection,
    release: str | None = None,
    neighbour_model: str | None = None,
    today: date | None = None,
    extract: ExtractOptions | None = None,
) -> tuple[list[_Parsed], list[str]]:
    """Read, recognise and validate every file; decide each file's release.

    A file identical to one loaded on its own (`loaded_hashes`) or to an earlier
    one in the batch is skipped. The tables of an SSDA903 extract are always read:
    whether the extract is already loaded is decided for the extract as a whole,
    when it is written (`_mark_loaded_units`).
    """
    already = loaded_hashes(con)
    seen: dict[str, str] = {}
    parsed: list[_Parsed] = []
    for item in inputs:
        parsed.append(_parse_one(item, neighbour_model, already, seen))
        if item.size > RELEASE_AFTER_BYTES:
            # The file's Arrow table is gone once its facts are made: give the memory back.
            pa.default_memory_pool().release_unused()
    _keep_one_list_per_model(parsed)
    pending = [i for i, p in enumerate(parsed) if p.pending_return is not None]
    if pending:
        units = quarterly.catalogue_units() | local_indicator_units(con)
        for p in parsed:
            if p.definitions is not None:
                units |= dict(
                    zip(p.definitions["indicator_id"], p.definitions["unit"], strict=True)
                )
        context = quarterly.ReturnContext(units, today or date.today())
        for i in pending:
            table = parsed[i].pending_return
            assert table is not None
            parsed[i] = _return_result(parsed[i].report, table, context)
    # Release: as given, else what the file itself says (its latest period). Never
    # from other files in the batch, so a file's figures carry the same release
    # however the releases are batched (docs/METHODOLOGY.md, "Which release wins").
    for p in parsed:
        if p.facts is not None:
            p.report.release = release or p.release_hint or str(p.latest_year)
    extract_lines = _extract_results(parsed, extract or ExtractOptions(), con)
    return parsed, extract_lines


def _skipped(report: FileReport, earlier: str) -> FileReport:
    report.outcome = "already loaded"
    report.message = f"Identical to {earlier}; skipped."
    return report


def _keep_one_list_per_model(parsed: list[_Parsed]) -> None:
    """Several copies of one neighbour model in a batch (workbook, wide, long): use the first."""
    first: dict[str, _Parsed] = {}
    for p in parsed:
        if p.neighbours is None or not len(p.neighbours):
            continue
        model = str(p.neighbours["model"].iloc[0])
        if model not in first:
            first[model] = p
            continue
        kept = first[model].neighbours
        assert kept is not None
        ours, theirs = _links(_link_rows(p.neighbours)), _links(_link_rows(kept))
        if ours == theirs:
            comparison = f"identical to {first[model].report.name}, which was used"
        else:
            comparison = (
                f"different from {first[model].report.name}, which was used: "
                f"{len(ours - theirs):,} of its {len(ours):,} links are not in that file and "
                f"{len(theirs - ours):,} of that file's {len(theirs):,} are not in this one"
            )
        p.report.outcome = "not used"
        p.report.message = (
            f"Another copy of the {model} neighbour model in this batch ({comparison})."
        )
        p.neighbours = None


def load_files(
    con: duckdb.DuckDBPyConnection,
    inputs: list[InputFile],
    *,
    release: str | None = None,
    neighbour_model: str | None = None,
    user_name: str | None = None,
    kind: str | None = None,
    dry_run: bool = False,
    with_preview: bool = True,
    today: date | None = None,
    extra_reports: list[FileReport] | None = None,
    extract: ExtractOptions | None = None,
) -> LoadReport:
    """Validate a batch and, if every recognised file is sound, commit it as one load.

    Validate → preview → commit: every file is read and checked, then what the
    batch would add and revise is worked out (`report.preview`); with
    `dry_run` nothing more happens, otherwise the batch is written in one
    transaction. `with_preview=False` skips the comparison (the demo build).
    A zip among the inputs is unpacked (`unzip`); one that cannot be is a
    rejected file, so nothing of the batch is written.
    """
    started = time.perf_counter()
    inputs, refused = _unzipped(inputs)
    parsed, extract_lines = prepare(inputs, con, release, neighbour_model, today, extract)
    return _preview_and_commit(
        con,
        parsed,
        extract_lines,
        started=started,
        extra_reports=refused + (extra_reports or []),
        user_name=user_name,
        kind=kind,
        dry_run=dry_run,
        with_preview=with_preview,
    )


def _unzipped(inputs: list[InputFile]) -> tuple[list[InputFile], list[FileReport]]:
    """Zips among the inputs replaced by their files; those refused, as rejected files."""
    files: list[InputFile] = []
    refused: list[FileReport] = []
    for item in inputs:
        if not item.name.lower().endswith(".zip"):
            files.append(item)
            continue
        try:
            files.extend(unzip(item.name, item.data))
        except FileRejected as rejected:
            message = rejected.problems[0].message
            refused.append(
                FileReport(
                    item.name, item.sha256, "rejected", message=message, problems=rejected.problems
                )
            )
    return files, refused


def _preview_and_commit(
    con: duckdb.DuckDBPyConnection,
    parsed: list[_Parsed],
    extract_lines: list[str],
    *,
    started: float,
    extra_reports: list[FileReport],
    user_name: str | None,
    kind: str | None = None,
    dry_run: bool = False,
    with_preview: bool = True,
) -> LoadReport:
    """The second half of `load_files`: a prepared batch previewed, then written as one load.

    What the store already holds is checked twice: before the preview, and again
    once it is this writer's turn (`write_lock`), so that two analysts committing
    the same files at once write them once; the second is told "nothing new".
    """
    _mark_loaded_units(con, parsed)
    _check_identity(con, parsed, kind)
    reports = [p.report for p in parsed] + list(extra_reports)
    if any(r.outcome == "rejected" for r in reports):
        return LoadReport(reports, "rejected", seconds=time.perf_counter() - started)
    extract_lines = extract_lines + _missing_tables(con, parsed)
    to_load = [p for p in parsed if p.report.outcome == "loaded"]
    preview = _preview(con, to_load, extract_lines) if with_preview or dry_run else None
    to_load = _without_stored_copies(con, to_load)
    if not to_load or dry_run:
        status = "dry run" if dry_run and to_load else "nothing new"
        return LoadReport(reports, status, seconds=time.perf_counter() - started, preview=preview)
    with write_lock():
        # Another writer may have committed the same files, or figures, since they
        # were checked: check again, now that no other writer can.
        marked = _mark_loaded_units(con, parsed)
        still = _without_stored_copies(con, [p for p in parsed if p.report.outcome == "loaded"])
        if not still:
            return LoadReport(reports, "nothing new", seconds=time.perf_counter() - started)
        if marked and preview is not None:
            preview = _preview(con, still, extract_lines)
        load_id = _commit(con, still, reports, kind, user_name)
    return LoadReport(reports, "committed", load_id, time.perf_counter() - started, preview)


def _preview(
    con: duckdb.DuckDBPyConnection, to_load: list[_Parsed], extract_lines: list[str]
) -> Preview | None:
    """What the files to load would add and revise, and what their extract would add."""
    if not to_load:
        return None
    preview = preview_facts(
        con,
        [(p.scannable_facts(), p.report.release or "") for p in to_load if p.facts is not None],
    )
    if any(p.extract is not None for p in to_load):
        preview.extracts = extract_lines
    return preview


def _commit(
    con: duckdb.DuckDBPyConnection,
    to_load: list[_Parsed],
    reports: list[FileReport],
    kind: str | None,
    user_name: str | None,
) -> int:
    """Write the batch as one load, in one transaction; returns its load id."""
    releases = sorted({p.report.release for p in to_load if p.report.release})
    kind = kind or _describe_kind(to_load)
    # One thread around the whole transaction, not inside it: a failed insert aborts
    # the transaction, and DuckDB takes no setting until it is rolled back.
    with _one_thread(con), load_transaction(con, kind, user_name) as record:
        for p in to_load:
            _write(con, record.load_id, p)
        file_rows = [
            [
                record.load_id,
                r.name,
                r.sha256 or "",
                r.dataset,
                r.release,
                r.outcome,
                r.rows_read,
                r.rows_read if r.outcome == "loaded" else 0,
                r.rows_read if r.outcome == "rejected" else 0,
                r.message[:2000],
            ]
            for r in reports
        ]
        # One statement for all the batch's files (a release folder's 48 one at a time
        # cost four times as much).
        for start in range(0, len(file_rows), 100):
            chunk = file_rows[start : start + 100]
            con.execute(
                "INSERT INTO load_files VALUES "
                + ", ".join(["(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"] * len(chunk)),
                [cell for row in chunk for cell in row],
            )
        con.execute(
            "UPDATE loads SET release = ?, rows_read = ?, rows_loaded = ?, rows_rejected = 0, "
            "message = ? WHERE load_id = ?",
            [
                ", ".join(releases),
                sum(r.rows_read for r in reports),
                sum(p.report.rows_read for p in to_load),
                f"{sum(p.report.facts for p in to_load):,} facts from {len(to_load)} file(s)",
                record.load_id,
            ],
        )
        load_id = record.load_id
    return load_id


def _mark_loaded_units(con: duckdb.DuckDBPyConnection, parsed: list[_Parsed]) -> bool:
    """Mark what the store already holds as "already loaded"; True if anything was.

    The unit is the file, except for an SSDA903 extract: its tables are one unit,
    already loaded when an extract of the same council, as at the same date, with
    the same table files (the SHA-256 of each) is in the store (and not undone).
    Otherwise all of them are loaded together, even tables identical to files
    loaded before (re-sent with corrected episodes, or another council's copy).
    """
    changed = False
    already = loaded_hashes(con)
    for p in parsed:
        sha = p.report.sha256
        if p.report.outcome == "loaded" and p.extract_table is None and sha in already:
            _skipped(p.report, f"a file already loaded (load {already[sha]})")
            changed = True
    ready = next((p.extract for p in parsed if p.extract is not None), None)
    if ready is None:
        return changed
    loads = extract_loads(con, ready.la_code, ready.as_at)
    same = [load_id for load_id, files in loads.items() if files == ready.files]
    if not same:
        return changed
    message = (
        f"This extract (council {ready.la_code} as at {ready.as_at:%d/%m/%Y}, the same "
        f"{len(ready.files)} table file(s)) is already loaded (load {same[0]}); nothing to write."
    )
    for p in parsed:
        if p.extract_table is not None:
            p.extract = None
            p.report.outcome = "already loaded"
            p.report.message = message
            p.report.release = None
            p.report.rows_read = p.report.facts = 0
            p.report.problems = []
    return True


# What each table of an extract gives, for the warning when an extract lacks one.
TABLE_GIVES = {
    "Header": (
        "children's dates of birth will not be known, so the health figures that depend on "
        "age (development checks, convictions, SDQ scores) for the quarters it covers will "
        "not be available"
    ),
    "Reviews": "review participation figures for the quarters it covers will not be available",
    "UASC": (
        "figures for unaccompanied asylum-seeking children for the quarters it covers will "
        "not be available"
    ),
    "OC2": (
        "health figures (health and dental checks, immunisations, SDQ scores, convictions, "
        "substance misuse) for the quarters it covers will not be available"
    ),
    "OC3": "care leavers' figures for the quarters it covers will not be available",
    "Missing": (
        "missing-from-care figures for the quarters it covers will count no incident at all"
    ),
}
# Where the store keeps each table's rows (reviews as counts by quarter, OC2 as health).
TABLE_STORED_AS = {
    table: EXTRACT_TABLES[name]
    for table, name in {
        **{t: stored for t, (stored, _) in ssda903.STORED_COLUMNS.items()},
        "Reviews": "review_quarters",
        "OC2": "health",
    }.items()
}


def _missing_tables(con: duckdb.DuckDBPyConnection, parsed: list[_Parsed]) -> list[str]:
    """Warn, before anything is written, of each table the council's previous extract had
    (its latest as at or before this one's date) and this one lacks: the figures that
    table gives go for the quarter ends this extract covers. Returns the warnings."""
    holder = next((p for p in parsed if p.extract is not None), None)
    if holder is None:
        return []
    ready = holder.extract
    assert ready is not None
    lacking = [t for t in TABLE_GIVES if t not in ready.tables]
    if not lacking:
        return []
    had = ", ".join(
        f"EXISTS (SELECT 1 FROM {TABLE_STORED_AS[t]} WHERE load_id = x.load_id)" for t in lacking
    )
    rows = con.execute(
        f"SELECT x.as_at, {had} FROM extracts x WHERE x.la_code = ? AND x.as_at <= ? "
        "ORDER BY x.as_at DESC, x.load_id DESC LIMIT 1",
        [ready.la_code, ready.as_at],
    ).fetchall()
    if not rows:
        return []
    as_at, *present = rows[0]
    warnings = [
        f"This extract has no {table} table; the extract as at {as_at:%d/%m/%Y} had one: "
        f"{TABLE_GIVES[table]}."
        for table, there in zip(lacking, present, strict=True)
        if there
    ]
    holder.report.problems.extend(
        Problem("warning", "extract_table_missing", text, holder.report.name) for text in warnings
    )
    return warnings


def _without_stored_copies(con: duckdb.DuckDBPyConnection, to_load: list[_Parsed]) -> list[_Parsed]:
    """Nothing to write when everything in the batch is already in the store.

    A figure is already stored when a fact with the same cell, release, value and
    symbol is there (the same file saved with semicolons, or re-exported, has a
    new SHA-256 but nothing new in it); a neighbour list when the list in force
    for its model has the same links. If every file of the batch is already
    stored, the batch writes nothing and each file says why. A batch with
    anything new is written whole, so undoing an earlier load can never take
    away figures that a later, committed load also holds.
    """
    if not to_load or any(
        p.definitions is not None or p.extract is not None or p.extract_table is not None
        for p in to_load
    ):
        return to_load
    for p in to_load:
        if (
            p.facts is not None
            and len(p.facts)
            and _any_fact_not_stored(con, p.scannable_facts(), p.report.release or "")
        ):
            return to_load
        if p.neighbours is not None and not _neighbour_list_in_force(con, p.neighbours):
            return to_load
    for p in to_load:
        p.report.outcome = "already loaded"
        p.report.message = (
            "Everything in this file is already in the store (the same figures from the "
            "same release, or the neighbour list in force); nothing to write."
        )
    return []


FACT_CELL = "dataset, time_period, geographic_level, area_code, cohort, breakdown, variant, measure"


def _any_fact_not_stored(
    con: duckdb.DuckDBPyConnection, facts: pa.Table | pd.DataFrame, release: str
) -> bool:
    """Whether any incoming fact is not repeated exactly by a stored fact of its release
    (`facts` as `scannable` makes them)."""
    cursor = con.cursor()
    cursor.register("incoming_check", facts)
    try:
        missing = cursor.execute(
            f"""
            SELECT count(*) FROM incoming_check i
            ANTI JOIN (SELECT {FACT_CELL}, value, symbol FROM facts WHERE release = ?) f
              ON {" AND ".join(f"i.{c} = f.{c}" for c in FACT_CELL.split(", "))}
             AND i.value IS NOT DISTINCT FROM f.value AND i.symbol IS NOT DISTINCT FROM f.symbol
            """,
            [release],
        ).fetchall()[0][0]
    finally:
        cursor.unregister("incoming_check")
        cursor.close()
    return bool(missing)


def _neighbour_list_in_force(con: duckdb.DuckDBPyConnection, incoming: pd.DataFrame) -> bool:
    """Whether the incoming list is the same, link for link, as the one in force for its model."""
    model = str(incoming["model"].iloc[0]) if len(incoming) else ""
    in_force = con.execute(
        "SELECT old_la_code, sn_rank, neighbour_old_la_code FROM current_neighbours "
        "WHERE model = ?",
        [model],
    ).fetchall()
    return bool(in_force) and _links(_link_rows(incoming)) == _links(in_force)


def _links(rows) -> set[tuple[str, int, str]]:
    """Neighbour links as plain (council, rank, neighbour) tuples: types never matter."""
    return {(str(a).strip(), int(b), str(c).strip()) for a, b, c in rows}


def _link_rows(frame: pd.DataFrame):
    return frame[["old_la_code", "sn_rank", "neighbour_old_la_code"]].itertuples(index=False)


def _check_identity(
    con: duckdb.DuckDBPyConnection, parsed: list[_Parsed], kind: str | None
) -> None:
    """Refuse files that would rename a place or mix real with demo data (loaders/identity.py).

    Checked here, against the store as it is when the batch is written, rather
    than in `prepare`: `load_extracts` prepares extracts ahead of the writing. A
    batch already refused is not checked further.
    """
    if any(p.report.outcome == "rejected" for p in parsed):
        return
    for index, found in identity.check_batch(con, parsed, kind).items():
        report = parsed[index].report
        if any(p.severity == "error" for p in found):
            found.sort(key=lambda p: p.severity != "error")
            report.outcome = "rejected"
            parsed[index] = _rejected(report, found)
        else:
            report.problems.extend(found)


def _describe_kind(to_load: list[_Parsed]) -> str:
    """A short name for what a load held, for the history table."""
    kinds = []
    for p in to_load:
        if p.neighbours is not None:
            name = "statistical neighbours"
        elif p.definitions is not None:
            name = "local indicators"
        elif p.report.dataset == "ssda903":
            name = "SSDA903 extract"
        elif p.publication == "Quarterly return":
            name = "quarterly return"
        elif p.publication and p.publication.startswith("ONS"):
            name = "ONS population"
        elif p.publication and p.publication.startswith("Outcomes"):
            name = "DfE outcomes"
        else:
            name = "DfE release"
        if name not in kinds:
            kinds.append(name)
    return " + ".join(kinds)


FACTS_INSERT = (
    "INSERT INTO facts SELECT ?, dataset, ?, time_period, year, time_identifier, "
    "geographic_level, area_code, area_name, country_code, region_code, region_name, "
    "old_la_code, new_la_code, la_name, cohort, breakdown, variant, measure, value, "
    "symbol, published_filters FROM incoming_facts"
)


@contextmanager
def _one_thread(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """DuckDB on one thread for a while, then as many as before.

    A file's facts are a few thousand to a few hundred thousand rows of Arrow: DuckDB
    splitting such an insert over both cores costs twice the CPU of one core doing it
    (the 2024 release folder's 266,081 facts: 0.30 s of CPU against 0.15 s, and no
    sooner by the clock on two shared cores), and switching for each file of a batch
    costs more again. The setting is the database's, so a page read in the same
    process meanwhile runs on one thread for that moment."""
    threads = con.execute("SELECT current_setting('threads')").fetchone()[0]  # type: ignore[index]
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute(f"SET threads = {int(threads)}")


def _write(con: duckdb.DuckDBPyConnection, load_id: int, parsed: _Parsed) -> None:
    if parsed.facts is not None:
        con.register("incoming_facts", parsed.scannable_facts())
        try:
            con.execute(FACTS_INSERT, [load_id, parsed.report.release])
        finally:
            con.unregister("incoming_facts")
    if parsed.definitions is not None:
        con.register("incoming_definitions", parsed.definitions)
        try:
            con.execute(
                "INSERT INTO local_indicators SELECT ?, indicator_id, title, short_title, "
                "line_of_enquiry, unit, decimals, polarity, definition, questions "
                "FROM incoming_definitions",
                [load_id],
            )
        finally:
            con.unregister("incoming_definitions")
    if parsed.extract is not None:
        _write_extract(con, load_id, parsed.extract)
    if parsed.neighbours is not None:
        incoming = parsed.neighbours
        con.register("incoming_neighbours", incoming)
        try:
            con.execute(
                "INSERT INTO statistical_neighbours SELECT ?, model, old_la_code, la_name, "
                "sn_rank, neighbour_old_la_code, neighbour_la_name, closeness "
                "FROM incoming_neighbours",
                [load_id],
            )
        finally:
            con.unregister("incoming_neighbours")


def _write_extract(con: duckdb.DuckDBPyConnection, load_id: int, extract: ExtractRows) -> None:
    con.execute(
        "INSERT INTO extracts VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            load_id,
            extract.la_code,
            extract.as_at,
            extract.covers_from,
            extract.summary.children,
            extract.summary.episodes,
            extract.summary.has_pl_la,
        ],
    )
    for name, table in EXTRACT_TABLES.items():
        frame = extract.rows.get(name)
        if frame is None or frame.num_rows == 0:
            continue
        con.register("incoming_extract", frame)
        try:
            columns = ", ".join(frame.column_names)
            con.execute(
                f"INSERT INTO {table} (load_id, {columns}) SELECT ?, {columns} "
                "FROM incoming_extract",
                [load_id],
            )
        finally:
            con.unregister("incoming_extract")


def load_paths(
    con: duckdb.DuckDBPyConnection,
    paths: Iterable[str | Path],
    **options: object,
) -> LoadReport:
    """Load files, folders and zips from disk (the command line's entry point)."""
    try:
        inputs, skipped = expand_paths(paths)
    except FileRejected as rejected:
        return _rejected_paths(rejected)
    return load_files(con, inputs, extra_reports=skipped, **options)  # type: ignore[arg-type]


def _rejected_paths(rejected: FileRejected) -> LoadReport:
    """The report for paths that could not be read at all (a bad zip, say)."""
    report = FileReport(
        rejected.problems[0].file,
        "",
        "rejected",
        message=rejected.problems[0].message,
        problems=rejected.problems,
    )
    return LoadReport([report], "rejected")


# Extracts prepared at once while another is written: this machine's two cores.
EXTRACT_WORKERS = 2


def load_extracts(
    con: duckdb.DuckDBPyConnection,
    extracts: Sequence[tuple[Sequence[str | Path], ExtractOptions]],
    *,
    user_name: str | None = None,
    dry_run: bool = False,
    workers: int = EXTRACT_WORKERS,
) -> list[LoadReport]:
    """Load several councils' SSDA903 extracts (a region's), each as a load of its own.

    The same as calling `load_paths` for each in turn, with the same reports
    and checks, but faster: a council's extract is read and checked in one
    thread while another is, and while the one before is written. Reading and
    checking happen in pyarrow and DuckDB, which work outside Python's lock, so
    on two cores a region loads in under three quarters of the time it takes one
    at a time (benchmarks/ssda903_region.py --workers 1). Loads are committed in
    the order given, and only a few extracts are read ahead of the writing. An
    extract that is refused, or cannot be read or written, is reported as
    rejected (its load rolled back) and the others go on. An extract already
    loaded, by this batch or before, is "nothing new": that is decided when it is
    written, against the store as it is then.
    """

    def read_and_check(paths: Sequence[str | Path], options: ExtractOptions) -> _Prepared:
        started = time.perf_counter()
        cursor = con.cursor()  # DuckDB: one cursor per thread
        try:
            inputs, skipped = expand_paths(paths)
            parsed, lines = prepare(inputs, cursor, extract=options)
        except FileRejected as rejected:
            return _Prepared(started, rejected=rejected)
        except Exception as error:
            return _Prepared(
                started, rejected=_failed(paths, "could not be read and checked", error)
            )
        finally:
            cursor.close()
        return _Prepared(started, parsed, lines, skipped)

    def write(paths: Sequence[str | Path], options: ExtractOptions, ready: _Prepared) -> LoadReport:
        if ready.rejected is not None:
            return _rejected_paths(ready.rejected)
        try:
            return _preview_and_commit(
                con,
                ready.parsed,
                ready.extract_lines,
                started=ready.started,
                extra_reports=ready.skipped,
                user_name=user_name,
                dry_run=dry_run,
            )
        except Exception as error:
            return _rejected_paths(
                _failed(paths, "could not be written (nothing of it was kept)", error)
            )

    reports: list[LoadReport] = []
    ahead = max(1, workers) + 1  # extracts read and checked ahead of the writing
    pool = ThreadPoolExecutor(max(1, workers))
    try:
        pending: deque[Future[_Prepared]] = deque()
        queue = iter(extracts)
        for paths, options in itertools.islice(queue, ahead):
            pending.append(pool.submit(read_and_check, paths, options))
        for paths, options in extracts:
            ready = pending.popleft().result()
            following = next(queue, None)
            if following is not None:
                pending.append(pool.submit(read_and_check, *following))
            reports.append(write(paths, options, ready))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return reports


def _failed(paths: Sequence[str | Path], what: str, error: Exception) -> FileRejected:
    """An extract that failed for a reason of its own, as a refusal naming it."""
    where = ", ".join(str(p) for p in paths)
    message = f"The extract in {where} {what}: {type(error).__name__}: {error}"
    return FileRejected([Problem("error", "extract_failed", message, where)])


@dataclass
class _Prepared:
    """One extract read and checked by `load_extracts`, waiting its turn to be written."""

    started: float
    parsed: list[_Parsed] = field(default_factory=list)
    extract_lines: list[str] = field(default_factory=list)
    skipped: list[FileReport] = field(default_factory=list)
    rejected: FileRejected | None = None
