"""Print the SSDA903 rule catalogue: `python -m loaders.ssda903_rules > docs/SSDA903_RULES.md`.

The catalogue is written from the registry, so it cannot drift from the rules;
a test checks the committed copy is current.
"""

from loaders.ssda903_rules import REGISTRY

HEADING = """# SSDA903 extract checks

Written by `python -m loaders.ssda903_rules` from the rule registry
(`loaders/ssda903_rules/`): do not edit by hand. "DfE" codes are the DfE's SSDA903
validation rule codes (as the Data to Insight 903 validator names them); "local" codes
are this project's, for checks the DfE has no rule for. Errors set the row aside; other
problems keep the row and count its code as not valid.

"""

if __name__ == "__main__":
    print(HEADING + REGISTRY.catalogue(), end="")
