"""The open territory: publication holds, directory entries, places, problem reports.

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-04 17:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0010'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'publication_hold',
        sa.Column('pilot_id', sa.Uuid(), nullable=False),
        sa.Column('held', sa.Boolean(), nullable=False),
        sa.Column('reason', sa.String(length=2000), nullable=False),
        sa.Column('updated_by', sa.Uuid(), nullable=True),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'],
                                name=op.f('fk_publication_hold_pilot_id_pilot')),
        sa.ForeignKeyConstraint(['updated_by'], ['user.id'],
                                name=op.f('fk_publication_hold_updated_by_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('pilot_id', name=op.f('pk_publication_hold')))
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.String(length=5000), nullable=False,
                                      server_default=''))
        batch_op.add_column(sa.Column('contact_email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('show_contact', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        'place',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('authority_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('address', sa.String(length=500), nullable=False),
        sa.Column('opening_hours', sa.String(length=1000), nullable=False),
        sa.Column('phone', sa.String(length=40), nullable=True),
        sa.Column('lon', sa.Float(), nullable=False),
        sa.Column('lat', sa.Float(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['authority_id'], ['authority.id'],
                                name=op.f('fk_place_authority_id_authority')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_place')))
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_authority_id'), ['authority_id'])
    op.create_table(
        'place_pilot',
        sa.Column('place_id', sa.Uuid(), nullable=False),
        sa.Column('pilot_id', sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(['place_id'], ['place.id'],
                                name=op.f('fk_place_pilot_place_id_place'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'],
                                name=op.f('fk_place_pilot_pilot_id_pilot')),
        sa.PrimaryKeyConstraint('place_id', 'pilot_id', name=op.f('pk_place_pilot')))
    with op.batch_alter_table('place_pilot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_place_pilot_pilot_id'), ['pilot_id'])
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.add_column(sa.Column('place_id', sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_feedback_place_id_place'), 'place',
                                    ['place_id'], ['id'], ondelete='SET NULL')
    op.create_table(
        'problem_report',
        sa.Column('id', sa.Uuid(), nullable=False),
        sa.Column('receipt', sa.String(length=16), nullable=False),
        sa.Column('pilot_id', sa.Uuid(), nullable=False),
        sa.Column('asset_id', sa.Uuid(), nullable=False),
        sa.Column('authority_id', sa.Uuid(), nullable=False),
        sa.Column('organization_id', sa.Uuid(), nullable=False),
        sa.Column('kind', sa.String(length=24), nullable=False),
        sa.Column('description', sa.String(length=2000), nullable=False),
        sa.Column('lon', sa.Float(), nullable=True),
        sa.Column('lat', sa.Float(), nullable=True),
        sa.Column('photo_key', sa.String(length=300), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('note', sa.String(length=2000), nullable=True),
        sa.Column('rerouted', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('solved_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'],
                                name=op.f('fk_problem_report_pilot_id_pilot')),
        sa.ForeignKeyConstraint(['asset_id'], ['asset.id'],
                                name=op.f('fk_problem_report_asset_id_asset')),
        sa.ForeignKeyConstraint(['authority_id'], ['authority.id'],
                                name=op.f('fk_problem_report_authority_id_authority')),
        sa.ForeignKeyConstraint(['organization_id'], ['organization.id'],
                                name=op.f('fk_problem_report_organization_id_organization')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_problem_report')))
    with op.batch_alter_table('problem_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_problem_report_receipt'), ['receipt'], unique=True)
        batch_op.create_index(batch_op.f('ix_problem_report_pilot_id'), ['pilot_id'])
        batch_op.create_index(batch_op.f('ix_problem_report_authority_id'), ['authority_id'])
        batch_op.create_index(batch_op.f('ix_problem_report_organization_id'),
                              ['organization_id'])


def downgrade() -> None:
    with op.batch_alter_table('problem_report', schema=None) as batch_op:
        for column in ('organization_id', 'authority_id', 'pilot_id', 'receipt'):
            batch_op.drop_index(batch_op.f(f'ix_problem_report_{column}'))
    op.drop_table('problem_report')
    with op.batch_alter_table('feedback', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_feedback_place_id_place'), type_='foreignkey')
        batch_op.drop_column('place_id')
    with op.batch_alter_table('place_pilot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_pilot_pilot_id'))
    op.drop_table('place_pilot')
    with op.batch_alter_table('place', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_place_authority_id'))
    op.drop_table('place')
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('show_contact')
        batch_op.drop_column('contact_email')
        batch_op.drop_column('description')
    op.drop_table('publication_hold')
