"""The audit log's writer: queued work becomes entries on the server's event loop, and
batches of them are appended to the chain by a thread of the writer's own.

The view only queues a piece of work (`submit`: a callable that makes the entries of one
sent response) and returns. One task of the loop waits `linger_seconds` after the first
item of a batch (or until `max_batch` items are queued), so that under load a batch holds
many rows and the per-transaction cost (begin, lock, last hash, commit) is paid once for
all; then it makes the batch's entries (parsing documents, reading bodies back, hashing:
a few to tens of microseconds each, handing the loop back between every
`_ENTRIES_PER_TURN` of them) and hands them to the writer's thread, which appends them to
the chain (`hub.access.audit_chain.append_entries`: COPY on PostgreSQL) on one synchronous
connection it holds for the process's life. The task awaits that append before it takes
the next batch, so batches reach the chain in the order their work was queued.

Why the split: the append's round trips (begin, lock and last hash, COPY, commit) and
their driver work ran on the loop between requests, and requests that arrived meanwhile
waited for them; in a thread each round trip waits in the driver with Python's lock
released, and what the thread runs holding it is short (chaining the rows, formatting the
COPY). The entries are not made there: an earlier writer made them in its thread, and
every wake-up of it took Python's lock from the loop in the middle of requests for up to
the interpreter's switch interval (5 ms), a wait requests paid that no CPU measure sees.

On PostgreSQL the application gives an asyncio engine; the thread opens a synchronous
engine of one connection on its URL (named `WRITER_APPLICATION_NAME`). A synchronous
engine (SQLite, or a test's) is written through as given. A write that fails is logged at
ERROR with the entries it held (the data has been sent: the log line is then the only
record of it), and the connection is replaced for the next batch. `close` writes
everything queued, stops the task and the thread; a process killed outright loses what was
still queued: at most `linger_seconds` plus one write.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.access.audit_chain import AuditEntry, append_entries
from hub.api.settings import AUDIT_LINGER_MS
from hub.graph.database import create_hub_engine

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
# The name of the writer's thread (its prefix: the executor numbers it).
WRITER_THREAD_NAME = "hub-audit-writer"
# At most this many responses' entries go in one transaction.
AUDIT_MAX_BATCH = 2000
# Responses whose entries are made before the writer lets the loop serve requests again.
_ENTRIES_PER_TURN = 16


class AuditWriter:
    """One task of the event loop making the entries of submitted work, and one thread
    appending them to the chain.

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
        # The thread's: its engine (for an asyncio one given) and its connection.
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        self._thread: ThreadPoolExecutor | None = None
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
        """Write what is queued, stop the task and the thread, close the connection
        (idempotent)."""
        self._closing = True
        self._arrived.set()
        self._urgent.set()
        if self._queue:
            self._start()
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)  # a failure is logged
        thread, self._thread = self._thread, None
        if thread is not None:
            await asyncio.wrap_future(thread.submit(self._release))
            thread.shutdown()  # idle by now: its worker only has to see the end

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
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix=WRITER_THREAD_NAME)
        await asyncio.wrap_future(self._thread.submit(self._append, entries))

    # --- The writer's thread: everything below runs there, one call at a time. ---

    def _append(self, entries: list[AuditEntry]) -> None:
        """Append `entries`; a failure is logged with them and the connection replaced."""
        try:
            if self._connection is None:
                self._connection = self._writer_engine().connect()
            append_entries(self._connection, entries, synchronous_commit=self._synchronous_commit)
        except Exception as exc:  # noqa: BLE001 - psycopg's own errors too (COPY is raw)
            logger.error("Audit entries NOT written (%s): %r", exc, entries)
            self._disconnect()

    def _writer_engine(self) -> Engine:
        """The given engine when synchronous, else one of one connection on its URL."""
        if isinstance(self._given, Engine):
            return self._given
        if self._engine is None:
            self._engine = create_hub_engine(
                self._given.url.render_as_string(hide_password=False),
                pool_size=1,
                max_overflow=0,
                isolation_level="AUTOCOMMIT",
                connect_args={"application_name": WRITER_APPLICATION_NAME},
            )
        return self._engine

    def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        try:
            if connection is not None:
                connection.close()
        except SQLAlchemyError as exc:  # a broken connection: the pool drops it
            logger.warning("Closing the audit writer's connection failed: %s", exc)

    def _release(self) -> None:
        """Close the connection and the engine the thread opened (at `close`)."""
        self._disconnect()
        engine, self._engine = self._engine, None
        if engine is not None:
            engine.dispose()


def _log_failure(task: asyncio.Task[None]) -> None:
    """Log the writer's task ending by an error (a bug: write errors are caught and logged
    with their entries); the next `submit` starts another."""
    if not task.cancelled() and task.exception() is not None:
        logger.error(
            "The audit writer stopped; the next response starts it again.",
            exc_info=task.exception(),
        )
