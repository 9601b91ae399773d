"""The sidebar's choices, shared by every page and mirrored in the URL.

A panel member can copy the address bar and send a colleague exactly what they
see: council, year, neighbour model and method, and grouping all travel in the
query string (``?council=857&year=2025&model=2025&method=mean``).

The council is always in view. The year, the neighbour model and average and the
grouping are changed far less often: their choices are named on a folded
"Year and comparison" section whose controls are drawn only when it is opened.
Each control drawn cost the browser about 65 ms of CPU on every page and reload
(a one-chart page costs about 1 s in all), so four of them cost a quarter of
the floor on every visit. Their values live in the session under their own
keys, so they hold whether the controls are drawn or not.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from domain.wording import NEIGHBOURS_EXPLAINED
from indicators.catalogue import DEFAULT_GROUPING, Grouping, grouping, groupings
from ui import data
from ui.text import markdown_text

LATEST = "Latest"
URL_KEYS = {
    "council": "council",
    "year": "year",
    "sn_model": "model",
    "sn_method": "method",
    "grouping": "grouping",
}


@dataclass(frozen=True)
class Selection:
    council: str
    council_name: str
    year: int | None  # None: each indicator's latest year
    sn_model: str | None
    sn_method: str
    grouping: Grouping

    @property
    def year_label(self) -> str:
        return str(self.year) if self.year else "latest year available"


SETTINGS_KEY = "_settings_open"


def _choice(key: str, options: list[str], draw) -> None:
    """Draw one folded setting's control (``draw(key, index)`` returns its value) and keep
    the value under ``key``; the control's own key is ``key + "_choice"``."""
    st.session_state[key] = draw(f"{key}_choice", options.index(st.session_state[key]))


# What each setting a link may carry is called in the message about a value not found.
URL_KEY_NAMES = {
    "council": "council code",
    "year": "year",
    "sn_model": "model of similar councils",
    "sn_method": "average",
    "grouping": "grouping",
}


def _initialise(key: str, options: list[str], default: str, shown: str | None = None) -> None:
    """Take the value from the session, else the URL, else the default. A link asking for
    a value this store does not have says so once, above the page, rather than quietly
    showing another council (the address is then rewritten to what is shown); ``shown``
    is how the message names the default (its own text if not given)."""
    if st.session_state.get(key) in options:
        return
    wanted = st.query_params.get(URL_KEYS[key])
    st.session_state[key] = wanted if wanted in options else default
    if wanted is not None and wanted not in options:
        st.warning(
            f"The link asks for {URL_KEY_NAMES[key]} ‘{markdown_text(str(wanted)[:40])}’, "
            "which is not in the data loaded here: the page shows "
            f"{markdown_text(shown or default)} instead. Choose another in the sidebar.",
            icon=":material/link_off:",
        )


