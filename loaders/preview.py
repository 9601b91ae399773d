"""What a load would change, worked out before anything is written.

An analyst sees, per dataset, the periods the load adds and every published
value it would revise (old → new), so a mistaken file is caught before the
panel's charts change. The comparison is with what the pages show now (the
``current_facts`` view): an incoming fact whose release is older than the one
shown is kept for history but changes nothing on screen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd
import pyarrow as pa

from domain.facts import FACT_KEY
from loaders.datasets import DATASETS
from loaders.quarterly import QUARTERLY_DATASET, catalogue_titles

KEY = list(FACT_KEY)
REVISION_COLUMNS = [
    "dataset",
    "dataset_title",
    "time_period",
    "area_name",
    "cohort",
    "breakdown",
    "breakdown_label",
    "variant",
    "measure",
    "measure_label",
    "old_value",
    "new_value",
    "old_release",
    "new_release",
]
# The revisions as an analyst reads them (the page and its CSV download).
READABLE_REVISIONS = {
    "dataset_title": "Dataset",
    "time_period": "Period",
    "area_name": "Place",
    "cohort": "Cohort",
    "breakdown_label": "Breakdown or indicator",
    "variant": "Variant",
    "measure_label": "Measure",
    "old_value": "Old value",
    "new_value": "New value",
    "old_release": "Old release",
    "new_release": "New release",
}
# The fixed layouts' measures and the quarterly return's columns, in words; the wide
# outcome files' measures keep the column names DfE publishes them under.
MEASURE_LABELS = {
    "number": "Number",
    "percentage": "Percentage",
    "rate_per_10000": "Rate per 10,000 children",
    "population_estimate": "Population estimate",
    "value": "Value",
    "numerator": "Numerator",
    "denominator": "Denominator",
}


@dataclass
class Preview:
    """The changes a batch would make to what the pages show."""

    new_facts: int = 0
    revised_facts: int = 0
    unchanged_facts: int = 0
    older_than_shown: int = 0
    new_periods: dict[str, list[str]] = field(default_factory=dict)
    revisions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REVISION_COLUMNS))
    extracts: list[str] = field(default_factory=list)  # what a child-level extract would add

    def revisions_table(self) -> pd.DataFrame:
        """The revisions with readable names: dataset titles, indicator titles and
        measures in words, and the variant that tells apart cells that look alike."""
        return self.revisions[list(READABLE_REVISIONS)].rename(columns=READABLE_REVISIONS)

    @property
    def changes_anything(self) -> bool:
        return bool(self.new_facts or self.revised_facts or self.extracts)

    def lines(self) -> list[str]:
        """The preview in words, for the command line and the page."""
        if self.extracts and not (self.new_facts or self.revised_facts or self.unchanged_facts):
            return list(self.extracts)
        text = [
            *self.extracts,
            f"{self.new_facts:,} new figures, {self.revised_facts:,} revised, "
            f"{self.unchanged_facts:,} unchanged"
            + (
                f", {self.older_than_shown:,} from an older release than the one shown "
                "(kept for history)"
                if self.older_than_shown
                else ""
            )
            + ".",
        ]
        for dataset, periods in sorted(self.new_periods.items()):
            text.append(f"New periods in {dataset}: {', '.join(periods)}.")
        return text


def scannable(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """A frame as DuckDB reads it best: an Arrow table, whose categorical columns are
    dictionaries DuckDB reads as text without copying (a pandas categorical would be
    an ENUM, converted row by row and held again in memory), or the frame itself if
    Arrow cannot hold one of its columns."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False, nthreads=1)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return frame


PREVIEW_COLUMNS = [*KEY, "area_name", "value", "symbol"]
# Coded text as every file's piece of the preview holds it (a file's own codes may be
# narrower), so that the pieces can be put end to end; DuckDB reads it as text.
_TEXT_CODES = pa.dictionary(pa.int32(), pa.string())


def _incoming_batch(
    incoming: list[tuple[pd.DataFrame | pa.Table, str]],
) -> pa.Table | pd.DataFrame | None:
    """Every incoming fact the preview compares, with its release, as one table.

    Each file's facts become Arrow on their own and the pieces are put end to end as
    Arrow, rather than concatenating the pandas frames: their categoricals have
    different categories, which pandas unifies cell by cell (half the preview's time
    for a release folder). Text stays coded, each piece with its own dictionary, in
    one type for all (`_TEXT_CODES`): spelling every cell out as a string was a third
    of the preview's CPU."""
    if not incoming:
        return None
    pieces = []
    for frame, release in incoming:
        if isinstance(frame, pa.Table):  # the facts already made scannable
            table = frame.select(PREVIEW_COLUMNS)
        else:
            table = scannable(frame[PREVIEW_COLUMNS])
        if not isinstance(table, pa.Table):  # a column Arrow cannot hold: pandas throughout
            frames = [
                (f if isinstance(f, pd.DataFrame) else f.to_pandas()).assign(release=r)
                for f, r in incoming
            ]
            return pd.concat(frames, ignore_index=True)[[*PREVIEW_COLUMNS, "release"]]
        columns = [
            column.cast(_TEXT_CODES) if pa.types.is_dictionary(column.type) else column
            for column in table.columns
        ]
        columns.append(pa.array([release] * table.num_rows, type=pa.string()))
        pieces.append(pa.table(columns, names=[*PREVIEW_COLUMNS, "release"]))
    return pa.concat_tables(pieces, promote_options="permissive")


