"""Who is using the app and what they may do: local mode, or sign-in.

The settings live in ``.streamlit/secrets.toml`` (git-ignored; README, "Hosting for a
council"):

- ``[auth]``: Streamlit's ``st.login`` settings: ``redirect_uri`` and ``cookie_secret``,
  and the identity provider's ``client_id``, ``client_secret`` and
  ``server_metadata_url`` (in ``[auth]`` itself, or one ``[auth.NAME]`` table per provider).
- ``[dashboard]``: ``analysts`` (account ids, or e-mail addresses as a fallback),
  ``analyst_role`` (an app role that makes its holders analysts) and
  ``allow_local_mode_on_network`` (unsafe; see below).

Four modes:

- **local** (no ``[auth]``): one analyst's tool on their own machine; anyone who can
  open the app may load, and every page says so. The app listens on localhost; when
  ``server.address`` is anything but a loopback address other machines can reach it,
  so loading and undo are switched off unless ``[dashboard]
  allow_local_mode_on_network = true``.
- **signed out** (``[auth]``, not signed in): the sign-in screen and nothing else, on
  every page; ``app.py`` stops before any page runs.
- **signed in**: everyone signed in may view. Analysts may load and undo: an entry of
  ``analysts`` equal to the ``oid`` or ``sub`` claim (stable account ids), or the
  ``analyst_role`` in the ``roles`` claim, or (fallback: an address can be given to
  someone else) an e-mail entry equal to the ``email`` claim, unless the provider says
  it is not verified.
- **misconfigured**: the settings file cannot be read, or looks wrong (a misnamed
  ``[auth]`` section, sign-in settings outside it, a missing or weak setting): the app
  stops with a plain message instead of quietly running open in local mode.

``ui/loading.py`` asks again on the server at every commit and undo.

On a **reader replica** (``CP_READ_PUBLISHED`` set: it serves a published read-only
copy of the store) nobody may load, whatever the mode: loads and commentary are
made on the writer, whose address (``CP_WRITER_URL``) the reason gives.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import streamlit as st
from streamlit import config as streamlit_config
from streamlit.errors import (
    StreamlitAuthError,
    StreamlitMissingAuthlibError,
    StreamlitSecretNotFoundError,
)

SIGN_IN_KEYS = ("redirect_uri", "cookie_secret")
PROVIDER_KEYS = ("client_id", "client_secret", "server_metadata_url")
AUTH_KEYS = {*SIGN_IN_KEYS, *PROVIDER_KEYS, "client_kwargs", "expose_tokens"}
DASHBOARD_KEYS = ("analysts", "analyst_role", "allow_local_mode_on_network")
ID_CLAIMS = ("oid", "sub")  # Entra ID's object id; every provider's subject
MIN_COOKIE_SECRET = 32
MAKE_A_SECRET = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'

LOCAL_BANNER = (
    "Local mode: anyone who can open this app can load data — for one analyst's own machine"
)
LOCAL_REASON = (
    "Single-user local mode: sign-in is not configured, so anyone who can open this app can "
    "load and undo data. See the user guide to turn sign-in on."
)
HOSTING = "the README's 'Hosting for a council'"


@dataclass(frozen=True)
class Settings:
    """The app's own reading of ``secrets.toml``, checked."""

    auth: Mapping[str, Any] | None = None
    analysts: tuple[str, ...] = ()
    analyst_role: str | None = None
    allow_local_mode_on_network: bool = False

    @property
    def providers(self) -> tuple[str | None, ...]:
        """Identity providers to offer: None is the one configured in ``[auth]`` itself."""
        if self.auth is None:
            return ()
        named = sorted(k for k, v in self.auth.items() if isinstance(v, Mapping))
        default = any(key in self.auth for key in PROVIDER_KEYS)
        return (None, *named) if default else tuple(named)


@dataclass(frozen=True)
class Access:
    may_load: bool
    user: str | None  # who a load is logged as
    mode: str  # "local" | "signed in" | "signed out" | "misconfigured"
    reason: str
    may_view: bool = True
    banner: str | None = None
    exposed: bool = False  # local mode on an address other machines can reach
    shown: str | None = None  # the signed-in user as shown to themselves
    providers: tuple[str | None, ...] = ()
    reader: bool = False  # a reader replica: serves a published copy, loads nothing
    loads_on_writer: bool = False  # on a reader, someone who may load on the writer


class SettingsProblem(Exception):
    """The settings file cannot be read, or looks wrong; the message says how, plainly."""


