"""The audit log's hash chain: appending rows to it and checking it (`hub audit verify`).

Each row's `row_hash` is SHA-256 over its predecessor's `row_hash` and its own content
(canonical JSON); the first row follows `GENESIS`. A row altered in place no longer hashes
to its `row_hash`; a row removed (or re-hashed after altering) leaves its successor's
`prev_hash` pointing at nothing. Removing rows at the tail leaves no trace inside the
table: `verify_chain` reports the head hash so it can be noted elsewhere and compared.

Appending reads the last hash once per batch and chains the batch's rows after it in one
pass, so two writers at once would fork the chain: they are serialized, by a
transaction-scoped advisory lock on PostgreSQL (across processes and servers), and on
SQLite by a process lock and a transaction that takes the database's write lock before
the read (BEGIN IMMEDIATE; the database alone would serialize the writes, not the read
before them). On PostgreSQL the rows go in by COPY, from a synchronous connection
(`append_entries`) or an asyncio one (`append_entries_async`, the API's audit writer)
(psycopg's `cursor.copy`), which costs the server and the client less per row than a
multi-row INSERT (no statement to build, parse and plan for each batch size); SQLite
takes one INSERT.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

import orjson
import psycopg
from sqlalchemy import Connection, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from hub.graph.models import AuditRecord

GENESIS = "0" * 64
# pg_advisory_xact_lock's key for the audit chain ("audit" in ASCII, as a bigint).
_ADVISORY_KEY = 0x6175646974
_SQLITE_LOCK = threading.Lock()
_VERIFY_BATCH = 1000


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What one audit row says (before it is chained)."""

    at: datetime
    key_id: str | None
    owner: str
    role: str
    operation_name: str | None
    document_hash: str
    variables: dict[str, Any]
    person_ids: list[str]
    result_bytes: int


def row_hash(prev_hash: str, entry: AuditEntry) -> str:
    content = {
        "prev_hash": prev_hash,
        "at": entry.at.isoformat(),
        "key_id": entry.key_id,
        "owner": entry.owner,
        "role": entry.role,
        "operation_name": entry.operation_name,
        "document_hash": entry.document_hash,
        "variables": entry.variables,
        "person_ids": entry.person_ids,
        "result_bytes": entry.result_bytes,
    }
    return hashlib.sha256(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)).hexdigest()


def append_entries(
    connection: Connection, entries: Sequence[AuditEntry], *, synchronous_commit: bool = True
) -> None:
    """Chain `entries` after the last row and write them in one transaction, committed.

    `connection` must not be in a transaction. On PostgreSQL its driver must be psycopg's
    synchronous connection, in autocommit mode (the API's) or not: the transaction is run
    on it directly, READ COMMITTED, in three round trips (begin, lock and read the last
    hash, pipelined; COPY; commit). `synchronous_commit=False` lets this one transaction
    commit without waiting for its WAL to reach the disk (`SET LOCAL`): a server crash may
    then lose the last few hundred milliseconds of audit rows (never part of a row, never
    the chain's order); the default waits, as every other commit does. Every entry's `at`
    must carry a time zone (it is chained and stored in UTC).
    """
    if not entries:
        return
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        if not isinstance(driver, psycopg.Connection):
            raise TypeError(f"Audit rows are copied through psycopg's Connection, not {driver!r}.")
        _append_postgresql(driver, entries, synchronous_commit)
        return
    with _SQLITE_LOCK, connection.begin():
        # Take SQLite's write lock before reading the last hash: another process (a job,
        # a second server) appending meanwhile then waits instead of forking the chain.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        prev = connection.scalar(
            select(AuditRecord.row_hash).order_by(AuditRecord.id.desc()).limit(1)
        )
        rows = _chained(prev or GENESIS, entries)
        connection.execute(insert(AuditRecord), [dict(zip(COLUMNS, r, strict=True)) for r in rows])


# The columns a chained row fills, in the order `_chained` gives its values.
COLUMNS = (*AuditEntry.__slots__, "prev_hash", "row_hash")
_COPY = f"COPY audit_log ({', '.join(COLUMNS)}) FROM STDIN"
_VARIABLES, _PERSON_IDS = COLUMNS.index("variables"), COLUMNS.index("person_ids")
_LAST_HASH = "SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1"
# An entry's values in `AuditEntry.__slots__` order, read in one C call.
_ENTRY_VALUES = attrgetter(*AuditEntry.__slots__)


