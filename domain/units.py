"""Units, the kind of figure each one is, the values each can take, and polarities.

An indicator's ``unit`` (as the registry and a council's local indicator file write
it) says how a figure reads; its kind says what sort of figure it is, which is what
code asks about ("is this a share?"), never an id's suffix:

- ``count``: a number of children (or of anything else the council counts);
- ``share``: part of a denominator, out of 100 (a percentage);
- ``rate``: children per 10,000 of a population;
- ``mean``: an average over children (incidents per child who went missing);
- ``score``: a figure on its own scale (SDQ, Attainment 8), or a local "number".

Each kind of number also has the values it can possibly take (``ValueKind``), which
the loaders check before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

# ------------------------------------------------------------------ the kinds
COUNT_KIND = "count"
SHARE = "share"
RATE = "rate"
MEAN = "mean"
SCORE = "score"
KINDS = (COUNT_KIND, SHARE, RATE, MEAN, SCORE)


# ------------------------------------------------------------- value ranges
@dataclass(frozen=True)
class ValueKind:
    """What a published number is, and so the values it can possibly take.

    A value outside its kind's range is not a figure anyone published (a
    percentage of -40, a negative count): the file is refused rather than
    stored. A kind with no limits is still declared, so that "anything goes" is
    a decision written down (a net gain can be negative) rather than an omission.
    """

    name: str  # as a message says it: "-40 is not a percentage"
    minimum: float | None = None
    maximum: float | None = None

    def expected(self) -> str:
        """The range in words, for a problem's "expected" field."""
        if self.minimum is not None and self.maximum is not None:
            return f"{self.minimum:g} to {self.maximum:g}"
        if self.minimum is not None:
            return f"{self.minimum:g} or more"
        if self.maximum is not None:
            return f"{self.maximum:g} or less"
        return "any number"

    def allows(self, value: float) -> bool:
        return (self.minimum is None or value >= self.minimum) and (
            self.maximum is None or value <= self.maximum
        )


COUNT_VALUES = ValueKind("a count", minimum=0)
PERCENT_VALUES = ValueKind("a percentage", minimum=0, maximum=100)
RATE_VALUES = ValueKind("a rate per 10,000 children", minimum=0)
INCIDENTS_PER_CHILD_VALUES = ValueKind("an average number of incidents per child", minimum=0)
LOCAL_NUMBER_VALUES = ValueKind("a figure for this indicator", minimum=0)


# ------------------------------------------------------------------ the units
COUNT = "count"
PERCENT = "percent"
RATE_PER_10K = "rate per 10,000"
SCORE_UNIT = "score"
INCIDENTS_PER_CHILD = "incidents per child"
NUMBER = "number"  # a council's own figure (local indicators only)


@dataclass(frozen=True)
class Unit:
    """One unit: its kind, a chart's axis title, what one child is worth in it, its values.

    ``scale`` is how many of the figure one child in the denominator makes (100 for a
    percentage, 10,000 for a rate per 10,000); None where a figure is not a fraction
    of a number of children. ``values`` is None where the range depends on what is
    scored (SDQ 0 to 40, Attainment 8 0 to 90): the published cell's kind says it.
    """

    name: str
    kind: str
    axis_title: str
    scale: float | None = None
    values: ValueKind | None = None
    suffix: str = ""  # written after the number: '67%'


UNITS: dict[str, Unit] = {
    unit.name: unit
    for unit in (
        Unit(COUNT, COUNT_KIND, "Number", values=COUNT_VALUES),
        Unit(PERCENT, SHARE, "Percentage", 100.0, PERCENT_VALUES, suffix="%"),
        Unit(RATE_PER_10K, RATE, "Rate per 10,000 children", 10_000.0, RATE_VALUES),
        Unit(SCORE_UNIT, SCORE, "Average score"),
        Unit(INCIDENTS_PER_CHILD, MEAN, "Incidents per child", values=INCIDENTS_PER_CHILD_VALUES),
        Unit(NUMBER, SCORE, "Number", values=LOCAL_NUMBER_VALUES),
    )
}
# The units the catalogue's indicators are published in; a council's local indicator
# may also be a plain "number" of its own.
PUBLISHED_UNITS = (COUNT, PERCENT, RATE_PER_10K, SCORE_UNIT, INCIDENTS_PER_CHILD)
LOCAL_UNITS = (COUNT, PERCENT, RATE_PER_10K, NUMBER)


def unit_kind(unit: str) -> str | None:
    """The kind of figure a unit is ('share' for 'percent'); None for an unknown unit."""
    found = UNITS.get(unit)
    return None if found is None else found.kind


def is_share_unit(unit: str) -> bool:
    return unit_kind(unit) == SHARE


def is_rate_or_share_unit(unit: str) -> bool:
    """A part of a denominator (a percentage, a rate): funnel limits, numerator ≤ denominator."""
    return unit_kind(unit) in (SHARE, RATE)


# ------------------------------------------------------------------ polarities
HIGHER_IS_BETTER = "higher is better"
LOWER_IS_BETTER = "lower is better"
NO_POLARITY = "none"
POLARITIES = (HIGHER_IS_BETTER, LOWER_IS_BETTER, NO_POLARITY)
# What each polarity means, as a page's "Reading it" says it.
POLARITY_READINGS = {
    HIGHER_IS_BETTER: "A higher figure is better.",
    LOWER_IS_BETTER: "A lower figure is better.",
    NO_POLARITY: "Neither higher nor lower is better in itself, so councils are not "
    "ranked or banded on it.",
}
