"""The demo council's SSDA903 extract: its figures on the pages, in the pack, and protected.

The demo database holds a fictional extract for Aldermouth (140), the first
council in the sidebar. These tests follow its quarterly figures from the
indicators layer to the line-of-enquiry page, the Data page, the meeting pack
and the command line, and prove that what is shown never lets a count below
the threshold be seen or worked out.
"""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest
import streamlit as st
from conftest import PROJECT, open_app_page
from html_tables import tables_on_page
from pptx import Presentation
from streamlit.testing.v1 import AppTest

from exports.pack import PackRequest, build_pack
from indicators import local
from indicators.child_level import _raw_figures, extract_quarters, small_count_threshold
from indicators.compare import compare_all
from indicators.compute import all_values
from indicators.local import quarter_table, quarterly_figures, reconciliation
from indicators.scorecard import neighbour_lists
from loaders.store import open_store

COUNCIL = "140"


@pytest.fixture(scope="module")
def demo(demo_db_copy):
    con = open_store(demo_db_copy)
    figures = quarterly_figures(con, COUNCIL)
    raw = _raw_figures(con, extract_quarters(con, COUNCIL))
    values = all_values(con)
    neighbours = neighbour_lists(con)
    yield {
        "figures": figures,
        "raw": raw,
        "reconciliation": reconciliation(figures, values, COUNCIL),
        "table": compare_all(values, neighbours),
        "neighbours": neighbours,
    }
    con.close()


def test_the_demo_extract_gives_at_least_eight_quarters(demo):
    extract = demo["figures"][demo["figures"]["source"].str.startswith("SSDA903")]
    quarters = sorted(set(zip(extract["time_period"], extract["quarter"], strict=True)))
    assert len(quarters) >= 8
    assert quarters[-1] == ("202526", "Q2")  # beyond the latest published year


def test_the_demo_extract_is_valid_every_row_kept(demo_db_copy):
    """The generator writes a valid extract: the demo database's load of it kept every row."""
    con = open_store(demo_db_copy)
    rows = con.execute(
        "SELECT file_name, message FROM load_files WHERE dataset = 'ssda903' ORDER BY ALL"
    ).fetchall()
    con.close()
    assert {name.rsplit("/", 1)[-1] for name, _ in rows} >= {"episodes.csv", "missing.csv"}
    for name, message in rows:
        assert ", 0 set aside, 0 warnings." in message, (name, message)


def test_the_extract_agrees_with_the_published_count_within_two_percent(demo):
    check = demo["reconciliation"]
    counts = check[check["Indicator"] == "Children in care"]
    assert list(counts["31 March"]) == [2022, 2023, 2024, 2025]
    for extract, published in zip(counts["From the extract"], counts["Published by DfE"],
                                  strict=True):  # fmt: skip
        mine, theirs = (float(text.replace(",", "")) for text in (extract, published))
        assert abs(mine - theirs) / theirs < 0.02
    assert (check["Likely reasons"].str.len() > 0).all()


def test_the_demo_extract_agrees_with_every_published_figure_as_a_real_return_would(demo):
    """At the latest 31 March each figure worked out from the demo council's extract is
    within 5 points (a share), 5% (a count or rate) or 0.5 (incidents per child) of its
    published one: a real council's extract and its DfE return come from the same
    records, so a councillor trying the demo should not see gaps of 9 points (in foster
    care) or 10 (care leavers of 17 and 18 in education or work), as before the
    simulator followed the placements on 31 March, each care leaver's age group and the
    years as the figures count them."""
    check = demo["reconciliation"]
    latest = check[check["31 March"] == check["31 March"].max()]
    compared = latest[latest["Difference"] != "not comparable"]
    assert len(compared) >= 25
    too_far = []
    for row in compared.itertuples():
        mine, theirs = (
            float(text.replace(",", "").rstrip("%"))
            for text in (row._3, row._4)  # From the extract, Published by DfE
        )
        if row._4.endswith("%"):
            allowed = 5.0
        elif row.Indicator == "Missing incidents per child":
            allowed = 0.5
        else:
            allowed = 0.05 * theirs
        if abs(mine - theirs) > allowed:
            too_far.append((row.Indicator, row._3, row._4))
    assert not too_far


