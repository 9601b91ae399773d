"""The Data page's actions (validate, commit, undo), each checked on the server.

Who may load is decided by ``ui/access.py`` (local mode on this machine only, or
signed-in analysts). It is asked again here at the moment of every commit and undo,
so a hidden button is not the only guard: a visitor who is not an analyst, local mode
served on a network address without the explicit setting, or broken settings, are
refused with ``NotAllowed``.
"""

from __future__ import annotations

from loaders.identity import DEMO_CHECK
from loaders.load import ExtractOptions, InputFile, LoadReport, load_files, unzip
from loaders.problems import FileRejected
from loaders.store import undo_load
from ui import access, data


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


def store_refusal(report: LoadReport) -> str | None:
    """Why the store itself refused the batch (the demo store and real files), or None.

    Said once, in plain words, instead of as a problem to fix in the file: the
    file is fine, it is the store that is the wrong one.
    """
    return next((p.message for p in report.problems if p.check == DEMO_CHECK), None)


def commit(inputs: list[InputFile], extract: ExtractOptions | None = None) -> LoadReport:
    """Validate again and write the batch in one transaction (analysts only)."""
    who = _require_analyst()
    return load_files(data.cursor(), inputs, user_name=who.user, extract=extract)


def undo(load_id: int) -> int:
    """Undo a load (analysts only); returns the undo's own load number."""
    who = _require_analyst()
    return undo_load(data.cursor(), load_id, who.user)
