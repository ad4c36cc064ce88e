"""Server-side cache of public responses, keyed on the content version.

A view decorated with :func:`cached` is answered from the cache when a response for the same
content version, address and visitor variant was built before; the view then does not run at
all (no query, no rendering). Entries are never invalidated one by one: every write to public
content replaces the version (``content_version``), which changes every key.

The key is (content version token, scheme and host, path and query string, and for pages that
vary by visitor: the visitor's time zone; for pages that follow the clock: the current minute,
so a *live now* badge is never more than a minute late).

Feeds, invites and the API are also kept gzip-compressed, once per version, for the clients
that accept it (``compression``): the compressed copy is an entry of its own, under the same key
and the coding.

What is never cached: anything but GET and HEAD; pages for a signed-in visitor, or for a
visitor with a flashed message waiting (their pages differ and are private); responses other
than 200; responses that change the session or set a cookie, or that say ``private`` or
``no-store``; anything while the database has no content version yet.

Where entries live:

- always in the worker's memory, a least-recently-used store bounded to
  ``RESPONSE_CACHE_MAX_BYTES`` that drops everything when the version changes;
- and, when Redis is configured (``CACHE_REDIS_URL``, else a ``redis://`` or ``rediss://``
  ``RATELIMIT_STORAGE_URI``), in Redis for ``RESPONSE_CACHE_TTL`` seconds, so that a page is
  built once for all workers and hosts. An entry never changes under its key, so the memory
  store in front of Redis can never disagree with it. Redis being down costs a miss, never an
  error page, and it is not asked again for a few seconds.

In front of the whole application, :class:`FrontCache` (installed by :func:`init_app`) answers
a GET or HEAD that carries no cookie, no conditional header and no credentials with the exact
bytes the application sent for the same address (and accepted coding, for an answer that
varies by it: HTML pages are kept once for all clients) under the same version
(and minute), before routing, rate limiting, sessions and the other per-request hooks run.
Such a request cannot be signed in, has no message waiting and no time zone: its answer is the
same for every visitor, which the view layer confirmed when it produced it. It only ever uses
a memoized version that is still young enough; otherwise the request goes through the
application, which reads the version again.

``app.extensions["response_cache"]`` is the app's :class:`ResponseCache`; ``clear()`` empties it.
"""

import functools
import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request, session
from flask_login import current_user

from openinfra_live import clock, compression, content_version, http_cache

log = logging.getLogger(__name__)

DEFAULT_MAX_BYTES = 32 * 1024 * 1024
DEFAULT_TTL = 600
REDIS_PREFIX = "openinfra-live:response:"
REDIS_SCHEMES = ("redis://", "rediss://")
# After a Redis error the worker works from memory alone for this long.
REDIS_BACKOFF_SECONDS = 5.0
REDIS_TIMEOUT_SECONDS = 0.5
# A build longer than this restarts the memoized content version's lifetime (see ``cached``).
LONG_BUILD_SECONDS = 0.05
# Headers recomputed for every response, or that must never be replayed to someone else.
_NOT_STORED = {"set-cookie", "content-length"}
# Set by the view layer on a request whose complete answer the front cache may keep.
FRONT_MARK = "openinfra_live.response_cache.front"
# Request headers that make an answer personal or conditional: such requests pass through.
_PERSONAL_HEADERS = (
    "HTTP_COOKIE",
    "HTTP_AUTHORIZATION",
    "HTTP_IF_NONE_MATCH",
    "HTTP_IF_MODIFIED_SINCE",
    "HTTP_RANGE",
)


def varies_by_encoding(headers: Iterable[tuple[str, str]]) -> bool:
    """Whether headers say ``Vary: Accept-Encoding``: the answer differs by content coding."""
    return any(
        name.lower() == "vary" and "accept-encoding" in value.lower() for name, value in headers
    )


@dataclass(frozen=True)
class Entry:
    """A stored response: status, headers and body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 64

    @classmethod
    def from_response(cls, response: Response) -> "Entry":
        headers = tuple(
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in _NOT_STORED
        )
        return cls(status=response.status_code, headers=headers, body=response.get_data())

    def to_response(self) -> Response:
        return current_app.response_class(self.body, status=self.status, headers=self.headers)

    @property
    def varies_by_encoding(self) -> bool:
        """Whether a compressed copy of this entry is kept too (see ``compression``)."""
        return varies_by_encoding(self.headers)

    def encoded(self) -> "Entry":
        """This entry's gzip copy."""
        return Entry(
            status=self.status,
            headers=(*self.headers, ("Content-Encoding", compression.GZIP)),
            body=compression.gzipped(self.body),
        )

    def to_bytes(self) -> bytes:
        head = json.dumps([self.status, self.headers], separators=(",", ":")).encode("utf-8")
        return len(head).to_bytes(4, "big") + head + self.body

    @classmethod
    def from_bytes(cls, data: bytes) -> "Entry":
        length = int.from_bytes(data[:4], "big")
        status, headers = json.loads(data[4 : 4 + length].decode("utf-8"))
        return cls(
            status=int(status),
            headers=tuple((str(name), str(value)) for name, value in headers),
            body=data[4 + length :],
        )


