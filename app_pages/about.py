"""About: how the figures are made, where they come from, a glossary, and accessibility."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from ui import data

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _doc(name: str) -> str:
    path = DOCS / name
    text = path.read_text(encoding="utf-8") if path.exists() else f"({name} is missing.)"
    # The page supplies its own title; drop the document's first heading.
    lines = text.splitlines()
    return "\n".join(lines[1:] if lines and lines[0].startswith("# ") else lines)


def _sources() -> None:
    st.markdown(
        "Figures come from the Department for Education's published statistics and the "
        "Office for National Statistics:\n\n"
        "- *Children looked after in England including adoptions* (DfE, annual, usually "
        "November), from the council's SSDA903 return.\n"
        "- *Outcomes for children in need, including children looked after* (DfE).\n"
        "- DfE's children's services statistical neighbours (2021 and 2025 models).\n"
        "- ONS mid-year population estimates of children aged 0 to 17.\n\n"
        "Contains public sector information licensed under the Open Government Licence v3.0."
    )
    if data.is_demo():
        st.warning(
            "**Demo data — fictional councils.** The figures in this copy are made up by the "
            "project's own generator in the same layouts as DfE's files."
        )
    releases = data.releases_described()
    if not releases.empty:
        st.subheader("What is loaded")
        st.dataframe(releases, hide_index=True, width="stretch")


st.title("About this dashboard")
st.markdown(
    "This dashboard helps councillors on a corporate parenting panel see how the children "
    "their council looks after, and its care leavers, are doing, compared with similar "
    "councils and with England. It is open-source software that the council runs itself; it "
    "makes no connection to the internet while you use it."
)
TABS = ["User guide", "Methods", "Sources and licences", "Glossary", "Accessibility statement"]
# Only the open tab is drawn (a tab reruns the page when chosen): the browser took most
# of a second to lay out the methods' 45 KB of text even in a hidden tab.
guide, methods, sources, glossary, accessibility = st.tabs(
    TABS, key="about_tab", on_change="rerun", bind="query-params"
)
if guide.open:
    with guide:
        st.markdown(_doc("USER_GUIDE.md"))
if methods.open:
    with methods:
        st.markdown(_doc("METHODOLOGY.md"))
if sources.open:
    with sources:
        _sources()
if glossary.open:
    with glossary:
        st.markdown(_doc("GLOSSARY.md"))
if accessibility.open:
    with accessibility:
        st.markdown(_doc("ACCESSIBILITY.md"))
