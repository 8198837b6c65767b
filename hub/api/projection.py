"""Which fields of which types a request's document can show anywhere.

A page of persons reads wide rows: three timestamps per person, and per household a date,
a timestamp, a JSON array and two numbers, repeated for every member on the page. Decoding
them was about a quarter of the CPU of a page of 100 persons with their households, whose
query shows none of them. A column that only one field shows need not be read when the
document selects that field nowhere: then no node built in this request can be asked for
it, whichever way the request reaches the node (its records may be shared through the
request's DataLoaders with any other part of the document). A column any resolver reads
for another purpose (a key, a relation) is always read.

`shown_fields(info)` lists the (type name, field name) pairs the request's operation
selects, through fragments and on every type an abstract type can be; directives are not
evaluated, so a field under `@skip` still counts as shown (reading it is only wasted).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)

if TYPE_CHECKING:
    from hub.api.context import Info

Composite = GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType
_KEPT = 1024
# id(operation) -> (the operation, its shown fields). Documents are parsed once per text
# (the schema's parser cache), so the same query brings the same operation node.
_SHOWN: dict[int, tuple[OperationDefinitionNode, frozenset[tuple[str, str]]]] = {}


def shown_fields(info: Info) -> frozenset[tuple[str, str]]:
    """The (type name, field name) pairs the request's operation selects anywhere."""
    raw = info._raw_info
    operation = raw.operation
    cached = _SHOWN.get(id(operation))
    if cached is not None and cached[0] is operation:
        return cached[1]
    shown = operation_fields(raw.schema, operation, raw.fragments)
    if len(_SHOWN) >= _KEPT:
        _SHOWN.clear()
    _SHOWN[id(operation)] = (operation, shown)
    return shown


def operation_fields(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
) -> frozenset[tuple[str, str]]:
    """The (type name, field name) pairs `operation` selects anywhere."""
    root = schema.get_root_type(operation.operation)
    found: set[tuple[str, str]] = set()
    if root is not None:
        _walk(schema, fragments, root, operation.selection_set, found, set())
    return frozenset(found)


def _walk(
    schema: GraphQLSchema,
    fragments: Mapping[str, FragmentDefinitionNode],
    parent: Composite,
    selection_set: SelectionSetNode,
    found: set[tuple[str, str]],
    entered: set[tuple[str, str]],
) -> None:
    if isinstance(parent, GraphQLObjectType):
        types: list[Composite] = [parent]
    else:  # an interface or union: the field may be read on any type it can be
        types = [parent, *schema.get_possible_types(parent)]
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            name = selection.name.value
            for graphql_type in types:
                found.add((graphql_type.name, name))
            fields = getattr(parent, "fields", {})
            field = fields.get(name) if isinstance(fields, Mapping) else None
            if field is not None and selection.selection_set is not None:
                child = get_named_type(field.type)
                if isinstance(child, Composite):
                    _walk(schema, fragments, child, selection.selection_set, found, entered)
        elif isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition
            target = parent if condition is None else schema.get_type(condition.name.value)
            if isinstance(target, Composite):
                _walk(schema, fragments, target, selection.selection_set, found, entered)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is None:
                continue
            target = schema.get_type(fragment.type_condition.name.value)
            key = (fragment.name.value, parent.name)
            if isinstance(target, Composite) and key not in entered:
                entered.add(key)
                _walk(schema, fragments, target, fragment.selection_set, found, entered)
