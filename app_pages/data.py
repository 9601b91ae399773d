"""Data: upload → check → preview → commit, the load history, and undo (analysts)."""

from __future__ import annotations

from datetime import date

import streamlit as st

from domain.periods import two_year_period, year_ending_march
from exports.tables import to_csv_bytes
from ui import access, data, loading, state
from ui.components import table_downloads
from ui.text import markdown_text


def _extract_options() -> loading.ExtractOptions:
    """Whose extract this is and the date it was run to (SSDA903 tables do not say)."""
    councils = data.councils()
    selection = state.current()
    with st.expander("For an SSDA903 extract: the council and the as-at date"):
        codes = list(councils["old_la_code"])
        names = dict(zip(councils["old_la_code"], councils["la_name"], strict=True))
        council = st.selectbox(
            "Council the extract is for",
            codes,
            index=codes.index(selection.council) if selection and codes else 0,
            format_func=lambda code: f"{names.get(code, code)} ({code})",
            key="extract_council",
        )
        set_date = st.checkbox(
            "Set the as-at date (otherwise the latest episode start or end in the extract)",
            key="extract_set_date",
        )
        as_at = st.date_input("As at", key="extract_as_at") if set_date else None
    return loading.ExtractOptions(council, as_at)


st.title("Data: load, check and undo")
who = access.current()  # app.py has already stopped anyone who may not view
(st.info if who.mode == "local" or who.reader else st.caption)(markdown_text(who.reason))

load_tab, extract_tab, template_tab, history_tab = st.tabs(
    ["Load files", "Child-level extracts", "Quarterly return template", "History and undo"]
)

with load_tab:
    if who.reader:
        st.write("Loading is done on the writer, not on this reading copy.")
    elif not who.may_load:
        st.write("Loading is for the council's analysts.")
    else:
        st.markdown(
            "Upload DfE release CSVs, the council's quarterly return, a local indicator file, "
            "the council's SSDA903 extract (its tables as CSVs, or a zip of them), statistical "
            "neighbour lists or ONS population (CSV, XLSX or ZIP). Every file is checked and "
            "the changes previewed; **nothing is written until you commit.**"
        )
        if data.is_demo():
            st.info(
                "This store holds the **fictional demo councils**. You can try a quarterly "
                "return, local indicators or an SSDA903 extract for one of them here; real "
                "DfE, ONS and neighbour files go into a new store: start the app with "
                "`CP_DB=data/council.duckdb make run`."
            )
        extract_options = _extract_options()
        uploads = st.file_uploader(
            "Files to load",
            type=["csv", "xlsx", "zip"],
            accept_multiple_files=True,
            key="uploads",
        )
        if uploads:
            report, refused = loading.checked_uploads(uploads, extract_options)
            for reason in refused:
                st.error(markdown_text(reason))  # names the uploaded files
            if report is not None:
                st.subheader("1. Check")
                st.dataframe(report.files_table(), hide_index=True, width="stretch")
                problems = report.problems_table()
                refusal = loading.store_refusal(report)
                if refusal:
                    st.error(refusal)
                elif report.status == "rejected":
                    errors = problems[problems["severity"] == "error"]
                    st.error(
                        f"{len(errors):,} problem(s) found: nothing can be loaded until the "
                        "file is fixed. Each row says where (file, line, column) and what was "
                        "expected."
                    )
                elif "child" in problems.columns:
                    st.warning(
                        f"The extract has {len(problems):,} problem(s). Rows marked 'error' are "
                        "set aside (their dates cannot be used); rows marked 'warning' are kept "
                        "and counted as 'code not valid' where the code matters. This report "
                        "names children: it is for analysts only and is never shown on other "
                        "pages or in exports."
                    )
                if len(problems):
                    st.dataframe(problems, hide_index=True, width="stretch")
                    if "rule" in problems.columns:
                        st.caption(
                            "Rule: the DfE's SSDA903 validation rule the problem breaks "
                            '("DfE 146"), or the app\'s own check where the DfE has none '
                            '("local CP05"). Every rule, with the columns it reads and the '
                            "years it applies to: docs/SSDA903_RULES.md."
                        )
                    st.download_button(
                        "Download the check report (CSV)",
                        # Every row, including those a summary problem above stands for.
                        to_csv_bytes(report.problems_table(detailed=True)),
                        "check_report.csv",
                        "text/csv",
                        key="report_csv",
                        on_click="ignore",
                    )
                if report.preview is not None and not refused:
                    st.subheader("2. Preview")
                    for line in report.preview.lines():
                        st.markdown(markdown_text(line))
                    if len(report.preview.revisions):
                        st.markdown("**Figures this load would revise (old → new):**")
                        revisions = report.preview.revisions_table()
                        st.dataframe(revisions, hide_index=True, width="stretch")
                        st.download_button(
                            "Download the revisions (CSV)",
                            to_csv_bytes(revisions),
                            "revisions.csv",
                            "text/csv",
                            key="revisions_csv",
                            on_click="ignore",
                        )
                if report.status == "nothing new":
                    st.info("Nothing new: these files are already loaded, or not used.")
                elif report.status == "dry run" and not refused:
                    st.subheader("3. Commit")
                    if st.button("Commit this load", type="primary", key="commit"):
                        try:
                            done = loading.commit_uploads(uploads, extract_options)
                        except loading.NotAllowed as refusal:
                            st.error(markdown_text(refusal))
                        else:
                            if done.status == "committed":
                                st.success(
                                    f"Load {done.load_id} committed: {done.facts_loaded:,} "
                                    "figures. Every page now shows them."
                                )
                            else:
                                st.warning(f"Nothing was written ({done.status}).")

