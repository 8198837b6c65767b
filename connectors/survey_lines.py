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
from typing import Annotated

import msgspec

from connectors.record_init import slot_builder
from connectors.records import Origin, SurveyHousehold, SurveyMember
from connectors.vocabulary import Need, Notebook, Occupation, Relation, Sex

# orjson (the general path) reads integers beyond 64 bits as floats, which the contract
# refuses; keeping the fast path inside that range keeps the two paths in agreement.
Int64 = Annotated[int, msgspec.Meta(ge=-(2**63), le=2**63 - 1)]


class MemberLine(msgspec.Struct, gc=False):
    member_no: Int64
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
    return _new_household(
        survey_id,
        mahalla,
        assistant,
        line.surveyed_on,
        None if address is None else _text(address.street),
        None if address is None else _text(address.house),
        None if address is None else _text(address.apartment),
        line.category,
        line.monthly_income_uzs,
        None if plot is None else Decimal(repr(plot)),
        () if needs is None else tuple(dict.fromkeys(needs)),
        tuple(members),
        origin,
    )
