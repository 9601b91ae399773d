"""Export: the lead member's meeting pack as an editable PowerPoint deck."""

from __future__ import annotations

import streamlit as st

from exports.pack import PackRequest, build_pack, source_lines
from ui import data, state
from ui.components import page_heading

selection = state.current()
if page_heading(
    "Meeting pack",
    selection,
    "An editable PowerPoint deck for the panel: an executive summary of the chosen indicators "
    "(at a glance, and key messages about those indicators only), then one slide per "
    "indicator with a figure: native charts whose figures PowerPoint can edit, a comparison "
    "table, the officers' commentary (or an empty box for it), and the definition and "
    "questions to ask in the speaker notes.",
):
    assert selection is not None
    items = data.indicators_by_id()
    themes = {t.label: t for t in selection.grouping.themes if t.indicator_ids}
    picked = st.session_state.get("pack_indicators", [])
    choices = ["Indicators added from the pages"] if picked else []
    source = st.radio(
        "Indicators",
        choices + list(themes),
        key="pack_source",
        help="A theme of the chosen grouping, or the indicators you added with 'Add to "
        "meeting pack' on the line-of-enquiry pages.",
    )
    default = picked if source in choices else list(themes[source].indicator_ids)
    ids = st.multiselect(
        "Slides, in order",
        list(items),
        default=list(dict.fromkeys(default)),
        format_func=lambda i: items[i].title,
        key=f"pack_ids_{source}",
    )
    meeting = st.text_input("Meeting", "Corporate parenting panel", key="pack_meeting")
    when = st.text_input("Date", key="pack_date", placeholder="e.g. 3 December 2026")

    def deck() -> bytes:
        assert selection is not None
        table = data.comparisons(selection.sn_model, selection.sn_method)
        request = PackRequest(
            council=selection.council,
            council_name=selection.council_name,
            indicator_ids=ids,
            year=selection.year,
            sn_model=selection.sn_model,
            meeting_name=meeting,
            is_demo=data.is_demo(),
            sources=source_lines(data.releases()),
            releases=data.releases(),
            commentary=data.pack_commentary(selection, ids),
            quarterly=data.quarterly_figures(selection.council),
            reconciliation=data.reconciliation(selection.council),
        )
        if when:
            request.meeting_date = when
        return build_pack(table, data.neighbours(), request)

    st.download_button(
        f"Download the meeting pack ({len(ids)} indicator slide{'' if len(ids) == 1 else 's'})",
        deck,
        f"meeting_pack_{selection.council}.pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        key="pack_download",
        on_click="ignore",
        type="primary",
        icon=":material/slideshow:",
        disabled=not ids,
    )
    st.caption(
        "The deck is built when you click. Charts are PowerPoint charts: right-click → Edit "
        "Data to change a figure. A figure that was not published (suppressed, not available "
        "and so on) is a gap, with a footnote saying which and why."
    )
