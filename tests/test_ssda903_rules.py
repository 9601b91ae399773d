"""Each registered SSDA903 rule on its own: a passing and a failing extract, staged with
only the columns the rule says it reads (so a rule reading an undeclared column fails
its own test). Then the registry: codes, staging, years.

Adding a rule means adding its case to CASES: `test_every_rule_has_a_case` fails until then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from loaders.csv_text import read_csv_bytes
from loaders.ssda903 import USED_COLUMNS, read_extract, stage, unstaged
from loaders.ssda903_rules import REGISTRY, Rule, RuleError
from loaders.ssda903_rules.registry import Registry
from loaders.ssda903_rules.spec import PLACE, TABLES, CodeList, YearChange

pytestmark = pytest.mark.pure

AS_AT = date(2025, 3, 31)  # collection year 2024-25

# A valid row of each table; a case gives only the cells that differ.
DEFAULTS: dict[str, dict[str, str]] = {
    "Header": {"CHILD": "1", "SEX": "1", "DOB": "01/01/2012", "ETHNIC": "WBRI"},
    "Episodes": {
        "CHILD": "1",
        "DECOM": "01/04/2024",
        "RNE": "S",
        "LS": "C2",
        "CIN": "N1",
        "PLACE": "U1",
        "PLACE_PROVIDER": "PR1",
        "DEC": "",
        "REC": "",
    },
    "Reviews": {"CHILD": "1", "REVIEW": "01/05/2024", "REVIEW_CODE": "PN1"},
    "UASC": {"CHILD": "1", "SEX": "1", "DOB": "01/01/2012", "DUC": ""},
    "OC2": {
        "CHILD": "1",
        "DOB": "01/01/2012",
        "SDQ_SCORE": "12",
        "CONVICTED": "0",
        "HEALTH_CHECK": "1",
        "IMMUNISATIONS": "1",
        "TEETH_CHECK": "1",
        "HEALTH_ASSESSMENT": "1",
        "SUBSTANCE_MISUSE": "0",
    },
    "OC3": {"CHILD": "1", "DOB": "01/01/2006", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "S1"},
    "AD1": {"CHILD": "1", "DATE_INT": "01/02/2024", "DATE_MATCH": "01/03/2024", "FOSTER_CARE": "0"},
    "PlacedAdoption": {
        "CHILD": "1",
        "DATE_PLACED": "01/02/2024",
        "DATE_PLACED_CEASED": "",
        "REASON_PLACED_CEASED": "",
    },
    "Missing": {"CHILD": "1", "MISSING": "M", "MIS_START": "01/05/2024", "MIS_END": "02/05/2024"},
    "SWEpisodes": {"CHILD": "1", "SW_ID": "SW1", "SW_DECOM": "01/04/2024", "SW_DEC": ""},
    "DoLo": {"CHILD": "1", "DOLO_START": "01/05/2024", "DOLO_END": ""},
}
Rows = dict[str, list[dict[str, str]]]


@dataclass(frozen=True)
class Case:
    """Rows (by table, each the cells differing from DEFAULTS) that pass and that fail;
    the failing extract's problems all name `column` on `line`."""

    passing: Rows
    failing: Rows
    column: str
    line: int = 2
    as_at: date = AS_AT
    check: str = ""  # the problem's check name, when the rule's tests pin it


def one(table: str, good: dict[str, str], bad: dict[str, str], column: str, **kw) -> Case:
    """A case of one row of one table."""
    return Case({table: [good]}, {table: [bad]}, column, **kw)


# One child's episodes: ended with X1 and continued; and one that ceased.
FIRST_X1 = {"DEC": "10/06/2024", "REC": "X1"}
FIRST_CEASED = {"DEC": "10/06/2024", "REC": "E13"}

