"""The lead member's meeting pack: an editable 16:9 PowerPoint deck (python-pptx).

Every chart is a native PowerPoint chart whose data lives in an embedded
workbook, so a presenter can restyle it or correct a figure with "Edit Data"
rather than pasting a stale picture. Slides: a title slide (meeting name and
date, the datasets and releases by name, the date the data is as at, the demo
label when it applies), an executive summary (the pack's indicators at a glance
over the latest years, and three to five key messages about those indicators
only), one slide per indicator with a figure (the narrative sentence as the
headline, a trend line chart, a ranking among statistical neighbours, a small
comparison table, the officers' commentary or an empty box for it, definition
and questions in the speaker notes, alt text on every chart and table) and a
closing slide with definitions and the licence.

The pack must be shown unedited, so it is theme-true and measured: strengths
and concerns come only from the pack's own indicators; an indicator the loaded
data has no figure for gets no slide but is named once on the summary; and
every headline is measured (`exports.text_fit`) and set smaller or shortened
until it fits its box, never left to overflow.

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
import re
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
from pptx.oxml.ns import qn
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
from domain.units import COUNT_KIND, LOWER_IS_BETTER, UNITS
from domain.wording import (
    NEIGHBOURS_AVERAGE_HEADING,
    NEIGHBOURS_COLUMN,
    NEIGHBOURS_EXPLAINED,
    rank_words,
)
from exports.tables import neutralise_cell
from exports.text_fit import fit_text, fits, text_height, text_width
from indicators import views
from indicators.catalogue import Indicator, indicator
from indicators.formatting import (
    gap_kinds_note,
    gaps_note,
    period_label,
    points_word,
    symbol_word,
)
from indicators.narrative import Judgement, judgements, sentence, sentence_parts

WIDE = (Inches(13.333), Inches(7.5))
# The colours of domain/palette.py, as python-pptx takes them.
BLUE = RGBColor(*palette.rgb(palette.COUNCIL))  # the council
ORANGE = RGBColor(*palette.rgb(palette.NEIGHBOURS))  # statistical neighbours
BLACK = RGBColor(*palette.rgb(palette.SLIDE_TEXT))  # England and text
GREY = RGBColor(*palette.rgb(palette.OTHER))  # other councils
MUTED = RGBColor(*palette.rgb(palette.SLIDE_MUTED_TEXT))
NEIGHBOURS_SERIES = NEIGHBOURS_AVERAGE_HEADING
ENGLAND_SERIES = "England"
DEMO_LABEL = "Demo data — fictional councils"
FOOTNOTE_CHARACTERS = 300  # two lines of 10-point Arial across the slide
HEADLINE_SIZES = (22, 20, 18, 16)  # points, largest first: a headline's box is 12.1 × 1.0 in
SUMMARY_ROWS = 9  # indicators in the summary slide's table; more go on "continued" slides
CONTINUED_ROWS = 16
GLANCE_YEARS = 3  # years in the at-a-glance table (three to five fit)
MESSAGES = (3, 5)  # the fewest and most key messages on the summary
ONS_NAME = "Office for National Statistics, mid-year population estimates"
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
    # The store's releases (indicators.facts.loaded_releases): with them the title slide
    # names each dataset of the pack's indicators, its releases and the data's date.
    releases: pd.DataFrame | None = None
    # Officers' commentary by indicator id (indicators.commentary.for_slide); a slide
    # without any gets an empty "Commentary" box for officers to fill.
    commentary: dict[str, str] = field(default_factory=dict)
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
    latest = latest_rows(table, request)
    shown = [i for i, row in latest.items() if row is not None]
    _title_slide(deck, request, latest)
    _summary_slides(deck, table, request, latest)
    _quarterly_slide(deck, request)
    _reconciliation_slide(deck, request)
    gap_symbols: list[str | None] = []
    for indicator_id in shown:
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


def _title_slide(deck, request: PackRequest, latest: dict[str, pd.Series | None]) -> None:
    slide = deck.slides.add_slide(_layout(deck, "Title Slide", 0))
    title, subtitle = slide.placeholders[0], slide.placeholders[1]
    title.left, title.top, title.width, title.height = (
        Inches(0.8),
        Inches(1.4),
        Inches(11.7),
        Inches(1.6),
    )
    subtitle.left, subtitle.top = Inches(0.8), Inches(3.0)
    subtitle.width, subtitle.height = Inches(11.7), Inches(0.9)
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
    lines = title_sources(request, latest)
    width, height = 11.7, 2.9
    size = next((s for s in (12, 11, 10, 9) if fits(lines, width, height, s, False)), 9)
    dropped = 0
    while len(lines) > 3 and not fits(lines, width, height, size, False):
        dropped += 1
        lines = [*lines[: -2 - (dropped > 1)], f"…and {dropped} more", lines[-1]]
    _text(
        slide, Inches(0.8), Inches(4.0), Inches(width), Inches(height), lines,
        size=size, colour=MUTED, name="Sources",
    )  # fmt: skip
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


def title_sources(request: PackRequest, latest: dict[str, pd.Series | None]) -> list[str]:
    """The title slide's source lines: each dataset by name with its releases, then the date.

    With the store's releases, the datasets are those the pack's indicators are
    read from, named as the catalogue names them; without, the caller's lines.
    """
    rows = [row for row in latest.values() if row is not None]
    latest_period = max(rows, key=lambda r: int(r["year"]))["time_period"] if rows else None
    releases = request.releases
    if releases is None or releases.empty:
        lines = ["Sources: " + "; ".join(request.sources or ["DfE statistics as loaded"])]
        if latest_period is not None:
            lines.append(f"Data as at: latest figures for {period_label(latest_period)}.")
        return lines
    names = dataset_names([i for i, row in latest.items() if row is not None])
    lines = ["Sources:"]
    loaded = []
    for name, datasets in names.items():
        used = releases[releases["dataset"].astype(str).isin(datasets)]
        if used.empty:
            continue
        tags = sorted({str(r) for r in used["release"]})
        label = "release" if len(tags) == 1 else "releases"
        years = f"{int(used['first_year'].min())}–{int(used['last_year'].max())}"
        lines.append(f"{name} ({label} {', '.join(tags)}; years {years})")
        loaded.append(pd.to_datetime(used["loaded_at"]).max())
    as_at = "Data as at: "
    if latest_period is not None:
        as_at += f"latest figures for {period_label(latest_period)}"
    if loaded:
        as_at += f"{', ' if latest_period is not None else ''}loaded on "
        as_at += max(loaded).strftime("%d %B %Y").lstrip("0")
    lines.append(as_at + ".")
    return lines


def dataset_names(indicator_ids: list[str]) -> dict[str, set[str]]:
    """Each source's name and the dataset ids it covers, each dataset named once.

    A DfE dataset is named by the catalogue's source note of the first indicator read
    from it; ONS population (the denominator of rates) by ONS's own title.
    """
    named: dict[str, str] = {}
    for indicator_id in indicator_ids:
        item = indicator(indicator_id)
        selectors = [s for s in (item.source, item.numerator, item.denominator) if s]
        own = selectors[0].dataset if selectors else None
        for selector in selectors:
            if selector.dataset in named:
                continue
            if selector.dataset.startswith("ons"):
                named[selector.dataset] = ONS_NAME
            elif selector.dataset == own and item.source_note:
                named[selector.dataset] = item.source_note.rstrip(".")
    names: dict[str, set[str]] = {}
    for dataset, name in named.items():
        names.setdefault(name, set()).add(dataset)
    return names


# ------------------------------------------------------------------ summary
def has_figure(row: pd.Series | None) -> bool:
    """Whether a council row holds a figure: a number, or a symbol DfE published for it."""
    if row is None:
        return False
    return not _missing(row["value"]) or (isinstance(row["symbol"], str) and bool(row["symbol"]))


def latest_rows(table: pd.DataFrame, request: PackRequest) -> dict[str, pd.Series | None]:
    """Each of the pack's indicators and the council's row for the year shown (None: none)."""
    rows: dict[str, pd.Series | None] = {}
    for indicator_id in dict.fromkeys(request.indicator_ids):
        year = views.latest_year(table, indicator_id, request.council, request.year)
        row = views.council_row(table, indicator_id, request.council, year)
        rows[indicator_id] = row if has_figure(row) else None
    return rows


def difference(item: Indicator, value: object, other: object) -> str:
    """value − other, rounded as the figures are: '+2 points' (percentage points, as the
    pages write a gap between two percentages) for percentages, '−1.5' for rates.

    Empty when either is missing or for counts (a council's count against England's
    total means nothing).
    """
    if _missing(value) or _missing(other) or item.kind == COUNT_KIND:
        return ""
    change = round(float(value) - float(other), item.decimals)
    if change == 0:
        change = 0.0  # no "−0"
    text = f"{abs(change):,.{item.decimals}f}"
    sign = "+" if change > 0 else "−" if change < 0 else ""
    return f"{sign}{text} {points_word(change)}" if item.is_share else f"{sign}{text}"


def _with_counts(item: Indicator, row: pd.Series) -> str:
    """'50 of 522 (10%)' as the pages write it (never a count of 1 to 5, nor one that the
    percentage would give back); the figure alone otherwise."""
    return views.show_with_count(
        item, row["value"], row["symbol"], row.get("numerator"), row.get("denominator")
    )


def at_a_glance(
    table: pd.DataFrame, request: PackRequest, latest: dict[str, pd.Series | None]
) -> pd.DataFrame:
    """The pack's indicators with a figure: the latest years (with counts), the latest
    neighbours' and England's figures, and the direction of the latest change."""
    shown = {i: row for i, row in latest.items() if row is not None}
    if not shown:
        return pd.DataFrame()
    years = sorted({int(row["year"]) for row in shown.values()})
    years = list(range(years[-1] - GLANCE_YEARS + 1, years[-1] + 1))
    last = years[-1]
    records = []
    for indicator_id, row in shown.items():
        item = indicator(indicator_id)
        mine = (table["indicator_id"] == indicator_id) & (table["area_code"] == request.council)
        rows = table[mine]
        by_year = {int(r["year"]): r for _, r in rows.iterrows()}
        record = {"Indicator": item.short_title}
        for year in years:
            found = by_year.get(year)
            record[str(year)] = "–" if found is None else _with_counts(item, found)
        when = "" if int(row["year"]) == last else f" ({period_label(row['time_period'])})"
        neighbours = views.show(item, row["sn_value"]) if not _missing(row["sn_value"]) else "–"
        record[f"{NEIGHBOURS_COLUMN}, latest"] = neighbours + (when if neighbours != "–" else "")
        record["England, latest"] = views.show(item, row["england_value"]) + when
        direction = row["direction"] if isinstance(row["direction"], str) else "not comparable"
        change = difference(item, row["value"], row["previous_value"])
        arrow = views.direction_label(direction, item.polarity)
        record["Direction"] = arrow + (
            f" ({change})" if change and direction != "not comparable" else ""
        )
        records.append(record)
    return pd.DataFrame(records)


def key_messages(latest: dict[str, pd.Series | None], council_name: str) -> list[str]:
    """Three to five messages about the pack's indicators only: strengths and concerns.

    The judgement is `indicators.narrative.judgements`, given only the pack's rows;
    each message is its label and the first sentence of the indicator's headline. A
    strength is against England; when the figure also fell (or a concern rose), the
    label says both rather than calling a fall a strength. Too few judgements: the
    other indicators' first sentences, in pack order.
    """
    shown = {i: row for i, row in latest.items() if row is not None}
    if not shown:
        return []
    items = {i: indicator(i) for i in shown}
    judged, _ = judgements(pd.DataFrame(list(shown.values())), items)

    def first_sentence(indicator_id: str) -> str:
        return sentence_parts(shown[indicator_id], items[indicator_id], council_name)[0]

    def message(judgement: Judgement) -> str:
        label = (judgement.caveat or judgement.kind.capitalize()).removesuffix(".")
        return f"{label} – {first_sentence(judgement.indicator_id)}"

    labelled = {
        kind: [message(j) for j in judged if j.kind == kind] for kind in ("strength", "concern")
    }
    strengths, concerns = labelled["strength"], labelled["concern"]
    take_strengths = min(len(strengths), max(2, MESSAGES[1] - len(concerns)))
    messages = strengths[:take_strengths] + concerns[: MESSAGES[1] - take_strengths]
    used = {j.indicator_id for j in judged}
    for indicator_id in shown:
        if len(messages) >= MESSAGES[0]:
            break
        if indicator_id not in used:
            messages.append(first_sentence(indicator_id))
    return messages


def _summary_slides(
    deck, table: pd.DataFrame, request: PackRequest, latest: dict[str, pd.Series | None]
) -> None:
    """The executive summary: the pack's indicators at a glance, then the key messages."""
    glance = at_a_glance(table, request, latest)
    slide = _blank(deck)
    _heading(slide, f"Executive summary: {request.council_name} at a glance", request)
    widths = [2.6, *[1.5] * GLANCE_YEARS, 1.4, 1.4, 2.2][: len(glance.columns)]
    top = 1.2
    if not glance.empty:
        first = glance.head(SUMMARY_ROWS)
        _grid(slide, first, Inches(top), "At a glance", request, size=11, widths=widths,
              alt=_glance_alt(first, request))  # fmt: skip
        top += _table_height(first, widths, 11) + 0.15
    messages = key_messages(latest, request.council_name)
    missing = [indicator(i).short_title for i, row in latest.items() if row is None]
    notes = []
    if missing:
        notes.append("Not in the loaded data for this council: " + "; ".join(missing) + ".")
    if not glance.empty:
        school_years = any(
            len(str(r["time_period"])) == 6 for r in latest.values() if r is not None
        )
        notes.append(
            "Figures in brackets are the numbers counted and the total they are a share of; "
            "a change in a percentage is in percentage points. Direction: ▲ the figure rose, "
            "▼ it fell; the word says "
            "whether that is better or worse."
            + (" A school year is shown under the year it ends." if school_years else "")
        )
    note_height = 0.5 if missing else 0.3
    room = 6.95 - note_height - top
    lines = [f"• {m}" for m in messages] or ["• No figure for these indicators is loaded."]
    size = next((s for s in (14, 13, 12, 11, 10) if fits(lines, 12.1, room, s, False)), 10)
    while len(lines) > 1 and not fits(lines, 12.1, room, size, False):
        lines = lines[:-1]
    _text(slide, Inches(0.6), Inches(top), Inches(12.1), Inches(room), lines, size=size,
          name="Key messages")  # fmt: skip
    _text(slide, Inches(0.6), Inches(6.95 - note_height), Inches(12.1), Inches(note_height),
          notes, size=10, colour=MUTED, name="Summary note")  # fmt: skip
    rest = glance.iloc[SUMMARY_ROWS:]
    for start in range(0, len(rest), CONTINUED_ROWS):
        part = rest.iloc[start : start + CONTINUED_ROWS]
        slide = _blank(deck)
        _heading(slide, f"{request.council_name} at a glance (continued)", request)
        _grid(slide, part, Inches(1.2), "At a glance", request, size=11, widths=widths,
              alt=_glance_alt(part, request))  # fmt: skip


