"""Start the browser on Streamlit's chart-drawing code before the page's first chart.

Streamlit's front end fetches the code that draws Plotly charts (one module of about
4.7 MB of script) only when a chart arrives, and a line page's first chart arrives
after the figures above it: on a first visit the browser then fetches, compiles and
starts that code while the reader waits for the chart. Sent at the start of a run,
before the run waits for anything, a module script of that same file makes the
browser do it meanwhile; Streamlit's own import of it later finds it done (a module
is fetched and run once per page).

Sent by app.py on the pages that draw charts (``ui.page_list``'s ``draws_charts``: the
line pages and Compare), before the run waits for the warm-up's imports, so the
browser starts on the code while the server works. Not on pages without charts:
measured with ``benchmarks/browser_pages.py``, running the code early on At a glance
cost its second visit about half as much again (1.29x to 1.97x the floor), while a link that
only fetched and compiled it (``modulepreload``) gained a cold start nothing
measurable (docs/BENCHMARKS.md). Light on purpose (Streamlit and the standard
library only): it is imported before those imports are done.
"""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

CHART_CODE = "PlotlyChart.*.js"  # Streamlit's chunk for st.plotly_chart


@functools.cache
def chart_code_url() -> str | None:
    """The chart module's URL relative to any page (``./static/js/PlotlyChart.<hash>.js``),
    or None if this Streamlit does not have exactly one."""
    folder = Path(st.__file__).parent / "static" / "static" / "js"
    found = sorted(folder.glob(CHART_CODE))
    return f"./static/js/{found[0].name}" if len(found) == 1 else None


MARK = "data-cp-chart-code"  # on the script, so the style below finds its element


def chart_code_tag(url: str) -> str:
    """The module script that has the browser fetch and run ``url``, and a style that
    takes its element out of the layout (an element with nothing to show still gets
    the gap between elements: the sidebar's controls would sit lower on chart pages)."""
    return (
        f'<style>[data-testid="stElementContainer"]:has(script[{MARK}]) {{ display: none; }}'
        f'</style><script type="module" src="{url}" {MARK}></script>'
    )


def fetch_chart_code() -> None:
    """The chart module, in the sidebar (before its controls, taking no room)."""
    url = chart_code_url()
    if url is not None:
        st.sidebar.html(chart_code_tag(url), unsafe_allow_javascript=True)
