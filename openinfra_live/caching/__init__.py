"""One response cache keyed on the content version, plus HTTP validators (ETag → 304).

- Keyed on: the content version's token (a row every commit touching public content replaces),
  scheme, host, path, query; HTML pages (``@page``) also on time zone and minute.
- Never cached: other methods than GET/HEAD, signed-in visitors, a flashed message waiting,
  statuses but 200, answers setting a cookie or private/no-store, a database with no version.
- Entries live in the worker's memory (LRU, ``RESPONSE_CACHE_MAX_BYTES``) and in Redis when
  configured (``CACHE_REDIS_URL`` or a redis ``RATELIMIT_STORAGE_URI``); Redis down is a miss.
- A change gives a new token, hence new keys. Workers trust their token
  ``CONTENT_VERSION_MAX_AGE`` s; the committing worker forgets it at once. nginx keeps pages 5 s.
"""

from flask import Flask

from openinfra_live.caching.responses import FrontDoor, cache_for, data, page
from openinfra_live.caching.validators import Validators, data_validators, page_validators, respond
from openinfra_live.caching.version import mark_changed, register_hooks

__all__ = ["Validators", "cache_for", "clear", "data", "data_validators", "init_app"]
__all__ += ["mark_changed", "page", "page_validators", "respond"]


def init_app(app: Flask) -> None:
    """Create the app's cache and its front door; listen to session commits (once per process)."""
    cache_for(app)
    app.wsgi_app = FrontDoor(app)  # type: ignore[method-assign]
    register_hooks()


def clear(app: Flask) -> None:
    """Empty ``app``'s response cache and forget its memoized content version."""
    cache_for(app).clear()
