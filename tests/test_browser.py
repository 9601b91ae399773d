"""The running app in headless Chromium (Debian's /usr/bin/chromium), as a councillor sees it."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import PROJECT
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = PROJECT / "test-artifacts"


@pytest.fixture(scope="session")
def browser_type_launch_args():
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (make test installs it)")
    return {
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def server(demo_db, tmp_path_factory):
    # Its own copy: DuckDB lets one process at a time hold a file open for writing.
    database = tmp_path_factory.mktemp("server") / "demo.duckdb"
    shutil.copyfile(demo_db, database)
    port = _free_port()
    env = {**os.environ, "CP_DB": str(database)}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            "app.py",
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://localhost:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode() == "ok":
                    break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        pytest.fail("Streamlit did not become healthy within 60 s")
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def _wait_idle(page) -> None:
    """Wait for content, not for time: the table is the last thing the page draws."""
    expect(page.locator('[data-testid="stDataFrame"]')).to_be_visible(timeout=30_000)
    expect(page.locator('[data-testid="stMetric"]')).to_have_count(6, timeout=30_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=30_000)


def test_at_a_glance_shows_headline_numbers(server, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(server)
    _wait_idle(page)
    expect(page.get_by_role("heading", name="At a glance")).to_be_visible()
    expect(page.get_by_text("Demo data — fictional councils").first).to_be_visible()
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert len(metrics) == 6
    assert re.fullmatch(r"[\d,]+", metrics[0]), metrics
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "at_a_glance.png"), full_page=True)


def test_a_shared_link_opens_the_same_council(server, page):
    page.goto(server)
    _wait_idle(page)
    chosen = page.locator('[data-testid="stSelectbox"]').first.inner_text()
    link = page.url
    assert "council=" in link
    page.goto(link)
    _wait_idle(page)
    assert page.locator('[data-testid="stSelectbox"]').first.inner_text() == chosen


def test_choosing_a_council_in_the_sidebar_updates_page_and_link(server, page, demo_db):
    from indicators.at_a_glance import headline_tiles
    from loaders.store import open_store

    con = open_store(demo_db)
    expected = [tile["value"] for tile in headline_tiles(con, "172")]
    con.close()

    page.goto(server)
    _wait_idle(page)
    box = page.locator('[data-testid="stSelectbox"]').first
    box.click()
    page.keyboard.type("Wyrebrook")
    page.keyboard.press("Enter")
    values = page.locator('[data-testid="stMetricValue"]')
    expect(page.locator("h3").first).to_contain_text("Wyrebrook", timeout=30_000)
    expect(values.first).to_have_text(expected[0], timeout=30_000)
    _wait_idle(page)
    assert values.all_inner_texts() == expected
    assert "council=172" in page.url
    expect(page.get_by_text("Demo data — fictional councils").first).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "at_a_glance_after_choice.png"), full_page=True)
