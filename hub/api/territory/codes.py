"""Territory codes nest: a district code starts with its region's, a mahalla code with its
district's. Filtering "everything in a region" is therefore a range of 10-digit mahalla
codes, which a B-tree index on `mahalla_code` answers on both databases (unlike LIKE, which
PostgreSQL only indexes with a special operator class)."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, bindparam

from hub.api.errors import BadUserInputError

MAHALLA_CODE_LENGTH = 10
CODE_LENGTHS = {"region": 4, "district": 7, "mahalla": 10}


def checked_code(argument: str, value: str, *, level: str | None = None) -> str:
    """`value` if it is a well-formed code of `level` (region, district or mahalla; by
    default the one `argument` names: `regionCode` is a region's); BadUserInputError
    naming `argument` as the client wrote it otherwise."""
    level = level or argument.removesuffix("Code")
    length = CODE_LENGTHS[level]
    if len(value) != length or not value.isascii() or not value.isdigit():
        raise BadUserInputError(
            f"Argument '{argument}' has value {value!r}. Expected a {level} code: {length} digits.",
            argument=argument,
        )
    return value


def mahalla_code_range(prefix: str) -> tuple[str, str]:
    """The lowest and highest mahalla codes that start with a region or district `prefix`."""
    pad = MAHALLA_CODE_LENGTH - len(prefix)
    return prefix + "0" * pad, prefix + "9" * pad


def code_range_parameters(
    region_code: str | None, district_code: str | None, into: dict[str, Any]
) -> None:
    """Put the bounds of the mahalla codes in a region and in a district (those given)
    into `into`, as the parameters `code_range_conditions` binds."""
    for level, prefix in (("region", region_code), ("district", district_code)):
        if prefix is not None:
            into[f"{level}_low"], into[f"{level}_high"] = mahalla_code_range(prefix)


def code_range_conditions(
    column: ColumnElement[Any], names: Collection[str]
) -> list[ColumnElement[bool]]:
    """`column` (a mahalla code) within each range whose parameters are among `names`."""
    return [
        column.between(bindparam(f"{level}_low"), bindparam(f"{level}_high"))
        for level in ("region", "district")
        if f"{level}_low" in names
    ]
