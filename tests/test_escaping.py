"""The two escaping helpers: data text shown literally in Markdown and in Plotly's text.

Names and local indicator titles come from loaded files. The loader refuses
markup in names (loaders/identity.py), but local indicator titles and older
stores may still hold it, so every page and chart escapes what it shows.
"""

from __future__ import annotations

import re

import pytest

from charts.text import plotly_text, template_text
from ui.text import markdown_text

pytestmark = pytest.mark.pure

IMAGE = "![x](http://example.invalid/x.png)"
LINK = '<a href="http://example.invalid">x</a>'


J = "\u2060"  # WORD JOINER: invisible, and breaks what GitHub's autolinks look for


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (IMAGE, rf"!\[x\](http:{J}//example.invalid/x.png)"),
        (LINK, rf'\<a href="http:{J}//example.invalid"\>x\</a\>'),
        ("[click](javascript:alert(1))", rf"\[click\](javascript:{J}alert(1))"),
        ("<http://example.invalid>", rf"\<http:{J}//example.invalid\>"),
        ("WWW.example.invalid", f"WWW{J}.example.invalid"),
        ("someone@example.invalid", f"someone@{J}example.invalid"),
        ("Bath & *North* _East_", r"Bath \& \*North\* \_East\_"),
        ("`code` $x^2$ ~gone~ a|b {c}", r"\`code\` \$x^2\$ \~gone\~ a\|b \{c\}"),
        ("&lt;b&gt; \\ back", r"\&lt;b\&gt; \\ back"),
        (":red[x] :material/home: :smile:", rf":{J}red\[x\] :{J}material/home: :{J}smile:"),
        ("# Heading", r"\# Heading"),
        ("> quote", r"\> quote"),
        ("- item", r"\- item"),
        ("+ item", r"\+ item"),
        ("1. First", r"1\. First"),
        ("12) Twelfth", r"12\) Twelfth"),
    ],
)
def test_markdown_text_escapes_what_markdown_would_act_on(text, escaped):
    assert markdown_text(text) == escaped


# What Streamlit's Markdown (remark-gfm's mdast-util-gfm-autolink-literal) turns into
# links in the text it has parsed, after backslash escapes are gone; the email pattern
# without its look-behind, so it finds more, not less.
GFM_URL = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.IGNORECASE)
GFM_EMAIL = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: a backslash before punctuation


@pytest.mark.parametrize(
    "text",
    [IMAGE, LINK, "see http://example.invalid", "WWW.example.invalid", "me@example.invalid"],
)
def test_markdown_text_leaves_nothing_for_autolinks_and_reads_as_written(text):
    parsed = ESCAPE.sub(r"\1", markdown_text(text))  # the text node Markdown makes of it
    assert not GFM_URL.search(parsed) and not GFM_EMAIL.search(parsed), parsed
    assert parsed.replace(J, "") == text  # what a reader sees


def test_markdown_text_keeps_ordinary_names_and_sentences_as_they_are():
    for text in (
        "Wyrebrook",
        "Stockton-on-Tees",
        "King's Lynn (and West Norfolk)",
        "Bournemouth, Christchurch and Poole",
        "3+ placements in the year: 10% in Buckinghamshire in 2025.",
        "St. Helens",
    ):
        assert markdown_text(text) == text


def test_markdown_text_puts_everything_on_one_line():
    # A line break could start a heading, a list or a table in the middle of a page.
    assert markdown_text("Wyre\nbrook\r\n# x\t y\x00z  ") == r"Wyre brook \# x y z"


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (LINK, '&lt;a href="http://example.invalid"&gt;x&lt;/a&gt;'),
        ("<b>bold</b><br>", "&lt;b&gt;bold&lt;/b&gt;&lt;br&gt;"),
        ('<span style="color:red">x</span>', '&lt;span style="color:red"&gt;x&lt;/span&gt;'),
        ("Tom &amp; Jerry & co", "Tom &amp;amp; Jerry &amp; co"),
        ("Wyrebrook", "Wyrebrook"),
    ],
)
def test_plotly_text_shows_tags_and_entities_literally(text, escaped):
    assert plotly_text(text) == escaped


def test_template_text_also_keeps_plotly_variables_out():
    assert template_text("%{y} <b>") == "% {y} &lt;b&gt;"
