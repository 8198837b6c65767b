"""reject.fingerprint, seen_count, last_seen_at: one quarantine entry per rejected content

A rerun that rejects the same content again updates the entry it already has. Existing
entries get their fingerprint (the same SHA-256 as `pipelines.quarantine_entries`, over the
raw text they stored), a count of 1 and their creation time as last seen; entries already
repeated by earlier reruns stay as they are (none is deleted), later sightings update the
oldest of them.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 10:50:00

"""

import hashlib
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 1000


def _fingerprint(source: str, record_key: str | None, stage: str, rule: str, raw: str) -> str:
    parts = (source, record_key or "", stage, rule, raw)
    text = "\x1f".join(parts).encode("utf-8", "surrogatepass")
    return hashlib.sha256(text).hexdigest()


def _backfill() -> None:
    reject = sa.table(
        "reject",
        sa.column("id", sa.BigInteger),
        sa.column("source", sa.String),
        sa.column("record_key", sa.String),
        sa.column("stage", sa.String),
        sa.column("rule", sa.String),
        sa.column("raw", sa.Text),
        sa.column("fingerprint", sa.String),
    )
    bind = op.get_bind()
    op.execute(sa.text("UPDATE reject SET last_seen_at = created_at"))
    last = 0
    while True:
        rows = bind.execute(
            sa.select(reject.c.id, reject.c.source, reject.c.record_key, reject.c.stage)
            .add_columns(reject.c.rule, reject.c.raw)
            .where(reject.c.id > last)
            .order_by(reject.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        bind.execute(
            reject.update().where(reject.c.id == sa.bindparam("reject_id")),
            [{"reject_id": r[0], "fingerprint": _fingerprint(*r[1:])} for r in rows],
        )
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table("reject", schema=None) as batch_op:
        batch_op.add_column(sa.Column("fingerprint", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("seen_count", sa.Integer(), server_default="1", nullable=False)
        )
        batch_op.add_column(sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True))
    _backfill()
    with op.batch_alter_table("reject", schema=None) as batch_op:
        batch_op.alter_column(
            "last_seen_at", existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index("ix_reject_fingerprint", ["fingerprint"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reject", schema=None) as batch_op:
        batch_op.drop_index("ix_reject_fingerprint")
        batch_op.drop_column("last_seen_at")
        batch_op.drop_column("seen_count")
        batch_op.drop_column("fingerprint")
