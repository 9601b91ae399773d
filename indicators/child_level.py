"""Indicators at every quarter end from a council's SSDA903 child-level extracts.

Between the DfE's annual releases, the panel's latest position comes from the
council's own extract. Each indicator follows the DfE's definition (and keeps
the catalogue's id) wherever the DfE publishes one; docs/METHODOLOGY.md says
which counting rules the app had to choose where the DfE's are not published
in full. Everything is computed in DuckDB over the stored episodes, so a
region's worth of extracts takes seconds.

Nothing child-level leaves this module: `quarterly_extract_figures` protects
small numbers (and the cells that would let them be worked out by subtraction)
before returning. The raw counts are private to the module.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from loaders.ssda903 import quarter_ends_covered, quarter_label

# Counts below this many children (and shares built on them, or on their complement)
# are shown as 'c'. See docs/METHODOLOGY.md, "Small numbers", for the default.
SMALL_COUNT_ENV = "CP_SMALL_COUNT"
DEFAULT_SMALL_COUNT = 5

SHORT_BREAKS = ("V3", "V4")
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
EET = ("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5")
HIGHER_EDUCATION = ("F1", "P1")
# The DfE's placement groups (children looked after on 31 March by placement).
PLACEMENT_GROUPS: dict[str, tuple[str, ...]] = {
    "foster_pct": ("U1", "U2", "U3", "U4", "U5", "U6"),
    "placed_for_adoption_pct": ("A3", "A4", "A5", "A6"),
    "placed_with_parents_pct": ("P1",),
    "childrens_homes_pct": ("K1", "K2", "K3"),
    # Z11-Z14 replaced H5, P2 (and Z1) in 2025-26; counted here until the DfE
    # publishes its 2025-26 grouping (docs/METHODOLOGY.md).
    "independent_living_pct": ("H5", "P2", "Z11", "Z12", "Z13", "Z14"),
    "other_residential_pct": ("R1", "R2", "R3", "R5"),
    "residential_schools_pct": ("S1",),
}
OTHER_PLACEMENTS = "other_placements_pct"  # everything else, including codes not valid
PROVIDER_GROUPS: dict[str, tuple[str, ...]] = {
    "provider_own_pct": ("PR1",),
    "provider_other_la_pct": ("PR2",),
    "provider_private_pct": ("PR4",),
    "provider_voluntary_pct": ("PR5",),
}
OTHER_PROVIDER = "provider_other_pct"  # PR0, PR3, blank or not valid
HEALTH_FLAGS = {
    "health_assessment_pct": "health_assessment",
    "dental_check_pct": "teeth_check",
    "immunisations_pct": "immunisations",
    "substance_misuse_pct": "substance_misuse",
}
RAW_COLUMNS = ["quarter_end", "indicator_id", "numerator", "denominator", "value", "group_id"]


def small_count_threshold() -> int:
    """The smallest count shown (default 5: counts of 1 to 4 become 'c')."""
    text = os.environ.get(SMALL_COUNT_ENV, "")
    return int(text) if text.strip().isdigit() and int(text) >= 1 else DEFAULT_SMALL_COUNT


@cache
def extract_definitions() -> tuple[dict[str, object], ...]:
    """The indicators only an extract gives (indicators/extract_indicators.toml)."""
    path = Path(__file__).with_name("extract_indicators.toml")
    return tuple(tomllib.loads(path.read_text(encoding="utf-8"))["indicator"])


@dataclass(frozen=True)
class ExtractQuarter:
    """A quarter end and the extract its figures come from (the newest that covers it)."""

    quarter_end: date
    load_id: int
    as_at: date


def extract_quarters(con: duckdb.DuckDBPyConnection, la_code: str) -> list[ExtractQuarter]:
    """Every quarter end some extract of the council covers, each from the newest one.

    A later extract (by as-at date, then by load) supersedes earlier ones for
    the quarter ends it covers; older quarter ends still come from the older
    extract when the newer one does not reach back that far.
    """
    extracts = con.execute(
        "SELECT load_id, as_at, covers_from FROM extracts WHERE la_code = ? "
        "ORDER BY as_at, load_id",
        [la_code],
    ).fetchall()
    chosen: dict[date, ExtractQuarter] = {}
    for load_id, as_at, start in extracts:
        for end in quarter_ends_covered(start, as_at):
            chosen[end] = ExtractQuarter(end, int(load_id), as_at)
    return [chosen[end] for end in sorted(chosen)]


def has_extract(con: duckdb.DuckDBPyConnection, la_code: str) -> bool:
    rows = con.execute("SELECT count(*) FROM extracts WHERE la_code = ?", [la_code]).fetchall()
    return bool(rows[0][0])


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


# ------------------------------------------------------------------ raw figures (private)
_EPISODES = f"""
    -- Each episode with its period-of-care start and placement start.
    WITH flagged AS (
        SELECT e.*,
            lag(place) OVER w AS place_1, lag(place, 2) OVER w AS place_2,
            lag(place_provider, 2) OVER w AS provider_2, lag(urn, 2) OVER w AS urn_2,
            min(decom) OVER (PARTITION BY load_id, child) AS first_decom
        FROM extract_episodes e
        WHERE load_id IN (SELECT load_id FROM picks)
        WINDOW w AS (PARTITION BY load_id, child ORDER BY decom, dec NULLS LAST)
    ), marked AS (
        SELECT *,
            -- A new placement: not a legal-status change only, not a temporary placement,
            -- not a return to the carer the child had before a temporary one, and not a
            -- same-day episode (starts and ends on one day).
            (rne <> 'L' AND coalesce(place, '') NOT IN ({_sql_list(TEMPORARY)})
             AND (dec IS NULL OR dec > decom)
             AND NOT (coalesce(place_1, '') IN ({_sql_list(TEMPORARY)})
                      AND place = place_2 AND place_provider = provider_2
                      AND coalesce(urn, '') = coalesce(urn_2, ''))
            ) AS new_placement,
            -- Placed for adoption with the current foster carer (A3, A5) continues the
            -- foster placement for long-term stability.
            (place IN ('A3', 'A5') AND place_1 LIKE 'U%') AS adoption_by_carer
        FROM flagged
    )
    SELECT *,
        coalesce(max(CASE WHEN rne = 'S' THEN decom END) OVER upto, first_decom) AS care_start,
        coalesce(max(CASE WHEN new_placement AND NOT adoption_by_carer THEN decom END)
                 OVER upto, first_decom) AS placement_start
    FROM marked
    WINDOW upto AS (PARTITION BY load_id, child ORDER BY decom, dec NULLS LAST
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
"""

_AT_DATE = """
    -- Children looked after at each quarter end (the latest episode open that day).
    SELECT p.load_id, p.q, e.child,
        arg_max(e.ls, e.decom) AS ls, arg_max(e.place, e.decom) AS place,
        arg_max(e.place_provider, e.decom) AS provider, arg_max(e.pl_la, e.decom) AS pl_la,
        arg_max(e.care_start, e.decom) AS care_start,
        arg_max(e.placement_start, e.decom) AS placement_start
    FROM picks p JOIN episodes e
      ON e.load_id = p.load_id AND e.decom <= p.q AND (e.dec IS NULL OR e.dec > p.q)
    GROUP BY p.load_id, p.q, e.child
"""


def _raw_figures(
    con: duckdb.DuckDBPyConnection, la_code: str, picks: list[ExtractQuarter]
) -> pd.DataFrame:
    """Every indicator's numerator and denominator at each quarter end, unprotected."""
    if not picks:
        return pd.DataFrame(columns=RAW_COLUMNS)
    cursor = con.cursor()
    cursor.register(
        "picks_frame",
        pd.DataFrame(
            {
                "load_id": [p.load_id for p in picks],
                "q": [p.quarter_end for p in picks],
                "as_at": [p.as_at for p in picks],
            }
        ),
    )
    cursor.execute(
        "CREATE OR REPLACE TEMP TABLE picks AS SELECT load_id::INTEGER AS load_id, q::DATE AS q, "
        "(q::DATE - INTERVAL 1 YEAR)::DATE AS y1, as_at::DATE AS as_at FROM picks_frame"
    )
    cursor.execute(f"CREATE OR REPLACE TEMP TABLE episodes AS {_EPISODES}")
    cursor.execute(f"CREATE OR REPLACE TEMP TABLE at_date AS {_AT_DATE}")
    cursor.execute(
        "CREATE OR REPLACE TEMP TABLE cla AS SELECT a.*, c.dob FROM at_date a "
        "LEFT JOIN extract_children c ON c.load_id = a.load_id AND c.child = a.child "
        f"WHERE coalesce(a.ls, '') NOT IN ({_sql_list(SHORT_BREAKS)})"
    )
    parts = [
        _cla_and_flows(cursor, la_code),
        _placement_groups(cursor),
        _stability(cursor),
        _missing(cursor),
        _care_leavers(cursor),
        _reviews(cursor),
        _uasc(cursor),
        _health(cursor),
        _out_of_area(cursor, la_code),
    ]
    for table in ("picks", "episodes", "at_date", "cla"):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.unregister("picks_frame")
    raw = pd.concat([p for p in parts if len(p)], ignore_index=True)
    raw["quarter_end"] = pd.to_datetime(raw["quarter_end"]).dt.date
    # DuckDB returns rows in no set order; a fixed order keeps protection repeatable.
    return raw[RAW_COLUMNS].sort_values(["quarter_end", "indicator_id"], ignore_index=True)


def _frame(cursor: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    frame = cursor.execute(sql).df()
    for column in RAW_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    return frame


def _population(cursor: duckdb.DuckDBPyConnection, la_code: str) -> dict[int, float]:
    """0-17 population by mid-year: ONS's file, else the one DfE publishes with its rates."""
    rows = cursor.execute(
        """
        SELECT year, value FROM current_facts
        WHERE dataset = 'ons_population' AND geographic_level = 'Local authority'
          AND area_code = ? AND measure = 'population_estimate' AND value IS NOT NULL
        """,
        [la_code],
    ).fetchall()
    population = {int(year): float(value) for year, value in rows}
    if not population:  # DfE's rates file carries the mid-(Y-1) estimate under year Y
        rows = cursor.execute(
            """
            SELECT year - 1, max(value) FROM current_facts
            WHERE dataset = 'cla_number_and_rate' AND area_code = ?
              AND measure = 'population_estimate' AND value IS NOT NULL GROUP BY year
            """,
            [la_code],
        ).fetchall()
        population = {int(year): float(value) for year, value in rows}
    return population


def _mid_year(quarter_end: date) -> int:
    """The ONS mid-year a quarter end's rate uses: the one in its financial year
    (31 March 2025 uses mid-2024, as the DfE's rates do)."""
    return quarter_end.year if quarter_end.month > 3 else quarter_end.year - 1


def _cla_and_flows(cursor: duckdb.DuckDBPyConnection, la_code: str) -> pd.DataFrame:
    counts = cursor.execute(
        f"""
        SELECT p.q AS quarter_end,
            (SELECT count(*) FROM cla c WHERE c.load_id = p.load_id AND c.q = p.q) AS looked_after,
            (SELECT count(DISTINCT e.child) FROM extract_episodes e
             WHERE e.load_id = p.load_id AND e.rne = 'S' AND e.decom > p.y1 AND e.decom <= p.q
               AND coalesce(e.ls, '') NOT IN ({_sql_list(SHORT_BREAKS)})) AS started,
            (SELECT count(DISTINCT e.child) FROM extract_episodes e
             WHERE e.load_id = p.load_id AND e.dec > p.y1 AND e.dec <= p.q
               AND coalesce(e.rec, '') <> 'X1'
               AND coalesce(e.ls, '') NOT IN ({_sql_list(SHORT_BREAKS)})) AS ceased
        FROM picks p
        """
    ).df()
    population = _population(cursor, la_code)
    rows = []
    for record in counts.itertuples():
        end = pd.Timestamp(record.quarter_end).date()
        rows.append((end, "cla_count", record.looked_after, None, record.looked_after, None))
        known = [y for y in population if y <= _mid_year(end)]
        if not known:
            continue
        people = population[max(known)]
        for indicator, number in (
            ("cla_rate_per_10k", record.looked_after),
            ("cla_starts_rate_per_10k", record.started),
            ("cla_ceased_rate_per_10k", record.ceased),
        ):
            rows.append((end, indicator, number, people, 10_000 * number / people, None))
    return pd.DataFrame(rows, columns=RAW_COLUMNS)


def _placement_groups(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    place_cases = " ".join(
        f"WHEN place IN ({_sql_list(codes)}) THEN '{indicator}'"
        for indicator, codes in PLACEMENT_GROUPS.items()
    )
    provider_cases = " ".join(
        f"WHEN provider IN ({_sql_list(codes)}) THEN '{indicator}'"
        for indicator, codes in PROVIDER_GROUPS.items()
    )
    everything = [*PLACEMENT_GROUPS, OTHER_PLACEMENTS, *PROVIDER_GROUPS, OTHER_PROVIDER]
    groups = ", ".join(
        f"('{i}', '{'placement' if i in (*PLACEMENT_GROUPS, OTHER_PLACEMENTS) else 'provider'}')"
        for i in everything
    )
    return _frame(
        cursor,
        f"""
        WITH grouped AS (
            SELECT load_id, q, child, provider, place,
                CASE {place_cases} ELSE '{OTHER_PLACEMENTS}' END AS placement_group,
                CASE {provider_cases} ELSE '{OTHER_PROVIDER}' END AS provider_group
            FROM cla
        ), totals AS (SELECT load_id, q, count(*) AS total FROM cla GROUP BY ALL),
        cells AS (
            SELECT load_id, q, placement_group AS indicator_id, count(*) AS n
            FROM grouped GROUP BY ALL
            UNION ALL
            SELECT load_id, q, provider_group, count(*) FROM grouped GROUP BY ALL
        ), every_cell AS (
            SELECT t.load_id, t.q, t.total, g.indicator_id, g.group_name
            FROM totals t CROSS JOIN (VALUES {groups}) g(indicator_id, group_name)
        ), foster AS (
            SELECT load_id, q, count(*) AS total,
                   count(*) FILTER (WHERE provider = 'PR1') AS own
            FROM grouped WHERE placement_group = 'foster_pct' GROUP BY ALL
        )
        SELECT x.q AS quarter_end, x.indicator_id, coalesce(c.n, 0) AS numerator,
               x.total AS denominator, 100.0 * coalesce(c.n, 0) / x.total AS value,
               x.group_name AS group_id
        FROM every_cell x LEFT JOIN cells c USING (load_id, q, indicator_id)
        UNION ALL
        SELECT q, 'foster_own_provision_pct', own, total, 100.0 * own / total, NULL
        FROM foster
        """,
    )


def _stability(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(
        cursor,
        """
        WITH moves AS (
            -- Placements in the 12 months to the quarter end: the one the child was in
            -- when the year began (if looked after then), and each new placement after.
            SELECT c.load_id, c.q, c.child,
                max(CASE WHEN e.decom <= p.y1 THEN 1 ELSE 0 END)
                + count(*) FILTER (WHERE e.decom > p.y1 AND e.new_placement) AS placements
            FROM cla c JOIN picks p USING (load_id, q)
            JOIN episodes e ON e.load_id = c.load_id AND e.child = c.child
              AND e.decom <= c.q AND (e.dec IS NULL OR e.dec > p.y1)
            GROUP BY ALL
        ), three AS (
            SELECT c.q, count(*) AS total,
                count(*) FILTER (WHERE coalesce(m.placements, 0) >= 3) AS three_plus
            FROM cla c LEFT JOIN moves m USING (load_id, q, child) GROUP BY ALL
        ), long_term AS (
            -- Under 16, looked after for 2.5 years or more, same placement for 2 years.
            SELECT q, count(*) AS total,
                count(*) FILTER (WHERE placement_start <= (q - INTERVAL 2 YEAR)) AS stable
            FROM cla
            WHERE dob IS NOT NULL AND dob > (q - INTERVAL 16 YEAR)
              AND care_start <= (q - INTERVAL 30 MONTH)
            GROUP BY ALL
        )
        SELECT q AS quarter_end, 'placements_3plus_pct' AS indicator_id,
               three_plus AS numerator, total AS denominator,
               100.0 * three_plus / total AS value
        FROM three
        UNION ALL
        SELECT q, 'long_term_stability_pct', stable, total, 100.0 * stable / total FROM long_term
        """,
    )


def _missing(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(
        cursor,
        f"""
        WITH during AS (
            SELECT DISTINCT p.load_id, p.q, e.child FROM picks p JOIN extract_episodes e
              ON e.load_id = p.load_id AND e.decom <= p.q AND (e.dec IS NULL OR e.dec > p.y1)
            WHERE coalesce(e.ls, '') NOT IN ({_sql_list(SHORT_BREAKS)})
        ), incidents AS (
            SELECT d.load_id, d.q, d.child, m.kind
            FROM during d JOIN picks p USING (load_id, q)
            JOIN extract_missing m ON m.load_id = d.load_id AND m.child = d.child
              AND m.mis_start > p.y1 AND m.mis_start <= p.q
        ), totals AS (
            SELECT d.load_id, d.q, count(*) AS children FROM during d GROUP BY ALL
        ), counts AS (
            SELECT load_id, q,
                count(DISTINCT child) FILTER (WHERE kind = 'M') AS went_missing,
                count(*) FILTER (WHERE kind = 'M') AS missing_incidents,
                count(DISTINCT child) FILTER (WHERE kind = 'A') AS away
            FROM incidents GROUP BY ALL
        )
        SELECT t.q AS quarter_end, 'missing_pct' AS indicator_id,
               coalesce(c.went_missing, 0) AS numerator, t.children AS denominator,
               100.0 * coalesce(c.went_missing, 0) / t.children AS value
        FROM totals t LEFT JOIN counts c USING (load_id, q)
        UNION ALL
        SELECT t.q, 'away_without_authorisation_pct', coalesce(c.away, 0), t.children,
               100.0 * coalesce(c.away, 0) / t.children
        FROM totals t LEFT JOIN counts c USING (load_id, q)
        UNION ALL
        -- The average is over children who went missing: its 'numerator' for protection
        -- is that number of children.
        SELECT t.q, 'missing_incidents_per_child', c.went_missing, c.went_missing,
               c.missing_incidents / c.went_missing
        FROM totals t JOIN counts c USING (load_id, q) WHERE c.went_missing > 0
        """,
    )


def _care_leavers(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """OC3: care leavers whose 17th to 21st birthday fell in the 12 months to the date."""
    return _frame(
        cursor,
        f"""
        WITH birthdays AS (
            SELECT p.q, l.*, age
            FROM picks p JOIN extract_care_leavers l ON l.load_id = p.load_id
            CROSS JOIN range(17, 22) ages(age)
            WHERE (l.dob + to_years(age::INTEGER))::DATE > p.y1
              AND (l.dob + to_years(age::INTEGER))::DATE <= p.q
        ), groups AS (
            SELECT q, CASE WHEN age >= 19 THEN '19_21' ELSE '17_18' END AS ages,
                count(*) AS total,
                count(*) FILTER (WHERE in_touch = 'YES') AS in_touch,
                count(*) FILTER (WHERE activ IN ({_sql_list(EET)})) AS eet,
                count(*) FILTER (WHERE activ IN ({_sql_list(HIGHER_EDUCATION)})) AS higher,
                count(*) FILTER (WHERE length(accom) = 2 AND accom LIKE '%1') AS suitable
            FROM birthdays GROUP BY ALL
        )
        SELECT q AS quarter_end, 'care_leavers_' || ages || '_eet_pct' AS indicator_id,
               eet AS numerator, total AS denominator, 100.0 * eet / total AS value
        FROM groups
        UNION ALL
        SELECT q, 'care_leavers_' || ages || '_suitable_accom_pct', suitable, total,
               100.0 * suitable / total FROM groups
        UNION ALL
        SELECT q, 'care_leavers_19_21_in_touch_pct', in_touch, total, 100.0 * in_touch / total
        FROM groups WHERE ages = '19_21'
        UNION ALL
        SELECT q, 'care_leavers_higher_education_pct', higher, total, 100.0 * higher / total
        FROM groups WHERE ages = '19_21'
        UNION ALL
        SELECT q, 'care_leavers_19_21_count', total, NULL, total FROM groups WHERE ages = '19_21'
        """,
    )


def _reviews(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(
        cursor,
        """
        SELECT p.q AS quarter_end, 'review_participation_pct' AS indicator_id,
            count(*) FILTER (WHERE r.review_code IN ('PN1','PN2','PN3','PN4','PN5','PN6'))
                AS numerator,
            count(*) AS denominator,
            100.0 * numerator / count(*) AS value
        FROM picks p JOIN extract_reviews r ON r.load_id = p.load_id
          AND r.review > p.y1 AND r.review <= p.q
        WHERE r.review_code IN ('PN1','PN2','PN3','PN4','PN5','PN6','PN7')
        GROUP BY ALL
        """,
    )


def _uasc(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(
        cursor,
        """
        SELECT p.q AS quarter_end, 'uasc_count' AS indicator_id,
            count(u.child) AS numerator, NULL AS denominator, count(u.child) AS value
        FROM picks p JOIN cla c USING (load_id, q)
        LEFT JOIN extract_uasc u ON u.load_id = c.load_id AND u.child = c.child
          AND (u.duc IS NULL OR u.duc > c.q)
        WHERE EXISTS (SELECT 1 FROM extract_uasc x WHERE x.load_id = p.load_id)
        GROUP BY ALL
        """,
    )


def _health(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """OC2, for the 31 March the extract's health table describes (its last complete year)."""
    flags = ",\n".join(
        f"count(*) FILTER (WHERE h.{column} = '1') AS {indicator}"
        for indicator, column in HEALTH_FLAGS.items()
    )
    counts = cursor.execute(
        f"""
        WITH cohort AS (
            SELECT c.*, extract(year FROM age(c.q::TIMESTAMP, c.dob::TIMESTAMP)) AS age
            FROM cla c JOIN picks p USING (load_id, q)
            WHERE month(c.q) = 3 AND c.q > (p.as_at - INTERVAL 1 YEAR)
              AND c.care_start <= (c.q - INTERVAL 1 YEAR)
              AND EXISTS (SELECT 1 FROM extract_health x WHERE x.load_id = c.load_id)
        )
        SELECT c.q AS quarter_end, count(*) AS total, {flags},
            count(*) FILTER (WHERE c.age < 5) AS under_5,
            count(*) FILTER (WHERE c.age < 5 AND h.health_check = '1') AS development,
            count(*) FILTER (WHERE c.age >= 10) AS aged_10_plus,
            count(*) FILTER (WHERE c.age >= 10 AND h.convicted = '1') AS convicted,
            count(h.sdq_score) FILTER (WHERE c.age BETWEEN 5 AND 16) AS with_sdq,
            avg(h.sdq_score) FILTER (WHERE c.age BETWEEN 5 AND 16) AS sdq_mean,
            count(*) FILTER (WHERE c.age BETWEEN 5 AND 16 AND h.sdq_score >= 17) AS sdq_concern
        FROM cohort c LEFT JOIN extract_health h ON h.load_id = c.load_id AND h.child = c.child
        GROUP BY ALL
        """
    ).df()
    rows = []
    for record in counts.to_dict("records"):
        end = record["quarter_end"]
        pairs = [(indicator, record[indicator], record["total"]) for indicator in HEALTH_FLAGS]
        pairs += [
            ("development_checks_pct", record["development"], record["under_5"]),
            ("convictions_pct", record["convicted"], record["aged_10_plus"]),
            ("sdq_concern_pct", record["sdq_concern"], record["with_sdq"]),
        ]
        for indicator, part, whole in pairs:
            if whole:
                rows.append((end, indicator, part, whole, 100.0 * part / whole, None))
        if record["with_sdq"]:
            rows.append(
                (end, "sdq_mean", record["with_sdq"], record["with_sdq"], record["sdq_mean"], None)
            )
    return pd.DataFrame(rows, columns=RAW_COLUMNS)


def _out_of_area(cursor: duckdb.DuckDBPyConnection, la_code: str) -> pd.DataFrame:
    """Children placed outside the council, where the extract says where (PL_LA)."""
    codes = [la_code] + [
        row[0]
        for row in cursor.execute(
            "SELECT DISTINCT new_la_code FROM areas WHERE area_code = ? AND new_la_code "
            "IS NOT NULL",
            [la_code],
        ).fetchall()
    ]
    return _frame(
        cursor,
        f"""
        SELECT c.q AS quarter_end, 'placed_outside_la_pct' AS indicator_id,
            count(*) FILTER (WHERE c.pl_la <> '' AND c.pl_la NOT IN ({_sql_list(tuple(codes))}))
                AS numerator,
            count(*) AS denominator, 100.0 * numerator / count(*) AS value
        FROM cla c JOIN extracts x ON x.load_id = c.load_id AND x.has_pl_la
        GROUP BY ALL
        """,
    )


# ------------------------------------------------------------------ protection
def protect(raw: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """Hide small numbers before any figure leaves this module.

    A count below the threshold becomes 'c', as does a share or rate whose
    numerator is below it, a share whose complement (denominator - numerator)
    is below it, and an average over fewer children than the threshold. Then
    complementary suppression: within cells that add up to a shown total
    (placement groups, provider groups), one hidden cell could be worked out by
    subtraction, so the next smallest cell is hidden too.
    """
    limit = small_count_threshold() if threshold is None else threshold
    figures = raw.copy()

    def small(series: pd.Series) -> pd.Series:
        numbers = pd.to_numeric(series, errors="coerce")
        return numbers.between(1, limit - 1)

    complement = pd.to_numeric(figures["denominator"], errors="coerce") - pd.to_numeric(
        figures["numerator"], errors="coerce"
    )
    is_share = figures["indicator_id"].str.endswith("_pct")
    hidden = small(figures["numerator"]) | (is_share & small(complement))
    hidden |= figures["indicator_id"].isin(["sdq_mean", "missing_incidents_per_child"]) & (
        pd.to_numeric(figures["denominator"], errors="coerce") < limit
    )
    figures["hidden"] = hidden
    numerators = pd.to_numeric(figures["numerator"], errors="coerce").fillna(0)
    grouped = figures["group_id"].notna()
    for _, cells in figures[grouped].groupby(["quarter_end", "group_id"]):
        hidden_cells = cells.index[cells["hidden"]]
        if len(hidden_cells) == 0:
            continue
        # Hide the next smallest cells until no hidden cell can be worked out and the
        # hidden cells together hold at least `limit` children.
        candidates = cells[~cells["hidden"]].assign(n=numerators[cells.index])
        for index in candidates.sort_values(["n", "indicator_id"]).index:
            together = numerators[
                figures.index[grouped & figures["hidden"]].intersection(cells.index)
            ].sum()
            if figures.loc[cells.index, "hidden"].sum() >= 2 and together >= limit:
                break
            figures.loc[index, "hidden"] = True
    figures["symbol"] = figures["hidden"].map({True: "c", False: None})
    figures.loc[figures["hidden"], "value"] = float("nan")
    return figures.drop(columns=["hidden", "numerator", "denominator", "group_id"])


def quarterly_extract_figures(
    con: duckdb.DuckDBPyConnection, la_code: str, threshold: int | None = None
) -> pd.DataFrame:
    """Every indicator at every covered quarter end, small numbers protected.

    Columns: quarter_end, time_period (202425), quarter (Q1-Q4), indicator_id,
    value, symbol ('c' when protected), load_id and as_at of the extract used.
    """
    picks = extract_quarters(con, la_code)
    raw = _raw_figures(con, la_code, picks)
    if raw.empty:
        return pd.DataFrame(
            columns=[
                "quarter_end",
                "time_period",
                "quarter",
                "indicator_id",
                "value",
                "symbol",
                "load_id",
                "as_at",
            ]
        )
    figures = protect(raw, threshold)
    source = {p.quarter_end: p for p in picks}
    labels = [quarter_label(end) for end in figures["quarter_end"]]
    figures["time_period"] = [period for period, _ in labels]
    figures["quarter"] = [quarter for _, quarter in labels]
    figures["load_id"] = [source[end].load_id for end in figures["quarter_end"]]
    figures["as_at"] = [source[end].as_at for end in figures["quarter_end"]]
    figures["value"] = figures["value"].astype(float)
    return figures.sort_values(["indicator_id", "quarter_end"]).reset_index(drop=True)


def not_available(con: duckdb.DuckDBPyConnection, la_code: str) -> dict[str, str]:
    """Indicators an extract cannot give, with the reason (for the pages to say so)."""
    reasons: dict[str, str] = {}
    rows = con.execute(
        "SELECT bool_or(has_pl_la) FROM extracts WHERE la_code = ?", [la_code]
    ).fetchall()
    if rows and rows[0][0] is False:
        reasons["placed_outside_la_pct"] = (
            "The extract has no placement council column (PL_LA), and the app does not hold "
            "a postcode-to-council lookup, so placements outside the council cannot be "
            "counted from it."
        )
    return reasons


def extracts_loaded(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every extract in the store: whose, as at when, complete from when, which quarters.

    Sizes are counts of the whole extract (thousands of children), never a small cell.
    """
    rows = con.execute(
        """
        SELECT x.load_id, x.la_code, coalesce(a.la_name, x.la_code) AS la_name, x.as_at,
               x.covers_from, x.children, x.episodes
        FROM extracts x
        LEFT JOIN (SELECT area_code, arg_max(area_name, last_year) AS la_name FROM areas
                   WHERE geographic_level = 'Local authority' GROUP BY area_code) a
          ON a.area_code = x.la_code
        ORDER BY x.la_code, x.as_at
        """
    ).df()
    rows["quarter_ends"] = [
        len(
            quarter_ends_covered(
                start.date() if hasattr(start, "date") else start,
                end.date() if hasattr(end, "date") else end,
            )
        )
        for start, end in zip(rows["covers_from"], rows["as_at"], strict=True)
    ]
    for column in ("as_at", "covers_from"):
        rows[column] = pd.to_datetime(rows[column]).dt.strftime("%d/%m/%Y")
    return rows
