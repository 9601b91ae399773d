"""Safe to host: who may view, who may load, and what the app listens on.

Local mode (no sign-in) is for one analyst's own machine: the app listens on
localhost, every page says it is in local mode, and loading is refused on the
server when the app is reachable from other machines unless a setting says so.
With sign-in configured nobody sees anything but the sign-in screen until signed
in, and analysts are matched on stable account ids or an app role, e-mail only as
a fallback. Settings that cannot be read, or that look like a misnamed sign-in
section, stop the app with a plain message.
"""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest
import streamlit as st
from conftest import PROJECT
from fixtures import quarterly as q
from streamlit.runtime.secrets import Secrets
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.util import patch_config_options

from loaders.load import InputFile, load_files
from loaders.store import open_store

COOKIE_SECRET = "k3BvWqv0l2mX0dQf1Jx9p8R7s6T5u4V3w2Y1z0A9b8C"  # 43 characters, as token_urlsafe(32)
PROVIDER = {
    "client_id": "00000000-0000-0000-0000-000000000001",
    "client_secret": "not-a-real-secret",
    "server_metadata_url": "https://login.microsoftonline.com/00000000-0000-0000-0000-00000000000a/v2.0/.well-known/openid-configuration",
}
SIGN_IN = {
    "redirect_uri": "https://dashboard.example.gov.uk/oauth2callback",
    "cookie_secret": COOKIE_SECRET,
    **PROVIDER,
}
OID = "6f1c2a9e-4b3d-4e8f-9a0b-1c2d3e4f5a6b"
SUB = "AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ"
LOCAL_BANNER = (
    "Local mode: anyone who can open this app can load data — for one analyst's own machine"
)


def with_sign_in(**dashboard) -> dict:
    return {"auth": dict(SIGN_IN), "dashboard": dashboard}


@pytest.fixture
def open_app(private_demo_store):
    """Open a page of the whole app with the given settings, signed-in user and address."""

    def open_page(
        page: str = "at_a_glance",
        secrets: dict | None = None,
        user: dict | None = None,
        address: str | None = "localhost",
    ) -> AppTest:
        at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=120)
        at.session_state["council"] = "172"
        for key, value in (secrets or {}).items():
            at.secrets[key] = value
        if user is not None:
            at.user = user
        with patch_config_options({"server.address": address}):
            at.run()
            if page != "at_a_glance":
                at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, at.exception[0].message if at.exception else ""
        return at

    return open_page


def everything(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in at.error] + [w.value for w in at.warning]
    parts += [i.value for i in at.info] + [s.value for s in at.success]
    parts += [t.value for t in at.title] + [h.value for h in at.subheader]
    return "\n".join(str(p) for p in parts)


def history_table(at: AppTest):
    return next(d.value for d in at.dataframe if "What" in d.value.columns)


def may_load(at: AppTest) -> bool:
    return bool(at.get("file_uploader"))


# ------------------------------------------------------------ what the app listens on
def test_config_listens_on_localhost_and_shows_no_error_details():
    config = tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["server"]["address"] == "localhost"
    # "none": the browser gets a generic message; type, message and traceback go to the log.
    assert config["client"]["showErrorDetails"] == "none"
    # Left at Streamlit's defaults (on): the reverse-proxy set-up in the README relies on them.
    assert config["server"].get("enableXsrfProtection", True) is True
    assert config["server"].get("enableCORS", True) is True


def _make_run_command(*arguments: str) -> str:
    printed = subprocess.run(
        ["make", "-n", "-s", "run", *arguments],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.replace("\\\n", " ")
    return next(line for line in printed.splitlines() if "-m ui.serve" in line)


def test_make_run_listens_on_localhost_unless_given_an_address():
    assert "--server.address localhost" in _make_run_command()
    assert "--server.address 0.0.0.0" in _make_run_command("ADDRESS=0.0.0.0")


def test_secrets_are_never_committed():
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", ".streamlit/secrets.toml"], cwd=PROJECT, check=False
    )
    assert ignored.returncode == 0, ".streamlit/secrets.toml is not git-ignored"


@pytest.mark.parametrize(
    ("address", "loopback"),
    [
        ("localhost", True),
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("[::1]", True),
        (None, False),  # unset: Streamlit listens on every interface
        ("", False),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.20", False),
        ("dashboard.council.local", False),
    ],
)
def test_only_loopback_addresses_count_as_this_machine_only(address, loopback):
    from ui import access

    assert access.is_loopback(address) is loopback


# ------------------------------------------------------------------------- local mode
@pytest.mark.parametrize("page_name", ["at_a_glance", "data", "scorecard"])
def test_local_mode_says_so_on_every_page(open_app, page_name):
    at = open_app(page_name)
    assert LOCAL_BANNER in everything(at)
    assert page_name != "data" or may_load(at)


def test_local_mode_on_a_network_address_offers_no_loading(open_app):
    at = open_app("data", address="0.0.0.0")
    assert not may_load(at)
    assert "Loading is switched off" in everything(at)
    assert LOCAL_BANNER not in everything(at)
    assert "Who" not in history_table(at).columns


