"""The audit log's hash chain: appending rows to it and checking it (`hub audit verify`).

Each row's `row_hash` is SHA-256 over its predecessor's `row_hash` and its own content
(canonical JSON); the first row follows `GENESIS`. A row altered in place no longer hashes
to its `row_hash`; a row removed (or re-hashed after altering) leaves its successor's
`prev_hash` pointing at nothing. Removing rows at the tail leaves no trace inside the
table: `verify_chain` reports the head hash so it can be noted elsewhere and compared.

Appending reads the last hash and inserts after it, so two writers at once would fork
the chain: they are serialized, by a transaction-scoped advisory lock on PostgreSQL
(across processes and servers) and by a process lock on SQLite (where the API is one
process; the database also serializes writers, but not the read before the write).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Connection, insert, select, text

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


def append_entries(connection: Connection, entries: Sequence[AuditEntry]) -> None:
    """Chain `entries` after the last row and insert them in one statement, committed.

    `connection` must not be in a transaction; on PostgreSQL it may be in autocommit
    mode (the API's), which is switched to READ COMMITTED for this transaction.
    """
    if not entries:
        return
    postgres = connection.dialect.name == "postgresql"
    if postgres:
        connection = connection.execution_options(isolation_level="READ COMMITTED")
    with nullcontext() if postgres else _SQLITE_LOCK, connection.begin():
        if postgres:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_KEY})
        prev = connection.scalar(
            select(AuditRecord.row_hash).order_by(AuditRecord.id.desc()).limit(1)
        )
        prev = prev or GENESIS
        rows = []
        for entry in entries:
            current = row_hash(prev, entry)
            rows.append({**_columns(entry), "prev_hash": prev, "row_hash": current})
            prev = current
        connection.execute(insert(AuditRecord), rows)


def _columns(entry: AuditEntry) -> dict[str, Any]:
    return {
        "at": entry.at,
        "key_id": entry.key_id,
        "owner": entry.owner,
        "role": entry.role,
        "operation_name": entry.operation_name,
        "document_hash": entry.document_hash,
        "variables": entry.variables,
        "person_ids": entry.person_ids,
        "result_bytes": entry.result_bytes,
    }


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
