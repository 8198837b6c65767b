"""The fast path of the survey connector: a line decoded straight into typed structs.

msgspec checks the JSON types, the enum codes, the dates, the ranges and the presence of
required fields in C while decoding, so the Python left per household is stripping texts
and building the records. The structs accept a strict subset of what `SurveyConnector.build`
accepts: whatever they refuse (a wrong type, an empty string, `"house": 12`, a line that is
not JSON at all) and whatever `household_record` declines (a blank text, a repeated
`member_no`) goes down the general path, which accepts it or names the broken rule, so the
outcome of every line is the same as without this fast path.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import msgspec

from connectors.record_init import slot_builder
from connectors.records import Origin, SurveyHousehold, SurveyMember
from connectors.vocabulary import Need, Notebook, Occupation, Relation, Sex

# The general path refuses integers its column cannot hold (connectors.fields.INT32/INT64;
# orjson reads those beyond 64 bits as floats); keeping the fast path inside the same
# ranges keeps the two paths in agreement.
Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]
Int32 = Annotated[int, msgspec.Meta(ge=-(2**31), le=2**31 - 1)]


class MemberLine(msgspec.Struct, gc=False):
    member_no: Int32
    full_name: str
    sex: Sex
    relation: Relation
    occupation: Occupation
    pinfl: str | None = None
    birth_date: date | None = None
    notebook: Notebook | None = None


class AddressLine(msgspec.Struct, gc=False):
    street: str | None = None
    house: str | Int64 | None = None
    apartment: str | Int64 | None = None


class HouseholdLine(msgspec.Struct, gc=False):
    survey_id: str
    mahalla_code: str
    assistant_id: str
    surveyed_on: date
    members: Annotated[list[MemberLine], msgspec.Meta(min_length=1)]
    address: AddressLine | None = None
    category: Annotated[int, msgspec.Meta(ge=1, le=4)] | None = None
    monthly_income_uzs: Annotated[int, msgspec.Meta(ge=0, le=2**63 - 1)] | None = None
    plot_sotix: Int64 | float | None = None
    needs: list[Need] | None = None


DECODER = msgspec.json.Decoder(HouseholdLine)
# About 4.4 members and one household per line: built by plain slot stores, about three
# times cheaper than the frozen classes' own constructors (the same records).
_new_member: Callable[..., SurveyMember] = slot_builder(SurveyMember)
_new_household: Callable[..., SurveyHousehold] = slot_builder(SurveyHousehold)


def _text(value: str | int | None) -> str | None:
    if type(value) is str:
        return value.strip() or None
    return None if value is None else str(value)


# `plot_sotix` repeats a few values: their Decimals by delivered number, integers and floats
# apart (2 and 2.0 are equal keys but different Decimals). A float zero is never kept: 0.0 and
# -0.0 are equal keys too, and their Decimals differ in sign.
_INT_PLOTS: dict[int, Decimal] = {}
_FLOAT_PLOTS: dict[float, Decimal] = {}
_PLOTS_LIMIT = 4096


def _plot(value: int | float) -> Decimal:
    """`Decimal(repr(value))`, from a cache of the values seen."""
    cache: dict[Any, Decimal] = _INT_PLOTS if type(value) is int else _FLOAT_PLOTS
    found = cache.get(value)
    if found is None:
        found = Decimal(repr(value))
        if value:
            if len(cache) >= _PLOTS_LIMIT:
                cache.clear()
            cache[value] = found
    return found


def household_record(line: HouseholdLine, origin: Origin) -> SurveyHousehold | None:
    """The record of a decoded line, or None when a rule needs the general path's reason."""
    survey_id, mahalla, assistant = (
        line.survey_id.strip(),
        line.mahalla_code.strip(),
        line.assistant_id.strip(),
    )
    if not (survey_id and mahalla and assistant):
        return None
    members = []
    numbers = set()
    for m in line.members:
        name, number, pinfl = m.full_name.strip(), m.member_no, m.pinfl
        if not name or number in numbers:
            return None
        numbers.add(number)
        members.append(
            _new_member(
                survey_id,
                number,
                name,
                None if pinfl is None else pinfl.strip() or None,
                m.birth_date,
                m.sex,
                m.relation,
                m.occupation,
                m.notebook,
            )
        )
    address, plot, needs = line.address, line.plot_sotix, line.needs
    if address is None:
        street = house = apartment = None
    else:
        street, house, apartment = address.street, address.house, address.apartment
        street = None if street is None else street.strip() or None
        house = house.strip() or None if type(house) is str else _text(house)
        apartment = apartment.strip() or None if type(apartment) is str else _text(apartment)
    if needs is None:
        distinct: tuple[Need, ...] = ()
    elif len(needs) == 2:
        # Members of one enum are equal only to themselves, so `is` decides as
        # `dict.fromkeys` does, without hashing.
        first, second = needs
        distinct = (first,) if first is second else (first, second)
    else:
        distinct = tuple(dict.fromkeys(needs))
    return _new_household(
        survey_id,
        mahalla,
        assistant,
        line.surveyed_on,
        street,
        house,
        apartment,
        line.category,
        line.monthly_income_uzs,
        None if plot is None else _plot(plot),
        distinct,
        tuple(members),
        origin,
    )
