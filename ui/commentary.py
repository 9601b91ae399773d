"""Officers' commentary under an indicator: everyone reads it, analysts write it.

The commentary (context, action, owner) belongs to the figure the page shows, so
it is read and written for that figure's period. It is shown as text: whatever an
officer types (a link, a heading, an asterisk) reads exactly as typed. Saving it
is a load of its own (`loaders.commentary`), so the Data page's History lists it
with who and when, and undo there brings back the commentary before it.

Everyone reads the commentary under the indicator's questions. Analysts open the
form with the switch in the indicator's chart panel (`ui.line_page`); neither the
switch nor the form is drawn until then. Who may write is `ui.access`'s answer to
"may this visitor load?", asked again on the server when the form is sent, not only
when it is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import streamlit as st

from indicators.catalogue import Indicator
from indicators.commentary import LABELS, commentary_for, written_line
from indicators.formatting import period_label
from indicators.views import CouncilFigures
from loaders.commentary import MAX_CHARACTERS, CommentaryRefused, save_commentary
from ui import access, data
from ui.state import Selection
from ui.text import markdown_text

MESSAGE_KEY = "_commentary_message"


@dataclass(frozen=True)
class PageCommentary:
    """What every indicator of a line page reads its commentary from, read once a run:
    the council's figures (for the period shown), the commentary in force and who is
    reading. Read again for each indicator, they were about a tenth of a line page's
    first run (a copy of the commentary, the settings, a dozen cached reads each)."""

    figures: CouncilFigures
    in_force: pd.DataFrame
    who: access.Access

    @classmethod
    def read(cls, selection: Selection) -> PageCommentary:
        return cls(
            data.council_figures(selection), data.commentary(selection.council), access.current()
        )

    def shown(
        self, item: Indicator, selection: Selection
    ) -> tuple[str, dict[str, object] | None] | None:
        """The period of the figure the page shows (DfE's time period, e.g. '2025' or
        '202425': the selection's year when the council has it, else its latest) and the
        commentary in force on it; None when the council has no figure."""
        row = self.figures.shown_row(item.id, selection.year)
        if row is None:
            return None
        period = str(row["time_period"])
        return period, commentary_for(self.in_force, item.id, period)


def _save(item: Indicator, council: str, period: str, key: str, fields: str) -> None:
    """The form's callback: runs before the page is drawn again, so the page shows the
    commentary just saved. ``fields`` starts the text areas' keys."""
    who = access.current()
    if not who.may_load:
        st.session_state[MESSAGE_KEY] = (key, "error", who.reason)
        return
    try:
        load_id = save_commentary(
            data.cursor(),
            item.id,
            council,
            period,
            st.session_state.get(f"{fields}_context"),
            st.session_state.get(f"{fields}_action"),
            st.session_state.get(f"{fields}_owner"),
            who.user,
        )
    except CommentaryRefused as refused:
        st.session_state[MESSAGE_KEY] = (key, "error", f"Not saved: {refused}")
        return
    data.publish_for_readers()  # a failure is shown at the top of the next run
    st.session_state[MESSAGE_KEY] = (
        key,
        "success",
        f"Saved as load {load_id}. The Data page's History lists it; undo it there to bring "
        "back the commentary before.",
    )


def show_commentary(item: Indicator, selection: Selection, page: PageCommentary) -> None:
    """The commentary on the figure shown (if any), as text; and, for an analyst on a
    reader replica, where commentary is written."""
    shown = page.shown(item, selection)
    if shown is None:
        return
    period, found = shown
    shown_period = period_label(period)
    if found is not None:
        with st.container(border=True):
            st.markdown(f"**Officer commentary, {markdown_text(shown_period)}**")
            for name, label in LABELS.items():
                if found[name]:
                    st.markdown(f"**{label}.** {markdown_text(found[name])}")
            st.caption(markdown_text(written_line(found)))
    if page.who.loads_on_writer:  # an analyst on a reader replica: commentary is written there
        st.caption(
            "To add or change the officer commentary, use the writer: "
            + markdown_text(access.writer_address())
        )


def commentary_form(item: Indicator, selection: Selection, page: PageCommentary) -> None:
    """For analysts: the switch that opens the form to add or change the commentary."""
    if not page.who.may_load:
        return
    shown = page.shown(item, selection)
    if shown is None:
        return
    period, found = shown
    shown_period = period_label(period)
    key = f"commentary_{item.id}_{selection.council}_{period}"
    message = st.session_state.get(MESSAGE_KEY)
    if message and message[0] == key:
        (st.success if message[1] == "success" else st.error)(message[2])
    # The text areas start from the commentary in force; keyed by its load, so after a
    # save or an undo they start again from the one now in force, not from what was typed.
    fields = f"{key}_{int(found['load_id']) if found else 0}"
    heading = f"{'Change' if found else 'Add'} the officer commentary on {shown_period}'s figure"
    # The form is drawn only when asked for: three text areas per indicator, drawn for
    # every indicator of a line page, cost the browser about a second on each visit.
    if not st.toggle(heading, key=f"{key}_write"):
        return
    with st.form(key=f"{key}_form"):
        for name, label in LABELS.items():
            st.text_area(
                label,
                value=str(found[name]) if found else "",
                max_chars=MAX_CHARACTERS,
                key=f"{fields}_{name}",
                height=68 if name == "owner" else 100,
                help={
                    "context": "What explains the figure.",
                    "action": "What is being done about it.",
                    "owner": "Who answers for it (a role, not only a name).",
                }[name],
            )
        st.caption(
            f"Up to {MAX_CHARACTERS:,} characters each. Shown to everyone who reads this "
            "page and on this indicator's slide in the meeting pack. Clear all three to "
            "withdraw it."
        )
        st.form_submit_button(
            "Save commentary",
            on_click=_save,
            args=(item, selection.council, period, key, fields),
        )
