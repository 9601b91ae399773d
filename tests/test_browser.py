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
def server(demo_db):
    port = _free_port()
    env = {**os.environ, "CP_DB": str(demo_db)}
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--browser.gatherUsageStats", "false"],
        cwd=PROJECT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
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
    page.wait_for_selector('[data-testid="stMetric"]', timeout=30_000)
    page.get_by_test_id("stStatusWidget").wait_for(state="detached", timeout=30_000)


def test_at_a_glance_shows_headline_numbers(server, page):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(server)
    _wait_idle(page)
    assert page.get_by_role("heading", name="At a glance").is_visible()
    assert page.get_by_text("Demo data — fictional councils").first.is_visible()
    metrics = page.locator('[data-testid="stMetricValue"]').all_inner_texts()
    assert len(metrics) == 6
    assert re.fullmatch(r"[\d,]+", metrics[0]), metrics
    table = page.locator('[data-testid="stDataFrame"]')
    assert table.is_visible()
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
