"""The people data layer: person, household and membership records, and the filtered,
ordered, paginated list queries over persons and households."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    Text,
    and_,
    cast,
    exists,
    func,
    or_,
    select,
)

from hub.api.batch_fetch import Match, keyed
from hub.api.records import (
    record_columns,
    record_fields,
    select_labelled,
    select_records,
    table_of,
    to_records,
)
from hub.api.territory.codes import mahalla_code_range
from hub.api.vocabulary import OPEN_APPEAL_STATUSES
from hub.graph.models import (
    Appeal,
    Household,
    HouseholdMember,
    LandLease,
    Loan,
    NotebookEntry,
    Person,
    TaxRegistration,
)

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


@dataclass(frozen=True, slots=True)
class NameQuery:
    """A name search in the graph's normalised keys (see `hub.api.people.name_search`).

    `surname_key` must equal the person's (`_` matches any one letter); `name_pattern`, when
    set, is a LIKE pattern the person's `name_key` must match; `sex`, when the typed name
    tells it (Abdullayev / Abdullayeva share one surname key), excludes persons recorded with
    the other sex.
    """

    surname_key: str
    name_pattern: str | None
    sex: str | None = None


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

    def conditions(self, column: ColumnElement[str | None]) -> list[ColumnElement[bool]]:
        where: list[ColumnElement[bool]] = []
        for prefix in (self.region_code, self.district_code):
            if prefix is not None:
                low, high = mahalla_code_range(prefix)
                where.append(column.between(low, high))
        if self.mahalla_code is not None:
            where.append(column == self.mahalla_code)
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


def _flag(
    condition: Callable[[], ColumnElement[bool]], wanted: bool | None
) -> list[ColumnElement[bool]]:
    # The condition is built only when asked for: most lists leave every flag unset, and
    # building the EXISTS subqueries anyway cost more than the rest of the statement.
    if wanted is None:
        return []
    return [condition() if wanted else ~condition()]


def _loan_linked() -> ColumnElement[bool]:
    return _linked(table_of(Loan))


def _current_lease_linked() -> ColumnElement[bool]:
    lease = table_of(LandLease)
    return _linked(lease, lease.c.is_current.is_(True), lease.c.status == "active")


def _open_tax_linked() -> ColumnElement[bool]:
    tax = table_of(TaxRegistration)
    return _linked(tax, tax.c.closed_on.is_(None))


def _open_appeal_linked() -> ColumnElement[bool]:
    appeal = table_of(Appeal)
    return _linked(appeal, appeal.c.status.in_(OPEN_APPEAL_STATUSES))


def _category_mismatch() -> ColumnElement[bool]:
    return and_(
        HOUSEHOLD.c.assessed_category.is_not(None),
        HOUSEHOLD.c.computed_category.is_not(None),
        HOUSEHOLD.c.assessed_category != HOUSEHOLD.c.computed_category,
    )


def _linked(table: object, *extra: ColumnElement[bool]) -> ColumnElement[bool]:
    person_id = table.c.person_id  # type: ignore[attr-defined]
    return exists().where(person_id == PERSON.c.id, *extra)


def _person_where(c: PersonCriteria) -> list[ColumnElement[bool]]:
    where = c.territory.conditions(PERSON.c.mahalla_code)
    if c.name is not None:
        where.append(PERSON.c.surname_key.like(c.name.surname_key))
        if c.name.name_pattern is not None:
            where.append(PERSON.c.name_key.like(c.name.name_pattern))
        if c.name.sex is not None:
            where.append(or_(PERSON.c.sex.is_(None), PERSON.c.sex == c.name.sex))
    if c.sex is not None:
        where.append(PERSON.c.sex == c.sex)
    if c.born_from_year is not None:
        where.append(PERSON.c.birth_on >= date(c.born_from_year, 1, 1))
    if c.born_to_year is not None:
        where.append(PERSON.c.birth_on <= date(c.born_to_year, 12, 31))
    if c.occupation is not None:
        where.append(PERSON.c.occupation == c.occupation)
    if c.notebook is not None:
        entry = table_of(NotebookEntry)
        where.append(_linked(entry, entry.c.notebook == c.notebook))
    for column, category in (
        (HOUSEHOLD.c.assessed_category, c.assessed_category),
        (HOUSEHOLD.c.computed_category, c.computed_category),
    ):
        if category is not None:
            where.append(
                exists().where(HOUSEHOLD.c.id == PERSON.c.household_id, column == category)
            )
    where += _flag(_loan_linked, c.has_loans)
    where += _flag(_current_lease_linked, c.has_current_lease)
    where += _flag(_open_tax_linked, c.has_open_tax_registration)
    where += _flag(_open_appeal_linked, c.has_open_appeal)
    return where


def _persons_page(stmt: Select[Any], criteria: PersonCriteria, offset: int, limit: int) -> Any:
    key = PERSON.c[criteria.order.value]
    # hub_id is unique, so it breaks ties and keeps offsets stable between pages.
    columns = [key, PERSON.c.hub_id] if key is not PERSON.c.hub_id else [key]
    ordering = [c.desc() if criteria.descending else c.asc() for c in columns]
    return stmt.where(*_person_where(criteria)).order_by(*ordering).offset(offset).limit(limit)


def fetch_persons(
    connection: Connection, criteria: PersonCriteria, offset: int, limit: int
) -> list[PersonRecord]:
    stmt = _persons_page(select_records(PersonRecord, PERSON), criteria, offset, limit)
    return to_records(PersonRecord, connection.execute(stmt).all())


_PERSON_WIDTH = len(record_fields(PersonRecord))


@cache
def _persons_with_households() -> Select[Any]:
    # Built once: labelling thirty columns for every page cost more than the page's rows.
    columns = [*record_columns(PersonRecord, PERSON), *record_columns(HouseholdRecord, HOUSEHOLD)]
    return select_labelled(columns).select_from(
        PERSON.outerjoin(HOUSEHOLD, HOUSEHOLD.c.id == PERSON.c.household_id)
    )


def fetch_persons_with_households(
    connection: Connection, criteria: PersonCriteria, offset: int, limit: int
) -> list[tuple[PersonRecord, HouseholdRecord | None]]:
    """`fetch_persons`, each person with their household (None if they have none) read in
    the same statement: a page that shows households needs no second statement."""
    stmt = _persons_page(_persons_with_households(), criteria, offset, limit)
    rows = connection.execute(stmt).all()
    persons = to_records(PersonRecord, [row[:_PERSON_WIDTH] for row in rows])
    households = to_records(
        HouseholdRecord, [row[_PERSON_WIDTH:] for row in rows if row[_PERSON_WIDTH] is not None]
    )
    found = iter(households)
    return [
        (person, None if row[_PERSON_WIDTH] is None else next(found))
        for person, row in zip(persons, rows, strict=True)
    ]


def count_persons(connection: Connection, criteria: PersonCriteria) -> int:
    stmt = select(func.count()).select_from(PERSON).where(*_person_where(criteria))
    return int(connection.scalar(stmt) or 0)


def _household_where(c: HouseholdCriteria) -> list[ColumnElement[bool]]:
    where = c.territory.conditions(HOUSEHOLD.c.mahalla_code)
    if c.assessed_category is not None:
        where.append(HOUSEHOLD.c.assessed_category == c.assessed_category)
    if c.computed_category is not None:
        where.append(HOUSEHOLD.c.computed_category == c.computed_category)
    where += _flag(_category_mismatch, c.category_mismatch)
    if c.need is not None:
        # `needs` is a JSON array of codes; its text holds each code in double quotes on
        # both databases, and codes never contain quotes.
        where.append(cast(HOUSEHOLD.c.needs, Text).contains(f'"{c.need}"', autoescape=True))
    return where


def fetch_households(
    connection: Connection, criteria: HouseholdCriteria, offset: int, limit: int
) -> list[HouseholdRecord]:
    key = HOUSEHOLD.c[criteria.order.value]
    columns = [key, HOUSEHOLD.c.hub_id] if key is not HOUSEHOLD.c.hub_id else [key]
    ordering = [c.desc() if criteria.descending else c.asc() for c in columns]
    stmt = (
        select_records(HouseholdRecord, HOUSEHOLD)
        .where(*_household_where(criteria))
        .order_by(*ordering)
        .offset(offset)
        .limit(limit)
    )
    return to_records(HouseholdRecord, connection.execute(stmt).all())


def count_households(connection: Connection, criteria: HouseholdCriteria) -> int:
    stmt = select(func.count()).select_from(HOUSEHOLD).where(*_household_where(criteria))
    return int(connection.scalar(stmt) or 0)


def _members_statement(match: Match) -> Select[Any]:
    return (
        select(*record_columns(MemberRecord, MEMBER), *record_columns(PersonRecord, PERSON))
        .join(PERSON, PERSON.c.id == MEMBER.c.person_id)
        .where(match([MEMBER.c.household_id]))
        .order_by(MEMBER.c.household_id, MEMBER.c.member_no)
    )


def fetch_members(
    connection: Connection, household_ids: Sequence[int]
) -> list[list[tuple[MemberRecord, PersonRecord]]]:
    """Each household's members with their persons, by member number (one statement)."""
    groups: dict[int, list[tuple[MemberRecord, PersonRecord]]] = {h: [] for h in household_ids}
    stmt, params = keyed(connection, "members", list(groups), _members_statement)
    width = len(record_fields(MemberRecord))
    for row in connection.execute(stmt, params).all():
        member = MemberRecord(*row[:width])
        groups[member.household_id].append((member, PersonRecord(*row[width:])))
    return [groups[h] for h in household_ids]
