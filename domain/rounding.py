"""Rounding as the DfE publishes: half away from zero (2.5 → 3, 14.45 → 14.5, −2.5 → −3),
as Excel does, not to even as Python's `round` does.

The indicators round the figures they compute this way, the small-numbers rule
rounds the counts it works back from a share this way, and the demo generator
rounds its targets this way; each takes the rule from here.
"""

from __future__ import annotations

import math

import numpy as np

# Floating-point slack: 14.45 is stored as 14.4499…; without it, it would round down.
_SLACK = 1e-9


def round_half_up(value: float | None, decimals: int = 0) -> float:
    """One figure rounded as the DfE rounds it (NaN for a missing value)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return float("nan")
    factor = 10**decimals
    return math.floor(abs(value) * factor + 0.5 + _SLACK) / factor * (1 if value >= 0 else -1)


def round_half_up_counts(numbers: np.ndarray) -> np.ndarray:
    """Non-negative numbers (counts worked back from shares) rounded to whole numbers."""
    return np.floor(numbers + 0.5 + _SLACK)
