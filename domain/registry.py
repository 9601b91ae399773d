"""The indicator registry: every indicator the app knows, in one schema, read once.

Three kinds of indicator share one set of fields and one validator (`check_entry`):

- published: DfE publishes it for every council (indicators/catalogue.toml, each with
  the published cell it comes from, ``source``);
- extract-derived: the council's SSDA903 extract gives it at every quarter end.
  Published indicators the extract also computes say ``extract = true`` in the
  catalogue; those only an extract gives are in indicators/extract_indicators.toml;
- local: a council defines it in a file it uploads (loaders/quarterly.py checks
  each row with the same `check_entry`).

The cells that protection treats together (a breakdown and its total, shares of one
denominator) are in indicators/linked_cells.toml and are read here too, checked
against the ids. Code asks the registry ("is this a share?", "which ids does the
extract give?", "which cells are linked?"), never an id's suffix or a list of ids of
its own. The files are data: reading them imports nothing of the project.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from domain.facts import Selector
from domain.units import (
    LOCAL_UNITS,
    NO_POLARITY,
    POLARITIES,
    PUBLISHED_UNITS,
    SHARE,
    UNITS,
    is_rate_or_share_unit,
)

# The registry's data files live beside the indicator code that reads figures for them.
DATA = Path(__file__).resolve().parent.parent / "indicators"
CATALOGUE_FILE = DATA / "catalogue.toml"
EXTRACT_FILE = DATA / "extract_indicators.toml"
LINKS_FILE = DATA / "linked_cells.toml"
GROUPINGS_FILE = DATA / "groupings.toml"
DEFAULT_GROUPING = "lga"

PUBLISHED = "published"
EXTRACT = "extract"
LOCAL = "local"
ORIGINS = (PUBLISHED, EXTRACT, LOCAL)


class CatalogueError(ValueError):
    """The registry's files are inconsistent; the message says where."""


@dataclass(frozen=True)
class Indicator:
    """One indicator, as the registry defines it."""

    id: str
    title: str
    short_title: str
    lines: tuple[str, ...]
    unit: str
    decimals: int
    polarity: str
    definition: str
    source: Selector | None
    questions: tuple[str, ...]
    source_note: str = ""
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
    origin: str = PUBLISHED  # published, extract (only an extract gives it) or local
    extract: bool = False  # the council's SSDA903 extract gives it at each quarter end
    # What the numerator and denominator count, as a sentence names them ("9 children",
    # "19 of 25 young people"); only counts of people are tested against chance.
    counts: str = "children"

    @property
    def counts_people(self) -> bool:
        """Whether each unit counted is a child or young person (not a school session)."""
        return self.counts in PEOPLE_COUNTED

    @property
    def kind(self) -> str:
        """count, share, rate, mean or score (domain/units.py), from the unit."""
        return UNITS[self.unit].kind

    @property
    def is_share(self) -> bool:
        return self.kind == SHARE

    @property
    def has_polarity(self) -> bool:
        return self.polarity != NO_POLARITY

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
        return is_rate_or_share_unit(self.unit) and self.denominator is not None


# What an indicator's numerator and denominator may count: people, for whom a change
# can be tested against chance, unlike school sessions (many from one child).
PEOPLE_COUNTED = ("children", "young people")


# ------------------------------------------------------------------ one validator
def _selector(entry: Mapping[str, str], where: str) -> Selector:
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


