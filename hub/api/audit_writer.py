"""The audit log's writer: queued work becomes entries, appended in batches, by one task on
the server's event loop.

The view only queues a piece of work (`submit`: a callable that makes the entries of one
sent response) and returns. One task of the loop waits `linger_seconds` after the first
item of a batch (or until `max_batch` items are queued), so that under load a batch holds
many rows and the per-transaction cost (begin, lock, last hash, commit) is paid once for
all; then it makes the batch's entries (parsing documents, reading bodies back, hashing:
a few to tens of microseconds each, handing the loop back between every
`_ENTRIES_PER_TURN` of them) and appends them to the chain
(`hub.access.audit_chain.append_entries_async`: COPY on PostgreSQL) on one connection it
holds for the process's life, every round trip awaited.

A task, not a thread: a thread of its own made the same entries with the same CPU, but
every wake-up of it took Python's lock from the loop in the middle of requests, and gave it
back only at a blocking call or after the interpreter's switch interval (5 ms); requests
then waited on it (most in their latency's tail), which no CPU measure sees.

The connection comes from the engine the application gives (its access engine): on
PostgreSQL an asyncio engine, whose URL the writer opens an engine of one connection on
(named `WRITER_APPLICATION_NAME`); a synchronous engine (SQLite, whose driver has no
asynchronous mode, or a test's) is written through in a worker thread. A write that fails is
logged at ERROR with the entries it held (the data has been sent: the log line is then the
only record of it), and the connection is replaced for the next batch. `close` writes
everything queued and stops the task; a process killed outright loses what was still
queued: at most `linger_seconds` plus one write.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import suppress

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from hub.access.audit_chain import AuditEntry, append_entries, append_entries_async
from hub.api.settings import AUDIT_LINGER_MS
from hub.graph.database import create_hub_async_engine

logger = logging.getLogger(__name__)

# Makes the entries of one sent response (called on the loop, by the writer's task).
Work = Callable[[], Sequence[AuditEntry]]
# How long the writer waits for more work after the first of a batch (so an audit row
# lands at most this much, plus the write, after its response was sent). A transaction's
# fixed cost (about 1 ms of CPU in this process and 0.5 ms in PostgreSQL's) is shared by
# its rows: at 150 audited responses a second, 50 ms made batches of about 9 rows, 200 ms
# of about 30 (benchmarks/bench_audit.py).
AUDIT_LINGER_SECONDS = AUDIT_LINGER_MS / 1000
# How the writer's connection shows in PostgreSQL's pg_stat_activity.
WRITER_APPLICATION_NAME = "hub-audit-writer"
# At most this many responses' entries go in one transaction.
AUDIT_MAX_BATCH = 2000
# Responses whose entries are made before the writer lets the loop serve requests again.
_ENTRIES_PER_TURN = 16


class AuditWriter:
    """One task of the event loop appending the entries of submitted work to the chain.

    `submit` must be called on the loop that serves the requests (the view's), and
    `flush` and `close` awaited there: the task is started on it by the first `submit`."""

    def __init__(
        self,
        engine: Engine | AsyncEngine,
        *,
        linger_seconds: float = AUDIT_LINGER_SECONDS,
        max_batch: int = AUDIT_MAX_BATCH,
        synchronous_commit: bool = True,
    ) -> None:
        self._given = engine
        self._linger = linger_seconds
        self._max_batch = max_batch
        self._synchronous_commit = synchronous_commit
        self._engine: AsyncEngine | None = None
        self._connection: AsyncConnection | Connection | None = None
        self._queue: list[Work] = []
        self._submitted = 0
        self._done = 0
        self._hurry = 0  # flushes waiting: skip the linger
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._arrived = asyncio.Event()  # set while work is queued (or closing)
        self._urgent = asyncio.Event()  # set while the linger is to be skipped
        self._progress = asyncio.Event()  # set after each batch

    def submit(self, work: Work) -> None:
        """Queue `work`; returns at once (the task wakes for a batch's first item)."""
        if self._closing:
            raise RuntimeError("The audit writer is closed.")
        self._queue.append(work)
        self._submitted += 1
        self._start()
        self._arrived.set()
        if len(self._queue) >= self._max_batch:
            self._urgent.set()

    def _start(self) -> None:
        """Start the task: at the first `submit`, or after it failed (logged)."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run(), name="audit-writer")
            self._task.add_done_callback(_log_failure)

    async def flush(self, timeout: float | None = None) -> bool:
        """Wait until everything submitted so far is written (or failed and logged);
        False when `timeout` passed first."""
        target = self._submitted
        if self._queue:
            self._start()
        self._hurry += 1
        try:
            async with asyncio.timeout(timeout):
                while self._done < target:
                    self._urgent.set()
                    self._progress.clear()
                    await self._progress.wait()
        except TimeoutError:
            return False
        finally:
            self._hurry -= 1
        return True

    async def close(self) -> None:
        """Write what is queued, stop the task, close the connection (idempotent)."""
        self._closing = True
        self._arrived.set()
        self._urgent.set()
        if self._queue:
            self._start()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)  # a failure is logged
        await self._disconnect()
        if self._engine is not None:
            await self._engine.dispose()
        self._engine = None

    async def _run(self) -> None:
        while True:
            await self._arrived.wait()
            if not self._queue:
                if self._closing:
                    return
                self._arrived.clear()
                continue
            if not self._urgent.is_set():
                with suppress(TimeoutError):
                    async with asyncio.timeout(self._linger):
                        await self._urgent.wait()
            batch = self._queue[: self._max_batch]
            del self._queue[: self._max_batch]
            if not self._queue and not self._closing:
                self._arrived.clear()
            if not (self._hurry or self._closing or len(self._queue) >= self._max_batch):
                self._urgent.clear()
            try:
                await self._write(batch)
            finally:
                self._done += len(batch)
                self._progress.set()

    async def _write(self, batch: list[Work]) -> None:
        entries: list[AuditEntry] = []
        for index, work in enumerate(batch, 1):
            try:
                entries.extend(work())
            except Exception:
                logger.exception("Audit entries of a sent response could not be made (%r)", work)
            if index % _ENTRIES_PER_TURN == 0:
                await asyncio.sleep(0)  # requests waiting meanwhile go first
        if not entries:
            return
        try:
            await self._append(entries)
        except Exception as exc:  # noqa: BLE001 - psycopg's own errors too (COPY is raw)
            logger.error("Audit entries NOT written (%s): %r", exc, entries)
            await self._disconnect()

    async def _append(self, entries: list[AuditEntry]) -> None:
        if isinstance(self._given, AsyncEngine):
            if self._connection is None:
                if self._engine is None:
                    self._engine = _writer_engine(self._given)
                self._connection = await self._engine.connect()
            assert isinstance(self._connection, AsyncConnection)
            await append_entries_async(
                self._connection, entries, synchronous_commit=self._synchronous_commit
            )
            return
        if self._connection is None:
            self._connection = await asyncio.to_thread(self._given.connect)
        connection = self._connection
        assert isinstance(connection, Connection)
        await asyncio.to_thread(
            append_entries, connection, entries, synchronous_commit=self._synchronous_commit
        )

    async def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        try:
            if isinstance(connection, AsyncConnection):
                await connection.close()
            elif connection is not None:
                await asyncio.to_thread(connection.close)
        except SQLAlchemyError as exc:  # a broken connection: the pool drops it
            logger.warning("Closing the audit writer's connection failed: %s", exc)


def _log_failure(task: asyncio.Task[None]) -> None:
    """Log the writer's task ending by an error (a bug: write errors are caught and logged
    with their entries); the next `submit` starts another."""
    if not task.cancelled() and task.exception() is not None:
        logger.error(
            "The audit writer stopped; the next response starts it again.",
            exc_info=task.exception(),
        )


def _writer_engine(engine: AsyncEngine) -> AsyncEngine:
    """An asyncio engine of one connection on `engine`'s database, for the writer alone."""
    url = engine.url.render_as_string(hide_password=False)
    return create_hub_async_engine(
        url,
        pool_size=1,
        max_overflow=0,
        isolation_level="AUTOCOMMIT",
        connect_args={"application_name": WRITER_APPLICATION_NAME},
    )
