"""The running app in headless Chromium (Debian's /usr/bin/chromium), as a councillor sees it."""

from __future__ import annotations

import csv
import io
import re

import pytest
from conftest import ARTIFACTS, wait_idle
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_at_a_glance_shows_headline_numbers(server, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(server)
    wait_idle(page)
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(6)
    expect(page.get_by_role("heading", name="At a glance")).to_be_visible()
    expect(page.get_by_text("Demo data — fictional councils").first).to_be_visible()
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert len(metrics) == 6
    assert re.fullmatch(r"[\d,]+", metrics[0]), metrics
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "at_a_glance.png"), full_page=True)


def test_at_a_glance_tiles_show_their_whole_labels_and_changes(server, page):
    """Streamlit cuts a metric's label and change at one line; on a narrow screen the long
    tiles ("Care leavers 19-21 in education, work or training") lost their last words."""
    page.set_viewport_size({"width": 1024, "height": 900})
    page.goto(server)
    wait_idle(page)
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(6)
    cut_short = page.evaluate(
        """() => Array.from(document.querySelectorAll(
            '[data-testid="stMetricLabel"] p, [data-testid="stMetricDelta"] p'))
            .filter(p => p.scrollWidth > p.clientWidth + 1
                || p.parentElement.scrollWidth > p.parentElement.clientWidth + 1)
            .map(p => p.innerText)"""
    )
    assert cut_short == []
    labels = page.locator('[data-testid="stMetricLabel"]').all_inner_texts()
    assert any(len(label) > 40 for label in labels), labels  # a long one is on the page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "at_a_glance_1024.png"))


def test_a_shared_link_opens_the_same_council(server, page):
    page.goto(server)
    wait_idle(page)
    chosen = page.locator('[data-testid="stSelectbox"]').first.inner_text()
    link = page.url
    assert "council=" in link
    page.goto(link)
    wait_idle(page)
    assert page.locator('[data-testid="stSelectbox"]').first.inner_text() == chosen


def test_choosing_a_council_in_the_sidebar_updates_page_and_link(server, page, demo_db):
    from indicators import views
    from indicators.at_a_glance import HEADLINE_IDS
    from indicators.compare import compare_all
    from indicators.compute import all_values
    from indicators.scorecard import neighbour_lists
    from loaders.store import open_store

    con = open_store(demo_db)
    table = compare_all(all_values(con), neighbour_lists(con))
    expected = [tile["value"] for tile in views.headline_tiles(table, "172", HEADLINE_IDS)]
    con.close()

    page.goto(server)
    wait_idle(page)
    box = page.locator('[data-testid="stSelectbox"]').first
    box.click()
    page.keyboard.type("Wyrebrook")
    page.keyboard.press("Enter")
    values = page.locator('[data-testid="stMetricValue"]')
    expect(page.locator("h3").first).to_contain_text("Wyrebrook", timeout=30_000)
    expect(values.first).to_have_text(expected[0], timeout=30_000)
    wait_idle(page)
    assert values.all_inner_texts() == expected
    assert "council=172" in page.url
    expect(page.get_by_text("Demo data — fictional councils").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "at_a_glance_after_choice.png"), full_page=True)


# Each page, its title, and words a councillor should find on it (for council 172).
PAGE_TEXT = {
    "scorecard": ("Scorecard", "3+ placements in the year"),
    "compare": ("Compare councils", "Funnel plot: is the difference more than chance?"),
    "cohort": ("1. Who are our children in care and care leavers?", "Children in care:"),
    "duties": (
        "2. Do councillors and officers know their corporate parenting duties?",
        "local indicator",
    ),
    "voice": ("3. Are children's views heard and acted on?", "3+ social workers:"),
    "aspirations": ("4. Do we show high aspirations for our children?", "KS4 Attainment 8:"),
    "health": ("5. Are our children healthy?", "Health assessments:"),
    "stability": ("6. Do our children have stable lives?", "Long-term stability:"),
    "care_leavers": (
        "7. How are our care leavers doing?",
        "Care leavers 19–21 in education, work or training:",
    ),
    "out_of_area": ("8. Are children placed far from home?", "New placements >20 miles away:"),
    "sufficiency": (
        "9. Do we have the right homes for our children?",
        "Where the council's children live, compared with England",
    ),
    "safeguarding": ("10. Are our children safe?", "Went missing:"),
    "about": ("About this dashboard", "Open Government Licence"),
    "data": ("Data: load, check and undo", "Single-user local mode"),
    "export": ("Meeting pack", "Download the meeting pack"),
}


