"""text embedding cache

``text_embedding``: the vectors the contextual text representation gave observation texts, keyed
by the representation and the text's SHA-256, so that ``groundswell analyze`` embeds only texts it
has not seen before. Derived data only: dropping the table (downgrade) costs one slower run.

Revision ID: ab4e3fc57ae0
Revises: a3c91f0d7b42
Create Date: 2026-11-27 15:26:20.156162

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ab4e3fc57ae0'
down_revision = 'a3c91f0d7b42'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('text_embedding',
    sa.Column('representation', sa.String(length=200), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('representation', 'text_sha256')
    )


def downgrade():
    op.drop_table('text_embedding')
