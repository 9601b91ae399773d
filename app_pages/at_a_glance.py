"""At a glance: the council's headline figures, a three-year summary, strengths and concerns."""

from __future__ import annotations

import streamlit as st

from domain.wording import (
    NO_CONCERNS,
    NO_STRENGTHS,
    SUMMARY_EXPLAINED,
    TOO_SMALL_EXPLAINED,
    TOO_SMALL_HEADING,
)
from ui import data, state
from ui.components import (
    delta_colour,
    judged_list,
    metrics_show_whole_text,
    page_heading,
    plain_table,
    table_downloads,
    table_key,
)
from ui.text import markdown_text

selection = state.current()
if page_heading("At a glance", selection):
    assert selection is not None
    council = selection.council
    st.subheader(f"{markdown_text(selection.council_name)}: children in care and care leavers")

    tiles = data.headline_tiles(selection)
    metrics_show_whole_text()
    # One row of columns per three tiles, so screen readers meet them in reading order.
    for index, tile in enumerate(tiles):
        if index % 3 == 0:
            columns = st.columns(3)
        with columns[index % 3]:
            st.metric(
                tile["short_label"],
                tile["value"],
                delta=tile["change"],
                # A change that may be chance is not coloured as better or worse.
                delta_color="off"
                if "may be chance" in str(tile["chance"]) or "too few" in str(tile["chance"])
                else delta_colour(str(tile["polarity"])),
                help=" ".join(part for part in (f"{tile['label']}.", str(tile["note"])) if part),
                border=True,
            )
            st.caption(str(tile["caption"]))

    table, years = data.at_a_glance_table(council)
    if years:
        st.markdown(f"#### The last three years ({years[0]} to {years[-1]})")
    # A plain table to read (ui/html_table.py): whole measure names, and on a phone the
    # measure stays in place while the years scroll beside it in the table's own box.
    plain_table(
        table,
        f"{selection.council_name}: the last three years, with England's",
        number_columns=[column for column in table.columns if column != "Measure"],
    )
    # The meanings of the symbol words shown here (tiles and table), from the one table.
    st.caption(
        " ".join(
            part
            for part in (
                "Figures as published by the Department for Education (newest release of each "
                "year); a percentage is followed by the children it counts, out of how many, "
                "where DfE publishes both.",
                table_key(table, *(tile["value"] for tile in tiles)),
                "Years end on 31 March.",
            )
            if part
        )
    )
    table_downloads(
        data.at_a_glance_download(council, selection.council_name),
        f"at_a_glance_{council}",
        "glance",
    )

    summary = data.strengths_and_concerns(selection)
    strengths, concerns = st.columns(2)
    with strengths:
        judged_list("Strengths", summary["strengths"], NO_STRENGTHS)
    with concerns:
        judged_list("Concerns", summary["concerns"], NO_CONCERNS)
    if summary["too_small"]:
        st.markdown(f"#### {TOO_SMALL_HEADING}")
        st.markdown("\n".join(f"- {markdown_text(text)}" for text in summary["too_small"]))
        st.caption(f"{SUMMARY_EXPLAINED} {TOO_SMALL_EXPLAINED}")
    else:
        st.caption(SUMMARY_EXPLAINED)
