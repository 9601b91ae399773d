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

from dataclasses import dataclass
from datetime import date

import duckdb
import numpy as np
import pandas as pd

from domain.periods import quarter_end_sql, quarter_ends_covered, quarter_label, year_ending_march
from domain.registry import Ids, registry
from indicators import protection

# The threshold is the one rule's (indicators/protection.py; docs/METHODOLOGY.md,
# "Small numbers"); kept here for the pages that say it.
small_count_threshold = protection.small_count_threshold

# The ids of the figures this module computes, by name: each must be one the registry
# says an extract gives (`extract = true` in catalogue.toml, or extract_indicators.toml),
# or naming it fails. A test checks that the extract gives every one of them.
ID = Ids(registry().extract_ids())

SHORT_BREAKS = ("V3", "V4")
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
PLACED_FOR_ADOPTION = ("A3", "A4", "A5", "A6")
EET = ("F1", "P1", "F2", "P2", "F4", "P4", "F5", "P5")
HIGHER_EDUCATION = ("F1", "P1")
# The DfE's placement groups (children looked after on 31 March by placement).
PLACEMENT_GROUPS: dict[str, tuple[str, ...]] = {
    ID.foster_pct: ("U1", "U2", "U3", "U4", "U5", "U6"),
    ID.placed_for_adoption_pct: PLACED_FOR_ADOPTION,
    ID.placed_with_parents_pct: ("P1",),
    ID.childrens_homes_pct: ("K1", "K2", "K3"),
    # Z11-Z14 replaced H5, P2 (and Z1) in 2025-26; counted here until the DfE
    # publishes its 2025-26 grouping (docs/METHODOLOGY.md).
    ID.independent_living_pct: ("H5", "P2", "Z11", "Z12", "Z13", "Z14"),
    ID.other_residential_pct: ("R1", "R2", "R3", "R5"),
    ID.residential_schools_pct: ("S1",),
}
OTHER_PLACEMENTS = ID.other_placements_pct  # everything else, including codes not valid
PROVIDER_GROUPS: dict[str, tuple[str, ...]] = {
    ID.provider_own_pct: ("PR1",),
    ID.provider_other_la_pct: ("PR2",),
    ID.provider_private_pct: ("PR4",),
    ID.provider_voluntary_pct: ("PR5",),
}
OTHER_PROVIDER = ID.provider_other_pct  # PR0, PR3, blank or not valid
HEALTH_FLAGS = {
    ID.health_assessment_pct: "health_assessment",
    ID.dental_check_pct: "teeth_check",
    ID.immunisations_pct: "immunisations",
    ID.substance_misuse_pct: "substance_misuse",
}
# The figures counted from OC3 (care leavers) and from placement moves, so a page can say
# what may explain a difference from DfE's published figure (indicators/local.py).
CARE_LEAVER_IDS = (
    ID.care_leavers_17_18_eet_pct,
    ID.care_leavers_19_21_eet_pct,
    ID.care_leavers_17_18_suitable_accom_pct,
    ID.care_leavers_19_21_suitable_accom_pct,
    ID.care_leavers_19_21_in_touch_pct,
    ID.care_leavers_higher_education_pct,
    ID.care_leavers_19_21_count,
)
PLACEMENT_MOVE_IDS = (ID.placements_3plus_pct, ID.long_term_stability_pct)
RAW_COLUMNS = [
    "load_id",
    "quarter_end",
    "indicator_id",
    "numerator",
    "denominator",
    "value",
    "group_id",  # the breakdown a cell is in (placement, provider); protection reads its
    # links from indicators/linked_cells.toml, not from this column
]
FIGURE_COLUMNS = [
    "quarter_end",
    "time_period",
    "quarter",
    "indicator_id",
    "value",
    "symbol",
    "load_id",
    "as_at",
]


@dataclass(frozen=True)
class ExtractQuarter:
    """A quarter end and the extract its figures come from (the newest that covers it)."""

    quarter_end: date
    load_id: int
    as_at: date
    la_code: str = ""


