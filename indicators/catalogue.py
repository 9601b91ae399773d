"""The indicator catalogue and its groupings, read from data files.

Everything the app knows about an indicator (title, unit, decimals, polarity,
definition, which published cell it is, questions to ask) lives in
``catalogue.toml``, like the DfE Local Authority Interactive Tool's data
dictionary. Groupings (the LGA lines of enquiry, or a council's own priorities)
live in ``groupings.toml``. This module reads and checks them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from indicators.facts import Selector

HERE = Path(__file__).resolve().parent
CATALOGUE_FILE = HERE / "catalogue.toml"
GROUPINGS_FILE = HERE / "groupings.toml"
POLARITIES = ("higher is better", "lower is better", "none")
UNITS = ("count", "percent", "rate per 10,000", "score", "incidents per child")
DEFAULT_GROUPING = "lga"

# Ids other code and tests rely on; the catalogue must always define them.
REQUIRED_IDS = (
    "cla_count", "cla_rate_per_10k", "cla_starts_rate_per_10k", "cla_ceased_rate_per_10k",
    "placements_3plus_pct", "long_term_stability_pct", "placements_3plus_2yrs_pct",
    "placed_outside_la_count", "new_placements_outside_20mi_pct",
    "care_leavers_17_18_eet_pct", "care_leavers_19_21_eet_pct",
    "care_leavers_17_18_suitable_accom_pct", "care_leavers_19_21_suitable_accom_pct",
    "care_leavers_19_21_in_touch_pct", "missing_pct", "missing_incidents_per_child",
    "health_assessment_pct", "dental_check_pct", "immunisations_pct", "sdq_mean",
    "sdq_concern_pct", "ks2_rwm_expected_pct", "ks4_attainment8", "school_moves_pct",
    "sw_changes_pct", "foster_pct",
)  # fmt: skip


@dataclass(frozen=True)
class Indicator:
    """One indicator, as the catalogue defines it."""

    id: str
    title: str
    short_title: str
    lines: tuple[str, ...]
    unit: str
    decimals: int
    polarity: str
    definition: str
    source: Selector
    questions: tuple[str, ...]
    source_note: str
    numerator: Selector | None = None
    denominator: Selector | None = None
    scale: float = 1.0
    computed: bool = False  # True when DfE publishes no value: it is numerator/denominator
    # The same measure in DfE's Local Authority Interactive Tool (its data dictionary's
    # `Measure`), so the catalogue can be checked against LAIT's polarity and decimals.
    lait_measure: str | None = None
    # False where LAIT shows no quartile band (its dictionary's No_Quartile = "N"):
    # councils' values are too close together for quarters to mean anything.
    quartile_bands: bool = True

    @property
    def has_polarity(self) -> bool:
        return self.polarity != "none"

    @property
    def is_ranked(self) -> bool:
        """LAIT ranks only indicators where higher or lower is better ("1 = best")."""
        return self.has_polarity

    @property
    def is_banded(self) -> bool:
        """A quartile band needs a polarity (which end is A) and LAIT's say-so."""
        return self.has_polarity and self.quartile_bands

    @property
    def is_rate_or_share(self) -> bool:
        """Rates and percentages get funnel-plot limits; counts and scores do not."""
        return self.unit in ("percent", "rate per 10,000") and self.denominator is not None


@dataclass(frozen=True)
class Theme:
    id: str
    title: str
    summary: str = ""
    number: int | None = None
    indicator_ids: tuple[str, ...] = ()
    local_only: bool = False
    data_needed: str = ""
    short_title: str = ""

    @property
    def label(self) -> str:
        """A short name for tables: '6. Stability', or the theme's title."""
        short = self.short_title or self.title
        return f"{self.number}. {short}" if self.number else short


@dataclass(frozen=True)
class Grouping:
    id: str
    title: str
    description: str
    themes: tuple[Theme, ...] = field(default_factory=tuple)

    def theme(self, theme_id: str) -> Theme:
        for theme in self.themes:
            if theme.id == theme_id:
                return theme
        raise KeyError(f"No theme {theme_id!r} in grouping {self.id!r}")


class CatalogueError(ValueError):
    """The catalogue or groupings file is inconsistent; the message says where."""


def _selector(entry: dict[str, str], where: str) -> Selector:
    try:
        return Selector(
            dataset=entry["dataset"],
            cohort=entry.get("cohort", ""),
            breakdown=entry.get("breakdown", ""),
            measure=entry["measure"],
            variant=entry.get("variant", ""),
        )
    except KeyError as missing:
        raise CatalogueError(f"{where}: selector needs {missing}") from missing


