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
# strikethrough, LaTeX, colour directives' brackets. The backslash first, so the
# others' backslashes are not doubled.
ANYWHERE = re.compile(r"([\\`*_\[\]{}<>#|~$&])")
# GitHub's autolinks and Streamlit's shortcodes are found in the text after the
# backslashes are gone ("http://…", "www.…", "name@host…", ":smile:",
# ":material/…:"), so escaping cannot stop them: an invisible WORD JOINER after the
# colon, before the dot and after the at sign breaks the pattern and reads the same.
WORD_JOINER = "\u2060"
COLON = re.compile(r":(?=\S)")
WWW_DOT = re.compile(r"(?i)(www)\.")
AT = re.compile(r"@")
# Only at the start: a list item ("- ", "+ ", "1. ", "2) ").
LIST_BULLET = re.compile(r"^(?=[-+](?:\s|$))")
LIST_NUMBER = re.compile(r"^(\d+)(?=[.)](?:\s|$))")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def markdown_text(text: object) -> str:
    """Data text that Streamlit's Markdown shows exactly as written, on one line.

    Every character Markdown would act on is backslash-escaped (CommonMark
    shows an escaped punctuation character as itself), and a word joiner (which
    shows as nothing) keeps web addresses, email addresses and shortcodes from
    becoming links or icons; line breaks, tabs and other control characters
    become single spaces, so a name cannot start a heading, list or table of its
    own. Ordinary names and sentences ("St. Helens", "Stockton-on-Tees",
    "3+ placements in the year: 10%.") are unchanged.
    """
    one_line = " ".join(CONTROL.sub(" ", str(text)).split())
    escaped = ANYWHERE.sub(r"\\\1", one_line)
    escaped = COLON.sub(":" + WORD_JOINER, escaped)
    escaped = WWW_DOT.sub(r"\1" + WORD_JOINER + ".", escaped)
    escaped = AT.sub("@" + WORD_JOINER, escaped)
    escaped = LIST_BULLET.sub(r"\\", escaped)
    return LIST_NUMBER.sub(r"\1\\", escaped)
