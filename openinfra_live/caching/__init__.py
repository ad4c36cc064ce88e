"""Speed without stale pages: one response cache keyed on the content version, HTTP validators.

- Keyed on: the content version's token (one database row that every commit touching public
  content replaces), the scheme, host, path and query string; for HTML pages also the visitor's
  time zone and the current minute (clock-following states are never a minute late).
- Never cached: anything but GET/HEAD, a signed-in visitor or one with a flashed message,
  answers other than 200, answers that set a cookie or say private/no-store, a database with no
  version row yet. Disabled by ``RESPONSE_CACHE_ENABLED = False``.
- Where: each worker's memory (LRU, ``RESPONSE_CACHE_MAX_BYTES``) and, when configured, Redis
  (``CACHE_REDIS_URL`` or a redis ``RATELIMIT_STORAGE_URI``); Redis down costs a miss.
- Invalidation: a new token changes every key. Workers memoize the token for
  ``CONTENT_VERSION_MAX_AGE`` seconds; the worker that commits forgets its memo at once.
"""

from flask import Flask

from openinfra_live.caching.responses import CookielessSessions, cache_for, data, page
from openinfra_live.caching.validators import (
    Validators,
    data_validators,
    page_validators,
    respond,
)
from openinfra_live.caching.version import mark_changed, register_hooks

__all__ = [
    "Validators",
    "clear",
    "data",
    "data_validators",
    "init_app",
    "mark_changed",
    "page",
    "page_validators",
    "respond",
]


def init_app(app: Flask) -> None:
    """Create the app's response cache; listen to session commits (once per process)."""
    cache_for(app)
    app.session_interface = CookielessSessions()
    register_hooks()


def clear(app: Flask) -> None:
    """Empty ``app``'s response cache and forget its memoized content version."""
    cache_for(app).clear()
