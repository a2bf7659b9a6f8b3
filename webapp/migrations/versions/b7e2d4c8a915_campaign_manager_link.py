"""campaign manager link: the reporting chain frozen at launch

``campaign_manager_link`` holds, per campaign, each manager above its audience and that manager's
own manager as they were when the campaign opened. Manager-tree groups are built from it, so a
reorganisation after launch no longer changes what a campaign shows. Campaigns opened before this
migration get the hierarchy as it is at upgrade time: the best snapshot that still exists.

Revision ID: b7e2d4c8a915
Revises: f2a132c221ca
Create Date: 2026-12-03 11:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7e2d4c8a915'
down_revision = 'f2a132c221ca'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'campaign_manager_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('manager_key', sa.String(length=254), nullable=False),
        sa.Column('parent_key', sa.String(length=254), nullable=True),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaign.id'], ),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('campaign_id', 'manager_key', name='uq_manager_link_campaign_manager'),
    )
    with op.batch_alter_table('campaign_manager_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_campaign_manager_link_campaign_id'), ['campaign_id'], unique=False)
    # Backfill: every existing campaign gets the chain above its audience as it is now.
    conn = op.get_bind()
    people = conn.execute(sa.text("SELECT id, email, manager_id FROM person")).all()
    email = {pid: mail for pid, mail, _ in people}
    parent = {mail: email.get(mid) for _, mail, mid in people}
    link = sa.table('campaign_manager_link', sa.column('campaign_id', sa.Integer),
                    sa.column('manager_key', sa.String), sa.column('parent_key', sa.String))
    for (campaign_id,) in conn.execute(sa.text("SELECT id FROM campaign")).all():
        keys = {k for (k,) in conn.execute(sa.text(
            "SELECT DISTINCT manager_key FROM campaign_member WHERE campaign_id = :c AND manager_key IS NOT NULL"),
            {"c": campaign_id})}
        rows, seen = [], set()
        while keys:
            key = keys.pop()
            if key in seen:
                continue
            seen.add(key)
            up = parent.get(key)
            rows.append({"campaign_id": campaign_id, "manager_key": key, "parent_key": up})
            if up is not None:
                keys.add(up)
        if rows:
            op.bulk_insert(link, rows)


def downgrade():
    with op.batch_alter_table('campaign_manager_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_campaign_manager_link_campaign_id'))
    op.drop_table('campaign_manager_link')