def _glance_alt(frame: pd.DataFrame, request: PackRequest) -> str:
    rows = [
        ", ".join(f"{column} {value}" for column, value in record.items())
        for record in frame.to_dict("records")
    ]
    return f"Table: {request.council_name}'s indicators at a glance. " + "; ".join(rows) + "."


def _table_height(frame: pd.DataFrame, widths: list[float], size: int) -> float:
    """The inches a table of text takes once the renderer has wrapped its cells."""
    height = 0.0
    for record in [list(frame.columns), *frame.astype(str).values.tolist()]:
        tallest = max(
            text_height(str(text), (width - 0.2) * 72, size, False)
            for text, width in zip(record, widths, strict=True)
        )
        height += tallest / 72 + 0.1
    return height


def _grid(
    slide,
    frame: pd.DataFrame,
    top,
    name: str,
    request: PackRequest,
    size: int = 12,
    widths: list[float] | None = None,
    alt: str | None = None,
) -> None:
    """A plain table of text cells (header row first), with its alt text."""
    shape = slide.shapes.add_table(
        len(frame) + 1, len(frame.columns), Inches(0.6), top, Inches(12.1), Inches(0.3)
    )
    shape.name = name
    if widths:
        for column, width in zip(shape.table.columns, widths, strict=True):
            column.width = Inches(width)
    for column, label in enumerate(frame.columns):
        for line, text in enumerate([label, *frame[label].astype(str)]):
            cell = shape.table.cell(line, column)
            cell.text = text
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.font.size = Pt(size)
            paragraph.font.bold = line == 0
            paragraph.font.name = "Arial"  # the font the cells were measured in
    _style_table(shape, request)
    _alt_text(shape, alt or f"Table: {name}. " + _cells_alt(frame))


