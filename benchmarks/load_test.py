"""Load test: many panel members reading at once, measured at the server, with no browser.

Usage:
    .venv/bin/python benchmarks/load_test.py [--url URL | --replicas] [--db FILE]
        [--readers 30] [--rounds 2] [--reading 5] [--saturation] [--analyst] [--quick]
        [--real]

Why a protocol-level client: a browser per simulated reader would need 30 Chromiums
on a 2-core machine and would measure the browsers, not the server. Each simulated
reader here speaks Streamlit's own protocol over one WebSocket, as the front end
does (``/_stcore/stream``, subprotocol ``streamlit``): it sends a ``BackMsg`` whose
``rerun_script`` names the page (``page_name``) and the address's query string, and
reads ``ForwardMsg``s until ``script_finished``. The server run time of a page is
the wait from that send to ``script_finished`` (queueing behind other sessions'
runs included: that is what a reader waits for). The client lists no
``cached_message_hashes``, so the server never answers with a ``ref_hash`` to a
message the client does not hold; a ``ref_hash`` arriving anyway is an error.

A round of one reader is what a panel member does before a meeting: At a glance
and the scorecard for one council, then three lines of enquiry (cohort,
stability, care leavers), each for another council, with ``--reading`` seconds
of reading between pages. The council is changed as a person changes it, by the
sidebar's "Council" select box (its widget state is sent with the next run).
Readers start spread over the first reading interval. Before the clock starts,
each server runs one page (``warm_up``), as a replica that has served a panel
before would have.

Errors: an exception shown on the page, a compile error, a page not found, a
``ref_hash``, a dropped connection, or no ``script_finished`` within the timeout.
A run is also checked to hold real content (its headings are kept), so an empty
page cannot pass for a fast one.

Scenarios:
- ``--url URL``: any running app (a single process is the baseline).
- ``--replicas``: starts two reader replicas, one writer and nginx over a published
  read-only copy of the store (``deploy.replicas.running``) and reads through nginx;
  each replica's memory (VmRSS from /proc) is sampled throughout.
- neither: serves a copy of the demo store (or ``--db``) from one ``streamlit run``.
- ``--analyst``: while the readers run, an analyst in Debian's Chromium uploads
  files on the writer's Data page and commits each (see ``analyst_files``: two
  quarterly returns on the demo store, which refuses DfE's files by design; a
  quarterly return and DfE release files on a real store). Reported: each commit's
  time, when the writer published it (``CURRENT`` replaced), when each reader
  replica first drew a page from it (the sidebar's "(load N)" caption), and how
  many runs (the readers' and the watchers') that started after the publish still
  showed an older load: any such run fails the load test.
- ``--real`` (with ``CP_REFERENCE_DATA``): instead of ``--db``, a real store built
  from DfE's 2024 release, the outcomes files, ONS population and the 2025
  neighbour list, so that the analyst has DfE's 2025 release to commit.
- ``--saturation``: no reading time; the report gives runs per second.

The report is a markdown table: runs, errors, p50/p95 server run time per page,
bytes received, and the memory of each server process.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import os
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))

from deploy.processes import serving  # noqa: E402
from ui.page_list import PAGES  # noqa: E402

T = TypeVar("T")

STREAM_PATH = "/_stcore/stream"
SUBPROTOCOL = "streamlit"
RUN_TIMEOUT_SECONDS = 180.0
WARMED_WITHIN_SECONDS = 120.0  # a launcher's warm-up on a loaded 2-core machine
# A panel member's round: the overview pages for one council, then three lines of
# enquiry, each for another council.
OVERVIEW_PAGES = ("at_a_glance", "scorecard")
LINE_PAGES = ("cohort", "stability", "care_leavers")
ROUND_PAGES = OVERVIEW_PAGES + LINE_PAGES
COUNCIL_LABEL = "Council"
COUNCIL_OPTION = re.compile(r"\((\w+)\)\s*$")
# The sidebar's caption naming the load the page was drawn from ("… (load 12)").
LOAD_MARKER = re.compile(r"\(load (\d+)\)")
FINISHED_OK = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}
RSS_SAMPLE_SECONDS = 0.5
REPLICA_KEY_HEADER = "X-Replica-Key"
TIMED_OUT = "no script_finished within"
SESSION_ENDING_ERRORS = ("connection", TIMED_OUT)


def url_path(page_name: str) -> str:
    """The address of a page as the front end names it in ``rerun_script.page_name``."""
    for page in PAGES:
        if page.name == page_name:
            return page.url_path
    raise ValueError(f"no page called {page_name!r}")


def stream_url(app_url: str) -> str:
    """The WebSocket address of an app at ``http(s)://host:port[/base]``."""
    base = app_url.rstrip("/")
    if base.startswith("https://"):
        return "wss://" + base.removeprefix("https://") + STREAM_PATH
    if base.startswith("http://"):
        return "ws://" + base.removeprefix("http://") + STREAM_PATH
    raise ValueError(f"not an http(s) address: {app_url}")


def rerun_message(
    page_name: str, query_string: str, string_widgets: dict[str, str] | None = None
) -> bytes:
    """The BackMsg the front end sends to run a page: page, query string, widget states.

    ``string_widgets`` maps a widget id to its string value (a select box's option as
    shown). No cached message hashes are listed, so the server sends every message whole.
    """
    message = BackMsg()
    request = message.rerun_script
    request.page_name = page_name
    request.query_string = query_string
    for widget_id, value in (string_widgets or {}).items():
        state = request.widget_states.widgets.add()
        state.id = widget_id
        state.string_value = value
    return message.SerializeToString()


def council_of_option(option: str) -> str | None:
    """The council code in a Council select box option ("Wyrebrook (172)" → "172")."""
    found = COUNCIL_OPTION.search(option)
    return found.group(1) if found else None


