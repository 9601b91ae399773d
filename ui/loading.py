"""The Data page's actions (validate, commit, undo), each checked on the server.

Who may load is decided by ``ui/access.py`` (local mode on this machine only, or
signed-in analysts). It is asked again here at the moment of every commit and undo,
so a hidden button is not the only guard: a visitor who is not an analyst, local mode
served on a network address without the explicit setting, or broken settings, are
refused with ``NotAllowed``.

The Data page reaches the loaders through this module only (docs/ARCHITECTURE.md:
pages import ``ui``, never ``loaders``): ``ExtractOptions`` and ``UndoRefused`` are
named here for it, and the quarterly return's template is made here.

On a writer with reader replicas, every commit and undo here (and every commentary
saved, ``ui/commentary.py``) publishes the store for the readers
(``data.publish_for_readers``) before the page is drawn again.
"""

from __future__ import annotations

import hashlib

import streamlit as st

from loaders.identity import DEMO_CHECK
from loaders.load import ExtractOptions, InputFile, LoadReport, load_files, unzip
from loaders.problems import FileRejected
from loaders.quarterly import return_template
from loaders.store import UndoRefused, undo_load
from ui import access, data

# What the Data page needs of the loaders by name: the extract's council and as-at
# date, and the refusal of an undo (already undone, or not a load that can be undone).
__all__ = [
    "CHECKED",
    "ExtractOptions",
    "NotAllowed",
    "UndoRefused",
    "check",
    "checked_uploads",
    "commit",
    "commit_uploads",
    "input_files",
    "quarterly_return_template",
    "store_refusal",
    "undo",
]


class NotAllowed(Exception):
    """An action refused on the server because this visitor may not load."""


def _require_analyst() -> access.Access:
    who = access.current()
    if not who.may_load:
        raise NotAllowed(who.reason)
    return who


def input_files(uploads: list) -> tuple[list[InputFile], list[str]]:
    """Uploaded files as loader inputs; zips are checked and unpacked. Returns refusals too."""
    inputs: list[InputFile] = []
    refused: list[str] = []
    for upload in uploads:
        payload = upload.getvalue()
        if upload.name.lower().endswith(".zip"):
            try:
                inputs.extend(unzip(upload.name, payload))
            except FileRejected as rejected:
                refused.extend(p.describe() for p in rejected.problems)
        else:
            inputs.append(InputFile(upload.name, payload))
    return inputs, refused


def check(inputs: list[InputFile], extract: ExtractOptions | None = None) -> LoadReport:
    """Validate and preview: nothing is written."""
    return load_files(data.cursor(), inputs, dry_run=True, extract=extract)


# Where a session keeps its last check: (key, report, refusals).
CHECKED = "_checked_uploads"


def _digest(upload) -> str:
    """The SHA-256 of an upload's bytes. `getvalue` hands over the bytes Streamlit
    holds without a copy (`getbuffer` would copy them: they are shared)."""
    return hashlib.sha256(upload.getvalue()).hexdigest()


def checked_uploads(
    uploads: list, extract: ExtractOptions | None = None
) -> tuple[LoadReport | None, list[str]]:
    """The check (and preview) of the uploaded files, and any zip refusals.

    Every widget on the page reruns it; the check is made once for the same files
    (names and SHA-256 of their bytes), extract options and data version (a commit,
    by anyone, changes what the preview shows) and kept in the session, as one
    entry: a rerun costs a hash of the bytes, not another reading of them.
    """
    extract = extract or ExtractOptions()
    key = (
        tuple((upload.name, _digest(upload)) for upload in uploads),
        (extract.la_code, extract.as_at),
        data.version_key(),
    )
    kept = st.session_state.get(CHECKED)
    if kept is not None and kept[0] == key:
        return kept[1], kept[2]
    st.session_state.pop(CHECKED, None)  # let the last check's report go first
    inputs, refused = input_files(uploads)
    report = check(inputs, extract) if inputs else None
    del inputs
    st.session_state[CHECKED] = (key, report, refused)
    return report, refused


def store_refusal(report: LoadReport) -> str | None:
    """Why the store itself refused the batch (the demo store and real files), or None.

    Said once, in plain words, instead of as a problem to fix in the file: the
    file is fine, it is the store that is the wrong one.
    """
    return next((p.message for p in report.problems if p.check == DEMO_CHECK), None)


def commit(inputs: list[InputFile], extract: ExtractOptions | None = None) -> LoadReport:
    """Validate again and write the batch in one transaction (analysts only)."""
    who = _require_analyst()
    report = load_files(data.cursor(), inputs, user_name=who.user, extract=extract)
    publish_problem = data.publish_for_readers(show_next_run=False)
    if publish_problem:
        st.error(publish_problem)
    return report


def commit_uploads(uploads: list, extract: ExtractOptions | None = None) -> LoadReport:
    """Commit the uploaded files (analysts only: checked before they are unpacked)."""
    _require_analyst()
    inputs, _ = input_files(uploads)
    return commit(inputs, extract)


def undo(load_id: int) -> int:
    """Undo a load (analysts only); returns the undo's own load number."""
    who = _require_analyst()
    undo_id = undo_load(data.cursor(), load_id, who.user)
    data.publish_for_readers()  # a failure is shown at the top of the next run
    return undo_id


def quarterly_return_template(council: str, council_name: str, period: str, quarter: str) -> bytes:
    """The quarterly return to fill in for one council and quarter, as CSV bytes for Excel."""
    row = data.councils().set_index("old_la_code").loc[council]
    return return_template(
        council,
        council_name,
        str(row.get("new_la_code") or ""),
        str(row.get("region_code") or ""),
        str(row.get("region_name") or ""),
        period,
        quarter,
    ).encode("utf-8-sig")