def _cells_alt(frame: pd.DataFrame) -> str:
    return "; ".join(
        ", ".join(f"{column} {value}" for column, value in record.items())
        for record in frame.astype(str).to_dict("records")
    )


def _style_table(shape, request: PackRequest) -> None:
    """With a council template, the table takes the template's default table style
    (its colours and borders; the text stays in Arial, the font the layout is measured in)."""
    style = template_table_style(request.template) if request.template else None
    if style:
        shape.table._tbl.tblPr.find(qn("a:tableStyleId")).text = style


def template_table_style(path: str) -> str | None:
    """The default table style id a template's tableStyles part names, if any."""
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT

    try:
        part = Presentation(path).part.part_related_by(RT.TABLE_STYLES)
    except (KeyError, ValueError):
        return None
    found = re.search(rb'\bdef="(\{[0-9A-Fa-f-]+\})"', part.blob)
    return found.group(1).decode() if found else None


def _quarterly_slide(deck, request: PackRequest) -> None:
    """The council's own figures for the pack's indicators, the last four quarters."""
    from indicators.local import quarter_table

    figures = request.quarterly
    if figures is None or figures.empty:
        return
    chosen = figures[figures["indicator_id"].isin(request.indicator_ids)]
    if chosen.empty:
        return
    table = quarter_table(chosen, latest=4).head(12)
    slide = _blank(deck)
    _heading(slide, "The council's own latest figures, by quarter", request)
    sources = " and ".join(sorted(set(chosen["source"])))
    _text(
        slide, Inches(0.6), Inches(1.2), Inches(12.1), Inches(0.6),
        f"From the council's {sources}; not checked or published by DfE. Small numbers "
        f"are shown as '{SYMBOLS[SUPPRESSED].word}' to protect children's privacy.",
        size=12, colour=MUTED,
    )  # fmt: skip
    _grid(slide, table, Inches(1.9), "Quarterly figures", request)


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
    _grid(slide, shown, Inches(1.9), "Reconciliation", request)
    slide.notes_slide.notes_text_frame.text = "\n".join(
        f"{name}: {reasons}"
        for name, reasons in zip(
            chosen["Indicator"].head(12), chosen["Likely reasons"].head(12), strict=True
        )
    )


