"""Sandbox: grants, access events (append-only), measurements.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

from lab.migrations.append_only import drop_append_only, make_append_only

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('sandbox_grant',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pilot_id', sa.Uuid(), nullable=False),
    sa.Column('protocol_version', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('dataset_id', sa.Uuid(), nullable=False),
    sa.Column('dataset_version_id', sa.Uuid(), nullable=False),
    sa.Column('authority_id', sa.Uuid(), nullable=False),
    sa.Column('columns', sa.JSON(), nullable=False),
    sa.Column('zones', sa.JSON(), nullable=False),
    sa.Column('window_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('window_end', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('extract_status', sa.String(length=16), nullable=False),
    sa.Column('extract_progress', sa.Float(), nullable=False),
    sa.Column('extract_message', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('extract_error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('extract_rows', sa.BigInteger(), nullable=True),
    sa.Column('extract_size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('extract_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('extract_built_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('extract_deleted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('job_id', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_by', sa.Uuid(), nullable=True),
    sa.Column('revoke_reason', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_sandbox_grant_authority_id_authority')),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_sandbox_grant_created_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'], name=op.f('fk_sandbox_grant_dataset_id_dataset')),
    sa.ForeignKeyConstraint(['dataset_version_id'], ['dataset_version.id'], name=op.f('fk_sandbox_grant_dataset_version_id_dataset_version')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_sandbox_grant_job_id_job'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_sandbox_grant_organization_id_organization')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_sandbox_grant_pilot_id_pilot')),
    sa.ForeignKeyConstraint(['revoked_by'], ['user.id'], name=op.f('fk_sandbox_grant_revoked_by_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sandbox_grant')),
    sa.UniqueConstraint('pilot_id', 'protocol_version', 'dataset_id', name=op.f('uq_sandbox_grant_pilot_id'))
    )
    with op.batch_alter_table('sandbox_grant', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sandbox_grant_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sandbox_grant_dataset_id'), ['dataset_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sandbox_grant_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_sandbox_grant_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sandbox_grant_pilot_id'), ['pilot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sandbox_grant_status'), ['status'], unique=False)

    op.create_table('access_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Uuid(), nullable=True),
    sa.Column('actor_role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('pilot_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('grant_id', sa.Uuid(), nullable=True),
    sa.Column('authority_id', sa.Uuid(), nullable=True),
    sa.Column('method', sa.String(length=24), nullable=False),
    sa.Column('objects', sa.JSON(), nullable=False),
    sa.Column('valid_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('client_address', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('user_agent', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_access_event_authority_id_authority')),
    sa.ForeignKeyConstraint(['grant_id'], ['sandbox_grant.id'], name=op.f('fk_access_event_grant_id_sandbox_grant')),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], name=op.f('fk_access_event_organization_id_organization')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_access_event_pilot_id_pilot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_access_event'))
    )
    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_access_event_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_event_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_event_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_event_grant_id'), ['grant_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_event_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_access_event_pilot_id'), ['pilot_id'], unique=False)

    op.create_table('measurement',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pilot_id', sa.Uuid(), nullable=False),
    sa.Column('kpi', sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
    sa.Column('unit', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('source_format', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('source_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('object_key', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('size_bytes', sa.BigInteger(), nullable=False),
    sa.Column('rows', sa.BigInteger(), nullable=False),
    sa.Column('zones', sa.JSON(), nullable=False),
    sa.Column('time_min', sa.DateTime(timezone=True), nullable=False),
    sa.Column('time_max', sa.DateTime(timezone=True), nullable=False),
    sa.Column('uploaded_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_measurement_pilot_id_pilot')),
    sa.ForeignKeyConstraint(['uploaded_by'], ['user.id'], name=op.f('fk_measurement_uploaded_by_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_measurement')),
    sa.UniqueConstraint('pilot_id', 'kpi', 'source_sha256', name=op.f('uq_measurement_pilot_id'))
    )
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_measurement_pilot_id'), ['pilot_id'], unique=False)

    make_append_only("access_event")


def downgrade() -> None:
    drop_append_only("access_event")
    with op.batch_alter_table('measurement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_measurement_pilot_id'))

    op.drop_table('measurement')
    with op.batch_alter_table('access_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_access_event_pilot_id'))
        batch_op.drop_index(batch_op.f('ix_access_event_organization_id'))
        batch_op.drop_index(batch_op.f('ix_access_event_grant_id'))
        batch_op.drop_index(batch_op.f('ix_access_event_authority_id'))
        batch_op.drop_index(batch_op.f('ix_access_event_at'))
        batch_op.drop_index(batch_op.f('ix_access_event_actor_id'))

    op.drop_table('access_event')
    with op.batch_alter_table('sandbox_grant', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sandbox_grant_status'))
        batch_op.drop_index(batch_op.f('ix_sandbox_grant_pilot_id'))
        batch_op.drop_index(batch_op.f('ix_sandbox_grant_organization_id'))
        batch_op.drop_index(batch_op.f('ix_sandbox_grant_expires_at'))
        batch_op.drop_index(batch_op.f('ix_sandbox_grant_dataset_id'))
        batch_op.drop_index(batch_op.f('ix_sandbox_grant_authority_id'))

    op.drop_table('sandbox_grant')
