"""The walk of one response's JSON beside the operation's selections and the schema
(aliases, fragments and abstract types resolved as GraphQL resolves them), noting in a
`PersonalRead` whether it returned personal data and the hub ids of the persons it returned
(see `hub.api.personal_data` for the rule)."""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    is_abstract_type,
)

from hub.api.personal_types import PERSON_TYPE, PERSONAL_TYPES, abstract, reaches_person


@dataclass
class PersonalRead:
    """What one response returned: whether anything personal, and which persons."""

    personal: bool = False
    person_ids: set[str] = field(default_factory=set)
    # The operation's name as the document gives it (the client need not send it).
    operation_name: str | None = None


@dataclass
class _Plan:
    personal: bool
    # (response key, whether it holds a global id rather than a hub id)
    person_keys: list[tuple[str, bool]] = field(default_factory=list)
    # (response key, field type, its selections, whether a Person can be below it)
    children: list[tuple[str, GraphQLOutputType, list[SelectionSetNode], bool]] = field(
        default_factory=list
    )


class Walker:
    """Walks one response, noting what it returned in `read`."""

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
        possible = self.schema.get_possible_types(abstract(type_))
        fields = self.fields(None, sets)
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
        for key, nodes in self.fields(type_, sets).items():
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

    def fields(
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
        return is_abstract_type(named) and self.schema.is_sub_type(abstract(named), type_)


def _decoded(global_id: str) -> str:
    try:
        return base64.b64decode(global_id, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""


def _global_type(global_id: str) -> str:
    return _decoded(global_id).partition(":")[0]


def _global_key(global_id: str) -> str:
    return _decoded(global_id).partition(":")[2]
