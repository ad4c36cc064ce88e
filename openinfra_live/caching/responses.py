"""The response cache: public answers kept under the content version, in memory and Redis."""

import functools
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Request, Response, current_app, request, session
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from flask_login import current_user

from openinfra_live import clock
from openinfra_live.caching import validators
from openinfra_live.caching import version as versions
from openinfra_live.database import read_without_transaction
from openinfra_live.extensions import db

REDIS_PREFIX = "openinfra-live:response:"
# After a Redis error the worker works from memory alone for this long.
REDIS_BACKOFF_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 0.5
# After a build this long, the memoized version is read again: its lifetime then starts after
# the build, and the next visitors are answered with no query while it is young.
LONG_BUILD_SECONDS = 0.05
# Headers recomputed for every response, or that must never be replayed to someone else.
_NOT_STORED = {"set-cookie", "content-length"}


@dataclass(frozen=True)
class Entry:
    """A stored 200 response: its headers and body."""

    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 64

    @classmethod
    def from_response(cls, response: Response) -> "Entry":
        """The parts of ``response`` that may be replayed to anyone."""
        kept = tuple((k, v) for k, v in response.headers.items() if k.lower() not in _NOT_STORED)
        return cls(kept, response.get_data())

    def to_bytes(self) -> bytes:
        """The entry as Redis keeps it: JSON, the body as Latin-1 (any byte is one character)."""
        return json.dumps([self.headers, self.body.decode("latin-1")]).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> "Entry":
        """The entry :meth:`to_bytes` wrote."""
        headers, body = json.loads(data)
        return cls(tuple((str(k), str(v)) for k, v in headers), body.encode("latin-1"))


class MemoryStore:
    """A least-recently-used store bounded in bytes, holding one content version at a time."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes, self.size, self._token = max_bytes, 0, ""
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, token: str, key: str) -> Entry | None:
        """The entry under ``key`` if it belongs to version ``token``."""
        with self._lock:
            entry = self._entries.get(key) if token == self._token else None
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def set(self, token: str, key: str, entry: Entry) -> None:
        """Keep ``entry``; a new version first drops every entry of the old one."""
        with self._lock:
            if token != self._token:
                self._entries.clear()
                self.size, self._token = 0, token
            if entry.size > self.max_bytes:
                return
            previous = self._entries.pop(key, None)
            self.size += entry.size - (previous.size if previous else 0)
            self._entries[key] = entry
            while self.size > self.max_bytes:
                self.size -= self._entries.popitem(last=False)[1].size

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
            self.size, self._token = 0, ""

    def __len__(self) -> int:
        return len(self._entries)


class RedisStore:
    """Entries shared by every worker and host, each kept ``ttl`` seconds; down means a miss."""

    def __init__(self, url: str, ttl: int) -> None:
        # Imported here: a site without Redis never loads the client (a few MB per worker).
        import redis

        self.ttl, self.errors, self._down_until = ttl, redis.RedisError, 0.0
        timeout = REDIS_TIMEOUT_SECONDS
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._down_until:
            return None
        try:
            return getattr(self.client, method)(*args, **kwargs)
        except self.errors as error:
            logging.getLogger(__name__).warning(
                "response cache: Redis unavailable, using memory only: %s", error
            )
            self._down_until = time.monotonic() + REDIS_BACKOFF_SECONDS
            return None

    def get(self, token: str, key: str) -> Entry | None:
        """The shared entry, or None (also when Redis is down or the bytes are not an entry)."""
        data = self._call("get", REDIS_PREFIX + _digest(token, key))
        try:
            return Entry.from_bytes(data) if data is not None else None
        except (ValueError, TypeError):
            return None

    def set(self, token: str, key: str, entry: Entry) -> None:
        """Share ``entry`` for ``ttl`` seconds."""
        self._call("set", REDIS_PREFIX + _digest(token, key), entry.to_bytes(), ex=self.ttl)

    def clear(self) -> None:
        """Delete every entry of this site."""
        for key in self._call("keys", REDIS_PREFIX + "*") or ():
            self._call("delete", key)


def _digest(token: str, key: str) -> str:
    return hashlib.sha256(f"{token}\x1f{key}".encode()).hexdigest()


def redis_url(config: dict[str, Any]) -> str | None:
    """``CACHE_REDIS_URL``, else the rate limiter's storage when that is Redis, else None."""
    url = (config.get("CACHE_REDIS_URL") or "").strip()
    limiter_url = (config.get("RATELIMIT_STORAGE_URI") or "").strip()
    return url or (limiter_url if limiter_url.startswith(("redis://", "rediss://")) else None)


