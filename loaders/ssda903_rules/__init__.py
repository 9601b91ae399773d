"""The SSDA903 checks as registered rules (see `registry` for why, `rules` for the rules).

Importing the package registers every rule, so `REGISTRY` is complete.
"""

from loaders.ssda903_rules import rules as _rules  # noqa: F401  (registers the rules)
from loaders.ssda903_rules.registry import REGISTRY, Rule, RuleError, rule, rule_set, sql_list

__all__ = ["REGISTRY", "Rule", "RuleError", "rule", "rule_set", "sql_list"]
