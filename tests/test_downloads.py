"""Downloads hold the page's figures as numbers (indicators/downloads.py).

An analyst who downloaded a table used to get the page's words ('30 of 447 (7%)'),
which a spreadsheet cannot add up. These tests hold each download to the table the
page shows, figure for figure, and to the privacy rule: no count of children from 1
to 5, or one a percentage would give back, is ever in a download.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd
import pytest

from exports.tables import to_csv_bytes
from indicators import downloads, views
from indicators.at_a_glance import at_a_glance_download, at_a_glance_table
from indicators.catalogue import grouping, indicator
from indicators.compare import compare_all
from indicators.compute import all_values
from indicators.formatting import format_value, number_shown
from indicators.scorecard import neighbour_lists
from loaders.store import open_store

WYREBROOK = "172"
SHARE = indicator("placements_3plus_pct")  # a percentage, no decimals
SCORE = indicator("sdq_mean")  # one decimal, no children behind it


@pytest.fixture(scope="module")
def store(demo_db) -> dict[str, pd.DataFrame]:
    """The demo store's comparisons and neighbour lists."""
    con = open_store(demo_db, read_only=True)
    try:
        neighbours = neighbour_lists(con)
        return {"table": compare_all(all_values(con), neighbours), "neighbours": neighbours}
    finally:
        con.close()


@pytest.fixture(scope="module")
def table(store) -> pd.DataFrame:
    return store["table"]


def _shown_parts(cell: str) -> tuple[float | None, int | None, int | None]:
    """'30 of 447 (7%)' -> (7, 30, 447); '67 (577 children)' -> (67, 577, None); '12%' ->
    (12, None, None); a word -> Nones."""
    counted = re.fullmatch(r"([\d,]+) of ([\d,]+) \(([\d.]+)%\)", cell)
    if counted:
        part, whole, value = counted.groups()
        return float(value), int(part.replace(",", "")), int(whole.replace(",", ""))
    rate = re.fullmatch(r"([\d,.]+) \(([\d,]+) [a-z ]+\)", cell)  # '67 (577 children)'
    if rate:
        return float(rate.group(1).replace(",", "")), int(rate.group(2).replace(",", "")), None
    plain = re.fullmatch(r"([-−]?[\d,.]+)%?", cell)  # '12%', '1,806', '-308'
    if not plain:
        return None, None, None
    return float(plain.group(1).replace(",", "").replace("−", "-")), None, None


def _cell(value: object) -> object:
    """A download's cell, its blanks (None, NaN, pandas' NA) as None."""
    return None if value is None or pd.isna(value) else value


def _no_counts_beside_a_word(download: pd.DataFrame, figure: str) -> int:
    """Assert that no row whose figure is a word (its note) has children counted or out
    of how many beside it; the number of such rows."""
    counts = [
        c for c in download.columns if c.startswith(figure) and c.endswith(("counted", "out of"))
    ]
    noted = download[download[f"{figure}: note"] != ""]
    for column in counts:
        assert noted[column].isna().all(), noted[[f"{figure}: note", column]].head()
    return len(noted)


def test_a_figure_as_a_number_is_exactly_the_figure_shown():
    for value, decimals in ((7.0, 0), (13.85, 1), (16.04, 1), (0.4, 0), (1806.0, 0)):
        assert number_shown(value, None, decimals) == float(
            format_value(value, None, "count", decimals).replace(",", "")
        )
    assert number_shown(12.0, "c", 0) is None  # suppressed: a word, not a number
    assert number_shown(None, None, 0) is None
    assert number_shown(float("nan"), None, 0) is None


def test_the_trend_download_holds_the_trends_figures_as_numbers(table):
    history = views.trend(table, SHARE.id, WYREBROOK)
    shown = views.trend_table(history, SHARE, "Wyrebrook")
    download = downloads.trend_download(history, SHARE, "Wyrebrook")
    assert list(download.columns) == [
        "Indicator",
        "Unit",
        "Year",
        "Wyrebrook",
        "Wyrebrook: children counted",
        "Wyrebrook: out of",
        "Wyrebrook: note",
        "Similar councils (average)",
        "Region",
        "England",
    ]
    assert list(download["Year"]) == list(shown["Year"])
    for (_, mine), (_, theirs) in zip(download.iterrows(), shown.iterrows(), strict=True):
        value, part, whole = _shown_parts(theirs["Wyrebrook"])
        assert _cell(mine["Wyrebrook"]) == value
        assert _cell(mine["Wyrebrook: children counted"]) == part
        assert _cell(mine["Wyrebrook: out of"]) == whole
        for column in ("Similar councils (average)", "Region", "England"):
            assert _cell(mine[column]) == _shown_parts(theirs[column])[0]
    # Whole numbers stay whole in the file: '7', not '7.0'.
    rows = list(csv.DictReader(io.StringIO(to_csv_bytes(download).decode("utf-8-sig"))))
    assert rows[-1]["Wyrebrook"].isdigit() and rows[-1]["England"].isdigit()


