"""Serve the app with its first visitor's work already begun: ``python -m ui.serve [OPTIONS]``.

Why: ``streamlit run app.py`` does nothing of the app until the first browser session
arrives. That session's first run then imports pandas, DuckDB, Arrow and Plotly,
opens the store, reads every indicator and comparison back from disk, works out the
council list and builds Plotly's first figure (1.0-1.1 s of the run's processor time on
the demo store, against 0.12-0.17 s once all that is done), while the visitor waits;
until then the server sat idle through the browser's loading of Streamlit's front
end. This launcher starts one thread that does that work and then runs Streamlit's
own command line in the same process, ``streamlit run app.py OPTIONS`` (every
``streamlit run`` option is accepted), so ``make run`` and ``deploy/processes.py``
(the browser tests, the browser benchmark and the replicas) serve the app this one way.

The thread waits for Streamlit's server to start (its caches are then the ones every
session reads, and the thread takes no processor time from the start-up) and for the
first visitor's run to begin (at most ``VISITOR_WITHIN_SECONDS``: the thread takes no
processor time from the server's answers while that browser loads Streamlit's front end
either), then does the first run's work in the order that run meets it: Streamlit's own
once-a-process costs of a first page (the page icon's emoji table, the call-stack check
on the first element), the imports of ``app.py`` and the reading pages, Plotly's first
figure's classes, and the caches every session reads (``ui.data.warm_up``, which also
works out the own figures of the councils that have them). Warming only saves time: a
run that needs an entry the thread is computing waits for that entry (Streamlit computes
one cache entry once) rather than computing it again; a failure is written to the log
and the server carries on, its runs computing what they need as before. Nothing here
decides what a page shows: a store loaded or published later has a new data version or
path, so new cache keys, exactly as without the launcher.
"""

from __future__ import annotations

import ast
import atexit
import gc
import importlib
import sys
import threading
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
APP = PROJECT / "app.py"
PAGES_FOLDER = PROJECT / "app_pages"
# Imported first: app.py's imports (those it makes after waiting, and the light ones it
# makes before: Streamlit and the standard library only), which every run needs before
# its page; the pages' own follow (page_imports), then what they import when they draw.
FIRST_MODULES = ("ui.access", "ui.data", "ui.page_list", "ui.state")
DRAWING_MODULES = ("charts",)  # ui/figures.py and ui/line_page.py import it in functions
# How long a run waits for the thread's imports before importing for itself.
IMPORTS_WITHIN_SECONDS = 60.0
# How long the thread waits for Streamlit's server to start before giving up warming.
SERVER_WITHIN_SECONDS = 60.0
# How long, once the server answers, the thread waits for a first visitor's run before
# warming anyway (see ``warm``): longer than a browser takes to load Streamlit's front
# end on the 2-core machine (1.2-2.4 s), short enough that a server started for the
# day is warm long before anyone opens it.
VISITOR_WITHIN_SECONDS = 5.0
WARMED = "warmed the app"  # the log line's start (tests read it)
WARMING_FAILED = "warming the app failed"
THREAD_NAME = "warm-up"
# Python's thread switch interval while the warm-up works (the default is 5 ms): how
# long the server's event loop may wait for the interpreter lock the warm-up holds
# before it can answer the browser. The browser fetches Streamlit's front end (dozens of
# files, several megabytes) while the thread imports pandas and reads the tables; with
# the default, each answer could wait up to 5 ms for the lock, many times over.
# Measured with both sides served through their launchers (cold starts to /cohort's
# first chart, alternated with the default): 0.55 s later in one run of nine rounds,
# 0.25 s sooner in one of thirteen, 13 of 22 rounds sooner: no measurable gain; kept
# because it cost nothing measured either (docs/BENCHMARKS.md, "Comparisons with an
# earlier commit, corrected": earlier figures here set a launched app against a bare one).
WARM_UP_SWITCH_INTERVAL = 0.0005


