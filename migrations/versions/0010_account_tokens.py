"""One-time links for moderator accounts (password resets and invitations), and admins

The admin role manages accounts. A site upgraded from an earlier revision has moderators only:
the oldest active account becomes the admin, as the first account ``flask create-moderator``
makes is from now on. The downgrade turns admins back into moderators.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 16:30:00

"""

import sqlalchemy as sa
from alembic import op

import openinfra_live.database

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "account_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=10), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", openinfra_live.database.UTCDateTime(), nullable=False),
        sa.Column("expires_at", openinfra_live.database.UTCDateTime(), nullable=False),
        sa.Column("used_at", openinfra_live.database.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_account_tokens_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_account_tokens_token_hash")),
    )
    op.create_index(op.f("ix_account_tokens_email"), "account_tokens", ["email"], unique=False)
    op.create_index(op.f("ix_account_tokens_user_id"), "account_tokens", ["user_id"], unique=False)
    op.execute(
        "UPDATE users SET role = 'admin' WHERE id = ("
        " SELECT id FROM users WHERE active AND role = 'moderator'"
        " AND NOT EXISTS (SELECT 1 FROM users WHERE role = 'admin')"
        " ORDER BY created_at, id LIMIT 1)"
    )


def downgrade():
    op.execute("UPDATE users SET role = 'moderator' WHERE role = 'admin'")
    op.drop_index(op.f("ix_account_tokens_user_id"), table_name="account_tokens")
    op.drop_index(op.f("ix_account_tokens_email"), table_name="account_tokens")
    op.drop_table("account_tokens")