@dataclass
class PageRun:
    """What one script run sent back: read ForwardMsg by ForwardMsg until it finishes."""

    page: str
    council: str
    started: float = 0.0
    seconds: float = math.nan
    bytes_received: int = 0
    messages: int = 0
    finished: bool = False
    errors: list[str] = field(default_factory=list)
    headings: list[str] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    elements: dict[str, int] = field(default_factory=dict)
    council_widget_id: str | None = None
    council_options: dict[str, str] = field(default_factory=dict)  # code → option
    query_string: str | None = None  # the address the run last set

    def observe(self, raw: bytes) -> bool:
        """Take one ForwardMsg (serialised); True once the run has finished."""
        self.bytes_received += len(raw)
        self.messages += 1
        message = ForwardMsg()
        message.ParseFromString(raw)
        kind = message.WhichOneof("type")
        if kind == "delta" and message.delta.WhichOneof("type") == "new_element":
            self._element(message.delta.new_element)
        elif kind == "ref_hash":
            self.errors.append(f"ref_hash {message.ref_hash} for a message the client lacks")
        elif kind == "page_not_found":
            self.errors.append(f"page not found: {message.page_not_found.page_name!r}")
        elif kind == "page_info_changed":
            self.query_string = message.page_info_changed.query_string
        elif kind == "script_finished":
            self._check_council()
            if message.script_finished not in FINISHED_OK:
                name = ForwardMsg.ScriptFinishedStatus.Name(message.script_finished)
                if name != "FINISHED_EARLY_FOR_RERUN":
                    self.errors.append(f"script finished: {name}")
            self.finished = True
        return self.finished

    def _check_council(self) -> None:
        """The page must have been drawn for the council asked for (the address says)."""
        if not self.council or self.query_string is None:
            return
        shown = parse_qs(self.query_string).get("council", [None])[0]
        if shown != self.council:
            self.errors.append(f"drawn for council {shown}, asked for {self.council}")

    def _element(self, element) -> None:
        kind = element.WhichOneof("type")
        self.elements[kind] = self.elements.get(kind, 0) + 1
        if kind == "exception":
            self.errors.append(
                f"exception: {element.exception.type}: {element.exception.message[:200]}"
            )
        elif kind == "heading":
            self.headings.append(element.heading.body)
        elif kind == "markdown":
            self.texts.append(element.markdown.body)
        elif kind == "selectbox" and element.selectbox.label == COUNCIL_LABEL:
            self.council_widget_id = element.selectbox.id
            for option in element.selectbox.options:
                if (code := council_of_option(option)) is not None:
                    self.council_options[code] = option

    @property
    def load_number(self) -> int | None:
        """The load the page says it was drawn from, if its sidebar says so."""
        for text in self.texts:
            if found := LOAD_MARKER.search(text):
                return int(found.group(1))
        return None


class ProtocolSession:
    """One browser tab's worth of Streamlit session, spoken over one WebSocket."""

    def __init__(
        self, app_url: str, timeout: float = RUN_TIMEOUT_SECONDS, replica_key: str = ""
    ) -> None:
        self.app_url = app_url
        self.replica_key = replica_key
        self.timeout = timeout
        self._socket = None
        self.council_widget_id: str | None = None
        self.council_options: dict[str, str] = {}

    async def __aenter__(self) -> ProtocolSession:
        self._socket = await websockets.connect(
            stream_url(self.app_url),
            subprotocols=[SUBPROTOCOL],
            max_size=None,
            open_timeout=self.timeout,
            ping_interval=None,  # a busy server must not be dropped for a late pong
            # nginx's sticky key for a client without cookies (deploy/nginx.conf.template)
            additional_headers={REPLICA_KEY_HEADER: self.replica_key} if self.replica_key else None,
        )
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._socket is not None:
            await self._socket.close()

    async def run(self, page: str, council: str) -> PageRun:
        """Run ``page`` for ``council`` and read until the run finishes (or fails)."""
        widgets = {}
        if self.council_widget_id and council in self.council_options:
            widgets[self.council_widget_id] = self.council_options[council]
        result = PageRun(page, council)
        result.started = time.perf_counter()
        try:
            await self._socket.send(rerun_message(url_path(page), f"council={council}", widgets))
            async with asyncio.timeout(self.timeout):
                while not result.observe(await self._socket.recv()):
                    pass
        except TimeoutError:
            result.errors.append(f"{TIMED_OUT} {self.timeout:g} s")
        except (websockets.ConnectionClosed, OSError) as error:
            result.errors.append(f"connection: {type(error).__name__}: {error}")
        result.seconds = time.perf_counter() - result.started
        if result.council_widget_id:
            self.council_widget_id = result.council_widget_id
            self.council_options = result.council_options or self.council_options
        return result


def reader_plan(reader: int, councils: Sequence[str], rounds: int) -> list[tuple[str, str]]:
    """(page, council) in order for one reader: each round, the overview for one council
    and each line of enquiry for another; readers and rounds move along the list."""
    if not councils:
        raise ValueError("no councils to read")
    plan = []
    per_round = 1 + len(LINE_PAGES)
    for round_number in range(rounds):
        first = (reader * per_round + round_number * 7) % len(councils)
        chosen = [councils[(first + offset) % len(councils)] for offset in range(per_round)]
        plan += [(page, chosen[0]) for page in OVERVIEW_PAGES]
        plan += list(zip(LINE_PAGES, chosen[1:], strict=True))
    return plan