def _heading(slide, text: str, request: PackRequest) -> str:
    """The slide's headline, measured and set smaller or shortened until it fits its box.

    Returns the text shown (shorter than asked only when no size fitted it)."""
    text, size = fit_text(text, 12.1, 1.0, HEADLINE_SIZES, bold=True)
    _text(
        slide,
        Inches(0.6),
        Inches(0.3),
        Inches(12.1),
        Inches(1.0),
        text,
        size=size,
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
    return text


def unit_words(item: Indicator) -> str:
    """The measure's unit as a chart title says it: 'percentage', 'rate per 10,000 children'."""
    return UNITS[item.unit].axis_title.lower()


CHART_TITLE_SIZES = (12, 11, 10)
CHART_WIDTH = 5.9  # inches: the narrower of the slide's two charts


def _indicator_slide(
    deck, table, neighbours, request: PackRequest, indicator_id: str
) -> list[str | None]:
    """One indicator's slide; returns the symbols of its gaps and missing bars."""
    item = indicator(indicator_id)
    slide = _blank(deck)
    year = views.latest_year(table, indicator_id, request.council, request.year)
    row = views.council_row(table, indicator_id, request.council, year)
    assert row is not None, "build_pack makes slides only for indicators with a figure"
    full_headline = sentence(row, item, request.council_name)
    shown_headline = _heading(slide, full_headline, request)
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
        XL_CHART_TYPE.LINE_MARKERS, Inches(0.5), Inches(1.3), Inches(6.3), Inches(3.25), trend
    )
    _style_trend(frame.chart, item)
    first, last = trend.categories[0].label, trend.categories[-1].label
    span = first if first == last else f"{first} to {last}"
    compared = " and ".join(
        words
        for name, words in (
            (NEIGHBOURS_SERIES, "the average of similar councils"),
            (ENGLAND_SERIES, "England"),
        )
        if name in [series.name for series in frame.chart.plots[0].series]
    )
    _alt_text(
        frame,
        f"Line chart: {item.short_title} ({unit_words(item)}) for {request.council_name}"
        f"{', ' + compared if compared else ''}, {span}.",
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
        XL_CHART_TYPE.BAR_CLUSTERED, Inches(6.9), Inches(1.3), Inches(5.9), Inches(3.25), bars
    )
    _style_ranking(
        frame.chart, list(ranked["area_code"]), request.council, item, period_label(year)
    )
    _every_category_named(frame.chart)
    # Without polarity nothing is "best" (LAIT gives no rank): the bars run highest first.
    order = "best first" if item.has_polarity else "highest first"
    when = period_label(row["time_period"])
    _alt_text(
        frame,
        f"Bar chart ranking {request.council_name} among its statistical "
        f"neighbours for {item.short_title} ({unit_words(item)}), {when}, {order}.",
    )

    _comparison_table(slide, item, row, request, history)
    _commentary_box(slide, request.commentary.get(indicator_id))
    footnote = " ".join(
        note for note in (gaps_note(gaps), gaps_note(missing_bars, lead="No bar")) if note
    )
    if footnote:
        # Two lines fit between the commentary and the footer; a long list gets smaller type.
        _text(
            slide,
            Inches(0.6),
            Inches(6.45),
            Inches(12.1),
            Inches(0.5),
            footnote,
            size=10 if len(footnote) <= FOOTNOTE_CHARACTERS else 8,
            colour=MUTED,
            name="Footnote",
        )
    _notes(slide, item, footnote, full_headline if shown_headline != full_headline else "")
    return [s for _, s in gaps] + [s for _, s in missing_bars]


