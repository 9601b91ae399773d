"""Charts as PNG images (downloads, slide decks) through kaleido and the system Chromium.

kaleido 1.x drives a Chromium to draw the figure exactly as the browser does.
Starting a browser for each image takes about three seconds, so one kaleido
engine is started per process, lazily on the first image, and then reused
(about 0.2 s an image). The app never downloads a browser: on Debian install
the `chromium` package, or point `BROWSER_PATH` at a Chromium.

Nothing is fetched from the network at run time: kaleido's page would load
MathJax from a public CDN by default (and plotly.js from one when it cannot
find plotly's own copy), so the engine is started without MathJax (the
charts use no LaTeX) and with the plotly.js bundled in the plotly package.

kaleido's shared engine answers one request at a time and its requests are
not safe to interleave from several threads (Streamlit runs each session in
its own thread), so every export here goes through one lock. A request to an
engine whose browser failed to start would wait for ever, so each one runs
with a time limit and a check that the engine is still alive.
"""

from __future__ import annotations

import os
import queue
import shutil
import threading
import time
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

MISSING_CHROMIUM = "PNG export needs Chromium: install Debian's chromium package"
TIMEOUT_SECONDS = 120.0  # kaleido's own limit for one image is 90 s
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")

_lock = threading.Lock()
_started = False


def chromium_path() -> str | None:
    """The Chromium kaleido would use: `BROWSER_PATH`, else one found on the system."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        return configured if _is_executable(configured) else None
    try:
        from choreographer.browsers.chromium import Chromium

        found = Chromium.find_browser(skip_local=False)
    except (ImportError, AttributeError, TypeError):  # kaleido's dependency changed its API
        found = next((path for name in BROWSER_NAMES if (path := shutil.which(name))), None)
    return found if found and _is_executable(found) else None


def figure_to_png(
    fig: go.Figure, width: int = 1100, height: int = 600, scale: float = 1.0
) -> bytes:
    """The figure as PNG bytes, `width` × `height` layout pixels times `scale`.

    Raises RuntimeError when no Chromium is installed (never downloads one) or
    when the export engine fails or stops responding.
    """
    global _started
    with _lock:
        if not _started:
            if chromium_path() is None:
                raise RuntimeError(MISSING_CHROMIUM)
            import kaleido

            kaleido.start_sync_server(silence_warnings=True, **engine_options())
            _started = True
        opts = {"format": "png", "width": width, "height": height, "scale": scale}
        return _render(fig, opts)


def engine_options() -> dict[str, Any]:
    """kaleido's page settings: no MathJax, and plotly.js from the installed package.

    Raises RuntimeError when plotly's bundled plotly.js is missing (kaleido would
    then fetch it from a CDN).
    """
    import plotly

    bundled = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
    if not bundled.is_file():
        raise RuntimeError(f"PNG export needs plotly's bundled plotly.js ({bundled} is missing)")
    return {"mathjax": False, "plotlyjs": bundled.as_uri()}


def _render(fig: go.Figure, opts: dict[str, Any]) -> bytes:
    """Ask the shared engine for one image, giving up if it dies or hangs."""
    global _started
    import kaleido

    answer: queue.Queue[tuple[bool, Any]] = queue.Queue(maxsize=1)

    def work() -> None:
        try:
            answer.put((True, kaleido.calc_fig_sync(fig, opts=opts)))
        except BaseException as error:  # handed to the caller below
            answer.put((False, error))

    threading.Thread(target=work, name="charts-png", daemon=True).start()
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while True:
        try:
            ok, payload = answer.get(timeout=0.25)
            break
        except queue.Empty:
            if not _engine_alive():
                # The browser never started or crashed: reset, so a later call retries.
                kaleido.stop_sync_server(silence_warnings=True)
                _started = False
                raise RuntimeError(
                    "PNG export could not start Chromium (is Debian's chromium package "
                    "installed and working?)"
                ) from None
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"PNG export did not finish within {TIMEOUT_SECONDS:.0f} s"
                ) from None
    if not ok:
        raise RuntimeError(f"PNG export failed: {payload}") from payload
    if not isinstance(payload, bytes | bytearray):
        raise RuntimeError(f"PNG export returned {type(payload).__name__}, not bytes")
    return bytes(payload)


def _engine_alive() -> bool:
    """False when kaleido's engine thread has ended (its browser failed to start).

    kaleido has no public way to ask, so this looks at its server's thread and
    assumes the engine is alive if that detail is not there.
    """
    import kaleido

    server = getattr(kaleido, "_global_server", None)
    thread = getattr(server, "_thread", None)
    return thread is None or thread.is_alive()


def _is_executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)
