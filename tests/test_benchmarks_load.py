"""The load test's client and arithmetic: the messages it sends, how it reads what comes
back, and the statistics it reports; then one short run against a real server.

The load test (benchmarks/load_test.py) speaks Streamlit's protocol with no browser; a
client that misread the protocol would time empty or failed pages and call them fast.
So the reading is checked here on hand-built ForwardMsgs, and the slow test checks
that a real server's pages arrive whole, for the councils asked for, without errors.
"""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks.load_test import (
    ANALYST_BROWSER_NICENESS,
    LINE_PAGES,
    OVERVIEW_PAGES,
    ROUND_PAGES,
    Commit,
    MemorySamples,
    PageRun,
    Publish,
    Visibility,
    children,
    council_of_option,
    cpu_seconds,
    launchers_warmed,
    lower_priority,
    one_reader,
    page_figures,
    parse_arguments,
    percentile,
    publish_of,
    reader_plan,
    report,
    rerun_message,
    rss_kib,
    run_in_own_loop,
    run_readers,
    runs_per_second,
    slow_runs_by_when,
    stale_runs,
    stream_url,
    tree_cpu_seconds,
    tree_rss_kib,
    url_path,
    visibility_table,
    watch_current,
)

pure = pytest.mark.pure


def forward(build: Callable[[ForwardMsg], object]) -> bytes:
    """A serialised ForwardMsg, filled in by ``build`` from an empty one."""
    message = ForwardMsg()
    build(message)
    return message.SerializeToString()


def finished(status: int = ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY) -> bytes:
    def build(message: ForwardMsg) -> None:
        message.script_finished = status

    return forward(build)


def heading(body: str) -> bytes:
    def build(message: ForwardMsg) -> None:
        message.delta.new_element.heading.body = body

    return forward(build)


def markdown(body: str) -> bytes:
    def build(message: ForwardMsg) -> None:
        message.delta.new_element.markdown.body = body

    return forward(build)


def address(query: str) -> bytes:
    def build(message: ForwardMsg) -> None:
        message.page_info_changed.query_string = query

    return forward(build)


@pure
def test_rerun_message_names_the_page_the_address_and_the_council_chosen() -> None:
    message = BackMsg()
    message.ParseFromString(
        rerun_message("cohort", "council=172", {"w-council": "Wyrebrook (172)"})
    )
    request = message.rerun_script
    assert message.WhichOneof("type") == "rerun_script"
    assert (request.page_name, request.query_string) == ("cohort", "council=172")
    [widget] = request.widget_states.widgets
    assert (widget.id, widget.string_value) == ("w-council", "Wyrebrook (172)")
    assert list(request.cached_message_hashes) == []  # so the server never sends a ref_hash


@pure
def test_the_clock_waits_for_every_launchers_warm_up_to_end(tmp_path) -> None:
    """A warm-up now begins with a server's first run and goes on after it: the timed
    runs start once every log says it ended (done or failed), and not before."""
    from ui.serve import WARMED, WARMING_FAILED

    done, failed, busy = (tmp_path / name for name in ("done.log", "failed.log", "busy.log"))
    done.write_text(f"Uvicorn server started\n{WARMED} 2.1 s after the server started\n")
    failed.write_text(f"{WARMING_FAILED}: the store cannot be opened\n")
    busy.write_text("Uvicorn server started\n")
    launchers_warmed([done, failed], within=1)
    started = time.perf_counter()
    with pytest.raises(RuntimeError, match=r"busy\.log"):
        launchers_warmed([done, busy], within=0.3)
    assert time.perf_counter() - started >= 0.3


@pure
def test_pages_are_addressed_as_the_front_end_addresses_them() -> None:
    assert url_path("at_a_glance") == ""  # the default page lives at "/"
    assert url_path("care_leavers") == "care_leavers"
    with pytest.raises(ValueError):
        url_path("no_such_page")
    assert stream_url("http://localhost:8650/") == "ws://localhost:8650/_stcore/stream"
    assert stream_url("https://host/app") == "wss://host/app/_stcore/stream"
    with pytest.raises(ValueError):
        stream_url("localhost:8650")


@pure
def test_council_code_is_read_from_the_select_box_option() -> None:
    assert council_of_option("Wyrebrook (172)") == "172"
    assert council_of_option("Isles of Merrow (E06000053)") == "E06000053"
    assert council_of_option("England") is None


