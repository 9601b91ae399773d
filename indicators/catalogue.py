"""The indicator catalogue (the registry's published indicators) and its groupings.

Everything the app knows about an indicator (title, unit, decimals, polarity,
definition, which published cell it is, questions to ask) lives in
``catalogue.toml``, like the DfE Local Authority Interactive Tool's data
dictionary, read and checked once by the registry (domain/registry.py).
Groupings (the LGA lines of enquiry, or a council's own priorities) live in
``groupings.toml``; this module reads and checks them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache

from domain.registry import (
    DEFAULT_GROUPING,
    GROUPINGS_FILE,
    PUBLISHED,
    CatalogueError,
    Indicator,
    lga_lines,
    parse_indicator,
    registry,
)

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
class Theme:
    id: str
    title: str
    summary: str = ""
    number: int | None = None
    indicator_ids: tuple[str, ...] = ()
    local_only: bool = False
    data_needed: str = ""
    short_title: str = ""
    # Questions for the line as a whole, asked where no figure answers it (a line of
    # local measures only, before the council has loaded any).
    questions: tuple[str, ...] = ()

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


def parse_catalogue(text: str) -> tuple[Indicator, ...]:
    """Published indicators from catalogue TOML text, each checked by the registry's one
    validator (domain/registry.py), and the required ids present."""
    lines = lga_lines(GROUPINGS_FILE.read_text(encoding="utf-8"))
    indicators = []
    seen: set[str] = set()
    for entry in tomllib.loads(text).get("indicator", []):
        if entry.get("id") in seen:
            raise CatalogueError(f"indicator {entry.get('id')!r} is defined twice")
        indicators.append(parse_indicator(entry, PUBLISHED, lines))
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
                    questions=tuple(theme.get("questions", ())),
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
    """Every published indicator, in catalogue order (the registry's, read once)."""
    published = registry().published()
    missing = [i for i in REQUIRED_IDS if i not in {item.id for item in published}]
    if missing:
        raise CatalogueError(f"the catalogue lacks required indicators: {missing}")
    return published


@lru_cache(maxsize=1)
def groupings() -> tuple[Grouping, ...]:
    return parse_groupings(GROUPINGS_FILE.read_text(encoding="utf-8"), catalogue())


def indicator(indicator_id: str) -> Indicator:
    """A published indicator by id."""
    item = registry().get(indicator_id) if indicator_id in registry() else None
    if item is None or item.origin != PUBLISHED:
        raise KeyError(f"No indicator {indicator_id!r} in the catalogue")
    return item


def grouping(grouping_id: str = DEFAULT_GROUPING) -> Grouping:
    for item in groupings():
        if item.id == grouping_id:
            return item
    raise KeyError(f"No grouping {grouping_id!r}")
