"""episodes.ics_event, ics_format: each episode's VEVENT for the subscription calendar, stored

The subscription calendar joins stored events instead of building one per episode through
icalendar (see openinfra_live/episodes/stored_events.py). The events are built by the site's
code, not here: at the end of every ``flask db upgrade`` (migrations/env.py). Plain
``ADD COLUMN``/``DROP COLUMN``, as in 0005.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 07:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = ("ics_event", "ics_format")


def upgrade():
    op.add_column("episodes", sa.Column("ics_event", sa.Text(), nullable=True))
    op.add_column(
        "episodes", sa.Column("ics_format", sa.String(length=40), server_default="", nullable=False)
    )


def downgrade():
    for column in reversed(COLUMNS):
        op.drop_column("episodes", column)
