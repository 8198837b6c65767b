"""What a person or household list asks for: the territory, name search, filters and order
the data layer turns into conditions (`hub.api.people.list_conditions`)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import ColumnElement, bindparam

from hub.api.territory.codes import code_range_conditions, code_range_parameters


@dataclass(frozen=True, slots=True)
class NameQuery:
    """A name search in the graph's normalised keys (see `hub.api.people.name_search`).

    `surname_key` must equal the person's (`_` matches any one letter); `name_pattern`, when
    set, is a LIKE pattern the given-name and patronymic part of the person's `name_key`
    (what follows the surname key) must match, and `excluded_patterns` (at most two)
    patterns that part must not match; `sex`, when the typed name
    tells it (Abdullayev / Abdullayeva share one surname key), excludes persons recorded with
    the other sex.
    """

    surname_key: str
    name_pattern: str | None
    sex: str | None = None
    excluded_patterns: tuple[str, ...] = ()


class PersonOrder(Enum):
    HUB_ID = "hub_id"
    NAME = "name_key"
    BIRTH_ON = "birth_on"


class HouseholdOrder(Enum):
    HUB_ID = "hub_id"
    SURVEYED_ON = "surveyed_on"
    MONTHLY_INCOME = "monthly_income_uzs"


@dataclass(frozen=True, slots=True)
class Territory:
    region_code: str | None = None
    district_code: str | None = None
    mahalla_code: str | None = None
    # The caller's own territory (`hub.api.access.rows`): the lowest and highest mahalla
    # code it may see, whatever the filter asks for.
    access: tuple[str, str] | None = None

    def parameters(self, into: dict[str, Any]) -> None:
        """Put the values `conditions` binds into `into`: a region or district is a range
        of mahalla codes (`hub.api.territory.codes`)."""
        code_range_parameters(self.region_code, self.district_code, into)
        if self.mahalla_code is not None:
            into["mahalla_code"] = self.mahalla_code
        if self.access is not None:
            into["access_low"], into["access_high"] = self.access

    @staticmethod
    def conditions(
        column: ColumnElement[str | None], names: Collection[str]
    ) -> list[ColumnElement[bool]]:
        """The conditions on `column` for the parameters `names` that `parameters` set."""
        where = code_range_conditions(column, names)
        if "mahalla_code" in names:
            where.append(column == bindparam("mahalla_code"))
        if "access_low" in names:
            where.append(column.between(bindparam("access_low"), bindparam("access_high")))
        return where


@dataclass(frozen=True, slots=True)
class PersonCriteria:
    """Which persons to list; None means "no condition" for every field."""

    territory: Territory = Territory()
    name: NameQuery | None = None
    sex: str | None = None
    born_from_year: int | None = None
    born_to_year: int | None = None
    occupation: str | None = None
    notebook: str | None = None
    assessed_category: int | None = None
    computed_category: int | None = None
    has_loans: bool | None = None
    has_current_lease: bool | None = None
    has_open_tax_registration: bool | None = None
    has_open_appeal: bool | None = None
    order: PersonOrder = PersonOrder.HUB_ID
    descending: bool = False


@dataclass(frozen=True, slots=True)
class HouseholdCriteria:
    territory: Territory = Territory()
    assessed_category: int | None = None
    computed_category: int | None = None
    category_mismatch: bool | None = None
    need: str | None = None
    order: HouseholdOrder = HouseholdOrder.HUB_ID
    descending: bool = False
