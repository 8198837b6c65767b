"""What a validation found: one `RuleOutcome` per rule, gathered in a `QualityReport`.

Everything here is plain data (no GX objects), so a report can be logged, compared in tests
and turned into Dagster asset-check metadata (`QualityReport.to_metadata`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final, TypeAlias

from pipelines.quality.rules import Scope, Severity

JsonValue: TypeAlias = str | int | float | bool | list["JsonValue"] | dict[str, "JsonValue"] | None

METADATA_SAMPLE: Final = 5
"""Failing values per rule kept in asset-check metadata (the report itself keeps 10)."""


@dataclass(frozen=True)
class RuleOutcome:
    """The answer of one rule.

    `unexpected_count` / `unexpected_percent` are None for rules that do not count rows
    (column set, type, row count, newest value). `unexpected_percent` is over the rows the
    rule looked at (non-null values for value rules). `sample` holds up to 10 distinct
    failing values as text (for a column-set rule: the missing and unexpected columns).
    `error` is set when the rule could not be evaluated (a missing column, a GX error);
    such a rule never succeeds.
    """

    rule: str
    expectation_type: str
    column: str | None
    severity: Severity
    scope: Scope
    success: bool
    rows_checked: int
    unexpected_count: int | None = None
    unexpected_percent: float | None = None
    observed_value: str | None = None
    sample: tuple[str, ...] = ()
    error: str | None = None

    def to_metadata(self) -> dict[str, JsonValue]:
        """A small JSON-able summary of a failed rule."""
        summary: dict[str, JsonValue] = {
            "severity": self.severity,
            "expectation": self.expectation_type,
        }
        if self.column is not None:
            summary["column"] = self.column
        if self.unexpected_count is not None:
            summary["unexpected_count"] = self.unexpected_count
        if self.unexpected_percent is not None:
            summary["unexpected_percent"] = round(self.unexpected_percent, 4)
        if self.observed_value is not None:
            summary["observed"] = self.observed_value
        if self.sample:
            summary["sample"] = list(self.sample[:METADATA_SAMPLE])
        if self.error is not None:
            summary["error"] = self.error
        return summary


@dataclass(frozen=True)
class QualityReport:
    """The outcome of validating one staged table.

    `rows` is the frame's height; `rows_validated` the height of what `"sample"`-scope rules
    saw (`sampled` tells whether that was a sample). `"full"`-scope rules always saw `rows`.
    """

    table: str
    rows: int
    rows_validated: int
    sampled: bool
    outcomes: list[RuleOutcome] = field(default_factory=list)

    @property
    def blocking_failures(self) -> list[RuleOutcome]:
        """Failed blocking rules: when any, the staged table must not be loaded."""
        return [o for o in self.outcomes if not o.success and o.severity == "blocking"]

    @property
    def warnings(self) -> list[RuleOutcome]:
        """Failed warn rules."""
        return [o for o in self.outcomes if not o.success and o.severity == "warn"]

    @property
    def passed(self) -> bool:
        """True when no blocking rule failed (warnings allowed)."""
        return not self.blocking_failures

    def outcome(self, rule: str) -> RuleOutcome:
        """The outcome of the rule named `rule` (KeyError when the suite has none)."""
        for found in self.outcomes:
            if found.rule == rule:
                return found
        raise KeyError(f"Table '{self.table}' has no quality rule '{rule}'")

    def to_metadata(self) -> dict[str, JsonValue]:
        """JSON-able metadata for a Dagster `AssetCheckResult`: counts, and failed rules only."""
        return {
            "table": self.table,
            "rows": self.rows,
            "rows_validated": self.rows_validated,
            "sampled": self.sampled,
            "rules": len(self.outcomes),
            "blocking_failures": len(self.blocking_failures),
            "warnings": len(self.warnings),
            "failed": {o.rule: o.to_metadata() for o in self.outcomes if not o.success},
        }