async def one_reader(
    app_url: str,
    reader: int,
    councils: Sequence[str],
    rounds: int,
    reading: float,
    start_delay: float,
    results: list[PageRun],
    timeout: float = RUN_TIMEOUT_SECONDS,
) -> None:
    """A panel member: one session, a round of pages, reading between them."""
    await asyncio.sleep(start_delay)
    plan = reader_plan(reader, councils, rounds)
    try:
        # No X-Replica-Key: nginx places each new session on the next reader in turn.
        async with ProtocolSession(app_url, timeout) as session:
            for index, (page, council) in enumerate(plan):
                if index and reading:
                    await asyncio.sleep(reading)
                run = await session.run(page, council)
                results.append(run)
                if any(e.startswith(SESSION_ENDING_ERRORS) for e in run.errors):
                    return  # the socket is gone, or would still carry the late run's messages
    except (websockets.InvalidHandshake, OSError, TimeoutError) as error:
        failed = PageRun(plan[0][0], plan[0][1], started=time.perf_counter(), seconds=0.0)
        failed.errors.append(f"connection: {type(error).__name__}: {error}")
        results.append(failed)


async def warm_up(server_urls: Sequence[str], council: str) -> None:
    """One run of At a glance on each server before the timed runs.

    A panel's replicas have served pages for hours before a meeting: their shared
    tables (every indicator, the comparisons) are computed or read back already.
    A server started for the test does that on its first run (seconds), which is
    not what a panel member meets, so it is done before the clock starts.
    """

    async def one(url: str) -> None:
        async with ProtocolSession(url) as session:
            run = await session.run(OVERVIEW_PAGES[0], council)
        if run.errors:
            raise RuntimeError(f"warming {url} failed: {run.errors[0]}")

    await asyncio.gather(*(one(url) for url in server_urls))


def launchers_warmed(logs: Sequence[Path], within: float = WARMED_WITHIN_SECONDS) -> None:
    """Return once every server's log says its launcher's warm-up has ended (done or
    failed: ``ui.serve``). It begins with a server's first run (``warm_up`` above) and
    goes on after it, filling the shared caches; a panel's replicas finished that long
    before a meeting, so the clock starts after it. Raises if one has not ended in time.
    """
    from ui.serve import WARMED, WARMING_FAILED

    deadline = time.perf_counter() + within
    waiting = list(logs)
    while waiting:
        waiting = [
            log
            for log in waiting
            if not any(
                said in (log.read_text(errors="replace") if log.exists() else "")
                for said in (WARMED, WARMING_FAILED)
            )
        ]
        if waiting and time.perf_counter() > deadline:
            raise RuntimeError(f"no warm-up ended within {within:g} s in {waiting[0]}")
        if waiting:
            time.sleep(0.1)