# ------------------------------------------------------------------------------ settings
def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _shown_path(path: str) -> str:
    """A settings file's path as the message names it: short, no more of the server than needed."""
    full = Path(path).expanduser().absolute()
    for base, prefix in ((Path.cwd(), ""), (Path.home(), "~/")):
        try:
            return prefix + full.relative_to(base).as_posix()
        except ValueError:
            continue
    return full.as_posix()


def settings_files() -> str:
    """The settings files that exist (Streamlit's ``secrets.files``), for messages."""
    paths = [str(p) for p in streamlit_config.get_option("secrets.files") or []]
    found = [_shown_path(p) for p in paths if os.path.exists(p)]
    return " and ".join(found) or ".streamlit/secrets.toml"


def _raw_secrets() -> dict[str, Any]:
    try:
        return {str(key): _plain(st.secrets[key]) for key in st.secrets}
    except StreamlitSecretNotFoundError as error:
        if getattr(error, "error_id", None) == "no-secrets-found":
            return {}  # no settings file at all: local mode
        details = getattr(error, "exec_kwargs", {}) or {}
        path = details.get("path") or details.get("sub_folder_path")
        where = _shown_path(str(path)) if path else settings_files()
        raise SettingsProblem(
            f"The app's settings file {where} cannot be read: "
            f"{details.get('error') or error}. It must be valid TOML. Fix it (or move it "
            "away to run in local mode on this machine), then restart the app."
        ) from error
    except (OSError, UnicodeError, ValueError, TypeError) as error:
        raise SettingsProblem(
            f"The app's settings file {settings_files()} cannot be read: {error}. "
            "Fix it, then restart the app."
        ) from error


def _auth_problems(auth: Any) -> list[str]:
    if not isinstance(auth, Mapping):
        return ["`auth` must be a section, `[auth]`, holding the sign-in settings."]
    problems = [f"`[auth]` has no `{key}`." for key in SIGN_IN_KEYS if not auth.get(key)]
    redirect = str(auth.get("redirect_uri") or "")
    if redirect and not redirect.rstrip("/").endswith("/oauth2callback"):
        problems.append(
            "`redirect_uri` must be the app's own address ending in `/oauth2callback` (for "
            "example `https://dashboard.council.gov.uk/oauth2callback`), registered with the "
            "identity provider."
        )
    secret = str(auth.get("cookie_secret") or "")
    if secret and len(secret) < MIN_COOKIE_SECRET:
        problems.append(
            f"`cookie_secret` is too short ({len(secret)} characters; at least "
            f"{MIN_COOKIE_SECRET}). It signs the sign-in cookie, so a short or copied one "
            f"would let someone forge a signed-in analyst. Make one with `{MAKE_A_SECRET}`."
        )
    named = {k: v for k, v in auth.items() if isinstance(v, Mapping)}
    sections = [("`[auth]`", auth)] if any(k in auth for k in PROVIDER_KEYS) else []
    sections += [(f"`[auth.{name}]`", section) for name, section in named.items()]
    for name in named:
        if "_" in name:
            problems.append(f"`[auth.{name}]`: a provider's name cannot contain `_`.")
    for label, section in sections:
        missing = [key for key in PROVIDER_KEYS if not section.get(key)]
        if missing:
            problems.append(
                f"{label} has no {', '.join(f'`{k}`' for k in missing)}: an identity provider "
                "needs `client_id`, `client_secret` and `server_metadata_url`."
            )
    if not sections:
        problems.append(
            "`[auth]` names no identity provider: add its `client_id`, `client_secret` and "
            "`server_metadata_url` (for Microsoft Entra ID see the README)."
        )
    return problems


def _dashboard_problems(dashboard: Any, signing_in: bool) -> list[str]:
    if not isinstance(dashboard, Mapping):
        return ["`dashboard` must be a section, `[dashboard]`."]
    problems = [
        f"`[dashboard]` has `{key}`, which the app does not know (it reads "
        f"{', '.join(f'`{k}`' for k in DASHBOARD_KEYS)})."
        for key in dashboard
        if key not in DASHBOARD_KEYS
    ]
    analysts = dashboard.get("analysts", [])
    if not isinstance(analysts, list) or not all(isinstance(a, str) and a for a in analysts):
        problems.append(
            '`analysts` must be a list of account ids or e-mail addresses, e.g. `analysts = ["'
            '6f1c2a9e-…", "ann.analyst@council.gov.uk"]`.'
        )
    role = dashboard.get("analyst_role")
    if role is not None and not (isinstance(role, str) and role):
        problems.append('`analyst_role` must be the role\'s value, e.g. `"Dashboard.Analyst"`.')
    if not isinstance(dashboard.get("allow_local_mode_on_network", False), bool):
        problems.append("`allow_local_mode_on_network` must be `true` or `false`, unquoted.")
    if not signing_in and (dashboard.get("analysts") or role):
        problems.append(
            "`[dashboard]` names analysts, but sign-in is not configured (there is no "
            "`[auth]` section), so the list would do nothing and anyone could load. Add "
            "`[auth]`, or take the list out to use local mode."
        )
    return problems


