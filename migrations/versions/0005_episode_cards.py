"""episodes.card_html, card_format, has_recording: each episode's card in a listing, stored

A listing prints stored cards instead of rendering one per episode (see
openinfra_live/episodes/cards.py). The cards themselves are rendered by the site's templates,
not here: at the end of every ``flask db upgrade`` (migrations/env.py). Plain ``ADD COLUMN``/``DROP COLUMN`` rather than Alembic's
batch mode, which on SQLite would copy the table and drop the search index's triggers (0004).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 05:20:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

COLUMNS = ("card_html", "card_format", "has_recording")


def upgrade():
    op.add_column("episodes", sa.Column("card_html", sa.Text(), server_default="", nullable=False))
    op.add_column(
        "episodes", sa.Column("card_format", sa.String(length=40), server_default="", nullable=False)
    )
    op.add_column(
        "episodes",
        sa.Column("has_recording", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade():
    for column in reversed(COLUMNS):
        op.drop_column("episodes", column)
