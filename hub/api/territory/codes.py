"""Territory codes nest: a district code starts with its region's, a mahalla code with its
district's. Filtering "everything in a region" is therefore a range of 10-digit mahalla
codes, which a B-tree index on `mahalla_code` answers on both databases (unlike LIKE, which
PostgreSQL only indexes with a special operator class)."""

from __future__ import annotations

from hub.api.errors import BadUserInputError

MAHALLA_CODE_LENGTH = 10
CODE_LENGTHS = {"regionCode": 4, "districtCode": 7, "mahallaCode": 10}


def checked_code(argument: str, value: str) -> str:
    """`value` if it is a well-formed code for `argument`; BadUserInputError otherwise."""
    length = CODE_LENGTHS[argument]
    if len(value) != length or not value.isascii() or not value.isdigit():
        raise BadUserInputError(
            f"Argument '{argument}' has value {value!r}. Not a {length}-digit code.",
            argument=argument,
        )
    return value


def mahalla_code_range(prefix: str) -> tuple[str, str]:
    """The lowest and highest mahalla codes that start with a region or district `prefix`."""
    pad = MAHALLA_CODE_LENGTH - len(prefix)
    return prefix + "0" * pad, prefix + "9" * pad
