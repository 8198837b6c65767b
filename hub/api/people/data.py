"""The people data layer: person, household and membership records, and the filtered,
ordered, paginated list queries over persons and households."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    Integer,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    exists,
    func,
    null,
    or_,
    select,
)

from hub.api.batch_fetch import Match, kept_statement, keyed
from hub.api.driver_rows import fetch_rows
from hub.api.records import (
    record_columns,
    record_fields,
    select_labelled,
    select_records,
    table_of,
    to_records,
)
from hub.api.territory.codes import code_range_conditions, code_range_parameters
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
from hub.identity.names.fold import UNKNOWN_LETTER

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


def _excluded(c: PersonCriteria, index: int) -> str | None:
    patterns = () if c.name is None else c.name.excluded_patterns
    return patterns[index] if index < len(patterns) else None


# The parameters of a person list, by name; the statement depends only on which are set.
_PERSON_VALUES: tuple[tuple[str, Callable[[PersonCriteria], Any]], ...] = (
    ("surname_key", lambda c: None if c.name is None else c.name.surname_key),
    ("name_pattern", lambda c: None if c.name is None else c.name.name_pattern),
    ("name_excluded_0", lambda c: _excluded(c, 0)),
    ("name_excluded_1", lambda c: _excluded(c, 1)),
    ("name_sex", lambda c: None if c.name is None else c.name.sex),
    ("sex", lambda c: c.sex),
    ("born_from", lambda c: None if c.born_from_year is None else date(c.born_from_year, 1, 1)),
    ("born_to", lambda c: None if c.born_to_year is None else date(c.born_to_year, 12, 31)),
    ("occupation", lambda c: c.occupation),
    ("notebook", lambda c: c.notebook),
    ("assessed_category", lambda c: c.assessed_category),
    ("computed_category", lambda c: c.computed_category),
)


def _person_parameters(c: PersonCriteria) -> dict[str, Any]:
    params: dict[str, Any] = {}
    c.territory.parameters(params)
    for name, value_of in _PERSON_VALUES:
        value = value_of(c)
        if value is not None:
            params[name] = value
    return params


def _person_flags(c: PersonCriteria) -> tuple[bool | None, ...]:
    return (c.has_loans, c.has_current_lease, c.has_open_tax_registration, c.has_open_appeal)


def _surname_matches(typed: BindParameter[Any]) -> ColumnElement[bool]:
    """The person's surname key matches the typed one (a LIKE pattern), or holds `?` (a
    letter lost in a Windows-1251 export) and the typed one fits it, `?` as any letter."""
    stored = PERSON.c.surname_key
    as_pattern = func.replace(stored, UNKNOWN_LETTER, "_")
    return or_(
        stored.like(typed),
        and_(stored.contains(UNKNOWN_LETTER, autoescape=True), typed.like(as_pattern)),
    )


def _person_where(
    names: Collection[str], flags: tuple[bool | None, ...]
) -> list[ColumnElement[bool]]:
    """The conditions binding the parameters `names` (see `_person_parameters`) and
    requiring (True) or excluding (False) each linked fact of `flags`."""
    where = Territory.conditions(PERSON.c.mahalla_code, names)
    if "surname_key" in names:
        where.append(_surname_matches(bindparam("surname_key")))
    # name_key is "surname|given|patronymic" and starts with surname_key.
    given_and_patronymic = func.substr(PERSON.c.name_key, func.length(PERSON.c.surname_key) + 2)
    if "name_pattern" in names:
        where.append(given_and_patronymic.like(bindparam("name_pattern")))
    for excluded in ("name_excluded_0", "name_excluded_1"):
        if excluded in names:
            where.append(given_and_patronymic.not_like(bindparam(excluded)))
    if "name_sex" in names:
        where.append(or_(PERSON.c.sex.is_(None), PERSON.c.sex == bindparam("name_sex")))
    if "sex" in names:
        where.append(PERSON.c.sex == bindparam("sex"))
    if "born_from" in names:
        where.append(PERSON.c.birth_on >= bindparam("born_from"))
    if "born_to" in names:
        where.append(PERSON.c.birth_on <= bindparam("born_to"))
    if "occupation" in names:
        where.append(PERSON.c.occupation == bindparam("occupation"))
    if "notebook" in names:
        entry = table_of(NotebookEntry)
        where.append(_linked(entry, entry.c.notebook == bindparam("notebook")))
    for column in (HOUSEHOLD.c.assessed_category, HOUSEHOLD.c.computed_category):
        if column.name in names:
            where.append(
                exists().where(
                    HOUSEHOLD.c.id == PERSON.c.household_id, column == bindparam(column.name)
                )
            )
    has_loans, has_current_lease, has_open_tax, has_open_appeal = flags
    where += _flag(_loan_linked, has_loans)
    where += _flag(_current_lease_linked, has_current_lease)
    where += _flag(_open_tax_linked, has_open_tax)
    where += _flag(_open_appeal_linked, has_open_appeal)
    return where


def person_list_parameters(criteria: PersonCriteria) -> dict[str, Any]:
    """The values a list of persons binds (by the names `person_list_where` binds)."""
    return _person_parameters(criteria)


def person_list_shape(criteria: PersonCriteria, params: Collection[str]) -> tuple[Hashable, ...]:
    """What a person list's statement depends on, beyond its kind."""
    return (frozenset(params), _person_flags(criteria), criteria.order, criteria.descending)


