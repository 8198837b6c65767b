"""Field parsers shared by the connectors: delivered value in, Python value or `FieldError` out.

Each parser takes the contract's field name so that its error reads as a complete reason:
"birth_date '31.02.1985' is not a valid dd.mm.yyyy date". They are called once per field
per row, so they avoid regular expressions and exceptions on the good path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Final, TypeVar

E = TypeVar("E")

_DIGITS = frozenset("0123456789")


class FieldError(ValueError):
    """One field broke its rule; the message is the reject reason, `rule` its machine-readable
    name for grouping (`required:birth_date`, `enum:channel`, `date:received_at`, ...)."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


def missing(name: str) -> FieldError:
    """The error for a required field that is absent or empty."""
    return FieldError(f"{name} is missing; the contract requires it", f"required:{name}")


def _shown(value: object) -> str:
    return f"'{value}'" if isinstance(value, str) else repr(value)


def required_text(name: str, value: object) -> str:
    """A non-empty string, stripped."""
    if isinstance(value, str):
        text = value.strip()
        if text:
            return text
    if value is None or value == "" or (isinstance(value, str) and not value.strip()):
        raise missing(name)
    raise FieldError(f"{name} {_shown(value)} is not a string", f"type:{name}")


def optional_text(name: str, value: object) -> str | None:
    """A stripped string, or None for a missing or empty value."""
    if value is None:
        return None
    if isinstance(value, str):
        return value.strip() or None
    raise FieldError(f"{name} {_shown(value)} is not a string", f"type:{name}")


def digits(name: str, value: str, length: int) -> str:
    """A string of exactly `length` ASCII digits (codes of the register)."""
    if len(value) != length or not _DIGITS.issuperset(value):
        raise FieldError(f"{name} {_shown(value)} is not a {length}-digit code", f"code:{name}")
    return value


def iso_date(name: str, value: object) -> date:
    """An ISO `YYYY-MM-DD` date."""
    # The dash checks keep out the other forms fromisoformat accepts, such as "2022-W01-1".
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    if value is None or value == "":
        raise missing(name)
    raise FieldError(f"{name} {_shown(value)} is not a valid YYYY-MM-DD date", f"date:{name}")


def optional_iso_date(name: str, value: object) -> date | None:
    return None if value is None or value == "" else iso_date(name, value)


def dmy_date(name: str, value: object) -> date:
    """A `dd.mm.yyyy` date, as the employment agency and the banks write them."""
    if isinstance(value, str) and len(value) == 10 and value[2] == "." and value[5] == ".":
        try:
            # fromisoformat is C and checks digits and calendar; the pieces are fixed-width.
            return date.fromisoformat(f"{value[6:]}-{value[3:5]}-{value[:2]}")
        except ValueError:
            pass
    if value is None or value == "":
        raise missing(name)
    raise FieldError(f"{name} {_shown(value)} is not a valid dd.mm.yyyy date", f"date:{name}")


def optional_dmy_date(name: str, value: object) -> date | None:
    return None if value is None or value == "" else dmy_date(name, value)