@pure
def test_a_run_finishes_at_script_finished_and_keeps_its_content() -> None:
    run = PageRun("cohort", "172")
    assert not run.observe(heading("1. Who are our children?"))
    assert not run.observe(markdown("Data as loaded 2 Dec 2026 (load 7)"))
    assert not run.observe(address("council=172&year=Latest"))
    assert run.observe(finished())
    assert run.errors == []
    assert run.headings == ["1. Who are our children?"]
    assert run.load_number == 7
    assert run.elements == {"heading": 1, "markdown": 1}
    assert run.messages == 4 and run.bytes_received > 0


@pure
def test_an_exception_on_the_page_is_an_error() -> None:
    def build(message: ForwardMsg) -> None:
        message.delta.new_element.exception.type = "KeyError"
        message.delta.new_element.exception.message = "'la_name'"

    run = PageRun("stability", "172")
    run.observe(forward(build))
    run.observe(finished())
    assert run.errors == ["exception: KeyError: 'la_name'"]


@pure
def test_a_page_drawn_for_another_council_is_an_error() -> None:
    run = PageRun("cohort", "151")
    run.observe(address("council=172&year=Latest"))
    run.observe(finished())
    assert run.errors == ["drawn for council 172, asked for 151"]


@pure
@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (lambda m: setattr(m, "ref_hash", "abc"), "ref_hash abc"),
        (lambda m: setattr(m.page_not_found, "page_name", "cohrt"), "page not found: 'cohrt'"),
    ],
)
def test_protocol_surprises_are_errors(build, expected: str) -> None:
    run = PageRun("cohort", "")
    run.observe(forward(build))
    run.observe(finished())
    assert len(run.errors) == 1 and run.errors[0].startswith(expected)


@pure
def test_a_compile_error_is_an_error_but_a_run_stopped_for_a_rerun_is_not() -> None:
    statuses = ForwardMsg.ScriptFinishedStatus
    broken = PageRun("cohort", "")
    broken.observe(finished(statuses.FINISHED_WITH_COMPILE_ERROR))
    assert broken.errors == ["script finished: FINISHED_WITH_COMPILE_ERROR"]
    superseded = PageRun("cohort", "")
    superseded.observe(finished(statuses.FINISHED_EARLY_FOR_RERUN))
    assert superseded.errors == [] and superseded.finished


@pure
def test_the_council_select_box_is_remembered_for_changing_council() -> None:
    def build(message: ForwardMsg) -> None:
        box = message.delta.new_element.selectbox
        box.id = "w-council"
        box.label = "Council"
        box.options.extend(["Wyrebrook (172)", "Saltmere Haven (151)"])

    run = PageRun("at_a_glance", "172")
    run.observe(forward(build))
    assert run.council_widget_id == "w-council"
    assert run.council_options == {"172": "Wyrebrook (172)", "151": "Saltmere Haven (151)"}


@pure
def test_each_round_reads_the_overview_for_one_council_and_each_line_for_another() -> None:
    councils = [str(code) for code in range(100, 160)]
    plan = reader_plan(3, councils, rounds=2)
    assert [page for page, _ in plan] == list(ROUND_PAGES) * 2
    first_round = plan[: len(ROUND_PAGES)]
    overview = {council for page, council in first_round if page in OVERVIEW_PAGES}
    lines = [council for page, council in first_round if page in LINE_PAGES]
    assert len(overview) == 1
    assert len(set(lines)) == len(LINE_PAGES) and overview.isdisjoint(lines)
    assert plan[: len(ROUND_PAGES)] != plan[len(ROUND_PAGES) :]  # the second round moves on
    assert reader_plan(4, councils, 1) != reader_plan(3, councils, 1)
    with pytest.raises(ValueError):
        reader_plan(0, [], 1)


@pure
def test_percentile_interpolates_between_ranks() -> None:
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert percentile(values, 50) == 3.0
    assert percentile(values, 0) == 1.0 and percentile(values, 100) == 5.0
    assert percentile(values, 95) == pytest.approx(4.8)
    assert percentile([7.0], 95) == 7.0
    assert math.isnan(percentile([], 50))


def timed(page: str, started: float, seconds: float, error: str | None = None) -> PageRun:
    run = PageRun(page, "172", started=started, seconds=seconds, bytes_received=2048)
    if error:
        run.errors.append(error)
    return run