def sidebar() -> Selection | None:
    """Draw the shared sidebar and return the current selection (None with no data)."""
    councils = data.councils()
    st.sidebar.header("Corporate parenting")
    if councils.empty:
        st.sidebar.info("No data loaded yet. Load DfE files with `python -m loaders load`.")
        return None
    codes = councils["old_la_code"].tolist()
    names = dict(zip(councils["old_la_code"], councils["la_name"], strict=True))
    _initialise("council", codes, codes[0], f"{names[codes[0]]} ({codes[0]})")
    st.sidebar.selectbox(
        "Council",
        codes,
        key="council",
        format_func=lambda code: f"{names[code]} ({code})",
        help="The council whose children's figures are shown. Type to search.",
    )
    years = [LATEST, *[str(y) for y in data.years()]]
    _initialise("year", years, LATEST)
    models = data.neighbour_models()
    if models:
        _initialise("sn_model", models, models[0])
    methods = ["mean", "median"]
    _initialise("sn_method", methods, "mean")
    grouping_ids = [g.id for g in groupings()]
    _initialise("grouping", grouping_ids, DEFAULT_GROUPING)
    settings = st.sidebar.expander(
        settings_summary(
            st.session_state["year"],
            st.session_state.get("sn_model"),
            st.session_state["sn_method"],
            grouping(st.session_state["grouping"]).title,
        ),
        key=SETTINGS_KEY,
        on_change="rerun",
    )
    if settings.open:
        with settings:
            _choice(
                "year",
                years,
                lambda key, index: st.selectbox(
                    "Year",
                    years,
                    index=index,
                    key=key,
                    help="Years end on 31 March (school results: the academic year ending that "
                    "summer). 'Latest' shows each figure's most recent year.",
                ),
            )
            if models:
                _choice(
                    "sn_model",
                    models,
                    lambda key, index: st.selectbox(
                        "Similar councils: DfE's model",
                        models,
                        index=index,
                        key=key,
                        help=NEIGHBOURS_EXPLAINED
                        + " DfE revises its lists; the newest is the default.",
                    ),
                )
            _choice(
                "sn_method",
                methods,
                lambda key, index: st.radio(
                    "Similar councils' average",
                    methods,
                    index=index,
                    key=key,
                    format_func=lambda m: "Mean (as DfE's LAIT)" if m == "mean" else "Median",
                    horizontal=True,
                ),
            )
            _choice(
                "grouping",
                grouping_ids,
                lambda key, index: st.selectbox(
                    "Group indicators by",
                    grouping_ids,
                    index=index,
                    key=key,
                    format_func=lambda g: grouping(g).title,
                ),
            )
    for key, url_key in URL_KEYS.items():
        if key in st.session_state:
            st.query_params[url_key] = st.session_state[key]
    year = st.session_state["year"]
    return Selection(
        council=st.session_state["council"],
        council_name=names[st.session_state["council"]],
        year=None if year == LATEST else int(year),
        sn_model=st.session_state.get("sn_model"),
        sn_method=st.session_state["sn_method"],
        grouping=grouping(st.session_state["grouping"]),
    )


def settings_summary(year: str, model: str | None, method: str, grouping_title: str) -> str:
    """The folded settings' heading: every choice in force, readable without opening it."""
    shown_year = "latest year" if year == LATEST else year
    similar = f"similar councils {model} model, {method}" if model else f"{method}"
    return f"Year and comparison: {shown_year}; {similar}; {grouping_title}"


def current() -> Selection | None:
    """The selection made by the sidebar on this run (set by app.py before the page runs)."""
    return st.session_state.get("_selection")


# The Compare page's own choices travel in the address too (?indicator=…&councils=…),
# so a copied link reopens the same indicator and councils.
COMPARE_INDICATOR_URL = "indicator"
COMPARE_COUNCILS_URL = "councils"
_COMPARE_ADDRESS_READ = "_compare_address_read"


def initial_compare_indicator(key: str, options: list[str], default: str) -> None:
    """The indicator to start with: the session's, else the address's, else the default."""
    if st.session_state.get(key) in options:
        return
    wanted = st.query_params.get(COMPARE_INDICATOR_URL)
    st.session_state[key] = wanted if wanted in options else default


def initial_compare_councils(key: str, options: list[str], default: list[str]) -> None:
    """The councils to start with: the session's, else (once per session, when a link
    is opened) the address's, else the default (the council and its neighbours).

    Read once: after the sidebar's council changes, the address still lists the
    councils chosen for the one before, and the new council's neighbours are wanted.
    """
    if key in st.session_state:
        return
    chosen = default
    if not st.session_state.get(_COMPARE_ADDRESS_READ):
        listed = [c for c in st.query_params.get(COMPARE_COUNCILS_URL, "").split(",") if c]
        known = [c for c in dict.fromkeys(listed) if c in options]
        if known:
            chosen = known
    st.session_state[_COMPARE_ADDRESS_READ] = True
    st.session_state[key] = chosen


def keep_compare_in_address(indicator_id: str, councils: list[str]) -> None:
    """Write the Compare page's choices into the address bar."""
    st.query_params[COMPARE_INDICATOR_URL] = indicator_id
    st.query_params[COMPARE_COUNCILS_URL] = ",".join(councils)
