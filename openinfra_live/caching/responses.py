"""The response cache: public answers kept under the content version, in memory and Redis."""

import functools
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha256
from typing import Any

from flask import Flask, Response, current_app, request, session
from flask_login import current_user

from openinfra_live import clock, i18n
from openinfra_live.caching import validators
from openinfra_live.caching import version as versions

log = logging.getLogger(__name__)
REDIS_PREFIX = "openinfra-live:response:"
# After a Redis error the worker works from memory alone for this long.
REDIS_BACKOFF_SECONDS = 5.0
_NOT_STORED = {"set-cookie", "content-length"}  # recomputed, or never replayed to others


@dataclass(frozen=True)
class Entry:
    """A stored 200 response: its headers and body."""

    headers: tuple[tuple[str, str], ...]
    body: bytes

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
    """The worker's entries of one content version, bounded: a new version or a full store starts
    afresh (what is asked for often comes back at once, and an entry costs a few ms to build)."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.clear()

    def get(self, token: str, key: str) -> Entry | None:
        """The entry under ``key`` if it belongs to version ``token``."""
        return self._entries.get(key) if token == self._token else None

    def set(self, token: str, key: str, entry: Entry) -> None:
        """Keep ``entry`` under version ``token``, unless it alone is larger than the bound."""
        size = len(entry.body) + sum(len(k) + len(v) for k, v in entry.headers) + 64
        if token != self._token or self.size + size > self.max_bytes:
            self.clear(token)
        if size <= self.max_bytes:
            self._entries[key], self.size = entry, self.size + size

    def clear(self, token: str = "") -> None:
        """Forget every entry (a new dict: readers in other threads keep a consistent one)."""
        self._entries: dict[str, Entry] = {}
        self.size, self._token = 0, token


class RedisStore:
    """Entries shared by every worker and host, each kept ``ttl`` seconds; down means a miss."""

    def __init__(self, url: str, ttl: int) -> None:
        # Imported here: a site without Redis never loads the client (a few MB per worker).
        import redis

        self.ttl, self.errors, self._down_until = ttl, redis.RedisError, 0.0
        timeout = 0.5  # a slow Redis must not hold a page: past this, a miss
        self.client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        if time.monotonic() < self._down_until:
            return None
        try:
            return getattr(self.client, method)(*args, **kwargs)
        except self.errors as error:
            log.warning("response cache: Redis down, memory only: %s", error)
            self._down_until = time.monotonic() + REDIS_BACKOFF_SECONDS
            return None

    def get(self, token: str, key: str) -> Entry | None:
        """The shared entry, or None (also when Redis is down or the bytes are not an entry)."""
        data = self._call("get", REDIS_PREFIX + sha256(f"{token}\x1f{key}".encode()).hexdigest())
        try:
            return Entry.from_bytes(data) if data is not None else None
        except (ValueError, TypeError):
            return None

    def set(self, token: str, key: str, entry: Entry) -> None:
        """Share ``entry`` for ``ttl`` seconds."""
        redis_key = REDIS_PREFIX + sha256(f"{token}\x1f{key}".encode()).hexdigest()
        self._call("set", redis_key, entry.to_bytes(), ex=self.ttl)

    def clear(self) -> None:
        """Delete every entry of this site."""
        for key in self._call("keys", REDIS_PREFIX + "*") or ():
            self._call("delete", key)


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
        self.stores = [store for store in (self.memory, self.shared) if store is not None]
        self.versions = versions.reader_for(app)

    def get(self, token: str, key: str) -> Entry | None:
        """The entry under ``token`` and ``key``, from memory or else from Redis."""
        entry = self.memory.get(token, key)
        if entry is None and self.shared is not None and (entry := self.shared.get(token, key)):
            self.memory.set(token, key, entry)
        return entry

    def set(self, token: str, key: str, entry: Entry) -> None:
        """Keep ``entry`` in memory and, when configured, in Redis."""
        for store in self.stores:
            store.set(token, key, entry)

    def clear(self) -> None:
        """Forget every entry and the memoized content version."""
        for store in self.stores:
            store.clear()
        self.versions.forget()


def cache_for(app: Flask) -> ResponseCache:
    """The app's response cache, created on first use."""
    cache = app.extensions.get("response_cache")
    return cache or app.extensions.setdefault("response_cache", ResponseCache(app))


def request_key(minute: str | None) -> str | None:
    """This request's key, from the raw request; None when it must not use the cache. ``minute``
    is for pages, which are also written in the visitor's language; without cookies there is no
    session nor zone to look up."""
    environ = request.environ
    if environ["REQUEST_METHOD"] not in ("GET", "HEAD"):
        return None
    names = ("wsgi.url_scheme", "HTTP_HOST", "SCRIPT_NAME", "PATH_INFO", "QUERY_STRING")
    parts = [environ.get(name, "") for name in names]
    if minute is not None:
        zone = ""
        if "HTTP_COOKIE" in environ:
            if current_user.is_authenticated or session.get("_flashes"):
                return None
            zone = validators.visitor_zone_name()
        parts += [zone, i18n.request_language(), minute]
    return "\x1f".join(parts)


