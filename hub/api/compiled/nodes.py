"""Objects found by their key, as `node(id:)`, `nodes(ids:)` and `person(hubId:)` find them.

Each node type whose objects one key finds (`NODE_KEYS`) is read as its `resolve_nodes`
reads it: by that key, within the caller's territory. Persons have their own branch: a
hub id merged into another person's finds that person (redirects are flat, so one lookup
reaches a live person), and the id's own person comes first, as
`identity.data.fetch_persons_following_redirects` reads them.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, String, Table, bindparam, or_, select
from strawberry.relay.types import GlobalID, GlobalIDValueError

from hub.api.activities import data as activities
from hub.api.compiled.audited import PersonsKind
from hub.api.compiled.compile import Builder
from hub.api.compiled.json_sql import NotCompiled
from hub.api.compiled.mapping import NODE_KEYS
from hub.api.compiled.root_plan import KEY, Root, answered, keyed_object
from hub.api.compiled.selection import Sel
from hub.api.identity import data as identity
from hub.api.people import records as people
from hub.api.territory import data as territory

NODE_TABLES: dict[str, Table] = {
    "Person": people.PERSON,
    "Household": people.HOUSEHOLD,
    "Region": territory.REGION,
    "District": territory.DISTRICT,
    "Mahalla": territory.MAHALLA,
    "Assistant": territory.ASSISTANT,
    "TaxRegistration": activities.TAX,
    "EmploymentRecord": activities.EMPLOYMENT,
    "LandLease": activities.LEASE,
    "Parcel": activities.PARCEL,
    "Business": activities.BUSINESS,
    "Loan": activities.LOAN,
    "Appeal": activities.APPEAL,
}


def object_by_key(builder: Builder, type_name: str, sels: tuple[Sel, ...], key: str) -> Select[Any]:
    """The JSON of the `type_name` object whose key is the parameter `key` (no row when
    there is none, or the caller may not see it)."""
    table = NODE_TABLES[type_name]
    value = bindparam(key, type_=String)
    if type_name != "Person":
        condition = table.c[NODE_KEYS[type_name]] == value
        return keyed_object(builder, type_name, table, sels, condition)
    merged_into = (
        select(identity.REDIRECT.c.to_hub_id)
        .where(identity.REDIRECT.c.from_hub_id == value)
        .scalar_subquery()
    )
    condition = or_(table.c.hub_id == value, table.c.hub_id == merged_into)
    return (
        keyed_object(builder, type_name, table, sels, condition)
        .order_by((table.c.hub_id == value).desc())
        .limit(1)
    )


def nodes_json(builder: Builder, sel: Sel, keys: tuple[str, ...]) -> ColumnElement[Any]:
    """The JSON array of `nodes(ids:)`: per id, its object or null. `sel.children` holds a
    `Sel` per id, named by the id's type, whose children are that type's selection."""
    assert sel.children is not None
    values = [
        builder.sql.embedded(
            object_by_key(builder, branch.name, branch.children or (), key).scalar_subquery()
        )
        for branch, key in zip(sel.children, keys, strict=True)
    ]
    return builder.sql.tuple_array(values)


def by_key(type_name: str, *, nullable: bool = False) -> Root:
    """One object by the key `nodes.object_by_key` reads it with (a person: following
    merged hub ids)."""

    def build(builder: Builder, sel: Sel, persons: PersonsKind | None) -> Select[Any]:
        assert sel.children is not None
        found = object_by_key(builder, type_name, sel.children, KEY)
        return answered(builder, found, NODE_TABLES[type_name], persons)

    return Root(("by key", type_name), build, single=True, type_name=type_name, nullable=nullable)


def global_id(value: str) -> GlobalID:
    try:
        global_id = GlobalID.from_id(value)
    except GlobalIDValueError as exc:
        raise NotCompiled("a malformed global id") from exc
    if global_id.type_name not in NODE_TABLES:
        raise NotCompiled(f"node of type {global_id.type_name!r}")
    return global_id


def nodes_root(values: list[str], params: dict[str, Any]) -> Root:
    """`nodes(ids:)`: an array with each id's object, its type's branch (the selection is
    walked on each concrete type, `Root.branches`)."""
    keys: list[str] = []
    for index, value in enumerate(values):
        keys.append(f"{KEY}_{index}")
        params[keys[-1]] = global_id(value).node_id
    branches = tuple(global_id(value).type_name for value in values)

    def build(builder: Builder, sel: Sel, persons: PersonsKind | None) -> Select[Any]:
        # The audit log reads the persons from the JSON (`persons` is None: see
        # `hub.api.compiled.execution`).
        return select(builder.sql.as_text(nodes_json(builder, sel, tuple(keys))))

    return Root(("nodes", branches), build, single=False, branches=branches)
