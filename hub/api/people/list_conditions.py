"""The conditions, bound parameters and order of the person and household lists, built from
their criteria (`hub.api.people.criteria`); the statements reading them are elsewhere
(`hub.api.people.data`, `hub.api.compiled.roots`)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable
from datetime import date
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Text,
    and_,
    bindparam,
    cast,
    exists,
    func,
    or_,
)

from hub.api.people.criteria import HouseholdCriteria, PersonCriteria, Territory
from hub.api.people.records import HOUSEHOLD, PERSON
from hub.api.records import table_of
from hub.api.vocabulary import OPEN_APPEAL_STATUSES
from hub.graph.models import Appeal, LandLease, Loan, NotebookEntry, TaxRegistration
from hub.identity.names.fold import UNKNOWN_LETTER


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


def person_list_flags(c: PersonCriteria) -> tuple[bool | None, ...]:
    """Whether a list of persons requires (True) or excludes (False) loans, a current lease,
    an open tax registration and an open appeal."""
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
    return (frozenset(params), person_list_flags(criteria), criteria.order, criteria.descending)


def person_list_where(
    criteria: PersonCriteria, params: Collection[str]
) -> list[ColumnElement[bool]]:
    """The conditions (on `PERSON`) of a list of persons binding `params`."""
    return _person_where(params, person_list_flags(criteria))


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
