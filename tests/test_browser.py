"""The running app in headless Chromium (Debian's /usr/bin/chromium), as a councillor sees it."""

from __future__ import annotations

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
    from indicators.at_a_glance import headline_tiles
    from loaders.store import open_store

    con = open_store(demo_db)
    expected = [tile["value"] for tile in headline_tiles(con, "172")]
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
