"""One database session per request, used from async resolvers one batch at a time.

SQLAlchemy sessions are synchronous and not thread-safe, while strawberry resolves fields
(and DataLoader batches) concurrently on an event loop. `RequestDatabase.run` queues each
data-layer call; one drainer at a time takes everything queued and runs it, in order. So a
request's statements never overlap on its one connection, and the DataLoaders dispatched
in one tick of the loop (a person's eleven relations, say) run as one batch.

The calls run inline, blocking the loop they are awaited on: the schema executes each
operation on a private loop in a worker thread (`hub.api.operation_thread`), so that loop
serves this request alone and the server's loop is never blocked.

The session only reads; it is opened lazily by the first statement and closed (its
transaction rolled back, its connection returned to the pool) by `close`, which the view
calls when the response is ready.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session, sessionmaker

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


class RequestDatabase:
    """The request's session, handed to data-layer functions one call at a time."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._session = sessions()
        self._queue: list[tuple[Call, asyncio.Future[Any]]] = []
        self._drainer: asyncio.Task[None] | None = None

    async def run(
        self, fn: Callable[Concatenate[Session, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Call `fn(session, *args, **kwargs)` with the next batch and return its result."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((partial(fn, self._session, *args, **kwargs), future))
        if self._drainer is None:
            self._drainer = asyncio.create_task(self._drain())
        return await future

    async def _drain(self) -> None:
        try:
            while self._queue:
                # One more tick lets the other loaders dispatched in this one join the trip.
                await asyncio.sleep(0)
                batch, self._queue = self._queue, []
                outcomes = _run_all([call for call, _ in batch])
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
        """Wait for queued calls, then close the session."""
        while self._drainer is not None:
            await asyncio.wait({self._drainer})
        self._session.close()
