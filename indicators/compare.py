"""Put each council's figure in context: neighbours, region, England, rank, band, trend, funnel.

All councils and periods are compared at once (vectorised), so the app can
cache one table per data version and every page reads from it.

Methods (also written on the About page):

- Statistical-neighbour value: the mean of the published values of the
  council's ten DfE statistical neighbours that have data (LAIT's method), or
  the median; with how many neighbours had data and which model was used.
- Region and England: the published regional and national rows, not
  recomputed. A London borough's region is London (its published row), never
  Inner plus Outer London.
- Rank, as in DfE's Local Authority Interactive Tool (LAIT, R/fn_analysis.R
  calculate_rank), so a council reads the same here as there: among councils
  with a value, 1 = best (highest first when higher is better, lowest first
  when lower is better); tied councils share the lowest rank (R's
  ties.method = "min"). No rank (and no "of N") when neither higher nor lower
  is better: "1 = best" would mean nothing for a count.
- Quartile band, as LAIT's calculate_quartile_band: the quartiles of all
  councils' values that year (linear interpolation: R's quantile() default,
  type 7, and Excel's QUARTILE.INC). Each band runs from just above one
  quartile up to and including the next: lower is better A = [min, Q1],
  B = (Q1, Q2], C = (Q2, Q3], D = (Q3, max]; higher is better D = [min, Q1],
  C = (Q1, Q2], B = (Q2, Q3], A = (Q3, max]. So a value exactly on a quartile
  goes to the better band when lower is better and to the worse band when
  higher is better. No band without polarity, nor where LAIT shows none
  (catalogue quartile_bands = false).
- Direction of travel: against the previous year, compared at the published
  precision: improving, worsening or no change by polarity; up or down for
  indicators without polarity; not comparable when either year is missing
  or suppressed. The longer view: the same against the earliest figure three to
  five years before (``earlier_*``), so a sentence can say the direction over
  several years, not only since last year; the numerators and denominators of
  both are kept for the test of chance (indicators/significance.py).
- Funnel limits: for percentages and rates, around England's value, for the
  council's own denominator: percentages by the binomial normal approximation,
  rates by the Poisson one; 95 % (1.96 standard errors) and 99.8 % (3.09).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from domain.facts import LOCAL_AUTHORITY
from domain.units import HIGHER_IS_BETTER, LOWER_IS_BETTER, NO_POLARITY, PERCENT, RATE_PER_10K
from indicators.catalogue import Indicator, catalogue

LA = LOCAL_AUTHORITY
Z_95 = 1.959964
Z_998 = 3.090232
COMPARISON_COLUMNS = [
    "indicator_id",
    "area_code",
    "area_name",
    "year",
    "time_period",
    "value",
    "value_precise",
    "numerator",
    "denominator",
    "symbol",
    "previous_year",
    "previous_value",
    "previous_symbol",
    "previous_numerator",
    "previous_denominator",
    "direction",
    "earlier_year",
    "earlier_value",
    "earlier_numerator",
    "earlier_denominator",
    "sn_value",
    "sn_count",
    "sn_model",
    "sn_method",
    "region_code",
    "region_value",
    "england_value",
    "rank",
    "rank_of",
    "quartile_band",
    "q1",
    "median",
    "q3",
    "funnel_low_95",
    "funnel_high_95",
    "funnel_low_998",
    "funnel_high_998",
    "funnel_flag",
]


def quartiles(values: pd.Series) -> tuple[float, float, float]:
    """Q1, median and Q3 with linear interpolation (Excel QUARTILE.INC)."""
    clean = values.dropna().to_numpy(dtype=float)
    if clean.size == 0:
        return (math.nan, math.nan, math.nan)
    q1, q2, q3 = np.percentile(clean, [25, 50, 75], method="linear")
    return float(q1), float(q2), float(q3)


def band(value: float, q1: float, q2: float, q3: float, polarity: str) -> str | None:
    """A (best quarter) to D (worst) by polarity, as LAIT's calculate_quartile_band.

    Each band includes its upper quartile, whichever end is best, so a value on a
    quartile goes to the worse band when higher is better (91 with quartiles
    87/91/93 is C) and to the better band when lower is better.
    """
    if polarity == NO_POLARITY or value is None or math.isnan(value) or math.isnan(q1):
        return None
    quarter = 1 if value <= q1 else 2 if value <= q2 else 3 if value <= q3 else 4
    return "ABCD"[quarter - 1] if polarity == LOWER_IS_BETTER else "DCBA"[quarter - 1]


def direction(current: float, previous: float, decimals: int, polarity: str) -> str:
    """improving / worsening / no change (or up / down without polarity) / not comparable."""
    if any(v is None or math.isnan(v) for v in (current, previous)):
        return "not comparable"
    now, before = round(current, decimals), round(previous, decimals)
    if now == before:
        return "no change"
    if polarity == NO_POLARITY:
        return "up" if now > before else "down"
    better = now > before if polarity == HIGHER_IS_BETTER else now < before
    return "improving" if better else "worsening"


def funnel_limits(england: float, denominator: float, unit: str, z: float) -> tuple[float, float]:
    """Control limits around England's value for a council with this denominator."""
    if any(v is None or math.isnan(v) for v in (england, denominator)) or denominator <= 0:
        return (math.nan, math.nan)
    if unit == PERCENT:
        p = england / 100
        spread = z * math.sqrt(p * (1 - p) / denominator) * 100
        return max(0.0, england - spread), min(100.0, england + spread)
    if unit == RATE_PER_10K:
        spread = z * math.sqrt(england * 10_000 / denominator)
        return max(0.0, england - spread), england + spread
    return (math.nan, math.nan)