def person_list_where(
    criteria: PersonCriteria, params: Collection[str]
) -> list[ColumnElement[bool]]:
    """The conditions (on `PERSON`) of a list of persons binding `params`."""
    return _person_where(params, _person_flags(criteria))


def person_list_order(criteria: PersonCriteria) -> list[ColumnElement[Any]]:
    """The order of a list of persons; hub_id is unique, so it breaks ties and keeps
    offsets stable between pages."""
    key = PERSON.c[criteria.order.value]
    columns = [key, PERSON.c.hub_id] if key is not PERSON.c.hub_id else [key]
    return [c.desc() if criteria.descending else c.asc() for c in columns]


def household_list_order(criteria: HouseholdCriteria) -> list[ColumnElement[Any]]:
    key = HOUSEHOLD.c[criteria.order.value]
    columns = [key, HOUSEHOLD.c.hub_id] if key is not HOUSEHOLD.c.hub_id else [key]
    return [c.desc() if criteria.descending else c.asc() for c in columns]


def household_list_where(
    criteria: HouseholdCriteria,
) -> tuple[list[ColumnElement[bool]], dict[str, Any]]:
    """The conditions (on `HOUSEHOLD`) of a list of households and the values they bind."""
    return _household_where(criteria)


def _persons_page(
    kind: Hashable,
    base: Callable[[], Select[Any]],
    criteria: PersonCriteria,
    offset: int,
    limit: int,
) -> tuple[Select[Any], dict[str, Any]]:
    """The page statement over `base` (kept per kind and shape of the criteria: which
    parameters are set, the flags and the order) and its parameters."""
    params = _person_parameters(criteria)
    shape = (kind, *person_list_shape(criteria, params))

    def build() -> Select[Any]:
        return (
            base()
            .where(*person_list_where(criteria, params))
            .order_by(*person_list_order(criteria))
            .offset(bindparam("offset", type_=Integer))
            .limit(bindparam("limit", type_=Integer))
        )

    params["offset"], params["limit"] = offset, limit
    return kept_statement(shape, build), params


_PERSON_WIDTH = len(record_fields(PersonRecord))


