"""The lead member's meeting pack: an editable 16:9 PowerPoint deck (python-pptx).

Every chart is a native PowerPoint chart whose data lives in an embedded
workbook, so a presenter can restyle it or correct a figure with "Edit Data"
rather than pasting a stale picture. Slides: a title slide (meeting name and
date, sources, the demo label when it applies), an executive summary of
strengths and concerns, one slide per indicator (the narrative sentence as the
headline, a trend line chart, a ranking among statistical neighbours, a small
comparison table, definition and questions in the speaker notes, alt text on
every chart) and a closing slide with definitions and the licence.

A gap in a line or a missing bar is explained in the words of the one symbol
table (`indicators.formatting.SYMBOLS`), naming only the symbols on that slide:
a gap DfE marked ``x`` is "not available", never "suppressed to protect
children's privacy", which only ``c`` means.

Names come from loaded files, so nothing in them may run: slide text is
literal (python-pptx writes it as text, with no fields or links), and every text
cell of a chart's embedded workbook is neutralised as in the Excel downloads
(`exports.tables.neutralise_cell`) and written as a plain string
(`PlainTextChartData`), never as a formula or a link.

No streamlit here: the Export page and ``python -m exports pack`` both call
`build_pack`.
"""

from __future__ import annotations

import io
import math
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.chart.xlsx import CategoryWorkbookWriter
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.text import PP_ALIGN
from pptx.util import Inches, Pt, lazyproperty
from xlsxwriter import Workbook

from charts.axes import (
    measure_title,
    period_axis_title,
    polarity_label,
    trend_columns,
    value_axis,
)
from domain import palette
from domain.symbols import SUPPRESSED, SYMBOLS
from domain.units import COUNT_KIND, LOWER_IS_BETTER
from exports.tables import neutralise_cell
from indicators import views
from indicators.catalogue import indicator
from indicators.formatting import gap_kinds_note, gaps_note, period_label, symbol_word
from indicators.narrative import sentence

WIDE = (Inches(13.333), Inches(7.5))
# The colours of domain/palette.py, as python-pptx takes them.
BLUE = RGBColor(*palette.rgb(palette.COUNCIL))  # the council
ORANGE = RGBColor(*palette.rgb(palette.NEIGHBOURS))  # statistical neighbours
BLACK = RGBColor(*palette.rgb(palette.SLIDE_TEXT))  # England and text
GREY = RGBColor(*palette.rgb(palette.OTHER))  # other councils
MUTED = RGBColor(*palette.rgb(palette.SLIDE_MUTED_TEXT))
NEIGHBOURS_SERIES = "Statistical neighbours (average)"
ENGLAND_SERIES = "England"
DEMO_LABEL = "Demo data — fictional councils"
FOOTNOTE_CHARACTERS = 300  # two lines of 10-point Arial across the slide
LICENCE = (
    "Contains public sector information licensed under the Open Government Licence v3.0: "
    "Department for Education, Children looked after in England including adoptions, and "
    "Outcomes for children in need, including children looked after; Office for National "
    "Statistics, mid-year population estimates."
)


@dataclass
class PackRequest:
    """What the deck is for: a council, a view of the data, and the indicators."""

    council: str
    council_name: str
    indicator_ids: list[str]
    year: int | None = None
    sn_model: str | None = None
    meeting_name: str = "Corporate parenting panel"
    meeting_date: str = field(default_factory=lambda: date.today().strftime("%d %B %Y"))
    is_demo: bool = False
    sources: list[str] = field(default_factory=list)  # "dataset title, release 2025"
    strengths: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)
    # A council's own look: a .pptx whose masters and layouts the deck uses, and a logo
    # for the title slide (defaults from CP_PACK_TEMPLATE and CP_PACK_LOGO).
    # The council's own quarterly figures (indicators.local.quarterly_figures, already
    # protected) and the extract-versus-published table (indicators.local.reconciliation).
    quarterly: pd.DataFrame | None = None
    reconciliation: pd.DataFrame | None = None
    template: str | None = field(default_factory=lambda: os.environ.get("CP_PACK_TEMPLATE"))
    logo: str | None = field(default_factory=lambda: os.environ.get("CP_PACK_LOGO"))