def check_entry(entry: Mapping[str, object], origin: str, lines: Iterable[str]) -> list[tuple]:
    """What is wrong with one indicator's definition: (field, value, what was expected).

    The one check of an indicator's fields, whether it is published, only an
    extract gives it, or a council defined it in its local indicator file.
    """
    units = LOCAL_UNITS if origin == LOCAL else PUBLISHED_UNITS
    known_lines = tuple(lines)
    wrong: list[tuple] = []
    if not entry.get("title"):
        wrong.append(("title", entry.get("title", ""), "a title"))
    given_lines = entry.get("lines")
    if (
        not isinstance(given_lines, list | tuple)
        or not given_lines
        or any(line not in known_lines for line in given_lines)
    ):
        wrong.append(("lines", given_lines, ", ".join(known_lines)))
    if entry.get("unit") not in units:
        wrong.append(("unit", entry.get("unit"), ", ".join(units)))
    if entry.get("polarity") not in POLARITIES:
        wrong.append(("polarity", entry.get("polarity"), ", ".join(POLARITIES)))
    decimals = entry.get("decimals", 0)
    if not (isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= 3):
        wrong.append(("decimals", decimals, "0 to 3"))
    if origin == PUBLISHED:
        if "source" not in entry:
            wrong.append(("source", None, "the published cell it comes from"))
        if len(entry.get("questions", [])) < 2:  # type: ignore[arg-type]
            wrong.append(("questions", entry.get("questions"), "at least two questions to ask"))
    return wrong


def parse_indicator(entry: Mapping, origin: str, lines: Iterable[str]) -> Indicator:
    """One indicator from its definition (a TOML table, or a local file's row as a dict)."""
    where = f"indicator {entry.get('id', '?')!r}"
    wrong = check_entry(entry, origin, lines)
    if wrong:
        field, value, expected = wrong[0]
        raise CatalogueError(f"{where}: {field} must be {expected}, not {value!r}")
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
    extract = entry.get("extract", origin == EXTRACT)
    if not isinstance(extract, bool) or (origin == EXTRACT and not extract):
        raise CatalogueError(
            f"{where}: extract must be true or false (true for extract_indicators)"
        )
    return Indicator(
        id=str(entry["id"]),
        title=str(entry["title"]),
        short_title=str(entry.get("short_title") or entry["title"]),
        lines=tuple(entry["lines"]),
        unit=str(entry["unit"]),
        decimals=int(entry.get("decimals", 0)),
        polarity=str(entry["polarity"]),
        definition=str(entry.get("definition", "")),
        source=_selector(entry["source"], where) if "source" in entry else None,
        questions=tuple(entry.get("questions", ())),
        source_note=str(entry.get("source_note", "")),
        numerator=_selector(numerator, where) if numerator else None,
        denominator=_selector(denominator, where) if denominator else None,
        scale=float(entry.get("scale", 1)),
        computed=bool(entry.get("computed", False)),
        lait_measure=lait_measure,
        quartile_bands=quartile_bands,
        origin=origin,
        extract=extract,
        counts=str(entry.get("counts", "children")),
    )


LIST_SEPARATOR = "|"  # between questions (and lines) in one cell of a local indicator file


def local_entry(
    indicator_id: object,
    title: object,
    short_title: object,
    unit: object,
    decimals: object,
    polarity: object,
    line_of_enquiry: object,
    definition: object = "",
    questions: object = "",
) -> dict[str, object]:
    """A local indicator's row (its file's text, or the store's) as a registry entry.

    A council's file names one line of enquiry per indicator (``line_of_enquiry``)
    and separates questions with '|'; as an entry those are ``lines`` and
    ``questions``, the catalogue's fields. Empty decimals are 0; decimals that are
    not a whole number stay as given, for `check_entry` to refuse.
    """
    text = "" if decimals is None else str(decimals).strip()

    def split(cell: object) -> list[str]:
        return [part.strip() for part in str(cell or "").split(LIST_SEPARATOR) if part.strip()]

    return {
        "id": str(indicator_id),
        "title": str(title or ""),
        "short_title": str(short_title or "") or str(title or ""),
        "unit": str(unit or ""),
        "decimals": int(text) if text.isdigit() else (0 if text == "" else text),
        "polarity": str(polarity or ""),
        "lines": split(line_of_enquiry),
        "definition": str(definition or ""),
        "questions": split(questions),
    }


