"""The walk of a root field's selection into a `Sel` tree, the compiler's input.

graphql-core's execution context collects each object's subfields as execution would:
aliases, fragment spreads and inline fragments on the concrete type, `@skip`/`@include`
with the request's variables, and graphql-core coerces each field's arguments
(`get_argument_values`). The walk keeps what shapes the statement: each selected field's
response name, field name and subselection, and for a connection the names of the bind
parameters of its page. The values go into `params`. So the tree is the statement's cache
key: one document, its operation and its directives' values give one tree (the values of
arguments are parameters), and the statement built from it is built once
(`hub.api.compiled.execution`).

A field the mapping does not declare, or arguments the regular path would reject or that
the compiler does not support (a connection's `last`), raise `NotCompiled`: the root
field then goes the regular way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

from graphql import (
    FieldNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
)
from graphql.execution import ExecutionContext
from graphql.execution.values import get_argument_values

from hub.api.compiled.json_sql import NotCompiled
from hub.api.compiled.mapping import MAPPINGS, NODE_KEYS, Many
from hub.api.errors import BadUserInputError
from hub.api.pagination import PageArgs, PageWindow


class Sel(NamedTuple):
    """One selected field: its response name, field name, subselection (None for a leaf)
    and the names of its bind parameters (a connection's offset and limit)."""

    alias: str
    name: str
    children: tuple[Sel, ...] | None = None
    params: tuple[str, ...] = ()


def named_object(graphql_type: GraphQLOutputType) -> GraphQLObjectType | None:
    """The object type under non-null and list wrappers, else None."""
    while isinstance(graphql_type, GraphQLNonNull | GraphQLList):
        graphql_type = graphql_type.of_type
    return graphql_type if isinstance(graphql_type, GraphQLObjectType) else None


@dataclass
class Walk:
    """One root field's walk: the execution context and the parameters gathered."""

    context: ExecutionContext
    params: dict[str, Any] = field(default_factory=dict)

    def parameter(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return name

    def selection(self, object_type: GraphQLObjectType, nodes: list[FieldNode]) -> tuple[Sel, ...]:
        """The subfields of `nodes` on `object_type`, as mapped."""
        fields = self.context.collect_subfields(object_type, nodes)
        return tuple(self._field(object_type, alias, group) for alias, group in fields.items())

    def _field(self, parent: GraphQLObjectType, alias: str, nodes: list[FieldNode]) -> Sel:
        name = nodes[0].name.value
        if name == "__typename":
            return Sel(alias, name)
        mapped = MAPPINGS.get(parent.name, {}).get(name)
        field_def = parent.fields.get(name)
        if field_def is None:
            raise NotCompiled(f"{parent.name}.{name} is not a field")
        own = (name == "id" and parent.name in NODE_KEYS) or _is_connection_part(parent.name)
        if mapped is None and not own:
            raise NotCompiled(f"{parent.name}.{name} is not mapped")
        child_type = named_object(field_def.type)
        params: tuple[str, ...] = ()
        if field_def.args:
            arguments = get_argument_values(field_def, nodes[0], self.context.variable_values)
            if not isinstance(mapped, Many) or not mapped.connection:
                raise NotCompiled(f"{parent.name}.{name} takes arguments")
            params = self.page(arguments)
        if child_type is None:
            return Sel(alias, name, None, params)
        return Sel(alias, name, self.selection(child_type, nodes), params)

    def page(self, arguments: dict[str, Any]) -> tuple[str, str]:
        """The offset and limit parameters of a connection's page (forward pages only)."""
        try:
            args = PageArgs(
                arguments.get("first"),
                arguments.get("after"),
                arguments.get("last"),
                arguments.get("before"),
            )
        except BadUserInputError as exc:
            raise NotCompiled("arguments the regular path rejects") from exc
        if args.last is not None:
            raise NotCompiled("backward pages (last)")
        window = PageWindow.of(args)
        return self.parameter(window.offset), self.parameter(window.limit)


def _is_connection_part(type_name: str) -> bool:
    """The fields of connections, edges and page infos are the compiler's own."""
    return type_name.endswith(("Connection", "Edge")) or type_name == "PageInfo"