def extract_quarters(
    con: duckdb.DuckDBPyConnection, la_code: str | None = None
) -> list[ExtractQuarter]:
    """Every quarter end some extract of the council (or of every council) covers,
    each from the newest one.

    A later extract (by as-at date, then by load) supersedes earlier ones for
    the quarter ends it covers; older quarter ends still come from the older
    extract when the newer one does not reach back that far.
    """
    extracts = con.execute(
        "SELECT la_code, load_id, as_at, covers_from FROM extracts "
        "WHERE ?::VARCHAR IS NULL OR la_code = ? ORDER BY la_code, as_at, load_id",
        [la_code, la_code],
    ).fetchall()
    chosen: dict[tuple[str, date], ExtractQuarter] = {}
    for council, load_id, as_at, start in extracts:
        for end in quarter_ends_covered(start, as_at):
            chosen[council, end] = ExtractQuarter(end, int(load_id), as_at, council)
    return [chosen[key] for key in sorted(chosen)]


def has_extract(con: duckdb.DuckDBPyConnection, la_code: str) -> bool:
    rows = con.execute("SELECT count(*) FROM extracts WHERE la_code = ?", [la_code]).fetchall()
    return bool(rows[0][0])


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def _quarter_ends(first: str, last: str) -> str:
    """SQL for the list of quarter ends from `first` to `last` (DATE expressions).

    Every figure counts what happened at, or in the 12 months to, a quarter end.
    Rather than pairing every record with every quarter end (a range join that
    grows with records x quarters), each record is expanded to the few quarter
    ends it can count towards and joined to the chosen ones by equality; the
    exact condition is then applied as before.
    """
    return (
        f"list_transform(generate_series(date_trunc('quarter', {first}) + INTERVAL 3 MONTH, "
        f"date_trunc('quarter', {last} + INTERVAL 1 DAY), INTERVAL 3 MONTH), "
        "lambda s: (s - INTERVAL 1 DAY)::DATE)"
    )


def _in_year_to(day: str) -> str:
    """The quarter ends whose 12 months include `day` (from `day` to a year later)."""
    return _quarter_ends(day, f"({day} + INTERVAL 1 YEAR - INTERVAL 1 DAY)")


# ------------------------------------------------------------------ raw figures (private)
_EPISODES = f"""
    -- Each episode with its period-of-care start and the start of its carer's placement.
    -- The counting rules (a)-(e) are in docs/METHODOLOGY.md, "Counting rules for SSDA903
    -- extracts"; the letters below refer to them.
    WITH flagged AS (
        SELECT e.*,
            lag(place) OVER w AS place_1, lag(place, 2) OVER w AS place_2,
            lag(place_provider, 2) OVER w AS provider_2, lag(urn, 2) OVER w AS urn_2,
            first_value(decom) OVER w AS first_decom,
            coalesce(ls, '') NOT IN ({_sql_list(SHORT_BREAKS)}) AS not_short_break
        FROM extract_episodes e
        WHERE load_id IN (SELECT load_id FROM picks)
        WINDOW w AS (PARTITION BY load_id, child ORDER BY decom, dec NULLS LAST)
    ), marked AS (
        SELECT *,
            -- A new placement: not a legal-status change only, not a temporary placement
            -- (d), not a return to the carer the child had before a temporary one, not a
            -- same-day episode (starts and ends on one day) and not a short break (c). A
            -- change of placement with the same carer (RNE T or U) is one (a).
            (rne <> 'L' AND not_short_break
             AND coalesce(place, '') NOT IN ({_sql_list(TEMPORARY)})
             AND (dec IS NULL OR dec > decom)
             AND NOT (coalesce(place_1, '') IN ({_sql_list(TEMPORARY)})
                      AND place = place_2 AND place_provider = provider_2
                      AND coalesce(urn, '') = coalesce(urn_2, ''))
            ) AS new_placement,
            -- The start of a placement for adoption (A3-A6 after any other placement):
            -- for long-term stability it and the placement before it count as one,
            -- with the current carer or a new one (e).
            (place IN ({_sql_list(PLACED_FOR_ADOPTION)})
             AND coalesce(place_1, '') NOT IN ({_sql_list(PLACED_FOR_ADOPTION)})
            ) AS adoption_begins
        FROM flagged
    )
    SELECT load_id, child, decom, dec, ls, place, place_provider, pl_la, new_placement,
        -- The episode's place in the child's time order: of two episodes open on a
        -- date, the later one (the larger number) describes the child that day.
        row_number() OVER upto AS sequence,
        not_short_break,
        -- Starting and ceasing to be looked after (short breaks do not count).
        rne = 'S' AND not_short_break AS starts_care,
        dec IS NOT NULL AND coalesce(rec, '') <> 'X1' AND not_short_break AS ends_care,
        coalesce(max(CASE WHEN rne = 'S' THEN decom END) OVER upto, first_decom) AS care_start,
        -- The period of care began under an agreed series of short breaks (c).
        coalesce(last_value(CASE WHEN rne = 'S' THEN NOT not_short_break END IGNORE NULLS)
                 OVER upto, FALSE) AS care_began_in_short_breaks,
        -- Since when the child has lived with the current carer: a new placement with a
        -- new carer (not T or U, a), bridged into a placement for adoption (e).
        coalesce(max(CASE WHEN new_placement AND rne NOT IN ('T', 'U') AND NOT adoption_begins
                          THEN decom END) OVER upto, first_decom) AS placement_start
    FROM marked
    WINDOW upto AS (PARTITION BY load_id, child ORDER BY decom, dec NULLS LAST
                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
"""

