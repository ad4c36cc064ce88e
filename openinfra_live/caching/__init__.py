"""One response cache keyed on the content version, plus HTTP validators (ETag → 304).

- Key: the content version's token (a row that every commit touching public content replaces),
  scheme, host, path, query; for HTML pages (``@page``) also the time zone, the language and
  the minute. A feed, invite, card or chart (``@data``) is written in the language of its
  address (``?lang=``), which every link to it made with ``url_for`` carries.
- Never cached: methods but GET/HEAD, signed-in visitors, a flashed message waiting, statuses
  but 200, answers setting a cookie or private/no-store, a database with no version yet.
- Entries live in each worker's memory (bounded; a full store starts afresh), and in Redis when
  configured (``CACHE_REDIS_URL``, a redis rate-limit storage); Redis down costs a miss. The
  front door answers cookie-less GETs with the bytes sent before, ahead of routing and hooks.
- A change gives a new token, so new keys; workers trust a token ``CONTENT_VERSION_MAX_AGE`` s,
  the committing worker forgets it at once, nginx keeps public answers 5 s.
"""

from flask import Flask

from openinfra_live.caching import version
from openinfra_live.caching.responses import FrontDoor, cache_for, data, language_of_links, page
from openinfra_live.caching.validators import Validators, data_validators, page_validators, respond
from openinfra_live.caching.version import mark_changed

__all__ = ["Validators", "cache_for", "clear", "data", "data_validators", "init_app"]
__all__ += ["mark_changed", "page", "page_validators", "respond"]


def init_app(app: Flask) -> None:
    """Create the app's cache and its front door; listen to session commits (once per process)."""
    cache_for(app)
    app.wsgi_app = FrontDoor(app)  # type: ignore[method-assign]
    app.url_defaults(language_of_links)
    version.init_app(app)


def clear(app: Flask) -> None:
    """Empty ``app``'s response cache and forget its memoized content version."""
    cache_for(app).clear()
