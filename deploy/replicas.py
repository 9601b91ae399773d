"""Several app processes behind nginx on one machine: one writer, N readers.

Why: one Streamlit process runs one page's Python at a time, on one core, so a
whole panel opening pages before a meeting queues behind itself. Readers add
capacity; they serve a published read-only copy of the store (``loaders/publish.py``)
that the writer replaces after every commit, and switch to it at their next page
run without a restart.

``python -m deploy.replicas --store FILE --workdir DIR [--port 8080] [--readers 2]``
publishes the store into ``DIR/published``, starts the writer (under ``/admin/``),
the readers and Debian's nginx (config generated into ``DIR`` from
``deploy/nginx.conf.template``), prints the addresses and stops everything on
Ctrl-C. The load test and the end-to-end test use ``running(...)``, the same set-up
as a context manager.

The project's own code is reached by command (``python -m loaders publish``) and by
environment settings, so ``deploy/`` still imports nothing of the project
(docs/ARCHITECTURE.md): ``CP_DB`` and ``CP_PUBLISH_DIR`` for the writer,
``CP_READ_PUBLISHED`` and ``CP_WRITER_URL`` for the readers.
"""

from __future__ import annotations

import argparse
import os
import pwd
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from deploy.processes import APP, PROJECT, ServerFailed, free_port, serving, stop, wait_healthy

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
WRITER_PATH = "admin"
# The writer runs at a lower processor priority than the readers: it serves the few
# analysts, and a commit's burst of work (checking the files, computing every indicator
# for the readers, copying the store) must not slow the pages the panel is reading on
# the same cores. The analyst's commit waits a little longer instead. Measured with
# benchmarks/load_test.py --replicas --analyst (README, "Speed").
WRITER_NICENESS = 10
NGINX_CANDIDATES = ("nginx", "/usr/sbin/nginx")
NGINX_TEMP_FOLDERS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")


class NginxMissing(RuntimeError):
    """Debian's nginx is not installed (``make nginx`` installs it)."""


@dataclass(frozen=True)
class Setup:
    """Where everything of a running set-up answers, and its processes."""

    url: str  # nginx: the readers
    writer_url: str  # nginx: /admin/, the writer
    reader_urls: list[str]  # each reader directly
    writer_direct_url: str  # the writer directly (under /admin)
    reader_pids: list[int]
    writer_pid: int
    nginx_pid: int
    publish_dir: Path


def nginx_binary() -> str:
    """The nginx program, or ``NginxMissing`` saying how to install it."""
    for candidate in NGINX_CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    raise NginxMissing(
        "nginx is not installed: run `make nginx` (Debian's package, "
        "`apt-get install -y --no-install-recommends nginx`)."
    )


def _host_port(url: str) -> str:
    return url.removeprefix("http://").split("/", 1)[0]


