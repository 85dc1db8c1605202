"""Workspace API: measurement files can be withdrawn or replaced.

Revision ID: 0008
Revises: 0007 (written on 0006; chained after main's head when merging main)
Create Date: 2026-12-04 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column('withdraw_reason',
                                      sqlmodel.sql.sqltypes.AutoString(length=2000),
                                      nullable=True))
        batch_op.add_column(sa.Column('replaced_by', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_measurement_withdrawn_by_user'), 'user',
                                    ['withdrawn_by'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_measurement_replaced_by_measurement'),
                                    'measurement', ['replaced_by'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_measurement_replaced_by_measurement'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_measurement_withdrawn_by_user'),
                                 type_='foreignkey')
        batch_op.drop_column('replaced_by')
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_at')
