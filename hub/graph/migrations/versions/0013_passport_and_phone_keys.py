"""passport and phone keys: source records' passport and phone as linkage compares them

Incremental linking finds an incoming mention's candidates by the same passport or phone.
It compared them as delivered, while the linkage engine compares their keys (a passport
without spaces, upper case, Cyrillic look-alike capitals as Latin; a phone's last nine
digits), so "AB 1234567" or "+998 90 123-45-67" never found the record written
"AB1234567" or "901234567". The keys are stored and indexed instead of the raw values;
existing records get theirs here.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 23:30:00

"""

from collections.abc import Sequence

import polars as pl
import sqlalchemy as sa
from alembic import op

from hub.identity.linkage.features import passport_key, phone_key

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BATCH = 50_000


def upgrade() -> None:
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("passport_key", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("phone_key", sa.String(length=9), nullable=True))
        batch_op.drop_index(batch_op.f("ix_source_record_passport"))
        batch_op.drop_index(batch_op.f("ix_source_record_phone"))
    _fill_keys()
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_source_record_passport_key"), ["passport_key"])
        batch_op.create_index(batch_op.f("ix_source_record_phone_key"), ["phone_key"])


def _fill_keys() -> None:
    """Every existing record's keys, computed by the same expressions as new records'."""
    bind = op.get_bind()
    records = sa.table(
        "source_record",
        sa.column("id", sa.BigInteger),
        sa.column("passport", sa.String),
        sa.column("phone", sa.String),
        sa.column("passport_key", sa.String),
        sa.column("phone_key", sa.String),
    )
    update = (
        records.update()
        .where(records.c.id == sa.bindparam("record_id"))
        .values(passport_key=sa.bindparam("p_key"), phone_key=sa.bindparam("t_key"))
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(records.c.id, records.c.passport, records.c.phone)
            .where(
                records.c.id > last,
                sa.or_(records.c.passport.is_not(None), records.c.phone.is_not(None)),
            )
            .order_by(records.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        frame = pl.DataFrame(
            rows, schema={"record_id": pl.Int64, "passport": pl.String, "phone": pl.String},
            orient="row",
        ).select(
            "record_id",
            passport_key(pl.col("passport")).alias("p_key"),
            phone_key(pl.col("phone")).alias("t_key"),
        )
        bind.execute(update, frame.to_dicts())
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("source_record", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_source_record_phone_key"))
        batch_op.drop_index(batch_op.f("ix_source_record_passport_key"))
        batch_op.create_index(batch_op.f("ix_source_record_phone"), ["phone"])
        batch_op.create_index(batch_op.f("ix_source_record_passport"), ["passport"])
        batch_op.drop_column("phone_key")
        batch_op.drop_column("passport_key")
