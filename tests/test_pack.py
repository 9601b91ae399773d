"""The meeting pack opened with python-pptx: order, native charts with the right numbers, notes."""

from __future__ import annotations

import io
import math

import pytest
from pptx import Presentation
from pptx.enum.chart import XL_CHART_TYPE

from exports.pack import DEMO_LABEL, PackRequest, build_pack
from indicators import views
from indicators.catalogue import grouping, indicator
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
    assert "Strengths" in texts(slides[1]) and "Concerns" in texts(slides[1])
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


def test_an_indicator_without_polarity_has_no_rank_or_band_and_is_not_called_best(demo_tables):
    """LAIT R/fn_analysis.R calculate_rank and calculate_quartile_band: "-" for polarity "-"."""
    slide = list(deck_for(demo_tables, ids=["cla_rate_per_10k"]).slides)[2]
    cells = _comparison_cells(slide)
    assert (cells["Rank"], cells["Band"]) == ("–", "–")
    assert not any(word in " ".join(cells.values()) for word in ("nan", "NA", "None"))
    alt = charts(slide)[1]._element.nvGraphicFramePr.cNvPr.get("descr")
    assert "highest first" in alt and "best" not in alt


def test_an_indicator_with_polarity_has_rank_of_n_and_a_band(demo_tables):
    slide = list(deck_for(demo_tables, ids=["placements_3plus_pct"]).slides)[2]
    cells = _comparison_cells(slide)
    assert " of " in cells["Rank"] and cells["Band"] in {"A", "B", "C", "D"}
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
