"""The meeting pack opened with python-pptx: order, native charts with the right numbers, notes."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from exports.pack import (
    DEMO_LABEL,
    HEADLINE_SIZES,
    PackRequest,
    build_pack,
    key_messages,
    latest_rows,
)
from exports.text_fit import fit_text, fits
from indicators import views
from indicators.catalogue import catalogue, grouping, indicator
from indicators.compare import compare_all
from indicators.compute import all_values
from indicators.scorecard import neighbour_lists
from loaders.store import open_store

STABILITY = list(grouping("lga").theme("stability").indicator_ids)


@pytest.fixture(scope="module")
def demo_tables(demo_db_copy):
    con = open_store(demo_db_copy)
    neighbours = neighbour_lists(con)
    table = compare_all(all_values(con), neighbours)
    con.close()
    return table, neighbours


def deck_for(tables, council="172", name="Wyrebrook", ids=STABILITY, **options):
    table, neighbours = tables
    request = PackRequest(council, name, ids, sn_model="2025", is_demo=True, **options)
    return Presentation(io.BytesIO(build_pack(table, neighbours, request)))


def texts(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.has_text_frame)


def charts(slide):
    return [s for s in slide.shapes if s.has_chart]


def test_slides_come_in_order_title_summary_indicators_closing(demo_tables):
    deck = deck_for(demo_tables, meeting_name="Panel, 3 December", meeting_date="3 December 2026")
    slides = list(deck.slides)
    assert len(slides) == 2 + len(STABILITY) + 1
    assert deck.slide_width > deck.slide_height  # 16:9
    title = slides[0]
    assert title.shapes.title.text == "Wyrebrook: how our children in care are doing"
    assert title.placeholders[1].text == "Panel, 3 December · 3 December 2026"
    assert DEMO_LABEL in texts(title)
    assert texts(slides[1]).startswith("Executive summary: Wyrebrook at a glance")
    assert [s.name for s in slides[1].shapes if s.has_table] == ["At a glance"]
    assert "Open Government Licence" in texts(slides[-1])
    for slide in slides[1:]:
        assert DEMO_LABEL in texts(slide)  # every slide's footer says so


def test_each_indicator_slide_has_native_charts_with_the_indicator_values(demo_tables):
    table, _ = demo_tables
    deck = deck_for(demo_tables)
    for slide, indicator_id in zip(list(deck.slides)[2:-1], STABILITY, strict=True):
        trend, ranking = charts(slide)
        assert trend.chart.chart_type == XL_CHART_TYPE.LINE_MARKERS
        assert ranking.chart.chart_type == XL_CHART_TYPE.BAR_CLUSTERED
        history = views.trend(table, indicator_id, "172")
        council_series = trend.chart.plots[0].series[0]
        expected = [None if math.isnan(v) else v for v in history["council"]]
        assert list(council_series.values) == pytest.approx(expected)
        assert list(trend.chart.plots[0].categories) == list(history["period_label"])
        assert slide.shapes[0].text_frame.text.startswith(indicator(indicator_id).short_title)


def test_suppressed_values_are_gaps_with_a_footnote(demo_tables):
    table, _ = demo_tables
    suppressed = table[table["symbol"].notna() & (table["indicator_id"].isin(STABILITY))]
    council = str(suppressed["area_code"].iloc[0])
    indicator_id = str(suppressed["indicator_id"].iloc[0])
    name = str(suppressed["area_name"].iloc[0])
    deck = deck_for(demo_tables, council=council, name=name, ids=[indicator_id])
    slide = list(deck.slides)[2]
    values = list(charts(slide)[0].chart.plots[0].series[0].values)
    assert None in values and 0 not in values
    assert "suppressed" in texts(slide)
    assert "Gaps in the line: " in slide.notes_slide.notes_text_frame.text


def _with_symbol(table, indicator_id: str, council: str, year: int, symbol: str):
    """The table with one council figure replaced by a symbol, and any other symbol of
    that indicator turned into the same one (so the slide shows only that symbol)."""
    table = table.copy()
    mine = table["indicator_id"] == indicator_id
    table.loc[mine & table["symbol"].notna(), "symbol"] = symbol
    cell = mine & (table["area_code"] == council) & (table["year"] == year)
    table.loc[cell, ["value", "value_precise"]] = math.nan
    table.loc[cell, "symbol"] = symbol
    return table


def _footnote(slide) -> str:
    return "\n".join(s.text_frame.text for s in slide.shapes if s.name == "Footnote")


@pytest.mark.parametrize(
    ("symbol", "expected", "absent"),
    [
        ("x", "not available", ("privacy", "suppressed")),
        ("c", "suppressed to protect children's privacy", ("not available",)),
    ],
)
def test_a_gap_footnote_names_only_the_symbols_in_it(demo_tables, symbol, expected, absent):
    table, neighbours = demo_tables
    indicator_id = "cla_rate_per_10k"
    years = sorted(set(table.loc[table["indicator_id"] == indicator_id, "year"]))
    changed = _with_symbol(table, indicator_id, "172", int(years[0]), symbol)
    deck = deck_for((changed, neighbours), ids=[indicator_id])
    slide, closing = list(deck.slides)[2], list(deck.slides)[-1]
    footnote = _footnote(slide)
    assert footnote.startswith(f"Gaps in the line: {years[0]} {expected}")
    notes = slide.notes_slide.notes_text_frame.text
    closing_text = texts(closing)
    assert expected in closing_text
    for words in absent:
        assert words not in footnote and words not in notes and words not in closing_text


def test_a_missing_bar_is_named_with_its_word(demo_tables):
    table, neighbours = demo_tables
    indicator_id = "cla_rate_per_10k"
    year = int(table.loc[table["indicator_id"] == indicator_id, "year"].max())
    others = views.council_and_neighbours(neighbours, "172", "2025")[1:]
    changed = _with_symbol(table, indicator_id, others[0], year, "x")
    deck = deck_for((changed, neighbours), ids=[indicator_id])
    slide = list(deck.slides)[2]
    names = list(charts(slide)[1].chart.plots[0].categories)
    name = str(changed.loc[changed["area_code"] == others[0], "area_name"].iloc[0])
    assert f"{name} (not available)" in names
    footnote = _footnote(slide)
    assert f"No bar: {name} not available." in footnote
    assert "privacy" not in footnote


def test_charts_have_alt_text_and_slides_have_notes_with_questions(demo_tables):
    deck = deck_for(demo_tables)
    for slide, indicator_id in zip(list(deck.slides)[2:-1], STABILITY, strict=True):
        for frame in charts(slide):
            assert frame._element.nvGraphicFramePr.cNvPr.get("descr")
        notes = slide.notes_slide.notes_text_frame.text
        assert notes.startswith("Definition: ")
        assert indicator(indicator_id).questions[0] in notes


def test_the_council_bar_is_blue_and_the_others_grey(demo_tables):
    deck = deck_for(demo_tables, ids=["cla_rate_per_10k"])
    ranking = charts(list(deck.slides)[2])[1].chart
    names = list(ranking.plots[0].categories)
    index = names.index("Wyrebrook")
    point = ranking.plots[0].series[0].points[index]
    assert str(point.format.fill.fore_color.rgb) == "0072B2"


def test_command_line_writes_a_pack_for_a_group(demo_db_copy, tmp_path):
    import subprocess
    import sys

    from conftest import PROJECT

    out = tmp_path / "pack.pptx"

    def pack(*options: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "exports", "pack", "--db", str(demo_db_copy)]
        return subprocess.run(
            [*command, "--la", "172", *options, "--out", str(out)],
            cwd=PROJECT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    result = pack("--group", "stability", "--meeting", "Panel")
    assert result.returncode == 0, result.stdout + result.stderr
    deck = Presentation(str(out))
    assert len(deck.slides) == 2 + len(STABILITY) + 1
    bad = pack("--indicators", "nope")
    assert bad.returncode == 2 and "Unknown indicator id(s): nope" in bad.stdout


def test_a_council_template_and_logo_are_used(demo_tables, tmp_path):
    import base64

    template = Presentation()
    template.slide_width, template.slide_height = 12192000, 6858000
    template.slide_masters[0].name = "Council master"
    template_path = tmp_path / "council.pptx"
    template.save(template_path)
    logo = tmp_path / "logo.png"
    logo.write_bytes(
        base64.b64decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
        )
    )
    deck = deck_for(demo_tables, template=str(template_path), logo=str(logo))
    pictures = [s for s in deck.slides[0].shapes if s.shape_type == 13]  # PICTURE
    assert len(pictures) == 1
    assert pictures[0]._element.nvPicPr.cNvPr.get("descr") == "Wyrebrook logo"
    assert deck.slide_width == 12192000


def _comparison_cells(slide) -> dict[str, str]:
    (table,) = [s.table for s in slide.shapes if s.has_table]
    labels = [cell.text for cell in table.rows[0].cells]
    return dict(zip(labels, [cell.text for cell in table.rows[1].cells], strict=True))


def _cell_starting(cells: dict[str, str], label: str) -> str:
    """The cell whose header starts with the label ('Rank' for 'Rank (2025)')."""
    (found,) = [value for header, value in cells.items() if header.startswith(label)]
    return found


def test_an_indicator_without_polarity_has_no_rank_or_band_and_is_not_called_best(demo_tables):
    """LAIT R/fn_analysis.R calculate_rank and calculate_quartile_band: "-" for polarity "-"."""
    slide = list(deck_for(demo_tables, ids=["cla_rate_per_10k"]).slides)[2]
    cells = _comparison_cells(slide)
    assert (_cell_starting(cells, "Rank"), _cell_starting(cells, "Band")) == ("–", "–")
    assert not any(word in " ".join(cells.values()) for word in ("nan", "NA", "None"))
    alt = charts(slide)[1]._element.nvGraphicFramePr.cNvPr.get("descr")
    assert "highest first" in alt and "best" not in alt


def test_an_indicator_with_polarity_has_rank_of_n_and_a_band(demo_tables):
    slide = list(deck_for(demo_tables, ids=["placements_3plus_pct"]).slides)[2]
    cells = _comparison_cells(slide)
    rank, band = _cell_starting(cells, "Rank"), _cell_starting(cells, "Band")
    assert " of " in rank and rank.endswith(" (1 = best)") and band in {"A", "B", "C", "D"}
    assert "best first" in charts(slide)[1]._element.nvGraphicFramePr.cNvPr.get("descr")


# Names a spreadsheet would run as a formula (or turn into a link). The loader now
# refuses them, but an older store may hold them: the rows are changed directly.
FORMULA_NAMES = [
    '=HYPERLINK("http://example.invalid","Wyrebrook")',  # the council itself
    "@SUM(1+1) Fells",
    "  -2+3 Haven",
    "＝1+1 Hill",
    "http://example.invalid/council",
]


@pytest.fixture
def formula_store(demo_db, tmp_path):
    """A copy of the demo store where 172 and four of its neighbours have hostile names."""
    import shutil

    path = tmp_path / "formulas.duckdb"
    shutil.copyfile(demo_db, path)
    con = open_store(path)
    neighbours = [
        code
        for (code,) in con.execute(
            "SELECT neighbour_old_la_code FROM current_neighbours "
            "WHERE model = '2025' AND old_la_code = '172' ORDER BY sn_rank LIMIT 4"
        ).fetchall()
    ]
    for code, name in zip(["172", *neighbours], FORMULA_NAMES, strict=True):
        con.execute(
            "UPDATE facts SET area_name = $1, la_name = $1 WHERE area_code = $2", [name, code]
        )
    yield con
    con.close()


def embedded_workbooks(deck):
    from openpyxl import load_workbook

    for slide in deck.slides:
        for shape in charts(slide):
            blob = shape.chart.part.chart_workbook.xlsx_part.blob
            yield load_workbook(io.BytesIO(blob))


def test_names_in_the_embedded_workbooks_are_plain_neutralised_text(formula_store):
    from exports.pack import pack_from_store
    from exports.tables import neutralise_cell

    deck = Presentation(
        io.BytesIO(pack_from_store(formula_store, "172", ["cla_rate_per_10k"], sn_model="2025"))
    )
    books = list(embedded_workbooks(deck))
    assert len(books) == 2  # the trend and the ranking
    texts = []
    for book in books:
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    assert cell.data_type != "f", (cell.coordinate, cell.value)
                    assert cell.hyperlink is None, (cell.coordinate, cell.value)
                    if isinstance(cell.value, str):
                        assert neutralise_cell(cell.value) == cell.value, cell.value
                        texts.append(cell.value)
    for name in FORMULA_NAMES[:4]:
        assert any(text.startswith("'" + name) for text in texts), (name, texts)
    assert any(text.startswith("http://example.invalid/council") for text in texts)


# ------------------------------------------------------------ the summary and theme-truth
def _without_council_figures(table, indicator_id: str, council: str = "172"):
    """The table with one indicator's rows for the council gone (not in the loaded data)."""
    gone = (table["indicator_id"] == indicator_id) & (table["area_code"] == council)
    return table[~gone]


