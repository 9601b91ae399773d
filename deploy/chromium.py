"""Debian's Chromium, launched the same way by every test and benchmark that drives a browser.

Never ``playwright install``: Playwright drives the system's ``chromium`` (installed
by ``make chromium``). The flags keep it from reaching for Google's services at every
start, which this machine's closed network refuses many times over (TOOLING.md), and
let it run as root in a container (no sandbox, no GPU).
"""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def launch_options() -> dict[str, object]:
    """Keyword arguments for Playwright's ``chromium.launch``."""
    return {"executable_path": CHROMIUM, "args": list(CHROMIUM_ARGS)}
