"""The launcher ``python -m ui.serve`` (ui/serve.py): it serves the app, it warms the
caches the first session reads, and a warm-up that fails never stops the server.

The pure part checks which modules are warmed and that a failure is logged and
releases the runs waiting for the imports; the served part starts the launcher as
``deploy/processes.serving`` does (so as ``make run``, the browser tests, the browser
benchmark and the replicas do) and looks at what the server did before, and for,
its first visitor.
"""

from __future__ import annotations

import gc
import re
import shutil
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from deploy.processes import APP, LAUNCHER, serving, streamlit_command
from ui import serve
from ui.page_list import READING_PAGES

COUNCIL = "172"
OWN_FIGURES_COUNCIL = "140"  # the demo council with an SSDA903 extract
WITHIN_SECONDS = 90.0  # a warm-up on a machine busy with other work


# ---------------------------------------------------------------- which modules, and failures


@pytest.mark.pure
def test_the_reading_pages_modules_are_warmed_after_app_py_s_own():
    warmed = serve.modules_to_warm()
    assert warmed[: len(serve.FIRST_MODULES)] == list(serve.FIRST_MODULES)
    # What the line pages and the overview pages import, and the charts they draw.
    for module in ("ui.line_page", "ui.components", "ui.figures", "charts"):
        assert module in warmed, module
    assert len(warmed) == len(set(warmed))
    # Only the project's modules: Streamlit is the server's own, and is imported first.
    assert all(module.split(".")[0] in {"ui", "charts", "domain", "exports"} for module in warmed)
    # The analyst's Data page (the loaders) is not warmed for a panel member.
    assert "data" not in READING_PAGES and "ui.loading" not in warmed


@pytest.mark.pure
def test_page_imports_reads_every_import_of_a_page_and_only_the_projects(tmp_path, monkeypatch):
    pages = tmp_path / "app_pages"
    pages.mkdir()
    (pages / "one.py").write_text(
        "from __future__ import annotations\nimport streamlit as st\nfrom ui import data\n"
        "from ui.line_page import render\n\ndef later():\n    import charts.figures\n"
    )
    (pages / "two.py").write_text("from ui.line_page import render\nimport os\n")
    monkeypatch.setattr(serve, "PAGES_FOLDER", pages)
    assert serve.page_imports(["one", "two"]) == ["ui", "ui.line_page", "charts.figures"]


@pytest.mark.pure
def test_a_failing_first_chart_still_leaves_the_caches_warmed(capsys, monkeypatch):
    def fail() -> None:
        raise RuntimeError("plotly changed")

    filled = []
    monkeypatch.setattr(serve, "_first_chart_costs", fail)
    serve._imports_done.clear()
    try:
        assert serve.warm(
            import_modules=lambda: ["ui.text"],
            fill_caches=lambda: filled.append(True),
            server_started=lambda within: True,
            visitor_within=0,
        )
    finally:
        serve._imports_done.set()
    assert filled == [True]
    logged = capsys.readouterr().err
    assert "RuntimeError: plotly changed" in logged and serve.WARMED in logged


@pytest.mark.pure
def test_a_failing_warm_up_is_logged_returns_and_releases_waiting_runs(capsys):
    def fail() -> None:
        raise RuntimeError("the store cannot be opened")

    serve._imports_done.clear()  # as start_warming leaves it
    try:
        assert not serve.warm(
            import_modules=lambda: ["ui.text"],
            fill_caches=fail,
            server_started=lambda within: True,
            visitor_within=0,
        )
    finally:
        serve._imports_done.set()
    logged = capsys.readouterr().err
    assert serve.WARMING_FAILED in logged
    assert "RuntimeError: the store cannot be opened" in logged


@pytest.mark.pure
def test_what_the_warm_up_made_is_kept_out_of_the_collectors_way(capsys):
    """After warming, every object made so far is frozen (gc.freeze): a later full
    collection walks only what runs made since, not the modules and shared tables."""
    import gc

    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        assert serve.warm(
            import_modules=lambda: ["ui.text"],
            fill_caches=lambda: None,
            server_started=lambda within: True,
            visitor_within=0,
        )
        assert gc.get_freeze_count() > 10_000  # at least Streamlit's, pandas' and Plotly's
        assert serve.WARMED in capsys.readouterr().err
    finally:
        gc.unfreeze()


@pytest.mark.pure
@pytest.mark.parametrize("fails", [False, True])
def test_the_warm_up_hands_the_interpreter_lock_on_sooner_and_restores_the_default(capsys, fails):
    """While it works the event loop gets the lock within 0.5 ms, not Python's 5 ms;
    afterwards (whatever happened) the interval is what it was."""
    import gc
    import sys

    before = sys.getswitchinterval()
    seen = []

    def fill_caches():
        seen.append(sys.getswitchinterval())
        if fails:
            raise RuntimeError("store missing")

    assert (
        serve.warm(
            import_modules=lambda: [],
            fill_caches=fill_caches,
            server_started=lambda within: True,
            visitor_within=0,
        )
        is not fails
    )
    gc.unfreeze()  # what a successful warm-up froze (as the test above)
    assert seen == [serve.WARM_UP_SWITCH_INTERVAL] and seen[0] < before
    assert sys.getswitchinterval() == before
    capsys.readouterr()