async def councils_offered(app_url: str) -> list[str]:
    """The councils the app's sidebar offers (read from one run of the default page)."""
    async with ProtocolSession(app_url) as session:
        run = await session.run("at_a_glance", "")
    if run.errors or not run.council_options:
        raise RuntimeError(f"could not read the councils from {app_url}: {run.errors}")
    return list(run.council_options)


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` percentile (0–100) of ``values``, interpolated between ranks."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = (len(ordered) - 1) * share / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class PageFigures:
    page: str
    runs: int
    errors: int
    p50: float
    p95: float
    mean_kib: float


def page_figures(results: Sequence[PageRun]) -> list[PageFigures]:
    """Per page (round order, then any other): runs, errors, p50/p95 seconds, KiB received.

    A run with an error counts in ``errors`` and not in the timings."""
    by_page: dict[str, list[PageRun]] = {}
    for run in results:
        by_page.setdefault(run.page, []).append(run)
    order = [p for p in ROUND_PAGES if p in by_page] + sorted(set(by_page) - set(ROUND_PAGES))
    figures = []
    for page in order:
        runs = by_page[page]
        good = [r.seconds for r in runs if not r.errors]
        figures.append(
            PageFigures(
                page,
                len(runs),
                sum(1 for r in runs if r.errors),
                percentile(good, 50),
                percentile(good, 95),
                statistics.fmean(r.bytes_received for r in runs) / 1024,
            )
        )
    return figures


def runs_per_second(results: Sequence[PageRun]) -> float:
    """Runs finished without error per second, from the first send to the last finish."""
    good = [r for r in results if not r.errors]
    if not good:
        return 0.0
    span = max(r.started + r.seconds for r in good) - min(r.started for r in good)
    return len(good) / span if span > 0 else math.nan


def rss_kib(pid: int) -> int | None:
    """A process's resident memory (VmRSS, KiB) from /proc, None once it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return None


def children(pid: int) -> list[int]:
    """A process's children (every thread's), from /proc."""
    found: list[int] = []
    for listing in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(child) for child in listing.read_text().split()]
        except OSError:
            continue
    return found


def tree_rss_kib(pid: int) -> int | None:
    """Resident memory of a process and all its descendants (nginx's workers, say)."""
    own = rss_kib(pid)
    if own is None:
        return None
    return own + sum(tree_rss_kib(child) or 0 for child in children(pid))


def cpu_seconds(pid: int) -> float | None:
    """CPU a process has used (user + system, seconds) from /proc, None once it has gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name (which may hold spaces) in parentheses.
    fields = stat[stat.rindex(")") + 2 :].split()
    user, system = int(fields[11]), int(fields[12])  # utime, stime: fields 14 and 15
    return (user + system) / os.sysconf("SC_CLK_TCK")


def tree_cpu_seconds(pid: int) -> float | None:
    """CPU used by a process and its living descendants."""
    own = cpu_seconds(pid)
    if own is None:
        return None
    return own + sum(tree_cpu_seconds(child) or 0.0 for child in children(pid))


@dataclass
class MemorySamples:
    """Resident memory (and CPU used so far) of named processes with their children,
    sampled through a run: CPU per run says what a page costs the servers whatever
    else the machine is doing, which waits do not."""

    pids: dict[str, int]
    samples: dict[str, list[int]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)

    def sample(self) -> None:
        for name, pid in self.pids.items():
            if (kib := tree_rss_kib(pid)) is not None:
                self.samples.setdefault(name, []).append(kib)
            if (seconds := tree_cpu_seconds(pid)) is not None:
                self.cpu.setdefault(name, []).append(seconds)

    def cpu_used(self, name: str) -> float | None:
        """CPU seconds the process used between the first sample and the last."""
        seconds = self.cpu.get(name, [])
        return seconds[-1] - seconds[0] if len(seconds) >= 2 else None

    async def sample_every(self, seconds: float, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.sample()
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)
        self.sample()


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def report(
    results: Sequence[PageRun], memory: MemorySamples, title: str, wall_seconds: float
) -> str:
    """The markdown report of one scenario."""
    figures = page_figures(results)
    rows = [
        [f.page, f.runs, f.errors, f"{f.p50:.2f}", f"{f.p95:.2f}", f"{f.mean_kib:.0f}"]
        for f in figures
    ]
    good = [r.seconds for r in results if not r.errors]
    rows.append(
        [
            "**all**",
            len(results),
            sum(1 for r in results if r.errors),
            f"{percentile(good, 50):.2f}",
            f"{percentile(good, 95):.2f}",
            f"{statistics.fmean(r.bytes_received for r in results) / 1024:.0f}" if results else "-",
        ]
    )
    parts = [
        f"### {title}",
        "",
        markdown_table(["page", "runs", "errors", "p50 s", "p95 s", "KiB received (mean)"], rows),
        "",
        f"{runs_per_second(results):.2f} runs/s without error over {wall_seconds:.0f} s.",
    ]
    if memory.samples:
        used = {name: memory.cpu_used(name) for name in memory.samples}
        parts += [
            "",
            markdown_table(
                ["process", "RSS MiB at start", "peak", "at end", "CPU s used"],
                [
                    [
                        name,
                        f"{kib[0] / 1024:.0f}",
                        f"{max(kib) / 1024:.0f}",
                        f"{kib[-1] / 1024:.0f}",
                        "-" if used[name] is None else f"{used[name]:.1f}",
                    ]
                    for name, kib in memory.samples.items()
                ],
            ),
        ]
        total = sum(seconds for seconds in used.values() if seconds is not None)
        finished = sum(1 for r in results if not r.errors)
        if finished and total:
            parts += [
                "",
                f"Server CPU per page run: {total / finished:.3f} s "
                f"({total:.1f} s of CPU over {finished} runs, every process above).",
            ]
    errors: dict[str, int] = {}
    for run in results:
        for error in run.errors:
            errors[f"{run.page}: {error}"] = errors.get(f"{run.page}: {error}", 0) + 1
    if errors:
        parts += ["", "Errors:"] + [f"- {n} × {e}" for e, n in sorted(errors.items())[:20]]
    return "\n".join(parts)


@dataclass
class Outcome:
    """Everything one scenario measured."""

    runs: list[PageRun]
    wall_seconds: float
    commits: list[Commit] = field(default_factory=list)
    visibility: list[Visibility] = field(default_factory=list)
    published: dict[int, Publish] = field(default_factory=dict)
    watch_runs: list[PageRun] = field(default_factory=list)  # the replica watchers' runs
    analyst_error: str | None = None


def run_in_own_loop(coroutine: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` in a thread of its own, so it works whatever runs in this one
    (Playwright's sync API keeps an event loop running in the thread that uses it, as
    the analyst and the browser tests do, and ``asyncio.run`` refuses to nest)."""
    result: list[T] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            result.append(asyncio.run(coroutine))
        except BaseException as error:  # handed to the caller's thread below
            failure.append(error)

    thread = threading.Thread(target=target, name="load-test-loop")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return result[0]


async def run_readers(
    app_url: str,
    readers: int,
    rounds: int,
    reading: float,
    memory: MemorySamples,
    councils: Sequence[str] | None = None,
    writer_url: str | None = None,
    analyst_files: Sequence[tuple[str, Sequence[Path]]] = (),
    replica_urls: dict[str, str] | None = None,
    publish_dir: Path | None = None,
    server_logs: Sequence[Path] = (),
) -> Outcome:
    """All readers at once, memory sampled throughout; with ``analyst_files``, an
    analyst commits each on ``writer_url`` meanwhile and every replica in
    ``replica_urls`` is watched until it shows each commit. The clock starts once
    every server in ``server_logs`` has finished warming."""
    councils = list(councils or await councils_offered(app_url))
    await warm_up(list((replica_urls or {"app": app_url}).values()), councils[-1])
    await asyncio.to_thread(launchers_warmed, server_logs)
    results: list[PageRun] = []
    stop = asyncio.Event()
    sampler = asyncio.create_task(memory.sample_every(RSS_SAMPLE_SECONDS, stop))
    loop = asyncio.get_running_loop()
    commits: asyncio.Queue = asyncio.Queue()
    analyst_job = watcher = None
    publishes: list[Publish] = []
    watch_runs: list[PageRun] = []
    made: list[Commit] = []  # the analyst's commits, as each is made (kept if it fails later)
    poller = None
    if analyst_files:
        if publish_dir is not None:
            poller = asyncio.create_task(watch_current(publish_dir, stop, publishes))

        def on_commit(commit: Commit) -> None:  # from the analyst's thread
            made.append(commit)
            loop.call_soon_threadsafe(commits.put_nowait, commit)

        analyst_job = loop.run_in_executor(
            None, analyst, writer_url or app_url, analyst_files, on_commit, ANALYST_START_SECONDS
        )
        watcher = asyncio.create_task(
            watch_commits(
                commits,
                replica_urls or {"app": app_url},
                len(analyst_files),
                None if publish_dir is None else publishes,
                watch_runs,
            )
        )
    started = time.perf_counter()
    spread = reading / readers if reading else 0.0
    await asyncio.gather(
        *(
            one_reader(app_url, i, councils, rounds, reading, i * spread, results)
            for i in range(readers)
        )
    )
    outcome = Outcome(results, time.perf_counter() - started)
    if analyst_job is not None:
        try:
            await analyst_job
        except Exception as error:  # the analyst's failure is reported, not hidden
            outcome.analyst_error = f"{type(error).__name__}: {str(error)[:300]}"
        outcome.commits = list(made)
        commits.put_nowait(None)
        outcome.visibility, outcome.published = await watcher
        outcome.watch_runs = watch_runs
    stop.set()
    await sampler
    if poller is not None:
        await poller
    return outcome


ANALYST_COUNCIL = "172"  # Wyrebrook, the demo's ordinary council
ANALYST_START_SECONDS = 10.0  # the readers are under way before the first commit
ANALYST_PAUSE_SECONDS = 10.0  # between the quarterly return's commit and the release's
COMMITTED = re.compile(r"Load (\d+) committed")
NOTHING_NEW = "Nothing new: these files are already loaded"
VISIBLE_WITHIN_SECONDS = 120.0
PUBLISHED_WITHIN_SECONDS = 60.0
WATCH_EVERY_SECONDS = 0.5
CURRENT_POLL_SECONDS = 0.02  # how often the load test reads the publish folder's CURRENT
# The DfE release the analyst commits on a real store (the files the store lacks).
RELEASE_FOLDER = Path("dfe") / "cla_release_2025"
REAL_ANALYST_COUNCIL = "857"  # Rutland
SECOND_DEMO_COUNCIL = "151"


def quarterly_return_file(database: Path, council: str, folder: Path) -> Path:
    """A council's quarterly return for 2024-25, made from the Data page's template
    (every catalogue indicator, each quarter, the value 12: one every indicator can
    take), named as the store names the council."""
    import duckdb

    from loaders.quarterly import return_template

    with duckdb.connect(str(database), read_only=True) as con:
        place = con.execute(
            "SELECT a.area_name, a.new_la_code, a.region_code, a.region_name "
            "FROM area_names a WHERE a.geographic_level = 'Local authority' "
            "AND a.area_code = ?",
            [council],
        ).fetchone()
    if place is None:
        raise ValueError(f"council {council} is not in {database}")
    header, rows = "", []
    for quarter in ("Q1", "Q2", "Q3", "Q4"):
        lines = return_template(council, *place, "202425", quarter).strip().splitlines()
        header = lines[0]
        rows += [line + "12" for line in lines[1:]]
    target = folder / f"quarterly_return_{council}.csv"
    target.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return target


def release_files_to_commit(database: Path, reference_data: Path) -> list[Path]:
    """The files of DfE's 2025 release that the store has never been given (by content),
    as an analyst would upload the release folder (a file DfE publishes that the
    dashboard does not use is reported "not used" and the rest committed; one the store
    was given before, loaded or not used, is left out)."""
    import hashlib

    import duckdb

    with duckdb.connect(str(database), read_only=True) as con:
        given = {
            sha
            for (sha,) in con.execute(
                "SELECT DISTINCT f.sha256 FROM load_files f JOIN loads l USING (load_id) "
                "WHERE l.status = 'committed'"
            ).fetchall()
        }
    files = sorted((reference_data / RELEASE_FOLDER).glob("*.csv"))
    return [f for f in files if hashlib.sha256(f.read_bytes()).hexdigest() not in given]


def build_store_without_release(reference_data: Path, path: Path) -> Path:
    """A real store for ``--real``: DfE's 2024 release, the outcomes files, ONS population
    and the 2025 neighbour list, but not the 2025 release, which the analyst commits."""
    from benchmarks.indicators import build_real_store

    build_real_store(reference_data, path, release_2025=False)
    return path


def analyst_files(
    database: Path, reference_data: Path | None, folder: Path
) -> list[tuple[str, list[Path]]]:
    """What the analyst commits, in order. On the demo store: a quarterly return, then
    another council's (the demo store refuses DfE's published files, by design). On a
    real store with $CP_REFERENCE_DATA: a quarterly return (Rutland), then the files of
    DfE's 2025 release the store was never given (``--real`` builds a store without
    them; a store that holds them all is refused: the analyst would commit nothing)."""
    import duckdb

    from loaders.identity import holds_demo_data

    with duckdb.connect(str(database), read_only=True) as con:
        demo = holds_demo_data(con)
    if demo:
        return [
            (f"quarterly return ({c})", [quarterly_return_file(database, c, folder)])
            for c in (ANALYST_COUNCIL, SECOND_DEMO_COUNCIL)
        ]
    if reference_data is None:
        raise SystemExit("--analyst on a real store needs CP_REFERENCE_DATA for DfE's files")
    release = release_files_to_commit(database, reference_data)
    if not release:
        raise SystemExit(
            f"{database} holds every file of DfE's 2025 release already, so the analyst "
            "would commit nothing new: use --real (a real store without that release)."
        )
    return [
        (
            f"quarterly return ({REAL_ANALYST_COUNCIL})",
            [quarterly_return_file(database, REAL_ANALYST_COUNCIL, folder)],
        ),
        (f"DfE 2025 release ({len(release)} files)", release),
    ]


@dataclass
class Commit:
    what: str
    load_id: int
    committed_at: float  # perf_counter when the Data page said "Load N committed"
    seconds: float  # upload to "committed", as the analyst waited


# The analyst's browser runs on the analyst's own computer in real use; here it shares
# the servers' two cores, so it runs at a lower priority and stands in for another machine
# rather than taking the readers' processor time (the writer is niced the same way in
# deploy/replicas.py, as a council would run it).
ANALYST_BROWSER_NICENESS = 10


def lower_priority(executable: Path, folder: Path) -> Path:
    """A script in ``folder`` that runs ``executable`` at ``ANALYST_BROWSER_NICENESS``
    (every process it starts inherits the priority)."""
    wrapper = folder / executable.name
    wrapper.write_text(
        f'#!/bin/sh\nexec nice -n {ANALYST_BROWSER_NICENESS} "{executable}" "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(0o755)
    return wrapper


def analyst(
    writer_url: str, files: Sequence[tuple[str, Sequence[Path]]], on_commit, start_delay: float
) -> list[Commit]:
    """An analyst in Debian's Chromium: for each file, open the writer's Data page,
    upload, wait for the check, commit, and read the load's number from the page.
    ``on_commit(commit)`` is called as each commit is seen done (from this thread)."""
    from playwright.sync_api import expect, sync_playwright

    from deploy.chromium import launch_options

    time.sleep(start_delay)
    commits = []
    with tempfile.TemporaryDirectory(prefix="analyst_") as folder, sync_playwright() as playwright:
        options = launch_options()
        options["executable_path"] = str(
            lower_priority(Path(str(options["executable_path"])), Path(folder))
        )
        browser = playwright.chromium.launch(**options)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 1000})
            for number, (what, paths) in enumerate(files):
                if number:
                    time.sleep(ANALYST_PAUSE_SECONDS)
                page.goto(f"{writer_url.rstrip('/')}/data")
                uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
                expect(uploader).to_be_attached(timeout=120_000)
                started = time.perf_counter()
                uploader.set_input_files([str(path) for path in paths])
                button = page.get_by_role("button", name="Commit this load")
                nothing_new = page.get_by_text(NOTHING_NEW).first
                expect(button.or_(nothing_new)).to_be_visible(timeout=180_000)
                if nothing_new.is_visible():
                    raise RuntimeError(f"{what}: the store holds it already (nothing new)")
                button.click()
                done = page.get_by_text(COMMITTED).first
                expect(done).to_be_visible(timeout=180_000)
                committed_at = time.perf_counter()
                commit = Commit(
                    what,
                    int(COMMITTED.search(done.inner_text()).group(1)),
                    committed_at,
                    committed_at - started,
                )
                commits.append(commit)
                on_commit(commit)
        finally:
            browser.close()
    return commits


@dataclass
class Visibility:
    """When one reader replica first drew a page from a committed load."""

    replica: str
    load_id: int
    seconds_after_publish: float | None  # None: not seen within the limit
    marker_missing: bool = False  # the page names no load: cannot tell


@dataclass(frozen=True)
class Publish:
    """One replacement of ``CURRENT`` in the publish folder, on perf_counter's clock."""

    name: str  # the store it names
    replaced: float  # CURRENT's ctime: the rename, as the kernel stamped it (to a tick)
    seen: float  # when the load test first read the new name: certainly after the rename


