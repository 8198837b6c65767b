"""The actual cost of a response: the requested cost's rules applied to what it returned.

The requested cost (`hub.api.limits.cost`) counts a connection's page as full and every
other list as `LIST_FACTOR` long. Once the operation has run, the same rules over the
response's `data` count the edges really returned, the lists' real lengths and nothing
for a null object. A root field answered by a compiled statement reaches the response as
its JSON text, which is not decoded for this: it counts its requested share. The view
reports the actual cost beside the requested one when it is lower (`extensions.cost`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
    is_composite_type,
)

from hub.api.limits.cost_walk import TOTAL_COUNT_COST, is_connection


def actual_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    data: Any,
    requested_roots: Mapping[str, int],
) -> int | None:
    """The cost of `data` (a response's data) for the operation; None when it cannot be
    told (no such operation, no data)."""
    if (
        isinstance(data, dict)
        and data
        and all(_compiled_root(key, value, requested_roots) for key, value in data.items())
    ):
        # Every root field answered by a compiled statement (the common case): their
        # requested shares, without walking the document.
        return sum(requested_roots[key] for key in data)
    operation = get_operation_ast(document, operation_name)
    root = schema.get_root_type(operation.operation) if operation is not None else None
    if operation is None or root is None or not isinstance(data, dict):
        return None
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    counter = _Counter(schema, fragments)
    total = 0
    fields = counter.fields(root, [operation.selection_set])
    for key, value in data.items():
        nodes = fields.get(key)
        if not nodes:
            continue
        if _compiled_root(key, value, requested_roots):
            total += requested_roots[key]  # a compiled root field's JSON text
            continue
        field_def = root.fields.get(nodes[0].name.value)
        if field_def is not None:
            total += counter.value(root, field_def, nodes, value)
    return total


def _compiled_root(key: str, value: Any, requested_roots: Mapping[str, int]) -> bool:
    """Whether the root field `key`'s `value` is a compiled statement's JSON text."""
    return not isinstance(value, dict | list) and value is not None and key in requested_roots


class _Counter:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode]):
        self.schema = schema
        self.fragments = fragments
        self._merged: dict[tuple[str, tuple[int, ...]], dict[str, list[FieldNode]]] = {}

    def value(
        self, parent: GraphQLObjectType, field_def: GraphQLField, nodes: list[FieldNode], value: Any
    ) -> int:
        """The cost of one field's value (`field_def` of `parent`, selected by `nodes`)."""
        named = get_named_type(field_def.type)
        name = nodes[0].name.value
        if value is None:
            return 0
        if not is_composite_type(named):
            return TOTAL_COUNT_COST if name == "totalCount" and is_connection(parent) else 0
        if named.name == "PageInfo":
            return 0
        sets = [n.selection_set for n in nodes if n.selection_set is not None]
        if name == "edges" and is_connection(parent):  # edges are free, their nodes not
            return sum(self.children(named, sets, item) for item in _items(value))
        if is_connection(named):
            return 1 + self.children(named, sets, value)
        items = (item for item in _items(value) if item is not None)
        return sum(1 + self.children(named, sets, item) for item in items)

    def children(self, named: Any, sets: list[SelectionSetNode], value: Any) -> int:
        """The cost of the fields of one object `value` (of `named`, maybe abstract)."""
        if not isinstance(value, dict):
            return 0
        concrete = named
        if not isinstance(named, GraphQLObjectType):
            typename = value.get("__typename")
            found = self.schema.get_type(typename) if isinstance(typename, str) else None
            concrete = found if isinstance(found, GraphQLObjectType) else None
        fields = self.fields(concrete, sets)
        total = 0
        for key, item in value.items():
            nodes = fields.get(key)
            if not nodes:
                continue
            name = nodes[0].name.value
            object_type = concrete or self._owner(named, name)
            field_def = object_type.fields.get(name) if object_type is not None else None
            if object_type is None or field_def is None:
                continue  # `__typename` costs nothing
            total += self.value(object_type, field_def, nodes, item)
        return total

    def _owner(self, abstract: Any, name: str) -> GraphQLObjectType | None:
        """A possible type of `abstract` with the field `name` (concrete type unknown)."""
        for candidate in self.schema.get_possible_types(abstract):
            if name in candidate.fields:
                return candidate
        return None

    def fields(
        self, object_type: GraphQLObjectType | None, sets: list[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Response key -> its nodes, the fragments that apply to `object_type` merged in
        (all of them when it is not known)."""
        memo = (object_type.name if object_type else "", tuple(id(s) for s in sets))
        merged = self._merged.get(memo)
        if merged is not None:
            return merged
        found: dict[str, list[FieldNode]] = defaultdict(list)
        pending, seen = list(reversed(sets)), set()
        while pending:
            for selection in pending.pop().selections:
                if isinstance(selection, FieldNode):
                    found[(selection.alias or selection.name).value].append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if condition is None or self._applies(condition.name.value, object_type):
                        pending.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = self.fragments.get(selection.name.value)
                    if fragment is None or fragment.name.value in seen:
                        continue
                    seen.add(fragment.name.value)
                    if self._applies(fragment.type_condition.name.value, object_type):
                        pending.append(fragment.selection_set)
        self._merged[memo] = found
        return found

    def _applies(self, condition: str, object_type: GraphQLObjectType | None) -> bool:
        if object_type is None or condition == object_type.name:
            return True
        named = self.schema.get_type(condition)
        return (
            named is not None
            and not isinstance(named, GraphQLObjectType)
            and (
                self.schema.is_sub_type(named, object_type)  # type: ignore[arg-type]
            )
        )


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
