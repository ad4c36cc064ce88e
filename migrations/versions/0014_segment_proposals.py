"""A proposal may be scheduled as a segment of a special

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 04:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("episode_segments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("proposal_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_episode_segments_proposal_id_proposals"),
            "proposals",
            ["proposal_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_unique_constraint(
            batch_op.f("uq_episode_segments_proposal_id"), ["proposal_id"]
        )


def downgrade():
    with op.batch_alter_table("episode_segments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_episode_segments_proposal_id"), type_="unique")
        batch_op.drop_constraint(
            batch_op.f("fk_episode_segments_proposal_id_proposals"), type_="foreignkey"
        )
        batch_op.drop_column("proposal_id")
