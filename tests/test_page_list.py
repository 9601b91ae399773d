"""The one list of pages (ui/page_list.py) matches the page files and the LGA's lines."""

from pathlib import Path

import pytest

from indicators.catalogue import grouping
from ui import page_list

pytestmark = pytest.mark.pure

PROJECT = Path(__file__).resolve().parent.parent


def test_every_page_file_is_listed_and_every_listed_page_has_a_file() -> None:
    files = {path.stem for path in (PROJECT / "app_pages").glob("*.py")}
    assert set(page_list.PAGE_NAMES) == files
    assert len(page_list.PAGE_NAMES) == len(set(page_list.PAGE_NAMES))


def test_each_line_of_enquiry_has_its_page_in_the_groupings_order() -> None:
    themes = [theme.id for theme in grouping("lga").themes]
    assert list(page_list.LINE_OF_ENQUIRY_PAGES) == themes


def test_a_line_has_one_name_in_the_menu_the_scorecard_and_the_pack() -> None:
    """The menu's name of each line of enquiry is its theme's label (the Scorecard's
    headings and theme filter, the meeting pack's sections): one name, not three."""
    lines = [page for page in page_list.PAGES if page.is_line_of_enquiry]
    labels = {theme.id: theme.label for theme in grouping("lga").themes}
    assert {page.name: page.title for page in lines} == labels


def test_one_default_page_at_the_root_address() -> None:
    defaults = [page for page in page_list.PAGES if page.default]
    assert [page.name for page in defaults] == ["at_a_glance"]
    assert defaults[0].url_path == ""
    assert page_list.PAGES[1].url_path == "scorecard"


def test_menu_sections_keep_the_menu_order() -> None:
    sections = page_list.by_section()
    assert list(sections) == ["Overview", "Lines of enquiry", "Meeting pack", "Data", "Help"]
    assert [p for pages in sections.values() for p in pages] == list(page_list.PAGES)