def build_pack(table: pd.DataFrame, neighbours: pd.DataFrame, request: PackRequest) -> bytes:
    """The deck as .pptx bytes, from the comparison table and neighbour lists."""
    deck = Presentation(request.template) if request.template else Presentation()
    if not request.template:
        deck.slide_width, deck.slide_height = WIDE
    _title_slide(deck, request)
    _summary_slide(deck, request)
    _quarterly_slide(deck, request)
    _reconciliation_slide(deck, request)
    gap_symbols: list[str | None] = []
    for indicator_id in request.indicator_ids:
        gap_symbols += _indicator_slide(deck, table, neighbours, request, indicator_id)
    _closing_slide(deck, request, gap_symbols)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


# ------------------------------------------------------------------ slides
def _layout(deck, name: str, fallback: int):
    """A layout by name (a council template's may be in any order), else by position."""
    for layout in deck.slide_layouts:
        if layout.name.lower() == name.lower():
            return layout
    return deck.slide_layouts[min(fallback, len(deck.slide_layouts) - 1)]


def _blank(deck):
    slide = deck.slides.add_slide(_layout(deck, "Blank", 6))
    for placeholder in list(slide.placeholders):  # a template's "blank" may keep a few
        placeholder._element.getparent().remove(placeholder._element)
    return slide


def _text(slide, left, top, width, height, text, size=18, bold=False, colour=BLACK, name=None):
    box = slide.shapes.add_textbox(left, top, width, height)
    if name:
        box.name = name
    frame = box.text_frame
    frame.word_wrap = True
    lines = text if isinstance(text, list) else [text]
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        paragraph.text = line
        paragraph.font.size = Pt(size)
        paragraph.font.bold = bold
        paragraph.font.color.rgb = colour
        paragraph.font.name = "Arial"
    return box


def _title_slide(deck, request: PackRequest) -> None:
    slide = deck.slides.add_slide(_layout(deck, "Title Slide", 0))
    title, subtitle = slide.placeholders[0], slide.placeholders[1]
    title.left, title.top, title.width, title.height = (
        Inches(0.8),
        Inches(1.6),
        Inches(11.7),
        Inches(1.6),
    )
    subtitle.left, subtitle.top = Inches(0.8), Inches(3.3)
    subtitle.width, subtitle.height = Inches(11.7), Inches(1.2)
    title.text = f"{request.council_name}: how our children in care are doing"
    subtitle.text = f"{request.meeting_name} · {request.meeting_date}"
    for paragraph in title.text_frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
        paragraph.font.size = Pt(36)
        paragraph.font.bold = True
        paragraph.font.color.rgb = BLACK
    for paragraph in subtitle.text_frame.paragraphs:
        paragraph.alignment = PP_ALIGN.LEFT
        paragraph.font.size = Pt(22)
        paragraph.font.color.rgb = MUTED
    sources = request.sources or ["Department for Education statistics as loaded"]
    _text(
        slide,
        Inches(0.8),
        Inches(4.8),
        Inches(11.7),
        Inches(1.6),
        ["Sources: " + "; ".join(sources[:6]) + ("…" if len(sources) > 6 else "")],
        size=12,
        colour=MUTED,
        name="Sources",
    )
    if request.logo:
        picture = slide.shapes.add_picture(
            request.logo, Inches(10.6), Inches(0.4), height=Inches(1.0)
        )
        picture._element.nvPicPr.cNvPr.set("descr", f"{request.council_name} logo")
    if request.is_demo:
        _text(
            slide,
            Inches(0.8),
            Inches(0.5),
            Inches(11.7),
            Inches(0.6),
            f"{DEMO_LABEL}: every figure in this pack is invented.",
            size=18,
            bold=True,
            colour=ORANGE,
            name="Demo label",
        )


