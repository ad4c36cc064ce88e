"""The content version: one row that every committed change to public content replaces, in the
same transaction (no reader sees the new version with the old content). A random token: a restored
backup never brings back a version an old cached copy was stored under."""

import secrets
import time
import weakref
from datetime import datetime
from typing import Any, NamedTuple

from flask import Flask, current_app, g
from sqlalchemy import String, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from openinfra_live import clock
from openinfra_live.database import UTCDateTime
from openinfra_live.extensions import db

ROW_ID = 1
# The tables whose rows show on public pages. A new public model belongs here.
CONTENT_TABLES = frozenset(("episodes", "episode_links", "episode_guests", "ptg_events"))
CONTENT_TABLES |= {"ptg_rooms", "ptg_teams", "ptg_sessions"}
CONTENT_TABLES |= {"episode_segments", "episode_segment_speakers"}
_CHANGED = "content_changed_in"


class ContentVersion(db.Model):
    """The single row holding the current content version."""

    __tablename__ = "content_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Stamp(NamedTuple):
    """The content version as read: its token (None before any change) and when it changed."""

    token: str | None
    changed_at: datetime | None


# Built once from the table's columns: the one query of a cache hit, when the memo is old.
_table = ContentVersion.__table__
_READ = select(_table.c.token, _table.c.changed_at).where(_table.c.id == ROW_ID)


def read() -> Stamp:
    """The stored version, in one query; no row yet (a new database) is no version."""
    row = db.session.execute(_READ).first()
    return Stamp(row.token, row.changed_at) if row else Stamp(None, None)


class VersionReader:
    """One app's view of the version, memoized for ``max_age`` seconds."""

    def __init__(self, max_age: float) -> None:
        self.max_age, self._memo = max_age, (Stamp(None, None), 0.0)
        _readers.add(self)

    def current(self) -> Stamp:
        """The version, from the memo while it is young enough, else from the database."""
        stamp, until = self._memo
        if time.monotonic() >= until:
            stamp, until = read(), time.monotonic() + self.max_age
            self._memo = (stamp, until)
        return stamp

    def peek(self) -> str | None:
        """The memoized token while it is young enough, else None (and no query)."""
        stamp, until = self._memo
        return stamp.token if time.monotonic() < until else None

    def forget(self) -> None:
        """Read the database again next time."""
        self._memo = (Stamp(None, None), 0.0)


# Every reader of this process, so that a change committed here is seen here at once.
_readers: "weakref.WeakSet[VersionReader]" = weakref.WeakSet()


def reader_for(app: Flask) -> VersionReader:
    """The app's reader, created on first use."""
    reader = app.extensions.get("content_version")
    max_age = float(app.config.get("CONTENT_VERSION_MAX_AGE", 1.0))
    return reader or app.extensions.setdefault("content_version", VersionReader(max_age))


def current() -> Stamp:
    """The content version for this request: read once, the same for the whole request."""
    if "_content_stamp" not in g:
        g._content_stamp = reader_for(current_app._get_current_object()).current()  # type: ignore[attr-defined]
    return g._content_stamp


def mark_changed(session: Session) -> None:
    """Mark ``db.session()``'s transaction as changing public content (raw SQL; the hooks mark ORM
    writes and bulk statements): its commit bumps the version, a rollback forgets the mark."""
    session.info[_CHANGED] = session.get_transaction() or session.begin()


def _after_flush(session: Session, flush_context: Any) -> None:
    # The new/dirty/deleted collections still describe what this flush wrote.
    changed = (*session.new, *session.dirty, *session.deleted)
    if any(getattr(obj, "__tablename__", None) in CONTENT_TABLES for obj in changed):
        mark_changed(session)


def _on_execute(state: Any) -> None:
    # Bulk insert/update/delete statements through the session (importer, restore, PTG teams).
    table = getattr(state.statement, "table", None)
    writes = state.is_insert or state.is_update or state.is_delete
    if writes and getattr(table, "name", None) in CONTENT_TABLES:
        mark_changed(state.session)


def _before_commit(session: Session) -> None:
    # Write everything first, then the version, last: its row is locked only while committing.
    if session.new or session.dirty or session.deleted:
        session.flush()
    if session.info.pop(_CHANGED, None) is session.get_transaction():
        connection = session.connection()  # Core, on the transaction's connection: no ORM events
        values = {"id": ROW_ID, "token": secrets.token_hex(16), "changed_at": clock.now()}
        insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
        upsert = insert(ContentVersion).values(**values)
        connection.execute(upsert.on_conflict_do_update(index_elements=["id"], set_=values))
        # This worker's next request (after the commit) reads the new version: a moderator sees
        # their change at once. Other workers and hosts see it when their memo expires.
        for reader in list(_readers):
            reader.forget()


def init_app(app: Flask) -> None:
    """Listen to every session's flushes, bulk statements and commits, once per process."""
    hooks = {"after_flush": _after_flush, "do_orm_execute": _on_execute}
    for name, hook in {**hooks, "before_commit": _before_commit}.items():
        if not event.contains(Session, name, hook):
            event.listen(Session, name, hook)