def comparison_cells(
    item: Indicator, row: pd.Series, history: pd.DataFrame | None = None
) -> list[tuple[str, str]]:
    """The slide's table: the latest figure with its counts, the year before, neighbours,
    England, the difference from England, rank (1 = best) and band, each labelled with
    its year. ``history`` (`views.trend`) gives the year before its label and symbol."""
    show = lambda value: views.show(item, value)  # noqa: E731
    when = period_label(row["time_period"])
    before_label, before = _year_before(row), show(row["previous_value"])
    if history is not None:
        earlier = history[history["year"] < int(row["year"])]
        if not _missing(row["previous_year"]):
            earlier = earlier[earlier["year"] == int(row["previous_year"])]
        if not earlier.empty:
            last = earlier.iloc[-1]
            before_label = str(last["period_label"])
            before = views.show(item, last["council"], last["council_symbol"])
    rank = rank_words(row["rank"], row["rank_of"]) or "–"
    band = row["quartile_band"] if isinstance(row["quartile_band"], str) else "–"
    gap = difference(item, row["value"], row["england_value"])
    return [
        (f"Latest ({when})", _with_counts(item, row)),
        (f"Previous ({before_label})", before),
        (f"{NEIGHBOURS_COLUMN} ({when})", show(row["sn_value"])),
        (f"England ({when})", show(row["england_value"])),
        ("Difference from England", gap or "–"),
        (f"Rank ({when})", rank),
        ("Band (A best)", band),
    ]


