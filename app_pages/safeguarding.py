"""Line of enquiry: safeguarding (see ui/line_page.py for what each indicator section shows)."""

from ui.line_page import render

render("safeguarding")
