"""Building the JSON of a selection in SQL: objects, relations and connections.

`Builder.object_json(type, row, sels)` is the JSON object of the `Sel` tree `sels` (see
`hub.api.compiled.selection`) for the row `row` of the type's table, built by the type's
mapping (`hub.api.compiled.mapping`) with the database's JSON functions
(`hub.api.compiled.json_sql`):

- a leaf is its mapped expression, written as its GraphQL type writes it: booleans as
  JSON booleans, timestamps as `isoformat()`, enums by name (`INVALID` for a value outside
  the enum), everything else as the database's JSON writes it;
- a to-one relation is a correlated scalar subquery building the related object (the
  `INVALID` marker when a required one is missing);
- a connection is a correlated scalar subquery over a page of the related rows: the rows
  `[offset, offset + limit)` in the relation's order, their position (for the cursors)
  by `row_number()` over that order; `pageInfo` from the number of rows in
  `[offset, offset + limit + 1)`, as `hub.api.pagination` derives it from the rows it
  fetched; `totalCount` a count, built only when selected.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from enum import Enum
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
)
from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    and_,
    bindparam,
    case,
    func,
    literal_column,
    null,
    select,
)

from hub.api.compiled.json_sql import JsonSql, NotCompiled, key
from hub.api.compiled.mapping import (
    MAPPINGS,
    NODE_KEYS,
    Entries,
    Entry,
    FieldMap,
    Leaf,
    LeafList,
    Many,
    One,
    Same,
)
from hub.api.compiled.selection import Sel, named_object

Where = Callable[[Any], ColumnElement[bool] | None]
Ordering = Callable[[Any], list[ColumnElement[Any]]]
POSITION = "hub_position"


def _typename(name: str) -> ColumnElement[Any]:
    return literal_column(f"'{name}'")


def enum_names(enum_type: GraphQLEnumType) -> dict[str, str]:
    """Stored value -> GraphQL name of each value of `enum_type`."""
    names: dict[str, str] = {}
    for name, value in enum_type.values.items():
        stored = value.value.value if isinstance(value.value, Enum) else value.value
        names[str(stored)] = name
    return names


class Builder:
    """The JSON-building SQL of selections over one schema and one database."""

    def __init__(self, schema: GraphQLSchema, sql: JsonSql) -> None:
        self.schema = schema
        self.sql = sql

    def _type(self, name: str) -> GraphQLObjectType:
        graphql_type = self.schema.type_map[name]
        assert isinstance(graphql_type, GraphQLObjectType)
        return graphql_type

    def object_json(self, type_name: str, row: Any, sels: Sequence[Sel]) -> ColumnElement[Any]:
        object_type = self._type(type_name)
        mapping = MAPPINGS.get(type_name, {})
        pairs = [(s.alias, self._value(object_type, mapping, row, s)) for s in sels]
        return self.sql.object(pairs)

    def _value(
        self, object_type: GraphQLObjectType, mapping: dict[str, FieldMap], row: Any, sel: Sel
    ) -> ColumnElement[Any]:
        if sel.name == "__typename":
            return _typename(object_type.name)
        field_def = object_type.fields[sel.name]
        mapped = mapping.get(sel.name)
        if mapped is None and sel.name == "id":
            return self.sql.global_id(object_type.name, NODE_KEYS[object_type.name](row, self.sql))
        required = isinstance(field_def.type, GraphQLNonNull)
        if isinstance(mapped, Leaf):
            return self._leaf(field_def.type, mapped.value(row, self.sql))
        if isinstance(mapped, LeafList):
            item = named_object(field_def.type)
            enum_type = _named(field_def.type)
            if item is not None or not isinstance(enum_type, GraphQLEnumType):
                raise NotCompiled(f"{object_type.name}.{sel.name}: a list of non-enums")
            return self.sql.enum_array(mapped.array(row, self.sql), enum_names(enum_type))
        assert sel.children is not None
        if isinstance(mapped, Same):
            source = row if mapped.source is None else mapped.source(row, self.sql)
            return self.object_json(mapped.type_name, source, sel.children)
        if isinstance(mapped, One):
            return self._one(mapped, row, sel.children, required)
        if isinstance(mapped, Entries):
            return self._entries(mapped, row, sel.children)
        if isinstance(mapped, Many):
            connection_type = named_object(field_def.type)
            assert connection_type is not None
            child = mapped.table.alias()
            return self.connection(
                connection_type,
                mapped.type_name,
                child,
                lambda c: mapped.join(row, c),
                mapped.order,
                sel,
                paged_in_sql=mapped.paged_in_sql,
            )
        raise NotCompiled(f"{object_type.name}.{sel.name} is not mapped")

    def _leaf(self, graphql_type: Any, value: ColumnElement[Any]) -> ColumnElement[Any]:
        named = _named(graphql_type)
        if isinstance(named, GraphQLEnumType):
            return self.sql.enum_name(value, enum_names(named))
        if named.name == "Boolean":
            return self.sql.boolean(value)
        if named.name == "DateTime":
            return self.sql.timestamp(value)
        return value

    def _one(
        self, mapped: One, row: Any, sels: Sequence[Sel], required: bool
    ) -> ColumnElement[Any]:
        child = mapped.table.alias()
        query = select(self.object_json(mapped.type_name, child, sels)).where(
            mapped.join(row, child)
        )
        if mapped.order is not None:
            query = query.order_by(*mapped.order(child)).limit(1)
        value: ColumnElement[Any] = query.scalar_subquery()
        if required:
            value = func.coalesce(value, self.sql.invalid_json())
        return self.sql.embedded(value)

    def _entries(self, mapped: Entries, row: Any, sels: Sequence[Sel]) -> ColumnElement[Any]:
        items, order = self.sql.entries(mapped.column(row, self.sql))
        entry = Entry(items.c.key, items.c.value)
        element = self.object_json(mapped.type_name, entry, sels)
        listed = select(self.sql.array(element, order)).select_from(items).scalar_subquery()
        return self.sql.embedded(listed)

    def connection(
        self,
        connection_type: GraphQLObjectType,
        node_type: str,
        source: FromClause,
        where: Where,
        order: Ordering,
        sel: Sel,
        *,
        paged_in_sql: bool,
    ) -> ColumnElement[Any]:
        """The connection `sel` over the rows of `source` matching `where`, in `order`
        (`paged_in_sql`: paged in SQL as root lists are, so an empty page has no next page)."""
        offset_name, limit_name = sel.params
        offset = bindparam(offset_name, type_=Integer)
        limit = bindparam(limit_name, type_=Integer)
        assert sel.children is not None

        def filtered(query: Any) -> Any:
            condition = where(source)
            return query if condition is None else query.where(condition)

        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for part in sel.children:
            if part.name == "__typename":
                pairs.append((part.alias, _typename(connection_type.name)))
            elif part.name == "totalCount":
                total = filtered(select(func.count()).select_from(source)).scalar_subquery()
                pairs.append((part.alias, total))
            elif part.name == "pageInfo":
                assert part.children is not None
                pairs.append(
                    (
                        part.alias,
                        self._page_info(
                            part.children, filtered, source, order, offset, limit, paged_in_sql
                        ),
                    )
                )
            elif part.name == "edges":
                edge_type = named_object(connection_type.fields["edges"].type)
                assert edge_type is not None and part.children is not None
                pairs.append(
                    (
                        part.alias,
                        self._edges(
                            edge_type,
                            node_type,
                            part.children,
                            filtered,
                            source,
                            order,
                            offset,
                            limit,
                        ),
                    )
                )
            else:
                raise NotCompiled(f"{connection_type.name}.{part.name}")
        return self.sql.object(pairs)

    def _edges(
        self,
        edge_type: GraphQLObjectType,
        node_type: str,
        sels: Sequence[Sel],
        filtered: Callable[[Any], Any],
        source: FromClause,
        order: Ordering,
        offset: Any,
        limit: Any,
    ) -> ColumnElement[Any]:
        ordering = order(source)
        position = (func.row_number().over(order_by=ordering) - 1).label(POSITION)
        # A derived table does not correlate by itself: its condition names the parent
        # row, which the enclosing statement provides.
        page = (
            filtered(select(*source.c, position).select_from(source))
            .correlate_except(source)
            .order_by(*ordering)
            .offset(offset)
            .limit(limit)
            .subquery()
        )
        pairs: list[tuple[str, ColumnElement[Any]]] = []
        for part in sels:
            if part.name == "__typename":
                pairs.append((part.alias, _typename(edge_type.name)))
            elif part.name == "cursor":
                pairs.append((part.alias, self.sql.cursor(page.c[POSITION])))
            elif part.name == "node":
                assert part.children is not None
                pairs.append((part.alias, self.object_json(node_type, page, part.children)))
            else:
                raise NotCompiled(f"{edge_type.name}.{part.name}")
        element = self.sql.object(pairs)
        listed = select(self.sql.array(element, [page.c[POSITION]])).select_from(page)
        return self.sql.embedded(listed.scalar_subquery())

    def _page_info(
        self,
        sels: Sequence[Sel],
        filtered: Callable[[Any], Any],
        source: FromClause,
        order: Ordering,
        offset: Any,
        limit: Any,
        paged_in_sql: bool,
    ) -> ColumnElement[Any]:
        window = (
            filtered(select(literal_column("1").label("one")).select_from(source))
            .correlate_except(source)
            .order_by(*order(source))
            .offset(offset)
            .limit(limit + 1)
            .subquery()
        )
        counted = select(func.count().label("n")).select_from(window).subquery()
        n = counted.c.n
        size = case((n > limit, limit), else_=n)
        has_next: ColumnElement[Any] = n > limit
        if paged_in_sql:  # `paginate_rows` fetches nothing for an empty page
            has_next = and_(limit > 0, has_next)
        values: dict[str, Callable[[], ColumnElement[Any]]] = {
            "__typename": lambda: _typename("PageInfo"),
            "hasNextPage": lambda: self.sql.boolean(has_next),
            "hasPreviousPage": lambda: self.sql.boolean(offset > 0),
            "startCursor": lambda: case((size > 0, self.sql.cursor(offset)), else_=null()),
            "endCursor": lambda: case((size > 0, self.sql.cursor(offset + size - 1)), else_=null()),
        }
        pairs = []
        for part in sels:
            if part.name not in values:
                raise NotCompiled(f"PageInfo.{part.name}")
            pairs.append((part.alias, values[part.name]()))
        info = select(self.sql.object(pairs)).select_from(counted).scalar_subquery()
        return self.sql.embedded(info)


def _named(graphql_type: Any) -> Any:
    while hasattr(graphql_type, "of_type"):
        graphql_type = graphql_type.of_type
    return graphql_type


__all__ = ["Builder", "enum_names", "key"]
