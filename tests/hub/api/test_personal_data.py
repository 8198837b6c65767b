"""Which responses count as returning personal data, read from the response JSON along
the document (aliases, fragments, interfaces) as the audit log reads them."""

from __future__ import annotations

import base64
from typing import Any

from graphql import parse

from hub.api.personal_data import may_return_personal, personal_read
from hub.api.schema import SCHEMA


def _read(document: str, data: dict[str, Any], operation: str | None = None) -> Any:
    return personal_read(SCHEMA._schema, parse(document), operation, data)


def _gid(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def test_aggregates_and_territory_are_not_personal() -> None:
    read = _read(
        '{ regions { totalCount } mahalla(code: "1") { code name } }',
        {"regions": {"totalCount": 14}, "mahalla": {"code": "1", "name": "Bog'"}},
    )
    assert (read.personal, read.person_ids) == (False, set())


def test_persons_under_aliases_and_fragments_are_named_by_hub_id_or_global_id() -> None:
    document = """
    query Q { people: persons(first: 2) { edges { node { ...P } } }
              one: person(hubId: "H") { key: id household { hubId } } }
    fragment P on Person { who: hubId fullName }"""
    data = {
        "people": {"edges": [{"node": {"who": "P1", "fullName": "A"}}, {"node": None}]},
        "one": {"key": _gid("Person", "P2"), "household": {"hubId": "HH"}},
    }
    read = _read(document, data)
    assert read.personal and read.person_ids == {"P1", "P2"}
    assert read.operation_name == "Q"


def test_a_node_of_a_personal_type_counts_by_its_typename_or_its_id() -> None:
    by_typename = _read(
        "{ node(id: $id) { __typename ... on Loan { loanId } } }".replace("$id", '"x"'),
        {"node": {"__typename": "Loan", "loanId": "L-1"}},
    )
    assert by_typename.personal
    territory = _read('{ node(id: "x") { id } }', {"node": {"id": _gid("Region", "17")}})
    assert not territory.personal
    person = _read('{ node(id: "x") { id } }', {"node": {"id": _gid("Person", "P9")}})
    assert person.personal and person.person_ids == {"P9"}


def test_a_null_person_is_not_a_personal_read() -> None:
    read = _read('{ person(hubId: "nobody") { hubId } }', {"person": None})
    assert not read.personal


def test_a_document_selecting_nothing_personal_is_known_from_the_document_alone() -> None:
    def may(document: str) -> bool:
        return may_return_personal(SCHEMA._schema, parse(document), None)

    assert not may('{ regions { totalCount } mahalla(code: "1") { assistant { fullName } } }')
    assert not may("{ persons(first: 1) { totalCount } }")  # a count names no one
    assert may('{ mahalla(code: "1") { code } persons(first: 1) { edges { node { sex } } } }')
    assert may("{ quarantine { records { edges { node { id } } } } }")
    assert may('{ node(id: "x") { id } }')  # any node may be a person
    assert may('query { ...F } fragment F on Query { person(hubId: "H") { hubId } }')
