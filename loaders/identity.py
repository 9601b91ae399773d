"""Whose figures a file says it holds: a file cannot rename a place, nor mix real with demo.

The pages name councils, regions and England by the names in the loaded files.
So a file whose ``la_name`` for code 825 is ``=HYPERLINK(…)`` or
"Aldermôuth-sur-Mer Borough Council" must not get in: the first is a formula
or markup that a spreadsheet or a Markdown renderer would act on, the second
either a mistake (shifted codes, another council's return) or a prank, and
either way the dashboard would then print it beside Buckinghamshire's figures.
Each rule is a small named check returning `Problem`s that name the file,
line, column, the value found and what was expected, like every other check.

1. `check_unsafe_text`: a place's name or code holding formula or markup
   characters is refused (see `UNSAFE`). The parsers call it on every row.
2. `check_places`: a code is one place. A council, region or country code
   whose name differs *materially* (`same_name`) from the name(s) the store
   already has for it, from another file of the batch, or from an earlier line
   of the same file, is refused, naming both names. DfE's own releases write
   some councils in several ways ("Bristol, City of" and "Bristol"; "County
   Durham" and "Durham"; "St. Helens" and "St Helens"; "Bedford" and "Bedford
   Borough"; "Dorset (Pre LG)"); those differ only in case, punctuation and the
   generic words in `GENERIC`, which the comparison leaves out. A real
   reorganisation comes with new codes (940 and 941 for the two
   Northamptonshires, 838 and 839 for Dorset and BCP), so it is never a rename.
3. `check_places`, ONS codes: a council's ONS code (``new_la_code``) does
   change with its code and name kept: Buckinghamshire E10000002 → E06000060
   (2020), North Yorkshire E10000023 → E06000065 and Somerset E10000027 →
   E06000066 (2023), when a county became a unitary council and the old code
   was retired. So a known council arriving with an ONS code the store has not
   seen for it is accepted, with a note saying so, when its name still matches
   (rule 2 has checked that); it is refused when that ONS code already belongs
   to *another* council in the store or the batch, because one ONS code is one
   council, and a file that says otherwise has its codes crossed.
4. `check_demo_store`: the demo database holds fictional councils whose codes
   (101–250) and England's code overlap real ones. Published data (DfE
   releases and outcomes, ONS population, statistical neighbours) loaded into
   it would be merged with the invented figures under the "fictional" banner,
   so any load other than the demo build itself that brings published data
   into a store holding committed demo data is refused before anything is
   written, saying how to load into a new store. The council's own files (a
   quarterly return, local indicator definitions, an SSDA903 extract) may
   still go in, so analysts can try the upload on the demo, but only for a
   council the demo has.

The app never reads the LAIT code list or the ONS lookup at run time; a
reference-data test checks that every code and name in the real releases agrees
with them under `same_name` (tests/test_reference_data.py).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import duckdb
import numpy as np
import pandas as pd

from domain.facts import GEOGRAPHY_COLUMNS
from loaders.problems import Problem

DEMO_KIND = "demo data"  # the load kind of the demo build (loaders/demo_database.py)
# The council's own data sets (quarterly.QUARTERLY_DATASET, quarterly.LOCAL_DATASET, and
# an SSDA903 extract's tables): everything else a batch brings is published data.
COUNCILS_OWN_DATASETS = frozenset({"quarterly_return", "local_indicators", "ssda903"})
# Columns naming or coding a place, wherever a file has them.
GEOGRAPHY_TEXT_COLUMNS = tuple(c for c in GEOGRAPHY_COLUMNS if c != "geographic_level")
MAX_PROBLEMS_PER_COLUMN = 10

# ------------------------------------------------------------- unsafe text
# A cell starting with these is a formula to Excel, LibreOffice and Sheets (the
# OWASP "CSV injection" list); a name never starts with one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
# Markup: HTML tags and entities' brackets, template braces, and the characters
# Streamlit's Markdown acts on (links, emphasis, code, LaTeX, tables, strikethrough).
# No English council's, region's or country's name uses any of them.
MARKUP = frozenset("<>{}[]`$*_|\\~")
SAFE_DESCRIPTION = (
    "letters, digits, spaces and ordinary punctuation ( , . ' & ( ) - ); not starting "
    "with = + - @, and no < > { } [ ] ` $ * _ | \\ ~ or control characters"
)


# A release folder's files name the same few hundred places: each is judged once a process.
@functools.lru_cache(maxsize=16384)
def unsafe_reason(text: str) -> str | None:
    """Why a name or code is not safe to store and show, or None when it is."""
    for candidate in (text, text.strip()):
        if candidate[:1] in FORMULA_STARTS:
            return f"starts with {candidate[:1]!r}, which a spreadsheet reads as a formula"
    for character in text:
        if character in MARKUP:
            return f"holds {character!r}, which web pages and Markdown read as markup"
        category = unicodedata.category(character)
        # Cc control, Cf format (bidirectional overrides, zero-width), Co/Cs/Cn, Zl/Zp breaks.
        if category[0] == "C" or category in ("Zl", "Zp"):
            return f"holds the invisible or control character U+{ord(character):04X}"
    return None


def check_unsafe_text(
    file: str,
    frame: pd.DataFrame,
    lines: pd.Series | None = None,
    columns: Iterable[str] = GEOGRAPHY_TEXT_COLUMNS,
) -> list[Problem]:
    """Every name or code in `columns` with formula or markup characters, by line.

    `lines` gives each row's line in the file (default: the row's position + 2,
    after the header). Unique values are tested once, so a large file costs little.
    """
    if lines is None:
        lines = pd.Series(range(2, len(frame) + 2), index=frame.index)
    problems: list[Problem] = []
    for column in columns:
        if column not in frame:
            continue
        if _all_safe_text(frame[column]):
            continue
        cells = frame[column].fillna("").astype(str)
        reasons = {value: unsafe_reason(value) for value in cells.unique()}
        bad = {value: reason for value, reason in reasons.items() if reason}
        if not bad:
            continue
        found = cells[cells.isin(list(bad))]
        for index, value in found.iloc[:MAX_PROBLEMS_PER_COLUMN].items():
            problems.append(
                Problem(
                    "error",
                    "unsafe_text",
                    f"A place's name or code {bad[value]}; it is refused so that no page, "
                    "download or pack can show or run it.",
                    file,
                    line=int(lines.loc[index]),
                    column=column,
                    value=value,
                    expected=SAFE_DESCRIPTION,
                )
            )
        if len(found) > MAX_PROBLEMS_PER_COLUMN:
            problems.append(
                Problem(
                    "error",
                    "unsafe_text",
                    f"{len(found) - MAX_PROBLEMS_PER_COLUMN} more lines have the same problem "
                    f"in column '{column}'.",
                    file,
                    column=column,
                    expected=SAFE_DESCRIPTION,
                )
            )
    return problems


def _all_safe_text(cells: pd.Series) -> bool:
    """Whether a column of text with no cell missing holds nothing unsafe, judged on its
    distinct cells without first copying it as `str` (a release file's place columns
    are all safe, and the copy was most of the check). False also means "not known
    this way": the column is then checked cell by cell as before."""
    if not isinstance(cells.dtype, pd.StringDtype) or cells.hasnans:
        return False
    return not any(unsafe_reason(value) for value in cells.unique())


