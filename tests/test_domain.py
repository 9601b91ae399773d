"""One vocabulary (domain/) and one indicator registry, each word defined once.

domain/ imports nothing of the project; every unit, polarity, symbol table, fact
column list, colour and registry file is defined there and nowhere else (the
scanner below is shown to find a copy, so it can fail); the registry answers
what code asks; and adding an indicator is one registry entry.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pytest
from conftest import PROJECT, load_texts, one_figure
from fixtures import ees

from domain import facts, palette, registry, symbols, units
from domain.registry import (
    CATALOGUE_FILE,
    EXTRACT_FILE,
    GROUPINGS_FILE,
    LINKS_FILE,
    LOCAL,
    CatalogueError,
    Ids,
    build_registry,
    check_entry,
    local_entry,
)

PACKAGES = {"app", "app_pages", "benchmarks", "charts", "demo", "exports", "indicators"}
PACKAGES |= {"loaders", "ui", "tests"}
SOURCES = [
    path
    for folder in ("app_pages", "charts", "demo", "exports", "indicators", "loaders", "ui")
    for path in sorted((PROJECT / folder).glob("*.py"))
] + [PROJECT / "app.py"]


# ------------------------------------------------------------------ domain stands alone
def _imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            roots.add(node.module.split(".")[0])
    return roots


def test_domain_imports_nothing_of_the_project():
    modules = sorted((PROJECT / "domain").glob("*.py"))
    assert {p.stem for p in modules} >= {"periods", "units", "symbols", "facts", "palette"}
    for path in modules:
        assert not (_imported_roots(path) & PACKAGES), path.name


# ------------------------------------------------------------------ one definition each
VOCABULARY_STRINGS = {
    *(name for name in units.UNITS if " " in name),  # 'rate per 10,000', 'incidents per child'
    units.HIGHER_IS_BETTER,
    units.LOWER_IS_BETTER,
    "catalogue.toml",
    "extract_indicators.toml",
    "linked_cells.toml",
    "_pct",
}
VOCABULARY_NAMES = {
    "UNITS",
    "POLARITIES",
    "SYMBOLS",
    "UNIT_KINDS",
    "TIME_COLUMNS",
    "GEOGRAPHY_COLUMNS",
    "CANONICAL_FILTERS",
    "FACT_KEY",
    "ValueKind",
    "SymbolMeaning",
    "Selector",
    "Indicator",
    "Link",
    "Links",
}
HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$|^#[0-9A-Fa-f]{3}$")
DFE_SYMBOLS = {"c", "x", "z", "k"}


def copies(source: str) -> list[str]:
    """Where a source text defines a vocabulary item domain/ defines: a unit or polarity
    string, a symbol table, a colour, a registry file's name, an id suffix test, or a
    name (class or constant) the domain defines."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in VOCABULARY_STRINGS or HEX_COLOUR.match(node.value):
                found.append(f"line {node.lineno}: {node.value!r}")
        elif isinstance(node, ast.Tuple | ast.List | ast.Set | ast.Dict):
            items = node.keys if isinstance(node, ast.Dict) else node.elts
            strings = {i.value for i in items if isinstance(i, ast.Constant)}
            if strings >= DFE_SYMBOLS:
                found.append(f"line {node.lineno}: a table of DfE's symbols")
        elif isinstance(node, ast.ClassDef) and node.name in VOCABULARY_NAMES:
            found.append(f"line {node.lineno}: class {node.name}")
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id in VOCABULARY_NAMES:
                    found.append(f"line {node.lineno}: {target.id} =")
    return found


def test_the_scanner_finds_a_copy():
    """So the next test can fail: each kind of copy it looks for is found."""
    planted = """
UNITS = ("count", "percent")
ok = unit == "rate per 10,000"
table = {"c": 1, "x": 2, "z": 3, "k": 4}
BLUE = "#0072B2"
share = indicator_id.endswith("_pct")
path = HERE / "catalogue.toml"
class SymbolMeaning: ...
"""
    assert len(copies(planted)) == 7, copies(planted)
    assert copies("from domain.units import UNITS\nx = UNITS['count']\n") == []


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(PROJECT)))
def test_each_vocabulary_item_is_defined_only_in_domain(path):
    assert copies(path.read_text(encoding="utf-8")) == []