@pytest.mark.pure
def test_a_module_that_cannot_be_imported_is_logged_and_runs_do_not_wait(capsys):
    serve._imports_done.clear()
    waited = threading.Thread(target=serve.wait_for_imports, args=(30,))
    try:
        waited.start()
        assert not serve.warm(
            import_modules=lambda: ["ui.no_such_module"],
            fill_caches=lambda: None,
            server_started=lambda within: True,
            visitor_within=0,
        )
        waited.join(timeout=5)
        assert not waited.is_alive(), "a run still waits for a warm-up that failed"
    finally:
        serve._imports_done.set()
    assert "No module named 'ui.no_such_module'" in capsys.readouterr().err


@pytest.mark.pure
def test_the_warm_up_begins_when_the_first_visitors_run_does_not_before():
    """Not while the browser loads Streamlit's front end from the same process: its
    imports begin once a run reaches app.py's wait (which a visitor's first run does)."""
    began = []
    serve._imports_done.clear()
    serve._visitor_arrived.clear()
    warming = threading.Thread(
        target=serve.warm,
        kwargs={
            "import_modules": lambda: began.append(time.perf_counter()) or [],
            "fill_caches": lambda: None,
            "server_started": lambda within: True,
            "visitor_within": 30,
        },
    )
    try:
        warming.start()
        time.sleep(0.5)
        assert not began, "the warm-up began before any visitor"
        arrived = time.perf_counter()
        serve.wait_for_imports(within=30)  # as app.py, in the visitor's first run
        warming.join(timeout=30)
        assert began and 0 <= began[0] - arrived < 5
    finally:
        serve._imports_done.set()
        gc.unfreeze()


@pytest.mark.pure
def test_without_a_visitor_the_warm_up_begins_anyway(capsys):
    """A server started for the day is warm before anyone opens it."""
    serve._visitor_arrived.clear()
    began = []
    started = time.perf_counter()
    try:
        assert serve.warm(
            import_modules=lambda: began.append(time.perf_counter()) or [],
            fill_caches=lambda: None,
            server_started=lambda within: True,
            visitor_within=0.3,
        )
    finally:
        gc.unfreeze()
    assert began and 0.3 <= began[0] - started < 5
    assert "waiting for a visitor " in capsys.readouterr().err  # with how long it waited


@pytest.mark.pure
def test_no_warm_up_when_the_server_never_starts(capsys):
    filled = []
    assert not serve.warm(
        import_modules=lambda: [],
        fill_caches=lambda: filled.append(True),
        server_within=0.01,
        server_started=lambda within: False,
    )
    assert not filled
    assert "did not start" in capsys.readouterr().err
    assert serve._imports_done.is_set()


@pytest.mark.pure
def test_without_the_launcher_runs_never_wait():
    started = time.perf_counter()
    serve.wait_for_imports(within=30)
    assert time.perf_counter() - started < 1


@pytest.mark.pure
def test_the_app_is_served_through_the_launcher_and_other_scripts_by_streamlit_run(tmp_path):
    app = streamlit_command(APP, 8899)
    assert app[1:3] == ["-m", LAUNCHER] and "run" not in app
    assert app[app.index("--server.port") + 1] == "8899"
    floor = streamlit_command(tmp_path / "floor.py", 8899)
    assert floor[floor.index("run") + 1] == str(tmp_path / "floor.py")
    # Another checkout's app (the browser benchmark's baseline): through its own launcher.
    checkout = tmp_path / "checkout"
    (checkout / "ui").mkdir(parents=True)
    (checkout / "ui" / "serve.py").write_text("")
    (checkout / "app.py").write_text("")
    baseline = streamlit_command(checkout / "app.py", 8899)
    assert baseline[1:3] == ["-m", LAUNCHER] and "run" not in baseline
    # ...but not an app.py without a launcher beside it, nor when asked for a bare run.
    (checkout / "ui" / "serve.py").unlink()
    bare = streamlit_command(checkout / "app.py", 8899)
    assert bare[bare.index("run") + 1] == str(checkout / "app.py")
    unlaunched = streamlit_command(APP, 8899, launcher=False)
    assert unlaunched[unlaunched.index("run") + 1] == str(APP)
    assert serve.streamlit_arguments(["--server.port", "8899"]) == [
        "run",
        str(APP),
        "--server.port",
        "8899",
    ]


