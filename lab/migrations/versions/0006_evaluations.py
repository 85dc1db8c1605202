"""Evaluations: runs of the analysis, their inputs, results and reports.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 07:51:04.887423
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('evaluation',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pilot_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('job_id', sa.Uuid(), nullable=True),
    sa.Column('protocol_version', sa.Integer(), nullable=False),
    sa.Column('protocol_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('request', sa.JSON(), nullable=False),
    sa.Column('exploratory', sa.Boolean(), nullable=False),
    sa.Column('interim', sa.Boolean(), nullable=False),
    sa.Column('departures', sa.JSON(), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=True),
    sa.Column('results', sa.JSON(), nullable=True),
    sa.Column('recommendation', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('report_json_key', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('report_html_key', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_evaluation_created_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_evaluation_job_id_job'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_evaluation_pilot_id_pilot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation')),
    sa.UniqueConstraint('pilot_id', 'number', name=op.f('uq_evaluation_pilot_id'))
    )
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_pilot_id'), ['pilot_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_pilot_id'))

    op.drop_table('evaluation')
