"""The two escaping helpers: data text shown literally in Markdown and in Plotly's text.

Names and local indicator titles come from loaded files. The loader refuses
markup in names (loaders/identity.py), but local indicator titles and older
stores may still hold it, so every page and chart escapes what it shows.
"""

from __future__ import annotations

import pytest

from charts.text import plotly_text, template_text
from ui.text import markdown_text

IMAGE = "![x](http://example.invalid/x.png)"
LINK = '<a href="http://example.invalid">x</a>'


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        (IMAGE, r"!\[x\](http\://example.invalid/x.png)"),
        (LINK, r'\<a href="http\://example.invalid"\>x\</a\>'),
        ("[click](javascript:alert(1))", r"\[click\](javascript\:alert(1))"),
        ("<http://example.invalid>", r"\<http\://example.invalid\>"),
        ("www.example.invalid", r"www\.example.invalid"),
        ("someone@example.invalid", r"someone\@example.invalid"),
        ("Bath & *North* _East_", r"Bath \& \*North\* \_East\_"),
        ("`code` $x^2$ ~gone~ a|b {c}", r"\`code\` \$x^2\$ \~gone\~ a\|b \{c\}"),
        ("&lt;b&gt; \\ back", r"\&lt;b\&gt; \\ back"),
        (":red[x]", r"\:red\[x\]"),
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