def check_settings(raw: Mapping[str, Any]) -> list[str]:
    """Everything wrong with the settings, in plain words (empty when they are fine)."""
    problems = []
    for key, value in raw.items():
        if key != "auth" and isinstance(value, Mapping) and "auth" in key.lower():
            problems.append(
                f"There is a section called `[{key}]`. Sign-in settings go in a section "
                "called exactly `[auth]` (lower case), so sign-in is not turned on."
            )
        elif key != "dashboard" and key.lower().startswith("dashboard"):
            problems.append(
                f"There is a section called `[{key}]`. The dashboard's settings go in a "
                "section called exactly `[dashboard]` (lower case)."
            )
    stray = [key for key in raw if key in AUTH_KEYS]
    if stray:
        problems.append(
            f"{', '.join(f'`{k}`' for k in stray)} are outside any section (at the top of the "
            "file): sign-in settings go under `[auth]`, so sign-in is not turned on."
        )
    stray = [key for key in raw if key in DASHBOARD_KEYS]
    if stray:
        problems.append(
            f"{', '.join(f'`{k}`' for k in stray)} are outside any section: they go under "
            "`[dashboard]`."
        )
    if "auth" in raw:
        problems += _auth_problems(raw["auth"])
    return problems + _dashboard_problems(raw.get("dashboard", {}), "auth" in raw)


def read_settings() -> Settings:
    """The checked settings; raises SettingsProblem with a plain message when they are wrong."""
    raw = _raw_secrets()
    problems = check_settings(raw)
    if problems:
        listed = "\n".join(f"- {p}" for p in problems)
        raise SettingsProblem(
            f"**The app's settings in {settings_files()} need fixing**, so it has stopped "
            f"rather than run without the protection they ask for:\n\n{listed}\n\nSee "
            f"{HOSTING}, then restart the app."
        )
    dashboard = raw.get("dashboard", {})
    return Settings(
        auth=raw.get("auth"),
        analysts=tuple(dashboard.get("analysts", [])),
        analyst_role=dashboard.get("analyst_role"),
        allow_local_mode_on_network=dashboard.get("allow_local_mode_on_network", False),
    )


# ------------------------------------------------------------------------------- who
def is_loopback(address: str | None) -> bool:
    """Whether a server.address lets only this machine connect (unset means every interface)."""
    host = (address or "").strip().strip("[]").lower()
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # a host name: assume other machines can reach it


def _claims(user: Mapping[str, Any], name: str) -> list[str]:
    value = user.get(name)
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def is_analyst(user: Mapping[str, Any], settings: Settings) -> bool:
    listed = {entry.strip().lower() for entry in settings.analysts}
    ids = {claim.lower() for name in ID_CLAIMS for claim in _claims(user, name)}
    if ids & {entry for entry in listed if "@" not in entry}:
        return True
    if settings.analyst_role and settings.analyst_role in _claims(user, "roles"):
        return True
    # Fallback: an e-mail address can be given to someone else after its owner leaves.
    email = str(user.get("email") or "").strip().lower()
    verified = str(user.get("email_verified", True)).lower() != "false"
    return bool(email) and verified and email in {e for e in listed if "@" in e}


def _names(user: Mapping[str, Any]) -> tuple[str, str]:
    """(as shown to the user, as logged with each load: the name and the stable id)."""
    shown = next((str(user[k]) for k in ("email", "preferred_username", "name") if user.get(k)), "")
    ident = next((f"{k} {user[k]}" for k in ID_CLAIMS if user.get(k)), "")
    logged = f"{shown} ({ident})" if shown and ident else shown or ident or "unknown"
    return shown or ident or "unknown", logged


