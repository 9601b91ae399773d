"""Pieces every page repeats: a chart with its table and downloads, a page heading.

Every chart on every page comes with the table behind it and CSV, Excel and
PNG downloads (the DfE dashboard template's rule), shown when the reader turns
on the switch under the chart: a page of sixteen charts drawn with sixteen
tables and fifty buttons took seconds in the browser. The PNG is made only when
the button is clicked, through kaleido and the system's Chromium.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from domain.units import HIGHER_IS_BETTER, LOWER_IS_BETTER
from domain.wording import (
    BAND_EXPLAINED,
    NEIGHBOURS_COLUMN,
    NEIGHBOURS_EXPLAINED,
    NEIGHBOURS_NAME,
    NEIGHBOURS_SHORT,
    RANK_COLUMN,
    RANK_EXPLAINED,
)
from exports.tables import to_csv_bytes, to_xlsx_bytes
from indicators.formatting import symbol_key
from ui import data
from ui.data import CACHE_KEYS
from ui.state import Selection
from ui.text import markdown_text

TABLE_SWITCH = "Table and downloads"
TABLE_SWITCH_HELP = "Show the figures behind the chart, with CSV, Excel and PNG downloads."


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")[:60]


def _png(fig: go.Figure) -> bytes:
    from charts.png import figure_to_png

    return figure_to_png(fig)


def table_downloads(
    table: pd.DataFrame | Callable[[], pd.DataFrame], file_stem: str, key: str
) -> None:
    """CSV and Excel of a table, both safe to open in Excel, each written when its
    button is clicked (the Scorecard's CSV, written at every run, was a fifth of a
    return visit's server time). ``table`` may be a function that makes it (a table as
    numbers, ``indicators.downloads``), called only on the click: it must work from what
    the page's run already read, since the click's own thread has no session to say
    which store the page showed."""

    def made() -> pd.DataFrame:
        return table() if callable(table) else table

    left, right = st.columns(2)
    left.download_button(
        "Download CSV",
        lambda: to_csv_bytes(made()),
        f"{file_stem}.csv",
        "text/csv",
        key=f"{key}_csv",
        on_click="ignore",
        icon=":material/download:",
    )
    right.download_button(
        "Download Excel",
        lambda: to_xlsx_bytes(made()),
        f"{file_stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        key=f"{key}_xlsx",
        on_click="ignore",
        icon=":material/download:",
    )


def table_key(table: pd.DataFrame, *more: object) -> str:
    """What the symbol words in a table (and any more cells, such as tiles) mean.

    Only the words shown are explained, in the words of the one symbol table
    (`indicators.formatting.SYMBOLS`): a page showing only 'not available' never
    says anything about children's privacy.
    """
    cells = [cell for column in table.columns for cell in table[column]]
    return symbol_key([*cells, *more])


def chart_with_table(
    fig: go.Figure,
    table: pd.DataFrame,
    file_stem: str,
    key: str,
    download: Callable[[], pd.DataFrame] | None = None,
) -> None:
    """The chart, then a switch that shows the table behind it with CSV, Excel and PNG downloads.

    ``download``: makes what the CSV and Excel hold, the table as numbers
    (``indicators.downloads``), on the click; the table as shown where there is none.

    The table is drawn only when asked for: a folded expander still sends its table and
    buttons to the browser, and a line-of-enquiry page has a table behind every chart.
    """
    from charts.palette import PLOTLY_CONFIG

    # theme=None: the chart keeps the project's palette and fonts, not Streamlit's theme.
    st.plotly_chart(fig, width="stretch", key=f"{key}_chart", config=PLOTLY_CONFIG, theme=None)
    _table_on_request(fig, table, file_stem, key, table if download is None else download)


WHOLE_TABLE_ROWS = 20  # a chart's table of up to this many rows is shown whole


@st.fragment
def _table_on_request(
    fig: go.Figure,
    table: pd.DataFrame,
    file_stem: str,
    key: str,
    download: pd.DataFrame | Callable[[], pd.DataFrame],
) -> None:
    """A fragment: turning the table on or off redraws this table only, not the page."""
    if not st.toggle(TABLE_SWITCH, key=f"{key}_table", help=TABLE_SWITCH_HELP):
        return
    # A chart's table whole, without a scroll box of its own (a ranking's last council,
    # often the reader's, was cut off at the tenth row); a long one (the funnel's every
    # council) in a box of ten rows.
    height = "content" if len(table) <= WHOLE_TABLE_ROWS else "auto"
    st.dataframe(table, hide_index=True, width="stretch", height=height)
    symbols = table_key(table)
    if symbols:
        st.caption(symbols)
    table_downloads(download, file_stem, key)
    if not _can_draw_png():
        st.caption(
            "Chart pictures (PNG) need the Chromium browser on the server: install "
            "Debian's `chromium` package or set BROWSER_PATH. The camera icon above the "
            "chart saves a picture from your own browser."
        )
        return
    st.download_button(
        "Download chart (PNG)",
        lambda: _png(fig),
        f"{file_stem}.png",
        "image/png",
        key=f"{key}_png",
        on_click="ignore",
        icon=":material/image:",
    )


@st.cache_resource(show_spinner=False)
def _can_draw_png() -> bool:
    from charts.png import chromium_path

    return chromium_path() is not None


def page_heading(title: str, selection: Selection | None, intro: str = "") -> bool:
    """Title and the council line; returns False (after a message) when nothing is loaded."""
    st.title(title)
    if selection is None:
        st.info("No data is loaded yet. See the About page for how to load DfE's files.")
        return False
    neighbours = (
        f"{NEIGHBOURS_NAME}, {selection.sn_model} model ({selection.sn_method})"
        if selection.sn_model
        else f"England (no list of {NEIGHBOURS_SHORT} loaded)"
    )
    name = markdown_text(selection.council_name)
    st.caption(f"{name} · {selection.year_label} · compared with {neighbours}")
    if intro:
        st.markdown(intro)
    return True


# What the scorecard's shortened headings mean (their tooltips, in both of its tables).
SCORECARD_HEADINGS_HELP = {
    NEIGHBOURS_COLUMN: NEIGHBOURS_EXPLAINED,
    RANK_COLUMN: RANK_EXPLAINED,
    "Band": BAND_EXPLAINED,
}


def scorecard_caption(rows: pd.DataFrame) -> str:
    """What the scorecard's columns and the symbol words in ``rows`` mean, in words under
    the table (the Scorecard page and each line's summary): a heading's tooltip is out of
    reach of a keyboard, a touch screen and many screen readers."""
    meanings = table_key(rows.drop(columns=[c for c in ("Trend",) if c in rows.columns]))
    return " ".join(
        part
        for part in (
            "Direction: since the year before, the figure rose ▲, fell ▼ or did not change ►; "
            "the word says whether that is better or worse (by whether higher or lower is "
            "better), and whether the change is larger than chance would explain.",
            NEIGHBOURS_EXPLAINED,  # "Similar councils are …": the column's own name
            f"Rank: {RANK_EXPLAINED}",
            "Band: the council's quarter of all councils, ✔ A best, ◐ B 2nd, ◐ C 3rd, "
            "✘ D worst. Bands come from the quarter points of all councils' figures, as in "
            "DfE's LAIT: a council whose figure equals a quarter point (many councils share "
            "a rounded figure) is put in the band below it, so a council ranked near the top "
            "can be in band B.",
            meanings,
            "– means there is no rank or band: where neither higher nor lower is better "
            "(a count of children in care, for example), where the council has no figure "
            "that year to rank (suppressed or not published), or no band where councils are "
            "too close together for quarters to mean anything (as in LAIT).",
        )
        if part
    )


def plain_table(
    rows: pd.DataFrame,
    caption: str,
    number_columns: Sequence[str] = (),
    headings_help: Mapping[str, str] | None = None,
    trend_labels: Sequence[str] = (),
) -> None:
    """A small table to read (not sort) as plain HTML: ``rows``' first column as row
    headings, a ``Trend`` column of figure lists drawn as sparklines labelled with
    ``trend_labels`` (ui/html_table.py says why not a data grid)."""
    from ui.html_table import table_html

    st.html(
        table_html(
            rows,
            caption,
            headings_help=headings_help,
            trend_column="Trend" if "Trend" in rows.columns else None,
            trend_labels=trend_labels,
            number_columns=number_columns,
        )
    )


def scorecard_table(rows: pd.DataFrame, caption: str) -> None:
    """Scorecard rows (``views.scorecard``: a line page's summary, or the Scorecard page's
    themes) as a plain table, each sparkline's figures in words for a screen reader.

    The HTML is kept by the rows' own text and the caption, so a reader who comes back
    to the same rows does not have them written again: measured in AppTest on the
    Scorecard (ten tables, a hundred sparklines with their figures in words), the
    tables took 0.11 s of a warm run's 0.31 s written each time, 0.03 s kept."""
    rows_text = rows.to_json(orient="split", double_precision=15)
    st.html(_scorecard_html(rows_text, caption, rows))


@st.cache_data(show_spinner=False, max_entries=1000)
def _scorecard_html(rows_text: str, caption: str, _rows: pd.DataFrame) -> str:
    """``scorecard_table``'s HTML; ``rows_text`` (the rows as JSON) is the key, so
    ``_rows`` is not hashed again."""
    return scorecard_table_html(_rows, caption)


def scorecard_tables(
    selection: Selection, themes: Sequence[str], concerns_only: bool, order: str, about: str
) -> tuple[tuple[str | None, str], ...]:
    """The Scorecard page's tables as HTML, each with its theme's heading: one a theme
    in the lines' order, else one table (heading None). ``about`` ends each caption.

    Kept per view and choice, as the rows are: writing them from the rows at each run
    (nine tables, each keyed by its rows as JSON) was most of a return visit's time."""
    return _scorecard_tables(
        data.view_key(selection), selection, tuple(themes), concerns_only, order, about
    )


@st.cache_resource(show_spinner=False, max_entries=500, hash_funcs=CACHE_KEYS)
def _scorecard_tables(
    view: str,
    selection: Selection,
    themes: tuple[str, ...],
    concerns_only: bool,
    order: str,
    about: str,
) -> tuple[tuple[str | None, str], ...]:
    shown = data.scorecard_view(selection, list(themes), concerns_only, order)
    if shown.empty:
        return ()
    if order != data.SCORECARD_ORDERS[0]:
        caption = f"{selection.council_name}, in the order {order.lower()}: {about}."
        return ((None, scorecard_table_html(shown, caption)),)
    return tuple(
        (
            theme,
            scorecard_table_html(
                shown[shown["Theme"] == theme], f"{selection.council_name}, {theme} — {about}."
            ),
        )
        for theme in dict.fromkeys(shown["Theme"])
    )


def scorecard_table_html(rows: pd.DataFrame, caption: str) -> str:
    """Scorecard rows as a plain table's HTML, each sparkline's figures in words."""
    from indicators.catalogue import indicator
    from indicators.views import show
    from ui.html_table import table_html

    labels = []
    for indicator_id, title, trend in zip(
        rows["indicator_id"], rows["Indicator"], rows["Trend"], strict=True
    ):
        item = indicator(indicator_id)
        figures = ", ".join(show(item, value) for value in trend)
        labels.append(f"{title}, oldest to latest: {figures}" if figures else title)
    return table_html(
        rows,
        caption,
        headings_help=SCORECARD_HEADINGS_HELP,
        trend_column="Trend",
        trend_labels=labels,
        leave_out=("Theme", "indicator_id"),
    )


# Strengths or concerns in view on At a glance, the biggest first; the rest one click
# away. Sixteen concerns of about eighty words each made a column a councillor could
# not scan (a walkthrough's finding).
JUDGED_IN_VIEW = 5


def judged_list(heading: str, sentences: Sequence[str], none_said: str) -> None:
    """A heading with how many, the first ``JUDGED_IN_VIEW`` sentences (the biggest
    first, as ``narrative.judgements`` orders them), and the rest in a panel."""
    st.markdown(f"#### {heading} ({len(sentences)})" if sentences else f"#### {heading}")
    if not sentences:
        st.markdown(none_said)
        return
    st.markdown("\n".join(f"- {markdown_text(text)}" for text in sentences[:JUDGED_IN_VIEW]))
    rest = sentences[JUDGED_IN_VIEW:]
    if rest:
        with st.expander(f"{len(rest)} more {heading.lower()}"):
            st.markdown("\n".join(f"- {markdown_text(text)}" for text in rest))


def delta_colour(polarity: str) -> str:
    """st.metric's delta colour: green for better, red for worse; grey where neither."""
    return {HIGHER_IS_BETTER: "normal", LOWER_IS_BETTER: "inverse"}.get(polarity, "off")


# Streamlit cuts a metric's label and change to one line with "…" (its Markdown
# `truncate`): in a third of the page "Care leavers 19–21 in education, work or
# training" lost its last words at 1,366 px, and at 1,024 px the changes lost their
# reading ("+4 points since 20…"). The whole text wraps instead: a tile a line taller
# beats a figure a councillor cannot name. Style only, so Streamlit sends it outside
# the page's layout (no gap).
METRIC_TEXT_WRAPS = (
    '<style>[data-testid="stMetric"] .stMarkdownEllipsis, '
    '[data-testid="stMetric"] .stMarkdownEllipsis p '
    "{ white-space: normal; overflow: visible; text-overflow: clip; }</style>"
)


def metrics_show_whole_text() -> None:
    """Let every metric on this page wrap its label and change rather than cut them short."""
    st.html(METRIC_TEXT_WRAPS)