def _message_lines(slide) -> list[str]:
    (box,) = [s for s in slide.shapes if s.name == "Key messages"]
    return [p.text.removeprefix("• ") for p in box.text_frame.paragraphs if p.text]


def test_the_summary_mentions_only_the_pack_indicators(demo_tables):
    """The council's strengths and concerns in other themes are not shown: each key
    message and each row at a glance is one of the pack's own indicators."""
    others = [i.short_title for i in catalogue() if i.id not in STABILITY]
    deck = deck_for(demo_tables)
    summary = list(deck.slides)[1]
    titles = {indicator(i).short_title for i in STABILITY}
    messages = _message_lines(summary)
    assert 3 <= len(messages) <= 5
    for message in messages:
        sentence = message.split(" – ", 1)[-1]
        assert sentence.split(":")[0] in titles, message
    words = texts(summary)
    assert not any(title in words for title in others if title not in " ".join(titles))
    (glance,) = [s.table for s in summary.shapes if s.has_table]
    rows = [glance.cell(r, 0).text for r in range(1, len(glance.rows))]
    assert rows == [indicator(i).short_title for i in STABILITY]


def test_no_slide_for_an_indicator_without_a_figure_and_it_is_listed_once(demo_tables):
    table, neighbours = demo_tables
    missing = STABILITY[1]
    deck = deck_for((_without_council_figures(table, missing), neighbours))
    slides = list(deck.slides)
    assert len(slides) == 2 + len(STABILITY) - 1 + 1
    title = indicator(missing).short_title
    headlines = [texts(s).splitlines()[0] for s in slides[2:-1]]
    assert not any(h.startswith(title) for h in headlines)
    everywhere = "\n".join(texts(s) for s in slides)
    assert everywhere.count(f"Not in the loaded data for this council: {title}.") == 1
    for slide in slides[2:-1]:  # every indicator slide holds a figure for the council
        cells = _comparison_cells(slide)
        latest = next(v for k, v in cells.items() if k.startswith("Latest ("))
        assert latest not in ("no data", ""), texts(slide)


