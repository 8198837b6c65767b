"""delivery duplicate keys and a source record's PINFL as delivered

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 09:40:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('duplicate_keys', sa.Integer(), nullable=False, server_default='0')
        )

    # A malformed PINFL (wrong length) is kept as delivered, with its issue.
    with op.batch_alter_table('source_record', schema=None) as batch_op:
        batch_op.alter_column(
            'pinfl', existing_type=sa.String(length=14), type_=sa.String(length=32)
        )


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('source_record', schema=None) as batch_op:
        batch_op.alter_column(
            'pinfl', existing_type=sa.String(length=32), type_=sa.String(length=14)
        )

    with op.batch_alter_table('delivery', schema=None) as batch_op:
        batch_op.drop_column('duplicate_keys')