CASES: dict[str, Case] = {
    # dates
    "141": one("Episodes", {}, {"DECOM": "31/02/2024"}, "DECOM"),
    "147": one("Episodes", {"DEC": "", "REC": ""}, {"DEC": "2/6/24", "REC": "E8"}, "DEC"),
    "102": one("Header", {}, {"DOB": ""}, "DOB"),
    "166": one("Reviews", {}, {"REVIEW": "2024-05-01"}, "REVIEW"),
    "1004": one("Missing", {}, {"MIS_START": "", "MIS_END": ""}, "MIS_START"),
    "1005": one("Missing", {"MIS_END": ""}, {"MIS_END": "02/13/2024"}, "MIS_END"),
    "CP01": one("UASC", {"DOB": ""}, {"DOB": "1/1/12"}, "DOB"),
    "104": one("UASC", {"DUC": "01/01/2030"}, {"DUC": "soon"}, "DUC"),
    "CP02": one("OC3", {}, {"DOB": ""}, "DOB"),
    "CP03": one("OC2", {"DOB": ""}, {"DOB": "x"}, "DOB"),
    "115": one("PlacedAdoption", {}, {"DATE_PLACED": ""}, "DATE_PLACED"),
    "116": one("PlacedAdoption", {}, {"DATE_PLACED_CEASED": "32/01/2024"}, "DATE_PLACED_CEASED"),
    "112": one("AD1", {"DATE_INT": ""}, {"DATE_INT": "01-02-2024"}, "DATE_INT"),
    "113": one("AD1", {}, {"DATE_MATCH": "March"}, "DATE_MATCH"),
    "SW04STG1": one("SWEpisodes", {}, {"SW_DECOM": ""}, "SW_DECOM"),
    "SW05STG1": one("SWEpisodes", {"SW_DEC": "01/06/2024"}, {"SW_DEC": "1/6"}, "SW_DEC"),
    "700": one("DoLo", {}, {"DOLO_START": ""}, "DOLO_START"),
    "701": one("DoLo", {"DOLO_END": "01/06/2024"}, {"DOLO_END": "2/1/25"}, "DOLO_END"),
    # dates in order
    "356": one(
        "Episodes",
        {"DEC": "01/05/2024", "REC": "E8"},
        {"DEC": "01/03/2024", "REC": "E8"},
        "DEC",
        check="date_order",
    ),
    "567": one("Missing", {}, {"MIS_END": "01/04/2024"}, "MIS_END", check="date_order"),
    "522": one(
        "PlacedAdoption",
        {"DATE_PLACED_CEASED": "01/03/2024"},
        {"DATE_PLACED_CEASED": "01/01/2024"},
        "DATE_PLACED_CEASED",
    ),
    # after the as-at date
    "CP04": one("Episodes", {"DECOM": "31/03/2025"}, {"DECOM": "01/04/2025"}, "DECOM"),
    "CP05": one("Reviews", {}, {"REVIEW": "01/06/2025"}, "REVIEW", check="after_as_at"),
    "CP06": one("Missing", {}, {"MIS_START": "01/06/2025", "MIS_END": ""}, "MIS_START"),
    # codes
    "146": Case(
        # An episode that ended in 2023-24 may say Z1; K3 only from 2024-25.
        {
            "Episodes": [
                {"DECOM": "05/05/2023", "DEC": "06/05/2023", "REC": "E8", "PLACE": "Z1"},
                {"CHILD": "2", "PLACE": "K3"},
            ]
        },
        {"Episodes": [{"DECOM": "05/05/2023", "DEC": "06/05/2023", "REC": "E8", "PLACE": "K3"}]},
        "PLACE",
        check="place",
    ),
    "144": one("Episodes", {"LS": "V3"}, {"LS": "X9"}, "LS", check="legal_status"),
    "143": one("Episodes", {"RNE": "S"}, {"RNE": "Z"}, "RNE", check="rne"),
    "145": one("Episodes", {"CIN": "N8"}, {"CIN": "N9"}, "CIN", check="cin"),
    "178": one("Episodes", {"PLACE_PROVIDER": ""}, {"PLACE_PROVIDER": "PR9"}, "PLACE_PROVIDER"),
    "149": one(
        "Episodes", {"DEC": "01/05/2024", "REC": "E4A"}, {"DEC": "01/05/2024", "REC": "E99"}, "REC"
    ),
    "148": one("Episodes", {"DEC": "01/05/2024", "REC": "E8"}, {"DEC": "01/05/2024"}, "REC"),
    "167": one("Reviews", {}, {"REVIEW_CODE": "PN8"}, "REVIEW_CODE", check="review_code"),
    "1006": one("Missing", {"MISSING": "A"}, {"MISSING": "X"}, "MISSING", check="missing_code"),
    "131": one("OC3", {"IN_TOUCH": "RHOM"}, {"IN_TOUCH": "MAYBE"}, "IN_TOUCH", check="in_touch"),
    "132": one("OC3", {"ACTIV": "G6"}, {"ACTIV": "F3"}, "ACTIV", check="activity"),
    "133": one("OC3", {"ACCOM": "Z2"}, {"ACCOM": "S3"}, "ACCOM", check="accommodation"),
    "181": one("OC2", {"CONVICTED": ""}, {"TEETH_CHECK": "Y"}, "TEETH_CHECK"),
    "180": one("OC2", {"SDQ_SCORE": "40"}, {"SDQ_SCORE": "12.5"}, "SDQ_SCORE", check="sdq_score"),
    # episodes in sequence
    "142": Case(
        {"Episodes": [FIRST_X1, {"DECOM": "10/06/2024", "RNE": "P"}]},
        {"Episodes": [{}, {"DECOM": "10/06/2024", "RNE": "P"}]},
        "DECOM",
        line=3,
        check="episodes_overlap",
    ),
    "501": Case(
        {"Episodes": [FIRST_X1, {"DECOM": "10/06/2024", "RNE": "P"}]},
        {"Episodes": [FIRST_X1, {"DECOM": "01/06/2024", "RNE": "P"}]},
        "DECOM",
        line=3,
        check="episodes_overlap",
    ),
    "388": Case(
        {"Episodes": [FIRST_X1, {"DECOM": "10/06/2024", "RNE": "P"}]},
        {"Episodes": [FIRST_X1, {"DECOM": "20/06/2024", "RNE": "P"}]},
        "RNE",
        line=3,
        check="episodes_chain",
    ),
    "432": Case(
        {"Episodes": [FIRST_CEASED, {"DECOM": "20/06/2024", "RNE": "S"}]},
        {"Episodes": [FIRST_CEASED, {"DECOM": "20/06/2024", "RNE": "P"}]},
        "RNE",
        line=3,
        check="episodes_chain",
    ),
    # integrity (local codes)
    "CP07": Case(
        {"Header": [{}], "Episodes": [{}]},
        {"Header": [{}], "Episodes": [{"CHILD": "2"}]},
        "CHILD",
        check="child_in_header",
    ),
    "CP08": Case({"Header": [{}, {"CHILD": "2"}]}, {"Header": [{}, {}]}, "CHILD", line=3),
    "CP09": Case(
        {"Episodes": [FIRST_X1, {"DECOM": "10/06/2024", "RNE": "P"}]},
        {"Episodes": [{}, {}]},
        "PLACE_PROVIDER",
        line=3,
        check="duplicate",
    ),
    "CP10": Case(
        {"Reviews": [{}, {"REVIEW": "01/06/2024"}]}, {"Reviews": [{}, {}]}, "REVIEW", line=3
    ),
    "CP11": Case(
        {"Missing": [{}, {"MIS_START": "03/05/2024", "MIS_END": ""}]},
        {"Missing": [{}, {}]},
        "MIS_START",
        line=3,
    ),
    "CP12": Case({"OC3": [{}, {"CHILD": "2"}]}, {"OC3": [{}, {}]}, "CHILD", line=3),
    "CP13": Case({"OC2": [{}, {"CHILD": "2"}]}, {"OC2": [{}, {}]}, "CHILD", line=3),
}


