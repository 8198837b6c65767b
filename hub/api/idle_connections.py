"""Connections kept between requests, so that a request does not go through the pool.

Each request reads on one connection of the API's asyncio engine (`RequestDatabase`).
Checking it out of SQLAlchemy's pool and returning it each cost a greenlet (the pool's
queue is awaited from synchronous code), the pool's events and a `Connection` object:
about a tenth of a compiled request's CPU, as much as its statement's own driver work.
`IdleConnections` keeps the connections of finished requests checked out, at most as
many as the pool keeps, and hands them to the next requests, newest first.

A connection is kept only when nothing is left on it: not invalidated or closed, its
SQLAlchemy transaction ended, and its psycopg connection neither closed, broken nor
inside a transaction or a command (the API's engine reads in autocommit, `hub.api.app`; a request
cancelled in the middle of a statement leaves its connection busy, and that one goes
back to the pool, which resets or discards it). A kept connection the server dropped
fails the next request's first statement, which runs again on a new pool, as for a pooled
one (`RequestDatabase`), and the kept ones are closed then (`discard`), as old as it.
"""

from __future__ import annotations

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class IdleConnections:
    """The kept connections of one engine (see the module docstring)."""

    def __init__(self, engine: AsyncEngine, size: int | None = None) -> None:
        self.engine = engine
        pool_size = getattr(engine.sync_engine.pool, "size", None)
        self.size = size if size is not None else (pool_size() if callable(pool_size) else 0)
        self._kept: list[AsyncConnection] = []

    def take(self) -> AsyncConnection | None:
        """A kept connection, or None (the caller connects through the pool)."""
        return self._kept.pop() if self._kept else None

    async def give(self, connection: AsyncConnection) -> None:
        """Keep `connection` for the next request, or close it (back to the pool)."""
        if len(self._kept) < self.size and await _ended(connection) and _reusable(connection):
            self._kept.append(connection)
        else:
            await connection.close()

    async def discard(self) -> None:
        """Close every kept connection (the pool was replaced, or the server stops)."""
        kept, self._kept = self._kept, []
        for connection in kept:
            await connection.close()

    def __len__(self) -> int:
        return len(self._kept)


async def _ended(connection: AsyncConnection) -> bool:
    """Whether SQLAlchemy's transaction on `connection` is over: a statement executed
    through SQLAlchemy begins one even in autocommit, where ending it (as the pool's
    return would) sends nothing to the server."""
    if connection.closed or connection.invalidated or not connection.in_transaction():
        return True
    try:
        await connection.rollback()
    except Exception:  # noqa: BLE001 - the connection then goes back to the pool
        return False
    return True


def _reusable(connection: AsyncConnection) -> bool:
    if connection.closed or connection.invalidated:
        return False
    sync = connection.sync_connection
    if sync is None or sync.in_transaction():
        return False
    dbapi = sync._dbapi_connection
    driver = None if dbapi is None else dbapi.driver_connection
    return (
        isinstance(driver, psycopg.AsyncConnection)
        and not driver.closed
        and not driver.broken
        and driver.info.transaction_status is TransactionStatus.IDLE
    )
