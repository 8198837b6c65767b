"""The calendar periods the diagnostics are kept by: a `Month` ("2026-03") and a
`Quarter` ("2026-Q1"), as GraphQL scalars whose Python value is the period's first day.

A malformed value is refused with a message naming it and the form expected (graphql-core
reports it as an invalid argument before anything runs)."""

from __future__ import annotations

import re
from datetime import date
from typing import NewType

import strawberry
from strawberry.types.scalar import ScalarDefinition

from hub.api.errors import BadUserInputError

Month = NewType("Month", date)
Quarter = NewType("Quarter", date)

_MONTH = re.compile(r"(\d{4})-(\d{2})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")


def parse_month(value: object) -> Month:
    """The first day of the month `value` ("YYYY-MM") names; ValueError otherwise."""
    match = _MONTH.fullmatch(value) if isinstance(value, str) else None
    if match is None or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"Month value {value!r} is not a month. Expected 'YYYY-MM'.")
    return Month(date(int(match.group(1)), int(match.group(2)), 1))


def parse_quarter(value: object) -> Quarter:
    """The first day of the quarter `value` ("YYYY-Qn", n 1..4) names; ValueError otherwise."""
    match = _QUARTER.fullmatch(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(
            f"Quarter value {value!r} is not a quarter. Expected 'YYYY-Q1'..'YYYY-Q4'."
        )
    return Quarter(date(int(match.group(1)), 3 * int(match.group(2)) - 2, 1))


# Ten years of months: a series longer than that is a mistake, not a dashboard.
MAX_MONTHS = 120


def month_text(value: date) -> str:
    return f"{value:%Y-%m}"


def quarter_text(value: date) -> str:
    return f"{value.year}-Q{(value.month - 1) // 3 + 1}"


def months_between(first: date, last: date) -> int:
    """How many months from `first` to `last`, both counted."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


def checked_months(first: date, last: date) -> None:
    """BadUserInputError when `from` is after `to` or the span exceeds MAX_MONTHS."""
    if first > last:
        raise BadUserInputError(
            f"Argument 'from' has value {month_text(first)!r}, after 'to' "
            f"({month_text(last)!r}). Expected from <= to.",
            argument="from",
        )
    if months_between(first, last) > MAX_MONTHS:
        raise BadUserInputError(
            f"Arguments 'from' {month_text(first)!r} and 'to' {month_text(last)!r} span "
            f"{months_between(first, last)} months. At most {MAX_MONTHS} may be asked for.",
            argument="to",
            maxMonths=MAX_MONTHS,
        )


MONTH_SCALAR: ScalarDefinition = strawberry.scalar(
    name="Month",
    description="A calendar month, 'YYYY-MM'.",
    serialize=month_text,
    parse_value=parse_month,
)
QUARTER_SCALAR: ScalarDefinition = strawberry.scalar(
    name="Quarter",
    description="A calendar quarter, 'YYYY-Q1' (January to March) .. 'YYYY-Q4'.",
    serialize=quarter_text,
    parse_value=parse_quarter,
)
