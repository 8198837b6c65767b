"""Which persons a compiled root field returns, told by its statement beside the JSON.

The audit log needs the hub ids of the persons each response returned
(`hub.api.audit`). Reading them back out of the sent JSON cost more than building it for a
page of persons, so a compiled statement says them itself, in a second column, where the
selection makes that simple:

- `ONE`: a single person (`person(pinfl:)`): the row's `hub_id`;
- `PAGE`: a connection of persons (`persons`) whose `node` is selected: the page's
  `hub_id`s, aggregated over the same page as the edges into an array, in no particular
  order (PostgreSQL only: connections compile there only);
- `NONE`: a selection that cannot return anything personal (no type of
  `PERSONAL_TYPES` anywhere in it): no column, and no persons.

Where a person may also appear *below* the root's objects (a household's members, ...),
or the selection holds other personal objects that may or may not be null, the field has
no kind (None) and the audit log walks its JSON as before (`hub.api.personal_data`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from graphql import GraphQLObjectType

from hub.api.compiled.selection import Sel, named_object
from hub.api.personal_types import PERSON_TYPE, PERSONAL_TYPES

PersonsKind = Literal["one", "page", "none"]
ONE: PersonsKind = "one"
PAGE: PersonsKind = "page"
NONE: PersonsKind = "none"
PERSON_KEY = "hub_id"


def _below(object_type: GraphQLObjectType, sels: Sequence[Sel], types: frozenset[str]) -> bool:
    """Whether an object of a type in `types` can appear anywhere in `sels` (selected on
    `object_type`); an abstract type counts as one (the compiler selects on concrete types,
    so it does not arise)."""
    for sel in sels:
        if sel.children is None:
            continue
        field_def = object_type.fields.get(sel.name)
        child = named_object(field_def.type) if field_def is not None else None
        if child is None or child.name in types or _below(child, sel.children, types):
            return True
    return False


def persons_kind(object_type: GraphQLObjectType, sel: Sel, *, single: bool) -> PersonsKind | None:
    """How the statement of the root field `sel` (of `object_type`: the object of a single
    root, the connection of a list root) tells its persons; None when it does not."""
    children = sel.children or ()
    if object_type.name not in PERSONAL_TYPES and not _below(object_type, children, PERSONAL_TYPES):
        return NONE
    if single:
        if object_type.name == PERSON_TYPE and not _below(object_type, children, _PERSON):
            return ONE
        return None
    node = _node_selection(object_type, children)
    if node is None:
        return None
    node_type, node_sels = node
    if node_type.name != PERSON_TYPE or _below(node_type, node_sels, _PERSON):
        return None
    # Nothing personal but the persons themselves outside their `node` (a connection's
    # edges, cursors, page info and count are not personal).
    return PAGE


_PERSON = frozenset({PERSON_TYPE})


def _node_selection(
    connection_type: GraphQLObjectType, sels: Sequence[Sel]
) -> tuple[GraphQLObjectType, tuple[Sel, ...]] | None:
    """The node type of a connection and the union of its `edges { node { ... } }`
    selections; None when something else below the connection could hold a person."""
    edges_def = connection_type.fields.get("edges")
    edge_type = named_object(edges_def.type) if edges_def is not None else None
    if edge_type is None:
        return None
    node_def = edge_type.fields.get("node")
    node_type = named_object(node_def.type) if node_def is not None else None
    if node_type is None:
        return None
    node_sels: list[Sel] = []
    for part in sels:
        if part.name != "edges":
            if part.children is not None and part.name != "pageInfo":
                return None
            continue
        for edge_part in part.children or ():
            if edge_part.name == "node":
                node_sels.extend(edge_part.children or ())
            elif edge_part.children is not None:
                return None
    return node_type, tuple(node_sels)
