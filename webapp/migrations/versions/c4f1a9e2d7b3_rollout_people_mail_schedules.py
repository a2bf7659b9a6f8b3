"""roll-out: people audit trail, one-time sign-in links, outgoing mail, campaign schedules

Revision ID: c4f1a9e2d7b3
Revises: b7e2d4c8a915
Create Date: 2026-12-03 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'c4f1a9e2d7b3'
down_revision = 'b7e2d4c8a915'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'person_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=30), nullable=False),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['person.id'], ),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('person_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_person_change_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_person_change_person_id'), ['person_id'], unique=False)

    op.create_table(
        'signin_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=10), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('signin_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_signin_link_person_id'), ['person_id'], unique=False)

    op.create_table(
        'outbound_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=True),
        sa.Column('to_email', sa.String(length=254), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('dedupe_key', sa.String(length=120), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('text_body', sa.Text(), nullable=False),
        sa.Column('html_body', sa.Text(), nullable=False),
        sa.Column('secret', sa.String(length=500), nullable=True),
        sa.Column('state', sa.String(length=10), nullable=False),
        sa.Column('error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['person.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('dedupe_key'),
    )
    with op.batch_alter_table('outbound_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbound_mail_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_mail_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_mail_person_id'), ['person_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbound_mail_state'), ['state'], unique=False)

    op.create_table(
        'campaign_schedule',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('template_id', sa.String(length=80), nullable=False),
        sa.Column('template_version', sa.Integer(), nullable=False),
        sa.Column('period_code', sa.String(length=7), nullable=False),
        sa.Column('audience', sa.String(length=80), nullable=False),
        sa.Column('has_plan', sa.Boolean(), nullable=False),
        sa.Column('opens_at', sa.DateTime(), nullable=False),
        sa.Column('closes_at', sa.DateTime(), nullable=False),
        sa.Column('reminder_days', sa.String(length=40), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=True),
        sa.Column('closed_done', sa.Boolean(), nullable=False),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('campaign_id'),
    )


def downgrade():
    op.drop_table('campaign_schedule')
    with op.batch_alter_table('outbound_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbound_mail_state'))
        batch_op.drop_index(batch_op.f('ix_outbound_mail_person_id'))
        batch_op.drop_index(batch_op.f('ix_outbound_mail_kind'))
        batch_op.drop_index(batch_op.f('ix_outbound_mail_created_at'))
    op.drop_table('outbound_mail')
    with op.batch_alter_table('signin_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_signin_link_person_id'))
    op.drop_table('signin_link')
    with op.batch_alter_table('person_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_person_change_person_id'))
        batch_op.drop_index(batch_op.f('ix_person_change_at'))
    op.drop_table('person_change')
