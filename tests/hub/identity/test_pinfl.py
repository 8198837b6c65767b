from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.identity import (
    InvalidPinfl,
    InvalidPinflPartsError,
    ParsedPinfl,
    PinflIssue,
    Sex,
    make_pinfl,
    parse_pinfl,
    pinfl_check_digit,
    pinfl_disagreements,
)


def _with_check_digit(first13: str) -> str:
    return first13 + str(pinfl_check_digit(first13))


def test_official_vectors_are_valid_and_carry_date_sex_area_serial() -> None:
    assert parse_pinfl("31210932040247") == ParsedPinfl(
        pinfl="31210932040247", birth_on=date(1993, 10, 12), sex="M", area=204, serial=24
    )
    parsed = parse_pinfl("32505900123459")
    assert isinstance(parsed, ParsedPinfl)
    assert (parsed.birth_on, parsed.sex, parsed.area, parsed.serial) == (
        date(1990, 5, 25),
        "M",
        12,
        345,
    )


@pytest.mark.parametrize(
    ("first_digit", "year", "sex"),
    [
        ("1", 1885, "M"),
        ("2", 1885, "F"),
        ("3", 1985, "M"),
        ("4", 1985, "F"),
        ("5", 2085, "M"),
        ("6", 2085, "F"),
    ],
)
def test_first_digit_sets_century_and_sex(first_digit: str, year: int, sex: str) -> None:
    parsed = parse_pinfl(_with_check_digit(f"{first_digit}150385123456"))
    assert isinstance(parsed, ParsedPinfl)
    assert parsed.birth_on == date(year, 3, 15)
    assert parsed.sex == sex


@pytest.mark.parametrize(
    ("value", "issue"),
    [
        (None, PinflIssue.EMPTY),
        ("", PinflIssue.EMPTY),
        (" \t\u00a0", PinflIssue.EMPTY),
        ("3121093204024x", PinflIssue.NOT_DIGITS),
        ("31210932-040247", PinflIssue.NOT_DIGITS),
        ("３１２１０９３２０４０２４７", PinflIssue.NOT_DIGITS),  # full-width digits
        (31210932040247, PinflIssue.NOT_DIGITS),
        (["31210932040247"], PinflIssue.NOT_DIGITS),
        ("3121093204024", PinflIssue.WRONG_LENGTH),
        ("312109320402471", PinflIssue.WRONG_LENGTH),
        ("71210932040247", PinflIssue.BAD_CENTURY),
        ("01210932040247", PinflIssue.BAD_CENTURY),
        ("33102930402470", PinflIssue.BAD_DATE),  # 31 Feb
        ("31213932040247", PinflIssue.BAD_DATE),  # month 13
        ("12902000010010", PinflIssue.BAD_DATE),  # 29 Feb 1800: no leap year
        ("31210930000247", PinflIssue.ZERO_AREA),
        ("31210932040007", PinflIssue.ZERO_SERIAL),
        ("31210932040248", PinflIssue.BAD_CHECK_DIGIT),
    ],
)
def test_each_invalid_value_gets_its_reason(value: object, issue: PinflIssue) -> None:
    result = parse_pinfl(value)
    assert isinstance(result, InvalidPinfl)
    assert result.issue is issue
    assert result.message


def test_leap_day_of_2000_is_a_real_date() -> None:
    parsed = parse_pinfl(_with_check_digit("5290200001001"))
    assert isinstance(parsed, ParsedPinfl)
    assert parsed.birth_on == date(2000, 2, 29)


def test_whitespace_anywhere_is_removed_before_validation() -> None:
    parsed = parse_pinfl(" 3121 0932\u00a00402 47\n")
    assert isinstance(parsed, ParsedPinfl)
    assert parsed.pinfl == "31210932040247"


def test_check_digit_message_names_value_and_expected_digit() -> None:
    result = parse_pinfl("31210932040248")
    assert isinstance(result, InvalidPinfl)
    assert "'31210932040248'" in result.message
    assert "check digit is 7" in result.message


def test_non_text_value_is_reported_by_its_repr() -> None:
    result = parse_pinfl(3.5)
    assert isinstance(result, InvalidPinfl)
    assert result.value == "3.5"
    assert "float" in result.message


