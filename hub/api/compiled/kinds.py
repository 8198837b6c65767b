"""The kinds of field a type's mapping declares (`hub.api.compiled.mapping`), the helpers
that declare them, and the default order of each to-many relation.

A row here is whatever the parent hands down: an alias of the type's table, a page
subquery over it (same column names), or a JSON column (`Same` passes `source`'s result).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, Table, func

from hub.api.compiled.json_sql import JsonSql
from hub.api.scalars import soums_sql

Row = Any  # an alias or subquery of the type's table, or what `Same.source` gave
Expr = Callable[[Row, JsonSql], ColumnElement[Any]]
Join = Callable[[Row, Any], ColumnElement[bool]]
Order = Callable[[Any], list[ColumnElement[Any]]]
# A field's arguments, beside a connection's page, as bind parameters by GraphQL name:
# only those given (not null), so which are given is part of the statement's shape.
Args = Mapping[str, BindParameter[Any]]
Where = Callable[[Any, Args], list[ColumnElement[bool]]]


@dataclass(frozen=True, slots=True)
class Arguments:
    """The arguments a mapped field reads (`names`, beside a connection's page): `check`
    raises `NotCompiled` for values the regular path rejects (given the coerced values of
    those given), so that path raises the error the client sees."""

    names: tuple[str, ...]
    check: Callable[[dict[str, Any]], None] | None = None


@dataclass(frozen=True, slots=True)
class Leaf:
    value: Expr


@dataclass(frozen=True, slots=True)
class LeafList:
    array: Expr  # a JSON array column of stored enum values


@dataclass(frozen=True, slots=True)
class Same:
    type_name: str
    source: Expr | None = None  # what the object's fields read (None: the same row)
    when: Expr | None = None  # the object exists when this holds (None: always)


@dataclass(frozen=True, slots=True)
class One:
    type_name: str
    table: Table
    join: Join
    order: Order | None = None
    arguments: Arguments | None = None
    where: Where | None = None  # conditions on the related row from the arguments


@dataclass(frozen=True, slots=True)
class Many:
    type_name: str
    table: Table
    join: Join
    order: Order
    connection: bool = True
    # Paged in SQL as the root lists are (`pagination.paginate_rows`: an empty page has no
    # next page), rather than cut from a loaded list (`connection_of_list`).
    paged_in_sql: bool = False
    arguments: Arguments | None = None
    where: Where | None = None  # conditions on the related rows from the arguments


@dataclass(frozen=True, slots=True)
class Rows:
    """A list of objects, one per row of a query (grouped rows, say) built from the parent
    row (which it may ignore), in the order of its columns `order`; with `one`, the object
    of the query's one row (sums, say). With `arguments`, `rows` is given the arguments
    (`Args`) after the row."""

    type_name: str
    rows: Callable[..., Select[Any]]
    order: tuple[str, ...] = ()
    one: bool = False  # the query gives one row, and the field is its object, not a list
    postgresql_only: bool = False
    arguments: Arguments | None = None


@dataclass(frozen=True, slots=True)
class Entries:
    type_name: str
    column: Expr  # a JSON object column; the items' fields read `Entry` rows


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a JSON object column: its key (text) and value (JSON)."""

    key: ColumnElement[Any]
    value: ColumnElement[Any]


FieldMap = Leaf | LeafList | Same | One | Many | Entries | Rows

# The default order of each to-many relation, by (table, parent column): the DataLoaders
# read with the same columns (`hub.api.loaders`).
ORDERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("tax_registration", "person_id"): ("registered_on", "tin"),
    ("employment_record", "person_id"): ("status_on", "record_no"),
    ("land_lease", "person_id"): ("start_on", "lease_id"),
    ("loan", "person_id"): ("issued_on", "loan_id"),
    ("notebook_entry", "person_id"): ("notebook", "source", "record_key"),
    ("appeal", "person_id"): ("received_at", "appeal_id"),
    ("source_record", "person_id"): ("source", "record_key"),
    ("person_conflict", "person_id"): ("attribute", "source", "record_key"),
    ("household_member", "household_id"): ("member_no", "person_id"),
    ("district", "region_code"): ("code",),
    ("mahalla", "district_code"): ("code",),
}


def col(name: str) -> Expr:
    return lambda row, sql: row.c[name]


def by_parent(parent: str, key: str = "id") -> Join:
    return lambda row, child: child.c[parent] == row.c[key]


def pointing(column: str, key: str = "id") -> Join:
    """The related row whose `key` the parent's `column` holds."""
    return lambda row, child: child.c[key] == row.c[column]


def ordered(table: Table, parent: str) -> Order:
    names = ORDERS[(table.name, parent)]
    return lambda child: [child.c[name] for name in names]


def many(type_name: str, table: Table, parent: str, key: str = "id") -> Many:
    return Many(type_name, table, by_parent(parent, key), ordered(table, parent))


def columns(*names: str, **renamed: str) -> dict[str, FieldMap]:
    """Leaves read from columns: GraphQL name = snake-case column, or `renamed`."""
    fields: dict[str, FieldMap] = {}
    for name in names:
        head, *rest = name.split("_")
        fields[head + "".join(part.title() for part in rest)] = Leaf(col(name))
    for graphql_name, column in renamed.items():
        fields[graphql_name] = Leaf(col(column))
    return fields


def soums(column: str) -> Leaf:
    return Leaf(lambda row, sql: soums_sql(row.c[column]))


def json_count(name: str) -> Leaf:
    """A category count in a breakdown column, 0 when absent (`HouseholdCategoryCounts.of`)."""
    return Leaf(lambda row, sql: func.coalesce(sql.json_int(sql.json_text(row, name)), 0))
