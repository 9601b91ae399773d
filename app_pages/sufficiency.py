"""Line of enquiry: sufficiency (see ui/line_page.py for what each indicator section shows)."""

from ui.line_page import render

render("sufficiency")
