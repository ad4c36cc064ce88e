"""A trigram index of episodes.search_text

A search for a word few episodes contain no longer reads every episode: the index names the
few candidates (see openinfra_live/episodes/search.py). On SQLite, an FTS5 table with the
trigram tokenizer whose content is the episodes table itself; triggers keep it current
whatever writes the column. On PostgreSQL, a GIN index with pg_trgm's operator class (the
extension is created when it is available and may be), on ``search_text || ''``. A database where neither can be made
(SQLite before 3.34, a PostgreSQL without pg_trgm) gets no index, and search reads every
episode as before.

A later migration that rebuilds the episodes table on SQLite (Alembic's batch mode copies it to
a new table) drops these triggers: it must create them again (see CREATE below).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 03:45:00

"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CREATE = [
    "CREATE VIRTUAL TABLE episodes_search USING fts5("
    "search_text, content='episodes', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER episodes_search_insert AFTER INSERT ON episodes BEGIN"
    " INSERT INTO episodes_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER episodes_search_delete AFTER DELETE ON episodes BEGIN"
    " INSERT INTO episodes_search(episodes_search, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER episodes_search_update AFTER UPDATE OF id, search_text ON episodes BEGIN"
    " INSERT INTO episodes_search(episodes_search, rowid, search_text)"
    " VALUES ('delete', old.id, old.search_text);"
    " INSERT INTO episodes_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO episodes_search(episodes_search) VALUES ('rebuild')",
]
DROP = [
    "DROP TRIGGER IF EXISTS episodes_search_update",
    "DROP TRIGGER IF EXISTS episodes_search_delete",
    "DROP TRIGGER IF EXISTS episodes_search_insert",
    "DROP TABLE IF EXISTS episodes_search",
]


POSTGRESQL_INDEX = "ix_episodes_search_text_trigram"


def _without_index(reason) -> bool:
    logging.getLogger("alembic").warning("no search index on this database: %s", reason)
    return False


def sqlite_trigram_available(bind) -> bool:
    """Whether this SQLite has FTS5 and its trigram tokenizer (a probe in the temp schema)."""
    try:
        bind.exec_driver_sql(
            "CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(probe, tokenize='trigram')"
        )
    except sa.exc.OperationalError as error:
        return _without_index(error)
    bind.exec_driver_sql("DROP TABLE temp.trigram_probe")
    return True


def postgresql_trigram_available(bind) -> bool:
    """Whether pg_trgm is installed in this database, installing it when allowed to."""
    if bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first():
        return True
    if not bind.exec_driver_sql(
        "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
    ).first():
        return _without_index("the pg_trgm extension is not installed on the server")
    try:
        # A savepoint: a refusal (no privilege) must not abort the migration's transaction.
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except sa.exc.DBAPIError as error:
        return _without_index(error)
    return True


def upgrade():
    bind = op.get_bind()
    # Without the index the site works as before: search reads every episode.
    if bind.dialect.name == "sqlite" and sqlite_trigram_available(bind):
        for statement in CREATE:
            bind.exec_driver_sql(statement)
    elif bind.dialect.name == "postgresql" and postgresql_trigram_available(bind):
        # On an expression that changes nothing: only the lookup of candidates, written on the
        # same expression, uses the index (see openinfra_live/episodes/search.py).
        bind.exec_driver_sql(
            f"CREATE INDEX {POSTGRESQL_INDEX} ON episodes"
            " USING gin ((search_text || '') gin_trgm_ops)"
        )


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for statement in DROP:
            bind.exec_driver_sql(statement)
    elif bind.dialect.name == "postgresql":
        # The extension stays: something else may use it.
        bind.exec_driver_sql(f"DROP INDEX IF EXISTS {POSTGRESQL_INDEX}")
