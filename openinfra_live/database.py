"""Declarative base, naming convention and column types shared by every model, and how the
engine and sessions are set up."""

import sqlite3
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session
from sqlalchemy.types import TypeDecorator

# Constraint names must match on SQLite and PostgreSQL so migrations stay portable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """A timestamp stored as naive UTC and always handed back timezone-aware in UTC.

    SQLite keeps no zone, so normalising on the way in keeps both databases identical.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


# SQLite's page cache per connection, in KiB (its default is 2,000). An episode's row fills
# about a page (its stored card and calendar event), so a search for a common word, which reads
# the newest episodes until 501 match, reads about 1,500 pages at 10,000 episodes: with the
# default cache each is read again from the file at every search (2.3 ms instead of 0.8 ms).
SQLITE_CACHE_KIB = 8192


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, connection_record) -> None:
    """Foreign keys on, WAL, a busy timeout and a larger page cache on every new SQLite
    connection."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A negative size is in KiB rather than in pages.
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.close()


# Each statement on its own, as the database's autocommit mode runs it.
_NO_TRANSACTION = {"isolation_level": "AUTOCOMMIT"}
_READS_ONLY = "reads_only"


def read_without_transaction(session: Session) -> None:
    """Let ``session``'s statements run outside a transaction, for a request that only reads:
    from its first statement on, if it runs any (a page from the response cache runs none, and
    takes no connection).

    On PostgreSQL a transaction costs a reading request two round trips (``BEGIN``, and the
    ``ROLLBACK`` that returns the connection to the pool), and that ``ROLLBACK`` makes psycopg
    forget its prepared statements, so every statement is parsed and planned again. What each
    statement sees is unchanged: at the default isolation level (read committed), every
    statement of a transaction already sees what was committed before it began. SQLite opens no
    transaction for a ``SELECT`` in any case, and there switching the mode costs statements
    (pysqlite sets and resets it with ``PRAGMA``s): the session is left as it is.

    A session already in a transaction keeps it.
    """
    session.info[_READS_ONLY] = True


@event.listens_for(Session, "do_orm_execute")
def _begin_without_transaction(state: ORMExecuteState) -> None:
    """The first statement of a reading session takes its connection in autocommit."""
    session = state.session
    if not session.info.get(_READS_ONLY) or session.in_transaction():
        return
    if session.get_bind().dialect.name != "sqlite":
        session.connection(execution_options=_NO_TRANSACTION)
