"""One database connection per request, used from async resolvers one batch at a time.

SQLAlchemy connections are synchronous and not thread-safe, while strawberry resolves fields
(and DataLoader batches) concurrently on an event loop. `RequestDatabase.run` queues each
data-layer call; one drainer at a time takes everything queued and runs it, in order. So a
request's statements never overlap on its one connection, and the DataLoaders dispatched
in one tick of the loop (a person's eleven relations, say) run as one batch. A caller with
one call and nothing to wait for (a compiled root field's statement) uses `run_now`, which
runs it at once, without the batch's task; calls made meanwhile wait for it.

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

Reading from a replica (`hub.api.read_routing`), a request is given the replica's engine
and a `Fallback`, the primary's: when the replica cannot be connected to, or the
connection to it is lost, the batch runs again on the primary and so does the rest of the
request (reads can be repeated), and the fallback's `on_failover` is told why. A statement
the replica cancelled because it conflicted with replaying the primary's changes (SQLSTATE
40001 on a hot standby: it held a lock or a snapshot the replay needed for longer than
`max_standby_streaming_delay`) moves the request to the primary the same way, without
`on_failover`: the replica is working as configured. `served_by` names the database the
request's last batch ran on.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine, Executable
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.api.driver_rows import fetch_rows, fetch_rows_async
from hub.api.idle_connections import IdleConnections

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
    if connection.invalidated:  # SQLAlchemy saw the driver's disconnect error
        return True
    raw = await connection.get_raw_connection()
    driver = raw.driver_connection
    return bool(getattr(driver, "broken", False) or getattr(driver, "closed", False))


def _conflicted_with_recovery(error: object) -> bool:
    """Whether `error` is a hot standby's cancellation for a recovery conflict (40001:
    at READ COMMITTED on a standby nothing else raises a serialization failure). A
    statement run on the driver's own cursor (`driver_rows`: every compiled statement)
    raises psycopg's error; one run through SQLAlchemy, its DBAPIError wrapping it."""
    driver_error = error.orig if isinstance(error, DBAPIError) else error
    return getattr(driver_error, "sqlstate", None) == "40001"


async def _unusable(connection: AsyncConnection) -> bool:
    """Whether `connection` was invalidated or found broken (reaching the driver may
    itself fail when SQLAlchemy tries to replace an invalidated connection)."""
    if connection.invalidated:
        return True
    try:
        return await _lost(connection)
    except (DBAPIError, OSError):
        return True


@dataclass(frozen=True, slots=True)
class Fallback:
    """The engine a request's reads move to when its own database cannot serve them."""

    engine: AsyncEngine
    label: str
    # Told the error that made the request move (once per request).
    on_failover: Callable[[BaseException], None]


class _Fetch:
    """A `fetch_now` call: `fetch_rows` in a batch (a synchronous engine, a greenlet),
    or awaited on the driver (`awaited`)."""

    __slots__ = ("database", "params", "stmt")

    def __init__(self, database: RequestDatabase, stmt: Executable, params: dict[str, Any]) -> None:
        self.database = database
        self.stmt = stmt
        self.params = params

    def __call__(self) -> Any:
        return self.database._call(fetch_rows, self.stmt, self.params)

    async def awaited(self, connection: AsyncConnection) -> Outcome:
        try:
            return True, await fetch_rows_async(connection, self.stmt, self.params)
        except Exception as exc:  # noqa: BLE001 - handed to the caller, as `_run_all` does
            return False, exc


