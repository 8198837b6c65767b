"""Connections kept between requests (`hub.api.idle_connections`): a finished request's
clean connection serves the next request without the pool; one with anything left on it
goes back to the pool; a kept connection the server dropped is replaced."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import AsyncAdaptedQueuePool

from hub.api.idle_connections import IdleConnections
from hub.api.request_database import RequestDatabase
from hub.graph.database import create_hub_async_engine

from .conftest import Api


def _engine(api: Api) -> AsyncEngine:
    if api.engine.dialect.name != "postgresql":
        pytest.skip("connections are kept for PostgreSQL's asyncio engine only")
    url = api.engine.url.render_as_string(hide_password=False)
    return create_hub_async_engine(
        url, poolclass=AsyncAdaptedQueuePool, pool_size=2, isolation_level="AUTOCOMMIT"
    )


def _checkouts(engine: AsyncEngine) -> list[int]:
    seen: list[int] = []
    event.listen(engine.sync_engine, "checkout", lambda *args: seen.append(1))
    return seen


async def _read(db: RequestDatabase) -> Any:
    try:
        return await db.run(lambda connection: connection.scalar(text("SELECT 1")))
    finally:
        await db.close()


def test_a_finished_requests_connection_serves_the_next_without_the_pool(api: Api) -> None:
    engine = _engine(api)
    checkouts = _checkouts(engine)
    idle = IdleConnections(engine)

    async def requests() -> None:
        for _ in range(3):
            assert await _read(RequestDatabase(engine, idle=idle)) == 1
        assert len(idle) == 1
        # Two at once: the second takes a connection of the pool; both are kept after.
        await asyncio.gather(
            _read(RequestDatabase(engine, idle=idle)), _read(RequestDatabase(engine, idle=idle))
        )
        assert len(idle) == 2
        await idle.discard()
        await engine.dispose()

    asyncio.run(requests())
    assert len(checkouts) == 2
    assert idle.size == 2


def test_a_connection_left_in_a_transaction_or_invalidated_goes_back_to_the_pool(
    api: Api,
) -> None:
    engine = _engine(api)

    async def check() -> None:
        idle = IdleConnections(engine)
        in_transaction = await engine.connect()
        raw = await in_transaction.get_raw_connection()
        await raw.driver_connection.execute("BEGIN")  # type: ignore[union-attr]
        await idle.give(in_transaction)
        invalidated = await engine.connect()
        await invalidated.invalidate()
        await idle.give(invalidated)
        assert len(idle) == 0 and in_transaction.closed and invalidated.closed
        clean = await engine.connect()
        await idle.give(clean)
        assert len(idle) == 1 and not clean.closed
        assert idle.take() is clean and idle.take() is None
        await clean.close()
        await engine.dispose()

    asyncio.run(check())


def test_a_kept_connection_the_server_dropped_is_replaced(api: Api) -> None:
    engine = _engine(api)

    async def check() -> None:
        idle = IdleConnections(engine)
        assert await _read(RequestDatabase(engine, idle=idle)) == 1
        (kept,) = idle._kept
        raw = await kept.get_raw_connection()
        pid = raw.driver_connection.info.backend_pid  # type: ignore[union-attr]
        async with engine.connect() as admin:
            await admin.execute(text(f"SELECT pg_terminate_backend({pid})"))
        assert await _read(RequestDatabase(engine, idle=idle)) == 1
        assert kept.closed
        await idle.discard()
        await engine.dispose()

    asyncio.run(check())