@dataclass(frozen=True)
class FrontEntry:
    """A complete answer as the application sent it: status line, all headers, body."""

    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    # The minute the answer belongs to, for pages that follow the clock.
    minute: str | None

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 64

    @property
    def varies_by_encoding(self) -> bool:
        return varies_by_encoding(self.headers)


@dataclass(frozen=True)
class CodedAnswers:
    """The answers to one address that differ by content coding (``Vary: Accept-Encoding``),
    by coding; an answer that does not vary is kept once for every client instead."""

    answers: dict[str, FrontEntry]

    @property
    def size(self) -> int:
        return sum(entry.size for entry in self.answers.values())


class MemoryStore:
    """A least-recently-used store bounded in bytes, holding one content version at a time."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, Any] = OrderedDict()
        self._size = 0
        self._token: str | None = None
        self._lock = threading.Lock()

    def get(self, token: str, key: str) -> Any:
        with self._lock:
            if token != self._token:
                return None
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def set(self, token: str, key: str, entry: Any) -> None:
        size = entry.size
        with self._lock:
            if token != self._token:
                # Entries of another version can never be asked for again.
                self._clear()
                self._token = token
            if size > self.max_bytes:
                return
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._size -= previous.size
            self._entries[key] = entry
            self._size += size
            while self._size > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._size -= evicted.size

    def _clear(self) -> None:
        self._entries.clear()
        self._size = 0

    def clear(self) -> None:
        with self._lock:
            self._clear()
            self._token = None

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size(self) -> int:
        return self._size


class RedisStore:
    """Entries shared by every worker and host, each kept ``ttl`` seconds."""

    def __init__(self, url: str, ttl: int) -> None:
        # Imported here: a site without Redis never loads the client (a few MB per worker).
        import redis

        self.ttl = ttl
        self.errors = redis.RedisError
        self.client = redis.Redis.from_url(
            url,
            socket_timeout=REDIS_TIMEOUT_SECONDS,
            socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        )
        self._down_until = 0.0

    @staticmethod
    def _redis_key(token: str, key: str) -> str:
        return REDIS_PREFIX + hashlib.sha256(f"{token}\x1f{key}".encode()).hexdigest()

    def _available(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, error: Exception) -> None:
        log.warning("response cache: Redis unavailable, using memory only: %s", error)
        self._down_until = time.monotonic() + REDIS_BACKOFF_SECONDS

    def get(self, token: str, key: str) -> Entry | None:
        if not self._available():
            return None
        try:
            data = self.client.get(self._redis_key(token, key))
        except self.errors as error:
            self._failed(error)
            return None
        if data is None:
            return None
        try:
            return Entry.from_bytes(data)  # type: ignore[arg-type]
        except (ValueError, TypeError, UnicodeDecodeError):
            return None

    def set(self, token: str, key: str, entry: Entry) -> None:
        if not self._available():
            return
        try:
            self.client.set(self._redis_key(token, key), entry.to_bytes(), ex=self.ttl)
        except self.errors as error:
            self._failed(error)

    def clear(self) -> None:
        try:
            keys = list(self.client.scan_iter(match=REDIS_PREFIX + "*", count=500))
            if keys:
                self.client.delete(*keys)
        except self.errors as error:
            self._failed(error)


def redis_url(config: dict[str, Any]) -> str | None:
    """``CACHE_REDIS_URL``, else the rate limiter's storage when that is Redis, else None."""
    url = (config.get("CACHE_REDIS_URL") or "").strip()
    if url:
        return url
    limiter_url = (config.get("RATELIMIT_STORAGE_URI") or "").strip()
    if limiter_url.startswith(REDIS_SCHEMES):
        return limiter_url
    return None


