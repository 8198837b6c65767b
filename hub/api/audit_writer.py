"""The audit log's writer thread: queued work becomes entries, appended in batches.

The event loop that serves requests only queues a piece of work (`submit`: a callable
that makes the entries of one sent response) and returns; one thread of the process
makes the entries (parsing documents, reading bodies back, hashing, JSON) and appends
them to the chain (`hub.access.audit_chain.append_entries`: COPY on PostgreSQL) on one
connection it holds for the process's life, so neither a pool checkout nor the batch's
CPU work runs on the loop. After the first item of a batch it waits `linger_seconds`
for more (or until `max_batch` items are queued): under load a batch then holds many
rows, and the per-transaction cost (begin, lock, last hash, commit) is paid once for all.

The connection comes from the engine the application gives (its access engine: on
PostgreSQL an asyncio engine, whose URL the thread opens a synchronous psycopg engine
of one connection on; SQLite's synchronous engine is used as it is), so a write goes
wherever the application sends its writes. A write that fails is logged at ERROR with
the entries it held (the data has been sent: the log line is then the only record of
it), and the connection is replaced for the next batch. `close` writes everything
queued and stops the thread; a process killed outright loses what was still queued:
at most `linger_seconds` plus one write.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.access.audit_chain import AuditEntry, append_entries
from hub.api.settings import AUDIT_LINGER_MS
from hub.graph.database import create_hub_engine

logger = logging.getLogger(__name__)

# Makes the entries of one sent response (called on the writer thread).
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


class AuditWriter:
    """One thread appending the entries of submitted work to the audit chain."""

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
        self._engine: Engine | None = None
        self._connection: Connection | None = None
        self._cond = threading.Condition()
        self._queue: list[Work] = []
        self._submitted = 0
        self._done = 0
        self._hurry = 0  # flushes waiting: skip the linger
        self._closing = False
        self._thread: threading.Thread | None = None

    def submit(self, work: Work) -> None:
        """Queue `work`; returns at once (the thread wakes for a batch's first item)."""
        with self._cond:
            if self._closing:
                raise RuntimeError("The audit writer is closed.")
            self._queue.append(work)
            self._submitted += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="audit-writer", daemon=True)
                self._thread.start()
            if len(self._queue) == 1 or len(self._queue) >= self._max_batch:
                self._cond.notify_all()

    def flush(self, timeout: float | None = None) -> bool:
        """Block until everything submitted so far is written (or failed and logged);
        False when `timeout` passed first."""
        with self._cond:
            target = self._submitted
            self._hurry += 1
            self._cond.notify_all()
            try:
                return self._cond.wait_for(lambda: self._done >= target, timeout)
            finally:
                self._hurry -= 1

    def close(self) -> None:
        """Write what is queued, stop the thread, close the connection (idempotent)."""
        with self._cond:
            self._closing = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None:
            thread.join()
        self._disconnect()
        if self._engine is not None and self._engine is not self._given:
            self._engine.dispose()
        self._engine = None

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._queue) or self._closing)
                if not self._queue:
                    return  # closing, nothing left
                deadline = time.monotonic() + self._linger
                while not (
                    self._closing or self._hurry or len(self._queue) >= self._max_batch
                ) and self._cond.wait(max(deadline - time.monotonic(), 0)):
                    pass  # woken early: check again, sleep the rest of the linger
                batch = self._queue[: self._max_batch]
                del self._queue[: self._max_batch]
            try:
                self._write(batch)
            finally:
                with self._cond:
                    self._done += len(batch)
                    self._cond.notify_all()

    def _write(self, batch: list[Work]) -> None:
        entries: list[AuditEntry] = []
        for work in batch:
            try:
                entries.extend(work())
            except Exception:
                logger.exception("Audit entries of a sent response could not be made (%r)", work)
        if not entries:
            return
        try:
            append_entries(self._connect(), entries, synchronous_commit=self._synchronous_commit)
        except Exception as exc:  # noqa: BLE001 - psycopg's own errors too (COPY is raw)
            logger.error("Audit entries NOT written (%s): %r", exc, entries)
            self._disconnect()

    def _connect(self) -> Connection:
        if self._connection is None:
            if self._engine is None:
                self._engine = _synchronous(self._given)
            self._connection = self._engine.connect()
        return self._connection

    def _disconnect(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except SQLAlchemyError as exc:  # a broken connection: the pool drops it
                logger.warning("Closing the audit writer's connection failed: %s", exc)


def _synchronous(engine: Engine | AsyncEngine) -> Engine:
    """`engine` itself, or for an asyncio engine a synchronous one of one connection on the
    same database (the thread cannot drive asyncio's)."""
    if isinstance(engine, Engine):
        return engine
    url = engine.url.render_as_string(hide_password=False)
    return create_hub_engine(
        url,
        pool_size=1,
        max_overflow=0,
        isolation_level="AUTOCOMMIT",
        connect_args={"application_name": WRITER_APPLICATION_NAME},
    )
