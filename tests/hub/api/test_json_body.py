"""The view's fast parse of a JSON POST (`hub.api.json_body`) answers what strawberry's
parse answered and refuses what it refused, with the same status and message."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from hub.api.json_body import json_operation

from .conftest import Api, FixtureGraph

QUERY = "{ regions { totalCount } }"


def test_one_operation_in_json_is_read_without_strawberry() -> None:
    body = orjson.dumps({"query": QUERY, "variables": {"a": 1}, "operationName": None})
    operation = json_operation("application/json", body, orjson.loads)
    assert operation is not None
    assert (operation.query, operation.variables, operation.protocol) == (QUERY, {"a": 1}, "http")


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", {"query": QUERY}),
        (None, {"query": QUERY}),
        ("application/json", [{"query": QUERY}]),
        ("application/json", {"query": 1}),
        ("application/json", {"query": QUERY, "variables": [1]}),
        ("application/json", {"query": QUERY, "extensions": "x"}),
    ],
)
def test_anything_else_is_left_to_strawberry(content_type: str | None, body: Any) -> None:
    assert json_operation(content_type, orjson.dumps(body), orjson.loads) is None


@pytest.mark.parametrize(
    ("content_type", "body", "status", "text"),
    [
        ("application/json", b'{"query": 1}', 400, "`query` must be a string"),
        ("application/json", b'{"query": "{ regions { totalCount } }", "variables": 2}', 400,
         "`variables` must be an object"),
        ("application/json", b'[{"query": "{ regions { totalCount } }"}]', 400,
         "Batching is not enabled"),
        ("application/json", b"{not json", 400, "Unable to parse request body as JSON"),
        ("text/plain", b'{"query": "{ regions { totalCount } }"}', 400,
         "Unsupported content type"),
        # (strawberry's own parse does not read a capitalised type as JSON)
        ("Application/JSON", b'{"query": "{ regions { totalCount } }"}', 400,
         "Unsupported content type"),
    ],
)  # fmt: skip
def test_bodies_strawberry_refused_are_still_refused(
    api: Api, fixture_graph: FixtureGraph, content_type: str, body: bytes, status: int, text: str
) -> None:
    response = api.client.post(
        "/graphql", content=body, headers={**api.auth(), "Content-Type": content_type}
    )
    assert response.status_code == status
    assert text in response.text


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "application/json;charset=UTF-8"],
)
def test_json_operations_are_answered(
    api: Api, fixture_graph: FixtureGraph, content_type: str
) -> None:
    response = api.client.post(
        "/graphql",
        content=orjson.dumps({"query": QUERY}),
        headers={**api.auth(), "Content-Type": content_type},
    )
    assert response.status_code == 200
    assert response.json()["data"]["regions"]["totalCount"] > 0
