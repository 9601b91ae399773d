"""Officers' commentary: saved as a load, the newest in force, undone exactly, shown as text,
written only by analysts, and handed to the meeting pack's slide."""

from __future__ import annotations

import pytest
import streamlit as st
from conftest import PROJECT, store_contents
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options
from test_access import OID, with_sign_in

from indicators.commentary import (
    commentary_for,
    current_commentary,
    for_slide,
    writer_name,
)
from loaders.commentary import MAX_CHARACTERS, CommentaryRefused, save_commentary
from loaders.store import data_version, load_history, undo_load

COUNCIL = "172"
INDICATOR = "placements_3plus_pct"


def _save(con, context="Two sibling groups moved together.", period="2025", **fields):
    return save_commentary(
        con,
        fields.get("indicator_id", INDICATOR),
        fields.get("council", COUNCIL),
        period,
        context,
        fields.get("action", "Review every third move at panel."),
        fields.get("owner", "Head of placements"),
        fields.get("who", "analyst@council.gov.uk (oid 1234)"),
    )


def test_a_commentary_is_a_load_with_who_and_when(store):
    before = data_version(store)
    load_id = _save(store)
    assert data_version(store) == before + 1
    [row] = current_commentary(store, COUNCIL).to_dict("records")
    assert row["context"] == "Two sibling groups moved together."
    assert row["owner"] == "Head of placements"
    assert row["who"] == "analyst@council.gov.uk (oid 1234)"
    assert row["load_id"] == load_id and row["written_at"] is not None
    history = load_history(store)
    assert history.loc[history["load_id"] == load_id, "kind"].item() == "commentary"
    assert history.loc[history["load_id"] == load_id, "status"].item() == "committed"
    # The History tab's files column says what a commentary was about (it has no files).
    assert history.loc[history["load_id"] == load_id, "files"].item() == (
        "Wrote commentary: 3+ placements in the year, council 172, 2025"
    )
    assert current_commentary(store, "999").empty  # another council's page shows nothing


def test_the_newest_commentary_is_in_force_and_undo_brings_back_the_one_before(store):
    empty = store_contents(store)
    first = _save(store, context="First word.")
    after_first = store_contents(store)
    second = _save(store, context="Second word.")
    assert commentary_for(current_commentary(store, COUNCIL), INDICATOR, "2025")["context"] == (
        "Second word."
    )
    undo_load(store, second)
    assert commentary_for(current_commentary(store, COUNCIL), INDICATOR, "2025")["context"] == (
        "First word."
    )
    undo_load(store, first)
    assert current_commentary(store, COUNCIL).empty
    # Undo takes the rows out exactly: only the load log and the data version differ.
    now = store_contents(store)
    assert store.execute("SELECT count(*) FROM commentary").fetchall() == [(0,)]
    for table in empty:
        if table not in ("loads", "meta"):
            assert now[table] == empty[table], table
    assert after_first["loads"] != empty["loads"]


def test_each_period_keeps_its_own_commentary(store):
    _save(store, context="About 2024.", period="2024")
    _save(store, context="About 2025.", period="2025")
    frame = current_commentary(store, COUNCIL)
    assert commentary_for(frame, INDICATOR, "2024")["context"] == "About 2024."
    assert commentary_for(frame, INDICATOR, 2025)["context"] == "About 2025."
    assert commentary_for(frame, INDICATOR, "2023") is None
    assert commentary_for(frame, "cla_count", "2025") is None


def test_an_academic_year_is_found_by_the_year_it_ends(store):
    _save(store, context="Results year.", period="202425")
    frame = current_commentary(store, COUNCIL)
    assert commentary_for(frame, INDICATOR, "202425")["context"] == "Results year."
    assert commentary_for(frame, INDICATOR, 2025)["context"] == "Results year."
    assert commentary_for(frame, INDICATOR, 2024) is None


def test_an_empty_commentary_withdraws_it_and_undo_restores_it(store):
    _save(store, context="Said.")
    withdrawal = _save(store, context="", action=" ", owner="")
    assert current_commentary(store, COUNCIL).empty
    assert for_slide(store, COUNCIL, INDICATOR, "2025") is None
    undo_load(store, withdrawal)
    assert commentary_for(current_commentary(store, COUNCIL), INDICATOR, "2025")["context"] == (
        "Said."
    )


def test_too_long_a_field_is_refused_with_what_to_do_and_nothing_written(store):
    before = store_contents(store)
    with pytest.raises(CommentaryRefused) as refused:
        _save(store, action="x" * (MAX_CHARACTERS + 25))
    message = str(refused.value)
    assert "Action" in message and f"{MAX_CHARACTERS:,}" in message and "by 25" in message
    assert store_contents(store) == before
    assert _save(store, action="x" * MAX_CHARACTERS)  # the limit itself is allowed


