"""catalog: zones, assets, datasets and versions

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 07:41:20.295115
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op


revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table('zone',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('authority_id', sa.Uuid(), nullable=False),
    sa.Column('geometry', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_zone_authority_id_authority')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_zone'))
    )
    with op.batch_alter_table('zone', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_zone_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_zone_code'), ['code'], unique=True)

    op.create_table('asset',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('external_ref', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('zone_code', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('geometry', sa.JSON(), nullable=False),
    sa.Column('attributes', sa.JSON(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('authority_id', sa.Uuid(), nullable=False),
    sa.Column('min_lon', sa.Float(), nullable=False),
    sa.Column('min_lat', sa.Float(), nullable=False),
    sa.Column('max_lon', sa.Float(), nullable=False),
    sa.Column('max_lat', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_asset_authority_id_authority')),
    sa.ForeignKeyConstraint(['zone_code'], ['zone.code'], name=op.f('fk_asset_zone_code_zone')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_asset'))
    )
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_asset_authority_id'), ['authority_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_min_lat'), ['min_lat'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_min_lon'), ['min_lon'], unique=False)
        batch_op.create_index(batch_op.f('ix_asset_zone_code'), ['zone_code'], unique=False)

    op.create_table('dataset',
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('domain', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('licence', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=False),
    sa.Column('time_column', sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
    sa.Column('zone_column', sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('authority_id', sa.Uuid(), nullable=False),
    sa.Column('sensitivity', sa.String(length=16), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_dataset_authority_id_authority')),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_dataset_created_by_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dataset'))
    )
    with op.batch_alter_table('dataset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataset_authority_id'), ['authority_id'], unique=False)

    op.create_table('dataset_version',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('dataset_id', sa.Uuid(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source_filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('source_format', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True),
    sa.Column('object_key', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('row_count', sa.BigInteger(), nullable=True),
    sa.Column('size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('source_size_bytes', sa.BigInteger(), nullable=True),
    sa.Column('source_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('columns', sa.JSON(), nullable=True),
    sa.Column('time_min', sa.DateTime(timezone=True), nullable=True),
    sa.Column('time_max', sa.DateTime(timezone=True), nullable=True),
    sa.Column('zones', sa.JSON(), nullable=True),
    sa.Column('error', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
    sa.Column('job_id', sa.Uuid(), nullable=True),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_dataset_version_created_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['dataset_id'], ['dataset.id'], name=op.f('fk_dataset_version_dataset_id_dataset')),
    sa.ForeignKeyConstraint(['job_id'], ['job.id'], name=op.f('fk_dataset_version_job_id_job'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dataset_version')),
    sa.UniqueConstraint('dataset_id', 'number', name=op.f('uq_dataset_version_dataset_id'))
    )
    with op.batch_alter_table('dataset_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dataset_version_dataset_id'), ['dataset_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('dataset_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataset_version_dataset_id'))

    op.drop_table('dataset_version')
    with op.batch_alter_table('dataset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dataset_authority_id'))

    op.drop_table('dataset')
    with op.batch_alter_table('asset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_asset_zone_code'))
        batch_op.drop_index(batch_op.f('ix_asset_min_lon'))
        batch_op.drop_index(batch_op.f('ix_asset_min_lat'))
        batch_op.drop_index(batch_op.f('ix_asset_kind'))
        batch_op.drop_index(batch_op.f('ix_asset_authority_id'))

    op.drop_table('asset')
    with op.batch_alter_table('zone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_zone_code'))
        batch_op.drop_index(batch_op.f('ix_zone_authority_id'))

    op.drop_table('zone')

