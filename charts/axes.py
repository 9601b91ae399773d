"""The rules for a chart's value axis, its title and what it may compare, in one place.

The pages' Plotly figures, their PNGs and the meeting pack's native PowerPoint
charts all ask these functions, so a councillor sees the same axis on the
screen, on paper and on a slide:

- Bars start at zero, since a bar's length is its value.
- Lines of percentages, rates and scores zoom to the data's range with honest
  padding (a line's level, not its length, carries the value): 6–12 % shares
  on a fixed 0–100 % axis were a flat line. When such an axis does not start
  at zero the chart says so in words (`AxisRange.note`), since neither Plotly
  nor PowerPoint draws an axis break.
- Lines of counts start at zero.
- No percentage axis goes beyond 100 % or below 0 %.
- Ticks fall on round steps (1, 2, 2.5 or 5 times a power of ten), at most
  seven of them, so their labels never collide; a percentage axis, labelled in
  whole numbers, never steps by less than one point.
- A count is never drawn against England's or a region's total (Buckinghamshire's
  268 care leavers sat flat at zero under England's 38,440): a count's trend
  shows the council alone, and comparisons are made with the rate or share
  (`trend_columns`, `reference_allowed`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from domain.units import (
    COUNT_KIND,
    NO_POLARITY,
    POLARITIES,
    RATE,
    UNITS,
    is_share_unit,
    unit_kind,
)

PADDING = 0.15  # share of the data's span added above and below a zoomed line
BAR_HEADROOM = 0.12  # share of the largest bar added beyond it (room for its label)
MAX_INTERVALS = 6  # at most seven ticks, so their labels never collide
NICE_STEPS = (1.0, 2.0, 2.5, 5.0, 10.0)
# A zoomed axis whose bottom would be this close to zero (as a share of its top)
# starts at zero instead: nothing is gained by cutting off a sliver.
ZERO_SNAP = 0.25

# The columns of a trend frame (`indicators.views.trend`) a chart may draw, by kind.
COMPARATOR_COLUMNS = ("council", "neighbours", "region", "england")
COUNT_COLUMNS = ("council",)

# What the years on the x-axis are (DfE's periods).
REPORTING_YEAR_TITLE = "Year ending 31 March"
ACADEMIC_YEAR_TITLE = "Academic year"


@dataclass(frozen=True)
class AxisRange:
    """A value axis: where it starts and ends, its tick step, and a note when not from zero."""

    low: float
    high: float
    step: float
    unit: str

    @property
    def from_zero(self) -> bool:
        """Whether zero is on the axis (bars and counts; a negative net gain too)."""
        return self.low <= 0 <= self.high

    @property
    def note(self) -> str | None:
        """'Axis starts at 4%, not zero' for a zoomed axis; None when it starts at zero."""
        if self.from_zero:
            return None
        return f"Axis starts at {self.tick_text(self.low)}, not zero"

    @property
    def tick_count(self) -> int:
        return round((self.high - self.low) / self.step) + 1

    @property
    def tick_decimals(self) -> int:
        """Decimals a tick label needs to show every tick (0 for 5, 1 for 2.5, 2 for 0.25)."""
        for decimals in range(6):
            scaled = self.step * 10**decimals
            if abs(scaled - round(scaled)) < 1e-6:
                return decimals
        return 6

    def tick_text(self, value: float) -> str:
        text = f"{value:,.{self.tick_decimals}f}"
        return text + UNITS[self.unit].suffix

    def as_list(self) -> list[float]:
        return [self.low, self.high]


def value_axis(
    values: Iterable[float | None],
    unit: str,
    *,
    bars: bool,
    references: Iterable[float | None] = (),
) -> AxisRange:
    """The value axis for a chart of `values` (and reference lines) in `unit`.

    `bars` is True for bar charts (always from zero). Lines of counts start at
    zero; lines of other units zoom to the data with `PADDING` each side, unless
    that would leave the bottom within `ZERO_SNAP` of zero. Percentages stay
    within 0–100.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {tuple(UNITS)}, not {unit!r}")
    finite = [float(v) for v in [*values, *references] if v is not None and math.isfinite(float(v))]
    share = is_share_unit(unit)
    if not finite:
        return _nice(0.0, 100.0 if share else 1.0, unit, from_zero=True)
    low, high = min(finite), max(finite)
    from_zero = bars or unit_kind(unit) == COUNT_KIND
    if from_zero:
        low, high = min(0.0, low), max(0.0, high)
        span = high - low
        if span == 0:
            span = 1.0
        top = high + BAR_HEADROOM * span
        bottom = low - (BAR_HEADROOM * span if low < 0 else 0.0)
    else:
        span = high - low
        if span == 0:
            span = max(abs(high) * 0.2, 1.0 if share else abs(high) * 0.2 or 1.0)
        # A percentage axis is labelled in whole numbers: at least four points tall.
        if share and span < 4:
            centre = (high + low) / 2
            low, high, span = centre - 2, centre + 2, 4.0
        top = high + PADDING * span
        bottom = low - PADDING * span
        if bottom <= ZERO_SNAP * top and low >= 0:
            bottom = 0.0
    if share:
        bottom, top = max(0.0, bottom), min(100.0, top)
    return _nice(bottom, top, unit, from_zero=from_zero or bottom == 0)