_wall_to_perf: list[float] = []


def perf_time_of(wall: float) -> float:
    """A wall-clock time (a file's timestamp) on perf_counter's clock. The offset between
    the two clocks is read once, from the tightest of a few back-to-back readings, so
    that a pause between the two reads (a busy machine) does not shift it."""
    if not _wall_to_perf:
        readings = []
        for _ in range(20):
            before = time.perf_counter()
            now = time.time()
            after = time.perf_counter()
            readings.append((after - before, (before + after) / 2 - now))
        _wall_to_perf.append(min(readings)[1])
    return wall + _wall_to_perf[0]


def read_current(publish_dir: Path) -> tuple[str, float] | None:
    """The store ``CURRENT`` names and when it was put there (its ctime, which the
    rename sets, on perf_counter's clock); None while there is none."""
    pointer = publish_dir / "CURRENT"
    try:
        name = pointer.read_text(encoding="utf-8").strip()
        changed = pointer.stat().st_ctime
    except OSError:
        return None
    return name, perf_time_of(changed)


async def watch_current(publish_dir: Path, stop: asyncio.Event, into: list[Publish]) -> None:
    """Read ``CURRENT`` every ``CURRENT_POLL_SECONDS`` until ``stop``; each new name it
    names goes into ``into``."""
    found = read_current(publish_dir)
    last = found[0] if found else None
    while not stop.is_set():
        found = read_current(publish_dir)
        if found is not None and found[0] != last:
            seen = time.perf_counter()
            into.append(Publish(found[0], min(found[1], seen), seen))
            last = found[0]
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), CURRENT_POLL_SECONDS)


