"""Validate a staged table against its suite with Great Expectations: `validate_table`.

Large frames: `"sample"`-scope rules run on a deterministic sample of `sample_limit` rows
(GX on pandas costs seconds per hundred thousand rows); `"full"`-scope rules (row count,
`record_key` not null and unique) run in a second GX validation on the whole frame,
narrowed to the columns they read, so their answer holds for every row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Final

import polars as pl

from pipelines.quality.gx_session import run_expectations
from pipelines.quality.outcomes import outcome_from_result, outcome_without_columns, rule_of
from pipelines.quality.pandas_view import sample_rows, to_pandas_view
from pipelines.quality.report import QualityReport, RuleOutcome
from pipelines.quality.rules import QualityRule
from pipelines.quality.suites import suite_for
from pipelines.quality.thresholds import DEFAULT_THRESHOLDS, QualityThresholds

DEFAULT_SAMPLE_LIMIT: Final = 200_000


def validate_table(
    table: str,
    frame: pl.DataFrame,
    *,
    as_of: date | None = None,
    sample_limit: int = DEFAULT_SAMPLE_LIMIT,
    seed: int = 0,
    thresholds: QualityThresholds = DEFAULT_THRESHOLDS,
) -> QualityReport:
    """Run `table`'s suite on `frame` and report every rule's outcome, in suite order.

    `as_of` (default: today) is the date "not in the future" compares with.
    Frames over `sample_limit` rows are sampled for `"sample"`-scope rules (same `seed`,
    same rows); the report says so. Rules naming a column the frame lacks fail without
    asking GX. Raises KeyError for a table without a suite, ValueError for a
    `sample_limit` below 1.
    """
    if sample_limit < 1:
        raise ValueError(f"sample_limit must be at least 1, got {sample_limit}")
    rules = suite_for(table, as_of=as_of or date.today(), thresholds=thresholds)
    sample = sample_rows(frame, sample_limit, seed)
    sampled = sample.height < frame.height
    present = set(frame.columns)
    outcomes: dict[str, RuleOutcome] = {}
    runnable: list[QualityRule] = []
    for rule in rules:
        missing = [c for c in rule.columns if c not in present]
        if missing:
            outcomes[rule.name] = outcome_without_columns(rule, missing, frame.height)
        else:
            runnable.append(rule)
    if sampled:
        on_sample = [r for r in runnable if r.scope == "sample"]
        on_full = [r for r in runnable if r.scope == "full"]
        outcomes |= _run(table, "sample", sample, on_sample, sample.columns)
        outcomes |= _run(table, "full", frame, on_full, _read_columns(on_full))
    else:
        outcomes |= _run(table, "whole", frame, runnable, frame.columns)
    return QualityReport(
        table=table,
        rows=frame.height,
        rows_validated=sample.height,
        sampled=sampled,
        outcomes=[outcomes[rule.name] for rule in rules],
    )


def _read_columns(rules: Sequence[QualityRule]) -> list[str]:
    return sorted({column for rule in rules for column in rule.columns})


def _run(
    table: str,
    part: str,
    frame: pl.DataFrame,
    rules: Sequence[QualityRule],
    columns: list[str],
) -> dict[str, RuleOutcome]:
    if not rules:
        return {}
    view = to_pandas_view(frame, columns)
    by_name = {rule.name: rule for rule in rules}
    results = run_expectations(view, [rule.build() for rule in rules], f"{table}.{part}")
    found = {
        rule_of(result): outcome_from_result(by_name[rule_of(result)], result, frame.height)
        for result in results
    }
    lost = sorted(set(by_name) - set(found))
    if lost:
        # GX returns one result per expectation; anything else is a GX change to notice.
        raise RuntimeError(f"GX returned no result for rules {lost} of table '{table}'")
    return found