# Words and phrases that say what kind of council a place is, not which one. Longest
# first, so "royal borough of" goes before "borough". "county" alone: "County Durham"
# is "Durham" in DfE's neighbour files and the LAIT list; "pre lg": the neighbour files'
# "Dorset (Pre LG)" for councils before the 2019 reorganisation.
GENERIC = (
    "metropolitan borough of",
    "royal borough of",
    "london borough of",
    "city and county of",
    "borough of",
    "city of",
    "county of",
    "city council",
    "pre lg",
    "council",
    "borough",
    "metropolitan",
    "county",
    "the",
)
_GENERIC = re.compile(r"\b(?:" + "|".join(re.escape(g) for g in GENERIC) + r")\b")
_NOT_WORD = re.compile(r"[^\w]+")
# Further names a council is known by that the generic words do not cover, as
# comparable() gives them: {"name": "the name it is the same as"}. Add a council here
# when DfE or ONS really renames one under the same code.
ALIASES: dict[str, str] = {"saint helens": "st helens"}


@functools.lru_cache(maxsize=4096)  # a batch compares a few hundred names, thousands of times
def comparable(name: str) -> str:
    """A name reduced to what identifies the place: case, punctuation and generic words gone.

    Letters keep their accents: "Aldermôuth" is not "Aldermouth", because a name
    accepted as the same is stored, and the pages may show it.
    """
    text = unicodedata.normalize("NFC", name).casefold()
    text = text.replace("&", " and ").replace("'", "").replace("\u2019", "")
    text = _NOT_WORD.sub(" ", text).replace("_", " ")
    text = " ".join(text.split())
    reduced = " ".join(_GENERIC.sub(" ", text).split())
    reduced = reduced or text  # "Council" alone is compared as itself
    return ALIASES.get(reduced, reduced)