def publish_of(commit: Commit, publishes: Sequence[Publish] | None) -> Publish | None:
    """The publish of ``commit``: the first ``CURRENT`` replaced after its upload began.
    Without a publish folder (one process), the commit is visible as it is committed."""
    if publishes is None:
        return Publish("", commit.committed_at, commit.committed_at)
    upload_started = commit.committed_at - commit.seconds
    return next((p for p in publishes if p.seen >= upload_started), None)


async def published_at(commit: Commit, publishes: Sequence[Publish] | None) -> Publish:
    """Wait (up to ``PUBLISHED_WITHIN_SECONDS``) for the publish of ``commit``."""
    deadline = time.perf_counter() + PUBLISHED_WITHIN_SECONDS
    while (found := publish_of(commit, publishes)) is None:
        if time.perf_counter() > deadline:
            raise RuntimeError(
                f"load {commit.load_id} not published within {PUBLISHED_WITHIN_SECONDS} s"
            )
        await asyncio.sleep(CURRENT_POLL_SECONDS)
    return found


def stale_runs(runs: Sequence[PageRun], load_id: int, publish: Publish) -> tuple[int, int]:
    """(runs that started after the publish of ``load_id`` and still showed an older load,
    runs that started after it and name their load). By the run's start (its request
    sent) against the moment the new ``CURRENT`` was certainly in place: such a run
    began on the server after the publish, so it must show the load."""
    after = [
        r for r in runs if r.started >= publish.seen and not r.errors and r.load_number is not None
    ]
    return sum(1 for r in after if r.load_number < load_id), len(after)