def test_the_warm_up_works_out_the_own_figures_of_the_councils_that_have_them(
    demo_db, tmp_path, monkeypatch
):
    """The demo council with an extract (140): its quarterly figures, reconciliation and
    notes are in the caches after the warm-up, so its first line page computes none of
    them; a council without figures of its own costs the warm-up nothing."""
    import streamlit as st

    import indicators.local
    from indicators.local import councils_with_own_figures
    from loaders.store import open_store
    from ui import data

    database = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, database)
    con = open_store(database, read_only=True)
    try:
        assert councils_with_own_figures(con) == [OWN_FIGURES_COUNCIL]
    finally:
        con.close()
    monkeypatch.setenv("CP_DB", str(database))
    monkeypatch.setenv("CP_DERIVED_CACHE", str(tmp_path / "derived"))
    computed: list[str] = []
    real = indicators.local.quarterly_figures

    def counted(con, council):
        computed.append(council)
        return real(con, council)

    monkeypatch.setattr(indicators.local, "quarterly_figures", counted)
    st.cache_data.clear()
    st.cache_resource.clear()
    try:
        data.warm_up()
        assert computed == [OWN_FIGURES_COUNCIL]
        assert len(data.quarterly_figures(OWN_FIGURES_COUNCIL))
        data.reconciliation(OWN_FIGURES_COUNCIL)
        data.extract_not_available(OWN_FIGURES_COUNCIL)
        assert computed == [OWN_FIGURES_COUNCIL], "read from the warmed cache"
    finally:
        st.cache_data.clear()
        st.cache_resource.clear()


# ---------------------------------------------------------------- served


def _wait_for_log(log: Path, pattern: str, within: float = WITHIN_SECONDS) -> str:
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        text = log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""
        if re.search(pattern, text):
            return text
        time.sleep(0.1)
    raise AssertionError(f"{pattern!r} not in the server's log within {within:g} s:\n{text}")


def _healthy(url: str) -> bool:
    with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as answer:
        return answer.read().strip() == b"ok"


@pytest.mark.slow
def test_the_launcher_warms_the_caches_the_first_visitor_reads(demo_db, tmp_path):
    """Before anyone visits, the server has read the store's indicator tables (they
    land in a derived-table folder of this test's own); with those files then deleted,
    a first visit to a line page still draws without computing them again: it read
    them from the very caches the warm-up filled."""
    from benchmarks.load_test import ProtocolSession, run_in_own_loop

    database = tmp_path / "demo.duckdb"
    shutil.copyfile(demo_db, database)
    derived = tmp_path / "derived"
    log = tmp_path / "server.log"
    with serving(APP, database, log, env={"CP_DERIVED_CACHE": str(derived)}) as server:
        _wait_for_log(log, serve.WARMED)
        kept = sorted(path.name.split("-")[0] for path in derived.glob("*.arrow"))
        # The demo's council with an extract of its own (140) has its quarterly figures
        # worked out and kept too: what its line pages show first.
        assert kept == ["comparisons", "councils", "quarterly", "values"], kept
        for path in derived.glob("*.arrow"):
            path.unlink()

        async def first_visit(council: str):
            async with ProtocolSession(server.url, timeout=WITHIN_SECONDS) as session:
                return await session.run("cohort", council)

        for council in (COUNCIL, OWN_FIGURES_COUNCIL):
            run = run_in_own_loop(first_visit(council))
            assert run.finished and not run.errors, run.errors
            assert any("Who are our children" in h for h in run.headings), run.headings
            assert run.elements.get("plotly_chart"), run.elements
        assert any("own quarterly figures" in h for h in run.headings), run.headings
        assert not list(derived.glob("*.arrow")), "the first visit computed the tables again"
    assert serve.WARMING_FAILED not in log.read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_warm_up_that_fails_is_logged_and_the_server_keeps_serving(tmp_path):
    """A store that cannot be opened: the warm-up says why in the log, and the server
    still answers (its pages then say what is wrong, as without the launcher)."""
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a DuckDB file " * 1000)
    log = tmp_path / "server.log"
    with serving(APP, broken, log) as server:
        text = _wait_for_log(log, serve.WARMING_FAILED)
        assert "Traceback" in text
        assert server.process.poll() is None
        assert _healthy(server.url)


@pytest.mark.slow
def test_a_reader_warms_the_published_store_and_never_opens_the_writers_file(demo_db, tmp_path):
    """A reader replica started by the launcher warms the store published now, read-only:
    the writer's own file is held read-write by this test meanwhile (DuckDB would refuse
    any other process opening it), and nothing in the reader's log says it tried."""
    from benchmarks.load_test import ProtocolSession, run_in_own_loop
    from loaders.publish import publish
    from loaders.store import open_store

    writers = tmp_path / "writer.duckdb"
    shutil.copyfile(demo_db, writers)
    folder = tmp_path / "published"
    held = open_store(writers)  # the writer's lock, for the whole test
    try:
        publish(held, folder)
        log = tmp_path / "reader.log"
        env = {
            "CP_READ_PUBLISHED": str(folder),
            "CP_WRITER_URL": "http://localhost:8080/admin/",
            "CP_DERIVED_CACHE": str(tmp_path / "derived"),
        }
        with serving(APP, writers, log, env=env) as reader:
            _wait_for_log(log, serve.WARMED)

            async def first_visit():
                async with ProtocolSession(reader.url, timeout=WITHIN_SECONDS) as session:
                    return await session.run("cohort", COUNCIL)

            run = run_in_own_loop(first_visit())
            assert run.finished and not run.errors, run.errors
        text = log.read_text(encoding="utf-8")
        assert "failed" not in text and "lock" not in text.lower(), text
    finally:
        held.close()
