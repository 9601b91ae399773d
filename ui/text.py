"""Text from loaded files, made safe to show through Streamlit's Markdown.

Streamlit renders Markdown in far more places than `st.markdown`: headings,
captions, alerts (`st.info`, `st.warning`, …), metric labels and help, expander
and tab labels, button and widget labels, radio options. Names of councils and
regions, local indicator titles and the sentences built from them come from
files, so a name holding ``![x](http://…/x.png)`` would load an image from an
outside server in every viewer's browser, and ``[click](javascript:…)`` would
be a link. The loader refuses such names (`loaders.identity`), but local
indicator titles and older stores may still hold them: this is the second line
of defence.

`markdown_text` is the one helper: every piece of data text that reaches a
Markdown sink goes through it, either whole (a plain sentence) or as the name
placed into a sentence that has deliberate Markdown of its own (bold, say).
Where a page can show data text as plain text instead (`st.dataframe` cells,
select box options), it does, unescaped.
"""

from __future__ import annotations

import re

# Characters Markdown, GitHub's extensions or Streamlit's own syntax act on anywhere
# in a line: emphasis, code, links and images, HTML and entities, tables,
# strikethrough, LaTeX, colour directives' brackets, email autolinks. The backslash
# first, so the others' backslashes are not doubled.
ANYWHERE = re.compile(r"([\\`*_\[\]{}<>#|~$&@])")
# A colon before a non-space starts a URL scheme ("http://", "javascript:") that
# GitHub's autolinks would turn into a link; "www." does the same.
SCHEME_COLON = re.compile(r":(?=\S)")
WWW_DOT = re.compile(r"(?i)\b(www)\.")
# Only at the start: a list item ("- ", "+ ", "1. ", "2) ").
LIST_BULLET = re.compile(r"^(?=[-+](?:\s|$))")
LIST_NUMBER = re.compile(r"^(\d+)(?=[.)](?:\s|$))")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def markdown_text(text: object) -> str:
    """Data text that Streamlit's Markdown shows exactly as written, on one line.

    Every character Markdown would act on is backslash-escaped (CommonMark
    shows an escaped punctuation character as itself); line breaks, tabs and
    other control characters become single spaces, so a name cannot start a
    heading, list or table of its own. Ordinary names and sentences ("St. Helens",
    "Stockton-on-Tees", "3+ placements in the year: 10%.") are unchanged.
    """
    one_line = " ".join(CONTROL.sub(" ", str(text)).split())
    escaped = ANYWHERE.sub(r"\\\1", one_line)
    escaped = SCHEME_COLON.sub(r"\\:", escaped)
    escaped = WWW_DOT.sub(r"\1\\.", escaped)
    escaped = LIST_BULLET.sub(r"\\", escaped)
    return LIST_NUMBER.sub(r"\1\\", escaped)
