"""Input filters and orderings of the person and household lists, and their translation
into the data layer's criteria (validating every value on the way)."""

from __future__ import annotations

from enum import Enum

import strawberry

from hub.api.errors import BadUserInputError
from hub.api.people.criteria import (
    HouseholdCriteria,
    HouseholdOrder,
    PersonCriteria,
    PersonOrder,
    Territory,
)
from hub.api.people.name_search import name_query
from hub.api.territory.codes import checked_code
from hub.api.vocabulary import Need, Notebook, Occupation, OrderDirection, Sex


def territory_of(
    region_code: str | None, district_code: str | None, mahalla_code: str | None
) -> Territory:
    return Territory(
        region_code=None if region_code is None else checked_code("regionCode", region_code),
        district_code=(
            None if district_code is None else checked_code("districtCode", district_code)
        ),
        mahalla_code=None if mahalla_code is None else checked_code("mahallaCode", mahalla_code),
    )


def _category(argument: str, value: int | None) -> int | None:
    if value is not None and not 1 <= value <= 4:
        raise BadUserInputError(
            f"Argument '{argument}' has value {value}. Categories are 1 to 4.", argument=argument
        )
    return value


def _year(argument: str, value: int | None) -> int | None:
    if value is not None and not 1850 <= value <= 2200:
        raise BadUserInputError(
            f"Argument '{argument}' has value {value}. Not a plausible birth year.",
            argument=argument,
        )
    return value


def _value(member: Enum | None) -> str | None:
    return None if member is None else str(member.value)


@strawberry.input(description="Conditions on persons; all given conditions must hold.")
class PersonFilter:
    region_code: str | None = None
    district_code: str | None = None
    mahalla_code: str | None = None
    name: str | None = strawberry.field(
        default=None,
        description=(
            "A name in any script, case, order or apostrophe form; matched on the normalised "
            "surname, and on the given name and patronymic when typed (initials match by "
            "first letter)."
        ),
    )
    sex: Sex | None = None
    born_from_year: int | None = None
    born_to_year: int | None = None
    occupation: Occupation | None = None
    notebook: Notebook | None = strawberry.field(
        default=None, description="Has an entry in this notebook."
    )
    household_category: int | None = strawberry.field(
        default=None, description="Household's assessed category."
    )
    household_computed_category: int | None = None
    has_loans: bool | None = None
    has_current_lease: bool | None = strawberry.field(
        default=None, description="Lessee of a current, active land lease."
    )
    has_open_tax_registration: bool | None = None
    has_open_appeal: bool | None = None

    def criteria(self, order: PersonOrderBy | None) -> PersonCriteria:
        order = order or PersonOrderBy()
        return PersonCriteria(
            territory=territory_of(self.region_code, self.district_code, self.mahalla_code),
            name=None if self.name is None else name_query(self.name),
            sex=_value(self.sex),
            born_from_year=_year("bornFromYear", self.born_from_year),
            born_to_year=_year("bornToYear", self.born_to_year),
            occupation=_value(self.occupation),
            notebook=_value(self.notebook),
            assessed_category=_category("householdCategory", self.household_category),
            computed_category=_category(
                "householdComputedCategory", self.household_computed_category
            ),
            has_loans=self.has_loans,
            has_current_lease=self.has_current_lease,
            has_open_tax_registration=self.has_open_tax_registration,
            has_open_appeal=self.has_open_appeal,
            order=PersonOrder[order.field.name],
            descending=order.direction is OrderDirection.DESC,
        )


@strawberry.enum
class PersonOrderField(Enum):
    HUB_ID = "hub_id"
    NAME = "name"
    BIRTH_ON = "birth_on"


@strawberry.input
class PersonOrderBy:
    field: PersonOrderField = PersonOrderField.HUB_ID
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input(description="Conditions on households; all given conditions must hold.")
class HouseholdFilter:
    region_code: str | None = None
    district_code: str | None = None
    mahalla_code: str | None = None
    assessed_category: int | None = None
    computed_category: int | None = None
    category_mismatch: bool | None = strawberry.field(
        default=None, description="Both categories known and different."
    )
    need: Need | None = strawberry.field(default=None, description="Asked for this in the survey.")

    def criteria(self, order: HouseholdOrderBy | None) -> HouseholdCriteria:
        order = order or HouseholdOrderBy()
        return HouseholdCriteria(
            territory=territory_of(self.region_code, self.district_code, self.mahalla_code),
            assessed_category=_category("assessedCategory", self.assessed_category),
            computed_category=_category("computedCategory", self.computed_category),
            category_mismatch=self.category_mismatch,
            need=_value(self.need),
            order=HouseholdOrder[order.field.name],
            descending=order.direction is OrderDirection.DESC,
        )


@strawberry.enum
class HouseholdOrderField(Enum):
    HUB_ID = "hub_id"
    SURVEYED_ON = "surveyed_on"
    MONTHLY_INCOME = "monthly_income"


@strawberry.input
class HouseholdOrderBy:
    field: HouseholdOrderField = HouseholdOrderField.HUB_ID
    direction: OrderDirection = OrderDirection.ASC
