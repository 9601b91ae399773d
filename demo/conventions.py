"""DfE's statistical conventions: rounding, symbols, suppression and the geography rows.

A loader is only tested properly if the demo files break the same rules real
files do: local-authority counts are exact, national and regional counts are
rounded to the nearest 10, percentages and rates are whole numbers rounded half
up, and cells that could identify a child are replaced by symbols:

- ``c`` suppressed: an LA count of 1 to 5, anything it could be derived from
  (a percentage, a sibling that completes a total), and cells under a suppressed total;
- ``k`` a percentage that rounds to zero but is not zero;
- ``z`` not applicable; ``x`` not available.

Symbols are never zeros. This module holds those rules once, and a small table
engine (:class:`CountTable`) that applies them to any "count and percentage" file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from demo.world import COUNTRY_CODE, COUNTRY_NAME, Council, Region
from domain.facts import GEOGRAPHY_COLUMNS, LOCAL_AUTHORITY, NATIONAL, REGIONAL, TIME_COLUMNS
from domain.symbols import NOT_APPLICABLE, ROUNDS_TO_ZERO, SUPPRESSED

# The columns every DfE open-data file starts with, in the published order.
GEO_COLUMNS = [*TIME_COLUMNS, *GEOGRAPHY_COLUMNS]

Key = tuple[str, ...]
Value = int | str  # an exact count, or a symbol (z, x) that applies everywhere


# ---------------------------------------------------------------------------
# Rounding and formatting


def div_half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded half away from zero, in exact integer arithmetic."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    sign = -1 if numerator < 0 else 1
    return sign * ((2 * abs(numerator) + denominator) // (2 * denominator))


def round_to_10(count: int) -> int:
    """National and regional counts are published rounded to the nearest 10."""
    return div_half_up(count, 10) * 10


@lru_cache(maxsize=65536)
def percent(numerator: int, denominator: int, decimals: int = 0) -> str:
    """A published percentage: whole number (or 1 dp), ``k`` if it rounds to zero, ``z`` if 0/0."""
    if denominator == 0:
        return NOT_APPLICABLE
    scale = 10**decimals
    value = div_half_up(100 * scale * numerator, denominator)
    if value == 0 and numerator != 0:
        return ROUNDS_TO_ZERO
    return fixed(value, decimals)


def fixed(scaled: int, decimals: int) -> str:
    """An integer holding ``value * 10**decimals`` written with that many decimals."""
    if decimals == 0:
        return str(scaled)
    sign = "-" if scaled < 0 else ""
    whole, frac = divmod(abs(scaled), 10**decimals)
    return f"{sign}{whole}.{frac:0{decimals}d}"


def ratio(numerator: int, denominator: int, decimals: int, strip: bool = False) -> str:
    """``numerator / denominator`` to ``decimals`` places; ``strip`` drops a trailing ``.0``."""
    text = fixed(div_half_up(numerator * 10**decimals, denominator), decimals)
    return trim_decimal(text) if strip else text


def trim_decimal(text: str) -> str:
    """Write 4.50 as 4.5 and 4.0 as 4, as EES files do for many averages and totals."""
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def decimal_str(value: float, decimals: int, strip: bool = False) -> str:
    """A float rounded half up (on its shortest repr, so the result is deterministic)."""
    quantum = Decimal(1).scaleb(-decimals)
    text = str(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))
    if text.startswith("-") and Decimal(text) == 0:
        text = text[1:]
    return trim_decimal(text) if strip else text


# ---------------------------------------------------------------------------
# Geography rows


@dataclass(frozen=True)
class Geography:
    """One published row location: England, a region or a council."""

    level: str
    region: Region | None = None
    council: Council | None = None
    members: tuple[int, ...] = ()

    @property
    def is_la(self) -> bool:
        return self.level == LOCAL_AUTHORITY

    def columns(self, reporting_year: int, ons_order: bool = False) -> list[str]:
        """country_code .. new_la_code (or ONS's order: old_la_code, new_la_code, la_name)."""
        region_code = self.region.code if self.region else ""
        region_name = self.region.name if self.region else ""
        if self.council is not None:
            la = [
                self.council.old_la_code,
                self.council.la_name,
                self.council.new_la_code(reporting_year),
            ]
        else:
            la = ["", "", ""]
        if ons_order:
            la = [la[0], la[2], la[1]]
        return [self.level, COUNTRY_CODE, COUNTRY_NAME, region_code, region_name, *la]


def geographies(regions: Sequence[Region], councils: Sequence[Council]) -> list[Geography]:
    """England, then the regions, then councils by region and code, as EES files order them."""
    result = [Geography(NATIONAL, members=tuple(c.index for c in councils))]
    for region in regions:
        members = tuple(c.index for c in councils if c.region == region)
        result.append(Geography(REGIONAL, region=region, members=members))
    ordered = sorted(councils, key=lambda c: (c.region.index, c.old_la_code))
    for council in ordered:
        result.append(
            Geography(
                LOCAL_AUTHORITY, region=council.region, council=council, members=(council.index,)
            )
        )
    return result


# ---------------------------------------------------------------------------
# The count-and-percentage table engine

DerivedFn = Callable[[dict[Key, Value]], tuple[str, str]]


@dataclass
class CountTable:
    """How one file's cells relate, so suppression and percentages can be applied.

    ``keys`` are the published filter-label tuples in output order. Values may also
    hold hidden keys (e.g. a sum of scores) that are aggregated but never written.

    - ``denominators``: key -> the key its percentage is taken of (itself for a total);
      a cell under a suppressed denominator is suppressed too.
    - ``groups``: (total, parts) whose parts add up to the total: if exactly one
      of them is hidden, a second one is hidden so the first cannot be worked out.
    - ``links``: key -> keys to hide whenever that key is hidden.
    - ``exempt``: keys never suppressed for being small (e.g. a net gain).
    - ``z_if_no_denominator``: keys shown as ``z`` (count and percentage) when
      their denominator is zero (e.g. interventions when nobody was identified).
    - ``derived``: key -> (source keys, function of the exact values) for rows
      such as averages; the row is ``c`` wherever a source is suppressed.
    """

    keys: list[Key]
    denominators: dict[Key, Key] = field(default_factory=dict)
    groups: list[tuple[Key, tuple[Key, ...]]] = field(default_factory=list)
    links: dict[Key, tuple[Key, ...]] = field(default_factory=dict)
    exempt: frozenset[Key] = frozenset()
    z_if_no_denominator: frozenset[Key] = frozenset()
    derived: dict[Key, tuple[tuple[Key, ...], DerivedFn]] = field(default_factory=dict)
    has_percent: bool = True

    def __post_init__(self) -> None:
        # Hiding a cell hides the cells under it (denominator) and its linked cells.
        self._cascade: dict[Key, list[Key]] = {}
        for key, denom in self.denominators.items():
            if key != denom:
                self._cascade.setdefault(denom, []).append(key)
        for key, linked in self.links.items():
            self._cascade.setdefault(key, []).extend(linked)
        self._groups_of: dict[Key, list[int]] = {}
        for gid, (total, parts) in enumerate(self.groups):
            for member in (total, *parts):
                self._groups_of.setdefault(member, []).append(gid)
        self._checked = [k for k in self.keys if k not in self.exempt and k not in self.derived]
        self._plan: list[tuple[Key, Key | None, int]] = []
        for key in self.keys:
            if key in self.derived:
                kind = _DERIVED
            elif key in self.z_if_no_denominator:
                kind = _Z_IF_NONE
            elif key in self.exempt:
                kind = _EXEMPT
            else:
                kind = _PLAIN
            self._plan.append((key, self.denominators.get(key), kind))

    def suppressed_cells(self, values: dict[Key, Value]) -> set[Key]:
        """Primary (1 to 5) and secondary suppression for one council's values.

        Works through a queue of newly hidden cells in a fixed order, so the result
        is deterministic (never dependent on set or hash ordering).
        """
        queue: list[Key] = []
        for key in self._checked:
            v = values[key]
            if v.__class__ is int and 1 <= v <= 5:
                queue.append(key)
        hidden = set(queue)
        settled: set[int] = set()
        position = 0
        while position < len(queue):
            key = queue[position]
            position += 1
            for other in self._cascade.get(key, ()):
                if other not in hidden and values[other].__class__ is int:
                    hidden.add(other)
                    queue.append(other)
            for gid in self._groups_of.get(key, ()):
                if gid in settled:
                    continue
                total, parts = self.groups[gid]
                n_hidden = 1 if total in hidden else 0
                candidates: list[Key] = []
                for part in parts:
                    if values[part].__class__ is not int:
                        continue
                    if part in hidden:
                        n_hidden += 1
                    else:
                        candidates.append(part)
                if n_hidden != 1 or not candidates:
                    settled.add(gid)  # already protected (or nothing left to hide)
                    continue
                nonzero = [part for part in candidates if int(values[part]) > 0]
                pick = min(nonzero or candidates, key=lambda part: int(values[part]))
                hidden.add(pick)
                queue.append(pick)
                settled.add(gid)
        return hidden

    def render(self, values: dict[Key, Value], is_la: bool) -> list[str]:
        """Each key's measure cells (``number`` or ``number,percentage``), in ``keys`` order."""
        hidden = self.suppressed_cells(values) if is_la else set()
        with_pct = self.has_percent
        out: list[str] = []
        for key, denom_key, kind in self._plan:
            if kind == _DERIVED:
                sources, fn = self.derived[key]
                if any(s in hidden for s in sources):
                    cells = (SUPPRESSED, SUPPRESSED)
                else:
                    cells = fn(values)
                out.append(",".join(cells) if with_pct else cells[0])
                continue
            value = values[key]
            if value.__class__ is str:
                out.append(f"{value},{value}" if with_pct else str(value))
                continue
            if key in hidden:
                out.append("c,c" if with_pct else SUPPRESSED)
                continue
            count = int(value)
            if kind == _Z_IF_NONE and values[denom_key] == 0:
                out.append("z,z" if with_pct else NOT_APPLICABLE)
                continue
            if is_la:
                number = str(count)
            elif 1 <= count <= 5 and kind != _EXEMPT:
                out.append("c,c" if with_pct else SUPPRESSED)
                continue
            else:
                number = str(round_to_10(count))
            if not with_pct:
                out.append(number)
                continue
            if denom_key is None:
                pct = NOT_APPLICABLE
            elif denom_key == key:
                pct = "100" if count > 0 else NOT_APPLICABLE
            else:
                denom = values[denom_key]
                pct = str(denom) if denom.__class__ is str else percent(count, int(denom))
            out.append(f"{number},{pct}")
        return out


_PLAIN, _DERIVED, _Z_IF_NONE, _EXEMPT = range(4)


def aggregate(per_council: Sequence[dict[Key, Value]], members: Iterable[int]) -> dict[Key, Value]:
    """Sum councils' exact values; a key that is a symbol for every council keeps it."""
    parts = [per_council[i] for i in members]
    result: dict[Key, Value] = {}
    for key in parts[0]:
        column = [d[key] for d in parts]
        counts = [v for v in column if v.__class__ is not str]
        result[key] = sum(counts) if counts else column[0]
    return result


# ---------------------------------------------------------------------------
# Writing


def csv_field(text: str) -> str:
    """Quote a field the way Python's csv module does by default (only when needed)."""
    if "," in text or '"' in text or "\n" in text or "\r" in text:
        return '"' + text.replace('"', '""') + '"'
    return text


def csv_line(fields: Iterable[str]) -> str:
    fields = list(fields)
    line = ",".join(fields)
    if line.count(",") == len(fields) - 1 and '"' not in line and "\n" not in line:
        return line
    return ",".join(csv_field(f) for f in fields)


def write_lines(path: Path, header: Sequence[str], lines: Iterable[str]) -> int:
    """Write pre-joined CSV lines: UTF-8 without BOM, LF endings; return the row count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(csv_line(header) + "\n")
        buffer: list[str] = []
        for line in lines:
            buffer.append(line)
            if len(buffer) >= 4096:
                handle.write("\n".join(buffer) + "\n")
                count += len(buffer)
                buffer.clear()
        if buffer:
            handle.write("\n".join(buffer) + "\n")
            count += len(buffer)
    return count


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    """Write rows of fields (quoted where needed); return the row count."""
    return write_lines(path, header, (csv_line(row) for row in rows))
