"""comment theme assignment: each engagement comment's theme

``comment_theme_assignment`` keeps, per comments run, the theme of each comment answer (the
anonymous response's random key and the comment question), so the HR dashboard can list a
campaign's comments under their themes. No person, time or group is stored. Existing databases get
no rows: the next ``groundswell analyze`` fills them (the dashboard lists comments unthemed until then).

Revision ID: e5a7c3f19b24
Revises: d8e3b1f4a6c2
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a7c3f19b24'
down_revision = 'd8e3b1f4a6c2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'comment_theme_assignment',
        sa.Column('run_id', sa.Integer(), nullable=False),
        sa.Column('response_key', sa.String(length=32), nullable=False),
        sa.Column('question_id', sa.String(length=80), nullable=False),
        sa.Column('theme_key', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['response_key'], ['engagement_response.key'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['run_id'], ['analysis_run.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('run_id', 'response_key', 'question_id'),
    )
    with op.batch_alter_table('comment_theme_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_theme_assignment_run_id'), ['run_id'], unique=False)


def downgrade():
    with op.batch_alter_table('comment_theme_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_theme_assignment_run_id'))
    op.drop_table('comment_theme_assignment')