def preview_facts(
    con: duckdb.DuckDBPyConnection, incoming: list[tuple[pd.DataFrame | pa.Table, str]]
) -> Preview:
    """Compare incoming facts (each frame with its release) with what the store shows.

    A file's facts may come as the Arrow table `scannable` made of them (the loader
    converts each file's facts once, for the preview and for the write).

    The comparison and the counts are worked out in DuckDB; only the revised
    figures come back as rows (a release folder has hundreds of thousands of
    facts, nearly all new or unchanged).
    """
    result = Preview()
    batch = _incoming_batch([(frame, release) for frame, release in incoming if len(frame)])
    if batch is None:
        return result
    cursor = con.cursor()
    cursor.register("incoming_preview", batch)
    try:
        # Only the datasets (and, for a council's own return, the areas) in the
        # batch: filters on the view's partition columns reach the table scan.
        datasets = _distinct(cursor, "dataset")
        areas = _distinct(cursor, "area_code", limit=51)
        where = f"dataset IN ({_literals(datasets)})"
        if len(areas) <= 50:
            where += f" AND area_code IN ({_literals(areas)})"
        compared = f"""
            WITH shown AS (SELECT * FROM current_facts WHERE {where}),
            compared AS (
                SELECT i.*, c.value AS old_value, c.symbol AS old_symbol,
                       c.release AS old_release, c.dataset IS NOT NULL AS exists_now
                FROM incoming_preview i
                LEFT JOIN shown c USING ({", ".join(KEY)})
            ),
            judged AS (
                SELECT *,
                       exists_now AND release < old_release AS older,
                       ((value IS NULL AND old_value IS NULL)
                        OR abs(value - old_value) <= 1e-9 * greatest(abs(old_value), 1))
                       AND coalesce(symbol, '') = coalesce(old_symbol, '') AS same
                FROM compared
            )
        """
        counts = cursor.execute(
            f"""{compared}
            SELECT count(*) FILTER (WHERE NOT exists_now),
                   count(*) FILTER (WHERE older),
                   count(*) FILTER (WHERE exists_now AND NOT older AND coalesce(same, false))
            FROM judged
            """
        ).fetchall()[0]
        revised = cursor.execute(
            f"""{compared}
            SELECT * FROM judged
            WHERE exists_now AND NOT older AND NOT coalesce(same, false)
            """
        ).df()
        new_periods = cursor.execute(
            """
            SELECT DISTINCT dataset, time_period FROM incoming_preview i
            WHERE NOT EXISTS (SELECT 1 FROM facts f
                              WHERE f.dataset = i.dataset AND f.time_period = i.time_period)
            ORDER BY dataset, time_period
            """
        ).fetchall()
        local_titles = {}
        if (revised["dataset"] == QUARTERLY_DATASET).any():  # the council's own indicators
            rows = cursor.execute("SELECT indicator_id, title FROM current_local_indicators")
            local_titles = dict(rows.fetchall())
    finally:
        cursor.unregister("incoming_preview")
        cursor.close()
    result.new_facts, result.older_than_shown, result.unchanged_facts = (int(n) for n in counts)
    result.revised_facts = len(revised)
    titles = {spec.id: spec.title for spec in DATASETS} | {QUARTERLY_DATASET: "Quarterly return"}
    indicators = catalogue_titles() | local_titles
    result.revisions = pd.DataFrame(
        {
            "dataset": revised["dataset"],
            "dataset_title": [titles.get(d, d) for d in revised["dataset"]],
            "time_period": revised["time_period"],
            "area_name": revised["area_name"],
            "cohort": revised["cohort"],
            "breakdown": revised["breakdown"],
            "breakdown_label": [
                indicators.get(b, b) if d == QUARTERLY_DATASET else b
                for d, b in zip(revised["dataset"], revised["breakdown"], strict=True)
            ],
            "variant": revised["variant"],
            "measure": revised["measure"],
            "measure_label": [MEASURE_LABELS.get(m, m) for m in revised["measure"]],
            "old_value": _shown(revised["old_value"], revised["old_symbol"]),
            "new_value": _shown(revised["value"], revised["symbol"]),
            "old_release": revised["old_release"],
            "new_release": revised["release"],
        },
        columns=REVISION_COLUMNS,
    ).reset_index(drop=True)
    for dataset, period in new_periods:
        result.new_periods.setdefault(dataset, []).append(str(period))
    return result


def _distinct(cursor: duckdb.DuckDBPyConnection, column: str, limit: int | None = None) -> list:
    """The distinct values of one column of the incoming batch, sorted (at most ``limit``)."""
    rows = cursor.execute(
        f"SELECT DISTINCT {column} FROM incoming_preview ORDER BY 1"
        + (f" LIMIT {limit}" if limit else "")
    ).fetchall()
    return [row[0] for row in rows]


def _shown(values: pd.Series, symbols: pd.Series) -> list[str]:
    shown = []
    for value, symbol in zip(values, symbols, strict=True):
        if isinstance(symbol, str) and symbol:
            shown.append(symbol)
        elif pd.isna(value):
            shown.append("")
        else:
            shown.append(f"{float(value):,.10g}")
    return shown


def _literals(values: list[str]) -> str:
    """SQL string literals, quotes doubled: constant filters reach the view's table scan."""
    return ", ".join("'" + str(v).replace("'", "''") + "'" for v in values)
