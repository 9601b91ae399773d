"""SSDA903 checks as registered rules, in the manner of the Data to Insight 903 validator.

Each rule declares, where it is written, what the report and the staging need to
know about it: its code (the DfE's validation rule code where the DfE has one,
else a local `CP` code), what it checks, the tables and columns it reads, and the
collection years it applies to. So:

- the check report shows the code beside each problem ("[DfE 146] …"), and an
  analyst can look the rule up in the DfE's guidance;
- staging keeps exactly the columns the rules and the store read, and a rule
  naming a column that is not in the specification (or one that is never
  copied, such as postcodes) fails when it is registered, at start-up, instead
  of quietly finding nothing;
- each collection year's rule set is the previous year's plus the rules that
  start that year, less those withdrawn (`Registry.rule_set`, `Registry.changes`).

A rule is a function from a staged extract to its problems; the registry adds
its code to each problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from loaders.problems import Problem
from loaders.ssda903_rules.spec import NEVER_STAGED, SPEC_COLUMNS, YearChange

if TYPE_CHECKING:
    from loaders.ssda903 import Extract

RuleFunction = Callable[["Extract"], list[Problem]]
# Local codes, for checks the DfE has no rule for: CP and two or more digits.
LOCAL_CODE = re.compile(r"CP[0-9]{2,}")
# The DfE's codes: digits, optionally a letter suffix (392c, 503D), or the social
# worker rules' SW01STG1 form.
DFE_CODE = re.compile(r"[0-9]{3,4}[A-Za-z]?|SW[0-9]{2}[a-z]?STG[12]")


class RuleError(ValueError):
    """A rule that cannot be registered: unknown table or column, clashing code or years."""


@dataclass(frozen=True)
class Rule:
    """One registered check. `reads` is every column it reads, by table; `first_year`
    and `last_year` bound the collection years it applies to (None: no bound)."""

    code: str
    message: str
    reads: Mapping[str, tuple[str, ...]]
    function: RuleFunction
    first_year: int | None = None
    last_year: int | None = None

    @property
    def is_dfe(self) -> bool:
        return LOCAL_CODE.fullmatch(self.code) is None

    @property
    def label(self) -> str:
        """How reports name the rule: "DfE 146", or "local CP07" where the DfE has none."""
        return f"DfE {self.code}" if self.is_dfe else f"local {self.code}"

    @property
    def key(self) -> str:
        """The rule's code, with its first year when it starts later (one code may have a
        version per span of years, e.g. a rule the DfE changed for 2025-26)."""
        return self.code if self.first_year is None else f"{self.code}@{self.first_year}"

    @property
    def years(self) -> str:
        """The collection years it applies to, as a reader would say them."""
        if self.first_year is None and self.last_year is None:
            return "all"
        first = f"from {year_label(self.first_year)}" if self.first_year else ""
        last = f"to {year_label(self.last_year)}" if self.last_year else ""
        return " ".join(part for part in (first, last) if part)

    def applies_in(self, collection_year: int) -> bool:
        after_first = self.first_year is None or collection_year >= self.first_year
        return after_first and (self.last_year is None or collection_year <= self.last_year)

    def run(self, extract: Extract) -> list[Problem]:
        """The rule's problems, each naming the rule; nothing when a table it reads is absent."""
        if not all(extract.has(table) for table in self.reads):
            return []
        return [replace(problem, rule=self.label) for problem in self.function(extract)]


class Registry:
    """The rules in the order they run (the order of the check report)."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []

    def add(self, rule: Rule) -> Rule:
        """Register `rule`, refusing what would make it fail silently later."""
        if not (LOCAL_CODE.fullmatch(rule.code) or DFE_CODE.fullmatch(rule.code)):
            raise RuleError(f"Rule code {rule.code!r} is neither a DfE code nor CP<digits>.")
        if not rule.reads:
            raise RuleError(f"Rule {rule.code} reads no table.")
        for table, columns in rule.reads.items():
            if table not in SPEC_COLUMNS:
                raise RuleError(f"Rule {rule.code} reads {table!r}, not an SSDA903 table.")
            unknown = sorted(set(columns) - SPEC_COLUMNS[table])
            if unknown:
                raise RuleError(f"Rule {rule.code} reads {unknown} not in {table}.")
            private = sorted(set(columns) & NEVER_STAGED)
            if private:
                raise RuleError(f"Rule {rule.code} reads {private}, which are never staged.")
        if rule.first_year and rule.last_year and rule.first_year > rule.last_year:
            raise RuleError(f"Rule {rule.code} ends before it starts.")
        for other in self.rules:
            if other.code == rule.code and _years_overlap(other, rule):
                raise RuleError(f"Rule {rule.code} is registered twice for the same years.")
        self.rules.append(rule)
        return rule

    def rule(
        self,
        code: str,
        message: str,
        reads: Mapping[str, tuple[str, ...]],
        first_year: int | None = None,
        last_year: int | None = None,
    ) -> Callable[[RuleFunction], RuleFunction]:
        """Decorator: register the function as the rule `code`."""

        def register(function: RuleFunction) -> RuleFunction:
            self.add(Rule(code, message, dict(reads), function, first_year, last_year))
            return function

        return register

    def rule_set(self, collection_year: int) -> tuple[Rule, ...]:
        """The rules that apply in the collection year ending 31 March `collection_year`."""
        return tuple(r for r in self.rules if r.applies_in(collection_year))

    def changes(self, collection_year: int) -> YearChange:
        """The codes a year's rule set adds to and withdraws from the year before's."""
        before = {r.code for r in self.rule_set(collection_year - 1)}
        now = {r.code for r in self.rule_set(collection_year)}
        return YearChange(added=frozenset(now - before), withdrawn=frozenset(before - now))

    def columns(self) -> dict[str, frozenset[str]]:
        """Every column some rule reads, by table."""
        read: dict[str, set[str]] = {}
        for rule in self.rules:
            for table, columns in rule.reads.items():
                read.setdefault(table, set()).update(columns)
        return {table: frozenset(columns) for table, columns in read.items()}

    def catalogue(self) -> str:
        """Every rule as a Markdown table, in the order they run (docs/SSDA903_RULES.md)."""
        lines = [
            "| Rule | What it checks | Reads | Collection years |",
            "| --- | --- | --- | --- |",
        ]
        for rule in self.rules:
            reads = "; ".join(f"{t}: {', '.join(c)}" for t, c in rule.reads.items())
            lines.append(f"| {rule.label} | {rule.message} | {reads} | {rule.years} |")
        return "\n".join(lines) + "\n"


def year_label(year: int) -> str:
    """2025 -> "2024-25" (the collection year ending 31 March 2025)."""
    return f"{year - 1}-{year % 100:02d}"


def _years_overlap(a: Rule, b: Rule) -> bool:
    low = max(a.first_year or 0, b.first_year or 0)
    high = min(a.last_year or 9999, b.last_year or 9999)
    return low <= high


# The SSDA903 rules (`loaders.ssda903_rules.rules` registers them on import).
REGISTRY = Registry()
rule = REGISTRY.rule
rule_set = REGISTRY.rule_set


def sql_list(values: frozenset[str] | set[str] | tuple[str, ...]) -> str:
    """Values as an SQL list of quoted strings, sorted (for IN (...) and list literals)."""
    return ", ".join("'" + v.replace("'", "''") + "'" for v in sorted(values))
