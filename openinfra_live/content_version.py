"""The content version: one value that every change to public content replaces.

Public pages, feeds and invites are cached on the server (``response_cache``) and validated by
browsers and proxies (``http_cache``) under this version, so a cached copy is good exactly as
long as the version has not moved.

Design:

- The version is one row of the ``content_version`` table: a random token and the time of the
  change. It lives in the database, not in Redis, so that it changes *in the same transaction*
  as the content: no reader can ever see the new version with the old content, and a crash
  between the commit and a separate bump cannot leave a stale version behind. A random token
  rather than a counter: a database restored from a backup, or emptied and filled again, never
  brings back a version that an old cached copy was stored under.
- Every write goes through the ORM session, and two session events notice those that touch a
  table listed in :data:`CONTENT_TABLES`: ``after_flush`` (objects added, changed, deleted) and
  ``do_orm_execute`` (bulk ``insert``/``update``/``delete`` statements, as the importer, the
  backup restore and the benchmark's generator use). At ``before_commit`` such a transaction
  replaces the token with one upsert, as its last statement, so that the version's row is
  locked only while committing (writers never wait for each other through it otherwise).
  Proposals, users, the audit log and team histories are not public content: changing them
  does not move the version (a scheduled proposal creates an ``Episode``, which does).
- Reading the version is one primary-key query, memoized per worker for
  ``CONTENT_VERSION_MAX_AGE`` seconds (1 s by default): a cache hit then runs no query at all.
  A worker forgets its memo as soon as it commits a change itself, so a moderator sees their
  own change at once; other workers and hosts see it within that second.
- No row yet (a new, never written database) means "no version": nothing is cached then.
"""

import secrets
import time
import weakref
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, g
from sqlalchemy import String, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from openinfra_live import clock
from openinfra_live.database import UTCDateTime
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam, Room

ROW_ID = 1
# The tables whose rows show on public pages. A new public model belongs here.
CONTENT_TABLES = frozenset(
    model.__tablename__
    for model in (Episode, EpisodeLink, EpisodeGuest, PtgEvent, Room, PtgTeam, PtgSession)
)
_CHANGED = "content_version_changed"
DEFAULT_MAX_AGE = 1.0


class ContentVersion(db.Model):
    """The single row holding the current content version."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class Stamp:
    """The content version as read: its token (None before any change) and when it changed."""

    token: str | None
    changed_at: datetime | None


NO_VERSION = Stamp(token=None, changed_at=None)


def _upsert(dialect_name: str):
    values = {"id": ROW_ID, "token": secrets.token_hex(16), "changed_at": clock.now()}
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    statement = insert(ContentVersion).values(**values)
    return statement.on_conflict_do_update(
        index_elements=[ContentVersion.id],
        set_={"token": values["token"], "changed_at": values["changed_at"]},
    )


def bump(session: Session) -> None:
    """Replace the version inside ``session``'s transaction."""
    connection = session.connection()
    # Core execution on the transaction's own connection: no ORM events, no autoflush.
    connection.execute(_upsert(connection.dialect.name))


# Built once, from the table's columns: an ORM statement costs several times what SQLite
# takes to answer this one, and it runs for every request that misses the memo.
_table = ContentVersion.__table__
_READ = select(_table.c.token, _table.c.changed_at).where(_table.c.id == ROW_ID)


def read() -> Stamp:
    """The stored version, in one query."""
    row = db.session.execute(_READ).first()
    if row is None:
        return NO_VERSION
    return Stamp(token=row.token, changed_at=row.changed_at)


class VersionReader:
    """One app's view of the version, memoized for ``max_age`` seconds."""

    def __init__(self, max_age: float) -> None:
        self.max_age = max_age
        self._memo: tuple[Stamp, float] | None = None
        _readers.add(self)

    def current(self) -> Stamp:
        """The version, from the memo while it is young enough, else from the database."""
        memo = self._memo
        now = time.monotonic()
        if memo is not None and now < memo[1]:
            return memo[0]
        stamp = read()
        if self.max_age > 0:
            self._memo = (stamp, now + self.max_age)
        return stamp

    def peek(self) -> Stamp | None:
        """The memoized version while it is young enough, else None (and no query)."""
        memo = self._memo
        if memo is not None and time.monotonic() < memo[1]:
            return memo[0]
        return None

    def refresh(self) -> None:
        """Read the version again now, so the memo's age starts from here."""
        if self.max_age > 0:
            self._memo = (read(), time.monotonic() + self.max_age)

    def forget(self) -> None:
        """Read the database again next time."""
        self._memo = None


# Every reader of this process, so that a change committed here is seen here at once.
_readers: "weakref.WeakSet[VersionReader]" = weakref.WeakSet()


def forget_everywhere() -> None:
    """Drop the memo of every reader in this process."""
    for reader in list(_readers):
        reader.forget()


def reader_for(app: Flask) -> VersionReader:
    """The app's reader, created on first use."""
    reader = app.extensions.get("content_version")
    if reader is None:
        reader = VersionReader(float(app.config.get("CONTENT_VERSION_MAX_AGE", DEFAULT_MAX_AGE)))
        app.extensions["content_version"] = reader
    return reader


def current() -> Stamp:
    """The content version for this request: read once, the same for the whole request."""
    stamp = g.get("_content_stamp")
    if stamp is None:
        stamp = reader_for(current_app._get_current_object()).current()  # type: ignore[attr-defined]
        g._content_stamp = stamp
    return stamp


# --- what moves the version ------------------------------------------------------------------


def _touches_content(session: Session) -> bool:
    for obj in (*session.new, *session.dirty, *session.deleted):
        if getattr(type(obj), "__tablename__", None) in CONTENT_TABLES:
            return True
    return False


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, flush_context) -> None:
    # The new/dirty/deleted collections still describe what this flush wrote.
    if not session.info.get(_CHANGED) and _touches_content(session):
        session.info[_CHANGED] = True


@event.listens_for(Session, "do_orm_execute")
def _on_execute(state) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in CONTENT_TABLES:
        state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    # Write everything first, then the version, last: the version's row is locked only for
    # the commit itself, never while this transaction waits for another lock.
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.get(_CHANGED):
        bump(session)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.get(_CHANGED):
        forget_everywhere()


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    # Committed or rolled back, the transaction is over; savepoints ending do not end it.
    if transaction.parent is None:
        session.info.pop(_CHANGED, None)