async def watch_replica(
    replica: str, url: str, load_id: int, publish: Publish, runs: list[PageRun]
) -> Visibility:
    """Run At a glance on one replica, again and again, until it shows the load."""
    async with ProtocolSession(url) as session:
        while time.perf_counter() - publish.replaced < VISIBLE_WITHIN_SECONDS:
            run = await session.run("at_a_glance", "")
            runs.append(run)
            shown = run.load_number
            if shown is None and not run.errors:
                return Visibility(replica, load_id, None, marker_missing=True)
            if shown is not None and shown >= load_id:
                return Visibility(replica, load_id, run.started + run.seconds - publish.replaced)
            await asyncio.sleep(WATCH_EVERY_SECONDS)
    return Visibility(replica, load_id, None)


async def watch_commits(
    commits: asyncio.Queue,
    replicas: dict[str, str],
    expected: int,
    publishes: Sequence[Publish] | None,
    runs: list[PageRun],
) -> tuple[list[Visibility], dict[int, Publish]]:
    """For each commit the analyst makes, its publish and when each replica first showed
    it (the watchers' runs go into ``runs``)."""
    seen: list[Visibility] = []
    published: dict[int, Publish] = {}
    for _ in range(expected):
        commit = await commits.get()
        if commit is None:
            break
        publish = await published_at(commit, publishes)
        published[commit.load_id] = publish
        seen += await asyncio.gather(
            *(
                watch_replica(name, url, commit.load_id, publish, runs)
                for name, url in replicas.items()
            )
        )
    return seen, published


def visibility_table(
    commits: Sequence[Commit],
    seen: Sequence[Visibility],
    published: dict[int, Publish],
    runs: Sequence[PageRun],
) -> str:
    """Each analyst's load: how long the commit took, when it was published, when each
    replica first showed it (a run that finished showing it), and of every run (readers'
    and watchers') that started after the publish, how many still showed an older load."""

    def shown(found: Visibility) -> str:
        if found.marker_missing:
            return "no (load N) caption"
        if found.seconds_after_publish is None:
            return f"not within {VISIBLE_WITHIN_SECONDS:.0f} s"
        return f"{found.seconds_after_publish:.2f} s"

    replicas = list(dict.fromkeys(v.replica for v in seen))
    rows = []
    for commit in commits:
        publish = published.get(commit.load_id)
        if publish is None:
            stale = "-"
        else:
            older, after = stale_runs(runs, commit.load_id, publish)
            stale = f"{older} of {after}"
        rows.append(
            [
                commit.what,
                commit.load_id,
                f"{commit.seconds:.1f}",
                "-" if publish is None else f"{publish.replaced - commit.committed_at:+.2f}",
                *[shown(v) for v in seen if v.load_id == commit.load_id],
                stale,
            ]
        )
    return markdown_table(
        [
            "analyst's load",
            "load",
            "upload to committed, s",
            "published, s after committed",
            *[f"{r}: shown after publish" for r in replicas],
            "runs started after the publish: still on an older load",
        ],
        rows,
    )


GOAL_SECONDS = 1.0  # issue 17: p95 server run time within a second with reading time
AROUND_COMMIT_SECONDS = 10.0  # a run this soon after an upload began or a publish


def slow_runs_by_when(
    runs: Sequence[PageRun],
    commits: Sequence[Commit],
    published: dict[int, Publish],
    over: float = GOAL_SECONDS,
    around: float = AROUND_COMMIT_SECONDS,
) -> str:
    """Where the runs over ``over`` seconds fell: while the analyst worked (from an
    upload's start to ``around`` seconds after its publish) or at other times, with
    each window's share of all runs, so a tail made by the commits can be told from
    one made by the readers alone."""
    windows = []
    for commit in commits:
        publish = published.get(commit.load_id)
        end = publish.replaced if publish is not None else commit.committed_at
        windows.append((commit.committed_at - commit.seconds, end + around))
    good = [r for r in runs if not r.errors]

    def near_a_commit(run: PageRun) -> bool:
        return any(start <= run.started <= end for start, end in windows)

    near = [r for r in good if near_a_commit(r)]
    slow = [r for r in good if r.seconds > over]
    slow_near = [r for r in slow if near_a_commit(r)]
    return (
        f"Runs over {over:g} s: {len(slow)} of {len(good)}; {len(slow_near)} of them started "
        f"while the analyst worked (upload to {around:g} s after the publish: "
        f"{len(near)} runs in all), {len(slow) - len(slow_near)} at other times "
        f"({len(good) - len(near)} runs)."
    )


@dataclass
class Target:
    """Where the readers read and the analyst writes, and the processes to watch."""

    url: str  # the readers' address
    writer_url: str  # the Data page's address for the analyst
    replica_urls: dict[str, str]  # each reader replica, directly, by name
    pids: dict[str, int]  # every server process, by name
    publish_dir: Path | None = None  # where the writer publishes (replicas only)
    logs: tuple[Path, ...] = ()  # every server's log (its launcher says when it is warm)


