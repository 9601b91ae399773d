"""One page per line of enquiry: every indicator with its trend, its neighbours and its questions.

Each indicator gets the sentence a councillor can read aloud as its headline and
the questions to ask officers, which are always in view (not behind a click): they
are what a councillor takes into the meeting, with any officer commentary under
them. Under those, the indicator's panel "Chart, table and definition" holds a
trend chart (council, neighbour average, region, England) or, one click away on the
control above it, a chart ranking the council among its statistical neighbours with
England and the neighbour average marked; the table behind the chart with downloads
(on a switch under it); the definition; the "Add to meeting pack" button; and, for
analysts, the commentary form's switch.

Why one chart at a time: a browser draws every Plotly chart it is sent, and a
page of two charts and two tables per indicator (up to 18 charts) took 3.5 to
4.5 seconds to draw on a reload, against 0.6 s for a one-chart page.

Why the panels: each chart cost Chromium about 0.25 s here, and once only the
first chart was drawn on arrival, what remained was every section's controls (the
chart control, the table and commentary switches, two columns: about 60 ms of
browser CPU a section) and its fragment (about 26 ms): a line of nine indicators
still took 2.2-2.4x a one-chart page on a reload. The page now opens on every
indicator's headline and questions, with the first indicator's panel open and its
trend drawn; the other panels are folded and their content is not run or sent until
opened (``st.expander(on_change="rerun")``). Inside an open panel the chart and its
table are an ``st.fragment``, so switching them redraws that panel's chart alone.
"""

from __future__ import annotations

import streamlit as st

from domain.registry import registry
from domain.symbols import SUPPRESSED, SYMBOLS
from domain.units import PERCENT, POLARITY_READINGS
from indicators import local, views
from indicators.catalogue import Indicator, Theme, catalogue, grouping
from indicators.narrative import sentence, sentence_parts
from indicators.protection import small_counts_text
from ui import data, state
from ui.commentary import PageCommentary, commentary_form, show_commentary
from ui.components import (
    chart_with_table,
    page_heading,
    plain_table,
    scorecard_caption,
    scorecard_table,
    slug,
    table_downloads,
    table_key,
)
from ui.figures import RANKING, TREND, indicator_chart
from ui.text import markdown_text

BREAKDOWNS = {
    "sufficiency": (
        "Where the council's children live, compared with England",
        # DfE's placement groups (linked_cells.toml), those DfE publishes.
        registry().published_parts("placement_types"),
    ),
}


OVER_TIME = "Over time"
AMONG_SIMILAR = "Among similar councils"
CHART_VIEWS = (OVER_TIME, AMONG_SIMILAR)
CHART_PANEL = "chart, table and definition"  # after the indicator's short title
IN_PACK = "In the meeting pack (see the Meeting pack page)."
# Quarters in the own figures' table: two years, as wide as fits beside the sidebar at
# 1,366 px, so the newest quarter is in view (every quarter is in the chart's table).
QUARTERS_IN_TABLE = 8
# Indicators whose panel is open when a line page opens (the breakdown chart counts).
CHARTS_ON_ARRIVAL = 1


def panel_key(indicator_id: str, council: str) -> str:
    """The session key holding whether an indicator's chart panel is open for a council."""
    return f"{indicator_id}_{council}_panel"


