"""Every mapped field, on every row of the fixture graph, answers as its resolver does.

The selections are built from the mapping itself (`full_selection`): every field a type
maps, its relations followed to a bounded depth. On PostgreSQL the root lists are read
page after page, so every person, household, mahalla, district and region is shown with
every mapped field, and through the persons every record linked to one (tax
registrations, leases and their parcels, loans, ...). SQLite builds no lists
(`hub.api.compiled.json_sql`), so there each object is read by its key, without lists.
Each document must compile (else the test would compare the regular path with itself).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType
from sqlalchemy import create_engine, select

from hub.api.access.guard import forbidden
from hub.api.compiled.mapping import MAPPINGS, NODE_IDS, NODE_KEYS, Entries, LeafList, Many, Rows
from hub.api.compiled.selection import named_object
from hub.api.pagination import MAX_PAGE_SIZE, encode_cursor
from hub.api.people.records import HOUSEHOLD, PERSON
from hub.api.principal import Principal
from hub.api.schema import SCHEMA
from hub.api.territory.data import DISTRICT, MAHALLA, REGION

from ..conftest import DEFAULT_PRINCIPAL
from .conftest import Paths
from .test_coverage import compiled_roots, principal_for

MAX_DEPTH = 3
# Values for the required arguments of mapped fields (the diagnostics' periods).
REQUIRED = {"quarter": '"2022-Q1"', "from": '"2021-01"', "to": '"2022-12"'}


def _required(object_type: GraphQLObjectType, name: str) -> list[str]:
    return [
        f"{argument}: {REQUIRED[argument]}"
        for argument, definition in object_type.fields[name].args.items()
        if isinstance(definition.type, GraphQLNonNull)
    ]


def full_selection(
    type_name: str, lists: bool, depth: int = 1, principal: Principal = DEFAULT_PRINCIPAL
) -> str:
    """Every field `type_name` maps that `principal` may see (with `lists`: lists,
    connections and ids too), each object field's own selection to `MAX_DEPTH`."""
    object_type = SCHEMA._schema.type_map[type_name]
    assert isinstance(object_type, GraphQLObjectType)
    mapping = MAPPINGS[type_name]
    parts = ["__typename"]
    if lists and (type_name in NODE_KEYS or type_name in NODE_IDS):
        parts.append("id")
    for name, mapped in mapping.items():
        if forbidden(type_name, name, principal) is not None:
            continue
        child = named_object(object_type.fields[name].type)
        if isinstance(mapped, LeafList | Entries | Many | Rows) and not lists:
            continue
        required = _required(object_type, name)
        called = f"{name}({', '.join(required)})" if required else name
        if child is None:
            parts.append(called)
        elif depth < MAX_DEPTH:
            if isinstance(mapped, Many):
                node = full_selection(mapped.type_name, lists, depth + 1, principal)
                parts.append(
                    f"{name}(first: 3) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage "
                    f"startCursor endCursor }} edges {{ cursor node {{ {node} }} }} }}"
                )
            else:
                target = mapped.type_name  # type: ignore[union-attr]
                selected = full_selection(target, lists, depth + 1, principal)
                parts.append(f"{called} {{ {selected} }}")
    return " ".join(parts)


def _compare(
    paths: Paths, document: str, principal: Principal = DEFAULT_PRINCIPAL
) -> dict[str, Any]:
    assert set(compiled_roots(document, dialect=paths.backend).values()) == {None}, document
    mine, theirs = paths.both(document, principal=principal)
    assert mine == theirs, document
    assert "errors" not in mine, mine
    return mine


def _keys(paths: Paths, column: Any) -> list[str]:
    engine = create_engine(paths.engine.url.render_as_string(hide_password=False))
    try:
        with engine.connect() as connection:
            return [k for (k,) in connection.execute(select(column).order_by(column)) if k]
    finally:
        engine.dispose()


LISTS = {
    "persons": "Person",
    "households": "Household",
    "mahallas": "Mahalla",
    "districts": "District",
    "regions": "Region",
    "deliveries": "Delivery",
}


def test_every_row_through_the_root_lists_on_postgresql(paths: Paths) -> None:
    if paths.backend != "postgresql":
        return
    for root, type_name in LISTS.items():
        principal = principal_for(root)
        selection = full_selection(type_name, lists=True, principal=principal)
        shown = 0
        for page in range(10):
            after = f', after: "{encode_cursor(page * MAX_PAGE_SIZE - 1)}"' if page else ""
            document = (
                f"{{ {root}(first: {MAX_PAGE_SIZE}{after}) {{ totalCount "
                f"pageInfo {{ hasNextPage }} edges {{ node {{ {selection} }} }} }} }}"
            )
            data = _compare(paths, document, principal)["data"][root]
            shown += len(data["edges"])
            if not data["pageInfo"]["hasNextPage"]:
                break
        assert shown == data["totalCount"] > 0, root


def test_every_row_by_its_key_on_sqlite(paths: Paths) -> None:
    if paths.backend != "sqlite":
        return
    by_key = [
        ("person", "pinfl", PERSON.c.pinfl, "Person"),
        ("household", "hubId", HOUSEHOLD.c.hub_id, "Household"),
        ("mahalla", "code", MAHALLA.c.code, "Mahalla"),
        ("district", "code", DISTRICT.c.code, "District"),
        ("region", "code", REGION.c.code, "Region"),
    ]
    for root, argument, column, type_name in by_key:
        selection = full_selection(type_name, lists=False)
        keys = _keys(paths, column)
        assert keys, root
        for key in keys:
            _compare(paths, f'{{ {root}({argument}: "{key}") {{ {selection} }} }}')
