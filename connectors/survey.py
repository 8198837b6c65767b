"""survey: door-to-door household diagnostics, files `survey_*.jsonl`, one household a line.

A household is one record (key `survey_id`) carrying its members (key
`"{survey_id}/{member_no}"`); a household with a broken member is rejected whole, because
its members only make sense together. Later files (by name) win for the same `survey_id`.
Address parts are optional strings; `category` is 1..4 or null. Lines are first tried on the
typed fast path of `connectors.survey_lines`; `build` here decides every other line.
"""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from connectors.fields import (
    INT32,
    FieldError,
    ParsedCache,
    enum_member,
    integer,
    iso_date,
    optional_enum_member,
    optional_integer,
    optional_number,
    optional_text,
    required_text,
)
from connectors.json_lines import JsonLinesConnector, TypedLines
from connectors.records import Origin, SurveyHousehold, SurveyMember
from connectors.survey_lines import DECODER, household_record
from connectors.vocabulary import Need, Notebook, Occupation, Relation, Sex, lookup_table

SEXES = lookup_table(Sex)
RELATIONS = lookup_table(Relation)
OCCUPATIONS = lookup_table(Occupation)
NOTEBOOKS = lookup_table(Notebook)
NEEDS = lookup_table(Need)
_DATES = ParsedCache(iso_date)


def _member(survey_id: str, item: object) -> SurveyMember:
    """One member; each field takes a fast path and falls back to its strict parser (which
    raises the reason) only when the fast path does not give the answer. Fields are checked
    in the same order as ever, so the first broken one is still the one reported."""
    if not isinstance(item, dict):
        raise FieldError(f"the member {item!r} is not an object", "type:members")
    get = item.get
    number, name, pinfl, born = get("member_no"), get("full_name"), get("pinfl"), get("birth_date")
    sex, relation, occupation, notebook = (
        get("sex"),
        get("relation"),
        get("occupation"),
        get("notebook"),
    )
    return SurveyMember(
        survey_id=survey_id,
        member_no=number
        if type(number) is int and INT32[0] <= number <= INT32[1]
        else integer("member_no", number, INT32),
        full_name=(type(name) is str and name.strip()) or required_text("full_name", name),
        pinfl=(pinfl.strip() or None) if type(pinfl) is str else optional_text("pinfl", pinfl),
        birth_date=(_DATES.get(born) if type(born) is str else None)
        or _optional_date("birth_date", born),
        sex=(SEXES.get(sex) if type(sex) is str else None) or enum_member("sex", sex, SEXES),
        relation=(RELATIONS.get(relation) if type(relation) is str else None)
        or enum_member("relation", relation, RELATIONS),
        occupation=(OCCUPATIONS.get(occupation) if type(occupation) is str else None)
        or enum_member("occupation", occupation, OCCUPATIONS),
        notebook=(NOTEBOOKS.get(notebook) if type(notebook) is str else None)
        or optional_enum_member("notebook", notebook, NOTEBOOKS),
    )


def _optional_date(name: str, value: object) -> date | None:
    """`optional_iso_date` through the cache of parsed dates."""
    return None if value is None or value == "" else _DATES.parse(name, value)


def _members(survey_id: str, value: object) -> tuple[SurveyMember, ...]:
    if not isinstance(value, list) or not value:
        raise FieldError(f"members {value!r} is not a non-empty list", "type:members")
    members: list[SurveyMember] = []
    numbers: set[int] = set()
    for index, item in enumerate(value):
        try:
            member = _member(survey_id, item)
        except FieldError as exc:
            raise FieldError(f"members[{index}]: {exc}", exc.rule) from None
        if member.member_no in numbers:
            raise FieldError(
                f"members[{index}]: member_no {member.member_no} is repeated", "unique:member_no"
            )
        numbers.add(member.member_no)
        members.append(member)
    return tuple(members)


def _needs(value: object) -> tuple[Need, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise FieldError(f"needs {value!r} is not a list", "type:needs")
    found = [NEEDS.get(need) if type(need) is str else None for need in value]
    if None in found:  # the slow path names the first unknown need
        found = [enum_member("needs[]", need, NEEDS) for need in value]
    return tuple(dict.fromkeys(found))  # type: ignore[arg-type]


def _category(value: object) -> int | None:
    category = optional_integer("category", value)
    if category is not None and not 1 <= category <= 4:
        raise FieldError(f"category {category} is not in 1..4", "range:category")
    return category


def _address(value: object) -> tuple[str | None, str | None, str | None]:
    if value is None:
        return None, None, None
    if not isinstance(value, dict):
        raise FieldError(f"address {value!r} is not an object", "type:address")
    street = optional_text("address.street", value.get("street"))
    house = optional_text("address.house", _as_text(value.get("house")))
    apartment = optional_text("address.apartment", _as_text(value.get("apartment")))
    return street, house, apartment


def _as_text(value: object) -> object:
    """House and flat numbers are strings by contract; a bare integer is the same number."""
    return str(value) if type(value) is int else value


class SurveyConnector(JsonLinesConnector[SurveyHousehold]):
    """Reads `survey_*.jsonl` files from `HUB_SURVEY_DIR`."""

    source: ClassVar[str] = "survey"
    prefix: ClassVar[str] = "survey_"
    key_field: ClassVar[str] = "survey_id"
    typed_lines: ClassVar[TypedLines[Any] | None] = TypedLines(DECODER.decode, household_record)

    def build(self, item: dict[str, Any], origin: Origin) -> SurveyHousehold:
        survey_id = required_text("survey_id", item.get("survey_id"))
        income = optional_integer("monthly_income_uzs", item.get("monthly_income_uzs"))
        if income is not None and income < 0:
            raise FieldError(f"monthly_income_uzs {income} is negative", "range:monthly_income_uzs")
        street, house, apartment = _address(item.get("address"))
        surveyed_on = item.get("surveyed_on")
        return SurveyHousehold(
            survey_id=survey_id,
            mahalla_code=required_text("mahalla_code", item.get("mahalla_code")),
            assistant_id=required_text("assistant_id", item.get("assistant_id")),
            surveyed_on=(_DATES.get(surveyed_on) if type(surveyed_on) is str else None)
            or _DATES.parse("surveyed_on", surveyed_on),
            street=street,
            house=house,
            apartment=apartment,
            category=_category(item.get("category")),
            monthly_income_uzs=income,
            plot_sotix=optional_number("plot_sotix", item.get("plot_sotix")),
            needs=_needs(item.get("needs")),
            members=_members(survey_id, item.get("members")),
            origin=origin,
        )
