"""One database connection per request, used from async resolvers one batch at a time.

SQLAlchemy connections are synchronous and not thread-safe, while strawberry resolves fields
(and DataLoader batches) concurrently on an event loop. `RequestDatabase.run` queues each
data-layer call; one drainer at a time takes everything queued and runs it, in order. So a
request's statements never overlap on its one connection, and the DataLoaders dispatched
in one tick of the loop (a person's eleven relations, say) run as one batch.

How a batch runs depends on the engine:

- an `AsyncEngine` (PostgreSQL, psycopg's async mode): the batch runs in one greenlet by
  `AsyncConnection.run_sync`, the data layer's synchronous code unchanged, each statement
  awaited on the server's loop. The operation runs on that loop (`awaits_statements`), so
  a request costs no thread hop: handing an operation to a worker thread and back cost
  about 0.15 ms of CPU, and as much again in cold caches when the thread ran on the other
  core, against some 0.05 ms more per statement for the awaiting;
- an `Engine` (SQLite, whose driver has no asynchronous mode): the calls run inline,
  blocking the loop they are awaited on; the schema executes such an operation on a
  private loop in a worker thread (`hub.api.operation_thread`), so that loop serves this
  request alone and the server's loop is never blocked.

The data layer runs Core statements only, so it is handed a plain `Connection`, not an ORM
`Session` (whose bookkeeping per statement cost more CPU than building and executing the
statement). The connection only reads; it is checked out lazily by the first call and
closed (its transaction, if the engine opens one, rolled back; the connection returned to
the pool) by `close`, which the view calls when the response is ready. A connection the
server dropped while it sat in the pool fails the first batch, which runs again on a fresh
one (`_run_batch`). On PostgreSQL the API's engine reads in autocommit (`hub.api.app`), so
there is no transaction to end.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

P = ParamSpec("P")
T = TypeVar("T")

Call = Callable[[], Any]
Outcome = tuple[bool, Any]


def _run_all(calls: list[Call]) -> list[Outcome]:
    """Run `calls` in order; each outcome is (True, result) or (False, exception)."""
    outcomes: list[Outcome] = []
    for call in calls:
        try:
            outcomes.append((True, call()))
        except Exception as exc:  # noqa: BLE001 - handed to the caller awaiting this call
            outcomes.append((False, exc))
    return outcomes


async def _lost(connection: AsyncConnection) -> bool:
    """Whether the driver found `connection` closed or broken (the server ended it)."""
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    return bool(getattr(driver, "broken", False) or getattr(driver, "closed", False))


class RequestDatabase:
    """The request's connection, handed to data-layer functions one call at a time."""

    def __init__(self, engine: Engine | AsyncEngine) -> None:
        self._engine = engine
        self._async_engine = engine if isinstance(engine, AsyncEngine) else None
        self._async_connection: AsyncConnection | None = None
        self._connection: Connection | None = None
        self._queue: list[tuple[Call, asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def run(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Call `fn(connection, *args, **kwargs)` with the next batch and return its result."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((partial(self._call, fn, *args, **kwargs), future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())
        return await future

    @property
    def dialect_name(self) -> str:
        """The database's dialect ("postgresql", "sqlite")."""
        return self._engine.dialect.name

    @property
    def awaits_statements(self) -> bool:
        """Whether statements are awaited (an asyncio engine), so that running the
        operation on the server's loop never blocks it."""
        return self._async_engine is not None

    def _call(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        connection = self._connection
        if connection is None:
            assert isinstance(self._engine, Engine)
            connection = self._connection = self._engine.connect()
        return fn(connection, *args, **kwargs)

    async def _run_batch(self, calls: list[Call]) -> list[Outcome]:
        if self._async_engine is None:
            return _run_all(calls)
        if self._async_connection is not None:
            return await self._async_connection.run_sync(self._run_in_greenlet, calls)
        # A pooled connection is not pinged when it is checked out (a round trip per
        # request, `hub.api.app`): one the server has dropped since (a restart, a
        # failover, an idle timeout) fails its first statement, which SQLAlchemy reports
        # as a lost connection. The request only reads, so its first batch then runs once
        # more, on a connection of a new pool.
        self._async_connection = await self._async_engine.connect()
        outcomes = await self._async_connection.run_sync(self._run_in_greenlet, calls)
        if all(ok for ok, _ in outcomes) or not await _lost(self._async_connection):
            return outcomes
        dropped, self._async_connection = self._async_connection, None
        await dropped.invalidate()  # not back into the pool
        await dropped.close()
        # The others in the pool are as old: a new pool replaces it (connections checked
        # out by requests in flight are left to them).
        await self._async_engine.dispose(close=False)
        self._async_connection = await self._async_engine.connect()
        return await self._async_connection.run_sync(self._run_in_greenlet, calls)

    def _run_in_greenlet(self, connection: Connection, calls: list[Call]) -> list[Outcome]:
        # `connection` is the async connection's synchronous face, the same every batch.
        self._connection = connection
        return _run_all(calls)

    async def _drain(self) -> None:
        try:
            while self._queue:
                # One more tick lets the other loaders dispatched in this one join the trip.
                await asyncio.sleep(0)
                batch, self._queue = self._queue, []
                try:
                    outcomes = await self._run_batch([call for call, _ in batch])
                except Exception as exc:  # noqa: BLE001 - no connection: every call failed
                    outcomes = [(False, exc)] * len(batch)
                for (_, future), (ok, value) in zip(batch, outcomes, strict=True):
                    if future.cancelled():
                        continue
                    if ok:
                        future.set_result(value)
                    else:
                        future.set_exception(value)
        finally:
            self._drainer = None

    async def close(self) -> None:
        """Wait for queued calls, then close the connection (rolling its transaction back)."""
        while self._drainer is not None:
            await asyncio.wait({self._drainer})
        connection, self._connection = self._connection, None
        async_connection, self._async_connection = self._async_connection, None
        if async_connection is not None:
            await async_connection.close()
        elif connection is not None:
            connection.close()
