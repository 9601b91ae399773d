"""Start a ``streamlit run`` on a free port, wait until it serves, stop it cleanly.

The browser tests, the browser benchmark and the replica set-up all start app
processes; they share this one piece so that a server is started, checked and
stopped the same way everywhere (stopped by its own PID, killed only if it does
not stop within ten seconds).

The project's app is served the way ``make run`` serves it, through its launcher
``python -m ui.serve`` (``streamlit run app.py`` with its first run's work begun
as soon as the server has started: ui/serve.py), so what is tested and measured
is what is run. So is another checkout's app (the browser benchmark's
``--baseline``, an earlier commit unpacked in a folder): through that checkout's
own launcher, run from its folder, or a comparison with it would set a launched
app against a bare one. Any other script (the browser benchmark's one-chart floor)
runs with Streamlit's own ``streamlit run``. The launcher is reached by command, so
this module still imports nothing of the project.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
APP = PROJECT / "app.py"
LAUNCHER = "ui.serve"  # `python -m ui.serve [OPTIONS]` is `streamlit run app.py [OPTIONS]`
HEALTHY_WITHIN_SECONDS = 60.0


class ServerFailed(RuntimeError):
    """A server stopped, or did not answer its health check, before serving."""


def free_port() -> int:
    """A TCP port nobody on this machine listens on now."""
    with socket.socket() as sock:
        sock.bind(("localhost", 0))
        return sock.getsockname()[1]


def has_launcher(script: Path) -> bool:
    """Whether ``script`` is a checkout's ``app.py`` with the launcher beside it
    (``ui/serve.py``): this project's, or an earlier commit's unpacked in a folder."""
    script = Path(script).resolve()
    launcher_file = script.parent / (LAUNCHER.replace(".", "/") + ".py")
    return script.name == APP.name and launcher_file.exists()


def streamlit_command(
    script: Path,
    port: int,
    address: str = "localhost",
    extra: Sequence[str] = (),
    launcher: bool = True,
) -> list[str]:
    """``streamlit run`` for ``script``: headless, on ``address:port``, no usage statistics;
    a checkout's app (this project's or another's) through its launcher, to be run from
    its folder, unless ``launcher`` is False (the browser benchmark's before-and-after of
    the launcher)."""
    if launcher and has_launcher(script):
        command = [sys.executable, "-m", LAUNCHER]
    else:
        streamlit = Path(sys.executable).with_name("streamlit")
        run = [str(streamlit)] if streamlit.exists() else [sys.executable, "-m", "streamlit"]
        command = [*run, "run", str(script)]
    return [
        *command,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        address,
        "--browser.gatherUsageStats",
        "false",
        *extra,
    ]


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    started: float  # time.perf_counter() at `streamlit run`


def wait_healthy(
    url: str, process: subprocess.Popen, within: float = HEALTHY_WITHIN_SECONDS
) -> None:
    """Return once ``url`` answers ``/_stcore/health`` with ok; raise ServerFailed otherwise."""
    deadline = time.perf_counter() + within
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            raise ServerFailed(
                f"streamlit stopped (exit {process.returncode}) before serving {url}"
            )
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.02)
    raise ServerFailed(f"streamlit at {url} not healthy after {within:.0f} s")


def stop(process: subprocess.Popen) -> None:
    """Stop a server by its own PID: terminate, then kill if it has not gone in 10 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def serving(
    script: Path = APP,
    database: Path | None = None,
    log: Path | None = None,
    env: Mapping[str, str] | None = None,
    extra: Sequence[str] = (),
    port: int | None = None,
    base_path: str = "",
    launcher: bool = True,
    niceness: int = 0,
) -> Iterator[Server]:
    """``streamlit run script`` on a free port (or ``port``) until the block ends.

    ``database`` is served as ``CP_DB``; output goes to ``log`` (appended) or nowhere;
    ``base_path`` serves the app under that path (``server.baseUrlPath``, e.g. ``admin``
    behind a proxy), which the server's URL then ends with; ``launcher`` as for
    ``streamlit_command``; ``niceness`` above 0 runs the server at a lower processor
    priority (``nice``), every thread it starts included.
    """
    port = port or free_port()
    environment = {**os.environ, **(env or {})}
    if database is not None:
        environment["CP_DB"] = str(database)
    base_path = base_path.strip("/")
    if base_path:
        extra = [*extra, "--server.baseUrlPath", base_path]
    command = streamlit_command(script, port, extra=extra, launcher=launcher)
    if niceness:
        command = ["nice", "-n", str(niceness), *command]
    output = log.open("ab") if log is not None else subprocess.DEVNULL
    try:
        started = time.perf_counter()
        process = subprocess.Popen(
            command, cwd=script.parent, env=environment, stdout=output, stderr=subprocess.STDOUT
        )
    finally:
        if log is not None:
            output.close()
    url = f"http://localhost:{port}" + (f"/{base_path}" if base_path else "")
    try:
        wait_healthy(url, process)
        yield Server(url, process, started)
    finally:
        stop(process)
