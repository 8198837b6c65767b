"""Territory codes: the 14 regions, district and city SOATO codes, mahalla codes.

SOATO (domain/TERRITORY.md): 4 digits = region (one of the table below); 7 digits = a
district (region + ``2xx``) or a city (region + ``4xx``). A mahalla code is 10 digits: the
district SOATO + a 3-digit number other than ``000`` (contracts/SOURCES.md). Whether a
district or mahalla actually exists is the register's business, not this module's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal, TypeAlias

from hub.identity.codes import CodeIssue, InvalidCode, check_digit_code, read_code_text

DistrictKind: TypeAlias = Literal["district", "city"]


@dataclass(frozen=True, slots=True)
class Region:
    """One of the 14 first-level units: SOATO code, Uzbek and Russian names, ISO 3166-2."""

    soato: str
    name_uz: str
    name_ru: str
    iso: str


REGIONS: Final[tuple[Region, ...]] = (
    Region("1703", "Andijon viloyati", "Андижанская область", "UZ-AN"),
    Region("1706", "Buxoro viloyati", "Бухарская область", "UZ-BU"),
    Region("1708", "Jizzax viloyati", "Джизакская область", "UZ-JI"),
    Region("1710", "Qashqadaryo viloyati", "Кашкадарьинская область", "UZ-QA"),
    Region("1712", "Navoiy viloyati", "Навоийская область", "UZ-NW"),
    Region("1714", "Namangan viloyati", "Наманганская область", "UZ-NG"),
    Region("1718", "Samarqand viloyati", "Самаркандская область", "UZ-SA"),
    Region("1722", "Surxondaryo viloyati", "Сурхандарьинская область", "UZ-SU"),
    Region("1724", "Sirdaryo viloyati", "Сырдарьинская область", "UZ-SI"),
    Region("1726", "Toshkent shahri", "город Ташкент", "UZ-TK"),
    Region("1727", "Toshkent viloyati", "Ташкентская область", "UZ-TO"),
    Region("1730", "Fargʻona viloyati", "Ферганская область", "UZ-FA"),
    Region("1733", "Xorazm viloyati", "Хорезмская область", "UZ-XO"),
    Region("1735", "Qoraqalpogʻiston Respublikasi", "Республика Каракалпакстан", "UZ-QR"),
)

REGIONS_BY_SOATO: Final[dict[str, Region]] = {region.soato: region for region in REGIONS}

_DISTRICT_KINDS: Final[dict[str, DistrictKind]] = {"2": "district", "4": "city"}


@dataclass(frozen=True, slots=True)
class District:
    """A 7-digit district or city SOATO code and the region it lies in."""

    soato: str
    region: Region
    kind: DistrictKind


@dataclass(frozen=True, slots=True)
class MahallaCode:
    """A 10-digit mahalla code: its district and its number within the district (1-999)."""

    code: str
    district: District
    number: int


def parse_region_code(value: object) -> Region | InvalidCode:
    """The region of a 4-digit SOATO code, or why it is none of the 14."""
    text = read_code_text("region", value)
    if isinstance(text, InvalidCode):
        return text
    return _region_of("region", text, text, 4)


def parse_district_code(value: object) -> District | InvalidCode:
    """A 7-digit district (region + ``2xx``) or city (region + ``4xx``) SOATO code."""
    text = read_code_text("district", value)
    if isinstance(text, InvalidCode):
        return text
    return _district_of("district", text, text, 7)


def parse_mahalla_code(value: object) -> MahallaCode | InvalidCode:
    """A 10-digit mahalla code: a valid district SOATO + a number ``001``-``999``."""
    text = read_code_text("mahalla", value)
    if isinstance(text, InvalidCode):
        return text
    district = _district_of("mahalla", text, text[:7], 10)
    if isinstance(district, InvalidCode):
        return district
    if text[7:] == "000":
        return InvalidCode(
            "mahalla",
            text,
            CodeIssue.ZERO_NUMBER,
            f"Mahalla code {text!r} ends in 000; mahalla numbers are 001-999.",
        )
    return MahallaCode(code=text, district=district, number=int(text[7:]))


def _region_of(kind: str, text: str, region_part: str, length: int) -> Region | InvalidCode:
    shape = check_digit_code(kind, text, text, length)
    if shape is not None:
        return shape
    region = REGIONS_BY_SOATO.get(region_part[:4])
    if region is None:
        return InvalidCode(
            kind,
            text,
            CodeIssue.UNKNOWN_REGION,
            f"Code {text!r} starts with {region_part[:4]!r}, which is not one of the 14 "
            "region SOATO codes.",
        )
    return region


def _district_of(kind: str, text: str, district_part: str, length: int) -> District | InvalidCode:
    region = _region_of(kind, text, district_part, length)
    if isinstance(region, InvalidCode):
        return region
    district_kind = _DISTRICT_KINDS.get(district_part[4])
    if district_kind is None:
        return InvalidCode(
            kind,
            text,
            CodeIssue.BAD_DISTRICT_KIND,
            f"Code {text!r} has district part {district_part[4:7]!r}; districts are 2xx "
            "and cities 4xx.",
        )
    return District(soato=district_part, region=region, kind=district_kind)
