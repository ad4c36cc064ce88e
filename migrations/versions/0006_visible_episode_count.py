"""episode_counts: how many episodes are visible, kept by triggers on episodes

The archive's first listing shows how many episodes there are and how many pages they fill:
counting them read every episode of the archive on each uncached listing. Triggers keep the
number current whatever writes the episodes (the ORM, bulk inserts, SQL by hand). When the row
is missing (a table emptied by hand), the next write that changes the number counts every
visible episode again, and until then the archive counts them itself.

As with 0004: a later migration that rebuilds the episodes table on SQLite (Alembic's batch
mode) drops these triggers and must create them again.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 05:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Adds ``delta`` to the count, or counts every visible episode when the row is missing.
_SQLITE_UPSERT = (
    "INSERT INTO episode_counts (id, visible)"
    " VALUES (1, (SELECT count(*) FROM episodes WHERE hidden = 0))"
    " ON CONFLICT (id) DO UPDATE SET visible = visible + {delta};"
)
SQLITE_CREATE = [
    "CREATE TRIGGER episode_counts_insert AFTER INSERT ON episodes WHEN new.hidden = 0 BEGIN "
    + _SQLITE_UPSERT.format(delta="1")
    + " END",
    "CREATE TRIGGER episode_counts_delete AFTER DELETE ON episodes WHEN old.hidden = 0 BEGIN "
    + _SQLITE_UPSERT.format(delta="-1")
    + " END",
    "CREATE TRIGGER episode_counts_update AFTER UPDATE OF hidden ON episodes"
    " WHEN old.hidden <> new.hidden BEGIN "
    + _SQLITE_UPSERT.format(delta="(CASE WHEN new.hidden = 0 THEN 1 ELSE -1 END)")
    + " END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS episode_counts_update",
    "DROP TRIGGER IF EXISTS episode_counts_delete",
    "DROP TRIGGER IF EXISTS episode_counts_insert",
]

# One statement-level trigger function: a bulk insert of 10,000 episodes updates the row once,
# and an update that hides or shows nothing does not touch (nor lock) it.
POSTGRESQL_CREATE = [
    """
    CREATE FUNCTION episode_counts_follow() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        delta bigint := 0;
    BEGIN
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            delta := delta + (SELECT count(*) FROM new_rows WHERE NOT hidden);
        END IF;
        IF TG_OP IN ('DELETE', 'UPDATE') THEN
            delta := delta - (SELECT count(*) FROM old_rows WHERE NOT hidden);
        END IF;
        IF delta <> 0 THEN
            INSERT INTO episode_counts (id, visible)
            VALUES (1, (SELECT count(*) FROM episodes WHERE NOT hidden))
            ON CONFLICT (id) DO UPDATE SET visible = episode_counts.visible + delta;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    "CREATE TRIGGER episode_counts_insert AFTER INSERT ON episodes"
    " REFERENCING NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION episode_counts_follow()",
    "CREATE TRIGGER episode_counts_update AFTER UPDATE ON episodes"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION episode_counts_follow()",
    "CREATE TRIGGER episode_counts_delete AFTER DELETE ON episodes"
    " REFERENCING OLD TABLE AS old_rows"
    " FOR EACH STATEMENT EXECUTE FUNCTION episode_counts_follow()",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS episode_counts_delete ON episodes",
    "DROP TRIGGER IF EXISTS episode_counts_update ON episodes",
    "DROP TRIGGER IF EXISTS episode_counts_insert ON episodes",
    "DROP FUNCTION IF EXISTS episode_counts_follow()",
]


def upgrade():
    op.create_table(
        "episode_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visible", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode_counts")),
    )
    bind = op.get_bind()
    bind.execute(
        sa.text(
            "INSERT INTO episode_counts (id, visible)"
            " SELECT 1, count(*) FROM episodes WHERE hidden = :hidden"
        ),
        {"hidden": False},
    )
    statements = POSTGRESQL_CREATE if bind.dialect.name == "postgresql" else SQLITE_CREATE
    for statement in statements:
        bind.exec_driver_sql(statement)


def downgrade():
    bind = op.get_bind()
    statements = POSTGRESQL_DROP if bind.dialect.name == "postgresql" else SQLITE_DROP
    for statement in statements:
        bind.exec_driver_sql(statement)
    op.drop_table("episode_counts")