def _indicator_section(
    item: Indicator,
    selection: state.Selection,
    table,
    page: PageCommentary,
    chart_on_arrival: bool,
) -> bool:
    """One indicator: its heading, headline sentence, questions and any officer commentary
    in view; its chart, table, definition and pack button in a panel drawn when opened.
    False when the council has no figure for it (a note says why, and there is no panel).

    ``page``: the council's figures and commentary, read once for every section.
    ``chart_on_arrival``: the panel starts open, with the trend drawn.
    """
    row = page.figures.shown_row(item.id, selection.year)
    heading = f"## {markdown_text(item.short_title)}"
    if row is None:
        st.markdown(heading)
        st.info(markdown_text(views.missing_figure_note(table, item, selection.council_name)))
        return False
    # The figure and its change in bold; the longer view, chance and comparisons after it.
    parts = sentence_parts(row, item, selection.council_name)
    if parts:
        rest = " ".join(markdown_text(part) for part in parts[1:])
        headline = f"**{markdown_text(parts[0])}** {rest}".strip()
    else:
        headline = f"**{markdown_text(sentence(row, item, selection.council_name))}**"
    # The questions are the point of the page for a councillor: always in view. Heading,
    # headline and questions are one element: each element costs the browser on every visit.
    questions = "\n".join(f"- {markdown_text(q)}" for q in item.questions)
    st.markdown(f"{heading}\n\n{headline}\n\n**Questions to ask officers**\n\n{questions}")
    picked = st.session_state.setdefault("pack_indicators", [])
    if item.id in picked:
        st.caption(IN_PACK)
    show_commentary(item, selection, page)
    # The chart and everything under it are drawn only when the panel is opened: every
    # widget and fragment a section sends costs the browser on every visit, whether or
    # not its chart is ever looked at.
    panel = st.expander(
        f"{markdown_text(item.short_title)}: {CHART_PANEL}",
        expanded=chart_on_arrival,
        key=panel_key(item.id, selection.council),
        on_change="rerun",
    )
    if not panel.open:
        return True
    with panel:
        _chart_panel(item, selection)
        st.markdown(
            f"**Definition.** {item.definition}\n\n**Source.** {item.source_note}\n\n"
            f"**Reading it.** {POLARITY_READINGS[item.polarity]}"
        )
        # Outside the chart's fragment: adding to the pack, or saving commentary, redraws
        # the page, so everything on it (the commentary under the questions) agrees.
        if item.id not in picked:
            st.button(
                "Add to meeting pack",
                key=f"pack_add_{item.id}",
                icon=":material/add:",
                on_click=lambda: picked.append(item.id),
            )
        commentary_form(item, selection, page)
    return True


@st.fragment
def _chart_panel(item: Indicator, selection: state.Selection) -> None:
    """An open panel: a fragment, so switching its chart or table redraws it alone."""
    key = f"{item.id}_{selection.council}"
    stem = f"{slug(item.short_title)}_{selection.council}"
    # One chart at a time: the trend or the ranking, the reader's choice.
    shown = st.segmented_control(
        f"Chart of {item.short_title}",
        CHART_VIEWS,
        default=OVER_TIME,
        key=f"{key}_view",
        label_visibility="collapsed",
    )
    # Only the chart shown is built: the ranking when a reader asks for it.
    if shown == AMONG_SIMILAR:
        ranking = indicator_chart(item.id, selection, RANKING)
        if ranking is not None:
            chart_with_table(
                ranking.figure,
                ranking.table,
                f"{stem}_neighbours",
                f"{key}_rank",
                ranking.download,
            )
    else:  # the trend, also when the reader clicks the chosen view again (no choice)
        trend = indicator_chart(item.id, selection, TREND)
        if trend is not None:
            chart_with_table(
                trend.figure, trend.table, f"{stem}_trend", f"{key}_trend", trend.download
            )


def _own_figures(own, selection: state.Selection, theme_id: str) -> None:
    """The council's own quarterly figures for this line: table, one chart, reconciliation."""
    from charts import trend_chart

    st.header("The council's own quarterly figures", divider="gray")
    sources = sorted(set(own["source"]))
    st.caption(
        f"From the council's {' and '.join(sources)} (not checked or published by DfE). "
        "Figures from the SSDA903 extract are computed with DfE's definitions at each "
        f"quarter end. Counts of {small_counts_text()} children, and figures that would "
        f"give one back, are shown as '{SYMBOLS[SUPPRESSED].word}' to protect children's privacy, "
        "as in DfE's releases."
    )
    quarters = local.quarter_table(own, latest=QUARTERS_IN_TABLE)
    every = own["period_label"].nunique()
    shown = len(quarters.columns) - 1
    plain_table(
        quarters,
        f"{selection.council_name}'s own figures at each quarter end"
        + (
            f", the latest {shown} of {every} quarters (the chart below, and its table, "
            "have every quarter)"
            if shown < every
            else ""
        ),
        number_columns=[column for column in quarters.columns if column != "Indicator"],
    )
    meanings = table_key(quarters)
    if meanings:
        st.caption(meanings)
    check, differences = data.reconciliation_of(selection.council, own["short_title"])
    if differences:  # under the figures it is about: no need to open the table to learn it
        st.info(markdown_text(differences), icon=":material/compare_arrows:")
    titles = dict(zip(own["indicator_id"], own["short_title"], strict=False))
    chosen = st.selectbox(
        "Chart of",
        list(titles),
        format_func=titles.get,
        key=f"own_chart_{theme_id}",
    )
    rows = own[own["indicator_id"] == chosen]
    first = rows.iloc[0]
    fig = trend_chart(
        local.quarter_series(rows),
        title=f"{first['short_title']}, by quarter",
        unit=str(first["unit"]),
        decimals=int(first["decimals"]),
        council_name=selection.council_name,
        period_title="Quarter (financial year)",
    )
    chart_with_table(
        fig,
        local.quarter_table(rows),
        f"{slug(str(first['short_title']))}_quarterly_{selection.council}",
        f"own_{chosen}",
    )
    if len(check):
        # Drawn when opened, as the indicators' panels are: a folded expander still sends
        # its table and download buttons to the browser.
        side_by_side = st.expander(
            "Extract and published figures side by side (31 March)",
            key=f"reconciliation_{theme_id}_{selection.council}",
            on_change="rerun",
        )
        if not side_by_side.open:
            return
        with side_by_side:
            st.markdown(
                "Each 31 March the extract covers, next to the figure DfE published from the "
                "council's return. Differences usually come from episodes recorded or "
                "corrected after the return, and from DfE's revisions."
            )
            plain_table(
                check,
                f"{selection.council_name}: the extract's 31 March figures and DfE's",
                number_columns=["From the extract", "Published by DfE", "Difference"],
            )
            table_downloads(check, f"reconciliation_{theme_id}_{selection.council}", theme_id)


