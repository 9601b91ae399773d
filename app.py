"""Corporate parenting dashboard: the router and the shared sidebar, nothing else."""

from __future__ import annotations

import streamlit as st

from ui import data

st.set_page_config(page_title="Corporate parenting dashboard", page_icon="🏠", layout="wide")

pages = [
    st.Page("pages/at_a_glance.py", title="At a glance", icon="📊", default=True),
]
navigation = st.navigation(pages)

councils = data.councils()
with st.sidebar:
    st.header("Corporate parenting")
    if councils.empty:
        st.info("No data loaded yet. Load DfE files with `python -m loaders load`.")
    else:
        codes = councils["old_la_code"].tolist()
        names = dict(zip(councils["old_la_code"], councils["la_name"], strict=True))
        if st.session_state.get("council") not in codes:
            wanted = st.query_params.get("council")
            st.session_state["council"] = wanted if wanted in codes else codes[0]
        st.selectbox(
            "Council",
            codes,
            key="council",
            format_func=lambda code: f"{names[code]} ({code})",
            help="The council whose children's figures are shown. Type to search.",
        )
        st.query_params["council"] = st.session_state["council"]
    if data.is_demo():
        st.warning("**Demo data — fictional councils.** These are not real figures.")

if data.is_demo():
    st.warning(
        "**Demo data — fictional councils.** Every figure on this page is invented by the "
        "project's demo generator; load DfE's files to see real councils."
    )
navigation.run()