# Each child at each chosen quarter end at which they were looked after at some time
# in the 12 months before: one pass over each episode at each quarter end it touches
# (open at some time after the year began and started by the quarter end).
_CHILD_QUARTERS = f"""
    SELECT load_id, q, child,
        -- Looked after at the quarter end: the latest episode open that day (its
        -- details are joined on after: carrying them through the grouping costs more).
        max(sequence) FILTER (WHERE dec IS NULL OR dec > q) AS at_sequence,
        -- Looked after during the year other than in short breaks (missing's denominator).
        bool_or(not_short_break) AS during_year,
        -- Placements in the year: the one the child held on its first day (y1 + 1),
        -- unless it started that day and is counted as new (b); a temporary placement
        -- open then stands for the placement held behind it (d); a short break is none
        -- (c). Then each new placement that started in the year.
        max(CASE WHEN decom <= y1 + 1 AND (dec IS NULL OR dec > y1 + 1) AND not_short_break
                      AND NOT (decom > y1 AND new_placement) THEN 1 ELSE 0 END)
            + count(*) FILTER (WHERE decom > y1 AND new_placement) AS placements,
        -- Started or ceased to be looked after in the year (each child once).
        bool_or(starts_care AND decom > y1) AS started,
        bool_or(ends_care AND dec <= q) AS ceased
    FROM (
        SELECT p.q, p.y1, e.*
        FROM (
            SELECT e.load_id, e.child, e.decom, e.dec, e.not_short_break, e.new_placement,
                e.sequence, e.starts_care, e.ends_care,
                unnest({
    _quarter_ends(
        "e.decom",
        "coalesce(e.dec + INTERVAL 1 YEAR - INTERVAL 1 DAY, x.as_at)",
    )
}) AS span_q
            FROM episodes e JOIN (SELECT DISTINCT load_id, as_at FROM picks) x USING (load_id)
        ) e
        JOIN picks p ON p.load_id = e.load_id AND p.q = e.span_q
        WHERE e.decom <= p.q AND (e.dec IS NULL OR e.dec > p.y1)
    )
    GROUP BY load_id, q, child
"""


