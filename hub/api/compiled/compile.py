"""Building the JSON of a selection in SQL: objects, relations and connections.

`Builder.object_json(type, row, sels)` is the JSON object of the `Sel` tree `sels` (see
`hub.api.compiled.selection`) for the row `row` of the type's table, built by the type's
mapping (`hub.api.compiled.mapping`) with the database's JSON functions
(`hub.api.compiled.json_sql`):

- a leaf is its mapped expression, written as its GraphQL type writes it: booleans as
  JSON booleans, timestamps as `isoformat()`, enums by name (`INVALID` for a value outside
  the enum), everything else as the database's JSON writes it;
- a to-one relation is a correlated scalar subquery building the related object (the
  `INVALID` marker when a required one is missing); on the nodes of a connection's page it
  is joined into the page instead (`joined_ones`, see `ConnectionBuilder._page`);
- a connection is a correlated scalar subquery over a page of the related rows
  (`hub.api.compiled.connections`).
"""

from __future__ import annotations

from collections.abc import Sequence
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
    and_,
    bindparam,
    case,
    func,
    null,
    select,
    true,
)

from hub.api.access.rule_lookup import row_filter_of
from hub.api.access.rules import TERRITORY
from hub.api.compiled.connections import ConnectionBuilder, typename
from hub.api.compiled.json_sql import JsonSql, NotCompiled, key
from hub.api.compiled.kinds import Args
from hub.api.compiled.mapping import (
    MAPPINGS,
    NODE_IDS,
    NODE_KEYS,
    Entries,
    Entry,
    FieldMap,
    Leaf,
    LeafList,
    Many,
    One,
    Rows,
    Same,
)
from hub.api.compiled.selection import ACCESS_HIGH, ACCESS_LOW, Sel, _names, named_object


def enum_names(enum_type: GraphQLEnumType) -> dict[str, str]:
    """Stored value -> GraphQL name of each value of `enum_type`."""
    names: dict[str, str] = {}
    for name, value in enum_type.values.items():
        stored = value.value.value if isinstance(value.value, Enum) else value.value
        names[str(stored)] = name
    return names


