"""The outbox: every mail the site queued, with when it was sent or why it failed

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 16:30:00

"""

import sqlalchemy as sa
from alembic import op

import openinfra_live.database

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_mails",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("template", sa.String(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column("secret", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("queued_at", openinfra_live.database.UTCDateTime(), nullable=False),
        sa.Column("sent_at", openinfra_live.database.UTCDateTime(), nullable=True),
        sa.Column("last_attempt_at", openinfra_live.database.UTCDateTime(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("failure", sa.Text(), nullable=False),
        sa.Column("sent_by", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_mails")),
    )
    with op.batch_alter_table("outbox_mails", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_mails_queued_at"), ["queued_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_outbox_mails_status"), ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("outbox_mails", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_mails_status"))
        batch_op.drop_index(batch_op.f("ix_outbox_mails_queued_at"))
    op.drop_table("outbox_mails")