with extract_tab:
    extracts = data.extracts()
    if extracts.empty:
        st.info(
            "No SSDA903 extract is loaded. Analysts load one on the 'Load files' tab: the "
            "figures at every quarter end then appear here and on each line of enquiry."
        )
    else:
        st.markdown(
            "Each extract gives figures at the quarter ends it has a full year of records "
            "for; a later extract replaces an earlier one for the quarter ends both cover."
        )
        shown_extracts = extracts.rename(
            columns={
                "load_id": "Load",
                "la_code": "Council code",
                "la_name": "Council",
                "as_at": "As at",
                "covers_from": "Complete from",
                "children": "Children",
                "episodes": "Episodes",
                "quarter_ends": "Quarter ends",
            }
        )
        st.dataframe(shown_extracts, hide_index=True, width="stretch")
        selection = state.current()
        if selection is not None:
            table = data.extract_quarter_table(selection.council)
            name = markdown_text(selection.council_name)
            st.subheader(f"{name}: figures at each quarter end")
            if table.empty:
                st.info(f"No extract is loaded for {name}.")
            else:
                st.dataframe(table, hide_index=True, width="stretch")
                table_downloads(table, f"quarterly_extract_{selection.council}", "extract")
                st.subheader("Extract and published figures at 31 March")
                check = data.reconciliation(selection.council)
                if check.empty:
                    st.info("DfE has not published a year this extract covers.")
                else:
                    st.dataframe(check, hide_index=True, width="stretch")
                    table_downloads(check, f"reconciliation_{selection.council}", "reconcile")

with template_tab:
    selection = state.current()
    if selection is None:
        st.info("Load DfE's files first: the template is made for a council in the data.")
    else:
        st.markdown(
            "The quarterly return is DfE's tidy layout for one council: one row per indicator "
            "and quarter. `time_period` is the financial year (202526 = April 2025 to March "
            "2026), `time_identifier` the quarter (Q1 = April–June … Q4 = January–March). "
            "Fill `value` (and `numerator`/`denominator` where you have them); rows you leave "
            "blank are left out. See docs/QUARTERLY_RETURN.md."
        )
        today = date.today()
        year = year_ending_march(today) - 1
        period = st.selectbox(
            "Financial year", [two_year_period(y + 1) for y in range(year, year - 3, -1)]
        )
        quarter = st.selectbox("Quarter", ["Q1", "Q2", "Q3", "Q4"])
        st.download_button(
            f"Download the template for {markdown_text(selection.council_name)}",
            loading.quarterly_return_template(
                selection.council, selection.council_name, period, quarter
            ),
            f"quarterly_return_{selection.council}_{period}_{quarter}.csv",
            "text/csv",
            key="template",
            on_click="ignore",
        )

with history_tab:
    done = st.session_state.pop("undo_done", None)
    if done:  # said after the rerun that shows the new history
        st.success(done)
    history = data.history()
    if history.empty:
        st.info("Nothing has been loaded yet.")
    else:
        shown = history.rename(
            columns={
                "load_id": "Load",
                "started_at": "When (UTC)",
                "user_name": "Who",
                "kind": "What",
                "release": "Release",
                "status": "Status",
                "rows_loaded": "Rows loaded",
                "files": "Files",
                "sha256": "SHA-256",
            }
        ).drop(columns=["finished_at", "rows_read", "rows_rejected"])
        if not who.may_load:  # who loaded what (analysts' e-mails) is for analysts
            shown = shown.drop(columns=["Who"])
        st.dataframe(shown, hide_index=True, width="stretch")
        table_downloads(shown, "load_history", "history")
        undoable = history[(history["status"] == "committed") & (history["kind"] != "undo")]
        if who.may_load and len(undoable):
            st.subheader("Undo a load")
            st.markdown(
                "Undo takes a load's figures out again and brings back any figures it revised, "
                "exactly as they were. The undo is itself recorded here."
            )
            chosen = st.selectbox(
                "Load to undo",
                list(undoable["load_id"]),
                format_func=lambda i: (
                    f"Load {i}: "
                    + str(undoable.set_index("load_id").loc[i, "kind"])
                    + ", "
                    + str(undoable.set_index("load_id").loc[i, "started_at"])[:16]
                ),
                key="undo_choice",
            )
            # The question stays open across reruns (session state), for the load chosen.
            if st.session_state.get("undo_pending") != chosen:
                st.session_state.pop("undo_pending", None)
            if st.button("Undo this load", key="undo"):
                st.session_state["undo_pending"] = chosen
            pending = st.session_state.get("undo_pending")
            if pending is not None:
                st.warning(
                    f"Undo load {pending}? Its figures are taken out and any it revised come "
                    "back as they were, on every page."
                )
                confirm, cancel = st.columns(2)
                if confirm.button("Yes, undo it", key="undo_confirm", type="primary"):
                    del st.session_state["undo_pending"]
                    try:
                        undo_id = loading.undo(int(pending))
                    except (loading.NotAllowed, loading.UndoRefused) as refusal:
                        st.error(markdown_text(refusal))
                    else:
                        st.session_state["undo_done"] = (
                            f"Load {pending} undone (recorded as load {undo_id})."
                        )
                        st.rerun()
                if cancel.button("Cancel", key="undo_cancel"):
                    del st.session_state["undo_pending"]
                    st.rerun()
