"""Running a request's whole GraphQL operation in one worker thread, on its own loop.

Used with a synchronous engine (SQLite); on PostgreSQL the API's asyncio engine awaits
statements on the server's loop and needs no thread (`hub.api.request_database`).

Strawberry executes an operation as a coroutine, and the data layer is synchronous
SQLAlchemy. Hopping to Starlette's thread pool for every batch of statements (a person
with every relation: about sixteen hops) cost more CPU than the statements themselves.
Instead `run_in_worker` makes one hop per request: the operation's coroutine runs to
completion on an event loop private to the worker thread, where `RequestDatabase` calls
the data layer inline (it is already off the server's loop, so blocking is fine there).
DataLoaders keep batching: they dispatch on the private loop exactly as on the main one.

Each worker thread keeps its loop for as long as it lives, so a request does not pay for
creating one (an epoll descriptor and a selector).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool

T = TypeVar("T")

_local = threading.local()


def _thread_loop() -> asyncio.AbstractEventLoop:
    loop: asyncio.AbstractEventLoop | None = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
    return loop


def run_on_thread_loop(operation: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run the coroutine `operation()` to completion on this thread's private loop."""
    return _thread_loop().run_until_complete(operation())


async def run_in_worker(operation: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """`await operation()`, run in one worker thread (see the module docstring)."""
    return await run_in_threadpool(run_on_thread_loop, operation)