def aware_datetime(name: str, value: object) -> datetime:
    """An ISO 8601 date-time that carries its UTC offset (`2022-12-01T10:00:00+05:00`)."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise FieldError(
                f"{name} {_shown(value)} is not a valid ISO 8601 date-time", f"date:{name}"
            ) from None
        if parsed.tzinfo is None:
            raise FieldError(
                f"{name} {_shown(value)} has no UTC offset; the contract needs one", f"date:{name}"
            )
        return parsed
    if value is None:
        raise missing(name)
    raise FieldError(f"{name} {_shown(value)} is not an ISO 8601 date-time string", f"date:{name}")


def optional_aware_datetime(name: str, value: object) -> datetime | None:
    return None if value is None or value == "" else aware_datetime(name, value)


INT32: Final = (-(2**31), 2**31 - 1)
"""What an `Integer` column of the graph holds (and a polars Int32)."""
INT64: Final = (-(2**63), 2**63 - 1)
"""What a `BigInteger` column of the graph holds (and a polars Int64)."""


def integer(name: str, value: object, bounds: tuple[int, int] = INT64) -> int:
    """A JSON integer within `bounds` (booleans and floats are refused: they are not what was
    promised; a number the hub's column cannot hold is refused rather than stored as null)."""
    if type(value) is int:
        low, high = bounds
        if low <= value <= high:
            return value
        raise FieldError(
            f"{name} {value} is out of range: the hub stores integers from {low} to {high}",
            f"range:{name}",
        )
    if value is None:
        raise missing(name)
    raise FieldError(f"{name} {_shown(value)} is not an integer", f"type:{name}")


def optional_integer(name: str, value: object, bounds: tuple[int, int] = INT64) -> int | None:
    return None if value is None else integer(name, value, bounds)


def optional_number(name: str, value: object) -> Decimal | None:
    """A JSON number as an exact Decimal (via its shortest repr, so 4.5 stays 4.5)."""
    if value is None:
        return None
    if type(value) is int or type(value) is float:
        result = Decimal(repr(value))
        if result.is_finite():
            return result
    raise FieldError(f"{name} {_shown(value)} is not a number", f"number:{name}")


def soums_to_tiyin(name: str, value: object) -> int:
    """A decimal soum amount as a string (`"12500000.00"`) as whole tiyin, not negative."""
    if not isinstance(value, str) or not value:
        if value is None or value == "":
            raise missing(name)
        raise FieldError(
            f"{name} {_shown(value)} is not a decimal string of soums", f"number:{name}"
        )
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise FieldError(
            f"{name} {_shown(value)} is not a decimal number of soums", f"number:{name}"
        ) from None
    if not amount.is_finite():
        raise FieldError(
            f"{name} {_shown(value)} is not a decimal number of soums", f"number:{name}"
        )
    if amount < 0:
        raise FieldError(f"{name} {_shown(value)} is negative", f"range:{name}")
    tiyin = amount * 100
    if tiyin != tiyin.to_integral_value():
        raise FieldError(f"{name} {_shown(value)} has fractions of a tiyin", f"number:{name}")
    if tiyin > INT64[1]:
        raise FieldError(
            f"{name} {_shown(value)} is out of range: the hub stores at most {INT64[1]} tiyin",
            f"range:{name}",
        )
    return int(tiyin)


def decimal_comma(name: str, value: object) -> Decimal:
    """A non-negative decimal written with a decimal comma (`"0,12"`)."""
    if not isinstance(value, str) or not value:
        raise missing(name)
    if "." in value:
        raise FieldError(
            f"{name} {_shown(value)} uses a decimal point; the contract uses a comma",
            f"number:{name}",
        )
    try:
        result = Decimal(value.replace(",", ".", 1))
    except InvalidOperation:
        raise FieldError(
            f"{name} {_shown(value)} is not a decimal number", f"number:{name}"
        ) from None
    if not result.is_finite() or result < 0:
        raise FieldError(
            f"{name} {_shown(value)} is not a non-negative decimal number", f"number:{name}"
        )
    return result


def enum_member(name: str, value: object, table: dict[str, E]) -> E:
    """The member `table` maps `value` to; the error lists the allowed codes."""
    member = table.get(value) if isinstance(value, str) else None
    if member is not None:
        return member
    if value is None or value == "":
        raise missing(name)
    allowed = ", ".join(table)
    raise FieldError(
        f"{name} {_shown(value)} is not one of the allowed values: {allowed}", f"enum:{name}"
    )


def optional_enum_member(name: str, value: object, table: dict[str, E]) -> E | None:
    return None if value is None or value == "" else enum_member(name, value, table)


class ParsedCache(dict[str | None, E]):
    """Parsed values of one field parser by delivered text, for values that repeat a lot.

    A hot loop calls `cache.get(text)` (a C dict lookup; `text` must be hashable, so a
    str or None) and only on a miss
    `cache.parse(name, text)`, which runs `parser` unchanged (its errors included) and keeps
    the result. Only for immutable results (dates, Decimals, enum members). At most `limit`
    entries: when full the cache is emptied, so memory stays flat whatever the delivery.
    """

    def __init__(self, parser: Callable[[str, object], E], limit: int = 8192) -> None:
        super().__init__()
        self._parser = parser
        self._limit = limit

    def parse(self, name: str, value: object) -> E:
        result = self._parser(name, value)
        if isinstance(value, str):
            if len(self) >= self._limit:
                self.clear()
            self[value] = result
        return result
