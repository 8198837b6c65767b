"""diagnostic history: household category changes and closed notebook gaps

What each rebuild of the household categories and notebook findings changed, dated by
the evidence date it ran as of: the assistants' quarterly rating counts households that
moved up a category and notebook gaps closed from these rows (issue 18).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05 00:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "household_category_change",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("household_id", _BIG_ID, nullable=False),
        sa.Column("mahalla_code", sa.String(length=10), nullable=False),
        sa.Column("from_category", sa.SmallInteger(), nullable=False),
        sa.Column("to_category", sa.SmallInteger(), nullable=False),
        sa.Column("as_of_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household_category_change")),
    )
    op.create_index(
        "ix_household_category_change_mahalla",
        "household_category_change",
        ["mahalla_code", "as_of_on"],
    )
    op.create_table(
        "notebook_gap_closed",
        sa.Column("id", _BIG_ID, autoincrement=True, nullable=False),
        sa.Column("person_id", _BIG_ID, nullable=False),
        sa.Column("mahalla_code", sa.String(length=10), nullable=False),
        sa.Column("notebook", sa.String(length=32), nullable=False),
        sa.Column("finding", sa.String(length=32), nullable=False),
        sa.Column("as_of_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notebook_gap_closed")),
    )
    op.create_index(
        "ix_notebook_gap_closed_mahalla", "notebook_gap_closed", ["mahalla_code", "as_of_on"]
    )


def downgrade() -> None:
    op.drop_index("ix_notebook_gap_closed_mahalla", table_name="notebook_gap_closed")
    op.drop_table("notebook_gap_closed")
    op.drop_index(
        "ix_household_category_change_mahalla", table_name="household_category_change"
    )
    op.drop_table("household_category_change")
