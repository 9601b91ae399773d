"""At a glance: the council's headline figures over three years, with England alongside."""

from __future__ import annotations

import streamlit as st

from exports.tables import to_csv_bytes
from ui import data

st.title("At a glance")
council = st.session_state.get("council")
if not council:
    st.info("Choose a council in the sidebar once data is loaded.")
    st.stop()

names = data.councils().set_index("old_la_code")["la_name"]
st.subheader(f"{names.get(council, council)}: children in care and care leavers")

tiles = data.headline_tiles(council)
# One row of columns per three tiles, so screen readers meet them in reading order.
for index, tile in enumerate(tiles):
    if index % 3 == 0:
        columns = st.columns(3)
    with columns[index % 3]:
        change = tile["change"]
        delta = None
        if change is not None and tile["previous_year"]:
            suffix = " points" if tile["unit"] == "percent" else ""
            delta = f"{change:+,.0f}{suffix} since {tile['previous_year']}"
        st.metric(
            tile["short_label"],
            tile["value"],
            delta=delta,
            delta_color="off",
            help=f"{tile['label']}, {tile['year']}. England: {tile['england']}.",
            border=True,
        )
        st.caption(f"{tile['year']} · England {tile['england']}")

table, years = data.at_a_glance_table(council)
st.markdown(f"#### The last three years ({years[0]} to {years[-1]})" if years else "")
st.dataframe(table, hide_index=True, width="stretch")
st.caption(
    "Figures as published by the Department for Education (newest release of each year). "
    "'Suppressed' means DfE withheld a small number to protect children's privacy. "
    "Years are years ending 31 March."
)
st.download_button(
    "Download this table (CSV)",
    to_csv_bytes(table),
    file_name=f"at_a_glance_{council}.csv",
    mime="text/csv",
)
