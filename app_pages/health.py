"""Line of enquiry: health (see ui/line_page.py for what each indicator section shows)."""

from ui.line_page import render

render("health")
