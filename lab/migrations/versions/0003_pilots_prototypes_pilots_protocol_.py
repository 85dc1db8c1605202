"""pilots: prototypes, pilots, protocol versions, approvals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 07:44:16.332586
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0003'
down_revision: str | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('prototype',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('domain', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('readiness_level', sa.Integer(), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('contact_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_prototype_organization_id_organization')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_prototype'))
    )
    with op.batch_alter_table('prototype', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_prototype_organization_id'), ['organization_id'], unique=False)

    op.create_table('pilot',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('prototype_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('public_summary', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('protocol', sa.JSON(), nullable=False),
    sa.Column('protocol_version', sa.Integer(), nullable=False),
    sa.Column('protocol_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('approved_protocol_version', sa.Integer(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('approved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_pilot_created_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_pilot_organization_id_organization')),
    sa.ForeignKeyConstraint(['prototype_id'], ['prototype.id'], name=op.f('fk_pilot_prototype_id_prototype')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilot'))
    )
    with op.batch_alter_table('pilot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pilot_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilot_prototype_id'), ['prototype_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pilot_status'), ['status'], unique=False)

    op.create_table('approval',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pilot_id', sa.Uuid(), nullable=False),
    sa.Column('protocol_version', sa.Integer(), nullable=False),
    sa.Column('authority_id', sa.Uuid(), nullable=False),
    sa.Column('decision', sa.String(length=24), nullable=False),
    sa.Column('reviewer_id', sa.Uuid(), nullable=True),
    sa.Column('comment', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_approval_authority_id_authority')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_approval_pilot_id_pilot')),
    sa.ForeignKeyConstraint(['reviewer_id'], ['user.id'], name=op.f('fk_approval_reviewer_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_approval')),
    sa.UniqueConstraint('pilot_id', 'protocol_version', 'authority_id', name=op.f('uq_approval_pilot_id'))
    )
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_approval_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_approval_pilot_id'), ['pilot_id'], unique=False)

    op.create_table('protocol_version',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pilot_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('protocol', sa.JSON(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('frozen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('frozen_by', sa.Uuid(), nullable=True),
    sa.ForeignKeyConstraint(['frozen_by'], ['user.id'], name=op.f('fk_protocol_version_frozen_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_protocol_version_pilot_id_pilot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_protocol_version')),
    sa.UniqueConstraint('pilot_id', 'version', name=op.f('uq_protocol_version_pilot_id'))
    )
    with op.batch_alter_table('protocol_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_protocol_version_pilot_id'), ['pilot_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('protocol_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_protocol_version_pilot_id'))

    op.drop_table('protocol_version')
    with op.batch_alter_table('approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_approval_pilot_id'))
        batch_op.drop_index(batch_op.f('ix_approval_authority_id'))

    op.drop_table('approval')
    with op.batch_alter_table('pilot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pilot_status'))
        batch_op.drop_index(batch_op.f('ix_pilot_prototype_id'))
        batch_op.drop_index(batch_op.f('ix_pilot_organization_id'))

    op.drop_table('pilot')
    with op.batch_alter_table('prototype', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_prototype_organization_id'))

    op.drop_table('prototype')

