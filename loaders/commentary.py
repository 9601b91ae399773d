"""Officers' commentary on an indicator: written to the store as a load of its own.

A panel reads a figure better with the officer's word beside it: what explains it
(context), what is being done (action) and who answers for it (owner). Writing it
through the load log, rather than as an edit, keeps the store's one rule: rows are
only ever added, every change is in the History tab with who and when, and undo
takes a commentary out and brings back the one before it. An empty commentary
(all three fields blank) withdraws the one in force, and is undone the same way.

The text is stored exactly as typed (trimmed); the pages show it as text, never
as Markdown or HTML, and the pack writes it as plain slide text.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from domain.registry import registry
from loaders.store import load_transaction

KIND = "commentary"
MAX_CHARACTERS = 1000
FIELDS = ("context", "action", "owner")
FIELD_WORDS = {"context": "Context", "action": "Action", "owner": "Owner"}


class CommentaryRefused(ValueError):
    """A commentary that cannot be saved as it is; the message says what to change."""


@dataclass(frozen=True)
class Commentary:
    indicator_id: str
    council: str
    period: str  # the figure's time period as DfE publishes it ("2025", "202425")
    context: str
    action: str
    owner: str

    @property
    def is_empty(self) -> bool:
        return not (self.context or self.action or self.owner)


def _clean(text: str | None) -> str:
    return (text or "").strip()


def _title(indicator_id: str) -> str:
    """The indicator's short title for the load log (its id if the registry lacks it)."""
    try:
        return registry().get(indicator_id).short_title
    except KeyError:
        return indicator_id


def check_commentary(commentary: Commentary) -> list[str]:
    """What is wrong with a commentary, in words an analyst can act on (empty: nothing)."""
    problems = []
    for name in FIELDS:
        length = len(getattr(commentary, name))
        if length > MAX_CHARACTERS:
            problems.append(
                f"{FIELD_WORDS[name]} is {length:,} characters long; keep it to "
                f"{MAX_CHARACTERS:,} (shorten it by {length - MAX_CHARACTERS:,})."
            )
    for name in ("indicator_id", "council", "period"):
        if not getattr(commentary, name):
            problems.append(f"The commentary needs its {name.replace('_', ' ')}.")
    return problems


def save_commentary(
    con: duckdb.DuckDBPyConnection,
    indicator_id: str,
    council: str,
    period: str | int,
    context: str | None,
    action: str | None,
    owner: str | None,
    who: str | None,
) -> int:
    """Save the commentary on one indicator, council and period as a load; returns its id.

    Refused (`CommentaryRefused`, nothing written) when a field is over the limit.
    """
    commentary = Commentary(
        indicator_id=_clean(indicator_id),
        council=_clean(council),
        period=_clean(str(period)),
        context=_clean(context),
        action=_clean(action),
        owner=_clean(owner),
    )
    problems = check_commentary(commentary)
    if problems:
        raise CommentaryRefused(" ".join(problems))
    with load_transaction(con, KIND, who) as record:
        written_at = con.execute(
            "SELECT started_at FROM loads WHERE load_id = ?", [record.load_id]
        ).fetchall()[0][0]
        con.execute(
            "INSERT INTO commentary VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                record.load_id,
                commentary.indicator_id,
                commentary.council,
                commentary.period,
                commentary.context,
                commentary.action,
                commentary.owner,
                record.user_name,
                written_at,
            ],
        )
        what = "Withdrew" if commentary.is_empty else "Wrote"
        con.execute(
            "UPDATE loads SET release = ?, rows_read = 1, rows_loaded = 1, message = ? "
            "WHERE load_id = ?",
            [
                commentary.period,
                f"{what} commentary: {_title(commentary.indicator_id)}, council "
                f"{commentary.council}, {commentary.period}",
                record.load_id,
            ],
        )
        return record.load_id