class RequestDatabase:
    """The request's connection, handed to data-layer functions one call at a time."""

    def __init__(
        self,
        engine: Engine | AsyncEngine,
        *,
        label: str | None = None,
        fallback: Fallback | None = None,
        idle: IdleConnections | None = None,
    ) -> None:
        if fallback is not None and not isinstance(engine, AsyncEngine):
            raise TypeError("A fallback is for asyncio engines (PostgreSQL) only.")
        # Connections kept between requests (`hub.api.idle_connections`), for `engine`.
        self._idle = idle if idle is not None and idle.engine is engine else None
        self._engine = engine
        self._async_engine = engine if isinstance(engine, AsyncEngine) else None
        self._label = label
        self._fallback = fallback
        self._served_by: str | None = None
        self._async_connection: AsyncConnection | None = None
        self._connection: Connection | None = None
        self._queue: list[tuple[Call, asyncio.Future[Any]]] = []
        # The batch running (or about to): `_drain`'s task, or `run_now`'s call.
        self._drainer: asyncio.Future[None] | None = None

    async def run(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Call `fn(connection, *args, **kwargs)` with the next batch and return its result."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((partial(self._call, fn, *args, **kwargs), future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def run_now(
        self, fn: Callable[Concatenate[Connection, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """`run`, without waiting a tick of the loop for other calls to join the batch:
        for a caller whose call is the only one it has (a compiled root field's one
        statement), which saves the batch's task. Calls made meanwhile wait, as with
        `run`, and run after it."""
        result: T = await self._now(partial(self._call, fn, *args, **kwargs))
        return result

    async def fetch_now(self, stmt: Executable, params: dict[str, Any]) -> Sequence[Sequence[Any]]:
        """`run_now(fetch_rows, stmt, params)`; on an asyncio engine the statement is
        awaited on the driver from this coroutine, without a greenlet
        (`driver_rows.fetch_rows_async`)."""
        rows: Sequence[Sequence[Any]] = await self._now(_Fetch(self, stmt, params))
        return rows

    async def _now(self, call: Call) -> Any:
        if self._drainer is not None:
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._queue.append((call, future))
            return await future
        running = self._drainer = asyncio.get_running_loop().create_future()
        try:
            ok, value = (await self._run_batch([call]))[0]
        except Exception as exc:  # noqa: BLE001 - no connection: the call failed
            ok, value = False, exc
        finally:
            running.set_result(None)
            self._drainer = None
            if self._queue:
                self._drainer = asyncio.create_task(self._drain())
        if not ok:
            raise value
        return value

    @property
    def dialect_name(self) -> str:
        """The database's dialect ("postgresql", "sqlite")."""
        return self._engine.dialect.name

    @property
    def served_by(self) -> str | None:
        """The label of the database the last batch ran on (None: none ran, or the
        engine has no label)."""
        return self._served_by

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
        self._served_by = self._label
        if self._async_engine is None:
            return _run_all(calls)
        fallback = self._fallback
        if fallback is None:
            return await self._run_async(self._async_engine, calls)
        try:
            outcomes = await self._run_async(self._async_engine, calls)
        except (DBAPIError, OSError) as exc:  # could not connect
            return await self._fail_over(fallback, calls, exc)
        if all(ok for ok, _ in outcomes):
            return outcomes
        connection = self._async_connection
        failures = [value for ok, value in outcomes if not ok]
        if connection is None or await _unusable(connection):
            return await self._fail_over(fallback, calls, failures[0])
        if any(_conflicted_with_recovery(failure) for failure in failures):
            return await self._fail_over(fallback, calls, None)
        return outcomes

    async def _fail_over(
        self, fallback: Fallback, calls: list[Call], error: BaseException | None
    ) -> list[Outcome]:
        """Run `calls`, and every later batch, on the fallback's engine; tell the fallback
        `error` when the connection was lost or never made (None: it still works)."""
        self._fallback = None
        left, self._async_connection = self._async_connection, None
        if left is not None:
            if error is not None:
                await left.invalidate()  # not back into the pool
            await left.close()
        if error is not None:
            fallback.on_failover(error)
        self._engine = self._async_engine = fallback.engine
        self._served_by = self._label = fallback.label
        return await self._run_async(fallback.engine, calls)

    async def _on(self, connection: AsyncConnection, calls: list[Call]) -> list[Outcome]:
        """Run `calls` on `connection`: one `fetch_now` awaited from here, anything else
        in a greenlet."""
        if len(calls) == 1 and isinstance(calls[0], _Fetch):
            return [await calls[0].awaited(connection)]
        return await connection.run_sync(self._run_in_greenlet, calls)

    async def _run_async(self, engine: AsyncEngine, calls: list[Call]) -> list[Outcome]:
        if self._async_connection is not None:
            return await self._on(self._async_connection, calls)
        # A pooled connection is not pinged when it is checked out (a round trip per
        # request, `hub.api.app`): one the server has dropped since (a restart, a
        # failover, an idle timeout) fails its first statement, which SQLAlchemy reports
        # as a lost connection. The request only reads, so its first batch then runs once
        # more, on a connection of a new pool.
        kept = self._idle.take() if self._idle is not None else None
        self._async_connection = kept if kept is not None else await engine.connect()
        outcomes = await self._on(self._async_connection, calls)
        if all(ok for ok, _ in outcomes) or not await _lost(self._async_connection):
            return outcomes
        dropped, self._async_connection = self._async_connection, None
        await dropped.invalidate()  # not back into the pool
        await dropped.close()
        # The others in the pool are as old: a new pool replaces it (connections checked
        # out by requests in flight are left to them).
        await engine.dispose(close=False)
        if self._idle is not None:
            await self._idle.discard()
        self._async_connection = await engine.connect()
        return await self._on(self._async_connection, calls)

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
            if self._idle is not None and self._engine is self._idle.engine:
                await self._idle.give(async_connection)  # kept for the next request
            else:
                await async_connection.close()
        elif connection is not None:
            connection.close()