def nginx_config(
    workdir: Path,
    port: int,
    reader_urls: list[str],
    writer_url: str,
    temp_root: Path | None = None,
) -> str:
    """The nginx configuration for this set-up, from the template in ``deploy/``
    (nginx's temporary files in ``temp_root``, by default ``workdir/nginx-temp``)."""
    # Readers by IP address, so that nginx's $upstream_addr (the cookie a client keeps)
    # is the very text the cookie map looks for.
    addresses = [_host_port(url).replace("localhost:", "127.0.0.1:") for url in reader_urls]
    readers = "\n".join(f"        server {address};" for address in addresses)
    reader_cookies = "\n".join(
        f'        "{address}" reader_{number};' for number, address in enumerate(addresses, 1)
    )
    reader_upstreams = "\n".join(
        f"    upstream reader_{number} {{\n        server {address};\n    }}"
        for number, address in enumerate(addresses, 1)
    )
    # As root, nginx's workers would run as `nobody`, which needs to write its temporary
    # files; otherwise nginx runs as whoever starts it and the directive is left out.
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    filled = {
        "@@USER@@": user,
        "@@WORKERS@@": "1",
        "@@WORKDIR@@": str(workdir),
        "@@TEMPDIR@@": str(temp_root or workdir / "nginx-temp"),
        "@@READERS@@": readers,
        "@@READER_COOKIES@@": reader_cookies,
        "@@READER_UPSTREAMS@@": reader_upstreams,
        "@@WRITER@@": _host_port(writer_url),
        "@@PORT@@": str(port),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for placeholder, value in filled.items():
        text = text.replace(placeholder, value)
    return text


def _nginx_temp_root(workdir: Path, stack: ExitStack) -> Path:
    """Where nginx's workers write request bodies (uploads) and buffered answers.

    Run as root, nginx's workers are `nobody`, who cannot pass through a work folder
    made by `tempfile` or pytest (0700, under a 0700 parent): uploads through nginx
    would fail with "Permission denied". Then the folders go in a folder of their own
    under the system's temporary folder, searchable by others, owned by `nobody`, and
    removed when the set-up stops. Otherwise nginx runs as its starter, in the work folder.
    """
    if os.geteuid() != 0:
        root = workdir / "nginx-temp"
    else:
        root = Path(tempfile.mkdtemp(prefix="cp-nginx-temp-"))
        root.chmod(0o711)
        stack.callback(shutil.rmtree, root, ignore_errors=True)
    for name in NGINX_TEMP_FOLDERS:
        folder = root / name
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            nobody = pwd.getpwnam("nobody")
            os.chown(folder, nobody.pw_uid, nobody.pw_gid)
    return root


def publish_first(store: Path, publish_dir: Path) -> None:
    """Publish the store once before anything serves it (the readers need a store)."""
    done = subprocess.run(
        [sys.executable, "-m", "loaders", "publish", "--db", str(store), "--to", str(publish_dir)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise ServerFailed(f"could not publish {store}: {done.stdout}{done.stderr}".strip())


@contextmanager
def _nginx(config: Path, workdir: Path, url: str) -> Iterator[subprocess.Popen]:
    binary = nginx_binary()
    error_log = workdir / "nginx-error.log"
    check = subprocess.run(
        [binary, "-t", "-q", "-p", str(workdir), "-c", str(config), "-e", str(error_log)],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        raise ServerFailed(f"nginx refused {config}: {check.stderr.strip()}")
    process = subprocess.Popen(
        [binary, "-p", str(workdir), "-c", str(config), "-e", str(error_log)],
        stdout=subprocess.DEVNULL,
        stderr=(workdir / "nginx-stderr.log").open("ab"),
    )
    try:
        wait_healthy(url, process)
        yield process
    finally:
        stop(process)


@contextmanager
def running(
    store: Path, workdir: Path, port: int | None = None, readers: int = 2
) -> Iterator[Setup]:
    """One writer over ``store``, ``readers`` readers over its published copies, and nginx
    on ``port`` (a free one if None), until the block ends; everything is stopped then.

    ``store`` is the writer's own file (served read-write, as ``CP_DB``); its copies are
    published into ``workdir/published``; logs and nginx's files go into ``workdir``.
    """
    store = Path(store).resolve()
    workdir = Path(workdir).resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    publish_dir = workdir / "published"
    port = port or free_port()
    url = f"http://localhost:{port}"
    writer_url = f"{url}/{WRITER_PATH}/"
    publish_first(store, publish_dir)
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("CP_")}
    for kept in ("CP_REFERENCE_DATA", "CP_DERIVED_CACHE"):  # shared by all of them
        if kept in os.environ:
            base_env[kept] = os.environ[kept]
    with ExitStack() as stack:
        writer = stack.enter_context(
            serving(
                APP,
                database=store,
                log=workdir / "writer.log",
                env={**base_env, "CP_PUBLISH_DIR": str(publish_dir)},
                base_path=WRITER_PATH,
                niceness=WRITER_NICENESS,
            )
        )
        reader_servers = [
            stack.enter_context(
                serving(
                    APP,
                    log=workdir / f"reader-{number}.log",
                    env={
                        **base_env,
                        "CP_READ_PUBLISHED": str(publish_dir),
                        "CP_WRITER_URL": writer_url,
                    },
                )
            )
            for number in range(1, readers + 1)
        ]
        reader_urls = [server.url for server in reader_servers]
        config = workdir / "nginx.conf"
        temp_root = _nginx_temp_root(workdir, stack)
        config.write_text(
            nginx_config(workdir, port, reader_urls, writer.url, temp_root), encoding="utf-8"
        )
        proxy = stack.enter_context(_nginx(config, workdir, url))
        yield Setup(
            url=url,
            writer_url=writer_url,
            reader_urls=reader_urls,
            writer_direct_url=writer.url,
            reader_pids=[server.process.pid for server in reader_servers],
            writer_pid=writer.process.pid,
            nginx_pid=proxy.pid,
            publish_dir=publish_dir,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.replicas", description=__doc__)
    parser.add_argument("--store", required=True, type=Path, help="the writer's store file")
    parser.add_argument(
        "--workdir", required=True, type=Path, help="published stores, logs, nginx's files"
    )
    parser.add_argument("--port", type=int, default=8080, help="where nginx listens")
    parser.add_argument("--readers", type=int, default=2, help="how many reader processes")
    args = parser.parse_args(argv)
    try:
        with running(args.store, args.workdir, args.port, args.readers) as setup:
            print(f"Readers (through nginx): {setup.url}/")
            print(f"Writer, for loads (through nginx): {setup.writer_url}")
            for number, (reader, pid) in enumerate(
                zip(setup.reader_urls, setup.reader_pids, strict=True), 1
            ):
                print(f"  reader {number}: {reader}/ (pid {pid})")
            print(f"  writer: {setup.writer_direct_url}/ (pid {setup.writer_pid})")
            print(f"  nginx: pid {setup.nginx_pid}; published stores in {setup.publish_dir}")
            print("Ctrl-C stops everything.", flush=True)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            signal.pause()
    except KeyboardInterrupt:
        print("Stopped.")
    except (NginxMissing, ServerFailed) as problem:
        print(problem, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
