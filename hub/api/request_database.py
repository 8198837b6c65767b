"""One database session per request, used from async resolvers without blocking the loop.

SQLAlchemy sessions are synchronous and not thread-safe, while strawberry resolves fields
(and DataLoader batches) concurrently on the event loop. `RequestDatabase.run` therefore
runs each data-layer function in Starlette's thread pool, one at a time per request (an
asyncio lock), so a request's statements never overlap on its one connection.

The session only reads; it is opened lazily by the first statement and closed (its
transaction rolled back, its connection returned to the pool) by `close`, which the view
calls when the response is ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

P = ParamSpec("P")
T = TypeVar("T")


class RequestDatabase:
    """The request's session, handed to data-layer functions one call at a time."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._session = sessions()
        self._lock = asyncio.Lock()

    async def run(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Call `fn(session, *args, **kwargs)` in a worker thread and return its result."""
        async with self._lock:
            return await run_in_threadpool(fn, self._session, *args, **kwargs)

    async def close(self) -> None:
        async with self._lock:
            await run_in_threadpool(self._session.close)