@pure
def test_failed_runs_are_counted_as_errors_and_left_out_of_the_timings() -> None:
    runs = [
        timed("cohort", 0.0, 1.0),
        timed("cohort", 0.0, 3.0),
        timed("cohort", 0.0, 99.0, "exception: boom"),
        timed("at_a_glance", 0.0, 0.5),
        timed("about", 0.0, 0.1),
    ]
    figures = {f.page: f for f in page_figures(runs)}
    assert [f.page for f in page_figures(runs)] == ["at_a_glance", "cohort", "about"]
    cohort = figures["cohort"]
    assert (cohort.runs, cohort.errors, cohort.p50) == (3, 1, 2.0)
    assert cohort.mean_kib == 2.0


@pure
def test_slow_runs_are_told_apart_by_whether_the_analyst_was_at_work() -> None:
    # The analyst's upload began at 20 s, committed at 25 s, published at 25.5 s: runs
    # starting from 20 s to 35.5 s are "while the analyst worked".
    commit = Commit("quarterly return (172)", 3, committed_at=25.0, seconds=5.0)
    published = {3: Publish("store-3.duckdb", replaced=25.5, seen=25.6)}
    runs = [
        timed("cohort", 5.0, 2.0),  # slow, before
        timed("cohort", 19.9, 0.4),
        timed("cohort", 21.0, 3.0),  # slow, during the upload
        timed("cohort", 30.0, 1.5),  # slow, after the publish
        timed("cohort", 35.5, 0.2),
        timed("cohort", 36.0, 1.2),  # slow, after the window
        timed("cohort", 22.0, 9.0, "exception: boom"),  # failed: not a timing
    ]
    assert slow_runs_by_when(runs, [commit], published) == (
        "Runs over 1 s: 4 of 6; 2 of them started while the analyst worked (upload to "
        "10 s after the publish: 3 runs in all), 2 at other times (3 runs)."
    )
    # Without a publish the window ends 10 s after the commit.
    assert slow_runs_by_when(runs, [commit], {}).startswith("Runs over 1 s: 4 of 6; 2 of them")


@pure
def test_the_analysts_browser_runs_at_a_lower_priority(tmp_path) -> None:
    shows_niceness = tmp_path / "program"
    shows_niceness.write_text('#!/bin/sh\necho "$(nice) $*"\n', encoding="utf-8")
    shows_niceness.chmod(0o755)
    folder = tmp_path / "wrapped"
    folder.mkdir()
    wrapper = lower_priority(shows_niceness, folder)
    ran = subprocess.run([str(wrapper), "--headless", "a b"], capture_output=True, text=True)
    own = os.getpriority(os.PRIO_PROCESS, 0)
    expected = min(19, own + ANALYST_BROWSER_NICENESS)
    assert ran.stdout.strip() == f"{expected} --headless a b"


@pure
def test_runs_per_second_spans_first_send_to_last_finish() -> None:
    runs = [timed("cohort", 10.0, 1.0), timed("cohort", 10.5, 1.5), timed("cohort", 11.0, 1.0)]
    assert runs_per_second(runs) == pytest.approx(3 / 2.0)
    assert runs_per_second([timed("cohort", 0.0, 1.0, "timeout")]) == 0.0


@pure
def test_memory_is_read_from_proc_and_a_gone_process_gives_none() -> None:
    assert rss_kib(os.getpid()) > 1000
    assert rss_kib(2**22 + 12345) is None
    # the child holds 64 MiB, touched, and says so before it is measured (a child still
    # starting holds almost nothing, and the parent's own memory moves between readings)
    holds_64_mib = (
        "import sys, time; block = bytearray(64 << 20); block[::4096] = b'x' * (16384); "
        "print('ready', flush=True); time.sleep(30)"
    )
    with subprocess.Popen([sys.executable, "-c", holds_64_mib], stdout=subprocess.PIPE) as child:
        try:
            assert child.stdout is not None and child.stdout.readline() == b"ready\n"
            assert child.pid in children(os.getpid())
            counted_for_children = tree_rss_kib(os.getpid()) - rss_kib(os.getpid())
            assert counted_for_children > 32 * 1024
        finally:
            child.kill()
    memory = MemorySamples({"me": os.getpid()})
    memory.sample()
    sum(i * i for i in range(2_000_000))  # some CPU between the samples
    memory.sample()
    assert len(memory.samples["me"]) == 2
    assert memory.cpu_used("me") > 0


@pure
def test_cpu_is_read_from_proc_and_grows_with_work_and_a_gone_process_gives_none() -> None:
    before = cpu_seconds(os.getpid())
    spent = time.process_time()
    sum(i * i for i in range(3_000_000))
    spent = time.process_time() - spent
    after = cpu_seconds(os.getpid())
    # /proc counts in clock ticks (10 ms): the same work, to within two ticks a side
    assert after - before == pytest.approx(spent, abs=0.05)
    assert cpu_seconds(2**22 + 12345) is None
    assert tree_cpu_seconds(os.getpid()) >= after