def _summary_slide(deck, request: PackRequest) -> None:
    slide = _blank(deck)
    _heading(slide, "Summary: strengths and concerns", request)
    columns = (
        (
            "Strengths",
            request.strengths or ["No indicator stands out as clearly better than England."],
        ),
        (
            "Concerns",
            request.concerns or ["No indicator stands out as clearly worse than England."],
        ),
    )
    for index, (label, items) in enumerate(columns):
        left = Inches(0.6 + 6.2 * index)
        _text(slide, left, Inches(1.5), Inches(5.9), Inches(0.5), label, size=20, bold=True)
        _text(
            slide,
            left,
            Inches(2.1),
            Inches(5.9),
            Inches(4.8),
            [f"• {item}" for item in items[:5]],
            size=14,
        )


def _grid(slide, frame: pd.DataFrame, top, name: str, size: int = 12) -> None:
    """A plain table of text cells (header row first)."""
    shape = slide.shapes.add_table(
        len(frame) + 1, len(frame.columns), Inches(0.6), top, Inches(12.1), Inches(0.3)
    )
    shape.name = name
    for column, label in enumerate(frame.columns):
        for line, text in enumerate([label, *frame[label].astype(str)]):
            cell = shape.table.cell(line, column)
            cell.text = text
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.font.size = Pt(size)
            paragraph.font.bold = line == 0
            paragraph.font.name = "Arial"


def _quarterly_slide(deck, request: PackRequest) -> None:
    """The council's own figures for the pack's indicators, the last four quarters."""
    from indicators.local import quarter_table

    figures = request.quarterly
    if figures is None or figures.empty:
        return
    chosen = figures[figures["indicator_id"].isin(request.indicator_ids)]
    if chosen.empty:
        return
    table = quarter_table(chosen)
    table = table[["Indicator", *list(table.columns[1:])[-4:]]].head(12)
    slide = _blank(deck)
    _heading(slide, "The council's own latest figures, by quarter", request)
    sources = " and ".join(sorted(set(chosen["source"])))
    _text(
        slide, Inches(0.6), Inches(1.2), Inches(12.1), Inches(0.6),
        f"From the council's {sources}; not checked or published by DfE. Small numbers "
        f"are shown as '{SYMBOLS[SUPPRESSED].word}' to protect children's privacy.",
        size=12, colour=MUTED,
    )  # fmt: skip
    _grid(slide, table, Inches(1.9), "Quarterly figures")


def _reconciliation_slide(deck, request: PackRequest) -> None:
    """The extract's latest 31 March figures beside DfE's, for the pack's indicators."""
    check = request.reconciliation
    if check is None or check.empty:
        return
    latest = check[check["31 March"] == check["31 March"].max()]
    from indicators.catalogue import catalogue

    titles = {item.short_title for item in catalogue() if item.id in request.indicator_ids}
    chosen = latest[latest["Indicator"].isin(titles)]
    if chosen.empty:
        return
    slide = _blank(deck)
    year = int(latest["31 March"].iloc[0])
    _heading(slide, f"Our extract and DfE's published figures, 31 March {year}", request)
    _text(
        slide, Inches(0.6), Inches(1.2), Inches(12.1), Inches(0.6),
        "Differences usually come from episodes recorded or corrected after the return and "
        "from DfE's revisions; the notes give the likely reasons for each.",
        size=12, colour=MUTED,
    )  # fmt: skip
    shown = chosen.drop(columns=["31 March", "Likely reasons"]).head(12)
    _grid(slide, shown, Inches(1.9), "Reconciliation")
    slide.notes_slide.notes_text_frame.text = "\n".join(
        f"{name}: {reasons}"
        for name, reasons in zip(
            chosen["Indicator"].head(12), chosen["Likely reasons"].head(12), strict=True
        )
    )