# ------------------------------------------------------------------ linked cells
@dataclass(frozen=True)
class Link:
    """A total and its parts, in numbers of children (see linked_cells.toml)."""

    id: str
    total: str
    parts: tuple[str, ...]
    adds_up: bool = True
    shares: bool = False
    note: str = ""

    def relations(self) -> list[tuple[str, tuple[str, ...]]]:
        """The sums this link declares: (total, parts that add up to it)."""
        if self.adds_up:
            return [(self.total, self.parts)]
        # Each part and the rest of the total's children.
        return [(self.total, (part, rest_of(self.total, part))) for part in self.parts]


def rest_of(total: str, part: str) -> str:
    """The name of the total's children not in the part (never a cell)."""
    return f"{total} - {part}"


@dataclass(frozen=True)
class Links:
    links: tuple[Link, ...]
    unpublished: frozenset[str]

    def relations(self) -> list[tuple[str, tuple[str, ...]]]:
        return [relation for link in self.links for relation in link.relations()]

    def denominators(self) -> list[tuple[str, str]]:
        """(share, the cell whose count is its denominator) for links of shares."""
        return [
            (part, link.total)
            for link in self.links
            if link.shares
            for part in link.parts
            if part not in self.unpublished
        ]

    def linked_to(self, indicator_id: str) -> tuple[str, ...]:
        """Every other cell some link puts with this one (as total or part)."""
        found: list[str] = []
        for link in self.links:
            cells = (link.total, *link.parts)
            if indicator_id in cells:
                found += [c for c in cells if c != indicator_id and c not in found]
        return tuple(found)


def read_links(text: str, known: Iterable[str] | None = None) -> Links:
    """Links from TOML text; with `known` ids, any other name must be declared unpublished."""
    data = tomllib.loads(text)
    unpublished = frozenset(str(name) for name in data.get("unpublished", []))
    known_ids = None if known is None else set(known)
    clash = sorted(unpublished & known_ids) if known_ids is not None else []
    if clash:
        raise ValueError(f"unpublished names that are indicators: {clash}")
    links = []
    for entry in data.get("link", []):
        unknown = set(entry) - {"id", "total", "parts", "adds_up", "shares", "note"}
        if unknown or not entry.get("total") or not entry.get("parts"):
            raise ValueError(f"link {entry.get('id')!r}: needs total and parts; unknown {unknown}")
        link = Link(
            id=str(entry.get("id", entry["total"])),
            total=str(entry["total"]),
            parts=tuple(str(part) for part in entry["parts"]),
            adds_up=bool(entry.get("adds_up", True)),
            shares=bool(entry.get("shares", False)),
            note=str(entry.get("note", "")),
        )
        if known_ids is not None:
            strange = [
                name
                for name in (link.total, *link.parts)
                if name not in known_ids and name not in unpublished
            ]
            if strange:
                raise ValueError(
                    f"link {link.id!r}: {', '.join(strange)} is neither an indicator id nor "
                    "listed in `unpublished`"
                )
        links.append(link)
    return Links(tuple(links), unpublished)