def _year_before(row: pd.Series) -> str:
    """The label of the year before the row's: '2024', or '2023/24' for a school year."""
    year = int(row["year"]) - 1
    if len(str(row["time_period"])) == 6:
        return period_label(f"{year - 1}{year % 100:02d}")
    return str(year)


COMPARISON_WIDTHS = (2.0, 1.6, 1.75, 1.55, 1.95, 2.05, 1.2)  # inches, 12.1 in all
COMPARISON_SIZES = (13, 12, 11, 10)  # a figure's points, largest first, on one line


def value_size(text: str, width_inches: float) -> int:
    """The largest size at which a figure fits its cell on one line."""
    for size in COMPARISON_SIZES:
        if text_width(text, size, bold=True) * 1.06 <= (width_inches - 0.2) * 72:
            return size
    return COMPARISON_SIZES[-1]


def _every_category_named(chart) -> None:
    """Every bar keeps its council's name: a renderer short of room otherwise names every
    other bar, and the reader cannot tell which bar is whose (c:tickLblSkip = 1)."""
    axis = chart.category_axis._element
    skip = axis.find(qn("c:tickLblSkip"))
    if skip is None:
        skip = axis.makeelement(qn("c:tickLblSkip"), {})
        later = [qn(f"c:{tag}") for tag in ("tickMarkSkip", "noMultiLvlLbl", "extLst")]
        following = next((child for child in axis if child.tag in later), None)
        if following is not None:
            following.addprevious(skip)
        else:
            axis.append(skip)
    skip.set("val", "1")


