"""Line of enquiry: out_of_area (see ui/line_page.py for what each indicator section shows)."""

from ui.line_page import render

render("out_of_area")