# Columns that only some GraphQL fields show (or use as the key of a relation), the
# (type, field) pairs by record field: a page whose document selects none of those fields
# anywhere (see `hub.api.projection`) reads NULL in their place.
PERSON_SHOWN_BY: dict[str, tuple[tuple[str, str], ...]] = {
    "pinfl": (("Person", "pinfl"),),
    "surname": (("Person", "surname"),),
    "given_name": (("Person", "givenName"),),
    "patronymic": (("Person", "patronymic"),),
    "occupation": (("Person", "occupation"),),
    "mahalla_code": (("Person", "mahallaCode"), ("Person", "mahalla")),
    "created_at": (("Person", "createdAt"),),
    "updated_at": (("Person", "updatedAt"),),
    "last_confirmed_at": (("Person", "lastConfirmedAt"),),
}
HOUSEHOLD_SHOWN_BY: dict[str, tuple[tuple[str, str], ...]] = {
    "survey_id": (("Household", "surveyId"),),
    "mahalla_code": (("Household", "mahallaCode"), ("Household", "mahalla")),
    "assistant_id": (("Household", "surveyedBy"),),
    "street": (("Household", "address"),),
    "house": (("Household", "address"),),
    "apartment": (("Household", "address"),),
    "surveyed_on": (("Household", "surveyedOn"),),
    "monthly_income_uzs": (("Household", "monthlyIncome"),),
    "plot_sotix": (("Household", "plotSotix"),),
    "needs": (("Household", "needs"),),
    "last_confirmed_at": (("Household", "lastConfirmedAt"),),
}


def unshown_columns(shown: Collection[tuple[str, str]]) -> frozenset[str]:
    """The optional columns ("person.created_at", "household.needs", ...) a document
    showing the (type, field) pairs `shown` does not need."""
    return frozenset(
        f"{table}.{column}"
        for table, shown_by in (("person", PERSON_SHOWN_BY), ("household", HOUSEHOLD_SHOWN_BY))
        for column, fields in shown_by.items()
        if not any(field in shown for field in fields)
    )


def _read(table: Table, record: type[Any], unshown: frozenset[str]) -> list[ColumnElement[Any]]:
    """The record's columns, NULL in place of those in `unshown`."""
    return [
        null().label(column.name) if f"{table.name}.{column.name}" in unshown else column
        for column in record_columns(record, table)
    ]


@cache
def _persons_only(unshown: frozenset[str]) -> Select[Any]:
    return select(*_read(PERSON, PersonRecord, unshown))


@cache
def _persons_with_households(unshown: frozenset[str]) -> Select[Any]:
    # Built once per projection: labelling thirty columns for every page cost more than
    # the page's rows.
    columns = [*_read(PERSON, PersonRecord, unshown), *_read(HOUSEHOLD, HouseholdRecord, unshown)]
    return select_labelled(columns).select_from(
        PERSON.outerjoin(HOUSEHOLD, HOUSEHOLD.c.id == PERSON.c.household_id)
    )


def fetch_person_rows(
    connection: Connection,
    criteria: PersonCriteria,
    offset: int,
    limit: int,
    unshown: frozenset[str] = frozenset(),
    *,
    households: bool,
) -> Sequence[Sequence[Any]]:
    """The rows of a page of persons: a `PersonRecord`'s fields (`persons_of`), followed
    (`households`) by those of the person's `HouseholdRecord` (`HOUSEHOLD_AT` on; all None
    when they have none; `persons_with_households`), read in the same statement. Columns
    named in `unshown` (see `unshown_columns`) are read as None."""
    if households:
        stmt, params = _persons_page(
            ("persons with households", unshown),
            lambda: _persons_with_households(unshown),
            criteria,
            offset,
            limit,
        )
    else:
        stmt, params = _persons_page(
            ("persons", unshown), lambda: _persons_only(unshown), criteria, offset, limit
        )
    return fetch_rows(connection, stmt, params)


HOUSEHOLD_AT = _PERSON_WIDTH  # where a household's fields start in `fetch_person_rows`


def persons_of(rows: Sequence[Sequence[Any]]) -> list[PersonRecord]:
    """The persons of rows of `fetch_person_rows`."""
    return to_records(PersonRecord, [row[:_PERSON_WIDTH] for row in rows])