def funnel_flag(value: float, low95: float, high95: float, low998: float, high998: float) -> str:
    """Where the council lies against the limits, in words (or '' with no limits)."""
    if any(math.isnan(v) for v in (value, low95, high95)):
        return ""
    if value > high998:
        return "well above (99.8%)"
    if value < low998:
        return "well below (99.8%)"
    if value > high95:
        return "above (95%)"
    if value < low95:
        return "below (95%)"
    return "within"


def compare_all(
    values: pd.DataFrame,
    neighbours: pd.DataFrame,
    sn_model: str | None = None,
    sn_method: str = "mean",
    indicators: tuple[Indicator, ...] | None = None,
) -> pd.DataFrame:
    """Every council, indicator and year with its comparisons (COMPARISON_COLUMNS)."""
    indicators = indicators or catalogue()
    if sn_model is None and not neighbours.empty:
        sn_model = str(max(neighbours["model"].astype(str)))
    councils = values[values["geographic_level"] == LA]
    councils = councils[councils["indicator_id"].isin({item.id for item in indicators})].copy()
    if councils.empty:
        return pd.DataFrame(columns=COMPARISON_COLUMNS)
    meta = pd.DataFrame(
        {
            "indicator_id": [i.id for i in indicators],
            "polarity": [i.polarity for i in indicators],
            "ranked": [i.is_ranked for i in indicators],
            "banded": [i.is_banded for i in indicators],
            "decimals": [i.decimals for i in indicators],
            "unit": [i.unit for i in indicators],
            "funnel": [i.is_rate_or_share for i in indicators],
        }
    )
    councils = councils.merge(meta, on="indicator_id", how="left")
    councils = _with_region_and_england(councils, values)
    councils = _with_neighbours(councils, neighbours, sn_model, sn_method)
    councils = _with_previous(councils)
    councils = _with_earlier(councils)
    councils = _with_rank_and_band(councils)
    councils = _with_funnel(councils)
    councils["rank"] = councils["rank"].astype("Int64")
    councils["rank_of"] = councils["rank_of"].astype("Int64")
    return councils[COMPARISON_COLUMNS].reset_index(drop=True)


