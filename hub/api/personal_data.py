"""Which responses return personal data, and the hub ids of the persons they return.

The rule (the audit log's, `hub.api.audit`): a response returns personal data when its
`data` holds at least one non-null object of a type in `PERSONAL_TYPES`: a person, a
household, a household membership, an agency's record about a person, a source record
(the agency's own copy of a mention) or a quarantined record (whose raw text holds the
row as delivered). Aggregates, territory and the assistant directory are not personal.

The response JSON is walked beside the operation's selections and the schema (aliases,
fragments and abstract types resolved as GraphQL resolves them), because compiled root
fields reach the encoder as raw JSON text and never pass through a resolver. A person's
hub id is read from its `hubId` or from its global `id`, when the query selected either;
an object of an interface type whose concrete type the response does not name is taken
as personal when any of its possible types is.

The types live in `hub.api.personal_types`, the walk in `hub.api.personal_walk`; this
module holds the entry points the audit log calls.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_operation_ast,
)

from hub.api.personal_types import is_personal, named_type
from hub.api.personal_walk import PersonalRead, Walker


def personal_read(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    data: Any,
    told: Mapping[str, Sequence[str]] | None = None,
) -> PersonalRead:
    """Walk `data` (the response's `data`) along `document`'s operation.

    `told`: root fields whose persons are already known (response key -> hub ids, as the
    compiled statements tell them, `hub.api.compiled.audited`); their JSON is not read,
    and one that returned a person makes the response personal."""
    read = PersonalRead()
    operation = get_operation_ast(document, operation_name)
    query_type = schema.query_type
    if operation is None or query_type is None or not isinstance(data, dict):
        return read
    read.operation_name = operation.name.value if operation.name else None
    if told:
        for ids in told.values():
            read.personal = read.personal or bool(ids)
            read.person_ids.update(ids)
        data = {k: v for k, v in data.items() if k not in told}
    fragments = _fragments(document)
    Walker(schema, fragments, read).object(query_type, [operation.selection_set], data)
    return read


def _fragments(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def root_keys(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> tuple[str | None, frozenset[str]]:
    """The operation's name as the document gives it, and the response keys of every root
    field it may select (fragments included, whatever their directives)."""
    operation = get_operation_ast(document, operation_name)
    query_type = schema.query_type
    if operation is None or query_type is None:
        return None, frozenset()
    walker = Walker(schema, _fragments(document), PersonalRead())
    keys = frozenset(walker.fields(query_type, [operation.selection_set]))
    return (operation.name.value if operation.name else None), keys


def may_return_personal(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> bool:
    """Whether the operation selects any field of a personal type at all (from the
    document alone): when not, its responses need not be read."""
    operation = get_operation_ast(document, operation_name)
    if operation is None or schema.query_type is None:
        return False
    fragments = _fragments(document)
    pending: list[tuple[GraphQLNamedType, SelectionSetNode]] = [
        (schema.query_type, operation.selection_set)
    ]
    seen: set[str] = set()
    while pending:
        parent, selection_set = pending.pop()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                fields = getattr(parent, "fields", {})
                definition = fields.get(selection.name.value)
                if definition is None:
                    continue
                named = named_type(definition.type)
                if is_personal(schema, named):
                    return True
                if selection.selection_set is not None:
                    pending.append((named, selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                narrowed = schema.get_type(condition.name.value) if condition else parent
                if narrowed is not None and is_personal(schema, narrowed):
                    return True
                pending.append((narrowed or parent, selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is None or fragment.name.value in seen:
                    continue
                seen.add(fragment.name.value)
                narrowed = schema.get_type(fragment.type_condition.name.value)
                if narrowed is not None and is_personal(schema, narrowed):
                    return True
                pending.append((narrowed or parent, fragment.selection_set))
    return False
