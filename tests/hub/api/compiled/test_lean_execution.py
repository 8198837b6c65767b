"""The lean execution (`hub.api.lean_execution`) answers as strawberry's execute does,
extensions included, and is taken exactly when the document is cached and valid."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

import hub.api.schema as schema_module
from hub.api.access.rows import RowFilters
from hub.api.context import Context
from hub.api.loaders import Loaders
from hub.api.request_database import RequestDatabase
from hub.api.schema import SCHEMA, HubSchema, build_schema

from ..conftest import DEFAULT_PRINCIPAL
from .conftest import Paths
from .corpus import MAIN_PINFL, _benchmark_queries, documents, variants

STRAWBERRY = build_schema(lean=False)
BENCHMARK = _benchmark_queries()
KEYS = {"pinfl": MAIN_PINFL, "code": "1703202001"}
DISTRICT = "1703202"


def _variables(text: str) -> dict[str, Any]:
    if "districtCode" in text:
        return {"code": DISTRICT}
    return {name: value for name, value in KEYS.items() if f"${name}" in text}


def _run(paths: Paths, schema: HubSchema, text: str, variables: dict[str, Any]) -> Any:
    async def execute() -> Any:
        db = RequestDatabase(paths.engine)
        loaders = Loaders(db, RowFilters.of(DEFAULT_PRINCIPAL))
        context = Context(DEFAULT_PRINCIPAL, db, loaders, raw_json=True)
        result = await schema.execute(text, variables, context_value=context)
        body = {"data": orjson.loads(orjson.dumps(result.data)), "extensions": result.extensions}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return body

    return asyncio.run(execute())


@pytest.fixture
def lean_results(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each operation SCHEMA executed took the lean path."""
    taken: list[bool] = []
    execute_lean = schema_module.execute_direct_or_lean

    async def spied(*args: Any) -> Any:
        result = await execute_lean(*args)
        taken.append(result is not None)
        return result

    monkeypatch.setattr(schema_module, "execute_direct_or_lean", spied)
    return taken


def test_the_benchmark_queries_take_the_lean_path(paths: Paths, lean_results: list[bool]) -> None:
    assert len(BENCHMARK) == 4
    for text in BENCHMARK:
        lean_results.clear()
        lean = _run(paths, SCHEMA, text, _variables(text))
        assert lean_results == [True], text
        assert "errors" not in lean, lean["errors"]
        assert lean == _run(paths, STRAWBERRY, text, _variables(text))
        assert lean["extensions"]["cost"]["requested"] > 0


@pytest.mark.parametrize(
    "text",
    [
        "{ person(pinfl: 1) { hubId } }",  # invalid
        '{ person(pinfl: "1") { nope } }',  # invalid
        "subscription { person { hubId } }",  # not a query
        "{ person(pinfl: ",  # does not parse
    ],
)
def test_documents_with_errors_go_strawberrys_way(
    paths: Paths, lean_results: list[bool], text: str
) -> None:
    lean = _run(paths, SCHEMA, text, {})
    assert lean_results == [False]
    assert lean["errors"]
    assert lean == _run(paths, STRAWBERRY, text, {})


def test_execution_errors_are_answered_alike(paths: Paths, lean_results: list[bool]) -> None:
    # A missing variable, an unknown person (NOT_FOUND), a rejected argument value; and
    # two operations with no name given (strawberry runs the first).
    cases = [
        (BENCHMARK[0], {}),
        (BENCHMARK[0], {"pinfl": "00000000000000"}),
        (BENCHMARK[0], {"pinfl": "1234"}),
    ]
    # A document's cost is kept from its first answered request (`hub.api.limits.cost`):
    # both schemas answer one first, so that both report it alike.
    for schema in (SCHEMA, STRAWBERRY):
        _run(paths, schema, BENCHMARK[0], {"pinfl": MAIN_PINFL})
    for text, variables in cases:
        lean_results.clear()
        lean = _run(paths, SCHEMA, text, variables)
        assert lean_results == [True]
        assert lean["errors"], variables
        assert lean == _run(paths, STRAWBERRY, text, variables), variables
    two = 'query A { region(code: "1703") { name } } query B { __typename }'
    lean = _run(paths, SCHEMA, two, {})
    assert lean == _run(paths, STRAWBERRY, two, {})
    assert lean["data"] == {"region": {"name": "Andijon viloyati"}}


def test_the_corpus_is_answered_alike(paths: Paths) -> None:
    for text in documents():
        for variables in variants(text)[:1]:
            lean = _run(paths, SCHEMA, text, variables)
            assert lean == _run(paths, STRAWBERRY, text, variables), (text, variables)
