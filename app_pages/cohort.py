"""Line of enquiry: cohort (see ui/line_page.py for what each indicator section shows)."""

from ui.line_page import render

render("cohort")