class ResponseCache:
    """One app's response cache: memory first, Redis behind when configured."""

    def __init__(self, app: Flask) -> None:
        self.enabled = bool(app.config.get("RESPONSE_CACHE_ENABLED", True))
        self.memory = MemoryStore(int(app.config.get("RESPONSE_CACHE_MAX_BYTES", 32 << 20)))
        url, ttl = redis_url(app.config), int(app.config.get("RESPONSE_CACHE_TTL", 600))
        self.shared = RedisStore(url, ttl) if url else None
        self.versions = versions.reader_for(app)

    def get(self, token: str, key: str) -> Entry | None:
        """The entry under ``token`` and ``key``, from memory or else from Redis."""
        entry = self.memory.get(token, key)
        if entry is None and self.shared is not None and (entry := self.shared.get(token, key)):
            self.memory.set(token, key, entry)
        return entry

    def set(self, token: str, key: str, entry: Entry) -> None:
        """Keep ``entry`` in memory and, when configured, in Redis."""
        for store in (self.memory, self.shared):
            if store is not None:
                store.set(token, key, entry)

    def clear(self) -> None:
        """Forget every entry and the memoized content version."""
        for store in (self.memory, self.shared):
            if store is not None:
                store.clear()
        self.versions.forget()


def cache_for(app: Flask) -> ResponseCache:
    """The app's response cache, created on first use."""
    cache = app.extensions.get("response_cache")
    return cache or app.extensions.setdefault("response_cache", ResponseCache(app))


class CookielessSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, opened for free without a session cookie (Flask builds
    its signer first otherwise): most cache hits are such requests."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """An empty session without a cookie; else Flask's."""
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def request_key(is_page: bool) -> str | None:
    """This request's key, from the raw request; None when it must not use the cache. Without
    cookies there is no session nor zone to look up (most hits: crawlers, first visits)."""
    environ = request.environ
    if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
        return None
    names = ("wsgi.url_scheme", "HTTP_HOST", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING")
    parts = [environ.get(name, "") for name in names]
    if is_page:
        zone = ""
        if "HTTP_COOKIE" in environ:
            if current_user.is_authenticated or session.get("_flashes"):
                return None
            zone = validators.visitor_zone_name()
        parts += [zone, validators.minute_bucket(clock.now()).isoformat()]
    return "\x1f".join(parts)


def storable(response: Response) -> bool:
    """Whether ``response`` may be replayed to other visitors."""
    control, streamed = response.cache_control, response.is_streamed or response.direct_passthrough
    personal = "Set-Cookie" in response.headers or session.modified or control.private
    return response.status_code == 200 and not (streamed or personal or control.no_store)


def _cached(is_page: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            cache = cache_for(current_app._get_current_object())  # type: ignore[attr-defined]
            key = request_key(is_page) if cache.enabled else None
            token = versions.current().token if key is not None else None
            entry = cache.get(token, key) if key is not None and token is not None else None
            if entry is not None:
                response = current_app.response_class(entry.body, headers=entry.headers)
                return validators.conditional(response)
            # Such a view only reads (its answer is replayed to others): no transaction.
            read_without_transaction(db.session())
            started = time.monotonic()
            response = current_app.make_response(view(*args, **kwargs))
            if key is not None and token is not None and storable(response):
                cache.set(token, key, Entry.from_response(response))
                if time.monotonic() - started > LONG_BUILD_SECONDS:
                    cache.versions.forget()
            return response

        return wrapper

    return decorate


page = _cached(is_page=True)
page.__doc__ = "Cache an HTML page: varies with the visitor's zone, follows the clock (minute)."
data = _cached(is_page=False)
data.__doc__ = "Cache a feed, invite or API answer: the same for everyone, at any minute."
