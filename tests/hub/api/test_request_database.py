"""A request's connection (`hub.api.request_database`): `run_now` runs its call at once,
and calls made meanwhile wait for it and run after it, in order, on the same connection."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Connection, Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.api.request_database import RequestDatabase
from hub.graph.database import create_hub_async_engine, create_hub_engine

if TYPE_CHECKING:
    from tests.conftest import GraphDatabase


def _engine(graph_db: GraphDatabase) -> Engine | AsyncEngine:
    if graph_db.backend == "sqlite":
        return create_hub_engine(graph_db.url)
    return create_hub_async_engine(graph_db.url, isolation_level="AUTOCOMMIT")


async def _dispose(engine: Engine | AsyncEngine) -> None:
    if isinstance(engine, AsyncEngine):
        await engine.dispose()
    else:
        engine.dispose()


def test_calls_made_during_run_now_run_after_it_in_order(graph_db: GraphDatabase) -> None:
    order: list[str] = []
    connections: set[int] = set()

    def call(connection: Connection, name: str) -> int:
        order.append(name)
        connections.add(id(connection.connection.driver_connection))
        return int(connection.execute(text("SELECT 1")).scalar_one())

    async def request() -> list[int]:
        engine = _engine(graph_db)
        db = RequestDatabase(engine)
        try:
            first = asyncio.ensure_future(db.run_now(call, "now"))
            await asyncio.sleep(0)  # `now` has started (PostgreSQL: it awaits its statement)
            later = [asyncio.ensure_future(db.run(call, name)) for name in ("a", "b")]
            again = await db.run_now(call, "busy")  # a batch is under way: it queues
            answers = [await first, *[await task for task in later], again]
            assert await db.run_now(call, "idle") == 1
            return answers
        finally:
            await db.close()
            await _dispose(engine)

    assert asyncio.run(request()) == [1, 1, 1, 1]
    assert order[0] == "now" and order[-1] == "idle"
    assert order.index("a") < order.index("b")
    assert sorted(order) == ["a", "b", "busy", "idle", "now"]
    assert len(connections) == 1


def test_run_now_raises_its_call_s_error_and_the_connection_stays_usable(
    graph_db: GraphDatabase,
) -> None:
    def failing(connection: Connection) -> None:
        raise ValueError("refused")

    def one(connection: Connection) -> int:
        return int(connection.execute(text("SELECT 1")).scalar_one())

    async def request() -> int:
        engine = _engine(graph_db)
        db = RequestDatabase(engine)
        try:
            with pytest.raises(ValueError, match="refused"):
                await db.run_now(failing)
            return await db.run_now(one)
        finally:
            await db.close()
            await _dispose(engine)

    assert asyncio.run(request()) == 1