def test_check_digit_uses_weights_7_3_1_without_ten_minus_step() -> None:
    assert pinfl_check_digit("3121093204024") == 7
    assert pinfl_check_digit("3250590012345") == 9


@pytest.mark.parametrize("bad", ["", "312109320402", "31210932040247", "312109320402a", "٣" * 13])
def test_check_digit_refuses_anything_but_13_digits(bad: str) -> None:
    with pytest.raises(InvalidPinflPartsError):
        pinfl_check_digit(bad)


def test_made_pinfl_round_trips_through_the_parser() -> None:
    made = make_pinfl(date(1985, 3, 15), "F", 7, 999)
    assert parse_pinfl(made) == ParsedPinfl(made, date(1985, 3, 15), "F", 7, 999)
    assert made.startswith("4150385007999")


@pytest.mark.parametrize(
    ("birth_on", "sex", "area", "serial"),
    [
        (date(1799, 12, 31), "M", 1, 1),
        (date(2100, 1, 1), "M", 1, 1),
        (date(1990, 1, 1), "X", 1, 1),
        (date(1990, 1, 1), "M", 0, 1),
        (date(1990, 1, 1), "M", 1, 1000),
        (date(1990, 1, 1), "M", True, 1),
    ],
)
def test_maker_refuses_parts_no_pinfl_can_hold(
    birth_on: date, sex: str, area: int, serial: int
) -> None:
    with pytest.raises(InvalidPinflPartsError):
        make_pinfl(birth_on, sex, area, serial)  # type: ignore[arg-type]


_SEXES: tuple[Sex, ...] = ("M", "F")
_PINFL_PARTS = st.tuples(
    st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31)),
    st.sampled_from(_SEXES),
    st.integers(1, 999),
    st.integers(1, 999),
)


@settings(deadline=None)
@given(_PINFL_PARTS)
def test_maker_output_always_validates(parts: tuple[date, Sex, int, int]) -> None:
    made = make_pinfl(*parts)
    assert parse_pinfl(made) == ParsedPinfl(made, *parts)


@settings(deadline=None)
@given(_PINFL_PARTS, st.integers(0, 13), st.integers(1, 9))
def test_any_single_changed_digit_makes_a_valid_pinfl_invalid(
    parts: tuple[date, Sex, int, int], position: int, shift: int
) -> None:
    made = make_pinfl(*parts)
    changed = made[:position] + str((int(made[position]) + shift) % 10) + made[position + 1 :]
    assert isinstance(parse_pinfl(changed), InvalidPinfl)


@settings(deadline=None)
@given(st.one_of(st.text(), st.none(), st.integers(), st.binary(), st.floats()))
def test_parser_never_raises(value: object) -> None:
    assert isinstance(parse_pinfl(value), ParsedPinfl | InvalidPinfl)


def test_consistency_names_the_fields_that_disagree() -> None:
    parsed = parse_pinfl("31210932040247")
    assert isinstance(parsed, ParsedPinfl)
    assert pinfl_disagreements(parsed, birth_on=date(1993, 10, 12), sex="M") == frozenset()
    assert pinfl_disagreements(parsed, birth_on=date(1993, 12, 10), sex="M") == {"birth_on"}
    assert pinfl_disagreements(parsed, birth_on=date(1993, 10, 12), sex="Ж") == {"sex"}
    assert pinfl_disagreements(parsed, birth_on=date(1939, 10, 12), sex="f") == {
        "birth_on",
        "sex",
    }


def test_consistency_skips_missing_or_unreadable_record_fields() -> None:
    parsed = parse_pinfl("31210932040247")
    assert isinstance(parsed, ParsedPinfl)
    assert pinfl_disagreements(parsed, birth_on=None, sex=None) == frozenset()
    assert pinfl_disagreements(parsed, birth_on=None, sex="unknown") == frozenset()
    assert pinfl_disagreements(parsed, birth_on="1993-10-12", sex=3) == frozenset()  # type: ignore[arg-type]


def test_consistency_compares_a_datetime_by_its_date() -> None:
    parsed = parse_pinfl("31210932040247")
    assert isinstance(parsed, ParsedPinfl)
    same_day = datetime(1993, 10, 12, 23, 59)
    assert pinfl_disagreements(parsed, birth_on=same_day, sex="М") == frozenset()
