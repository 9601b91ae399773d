"""Markup in names and local indicator titles is shown literally, never acted on.

The loader refuses names with formula or markup characters (loaders/identity.py),
but local indicator titles and stores loaded before that rule may still hold
them, so every page escapes what it shows (`ui.text.markdown_text` for
Streamlit's Markdown, `charts.text.plotly_text` for Plotly's HTML-like text).
The store here is the demo's with such names written straight into its rows.
"""

from __future__ import annotations

import json
import re
import shutil
from html import escape
from pathlib import Path

import pytest
import streamlit as st
from conftest import all_strings, open_app_page, open_every_chart_panel
from google.protobuf.message import Message

from charts.text import plotly_text
from loaders.store import open_store
from ui.line_page import AMONG_SIMILAR
from ui.preload import chart_code_tag, chart_code_url
from ui.text import WORD_JOINER, markdown_text

OUTSIDE = "example.invalid"
COUNCIL = f'Wyrebrook ![x](http://{OUTSIDE}/x.png) <a href="http://{OUTSIDE}/a">x</a>'
NEIGHBOUR = f'<a href="http://{OUTSIDE}/n">Dunmere</a> [click](javascript:alert(1))'
NEIGHBOUR_CODE = "180"  # Wyrebrook's nearest neighbour on the demo's 2025 model
LOCAL_ID = "probe_trained_pct"
LOCAL_TITLE = f'![t](http://{OUTSIDE}/t.png) <a href="http://{OUTSIDE}/t">Trained</a>'

# Markup as Markdown would act on it: an image, a link, an HTML link (not escaped).
RAW_MARKUP = re.compile(r"!\[|(?<!\\)\[[^\]]*(?<!\\)\]\(|(?<!\\)<a\s")


def build_markup_store(demo_db: Path, path: Path) -> Path:
    """A copy of the demo store with markup in names and a local indicator's title."""
    shutil.copyfile(demo_db, path)
    con = open_store(path)
    try:
        for code, name in (("172", COUNCIL), (NEIGHBOUR_CODE, NEIGHBOUR)):
            con.execute(
                "UPDATE facts SET area_name = $1, la_name = $1 WHERE area_code = $2", [name, code]
            )
        con.execute(
            "UPDATE statistical_neighbours SET neighbour_la_name = $1 "
            "WHERE neighbour_old_la_code = $2",
            [NEIGHBOUR, NEIGHBOUR_CODE],
        )
        load_id = con.execute("SELECT max(load_id) FROM loads").fetchone()[0]
        con.execute(
            "INSERT INTO local_indicators VALUES (?, ?, ?, ?, 'duties', 'percent', 0, "
            "'higher is better', ?, ?)",
            [load_id, LOCAL_ID, LOCAL_TITLE, LOCAL_TITLE, LOCAL_TITLE, LOCAL_TITLE],
        )
        (ons, region_code, region_name) = con.execute(
            "SELECT new_la_code, region_code, region_name FROM facts "
            "WHERE area_code = '172' AND new_la_code IS NOT NULL LIMIT 1"
        ).fetchone()
        for quarter, year, value in (("Q1", 2025, 55.0), ("Q2", 2025, 61.0)):
            con.execute(
                "INSERT INTO facts VALUES (?, 'quarterly_return', '202526', '202526', ?, ?, "
                "'Local authority', '172', ?, 'E92000001', ?, ?, '172', ?, ?, "
                "'Quarterly return', ?, ?, 'value', ?, NULL, '{}')",
                [
                    load_id,
                    year,
                    quarter,
                    COUNCIL,
                    region_code,
                    region_name,
                    ons,
                    COUNCIL,
                    LOCAL_ID,
                    quarter,
                    value,
                ],
            )
    finally:
        con.close()
    return path


@pytest.fixture(scope="module")
def markup_db(demo_db, tmp_path_factory) -> Path:
    return build_markup_store(demo_db, tmp_path_factory.mktemp("markup") / "markup.duckdb")


