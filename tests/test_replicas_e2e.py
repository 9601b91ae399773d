"""The replica set-up end to end: nginx, two readers, one writer (deploy/replicas.py).

Pages load through nginx (HTTP and the WebSocket), a load committed on the writer's
Data page (through nginx's /admin/) is published, and both readers show it at their
very next page run without a restart.
"""

from __future__ import annotations

import re
import shutil
import urllib.request

import pytest
from conftest import ARTIFACTS
from fixtures import quarterly as q
from playwright.sync_api import expect

from deploy.replicas import NginxMissing, nginx_binary, running

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture
def replicas(demo_db, tmp_path):
    try:
        nginx_binary()
    except NginxMissing as missing:
        pytest.skip(f"{missing} (the replica set-up needs it)")
    store = tmp_path / "writer.duckdb"
    shutil.copyfile(demo_db, store)
    with running(store, tmp_path / "replicas", readers=2) as setup:
        yield setup


def _shown_load(page, url: str) -> int:
    """Open At a glance at ``url`` and read which load its sidebar says it shows."""
    page.goto(f"{url}/?council=172")
    caption = page.get_by_text(re.compile(r"Data as loaded .* \(load \d+\)"))
    expect(caption).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=60_000)
    return int(re.search(r"\(load (\d+)\)", caption.inner_text()).group(1))


def test_readers_behind_nginx_show_a_commit_made_on_the_writer(replicas, page, tmp_path):
    with urllib.request.urlopen(f"{replicas.url}/_stcore/health", timeout=5) as answer:
        assert answer.read() == b"ok"
    page.set_viewport_size({"width": 1366, "height": 1000})
    before = _shown_load(page, replicas.url)  # through nginx: HTTP and the WebSocket
    assert [_shown_load(page, url) for url in replicas.reader_urls] == [before, before]

    page.goto(f"{replicas.url}/data?council=172")
    expect(page.get_by_text("This copy of the dashboard is for reading")).to_be_visible(
        timeout=60_000
    )
    expect(page.locator('[data-testid="stFileUploader"]')).to_have_count(0)

    values = tmp_path / "quarterly_return_Q1.csv"
    values.write_text(q.quarterly_return(q.row("cla_count", "300")), encoding="utf-8")
    page.goto(f"{replicas.writer_url}data?council=172")
    expect(page.get_by_text("Single-user local mode").first).to_be_visible(timeout=60_000)
    page.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files([str(values)])
    commit = page.get_by_role("button", name="Commit this load")
    expect(commit).to_be_visible(timeout=60_000)
    commit.click()
    expect(page.get_by_text("committed").first).to_be_visible(timeout=60_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "replicas_writer_commit.png"))

    # The writer published before saying "committed": the very next page on every reader
    # shows the load (a run reads which store is current when it starts).
    for url in [*replicas.reader_urls, replicas.url]:
        assert _shown_load(page, url) == before + 1, url
    page.screenshot(path=str(ARTIFACTS / "replicas_reader_after_commit.png"))