def _comparison_table(
    slide, item: Indicator, row: pd.Series, request: PackRequest, history: pd.DataFrame
) -> None:
    cells = comparison_cells(item, row, history)
    shape = slide.shapes.add_table(
        2, len(cells), Inches(0.6), Inches(4.65), Inches(12.1), Inches(0.9)
    )
    shape.name = "Comparison table"
    grid = shape.table
    grid.rows[0].height, grid.rows[1].height = Inches(0.5), Inches(0.4)
    for column, width in zip(grid.columns, COMPARISON_WIDTHS, strict=True):
        column.width = Inches(width)
    for column, ((label, value), width) in enumerate(zip(cells, COMPARISON_WIDTHS, strict=True)):
        for line, text in enumerate((label, value)):
            cell = grid.cell(line, column)
            cell.text = text
            paragraph = cell.text_frame.paragraphs[0]
            paragraph.font.size = Pt(11 if line == 0 else value_size(text, width))
            paragraph.font.bold = line == 1
            paragraph.font.name = "Arial"  # the font the cells were measured in
    _style_table(shape, request)
    _alt_text(
        shape,
        f"Table: {item.short_title} for {request.council_name}. "
        + "; ".join(f"{label}: {value}" for label, value in cells)
        + ".",
    )


def _commentary_box(slide, commentary: str | None) -> None:
    """The officers' commentary, or an empty outlined box headed 'Commentary' to fill."""
    box = _text(
        slide,
        Inches(0.6),
        Inches(5.65),
        Inches(12.1),
        Inches(0.75),
        ["Commentary", *(commentary.splitlines() if commentary else [""])],
        size=11,
        name="Commentary",
    )
    box.text_frame.paragraphs[0].font.bold = True
    box.line.color.rgb = MUTED
    box.line.width = Pt(0.75)
    if commentary:
        text, size = commentary, 11
        for candidate in (11, 10, 9, 8):
            size = candidate
            if fits(["Commentary", *text.splitlines()], 12.1, 0.75, candidate, False):
                break
        for paragraph in box.text_frame.paragraphs:
            paragraph.font.size = Pt(size)


