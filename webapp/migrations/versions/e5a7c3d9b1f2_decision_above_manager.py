"""decision above manager: a decision taken from above the direct manager is recorded as a fact

``decision.above_manager`` is true when someone higher in the chain than the plan owner's direct
manager decided (GROUNDSWELL_ABOVE_MAY_DECIDE=1), and ``decision.direct_manager_id`` keeps that
direct manager as they were at the time. Until now only the reason text said so. Existing
decisions are backfilled from the hierarchy as it is at upgrade time (the best record that still
exists): an approve, adjust or return whose actor is not the owner's direct manager came from above.

Revision ID: e5a7c3d9b1f2
Revises: e5a7c3f19b24
Create Date: 2026-12-03 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e5a7c3d9b1f2'
down_revision = 'e5a7c3f19b24'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('above_manager', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('direct_manager_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_decision_direct_manager_id_person', 'person', ['direct_manager_id'], ['id'])
    conn = op.get_bind()
    rows = conn.execute(sa.text(
        "SELECT d.id, owner.manager_id FROM decision d "
        "JOIN plan_submission s ON s.id = d.submission_id JOIN person owner ON owner.id = s.person_id "
        "WHERE d.action IN ('approve', 'adjust', 'return') AND owner.manager_id IS NOT NULL "
        "AND d.actor_id <> owner.manager_id")).all()
    for decision_id, manager_id in rows:
        conn.execute(sa.text("UPDATE decision SET above_manager = :t, direct_manager_id = :m WHERE id = :d"),
                     {"t": True, "m": manager_id, "d": decision_id})


def downgrade():
    with op.batch_alter_table('decision', schema=None) as batch_op:
        batch_op.drop_constraint('fk_decision_direct_manager_id_person', type_='foreignkey')
        batch_op.drop_column('direct_manager_id')
        batch_op.drop_column('above_manager')
