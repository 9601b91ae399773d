"""Corporate parenting dashboard: the router and the shared sidebar, nothing else.

Before any page runs, ``ui.access`` decides who may see it: with sign-in configured a
signed-out visitor gets the sign-in screen and nothing else, on every page; settings
that cannot be read or look wrong stop the app with a plain message.
"""

from __future__ import annotations

import streamlit as st

from ui import access, page_list, preload, serve

st.set_page_config(page_title="Corporate parenting dashboard", page_icon="🏠", layout="wide")

PAGES = {
    section: [
        st.Page(page.file, title=page.title, icon=page.icon, default=page.default) for page in pages
    ]
    for section, pages in page_list.by_section().items()
}

who = access.current()
# The pages are registered either way, so a shared link lands on the sign-in screen.
# Every page in the menu (Streamlit shows ten of sixteen and "View 6 more" otherwise,
# which hid lines 8 to 10, the meeting pack and the guide).
navigation = st.navigation(PAGES, position="sidebar" if who.may_view else "hidden", expanded=True)
access.gate(who)  # stops here unless this visitor may view the dashboard
if navigation.title in page_list.CHART_PAGE_TITLES:
    preload.fetch_chart_code()  # the browser starts on it while this run waits and works
serve.wait_for_imports()  # served by ui/serve.py: its warm-up imports what runs import

from ui import data, state  # noqa: E402

data.begin_run()  # a reader replica: this run reads the store published now
st.session_state["_selection"] = state.sidebar()
st.sidebar.caption(data.as_loaded_caption())
access.show(who)
if data.is_demo():
    st.sidebar.warning("**Demo data — fictional councils.** These are not real figures.")
    st.warning(
        "**Demo data — fictional councils.** Every figure here is invented by the project's "
        "demo generator; load DfE's files to see real councils."
    )
navigation.run()