def _local(settings: Settings) -> Access:
    address = streamlit_config.get_option("server.address")
    if is_loopback(address):
        return Access(True, None, "local", LOCAL_REASON, banner=f"**{LOCAL_BANNER}.**")
    where = f"on `{address}`" if address else "on every network address (`server.address` unset)"
    if settings.allow_local_mode_on_network:
        return Access(
            True,
            None,
            "local",
            LOCAL_REASON,
            exposed=True,
            banner=(
                f"**{LOCAL_BANNER}.** It is served {where}, and `allow_local_mode_on_network` "
                "is set, so anyone on the network who can reach it can load and undo data. "
                f"Turn sign-in on instead ({HOSTING})."
            ),
        )
    return Access(
        False,
        None,
        "local",
        (
            f"Loading is switched off: sign-in is not configured and this app is served "
            f"{where}, where other machines can reach it. Serve it on localhost (as "
            f"`make run` does), or turn sign-in on ({HOSTING})."
        ),
        exposed=True,
        banner=(
            f"**Local mode, served {where}**: loading and undo are switched off, as anyone "
            "who can reach this address could use them. Figures can be viewed."
        ),
    )


READER_ENV = "CP_READ_PUBLISHED"
WRITER_URL_ENV = "CP_WRITER_URL"


def reader_reason() -> str:
    """What a reader replica says instead of offering to load."""
    writer = os.environ.get(WRITER_URL_ENV)
    where = f"on the writer, {writer}" if writer else "on the writer instance of the dashboard"
    return (
        "This copy of the dashboard is for reading: it shows the data the writer last "
        f"published. Loads, undo and commentary are made {where}."
    )


def current() -> Access:
    """Who this is and what they may do, from the settings and st.user (never raises)."""
    who = _current()
    if not os.environ.get(READER_ENV) or not who.may_view:
        return who
    return replace(
        who,
        may_load=False,
        reason=reader_reason(),
        reader=True,
        loads_on_writer=who.may_load,
        banner=None,
    )


def writer_address() -> str:
    """The writer's address as readers give it ("the writer" when it is not configured)."""
    return os.environ.get(WRITER_URL_ENV) or "the writer"


def _current() -> Access:
    try:
        settings = read_settings()
    except SettingsProblem as problem:
        return Access(False, None, "misconfigured", str(problem), may_view=False)
    if settings.auth is None:
        return _local(settings)
    user = st.user
    if not user.get("is_logged_in"):
        return Access(
            False,
            None,
            "signed out",
            "Sign in with your council account to see the dashboard.",
            may_view=False,
            providers=settings.providers,
        )
    shown, logged = _names(user)
    if is_analyst(user, settings):
        return Access(True, logged, "signed in", f"Signed in as {shown} (analyst).", shown=shown)
    return Access(
        False,
        logged,
        "signed in",
        f"Signed in as {shown}. Only the analysts listed in the app's settings can load or "
        "undo data; you can view everything.",
        shown=shown,
    )


# ------------------------------------------------------------------------ on the page
def _sign_in(provider: str | None) -> None:
    try:
        if provider is None:
            st.login()
        else:
            st.login(provider)
    except StreamlitMissingAuthlibError:
        st.session_state["_sign_in_problem"] = (
            "Sign-in cannot start: the server lacks the Authlib package. Install the "
            "requirements again (`make setup`, or `pip install -r requirements.txt`) and "
            "restart the app."
        )
    except StreamlitAuthError as error:
        st.session_state["_sign_in_problem"] = f"Sign-in cannot start: {error}"


def _sign_out() -> None:
    st.logout()


def gate(who: Access) -> None:
    """Stop here, before any page runs, unless this visitor may view the dashboard.

    Broken settings: a plain message. Signed out: the sign-in screen and nothing else.
    """
    if who.mode == "misconfigured":
        st.title("Corporate parenting dashboard")
        st.error(who.reason)
        st.stop()
    if who.mode == "signed out":
        st.title("Corporate parenting dashboard")
        st.markdown(
            "This dashboard is for the council's staff and councillors. "
            "**Sign in** with your council account to see it."
        )
        problem = st.session_state.pop("_sign_in_problem", None)
        if problem:
            st.error(problem)
        for provider in who.providers:
            st.button(
                "Sign in" if len(who.providers) == 1 else f"Sign in with {provider or 'default'}",
                type="primary",
                on_click=_sign_in,
                args=(provider,),
                key=f"sign_in_{provider or 'default'}",
            )
        st.stop()


def show(who: Access) -> None:
    """The signed-in user and the sign-out button in the sidebar; the local-mode banner."""
    if who.mode == "signed in":
        st.sidebar.caption(f"Signed in as {who.shown}")
        st.sidebar.button("Sign out", on_click=_sign_out, key="sign_out")
    if who.banner:
        (st.warning if who.exposed else st.info)(who.banner)
