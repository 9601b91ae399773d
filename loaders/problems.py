"""One shape for every problem a loader finds, so every report reads the same.

Like DfE's eesyscreener and the Data to Insight validator, each check returns
plain-English results that say where the problem is (file, line, column, value)
and what was expected, so an analyst can fix the file without reading code.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Problem:
    """A single finding about an input file."""

    severity: Severity
    check: str
    message: str
    file: str
    line: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None
    child: str | None = None  # child-level extracts only: analysts see it, nobody else
    table: str | None = None  # child-level extracts: the SSDA903 table (Episodes, Header, ...)
    rule: str | None = None  # SSDA903 extracts: the rule that found it ("DfE 146", "local CP07")

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def describe(self) -> str:
        """One line for the command line: where, what, and what was expected."""
        where = self.file if not self.table else f"{self.file} ({self.table})"
        if self.line is not None:
            where += f", line {self.line}"
        if self.child:
            where += f", child {self.child}"
        if self.column:
            where += f", column '{self.column}'"
        text = f"{where}: [{self.rule}] {self.message}" if self.rule else f"{where}: {self.message}"
        if self.value is not None:
            text += f" (found {self.value!r}"
            text += f"; expected {self.expected})" if self.expected else ")"
        elif self.expected:
            text += f" (expected {self.expected})"
        return text


class FileRejected(Exception):
    """Raised when a file cannot be read at all; carries the problems found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.describe() for p in problems))
        self.problems = problems
