"""Charts for the corporate parenting dashboard, as plain Plotly functions.

Why a package of its own: the pages, the PNG and slide exports and the tests
must draw the same chart the same way, so each chart is a plain function
that takes a small frame and returns a `plotly.graph_objects.Figure`, with no
Streamlit in it. The design rules (one colour-blind-safe palette, the council
always blue, never colour alone, honest axes, suppressed figures as gaps) are
in `charts.palette`, and the axis rules the meeting pack shares in
`charts.axes`; PNG export through kaleido is in `charts.png`.

Pages should show a figure with
`st.plotly_chart(fig, config=PLOTLY_CONFIG, theme=None)`: the config hides
Plotly's logo and "share" button, and theme=None keeps Streamlit's own theme
from replacing these colours and fonts.
"""

from charts.axes import measure_title, period_axis_title, polarity_label, value_axis
from charts.figures import (
    breakdown_chart,
    funnel_chart,
    multi_trend_chart,
    ranking_chart,
    sparkline_values,
    trend_chart,
)
from charts.palette import PLOTLY_CONFIG
from charts.png import figure_to_png

__all__ = [
    "PLOTLY_CONFIG",
    "breakdown_chart",
    "figure_to_png",
    "funnel_chart",
    "measure_title",
    "multi_trend_chart",
    "period_axis_title",
    "polarity_label",
    "ranking_chart",
    "sparkline_values",
    "trend_chart",
    "value_axis",
]
