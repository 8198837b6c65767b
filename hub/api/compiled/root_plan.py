"""A root field's plan (`Root`): the statement's cache key and how to build it, for one
object found by a key (`single`) and for a connection over a filtered, ordered list
(`listed`)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, bindparam, select

from hub.api.compiled.audited import ONE, PAGE, PERSON_KEY, PersonsKind
from hub.api.compiled.compile import Builder
from hub.api.compiled.selection import Sel, named_object

KEY = "root_key"


@dataclass(frozen=True)
class Root:
    """A root field's plan: `shape` (with the selection, the statement's cache key) and
    `build`, the statement from a builder and the field's `Sel`."""

    shape: Hashable
    # The statement from a builder, the field's `Sel` and how it tells its persons
    # (`hub.api.compiled.audited`: a second column for `ONE` and `PAGE`; roots that
    # cannot tell them are given None).
    build: Callable[[Builder, Sel, PersonsKind | None], Select[Any]]
    single: bool  # one object: no row means NOT_FOUND, which the regular path raises
    page: tuple[str, ...] = ()  # a connection's offset and limit parameters
    type_name: str | None = None  # the object type selected (None: the field's own)
    nullable: bool = False  # one object or null: no row answers null
    branches: tuple[str, ...] = ()  # `nodes`: the type of each id's object


def keyed_object(
    builder: Builder, type_name: str, table: Table, sels: Sequence[Sel], condition: Any
) -> Select[Any]:
    """The JSON of the `type_name` object of `table` that `condition` finds, among those
    the caller may see (no row when there is none)."""
    access = builder.access(type_name, table)
    return select(builder.object_json(type_name, table, sels)).where(
        condition, *([] if access is None else [access])
    )


def answered(
    builder: Builder, found: Select[Any], table: Table, persons: PersonsKind | None
) -> Select[Any]:
    """`found` (a `keyed_object`) as a root's statement: the object's JSON as text and,
    for a person (`ONE`), its hub id beside it."""
    columns = [builder.sql.as_text(found.selected_columns[0])]
    if persons == ONE:
        columns.append(table.c[PERSON_KEY])
    return found.with_only_columns(*columns)


def single(type_name: str, table: Table, column: str, *, nullable: bool = False) -> Root:
    def build(builder: Builder, sel: Sel, persons: PersonsKind | None) -> Select[Any]:
        assert sel.children is not None
        condition = table.c[column] == bindparam(KEY)
        found = keyed_object(builder, type_name, table, sel.children, condition)
        return answered(builder, found, table, persons)

    return Root(
        ("single", type_name, column), build, single=True, type_name=type_name, nullable=nullable
    )


def listed(
    kind: Hashable,
    node_type: str,
    table: Table,
    where: Callable[[], list[ColumnElement[bool]]],
    order: Callable[[], list[ColumnElement[Any]]],
    page: tuple[str, ...],
) -> Root:
    """A connection over `table`; `where` and `order` build their SQL only when the
    statement is built (once per shape)."""

    def build(builder: Builder, sel: Sel, persons: PersonsKind | None) -> Select[Any]:
        conditions, ordering = where(), order()
        query_type = builder.schema.query_type
        assert query_type is not None
        connection_type = named_object(query_type.fields[sel.name].type)
        assert connection_type is not None

        def condition(source: Any) -> ColumnElement[bool] | None:
            return and_(*conditions) if conditions else None

        def order_of(source: Any) -> list[ColumnElement[Any]]:
            return ordering

        if persons != PAGE:
            value = builder.connection(
                connection_type, node_type, table, condition, order_of, sel, paged_in_sql=True
            )
            return select(builder.sql.as_text(value))
        # The edges and the persons' hub ids aggregated over one read of the page.
        page = builder.page_of(node_type, table, condition, order_of, sel)
        value = builder.connection(
            connection_type,
            node_type,
            table,
            condition,
            order_of,
            sel,
            paged_in_sql=True,
            page=page,
        )
        keys = builder.page_column(page, PERSON_KEY)
        return select(builder.sql.as_text(value), keys.label("hub_ids")).select_from(page)

    return Root((kind, page), build, single=False, page=page)