def persons_with_households(
    rows: Sequence[Sequence[Any]],
) -> list[tuple[PersonRecord, HouseholdRecord | None]]:
    """The persons of rows of `fetch_person_rows(households=True)`, each with their
    household (None if they have none); a household of several members on the page is
    one record."""
    at = _PERSON_WIDTH
    wanted = {row[at]: row[at:] for row in rows if row[at] is not None}
    built = dict(zip(wanted, to_records(HouseholdRecord, wanted.values()), strict=True))
    return [
        (person, None if row[at] is None else built[row[at]])
        for person, row in zip(persons_of(rows), rows, strict=True)
    ]


def count_persons(connection: Connection, criteria: PersonCriteria) -> int:
    params = _person_parameters(criteria)
    flags = _person_flags(criteria)
    stmt = kept_statement(
        ("count persons", frozenset(params), flags),
        lambda: select(func.count()).select_from(PERSON).where(*_person_where(params, flags)),
    )
    return int(fetch_rows(connection, stmt, params)[0][0] or 0)


def _household_where(c: HouseholdCriteria) -> tuple[list[ColumnElement[bool]], dict[str, Any]]:
    """The conditions of a household list and the parameters they bind."""
    params: dict[str, Any] = {}
    c.territory.parameters(params)
    where = Territory.conditions(HOUSEHOLD.c.mahalla_code, params)
    if c.assessed_category is not None:
        where.append(HOUSEHOLD.c.assessed_category == c.assessed_category)
    if c.computed_category is not None:
        where.append(HOUSEHOLD.c.computed_category == c.computed_category)
    where += _flag(_category_mismatch, c.category_mismatch)
    if c.need is not None:
        # `needs` is a JSON array of codes; its text holds each code in double quotes on
        # both databases, and codes never contain quotes.
        where.append(cast(HOUSEHOLD.c.needs, Text).contains(f'"{c.need}"', autoescape=True))
    return where, params


def fetch_households(
    connection: Connection, criteria: HouseholdCriteria, offset: int, limit: int
) -> list[HouseholdRecord]:
    where, params = _household_where(criteria)
    stmt = (
        select_records(HouseholdRecord, HOUSEHOLD)
        .where(*where)
        .order_by(*household_list_order(criteria))
        .offset(offset)
        .limit(limit)
    )
    return to_records(HouseholdRecord, connection.execute(stmt, params).all())


def count_households(connection: Connection, criteria: HouseholdCriteria) -> int:
    where, params = _household_where(criteria)
    stmt = select(func.count()).select_from(HOUSEHOLD).where(*where)
    return int(connection.scalar(stmt, params) or 0)


def _members_statement(match: Match) -> Select[Any]:
    return (
        select(*record_columns(MemberRecord, MEMBER), *record_columns(PersonRecord, PERSON))
        .join(PERSON, PERSON.c.id == MEMBER.c.person_id)
        .where(match([MEMBER.c.household_id]))
        .order_by(MEMBER.c.household_id, MEMBER.c.member_no, MEMBER.c.person_id)
    )


def fetch_members(
    connection: Connection,
    household_ids: Sequence[int],
    where: ColumnElement[bool] | None = None,
    shape: Hashable = None,
) -> list[list[tuple[MemberRecord, PersonRecord]]]:
    """Each household's members with their persons, by member number (one statement),
    among the persons `where` admits (a caller's row filter, named by `shape`)."""
    groups: dict[int, list[tuple[MemberRecord, PersonRecord]]] = {h: [] for h in household_ids}

    def build(match: Match) -> Select[Any]:
        stmt = _members_statement(match)
        return stmt if where is None else stmt.where(where)

    stmt, params = keyed(connection, ("members", shape), list(groups), build)
    width = len(record_fields(MemberRecord))
    for row in fetch_rows(connection, stmt, params):
        member = MemberRecord(*row[:width])
        groups[member.household_id].append((member, PersonRecord(*row[width:])))
    return [groups[h] for h in household_ids]
