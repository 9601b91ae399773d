"""Small tables a councillor reads, as plain HTML (with drawn sparklines).

A line of enquiry's summary ("at a glance"), the council's own figures by quarter
(with the extract's reconciliation) and the Scorecard page's theme tables are drawn
by ``st.html`` from ``table_html``.

Why not ``st.dataframe``: these are a handful of rows a councillor reads, not tables
to sort or search, and Streamlit's data grid is drawn on a canvas by a large
piece of front end (the grid and Arrow's formatting, about 1.7 MB of script a browser
fetches and compiles on a first visit). Measured with ``benchmarks/browser_pages.py``
(demo store, cohort and safeguarding, three visits each): a line page's second visit
went from 1.72x to 1.52x the one-chart floor when the grid was replaced. A semantic
``<table>`` (a caption, ``<th scope>`` headings) is also what a screen reader reads cell
by cell, wraps a long cell instead of cutting it off, and prints.

Everything shown is text already formatted by ``indicators.views.scorecard`` (and so
already protected: suppressed and small counts are words there); every cell is escaped
here. A wide table (the quarters) scrolls sideways in its own box with its first
column held in place. The sparkline is a small SVG line of the council's published figures, oldest
first, with the same figures in words for a screen reader (its image's ``alt``).

Pure functions of their arguments (no Streamlit), tested in tests/test_html_table.py.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from html import escape

import pandas as pd

from domain import palette

TABLE_CLASS = "cp-summary"
SPARKLINE_WIDTH = 64
SPARKLINE_HEIGHT = 20
SPARKLINE_COLOUR = palette.COUNCIL  # the council's blue, as on every chart
_MARGIN = 2.0  # pixels kept clear at the edges, so the line's ends are not clipped

# A table is at least MIN_WIDTH_REM wide (its columns readable); on a screen too narrow
# for it (a phone: Streamlit's main column is the screen less 2rem) it scrolls sideways in
# its own box. There a line above it says so, and a shadow at its right edge shows more
# columns wait (it goes once scrolled to the end): a councillor on a phone saw 2023 and
# 2024 of At a glance's three years, with no sign that 2025 and England were beside them.
MIN_WIDTH_REM = 40
HINT_BELOW_REM = MIN_WIDTH_REM + 2 - 0.0625
SCROLL_HINT = "Scroll the table sideways to see every column \u2192"

# Scoped to the table's class; GOV.UK-like: thin rules between rows, headings in bold.
STYLE = f"""<style>
.{TABLE_CLASS}-scroll {{ overflow-x: auto; max-width: 100%;
  background: linear-gradient(to left, #ffffff 30%, rgba(255, 255, 255, 0)) 100% 0,
    radial-gradient(farthest-side at 100% 50%, rgba(11, 12, 12, 0.25), rgba(11, 12, 12, 0)) 100% 0;
  background-repeat: no-repeat; background-size: 2.5rem 100%, 0.875rem 100%;
  background-attachment: local, scroll; }}
.{TABLE_CLASS}-hint {{ display: none; margin: 0 0 0.25rem; font-size: 0.8125rem;
  color: rgba(11, 12, 12, 0.75); }}
@media (max-width: {HINT_BELOW_REM}rem) {{ .{TABLE_CLASS}-hint {{ display: block; }} }}
.{TABLE_CLASS} {{ border-collapse: collapse; width: 100%; min-width: {MIN_WIDTH_REM}rem;
  font-size: 0.875rem; }}
.{TABLE_CLASS} caption {{ text-align: left; font-size: 0.875rem; padding-bottom: 0.25rem;
  color: rgba(11, 12, 12, 0.75); }}
.{TABLE_CLASS} th, .{TABLE_CLASS} td {{ text-align: left; vertical-align: top;
  padding: 0.3rem 0.5rem 0.3rem 0; border-bottom: 1px solid rgba(11, 12, 12, 0.2); }}
.{TABLE_CLASS} th {{ font-weight: 600; }}
.{TABLE_CLASS} th[scope="row"], .{TABLE_CLASS} thead th:first-child {{ position: sticky; left: 0;
  background: #ffffff; }}
.{TABLE_CLASS} .number {{ text-align: right; padding-left: 0.75rem; white-space: nowrap; }}
.{TABLE_CLASS} th abbr {{ text-decoration: underline dotted; cursor: help; }}
.{TABLE_CLASS} img {{ display: block; }}
</style>"""


def sparkline_svg(values: Sequence[float]) -> str:
    """A small SVG line of ``values`` (oldest first); '' if there are none.

    One value is drawn as a dot; equal values as a flat line across the middle.
    """
    if not values:
        return ""
    low, high = min(values), max(values)
    usable_width = SPARKLINE_WIDTH - 2 * _MARGIN
    usable_height = SPARKLINE_HEIGHT - 2 * _MARGIN

    def x(index: int) -> float:
        if len(values) == 1:
            return SPARKLINE_WIDTH / 2
        return _MARGIN + usable_width * index / (len(values) - 1)

    def y(value: float) -> float:
        if high == low:
            return SPARKLINE_HEIGHT / 2
        return _MARGIN + usable_height * (high - value) / (high - low)

    if len(values) == 1:
        shape = f'<circle cx="{x(0):.1f}" cy="{y(values[0]):.1f}" r="2" fill="{SPARKLINE_COLOUR}"/>'
    else:
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        shape = (
            f'<polyline points="{points}" fill="none" stroke="{SPARKLINE_COLOUR}" '
            'stroke-width="1.5" stroke-linejoin="round" stroke-linecap="round"/>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SPARKLINE_WIDTH}" '
        f'height="{SPARKLINE_HEIGHT}" viewBox="0 0 {SPARKLINE_WIDTH} {SPARKLINE_HEIGHT}">'
        f"{shape}</svg>"
    )


def sparkline_image(values: Sequence[float], label: str) -> str:
    """The sparkline as an ``<img>`` whose ``alt`` is ``label`` (the figures in words); ''
    if there are none. An image, not inline SVG: ``st.html`` keeps only HTML (its
    sanitiser's HTML profile drops ``<svg>``), and an image's ``alt`` is what a screen
    reader reads in its place."""
    drawing = sparkline_svg(values)
    if not drawing:
        return ""
    encoded = base64.b64encode(drawing.encode("utf-8")).decode("ascii")
    return (
        f'<img src="data:image/svg+xml;base64,{encoded}" alt="{escape(label)}" '
        f'width="{SPARKLINE_WIDTH}" height="{SPARKLINE_HEIGHT}">'
    )


def _heading(column: str, help_text: str | None, number: bool) -> str:
    opening = '<th scope="col" class="number">' if number else '<th scope="col">'
    if help_text:
        return f'{opening}<abbr title="{escape(help_text)}">{escape(column)}</abbr></th>'
    return f"{opening}{escape(column)}</th>"


def table_html(
    rows: pd.DataFrame,
    caption: str,
    headings_help: Mapping[str, str] | None = None,
    trend_column: str | None = None,
    trend_labels: Sequence[str] = (),
    number_columns: Sequence[str] = (),
    leave_out: Sequence[str] = (),
) -> str:
    """The rows as an HTML table: ``caption`` above it, one ``<th scope="col">`` a column
    (with ``headings_help`` as its tooltip), the first column's cells as row headings.

    ``trend_column`` holds each row's figures (a list, oldest first) drawn as a sparkline,
    labelled with ``trend_labels`` (one a row); every other cell is shown as text, right
    aligned in ``number_columns`` (figures, so that their digits line up). Columns named
    in ``leave_out`` are not shown.
    """
    headings_help = headings_help or {}
    left_out = set(leave_out)
    shown = [(i, c) for i, c in enumerate(rows.columns) if c not in left_out]
    columns = [column for _, column in shown]
    numbers = set(number_columns)
    head = "".join(
        _heading(column, headings_help.get(column), column in numbers) for column in columns
    )
    # Read column by column as Python values: pandas' itertuples over a few rows of
    # Arrow-backed text cost about 3 ms a table (a Scorecard writes ten).
    values = [rows.iloc[:, i].tolist() for i, _ in shown]
    body = []
    for number, row in enumerate(zip(*values, strict=True) if values else ()):
        cells = []
        for position, (column, value) in enumerate(zip(columns, row, strict=True)):
            if column == trend_column:
                label = trend_labels[number] if number < len(trend_labels) else column
                figures = [] if value is None else list(value)
                cells.append(f"<td>{sparkline_image(figures, label)}</td>")
            elif position == 0:
                cells.append(f'<th scope="row">{escape(str(value))}</th>')
            elif column in numbers:
                cells.append(f'<td class="number">{escape(str(value))}</td>')
            else:
                cells.append(f"<td>{escape(str(value))}</td>")
        body.append(f"<tr>{''.join(cells)}</tr>")
    # On a phone the table scrolls sideways inside its own box (focusable, so a keyboard
    # can scroll it too), never the page.
    return (
        f'{STYLE}<p class="{TABLE_CLASS}-hint" aria-hidden="true">{SCROLL_HINT}</p>'
        f'<div class="{TABLE_CLASS}-scroll" role="region" tabindex="0" '
        f'aria-label="{escape(caption)}">'
        f'<table class="{TABLE_CLASS}"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table></div>"
    )