def _csv(table: str, rows: list[dict[str, str]]) -> bytes:
    columns = list(DEFAULTS[table])
    lines = [",".join(columns)] + [
        ",".join({**DEFAULTS[table], **r}[c] for c in columns) for r in rows
    ]
    return ("\n".join(lines) + "\n").encode()


def _problems(rule: Rule, rows: Rows, as_at: date):
    """The rule's problems on `rows`, staged with only the columns it reads."""
    tables = [read_csv_bytes(f"{table}.csv", _csv(table, found)) for table, found in rows.items()]
    only_declared = {table: frozenset({"CHILD", *columns}) for table, columns in rule.reads.items()}
    extract = stage(tables, only_declared)
    try:
        extract.as_at = as_at
        return rule.run(extract)
    finally:
        extract.close()


def _rules() -> list[Rule]:
    return list(REGISTRY.rules)


@pytest.mark.parametrize("rule", _rules(), ids=lambda r: r.key)
def test_the_rule_passes_its_good_rows(rule: Rule):
    case = CASES[rule.key]
    assert _problems(rule, case.passing, case.as_at) == []


@pytest.mark.parametrize("rule", _rules(), ids=lambda r: r.key)
def test_the_rule_finds_its_bad_row_and_names_itself(rule: Rule):
    case = CASES[rule.key]
    found = _problems(rule, case.failing, case.as_at)
    assert found, f"rule {rule.code} found nothing in its failing case"
    assert {(p.line, p.column, p.rule) for p in found} == {(case.line, case.column, rule.label)}
    assert all(p.table in case.failing for p in found)
    if case.check:
        assert {p.check for p in found} == {case.check}


