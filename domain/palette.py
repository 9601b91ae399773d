"""The colours every chart and slide uses (Okabe & Ito, 2008, "Color Universal Design").

The council is always Okabe–Ito blue, on every chart and in the meeting pack;
charts/palette.py builds the chart styles from these and exports/pack.py the
slides' colours, so neither keeps a copy. Hex strings, '#RRGGBB'.
"""

from __future__ import annotations

COUNCIL = "#0072B2"  # blue: the council, always
NEIGHBOURS = "#B35900"  # dark orange (Okabe-Ito orange darkened to 4.6:1 on white): neighbours
REGION = "#009E73"  # bluish green: the council's region
ENGLAND = "#000000"  # black: England
OTHER = "#BBBBBB"  # grey: every other council (bars, funnel dots)
OTHER_OUTLINE = "#767676"  # outline for grey marks: 4.5:1 against white
LIMITS = "#555555"  # funnel control limits
TEXT = "#222222"  # body text
MUTED_TEXT = "#555555"  # notes such as "suppressed"
HIGHLIGHT_TEXT = COUNCIL  # the council's own labels (5:1 against white)
NEIGHBOURS_TEXT = "#8A5A00"  # dark orange for labels: orange itself is 2:1 on white
GRID = "#E5E5E5"
AXIS_LINE = "#999999"
BACKGROUND = "#FFFFFF"
WHITE = "#FFFFFF"
# Slides' text (GOV.UK's near-black and secondary text; England's line on a slide).
SLIDE_TEXT = "#0B0C0C"
SLIDE_MUTED_TEXT = "#505A5F"

# Other councils on a chart of several councils: Okabe–Ito without the council's
# blue; 6 colours × 7 symbols × 5 dashes never repeat all three within 11 lines.
OTHER_COLOURS = ("#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#555555")


def rgb(hex_colour: str) -> tuple[int, int, int]:
    """'#0072B2' → (0, 114, 178), for libraries that take numbers (python-pptx)."""
    text = hex_colour.lstrip("#")
    return int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16)
