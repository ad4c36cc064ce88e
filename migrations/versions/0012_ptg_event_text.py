"""ptg_events.faq: the questions and answers of an event's page, as cleaned HTML

Empty for the events already there: the public page shows its standard questions until the
organisers write their own, as it shows its standard introduction while ``description`` is empty.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 16:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("ptg_events", sa.Column("faq", sa.Text(), server_default="", nullable=False))


def downgrade():
    with op.batch_alter_table("ptg_events") as batch_op:
        batch_op.drop_column("faq")
