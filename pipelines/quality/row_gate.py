"""The blocking rules one row can break, applied to every row while staging.

A staged table's suite has blocking rules that judge single values: a required field is
null, a value is outside its closed vocabulary, a code is not in its format. A row that
breaks one of them is not a broken delivery: `gate_rows` sends it to the quarantine with
the rule's name and a reason naming the table, the record, the field and the value, and
the rest of the delivery goes on. The Great Expectations structure check keeps the same
rules, judged by share (`QualityThresholds.max_failed_row_share`), so it fails only for a
delivery whose structure is wrong, never for one row.
"""

from __future__ import annotations

from datetime import date
from typing import Final

import polars as pl

from pipelines.quality.rules import QualityRule
from pipelines.quality.suites import suite_for
from pipelines.staging.rules import REJECT_SCHEMA, RowRule, apply_rules

ROW_EXPECTATIONS: Final = (
    "ExpectColumnValuesToNotBeNull",
    "ExpectColumnValuesToBeInSet",
    "ExpectColumnValuesToMatchRegex",
)
_AS_OF: Final = date(2000, 1, 1)
"""Row rules do not depend on the date a suite is built for (only the range rules do)."""


def _text(column: str, dtype: pl.DataType) -> pl.Expr:
    """The column as the checks see it: a list's items joined by commas (pandas_view)."""
    if isinstance(dtype, pl.List):
        return pl.col(column).list.eval(pl.element().cast(pl.String)).list.join(",")
    return pl.col(column).cast(pl.String)


def _row_rule(table: str, rule: QualityRule, dtype: pl.DataType) -> RowRule:
    column = str(rule.kwargs["column"])
    value = _text(column, dtype)
    shown_value = pl.concat_str([pl.lit("'"), value, pl.lit("'")])
    where = f"{table}: record "
    if rule.expectation == "ExpectColumnValuesToNotBeNull":
        breaks = pl.col(column).is_null()
        what = pl.lit(f" has no {column}; the table requires it")
    elif rule.expectation == "ExpectColumnValuesToBeInSet":
        value_set = rule.kwargs["value_set"]
        assert isinstance(value_set, list | tuple), f"{rule.name}: value_set is not a list"
        allowed = [str(v) for v in value_set]
        breaks = pl.col(column).is_not_null() & ~value.is_in(allowed)
        shown = ", ".join(allowed)
        what = pl.concat_str(
            [pl.lit(f": {column} "), shown_value, pl.lit(f" is not one of {shown}")]
        )
    else:
        pattern = str(rule.kwargs["regex"])
        breaks = pl.col(column).is_not_null() & ~value.str.contains(pattern)
        what = pl.concat_str(
            [pl.lit(f": {column} "), shown_value, pl.lit(f" does not match {pattern}")]
        )
    if rule.when_present is not None:
        breaks = breaks & pl.col(rule.when_present).is_not_null()
    record = pl.concat_str([pl.lit("'"), pl.col("record_key"), pl.lit("'")], ignore_nulls=True)
    reason = pl.concat_str([pl.lit(where), record.fill_null("without a key"), what])
    return RowRule(rule.name, breaks, reason)


def row_rules(table: str, schema: pl.Schema) -> list[RowRule]:
    """The blocking single-value rules of `table`'s suite, as staging row rules."""
    return [
        _row_rule(table, rule, schema[str(rule.kwargs["column"])])
        for rule in suite_for(table, as_of=_AS_OF)
        if rule.severity == "blocking"
        and rule.expectation in ROW_EXPECTATIONS
        and rule.kwargs.get("column") in schema
    ]


def gate_rows(table: str, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(rows keeping every single-value blocking rule, rejects in REJECT_SCHEMA)."""
    if frame.is_empty():
        return frame, pl.DataFrame(schema=REJECT_SCHEMA)
    return apply_rules(frame, row_rules(table, frame.schema))
