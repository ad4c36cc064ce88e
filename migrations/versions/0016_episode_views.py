"""An episode's audience: its views and its peak of live viewers

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 14:00:00

"""

import sqlalchemy as sa
from alembic import op

import openinfra_live.database

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    # Plain added columns, nullable (unknown until entered or imported): no table rebuild on
    # SQLite, so the search index's triggers of 0004 stay as they are.
    op.add_column("episodes", sa.Column("views", sa.Integer(), nullable=True))
    op.add_column("episodes", sa.Column("peak_live_viewers", sa.Integer(), nullable=True))
    op.add_column("episodes", sa.Column("views_updated_at", openinfra_live.database.UTCDateTime(), nullable=True))


def downgrade():
    # SQLite drops a column in place (3.35 and later), as 0009 does: no rebuild either.
    for column in ("views_updated_at", "peak_live_viewers", "views"):
        op.drop_column("episodes", column)
