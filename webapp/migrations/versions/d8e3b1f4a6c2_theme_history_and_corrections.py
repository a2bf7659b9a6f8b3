"""theme history and corrections

A closed period keeps its themes: ``observation_theme.text_sha256`` says which text a theme was
given for (existing rows NULL: taken as unchanged). ``theme_record.mentions`` keeps a theme's entity
mentions. ``theme_version`` records every change of the themes history shows (first fit, re-theme,
correction) with who, when and the diff; ``theme_correction`` keeps people's renames, merges and
moves, applied again by every later run.

Revision ID: d8e3b1f4a6c2
Revises: c4f1a9e2d7b3
Create Date: 2026-12-03 10:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd8e3b1f4a6c2'
down_revision = 'c4f1a9e2d7b3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('observation_theme', schema=None) as batch_op:
        batch_op.add_column(sa.Column('text_sha256', sa.String(length=64), nullable=True))
    with op.batch_alter_table('theme_record', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mentions', sa.JSON(), nullable=True))
    op.create_table(
        'theme_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('actor', sa.String(length=200), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=20), nullable=False),
        sa.Column('summary', sa.Text(), nullable=False),
        sa.Column('diff', sa.JSON(none_as_null=True), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['person.id'],
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'theme_correction',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('actor', sa.String(length=200), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=10), nullable=False),
        sa.Column('theme_key', sa.Integer(), nullable=False),
        sa.Column('source_key', sa.Integer(), nullable=True),
        sa.Column('label', sa.String(length=200), nullable=True),
        sa.Column('old_label', sa.String(length=200), nullable=True),
        sa.Column('observation_ids', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['actor_id'], ['person.id'],
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['version_id'], ['theme_version.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('theme_correction', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_correction_version_id'), ['version_id'], unique=False)


def downgrade():
    with op.batch_alter_table('theme_correction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_correction_version_id'))
    op.drop_table('theme_correction')
    op.drop_table('theme_version')
    with op.batch_alter_table('theme_record', schema=None) as batch_op:
        batch_op.drop_column('mentions')
    with op.batch_alter_table('observation_theme', schema=None) as batch_op:
        batch_op.drop_column('text_sha256')