def _heading(slide, text: str, request: PackRequest) -> None:
    _text(
        slide,
        Inches(0.6),
        Inches(0.35),
        Inches(12.1),
        Inches(1.0),
        text,
        size=22,
        bold=True,
        name="Headline",
    )
    footer = f"{request.council_name} · {request.meeting_name}"
    if request.is_demo:
        footer = f"{DEMO_LABEL} · {footer}"
    _text(
        slide,
        Inches(0.6),
        Inches(7.0),
        Inches(12.1),
        Inches(0.4),
        footer,
        size=10,
        colour=ORANGE if request.is_demo else MUTED,
        name="Footer",
    )


def _indicator_slide(
    deck, table, neighbours, request: PackRequest, indicator_id: str
) -> list[str | None]:
    """One indicator's slide; returns the symbols of its gaps and missing bars (None: no data)."""
    item = indicator(indicator_id)
    slide = _blank(deck)
    year = views.latest_year(table, indicator_id, request.council, request.year)
    row = views.council_row(table, indicator_id, request.council, year)
    if row is None:
        _heading(slide, f"{item.title}: no figure published for {request.council_name}", request)
        _notes(slide, item, "")
        return []
    _heading(slide, sentence(row, item, request.council_name), request)
    history = views.trend(table, indicator_id, request.council)
    gaps = [
        (str(p), s)
        for p, v, s in zip(
            history["period_label"], history["council"], history["council_symbol"], strict=True
        )
        if _missing(v)
    ]
    trend = PlainTextChartData(number_format=_number_format(item))
    trend.categories = list(history["period_label"])
    trend.add_series(request.council_name, [_cell(v) for v in history["council"]])
    drawn = trend_columns(item.unit)  # a count is the council's alone, never England's total
    if "neighbours" in drawn and history["neighbours"].notna().any():
        trend.add_series(NEIGHBOURS_SERIES, [_cell(v) for v in history["neighbours"]])
    if "england" in drawn:
        trend.add_series(ENGLAND_SERIES, [_cell(v) for v in history["england"]])
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.LINE_MARKERS, Inches(0.5), Inches(1.45), Inches(6.3), Inches(3.9), trend
    )
    _style_trend(frame.chart, item)
    compared = " and ".join(
        words
        for name, words in (
            (NEIGHBOURS_SERIES, "its statistical neighbours' average"),
            (ENGLAND_SERIES, "England"),
        )
        if name in [series.name for series in frame.chart.plots[0].series]
    )
    _alt_text(
        frame,
        f"Line chart: {item.short_title} for {request.council_name}"
        f"{', ' + compared if compared else ''}, {trend.categories[0].label} to "
        f"{trend.categories[-1].label}.",
    )

    ranked = views.ranking(table, neighbours, indicator_id, request.council, year, request.sn_model)
    ranked = ranked.assign(
        sort=ranked["value"].fillna(-math.inf if item.polarity != LOWER_IS_BETTER else math.inf)
    )
    ranked = ranked.sort_values("sort", ascending=item.polarity == LOWER_IS_BETTER)
    missing_bars = [
        (str(n), s if isinstance(s, str) else None)
        for n, v, s in zip(ranked["area_name"], ranked["value"], ranked["symbol"], strict=True)
        if _missing(v)
    ]
    bars = PlainTextChartData(number_format=_number_format(item))
    # A missing bar would look like a zero: its name carries the symbol's word.
    bars.categories = [
        f"{n} ({symbol_word(s if isinstance(s, str) else None)})" if _missing(v) else str(n)
        for n, v, s in zip(ranked["area_name"], ranked["value"], ranked["symbol"], strict=True)
    ]
    bars.add_series(item.short_title, [_cell(v) for v in ranked["value"]])
    frame = slide.shapes.add_chart(
        XL_CHART_TYPE.BAR_CLUSTERED, Inches(6.9), Inches(1.45), Inches(5.9), Inches(3.9), bars
    )
    _style_ranking(
        frame.chart, list(ranked["area_code"]), request.council, item, period_label(year)
    )
    # Without polarity nothing is "best" (LAIT gives no rank): the bars run highest first.
    order = "best first" if item.has_polarity else "highest first"
    _alt_text(
        frame,
        f"Bar chart ranking {request.council_name} among its statistical "
        f"neighbours for {item.short_title}, {period_label(row['time_period'])}, {order}.",
    )

    _comparison_table(slide, item, row)
    footnote = " ".join(
        note for note in (gaps_note(gaps), gaps_note(missing_bars, lead="No bar")) if note
    )
    if footnote:
        # Two lines fit between the table and the footer; a long list gets smaller type.
        _text(
            slide,
            Inches(0.6),
            Inches(6.5),
            Inches(12.1),
            Inches(0.45),
            footnote,
            size=10 if len(footnote) <= FOOTNOTE_CHARACTERS else 8,
            colour=MUTED,
            name="Footnote",
        )
    _notes(slide, item, footnote)
    return [s for _, s in gaps] + [s for _, s in missing_bars]