def same_name(first: str, second: str) -> bool:
    """Whether two names are the same place's, differing only in the ways DfE's files do."""
    return comparable(first) == comparable(second)


# ------------------------------------------------------------ one place per code
LEVELS = {"council": "code", "region": "region code", "country": "country code"}
CHECKS = {"council": "council_name", "region": "region_name", "country": "country_name"}
PLACE_COLUMNS = ["level", "code", "name", "ons", "line", "column"]


def places_in_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """Each place a file's facts name (council, region, country), first line first.

    Facts carry the line they came from (``line``), so a problem can name it. The
    facts are reduced to their distinct places before anything else: a release
    file's million facts name a few hundred.
    """
    where = ["geographic_level", "area_code", "area_name", "new_la_code"]
    where += ["region_code", "region_name"]
    if "line" in facts and not facts["line"].isna().any():
        return _places_at_first_lines(_first_lines(facts, where))
    distinct = (  # distinct places first (a few hundred), each at its first line
        (facts[[*where, "line"]] if "line" in facts else facts[where].assign(line=pd.NA))
        .groupby(where, dropna=False, sort=False)["line"]
        .min()
        .reset_index()
        .sort_values("line", kind="stable")
    )
    return _places_of(distinct)


def _places_of(facts: pd.DataFrame) -> pd.DataFrame:
    """Each distinct place row's own place and its region, in pandas (any line may be
    missing); `_places_at_first_lines` gives the same when every line is known."""
    level = facts["geographic_level"]
    parts = [
        pd.DataFrame(
            {
                "level": level.map(
                    {"Local authority": "council", "Regional": "region", "National": "country"}
                ),
                "code": facts["area_code"],
                "name": facts["area_name"],
                "ons": facts["new_la_code"].where(level == "Local authority"),
                "line": facts["line"],
                "column": level.map(
                    {
                        "Local authority": "la_name",
                        "Regional": "region_name",
                        "National": "country_name",
                    }
                ),
            }
        ),
        pd.DataFrame(
            {
                "level": "region",
                "code": facts["region_code"],
                "name": facts["region_name"],
                "ons": None,
                "line": facts["line"],
                "column": "region_name",
            }
        ),
    ]
    return _distinct(parts)


# Each geographic level's place kind and the column a problem with its name points at.
_LEVEL_PLACE = {
    "Local authority": ("council", "la_name"),
    "Regional": ("region", "region_name"),
    "National": ("country", "country_name"),
}


