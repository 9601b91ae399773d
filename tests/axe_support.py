"""axe-core in the browser tests: inject the pinned file, run the WCAG 2.1 A/AA rules, report.

axe-core is not vendored: `make .cache/axe-core/axe.min.js` (a prerequisite of
`make test`) fetches the pinned version from the npm registry and checks its
SHA-256. Without the file the accessibility tests are skipped, with the command
that fetches it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
AXE_VERSION = "4.14.1"  # keep in step with the Makefile and docs/ACCESSIBILITY.md
AXE_JS = PROJECT / ".cache" / "axe-core" / "axe.min.js"
MAKE_COMMAND = "make .cache/axe-core/axe.min.js"

# The WCAG 2.0 and 2.1 level A and AA rules: the standard UK public-sector sites must meet.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")

_RUN = """
async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return {version: axe.version, violations: results.violations};
}
"""


def axe_file() -> Path:
    """The pinned axe.min.js, or skip the test saying how to fetch it."""
    if not AXE_JS.is_file():
        pytest.skip(
            f"axe-core {AXE_VERSION} is not in {AXE_JS.relative_to(PROJECT)}; "
            f"fetch it with `{MAKE_COMMAND}` (make test does this)"
        )
    return AXE_JS


def run_axe(page) -> list[dict]:
    """Run axe-core's WCAG 2.1 A and AA rules on the page as it is now; return the violations.

    Each violation is axe's own dict: ``id``, ``impact``, ``help``, ``helpUrl``,
    ``tags`` and ``nodes`` (each node with ``target`` selectors, ``html`` and
    ``failureSummary``).
    """
    path = axe_file()
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(path))
    outcome = page.evaluate(_RUN, WCAG_TAGS)
    assert outcome["version"] == AXE_VERSION, (
        f"{path} is axe-core {outcome['version']}, expected {AXE_VERSION}: "
        f"delete it and run `{MAKE_COMMAND}`"
    )
    return outcome["violations"]


def blocking(violations: list[dict], known: dict[str, str] | None = None) -> list[dict]:
    """The serious and critical violations, less the rules listed as known issues."""
    known = known or {}
    return [v for v in violations if v.get("impact") in BLOCKING_IMPACTS and v["id"] not in known]


def _target(node: dict) -> str:
    # A target is a list of selectors (more than one when the element is inside an iframe
    # or a shadow root); show the path as one string.
    parts = node.get("target") or []
    return " >> ".join(p if isinstance(p, str) else " ".join(p) for p in parts)


def format_violations(violations: list[dict], max_nodes: int = 3) -> str:
    """One readable block per violation: rule, impact, what it means, the first elements."""
    if not violations:
        return "no violations"
    lines = []
    for v in violations:
        nodes = v.get("nodes") or []
        lines.append(
            f"- {v['id']} [{v.get('impact') or 'no impact'}]: {v.get('help', '')} "
            f"({len(nodes)} element{'s' if len(nodes) != 1 else ''}; {v.get('helpUrl', '')})"
        )
        for node in nodes[:max_nodes]:
            html = " ".join((node.get("html") or "").split())
            if len(html) > 160:
                html = html[:157] + "..."
            lines.append(f"    at {_target(node)}")
            lines.append(f"       {html}")
            summary = " ".join((node.get("failureSummary") or "").split())
            if summary:
                lines.append(f"       {summary[:300]}")
        if len(nodes) > max_nodes:
            lines.append(f"    ... and {len(nodes) - max_nodes} more")
    return "\n".join(lines)