def _raw_figures(con: duckdb.DuckDBPyConnection, picks: list[ExtractQuarter]) -> pd.DataFrame:
    """Every indicator's numerator and denominator at each chosen quarter end, unprotected.

    The picks may be one council's or a whole region's: every query is keyed by
    load and quarter end, so a region is computed in one pass.
    """
    if not picks:
        return pd.DataFrame(columns=RAW_COLUMNS)
    cursor = con.cursor()
    cursor.register(
        "picks_frame",
        pd.DataFrame(
            {
                "la_code": [p.la_code for p in picks],
                "load_id": [p.load_id for p in picks],
                "q": [p.quarter_end for p in picks],
                "as_at": [p.as_at for p in picks],
            }
        ),
    )
    cursor.execute(
        "CREATE OR REPLACE TEMP TABLE picks AS SELECT la_code::VARCHAR AS la_code, "
        "load_id::INTEGER AS load_id, q::DATE AS q, (q::DATE - INTERVAL 1 YEAR)::DATE AS y1, "
        "as_at::DATE AS as_at FROM picks_frame"
    )
    cursor.execute(f"CREATE OR REPLACE TEMP TABLE episodes AS {_EPISODES}")
    cursor.execute(f"CREATE OR REPLACE TEMP TABLE child_quarters AS {_CHILD_QUARTERS}")
    cursor.execute(
        "CREATE OR REPLACE TEMP TABLE cla AS SELECT a.load_id, a.q, a.child, "
        "e.ls, e.place, e.place_provider AS provider, e.pl_la, "
        "e.care_start, e.care_began_in_short_breaks, e.placement_start, a.placements, c.dob "
        "FROM child_quarters a "
        "JOIN episodes e ON e.load_id = a.load_id AND e.child = a.child "
        "AND e.sequence = a.at_sequence "
        "LEFT JOIN extract_children c ON c.load_id = a.load_id AND c.child = a.child "
        f"WHERE coalesce(e.ls, '') NOT IN ({_sql_list(SHORT_BREAKS)})"
    )
    parts = [
        _cla_and_flows(cursor),
        _placement_groups(cursor),
        _stability(cursor),
        _missing(cursor),
        _care_leavers(cursor),
        _reviews(cursor),
        _uasc(cursor),
        _health(cursor),
        _out_of_area(cursor),
    ]
    for table in ("picks", "episodes", "child_quarters", "cla"):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.unregister("picks_frame")
    cursor.close()
    raw = pd.concat([p for p in parts if len(p)], ignore_index=True)
    raw["quarter_end"] = pd.to_datetime(raw["quarter_end"]).dt.date
    raw["load_id"] = raw["load_id"].astype(int)
    # DuckDB returns rows in no set order; a fixed order keeps protection repeatable.
    return raw[RAW_COLUMNS].sort_values(
        ["load_id", "quarter_end", "indicator_id"], ignore_index=True
    )