@pytest.fixture
def markup_page(markup_db, monkeypatch):
    monkeypatch.setenv("CP_DB", str(markup_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    yield lambda page, **state: open_app_page(page, "172", **state)
    st.cache_data.clear()
    st.cache_resource.clear()


# ------------------------------------------------------------------ what AppTest shows
def _elements(node):
    yield node
    for child in (getattr(node, "children", None) or {}).values():
        yield from _elements(child)


def _strings(message: Message, path: str = ""):
    for field, value in message.ListFields():
        for item in list(value) if field.is_repeated else [value]:
            if isinstance(item, str):
                yield path + field.name, item
            elif isinstance(item, Message):
                yield from _strings(item, f"{path}{field.name}.")


def markdown_texts(at) -> list[str]:
    """Every text Streamlit renders as Markdown: bodies, labels, help, radio options."""
    found = []
    for node in _elements(at._tree):
        proto = getattr(node, "proto", None)
        if not isinstance(proto, Message) or type(proto).__name__ == "Html":
            continue
        for path, text in _strings(proto):
            name = path.rsplit(".", 1)[-1]
            radio_option = type(proto).__name__ == "Radio" and name == "options"
            if name in ("body", "label", "help", "caption") or radio_option:
                found.append(text)
    return found


def chart_strings(at) -> list[str]:
    return [
        text
        for chart in at.get("plotly_chart")
        for text in all_strings(json.loads(chart.proto.spec))
    ]


def raw_markup(texts: list[str]) -> list[str]:
    return [t for t in texts if RAW_MARKUP.search(t)]


def html_texts(at) -> list[str]:
    """Every body Streamlit renders as HTML (``st.html``: the line pages' plain tables),
    but the chart code's start (ui/preload.py: a constant, no data in it)."""
    return [
        node.proto.body
        for node in _elements(at._tree)
        if type(getattr(node, "proto", None)).__name__ == "Html"
        and node.proto.body != chart_code_tag(chart_code_url())
    ]


# In HTML (not Markdown), what would act: a link, or an image not drawn from the page itself.
RAW_HTML = re.compile(
    r"<a[\s/]|<img[\s/](?![^>]*src=\"data:image/svg\+xml;base64,)|<script|[\s/]on\w+=", re.I
)


def raw_html(texts: list[str]) -> list[str]:
    return [t for t in texts if RAW_HTML.search(t)]


PAGES = ["at_a_glance", "scorecard", "compare", "stability", "duties", "data", "export"]


@pytest.mark.parametrize("page", PAGES)
def test_no_page_hands_markup_from_data_to_markdown_or_plotly(markup_page, page):
    at = markup_page(page)
    texts = markdown_texts(at)
    assert not raw_markup(texts), raw_markup(texts)
    tables = html_texts(at)
    assert not raw_html(tables), raw_html(tables)
    # Plotly renders <a href> in any text: titles, legends, ticks, hover text, notes.
    assert not [s for s in chart_strings(at) if "<a " in s], page
    if page != "data":
        # The council's name is on the page, escaped (page heading's caption at least).
        assert any(markdown_text(COUNCIL) in t for t in texts), page


def test_at_a_glance_shows_the_name_literally_in_its_heading_and_summary(markup_page):
    at = markup_page("at_a_glance")
    escaped = markdown_text(COUNCIL)
    assert at.subheader[0].value == f"{escaped}: children in care and care leavers"
    assert at.caption[0].value.startswith(f"{escaped} · ")
    summary = "\n".join(m.value for m in at.markdown)
    assert escaped in summary  # the strengths and concerns name the council


def test_line_pages_escape_the_headline_and_the_charts(markup_page):
    at = markup_page("stability")
    # Each headline is a paragraph of its indicator's heading, headline and questions.
    paragraphs = [part for m in at.markdown for part in m.value.split("\n\n")]
    headlines = [p for p in paragraphs if p.startswith("**") and "Wyre" in p]
    assert headlines and all(markdown_text(COUNCIL) in h for h in headlines)
    # The page opens with one chart: open every panel (its trend), then its ranking.
    charts = chart_strings(open_every_chart_panel(at, "stability", "172"))
    assert any(plotly_text(COUNCIL) in s for s in charts)  # the council's line
    # Each indicator shows its trend first; its ranking is on the control above it.
    for control in at.segmented_control:
        control.set_value(AMONG_SIMILAR)
    rankings = chart_strings(at.run())
    assert not [s for s in rankings if "<a " in s]
    assert any(plotly_text(COUNCIL) in s for s in rankings)  # the council's bar
    assert any(plotly_text(NEIGHBOUR) in s for s in rankings)  # a neighbour's bar


def test_compare_page_escapes_the_funnel_sentence_and_the_charts(markup_page):
    at = markup_page("compare")
    assert any(markdown_text(COUNCIL) in m.value for m in at.markdown)
    charts = chart_strings(at)
    assert any(plotly_text(NEIGHBOUR) in s for s in charts)


def test_a_local_indicator_title_is_escaped_in_its_chart_and_plain_in_its_list(markup_page):
    at = markup_page("duties")
    # The chart's title, wrapped onto lines at spaces.
    titles = [s.replace("<br>", " ") for s in chart_strings(at)]
    assert any(f"{plotly_text(LOCAL_TITLE)}, by quarter" in s for s in titles)
    # Select box options are plain text in Streamlit: the title is listed as it is.
    chart_of = next(s for s in at.selectbox if s.label == "Chart of")
    assert LOCAL_TITLE in chart_of.options
    # The quarterly table (HTML) shows it as text: escaped, no link or outside image.
    tables = html_texts(at)
    assert any(escape(LOCAL_TITLE) in t for t in tables), tables
    assert not raw_html(tables)
    assert raw_html([f"<td>{LOCAL_TITLE}</td>"])  # the check itself would see it unescaped


def test_the_data_page_escapes_the_name_in_its_labels(markup_page):
    at = markup_page("data")
    texts = markdown_texts(at)
    assert f"Download the template for {markdown_text(COUNCIL)}" in texts


# ------------------------------------------------------------------ in the browser
PROBE_PAGES = {
    # path: what must be drawn before the page is looked at
    "": "table.cp-summary",  # At a glance's three years, a plain table
    "stability": '[data-testid="stPlotlyChart"] .main-svg',
    "compare": '[data-testid="stPlotlyChart"] .main-svg',
    "duties": '[data-testid="stPlotlyChart"] .main-svg',
}


@pytest.mark.browser
def test_rendered_injection_probe(markup_db, tmp_path, page):
    """The pages as Chromium draws them: markup in names and titles is text, never an
    image from an outside server or a live link, in Markdown or in Plotly's SVG."""
    from conftest import running_app, wait_idle
    from playwright.sync_api import expect

    def shown(locator) -> str:
        # What a reader sees: markdown_text's word joiners are invisible.
        return " ".join(locator.all_inner_texts()).replace(WORD_JOINER, "")

    database = tmp_path / "served.duckdb"  # the server's own copy (DuckDB's file lock)
    shutil.copyfile(markup_db, database)
    outside_requests: list[str] = []
    page.on("request", lambda r: outside_requests.append(r.url) if OUTSIDE in r.url else None)
    page.set_viewport_size({"width": 1366, "height": 1000})
    with running_app(database) as url:
        for path, content in PROBE_PAGES.items():
            page.goto(f"{url}/{path}?council=172")
            wait_idle(page, content)
            page.wait_for_timeout(500)  # the last charts finish drawing
            assert page.locator(f'img[src*="{OUTSIDE}"], image[href*="{OUTSIDE}"]').count() == 0
            # No link out (a heading's own "#…" anchor stays on the page).
            links = f'a[href*="{OUTSIDE}"]:not([href^="#"]), a[href^="javascript:"]'
            assert page.locator(links).count() == 0, page.locator(links).all_inner_texts()
            svg_text = " ".join(page.locator(".main-svg").all_text_contents())
            if path == "duties":
                assert f'href="http://{OUTSIDE}/t">Trained</a>' in svg_text, svg_text[:500]
                expect(page.get_by_role("combobox", name="Chart of")).to_have_value(LOCAL_TITLE)
                continue
            assert COUNCIL in shown(page.get_by_test_id("stMarkdownContainer"))
            if path == "":
                assert COUNCIL in shown(page.locator("h3").first)
                council_box = page.get_by_test_id("stSidebar").get_by_role(
                    "combobox", name="Council", exact=True
                )
                expect(council_box).to_have_value(f"{COUNCIL} (172)")
            else:
                assert f'<a href="http://{OUTSIDE}/a">x</a>' in svg_text, svg_text[:500]
                if path == "stability":
                    # A line page draws each indicator's trend; the ranking, with the
                    # neighbours' names, is drawn when its control is chosen.
                    page.get_by_text("Among similar councils", exact=True).first.click()
                    expect(page.locator(".main-svg", has_text="Dunmere").first).to_be_attached(
                        timeout=30_000
                    )
                    wait_idle(page, content)
                    svg_text = " ".join(page.locator(".main-svg").all_text_contents())
                assert f'<a href="http://{OUTSIDE}/n">Dunmere</a>' in svg_text, svg_text[:500]
    assert not outside_requests, outside_requests
