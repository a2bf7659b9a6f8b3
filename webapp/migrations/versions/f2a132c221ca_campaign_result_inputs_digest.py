"""campaign result inputs digest

``campaign_result.inputs``: the SHA-256 of what a stored result was computed from, so that
``groundswell analyze`` recomputes only the closed campaigns whose inputs changed. Existing rows get
NULL, which means "unknown": the next analyze recomputes them once.

Revision ID: f2a132c221ca
Revises: ab4e3fc57ae0
Create Date: 2026-11-27 15:59:36.680483

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f2a132c221ca'
down_revision = 'ab4e3fc57ae0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('campaign_result', schema=None) as batch_op:
        batch_op.add_column(sa.Column('inputs', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('campaign_result', schema=None) as batch_op:
        batch_op.drop_column('inputs')
