"""Every page of the app, in menu order: the one list the router, the tests and the
page benchmark read.

A page is a file in ``app_pages/`` (its name is also its address:
``/scorecard``, ``/stability``; the default page is at ``/``). The lines of
enquiry are the LGA grouping's themes, in their order; a test checks that every
file in ``app_pages/`` is listed here and every theme has its page. This module
imports no Streamlit, so tests and benchmarks can read it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageEntry:
    name: str  # the file app_pages/<name>.py, and the page's address
    title: str  # in the menu
    section: str  # the menu's heading
    icon: str | None = None
    default: bool = False  # the page at "/"
    is_line_of_enquiry: bool = False
    draws_charts: bool = False  # the browser is started on the chart code (ui/preload.py)

    @property
    def file(self) -> str:
        """The page's script, relative to the project folder (as st.Page and AppTest take it)."""
        return f"app_pages/{self.name}.py"

    @property
    def url_path(self) -> str:
        """The address after the host: "" for the default page."""
        return "" if self.default else self.name


def _line(name: str, title: str, draws_charts: bool = True) -> PageEntry:
    return PageEntry(
        name, title, "Lines of enquiry", is_line_of_enquiry=True, draws_charts=draws_charts
    )


PAGES: tuple[PageEntry, ...] = (
    PageEntry("at_a_glance", "At a glance", "Overview", ":material/dashboard:", default=True),
    PageEntry("scorecard", "Scorecard", "Overview", ":material/table_chart:"),
    PageEntry(
        "compare", "Compare councils", "Overview", ":material/compare_arrows:", draws_charts=True
    ),
    _line("cohort", "1. Who are our children?"),
    # No national figures: a chart only for a council with its own (its second visit
    # cost nearly a third more with the chart code started and no chart to draw).
    _line("duties", "2. Knowing our duties", draws_charts=False),
    _line("voice", "3. Children's voices"),
    _line("aspirations", "4. Aspirations and education"),
    _line("health", "5. Health and wellbeing"),
    _line("stability", "6. Stability"),
    _line("care_leavers", "7. Care leavers"),
    _line("out_of_area", "8. Out-of-area placements"),
    _line("sufficiency", "9. Sufficiency (where children live)"),
    _line("safeguarding", "10. Missing and safeguarding"),
    PageEntry("export", "Meeting pack", "Meeting pack", ":material/slideshow:"),
    PageEntry("data", "Load and undo data", "Data", ":material/upload_file:"),
    PageEntry("about", "About and methods", "Help", ":material/info:"),
)

PAGE_NAMES: tuple[str, ...] = tuple(page.name for page in PAGES)
LINE_OF_ENQUIRY_PAGES: tuple[str, ...] = tuple(p.name for p in PAGES if p.is_line_of_enquiry)
# Pages a panel member reads (the benchmark times these): not the analyst's Data page
# or the pack builder.
READING_PAGES: tuple[str, ...] = tuple(p.name for p in PAGES if p.name not in ("data", "export"))


CHART_PAGE_TITLES: frozenset[str] = frozenset(p.title for p in PAGES if p.draws_charts)


def by_section() -> dict[str, list[PageEntry]]:
    """The pages grouped under their menu headings, in menu order."""
    sections: dict[str, list[PageEntry]] = {}
    for page in PAGES:
        sections.setdefault(page.section, []).append(page)
    return sections
