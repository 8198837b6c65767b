"""PINFL, the 14-digit personal number: parse, validate, make, and check against a record.

Layout (domain/IDENTIFIERS.md): digit 1 is century and sex (1/2 = 1800s, 3/4 = 1900s,
5/6 = 2000s; odd male, even female), digits 2-7 the birth date as DDMMYY, 8-10 the area
(001-999), 11-13 the serial (001-999), 14 the check digit: digits 1-13 times the repeating
weights 7,3,1 summed, mod 10.

Input normalisation: all whitespace (spaces, tabs, no-break spaces, line breaks) is removed
anywhere in the value, because copied numbers arrive grouped ("3121 0932 0402 47") or padded.
Nothing else is removed: a dash, dot or letter makes the value ``not_digits``, because a
number with punctuation in it was typed by hand and deserves a second look.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final, Literal, TypeAlias

from hub.identity.sex import normalise_sex
from hub.identity.types import Sex

PINFL_LENGTH: Final = 14

# One explicit class so that this module and the polars column path (Rust regex, whose
# ``\s`` differs from Python's at the edges) remove exactly the same characters.
WHITESPACE_CHARACTERS: Final = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"
    "\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
WHITESPACE_PATTERN: Final = f"[{WHITESPACE_CHARACTERS}]"
_WHITESPACE: Final = re.compile(WHITESPACE_PATTERN)

# Century and sex from the first digit.
_CENTURY_START: Final[dict[str, int]] = {
    "1": 1800,
    "2": 1800,
    "3": 1900,
    "4": 1900,
    "5": 2000,
    "6": 2000,
}
_ZERO: Final = ord("0")


class PinflIssue(StrEnum):
    """Why a value is not a valid PINFL, in the order the checks run (first failure wins)."""

    EMPTY = "empty"
    NOT_DIGITS = "not_digits"
    WRONG_LENGTH = "wrong_length"
    BAD_CENTURY = "bad_century"
    BAD_DATE = "bad_date"
    ZERO_AREA = "zero_area"
    ZERO_SERIAL = "zero_serial"
    BAD_CHECK_DIGIT = "bad_check_digit"


PinflField: TypeAlias = Literal["birth_on", "sex"]


@dataclass(frozen=True, slots=True)
class ParsedPinfl:
    """A valid PINFL and the facts it carries."""

    pinfl: str
    birth_on: date
    sex: Sex
    area: int
    serial: int


@dataclass(frozen=True, slots=True)
class InvalidPinfl:
    """A value that is not a valid PINFL.

    ``value`` is the input as given (``repr`` of it when it was not text, ``None`` for
    ``None``); ``message`` is a sentence naming the value and the rule it broke.
    """

    value: str | None
    issue: PinflIssue
    message: str


class InvalidPinflPartsError(ValueError):
    """The caller asked to build a PINFL from parts that cannot form one (a programming error)."""


def parse_pinfl(value: object) -> ParsedPinfl | InvalidPinfl:
    """Parse and validate one PINFL. Never raises, whatever ``value`` is.

    Whitespace anywhere is removed first (see the module docstring). ``None`` and a value that
    is empty after that are ``empty``; a non-string is ``not_digits``.
    """
    if value is None:
        return InvalidPinfl(None, PinflIssue.EMPTY, "PINFL is missing.")
    if not isinstance(value, str):
        shown = repr(value)
        return InvalidPinfl(
            shown,
            PinflIssue.NOT_DIGITS,
            f"PINFL {shown} is a {type(value).__name__}, not text.",
        )
    digits = strip_whitespace(value)
    checked = examine_pinfl_digits(digits)
    if isinstance(checked, PinflIssue):
        return InvalidPinfl(value, checked, _describe(value, digits, checked))
    return ParsedPinfl(
        pinfl=digits,
        birth_on=checked,
        sex="M" if int(digits[0]) % 2 else "F",
        area=int(digits[7:10]),
        serial=int(digits[10:13]),
    )


def strip_whitespace(value: str) -> str:
    """``value`` with every whitespace character removed (the PINFL normalisation)."""
    if value.isascii() and value.isdigit():
        return value  # the common case: skip the regex
    return _WHITESPACE.sub("", value)


def examine_pinfl_digits(digits: str) -> PinflIssue | date:
    """The first issue of an already whitespace-free value, or its birth date when valid."""
    if not digits:
        return PinflIssue.EMPTY
    if not (digits.isascii() and digits.isdigit()):
        return PinflIssue.NOT_DIGITS
    if len(digits) != PINFL_LENGTH:
        return PinflIssue.WRONG_LENGTH
    century = _CENTURY_START.get(digits[0])
    if century is None:
        return PinflIssue.BAD_CENTURY
    try:
        birth_on = date(century + int(digits[5:7]), int(digits[3:5]), int(digits[1:3]))
    except ValueError:
        return PinflIssue.BAD_DATE
    if digits[7:10] == "000":
        return PinflIssue.ZERO_AREA
    if digits[10:13] == "000":
        return PinflIssue.ZERO_SERIAL
    if _weighted_check_digit(digits) != ord(digits[13]) - _ZERO:
        return PinflIssue.BAD_CHECK_DIGIT
    return birth_on


def pinfl_check_digit(first13: str) -> int:
    """The check digit (0-9) for the first 13 digits of a PINFL.

    Raises ``InvalidPinflPartsError`` unless ``first13`` is exactly 13 ASCII digits.
    """
    if not (
        isinstance(first13, str)
        and len(first13) == PINFL_LENGTH - 1
        and first13.isascii()
        and first13.isdigit()
    ):
        raise InvalidPinflPartsError(f"Check digit needs 13 digits; got {first13!r}.")
    return _weighted_check_digit(first13)


def make_pinfl(birth_on: date, sex: Sex, area: int, serial: int) -> str:
    """Build the valid PINFL of a person born on ``birth_on`` of ``sex`` in ``area``.

    ``birth_on`` must fall in 1800-2099, ``area`` and ``serial`` in 1-999. Raises
    ``InvalidPinflPartsError`` otherwise (the result always passes ``parse_pinfl``).
    """
    if not isinstance(birth_on, date) or not 1800 <= birth_on.year <= 2099:
        raise InvalidPinflPartsError(f"Birth date {birth_on!r} is outside 1800-2099.")
    if sex not in ("M", "F"):
        raise InvalidPinflPartsError(f"Sex {sex!r} is not 'M' or 'F'.")
    for name, number in (("area", area), ("serial", serial)):
        if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 999:
            raise InvalidPinflPartsError(f"PINFL {name} {number!r} is outside 1-999.")
    century_index = (birth_on.year - 1800) // 100  # 0, 1, 2
    first = 2 * century_index + (1 if sex == "M" else 2)
    first13 = f"{first}{birth_on:%d%m}{birth_on.year % 100:02d}{area:03d}{serial:03d}"
    return first13 + str(_weighted_check_digit(first13))


def pinfl_disagreements(
    parsed: ParsedPinfl, *, birth_on: date | None, sex: object
) -> frozenset[PinflField]:
    """Which of the record's own birth date and sex contradict the PINFL.

    A field that is missing or unreadable on the record (``None``, an unknown sex code) is
    not compared. ``sex`` is read with ``normalise_sex`` (``M``/``F``/``М``/``Ж``). A
    non-empty result is evidence of a typo in the PINFL or in the record. Never raises.
    """
    found: set[PinflField] = set()
    if isinstance(birth_on, datetime):
        birth_on = birth_on.date()
    if isinstance(birth_on, date) and birth_on != parsed.birth_on:
        found.add("birth_on")
    record_sex = normalise_sex(sex)
    if record_sex is not None and record_sex != parsed.sex:
        found.add("sex")
    return frozenset(found)


def _weighted_check_digit(digits: str) -> int:
    # Weights 7,3,1 repeat over positions 0..12, so summing each third of the digits once and
    # weighting the three sums is the same as weighting every digit; this form is ~3x faster.
    raw = digits.encode("ascii")
    sevens = sum(raw[0:13:3]) - 5 * _ZERO
    threes = sum(raw[1:13:3]) - 4 * _ZERO
    ones = sum(raw[2:13:3]) - 4 * _ZERO
    return (7 * sevens + 3 * threes + ones) % 10


def _describe(value: str, digits: str, issue: PinflIssue) -> str:
    shown = repr(value)
    if issue is PinflIssue.EMPTY:
        return f"PINFL {shown} is empty."
    if issue is PinflIssue.NOT_DIGITS:
        return f"PINFL {shown} contains characters other than digits and whitespace."
    if issue is PinflIssue.WRONG_LENGTH:
        return f"PINFL {shown} has {len(digits)} digits; a PINFL has {PINFL_LENGTH}."
    if issue is PinflIssue.BAD_CENTURY:
        return f"PINFL {shown} starts with {digits[0]}; the first digit must be 1-6."
    if issue is PinflIssue.BAD_DATE:
        return f"PINFL {shown} has birth date digits {digits[1:7]} (DDMMYY) that are no real date."
    if issue is PinflIssue.ZERO_AREA:
        return f"PINFL {shown} has area 000; areas are 001-999."
    if issue is PinflIssue.ZERO_SERIAL:
        return f"PINFL {shown} has serial 000; serials are 001-999."
    expected = _weighted_check_digit(digits)
    return f"PINFL {shown} ends in {digits[13]} but its check digit is {expected}."
