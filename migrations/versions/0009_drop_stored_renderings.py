"""Drop what was derived from the episodes and stored with them: cards, calendar events,
description stamps and the count of visible episodes

Pages, invites and feeds are rendered from the episodes at request time, and the archive counts
its episodes with ``COUNT(*)``. Only ``search_text`` stays: the search index (0004) is made of it.

Plain ``DROP COLUMN`` (SQLite 3.35 and later), not Alembic's batch mode, which on SQLite copies
the table and drops the triggers that keep the search index (0004) and the count (0006). The
count's triggers and table go first; the downgrade makes them again with their own revision.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00

"""

import sqlalchemy as sa
from alembic import context, op
from alembic.script import ScriptDirectory

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

DERIVED_COLUMNS = (
    "card_html",
    "card_format",
    "has_recording",
    "ics_event",
    "ics_format",
    "description_stamp",
)


def earlier(revision_id: str):
    """The module of an earlier revision, whose steps the downgrade runs again."""
    return ScriptDirectory.from_config(context.config).get_revision(revision_id).module


def upgrade():
    count = earlier("0006")
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in count.POSTGRESQL_DROP if postgresql else count.SQLITE_DROP:
        op.execute(statement)
    op.drop_table("episode_counts")
    for column in DERIVED_COLUMNS:
        op.drop_column("episodes", column)


def downgrade():
    # The columns come back empty: the site of that revision renders what is missing.
    op.add_column(
        "episodes",
        sa.Column("description_stamp", sa.String(length=32), server_default="", nullable=False),
    )
    earlier("0005").upgrade()  # card_html, card_format, has_recording
    earlier("0006").upgrade()  # episode_counts, counted now, and its triggers
    earlier("0007").upgrade()  # ics_event, ics_format