def test_the_apps_theme_colour_is_the_councils():
    config = (PROJECT / ".streamlit" / "config.toml").read_text(encoding="utf-8")
    assert f'primaryColor = "{palette.COUNCIL}"' in config


def test_units_kinds_and_symbols_are_complete():
    assert {unit.kind for unit in units.UNITS.values()} == set(units.KINDS)
    assert set(units.PUBLISHED_UNITS) | set(units.LOCAL_UNITS) == set(units.UNITS)
    assert units.unit_kind("percent") == units.SHARE and units.is_share_unit("percent")
    assert units.is_rate_or_share_unit("rate per 10,000") and not units.is_share_unit("count")
    assert set(units.POLARITY_READINGS) == set(units.POLARITIES)
    assert list(symbols.SYMBOLS) == ["c", "x", "z", "k", "low", "u", "~", ":"]
    assert set(symbols.MOST_PROTECTIVE_FIRST) == set(symbols.SYMBOLS)
    assert symbols.is_symbol("c") and not symbols.is_symbol("12")
    assert facts.FACT_KEY[0] == "dataset" and facts.FACT_KEY[-1] == "measure"


# ------------------------------------------------------------------ the registry answers
def test_the_registry_answers_kind_share_and_polarity():
    r = registry.registry()
    assert r is registry.registry()  # read once
    assert r.is_share("foster_pct") and r.kind("foster_pct") == units.SHARE
    assert not r.is_share("cla_rate_per_10k") and r.kind("cla_rate_per_10k") == units.RATE
    assert r.kind("cla_count") == units.COUNT_KIND
    assert r.kind("missing_incidents_per_child") == units.MEAN
    assert r.kind("sdq_mean") == units.SCORE
    assert r.polarity("provider_private_pct") == units.LOWER_IS_BETTER
    assert r.unit("uasc_count") == "count" and r.decimals("uasc_count") == 0
    with pytest.raises(KeyError, match="nowhere_pct"):
        r.get("nowhere_pct")


def test_every_extract_id_is_registered_with_a_kind_and_lines():
    r = registry.registry()
    extract = r.extract_ids()
    assert {item.id for item in r.extract_only()} <= extract
    assert "cla_count" in extract and "residential_schools_pct" in extract
    assert "ks4_attainment8" not in extract  # the extract has no exam results
    for indicator_id in extract:
        item = r.get(indicator_id)
        assert item.kind in units.KINDS and item.lines, indicator_id
        assert set(item.lines) <= set(r.lines), indicator_id


def test_child_level_computes_exactly_the_registrys_extract_ids(demo_db):
    from indicators import child_level

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        raw = child_level._raw_figures(con, child_level.extract_quarters(con))
    finally:
        con.close()
    assert set(raw["indicator_id"]) == set(registry.registry().extract_ids())


def test_child_level_names_ids_only_through_the_registry():
    ids = Ids({"foster_pct"})
    assert ids.foster_pct == "foster_pct"
    with pytest.raises(AttributeError, match="fostr_pct"):
        _ = ids.fostr_pct
    source = (PROJECT / "indicators" / "child_level.py").read_text(encoding="utf-8")
    every_id = set(registry.registry().ids())
    literal: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            # An id as a Python string, or quoted in SQL.
            words = {node.value, *re.findall(r"'([a-z0-9_]+)'", node.value)}
            literal += sorted(words & every_id)
    assert literal == []


def test_the_registry_says_which_cells_are_linked():
    r = registry.registry()
    assert "foster_pct" in r.linked("cla_count") and "provider_own_pct" in r.linked("cla_count")
    assert "foster_own_provision_pct" in r.linked("foster_pct")
    assert r.linked("ks4_attainment8") == ()
    assert r.published_parts("placement_types")[0] == "foster_pct"
    assert "residential_schools_pct" not in r.published_parts("placement_types")
    with pytest.raises(KeyError):
        r.link("nothing")


