"""The audit log's recorder: one row per operation that returned personal data.

When the response is ready, the view queues the work of auditing it (`submit`, no task
of its own: a Starlette background task per response cost more than the queueing) for
the writer (`hub.api.audit_writer`, one task of the server's loop), which gathers the
persons each operation returned: root fields answered by a compiled statement that told its persons
(`hub.api.compiled.audited`, `ExecutedOperation.persons`) are taken at their word; when
some root field did not tell, the response body is read back and those fields are walked
with `hub.api.personal_data`. An operation that returned personal data gets an
`AuditEntry` (key, owner, role, operation name, SHA-256 of the document, its variables
with secret-looking values removed, the hub ids of the persons returned, the body's
size). The writer appends a batch of them in one transaction (`hub.access.audit_chain`).
Nothing of this runs on a request's path but the queueing: the writer waits its linger
before reading anything, makes the entries a few at a time between requests, and awaits
its round trips. The queue is written out when the application shuts down (`close`).

A write that fails is logged at ERROR with the entries it held: the data has been sent,
and the log line is then the only record of it. (A process killed outright loses the
entries still queued: at most the writer's linger plus one write.)
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson
from graphql import DocumentNode, GraphQLError, GraphQLSchema, parse
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.access.audit_chain import AuditEntry
from hub.api.audit_writer import AUDIT_LINGER_SECONDS, AuditWriter
from hub.api.context import ExecutedOperation
from hub.api.personal_data import may_return_personal, personal_read, root_keys
from hub.api.principal import Principal

logger = logging.getLogger(__name__)

REMOVED = "[removed]"
# Variable names whose values are never logged (a key, a password, a token...).
_SECRET_NAME = re.compile(r"pass|secret|token|key|auth|credential", re.IGNORECASE)
_PARSED_DOCUMENTS = 128


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


@dataclass(frozen=True, slots=True)
class _Parsed:
    """A document that may return personal data: its operation's name (as the document
    gives it) and the response keys of its root fields."""

    document: DocumentNode
    operation_name: str | None
    roots: frozenset[str]


# A response whose first member is a non-null `data` object (orjson writes the members in
# the order strawberry builds them: data, errors, extensions).
_DATA_OBJECT = b'{"data":{'


def _told_whole(
    operations: Sequence[ExecutedOperation],
    documents: Sequence[tuple[str, _Parsed | None]],
    body: bytes,
) -> tuple[str | None, list[str]] | None:
    """The operation's name and the persons (sorted, distinct) a response returned when
    its compiled statements told every root field's persons (`ExecutedOperation.persons`):
    the body is then not read at all. None when
    it must be read (a batch, a root field answered the regular way, a response that
    is not data: the response-size ceiling replaces it with an error)."""
    if len(operations) != 1 or not body.startswith(_DATA_OBJECT):
        return None
    operation, (_, parsed) = operations[0], documents[0]
    if parsed is None or not parsed.roots or not parsed.roots <= operation.persons.keys():
        return None
    told = [i for ids in operation.persons.values() for i in ids]
    # Sorted first, then deduplicated (dicts keep order): a statement's persons come in
    # page order, by hub id, which sorts in one pass, where a set's order sorts from scratch
    # (a third of a page's entry).
    return parsed.operation_name, list(dict.fromkeys(sorted(told)))


@dataclass(frozen=True, slots=True)
class _SentResponse:
    """The writer's work for one sent response: its entries (`AuditRecorder.entries`).
    Its repr names the key and the operations only (the body holds personal data)."""

    recorder: AuditRecorder
    principal: Principal
    operations: Sequence[ExecutedOperation]
    body: bytes
    at: datetime

    def __call__(self) -> list[AuditEntry]:
        return self.recorder.entries(self.principal, self.operations, self.body, self.at)

    def __repr__(self) -> str:
        names = [o.operation_name for o in self.operations]
        return f"<response to key {self.principal.key_id} at {self.at.isoformat()}: {names}>"


class AuditRecorder:
    """Turns sent responses into audit entries and appends them (see the module)."""

    def __init__(
        self,
        engine: Engine | AsyncEngine,
        schema: GraphQLSchema,
        *,
        linger_seconds: float = AUDIT_LINGER_SECONDS,
        synchronous_commit: bool = True,
    ) -> None:
        self._schema = schema
        # Parsed documents, or None for one that selects nothing personal (never read).
        # Used by the writer only (`entries` runs in its task).
        self._documents: OrderedDict[str, _Parsed | None] = OrderedDict()
        self._writer = AuditWriter(
            engine, linger_seconds=linger_seconds, synchronous_commit=synchronous_commit
        )

    def entries(
        self,
        principal: Principal,
        operations: Sequence[ExecutedOperation],
        body: bytes,
        at: datetime,
    ) -> list[AuditEntry]:
        """The entries for a response `body` answering `operations` (a batch answers a list)."""
        documents = [self._document(o) for o in operations]
        if all(parsed is None for _, parsed in documents):
            return []  # e.g. aggregates only: the body need not even be parsed
        found: list[AuditEntry] = []
        told = _told_whole(operations, documents, body)
        if told is not None:
            name, person_ids = told
            if person_ids:
                operation, digest = operations[0], documents[0][0]
                found.append(self._entry(principal, operation, digest, name, person_ids, body, at))
            return found
        try:
            decoded = orjson.loads(body)
        except orjson.JSONDecodeError:
            return []
        results = decoded if isinstance(decoded, list) else [decoded]
        for operation, (digest, parsed), result in zip(
            operations, documents, results, strict=False
        ):
            data = result.get("data") if isinstance(result, dict) else None
            if data is None or parsed is None:
                continue
            read = personal_read(
                self._schema, parsed.document, operation.operation_name, data, operation.persons
            )
            if read.personal:
                ids = sorted(read.person_ids)
                name = read.operation_name
                found.append(self._entry(principal, operation, digest, name, ids, body, at))
        return found

    @staticmethod
    def _entry(
        principal: Principal,
        operation: ExecutedOperation,
        digest: str,
        operation_name: str | None,
        person_ids: list[str],
        body: bytes,
        at: datetime,
    ) -> AuditEntry:
        return AuditEntry(
            at=at,
            key_id=principal.key_id,
            owner=principal.name,
            role=principal.role.value,
            operation_name=operation_name,
            document_hash=digest,
            variables=without_secrets(operation.variables or {}),
            person_ids=person_ids,
            result_bytes=len(body),
        )

    def _document(self, operation: ExecutedOperation) -> tuple[str, _Parsed | None]:
        """The document's hash, and the document when it may return personal data."""
        digest = document_hash(operation.query)
        key = f"{digest}:{operation.operation_name or ''}"
        if key in self._documents:
            return digest, self._documents[key]
        parsed: _Parsed | None = None
        try:
            document = parse(operation.query)
        except GraphQLError:
            document = None
        if document is not None and may_return_personal(
            self._schema, document, operation.operation_name
        ):
            name, roots = root_keys(self._schema, document, operation.operation_name)
            parsed = _Parsed(document, name, roots)
        self._documents[key] = parsed
        if len(self._documents) > _PARSED_DOCUMENTS:
            self._documents.popitem(last=False)
        return digest, parsed

    def submit(
        self,
        principal: Principal,
        operations: Sequence[ExecutedOperation],
        body: bytes,
        at: datetime,
    ) -> None:
        """Queue the auditing of one response, ready to be sent, for the writer; returns at
        once (the view calls it on the server's loop, no task or await of its own)."""
        work = _SentResponse(self, principal, operations, body, at)
        try:
            self._writer.submit(work)
        except RuntimeError:  # the server is shutting down: the log line is the record
            logger.error("Audit entries NOT written (the writer is closed): %r", work())

    async def flush(self) -> None:
        """Wait until every queued response is audited (tests; `close` at shutdown)."""
        await self._writer.flush()

    async def close(self) -> None:
        """Write everything queued and stop the writer (the application's shutdown)."""
        await self._writer.close()