def test_the_demo_extracts_rolling_figures_do_not_swing_at_each_31_march(demo):
    """A rolling 12 months ending at any quarter counts as much of a child's time as any
    other: a 31 March figure stands out from its neighbouring quarters only as much as
    chance does (they swung by 4 to 6 points at every March while the simulator drew
    incidents a year at a time)."""
    figures = demo["figures"]
    for indicator_id, allowed in (("missing_pct", 2.0), ("missing_incidents_per_child", 0.4)):
        series = figures[figures["indicator_id"] == indicator_id].sort_values(
            ["time_period", "quarter"]
        )
        values = series["value"].astype(float).tolist()
        quarters = series["quarter"].tolist()
        assert len(values) >= 8
        for k in range(1, len(values) - 1):
            if quarters[k] == "Q4":
                around = (values[k - 1] + values[k + 1]) / 2
                assert abs(values[k] - around) <= allowed, (indicator_id, k, values)


def test_a_gap_between_two_percentages_is_in_points_never_a_percent(demo):
    check = demo["reconciliation"]
    shares = check[check["Published by DfE"].str.endswith("%")]
    assert len(shares) and (shares["Difference"] != "none").any()
    assert not check["Difference"].str.contains("%").any()
    assert shares["Difference"].str.fullmatch(r"none|not comparable|[+−][\d,.]+ points?").all()


def test_no_shown_figure_reveals_a_small_count(demo):
    """Every share or count shown has a raw numerator (and complement) of 0 or at least
    the threshold; in each set of cells summing to a total, one hidden cell never stands
    alone and the hidden cells together hold at least the threshold."""
    limit = small_count_threshold()
    raw = demo["raw"].assign(
        time_period=lambda f: [
            f"{d.year if d.month > 3 else d.year - 1}{(d.year if d.month > 3 else d.year - 1) + 1 - 2000:02d}"
            for d in f["quarter_end"]
        ]
    )
    shown = demo["figures"][demo["figures"]["source"].str.startswith("SSDA903")]
    merged = raw.merge(shown, on=["indicator_id", "time_period"], suffixes=("_raw", ""))
    merged = merged[merged["quarter_end"].map(lambda d: d.month).map(
        {6: "Q1", 9: "Q2", 12: "Q3", 3: "Q4"}) == merged["quarter"]]  # fmt: skip
    visible = merged[merged["symbol"] != "c"]
    numerator = pd.to_numeric(visible["numerator"])
    assert not numerator.between(1, limit - 1).any()
    shares = visible[visible["indicator_id"].str.endswith("_pct")]
    complement = pd.to_numeric(shares["denominator"]) - pd.to_numeric(shares["numerator"])
    assert not complement.between(1, limit - 1).any()
    hidden = merged[merged["symbol"] == "c"]
    assert len(hidden), "the demo should exercise protection"
    assert hidden["value"].isna().all()
    for _, cells in merged[merged["group_id"].notna()].groupby(["quarter_end", "group_id"]):
        secret = cells[cells["symbol"] == "c"]
        if len(secret):
            assert len(secret) >= 2
            assert pd.to_numeric(secret["numerator"]).sum() >= limit


def test_a_protected_cell_reads_suppressed_in_the_table_the_page_and_the_download(demo):
    shown = demo["figures"]
    protected = shown[shown["symbol"] == "c"].iloc[0]
    table = quarter_table(shown[shown["indicator_id"] == protected["indicator_id"]])
    assert table.loc[0, protected["period_label"]] == "suppressed"


@pytest.fixture
def app_on(demo_db, monkeypatch):
    monkeypatch.setenv("CP_DB", str(demo_db))
    st.cache_data.clear()
    st.cache_resource.clear()

    def open_page(page: str, **state: object) -> AppTest:
        return open_app_page(page, COUNCIL, timeout=90, **state)

    yield open_page
    st.cache_data.clear()
    st.cache_resource.clear()


def _frames(at: AppTest) -> list[pd.DataFrame]:
    return tables_on_page(at)


