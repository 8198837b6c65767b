"""The requested cost counts what execution would run: `@skip`/`@include` with the
variables, fragments only on the types they apply to, an abstract object as the type
its global id names (or the dearest possible one)."""

from __future__ import annotations

import base64
from typing import Any

from graphql import parse

from hub.api.limits.cost import operation_cost
from hub.api.limits.settings import DEFAULT_LIMITS
from hub.api.principal import Role
from hub.api.schema import SCHEMA

ROLE = DEFAULT_LIMITS.for_role(Role.ENGINEER)


def _cost(document: str, variables: dict[str, Any] | None = None) -> int:
    return operation_cost(SCHEMA._schema, parse(document), None, variables, DEFAULT_LIMITS, ROLE)


def _id(type_name: str, key: str) -> str:
    return base64.b64encode(f"{type_name}:{key}".encode()).decode()


def test_skipped_and_excluded_selections_cost_nothing() -> None:
    document = """query($skip: Boolean!, $with: Boolean!) {
      regions(first: 10) { totalCount }
      districts(first: 10) @skip(if: $skip) { edges { node { code } } }
      mahallas(first: 10) { edges { node { ... on Mahalla @include(if: $with) {
        district { code } } } } } }"""
    everything = _cost(document, {"skip": False, "with": True})
    assert everything == (1 + 1) + (1 + 10) + (1 + 10 + 10)
    assert _cost(document, {"skip": True, "with": True}) == everything - 11
    assert _cost(document, {"skip": True, "with": False}) == everything - 21
    # The cost kept for the document follows the directives' variables.
    assert _cost(document, {"skip": False, "with": True}) == everything


def test_a_node_costs_as_the_type_its_id_names() -> None:
    document = """query($id: ID!) { node(id: $id) {
      ... on Region { districts(first: 50) { edges { node { code } } } }
      ... on Mahalla { district { code } } } }"""
    assert _cost(document, {"id": _id("Mahalla", "1703202001")}) == 1 + 1
    assert _cost(document, {"id": _id("Region", "1703")}) == 1 + 1 + 50
    # An id that names no type: the dearest type, not the sum of both.
    assert _cost(document, {"id": "not-an-id"}) == 1 + 1 + 50
    assert _cost(document, {"id": "ünïcode"}) == 1 + 1 + 50


def test_nodes_cost_each_id_as_its_type() -> None:
    document = """query($ids: [ID!]!) { nodes(ids: $ids) {
      ... on Region { districts(first: 50) { totalCount } }
      ... on Mahalla { code } } }"""
    regions = [_id("Region", "1703"), _id("Region", "1704")]
    mahallas = [_id("Mahalla", "1703202001")] * 3
    assert _cost(document, {"ids": regions + mahallas}) == 2 * (1 + 1 + 1) + 3 * 1


def test_variables_that_do_not_coerce_leave_the_kept_cost_alone() -> None:
    # One parsed document (its cost is kept per document): refused first, then answered.
    document = parse("query($pinfl: String!) { person(pinfl: $pinfl) { hubId fullName } }")

    def cost(variables: dict[str, Any]) -> int:
        return operation_cost(SCHEMA._schema, document, None, variables, DEFAULT_LIMITS, ROLE)

    assert cost({}) == 0
    assert cost({"pinfl": 5}) == 0
    # Refused requests kept nothing: the answered ones cost what they run.
    assert cost({"pinfl": "31503851234566"}) == 1
    assert cost({"pinfl": "00000000000000"}) == 1