def parse_catalogue(text: str) -> tuple[Indicator, ...]:
    """Indicators from catalogue TOML text, checked for completeness and consistency."""
    indicators = []
    seen: set[str] = set()
    for entry in tomllib.loads(text).get("indicator", []):
        where = f"indicator {entry.get('id', '?')!r}"
        if entry.get("id") in seen:
            raise CatalogueError(f"{where} is defined twice")
        if entry.get("polarity") not in POLARITIES:
            raise CatalogueError(f"{where}: polarity must be one of {POLARITIES}")
        if entry.get("unit") not in UNITS:
            raise CatalogueError(f"{where}: unit must be one of {UNITS}")
        if len(entry.get("questions", [])) < 2:
            raise CatalogueError(f"{where}: give at least two questions to ask")
        numerator = entry.get("numerator")
        denominator = entry.get("denominator")
        if (numerator is None) != (denominator is None):
            raise CatalogueError(f"{where}: numerator and denominator go together")
        lait_measure = entry.get("lait_measure")
        if lait_measure is not None and not (isinstance(lait_measure, str) and lait_measure):
            raise CatalogueError(f"{where}: lait_measure must name a measure in LAIT's dictionary")
        quartile_bands = entry.get("quartile_bands", True)
        if not isinstance(quartile_bands, bool):
            raise CatalogueError(f"{where}: quartile_bands must be true or false")
        indicators.append(
            Indicator(
                id=entry["id"],
                title=entry["title"],
                short_title=entry["short_title"],
                lines=tuple(entry["lines"]),
                unit=entry["unit"],
                decimals=int(entry["decimals"]),
                polarity=entry["polarity"],
                definition=entry["definition"],
                source=_selector(entry["source"], where),
                questions=tuple(entry["questions"]),
                source_note=entry.get("source_note", ""),
                numerator=_selector(numerator, where) if numerator else None,
                denominator=_selector(denominator, where) if denominator else None,
                scale=float(entry.get("scale", 1)),
                computed=bool(entry.get("computed", False)),
                lait_measure=lait_measure,
                quartile_bands=quartile_bands,
            )
        )
        seen.add(entry["id"])
    missing = [i for i in REQUIRED_IDS if i not in seen]
    if missing:
        raise CatalogueError(f"the catalogue lacks required indicators: {missing}")
    return tuple(indicators)


def parse_groupings(text: str, indicators: tuple[Indicator, ...]) -> tuple[Grouping, ...]:
    known = {i.id for i in indicators}
    groupings = []
    for entry in tomllib.loads(text).get("grouping", []):
        themes = []
        for theme in entry.get("theme", []):
            ids = tuple(theme.get("indicators", ()))
            if entry["id"] == DEFAULT_GROUPING:
                ids = tuple(i.id for i in indicators if theme["id"] in i.lines)
            unknown = [i for i in ids if i not in known]
            if unknown:
                raise CatalogueError(
                    f"grouping {entry['id']!r}, theme {theme['id']!r}: unknown indicators {unknown}"
                )
            themes.append(
                Theme(
                    id=theme["id"],
                    title=theme["title"],
                    summary=theme.get("summary", ""),
                    number=theme.get("number"),
                    indicator_ids=ids,
                    local_only=bool(theme.get("local_only", False)),
                    data_needed=theme.get("data_needed", ""),
                    short_title=theme.get("short_title", ""),
                )
            )
        groupings.append(Grouping(entry["id"], entry["title"], entry["description"], tuple(themes)))
    lga = next((g for g in groupings if g.id == DEFAULT_GROUPING), None)
    if lga is None:
        raise CatalogueError("the groupings file must define the 'lga' grouping")
    lines = {t.id for t in lga.themes}
    for indicator in indicators:
        stray = [line for line in indicator.lines if line not in lines]
        if stray:
            raise CatalogueError(f"indicator {indicator.id!r}: unknown lines of enquiry {stray}")
    return tuple(groupings)


@lru_cache(maxsize=1)
def catalogue() -> tuple[Indicator, ...]:
    """Every indicator, in catalogue order."""
    return parse_catalogue(CATALOGUE_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def groupings() -> tuple[Grouping, ...]:
    return parse_groupings(GROUPINGS_FILE.read_text(encoding="utf-8"), catalogue())


def indicator(indicator_id: str) -> Indicator:
    for item in catalogue():
        if item.id == indicator_id:
            return item
    raise KeyError(f"No indicator {indicator_id!r} in the catalogue")


def grouping(grouping_id: str = DEFAULT_GROUPING) -> Grouping:
    for item in groupings():
        if item.id == grouping_id:
            return item
    raise KeyError(f"No grouping {grouping_id!r}")
