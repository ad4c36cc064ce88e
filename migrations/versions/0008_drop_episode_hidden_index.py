"""Drop ix_episodes_hidden: an index of a true/false column, which misled SQLite's planner

Without statistics (SQLite gathers them only when ``ANALYZE`` runs, which nothing runs on a
site), SQLite's planner takes an equality on an indexed column to pick a few rows. It read every
visible episode through this index, then sorted them all, for the archive, the home page, the
feeds and a search: 84 ms for the archive's first page at 10,000 episodes instead of 3 ms. No
query needs this index: visible episodes are read in order through the partial index
``uq_episodes_visible_start``, and no page lists hidden episodes alone.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 09:20:00

"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.drop_index("ix_episodes_hidden", table_name="episodes")


def downgrade():
    op.create_index("ix_episodes_hidden", "episodes", ["hidden"], unique=False)
