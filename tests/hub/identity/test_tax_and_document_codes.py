from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hub.identity import (
    BankMfo,
    CodeIssue,
    InvalidCode,
    Passport,
    Tin,
    normalise_passport,
    parse_mfo,
    parse_passport,
    parse_tin,
)


@pytest.mark.parametrize(
    ("value", "kind"),
    [("207123456", "company"), ("412345678", "individual"), (" 799999999 ", "individual")],
)
def test_tin_kind_follows_the_first_digit(value: str, kind: str) -> None:
    assert parse_tin(value) == Tin(tin=value.strip(), kind=kind)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "issue"),
    [
        (None, CodeIssue.EMPTY),
        ("  ", CodeIssue.EMPTY),
        (207123456, CodeIssue.NOT_TEXT),
        ("20712345a", CodeIssue.BAD_CHARACTERS),
        ("2071234567", CodeIssue.WRONG_LENGTH),
        ("307123456", CodeIssue.BAD_FORMAT),
        ("807123456", CodeIssue.BAD_FORMAT),
        ("107123456", CodeIssue.BAD_FORMAT),
    ],
)
def test_invalid_tin_gets_its_reason(value: object, issue: CodeIssue) -> None:
    result = parse_tin(value)
    assert isinstance(result, InvalidCode)
    assert (result.kind, result.issue) == ("tin", issue)


def test_tin_message_names_value_and_rule() -> None:
    result = parse_tin("307123456")
    assert isinstance(result, InvalidCode)
    assert "'307123456'" in result.message
    assert "individuals with 4-7" in result.message


@pytest.mark.parametrize(
    "value", ["AB1234567", " ab 1234567 ", "aB1234567\n", "АВ1234567", "AB 123 45 67"]
)
def test_passport_is_normalised_before_validation(value: str) -> None:
    parsed = parse_passport(value)
    assert parsed == Passport(number="AB1234567")
    assert isinstance(parsed, Passport)
    assert parsed.series == "AB"


@pytest.mark.parametrize(
    ("value", "issue"),
    [
        (None, CodeIssue.EMPTY),
        ("", CodeIssue.EMPTY),
        (1234567, CodeIssue.NOT_TEXT),
        ("A1234567", CodeIssue.BAD_FORMAT),
        ("AB123456", CodeIssue.BAD_FORMAT),
        ("AB12345678", CodeIssue.BAD_FORMAT),
        ("ЖБ1234567", CodeIssue.BAD_FORMAT),
        ("AB-1234567", CodeIssue.BAD_FORMAT),
    ],
)
def test_invalid_passport_gets_its_reason(value: object, issue: CodeIssue) -> None:
    result = parse_passport(value)
    assert isinstance(result, InvalidCode)
    assert result.issue is issue


def test_passport_normalisation_keeps_unknown_characters_visible() -> None:
    assert normalise_passport(" ab-12 ") == "AB-12"


def test_mfo_keeps_its_leading_zeros() -> None:
    assert parse_mfo("00873") == BankMfo(mfo="00873")


@pytest.mark.parametrize(
    ("value", "issue"),
    [
        (None, CodeIssue.EMPTY),
        (873, CodeIssue.NOT_TEXT),
        ("873", CodeIssue.WRONG_LENGTH),
        ("008731", CodeIssue.WRONG_LENGTH),
        ("0087a", CodeIssue.BAD_CHARACTERS),
    ],
)
def test_invalid_mfo_gets_its_reason(value: object, issue: CodeIssue) -> None:
    result = parse_mfo(value)
    assert isinstance(result, InvalidCode)
    assert result.issue is issue


@settings(deadline=None)
@given(st.one_of(st.text(), st.none(), st.integers(), st.binary()))
def test_code_parsers_never_raise(value: object) -> None:
    for parse in (parse_tin, parse_passport, parse_mfo):
        assert parse(value) is not None
