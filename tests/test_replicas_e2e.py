"""The replica set-up end to end: nginx, two readers, one writer (deploy/replicas.py).

Pages load through nginx (HTTP and the WebSocket), a load committed on the writer's
Data page (through nginx's /admin/) is published, and both readers show it at their
very next page run without a restart.
"""

from __future__ import annotations

import os
import re
import shutil
import urllib.request

import pytest
from conftest import ARTIFACTS
from fixtures import quarterly as q
from playwright.sync_api import expect

from deploy.replicas import WRITER_NICENESS, NginxMissing, nginx_binary, running

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


def _reader_cookie(url: str, cookie: str | None = None) -> str:
    """The ``cp_replica`` cookie nginx sets on an answer to ``url``: the reader that answered."""
    headers = {"Cookie": cookie} if cookie else {}
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
        found = [c for c in r.headers.get_all("Set-Cookie") if c.startswith("cp_replica=")]
    assert len(found) == 1, found
    return found[0].split(";")[0]


def test_new_sessions_take_the_readers_in_turn_and_keep_theirs(replicas):
    """nginx places each new client on the next reader (an even spread: hashing keys left
    one reader nearly twice the other's work in the load test), and its cookie keeps the
    client on that reader for every later request (its WebSocket, its downloads)."""
    readers = {
        f"cp_replica={url.removeprefix('http://').replace('localhost', '127.0.0.1')}"
        for url in replicas.reader_urls
    }
    new_clients = [_reader_cookie(f"{replicas.url}/_stcore/health") for _ in range(4)]
    assert set(new_clients) == readers  # both readers used...
    assert new_clients[0] != new_clients[1] and new_clients[:2] == new_clients[2:]  # in turn
    for cookie in sorted(readers):
        kept = {_reader_cookie(f"{replicas.url}/_stcore/health", cookie) for _ in range(4)}
        assert kept == {cookie}


def test_the_writer_runs_at_a_lower_priority_than_the_readers(replicas):
    """A commit's burst of work on the writer must not take the processor from the pages
    the panel reads (deploy/replicas.py): the kernel favours the readers."""
    assert WRITER_NICENESS > 0
    assert os.getpriority(os.PRIO_PROCESS, replicas.writer_pid) == WRITER_NICENESS
    for pid in replicas.reader_pids:
        assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0)


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
