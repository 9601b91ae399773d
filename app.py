"""Corporate parenting dashboard: the router and the shared sidebar, nothing else.

Before any page runs, ``ui.access`` decides who may see it: with sign-in configured a
signed-out visitor gets the sign-in screen and nothing else, on every page; settings
that cannot be read or look wrong stop the app with a plain message.
"""

from __future__ import annotations

import streamlit as st

from ui import access, data, state

st.set_page_config(page_title="Corporate parenting dashboard", page_icon="🏠", layout="wide")

LINES = [
    ("cohort", "1. Who are our children?"),
    ("duties", "2. Knowing our duties"),
    ("voice", "3. Children's voices"),
    ("aspirations", "4. Aspirations and education"),
    ("health", "5. Health and wellbeing"),
    ("stability", "6. Stability"),
    ("care_leavers", "7. Care leavers"),
    ("out_of_area", "8. Out-of-area placements"),
    ("sufficiency", "9. Sufficiency: where children live"),
    ("safeguarding", "10. Missing and safeguarding"),
]
PAGES = {
    "Overview": [
        st.Page(
            "app_pages/at_a_glance.py",
            title="At a glance",
            icon=":material/dashboard:",
            default=True,
        ),
        st.Page("app_pages/scorecard.py", title="Scorecard", icon=":material/table_chart:"),
        st.Page("app_pages/compare.py", title="Compare councils", icon=":material/compare_arrows:"),
    ],
    "Lines of enquiry": [st.Page(f"app_pages/{page}.py", title=title) for page, title in LINES],
    "Meeting pack": [
        st.Page("app_pages/export.py", title="Meeting pack", icon=":material/slideshow:")
    ],
    "Data": [
        st.Page("app_pages/data.py", title="Load and undo data", icon=":material/upload_file:")
    ],
    "Help": [st.Page("app_pages/about.py", title="About and methods", icon=":material/info:")],
}

who = access.current()
# The pages are registered either way, so a shared link lands on the sign-in screen.
navigation = st.navigation(PAGES, position="sidebar" if who.may_view else "hidden")
access.gate(who)  # stops here unless this visitor may view the dashboard
st.session_state["_selection"] = state.sidebar()
access.show(who)
if data.is_demo():
    st.sidebar.warning("**Demo data — fictional councils.** These are not real figures.")
    st.warning(
        "**Demo data — fictional councils.** Every figure here is invented by the project's "
        "demo generator; load DfE's files to see real councils."
    )
navigation.run()