@pytest.mark.parametrize("address", ["0.0.0.0", None, "192.168.1.20"])
def test_local_mode_on_a_network_address_refuses_commit_and_undo_on_the_server(
    private_demo_store, monkeypatch, address
):
    from ui import loading

    monkeypatch.setattr(st, "secrets", {})
    with patch_config_options({"server.address": address}):
        with pytest.raises(loading.NotAllowed, match="switched off"):
            loading.commit([InputFile("q.csv", q.quarterly_return().encode())])
        with pytest.raises(loading.NotAllowed, match="switched off"):
            loading.undo(1)
    st.cache_resource.clear()
    con = open_store(private_demo_store)
    try:
        # The demo's two loads, both still committed: nothing was loaded or undone.
        assert con.execute(
            "SELECT count(*), count(*) FILTER (status = 'committed') FROM loads"
        ).fetchone() == (2, 2)
    finally:
        con.close()


def test_local_mode_on_a_network_address_loads_only_with_the_explicit_setting(
    open_app, private_demo_store, monkeypatch
):
    from ui import loading

    allowed = {"dashboard": {"allow_local_mode_on_network": True}}
    at = open_app("data", secrets=allowed, address="0.0.0.0")
    assert may_load(at)
    assert LOCAL_BANNER in everything(at)
    assert "allow_local_mode_on_network" in everything(at)

    monkeypatch.setattr(st, "secrets", allowed)
    with patch_config_options({"server.address": "0.0.0.0"}):
        done = loading.commit([InputFile("q.csv", q.quarterly_return().encode())])
    assert done.status == "committed"


# -------------------------------------------------------------------- sign-in configured
@pytest.mark.parametrize("page_name", ["at_a_glance", "data", "scorecard", "stability"])
def test_signed_out_visitors_see_only_the_sign_in_screen(open_app, page_name):
    at = open_app(page_name, with_sign_in(analysts=[OID]), {"is_logged_in": False})
    assert [b.label for b in at.button] == ["Sign in"]
    assert not at.metric and not at.dataframe and not at.get("plotly_chart")
    assert not at.sidebar.selectbox  # no council, year or neighbour choices either
    assert not at.get("html")  # not even the chart code's start (ui/preload.py)
    text = everything(at)
    assert "Sign in" in text
    for shown in ("Wyrebrook", "History", "Demo data", "Local mode", "Load and undo"):
        assert shown not in text


def test_the_sign_in_button_calls_st_login_with_the_provider(open_app, monkeypatch):
    calls = []
    monkeypatch.setattr(st, "login", lambda provider=None: calls.append(provider))
    at = open_app(secrets=with_sign_in(), user={"is_logged_in": False})
    at.button[0].click().run()
    assert calls == [None]  # the default provider: its settings are in [auth] itself

    named = {
        "auth": {
            "redirect_uri": SIGN_IN["redirect_uri"],
            "cookie_secret": COOKIE_SECRET,
            "microsoft": PROVIDER,
        }
    }
    at = open_app(secrets=named, user={"is_logged_in": False})
    at.button[0].click().run()
    assert calls == [None, "microsoft"]


def test_signed_in_viewers_see_the_pages_but_no_load_controls(open_app, monkeypatch):
    viewer = {"is_logged_in": True, "oid": "someone-else", "email": "councillor@council.gov.uk"}
    secrets = with_sign_in(analysts=[OID, "analyst@council.gov.uk"])
    at = open_app("at_a_glance", secrets, viewer)
    assert len(at.metric) == 6
    assert LOCAL_BANNER not in everything(at)
    [sign_out] = [b for b in at.sidebar.button if b.label == "Sign out"]
    calls = []
    monkeypatch.setattr(st, "logout", lambda: calls.append("out"))
    sign_out.click().run()
    assert calls == ["out"]

    at = open_app("data", secrets, viewer)
    assert not may_load(at)
    assert not [b for b in at.button if b.key in ("commit", "undo")]
    assert "Only the analysts" in everything(at)
    history = history_table(at)
    assert "Who" not in history.columns  # the analysts' e-mails are for analysts
    assert "demo generator" not in history.to_csv()


@pytest.mark.parametrize(
    ("user", "dashboard", "analyst"),
    [
        ({"oid": OID.upper(), "email": "renamed@council.gov.uk"}, {"analysts": [OID]}, True),
        ({"sub": SUB, "email": "renamed@council.gov.uk"}, {"analysts": [SUB]}, True),
        ({"oid": "another-id", "email": "ann@council.gov.uk"}, {"analysts": [OID]}, False),
        # E-mail only as a fallback: still honoured, but not when the provider says unverified.
        ({"email": "Ann@Council.gov.uk"}, {"analysts": ["ann@council.gov.uk"]}, True),
        (
            {"email": "ann@council.gov.uk", "email_verified": False},
            {"analysts": ["ann@council.gov.uk"]},
            False,
        ),
        # An account id is never taken for an e-mail address, or the other way round.
        ({"email": OID}, {"analysts": [OID]}, False),
        (
            {"oid": "x", "roles": ["Dashboard.Viewer", "Dashboard.Analyst"]},
            {"analyst_role": "Dashboard.Analyst"},
            True,
        ),
        ({"oid": "x", "roles": "Dashboard.Analyst"}, {"analyst_role": "Dashboard.Analyst"}, True),
        ({"oid": "x", "roles": ["Dashboard.Viewer"]}, {"analyst_role": "Dashboard.Analyst"}, False),
        ({"oid": "x", "roles": ["Dashboard.Analyst"]}, {"analysts": [OID]}, False),  # no role set
    ],
)
def test_who_is_an_analyst(open_app, user, dashboard, analyst):
    at = open_app("data", with_sign_in(**dashboard), {"is_logged_in": True, **user})
    assert may_load(at) is analyst
    assert ("Who" in history_table(at).columns) is analyst


