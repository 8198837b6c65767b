"""Tax numbers (STIR/INN/TIN), passport and ID-card numbers, bank MFO codes.

Every ``parse_*`` here and in ``territory`` returns either a small typed record of the valid
code or an ``InvalidCode`` saying why not, and never raises. Text is trimmed first; digit
codes accept ASCII digits only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal, TypeAlias

TinKind: TypeAlias = Literal["company", "individual"]

_TIN: Final = re.compile(r"[24-7][0-9]{8}")
_PASSPORT: Final = re.compile(r"[A-Z]{2}[0-9]{7}")
_SPACES: Final = re.compile(r"\s+")
# Cyrillic capitals that look like Latin ones: a series typed on a Russian keyboard layout
# ("АВ1234567") is the same document, and no valid series contains any other Cyrillic letter.
_CYRILLIC_LOOKALIKES: Final = str.maketrans("АВЕКМНОРСТУХ", "ABEKMHOPCTYX")


_LABELS: Final[dict[str, str]] = {
    "tin": "TIN",
    "passport": "Passport number",
    "mfo": "Bank MFO",
    "region": "Region SOATO",
    "district": "District SOATO",
    "mahalla": "Mahalla code",
}


class CodeIssue(StrEnum):
    """Why a code is invalid."""

    EMPTY = "empty"
    NOT_TEXT = "not_text"
    BAD_CHARACTERS = "bad_characters"
    WRONG_LENGTH = "wrong_length"
    BAD_FORMAT = "bad_format"
    UNKNOWN_REGION = "unknown_region"
    BAD_DISTRICT_KIND = "bad_district_kind"
    ZERO_NUMBER = "zero_number"


@dataclass(frozen=True, slots=True)
class InvalidCode:
    """A value that is not a valid code of ``kind`` (``"tin"``, ``"passport"``, ...).

    ``value`` is the input as given (``repr`` of it when not text, ``None`` for ``None``).
    """

    kind: str
    value: str | None
    issue: CodeIssue
    message: str


@dataclass(frozen=True, slots=True)
class Tin:
    """A 9-digit tax number: companies start with 2, individuals with 4-7."""

    tin: str
    kind: TinKind


@dataclass(frozen=True, slots=True)
class Passport:
    """A passport or ID-card number: two Latin capitals (the series) and seven digits."""

    number: str

    @property
    def series(self) -> str:
        """The two-letter series, e.g. ``"AB"``."""
        return self.number[:2]


@dataclass(frozen=True, slots=True)
class BankMfo:
    """A 5-digit bank branch code."""

    mfo: str


def parse_tin(value: object) -> Tin | InvalidCode:
    """Validate a STIR/INN/TIN by format only (its control digit algorithm is not public)."""
    text = read_code_text("tin", value)
    if isinstance(text, InvalidCode):
        return text
    shape = check_digit_code("tin", value, text, 9)
    if shape is not None:
        return shape
    if _TIN.fullmatch(text) is None:
        return InvalidCode(
            "tin",
            text,
            CodeIssue.BAD_FORMAT,
            f"TIN {text!r} starts with {text[0]}; companies start with 2, individuals with 4-7.",
        )
    return Tin(tin=text, kind="company" if text[0] == "2" else "individual")


def normalise_passport(value: str) -> str:
    """Trim, drop all whitespace, upper-case, and fold Cyrillic look-alike capitals to Latin."""
    return _SPACES.sub("", value).upper().translate(_CYRILLIC_LOOKALIKES)


def parse_passport(value: object) -> Passport | InvalidCode:
    """Normalise (``normalise_passport``) and accept ``^[A-Z]{2}[0-9]{7}$``; no series list."""
    text = read_code_text("passport", value)
    if isinstance(text, InvalidCode):
        return text
    number = normalise_passport(text)
    if _PASSPORT.fullmatch(number) is None:
        return InvalidCode(
            "passport",
            text,
            CodeIssue.BAD_FORMAT,
            f"Passport number {text!r} (normalised {number!r}) is not two Latin letters "
            "and 7 digits.",
        )
    return Passport(number=number)


def parse_mfo(value: object) -> BankMfo | InvalidCode:
    """Accept a 5-digit bank MFO code (leading zeros are part of it: ``"00873"``)."""
    text = read_code_text("mfo", value)
    if isinstance(text, InvalidCode):
        return text
    shape = check_digit_code("mfo", value, text, 5)
    if shape is not None:
        return shape
    return BankMfo(mfo=text)


def read_code_text(kind: str, value: object) -> str | InvalidCode:
    """The trimmed text of ``value``, or why there is none (``None``, blank, not a string)."""
    if value is None:
        return InvalidCode(kind, None, CodeIssue.EMPTY, f"{_LABELS.get(kind, kind)} is missing.")
    if not isinstance(value, str):
        shown = repr(value)
        return InvalidCode(
            kind,
            shown,
            CodeIssue.NOT_TEXT,
            f"{_LABELS.get(kind, kind)} {shown} is a {type(value).__name__}, not text.",
        )
    text = value.strip()
    if not text:
        return InvalidCode(
            kind, value, CodeIssue.EMPTY, f"{_LABELS.get(kind, kind)} {value!r} is blank."
        )
    return text


def check_digit_code(kind: str, value: object, text: str, length: int) -> InvalidCode | None:
    """Why trimmed ``text`` is not ``length`` ASCII digits, or ``None`` when it is."""
    label = _LABELS.get(kind, kind)
    if not (text.isascii() and text.isdigit()):
        return InvalidCode(
            kind, str(value), CodeIssue.BAD_CHARACTERS, f"{label} {text!r} has non-digits."
        )
    if len(text) != length:
        return InvalidCode(
            kind,
            str(value),
            CodeIssue.WRONG_LENGTH,
            f"{label} {text!r} has {len(text)} digits; expected {length}.",
        )
    return None
