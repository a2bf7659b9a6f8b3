"""theme state as JSON instead of a pickled model

Replaces ``analysis_run.model`` (a pickled ``ThemeModel``, LargeBinary) with
``analysis_run.theme_state`` (JSON: the versioned state of ``analysis.theme_state``), so the
database never holds anything that is unpickled.

Existing pickled models are dropped, not converted: converting would mean unpickling them, which is
the risk this removes. A run stored before this migration therefore has no theme state, and the next
``groundswell analyze`` treats it as having no previous model: it fits afresh, so theme ids may be
renumbered once (labels and results are recomputed by that run anyway). Downgrading drops the JSON
state the same way; the old code then also fits afresh.

Batch mode so that SQLite (which cannot drop a column in place on older versions) gets a table
copy; PostgreSQL runs plain ALTER TABLE statements.

Revision ID: 5635d2a353f3
Revises: 5650edc30897
Create Date: 2026-11-28 10:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5635d2a353f3'
down_revision = '5650edc30897'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('theme_state', sa.JSON(), nullable=True))
        batch_op.drop_column('model')


def downgrade():
    with op.batch_alter_table('analysis_run', schema=None) as batch_op:
        batch_op.add_column(sa.Column('model', sa.LargeBinary(), nullable=True))
        batch_op.drop_column('theme_state')
