"""The SSDA903 rules: each one SQL over the staged tables, registered with its code.

The codes are the DfE's validation rule codes (as the Data to Insight 903
validator names them) where the DfE has a rule for the same thing. Where it has
none, the code is local (CP01, CP02, ...): dates after the extract's as-at date
(the DfE's rules compare with the collection year's end, a council's extract has
its own date), duplicate rows and a child missing from Header (the Data to
Insight validator's own INT03 and INT31-INT36 integrity checks, not the DfE's).

Rules run in the order they are registered here, which is the check report's
order. Each has its own passing and failing case in tests/test_ssda903_rules.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from loaders.problems import Problem
from loaders.ssda903_rules.registry import REGISTRY, Rule, rule, sql_list, year_label
from loaders.ssda903_rules.spec import (
    ACCOMMODATION,
    ACTIVITY,
    CATEGORY_OF_NEED,
    IN_TOUCH,
    LEGAL_STATUS,
    MISSING_KIND,
    OC2_FLAGS,
    PLACE,
    PLACEMENT_PROVIDER,
    REASON_EPISODE_CEASED,
    REASON_NEW_EPISODE,
    REVIEW_PARTICIPATION,
    YES_NO,
    CodeList,
)

if TYPE_CHECKING:
    from loaders.ssda903 import Extract


# ------------------------------------------------------------------ dates
# (code, table, column, required): a date column holds dd/mm/YYYY; a required one is
# not blank. An unreadable required date sets the row aside: it cannot be placed in time.
DATE_RULES = (
    ("141", "Episodes", "DECOM", True),
    ("147", "Episodes", "DEC", False),
    ("102", "Header", "DOB", True),
    ("166", "Reviews", "REVIEW", True),
    ("1004", "Missing", "MIS_START", True),
    ("1005", "Missing", "MIS_END", False),
    ("CP01", "UASC", "DOB", False),
    ("104", "UASC", "DUC", False),
    ("CP02", "OC3", "DOB", True),
    ("CP03", "OC2", "DOB", False),
    ("115", "PlacedAdoption", "DATE_PLACED", True),
    ("116", "PlacedAdoption", "DATE_PLACED_CEASED", False),
    ("112", "AD1", "DATE_INT", False),
    ("113", "AD1", "DATE_MATCH", False),
    ("SW04STG1", "SWEpisodes", "SW_DECOM", True),
    ("SW05STG1", "SWEpisodes", "SW_DEC", False),
    ("700", "DoLo", "DOLO_START", True),
    ("701", "DoLo", "DOLO_END", False),
)


def date_rule(code: str, table: str, column: str, required: bool) -> Rule:
    def check(extract: Extract) -> list[Problem]:
        if not extract.has(table, column):
            return []
        return extract.find(
            table,
            f'"d_{column}" IS NULL AND ("{column}" <> \'\' OR {str(required).upper()})',
            "date",
            f"{column} is not a date" + (" (required)." if required else "."),
            column,
            "dd/mm/YYYY",
            severity="error",
        )

    message = f"{table} {column} is " + ("a date." if required else "a date or blank.")
    return REGISTRY.add(Rule(code, message, {table: (column,)}, check))


for _code, _table, _column, _required in DATE_RULES:
    date_rule(_code, _table, _column, _required)


# ------------------------------------------------------------------ dates in order
def order_rule(code: str, table: str, start: str, end: str) -> Rule:
    def check(extract: Extract) -> list[Problem]:
        if not extract.has(table, start, end):
            return []
        return extract.find(
            table,
            f'coalesce("d_{end}" < "d_{start}", false)',
            "date_order",
            f"{end} is before {start}; the row is set aside.",
            end,
            f"a date on or after {start}",
            severity="error",
            value=f"\"{end}\" || ' ({start} ' || \"{start}\" || ')'",
        )

    return REGISTRY.add(
        Rule(code, f"{table} {end} is not before {start}.", {table: (start, end)}, check)
    )


order_rule("356", "Episodes", "DECOM", "DEC")
order_rule("567", "Missing", "MIS_START", "MIS_END")
order_rule("522", "PlacedAdoption", "DATE_PLACED", "DATE_PLACED_CEASED")


# ------------------------------------------------------------------ after the as-at date
def after_as_at_rule(code: str, table: str, column: str) -> Rule:
    """Nothing in the extract starts after its as-at date (local: the DfE's rules
    compare with the collection year's end)."""

    def check(extract: Extract) -> list[Problem]:
        if not extract.has(table, column):
            return []
        return extract.find(
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

    message = f"{table} {column} is on or before the extract's as-at date."
    return REGISTRY.add(Rule(code, message, {table: (column,)}, check))


after_as_at_rule("CP04", "Episodes", "DECOM")
after_as_at_rule("CP05", "Reviews", "REVIEW")
after_as_at_rule("CP06", "Missing", "MIS_START")


# ------------------------------------------------------------------ codes
# The collection year of an episode's last day in the extract (its end, or the as-at date).
_EPISODE_YEAR = (
    "(SELECT *, CASE WHEN month(last_day) > 3 THEN year(last_day) + 1 ELSE year(last_day) END "
    "AS collection_year FROM (SELECT *, least(coalesce(d_DEC, ?::DATE), ?::DATE) AS last_day "
    'FROM "Episodes"))'
)


@rule(
    "146",
    "Episodes PLACE is a placement type valid in the episode's collection year.",
    {"Episodes": ("PLACE", "DEC")},
)
def check_place(extract: Extract) -> list[Problem]:
    """PLACE is valid for the collection year of the episode's last day in the extract.

    An episode that ended in 2023-24 may say H5; one still open in 2025-26 may not.
    """
    if not extract.has("Episodes", "PLACE", "DEC"):
        return []
    # One list per span of years the code list is the same, latest last.
    changed = PLACE.years_changed
    spans = [
        f"WHEN collection_year < {year} THEN [{sql_list(PLACE.for_year(year - 1))}]"
        for year in changed
    ]
    valid_list = f"CASE {' '.join(spans)} ELSE [{sql_list(PLACE.for_year(changed[-1]))}] END"
    return extract.find(
        "Episodes",
        f"PLACE <> '' AND NOT list_contains({valid_list}, PLACE)",
        "place",
        lambda year: f"PLACE is not a valid placement code in {year_label(int(year))}; "  # type: ignore[call-overload]
        "the episode is kept and counted as 'code not valid'.",
        "PLACE",
        lambda year: ", ".join(sorted(PLACE.for_year(int(year)))),  # type: ignore[call-overload]
        detail="collection_year",
        source=_EPISODE_YEAR,
        parameters=[extract.as_at, extract.as_at],
    )


def code_rule(code: str, table: str, column: str, codes: CodeList, name: str) -> Rule:
    """`column` of `table` holds one of the collection year's codes (blank allowed)."""

    def check(extract: Extract) -> list[Problem]:
        if not extract.has(table, column):
            return []
        allowed = codes.for_year(extract.collection_year)
        return extract.find(
            table,
            f'"{column}" <> \'\' AND "{column}" NOT IN ({sql_list(allowed)})',
            name,
            f"{column} is not a valid code; the row is kept and counted as 'code not valid'.",
            column,
            ", ".join(sorted(allowed)),
        )

    return REGISTRY.add(Rule(code, f"{table} {column} is a valid code.", {table: (column,)}, check))


code_rule("144", "Episodes", "LS", LEGAL_STATUS, "legal_status")
code_rule("143", "Episodes", "RNE", REASON_NEW_EPISODE, "rne")
code_rule("145", "Episodes", "CIN", CATEGORY_OF_NEED, "cin")
code_rule("178", "Episodes", "PLACE_PROVIDER", PLACEMENT_PROVIDER, "place_provider")
code_rule("149", "Episodes", "REC", REASON_EPISODE_CEASED, "rec")


@rule(
    "148",
    "An episode's end date (DEC) and reason (REC) are both given or both blank.",
    {"Episodes": ("DEC", "REC")},
)
def check_ceased_with_reason(extract: Extract) -> list[Problem]:
    """An episode with an end date has a reason it ended, and one without has none
    (X1 alone is let pass: the episode continues)."""
    if not extract.has("Episodes", "DEC", "REC"):
        return []
    return extract.find(
        "Episodes",
        "DEC <> '' AND REC = ''",
        "rec_missing",
        "The episode ended (DEC) but has no reason (REC); it is counted as ceasing care.",
        "REC",
        "a REC code when DEC is given",
    ) + extract.find(
        "Episodes",
        "DEC = '' AND REC <> '' AND REC <> 'X1'",
        "rec_without_dec",
        "The episode has a reason it ended (REC) but no end date (DEC).",
        "DEC",
        "DEC when REC is given",
    )


code_rule("167", "Reviews", "REVIEW_CODE", REVIEW_PARTICIPATION, "review_code")
code_rule("1006", "Missing", "MISSING", MISSING_KIND, "missing_code")
code_rule("131", "OC3", "IN_TOUCH", IN_TOUCH, "in_touch")
code_rule("132", "OC3", "ACTIV", ACTIVITY, "activity")
code_rule("133", "OC3", "ACCOM", ACCOMMODATION, "accommodation")


@rule("181", "OC2's yes/no columns hold 0 or 1 (blank when not recorded).", {"OC2": OC2_FLAGS})
def check_health_flags(extract: Extract) -> list[Problem]:
    problems: list[Problem] = []
    for column in OC2_FLAGS:
        if extract.has("OC2", column):
            problems += extract.find(
                "OC2",
                f'"{column}" <> \'\' AND "{column}" NOT IN ({sql_list(YES_NO)})',
                "health_flag",
                f"{column} is not 0 or 1.",
                column,
                "0 or 1",
            )
    return problems


@rule(
    "180",
    "An SDQ score is a whole number from 0 to 40 (blank when not recorded).",
    {"OC2": ("SDQ_SCORE",)},
)
def check_sdq_score(extract: Extract) -> list[Problem]:
    if not extract.has("OC2", "SDQ_SCORE"):
        return []
    score = "try_cast(SDQ_SCORE AS DOUBLE)"
    return extract.find(
        "OC2",
        f"SDQ_SCORE <> '' AND NOT coalesce({score} BETWEEN 0 AND 40 AND {score} % 1 = 0, false)",
        "sdq_score",
        "SDQ_SCORE is not a score from 0 to 40.",
        "SDQ_SCORE",
        "a whole number from 0 to 40",
    )


# ------------------------------------------------------------------ episodes in sequence
# Each child's dated episodes in time order, with the episode before each.
_EPISODE_SEQUENCE = """
    SELECT _row, CHILD, DECOM, RNE, d_DECOM, lag(_row) OVER w IS NOT NULL AS has_previous,
        lag(d_DEC) OVER w AS previous_end, lag(REC) OVER w AS previous_rec,
        lag(_row) OVER w AS previous_row
    FROM "Episodes" WHERE d_DECOM IS NOT NULL
    WINDOW w AS (PARTITION BY CHILD ORDER BY d_DECOM, _row)
"""
_SEQUENCE_READS = {"Episodes": ("DECOM", "RNE", "DEC", "REC")}


def _sequence(extract: Extract) -> str:
    return extract.table_of("episode_sequence", _EPISODE_SEQUENCE)


def _overlap(extract: Extract, where: str) -> list[Problem]:
    if not extract.has("Episodes", "DEC", "REC"):
        return []
    return extract.find(
        "Episodes",
        f"has_previous AND {where}",
        "episodes_overlap",
        lambda previous_row: f"This episode starts before the child's previous episode "
        f"(line {int(previous_row) + 2}) ends; the child is counted once.",  # type: ignore[call-overload]
        "DECOM",
        "on or after the previous DEC",
        detail="previous_row",
        source=_sequence(extract),
    )


@rule(
    "142",
    "A new episode starts only after the child's previous episode has ended.",
    _SEQUENCE_READS,
)
def check_previous_episode_ended(extract: Extract) -> list[Problem]:
    return _overlap(extract, "previous_end IS NULL")


@rule(
    "501",
    "A new episode starts on or after the end date of the child's previous episode.",
    _SEQUENCE_READS,
)
def check_episodes_do_not_overlap(extract: Extract) -> list[Problem]:
    return _overlap(extract, "d_DECOM < previous_end")


_ENDED = "has_previous AND previous_end IS NOT NULL"


@rule(
    "388",
    "After an episode ending X1 (care continues), the next starts that day and "
    "continues the period of care (RNE other than S).",
    _SEQUENCE_READS,
)
def check_continuation_follows_x1(extract: Extract) -> list[Problem]:
    if not extract.has("Episodes", "DEC", "REC"):
        return []
    return extract.find(
        "Episodes",
        f"{_ENDED} AND previous_rec = 'X1' AND (d_DECOM <> previous_end OR RNE = 'S')",
        "episodes_chain",
        "The previous episode ended with X1 (care continues), but this one does not start "
        "that day as a continuing episode.",
        "RNE",
        "DECOM equal to the previous DEC, and RNE other than S",
        source=_sequence(extract),
    )


@rule(
    "432",
    "After an episode that ended the child's care, the next starts a new period of care (RNE S).",
    _SEQUENCE_READS,
)
def check_new_period_after_ceasing(extract: Extract) -> list[Problem]:
    if not extract.has("Episodes", "DEC", "REC"):
        return []
    return extract.find(
        "Episodes",
        f"{_ENDED} AND previous_rec <> 'X1' AND RNE <> 'S'",
        "episodes_chain",
        "The previous episode ended the child's care, so this one should start a new "
        "period of care.",
        "RNE",
        "RNE S",
        source=_sequence(extract),
    )


# ------------------------------------------------------------------ integrity (local)
@rule(
    "CP07",
    "A child with episodes is in the Header table (Data to Insight's INT03).",
    {"Episodes": ("CHILD",), "Header": ("CHILD",)},
)
def check_child_in_header(extract: Extract) -> list[Problem]:
    return extract.find(
        "Episodes",
        'NOT EXISTS (SELECT 1 FROM "Header" h WHERE h.CHILD = e.CHILD)',
        "child_in_header",
        "This child has episodes but is not in the Header table; age-based figures leave them out.",
        "CHILD",
        "a CHILD listed in Header",
        value="e.CHILD",
        source='"Episodes" e',
    )


def duplicate_rule(code: str, table: str, key: tuple[str, ...], expected: str, also: str) -> Rule:
    """A row repeating an earlier row's `key` is set aside (the first is kept)."""

    def check(extract: Extract) -> list[Problem]:
        keys = ", ".join(f'"{c}"' for c in key)
        return extract.find(
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

    message = f"{table} has {expected}{also}."
    return REGISTRY.add(Rule(code, message, {table: key}, check))


duplicate_rule("CP08", "Header", ("CHILD",), "one row per child", " (Data to Insight's INT32)")
duplicate_rule(
    "CP09",
    "Episodes",
    ("CHILD", "DECOM", "DEC", "RNE", "LS", "PLACE", "PLACE_PROVIDER"),
    "each episode once",
    "",
)
duplicate_rule("CP10", "Reviews", ("CHILD", "REVIEW"), "one review per child and date", "")
duplicate_rule("CP11", "Missing", ("CHILD", "MIS_START"), "one incident per child and start", "")
duplicate_rule("CP12", "OC3", ("CHILD",), "one row per care leaver", " (Data to Insight's INT34)")
duplicate_rule("CP13", "OC2", ("CHILD",), "one row per child", " (Data to Insight's INT33)")
