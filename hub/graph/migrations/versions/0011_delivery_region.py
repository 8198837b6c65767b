"""delivery_region: which regions' rows of a delivery are loaded (region partitions)

A region partition (pipelines.regions) loads its region's rows of every staged delivery
and records it here; the delivery becomes `loaded` once the country-wide step has loaded
its rows without a region.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 19:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "delivery_region",
        sa.Column("delivery_id", _BIG_ID, nullable=False),
        sa.Column("region", sa.String(length=8), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["delivery.id"],
            name=op.f("fk_delivery_region_delivery_id_delivery"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("delivery_id", "region", name=op.f("pk_delivery_region")),
    )


def downgrade() -> None:
    op.drop_table("delivery_region")