def _append_postgresql(
    driver: psycopg.Connection[Any], entries: Sequence[AuditEntry], synchronous_commit: bool
) -> None:
    """The lock, the last hash read after it (a statement of its own: in READ COMMITTED it
    then sees a row another writer committed while this one waited), the rows by COPY."""
    autocommit, isolation = driver.autocommit, driver.isolation_level
    driver.autocommit = False  # psycopg sends BEGIN before the first statement
    driver.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
    try:
        with driver.cursor() as cursor:
            with driver.pipeline():
                if not synchronous_commit:
                    cursor.execute("SET LOCAL synchronous_commit = off")
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_KEY,))
                cursor.execute(_LAST_HASH)
            last = cursor.fetchone()
            rows = _chained(last[0] if last else GENESIS, entries)
            with cursor.copy(_COPY) as copy:
                for row in rows:
                    copy.write_row(copy_values(row))
        driver.commit()
    except BaseException:
        if not driver.closed:  # a lost connection has nothing to roll back
            with suppress(psycopg.Error):
                driver.rollback()
        raise
    finally:
        if not driver.closed:
            driver.autocommit, driver.isolation_level = autocommit, isolation


async def append_entries_async(
    connection: AsyncConnection, entries: Sequence[AuditEntry], *, synchronous_commit: bool = True
) -> None:
    """`append_entries` on an asyncio connection to PostgreSQL (psycopg's `AsyncConnection`
    underneath): the same transaction and round trips, awaited on the caller's loop, so an
    application's event loop writes its audit rows with no thread (and no handing Python's
    lock back and forth with one)."""
    if not entries:
        return
    driver = (await connection.get_raw_connection()).driver_connection
    if not isinstance(driver, psycopg.AsyncConnection):
        raise TypeError(f"Audit rows are copied through psycopg's AsyncConnection, not {driver!r}.")
    autocommit, isolation = driver.autocommit, driver.isolation_level
    await driver.set_autocommit(False)  # psycopg sends BEGIN before the first statement
    await driver.set_isolation_level(psycopg.IsolationLevel.READ_COMMITTED)
    try:
        async with driver.cursor() as cursor:
            async with driver.pipeline():
                if not synchronous_commit:
                    await cursor.execute("SET LOCAL synchronous_commit = off")
                await cursor.execute("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_KEY,))
                await cursor.execute(_LAST_HASH)
            last = await cursor.fetchone()
            rows = _chained(last[0] if last else GENESIS, entries)
            async with cursor.copy(_COPY) as copy:
                for row in rows:
                    await copy.write_row(copy_values(row))
        await driver.commit()
    except BaseException:
        if not driver.closed:  # a lost connection has nothing to roll back
            with suppress(psycopg.Error):
                await driver.rollback()
        raise
    finally:
        if not driver.closed:
            await driver.set_autocommit(autocommit)
            await driver.set_isolation_level(isolation)


def copy_values(row: tuple[Any, ...]) -> list[Any]:
    """A chained row's values as COPY writes them: its two JSON columns as JSON text."""
    values = list(row)
    values[_VARIABLES] = orjson.dumps(values[_VARIABLES]).decode()
    values[_PERSON_IDS] = orjson.dumps(values[_PERSON_IDS]).decode()
    return values


def _chained(prev: str, entries: Sequence[AuditEntry]) -> list[tuple[Any, ...]]:
    """Each entry's column values (`COLUMNS`), hashed after its predecessor's."""
    rows = []
    for given in entries:
        if given.at.tzinfo is None:
            raise ValueError(f"Audit entry time {given.at.isoformat()!r} has no time zone.")
        entry = given if given.at.tzinfo is UTC else replace(given, at=given.at.astimezone(UTC))
        current = row_hash(prev, entry)
        rows.append((*_ENTRY_VALUES(entry), prev, current))
        prev = current
    return rows


@dataclass(frozen=True, slots=True)
class ChainReport:
    """What `verify_chain` found: rows read, the last row's hash, the first broken row."""

    rows: int
    head: str
    broken_row: int | None = None
    reason: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_row is None


def _rows(connection: Connection) -> Iterator[AuditRecord]:
    last = 0
    while True:
        batch = list(
            connection.execute(
                select(AuditRecord.__table__)
                .where(AuditRecord.id > last)
                .order_by(AuditRecord.id)
                .limit(_VERIFY_BATCH)
            )
        )
        if not batch:
            return
        yield from batch  # type: ignore[misc]
        last = batch[-1].id


def verify_chain(connection: Connection) -> ChainReport:
    """Walk the log in id order; report the first row whose hash or link is wrong."""
    prev_hash, prev_id, count = GENESIS, None, 0
    for row in _rows(connection):
        entry = AuditEntry(**{name: getattr(row, name) for name in AuditEntry.__slots__})
        if row.prev_hash != prev_hash:
            after = "the start of the log" if prev_id is None else f"row {prev_id}"
            reason = (
                f"Row {row.id} does not follow {after}: a row before it was removed, "
                f"or {after}'s hash was rewritten."
            )
            return ChainReport(count, prev_hash, row.id, reason)
        if row_hash(row.prev_hash, entry) != row.row_hash:
            reason = f"Row {row.id} was altered: its content does not hash to its row_hash."
            return ChainReport(count, prev_hash, row.id, reason)
        prev_hash, prev_id, count = row.row_hash, row.id, count + 1
    return ChainReport(count, prev_hash)
