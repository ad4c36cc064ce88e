"""A rate-limit storage in a SQLite file, shared by every process of one machine.

The ``limits`` package keeps counters in memory by default, so each gunicorn worker counted
for itself: two workers let twice the limit through. This storage, registered for URIs such as
``sqlite:////srv/site/instance/ratelimits.sqlite``, is the embedded default (the instance
folder, see ``config.ratelimit_storage_uri``): every worker and every ``flask`` process of the
machine counts in one file. Redis (``redis://``) stays the option for several hosts.

Only the fixed window (flask-limiter's default strategy) is supported. Counters are not worth
a disk flush: the file is written with ``synchronous=OFF`` in WAL mode, and a crash of the
machine at worst forgets the counts of the current window.
"""

import os
import sqlite3
import threading
import time
from pathlib import Path
from urllib.parse import unquote, urlsplit

from limits.storage import Storage

SCHEME = "sqlite"
# Expired counters are deleted by one write in this many, which keeps the file small.
PURGE_EVERY = 200
BUSY_TIMEOUT_SECONDS = 5.0


def path_of(uri: str) -> str:
    """The file a ``sqlite:///relative`` or ``sqlite:////absolute`` URI names."""
    path = unquote(urlsplit(uri).path)
    # As in SQLAlchemy: the third slash ends the (empty) authority; a fourth starts the path.
    path = path[1:] if path.startswith("/") else path
    if not path:
        raise ValueError(f"no file in the rate-limit storage URI {uri!r}")
    return path


def now() -> float:
    """The clock of the counters (the wall clock: processes must agree on it)."""
    return time.time()


class SQLiteStorage(Storage):
    """Fixed-window counters in a SQLite table, one connection per thread and process."""

    STORAGE_SCHEME = [SCHEME]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        self.path = path_of(uri or "")
        self._local = threading.local()
        self._writes = 0
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return sqlite3.Error

    def _connection(self) -> sqlite3.Connection:
        # A connection belongs to the process that opened it: gunicorn forks its workers
        # after the app (and this storage) was built, and each opens its own.
        local = self._local
        if getattr(local, "pid", None) != os.getpid():
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                self.path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None
            )
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=OFF")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS counters ("
                " key TEXT PRIMARY KEY, value INTEGER NOT NULL, expires_at REAL NOT NULL)"
            )
            local.connection, local.pid = connection, os.getpid()
        return local.connection

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        """Add ``amount`` to the counter, starting a new window of ``expiry`` seconds when the
        last one is over; one statement, so two processes never lose a hit."""
        moment = now()
        connection = self._connection()
        value = connection.execute(
            "INSERT INTO counters (key, value, expires_at) VALUES (?1, ?2, ?3)"
            " ON CONFLICT (key) DO UPDATE SET"
            " value = CASE WHEN expires_at <= ?4 THEN ?2 ELSE value + ?2 END,"
            " expires_at = CASE WHEN expires_at <= ?4 THEN ?3 ELSE expires_at END"
            " RETURNING value",
            (key, amount, moment + expiry, moment),
        ).fetchone()[0]
        self._writes += 1
        if self._writes % PURGE_EVERY == 0:
            connection.execute("DELETE FROM counters WHERE expires_at <= ?", (moment,))
        return int(value)

    def get(self, key: str) -> int:
        row = (
            self._connection()
            .execute("SELECT value FROM counters WHERE key = ? AND expires_at > ?", (key, now()))
            .fetchone()
        )
        return int(row[0]) if row else 0

    def get_expiry(self, key: str) -> float:
        row = (
            self._connection()
            .execute(
                "SELECT expires_at FROM counters WHERE key = ? AND expires_at > ?",
                (key, now()),
            )
            .fetchone()
        )
        return float(row[0]) if row else now()

    def check(self) -> bool:
        try:
            self._connection().execute("SELECT 1").fetchone()
        except sqlite3.Error:
            return False
        return True

    def reset(self) -> int | None:
        return self._connection().execute("DELETE FROM counters").rowcount

    def clear(self, key: str) -> None:
        self._connection().execute("DELETE FROM counters WHERE key = ?", (key,))
