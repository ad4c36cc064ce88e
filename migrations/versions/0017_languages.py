"""The language a proposal, a PTG registration, an audience question or a mail is written in

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 17:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLES = ("proposals", "ptg_teams", "questions", "outbox_mails")


def upgrade():
    # Plain added columns with a default: no table rebuild on SQLite (the search triggers of
    # 0004 stay), and the rows written before languages existed were written in English.
    for table in TABLES:
        op.add_column(
            table,
            sa.Column("language", sa.String(length=16), nullable=False, server_default="en"),
        )


def downgrade():
    for table in TABLES:
        op.drop_column(table, "language")