@contextmanager
def plain_server(database: Path, workdir: Path) -> Iterator[Target]:
    """One ``streamlit run`` over a private copy of ``database``."""
    copy = workdir / "store.duckdb"
    shutil.copyfile(database, copy)
    log = workdir / "server.log"
    with serving(database=copy, log=log) as server:
        yield Target(
            server.url, server.url, {"app": server.url}, {"app": server.process.pid}, logs=(log,)
        )


@contextmanager
def replica_set(database: Path, workdir: Path) -> Iterator[Target]:
    """Two reader replicas, one writer and nginx (deploy.replicas) over a copy of
    ``database``; the readers read through nginx."""
    from deploy.replicas import running

    copy = workdir / "store.duckdb"
    shutil.copyfile(database, copy)
    folder = workdir / "replicas"
    with running(copy, folder, readers=2) as setup:
        readers = {f"reader {n}": url for n, url in enumerate(setup.reader_urls, start=1)}
        pids = {f"reader {n}": pid for n, pid in enumerate(setup.reader_pids, start=1)}
        pids |= {"writer": setup.writer_pid, "nginx": setup.nginx_pid}
        logs = (
            folder / "writer.log",
            *(folder / f"reader-{n}.log" for n in range(1, len(setup.reader_urls) + 1)),
        )
        yield Target(setup.url, setup.writer_url, readers, pids, setup.publish_dir, logs)


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help="a running app (no process memory unless --pid)")
    where.add_argument("--replicas", action="store_true", help="start readers, writer, nginx")
    parser.add_argument("--writer-url", help="the analyst's app (with --url; else --url)")
    parser.add_argument("--analyst", action="store_true", help="commit two loads meanwhile")
    parser.add_argument("--pid", type=int, action="append", default=[], help="sample this PID")
    parser.add_argument("--db", type=Path, default=PROJECT / "data" / "demo.duckdb")
    parser.add_argument(
        "--real",
        action="store_true",
        help="build a real store from $CP_REFERENCE_DATA without DfE's 2025 release "
        "(the analyst commits it); instead of --db",
    )
    parser.add_argument("--readers", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2, help="rounds of 5 pages per reader")
    parser.add_argument("--reading", type=float, default=5.0, help="seconds between pages")
    parser.add_argument("--saturation", action="store_true", help="no reading time")
    parser.add_argument("--quick", action="store_true", help="3 readers x 1 round, no reading")
    parser.add_argument("--councils", help="comma-separated council codes to read")
    arguments = parser.parse_args(argv)
    if arguments.quick:
        arguments.readers, arguments.rounds, arguments.reading = 3, 1, 0.0
    if arguments.saturation:
        arguments.reading = 0.0
    if arguments.readers < 1 or arguments.rounds < 1 or arguments.reading < 0:
        parser.error("readers and rounds must be at least 1, reading at least 0")
    if arguments.readers > 200 or arguments.rounds > 20:
        parser.error("bounded: at most 200 readers and 20 rounds")
    return arguments


def main(argv: Sequence[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    councils = arguments.councils.split(",") if arguments.councils else None
    title = (
        f"{arguments.readers} readers × {arguments.rounds} rounds of {len(ROUND_PAGES)} pages, "
        f"{arguments.reading:g} s reading"
    )
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="load_test_")))
        files: list[tuple[str, list[Path]]] = []
        reference = os.environ.get("CP_REFERENCE_DATA")
        if arguments.real:
            if not reference:
                raise SystemExit("--real needs CP_REFERENCE_DATA (DfE's and ONS's files)")
            started = time.perf_counter()
            arguments.db = build_store_without_release(Path(reference), workdir / "real.duckdb")
            built = time.perf_counter() - started
            print(f"Built a real store without DfE's 2025 release in {built:.0f} s.")
        if arguments.analyst:
            files = analyst_files(arguments.db, Path(reference) if reference else None, workdir)
        if arguments.url:
            target = Target(
                arguments.url,
                arguments.writer_url or arguments.url,
                {"app": arguments.url},
                {f"pid {p}": p for p in arguments.pid},
            )
        elif arguments.replicas:
            target = stack.enter_context(replica_set(arguments.db, workdir))
        else:
            target = stack.enter_context(plain_server(arguments.db, workdir))
        memory = MemorySamples(target.pids)
        outcome = run_in_own_loop(
            run_readers(
                target.url,
                arguments.readers,
                arguments.rounds,
                arguments.reading,
                memory,
                councils,
                writer_url=target.writer_url,
                analyst_files=files,
                replica_urls=target.replica_urls,
                publish_dir=target.publish_dir,
                server_logs=target.logs,
            )
        )
    print(report(outcome.runs, memory, f"{title} — {target.url}", outcome.wall_seconds))
    if arguments.analyst:
        print()
        print(
            visibility_table(
                outcome.commits,
                outcome.visibility,
                outcome.published,
                [*outcome.runs, *outcome.watch_runs],
            )
        )
        print()
        print(slow_runs_by_when(outcome.runs, outcome.commits, outcome.published))
        if outcome.analyst_error:
            print(f"\nThe analyst failed: {outcome.analyst_error}")
    empty = [r for r in outcome.runs if not r.errors and not r.headings]
    if empty:
        print(f"\n{len(empty)} runs finished with no heading at all: not real pages.")
        return 1
    all_runs = [*outcome.runs, *outcome.watch_runs]
    stale = sum(
        stale_runs(all_runs, load_id, publish)[0] for load_id, publish in outcome.published.items()
    )
    if stale:
        print(f"\n{stale} runs started after a publish and showed the store before it.")
    failed = any(r.errors for r in outcome.runs) or outcome.analyst_error or stale
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