def test_every_rule_has_a_case_and_every_case_a_rule():
    assert {r.key for r in REGISTRY.rules} == set(CASES)


def test_the_rule_catalogue_in_docs_is_current():
    from pathlib import Path

    from loaders.ssda903_rules.__main__ import HEADING

    written = (Path(__file__).parents[1] / "docs" / "SSDA903_RULES.md").read_text()
    assert written == HEADING + REGISTRY.catalogue(), "run python -m loaders.ssda903_rules"
    assert all(f"| {r.label} |" in written for r in REGISTRY.rules)


def test_codes_are_the_dfes_or_local_and_labelled_so():
    labels = {r.code: r.label for r in REGISTRY.rules}
    assert labels["146"] == "DfE 146" and labels["SW04STG1"] == "DfE SW04STG1"
    assert labels["CP07"] == "local CP07"
    assert all(r.message.endswith(".") for r in REGISTRY.rules)


def test_the_check_report_names_the_rule():
    header = read_csv_bytes("header.csv", _csv("Header", [{}]))
    bad = read_csv_bytes("episodes.csv", _csv("Episodes", [{"PLACE": "Q9"}]))
    extract, (problem,) = read_extract([header, bad], AS_AT)
    extract.close()
    assert problem.rule == "DfE 146"
    assert "[DfE 146] PLACE is not a valid placement code" in problem.describe()


# ------------------------------------------------------------------ staging
def test_staging_keeps_exactly_child_and_the_columns_read():
    read = REGISTRY.columns()
    for table in TABLES:
        assert USED_COLUMNS[table] >= {"CHILD"} | read.get(table, set())
    assert "ETHNIC" not in USED_COLUMNS["Header"]  # recognises the table; nothing reads it
    assert not {"UPN", "PL_POST", "HOME_POST", "MOTHER", "MC_DOB"} & set().union(
        *USED_COLUMNS.values()
    )
    assert unstaged(REGISTRY.rules) == []