@pytest.mark.parametrize("path", list(PAGE_TEXT))
def test_each_page_in_the_browser(server, page, path):
    title, phrase = PAGE_TEXT[path]
    page.set_viewport_size({"width": 1366, "height": 1000})
    page.goto(f"{server}/{path}?council=172")
    expect(page.locator("h1").first).to_have_text(title, timeout=30_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=60_000)
    if path == "about":
        page.get_by_role("tab", name="Sources and licences").click()
    expect(page.get_by_text(phrase).first).to_be_attached(timeout=30_000)
    if path not in ("about", "data"):
        expect(page.get_by_text("Wyrebrook").first).to_be_attached()
    if path not in ("duties", "about", "scorecard", "data", "export"):
        expect(page.locator('[data-testid="stPlotlyChart"] .main-svg').first).to_be_visible(
            timeout=30_000
        )
    council_box = page.get_by_test_id("stSidebar").get_by_role(
        "combobox", name="Council", exact=True
    )
    expect(council_box).to_have_value(re.compile("Wyrebrook"), timeout=30_000)
    if path == "about":
        expect(page.locator('[data-testid="stDataFrame"]').first).to_be_visible(timeout=30_000)
    page.wait_for_timeout(500)  # let the last chart finish drawing before the picture
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"page_{path}.png"))


def test_meeting_pack_downloads_as_a_valid_deck(server, page, tmp_path):
    from pptx import Presentation

    page.goto(f"{server}/export?council=172")
    button = page.get_by_role("button", name=re.compile("Download the meeting pack"))
    expect(button).to_be_visible(timeout=60_000)
    with page.expect_download(timeout=120_000) as download:
        button.click()
    target = tmp_path / "pack.pptx"
    download.value.save_as(target)
    deck = Presentation(str(target))
    assert len(deck.slides) >= 4
    assert deck.slides[0].shapes.title.text.startswith("Wyrebrook")


def test_the_scorecards_csv_is_written_when_its_button_is_clicked(server, page, tmp_path):
    # The CSV is made on the click (a deferred download), not at every run of the page.
    page.goto(f"{server}/scorecard?council=172")
    wait_idle(page)
    button = page.get_by_role("button", name=re.compile("Download CSV"))
    expect(button).to_be_visible(timeout=60_000)
    with page.expect_download(timeout=120_000) as download:
        button.click()
    assert download.value.suggested_filename == "scorecard_172.csv"
    target = tmp_path / "scorecard.csv"
    download.value.save_as(target)
    text = target.read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0])[:9] == [
        "Council",
        "Council code",
        "Theme",
        "Indicator",
        "Indicator id",
        "Unit",
        "Year",
        "Latest",
        "Counted",
    ]
    assert {row["Council code"] for row in rows} == {"172"}
    assert len(rows) > 20
    # Figures as numbers a spreadsheet can add up, not the page's '50 of 522 (10%)'.
    children = next(row for row in rows if row["Indicator"] == "Children in care")
    assert children["Latest"].isdigit(), children


def test_a_copied_compare_link_reopens_the_same_indicator_and_councils(server, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server}/compare?council=172")
    wait_idle(page, '[data-testid="stPlotlyChart"] .main-svg')
    search = page.get_by_label("Find an indicator", exact=True)
    search.fill("long-term")
    search.press("Enter")
    # The search chose its one match: the trend chart is of it.
    trend = page.locator('[data-testid="stPlotlyChart"]').first
    expect(trend).to_contain_text("Long-term stability", timeout=30_000)
    wait_idle(page, '[data-testid="stPlotlyChart"] .main-svg')
    councils = page.locator('[data-testid="stMultiSelect"]').last
    chosen = councils.locator("[data-tag]")
    expect(chosen.first).to_be_visible()
    at_first = chosen.count()
    chosen.last.get_by_role("button", name=re.compile("^Remove ")).click()  # one neighbour off
    wait_idle(page, '[data-testid="stPlotlyChart"] .main-svg')
    expect(page).to_have_url(re.compile(r"indicator=long_term_stability_pct"))
    expect(chosen).to_have_count(at_first - 1)
    names = chosen.all_inner_texts()
    link = page.url
    assert "councils=" in link

    other = page.context.browser.new_page(viewport={"width": 1366, "height": 900})
    other.goto(link)
    wait_idle(other, '[data-testid="stPlotlyChart"] .main-svg')
    reopened = other.locator('[data-testid="stMultiSelect"]').last
    expect(reopened.locator("[data-tag]")).to_have_count(len(names), timeout=30_000)
    assert reopened.locator("[data-tag]").all_inner_texts() == names
    expect(other.locator('[data-testid="stPlotlyChart"]').first).to_contain_text(
        "Long-term stability"
    )
    other.close()