def test_the_stability_page_shows_quarterly_figures_and_the_reconciliation(app_on):
    at = app_on("stability")
    assert "The council's own quarterly figures" in [h.value for h in at.header]
    quarterly = next(f for f in _frames(at) if "2025-26 Q2" in f.columns)
    assert "3+ placements in the year" in set(quarterly["Indicator"])
    # The reconciliation is one click away: its panel, folded, sends no table or button.
    folded = [e for e in at.expander if e.label.startswith("Extract and published")]
    assert len(folded) == 1
    assert not any("Published by DfE" in f.columns for f in _frames(at))
    assert not at.get("download_button")
    at = app_on("stability", **{f"reconciliation_stability_{COUNCIL}": True})
    check = next(f for f in _frames(at) if "Published by DfE" in f.columns)
    assert set(check["Indicator"]) == {"3+ placements in the year", "Long-term stability"}
    # Each reason reads as written: "DfE" keeps its capitals.
    reasons = set(check["Likely reasons"]) - {"Agrees."}
    assert reasons and all(reason.startswith("Episodes recorded") for reason in reasons)
    assert all("DfE's own revisions" in reason for reason in reasons)
    assert any("SSDA903 extract as at 30/09/2025" in c.value for c in at.caption)


def test_a_line_page_says_in_view_where_the_extract_and_dfe_differ(app_on, demo):
    """Without opening the side-by-side table, the page says how many of its indicators
    differ from DfE's published figure at the latest 31 March, naming them with both
    figures; the sentence is the table's own rows, counted."""
    at = app_on("stability")
    check = demo["reconciliation"]
    check = check[check["Indicator"].isin({"3+ placements in the year", "Long-term stability"})]
    latest = check[check["31 March"] == check["31 March"].max()]
    differ = latest[~latest["Difference"].isin(["none", "not comparable"])]
    assert len(differ), "the demo's extract differs from DfE's here"
    [said] = [i.value for i in at.info if "differs from DfE's published figure" in i.value]
    assert local._how_many(len(differ), len(latest)) in said
    for _, row in differ.iterrows():
        assert (
            f"{row['From the extract']} in the extract, {row['Published by DfE']} published" in said
        )


def test_the_differences_sentence_counts_only_comparable_figures_and_names_a_few():
    columns = ["Indicator", "31 March", "From the extract", "Published by DfE", "Difference"]
    agree = pd.DataFrame(
        [["A", 2025, "5%", "5%", "none"], ["B", 2025, "7", "suppressed", "not comparable"]],
        columns=columns,
    )
    assert local.differences_sentence(agree) == ""
    assert local.differences_sentence(agree.iloc[0:0]) == ""
    rows = [["Old", 2024, "1%", "9%", "−8 points"]]  # an earlier year is not counted
    rows += [[f"I{n}", 2025, f"{n}%", f"{n + 2}%", "−2 points"] for n in range(5)]
    said = local.differences_sentence(
        pd.DataFrame([*rows, *agree.values.tolist()], columns=columns)
    )
    assert said.startswith("At 31 March 2025 the extract differs")
    assert "for 5 of the 6 indicators here" in said
    assert "(I0 0% in the extract, 2% published; I1 1% in the extract, 3% published; " in said
    assert "I2 2% in the extract, 4% published; and 2 more)" in said
    assert "Old" not in said
    assert [local._how_many(d, c) for d, c in ((1, 1), (2, 2), (3, 3), (1, 3))] == [
        "the one indicator here",
        "both indicators here",
        "all 3 indicators here",
        "1 of the 3 indicators here",
    ]


def test_the_sufficiency_page_shows_protected_cells_as_suppressed(app_on, demo):
    at = app_on("sufficiency")
    quarterly = next(f for f in _frames(at) if "2025-26 Q2" in f.columns)
    protected = demo["figures"][(demo["figures"]["symbol"] == "c")
                                & demo["figures"]["lines"].map(lambda x: "sufficiency" in x)]  # fmt: skip
    assert len(protected)
    shown = protected[protected["period_label"].isin(quarterly.columns)]
    assert len(shown)  # the page's table has the latest quarters; some are protected
    for row in shown.itertuples():
        cell = quarterly.loc[quarterly["Indicator"] == row.short_title, row.period_label]
        assert list(cell) == ["suppressed"], (row.indicator_id, row.period_label)