def test_an_analyst_matched_by_account_id_is_logged_by_name_and_id(open_app, private_demo_store):
    user = {"is_logged_in": True, "oid": OID, "email": "ann@council.gov.uk"}
    at = open_app("data", with_sign_in(analysts=[OID]), user)
    at.get("file_uploader")[0].upload("q.csv", q.quarterly_return().encode(), "text/csv").run()
    next(b for b in at.button if b.key == "commit").click().run()
    assert "committed" in everything(at)
    st.cache_resource.clear()
    con = open_store(private_demo_store)
    try:
        who = con.execute("SELECT user_name FROM loads ORDER BY load_id DESC LIMIT 1").fetchone()
    finally:
        con.close()
    assert who == (f"ann@council.gov.uk (oid {OID})",)


def test_history_shows_file_names_not_server_paths(open_app, private_demo_store):
    con = open_store(private_demo_store)
    try:
        load_files(
            con,
            [InputFile("/srv/council/returns/2025-26/q.csv", q.quarterly_return().encode())],
            user_name="analyst",
        )
    finally:
        con.close()
    at = open_app("data")
    files = "; ".join(history_table(at)["Files"].dropna())
    assert "q.csv [loaded]" in files
    assert "cla_number_and_rate_per_10k_children.csv [loaded]" in files  # the demo's own load
    assert not re.search(r"/srv|/tmp|cp_demo_|\\", files), files


# ------------------------------------------------------------------------------ settings
BROKEN = [
    ({"Auth": SIGN_IN}, "[Auth]"),
    ({"auth0": SIGN_IN}, "[auth0]"),
    (dict(SIGN_IN), "outside any section"),
    ({"auth": {**SIGN_IN, "cookie_secret": "xxx"}}, "cookie_secret"),
    ({"auth": {k: v for k, v in SIGN_IN.items() if k != "redirect_uri"}}, "redirect_uri"),
    ({"auth": {k: v for k, v in SIGN_IN.items() if k != "client_secret"}}, "client_secret"),
    ({"auth": {**SIGN_IN, "redirect_uri": "https://x.example/"}}, "oauth2callback"),
    ({"dashboard": {"analysts": ["ann@council.gov.uk"]}}, "[auth]"),
    ({"auth": SIGN_IN, "dashboard": {"analysts": "ann@council.gov.uk"}}, "analysts"),
    ({"auth": SIGN_IN, "dashboard": {"analyst": ["ann@council.gov.uk"]}}, "analyst"),
    ({"dashboard": {"allow_local_mode_on_network": "yes"}}, "allow_local_mode_on_network"),
    ({"Dashboard": {"allow_local_mode_on_network": True}}, "[Dashboard]"),
]


@pytest.mark.parametrize(("secrets", "named"), BROKEN, ids=[n for _, n in BROKEN])
def test_misconfigured_settings_stop_the_app_with_a_plain_message(open_app, secrets, named):
    at = open_app(secrets=secrets, user={"is_logged_in": True, "oid": OID})
    [message] = [e.value for e in at.error]
    assert "secrets.toml" in message and named in message
    assert not at.metric and not at.dataframe and not at.button
    assert LOCAL_BANNER not in everything(at)


def test_a_settings_file_that_cannot_be_parsed_stops_the_app_with_a_plain_message(
    open_app, tmp_path, monkeypatch
):
    broken = tmp_path / ".streamlit" / "secrets.toml"
    broken.parent.mkdir()
    broken.write_text('[auth\nredirect_uri = "https://x/oauth2callback"\n', encoding="utf-8")
    monkeypatch.setattr(st, "secrets", Secrets())  # read from the file, as a server does
    with patch_config_options({"secrets.files": [str(broken)]}):
        at = open_app()
    [message] = [e.value for e in at.error]
    assert "secrets.toml" in message and "line 1" in message
    assert "Traceback" not in message
    assert not at.metric and not at.dataframe and not at.button
    assert LOCAL_BANNER not in everything(at)


def test_the_server_refuses_to_load_when_the_settings_are_broken(private_demo_store, monkeypatch):
    from ui import loading

    monkeypatch.setattr(st, "secrets", {"Auth": SIGN_IN})
    with (
        patch_config_options({"server.address": "localhost"}),
        pytest.raises(loading.NotAllowed, match=r"\[Auth\]"),
    ):
        loading.undo(1)