def test_every_indicator_slide_has_a_figure(demo_tables):
    table, neighbours = demo_tables
    ids = [item.id for item in catalogue()]
    for gone in ids[3:5]:
        table = _without_council_figures(table, gone)
    deck = deck_for((table, neighbours), ids=ids)
    request = PackRequest("172", "Wyrebrook", ids)
    with_figure = [i for i, row in latest_rows(table, request).items() if row is not None]
    assert len(with_figure) == len(ids) - 2
    indicator_slides = [
        s for s in deck.slides if any(x.name == "Comparison table" for x in s.shapes)
    ]
    assert len(indicator_slides) == len(with_figure)
    for slide in indicator_slides:
        values = list(charts(slide)[0].chart.plots[0].series[0].values)
        latest = next(v for k, v in _comparison_cells(slide).items() if k.startswith("Latest"))
        assert any(v is not None for v in values) or latest != "no data"


def _row(table, indicator_id: str, **changes):
    request = PackRequest("172", "Wyrebrook", [indicator_id])
    row = latest_rows(table, request)[indicator_id].copy()
    for key, value in changes.items():
        row[key] = value
    return row


def test_a_fall_is_not_called_a_strength(demo_tables):
    table, _ = demo_tables
    # Long-term stability (higher is better): well above England, best quarter, but down.
    fell = _row(
        table, "long_term_stability_pct", value=80.0, previous_value=90.0,
        direction="worsening", england_value=60.0, quartile_band="A",
        funnel_flag="well above (99.8%)", symbol=None,
    )  # fmt: skip
    messages = key_messages({"long_term_stability_pct": fell}, "Wyrebrook")
    judged = [m for m in messages if "Long-term stability" in m]
    assert judged and not judged[0].startswith("Strength")
    assert judged[0].startswith("Better than England, but worse than the year before")
    rose = fell.copy()
    rose["previous_value"], rose["direction"] = 70.0, "improving"
    assert key_messages({"long_term_stability_pct": rose}, "Wyrebrook")[0].startswith("Strength")