def test_the_pages_quarterly_table_has_the_latest_quarters_with_the_newest_in_view(app_on, demo):
    """Fifteen quarter ends do not fit beside the sidebar: the page's table has the
    latest eight, oldest first, and says so; the chart's table has every quarter."""
    from ui.line_page import QUARTERS_IN_TABLE

    every = quarter_table(demo["figures"])
    latest = quarter_table(demo["figures"], latest=QUARTERS_IN_TABLE)
    assert len(every.columns) - 1 > QUARTERS_IN_TABLE == len(latest.columns) - 1
    pd.testing.assert_frame_equal(latest, every[latest.columns])
    assert list(latest.columns)[-1] == "2025-26 Q2" == sorted(every.columns[1:])[-1]
    at = app_on("stability")
    table = next(t for t in tables_on_page(at) if "2025-26 Q2" in t.columns)
    assert list(table.columns)[1:] == sorted(every.columns[1:])[-QUARTERS_IN_TABLE:]
    every_quarter = len(every.columns) - 1
    assert f"the latest {QUARTERS_IN_TABLE} of {every_quarter} quarters" in table.attrs["caption"]
    with pytest.raises(ValueError, match="at least 1"):
        quarter_table(demo["figures"], latest=0)


def test_the_data_page_lists_the_extract_its_figures_and_the_reconciliation(app_on):
    at = app_on("data")
    frames = _frames(at)
    extracts = next(f for f in frames if "As at" in f.columns)
    assert list(extracts["Council"]) == ["Aldermouth"]
    assert list(extracts["Quarter ends"]) == [15]
    assert any("2021-22 Q4" in f.columns for f in frames)
    assert any("Published by DfE" in f.columns for f in frames)


def test_the_meeting_pack_has_the_quarterly_and_reconciliation_slides(demo):
    ids = ["cla_count", "foster_pct", "placements_3plus_pct", "other_residential_pct"]
    request = PackRequest(
        COUNCIL, "Aldermouth", ids, sn_model="2025", is_demo=True,
        quarterly=demo["figures"], reconciliation=demo["reconciliation"],
    )  # fmt: skip
    deck = Presentation(io.BytesIO(build_pack(demo["table"], demo["neighbours"], request)))
    tables = {
        shape.name: shape.table
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_table and shape.name in ("Quarterly figures", "Reconciliation")
    }
    quarterly = tables["Quarterly figures"]
    header = [quarterly.cell(0, c).text for c in range(len(quarterly.columns))]
    assert header == ["Indicator", "2024-25 Q3", "2024-25 Q4", "2025-26 Q1", "2025-26 Q2"]
    rows = {quarterly.cell(r, 0).text: [quarterly.cell(r, c).text for c in range(1, 5)]
            for r in range(1, len(quarterly.rows))}  # fmt: skip
    expected = quarter_table(demo["figures"][demo["figures"]["indicator_id"].isin(ids)])
    for _, row in expected.iterrows():
        assert rows[row["Indicator"]] == list(row[header[1:]])  # protected cells included
    check = tables["Reconciliation"]
    assert check.cell(0, 2).text == "Published by DfE"
    assert len(check.rows) - 1 == 4


def test_the_command_line_loads_the_fake_extract_and_reports_each_invalid_code(
    reference_data, tmp_path
):
    db = tmp_path / "store.duckdb"
    result = subprocess.run(
        [sys.executable, "-m", "loaders", "load", str(reference_data / "ssda903_fake"),
         "--db", str(db), "--la", "825"],
        capture_output=True, text=True, cwd=PROJECT, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Committed load 1" in out
    # The 72 overlapping episodes are 10 whose previous episode has not ended (DfE 142)
    # and 62 starting before it ends (DfE 501).
    for check in ("[DfE 132] activity: 12 warnings (kept)",
                  "[DfE 142] episodes_overlap: 10 warnings (kept)",
                  "[DfE 501] episodes_overlap: 62 warnings (kept)",
                  "[local CP10] duplicate: 14 errors (set aside)"):  # fmt: skip
        assert check in out
    con = open_store(db)
    try:
        figures = quarterly_figures(con, "825")
    finally:
        con.close()
    at_march = figures[figures["time_period"].eq("201718") & figures["quarter"].eq("Q4")]
    counts = at_march.set_index("indicator_id")
    assert counts.loc["cla_count", "value"] > 1000  # the valid part gives figures
    assert date(2018, 3, 31)  # the one quarter end a year of records allows
