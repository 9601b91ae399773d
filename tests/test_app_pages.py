"""Every page loads and shows real content (the DfE template's "app loads" test): never delete.

Each page is run for an ordinary demo council (Wyrebrook, 172) and for one of the
small demo councils whose figures are mostly suppressed (Fenwick Parva, 151).
"""

from __future__ import annotations

import re

import pandas as pd
import pytest
import streamlit as st
from conftest import PROJECT, open_app_page, open_every_chart_panel
from html_tables import tables_on_page
from streamlit.testing.v1 import AppTest

from exports.tables import to_csv_bytes
from indicators.at_a_glance import at_a_glance_table
from indicators.catalogue import grouping
from indicators.compute import all_values
from loaders.store import open_store
from ui.line_page import AMONG_SIMILAR
from ui.page_list import PAGE_NAMES

PAGES = PAGE_NAMES
ORDINARY, SMALL = "172", "151"


@pytest.fixture
def app_for(demo_db, monkeypatch):
    """An AppTest on the demo database, opened on a page for a council."""
    monkeypatch.setenv("CP_DB", str(demo_db))
    st.cache_data.clear()
    st.cache_resource.clear()

    def open_page(page: str, council: str = ORDINARY, **state) -> AppTest:
        return open_app_page(page, council, **state)

    yield open_page
    st.cache_data.clear()
    st.cache_resource.clear()