def _a_rule(code: str = "CP99", reads=None, **years) -> Rule:
    return Rule(code, "A test rule.", reads or {"OC2": ("SDQ_SCORE",)}, lambda e: [], **years)


@pytest.mark.parametrize(
    ("reads", "says"),
    [
        ({"OC2": ("SDQ_SCOR",)}, "not in OC2"),  # misspelt: would never be staged
        ({"Episodes": ("PL_POST",)}, "never staged"),  # a postcode
        ({"Carers": ("CHILD",)}, "not an SSDA903 table"),
    ],
)
def test_a_rule_on_a_column_that_cannot_be_staged_fails_when_registered(reads, says):
    with pytest.raises(RuleError, match=says):
        Registry().add(_a_rule(reads=reads))


def test_a_rule_registered_after_start_up_on_an_unstaged_column_is_refused(monkeypatch):
    late = _a_rule(reads={"Header": ("ETHNIC",)})
    assert unstaged([late]) == ["CP99 reads Header.ETHNIC"]
    monkeypatch.setattr(REGISTRY, "rules", [*REGISTRY.rules, late])
    header = read_csv_bytes("header.csv", _csv("Header", [{}]))
    with pytest.raises(RuleError, match="not staged"):
        read_extract([header], AS_AT)


def test_codes_must_be_dfe_or_local_and_not_clash():
    registry = Registry()
    with pytest.raises(RuleError, match="neither"):
        registry.add(_a_rule(code="X1"))
    registry.add(_a_rule(code="146", last_year=2025))
    changed = registry.add(_a_rule(code="146", first_year=2026))  # as changed for 2025-26
    assert (changed.key, changed.years) == ("146@2026", "from 2025-26")
    with pytest.raises(RuleError, match="twice"):
        registry.add(_a_rule(code="146", first_year=2027))


# ------------------------------------------------------------------ years
def test_each_years_rule_set_is_the_previous_plus_additions_less_withdrawals():
    registry = Registry()
    registry.add(_a_rule("CP01"))
    registry.add(_a_rule("CP02", last_year=2025))
    registry.add(_a_rule("CP03", first_year=2026))
    assert [r.code for r in registry.rule_set(2025)] == ["CP01", "CP02"]
    assert registry.changes(2026) == YearChange(frozenset({"CP03"}), frozenset({"CP02"}))
    for year in range(2020, 2030):
        before = {r.code for r in registry.rule_set(year - 1)}
        change = registry.changes(year)
        expected = (before | change.added) - change.withdrawn
        assert {r.code for r in registry.rule_set(year)} == expected


def test_code_lists_change_by_year_as_data():
    codes = CodeList(frozenset({"A", "B"}), {2025: YearChange(frozenset({"C"}), frozenset({"A"}))})
    assert codes.for_year(2024) == {"A", "B"} and codes.for_year(2025) == {"B", "C"}
    assert PLACE.years_changed == (2025, 2026)
    assert "K3" in PLACE.for_year(2025) and "Z11" not in PLACE.for_year(2025)


def test_the_data_pages_check_report_has_a_rule_column(store):
    from conftest import load_texts

    from loaders.load import ExtractOptions

    header = _csv("Header", [{}]).decode()
    episodes = _csv("Episodes", [{"PLACE": "Q9"}, {"CHILD": "2", "DECOM": "31/02/2024"}]).decode()
    report = load_texts(
        store,
        {"header.csv": header, "episodes.csv": episodes},
        extract=ExtractOptions("825", AS_AT),
        dry_run=True,
    )
    table = report.problems_table()
    assert list(table.columns[:3]) == ["severity", "rule", "check"]
    assert set(zip(table["rule"], table["check"], strict=True)) >= {
        ("DfE 141", "date"),
        ("DfE 146", "place"),
        ("local CP07", "child_in_header"),
    }
    assert "rule" in report.problems_table(detailed=True).columns