def test_a_download_never_holds_a_small_count():
    """A percentage whose children counted, or not counted, are 1 to 5 keeps its figure
    and loses its counts; a suppressed figure is a word in the note, with no number."""
    frame = pd.DataFrame(
        {
            "period_label": ["2023", "2024", "2025", "2026"],
            "council": [8.0, 93.0, 50.0, None],
            "council_symbol": [None, None, None, "c"],
            "council_numerator": [3.0, 37.0, 20.0, None],
            "council_denominator": [40.0, 40.0, 40.0, None],
            "neighbours": [10.0, 10.0, 10.0, 10.0],
            "region": [9.0, 9.0, 9.0, 9.0],
            "england": [10.0, 10.0, 10.0, 10.0],
        }
    )
    download = downloads.trend_download(frame, SHARE, "A council")
    counted = download["A council: children counted"].tolist()
    whole = download["A council: out of"].tolist()
    assert [pd.isna(c) for c in counted] == [True, True, False, True]
    assert [pd.isna(w) for w in whole] == [True, True, False, True]
    assert (counted[2], whole[2]) == (20, 40)
    assert download["A council"].tolist()[:3] == [8, 93, 50]
    assert pd.isna(download["A council"].iloc[3])
    assert download["A council: note"].tolist() == ["", "", "", "suppressed"]


def test_no_count_stands_beside_a_figure_shown_as_a_word(table):
    """Where the page shows a word ('suppressed', 'less than 0.5', 'not applicable'), the
    download has no children counted or out of how many beside it: DfE may publish the
    counts of a figure it withholds, and together they would give the figure back."""
    frame = pd.DataFrame(
        {
            "period_label": ["2024", "2025"],
            "council": [None, 0.2],
            "council_symbol": ["c", "k"],
            "council_numerator": [40.0, 6.0],
            "council_denominator": [400.0, 1530.0],
            "neighbours": [10.0, 10.0],
            "region": [9.0, 9.0],
            "england": [10.0, 10.0],
        }
    )
    download = downloads.trend_download(frame, SHARE, "A council")
    assert _no_counts_beside_a_word(download, "A council") == 2
    # Every indicator's trend and ranking, every council of the demo store.
    noted = 0
    councils = sorted(set(table["area_code"]))  # every council (the table is theirs)
    for item_id in sorted(set(table["indicator_id"])):
        item = indicator(item_id)
        for council in councils[::10]:
            history = views.trend(table, item_id, council)
            noted += _no_counts_beside_a_word(downloads.trend_download(history, item, "C"), "C")
    assert noted > 0  # the demo has suppressed and 'less than 0.5' figures
    for council in councils:
        figures = views.CouncilFigures(table, council)
        card = views.scorecard(table, council, grouping("lga"), None, figures=figures)
        rows = downloads.scorecard_download(card, figures, None)
        words = rows[rows["Latest: note"] != ""]
        assert words["Counted"].isna().all() and words["Out of"].isna().all(), council


def test_a_score_has_no_children_columns_and_keeps_its_decimal(table):
    history = views.trend(table, SCORE.id, WYREBROOK)
    download = downloads.trend_download(history, SCORE, "Wyrebrook")
    assert not any("counted" in c or "out of" in c for c in download.columns)
    shown = views.trend_table(history, SCORE, "Wyrebrook")
    assert download["Wyrebrook"].tolist() == [float(v) for v in shown["Wyrebrook"]]


