"""The people reads: pages and counts of the person and household lists, the columns a
page may leave unread, and each household's members."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Sequence
from functools import cache
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Integer,
    Select,
    Table,
    bindparam,
    func,
    null,
    select,
)

from hub.api.batch_fetch import Match, kept_statement, keyed
from hub.api.driver_rows import fetch_rows
from hub.api.people.criteria import HouseholdCriteria, PersonCriteria
from hub.api.people.list_conditions import (
    household_list_order,
    household_list_where,
    person_list_flags,
    person_list_order,
    person_list_parameters,
    person_list_shape,
    person_list_where,
)
from hub.api.people.records import (
    HOUSEHOLD,
    MEMBER,
    PERSON,
    HouseholdRecord,
    MemberRecord,
    PersonRecord,
)
from hub.api.records import (
    record_columns,
    record_fields,
    select_labelled,
    select_records,
    to_records,
)


def _persons_page(
    kind: Hashable,
    base: Callable[[], Select[Any]],
    criteria: PersonCriteria,
    offset: int,
    limit: int,
) -> tuple[Select[Any], dict[str, Any]]:
    """The page statement over `base` (kept per kind and shape of the criteria: which
    parameters are set, the flags and the order) and its parameters."""
    params = person_list_parameters(criteria)
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
    params = person_list_parameters(criteria)
    stmt = kept_statement(
        ("count persons", frozenset(params), person_list_flags(criteria)),
        lambda: (
            select(func.count()).select_from(PERSON).where(*person_list_where(criteria, params))
        ),
    )
    return int(fetch_rows(connection, stmt, params)[0][0] or 0)


def fetch_households(
    connection: Connection, criteria: HouseholdCriteria, offset: int, limit: int
) -> list[HouseholdRecord]:
    where, params = household_list_where(criteria)
    stmt = (
        select_records(HouseholdRecord, HOUSEHOLD)
        .where(*where)
        .order_by(*household_list_order(criteria))
        .offset(offset)
        .limit(limit)
    )
    return to_records(HouseholdRecord, connection.execute(stmt, params).all())


def count_households(connection: Connection, criteria: HouseholdCriteria) -> int:
    where, params = household_list_where(criteria)
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
