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
"""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLAbstractType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
    is_abstract_type,
)

PERSONAL_TYPES = frozenset(
    {
        "Person",
        "Household",
        "HouseholdMember",
        "TaxRegistration",
        "EmploymentRecord",
        "LandLease",
        "Loan",
        "NotebookEntry",
        "Appeal",
        "SourceRecord",
        "PersonConflict",
        "QuarantinedRecord",
    }
)
PERSON_TYPE = "Person"


@dataclass
class PersonalRead:
    """What one response returned: whether anything personal, and which persons."""

    personal: bool = False
    person_ids: set[str] = field(default_factory=set)
    # The operation's name as the document gives it (the client need not send it).
    operation_name: str | None = None


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
    _Walker(schema, fragments, read).object(query_type, [operation.selection_set], data)
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
    walker = _Walker(schema, _fragments(document), PersonalRead())
    keys = frozenset(walker._fields(query_type, [operation.selection_set]))
    return (operation.name.value if operation.name else None), keys


@dataclass
class _Plan:
    personal: bool
    # (response key, whether it holds a global id rather than a hub id)
    person_keys: list[tuple[str, bool]] = field(default_factory=list)
    # (response key, field type, its selections, whether a Person can be below it)
    children: list[tuple[str, GraphQLOutputType, list[SelectionSetNode], bool]] = field(
        default_factory=list
    )


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        read: PersonalRead,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.read = read
        # The same selections recur for each of a page's objects: merge them once.
        self._merged: dict[tuple[str | None, tuple[int, ...]], dict[str, list[FieldNode]]] = {}
        self._plans: dict[tuple[str, int], _Plan] = {}
        self._keep: list[list[SelectionSetNode]] = []

    def value(self, type_: GraphQLOutputType, sets: list[SelectionSetNode], value: Any) -> None:
        if value is None:
            return
        if isinstance(type_, GraphQLNonNull):
            self.value(type_.of_type, sets, value)
        elif isinstance(type_, GraphQLList):
            if isinstance(value, list):
                for item in value:
                    self.value(type_.of_type, sets, item)
        elif isinstance(value, dict) and sets and isinstance(type_, GraphQLNamedType):
            for object_type in self._runtime_types(type_, sets, value):
                self.object(object_type, sets, value)

    def _runtime_types(
        self, type_: GraphQLNamedType, sets: list[SelectionSetNode], value: dict[str, Any]
    ) -> Iterable[GraphQLObjectType]:
        if isinstance(type_, GraphQLObjectType):
            return [type_]
        if not is_abstract_type(type_):
            return []
        possible = self.schema.get_possible_types(_abstract(type_))
        fields = self._fields(None, sets)
        for name_field in ("__typename", "id"):
            for key, nodes in fields.items():
                if nodes[0].name.value != name_field or not isinstance(value.get(key), str):
                    continue
                named = value[key] if name_field == "__typename" else _global_type(value[key])
                found = [t for t in possible if t.name == named]
                if found:
                    return found
        return possible

    def object(
        self, type_: GraphQLObjectType, sets: list[SelectionSetNode], value: dict[str, Any]
    ) -> None:
        plan = self._plan(type_, sets)
        if plan.personal:
            self.read.personal = True
        for key, by_global_id in plan.person_keys:
            found = value.get(key)
            if isinstance(found, str):
                if not by_global_id:
                    self.read.person_ids.add(found)
                elif _global_type(found) == PERSON_TYPE:
                    self.read.person_ids.add(_global_key(found))
        for key, field_type, subsets, reaches in plan.children:
            if self.read.personal and not reaches:
                continue  # already personal, and no person to name below this field
            found = value.get(key)
            if found is not None:
                self.value(field_type, subsets, found)

    def _plan(self, type_: GraphQLObjectType, sets: list[SelectionSetNode]) -> _Plan:
        """What to read of an object of `type_` selected by `sets` (the same for each of
        a page's objects, so made once per walk)."""
        memo = (type_.name, id(sets))
        plan = self._plans.get(memo)
        if plan is not None:
            return plan
        plan = _Plan(personal=type_.name in PERSONAL_TYPES)
        for key, nodes in self._fields(type_, sets).items():
            definition = type_.fields.get(nodes[0].name.value)
            if definition is None:
                continue
            name = nodes[0].name.value
            if type_.name == PERSON_TYPE and name in {"hubId", "id"}:
                plan.person_keys.append((key, name == "id"))
            subsets = [n.selection_set for n in nodes if n.selection_set is not None]
            if subsets:
                reaches = reaches_person(self.schema, definition.type)
                plan.children.append((key, definition.type, subsets, reaches))
        self._plans[memo] = plan
        self._keep.append(sets)  # `id(sets)` stays this list's while the walk lasts
        return plan

    def _fields(
        self, type_: GraphQLObjectType | None, sets: list[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        """Response key → its field nodes, fragments whose condition applies merged in
        (all of them when `type_` is unknown)."""
        memo = (type_.name if type_ else None, tuple(id(s) for s in sets))
        merged = self._merged.get(memo)
        if merged is None:
            merged = self._merged[memo] = self._merge(type_, sets)
        return merged

    def _merge(
        self, type_: GraphQLObjectType | None, sets: list[SelectionSetNode]
    ) -> dict[str, list[FieldNode]]:
        fields: dict[str, list[FieldNode]] = defaultdict(list)
        pending = list(sets)
        seen: set[str] = set()
        while pending:
            for selection in pending.pop().selections:
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    fields[key].append(selection)
                elif isinstance(selection, InlineFragmentNode):
                    condition = selection.type_condition
                    if self._applies(condition.name.value if condition else None, type_):
                        pending.append(selection.selection_set)
                elif isinstance(selection, FragmentSpreadNode):
                    name = selection.name.value
                    fragment = self.fragments.get(name)
                    if fragment is None or name in seen:
                        continue
                    seen.add(name)
                    if self._applies(fragment.type_condition.name.value, type_):
                        pending.append(fragment.selection_set)
        return fields

    def _applies(self, condition: str | None, type_: GraphQLObjectType | None) -> bool:
        if condition is None or type_ is None or condition == type_.name:
            return True
        named = self.schema.get_type(condition)
        return is_abstract_type(named) and self.schema.is_sub_type(_abstract(named), type_)


def _named(type_: GraphQLOutputType) -> GraphQLNamedType:
    named = get_named_type(type_)
    assert named is not None
    return named


def _is_personal(schema: GraphQLSchema, named: GraphQLNamedType) -> bool:
    if named.name in PERSONAL_TYPES:
        return True
    if is_abstract_type(named):
        return any(t.name in PERSONAL_TYPES for t in schema.get_possible_types(_abstract(named)))
    return False


_REACHES_PERSON: dict[tuple[int, str], bool] = {}


def reaches_person(schema: GraphQLSchema, type_: GraphQLOutputType) -> bool:
    """Whether an object of `type_` can hold a Person anywhere below it (cached)."""
    start = _named(type_)
    memo = (id(schema), start.name)
    if memo not in _REACHES_PERSON:
        seen: set[str] = set()
        pending = [start]
        found = False
        while pending and not found:
            named = pending.pop()
            if named.name in seen:
                continue
            seen.add(named.name)
            if named.name == PERSON_TYPE:
                found = True
            elif is_abstract_type(named):
                pending.extend(schema.get_possible_types(_abstract(named)))
            elif isinstance(named, GraphQLObjectType):
                pending.extend(_named(f.type) for f in named.fields.values())
        _REACHES_PERSON[memo] = found
    return _REACHES_PERSON[memo]


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
                named = _named(definition.type)
                if _is_personal(schema, named):
                    return True
                if selection.selection_set is not None:
                    pending.append((named, selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                narrowed = schema.get_type(condition.name.value) if condition else parent
                if narrowed is not None and _is_personal(schema, narrowed):
                    return True
                pending.append((narrowed or parent, selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                fragment = fragments.get(selection.name.value)
                if fragment is None or fragment.name.value in seen:
                    continue
                seen.add(fragment.name.value)
                narrowed = schema.get_type(fragment.type_condition.name.value)
                if narrowed is not None and _is_personal(schema, narrowed):
                    return True
                pending.append((narrowed or parent, fragment.selection_set))
    return False


def _abstract(type_: Any) -> GraphQLAbstractType:
    assert is_abstract_type(type_)
    return type_  # type: ignore[no-any-return]


def _decoded(global_id: str) -> str:
    try:
        return base64.b64decode(global_id, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""


def _global_type(global_id: str) -> str:
    return _decoded(global_id).partition(":")[0]


def _global_key(global_id: str) -> str:
    return _decoded(global_id).partition(":")[2]
