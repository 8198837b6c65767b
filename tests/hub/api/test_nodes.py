"""Every node type round-trips through node(id) and nodes(ids) by its global id."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Any

from hub.api.principal import Principal

from .conftest import DEFAULT_PRINCIPAL, ENGINEER

if TYPE_CHECKING:
    from conftest import Api, FixtureGraph

ENGINEERS = {"Delivery", "QuarantinedRecord"}

# One query per node type that reaches an instance and asks for its id.
REACH = {
    "Region": ('{ region(code: "1703") { id } }', ["region"]),
    "District": ('{ district(code: "1703202") { id } }', ["district"]),
    "Mahalla": ('{ mahalla(code: "1703202001") { id } }', ["mahalla"]),
    "Assistant": ('{ mahalla(code: "1703202001") { assistant { id } } }', ["mahalla", "assistant"]),
    "Person": ('{ person(pinfl: "31503851234566") { id } }', ["person"]),
    "Household": ('{ household(hubId: "H-1") { id } }', ["household"]),
    "TaxRegistration": (
        '{ person(pinfl: "31503851234566") { taxRegistrations { edges { node { id } } } } }',
        ["person", "taxRegistrations"],
    ),
    "EmploymentRecord": (
        '{ person(pinfl: "31503851234566") { employmentHistory { edges { node { id } } } } }',
        ["person", "employmentHistory"],
    ),
    "LandLease": (
        '{ person(pinfl: "31503851234566") { landLeases { edges { node { id } } } } }',
        ["person", "landLeases"],
    ),
    "Parcel": (
        '{ person(pinfl: "31503851234566") '
        "{ landLeases { edges { node { id: parcel { id } } } } } }",
        ["person", "landLeases"],
    ),
    # TGFuZExlYXNlOkxTLTI= is the global id of LandLease LS-2, leased by a business.
    "Business": (
        '{ node(id: "TGFuZExlYXNlOkxTLTI=") { ... on LandLease { business { id } } } }',
        ["node", "business"],
    ),
    "Loan": (
        '{ person(pinfl: "31503851234566") { loans { edges { node { id } } } } }',
        ["person", "loans"],
    ),
    "NotebookEntry": (
        '{ person(pinfl: "31503851234566") { notebookEntries { edges { node { id } } } } }',
        ["person", "notebookEntries"],
    ),
    "Appeal": (
        '{ person(pinfl: "31503851234566") { appeals { edges { node { id } } } } }',
        ["person", "appeals"],
    ),
    "SourceRecord": (
        '{ person(pinfl: "31503851234566") { sourceRecords(first: 1) { edges { node { id } } } } }',
        ["person", "sourceRecords"],
    ),
    "PersonConflict": (
        '{ person(pinfl: "31503851234566") { conflicts { edges { node { id } } } } }',
        ["person", "conflicts"],
    ),
    "Delivery": ("{ deliveries(first: 1) { edges { node { id } } } }", ["deliveries"]),
    "QuarantinedRecord": (
        "{ quarantine { records(first: 1) { edges { node { id } } } } }",
        ["quarantine", "records"],
    ),
}


def _first_id(data: dict[str, Any], path: list[str]) -> str:
    value: Any = data
    for key in path:
        value = value[key]
    if "edges" in value:
        value = value["edges"][0]["node"]
    if isinstance(value.get("id"), dict):
        value = value["id"]
    return str(value["id"])


def _type_of(global_id: str) -> str:
    return base64.b64decode(global_id).decode().split(":", 1)[0]


def _as(type_name: str) -> Principal:
    """The engineer reads the pipeline's types; the tests' agency the rest."""
    return ENGINEER if type_name in ENGINEERS else DEFAULT_PRINCIPAL


def test_node_resolves_the_global_id_of_every_type(api: Api, fixture_graph: FixtureGraph) -> None:
    ids = {
        name: _first_id(api.data(query, as_=_as(name)), path)
        for name, (query, path) in REACH.items()
    }
    assert {name: _type_of(global_id) for name, global_id in ids.items()} == {
        name: name for name in REACH
    }
    for type_name, global_id in ids.items():
        query = "query($id: ID!) { node(id: $id) { __typename id } }"
        found = api.data(query, {"id": global_id}, as_=_as(type_name))["node"]
        assert found == {"__typename": type_name, "id": global_id}, type_name
    query = "query($ids: [ID!]!) { nodes(ids: $ids) { id } }"
    agency = [i for name, i in ids.items() if name not in ENGINEERS]
    listed = api.data(query, {"ids": agency})["nodes"]
    assert [node["id"] for node in listed] == agency
    missing = base64.b64encode(b"Loan:00000-0000-000000").decode()
    assert api.data("query($id: ID!) { node(id: $id) { id } }", {"id": missing}) == {"node": None}


def test_every_node_type_of_the_schema_is_covered() -> None:
    from strawberry.types.base import get_object_definition

    from hub.api.schema import NODE_TYPES

    names = {get_object_definition(t, strict=True).name for t in NODE_TYPES}
    assert names == set(REACH)


def test_global_ids_use_natural_keys_and_nodes_keeps_order(
    api: Api, fixture_graph: FixtureGraph
) -> None:
    data = api.data('{ person(pinfl: "31503851234566") { id household { id } mahalla { id } } }')
    person = data["person"]
    assert base64.b64decode(person["id"]).decode() == "Person:P-1"
    assert base64.b64decode(person["household"]["id"]).decode() == "Household:H-1"
    assert base64.b64decode(person["mahalla"]["id"]).decode() == "Mahalla:1703202001"
    ids = [
        base64.b64encode(text.encode()).decode()
        for text in ("Household:H-2", "Person:P-1", "Person:nobody", "Region:1726")
    ]
    data = api.data(
        "query($ids: [ID!]!) { nodes(ids: $ids) { __typename "
        "... on Person { hubId } ... on Household { hubId } ... on Region { code } } }",
        {"ids": ids},
    )
    assert data["nodes"] == [
        {"__typename": "Household", "hubId": "H-2"},
        {"__typename": "Person", "hubId": "P-1"},
        None,
        {"__typename": "Region", "code": "1726"},
    ]
