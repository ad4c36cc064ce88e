"""episodes_search: a trigram index of episodes.search_text, on SQLite

A search for a word few episodes contain no longer reads every episode: the index names the
few candidates (see openinfra_live/episodes/search.py). An FTS5 table with the trigram
tokenizer, whose content is the episodes table itself; triggers keep it current whatever
writes the column. SQLite builds without FTS5 or its trigram tokenizer (before 3.34) get no
index, and search reads every episode as before. PostgreSQL is left as it is.

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


def trigram_index_available(bind) -> bool:
    """Whether this SQLite has FTS5 and its trigram tokenizer (a probe in the temp schema)."""
    try:
        bind.exec_driver_sql(
            "CREATE VIRTUAL TABLE temp.trigram_probe USING fts5(probe, tokenize='trigram')"
        )
    except sa.exc.OperationalError as error:
        logging.getLogger("alembic").warning("no search index on this SQLite: %s", error)
        return False
    bind.exec_driver_sql("DROP TABLE temp.trigram_probe")
    return True


def upgrade():
    bind = op.get_bind()
    # Without the index the site works as before: search reads every episode.
    if bind.dialect.name != "sqlite" or not trigram_index_available(bind):
        return
    for statement in CREATE:
        bind.exec_driver_sql(statement)


def downgrade():
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    for statement in DROP:
        bind.exec_driver_sql(statement)