# ------------------------------------------------------------ what each slide says
def test_headlines_fit_their_box():
    long = "Long-term stability: " + "a very long sentence about figures, " * 12 + "and so on."
    text, size = fit_text(long, 12.1, 1.0, HEADLINE_SIZES, bold=True)
    assert fits(text, 12.1, 1.0, size, True)
    assert len(text) < len(long)
    short = "Long-term stability: 65% in Buckinghamshire in 2025."
    assert fit_text(short, 12.1, 1.0, HEADLINE_SIZES, bold=True) == (short, HEADLINE_SIZES[0])
    # Two lines of 22-point type fit a one-inch box; three or more do not.
    assert fits("word " * 20, 12.1, 1.0, 22, True) and not fits("word " * 45, 12.1, 1.0, 22, True)


def test_every_headline_in_a_deck_fits_at_its_size(demo_tables):
    deck = deck_for(demo_tables, ids=[item.id for item in catalogue()][:25])
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.name == "Headline":
                size = shape.text_frame.paragraphs[0].font.size.pt
                width, height = shape.width / 914400, shape.height / 914400
                assert fits(shape.text_frame.text, width, height, size, True), shape.text_frame.text


def test_the_comparison_table_gives_years_counts_rank_of_n_and_points(demo_tables):
    table, _ = demo_tables
    slide = list(deck_for(demo_tables, ids=["placements_3plus_pct"]).slides)[2]
    row = _row(table, "placements_3plus_pct")
    year = str(row["time_period"])
    cells = _comparison_cells(slide)
    latest = cells[f"Latest ({year})"]
    shown = views.show(indicator("placements_3plus_pct"), row["value"])
    # As the pages write it: the children counted, out of how many, then the share.
    assert latest == f"{row['numerator']:,.0f} of {row['denominator']:,.0f} ({shown})"
    assert cells[f"Rank ({year})"] == f"{int(row['rank'])} of {int(row['rank_of'])} (1 = best)"
    # In percentage points, as the pages write a gap between two percentages.
    difference = round(row["value"] - row["england_value"])
    sign = "+" if difference > 0 else "−" if difference < 0 else ""
    expected = f"{sign}{abs(difference)} {'point' if abs(difference) == 1 else 'points'}"
    assert cells["Difference from England"] == expected
    assert f"England ({year})" in cells and f"Similar councils ({year})" in cells