def _comparison_table(slide, item, row) -> None:
    show = lambda value: views.show(item, value)  # noqa: E731
    rank = f"{int(row['rank'])} of {int(row['rank_of'])}" if pd.notna(row["rank"]) else "–"
    band = row["quartile_band"] if isinstance(row["quartile_band"], str) else "–"
    cells = [
        ("Latest", views.show(item, row["value"], row["symbol"])),
        ("Previous", show(row["previous_value"])),
        ("Neighbours", show(row["sn_value"])),
        ("England", show(row["england_value"])),
        ("Rank", rank),
        ("Band", band),
    ]
    shape = slide.shapes.add_table(
        2, len(cells), Inches(0.6), Inches(5.55), Inches(12.1), Inches(0.9)
    )
    shape.name = "Comparison table"
    grid = shape.table
    for column, (label, value) in enumerate(cells):
        for line, text in enumerate((label, value)):
            cell = grid.cell(line, column)
            cell.text = text
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.font.size = Pt(12 if line == 0 else 16)
            paragraph.font.bold = line == 1
            paragraph.font.name = "Arial"


def _notes(slide, item, footnote: str) -> None:
    notes = [
        f"Definition: {item.definition}",
        f"Source: {item.source_note}",
        "Questions to ask officers:",
        *[f"- {q}" for q in item.questions],
    ]
    if footnote:
        notes.append(footnote)
    slide.notes_slide.notes_text_frame.text = "\n".join(notes)


def _closing_slide(deck, request: PackRequest, gap_symbols: list[str | None]) -> None:
    slide = _blank(deck)
    _heading(slide, "About these figures", request)
    lines = [
        "Rates are per 10,000 children aged under 18; percentages are of the children "
        "counted for each measure.",
        "Statistical neighbours are the ten councils most like ours on DfE's model"
        + (f" ({request.sn_model})." if request.sn_model else "."),
        "Rank (1 = best) and bands (A is the best quarter of councils, D the worst) are given "
        "only for measures where higher or lower is better, as in DfE's LAIT.",
    ]
    if gap_symbols:
        # Only the kinds of gap the deck shows: 'x' alone never reads as "suppressed".
        lines.append(
            gap_kinds_note(gap_symbols, lead="A gap in a line or a missing bar is a figure that is")
        )
    lines.append(LICENCE)
    _text(
        slide,
        Inches(0.6),
        Inches(1.5),
        Inches(12.1),
        Inches(5.2),
        [f"• {line}" for line in lines],
        size=14,
    )


# ------------------------------------------------------------------ charts
# xlsxwriter's `write` makes a text starting with "=" a formula and one like
# "http://…" a link; python-pptx writes category and series names with it.
PLAIN_STRINGS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
}


