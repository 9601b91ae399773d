"""The line pages' plain tables (ui/html_table.py): escaped, labelled, drawn to scale."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from html_tables import html_table

from ui.html_table import (
    SPARKLINE_HEIGHT,
    SPARKLINE_WIDTH,
    sparkline_image,
    sparkline_svg,
    table_html,
)

pytestmark = pytest.mark.pure


def _points(svg: str) -> list[tuple[float, float]]:
    found = re.search(r'points="([^"]+)"', svg)
    assert found, svg
    return [tuple(float(n) for n in pair.split(",")) for pair in found.group(1).split()]


def _rows() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Indicator": ["Went missing", "<b>Convictions</b> & cautions"],
            "Latest": ["80 of 752 (11%)", "suppressed"],
            "Similar councils": ["12%", "1%"],
            "Trend": [[8.0, 13.0, 11.0], []],
        }
    )


def test_the_sparkline_spans_its_box_with_the_highest_figure_at_the_top():
    points = _points(sparkline_svg([8.0, 13.0, 11.0]))
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    assert xs == sorted(xs) and xs[0] < 5 and xs[-1] > SPARKLINE_WIDTH - 5
    assert ys[1] == min(ys)  # 13, the highest, drawn highest (SVG's y grows downwards)
    assert ys[0] == max(ys)  # 8, the lowest, drawn lowest
    assert all(0 < y < SPARKLINE_HEIGHT for y in ys)


def test_a_flat_series_is_a_flat_line_and_one_figure_a_dot():
    assert {y for _, y in _points(sparkline_svg([5.0, 5.0, 5.0]))} == {SPARKLINE_HEIGHT / 2}
    assert "<circle" in sparkline_svg([5.0]) and "polyline" not in sparkline_svg([5.0])


def test_no_figures_draw_nothing():
    assert sparkline_svg([]) == ""
    assert sparkline_image([], "Went missing") == ""


def test_the_sparkline_image_says_its_figures_in_words():
    image = sparkline_image([8.0, 13.0], 'Went missing, oldest to latest: 8%, 13% "quoted"')
    assert 'alt="Went missing, oldest to latest: 8%, 13% &quot;quoted&quot;"' in image
    encoded = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', image).group(1)
    assert base64.b64decode(encoded).decode() == sparkline_svg([8.0, 13.0])


def test_the_table_has_a_caption_column_and_row_headings_and_escapes_every_cell():
    html = table_html(
        _rows(),
        "Wyrebrook <at a glance>",
        headings_help={"Similar councils": "The average of the council's 10 neighbours."},
        trend_column="Trend",
        trend_labels=["Went missing, oldest to latest: 8%, 13%, 11%", "Convictions"],
    )
    assert "<caption>Wyrebrook &lt;at a glance&gt;</caption>" in html
    assert html.count('<th scope="col">') == 4
    assert html.count('<th scope="row">') == 2
    assert "<b>" not in html and "&lt;b&gt;Convictions&lt;/b&gt; &amp; cautions" in html
    assert '<abbr title="The average of the council&#x27;s 10 neighbours.">' in html
    table = html_table(html)
    assert table.attrs["caption"] == "Wyrebrook <at a glance>"
    assert list(table.columns) == ["Indicator", "Latest", "Similar councils", "Trend"]
    assert table.to_dict("records") == [
        {
            "Indicator": "Went missing",
            "Latest": "80 of 752 (11%)",
            "Similar councils": "12%",
            "Trend": "Went missing, oldest to latest: 8%, 13%, 11%",
        },
        {
            "Indicator": "<b>Convictions</b> & cautions",
            "Latest": "suppressed",
            "Similar councils": "1%",
            "Trend": "",
        },
    ]


def test_figures_line_up_on_the_right_in_their_columns():
    rows = pd.DataFrame({"Indicator": ["Children in care"], "2025-26 Q1": ["1,815"]})
    html = table_html(rows, "By quarter", number_columns=["2025-26 Q1"])
    assert '<th scope="col" class="number">2025-26 Q1</th>' in html
    assert '<td class="number">1,815</td>' in html
    assert '<th scope="row">Children in care</th>' in html


def test_columns_left_out_are_not_shown_and_cells_read_as_their_values() -> None:
    rows = _rows().assign(
        indicator_id=pd.array(["missing", None], dtype="string"),
        Rank=pd.array([3, None], dtype="Int64"),
        Share=[0.5, float("nan")],
    )
    html = table_html(rows, "Cap", trend_column="Trend", leave_out=("indicator_id",))
    table = html_table(html)
    assert list(table.columns) == [
        "Indicator",
        "Latest",
        "Similar councils",
        "Trend",
        "Rank",
        "Share",
    ]
    assert ">missing<" not in html
    assert table.iloc[0, 4:].tolist() == ["3", "0.5"]
    assert table.iloc[1, 4:].tolist() == ["<NA>", "nan"]  # as str() of the missing values reads