@pure
def test_report_is_a_markdown_table_with_every_page_errors_and_memory() -> None:
    runs = [timed("cohort", 0.0, 1.0), timed("cohort", 0.0, 2.0, "exception: boom")]
    memory = MemorySamples({"reader 1": 1}, {"reader 1": [100 * 1024, 300 * 1024, 200 * 1024]})
    text = report(runs, memory, "a title", wall_seconds=2.0)
    assert "| cohort | 2 | 1 | 1.00 | 1.00 | 2 |" in text
    assert "| reader 1 | 100 | 300 | 200 |" in text
    assert "- 1 × cohort: exception: boom" in text


@pure
def test_quick_is_tiny_and_saturation_has_no_reading_time() -> None:
    quick = parse_arguments(["--quick"])
    assert (quick.readers, quick.rounds, quick.reading) == (3, 1, 0.0)
    assert parse_arguments(["--saturation"]).reading == 0.0
    assert parse_arguments([]).reading == 5.0
    with pytest.raises(SystemExit):
        parse_arguments(["--readers", "5000"])


@pytest.mark.slow
def test_quick_run_against_a_server_times_whole_pages_for_the_councils_asked(server) -> None:
    results = run_in_own_loop(
        run_readers(server, readers=3, rounds=1, reading=0.0, memory=MemorySamples({}))
    ).runs
    assert len(results) == 3 * len(ROUND_PAGES)
    assert [r.errors for r in results if r.errors] == []
    assert all(r.finished and r.seconds > 0 for r in results)
    cohort = [r for r in results if r.page == "cohort"]
    assert all(any(h.startswith("1. Who are our children") for h in r.headings) for r in cohort), [
        r.headings[:3] for r in cohort
    ]
    assert all(r.elements.get("plotly_chart", 0) > 0 for r in cohort)
    assert len({r.council for r in results}) >= 3 * (1 + len(LINE_PAGES)) - 1


@pure
def test_the_load_test_sees_each_publish_after_its_rename(tmp_path) -> None:
    """``CURRENT`` replaced as the writer does it (written aside, renamed over): the
    rename's time from the file's ctime, and the moment it was read, which is after it."""

    def replace_current(name: str) -> float:
        aside = tmp_path / ".aside"
        aside.write_text(name + "\n")
        time.sleep(0.05)  # the aside file's mtime is well before the rename
        renamed = time.perf_counter()
        os.replace(aside, tmp_path / "CURRENT")
        return renamed

    async def scenario() -> tuple[list[Publish], list[float]]:
        seen: list[Publish] = []
        stop = asyncio.Event()
        replace_current("store-v000001-aa.duckdb")
        poller = asyncio.create_task(watch_current(tmp_path, stop, seen))
        await asyncio.sleep(0.1)
        renames = []
        for number, name in enumerate(("store-v000002-bb.duckdb", "store-v000003-cc.duckdb")):
            renames.append(replace_current(name))
            async with asyncio.timeout(10):  # a busy machine may delay the poller
                while len(seen) <= number:
                    await asyncio.sleep(0.01)
        stop.set()
        await poller
        return seen, renames

    seen, renames = run_in_own_loop(scenario())
    assert [p.name for p in seen] == ["store-v000002-bb.duckdb", "store-v000003-cc.duckdb"]
    for publish, renamed in zip(seen, renames, strict=True):
        # ctime is stamped from the kernel's coarse clock (a tick, a few ms, behind), and
        # the aside file was written 50 ms before the rename (its mtime would be that early)
        assert renamed - 0.02 <= publish.replaced <= publish.seen
        assert renamed <= publish.seen


@pure
def test_a_commits_publish_is_the_first_after_its_upload_began() -> None:
    commit = Commit("quarterly return (172)", 3, committed_at=100.0, seconds=2.0)
    assert publish_of(commit, None) == Publish("", 100.0, 100.0)  # one process
    earlier = Publish("store-v000002-aa.duckdb", 90.0, 90.1)
    its_own = Publish("store-v000003-bb.duckdb", 99.4, 99.5)
    later = Publish("store-v000004-cc.duckdb", 120.0, 120.1)
    assert publish_of(commit, [earlier, its_own, later]) == its_own
    assert publish_of(commit, [earlier]) is None


