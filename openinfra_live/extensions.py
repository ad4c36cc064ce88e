"""The extension singletons, bound to the app in ``create_app``."""

from pathlib import Path

from flask import Flask, request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from openinfra_live import ratelimit_storage
from openinfra_live.database import Base

# The file of the embedded rate-limit storage, in the instance folder.
RATELIMIT_FILE = "ratelimits.sqlite"


def client_address() -> str:
    """The address rate limits are keyed on: ProxyFix has already resolved trusted proxies."""
    return request.remote_addr or "unknown"


class SiteLimiter(Limiter):
    """flask-limiter whose storage, when ``RATELIMIT_STORAGE_URI`` is empty, is a SQLite file in
    the instance folder: every worker of the machine counts in it, so two workers do not let
    twice the limit through. Redis (``redis://…``) shares the counts between machines."""

    def init_app(self, app: Flask) -> None:
        if not app.config.get("RATELIMIT_STORAGE_URI"):
            path = Path(app.instance_path) / RATELIMIT_FILE
            app.config["RATELIMIT_STORAGE_URI"] = f"{ratelimit_storage.SCHEME}:///{path}"
        super().init_app(app)


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = SiteLimiter(key_func=client_address, default_limits=[])

# Methods that only read. Every limit of the site guards a submission (``methods=["POST"]``, or
# a POST-only route); ``tests/test_rate_limit_scope.py`` holds every limited route to that.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@limiter.request_filter
def reading_is_never_limited() -> bool:
    """True for a request that only reads: the limiter then skips its lookup of the route's
    limits, a tenth of a millisecond on every page the response cache does not hold."""
    return request.method in READING_METHODS
