"""The common request body's fast parse: a POST of one JSON operation.

strawberry's view parses every request's Content-Type header with the standard library's
`email` package (`parse_content_type`), a few percent of a small request's CPU. Clients
send one of a few spellings of `application/json`; for those, a body that is one JSON
object whose `query`, `variables`, `operationName` and `extensions` have the types
strawberry requires becomes the same `GraphQLRequestData` strawberry builds. Anything
else (other content types, batches, ill-typed members, GET) returns None, and the view
lets strawberry parse it, with strawberry's errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from strawberry.http import GraphQLRequestData

# Content-Type values strawberry's parse reads as exactly `application/json`.
JSON_CONTENT_TYPES = frozenset(
    {
        "application/json",
        "application/json; charset=utf-8",
        "application/json;charset=utf-8",
        "application/json; charset=UTF-8",
        "application/json;charset=UTF-8",
    }
)


def json_operation(
    content_type: str | None, body: bytes, parse_json: Callable[[bytes], Any]
) -> GraphQLRequestData | None:
    """The one operation a JSON POST body holds, or None when strawberry must decide."""
    if content_type not in JSON_CONTENT_TYPES:
        return None
    data = parse_json(body)
    if not isinstance(data, dict):
        return None
    query = data.get("query")
    variables = data.get("variables")
    extensions = data.get("extensions")
    if (
        not isinstance(query, str | None)
        or not isinstance(variables, dict | None)
        or not isinstance(extensions, dict | None)
    ):
        return None
    return GraphQLRequestData(
        query=query,
        variables=variables,
        operation_name=data.get("operationName"),
        extensions=extensions,
        protocol="http",
    )
