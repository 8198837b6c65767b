"""Turning GX validation results into `RuleOutcome`s (plain data, values as text)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from pipelines.quality.gx_session import SAMPLE_FAILURES
from pipelines.quality.report import RuleOutcome
from pipelines.quality.rules import QualityRule

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import (
        ExpectationValidationResult,
    )


def rule_of(result: ExpectationValidationResult) -> str:
    """The rule name a result belongs to (carried in the expectation's meta)."""
    meta = result.expectation_config.meta if result.expectation_config else None
    return str((meta or {}).get("rule", ""))


def _as_text(value: object) -> str:
    # pandas shows a missing value as None, NaN, NaT or NA depending on the column's dtype.
    if value is None or (pd.api.types.is_scalar(value) and bool(pd.isna(value))):
        return "null"
    return str(value)


def _distinct(values: Iterable[object]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        seen.setdefault(_as_text(value), None)
        if len(seen) == SAMPLE_FAILURES:
            break
    return tuple(seen)


def _failing_sample(result: dict[str, Any], success: bool) -> tuple[str, ...]:
    if result.get("partial_unexpected_list"):
        return _distinct(result["partial_unexpected_list"])
    mismatched = (result.get("details") or {}).get("mismatched") or {}
    if mismatched:
        return _distinct([*mismatched.get("missing", []), *mismatched.get("unexpected", [])])
    # Aggregate rules (type, newest value): the observed value is what failed.
    if not success and "observed_value" in result:
        return (_as_text(result["observed_value"]),)
    return ()


def _observed(result: dict[str, Any]) -> str | None:
    if "observed_value" not in result:
        return None
    observed = result["observed_value"]
    if isinstance(observed, list):
        return ",".join(_as_text(v) for v in observed)
    return _as_text(observed)


def outcome_from_result(
    rule: QualityRule, result: ExpectationValidationResult, rows_checked: int
) -> RuleOutcome:
    """The outcome of `rule` from its GX result on a frame of `rows_checked` rows."""
    details: dict[str, Any] = dict(result.result or {})
    error: str | None = None
    if result.exception_info and result.exception_info.get("raised_exception"):
        error = str(result.exception_info.get("exception_message"))
    success = bool(result.success) and error is None
    count = details.get("unexpected_count")
    percent = details.get("unexpected_percent")
    return RuleOutcome(
        rule=rule.name,
        expectation_type=result.expectation_config.type if result.expectation_config else "",
        column=_rule_column(rule),
        severity=rule.severity,
        scope=rule.scope,
        success=success,
        rows_checked=rows_checked,
        unexpected_count=None if count is None else int(count),
        unexpected_percent=None if percent is None else float(percent),
        observed_value=_observed(details),
        sample=_failing_sample(details, success),
        error=error,
    )


def outcome_without_columns(
    rule: QualityRule, missing: list[str], rows_checked: int
) -> RuleOutcome:
    """A failed outcome for a rule whose columns are not in the frame (GX is not asked)."""
    return RuleOutcome(
        rule=rule.name,
        expectation_type=_snake(rule.expectation),
        column=_rule_column(rule),
        severity=rule.severity,
        scope=rule.scope,
        success=False,
        rows_checked=rows_checked,
        sample=tuple(missing),
        error=f"column(s) {', '.join(repr(c) for c in missing)} not in the frame",
    )


def _rule_column(rule: QualityRule) -> str | None:
    column = rule.kwargs.get("column")
    return column if isinstance(column, str) else None


def _snake(class_name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in class_name).lstrip("_")
