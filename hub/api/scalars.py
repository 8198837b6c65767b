"""Custom scalars: money in whole soums.

The graph keeps money in tiyin (100 tiyin = 1 soum) as exact integers. The API shows whole
soums, rounded half up, as a JSON integer. GraphQL's `Int` is 32-bit and a district's loans
exceed 2^31 soums, hence a scalar of its own rather than `Int`.
"""

from __future__ import annotations

from typing import Any, NewType

import strawberry
from sqlalchemy import ColumnElement, literal_column
from strawberry.types.scalar import ScalarDefinition

from hub.api.diagnostics.periods import MONTH_SCALAR, QUARTER_SCALAR, Month, Quarter
from hub.api.errors import BadUserInputError

Soums = NewType("Soums", int)

TIYIN_PER_SOUM = 100


def soums_from_tiyin(tiyin: int) -> Soums:
    """Whole soums in `tiyin`, rounded half up (tiyin are never negative in the sources)."""
    return Soums((tiyin + TIYIN_PER_SOUM // 2) // TIYIN_PER_SOUM)


def soums_sql(tiyin: ColumnElement[Any]) -> ColumnElement[Any]:
    """`soums_from_tiyin` in SQL (integer division on both databases), for the compiled
    read path (`hub.api.compiled.mapping`); the mapping test checks the two agree."""
    half, per_soum = TIYIN_PER_SOUM // 2, TIYIN_PER_SOUM
    # `op("/")`: SQLAlchemy renders `/` between integers as a true division.
    return (tiyin + literal_column(str(half))).self_group().op("/")(literal_column(str(per_soum)))


def _parse_soums(value: object) -> Soums:
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadUserInputError(f"Soums value {value!r} is not an integer.")
    return Soums(value)


SOUMS_SCALAR: ScalarDefinition = strawberry.scalar(
    name="Soums",
    description=(
        "An amount of money in whole Uzbek soums (the hub stores tiyin and rounds half up), "
        "a JSON integer that may exceed 32 bits."
    ),
    serialize=int,
    parse_value=_parse_soums,
)

SCALAR_MAP: dict[object, ScalarDefinition] = {
    Soums: SOUMS_SCALAR,
    Month: MONTH_SCALAR,
    Quarter: QUARTER_SCALAR,
}