def _plain_table_on_a_phone(page, url: str, caption_start: str, rows: int):
    """Open ``url`` at 390 px and return the box of the plain table whose caption starts
    "Wyrebrook: <caption_start>", once it holds ``rows`` rows and the page has no
    sideways scroll of its own."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    wait_idle(page, "table")
    box = page.get_by_role("region", name=re.compile(f"^Wyrebrook: {caption_start}"))
    expect(box.locator("table tbody tr")).to_have_count(rows, timeout=30_000)
    box.scroll_into_view_if_needed()
    width, page_width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width == page_width  # no sideways scroll of the page
    return box


def test_a_line_pages_summary_on_a_phone_scrolls_in_its_own_box(server, page):
    """The summary is a plain table (ui/html_table.py): on a phone it scrolls sideways
    inside its own focusable box, the page never does, and every sparkline is drawn."""
    box = _plain_table_on_a_phone(page, f"{server}/safeguarding?council=172", "each indicator", 4)
    scroll_width, client_width = box.evaluate("e => [e.scrollWidth, e.clientWidth]")
    assert scroll_width > client_width  # the table's own box scrolls instead
    sparklines = box.locator("img")
    assert sparklines.count() >= 3
    for image in sparklines.all():
        assert image.evaluate("i => i.complete && i.naturalWidth > 0")
        assert "oldest to latest" in image.get_attribute("alt")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "line_summary_390.png"))


def test_compare_on_a_phone_keeps_the_plot_of_eleven_councils_readable(server, page):
    """On a 390 px screen each council's legend entry takes a row: the legend squeezed the
    plot of a council and its ten similar councils to a strip about 50 px high."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/compare?council=172")
    wait_idle(page, '[data-testid="stPlotlyChart"] .main-svg')
    chart = page.locator('[data-testid="stPlotlyChart"]').first
    expect(chart.locator(".nsewdrag")).to_have_count(1, timeout=30_000)
    assert chart.locator(".legend .traces").count() >= 10
    plot_height = chart.locator(".nsewdrag").bounding_box()["height"]
    assert plot_height >= 200, plot_height
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "compare_390.png"))


def test_at_a_glance_on_a_phone_keeps_the_measure_in_place_as_the_years_scroll(server, page):
    box = _plain_table_on_a_phone(page, f"{server}/?council=172", "the last three years", 6)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "at_a_glance_390.png"))
    # A line above the table says it scrolls: 2025 and England's columns start off-screen.
    hint = page.get_by_text("Scroll the table sideways to see every column")
    expect(hint.first).to_be_visible()
    assert box.evaluate("e => e.scrollWidth > e.clientWidth")
    # The table's own box scrolls: the measure column stays in place, the figures move.
    measure = box.locator("tbody th").first
    figure = box.locator("tbody td").first
    before = measure.bounding_box()["x"], figure.bounding_box()["x"]
    box.evaluate("e => { e.scrollLeft = 600; }")
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "at_a_glance_390_scrolled.png"))
    assert measure.bounding_box()["x"] == before[0]
    assert figure.bounding_box()["x"] < before[1]
    # Whole measure names, wrapped rather than cut off: no heading cell clips its text.
    names = box.locator("tbody th")
    assert any(
        text.startswith("Care leavers 19–21 in education") for text in names.all_inner_texts()
    )
    assert names.evaluate_all("cells => cells.every(c => c.scrollWidth <= c.clientWidth)")
    metrics = page.locator('[data-testid="stMetric"]')
    expect(metrics).to_have_count(6)
    first = metrics.first.bounding_box()
    assert first["width"] <= 390 and first["x"] >= 0  # each tile fits the screen
    # On a screen wide enough for the whole table, no such line.
    page.set_viewport_size({"width": 1366, "height": 900})
    expect(hint.first).to_be_hidden()
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth")


def test_a_line_page_fetches_the_chart_code_once_and_draws_its_chart(server, page):
    """ui/preload.py starts Streamlit's chart module from the sidebar as a line page
    begins: the browser fetches it once (Streamlit's own import of it for the chart
    reuses it, and so does the next page), with no script error, and the chart draws."""
    fetched: list[str] = []
    errors: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/PlotlyChart." in r.url else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{server}/cohort?council=172")
    wait_idle(page, '[data-testid="stPlotlyChart"] .main-svg')
    started = page.get_by_test_id("stSidebar").locator('script[type="module"][src*="PlotlyChart."]')
    expect(started).to_have_count(1)
    page.get_by_test_id("stSidebar").get_by_role("link", name=re.compile("Stability")).click()
    wait_idle(page, '[data-testid="stPlotlyChart"] .main-svg')
    expect(page.get_by_role("heading", name=re.compile("stable lives"))).to_be_visible()
    assert len(fetched) == 1, fetched
    assert not errors, errors
    # Its element takes no room: the sidebar's controls sit where they do on a page
    # without charts.
    heading = page.get_by_test_id("stSidebar").get_by_role("heading", name="Corporate parenting")
    on_a_chart_page = heading.bounding_box()["y"]
    page.get_by_test_id("stSidebar").get_by_role("link", name="At a glance").click()
    wait_idle(page, '[data-testid="stMetric"]')
    assert heading.bounding_box()["y"] == on_a_chart_page
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "line_page_stability.png"))