def _not_available(selection: state.Selection, theme_id: str) -> None:
    for indicator_id, reason in data.extract_not_available(selection.council).items():
        item = next((i for i in catalogue() if i.id == indicator_id), None)
        if item is not None and theme_id in item.lines:
            st.info(f"**{item.short_title}, by quarter: not available.** {reason}")


def _theme_questions(theme: Theme) -> None:
    """The line's own questions for officers, where no figure has questions of its own."""
    if theme.questions:
        questions = "\n".join(f"- {markdown_text(q)}" for q in theme.questions)
        st.markdown(f"**Questions to ask officers**\n\n{questions}")


def render(theme_id: str) -> None:
    """Draw the page for one LGA line of enquiry."""
    selection = state.current()
    theme = grouping("lga").theme(theme_id)
    title = f"{theme.number}. {theme.title}" if theme.number else theme.title
    if not page_heading(title, selection, theme.summary):
        return
    assert selection is not None
    items = views.indicators_of(grouping("lga"), theme_id)
    own = local.for_line(data.quarterly_figures(selection.council), theme_id)
    if not items and own.empty:
        st.info(
            "No national data covers this line of enquiry, so it needs the council's own "
            f"figures. {theme.data_needed} Analysts add them on the Data page (a local "
            "indicator file and a quarterly return)."
        )
        _theme_questions(theme)
        return
    if not own.empty:
        _own_figures(own, selection, theme_id)
    _not_available(selection, theme_id)
    if not items:
        return
    if theme.data_needed:
        st.info(theme.data_needed)
    table = data.comparisons(selection.sn_model, selection.sn_method)
    summary = data.scorecard_rows(selection, grouping("lga"), theme_id)
    st.subheader("This line of enquiry at a glance")
    scorecard_table(
        summary,
        caption=f"{selection.council_name}: each indicator's latest figure against similar "
        "councils, the region and England, with its rank, band and trend.",
    )
    st.caption(scorecard_caption(summary.drop(columns=["Theme", "indicator_id"])))
    charts_left = CHARTS_ON_ARRIVAL
    if theme_id in BREAKDOWNS:
        from charts import breakdown_chart

        heading, ids = BREAKDOWNS[theme_id]
        year = data.council_figures(selection).latest_year(ids[0], selection.year)
        if year is not None:
            frame = views.share_breakdown(data.values(), ids, selection.council, year)
            st.header(heading, divider="gray")
            fig = breakdown_chart(
                frame,
                title=f"{heading}, {year}",
                unit=PERCENT,
                council_name=selection.council_name,
            )
            shown = views.breakdown_table(frame, selection.council_name)
            chart_with_table(fig, shown, f"placements_{selection.council}", f"breakdown_{theme_id}")
            charts_left -= 1
    page = PageCommentary.read(selection)
    # The first indicators with a figure open with their trend drawn (an indicator the
    # council has no figure for has no panel, so it does not use up the chart).
    for item in items:
        if _indicator_section(item, selection, table, page, charts_left > 0):
            charts_left -= 1