def test_the_slide_text_is_plain_lines_with_the_writer_and_date(store):
    assert for_slide(store, COUNCIL, INDICATOR, "2025") is None
    _save(store, context="<b>Two</b> [moves](http://x.example)", owner="")
    text = for_slide(store, COUNCIL, INDICATOR, "2025")
    lines = text.splitlines()
    assert lines[0] == "Context: <b>Two</b> [moves](http://x.example)"  # as typed
    assert lines[1] == "Action: Review every third move at panel."
    assert not any(line.startswith("Owner") for line in lines)  # blank field left out
    assert lines[-1].startswith("Written by analyst@council.gov.uk, ")
    assert "oid" not in text


@pytest.mark.parametrize(
    ("logged", "shown"),
    [
        ("sam@council.gov.uk (oid 6f1c)", "sam@council.gov.uk"),
        ("Sam (Jones) (sub AAA)", "Sam (Jones)"),
        ("localuser", "localuser"),
        (None, ""),
    ],
)
def test_the_writer_is_named_without_the_sign_in_id(logged, shown):
    assert writer_name(logged) == shown


# ------------------------------------------------------------------- on the page
def _stability(secrets: dict | None = None, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
    at.session_state["council"] = COUNCIL
    for key, value in (secrets or {}).items():
        at.secrets[key] = value
    if user is not None:
        at.user = user
    with patch_config_options({"server.address": "localhost"}):
        at.run()
        at.switch_page("app_pages/stability.py").run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    return at


def _form_keys(at: AppTest) -> list[str]:
    return [t.key for t in at.text_area if t.key and t.key.startswith("commentary_")]


def _open_form(at: AppTest, indicator_id: str) -> AppTest:
    """Turn on the indicator's "Add the officer commentary" switch (the form waits for it)."""
    [switch] = [t for t in at.toggle if t.key and t.key.startswith(f"commentary_{indicator_id}_")]
    return switch.set_value(True).run()


def test_an_analyst_writes_a_commentary_and_the_page_shows_it_as_text(private_demo_store):
    at = _stability()  # local mode: the local user may write
    assert not _form_keys(at)  # the form waits for its switch
    at = _open_form(at, INDICATOR)
    keys = [k for k in _form_keys(at) if k.startswith(f"commentary_{INDICATOR}_")]
    assert len(keys) == 3
    stem = keys[0].rsplit("_", 1)[0]  # the text areas' keys end _context, _action, _owner
    form = stem.rsplit("_", 1)[0]  # …and carry the load in force (0: none yet)
    typed = "**Two** sibling groups [moved](http://x.example) <b>together</b>"
    at.text_area(key=f"{stem}_context").input(typed)
    at.text_area(key=f"{stem}_owner").input("Head of placements")
    [save] = [b for b in at.button if b.key and b.key.startswith(f"FormSubmitter:{form}_form")]
    save.click().run()
    assert not at.exception
    assert any("Saved as load" in s.value for s in at.success)
    shown = [m.value for m in at.markdown if "sibling groups" in m.value]
    assert shown == [
        r"**Context.** \*\*Two\*\* sibling groups \[moved\](http:⁠//x.example) "
        r"\<b\>together\</b\>"
    ]
    assert any(m.value.startswith("**Officer commentary, ") for m in at.markdown)
    assert any(c.value.startswith("Written by ") for c in at.caption)
    # The form now starts from the commentary saved (its load's own keys).
    [context] = [
        t for t in at.text_area if t.key and t.key.endswith("_context") and INDICATOR in t.key
    ]
    assert context.value == typed and context.key != f"{stem}_context"


def test_panel_members_read_the_commentary_but_get_no_form(private_demo_store):
    from loaders.store import open_store

    at = _open_form(_stability(), INDICATOR)
    keys = [k for k in _form_keys(at) if k.startswith(f"commentary_{INDICATOR}_")]
    period = keys[0].split("_")[-3]  # the period of the figure the page shows
    con = open_store(private_demo_store)
    _save(con, context="Written for the panel.", period=period)
    con.close()
    st.cache_data.clear()
    st.cache_resource.clear()
    viewer = {"is_logged_in": True, "oid": "someone-else", "email": "councillor@council.gov.uk"}
    at = _stability(with_sign_in(analysts=[OID]), viewer)
    assert any(m.value == "**Context.** Written for the panel." for m in at.markdown)
    assert not _form_keys(at)
    assert not [b for b in at.button if b.key and "commentary" in b.key]
    assert not [t for t in at.toggle if t.key and t.key.startswith("commentary_")]