# ------------------------------------------------------------------ one schema, one check
def test_extract_indicators_use_the_catalogue_schema():
    text = EXTRACT_FILE.read_text(encoding="utf-8")
    assert "line_of_enquiry" not in text and "lines = [" in text


def test_a_local_definition_is_checked_by_the_same_code():
    lines = registry.registry().lines
    good = local_entry("trained_pct", "Trained", "", "percent", "", "higher is better", "duties")
    assert check_entry(good, LOCAL, lines) == []
    assert good["lines"] == ["duties"] and good["short_title"] == "Trained"
    bad = local_entry("x", "", "", "furlongs", "7", "good", "nowhere")
    assert {field for field, _, _ in check_entry(bad, LOCAL, lines)} == {
        "title",
        "unit",
        "polarity",
        "decimals",
        "lines",
    }
    # A local indicator may be a plain number; a published one may not.
    number = {**good, "unit": "number"}
    assert check_entry(number, LOCAL, lines) == []
    assert [f for f, _, _ in check_entry(number, registry.PUBLISHED, lines)] == [
        "unit",
        "source",
        "questions",
    ]


def _files(extra_catalogue: str = "", extra_extract: str = "") -> list[str]:
    return [
        CATALOGUE_FILE.read_text(encoding="utf-8") + extra_catalogue,
        EXTRACT_FILE.read_text(encoding="utf-8") + extra_extract,
        LINKS_FILE.read_text(encoding="utf-8"),
        GROUPINGS_FILE.read_text(encoding="utf-8"),
    ]


def test_a_mistyped_entry_is_refused_with_its_id():
    typo = '\n[[indicator]]\nid = "odd_pct"\ntitle = "Odd"\nlines = ["cohort"]\n'
    typo += 'unit = "percnt"\ndecimals = 0\npolarity = "none"\n'
    with pytest.raises(CatalogueError, match=r"odd_pct.*unit"):
        build_registry(*_files(extra_extract=typo))
    twice = '\n[[indicator]]\nid = "uasc_count"\ntitle = "Again"\nlines = ["cohort"]\n'
    twice += 'unit = "count"\ndecimals = 0\npolarity = "none"\n'
    with pytest.raises(CatalogueError, match=r"uasc_count.*twice"):
        build_registry(*_files(extra_extract=twice))


# ------------------------------------------------------------------ adding an indicator
NEW_INDICATOR = """
[[indicator]]
id = "children_in_area_count"
title = "Children aged under 18 living in the council's area"
short_title = "Children in the area"
lines = ["cohort"]
unit = "count"
decimals = 0
polarity = "none"
definition = "ONS mid-year estimate of the children aged under 18 living in the area."
source = { dataset = "cla_number_and_rate", cohort = "Children looked after on 31 March each year", breakdown = "", measure = "population_estimate" }
questions = ["Is the number of children in our area growing?", "Where do they live?"]
source_note = "ONS mid-year population estimates, as published with DfE's rates."
"""


def test_adding_an_indicator_is_one_registry_entry(store):
    """The worked example in CONTRIBUTING: one [[indicator]] entry, and its figure is
    computed with no code changed."""
    from indicators.compute import all_values

    grown = build_registry(*_files(extra_catalogue=NEW_INDICATOR))
    item = grown.get("children_in_area_count")
    assert item.kind == units.COUNT_KIND and not item.is_share and not item.extract
    assert "children_in_area_count" not in registry.registry()  # only the fixture has it
    load_texts(store, {"rates.csv": ees.number_and_rate_2025()})
    values = all_values(store, indicators=grown.published())
    assert one_figure(values, "children_in_area_count", "857", 2025)["value"] == 8200
    assert one_figure(values, "cla_count", "857", 2025)["value"] == 35