def storable(response: Response) -> bool:
    """Whether ``response`` may be replayed to other visitors."""
    control, streamed = response.cache_control, response.is_streamed or response.direct_passthrough
    personal = "Set-Cookie" in response.headers or session.modified or control.private
    return response.status_code == 200 and not (streamed or personal or control.no_store)


def _written(is_page: bool, view: Callable[..., Any], args: Any, kwargs: Any) -> Any:
    """The view's answer: a page in the visitor's language; a feed, invite or API answer in
    the language its address names (``?lang=pt_BR``), else English, so the address decides."""
    if is_page:
        return view(*args, **kwargs)
    with i18n.written_in(request.args.get("lang")):
        return view(*args, **kwargs)


_BY_ADDRESS = "written_in_the_language_of_its_address"


def language_of_links(endpoint: str, values: dict[str, Any]) -> None:
    """A link to a feed, invite, card or chart asks for the language being written (``?lang=``):
    their address alone decides their language."""
    view = current_app.view_functions.get(endpoint)
    if getattr(view, _BY_ADDRESS, False) and "lang" not in values:
        values.update(i18n.address_args())


def _cached(is_page: bool) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            cache = cache_for(current_app._get_current_object())  # type: ignore[attr-defined]
            minute = validators.minute_bucket(clock.now()).isoformat() if is_page else None
            key = request_key(minute) if cache.enabled else None
            token = versions.current().token if key is not None else None
            entry = cache.get(token, key) if token is not None and key is not None else None
            if entry is None:
                response = current_app.make_response(_written(is_page, view, args, kwargs))
                if token is None or key is None or not storable(response):
                    return response
                cache.set(token, key, entry := Entry.from_response(response))
            request.environ[_SENT_MARK] = (token, minute or "")  # the front door may keep it
            response = current_app.response_class(entry.body, headers=entry.headers)
            return validators.conditional(response)

        setattr(wrapper, _BY_ADDRESS, not is_page)
        return wrapper

    return decorate


page = _cached(is_page=True)
page.__doc__ = "Cache an HTML page: varies with the visitor's zone, follows the clock (minute)."
data = _cached(is_page=False)
data.__doc__ = "Cache a feed, invite or API answer: the same for everyone, at any minute."

# Requests whose answer is the same for every visitor: no cookie, credentials or validators.
_PERSONAL = ("HTTP_COOKIE", "HTTP_AUTHORIZATION", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")
_PERSONAL += ("HTTP_RANGE",)
_SENT_MARK = "openinfra_live.caching.sent"


def _sent_key(environ: dict[str, Any], minute: str) -> str:
    # The raw inputs of the answer, before ProxyFix: scheme (also as forwarded), mount, address,
    # and the languages the browser asks for (a page is written in one of them).
    names = ("wsgi.url_scheme", "HTTP_X_FORWARDED_PROTO", "HTTP_X_FORWARDED_PREFIX", "HTTP_HOST")
    names += ("SCRIPT_NAME", "PATH_INFO", "QUERY_STRING", "HTTP_ACCEPT_LANGUAGE")
    return "\x1f".join(["sent", *(environ.get(name, "") for name in names), minute])


class FrontDoor:
    """WSGI middleware: a GET or HEAD without cookies, credentials or validators gets the bytes
    sent before for the same address and version (and minute), before routing and hooks run."""

    def __init__(self, app: Flask) -> None:
        self.app, self.wsgi_app = app, app.wsgi_app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Answer from the cache, or pass on and keep the answer when the view marked it."""
        cache, method = cache_for(self.app), environ["REQUEST_METHOD"]
        personal = any(header in environ for header in _PERSONAL)
        if method not in ("GET", "HEAD") or not cache.enabled or personal:
            return self.wsgi_app(environ, start_response)
        token = cache.versions.peek()
        if token is not None:
            minute = validators.minute_bucket(clock.now()).isoformat()
            for key in (_sent_key(environ, ""), _sent_key(environ, minute)):
                if entry := cache.memory.get(token, key):
                    start_response("200 OK", list(entry.headers))
                    return [b"" if method == "HEAD" else entry.body]
        sent: list[Any] = []

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            sent[:] = [status, headers]
            return start_response(status, headers, exc_info)

        body = self.wsgi_app(environ, keep)
        mark = environ.get(_SENT_MARK)
        cookie = sent and any(name.lower() == "set-cookie" for name, _ in sent[1])
        if mark is None or method != "GET" or not sent or not sent[0].startswith("200 ") or cookie:
            return body
        try:
            data = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        cache.memory.set(mark[0], _sent_key(environ, mark[1]), Entry(tuple(sent[1]), data))
        return [data]
