"""How much room a line of slide text takes, so a headline never runs out of its box.

PowerPoint and LibreOffice wrap text themselves and let it spill below its box
when it is too long: the reader sees it overlap the chart, and a presenter has
to edit the slide before showing it. So the pack measures its text before
placing it: each word's width in the font the slide asks for (Arial, measured
with Liberation Sans, which has the same widths by design), wrapped greedily
as the renderers do, with a margin for the renderer's own rounding. When the
font file is not installed, a per-character width table for Arial is used.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

FONT_FOLDER = Path("/usr/share/fonts/truetype/liberation")
FONT_FILES = {False: "LiberationSans-Regular.ttf", True: "LiberationSans-Bold.ttf"}
POINTS_PER_INCH = 72
LINE_SPACING = 1.2  # a line's height, as a multiple of the font size (single spacing)
SAFETY = 1.06  # renderers' kerning and rounding differ a little: keep 6 % spare
# Arial's advance widths in thousandths of an em (regular), for machines without the font.
NARROW = set("ijlI.,;:'!|()[]{}ft ")
WIDE_CHARACTERS = set("mwMW%@")


@cache
def _font(bold: bool, size: float):
    try:
        from PIL import ImageFont

        return ImageFont.truetype(str(FONT_FOLDER / FONT_FILES[bold]), size=int(size * 10))
    except (ImportError, OSError):
        return None


def text_width(text: str, size: float, bold: bool = False) -> float:
    """The width of one line of text, in points, at ``size`` points."""
    font = _font(bold, size)
    if font is not None:
        return font.getlength(text) / 10  # measured at ten times the size, for precision
    em = sum(0.3 if c in NARROW else 0.85 if c in WIDE_CHARACTERS else 0.56 for c in text)
    return em * size * (1.05 if bold else 1.0)


def wrapped_lines(text: str, width_points: float, size: float, bold: bool = False) -> list[str]:
    """The text wrapped at spaces into lines no wider than ``width_points``."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        line = ""
        for word in re.split(r" +", paragraph.strip()):
            candidate = f"{line} {word}" if line else word
            if line and text_width(candidate, size, bold) * SAFETY > width_points:
                lines.append(line)
                line = word
            else:
                line = candidate
        lines.append(line)
    return lines


def text_height(text: str | list[str], width_points: float, size: float, bold: bool = False):
    """The height in points of paragraphs of text wrapped to ``width_points``."""
    paragraphs = text if isinstance(text, list) else [text]
    count = sum(len(wrapped_lines(p, width_points, size, bold)) for p in paragraphs)
    return count * size * LINE_SPACING


def fits(
    text: str | list[str], width_inches: float, height_inches: float, size: float, bold: bool
) -> bool:
    """Whether the text fits a text box of that size (python-pptx's default insets)."""
    inner_width = (width_inches - 0.2) * POINTS_PER_INCH  # 0.1 inch inset left and right
    inner_height = (height_inches - 0.1) * POINTS_PER_INCH  # 0.05 inch top and bottom
    return text_height(text, inner_width, size, bold) <= inner_height


def sentences(text: str) -> list[str]:
    """The text's sentences ('4.5%' and 'St. Helens' do not end one: a space must follow)."""
    return [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip()) if s]


def fit_text(
    text: str,
    width_inches: float,
    height_inches: float,
    sizes: tuple[float, ...],
    bold: bool = False,
) -> tuple[str, float]:
    """The text and the largest size at which it fits; shortened only if none fits.

    Shortening drops whole sentences from the end (the headline's first sentence
    says the figure; the later ones compare it, which the slide's table also
    shows), and only as a last resort cuts words, ending with an ellipsis.
    """
    for size in sizes:
        if fits(text, width_inches, height_inches, size, bold):
            return text, size
    smallest = sizes[-1]
    parts = sentences(text)
    while len(parts) > 1:
        parts = parts[:-1]
        shorter = " ".join(parts)
        for size in sizes:
            if fits(shorter, width_inches, height_inches, size, bold):
                return shorter, size
    words = text.split()
    while len(words) > 1:
        words = words[:-1]
        shorter = " ".join(words).rstrip(",;:") + "…"
        if fits(shorter, width_inches, height_inches, smallest, bold):
            return shorter, smallest
    return text, smallest