class _PlainTextSheet:
    """A worksheet whose every text cell is neutralised and written as a string."""

    def __init__(self, sheet) -> None:
        self._sheet = sheet

    def write(self, row: int, col: int, value, *style):
        if isinstance(value, str):
            return self._sheet.write_string(row, col, str(neutralise_cell(value)), *style)
        return self._sheet.write(row, col, value, *style)

    def write_column(self, row: int, col: int, values, *style) -> None:
        for offset, value in enumerate(values):
            self.write(row + offset, col, value, *style)

    def __getattr__(self, name: str):
        return getattr(self._sheet, name)


class _PlainTextWorkbookWriter(CategoryWorkbookWriter):
    """python-pptx's workbook writer, opening a workbook that writes only plain text."""

    @contextmanager
    def _open_worksheet(self, xlsx_file):
        workbook = Workbook(xlsx_file, {"in_memory": True, **PLAIN_STRINGS})
        try:
            yield workbook, _PlainTextSheet(workbook.add_worksheet())
        finally:
            workbook.close()


class PlainTextChartData(CategoryChartData):
    """Chart data whose embedded workbook ("Edit Data") holds no formula and no link.

    The slide shows names as loaded; the workbook's cells hold them neutralised
    (an apostrophe before a formula sign), as the Excel downloads do.
    """

    @lazyproperty
    def _workbook_writer(self):
        return _PlainTextWorkbookWriter(self)


def _style_trend(chart, item) -> None:
    """The trend's look, and its value axis by the pages' rule (`charts.axes.value_axis`)."""
    chart.has_legend = True
    chart.legend.position = XL_LEGEND_POSITION.BOTTOM
    chart.legend.include_in_layout = False
    chart.legend.font.size = Pt(11)
    chart.font.size = Pt(11)
    chart.font.name = "Arial"
    plot = chart.plots[0]
    styles = {
        NEIGHBOURS_SERIES: (ORANGE, XL_MARKER_STYLE.SQUARE, 2.0),
        ENGLAND_SERIES: (BLACK, XL_MARKER_STYLE.TRIANGLE, 2.0),
    }
    for index, series in enumerate(plot.series):
        # The council's series comes first, whatever its name.
        council = (BLUE, XL_MARKER_STYLE.CIRCLE, 3.0)
        colour, marker, width = council if index == 0 else styles[series.name]
        series.format.line.color.rgb = colour
        series.format.line.width = Pt(width)
        series.marker.style = marker
        series.marker.format.fill.solid()
        series.marker.format.fill.fore_color.rgb = colour
        series.smooth = False
    categories = [str(c) for c in plot.categories]
    values = [v for series in plot.series for v in series.values]
    span = value_axis(values, item.unit, bars=False)
    _value_axis(chart, item, span)
    chart.category_axis.has_title = True
    chart.category_axis.axis_title.text_frame.text = period_axis_title(categories)
    chart.category_axis.axis_title.text_frame.paragraphs[0].font.size = Pt(10)
    chart.category_axis.axis_title.text_frame.paragraphs[0].font.bold = False
    _chart_title(chart, measure_title(item.short_title, item.unit, categories), item, span)


def _style_ranking(chart, codes: list[str], council: str, item, period: str) -> None:
    chart.has_legend = False
    chart.font.size = Pt(11)
    chart.font.name = "Arial"
    plot = chart.plots[0]
    plot.has_data_labels = True
    plot.data_labels.font.size = Pt(10)
    plot.gap_width = 60
    series = plot.series[0]
    series.format.fill.solid()
    series.format.fill.fore_color.rgb = GREY
    for index, code in enumerate(codes):
        if code == council:
            point = series.points[index]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = BLUE
    chart.category_axis.reverse_order = True  # first (best, or highest) at the top
    chart.category_axis.tick_labels.font.size = Pt(10)
    span = value_axis(series.values, item.unit, bars=True)  # bars start at zero
    _value_axis(chart, item, span)
    title = measure_title(item.short_title, item.unit, [period]) + ": similar councils"
    _chart_title(chart, title, item, span)


