"""Citizen testers, consent texts, enrollments, feedback, closing answers, published outcomes.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('signup_window',
    sa.Column('key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('window_started_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_signup_window'))
    )
    op.create_table('tester',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Uuid(), nullable=True),
    sa.Column('pseudonym', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('age_band', sa.String(length=16), nullable=True),
    sa.Column('digital_comfort', sa.String(length=16), nullable=True),
    sa.Column('code_digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('registered_by', sa.Uuid(), nullable=True),
    sa.Column('authority_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['authority_id'], ['authority.id'], name=op.f('fk_tester_authority_id_authority')),
    sa.ForeignKeyConstraint(['registered_by'], ['user.id'], name=op.f('fk_tester_registered_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_tester_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tester')),
    sa.UniqueConstraint('code_digest', name=op.f('uq_tester_code_digest')),
    sa.UniqueConstraint('pseudonym', name=op.f('uq_tester_pseudonym')),
    sa.UniqueConstraint('user_id', name=op.f('uq_tester_user_id'))
    )
    op.create_table('consent_text',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pilot_id', sa.Uuid(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('text_fr', sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
    sa.Column('text_en', sqlmodel.sql.sqltypes.AutoString(length=20000), nullable=False),
    sa.Column('instructions_fr', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('instructions_en', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('created_by', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['user.id'], name=op.f('fk_consent_text_created_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_consent_text_pilot_id_pilot')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_text')),
    sa.UniqueConstraint('pilot_id', 'version', name=op.f('uq_consent_text_pilot_id'))
    )
    op.create_index(op.f('ix_consent_text_pilot_id'), 'consent_text', ['pilot_id'], unique=False)
    op.create_table('enrollment',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('tester_id', sa.Uuid(), nullable=False),
    sa.Column('pilot_id', sa.Uuid(), nullable=False),
    sa.Column('consent_version', sa.Integer(), nullable=False),
    sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('rate_window_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('rate_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_enrollment_pilot_id_pilot')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user.id'], name=op.f('fk_enrollment_recorded_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tester_id'], ['tester.id'], name=op.f('fk_enrollment_tester_id_tester'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollment')),
    sa.UniqueConstraint('tester_id', 'pilot_id', name=op.f('uq_enrollment_tester_id'))
    )
    op.create_index(op.f('ix_enrollment_pilot_id'), 'enrollment', ['pilot_id'], unique=False)
    op.create_table('feedback',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pilot_id', sa.Uuid(), nullable=False),
    sa.Column('protocol_version', sa.Integer(), nullable=False),
    sa.Column('tester_id', sa.Uuid(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('idem_scope', sa.Uuid(), nullable=True),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
    sa.Column('request_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('likert', sa.JSON(), nullable=False),
    sa.Column('nps', sa.Integer(), nullable=True),
    sa.Column('sus', sa.JSON(), nullable=True),
    sa.Column('free_text', sa.JSON(), nullable=False),
    sa.Column('zone_code', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('photo_key', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('photo_sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_feedback_pilot_id_pilot')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user.id'], name=op.f('fk_feedback_recorded_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tester_id'], ['tester.id'], name=op.f('fk_feedback_tester_id_tester'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feedback')),
    sa.UniqueConstraint('pilot_id', 'idem_scope', 'idempotency_key', name=op.f('uq_feedback_pilot_id'))
    )
    op.create_index(op.f('ix_feedback_tester_id'), 'feedback', ['tester_id'], unique=False)
    op.create_table('keep_answer',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pilot_id', sa.Uuid(), nullable=False),
    sa.Column('tester_id', sa.Uuid(), nullable=False),
    sa.Column('answer', sa.String(length=8), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recorded_by', sa.Uuid(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_keep_answer_pilot_id_pilot')),
    sa.ForeignKeyConstraint(['recorded_by'], ['user.id'], name=op.f('fk_keep_answer_recorded_by_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tester_id'], ['tester.id'], name=op.f('fk_keep_answer_tester_id_tester'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_keep_answer')),
    sa.UniqueConstraint('pilot_id', 'tester_id', name=op.f('uq_keep_answer_pilot_id'))
    )
    op.create_index(op.f('ix_keep_answer_tester_id'), 'keep_answer', ['tester_id'], unique=False)
    op.create_table('pilot_outcome',
    sa.Column('pilot_id', sa.Uuid(), nullable=False),
    sa.Column('summary_fr', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('summary_en', sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=False),
    sa.Column('decision', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('published_by', sa.Uuid(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilot.id'], name=op.f('fk_pilot_outcome_pilot_id_pilot')),
    sa.ForeignKeyConstraint(['published_by'], ['user.id'], name=op.f('fk_pilot_outcome_published_by_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('pilot_id', name=op.f('pk_pilot_outcome'))
    )


def downgrade() -> None:
    op.drop_table('pilot_outcome')
    op.drop_index(op.f('ix_keep_answer_tester_id'), table_name='keep_answer')
    op.drop_table('keep_answer')
    op.drop_index(op.f('ix_feedback_tester_id'), table_name='feedback')
    op.drop_table('feedback')
    op.drop_index(op.f('ix_enrollment_pilot_id'), table_name='enrollment')
    op.drop_table('enrollment')
    op.drop_index(op.f('ix_consent_text_pilot_id'), table_name='consent_text')
    op.drop_table('consent_text')
    op.drop_table('tester')
    op.drop_table('signup_window')