# ------------------------------------------------------------------ the registry
@dataclass(frozen=True)
class Registry:
    """Published and extract-only indicators, the lines of enquiry, and the linked cells."""

    indicators: tuple[Indicator, ...]
    lines: tuple[str, ...]
    links: Links

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {item.id: item for item in self.indicators})

    def __contains__(self, indicator_id: object) -> bool:
        return indicator_id in self._by_id  # type: ignore[attr-defined]

    def get(self, indicator_id: str) -> Indicator:
        try:
            return self._by_id[indicator_id]  # type: ignore[attr-defined]
        except KeyError:
            raise KeyError(f"No indicator {indicator_id!r} in the registry") from None

    def ids(self) -> tuple[str, ...]:
        return tuple(item.id for item in self.indicators)

    def published(self) -> tuple[Indicator, ...]:
        """The indicators DfE publishes (catalogue.toml), in catalogue order."""
        return tuple(item for item in self.indicators if item.origin == PUBLISHED)

    def extract_only(self) -> tuple[Indicator, ...]:
        """The indicators only an extract gives (extract_indicators.toml)."""
        return tuple(item for item in self.indicators if item.origin == EXTRACT)

    def extract_ids(self) -> frozenset[str]:
        """Every id the council's SSDA903 extract gives (published or extract-only)."""
        return frozenset(item.id for item in self.indicators if item.extract)

    def kind(self, indicator_id: str) -> str:
        return self.get(indicator_id).kind

    def unit(self, indicator_id: str) -> str:
        return self.get(indicator_id).unit

    def decimals(self, indicator_id: str) -> int:
        return self.get(indicator_id).decimals

    def polarity(self, indicator_id: str) -> str:
        return self.get(indicator_id).polarity

    def is_share(self, indicator_id: str) -> bool:
        return self.get(indicator_id).is_share

    def units(self) -> dict[str, str]:
        """Id → unit, for every indicator in the registry."""
        return {item.id: item.unit for item in self.indicators}

    def link(self, link_id: str) -> Link:
        """One link of linked_cells.toml by its id ('placement_types')."""
        for link in self.links.links:
            if link.id == link_id:
                return link
        raise KeyError(f"No link {link_id!r} in linked_cells.toml")

    def published_parts(self, link_id: str) -> tuple[str, ...]:
        """A link's parts that DfE publishes, in the file's order (a breakdown's bars)."""
        return tuple(
            part
            for part in self.link(link_id).parts
            if part in self and self.get(part).origin == PUBLISHED
        )

    def linked(self, indicator_id: str) -> tuple[str, ...]:
        """Which cells are linked to this one for protection (linked_cells.toml)."""
        return self.links.linked_to(indicator_id)


def lga_lines(groupings_text: str) -> tuple[str, ...]:
    """The ids of the LGA lines of enquiry (groupings.toml's default grouping)."""
    data = tomllib.loads(groupings_text)
    lga = next((g for g in data.get("grouping", []) if g["id"] == DEFAULT_GROUPING), None)
    if lga is None:
        raise CatalogueError("the groupings file must define the 'lga' grouping")
    return tuple(theme["id"] for theme in lga.get("theme", []))


def build_registry(
    catalogue_text: str, extract_text: str, links_text: str, groupings_text: str
) -> Registry:
    """A registry from the text of its four files, every entry checked."""
    lines = lga_lines(groupings_text)
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for text, origin in ((catalogue_text, PUBLISHED), (extract_text, EXTRACT)):
        for entry in tomllib.loads(text).get("indicator", []):
            if entry.get("id") in seen:
                raise CatalogueError(f"indicator {entry.get('id')!r} is defined twice")
            indicators.append(parse_indicator(entry, origin, lines))
            seen.add(entry["id"])
    links = read_links(links_text, seen)
    return Registry(tuple(indicators), lines, links)


@cache
def registry() -> Registry:
    """The registry, read from its files once per process."""
    return build_registry(
        *(
            path.read_text(encoding="utf-8")
            for path in (CATALOGUE_FILE, EXTRACT_FILE, LINKS_FILE, GROUPINGS_FILE)
        )
    )


class Ids:
    """Ids by name, each checked against a set of registered ids when it is asked for.

    ``ids = Ids(registry().extract_ids())`` then ``ids.foster_pct`` is ``"foster_pct"``,
    and a name the registry does not give is an AttributeError, not a figure with a
    mistyped id that no page would ever show.
    """

    def __init__(self, known: Iterable[str]) -> None:
        self._known = frozenset(known)

    def __getattr__(self, name: str) -> str:
        if name.startswith("_") or name not in self._known:
            raise AttributeError(f"{name!r} is not an indicator id the registry gives here")
        return name