def _with_region_and_england(councils: pd.DataFrame, values: pd.DataFrame) -> pd.DataFrame:
    """The published regional and national rows (not recomputed)."""
    regions = values[values["geographic_level"] == "Regional"][
        ["indicator_id", "year", "area_code", "value"]
    ].rename(columns={"area_code": "region_code", "value": "region_value"})
    england = values[values["geographic_level"] == "National"][
        ["indicator_id", "year", "value"]
    ].rename(columns={"value": "england_value"})
    councils = councils.merge(regions, on=["indicator_id", "year", "region_code"], how="left")
    return councils.merge(england, on=["indicator_id", "year"], how="left")


def _with_neighbours(
    councils: pd.DataFrame, neighbours: pd.DataFrame, sn_model: str | None, sn_method: str
) -> pd.DataFrame:
    """Mean (or median) of the neighbours' published values, and how many had data."""
    model_rows = (
        neighbours[neighbours["model"].astype(str) == str(sn_model)]
        if sn_model
        else neighbours.iloc[0:0]
    )
    pairs = model_rows[["old_la_code", "neighbour_old_la_code"]].merge(
        councils[["indicator_id", "year", "area_code", "value"]],
        left_on="neighbour_old_la_code",
        right_on="area_code",
    )
    grouped = pairs.groupby(["indicator_id", "year", "old_la_code"])["value"]
    summary = (grouped.median() if sn_method == "median" else grouped.mean()).rename("sn_value")
    sn = (
        pd.concat([summary, grouped.count().rename("sn_count")], axis=1)
        .reset_index()
        .rename(columns={"old_la_code": "area_code"})
    )
    councils = councils.merge(sn, on=["indicator_id", "year", "area_code"], how="left")
    councils["sn_count"] = councils["sn_count"].fillna(0).astype(int)
    has_list = councils["area_code"].isin(set(model_rows["old_la_code"]))
    councils["sn_model"] = np.where(has_list, sn_model or "", None)
    councils["sn_method"] = sn_method
    return councils


def _rounded(values: pd.Series, decimals: pd.Series) -> pd.Series:
    factor = np.power(10.0, decimals.astype(float))
    return np.floor(values * factor + 0.5) / factor


def _with_previous(councils: pd.DataFrame) -> pd.DataFrame:
    """Direction of travel against the previous year, at the published precision."""
    previous = councils[
        ["indicator_id", "area_code", "year", "value", "symbol", "numerator", "denominator"]
    ].copy()
    previous["year"] += 1
    councils = councils.merge(
        previous.rename(
            columns={
                "value": "previous_value",
                "symbol": "previous_symbol",
                "numerator": "previous_numerator",
                "denominator": "previous_denominator",
            }
        ),
        on=["indicator_id", "area_code", "year"],
        how="left",
    )
    councils["previous_year"] = councils["year"] - 1
    now = _rounded(councils["value"], councils["decimals"])
    before = _rounded(councils["previous_value"], councils["decimals"])
    missing = now.isna() | before.isna()
    higher_better = councils["polarity"] == HIGHER_IS_BETTER
    lower_better = councils["polarity"] == LOWER_IS_BETTER
    went_up = now > before
    councils["direction"] = np.select(
        [
            missing,
            now == before,
            higher_better & went_up,
            higher_better & ~went_up,
            lower_better & ~went_up,
            lower_better & went_up,
            went_up,
        ],
        ["not comparable", "no change", "improving", "worsening", "improving", "worsening", "up"],
        default="down",
    )
    return councils


EARLIER_YEARS = (5, 4, 3)  # the longer view: the earliest figure 3 to 5 years before


