"""job heartbeat

``job.heartbeat_at``: written by the process running a job while it lives, so that a job left
"running" by a process that died can be told from a slow one, shown as stopped and retried.
Existing rows get NULL; a "running" row without a heartbeat is judged by its ``started_at``.

Revision ID: a3c91f0d7b42
Revises: 5635d2a353f3
Create Date: 2026-11-27 11:15:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a3c91f0d7b42'
down_revision = '5635d2a353f3'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.add_column(sa.Column('heartbeat_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_column('heartbeat_at')
