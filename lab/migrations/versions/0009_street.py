"""Feedback from the street: spent form tokens of the quick page; authorities' desk phone.

Revision ID: 0009
Revises: 0010
Create Date: 2026-12-04 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0009'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('street_use',
    sa.Column('token_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('pilot_id', sa.Uuid(), nullable=False),
    sa.Column('client', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_street_use_pilot_id_pilot'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token_id', name=op.f('pk_street_use'))
    )
    with op.batch_alter_table('street_use', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_street_use_client'), ['client'], unique=False)
        batch_op.create_index(batch_op.f('ix_street_use_pilot_id'), ['pilot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_street_use_used_at'), ['used_at'], unique=False)
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.add_column(sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('authority', schema=None) as batch_op:
        batch_op.drop_column('phone')
    with op.batch_alter_table('street_use', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_street_use_used_at'))
        batch_op.drop_index(batch_op.f('ix_street_use_pilot_id'))
        batch_op.drop_index(batch_op.f('ix_street_use_client'))
    op.drop_table('street_use')