def trend_columns(unit: str) -> tuple[str, ...]:
    """The series a trend chart may draw: a count is the council's alone."""
    return COUNT_COLUMNS if unit_kind(unit) == COUNT_KIND else COMPARATOR_COLUMNS


def reference_allowed(unit: str, comparator: str) -> bool:
    """Whether a ranking may mark `comparator`'s figure ('england', 'region', 'neighbours').

    A count is compared only with the neighbours' counts, never with England's
    or a region's total.
    """
    return unit_kind(unit) != COUNT_KIND or comparator == "neighbours"


def polarity_label(polarity: str) -> str:
    """'Higher is better', 'Lower is better' or 'Neither higher nor lower is better'."""
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, not {polarity!r}")
    if polarity == NO_POLARITY:
        return "Neither higher nor lower is better"
    return polarity[:1].upper() + polarity[1:]


def period_axis_title(period_labels: Iterable[object]) -> str:
    """What the years on the x-axis are: DfE's year ending 31 March, or the academic year.

    Academic years read "2024/25" (`indicators.formatting.period_label`); every
    other DfE year here is the year ending 31 March.
    """
    labels = [str(label) for label in period_labels]
    if labels and all("/" in label for label in labels):
        return ACADEMIC_YEAR_TITLE
    return REPORTING_YEAR_TITLE


def measure_title(measure: str, unit: str, period_labels: Iterable[object] = ()) -> str:
    """A chart title naming the measure, its unit and the years shown.

    'Long-term stability (percentage), 2022 to 2025'; a measure naming its unit
    already keeps its words ('Rate in care per 10,000, 2020 to 2025').
    """
    labels = [str(label) for label in period_labels]
    # 'Rate in care per 10,000' names its unit already.
    title = (
        measure if names_unit(measure, unit) else f"{measure} ({UNITS[unit].axis_title.lower()})"
    )
    if len(labels) > 1:
        return f"{title}, {labels[0]} to {labels[-1]}"
    if labels:
        return f"{title}, {labels[0]}"
    return title


# ------------------------------------------------------------------ helpers


def _nice(bottom: float, top: float, unit: str, *, from_zero: bool) -> AxisRange:
    """Round the range out to the smallest round step giving at most `MAX_INTERVALS` steps."""
    share = is_share_unit(unit)
    step = _nice_step((top - bottom) / MAX_INTERVALS)
    if share:
        # Whole-number labels: a step of at least one point, and never 2.5.
        step = 2.0 if step == 2.5 else max(step, 1.0)
    while True:
        low = 0.0 if from_zero and bottom >= 0 else math.floor(bottom / step + 1e-9) * step
        high = math.ceil(top / step - 1e-9) * step
        if share:
            low, high = max(0.0, low), min(100.0, high)
        if (high - low) / step <= MAX_INTERVALS + 1e-9:
            return AxisRange(low=_clean(low), high=_clean(high), step=step, unit=unit)
        step = _nice_step(step * 1.01)
        if share and step == 2.5:
            step = 5.0


def _nice_step(rough: float) -> float:
    if rough <= 0 or not math.isfinite(rough):
        return 1.0
    power = 10 ** math.floor(math.log10(rough))
    for multiple in NICE_STEPS:
        if multiple * power >= rough * (1 - 1e-9):
            return multiple * power
    return 10 * power


def _clean(value: float) -> float:
    """Rounding noise off a tick position (0.30000000000000004 → 0.3)."""
    return round(value, 10) + 0.0


def names_unit(title: str, unit: str) -> bool:
    """Whether a title names its unit (as `measure_title` writes it)."""
    words = UNITS[unit].axis_title.lower()
    return words in title.lower() or (unit_kind(unit) == RATE and "per 10,000" in title.lower())