def test_chart_titles_name_the_measure_unit_and_years(demo_tables):
    deck = deck_for(demo_tables, ids=["cla_rate_per_10k", "placements_3plus_pct"])
    rate, share = (list(deck.slides)[i] for i in (2, 3))
    trend, ranking = (c.chart.chart_title.text_frame.text for c in charts(rate))
    # The measure's name already says "per 10,000": the unit is not said twice.
    assert trend.startswith("Rate in care per 10,000, ") and " to " in trend
    assert ranking.startswith("Rate in care per 10,000, ")
    assert "Neither higher nor lower is better" in trend
    trend, _ = (c.chart.chart_title.text_frame.text for c in charts(share))
    assert trend.startswith(f"{indicator('placements_3plus_pct').short_title} (percentage), ")
    assert "Lower is better" in trend


def test_every_table_and_chart_has_alt_text(demo_tables):
    deck = deck_for(demo_tables)
    frames = [s for slide in deck.slides for s in slide.shapes if s.has_table or s.has_chart]
    assert sum(1 for f in frames if f.has_table) == 1 + len(STABILITY)
    for frame in frames:
        descr = frame._element.nvGraphicFramePr.cNvPr.get("descr")
        assert descr and len(descr) > 20, frame.name


def test_commentary_box_holds_the_officers_text_or_is_empty_to_fill(demo_tables):
    ids = ["placements_3plus_pct", "cla_rate_per_10k"]
    deck = deck_for(demo_tables, ids=ids, commentary={ids[0]: "Two moves were planned."})
    boxes = [
        [s.text_frame.text for s in slide.shapes if s.name == "Commentary"]
        for slide in list(deck.slides)[2:-1]
    ]
    assert boxes == [["Commentary\nTwo moves were planned."], ["Commentary\n"]]