def _places_at_first_lines(distinct: pd.DataFrame) -> pd.DataFrame:
    """`_distinct` of a file's distinct places (as `_first_lines` gives them, every line
    known), worked out over plain Python rows: a file names a few hundred places, and
    the dozen pandas steps over frames that small cost more than the rows themselves
    (three quarters of the identity check for a release folder).

    Each row gives its own place and its region; the result is what `_distinct` makes
    of the two lists put end to end: blanks left out, in order of line (the row's own
    place before its region on the same line), the first of each place kept, indexed
    by position in the two lists."""
    count = len(distinct)
    columns = ["geographic_level", "area_code", "area_name", "new_la_code"]
    columns += ["region_code", "region_name", "line"]
    rows = zip(*(distinct[column].tolist() for column in columns), strict=True)
    candidates = []
    for position, (level, code, name, ons, region_code, region_name, line) in enumerate(rows):
        kind, column = _LEVEL_PLACE.get(level, (None, None))
        if kind is not None:
            council_ons = ons if level == "Local authority" else None
            candidates.append((line, position, kind, code, name, council_ons, column))
        candidates.append(
            (line, count + position, "region", region_code, region_name, None, "region_name")
        )
    candidates.sort(key=lambda candidate: (candidate[0], candidate[1]))
    kept: dict[tuple, tuple] = {}
    for line, position, kind, code, name, ons, column in candidates:
        if not _named(code) or not _named(name) or not str(name).strip():
            continue
        ons = ons if _named(ons) else None
        key = (kind, str(code), str(name), ons)
        if key not in kept:
            kept[key] = (position, kind, str(code), str(name), ons, line, column)
    found = list(kept.values())
    index = pd.Index([f[0] for f in found], dtype="int64")
    # The dtypes `_distinct` gives: its level and column are text that may be missing.
    dtypes = {
        "level": pd.StringDtype(na_value=pd.NA),
        "code": "str",
        "name": "str",
        "ons": object,
        "line": distinct["line"].dtype,
        "column": pd.StringDtype(na_value=pd.NA),
    }
    return pd.DataFrame(
        {
            column: pd.Series([f[place + 1] for f in found], index=index, dtype=dtypes[column])
            for place, column in enumerate(PLACE_COLUMNS)
        }
    )


def _named(cell: object) -> bool:
    """A cell that holds text (not missing, not empty)."""
    return isinstance(cell, str) and cell != ""


def _first_lines(facts: pd.DataFrame, where: list[str]) -> pd.DataFrame:
    """Each distinct combination of the `where` columns (missing values included) with the
    first line it is on, in order of that line (ties: in order of first appearance).

    The combinations are numbered from each column's codes (a categorical's own, or
    factorised), so no text is compared row by row: a pandas group-by over six
    categoricals of a release file's facts took most of the identity check's time."""
    combined = np.zeros(len(facts), dtype=np.int64)
    size = 1  # the numbers so far are below this
    for column in where:
        cells = facts[column]
        if isinstance(cells.dtype, pd.CategoricalDtype):
            codes, width = cells.cat.codes.to_numpy(np.int64), len(cells.cat.categories) + 1
        else:
            codes, uniques = pd.factorize(cells, use_na_sentinel=True)
            width = len(uniques) + 1
        if size * width >= 2**62:  # renumbered densely only before the numbers could overflow
            combined = pd.factorize(combined)[0].astype(np.int64)
            size = int(combined.max()) + 1
        combined = combined * width + codes + 1
        size *= width
    combined = pd.factorize(combined)[0].astype(np.int64)  # 0, 1, ... by first appearance
    groups, first_rows = np.unique(combined, return_index=True)  # numbered by first appearance
    first_line = np.full(len(groups), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_line, combined, facts["line"].to_numpy(np.int64))
    distinct = facts[where].iloc[first_rows].reset_index(drop=True)
    distinct["line"] = first_line.astype(facts["line"].dtype)
    return distinct.sort_values("line", kind="stable")


def places_in_neighbours(neighbours: pd.DataFrame) -> pd.DataFrame:
    """The councils a neighbour list names: each council and each of its neighbours."""
    lines = neighbours["line"] if "line" in neighbours else pd.Series(pd.NA, index=neighbours.index)
    parts = [
        pd.DataFrame(
            {
                "level": "council",
                "code": neighbours[code],
                "name": neighbours[name],
                "ons": None,
                "line": lines,
                "column": column,
            }
        )
        for code, name, column in (
            ("old_la_code", "la_name", "la_name"),
            ("neighbour_old_la_code", "neighbour_la_name", "sn_la_name"),
        )
    ]
    return _distinct(parts)


def _distinct(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """One row per place, code, name and ONS code as first seen; blanks left out."""
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["level"].notna() & frame["code"].notna() & frame["name"].notna()]
    frame = frame[(frame["code"].astype(str) != "") & (frame["name"].astype(str).str.strip() != "")]
    frame = frame.astype({"code": str, "name": str})
    frame["ons"] = frame["ons"].where(frame["ons"].notna() & (frame["ons"] != ""), None)
    frame = frame.sort_values("line", kind="stable", na_position="last")
    return frame.drop_duplicates(["level", "code", "name", "ons"])[PLACE_COLUMNS]


