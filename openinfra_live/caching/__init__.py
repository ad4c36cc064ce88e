"""Speed without stale pages: one response cache keyed on the content version, HTTP validators.

- Key: the content version's token (one row that every commit touching public content
  replaces), scheme, host, path and query; for HTML pages also the visitor's time zone and the
  minute. ``@caching.page`` marks HTML pages, ``@caching.data`` feeds, invites and the API.
- Never cached: anything but GET/HEAD, a signed-in visitor or one with a flashed message, other
  statuses than 200, answers that set a cookie or say private/no-store, a database without a
  version yet, anything when ``RESPONSE_CACHE_ENABLED`` is false.
- Where: the worker's memory (LRU, ``RESPONSE_CACHE_MAX_BYTES``), and Redis when configured
  (``CACHE_REDIS_URL`` or a redis ``RATELIMIT_STORAGE_URI``); Redis down costs a miss.
- Invalidation: a new token changes every key. Workers memoize it ``CONTENT_VERSION_MAX_AGE``
  seconds; the worker that commits forgets its memo. nginx keeps pages ``s-maxage`` (5 s).
"""

from flask import Flask

from openinfra_live.caching.responses import CookielessSessions, cache_for, data, page
from openinfra_live.caching.validators import Validators, data_validators, page_validators, respond
from openinfra_live.caching.version import mark_changed, register_hooks

__all__ = ["Validators", "cache_for", "clear", "data", "data_validators", "init_app"]
__all__ += ["mark_changed", "page", "page_validators", "respond"]


def init_app(app: Flask) -> None:
    """Create the app's response cache; listen to session commits (once per process)."""
    cache_for(app)
    # A cookie-less request (most cache hits) then opens no signed session at all.
    app.session_interface = CookielessSessions()
    register_hooks()


def clear(app: Flask) -> None:
    """Empty ``app``'s response cache and forget its memoized content version."""
    cache_for(app).clear()
