"""A compiled statement gathers the hub ids of the persons it returns for the audit log
(`hub.api.compiled.audited`) only when the request is audited (`Context.audited`)."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event

from hub.api.access.rows import RowFilters
from hub.api.context import CURRENT_OPERATION, Context, ExecutedOperation
from hub.api.loaders import Loaders
from hub.api.request_database import RequestDatabase
from hub.api.schema import SCHEMA

from ..conftest import DEFAULT_PRINCIPAL
from .conftest import Paths

PAGE = """{ persons(first: 5, filter: {mahallaCode: "1703202001"}) {
  edges { node { hubId fullName } } } }"""
PERSON = """{ person(pinfl: "31503851234566") { hubId fullName } }"""


def _run(paths: Paths, document: str, audited: bool) -> tuple[Any, dict[str, Any], list[str]]:
    """The data, the persons the operation was told of, and the statements' texts."""
    statements: list[str] = []
    engine = getattr(paths.engine, "sync_engine", paths.engine)

    def listener(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    async def execute() -> tuple[Any, dict[str, Any]]:
        db = RequestDatabase(paths.engine)
        loaders = Loaders(db, RowFilters.of(DEFAULT_PRINCIPAL))
        context = Context(DEFAULT_PRINCIPAL, db, loaders, audited=audited)
        operation = ExecutedOperation(query=document, variables=None, operation_name=None)
        token = CURRENT_OPERATION.set(operation)
        try:
            result = await SCHEMA.execute(document, context_value=context)
        finally:
            CURRENT_OPERATION.reset(token)
        assert not result.errors, result.errors
        return result.data, dict(operation.persons)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        data, persons = asyncio.run(execute())
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return data, persons, statements


def test_an_unaudited_page_of_persons_gathers_no_hub_ids(paths: Paths) -> None:
    if paths.backend != "postgresql":  # connections compile on PostgreSQL only
        return
    audited_data, audited_persons, audited_sql = _run(paths, PAGE, audited=True)
    data, persons, sql = _run(paths, PAGE, audited=False)
    assert data == audited_data
    hub_ids = tuple(edge["node"]["hubId"] for edge in data["persons"]["edges"])
    assert len(hub_ids) == 2
    # The page's hub ids, in no particular order (the audit log sorts them).
    assert audited_persons.keys() == {"persons"}
    assert sorted(audited_persons["persons"]) == sorted(hub_ids)
    assert len(audited_persons["persons"]) == len(hub_ids)
    assert persons == {}
    assert len(audited_sql) == len(sql) == 1
    # The audited statement also aggregates the page's hub ids, unordered (no second sort).
    assert audited_sql[0].count("string_agg") == sql[0].count("string_agg") == 1
    assert audited_sql[0].count("array_agg") == sql[0].count("array_agg") + 1


def test_an_unaudited_person_is_not_reported(paths: Paths) -> None:
    audited_data, audited_persons, _ = _run(paths, PERSON, audited=True)
    data, persons, _ = _run(paths, PERSON, audited=False)
    assert data == audited_data
    if paths.backend == "postgresql" or audited_persons:
        assert audited_persons == {"person": (data["person"]["hubId"],)}
    assert persons == {}


def test_an_empty_audited_page_tells_no_persons(paths: Paths) -> None:
    if paths.backend != "postgresql":  # connections compile on PostgreSQL only
        return
    empty = PAGE.replace("1703202001", "9999999999")
    data, persons, sql = _run(paths, empty, audited=True)
    assert data == {"persons": {"edges": []}}
    assert persons == {"persons": ()}
    assert len(sql) == 1