def places_in_store(con: duckdb.DuckDBPyConnection, codes: Sequence[str]) -> pd.DataFrame:
    """Every name (and ONS code) the store has for these codes, from facts and neighbours."""
    if not codes:
        return pd.DataFrame(columns=PLACE_COLUMNS)
    return con.execute(
        """
        WITH wanted AS (SELECT unnest(?::VARCHAR[]) AS code)
        SELECT DISTINCT
            CASE geographic_level WHEN 'Local authority' THEN 'council'
                 WHEN 'Regional' THEN 'region' ELSE 'country' END AS level,
            area_code AS code, area_name AS name,
            CASE WHEN geographic_level = 'Local authority' THEN new_la_code END AS ons
        FROM facts WHERE area_code IN (SELECT code FROM wanted)
        UNION
        SELECT DISTINCT 'region', region_code, region_name, NULL
        FROM facts WHERE region_code IN (SELECT code FROM wanted) AND region_name IS NOT NULL
        UNION
        SELECT DISTINCT 'council', old_la_code, la_name, NULL
        FROM statistical_neighbours WHERE old_la_code IN (SELECT code FROM wanted)
        UNION
        SELECT DISTINCT 'council', neighbour_old_la_code, neighbour_la_name, NULL
        FROM statistical_neighbours
        WHERE neighbour_old_la_code IN (SELECT code FROM wanted) AND neighbour_la_name <> ''
        """,
        [list(codes)],
    ).df()


def councils_with_ons_codes(
    con: duckdb.DuckDBPyConnection, ons_codes: Sequence[str]
) -> dict[str, dict[str, str]]:
    """ONS code → the council codes the store has given it (→ a name for each)."""
    if not ons_codes:
        return {}
    rows = con.execute(
        "SELECT DISTINCT new_la_code, area_code, area_name FROM facts "
        "WHERE geographic_level = 'Local authority' AND new_la_code IN (SELECT unnest(?))",
        [list(ons_codes)],
    ).fetchall()
    found: dict[str, dict[str, str]] = {}
    for ons, code, name in rows:
        found.setdefault(ons, {}).setdefault(code, name)
    return found


class Place(NamedTuple):
    """One place a file names: its level, code, name, ONS code, and where in the file."""

    level: str  # council | region | country
    code: str
    name: str
    ons: str | None
    line: int | None
    column: str


@dataclass(frozen=True)
class _Seen:
    """Where a name or ONS code was first seen: a file of the batch and its line."""

    file: str
    line: int | None

    def said(self, file: str) -> str:
        """Where, as the message says it to the reader of `file`."""
        if self.file == file:
            return f"on line {self.line} of this file" if self.line else "elsewhere in this file"
        return f"in {self.file}" + (f" (line {self.line})" if self.line else "")


STORE: _Seen | None = None  # first seen in the store


def _said(seen: _Seen | None, file: str) -> str:
    return "in the store" if seen is None else seen.said(file)


@dataclass
class _Known:
    """Names and ONS codes seen so far for each code, and where each was first seen."""

    names: dict[tuple[str, str], dict[str, _Seen | None]] = field(default_factory=dict)
    ons: dict[str, dict[str, _Seen | None]] = field(default_factory=dict)  # council → ONS
    councils: dict[str, dict[str, tuple[str, _Seen | None]]] = field(default_factory=dict)

    def add(self, place: Place, seen: _Seen | None) -> None:
        self.names.setdefault((place.level, place.code), {}).setdefault(place.name, seen)
        if place.level == "council" and place.ons:
            self.ons.setdefault(place.code, {}).setdefault(place.ons, seen)
            self.councils.setdefault(place.ons, {}).setdefault(place.code, (place.name, seen))


def _places(frame: pd.DataFrame) -> list[Place]:
    return [
        Place(
            level,
            code,
            name,
            ons if isinstance(ons, str) and ons else None,
            None if pd.isna(line) else int(line),
            column,
        )
        for level, code, name, ons, line, column in frame[PLACE_COLUMNS].itertuples(
            index=False, name=None
        )
    ]