def test_the_ranking_download_lists_the_councils_as_the_table_does(store):
    ranked = views.ranking(store["table"], store["neighbours"], SHARE.id, WYREBROOK, 2025, None)
    shown = views.ranking_table(ranked, SHARE)
    download = downloads.ranking_download(ranked, SHARE, "2025")
    assert set(download["Year"]) == {"2025"}  # the year is in the file, not only the title
    assert list(download["Council"]) == list(shown["Council"])
    ranks = [
        f"{r} of {n}"
        for r, n in zip(download["Rank (1 = best)"], download["Councils ranked"], strict=True)
    ]
    assert ranks == [cell.split(" (")[0] for cell in shown["Rank (1 = best)"]]  # '6 of 146 (…)'
    assert list(download["Figure"]) == [_shown_parts(c)[0] for c in shown["Figure"]]


def test_the_scorecard_download_is_the_scorecard_as_numbers(table):
    figures = views.CouncilFigures(table, WYREBROOK)
    card = views.scorecard(table, WYREBROOK, grouping("lga"), None, figures=figures)
    download = downloads.scorecard_download(card, figures, None, "Wyrebrook")
    assert set(download["Council"]) == {"Wyrebrook"} and set(download["Council code"]) == {"172"}
    # An indicator under two lines is listed under each, told apart by its id.
    assert list(download["Indicator id"]) == list(card["indicator_id"])
    assert list(download["Indicator"]) == list(card["Indicator"])
    assert list(download["Theme"]) == list(card["Theme"])
    for (_, mine), (_, theirs) in zip(download.iterrows(), card.iterrows(), strict=True):
        value, part, whole = _shown_parts(theirs["Latest"])
        if value is None:  # a word: 'suppressed', 'no data'
            assert mine["Latest"] is None and mine["Latest: note"] == theirs["Latest"]
            continue
        assert mine["Latest"] == value and mine["Latest: note"] == ""
        if part is not None:
            assert (mine["Counted"], mine["Out of"]) == (part, whole), mine["Indicator"]
        for column in ("Region", "England"):
            assert mine[column] == _shown_parts(theirs[column])[0], (mine["Indicator"], column)
        if theirs["Rank (1 = best)"] not in ("–", ""):
            assert (
                f"{mine['Rank (1 = best)']} of {mine['Councils ranked']}"
                == theirs["Rank (1 = best)"]
            )
    # The page's direction cell, '▲ worsening (may be chance)', in three columns.
    for (_, mine), cell in zip(download.iterrows(), card["Direction"], strict=True):
        if cell:
            words = f"{mine['Direction']} ({mine['Change against chance']})"
            assert cell.endswith(words if mine["Change against chance"] else mine["Direction"])
            assert mine["Moved"] == {"▲": "rose", "▼": "fell", "►": "no change"}.get(cell[0], "")
    # The year before as the page shows it: a number, or its word in the note.
    for (_, mine), previous in zip(download.iterrows(), card["Previous"], strict=True):
        if previous:
            number = _shown_parts(previous)[0]
            assert (number, mine["Previous: note"]) in {(mine["Previous"], ""), (None, previous)}
    text = to_csv_bytes(download).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    whole = [
        row
        for row, (_, mine) in zip(rows, download.iterrows(), strict=True)
        if isinstance(mine["Latest"], int)
    ]
    assert whole and all(row["Latest"].lstrip("-").isdigit() for row in whole)  # 577, not 577.0
    decimal = download[download["Indicator"] == SCORE.short_title]["Latest"]
    assert isinstance(decimal.iloc[0], float)


def test_at_a_glance_downloads_its_table_as_numbers(demo_db):
    con = open_store(demo_db, read_only=True)
    try:
        shown, years = at_a_glance_table(con, WYREBROOK)
        download = at_a_glance_download(all_values(con), WYREBROOK, "Wyrebrook")
    finally:
        con.close()
    assert list(download.columns) == [
        "Measure",
        "Unit",
        "Year",
        "Wyrebrook",
        "Wyrebrook: counted",
        "Wyrebrook: out of",
        "Wyrebrook: note",
        "England",
    ]
    assert len(download) == len(shown) * len(years)  # a headline and year a row
    for _, row in download.iterrows():
        cell = shown.set_index("Measure").loc[row["Measure"], row["Year"]]
        value, part, whole = _shown_parts(cell)
        assert row["Wyrebrook"] == value, (row["Measure"], row["Year"], cell)
        if part is not None:
            assert row["Wyrebrook: counted"] == part
        if whole is not None:
            assert row["Wyrebrook: out of"] == whole
        england = shown.set_index("Measure").loc[row["Measure"], f"England {row['Year']}"]
        assert row["England"] == _shown_parts(england)[0]
