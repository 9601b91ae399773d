"""Text from loaded files, made safe to show in a Plotly figure.

Plotly renders a subset of HTML in every piece of text it draws (titles,
legend names, axis tick labels, annotations, trace text, hover text and the
values a hover template fills in): ``<a href>`` becomes a live link in the
chart's SVG, and ``<b>``, ``<i>``, ``<br>``, ``<sup>``, ``<sub>`` and
``<span style>`` change how it looks. It decodes entities after it has found
the tags, so escaping ``&``, ``<`` and ``>`` shows the text exactly as written.

Every chart function escapes the data text it is given (council, region and
neighbour names, local indicator titles, period labels) with `plotly_text`,
and text it places into a hover template with `template_text`. Its own
markup (the council's bold label, line breaks in a wrapped title) is added
after escaping.
"""

from __future__ import annotations


def plotly_text(text: object) -> str:
    """Text Plotly shows literally: its tags and entities escaped."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def template_text(text: object) -> str:
    """Text inside a hover template: escaped, and "%{" kept from reading as a variable."""
    return plotly_text(text).replace("%{", "% {")