def check_places(
    con: duckdb.DuckDBPyConnection, files: Sequence[tuple[str, pd.DataFrame]]
) -> list[list[Problem]]:
    """Rules 2 and 3 for a batch: each file's places against the store, earlier files, itself.

    `files` are (file name, places as `places_in_facts` gives them) in batch order;
    the result is each file's problems, in the same order. Places are taken one at
    a time, so the first name a code is given (in the store, else in the batch) is
    the one the others are compared with.
    """
    codes = sorted({code for _, places in files for code in places["code"]})
    ons_codes = sorted({o for _, places in files for o in places["ons"].dropna()})
    known = _Known()
    for place in _places(places_in_store(con, codes).assign(line=None, column="")):
        known.add(place, STORE)
    for ons, councils in councils_with_ons_codes(con, ons_codes).items():
        for code, name in councils.items():
            known.councils.setdefault(ons, {}).setdefault(code, (name, STORE))
    results = []
    for file, frame in files:
        problems: list[Problem] = []
        noted: set[str] = set()
        for place in _places(frame):
            refused = _check_name(known, file, place)
            if refused:
                problems.append(refused)
            elif place.level == "council" and place.ons:
                problems += _check_ons(known, file, place, noted)
            known.add(place, _Seen(file, place.line))
        results.append(problems)
    return results


def _check_name(known: _Known, file: str, place: Place) -> Problem | None:
    """A code whose name here is not, materially, a name it already has."""
    seen = known.names.get((place.level, place.code))
    if not seen or any(same_name(place.name, name) for name in seen):
        return None
    # The store's names if it has any, else the first place in the batch that named it.
    names = [name for name, where in seen.items() if where is STORE] or list(seen)[:1]
    shown = f"'{names[0]}'" + "".join(f" (or '{n}')" for n in names[1:3])
    what = LEVELS[place.level]
    return Problem(
        "error",
        CHECKS[place.level],
        f"{what[0].upper()}{what[1:]} {place.code} is {shown} {_said(seen[names[0]], file)}; "
        f"this file calls it '{place.name}'. Check the file: its codes may be shifted, or it "
        "may be another place's. If the place really has been renamed under the same code, "
        "the new name must be added to loaders/identity.py (ALIASES) before the file can be "
        "loaded.",
        file,
        line=place.line,
        column=place.column,
        value=place.name,
        expected=f"'{names[0]}', or the same name written another way",
    )


def _check_ons(known: _Known, file: str, place: Place, noted: set[str]) -> list[Problem]:
    """An ONS code that is another council's (refused), or new for this one (a note)."""
    assert place.ons is not None
    others = [
        (code, name, seen)
        for code, (name, seen) in known.councils.get(place.ons, {}).items()
        if code != place.code
    ]
    if others:
        code, name, seen = others[0]
        return [
            Problem(
                "error",
                "ons_code",
                f"ONS code {place.ons} is council {code} '{name}' {_said(seen, file)}; this "
                f"file gives it to council {place.code} '{place.name}'. One ONS code is one "
                "council: check the file's codes.",
                file,
                line=place.line,
                column="new_la_code",
                value=place.ons,
                expected=f"the ONS code of council {place.code}",
            )
        ]
    before = known.ons.get(place.code, {})
    # Codes this very file gave the council earlier are its own history, not news.
    elsewhere = {o: s for o, s in before.items() if s is STORE or s.file != file}
    if not elsewhere or place.ons in before or place.code in noted:
        return []
    noted.add(place.code)
    first = next(iter(elsewhere.values()))
    return [
        Problem(
            "info",
            "ons_code",
            f"Council {place.code} '{place.name}' has ONS code {', '.join(sorted(elsewhere))} "
            f"{_said(first, file)}; this file gives {place.ons}. ONS codes change when a "
            "council is reorganised (Buckinghamshire E10000002 → E06000060), so this is "
            "accepted: the council's code and name are unchanged.",
            file,
            line=place.line,
            column="new_la_code",
            value=place.ons,
            expected="the same ONS code, or a new one after a reorganisation",
        )
    ]


