"""The person, household and membership tables and the records the API reads from them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from hub.api.records import table_of
from hub.graph.models import Household, HouseholdMember, Person

PERSON = table_of(Person)
HOUSEHOLD = table_of(Household)
MEMBER = table_of(HouseholdMember)


@dataclass(frozen=True, slots=True)
class PersonRecord:
    id: int
    hub_id: str
    pinfl: str | None
    full_name: str
    surname: str | None
    given_name: str | None
    patronymic: str | None
    birth_on: date | None
    sex: str | None
    mahalla_code: str | None
    household_id: int | None
    occupation: str | None
    created_at: datetime
    updated_at: datetime
    last_confirmed_at: datetime


@dataclass(frozen=True, slots=True)
class HouseholdRecord:
    id: int
    hub_id: str
    survey_id: str | None
    mahalla_code: str
    assistant_id: str | None
    street: str | None
    house: str | None
    apartment: str | None
    surveyed_on: date | None
    assessed_category: int | None
    computed_category: int | None
    monthly_income_uzs: int | None
    plot_sotix: float | None
    needs: list[str]
    last_confirmed_at: datetime


@dataclass(frozen=True, slots=True)
class MemberRecord:
    household_id: int
    person_id: int
    member_no: int
    relation: str
