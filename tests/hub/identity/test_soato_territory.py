from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.identity import (
    REGIONS,
    REGIONS_BY_SOATO,
    CodeIssue,
    District,
    InvalidCode,
    MahallaCode,
    parse_district_code,
    parse_mahalla_code,
    parse_region_code,
)


def test_the_fourteen_regions_are_listed_once_each() -> None:
    assert len(REGIONS) == 14
    assert len({r.soato for r in REGIONS}) == len({r.iso for r in REGIONS}) == 14
    assert REGIONS_BY_SOATO["1726"].name_uz == "Toshkent shahri"
    assert REGIONS_BY_SOATO["1735"].iso == "UZ-QR"
    assert REGIONS_BY_SOATO["1730"].name_ru == "Ферганская область"


def test_region_code_resolves_to_its_region() -> None:
    assert parse_region_code(" 1703 ") == REGIONS_BY_SOATO["1703"]


@pytest.mark.parametrize(
    ("value", "issue"),
    [
        (None, CodeIssue.EMPTY),
        (1703, CodeIssue.NOT_TEXT),
        ("17a3", CodeIssue.BAD_CHARACTERS),
        ("170", CodeIssue.WRONG_LENGTH),
        ("1701", CodeIssue.UNKNOWN_REGION),
        ("1800", CodeIssue.UNKNOWN_REGION),
    ],
)
def test_invalid_region_code_gets_its_reason(value: object, issue: CodeIssue) -> None:
    result = parse_region_code(value)
    assert isinstance(result, InvalidCode)
    assert result.issue is issue


def test_district_and_city_codes_are_told_apart() -> None:
    andijan = REGIONS_BY_SOATO["1703"]
    assert parse_district_code("1703202") == District("1703202", andijan, "district")
    assert parse_district_code("1703401") == District("1703401", andijan, "city")


@pytest.mark.parametrize(
    ("value", "issue"),
    [
        ("", CodeIssue.EMPTY),
        ("170320", CodeIssue.WRONG_LENGTH),
        ("1799202", CodeIssue.UNKNOWN_REGION),
        ("1703302", CodeIssue.BAD_DISTRICT_KIND),
        ("1703002", CodeIssue.BAD_DISTRICT_KIND),
    ],
)
def test_invalid_district_code_gets_its_reason(value: object, issue: CodeIssue) -> None:
    result = parse_district_code(value)
    assert isinstance(result, InvalidCode)
    assert result.issue is issue
    assert repr(value) in result.message


def test_mahalla_code_splits_into_district_and_number() -> None:
    parsed = parse_mahalla_code("1703202015")
    assert isinstance(parsed, MahallaCode)
    assert parsed.district.soato == "1703202"
    assert parsed.district.region.iso == "UZ-AN"
    assert parsed.number == 15


@pytest.mark.parametrize(
    ("value", "issue"),
    [
        (None, CodeIssue.EMPTY),
        ("170320201", CodeIssue.WRONG_LENGTH),
        ("17032020150", CodeIssue.WRONG_LENGTH),
        ("1703202O15", CodeIssue.BAD_CHARACTERS),
        ("1704202015", CodeIssue.UNKNOWN_REGION),
        ("1703502015", CodeIssue.BAD_DISTRICT_KIND),
        ("1703202000", CodeIssue.ZERO_NUMBER),
    ],
)
def test_invalid_mahalla_code_gets_its_reason(value: object, issue: CodeIssue) -> None:
    result = parse_mahalla_code(value)
    assert isinstance(result, InvalidCode)
    assert (result.kind, result.issue) == ("mahalla", issue)


@settings(deadline=None)
@given(st.one_of(st.text(), st.none(), st.integers(), st.text(alphabet="0123456789")))
def test_territory_parsers_never_raise(value: object) -> None:
    for parse in (parse_region_code, parse_district_code, parse_mahalla_code):
        assert parse(value) is not None