def _value_axis(chart, item, span) -> None:
    """The value axis from `charts.axes`: the range and round step the pages use."""
    axis = chart.value_axis
    axis.has_major_gridlines = True
    axis.tick_labels.font.size = Pt(11)
    axis.minimum_scale, axis.maximum_scale = span.low, span.high
    axis.major_unit = span.step
    axis.tick_labels.number_format = _axis_number_format(item, span)
    axis.tick_labels.number_format_is_linked = False


def _chart_title(chart, title: str, item, span) -> None:
    """The measure and unit in bold; under it the polarity and where a zoomed axis starts."""
    chart.has_title = True
    frame = chart.chart_title.text_frame
    frame.text = title
    frame.paragraphs[0].font.size = Pt(12)
    frame.paragraphs[0].font.bold = True
    note = frame.add_paragraph()
    note.text = " · ".join(part for part in (polarity_label(item.polarity), span.note) if part)
    note.font.size = Pt(10)
    note.font.bold = False
    note.font.color.rgb = MUTED


def _axis_number_format(item, span) -> str:
    """Tick labels with the decimals the step needs ('0"%"', '#,##0', '0.0')."""
    decimals = "0" if span.tick_decimals == 0 else "0." + "0" * span.tick_decimals
    if item.is_share:
        return decimals + '"%"'
    return "#,##" + decimals if item.kind == COUNT_KIND else decimals


def _alt_text(frame, text: str) -> None:
    frame._element.nvGraphicFramePr.cNvPr.set("descr", text)


def _number_format(item) -> str:
    decimals = "0" if item.decimals == 0 else "0." + "0" * item.decimals
    if item.is_share:
        return decimals + '"%"'
    return "#,##" + decimals if item.kind == COUNT_KIND else decimals


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _cell(value) -> float | None:
    return None if _missing(value) else float(value)


__all__ = ["PackRequest", "build_pack"]


def source_lines(releases: pd.DataFrame) -> list[str]:
    """The sources in a line or two: each publisher's releases and the years they cover."""
    if releases.empty:
        return []
    datasets = releases["dataset"].astype(str)
    lines = []
    ons, own = datasets.str.startswith("ons"), datasets == "quarterly_return"
    for publisher, is_theirs in (
        ("Department for Education statistics", ~ons & ~own),
        ("Office for National Statistics population estimates", ons),
        ("the council's own quarterly return", own),
    ):
        part = releases[is_theirs]
        if part.empty:
            continue
        tags = ", ".join(sorted({str(r) for r in part["release"]}))
        years = f"{int(part['first_year'].min())}–{int(part['last_year'].max())}"
        lines.append(f"{publisher} (releases {tags}; years {years})")
    return lines


def pack_from_store(con, council: str, indicator_ids: list[str], **options) -> bytes:
    """Everything the deck needs, read from a store (the command line's path)."""
    from indicators import facts
    from indicators.compare import compare_all
    from indicators.compute import all_values
    from indicators.scorecard import council_scorecard, neighbour_lists

    neighbours = neighbour_lists(con)
    sn_model = options.pop("sn_model", None) or (
        str(max(neighbours["model"].astype(str))) if len(neighbours) else None
    )
    table = compare_all(all_values(con), neighbours, sn_model, options.pop("sn_method", "mean"))
    names = facts.councils(con).set_index("old_la_code")["la_name"]
    if council not in names.index:
        raise ValueError(f"No council with code {council} in this store.")
    from indicators.local import quarterly_figures, reconciliation

    card = council_scorecard(None, council, options.get("year"), table=table)
    quarterly = quarterly_figures(con, council)
    request = PackRequest(
        council=council,
        council_name=str(names[council]),
        indicator_ids=indicator_ids,
        sn_model=sn_model,
        is_demo=facts.is_demo(con),
        sources=source_lines(facts.loaded_releases(con)),
        strengths=list(card.summary.get("strengths", [])),
        concerns=list(card.summary.get("concerns", [])),
        quarterly=quarterly,
        reconciliation=reconciliation(quarterly, all_values(con), council),
        **options,
    )
    return build_pack(table, neighbours, request)