def shown_run(started: float, load: int | None, errors: tuple[str, ...] = ()) -> PageRun:
    run = PageRun("at_a_glance", "172", started=started, seconds=1.0, errors=list(errors))
    if load is not None:
        run.texts.append(f"Data as loaded 02 Dec 2026 12:00 UTC (load {load})")
    return run


@pure
def test_stale_runs_are_counted_by_when_the_run_started() -> None:
    publish = Publish("store-v000003-bb.duckdb", replaced=99.98, seen=100.0)
    runs = [
        shown_run(95.0, 2),  # began before the publish: may show the store before
        shown_run(99.99, 2),  # began before the publish was certainly in place
        shown_run(100.0, 2),  # stale
        shown_run(101.0, 3),
        shown_run(102.0, 4),  # a later load still counts as shown
        shown_run(103.0, 2, ("connection: closed",)),  # failed: it shows nothing
        shown_run(104.0, None),  # names no load: cannot tell
    ]
    assert stale_runs(runs, 3, publish) == (1, 3)


@pure
def test_visibility_table_gives_each_replica_its_delay_and_the_stale_runs() -> None:
    commits = [Commit("quarterly return (172)", 3, committed_at=100.0, seconds=5.0)]
    seen = [Visibility("reader 1", 3, 0.8), Visibility("reader 2", 3, None)]
    publish = Publish("store-v000003-bb.duckdb", replaced=99.5, seen=99.52)
    runs = [shown_run(99.6, 2), shown_run(99.7, 3), shown_run(98.0, 2)]
    text = visibility_table(commits, seen, {3: publish}, runs)
    assert "reader 1: shown after publish | reader 2: shown after publish |" in text
    assert (
        "| quarterly return (172) | 3 | 5.0 | -0.50 | 0.80 s | not within 120 s | 1 of 2 |" in text
    )


@pure
def test_a_reader_against_a_fake_server_stops_at_a_run_that_never_finishes() -> None:
    """A page whose run never finishes is a timeout, and the reader's session ends there:
    the late run's messages must not be taken for the next page's."""
    from websockets.asyncio.server import serve

    asked: list[tuple[str, str, list[str]]] = []

    async def fake_streamlit(socket) -> None:
        async for raw in socket:
            request = BackMsg()
            request.ParseFromString(raw)
            rerun = request.rerun_script
            asked.append(
                (
                    rerun.page_name,
                    rerun.query_string,
                    [w.string_value for w in rerun.widget_states.widgets],
                )
            )
            if rerun.page_name == "stability":
                continue  # never finishes
            await socket.send(heading(f"page {rerun.page_name or 'default'}"))
            await socket.send(finished())

    async def scenario() -> list[PageRun]:
        results: list[PageRun] = []
        async with serve(fake_streamlit, "localhost", 0, subprotocols=["streamlit"]) as server:
            port = server.sockets[0].getsockname()[1]
            await one_reader(
                f"http://localhost:{port}",
                0,
                ["101", "102", "103", "104"],
                2,
                0.0,
                0.0,
                results,
                timeout=0.5,
            )
        return results

    results = run_in_own_loop(scenario())
    assert [r.page for r in results] == ["at_a_glance", "scorecard", "cohort", "stability"]
    assert [r.errors for r in results[:3]] == [[], [], []]
    assert results[0].headings == ["page default"]
    assert results[3].errors == ["no script_finished within 0.5 s"]
    assert [page for page, _, _ in asked] == ["", "scorecard", "cohort", "stability"]
    assert asked[2][1] == "council=102"


@pure
def test_the_analyst_commits_only_release_files_the_store_was_never_given(tmp_path) -> None:
    import hashlib

    from benchmarks.load_test import RELEASE_FOLDER, release_files_to_commit
    from loaders.store import load_transaction, open_store

    release = tmp_path / "reference" / RELEASE_FOLDER
    release.mkdir(parents=True)
    for name in ("loaded.csv", "not_used.csv", "new.csv"):
        (release / name).write_text(f"{name}\n")
    store = tmp_path / "store.duckdb"
    con = open_store(store)
    with load_transaction(con, "test") as record:
        for name, outcome in (("loaded.csv", "loaded"), ("not_used.csv", "not used")):
            sha = hashlib.sha256((release / name).read_bytes()).hexdigest()
            con.execute(
                "INSERT INTO load_files (load_id, file_name, sha256, outcome) VALUES (?, ?, ?, ?)",
                [record.load_id, name, sha, outcome],
            )
    con.close()
    assert release_files_to_commit(store, tmp_path / "reference") == [release / "new.csv"]
