"""episodes.search_text: what a search of the archive looks at, in one column

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 21:45:00

"""

import sqlalchemy as sa
from alembic import op

from openinfra_live.episodes.search import refresh_all

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "episodes", sa.Column("search_text", sa.Text(), server_default="", nullable=False)
    )
    # Existing episodes get their text now.
    session = sa.orm.Session(bind=op.get_bind())
    refresh_all(session)
    session.flush()


def downgrade():
    with op.batch_alter_table("episodes") as batch_op:
        batch_op.drop_column("search_text")