def page_imports(pages: Sequence[str]) -> list[str]:
    """The project's modules the given pages import (``app_pages/<name>.py``), in order.

    Read from the pages' source, so a page that starts importing something new has it
    warmed too; a module named twice is listed once.
    """
    found: dict[str, None] = {}
    for name in pages:
        tree = ast.parse((PAGES_FOLDER / f"{name}.py").read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found[node.module] = None
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    found[alias.name] = None
    return [module for module in found if (PROJECT / module.split(".")[0]).is_dir()]


def modules_to_warm() -> list[str]:
    """app.py's modules, then those of the pages a panel member reads (in menu order),
    then the charts they draw."""
    from ui.page_list import READING_PAGES

    return list(dict.fromkeys([*FIRST_MODULES, *page_imports(READING_PAGES), *DRAWING_MODULES]))


# Set while the thread imports. Python 3.11 refuses an import that two threads make
# of modules importing each other in different orders (its import deadlock detection
# raises in one of them), so a run waits for the thread's imports to finish rather
# than import the same modules beside it. Set from the start: without the launcher
# (AppTest, a bare ``streamlit run app.py``) nothing is imported ahead.
_imports_done = threading.Event()
_imports_done.set()
# Set by the first run that reaches app.py's wait: a visitor's browser has loaded
# Streamlit's front end and is waiting for this process.
_visitor_arrived = threading.Event()


def wait_for_imports(within: float = IMPORTS_WITHIN_SECONDS) -> None:
    """In every run (app.py), before its first import of pandas, DuckDB or the project's
    reading modules: say a visitor is here (a warm-up waiting for one starts now), then
    return once no warm-up is importing."""
    _visitor_arrived.set()
    _imports_done.wait(within)


def _wait_for_server(within: float) -> bool:
    """True once Streamlit's runtime has started (False if not within ``within`` s).

    Its caches are then the ones every session reads, and the server answers: the
    thread takes no processor time from Streamlit's own start-up, only from the wait
    for the browser that follows it.
    """
    from streamlit import runtime
    from streamlit.runtime.runtime import RuntimeState

    deadline = time.perf_counter() + within
    while not runtime.exists() or runtime.get_instance().state == RuntimeState.INITIAL:
        if time.perf_counter() > deadline:
            return False
        time.sleep(0.01)
    return True


def _streamlit_first_page_costs() -> None:
    """What Streamlit does once a process, on its first page: read its emoji table to
    check the page icon (``st.set_page_config(page_icon="🏠")``), and look at the call
    stack once to decide whether to warn that the app runs outside ``streamlit run``
    (on the first element drawn, through a page's whole stack: 50-90 ms of a first run;
    from this thread's short stack a few; Streamlit's own once-a-process flag, so
    skipped if a later Streamlit renames it)."""
    from streamlit import delta_generator
    from streamlit.string_util import is_emoji

    is_emoji("🏠")
    check_once = getattr(delta_generator, "_maybe_print_use_warning", None)
    if callable(check_once):
        check_once()


def _first_chart_costs() -> None:
    """What Plotly does once a process, on its first figure: import the classes of each
    part a figure uses (a line page's first trend: about 80 ms of CPU on the first
    run, 5 ms after). One trend is built as the line pages build theirs, from a made-up
    series, and serialised as ``st.plotly_chart`` serialises it."""
    import pandas as pd
    import plotly.io

    from charts import trend_chart
    from domain.units import HIGHER_IS_BETTER, PERCENT

    series = pd.DataFrame(
        {
            "period_label": ["2023", "2024", "2025"],
            "council": [50.0, 52.0, 55.0],
            "neighbours": [48.0, 49.0, 50.0],
            "region": [47.0, 48.0, 49.0],
            "england": [46.0, 47.0, 48.0],
            "council_symbol": [None, None, None],
        }
    )
    figure = trend_chart(
        series,
        title="Warming up",
        unit=PERCENT,
        decimals=0,
        council_name="A council",
        polarity=HIGHER_IS_BETTER,
    )
    plotly.io.to_json(figure, validate=False)


def _out_of_the_collectors_way() -> None:
    """Move every object made so far (the modules, the store's shared tables) out of the
    reach of Python's cyclic garbage collector (``gc.freeze``): they live as long as the
    process, and each later full collection would walk all of them again (about 130,000
    objects, 90 ms, holding every session's run meanwhile; afterwards it walks only
    what was made since). Garbage is collected first, so none is kept; frozen objects
    freed by reference counting are still freed. Unfrozen at exit, so the interpreter's
    own clean-up sees them."""
    gc.collect()
    gc.freeze()
    atexit.register(gc.unfreeze)


def warm(
    import_modules: Callable[[], Sequence[str]] = modules_to_warm,
    fill_caches: Callable[[], None] | None = None,
    server_within: float = SERVER_WITHIN_SECONDS,
    server_started: Callable[[float], bool] | None = None,
    visitor_within: float = VISITOR_WITHIN_SECONDS,
) -> bool:
    """Do a first run's work ahead of it; True if all of it was done. Never raises:
    anything that fails is logged (stderr, the server's log) and left to the runs.

    Once the server answers, the work waits for the first visitor's run to begin (at
    most ``visitor_within`` seconds): until then that visitor's browser is loading
    Streamlit's front end, dozens of files the server's event loop answers, and on two
    cores the warm-up's imports made them arrive about a second later; once the run
    has begun, the browser starts the chart code (``ui/preload.py``) while the
    imports go on, which then take 1.35-1.4 s instead of 1.9-2.45 s. Measured on the
    first chart of a cold start, both sides launched, nine rounds alternated with
    warming at once: 0.21 s sooner (median of the pairs, 7 of 9 sooner); importing
    before the server answered was 1.2 s later (docs/BENCHMARKS.md: cold starts vary
    by +-0.6 s here). Meanwhile the server's other threads get the interpreter lock
    sooner (``WARM_UP_SWITCH_INTERVAL``).

    ``fill_caches`` defaults to ``ui.data.warm_up`` and ``server_started`` to waiting
    for Streamlit's runtime (tests pass their own)."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(WARM_UP_SWITCH_INTERVAL)
    try:
        return _warm(import_modules, fill_caches, server_within, server_started, visitor_within)
    finally:
        sys.setswitchinterval(interval)


def _warm(
    import_modules: Callable[[], Sequence[str]],
    fill_caches: Callable[[], None] | None,
    server_within: float,
    server_started: Callable[[float], bool] | None,
    visitor_within: float,
) -> bool:
    try:
        if not (server_started or _wait_for_server)(server_within):
            _imports_done.set()
            print(
                f"{WARMING_FAILED}: Streamlit's server did not start within {server_within:g} s",
                file=sys.stderr,
                flush=True,
            )
            return False
        serving = time.perf_counter()
        _visitor_arrived.wait(visitor_within)
        began = time.perf_counter()
        # In the order a first run meets them: app.py's page icon and first element come
        # before any page, then the imports (a run waits for those), the first chart's
        # classes, and the caches (a run needing an entry the thread is filling waits for
        # it; one it needs first it computes itself). Paid after the caches, Streamlit's
        # own costs were often still due when the first run got there (measured: the
        # emoji table and the call-stack check in a cold start's first run).
        _streamlit_first_page_costs()
        try:
            for module in import_modules():
                importlib.import_module(module)
        finally:
            _imports_done.set()
        try:
            _first_chart_costs()
        except Exception:  # only a head start lost: the caches are still worth filling
            print(
                f"{WARMING_FAILED} (Plotly's first figure; the caches are still warmed):\n"
                f"{traceback.format_exc()}",
                file=sys.stderr,
                flush=True,
            )
        imported = time.perf_counter()
        if fill_caches is None:
            from ui.data import warm_up as fill_caches
        fill_caches()
        _out_of_the_collectors_way()
    except Exception:  # the runs compute what they need, as without the launcher
        print(f"{WARMING_FAILED}:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
        return False
    finished = time.perf_counter()
    print(
        f"{WARMED} {finished - serving:.2f} s after the server started (waiting for a "
        f"visitor {began - serving:.2f} s, imports and first page {imported - began:.2f} s, "
        f"caches {finished - imported:.2f} s)",
        file=sys.stderr,
        flush=True,
    )
    return True


def start_warming(**options: object) -> threading.Thread:
    """Warm in a background thread (a daemon: it never holds the server up at exit);
    ``options`` go to ``warm``."""
    _imports_done.clear()
    _visitor_arrived.clear()
    thread = threading.Thread(target=_warm_then_release, kwargs=options, name=THREAD_NAME)
    thread.daemon = True
    thread.start()
    return thread


def _warm_then_release(**options: object) -> None:
    try:
        warm(**options)  # type: ignore[arg-type]
    finally:
        _imports_done.set()  # whatever happened, no run waits for this thread


def streamlit_arguments(options: Sequence[str]) -> list[str]:
    """Streamlit's command line for the app: ``run app.py`` and the options given."""
    return ["run", str(APP), *options]


def main(options: Sequence[str] | None = None) -> None:
    """Start warming, then serve with Streamlit's own command line (which exits)."""
    options = list(sys.argv[1:] if options is None else options)
    # Streamlit is imported before the thread starts: two threads importing the same
    # package of circular imports at once can fail (Python's import deadlock detection).
    from streamlit.web import cli

    start_warming()
    cli.main(args=streamlit_arguments(options), prog_name="streamlit")


if __name__ == "__main__":
    # Run as ``ui.serve``, the module app.py asks whether imports are done, not as a
    # second copy of it named ``__main__``.
    from ui.serve import main as serve

    serve()
