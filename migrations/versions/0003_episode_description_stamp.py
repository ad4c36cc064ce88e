"""episodes.description_stamp: proof that a description is the cleaner's output

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 23:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "episodes",
        sa.Column("description_stamp", sa.String(length=32), server_default="", nullable=False),
    )
    # No description is stamped: the site that read the stamps is gone, and 0009 drops them.


def downgrade():
    with op.batch_alter_table("episodes") as batch_op:
        batch_op.drop_column("description_stamp")