def _frame(cursor: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    frame = cursor.execute(sql).df()
    for column in RAW_COLUMNS:
        if column not in frame.columns:
            frame[column] = None
    return frame


def _populations(cursor: duckdb.DuckDBPyConnection) -> dict[str, dict[int, float]]:
    """Each chosen council's 0-17 population by mid-year: ONS's file, else the one DfE
    publishes with its rates (which carries the mid-(Y-1) estimate under year Y)."""
    ons = cursor.execute(
        """
        SELECT area_code, year, value FROM current_facts
        WHERE dataset = 'ons_population' AND geographic_level = 'Local authority'
          AND area_code IN (SELECT la_code FROM picks) AND measure = 'population_estimate'
          AND value IS NOT NULL
        """
    ).fetchall()
    dfe = cursor.execute(
        """
        SELECT area_code, year - 1, max(value) FROM current_facts
        WHERE dataset = 'cla_number_and_rate' AND area_code IN (SELECT la_code FROM picks)
          AND measure = 'population_estimate' AND value IS NOT NULL GROUP BY ALL
        """
    ).fetchall()
    population: dict[str, dict[int, float]] = {}
    for council, year, value in ons:
        population.setdefault(council, {})[int(year)] = float(value)
    with_ons = set(population)
    for council, year, value in dfe:
        if council not in with_ons:
            population.setdefault(council, {})[int(year)] = float(value)
    return population


def _mid_year(quarter_end: date) -> int:
    """The ONS mid-year a quarter end's rate uses: the one in its financial year
    (31 March 2025 uses mid-2024, as the DfE's rates do)."""
    return year_ending_march(quarter_end) - 1


def _cla_and_flows(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    counts = cursor.execute(
        """
        WITH looked_after AS (SELECT load_id, q, count(*) AS n FROM cla GROUP BY ALL),
        flows AS (
            SELECT load_id, q, count(*) FILTER (WHERE started) AS started,
                count(*) FILTER (WHERE ceased) AS ceased
            FROM child_quarters GROUP BY ALL
        )
        SELECT p.la_code, p.load_id, p.q AS quarter_end, coalesce(l.n, 0) AS looked_after,
            coalesce(f.started, 0) AS started, coalesce(f.ceased, 0) AS ceased
        FROM picks p LEFT JOIN looked_after l USING (load_id, q)
        LEFT JOIN flows f USING (load_id, q)
        """
    ).df()
    populations = _populations(cursor)
    rows = []
    for record in counts.itertuples():
        end = pd.Timestamp(record.quarter_end).date()
        load = record.load_id
        rows.append((load, end, ID.cla_count, record.looked_after, None, record.looked_after, None))
        population = populations.get(record.la_code, {})
        known = [y for y in population if y <= _mid_year(end)]
        if not known:
            continue
        people = population[max(known)]
        for indicator, number in (
            (ID.cla_rate_per_10k, record.looked_after),
            (ID.cla_starts_rate_per_10k, record.started),
            (ID.cla_ceased_rate_per_10k, record.ceased),
        ):
            rows.append((load, end, indicator, number, people, 10_000 * number / people, None))
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
            FROM grouped WHERE placement_group = '{ID.foster_pct}' GROUP BY ALL
        )
        SELECT x.load_id, x.q AS quarter_end, x.indicator_id,
               coalesce(c.n, 0) AS numerator, x.total AS denominator,
               100.0 * coalesce(c.n, 0) / x.total AS value, x.group_name AS group_id
        FROM every_cell x LEFT JOIN cells c USING (load_id, q, indicator_id)
        UNION ALL
        SELECT load_id, q, '{ID.foster_own_provision_pct}', own, total, 100.0 * own / total, NULL
        FROM foster
        """,
    )


def _stability(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(
        cursor,
        f"""
        WITH three AS (
            SELECT load_id, q, count(*) AS total,
                count(*) FILTER (WHERE placements >= 3) AS three_plus
            FROM cla GROUP BY ALL
        ), long_term AS (
            -- Under 16, looked after for 2.5 years or more (a period of care that began
            -- in short breaks left out, c), with the same carer for 2 years (a, e).
            SELECT load_id, q, count(*) AS total,
                count(*) FILTER (WHERE placement_start <= (q - INTERVAL 2 YEAR)) AS stable
            FROM cla
            WHERE dob IS NOT NULL AND dob > (q - INTERVAL 16 YEAR)
              AND care_start <= (q - INTERVAL 30 MONTH) AND NOT care_began_in_short_breaks
            GROUP BY ALL
        )
        SELECT load_id, q AS quarter_end, '{ID.placements_3plus_pct}' AS indicator_id,
               three_plus AS numerator, total AS denominator,
               100.0 * three_plus / total AS value
        FROM three
        UNION ALL
        SELECT load_id, q, '{ID.long_term_stability_pct}', stable, total, 100.0 * stable / total
        FROM long_term
        """,
    )


def _missing(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(
        cursor,
        f"""
        WITH incidents AS (
            -- Each child's incidents in the 12 months to each quarter end.
            SELECT m.load_id, p.q, m.child,
                count(*) FILTER (WHERE m.kind = 'M') AS missing,
                count(*) FILTER (WHERE m.kind = 'A') AS away
            FROM (SELECT *, unnest({_in_year_to("mis_start")}) AS span_q FROM extract_missing
                  WHERE load_id IN (SELECT load_id FROM picks)) m
            JOIN picks p ON p.load_id = m.load_id AND p.q = m.span_q
            WHERE m.mis_start > p.y1 AND m.mis_start <= p.q
            GROUP BY ALL
        ), counted AS (
            -- Only children looked after during the year (other than in short breaks).
            SELECT i.* FROM incidents i
            JOIN child_quarters d ON d.load_id = i.load_id AND d.q = i.q AND d.child = i.child
            WHERE d.during_year
        ), totals AS (
            SELECT load_id, q, count(*) FILTER (WHERE during_year) AS children
            FROM child_quarters GROUP BY ALL HAVING children > 0
        ), counts AS (
            SELECT load_id, q,
                count(*) FILTER (WHERE missing > 0) AS went_missing,
                sum(missing)::BIGINT AS missing_incidents,
                count(*) FILTER (WHERE away > 0) AS away
            FROM counted GROUP BY ALL
        )
        SELECT t.load_id, t.q AS quarter_end, '{ID.missing_pct}' AS indicator_id,
               coalesce(c.went_missing, 0) AS numerator, t.children AS denominator,
               100.0 * coalesce(c.went_missing, 0) / t.children AS value
        FROM totals t LEFT JOIN counts c USING (load_id, q)
        UNION ALL
        SELECT t.load_id, t.q, '{ID.away_without_authorisation_pct}', coalesce(c.away, 0),
               t.children, 100.0 * coalesce(c.away, 0) / t.children
        FROM totals t LEFT JOIN counts c USING (load_id, q)
        UNION ALL
        -- The average is over children who went missing: its 'numerator' for protection
        -- is that number of children.
        SELECT t.load_id, t.q, '{ID.missing_incidents_per_child}', c.went_missing, c.went_missing,
               c.missing_incidents / c.went_missing
        FROM totals t JOIN counts c USING (load_id, q) WHERE c.went_missing > 0
        """,
    )


def _care_leavers(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """OC3: care leavers whose 17th to 21st birthday fell in the 12 months to the date.

    Those 12 months are four whole quarters, so birthdays are counted by quarter
    first and the quarters summed.
    """
    return _frame(
        cursor,
        f"""
        WITH by_quarter AS (
            SELECT l.load_id, {quarter_end_sql("(l.dob + to_years(age::INTEGER))")} AS quarter_end,
                CASE WHEN age >= 19 THEN '19_21' ELSE '17_18' END AS ages,
                count(*) AS total,
                count(*) FILTER (WHERE in_touch = 'YES') AS in_touch,
                count(*) FILTER (WHERE activ IN ({_sql_list(EET)})) AS eet,
                count(*) FILTER (WHERE activ IN ({_sql_list(HIGHER_EDUCATION)})) AS higher,
                count(*) FILTER (WHERE length(accom) = 2 AND accom LIKE '%1') AS suitable
            FROM extract_care_leavers l CROSS JOIN range(17, 22) ages(age)
            WHERE l.load_id IN (SELECT load_id FROM picks) AND l.dob IS NOT NULL
            GROUP BY ALL
        ), groups AS (
            SELECT p.load_id, p.q, b.ages, sum(b.total)::BIGINT AS total,
                sum(b.in_touch)::BIGINT AS in_touch, sum(b.eet)::BIGINT AS eet,
                sum(b.higher)::BIGINT AS higher, sum(b.suitable)::BIGINT AS suitable
            FROM picks p
            JOIN by_quarter b ON b.load_id = p.load_id
              AND b.quarter_end > p.y1 AND b.quarter_end <= p.q
            GROUP BY ALL
        )
        SELECT load_id, q AS quarter_end,
               CASE ages WHEN '17_18' THEN '{ID.care_leavers_17_18_eet_pct}'
                    ELSE '{ID.care_leavers_19_21_eet_pct}' END AS indicator_id,
               eet AS numerator, total AS denominator, 100.0 * eet / total AS value
        FROM groups
        UNION ALL
        SELECT load_id, q,
               CASE ages WHEN '17_18' THEN '{ID.care_leavers_17_18_suitable_accom_pct}'
                    ELSE '{ID.care_leavers_19_21_suitable_accom_pct}' END, suitable, total,
               100.0 * suitable / total FROM groups
        UNION ALL
        SELECT load_id, q, '{ID.care_leavers_19_21_in_touch_pct}', in_touch, total,
               100.0 * in_touch / total
        FROM groups WHERE ages = '19_21'
        UNION ALL
        SELECT load_id, q, '{ID.care_leavers_higher_education_pct}', higher, total,
               100.0 * higher / total
        FROM groups WHERE ages = '19_21'
        UNION ALL
        SELECT load_id, q, '{ID.care_leavers_19_21_count}', total, NULL, total
        FROM groups WHERE ages = '19_21'
        """,
    )


def _reviews(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Reviews in the 12 months to each quarter end: those four whole quarters (the
    store keeps reviews counted by quarter and participation code)."""
    return _frame(
        cursor,
        f"""
        SELECT p.load_id, p.q AS quarter_end, '{ID.review_participation_pct}' AS indicator_id,
            sum(r.reviews) FILTER (WHERE r.review_code IN ('PN1','PN2','PN3','PN4','PN5','PN6'))
                ::BIGINT AS numerator,
            sum(r.reviews)::BIGINT AS denominator,
            100.0 * numerator / denominator AS value
        FROM picks p
        JOIN extract_review_quarters r ON r.load_id = p.load_id
          AND r.quarter_end > p.y1 AND r.quarter_end <= p.q
        WHERE r.review_code IN ('PN1','PN2','PN3','PN4','PN5','PN6','PN7')
        GROUP BY ALL
        """,
    )


def _uasc(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return _frame(
        cursor,
        f"""
        SELECT c.load_id, c.q AS quarter_end, '{ID.uasc_count}' AS indicator_id,
            count(u.child) AS numerator, NULL AS denominator, count(u.child) AS value
        FROM cla c
        LEFT JOIN extract_uasc u ON u.load_id = c.load_id AND u.child = c.child
          AND (u.duc IS NULL OR u.duc > c.q)
        WHERE c.load_id IN (SELECT DISTINCT load_id FROM extract_uasc
                            WHERE load_id IN (SELECT load_id FROM picks))
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
              AND c.load_id IN (SELECT DISTINCT load_id FROM extract_health
                                WHERE load_id IN (SELECT load_id FROM picks))
        )
        SELECT c.load_id, c.q AS quarter_end, count(*) AS total, {flags},
            count(*) FILTER (WHERE c.age < 5) AS under_5,
            count(*) FILTER (WHERE c.age < 5 AND h.health_check = '1') AS development,
            count(*) FILTER (WHERE c.age >= 10) AS aged_10_plus,
            count(*) FILTER (WHERE c.age >= 10 AND h.convicted = '1') AS convicted,
            count(h.sdq_score) FILTER (WHERE c.age BETWEEN 5 AND 16) AS with_sdq,
            avg(h.sdq_score) FILTER (WHERE c.age BETWEEN 5 AND 16) AS sdq_average,
            count(*) FILTER (WHERE c.age BETWEEN 5 AND 16 AND h.sdq_score >= 17) AS sdq_concern
        FROM cohort c LEFT JOIN extract_health h ON h.load_id = c.load_id AND h.child = c.child
        GROUP BY ALL
        """
    ).df()
    rows = []
    for record in counts.to_dict("records"):
        load, end = record["load_id"], record["quarter_end"]
        pairs = [(indicator, record[indicator], record["total"]) for indicator in HEALTH_FLAGS]
        pairs += [
            (ID.development_checks_pct, record["development"], record["under_5"]),
            (ID.convictions_pct, record["convicted"], record["aged_10_plus"]),
            (ID.sdq_concern_pct, record["sdq_concern"], record["with_sdq"]),
        ]
        for indicator, part, whole in pairs:
            if whole:
                rows.append((load, end, indicator, part, whole, 100.0 * part / whole, None))
        if record["with_sdq"]:
            with_sdq = record["with_sdq"]
            rows.append((load, end, ID.sdq_mean, with_sdq, with_sdq, record["sdq_average"], None))
    return pd.DataFrame(rows, columns=RAW_COLUMNS)


def _out_of_area(cursor: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Children placed outside their council, where the extract says where (PL_LA).

    A placement in the council itself, under its three-digit code or its current
    or any earlier ONS code, is inside it. Inside can be told from outside when
    the council's ONS code is known (from a DfE release) or the extract gives
    the council's own three-digit code; otherwise the extract is not counted
    (`not_available` says why).
    """
    return _frame(
        cursor,
        f"""
        WITH own_codes AS (
            SELECT DISTINCT la_code, la_code AS code FROM picks
            UNION
            SELECT DISTINCT p.la_code, a.new_la_code FROM picks p
            JOIN facts a ON a.area_code = p.la_code AND a.new_la_code IS NOT NULL
        ), recognised AS (
            SELECT x.load_id, x.la_code FROM extracts x
            WHERE x.load_id IN (SELECT load_id FROM picks) AND {_RECOGNISED}
        ), placed AS (
            SELECT c.load_id, c.q, c.pl_la <> '' AND NOT EXISTS (
                SELECT 1 FROM own_codes o WHERE o.la_code = x.la_code AND o.code = c.pl_la
            ) AS outside
            FROM cla c JOIN recognised x ON x.load_id = c.load_id
        )
        SELECT load_id, q AS quarter_end, '{ID.placed_outside_la_pct}' AS indicator_id,
            count(*) FILTER (WHERE outside) AS numerator, count(*) AS denominator,
            100.0 * numerator / count(*) AS value
        FROM placed GROUP BY ALL
        """,
    )


# An extract (x, a row of `extracts`) whose placements inside the council can be told
# from those outside: it gives PL_LA, and either a loaded DfE release names the
# council's ONS code or the extract gives the council's own three-digit code.
# (The facts themselves, not the `areas` view built from them: the same answer, without
# grouping every fact first: 9 ms against 50 ms on the demo store.)
_RECOGNISED = """x.has_pl_la AND (
    EXISTS (SELECT 1 FROM facts a WHERE a.area_code = x.la_code AND a.new_la_code IS NOT NULL)
    OR EXISTS (SELECT 1 FROM extract_episodes e WHERE e.load_id = x.load_id AND e.pl_la = x.la_code)
)"""


# ------------------------------------------------------------------ protection
def protect(raw: pd.DataFrame, threshold: int | None = None) -> pd.DataFrame:
    """Hide small numbers before any figure leaves this module.

    The one rule every figure the council gives passes through
    (`indicators.protection.protect`), grouped by extract and quarter end: counts of
    1 to 5 children (by default), shares whose numerator or complement is that small,
    averages over so few children, and then whatever cells of a breakdown (and of the
    other links in indicators/linked_cells.toml) would let a hidden number be worked
    out by adding and subtracting. Numerators and denominators stay here.
    """
    codes, ids = pd.factorize(raw["indicator_id"])
    unit = np.array([units().get(i, "") for i in ids] or [""], dtype=object)[codes]
    cells = raw.assign(unit=unit)
    protected = protection.protect(cells, ["load_id", "quarter_end"], threshold)
    return protected.drop(columns=["unit", "group_id"])


def units() -> dict[str, str]:
    """Each indicator's unit (the registry's)."""
    return registry().units()


def _protected_figures(
    con: duckdb.DuckDBPyConnection, picks: list[ExtractQuarter], threshold: int | None
) -> pd.DataFrame:
    raw = _raw_figures(con, picks)
    if raw.empty:
        return pd.DataFrame(columns=["la_code", *FIGURE_COLUMNS])
    figures = protect(raw, threshold)
    source = {(p.load_id, p.quarter_end): p for p in picks}
    chosen = [source[key] for key in zip(figures["load_id"], figures["quarter_end"], strict=True)]
    labels = [quarter_label(end) for end in figures["quarter_end"]]
    figures["time_period"] = [period for period, _ in labels]
    figures["quarter"] = [quarter for _, quarter in labels]
    figures["as_at"] = [p.as_at for p in chosen]
    figures["la_code"] = [p.la_code for p in chosen]
    figures["value"] = figures["value"].astype(float)
    return figures[["la_code", *FIGURE_COLUMNS]]


def quarterly_extract_figures(
    con: duckdb.DuckDBPyConnection, la_code: str, threshold: int | None = None
) -> pd.DataFrame:
    """Every indicator at every covered quarter end, small numbers protected.

    Columns: quarter_end, time_period (202425), quarter (Q1-Q4), indicator_id,
    value, symbol ('c' when protected), load_id and as_at of the extract used.
    """
    figures = _protected_figures(con, extract_quarters(con, la_code), threshold)
    return (
        figures[FIGURE_COLUMNS].sort_values(["indicator_id", "quarter_end"]).reset_index(drop=True)
    )


def every_council_extract_figures(
    con: duckdb.DuckDBPyConnection, threshold: int | None = None
) -> pd.DataFrame:
    """`quarterly_extract_figures` for every council with an extract, in one pass
    (a region's store; the benchmark). Adds the council's code (la_code)."""
    figures = _protected_figures(con, extract_quarters(con), threshold)
    return figures.sort_values(["la_code", "indicator_id", "quarter_end"]).reset_index(drop=True)


def not_available(con: duckdb.DuckDBPyConnection, la_code: str) -> dict[str, str]:
    """Indicators an extract cannot give, with the reason (for the pages to say so)."""
    reasons: dict[str, str] = {}
    rows = con.execute(
        "SELECT bool_or(has_pl_la) FROM extracts WHERE la_code = ?", [la_code]
    ).fetchall()
    if rows and rows[0][0] is False:
        reasons[ID.placed_outside_la_pct] = (
            "The extract has no placement council column (PL_LA), and the app does not hold "
            "a postcode-to-council lookup, so placements outside the council cannot be "
            "counted from it."
        )
    elif rows and rows[0][0]:
        ((recognised,),) = con.execute(
            f"SELECT bool_or({_RECOGNISED}) FROM extracts x WHERE x.la_code = ?", [la_code]
        ).fetchall()
        if not recognised:
            reasons[ID.placed_outside_la_pct] = (
                "The extract gives the council of each placement (PL_LA) as an ONS code, but "
                "no DfE release loaded here names this council's ONS code, so placements "
                "inside the council cannot be told from those outside. Load a DfE release "
                "that includes the council."
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
        LEFT JOIN (SELECT area_code, area_name AS la_name FROM area_names
                   WHERE geographic_level = 'Local authority') a
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
