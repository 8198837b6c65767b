"""`auditLog`: the rows `hub.api.audit` wrote, newest first, for engineers.

Variables are returned as the JSON text they were stored as (secret-looking values
already removed); `prevHash`/`rowHash` let a reader check a page of the chain themselves
(`hub audit verify` checks all of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import orjson
import strawberry
from sqlalchemy import Connection, func, select

from hub.api.context import Info
from hub.api.fields import described
from hub.api.pagination import Connection as PageConnection
from hub.api.pagination import PageArgs, paginate
from hub.graph.models import AuditRecord

AUDIT_LOG = AuditRecord.__table__


@strawberry.type(description="One request that returned personal data (append-only).")
class AuditLogEntry:
    sequence: int = strawberry.field(description="The row's position in the log.")
    at: datetime
    key_id: str | None = strawberry.field(description="The API key the request came with.")
    owner: str
    role: str
    operation_name: str | None
    document_hash: str = strawberry.field(description="SHA-256 of the GraphQL document.")
    variables: str = strawberry.field(description="The variables as JSON, secrets removed.")
    person_ids: list[str] = strawberry.field(description="Hub ids of the persons returned.")
    result_bytes: int
    prev_hash: str
    row_hash: str


@dataclass(frozen=True, slots=True)
class AuditCriteria:
    key_id: str | None = None


def _where(criteria: AuditCriteria) -> list[object]:
    return [] if criteria.key_id is None else [AUDIT_LOG.c.key_id == criteria.key_id]


def fetch_audit_entries(
    connection: Connection, criteria: AuditCriteria, offset: int, limit: int
) -> list[AuditLogEntry]:
    stmt = (
        select(AUDIT_LOG)
        .where(*_where(criteria))  # type: ignore[arg-type]
        .order_by(AUDIT_LOG.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [
        AuditLogEntry(
            sequence=r.id,
            at=r.at,
            key_id=r.key_id,
            owner=r.owner,
            role=r.role,
            operation_name=r.operation_name,
            document_hash=r.document_hash,
            variables=orjson.dumps(r.variables, option=orjson.OPT_SORT_KEYS).decode(),
            person_ids=list(r.person_ids),
            result_bytes=r.result_bytes,
            prev_hash=r.prev_hash,
            row_hash=r.row_hash,
        )
        for r in connection.execute(stmt)
    ]


def count_audit_entries(connection: Connection, criteria: AuditCriteria) -> int:
    stmt = select(func.count()).select_from(AUDIT_LOG).where(*_where(criteria))  # type: ignore[arg-type]
    return int(connection.scalar(stmt) or 0)


@strawberry.type
class AccessQuery:
    @described("Requests that returned personal data, newest first (engineers).")
    async def audit_log(
        self,
        info: Info,
        key_id: str | None = None,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> PageConnection[AuditLogEntry]:
        db = info.context.db
        criteria = AuditCriteria(key_id=key_id)

        async def fetch(offset: int, limit: int) -> list[AuditLogEntry]:
            return await db.run(fetch_audit_entries, criteria, offset, limit)

        async def count() -> int:
            return await db.run(count_audit_entries, criteria)

        return await paginate(PageArgs(first, after, last, before), fetch, count)