def test_a_saved_commentary_is_on_its_indicators_slide(demo_db, tmp_path):
    import shutil

    from exports.pack import pack_from_store
    from loaders.commentary import save_commentary
    from loaders.store import open_store

    path = tmp_path / "store.duckdb"
    shutil.copyfile(demo_db, path)
    con = open_store(path)
    try:
        table = all_values(con)
        mine = table[
            (table["indicator_id"] == "placements_3plus_pct") & (table["area_code"] == "172")
        ]
        row = mine.dropna(subset=["value"]).sort_values("year").iloc[-1]
        save_commentary(
            con, "placements_3plus_pct", "172", str(row["time_period"]),
            "Two sibling groups moved together.", "Review matching.", "Head of service", "ann",
        )  # fmt: skip
        deck = Presentation(io.BytesIO(pack_from_store(con, "172", ["placements_3plus_pct"])))
    finally:
        con.close()
    (box,) = [s for s in list(deck.slides)[2].shapes if s.has_text_frame and
              s.text_frame.text.startswith("Commentary")]  # fmt: skip
    assert "Two sibling groups moved together." in box.text_frame.text
    assert "Head of service" in box.text_frame.text


def test_tables_take_the_council_templates_table_style(demo_tables, tmp_path):
    from pptx.opc.constants import RELATIONSHIP_TYPE as RT
    from pptx.oxml.ns import qn

    style = "{073A0DAA-6AF3-43AB-8588-CEC1D06C72B9}"  # Medium Style 2, not python-pptx's
    template = Presentation()
    part = template.part.part_related_by(RT.TABLE_STYLES)
    part._blob = part.blob.replace(b"{5C22544A-7EE6-4342-B048-85BDC9FD1C3A}", style.encode())
    path = tmp_path / "council.pptx"
    template.save(path)
    deck = deck_for(demo_tables, ids=["placements_3plus_pct"], template=str(path))
    tables = [s for slide in deck.slides for s in slide.shapes if s.has_table]
    assert len(tables) == 2
    for shape in tables:
        assert shape.table._tbl.tblPr.find(qn("a:tableStyleId")).text == style
    plain = deck_for(demo_tables, ids=["placements_3plus_pct"])
    shape = next(s for s in list(plain.slides)[2].shapes if s.has_table)
    assert shape.table._tbl.tblPr.find(qn("a:tableStyleId")).text != style


def test_the_title_slide_names_datasets_releases_and_the_data_date(demo_db_copy):
    from exports.pack import pack_from_store
    from indicators.facts import loaded_releases

    con = open_store(demo_db_copy)
    releases = loaded_releases(con)
    deck = Presentation(io.BytesIO(pack_from_store(con, "172", ["placements_3plus_pct"])))
    con.close()
    (sources,) = [s for s in deck.slides[0].shapes if s.name == "Sources"]
    lines = sources.text_frame.text.splitlines()
    note = indicator("placements_3plus_pct").source_note.rstrip(".")
    used = releases[releases["dataset"] == "cla_placement_stability"]
    tags = ", ".join(sorted({str(r) for r in used["release"]}))
    assert any(line.startswith(f"{note} (release") and tags in line for line in lines), lines
    loaded = pd.to_datetime(used["loaded_at"]).max().strftime("%d %B %Y").lstrip("0")
    assert lines[-1].startswith("Data as at: latest figures for ") and loaded in lines[-1]


def test_every_comparison_figure_fits_its_cell_on_one_line(demo_tables):
    from exports.pack import COMPARISON_WIDTHS
    from exports.text_fit import text_width

    deck = deck_for(demo_tables, ids=[item.id for item in catalogue()])
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.name != "Comparison table":
                continue
            for cell, width in zip(shape.table.rows[1].cells, COMPARISON_WIDTHS, strict=True):
                size = cell.text_frame.paragraphs[0].font.size.pt
                assert text_width(cell.text, size, bold=True) <= (width - 0.2) * 72, cell.text


def test_a_long_pack_continues_its_table_at_a_glance_on_further_slides(demo_tables):
    from exports.pack import CONTINUED_ROWS, SUMMARY_ROWS

    ids = [item.id for item in catalogue()]
    deck = deck_for(demo_tables, ids=ids)
    tables = [
        shape.table
        for slide in deck.slides
        for shape in slide.shapes
        if shape.name == "At a glance"
    ]
    rows = [len(table.rows) - 1 for table in tables]
    assert rows[0] == SUMMARY_ROWS and all(0 < n <= CONTINUED_ROWS for n in rows[1:])
    names = [table.cell(r, 0).text for table in tables for r in range(1, len(table.rows))]
    assert names == [indicator(i).short_title for i in ids]  # every one once, in pack order