class ResponseCache:
    """One app's response cache: memory first, Redis behind when configured."""

    def __init__(self, app: Flask) -> None:
        self.enabled = bool(app.config.get("RESPONSE_CACHE_ENABLED", True))
        max_bytes = int(app.config.get("RESPONSE_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES))
        # Answers as the view built them (for any anonymous visitor), and complete answers
        # as sent to visitors without cookies (for the front cache).
        self.memory = MemoryStore(max_bytes)
        self.front = MemoryStore(max_bytes)
        url = redis_url(app.config)
        ttl = int(app.config.get("RESPONSE_CACHE_TTL", DEFAULT_TTL))
        self.shared = RedisStore(url, ttl) if url else None
        self.versions = content_version.reader_for(app)

    def get(self, token: str, key: str) -> Entry | None:
        """The entry stored under ``token`` and ``key``, from memory or else from Redis."""
        entry = self.memory.get(token, key)
        if entry is None and self.shared is not None:
            entry = self.shared.get(token, key)
            if entry is not None:
                self.memory.set(token, key, entry)
        return entry

    def set(self, token: str, key: str, entry: Entry) -> None:
        """Keep ``entry`` under ``token`` and ``key`` in memory and, when configured, in Redis."""
        self.memory.set(token, key, entry)
        if self.shared is not None:
            self.shared.set(token, key, entry)

    def clear(self) -> None:
        """Forget every entry and the memoized content version."""
        self.memory.clear()
        self.front.clear()
        if self.shared is not None:
            self.shared.clear()
        self.versions.forget()


def cache_for(app: Flask) -> ResponseCache:
    """The app's response cache, created on first use."""
    cache = app.extensions.get("response_cache")
    if cache is None:
        cache = app.extensions.setdefault("response_cache", ResponseCache(app))
    return cache


def clear(app: Flask) -> None:
    """Empty ``app``'s response cache and forget its memoized content version."""
    cache = app.extensions.get("response_cache")
    if cache is not None:
        cache.clear()
    content_version.reader_for(app).forget()


def _request_key(varies_by_visitor: bool, minute: str | None) -> str | None:
    """The key of this request, or None when it must not be answered from (or fill) the cache.

    ``minute`` is the current minute for pages that follow the clock, else None.
    """
    if request.method not in {"GET", "HEAD"}:
        return None
    environ = request.environ
    parts = [
        environ.get("wsgi.url_scheme", "http"),
        request.host,
        request.root_path,
        request.path,
        request.query_string.decode("latin-1"),
    ]
    if varies_by_visitor:
        # Without any cookie there is no session (nobody signed in, no message waiting) and no
        # time zone: the common case of a first visit, a crawler or a proxy, checked cheaply.
        if "HTTP_COOKIE" not in environ:
            parts.append("")
        elif current_user.is_authenticated or session.get("_flashes"):
            return None
        else:
            parts.append(http_cache.visitor_zone_name())
    if minute is not None:
        parts.append(minute)
    return "\x1f".join(parts)


def storable(response: Response) -> bool:
    """Whether ``response`` may be replayed to other visitors."""
    if response.status_code != 200 or response.is_streamed or response.direct_passthrough:
        return False
    if "Set-Cookie" in response.headers or session.modified:
        return False
    control = response.cache_control
    return not (control.private or control.no_store)


def _encoded_key(key: str, encoding: str) -> str:
    return f"{key}\x1f{encoding}"


def _build_and_keep(
    cache: "ResponseCache",
    token: str,
    key: str,
    compresses: bool,
    view: Callable[..., Any],
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> tuple[Response, Entry | None]:
    """Run the view, and keep its answer under ``key`` when it may be replayed to others; the
    entry is None when it may not."""
    started = time.monotonic()
    response = current_app.make_response(view(*args, **kwargs))
    if not storable(response):
        return response, None
    if compresses and compression.compressible(response.headers, response.get_data()):
        # Both copies say so, or a shared cache could hand either to anyone.
        response.vary.add("Accept-Encoding")
    entry = Entry.from_response(response)
    cache.set(token, key, entry)
    # The next visitors are answered from the cache, with no query at all while the memoized
    # version is young: after a long build, start its lifetime now, not when the build began.
    # One more small query, on an expensive miss only.
    if time.monotonic() - started > LONG_BUILD_SECONDS:
        cache.versions.refresh()
    return response, entry


def cached(
    *, varies_by_visitor: bool, follows_clock: bool, streams_rows: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Answer a public GET view from the response cache, filling it on a miss.

    Such a view only reads (its answer is replayed to others), so its statements run outside a
    transaction (:func:`read_without_transaction`), unless ``streams_rows``: the view reads
    rows through a server-side cursor (``yield_per``), which PostgreSQL keeps only inside one.

    ``varies_by_visitor``: an HTML page, which differs for signed-in visitors (never cached)
    and with the visitor's time zone. ``follows_clock``: the page shows states that follow the
    clock (upcoming, live now), so entries last one minute at most.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            app = current_app._get_current_object()  # type: ignore[attr-defined]
            cache = cache_for(app)
            # One reading of the clock for the key and for the front cache's entry.
            minute = http_cache.minute_bucket(clock.now()).isoformat() if follows_clock else None
            key = _request_key(varies_by_visitor, minute) if cache.enabled else None
            token = content_version.current().token if key is not None else None
            if key is None or token is None:
                return view(*args, **kwargs)
            # HTML pages are left to the proxy's gzip: they are small, and they already vary
            # by cookie, which a second varying header would multiply in a shared cache.
            compresses = not varies_by_visitor
            encoding = ""
            if compresses:
                encoding = compression.negotiated(request.headers.get("Accept-Encoding"))
            if encoding:
                encoded = cache.get(token, _encoded_key(key, encoding))
                if encoded is not None:
                    request.environ[FRONT_MARK] = (token, minute)
                    return http_cache.conditional(encoded.to_response())
            entry = cache.get(token, key)
            if entry is None:
                response, entry = _build_and_keep(cache, token, key, compresses, view, args, kwargs)
                if entry is None:
                    return response
                if not (encoding and entry.varies_by_encoding):
                    request.environ[FRONT_MARK] = (token, minute)
                    return response
            if encoding and entry.varies_by_encoding:
                entry = entry.encoded()
                cache.set(token, _encoded_key(key, encoding), entry)
            request.environ[FRONT_MARK] = (token, minute)
            return http_cache.conditional(entry.to_response())

        return wrapper

    return decorate


# --- in front of the application -----------------------------------------------------------------


def _front_key(environ: dict[str, Any]) -> str:
    # The raw inputs of everything the answer may depend on: scheme (also as forwarded by a
    # trusted proxy), host, mount point, path and query string. The coding it is sent in
    # counts only for answers that say so (:class:`CodedAnswers`).
    return "\x1f".join(
        (
            environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_X_FORWARDED_PROTO", ""),
            environ.get("HTTP_X_FORWARDED_PREFIX", ""),
            environ.get("HTTP_HOST") or environ.get("SERVER_NAME", ""),
            environ.get("SERVER_PORT", ""),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
        )
    )


def _coding(environ: dict[str, Any]) -> str:
    return compression.negotiated(environ.get("HTTP_ACCEPT_ENCODING"))


class FrontCache:
    """WSGI middleware: anonymous, cookie-less GETs answered with the bytes sent before."""

    def __init__(self, app: Flask, wsgi_app: Callable[..., Any]) -> None:
        self.app = app
        self.wsgi_app = wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        method = environ.get("REQUEST_METHOD")
        if method not in {"GET", "HEAD"} or any(h in environ for h in _PERSONAL_HEADERS):
            return self.wsgi_app(environ, start_response)
        cache = cache_for(self.app)
        if not cache.enabled:
            return self.wsgi_app(environ, start_response)
        key = _front_key(environ)
        stamp = cache.versions.peek()
        if stamp is not None and stamp.token is not None:
            entry = cache.front.get(stamp.token, key)
            if isinstance(entry, CodedAnswers):
                entry = entry.answers.get(_coding(environ))
            if entry is not None and (
                entry.minute is None
                or entry.minute == http_cache.minute_bucket(clock.now()).isoformat()
            ):
                start_response(entry.status, list(entry.headers))
                return [] if method == "HEAD" else [entry.body]
        if method == "HEAD":
            return self.wsgi_app(environ, start_response)
        return self._answer_and_keep(environ, start_response, key, cache)

    def _answer_and_keep(
        self,
        environ: dict[str, Any],
        start_response: Callable[..., Any],
        key: str,
        cache: ResponseCache,
    ) -> Any:
        sent: list[Any] = []

        def keep_status(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, keep_status)
        mark = environ.get(FRONT_MARK)
        if mark is None or not sent or not sent[0].startswith("200 "):
            return body
        status, headers = sent
        if any(name.lower() == "set-cookie" for name, _ in headers):
            return body
        try:
            data = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        token, minute = mark
        entry = FrontEntry(status, tuple(headers), data, minute)
        if entry.varies_by_encoding:
            kept = cache.front.get(token, key)
            answers = kept.answers if isinstance(kept, CodedAnswers) else {}
            cache.front.set(token, key, CodedAnswers({**answers, _coding(environ): entry}))
        else:
            cache.front.set(token, key, entry)
        return [data]


def init_app(app: Flask) -> None:
    """Create the app's response cache and put the front cache before the application."""
    cache_for(app)
    app.wsgi_app = FrontCache(app, app.wsgi_app)  # type: ignore[method-assign]
