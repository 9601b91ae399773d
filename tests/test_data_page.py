"""The Data page, driven as an analyst would: upload → check → preview → commit → history → undo."""

from __future__ import annotations

import shutil

import pytest
import streamlit as st
from conftest import PROJECT
from fixtures import ees
from fixtures import quarterly as q
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from loaders.store import open_store, scalar

Q1_VALUE = (
    "SELECT value FROM current_facts WHERE dataset = 'quarterly_return' AND area_code = '172' "
    "AND breakdown = 'cla_count' AND variant = 'Q1' AND measure = 'value'"
)


@pytest.fixture
def data_page(demo_db, tmp_path, monkeypatch):
    """The Data page on a private copy of the demo store; returns (open, path)."""
    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_db, path)
    monkeypatch.setenv("CP_DB", str(path))
    st.cache_data.clear()
    st.cache_resource.clear()

    def open_page(secrets: dict | None = None, user: dict | None = None) -> AppTest:
        at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
        at.session_state["council"] = "172"
        if secrets:
            for key, value in secrets.items():
                at.secrets[key] = value
        if user is not None:
            at.user = user
        # Listening on localhost, as .streamlit/config.toml says (tests/test_access.py
        # checks that), whatever folder pytest was started from.
        with patch_config_options({"server.address": "localhost"}):
            at.run()
            at.switch_page("app_pages/data.py").run()
        assert not at.exception, at.exception[0].message if at.exception else ""
        return at

    yield open_page, path
    st.cache_data.clear()
    st.cache_resource.clear()


def value_in(path, query):
    st.cache_resource.clear()  # let go of the app's connection before reading the file
    con = open_store(path)
    try:
        return scalar(con, query)
    finally:
        con.close()


def upload(at: AppTest, name: str, text: str) -> AppTest:
    at.get("file_uploader")[0].upload(name, text.encode("utf-8"), "text/csv").run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    return at


def texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [e.value for e in at.error]
    parts += [s.value for s in at.success] + [i.value for i in at.info]
    return "\n".join(str(p) for p in parts)


def button(at: AppTest, key: str):
    return next(b for b in at.button if b.key == key)


def test_local_mode_says_so(data_page):
    at = data_page[0]()
    assert "Single-user local mode" in texts(at)


def test_a_valid_return_is_checked_previewed_committed_listed_and_undone(data_page):
    open_page, path = data_page
    at = upload(open_page(), "q.csv", q.quarterly_return())
    assert "3 new figures" in texts(at) or "new figures" in texts(at)
    assert value_in(path, Q1_VALUE) is None  # nothing written yet
    st.cache_resource.clear()
    button(at, "commit").click().run()
    assert "committed" in texts(at)
    assert value_in(path, Q1_VALUE) == 590

    at = open_page()
    history = next(d.value for d in at.dataframe if "What" in d.value.columns)
    assert history.iloc[0]["What"] == "quarterly return"
    assert history.iloc[0]["Files"].startswith("q.csv")
    at.selectbox(key="undo_choice").set_value(int(history.iloc[0]["Load"])).run()
    button(at, "undo").click().run()
    button(at, "undo_confirm").click().run()
    assert value_in(path, Q1_VALUE) is None
    at = open_page()
    history = next(d.value for d in at.dataframe if "What" in d.value.columns)
    assert history.iloc[0]["What"] == "undo"
    assert history.iloc[1]["Status"].startswith("undone by load")


def test_an_invalid_return_lists_each_problem_and_offers_no_commit(data_page):
    open_page, path = data_page
    bad = q.quarterly_return(q.row("cla_count", "lots"), q.row("foster_pct", "130"))
    at = upload(open_page(), "bad.csv", bad)
    problems = next(d.value for d in at.dataframe if "severity" in d.value.columns)
    assert list(problems["line"]) == [2, 3]
    assert list(problems["column"]) == ["value", "value"]
    assert "problem(s) found" in texts(at)
    assert not [b for b in at.button if b.key == "commit"]
    assert value_in(path, "SELECT count(*) FROM facts WHERE dataset = 'quarterly_return'") == 0


def test_a_revision_is_previewed_old_to_new_and_undo_restores_the_old_figure(data_page):
    open_page, path = data_page
    at = upload(open_page(), "first.csv", q.quarterly_return(q.row("cla_count", "590")))
    button(at, "commit").click().run()
    at = upload(open_page(), "second.csv", q.quarterly_return(q.row("cla_count", "612")))
    assert "old → new" in texts(at)
    revisions = next(d.value for d in at.dataframe if "Old value" in d.value.columns)
    assert tuple(revisions.iloc[0][["Old value", "New value"]]) == ("590", "612")
    assert revisions.iloc[0]["Dataset"] == "Quarterly return"
    assert revisions.iloc[0]["Breakdown or indicator"] == "Children looked after on 31 March"
    assert revisions.iloc[0]["Variant"] == "Q1"
    labels = [str(b.proto.label) for b in at.get("download_button")]
    assert "Download the revisions (CSV)" in labels
    button(at, "commit").click().run()
    assert value_in(path, Q1_VALUE) == 612
    at = open_page()
    history = next(d.value for d in at.dataframe if "What" in d.value.columns)
    newest = int(history.iloc[0]["Load"])
    at.selectbox(key="undo_choice").set_value(newest).run()
    button(at, "undo").click().run()
    button(at, "undo_confirm").click().run()
    assert value_in(path, Q1_VALUE) == 590


