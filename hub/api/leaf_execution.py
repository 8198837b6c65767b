"""Completing plain scalar fields without graphql-core's per-field machinery.

Most fields the API returns are plain attributes of a node (a person's `fullName`, a
statistic's `population`): strawberry resolves them with `getattr` and graphql-core then
serializes the scalar. graphql-core still does, for each one, what a resolver might need:
build a `GraphQLResolveInfo`, coerce arguments, call through strawberry's wrapper, check
for an awaitable, and complete the value by its type. On a page of 100 persons that is
most of the 900 fields of the response, and most of the CPU of the request.

`LeafExecutionContext` takes a shortcut for exactly those fields: a field strawberry marks
as basic (no resolver, no extensions, no arguments) whose type is a scalar or enum, on a
schema without resolver middleware. It reads the attribute and serializes it. Anything
else, and any value that is None or fails to read or serialize, goes the regular way, so
errors (a null in a non-null field, say) come out exactly as before, from the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from graphql import (
    FieldNode,
    GraphQLEnumType,
    GraphQLField,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_nullable_type,
)
from graphql.execution.execute import get_field_def
from graphql.pyutils import AwaitableOrValue, Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.field import StrawberryField


@dataclass(frozen=True, slots=True)
class LeafPlan:
    """How to complete one plain scalar field: the attribute and the type's serializer."""

    attribute: str
    serialize: Callable[[Any], Any]


# id(GraphQLField) -> (the field, its plan or None); the schema's fields live as long as
# the process, and keeping the field makes a reused id impossible.
_PLANS: dict[int, tuple[GraphQLField, LeafPlan | None]] = {}


def _plan_of(field_def: GraphQLField) -> LeafPlan | None:
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    leaf = get_nullable_type(field_def.type)  # type: ignore[arg-type]
    if (
        not isinstance(definition, StrawberryField)
        or not getattr(field_def.resolve, "_is_default", False)
        or field_def.args
        or not isinstance(leaf, GraphQLScalarType | GraphQLEnumType)
        or definition.default_resolver is not getattr
    ):
        return None
    return LeafPlan(attribute=definition.python_name, serialize=leaf.serialize)


def leaf_plan(field_def: GraphQLField) -> LeafPlan | None:
    """The shortcut for `field_def`, or None when it must be executed the regular way."""
    cached = _PLANS.get(id(field_def))
    if cached is None or cached[0] is not field_def:
        cached = _PLANS[id(field_def)] = (field_def, _plan_of(field_def))
    return cached[1]


class LeafExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with plain scalar fields completed directly."""

    @cached_property
    def _has_middleware(self) -> bool:
        # strawberry always passes a manager; it wraps resolvers only when it has any.
        manager = self.middleware_manager
        return manager is not None and bool(manager.middlewares)

    def execute_field(
        self,
        parent_type: GraphQLObjectType,
        source: Any,
        field_nodes: list[FieldNode],
        path: Path,
    ) -> AwaitableOrValue[Any]:
        field_def = get_field_def(self.schema, parent_type, field_nodes[0])
        plan = leaf_plan(field_def) if field_def and not self._has_middleware else None
        if plan is not None:
            try:
                value = getattr(source, plan.attribute)
                serialized = plan.serialize(value) if value is not None else None
            except Exception:  # noqa: BLE001 - the regular way below reports it properly
                serialized = None
            if serialized is not None and serialized is not Undefined:
                return serialized
        return super().execute_field(parent_type, source, field_nodes, path)