def _text(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    parts += [h.value for h in at.header] + [h.value for h in at.subheader]
    return "\n".join(str(p) for p in parts)


@pytest.mark.parametrize("council", [ORDINARY, SMALL])
@pytest.mark.parametrize("page", PAGES)
def test_each_page_loads_with_a_title_and_the_demo_label(app_for, page, council):
    at = app_for(page, council)
    assert at.title, f"{page} has no title"
    assert "Demo data — fictional councils" in _text(at) or page != "at_a_glance"


def test_no_page_changes_the_shared_tables_every_session_reads(app_for):
    """The whole-store tables (every indicator, the neighbour lists, the comparisons, a
    council's comparisons) are one object per process shared by every session
    (ui/data.py): a page that changed one in place would change every other panel
    member's figures."""
    from ui import data

    at = app_for("at_a_glance")
    model, method = at.session_state["sn_model"], at.session_state["sn_method"]
    key = data.version_key()
    shared = {
        "values": data._values(*key),
        "neighbours": data._neighbours(*key),
        "comparisons": data._comparisons(*key, model, method),
        "the council's comparisons": data.council_comparisons(at.session_state["_selection"]),
    }
    before = {name: frame.copy(deep=True) for name, frame in shared.items()}
    for page in PAGES:
        at.switch_page(f"app_pages/{page}.py").run()
        assert not at.exception, (page, at.exception)
        if page == "stability":  # the ranking and the tables behind the charts too
            at = open_every_chart_panel(at, "stability", ORDINARY)
            for control in at.segmented_control:
                control.set_value(AMONG_SIMILAR)
            for switch in at.toggle:
                switch.set_value(True)
            at.run()
            assert not at.exception
    assert data._comparisons(*key, model, method) is shared["comparisons"]  # still shared
    for name, frame in shared.items():
        pd.testing.assert_frame_equal(frame, before[name], obj=name)


def test_at_a_glance_shows_tiles_three_years_england_and_a_summary(app_for):
    at = app_for("at_a_glance")
    assert len(at.metric) == 6
    assert at.metric[0].label == "Children in care"
    deltas = [m.delta for m in at.metric if m.delta]
    assert deltas and all(" since " in d for d in deltas)
    assert any(re.search(r"· (up|down|improving|worsening)( · .+)?$", d) for d in deltas)
    # The count (children in care) beside similar councils only, never England's total;
    # the rate beside both.
    count, rate = at.caption[1].value, at.caption[2].value
    assert "similar councils" in count and "England" not in count
    assert "England" in rate and "similar councils" in rate
    [table] = tables_on_page(at)  # a plain table, no data grid to load
    assert not at.dataframe
    assert table.attrs["caption"] == "Wyrebrook: the last three years, with England's"
    years = [c for c in table.columns if c.isdigit()]
    assert len(years) == 3
    assert [f"England {y}" for y in years] == [c for c in table.columns if c.startswith("England")]
    assert "#### Strengths" in _text(at) and "#### Concerns" in _text(at)
    assert "Wyrebrook" in at.subheader[0].value


def test_at_a_glance_lists_the_biggest_strengths_and_concerns_and_folds_the_rest(app_for):
    """Aldermouth has more concerns than fit a glance: the five biggest in view under a
    heading that counts them all, the others one click away, none lost or repeated."""
    from ui.components import JUDGED_IN_VIEW

    at = app_for("at_a_glance", "140")
    [column] = [
        c for c in at.columns if any(m.value.startswith("#### Concerns") for m in c.markdown)
    ]
    heading, concerns = (m.value for m in column.markdown[:2])  # the heading, the list
    total = int(heading.removeprefix("#### Concerns (").removesuffix(")"))
    assert total > JUDGED_IN_VIEW
    [more] = column.expander
    assert more.label == f"{total - JUDGED_IN_VIEW} more concerns"
    folded = "\n".join(m.value for m in more.markdown)
    in_view = concerns.split("\n")
    assert len(in_view) == JUDGED_IN_VIEW
    assert len(folded.split("\n")) == total - JUDGED_IN_VIEW
    assert not set(in_view) & set(folded.split("\n"))


def test_at_a_glance_for_a_small_council_says_suppressed_not_zero(app_for):
    at = app_for("at_a_glance", SMALL)
    cells = tables_on_page(at)[0].drop(columns=["Measure"]).to_numpy().ravel().tolist()
    assert "suppressed" in cells
    assert "0%" not in cells


@pytest.mark.parametrize("page", ["at_a_glance", "scorecard"])
@pytest.mark.parametrize("council", [ORDINARY, SMALL])
def test_captions_explain_exactly_the_symbol_words_shown(app_for, page, council):
    from domain.symbols import SYMBOLS

    at = app_for(page, council)
    cells = {str(c) for d in tables_on_page(at) for c in d.to_numpy().ravel().tolist()}
    cells |= {str(m.value) for m in at.metric}
    captions = " ".join(c.value for c in at.caption)
    assert "withheld a small number" not in captions  # the old hard-coded sentence
    for entry in SYMBOLS.values():
        explained = f"'{entry.word.capitalize()}' means {entry.meaning}" in captions
        assert explained == (entry.word in cells), (page, council, entry.word)
    if council == SMALL:
        assert "'Suppressed' means" in captions and "privacy" in captions


def _scorecard_rows(at: AppTest):
    """Every row of the Scorecard page's tables (one table per theme in the lines' order)."""
    import pandas as pd

    return pd.concat([table for table in tables_on_page(at) if "Band" in table.columns])


def test_scorecard_lists_every_indicator_of_the_grouping(app_for):
    at = app_for("scorecard")
    table = _scorecard_rows(at)
    # Each theme lists its indicators; an indicator in two lines of enquiry appears twice.
    assert len(table) == sum(len(t.indicator_ids) for t in grouping("lga").themes)
    assert "3+ placements in the year" in table["Indicator"].tolist()
    assert {
        "Latest",
        "Direction",
        "Similar councils",
        "England",
        "Rank (1 = best)",
        "Band",
        "Trend",
    } <= set(table.columns)
    assert (
        table["Direction"]
        .str.contains("improving|worsening|no change|up|down|not comparable")
        .any()
    )


def test_scorecard_is_one_plain_table_a_theme_each_captioned_with_council_and_theme(app_for):
    """Read, not sorted: plain HTML tables (ui/html_table.py), no data grid to load."""
    at = app_for("scorecard")
    assert not at.dataframe
    themes = [t.label for t in grouping("lga").themes if t.indicator_ids]
    captions = [table.attrs["caption"] for table in tables_on_page(at)]
    # A dash, not a colon: '1. Who are our children? — each…', never '…children?: each…'.
    assert [caption.split(" — ")[0] for caption in captions] == [
        f"Wyrebrook, {theme}" for theme in themes
    ]
    at.selectbox(key="scorecard_order").set_value("Worsening first").run()
    [caption] = [table.attrs["caption"] for table in tables_on_page(at)]
    assert caption.startswith("Wyrebrook, in the order worsening first:")


def test_scorecard_tables_are_written_once_for_the_same_rows(app_for, monkeypatch):
    """Kept by the rows' text: a rerun reuses the HTML, other rows get their own."""
    import ui.html_table

    at = app_for("scorecard")
    first = [table.to_dict() for table in tables_on_page(at)]
    written = []
    real = ui.html_table.table_html
    monkeypatch.setattr(
        ui.html_table, "table_html", lambda *a, **k: written.append(1) or real(*a, **k)
    )
    at.run()
    assert not written
    assert [table.to_dict() for table in tables_on_page(at)] == first
    at.selectbox(key="scorecard_order").set_value("Worst band first").run()
    assert len(written) == 1 and len(tables_on_page(at)) == 1


def test_scorecard_gives_no_rank_or_band_where_neither_direction_is_better(app_for):
    """LAIT R/fn_analysis.R calculate_rank and calculate_quartile_band: "-" for polarity "-"."""
    at = app_for("scorecard")
    table = _scorecard_rows(at).set_index("Indicator")
    in_care = table.loc[["Children in care"]].iloc[0]
    assert (in_care["Rank (1 = best)"], in_care["Band"]) == ("–", "–")
    assert " of " in table.loc[["3+ placements in the year"]].iloc[0]["Rank (1 = best)"]
    assert not table["Rank (1 = best)"].str.contains("nan|NA|None").any()
    assert "no rank or band: where neither higher nor lower is better" in _text(at)


def test_a_measure_without_polarity_says_councils_are_not_ranked_on_it(app_for):
    at = app_for("cohort")
    assert "so councils are not ranked or banded on it" in _text(at)


def test_scorecard_follows_a_local_grouping(app_for):
    at = app_for("scorecard", grouping="five_priorities")
    headings = [m.value.removeprefix("##### ") for m in at.markdown if m.value.startswith("#####")]
    assert headings == [t.label for t in grouping("five_priorities").themes if t.indicator_ids]


def test_scorecard_bands_carry_a_sign_and_a_word_and_concerns_can_be_shown_alone(app_for):
    at = app_for("scorecard")
    bands = set(_scorecard_rows(at)["Band"])
    assert bands - {"", "–"} <= {"✔ A best", "◐ B 2nd", "◐ C 3rd", "✘ D worst"}
    assert "✘ D worst" in bands
    at.toggle(key="scorecard_concerns_only").set_value(True).run()
    concerns = _scorecard_rows(at) if tables_on_page(at) else None
    assert concerns is not None and 0 < len(concerns) < len(_scorecard_rows(app_for("scorecard")))
    # A concern is worse than England: never in the best band, never "no data".
    assert "✔ A best" not in set(concerns["Band"])
    assert "no data" not in set(concerns["Latest"])
    at.selectbox(key="scorecard_order").set_value("Worst band first").run()
    [table] = [table for table in tables_on_page(at) if "Band" in table.columns]
    assert list(table["Band"]) == sorted(table["Band"], key=lambda b: "✘◐◐✔–".find(b[:1]))


def test_stability_page_has_sentences_charts_and_questions(app_for):
    at = app_for("stability")
    assert at.title[0].value == "6. Do our children have stable lives?"
    text = _text(at)
    assert "3+ placements in the year:" in text and "in Wyrebrook in" in text
    # The first indicator's trend is drawn on arrival; every other chart in its panel.
    assert len(at.get("plotly_chart")) == 1
    at = open_every_chart_panel(at, "stability", ORDINARY)
    assert len(at.segmented_control) >= 5
    assert len(at.get("plotly_chart")) == len(at.segmented_control)
    assert "Questions to ask officers" in text


def test_line_page_for_a_small_council_explains_suppression(app_for):
    at = app_for("stability", SMALL)
    assert "suppressed to protect children's privacy" in _text(at)


def test_duties_page_says_what_data_would_fill_it(app_for):
    at = app_for("duties")
    assert "local indicator" in _text(at).lower()
    # With no figure yet, the line's own questions still give a councillor something to ask.
    from indicators.catalogue import grouping
    from ui.text import markdown_text

    questions = grouping("lga").theme("duties").questions
    assert len(questions) >= 3
    [asked] = [m.value for m in at.markdown if m.value.startswith("**Questions to ask officers**")]
    assert all(markdown_text(q) in asked for q in questions)


def test_sufficiency_page_has_the_placement_breakdown(app_for):
    at = app_for("sufficiency")
    assert "Where the council's children live, compared with England" in _text(at)


COMPARE_TABS = [
    "Over time",
    "Ranking in the year",
    "Funnel plot: is the difference more than chance?",
]


def _compare_tab(at: AppTest, label: str) -> AppTest:
    """Choose one of Compare's chart tabs (only the chosen tab's chart is drawn)."""
    at.session_state["compare_chart"] = label
    return at.run()


def _chart_titles(at: AppTest) -> list[str]:
    import json

    # A long title is wrapped onto lines at spaces (charts.palette.wrap_title).
    return [
        json.loads(c.proto.spec)["layout"]["title"]["text"].replace("<br>", " ")
        for c in at.get("plotly_chart")
    ]


def test_compare_page_draws_trend_ranking_and_funnel_one_tab_at_a_time(app_for):
    at = app_for("compare", compare_indicator="placements_3plus_pct")
    assert [t.label for t in at.tabs] == COMPARE_TABS
    # What the funnel says is in view from the start, whichever chart is shown.
    assert "Wyrebrook is" in _text(at)
    [trend] = _chart_titles(at)
    assert "chosen councils" in trend
    [ranking] = _chart_titles(_compare_tab(at, COMPARE_TABS[1]))
    assert ranking.startswith("3+ placements in the year") and ranking != trend
    [funnel] = _chart_titles(_compare_tab(at, COMPARE_TABS[2]))
    assert "every council" in funnel
    assert "Wyrebrook is" in _text(at)
    # Each tab's chart keeps its table on a switch.
    assert [t.key for t in at.toggle if t.key.endswith("_table")] == ["compare_funnel_table"]


def test_compare_page_explains_no_funnel_for_counts(app_for):
    at = _compare_tab(app_for("compare", compare_indicator="cla_count"), COMPARE_TABS[2])
    assert "Funnel plots are drawn for percentages and rates" in _text(at)
    assert not at.get("plotly_chart")


def test_about_page_has_methods_sources_glossary_and_accessibility(app_for):
    at = app_for("about")
    labels = [tab.label for tab in at.tabs]
    assert labels == [
        "User guide",
        "Methods",
        "Sources and licences",
        "Glossary",
        "Accessibility statement",
    ]
    # Only the open tab is drawn: the user guide first, the rest when chosen.
    text = _text(at)
    assert "Open Government Licence" not in text
    at.session_state["about_tab"] = "Sources and licences"
    text = _text(at.run())
    assert "Open Government Licence" in text
    assert at.dataframe  # what is loaded
    assert "### Statistical neighbours" not in text  # the glossary waits for its tab
    at.session_state["about_tab"] = "Glossary"
    text = _text(at.run())
    assert "### Statistical neighbours" in text


def _opened_by_link(demo_db, monkeypatch, **params: str) -> AppTest:
    """The app on the demo store, opened (one run) from a link carrying ``params``."""
    monkeypatch.setenv("CP_DB", str(demo_db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    for name, value in params.items():
        at.query_params[name] = value
    return at.run()


def test_council_in_the_link_is_opened(demo_db, monkeypatch):
    at = _opened_by_link(demo_db, monkeypatch, council="227", year="2024")
    assert at.sidebar.selectbox[0].value == "227"
    # The year is in force, named on the folded settings' heading and on the page.
    assert at.session_state["year"] == "2024"
    assert any(e.label.startswith("Year and comparison: 2024;") for e in at.expander)
    assert "· 2024 ·" in _text(at)


def test_table_download_matches_the_table_and_is_excel_safe(demo_db):
    con = open_store(demo_db)
    table, _ = at_a_glance_table(con, ORDINARY)
    con.close()
    text = to_csv_bytes(table).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Measure,")
    assert len(text.splitlines()) == len(table) + 1


def _show_every_table(at: AppTest) -> AppTest:
    """Turn on the switch under every chart (the table and its downloads)."""
    for switch in at.toggle:
        if switch.key and switch.key.endswith("_table"):
            switch.set_value(True)
    return at.run()


def test_without_chromium_the_png_button_gives_way_to_a_note(app_for, monkeypatch):
    monkeypatch.setenv("BROWSER_PATH", "/nonexistent/chromium")
    at = _show_every_table(open_every_chart_panel(app_for("stability"), "stability", ORDINARY))
    labels = [str(b.proto.label) for b in at.get("download_button")]
    assert "Download CSV" in labels
    assert "Download chart (PNG)" not in labels
    assert any("need the Chromium browser" in c.value for c in at.caption)


def test_with_chromium_every_chart_offers_a_png(app_for):
    from charts.png import chromium_path

    if chromium_path() is None:
        pytest.skip("no Chromium on this machine (make test installs Debian's chromium)")
    at = _show_every_table(open_every_chart_panel(app_for("stability"), "stability", ORDINARY))
    labels = [str(b.proto.label) for b in at.get("download_button")]
    assert len(at.get("plotly_chart")) >= 5
    assert labels.count("Download chart (PNG)") == len(at.get("plotly_chart"))


def test_add_to_meeting_pack_carries_the_indicator_to_the_export_page(app_for):
    at = app_for("stability")
    next(
        b
        for b in at.button
        if b.key == "pack_add_placements_3plus_pct" or b.key.startswith("pack_add_")
    ).click().run()
    added = list(at.session_state["pack_indicators"])
    assert len(added) == 1
    at.switch_page("app_pages/export.py").run()
    assert at.radio(key="pack_source").value == "Indicators added from the pages"
    assert at.multiselect(key="pack_ids_Indicators added from the pages").value == added
    labels = [str(b.proto.label) for b in at.get("download_button")]
    assert labels == ["Download the meeting pack (1 indicator slide)"]


def test_compare_choices_in_the_link_are_opened_and_kept_in_the_address(demo_db, monkeypatch):
    at = _opened_by_link(
        demo_db,
        monkeypatch,
        council=ORDINARY,
        indicator="long_term_stability_pct",
        councils=f"{SMALL},{ORDINARY},999",  # 999: no such council
    )
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    assert at.selectbox(key="compare_indicator").value == "long_term_stability_pct"
    assert at.multiselect(key=f"compare_councils_{ORDINARY}").value == [SMALL, ORDINARY]
    # A change is written back to the address, so the copied link reopens it.
    at.selectbox(key="compare_indicator").set_value("school_moves_pct").run()
    assert at.query_params["indicator"] == "school_moves_pct"
    assert at.query_params["councils"] == f"{SMALL},{ORDINARY}"


def test_compare_without_choices_in_the_link_starts_from_the_council_and_neighbours(app_for):
    at = app_for("compare")
    chosen = at.multiselect(key=f"compare_councils_{ORDINARY}").value
    assert chosen[0] == ORDINARY and len(chosen) > 1
    assert at.selectbox(key="compare_indicator").value == "cla_rate_per_10k"


def test_compare_search_narrows_the_indicators_by_common_words(app_for):
    at = app_for("compare")
    at.text_input(key="compare_search").input("long-term").run()
    assert at.selectbox(key="compare_indicator").value == "long_term_stability_pct"
    assert at.selectbox(key="compare_indicator").options == [
        "Children in care for 2.5 years or more who have lived with the same carer for 2 years "
        "(Long-term stability)"
    ]
    at.text_input(key="compare_search").input("stability").run()  # still among the matches
    assert at.selectbox(key="compare_indicator").value == "long_term_stability_pct"
    assert len(at.selectbox(key="compare_indicator").options) == 5
    at.text_input(key="compare_search").input("nothing like this").run()
    assert any("No indicator matches" in w.value for w in at.warning)


@pytest.mark.parametrize("council", [ORDINARY, SMALL])
def test_at_a_glance_from_the_apps_kept_values_is_the_table_from_the_store(demo_db, council):
    """The app builds a council's At a glance from its kept table of every indicator:
    it must be the table computed from the store for the headlines alone."""
    con = open_store(demo_db, read_only=True)
    from_store = at_a_glance_table(con, council)
    from_kept = at_a_glance_table(con, council, values=all_values(con))
    con.close()
    assert from_kept[1] == from_store[1]
    pd.testing.assert_frame_equal(from_kept[0], from_store[0])


@pytest.mark.parametrize("council", [ORDINARY, SMALL])
def test_at_a_glance_shares_carry_their_published_counts_and_suppressed_ones_none(demo_db, council):
    con = open_store(demo_db, read_only=True)
    table, years = at_a_glance_table(con, council)
    con.close()
    cells = [str(c) for year in years for c in table[str(year)]]
    # "50 of 522 (10%)": the children counted, out of how many, then the share.
    counted = [re.fullmatch(r"([\d,]+) of ([\d,]+) \((\d+)%\)", c) for c in cells]
    counted = [m for m in counted if m]
    if council == ORDINARY:
        assert counted, cells
    for match in counted:
        part, whole, share = (float(g.replace(",", "")) for g in match.groups())
        assert part <= whole and abs(100 * part / whole - share) <= 1, match.group(0)
    # England's columns hold the figure alone; a suppressed figure never gets a count.
    assert not any(" of " in str(c) for c in table[[f"England {y}" for y in years]].stack())
    assert not any(c.startswith("suppressed (") for c in cells)


def test_compare_funnel_marks_the_council_and_its_neighbours(app_for):
    import json

    at = app_for("compare", compare_indicator="placements_3plus_pct")
    [chart] = _compare_tab(at, COMPARE_TABS[2]).get("plotly_chart")
    funnel = json.loads(chart.proto.spec)
    names = [trace.get("name", "") for trace in funnel["data"]]
    assert "Similar councils" in names and "Wyrebrook (your council)" in names
    [near] = [t for t in funnel["data"] if t.get("name") == "Similar councils"]
    neighbours = at.multiselect(key=f"compare_councils_{ORDINARY}").value[1:]
    assert 0 < len(near["x"]) <= len(neighbours)
    assert "Wyrebrook the large blue circle" in _text(at)


def test_the_years_and_comparison_settings_are_folded_named_and_drawn_when_opened(app_for):
    from ui.state import SETTINGS_KEY

    at = app_for("stability", grouping="five_priorities")
    # Folded: no control drawn, every choice in force named on the heading.
    assert not [s for s in at.selectbox if s.label in ("Year", "Group indicators by")]
    assert not at.radio
    [settings] = [e for e in at.expander if e.label.startswith("Year and comparison")]
    assert "latest year" in settings.label and "mean" in settings.label
    assert grouping("five_priorities").title in settings.label
    # Opened: the controls are drawn with the choices in force, and a change holds.
    at = app_for("stability", **{SETTINGS_KEY: True})
    assert at.selectbox(key="year_choice").value == "Latest"
    assert at.radio(key="sn_method_choice").value == "mean"
    year = at.selectbox(key="year_choice").options[-1]
    at.selectbox(key="year_choice").set_value(year).run()
    assert at.session_state["year"] == year
    assert f"· {year} ·" in _text(at)


def _legend_names(at: AppTest) -> list[str]:
    import json

    [chart] = at.get("plotly_chart")
    return [trace["name"] for trace in json.loads(chart.proto.spec)["data"]]


def test_compare_ranking_names_councils_a_reader_added_as_chosen_not_similar(app_for):
    """The ranking's other bars are "Similar councils" while every council chosen is one
    of the council's similar councils, and "Other chosen councils" once a reader adds
    another; its year is the trend's and the table's ("2024/25" for a school year)."""
    at = app_for("compare", compare_indicator="ks2_rwm_expected_pct")
    key = f"compare_councils_{ORDINARY}"
    similar = at.multiselect(key=key).value
    ranking = _compare_tab(at, COMPARE_TABS[1])
    assert "Similar councils" in _legend_names(ranking)
    [title] = _chart_titles(ranking)
    assert "2024/25" in title, title
    stranger = next(o for o in ranking.multiselect(key=key).options if o not in similar)
    ranking.multiselect(key=key).set_value([*similar[:3], stranger]).run()
    assert not ranking.exception
    names = _legend_names(ranking)
    assert "Other chosen councils" in names and "Similar councils" not in names
    ranking.multiselect(key=key).set_value(similar[:3]).run()
    assert "Similar councils" in _legend_names(ranking)


def test_at_a_glance_promises_a_list_of_figures_too_small_to_judge_only_when_it_shows_one(
    app_for,
):
    """The note under the strengths and concerns says figures on too few children are
    listed under their own heading only on a page that has that list."""
    from domain.wording import TOO_SMALL_EXPLAINED, TOO_SMALL_HEADING

    shown = []
    for council in (ORDINARY, SMALL, "140", "160"):
        at = app_for("at_a_glance", council)
        headed = any(m.value == f"#### {TOO_SMALL_HEADING}" for m in at.markdown)
        promised = any(TOO_SMALL_EXPLAINED in c.value for c in at.caption)
        assert headed == promised, council
        shown.append(headed)
    assert any(shown) and not all(shown), shown  # both cases met among the councils


def test_a_link_to_a_council_not_loaded_says_so_once_and_shows_the_first(demo_db, monkeypatch):
    """?council=999 (no such council in the store) is not quietly another council: the
    page says which it shows instead, once; the address then names the council shown."""
    at = _opened_by_link(demo_db, monkeypatch, council="999", year="1066")
    assert not at.exception
    shown = at.sidebar.selectbox(key="council").value
    warnings = [w.value for w in at.warning]
    assert any("council code ‘999’" in w and f"({shown})" in w for w in warnings), warnings
    assert any("year ‘1066’" in w and "latest" in w.lower() for w in warnings), warnings
    assert at.query_params["council"] == shown
    at.run()
    assert not [w.value for w in at.warning if "The link asks for" in w.value]
    good = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=60)
    good.query_params["council"] = ORDINARY
    good.run()
    assert good.sidebar.selectbox(key="council").value == ORDINARY
    assert not [w.value for w in good.warning if "The link asks for" in w.value]
