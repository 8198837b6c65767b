"""The direct execution of fully compiled queries (`hub.api.direct_execution`) answers
as graphql-core's execution and strawberry's view do: the same data, errors, extensions
and, over HTTP, the same bytes and status; it is taken exactly when every root field
compiles and the variables coerce."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import pytest

import hub.api.direct_execution as direct_module
import hub.api.view as view_module
from hub.api.access.rows import RowFilters
from hub.api.context import Context
from hub.api.loaders import Loaders
from hub.api.principal import Principal, Role
from hub.api.request_database import RequestDatabase
from hub.api.schema import SCHEMA, build_schema

from ..conftest import DEFAULT_PRINCIPAL, Api
from .conftest import Paths
from .corpus import MAIN_PINFL, _benchmark_queries, documents, variants

STRAWBERRY = build_schema(lean=False)
BENCHMARK = _benchmark_queries()
DISTRICT = "1703202"
PUBLIC = Principal("direct-public", Role.PUBLIC)
# Compiled on both databases (no list in it).
PERSON = "query($pinfl: String!) { person(pinfl: $pinfl) { hubId fullName household { hubId } } }"


def _variables(text: str) -> dict[str, Any]:
    if "districtCode" in text:
        return {"code": DISTRICT}
    if "$pinfl" in text:
        return {"pinfl": MAIN_PINFL}
    return {"code": "1703202001"}


def _run(paths: Paths, text: str, variables: dict[str, Any], *, strawberry: bool = False) -> Any:
    async def execute() -> Any:
        db = RequestDatabase(paths.engine)
        loaders = Loaders(db, RowFilters.of(DEFAULT_PRINCIPAL))
        context = Context(DEFAULT_PRINCIPAL, db, loaders, raw_json=True)
        schema = STRAWBERRY if strawberry else SCHEMA
        result = await schema.execute(text, variables, context_value=context)
        body = {"data": orjson.loads(orjson.dumps(result.data)), "extensions": result.extensions}
        if result.errors:
            body["errors"] = [error.formatted for error in result.errors]
        return body

    return asyncio.run(execute())


@pytest.fixture
def prepared(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether `prepare_direct` took each operation it was asked about."""
    taken: list[bool] = []
    prepare = direct_module.prepare_direct

    def spied(*args: Any) -> Any:
        operation = prepare(*args)
        taken.append(operation is not None)
        return operation

    monkeypatch.setattr(direct_module, "prepare_direct", spied)
    return taken


def _without_direct(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(direct_module, "prepare_direct", lambda *args: None)
    monkeypatch.setattr(view_module, "respond_directly", _not_taken)


async def _not_taken(*args: Any) -> None:
    return None


def test_the_benchmark_queries_are_executed_directly(paths: Paths, prepared: list[bool]) -> None:
    # Lists compile on PostgreSQL only: on SQLite each of them holds one.
    expected = [paths.backend == "postgresql"] * 4
    answers = []
    for text in BENCHMARK:
        answers.append(_run(paths, text, _variables(text)))
        assert "errors" not in answers[-1], answers[-1]["errors"]
    assert prepared == expected
    for text, answer in zip(BENCHMARK, answers, strict=True):
        assert answer == _run(paths, text, _variables(text), strawberry=True)


def test_errors_are_answered_directly_as_by_graphql_core(
    paths: Paths, prepared: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    person = PERSON
    cases = [
        (person, {"pinfl": MAIN_PINFL}, True),
        (person, {"pinfl": "00000000000000"}, True),  # NOT_FOUND: the resolver's error
        (person, {"pinfl": "1234"}, False),  # a rejected PINFL goes the regular way
        (person, {}, False),  # a missing variable: graphql-core's error
        ('{ __typename person(pinfl: "31503851234566") { hubId } }', {}, False),
        ('{ a: region(code: "1703") { name } b: region(code: "9999") { name } }', {}, True),
    ]
    for text, variables, direct in cases:
        _run(paths, text, variables)  # the document's cost is kept from its first answer
        prepared.clear()
        answer = _run(paths, text, variables)
        assert prepared == [direct], (text, variables)
        with monkeypatch.context() as patched:
            _without_direct(patched)
            assert answer == _run(paths, text, variables), (text, variables)
        if text is person and variables.get("pinfl") != MAIN_PINFL:
            assert answer["errors"], variables


def test_the_corpus_is_answered_alike_directly_and_through_graphql_core(
    paths: Paths, prepared: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = [(text, variables) for text in documents() for variables in variants(text)[:2]]
    direct = [_run(paths, text, variables) for text, variables in cases]
    assert any(prepared) and not all(prepared)
    _without_direct(monkeypatch)
    for (text, variables), answer in zip(cases, direct, strict=True):
        assert answer == _run(paths, text, variables), (text, variables)


def _posted(api: Api, text: str, variables: dict[str, Any], principal: Principal) -> Any:
    response = api.client.post(
        "/graphql",
        content=orjson.dumps({"query": text, "variables": variables}),
        headers={"Content-Type": "application/json", **api.auth(principal)},
    )
    return response.status_code, response.headers.get("content-type"), response.content


def test_the_view_writes_the_bytes_strawberrys_path_writes(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    taken: list[bool] = []
    respond = view_module.respond_directly

    async def spied(*args: Any) -> Any:
        response = await respond(*args)
        taken.append(response is not None)
        return response

    monkeypatch.setattr(view_module, "respond_directly", spied)
    person = BENCHMARK[0]
    cases = [
        *((text, _variables(text), DEFAULT_PRINCIPAL) for text in BENCHMARK),
        (person, {"pinfl": "00000000000000"}, DEFAULT_PRINCIPAL),
        (person, {"pinfl": "1234"}, DEFAULT_PRINCIPAL),
        (BENCHMARK[2], {"code": "1703202001"}, PUBLIC),  # persons are not the public's
    ]
    direct = []
    for text, variables, principal in cases:
        _posted(api, text, variables, principal)  # the document's cost, kept
        taken.clear()
        direct.append(_posted(api, text, variables, principal))
        postgresql = api.app_engine.dialect.name == "postgresql"
        compiles = variables.get("pinfl") != "1234" and principal is DEFAULT_PRINCIPAL
        assert taken == [postgresql and compiles], (text, variables)
    with monkeypatch.context() as patched:
        _without_direct(patched)
        for (text, variables, principal), answer in zip(cases, direct, strict=True):
            assert answer == _posted(api, text, variables, principal), (text, variables)
    assert all(status == 200 for status, _, _ in direct)