# ------------------------------------------------------------ the demo store
DEMO_CHECK = "demo_store"
NEW_STORE = (
    "Load real files into a new store instead: start the app on one with "
    "`CP_DB=data/council.duckdb make run` and use the Data page, or on the command line "
    "`python -m loaders load FILES --db data/council.duckdb`."
)
DEMO_REFUSAL = (
    "This store holds the fictional demo councils, whose codes overlap real ones: published "
    "figures loaded into it would be mixed with invented ones under the demo banner. " + NEW_STORE
)


def holds_demo_data(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether a committed load in the store is the demo build (as indicators.facts.is_demo)."""
    row = con.execute(
        "SELECT count(*) FROM loads WHERE kind = ? AND status = 'committed'", [DEMO_KIND]
    ).fetchone()
    return bool(row and row[0])


def demo_councils(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The fictional councils' codes: those the demo build loaded."""
    rows = con.execute(
        "SELECT DISTINCT f.area_code FROM facts f JOIN loads l USING (load_id) "
        "WHERE l.kind = ? AND f.geographic_level = 'Local authority'",
        [DEMO_KIND],
    ).fetchall()
    return {row[0] for row in rows}


class _Report(Protocol):
    name: str
    outcome: str
    dataset: str | None


class _Extract(Protocol):
    la_code: str


class Prepared(Protocol):
    """What these checks read of a prepared file (loaders.load._Parsed)."""

    report: _Report
    facts: pd.DataFrame | None
    neighbours: pd.DataFrame | None
    extract: _Extract | None


def check_demo_store(
    con: duckdb.DuckDBPyConnection, batch: Sequence[Prepared], kind: str | None
) -> dict[int, list[Problem]]:
    """Rule 4: a demo store refuses published data, and own data for councils it does not have.

    Not for the demo build itself (`kind` is DEMO_KIND), which makes the store.
    """
    if kind == DEMO_KIND or not holds_demo_data(con):
        return {}
    councils: set[str] | None = None
    found: dict[int, list[Problem]] = {}
    for index, p in enumerate(batch):
        if p.report.outcome != "loaded":
            continue
        if p.neighbours is not None or (
            p.facts is not None and p.report.dataset not in COUNCILS_OWN_DATASETS
        ):
            found[index] = [
                Problem(
                    "error",
                    DEMO_CHECK,
                    DEMO_REFUSAL,
                    p.report.name,
                    expected="a new store for published data",
                )
            ]
            continue
        codes: list[tuple[str, str | None]] = []
        if p.facts is not None:
            codes = [("old_la_code", code) for code in sorted(set(p.facts["area_code"]))]
        elif p.extract is not None:
            codes = [("", p.extract.la_code)]
        if not codes:
            continue
        councils = demo_councils(con) if councils is None else councils
        for column, code in codes:
            if code not in councils:
                found.setdefault(index, []).append(
                    Problem(
                        "error",
                        DEMO_CHECK,
                        f"Council {code} is not one of the fictional demo councils this store "
                        "holds: a real council's figures would be mixed with invented ones "
                        "under the demo banner. " + NEW_STORE,
                        p.report.name,
                        column=column or None,
                        value=code,
                        expected="the code of one of the demo's councils, or a new store",
                    )
                )
    return found


def check_batch(
    con: duckdb.DuckDBPyConnection, batch: Sequence[Prepared], kind: str | None
) -> dict[int, list[Problem]]:
    """Every rule for a prepared batch, before anything is written: file index → problems.

    The demo rule first: a batch it refuses is not worth comparing names for.
    """
    refused = check_demo_store(con, batch, kind)
    if refused:
        return refused
    files: list[tuple[int, str, pd.DataFrame]] = []
    for index, p in enumerate(batch):
        if p.report.outcome != "loaded":
            continue
        if p.facts is not None and len(p.facts):
            files.append((index, p.report.name, places_in_facts(p.facts)))
        elif p.neighbours is not None and len(p.neighbours):
            files.append((index, p.report.name, places_in_neighbours(p.neighbours)))
    if not files:
        return {}
    results = check_places(con, [(name, places) for _, name, places in files])
    return {index: found for (index, _, _), found in zip(files, results, strict=True) if found}