def test_the_undo_confirmation_survives_a_rerun_and_can_be_cancelled(data_page):
    open_page, path = data_page
    at = upload(open_page(), "q.csv", q.quarterly_return())
    button(at, "commit").click().run()
    at = open_page()
    history = next(d.value for d in at.dataframe if "What" in d.value.columns)
    newest = int(history.iloc[0]["Load"])
    at.selectbox(key="undo_choice").set_value(newest).run()
    button(at, "undo").click().run()
    assert f"Undo load {newest}" in "\n".join(w.value for w in at.warning)
    at.run()  # any rerun (another widget, a refresh of the data) keeps the question open
    assert not at.exception
    assert [b for b in at.button if b.key == "undo_confirm"]
    assert value_in(path, Q1_VALUE) == 590  # nothing undone yet
    button(at, "undo_cancel").click().run()
    assert not [b for b in at.button if b.key == "undo_confirm"]
    assert value_in(path, Q1_VALUE) == 590
    button(at, "undo").click().run()
    button(at, "undo_confirm").click().run()
    assert value_in(path, Q1_VALUE) is None
    # The page reruns to show the new history; the outcome is still said.
    assert f"Load {newest} undone" in texts(at)
    assert not [b for b in at.button if b.key == "undo_confirm"]


def test_a_dfe_file_is_refused_by_the_demo_store_in_plain_words(data_page):
    open_page, path = data_page
    before = value_in(path, "SELECT count(*) FROM facts")
    at = upload(open_page(), "cla_number_and_rate.csv", ees.number_and_rate_2025())
    [refusal] = [e.value for e in at.error]
    assert "fictional demo councils" in refusal
    assert "CP_DB=data/council.duckdb make run" in refusal
    assert "problem(s) found" not in texts(at)  # the file is fine; the store is the wrong one
    assert not [b for b in at.button if b.key == "commit"]
    assert value_in(path, "SELECT count(*) FROM facts") == before


def test_a_repeated_file_is_recognised(data_page):
    open_page, _ = data_page
    text = q.quarterly_return()
    at = upload(open_page(), "q.csv", text)
    button(at, "commit").click().run()
    at = upload(open_page(), "q_copy.csv", text)
    files = at.dataframe[0].value
    assert files.iloc[0]["Outcome"] == "already loaded"
    assert "Nothing new" in texts(at)


AUTH = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "k3BvWqv0l2mX0dQf1Jx9p8R7s6T5u4V3w2Y1z0A9b8C",
        "client_id": "dashboard",
        "client_secret": "not-a-real-secret",
        "server_metadata_url": "https://login.example.gov.uk/.well-known/openid-configuration",
    },
    "dashboard": {"analysts": ["analyst@council.gov.uk"]},
}


def test_with_sign_in_a_viewer_sees_no_upload_and_cannot_undo(data_page):
    open_page, _ = data_page
    viewer = {"is_logged_in": True, "email": "councillor@council.gov.uk"}
    at = open_page(AUTH, viewer)
    assert not at.get("file_uploader")
    assert not [b for b in at.button if b.key in ("commit", "undo")]
    assert "Only the analysts" in "\n".join(c.value for c in at.caption)


def test_with_sign_in_the_server_refuses_a_viewers_commit_and_undo(data_page, monkeypatch):
    from ui import loading

    monkeypatch.setattr(st, "secrets", {"auth": AUTH["auth"], "dashboard": AUTH["dashboard"]})
    monkeypatch.setattr(st, "user", {"is_logged_in": True, "email": "councillor@council.gov.uk"})
    with pytest.raises(loading.NotAllowed):
        loading.commit([])
    with pytest.raises(loading.NotAllowed):
        loading.undo(1)


def test_with_sign_in_a_listed_analyst_may_load(data_page):
    open_page, _ = data_page
    analyst = {"is_logged_in": True, "email": "Analyst@council.gov.uk"}
    at = open_page(AUTH, analyst)
    assert at.get("file_uploader")


def test_the_check_is_not_run_again_for_the_same_uploaded_bytes(data_page, monkeypatch):
    """Every widget on the page reruns it; the check of an unchanged upload is kept."""
    from ui import loading

    checks: list[bool] = []
    real = loading.load_files

    def counting(*args, **kwargs):
        checks.append(bool(kwargs.get("dry_run")))
        return real(*args, **kwargs)

    monkeypatch.setattr(loading, "load_files", counting)
    open_page, _ = data_page
    at = upload(open_page(), "q.csv", q.quarterly_return())
    assert checks == [True]
    at.run()
    at.selectbox(key="extract_council").set_value(at.selectbox(key="extract_council").value).run()
    assert checks == [True]
    assert "new figures" in texts(at)  # the kept report is shown
    upload(at, "q.csv", q.quarterly_return(q.row("cla_count", "612")))  # other bytes
    assert checks == [True, True]
    button(at, "commit").click().run()  # the commit checks again, then writes
    assert checks == [True, True, False]
    assert "committed" in texts(at)
    at.run()  # the store changed (a new data version): the same bytes are checked again
    assert checks == [True, True, False, True]
    assert "already loaded" in at.dataframe[0].value["Outcome"].tolist()


def test_an_extracts_check_report_names_the_rule_each_problem_breaks(data_page):
    import io
    import zipfile

    from fixtures import ssda903

    episodes = [row.replace(",U1,PR1,", ",ZZ,PR1,", 1) if row.startswith("A,") else row
                for row in ssda903.EPISODES]  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in ssda903.extract_files(episodes).items():
            archive.writestr(name, text)
    open_page, _ = data_page
    at = open_page()
    at.get("file_uploader")[0].upload("extract.zip", buffer.getvalue(), "application/zip").run()
    assert not at.exception, at.exception[0].message if at.exception else ""
    problems = next(d.value for d in at.dataframe if "severity" in d.value.columns)
    place = problems[problems["column"] == "PLACE"]
    assert len(place) == 1
    assert place.iloc[0]["rule"].startswith("DfE ")
    assert "validation rule the problem breaks" in "\n".join(c.value for c in at.caption)
