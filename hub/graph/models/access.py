"""Who may call the API and what they read: API keys and the audit log.

- `ApiKey`: one key. The key's text is shown once at creation; the table keeps only its
  public id (the primary key, looked up per request) and a keyed hash of its secret
  (`hub.access.key_text`). `revoked_at` may lie in the future: a rotated key keeps working
  until its grace period ends.
- `AuditRecord`: one row per request that returned personal data (`hub.api.audit`).
  Append-only: each row carries the hash of the row before it (`prev_hash`) and its own
  (`row_hash`), so `hub audit verify` finds a removed or altered row; on PostgreSQL a
  trigger refuses UPDATE, DELETE and TRUNCATE (migration 0009).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from hub.graph.base import Base
from hub.graph.types import UtcDateTime, pk_id, short_str, utc_now

KEY_ID_LENGTH = 16
HASH_LENGTH = 64


class ApiKey(Base):
    __tablename__ = "api_key"
    __table_args__ = (Index("ix_api_key_owner", "owner"),)

    id: Mapped[str] = mapped_column(String(KEY_ID_LENGTH), primary_key=True)
    owner: Mapped[str] = mapped_column(String(100))
    role: Mapped[short_str]
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    region_code: Mapped[str | None] = mapped_column(String(4))
    district_code: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    # The key that replaced this one (`hub keys rotate`).
    rotated_to: Mapped[str | None] = mapped_column(String(KEY_ID_LENGTH))
    secret_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))


class AuditRecord(Base):
    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_key_at", "key_id", "at"),)

    id: Mapped[pk_id]
    at: Mapped[datetime] = mapped_column(UtcDateTime())
    key_id: Mapped[str | None] = mapped_column(String(KEY_ID_LENGTH))
    owner: Mapped[str] = mapped_column(String(100))
    role: Mapped[short_str]
    operation_name: Mapped[str | None] = mapped_column(String(200))
    document_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    variables: Mapped[dict[str, Any]] = mapped_column(JSON)
    person_ids: Mapped[list[str]] = mapped_column(JSON)
    result_bytes: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
    row_hash: Mapped[str] = mapped_column(String(HASH_LENGTH))