class Builder(ConnectionBuilder):
    """The JSON-building SQL of selections over one schema and one database."""

    def __init__(self, schema: GraphQLSchema, sql: JsonSql, *, territory: bool = False) -> None:
        self.schema = schema
        self.sql = sql
        self.territory = territory
        # (page, to-one selection) -> the page's column holding its JSON (`joined_ones`).
        self._joined: dict[tuple[int, int], str] = {}

    def access(self, type_name: str, row: Any) -> ColumnElement[bool] | None:
        """With `territory`, the condition that `row` (of `type_name`) lies in the
        caller's territory, when the rule table filters that type by it; else None."""
        if not self.territory or TERRITORY not in _names(row_filter_of(type_name)):
            return None
        if "mahalla_code" not in row.c:
            raise NotCompiled(f"{type_name}: no mahalla code to filter by")
        column: ColumnElement[Any] = row.c.mahalla_code
        return column.between(bindparam(ACCESS_LOW), bindparam(ACCESS_HIGH))

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
        if sel.masked:
            return null()  # with its FORBIDDEN error (`hub.api.compiled.masks`)
        if sel.name == "__typename":
            return typename(object_type.name)
        field_def = object_type.fields[sel.name]
        mapped = mapping.get(sel.name)
        if mapped is None and sel.name == "id":
            composite = NODE_IDS.get(object_type.name)
            key_text = row.c[NODE_KEYS[object_type.name]] if composite is None else composite(row)
            return self.sql.global_id(object_type.name, key_text)
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
            built = self.object_json(mapped.type_name, source, sel.children)
            if mapped.when is None:
                return built
            return self.sql.embedded(case((mapped.when(row, self.sql), built), else_=null()))
        if isinstance(mapped, One):
            return self._one(mapped, row, sel, required)
        if isinstance(mapped, Entries):
            return self._entries(mapped, row, sel.children)
        if isinstance(mapped, Rows):
            return self.rows(mapped, row, sel.children, _args(sel))
        if isinstance(mapped, Many):
            connection_type = named_object(field_def.type)
            assert connection_type is not None
            child = mapped.table.alias()
            many_where = mapped.where
            given = _args(sel)
            return self.connection(
                connection_type,
                mapped.type_name,
                child,
                lambda c: and_(
                    mapped.join(row, c), *([] if many_where is None else many_where(c, given))
                ),
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

    def _one_query(self, mapped: One, row: Any, sel: Sel) -> Any:
        """The select of the JSON of the to-one relation `sel` of `row`."""
        assert sel.children is not None
        child = mapped.table.alias()
        conditions = [mapped.join(row, child), self.access(mapped.type_name, child)]
        if mapped.where is not None:
            conditions += mapped.where(child, _args(sel))
        query = select(
            self.object_json(mapped.type_name, child, sel.children).label("hub_json")
        ).where(*(c for c in conditions if c is not None))
        if mapped.order is not None:
            query = query.order_by(*mapped.order(child)).limit(1)
        return query

    def joined_ones(
        self, node_type: str, source: FromClause, node_sels: Sequence[Sel]
    ) -> tuple[FromClause, list[tuple[Sel, ColumnElement[Any]]]]:
        """`source` left-joined laterally to the JSON of each to-one relation selected
        in `node_sels` (on rows of `node_type`), and those JSON columns."""
        mapping = MAPPINGS.get(node_type, {})
        joined: FromClause = source
        ones: list[tuple[Sel, ColumnElement[Any]]] = []
        for sel in node_sels:
            mapped = mapping.get(sel.name)
            if not isinstance(mapped, One) or sel.masked or sel.children is None:
                continue
            related = self._one_query(mapped, source, sel).lateral()
            joined = joined.outerjoin(related, true())
            ones.append((sel, related.c.hub_json))
        return joined, ones

    def joined_into(self, page: FromClause, labels: Sequence[tuple[Sel, str]]) -> None:
        """Have the nodes built over `page` read the relations `labels` names from it."""
        for sel, label in labels:
            self._joined[(id(page), id(sel))] = label

    def _one(self, mapped: One, row: Any, sel: Sel, required: bool) -> ColumnElement[Any]:
        label = self._joined.get((id(row), id(sel)))
        value: ColumnElement[Any]
        if label is not None:
            value = row.c[label]  # joined into the page (`joined_ones`)
        else:
            value = self._one_query(mapped, row, sel).scalar_subquery()
        if required:
            value = func.coalesce(value, self.sql.invalid_json())
        return self.sql.embedded(value)

    def _entries(self, mapped: Entries, row: Any, sels: Sequence[Sel]) -> ColumnElement[Any]:
        items, order = self.sql.entries(mapped.column(row, self.sql))
        entry = Entry(items.c.key, items.c.value)
        element = self.object_json(mapped.type_name, entry, sels)
        listed = select(self.sql.array(element, order)).select_from(items).scalar_subquery()
        return self.sql.embedded(listed)

    def rows(
        self, mapped: Rows, row: Any, sels: Sequence[Sel], given: Args | None = None
    ) -> ColumnElement[Any]:
        """The JSON list of `mapped`'s rows (`row`: the parent's, None at the root; `given`:
        the field's arguments, for a mapping that reads them)."""
        if mapped.postgresql_only and self.sql.name != "postgresql":
            raise NotCompiled(f"{mapped.type_name} from its own query on {self.sql.name}")
        query = mapped.rows(row) if mapped.arguments is None else mapped.rows(row, given or {})
        if isinstance(row, FromClause):
            query = query.correlate(row)  # the rows may name the parent row
        rows = query.subquery()
        element = self.object_json(mapped.type_name, rows, sels)
        if mapped.one:
            one = select(element).select_from(rows).scalar_subquery()
            return self.sql.embedded(one)
        order = [rows.c[name] for name in mapped.order]
        listed = select(self.sql.array(element, order)).select_from(rows).scalar_subquery()
        return self.sql.embedded(listed)


def _args(sel: Sel) -> Args:
    """The arguments `sel` was given, as the bind parameters holding their values."""
    return {name: bindparam(parameter) for name, parameter in sel.arguments}


def _named(graphql_type: Any) -> Any:
    while hasattr(graphql_type, "of_type"):
        graphql_type = graphql_type.of_type
    return graphql_type


__all__ = ["Builder", "enum_names", "key"]
