"""Quality rules: one Great Expectations expectation, declared as data, plus what a failure means.

A `QualityRule` names a GX 1.x expectation class and its arguments but does not build it:
`import great_expectations` takes seconds, so suites are declared without GX and the
expectation is built only when a validation runs (`QualityRule.build`).

- `severity`: `"blocking"` rules guard structure (columns, types, keys, enums, code formats);
  one failing means the staged table must not be loaded. `"warn"` rules are statistical
  (null rates, PINFL validity, value ranges); a failure is reported, not fatal.
- `scope`: `"full"` rules are answered on every row of the frame (row count, key not null,
  key unique: leaving rows out changes their answer); `"sample"` rules may be answered on a
  deterministic sample when the frame is large (a structural breakage shows in any sample).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Literal, TypeAlias

if TYPE_CHECKING:
    from great_expectations.expectations.expectation import Expectation

Severity: TypeAlias = Literal["blocking", "warn"]
Scope: TypeAlias = Literal["full", "sample"]
Bound: TypeAlias = int | float | datetime


@dataclass(frozen=True)
class QualityRule:
    """One expectation of a suite.

    `expectation` is the class name in `great_expectations.expectations`; `kwargs` its
    arguments. `when_present`, if set, restricts the rule to rows where that column is not
    null (a GX row condition). `name` is unique within a suite and is how results find
    their rule again.
    """

    name: str
    expectation: str
    kwargs: Mapping[str, object]
    severity: Severity
    scope: Scope = "sample"
    when_present: str | None = None
    description: str = ""
    columns: tuple[str, ...] = field(default=())

    def build(self) -> Expectation:
        """The GX expectation (imports GX; call only when validating)."""
        import great_expectations.expectations as gxe
        from great_expectations.expectations.row_conditions import Column

        expectation_class = getattr(gxe, self.expectation)
        extra: dict[str, object] = {"meta": {"rule": self.name}}
        if self.when_present is not None:
            extra["row_condition"] = Column(self.when_present).is_not_null()
        built: Expectation = expectation_class(**self.kwargs, **extra)
        return built


def _column_rule(
    name: str,
    expectation: str,
    column: str,
    severity: Severity,
    description: str,
    *,
    scope: Scope = "sample",
    when_present: str | None = None,
    **kwargs: object,
) -> QualityRule:
    needed = (column,) if when_present is None else (column, when_present)
    return QualityRule(
        name=name,
        expectation=expectation,
        kwargs={"column": column, **kwargs},
        severity=severity,
        scope=scope,
        when_present=when_present,
        description=description,
        columns=needed,
    )


def columns_match(columns: tuple[str, ...]) -> QualityRule:
    """Blocking: the frame has exactly these columns (no more, no fewer)."""
    return QualityRule(
        name="columns_match_schema",
        expectation="ExpectTableColumnsToMatchSet",
        kwargs={"column_set": list(columns), "exact_match": True},
        severity="blocking",
        description="the staged table has exactly its declared columns",
    )


def not_empty() -> QualityRule:
    """Warn: the table has at least one row (an empty delivery is legal but worth a look)."""
    return QualityRule(
        name="not_empty",
        expectation="ExpectTableRowCountToBeBetween",
        kwargs={"min_value": 1},
        severity="warn",
        scope="full",
        description="the staged table is not empty",
    )


def column_type(column: str, type_name: str) -> QualityRule:
    """Blocking: the column has the GX (pandas view) type `type_name`."""
    return _column_rule(
        f"{column}_type",
        "ExpectColumnValuesToBeOfType",
        column,
        "blocking",
        f"{column} is {type_name}",
        type_=type_name,
    )


def _tolerating(rule: QualityRule, failed_share: float) -> QualityRule:
    """`rule` failing only above `failed_share` of its rows (GX's `mostly`)."""
    if failed_share <= 0:
        return rule
    return replace(rule, kwargs={**rule.kwargs, "mostly": round(1.0 - failed_share, 6)})


def not_null(column: str, *, scope: Scope = "sample", failed_share: float = 0.0) -> QualityRule:
    """Blocking: no null in a required column (at most `failed_share` of the rows)."""
    rule = _column_rule(
        f"{column}_not_null",
        "ExpectColumnValuesToNotBeNull",
        column,
        "blocking",
        f"{column} is required",
        scope=scope,
    )
    return _tolerating(rule, failed_share)


def unique(column: str) -> QualityRule:
    """Blocking, full scope: no value of `column` appears twice."""
    return _column_rule(
        f"{column}_unique",
        "ExpectColumnValuesToBeUnique",
        column,
        "blocking",
        f"{column} is unique",
        scope="full",
    )


def in_set(column: str, values: tuple[str, ...], *, failed_share: float = 0.0) -> QualityRule:
    """Blocking: every non-null value is one of `values` (but `failed_share` of them)."""
    rule = _column_rule(
        f"{column}_in_set",
        "ExpectColumnValuesToBeInSet",
        column,
        "blocking",
        f"{column} is one of the contract's values",
        value_set=sorted(values),
    )
    return _tolerating(rule, failed_share)


def matches(
    column: str, regex: str, *, severity: Severity = "blocking", failed_share: float = 0.0
) -> QualityRule:
    """Every non-null value matches `regex` (anchored by the caller), but `failed_share`."""
    rule = _column_rule(
        f"{column}_format",
        "ExpectColumnValuesToMatchRegex",
        column,
        severity,
        f"{column} matches {regex}",
        regex=regex,
    )
    return _tolerating(rule, failed_share)


def null_rate_at_most(column: str, rate: float) -> QualityRule:
    """Warn: at most `rate` of the rows have no `column`."""
    return _column_rule(
        f"{column}_null_rate",
        "ExpectColumnValuesToNotBeNull",
        column,
        "warn",
        f"at most {rate:.0%} of {column} is null",
        mostly=round(1.0 - rate, 6),
    )


def valid_pinfl_rate_at_least(rate: float) -> QualityRule:
    """Warn: of the rows with a delivered PINFL, at least `rate` are valid (issue null)."""
    return _column_rule(
        "pinfl_valid_rate",
        "ExpectColumnValuesToBeNull",
        "pinfl_issue",
        "warn",
        f"at least {rate:.0%} of delivered PINFLs are valid",
        when_present="pinfl",
        mostly=rate,
    )


def between(
    column: str,
    low: Bound | None,
    high: Bound | None,
    *,
    strict_low: bool = False,
    strict_high: bool = False,
) -> QualityRule:
    """Warn: every non-null value lies between `low` and `high` (None: unbounded)."""
    left = "(" if strict_low else "["
    right = ")" if strict_high else "]"
    return _column_rule(
        f"{column}_range",
        "ExpectColumnValuesToBeBetween",
        column,
        "warn",
        f"{column} in {left}{low}, {high}{right}",
        min_value=low,
        max_value=high,
        strict_min=strict_low,
        strict_max=strict_high,
    )