def _notes(slide, item, footnote: str, full_headline: str = "") -> None:
    notes = [
        f"Definition: {item.definition}",
        f"Source: {item.source_note}",
        "Questions to ask officers:",
        *[f"- {q}" for q in item.questions],
    ]
    if footnote:
        notes.append(footnote)
    if full_headline:
        notes.append(f"The headline in full: {full_headline}")
    slide.notes_slide.notes_text_frame.text = "\n".join(notes)


def _closing_slide(deck, request: PackRequest, gap_symbols: list[str | None]) -> None:
    slide = _blank(deck)
    _heading(slide, "About these figures", request)
    lines = [
        "Rates are per 10,000 children aged under 18; percentages are of the children "
        "counted for each measure.",
        NEIGHBOURS_EXPLAINED.removesuffix(".")
        + (f" (DfE's {request.sn_model} model)." if request.sn_model else "."),
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
    # 8 point: at 10, LibreOffice names only every other bar when a name wraps.
    chart.category_axis.tick_labels.font.size = Pt(8)
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


def _chart_title(chart, title: str, item, span, width_inches: float = CHART_WIDTH) -> None:
    """The measure and unit in bold, on one line (set smaller rather than wrapped: a wrapped
    title takes the room the bars' names need, and LibreOffice then skips every other);
    under it the polarity and where a zoomed axis starts."""
    chart.has_title = True
    frame = chart.chart_title.text_frame
    frame.text = title
    room = (width_inches - 0.5) * 72
    size = next(
        (s for s in CHART_TITLE_SIZES if text_width(title, s, bold=True) * 1.06 <= room),
        CHART_TITLE_SIZES[-1],
    )
    frame.paragraphs[0].font.size = Pt(size)
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
    from indicators.scorecard import neighbour_lists

    neighbours = neighbour_lists(con)
    sn_model = options.pop("sn_model", None) or (
        str(max(neighbours["model"].astype(str))) if len(neighbours) else None
    )
    table = compare_all(all_values(con), neighbours, sn_model, options.pop("sn_method", "mean"))
    names = facts.councils(con).set_index("old_la_code")["la_name"]
    if council not in names.index:
        raise ValueError(f"No council with code {council} in this store.")
    from indicators.local import quarterly_figures, reconciliation

    releases = facts.loaded_releases(con)
    quarterly = quarterly_figures(con, council)
    request = PackRequest(
        council=council,
        council_name=str(names[council]),
        indicator_ids=indicator_ids,
        sn_model=sn_model,
        is_demo=facts.is_demo(con),
        sources=source_lines(releases),
        releases=releases,
        commentary=officer_commentary(con, council, table, indicator_ids, options.get("year")),
        quarterly=quarterly,
        reconciliation=reconciliation(quarterly, all_values(con), council),
        **options,
    )
    return build_pack(table, neighbours, request)


def officer_commentary(
    con, council: str, table: pd.DataFrame, indicator_ids: list[str], year: int | None
) -> dict[str, str]:
    """The officers' commentary for each indicator's slide (its year), where there is some."""
    found: dict[str, str] = {}
    for indicator_id in indicator_ids:
        shown = views.latest_year(table, indicator_id, council, year)
        row = views.council_row(table, indicator_id, council, shown)
        if row is None:
            continue
        text = commentary_for_slide(con, council, indicator_id, str(row["time_period"]))
        if text:
            found[indicator_id] = text
    return found


def commentary_for_slide(con, council: str, indicator_id: str, period: str) -> str | None:
    """The officers' commentary in force for the slide's figure (`indicators.commentary`)."""
    from indicators.commentary import for_slide

    return for_slide(con, council, indicator_id, period)
