"""The audit log's writer: one row per operation that returned personal data.

After the response is sent (a Starlette background task), the response body is read back
and walked with `hub.api.personal_data`; an operation that returned personal data gets an
`AuditEntry` (key, owner, role, operation name, SHA-256 of the document, its variables
with secret-looking values removed, the hub ids of the persons returned, the body's
size). Entries are queued for one writer task, which waits `AUDIT_LINGER_SECONDS` for
more and writes what it has in one transaction whose rows go in one INSERT
(`hub.access.audit_chain.append_entries`). Nothing of this runs before the response is
on its way, and nothing awaits the write, so neither the request nor the next one on the
same connection pays for it. The queue is flushed when the application shuts down.

A write that fails is logged at ERROR with the entries it held: the data has been sent,
and the log line is then the only record of it. (A process killed outright loses the
entries still queued: at most the last `AUDIT_LINGER_SECONDS` plus one write.)
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.concurrency import run_in_threadpool

from hub.access.audit_chain import AuditEntry, append_entries
from hub.api.context import ExecutedOperation
from hub.api.personal_data import may_return_personal, personal_read
from hub.api.principal import Principal

logger = logging.getLogger(__name__)

REMOVED = "[removed]"
# Variable names whose values are never logged (a key, a password, a token...).
_SECRET_NAME = re.compile(r"pass|secret|token|key|auth|credential", re.IGNORECASE)
_PARSED_DOCUMENTS = 128
# How long the writer waits for more entries before writing a batch (so an audit row lands
# at most this much, plus the write, after its response was sent).
AUDIT_LINGER_SECONDS = 0.05


def without_secrets(value: Any) -> Any:
    """`value` with every object member whose name looks like a secret replaced."""
    if isinstance(value, dict):
        return {
            k: REMOVED if _SECRET_NAME.search(str(k)) else without_secrets(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [without_secrets(v) for v in value]
    return value


def document_hash(query: str) -> str:
    return hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()


class AuditRecorder:
    """Turns sent responses into audit entries and appends them (see the module)."""

    def __init__(
        self,
        engine: Engine | AsyncEngine,
        schema: GraphQLSchema,
        *,
        linger_seconds: float = AUDIT_LINGER_SECONDS,
    ) -> None:
        self._engine = engine
        self._schema = schema
        self._linger = linger_seconds
        # Parsed documents, or None for one that selects nothing personal (never read).
        self._documents: OrderedDict[str, DocumentNode | None] = OrderedDict()
        self._pending: list[AuditEntry] = []
        self._writer: asyncio.Task[None] | None = None

    def entries(
        self,
        principal: Principal,
        operations: Sequence[ExecutedOperation],
        body: bytes,
        at: datetime,
    ) -> list[AuditEntry]:
        """The entries for a response `body` answering `operations` (a batch answers a list)."""
        documents = [self._document(o) for o in operations]
        if all(document is None for _, document in documents):
            return []  # e.g. aggregates only: the body need not even be parsed
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError:
            return []
        results = decoded if isinstance(decoded, list) else [decoded]
        found: list[AuditEntry] = []
        for operation, (digest, document), result in zip(
            operations, documents, results, strict=False
        ):
            data = result.get("data") if isinstance(result, dict) else None
            if data is None or document is None:
                continue
            read = personal_read(self._schema, document, operation.operation_name, data)
            if not read.personal:
                continue
            found.append(
                AuditEntry(
                    at=at,
                    key_id=principal.key_id,
                    owner=principal.name,
                    role=principal.role.value,
                    operation_name=read.operation_name,
                    document_hash=digest,
                    variables=without_secrets(operation.variables or {}),
                    person_ids=sorted(read.person_ids),
                    result_bytes=len(body),
                )
            )
        return found

    def _document(self, operation: ExecutedOperation) -> tuple[str, DocumentNode | None]:
        """The document's hash, and the document when it may return personal data."""
        digest = document_hash(operation.query)
        key = f"{digest}:{operation.operation_name or ''}"
        if key in self._documents:
            return digest, self._documents[key]
        try:
            document: DocumentNode | None = parse(operation.query)
        except GraphQLError:
            document = None
        if document is not None and not may_return_personal(
            self._schema, document, operation.operation_name
        ):
            document = None
        self._documents[key] = document
        if len(self._documents) > _PARSED_DOCUMENTS:
            self._documents.popitem(last=False)
        return digest, document

    async def record(
        self,
        principal: Principal,
        operations: Sequence[ExecutedOperation],
        body: bytes,
        at: datetime,
    ) -> None:
        """Queue the entries for one sent response; the writer task commits them.

        Returns at once: awaiting the write here would hold the client's keep-alive
        connection (the server reads its next request only when this task is done).
        """
        entries = self.entries(principal, operations, body, at)
        if not entries:
            return
        self._pending.extend(entries)
        if self._writer is None:
            self._writer = asyncio.create_task(self._drain())

    async def _drain(self) -> None:
        try:
            while self._pending:
                # Linger so that the entries of requests finishing meanwhile join this
                # batch: one transaction for many rows instead of one each.
                await asyncio.sleep(self._linger)
                entries, self._pending = self._pending, []
                try:
                    await self._append(entries)
                except SQLAlchemyError as exc:
                    logger.error("Audit entries NOT written (%s): %r", exc, entries)
        finally:
            self._writer = None

    async def flush(self) -> None:
        """Wait until every queued entry is written (shutdown; tests)."""
        while self._writer is not None:
            await asyncio.wait({self._writer})

    async def _append(self, entries: list[AuditEntry]) -> None:
        if isinstance(self._engine, AsyncEngine):
            async with self._engine.connect() as connection:
                await connection.run_sync(append_entries, entries)
            return
        engine = self._engine

        def append() -> None:
            with engine.connect() as connection:
                append_entries(connection, entries)

        await run_in_threadpool(append)
