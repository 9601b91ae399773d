"""Is it more than chance? Tests for a change between years and for a small base.

A council's percentage moves from year to year even when nothing about its
practice has changed, because each year's children are different and few: with
9 children, one child is 11 percentage points. A councillor told a figure is
"worse" deserves to know whether the change is bigger than that kind of chance
would explain. docs/METHODOLOGY.md, "Is it more than chance?", gives the methods
and their sources; in short:

- **Against England**: the funnel limits (``compare.funnel_limits``, 95 % and
  99.8 %), already in the comparison table as ``funnel_flag``.
- **Change between two years**: for a percentage, the two-proportion z-test with
  a pooled proportion; for a rate per 10,000, the same test for two Poisson
  counts with a pooled rate. The z is read against the funnel plot's own
  thresholds (``Z_95``, ``Z_998``), so both questions use one yardstick.
- **Too small to judge**: the normal approximation both use is trusted only
  when the expected count of children on each side is at least 5 (the usual rule
  for approximating a binomial by a normal distribution). Below that the app
  says the base is too small rather than judging.

Only numerators and denominators DfE published are used; nothing here is shown
to a reader except through ``indicators.narrative`` and ``indicators.views``.
"""

from __future__ import annotations

import math

from domain.units import PERCENT, RATE_PER_10K
from indicators.compare import Z_95, Z_998

# The usual rule for the normal approximation to a binomial (and a Poisson) count:
# at least this many children expected on each side.
MIN_EXPECTED = 5

# How a difference compares with chance, as words complete "... is ...".
WITHIN_CHANCE = "within"
BEYOND_95 = "beyond 95%"
BEYOND_998 = "beyond 99.8%"
TOO_SMALL = "too small"
CHANCE_WORDS = {
    WITHIN_CHANCE: "small enough to be chance",
    BEYOND_95: "larger than chance would usually explain",
    BEYOND_998: "much larger than chance would explain",
}
# The comparison table's funnel flags, in the same three levels.
FUNNEL_LEVELS = {
    "within": WITHIN_CHANCE,
    "above (95%)": BEYOND_95,
    "below (95%)": BEYOND_95,
    "well above (99.8%)": BEYOND_998,
    "well below (99.8%)": BEYOND_998,
}


def _number(value: object) -> float | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def level(z: float | None) -> str | None:
    """WITHIN_CHANCE, BEYOND_95 or BEYOND_998 for a z statistic; None for none."""
    if z is None or math.isnan(z):
        return None
    size = abs(z)
    return BEYOND_998 if size > Z_998 else BEYOND_95 if size > Z_95 else WITHIN_CHANCE


def enough_for_england_test(england: object, denominator: object, unit: str) -> bool | None:
    """Whether the funnel limits can be trusted for this base; None when there is no base.

    A percentage needs n·p and n·(1 − p) both at least MIN_EXPECTED (p England's
    share); a rate needs MIN_EXPECTED children expected at England's rate.
    """
    reference, base = _number(england), _number(denominator)
    if reference is None or base is None or base <= 0:
        return None
    if unit == PERCENT:
        share = reference / 100
        return min(base * share, base * (1 - share)) >= MIN_EXPECTED
    if unit == RATE_PER_10K:
        return base * reference / 10_000 >= MIN_EXPECTED
    return None


def change_z(
    numerator_now: object,
    denominator_now: object,
    numerator_before: object,
    denominator_before: object,
    unit: str,
) -> float | None:
    """The z statistic for a change between two years; None when it cannot be tested.

    Percentages: two-proportion z-test, pooled p = (x1 + x2) / (n1 + n2),
    z = (x1/n1 − x2/n2) / √(p(1 − p)(1/n1 + 1/n2)). Rates: two Poisson counts
    over populations n1 and n2, pooled λ = (x1 + x2) / (n1 + n2),
    z = (x1/n1 − x2/n2) / √(λ(1/n1 + 1/n2)). None (not testable) when an input is
    missing, or fewer than MIN_EXPECTED children are expected on a side.
    """
    x1, n1 = _number(numerator_now), _number(denominator_now)
    x2, n2 = _number(numerator_before), _number(denominator_before)
    if None in (x1, n1, x2, n2) or n1 <= 0 or n2 <= 0:  # type: ignore[operator]
        return None
    assert x1 is not None and n1 is not None and x2 is not None and n2 is not None
    pooled = (x1 + x2) / (n1 + n2)
    if unit == PERCENT:
        expected = min(n * pooled for n in (n1, n2)), min(n * (1 - pooled) for n in (n1, n2))
        if min(expected) < MIN_EXPECTED:
            return None
        spread = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    elif unit == RATE_PER_10K:
        if min(n * pooled for n in (n1, n2)) < MIN_EXPECTED:
            return None
        spread = math.sqrt(pooled * (1 / n1 + 1 / n2))
    else:
        return None
    if spread == 0:
        return 0.0
    return (x1 / n1 - x2 / n2) / spread


def change_level(
    numerator_now: object,
    denominator_now: object,
    numerator_before: object,
    denominator_before: object,
    unit: str,
) -> str | None:
    """The change's level against chance (CHANCE_WORDS' keys), TOO_SMALL, or None.

    TOO_SMALL when both years have a base but too few children to test; None when
    either base is missing (nothing can be said).
    """
    bases = [_number(v) for v in (numerator_now, denominator_now)]
    bases += [_number(v) for v in (numerator_before, denominator_before)]
    if any(b is None for b in bases) or unit not in (PERCENT, RATE_PER_10K):
        return None
    found = level(
        change_z(numerator_now, denominator_now, numerator_before, denominator_before, unit)
    )
    return TOO_SMALL if found is None else found


def england_level(
    funnel_flag: object, england: object, denominator: object, unit: str
) -> str | None:
    """The difference from England against chance, from the funnel flag; TOO_SMALL or None."""
    enough = enough_for_england_test(england, denominator, unit)
    if enough is None or not isinstance(funnel_flag, str) or funnel_flag not in FUNNEL_LEVELS:
        return None
    return FUNNEL_LEVELS[funnel_flag] if enough else TOO_SMALL


def points_per_child(denominator: object, unit: str) -> float | None:
    """How many percentage points one child is worth (100 / n); None but for percentages."""
    base = _number(denominator)
    if unit != PERCENT or base is None or base <= 0:
        return None
    return 100 / base
