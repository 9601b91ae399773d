"""Every page against axe-core's WCAG 2.1 A and AA rules, in Debian's headless Chromium.

A page fails on any "serious" or "critical" violation, unless the rule is a known
issue in Streamlit's own page furniture, listed in KNOWN_ISSUES (and written up in
docs/ACCESSIBILITY.md) and confined to the part of the page named in KNOWN_ISSUE_SCOPE:
the same rule failing anywhere else still fails the test. Pages not built yet are
skipped. A screenshot of each page is saved as test-artifacts/a11y_<page>.png.

axe-core is fetched, pinned, by `make .cache/axe-core/axe.min.js` (part of `make test`).
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from axe_support import AXE_VERSION, axe_file, blocking, format_violations, run_axe
from conftest import ARTIFACTS
from playwright.sync_api import expect

from ui import page_list

pytestmark = pytest.mark.browser

# URL path of each page ("" is the default page, At a glance).
PAGES = [page.url_path for page in page_list.PAGES]

# Rules that fail because of how Streamlit itself draws its page furniture, which the app
# cannot change. Each is written up in docs/ACCESSIBILITY.md; remove an entry when a
# Streamlit upgrade fixes it (the test then guards against its return).
KNOWN_ISSUES: dict[str, str] = {
    "list": (
        "Streamlit's sidebar page menu (st.navigation with sections): the <ul "
        "data-testid='stSidebarNavItems'> holds one <div> per section (its <header> and "
        "its links) instead of only <li> elements, so screen readers may not announce it "
        "as a list of pages or say how many there are. The links themselves work with the "
        "keyboard and are announced by name."
    ),
    "listitem": (
        "The same sidebar page menu: each page link is an <li> whose parent is a section "
        "<div>, not the <ul>, so it is not announced as an item in a list."
    ),
}
# Where each known issue is allowed: the element axe reports must be inside this.
KNOWN_ISSUE_SCOPE: dict[str, str] = {
    "list": '[data-testid="stSidebarNavItems"]',
    "listitem": '[data-testid="stSidebarNavItems"]',
}

VIEWPORT = {"width": 1366, "height": 900}
TIMEOUT = 60_000  # ms; generous, as the first page computes every comparison


def _wait_idle(page) -> None:
    """The page's title is shown and Streamlit has finished running the script."""
    expect(page.locator("h1").first).to_be_visible(timeout=TIMEOUT)
    expect(
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    ).to_have_count(1, timeout=TIMEOUT)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=TIMEOUT)


def _show_whole_page(page) -> None:
    """Make the window as tall as the page.

    Streamlit scrolls its main area inside the window, and axe cannot work out the
    colours of text scrolled out of view, so it would miss contrast failures below the
    fold. Growing the viewport (a few times: some content grows with it) puts every
    element on screen; it also makes the screenshot show the whole page.
    """
    height = VIEWPORT["height"]
    for _ in range(6):
        needed = page.evaluate(
            """() => Math.max(...['[data-testid="stMain"]', '[data-testid="stSidebarContent"]']
                .map(s => document.querySelector(s)).filter(Boolean)
                .map(e => e.scrollHeight), document.documentElement.scrollHeight)"""
        )
        if needed <= height:
            break
        height = min(needed + 40, 16_000)
        page.set_viewport_size({"width": VIEWPORT["width"], "height": height})
        _wait_idle(page)


def _outside_scope(page, violation: dict) -> dict | None:
    """The part of a known-issue violation outside its allowed scope (None if none is)."""
    scope = KNOWN_ISSUE_SCOPE.get(violation["id"])
    nodes = violation.get("nodes") or []
    if scope is None:
        return violation
    inside = page.evaluate(
        """([targets, scope]) => targets.map(t => {
            if (t.length !== 1 || typeof t[0] !== 'string') return false;
            const element = document.querySelector(t[0]);
            return !!(element && element.closest(scope));
        })""",
        [[node.get("target") or [] for node in nodes], scope],
    )
    stray = [node for node, ok in zip(nodes, inside, strict=True) if not ok]
    return {**violation, "nodes": stray} if stray else None


@pytest.fixture(scope="module")
def axe_available():
    axe_file()  # skips every test here, with the make command, when the file is missing


@pytest.fixture(scope="module")
def app_started(server, browser):
    """Open the main page once before any deep link, so the caches are warm.

    (Page files live in app_pages/, not pages/: Streamlit serves a folder named pages/
    on its own, without app.py's navigation, to the first visitor of a deep link.)
    """
    first = browser.new_page()
    first.goto(server)
    _wait_idle(first)
    first.close()
    return server


@pytest.mark.parametrize("path", PAGES, ids=[p or "at_a_glance" for p in PAGES])
def test_page_has_no_serious_accessibility_violations(app_started, page, axe_available, path):
    name = path or "at_a_glance"
    page.set_viewport_size(VIEWPORT)
    page.goto(f"{app_started}/{path}")
    _wait_idle(page)
    landed = urlparse(page.url).path.strip("/")
    if landed != path or page.get_by_text("Page not found").count():
        pytest.skip(f"page not built yet (/{path} is not in the app's navigation)")

    _show_whole_page(page)
    violations = run_axe(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"a11y_{name}.png"), full_page=True)

    failing = blocking(violations)
    unexplained = [v for v in failing if v["id"] not in KNOWN_ISSUES]
    for violation in failing:
        if violation["id"] in KNOWN_ISSUES:
            stray = _outside_scope(page, violation)
            if stray:
                unexplained.append(stray)

    errors = page.get_by_test_id("stException").all_inner_texts()
    problems = []
    if errors:
        problems.append(
            "the page shows an error, so it was only partly checked: "
            + " | ".join(e.splitlines()[0] for e in errors)
        )
    if unexplained:
        problems.append(
            f"axe-core {AXE_VERSION} found serious or critical WCAG 2.1 AA violations "
            f"(screenshot: test-artifacts/a11y_{name}.png):\n{format_violations(unexplained)}"
        )
    if problems:
        pytest.fail(f"/{path}: " + "\n".join(problems), pytrace=False)


def test_known_issues_are_written_up():
    """Every rule excused here is explained in the accessibility statement."""
    from conftest import PROJECT

    statement = (PROJECT / "docs" / "ACCESSIBILITY.md").read_text(encoding="utf-8")
    assert set(KNOWN_ISSUE_SCOPE) == set(KNOWN_ISSUES)
    missing = [rule for rule in KNOWN_ISSUES if f"`{rule}`" not in statement]
    assert not missing, f"docs/ACCESSIBILITY.md does not mention the known issues {missing}"
    assert AXE_VERSION in statement, f"docs/ACCESSIBILITY.md should name axe-core {AXE_VERSION}"
