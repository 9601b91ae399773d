"""Read an HTML table the app draws (``st.html``) back into rows, as a reader's eye would.

For tests only: the line pages' summary is a plain ``<table>`` (ui/html_table.py), so
tests compare its cells, and each sparkline image's ``alt`` text, with the published
figures the way they compared the data grid's.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pandas as pd


class _TableReader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.caption = ""
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None
        self._in_caption = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag == "img" and self._cell is not None:
            self._cell.append(dict(attrs).get("alt") or "")
        elif tag == "caption":
            self._in_caption = True

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None
        elif tag == "caption":
            self._in_caption = False

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        elif self._in_caption:
            self.caption += data


def html_table(body: str) -> pd.DataFrame:
    """The first table in ``body``: its heading row as columns, every other row as a row
    of text (an image cell reads as its ``alt``); ``attrs["caption"]`` holds its caption."""
    reader = _TableReader()
    reader.feed(body)
    if not reader.rows:
        raise ValueError("no table in the HTML")
    heading, *rows = reader.rows
    frame = pd.DataFrame(rows, columns=heading)
    frame.attrs["caption"] = reader.caption.strip()
    return frame


def line_summary(at) -> pd.DataFrame:
    """A line page's summary table ("This line of enquiry at a glance") from an AppTest run."""
    tables = [element.proto.body for element in at.html if "<table" in element.proto.body]
    assert len(tables) == 1, f"expected one summary table, found {len(tables)}"
    return html_table(tables[0])


def tables_on_page(at) -> list[pd.DataFrame]:
    """Every table an AppTest run drew: Streamlit's data grids, then the plain tables."""
    grids = [element.value for element in at.dataframe]
    plain = [
        html_table(element.proto.body) for element in at.html if "<table" in element.proto.body
    ]
    return grids + plain
