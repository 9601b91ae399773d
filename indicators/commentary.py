"""Officers' commentary as the pages and the meeting pack read it.

An analyst's commentary (context, action, owner) belongs to one indicator, one
council and one period, so it stays beside the figure it explains: a commentary
on 2024's figure is not shown under 2025's. The newest one written is in force
(`current_commentary` view, migration 7); an empty one means it was withdrawn,
and is not shown. Written by `loaders.commentary`, one load each, so undo on the
Data page brings back the one before.
"""

from __future__ import annotations

import re

import duckdb
import pandas as pd

COLUMNS = [
    "indicator_id",
    "period",
    "context",
    "action",
    "owner",
    "who",
    "written_at",
    "load_id",
]
LABELS = {"context": "Context", "action": "Action", "owner": "Owner"}
# The load log names a signed-in writer "name (oid …)": the stable id is for the log,
# not for a slide or a page.
_LOGGED_ID = re.compile(r" \((?:oid|sub) [^()]*\)$")


def writer_name(who: object) -> str:
    """Who wrote a commentary, as a reader sees it (the sign-in id left out)."""
    return _LOGGED_ID.sub("", str(who or "")).strip()


def written_line(found: dict[str, object]) -> str:
    """'Written by Sam Jones, 2 December 2026.' (no name when the log has none)."""
    written = pd.Timestamp(found["written_at"]).strftime("%d %B %Y").lstrip("0")
    name = writer_name(found.get("who"))
    return f"Written{f' by {name}' if name else ''}, {written}."


def _end_year(period: str) -> int | None:
    """The year a period ends in: '2025' → 2025, an academic or financial '202425' → 2025."""
    text = str(period).strip()
    if len(text) == 6 and text.isdigit():
        return int(text[:4]) + 1
    return int(text) if len(text) == 4 and text.isdigit() else None


def current_commentary(con: duckdb.DuckDBPyConnection, council: str) -> pd.DataFrame:
    """The commentary in force for every indicator and period of one council (withdrawn
    ones left out), newest written first."""
    frame = con.execute(
        f"SELECT {', '.join(COLUMNS)} FROM current_commentary "
        "WHERE council = ? AND (context <> '' OR action <> '' OR owner <> '') "
        "ORDER BY load_id DESC",
        [council],
    ).df()
    return frame[COLUMNS]


def commentary_for(
    frame: pd.DataFrame, indicator_id: str, period: str | int
) -> dict[str, object] | None:
    """One indicator's commentary for a period, from `current_commentary`'s frame.

    The period matches as published ('202425') or by the year it ends (2025), so a
    caller holding either finds it."""
    if frame.empty:  # most councils have none: no filtering (about 1 ms a lookup)
        return None
    rows = frame[frame["indicator_id"] == indicator_id]
    if rows.empty:
        return None
    exact = rows[rows["period"] == str(period)]
    if exact.empty:
        wanted = _end_year(str(period))
        exact = rows[rows["period"].map(_end_year) == wanted] if wanted is not None else exact
    return None if exact.empty else exact.iloc[0].to_dict()


def as_text(found: dict[str, object]) -> str:
    """A commentary as plain lines: 'Context: …', 'Action: …', 'Owner: …' (blank ones out)."""
    return "\n".join(
        f"{label}: {found[name]}" for name, label in LABELS.items() if str(found[name] or "")
    )


def for_slide(
    con: duckdb.DuckDBPyConnection, council: str, indicator_id: str, period: str | int
) -> str | None:
    """The meeting pack's "Commentary" box for one indicator slide: plain text (one line
    per field, with who wrote it and when), or None when there is none in force."""
    found = commentary_for(current_commentary(con, council), indicator_id, period)
    if found is None:
        return None
    return f"{as_text(found)}\n{written_line(found)}"
