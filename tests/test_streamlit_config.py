"""The served Streamlit settings that the speed figures in the README depend on.

Both were measured (README "Speed", docs/BENCHMARKS.md); a later edit that turns one
back on would cost every page run without failing any functional test.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.pure


def served_config() -> dict:
    return tomllib.loads((PROJECT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))


def test_no_full_garbage_collection_after_every_run() -> None:
    assert served_config()["runner"]["postScriptGC"] is False


def test_no_file_watcher_registered_per_session() -> None:
    assert served_config()["server"]["fileWatcherType"] == "none"


def test_streamlit_reads_the_settings_as_written() -> None:
    # The option names must be Streamlit's own: a misspelt one is silently ignored.
    from streamlit import config

    for section, options in served_config().items():
        for name in options:
            assert f"{section}.{name}" in config._config_options_template, f"{section}.{name}"
