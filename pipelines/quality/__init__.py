"""Data-quality suites of the staged tables, run with Great Expectations 1.x.

- `suites.suite_for(table, as_of=...)`: the declared rules of a staged table
  (`rules.QualityRule`: a GX expectation built lazily, a severity, a scope).
- `validate.validate_table(table, frame)`: runs the suite on a polars frame with an
  ephemeral GX context and returns a `report.QualityReport` (with `to_metadata()` for a
  Dagster `AssetCheckResult`).

Importing this package does not import GX; the first validation does (seconds).
"""

from pipelines.quality.report import QualityReport, RuleOutcome
from pipelines.quality.rules import QualityRule, Scope, Severity
from pipelines.quality.suites import TABLE_SPECS, suite_for
from pipelines.quality.thresholds import DEFAULT_THRESHOLDS, QualityThresholds
from pipelines.quality.validate import DEFAULT_SAMPLE_LIMIT, validate_table

__all__ = [
    "DEFAULT_SAMPLE_LIMIT",
    "DEFAULT_THRESHOLDS",
    "TABLE_SPECS",
    "QualityReport",
    "QualityRule",
    "QualityThresholds",
    "RuleOutcome",
    "Scope",
    "Severity",
    "suite_for",
    "validate_table",
]