def _with_earlier(councils: pd.DataFrame) -> pd.DataFrame:
    """The earliest figure three to five years before each year (for the longer view)."""
    keys = ["indicator_id", "area_code", "year"]
    known = councils.loc[
        councils["value"].notna(), [*keys, "value", "numerator", "denominator"]
    ].rename(
        columns={
            "value": "earlier_value",
            "numerator": "earlier_numerator",
            "denominator": "earlier_denominator",
        }
    )
    found = pd.concat(
        [
            known.assign(earlier_year=known["year"], year=known["year"] + gap)
            for gap in EARLIER_YEARS
        ]
    )
    # Earliest first: the first row kept for each key is the furthest year back.
    found = found.sort_values("earlier_year").drop_duplicates(keys, keep="first")
    return councils.merge(found, on=keys, how="left")


def _with_rank_and_band(councils: pd.DataFrame) -> pd.DataFrame:
    """Rank (1 = best, ties share the lowest rank) and quartile band A–D, as LAIT."""
    lower_better = councils["polarity"] == LOWER_IS_BETTER
    # Rank ascending on a key that puts the best first for either polarity.
    key = councils["value"].where(lower_better, -councils["value"])
    groups = [councils["indicator_id"], councils["year"]]
    ranked = councils["ranked"].fillna(False).astype(bool)
    councils["rank"] = key.groupby(groups).rank(method="min").where(ranked)
    councils["rank_of"] = councils["value"].groupby(groups).transform("count").where(ranked)
    bounds = (
        councils.groupby(["indicator_id", "year"])["value"]
        .quantile([0.25, 0.5, 0.75], interpolation="linear")
        .unstack()
        .rename(columns={0.25: "q1", 0.5: "median", 0.75: "q3"})
        .reset_index()
    )
    councils = councils.merge(bounds, on=["indicator_id", "year"], how="left")
    value, q1, q2, q3 = (councils[c] for c in ("value", "q1", "median", "q3"))
    # Quarter 1 = [min, Q1], 2 = (Q1, Q2], 3 = (Q2, Q3], 4 = (Q3, max]: each includes
    # its upper quartile (LAIT's calculate_quartile_band), whichever end is best.
    quarter = np.select([value <= q1, value <= q2, value <= q3], [1, 2, 3], default=4)
    banded = councils["banded"].fillna(False).astype(bool) & value.notna() & q1.notna()
    best_low = np.array(["A", "B", "C", "D"], dtype=object)[quarter - 1]
    best_high = np.array(["D", "C", "B", "A"], dtype=object)[quarter - 1]
    councils["quartile_band"] = np.where(
        ~banded, None, np.where(councils["polarity"] == LOWER_IS_BETTER, best_low, best_high)
    )
    return councils


def _with_funnel(councils: pd.DataFrame) -> pd.DataFrame:
    """95 % and 99.8 % limits around England for the council's denominator, and the flag."""
    england = councils["england_value"]
    n = councils["denominator"].where(councils["denominator"] > 0)
    is_percent = councils["funnel"] & (councils["unit"] == PERCENT)
    is_rate = councils["funnel"] & (councils["unit"] == RATE_PER_10K)
    p = england / 100
    standard_error = np.where(
        is_percent,
        np.sqrt(p * (1 - p) / n) * 100,
        np.where(is_rate, np.sqrt(england * 10_000 / n), np.nan),
    )
    upper_cap = np.where(is_percent, 100.0, np.inf)
    for label, z in (("95", Z_95), ("998", Z_998)):
        councils[f"funnel_low_{label}"] = np.maximum(0.0, england - z * standard_error)
        councils[f"funnel_high_{label}"] = np.minimum(upper_cap, england + z * standard_error)
    point = councils["value_precise"].fillna(councils["value"])
    no_limits = councils["funnel_low_95"].isna() | point.isna()
    councils["funnel_flag"] = np.select(
        [
            no_limits,
            point > councils["funnel_high_998"],
            point < councils["funnel_low_998"],
            point > councils["funnel_high_95"],
            point < councils["funnel_low_95"],
        ],
        ["", "well above (99.8%)", "well below (99.8%)", "above (95%)", "below (95%)"],
        default="within",
    )
    return councils
