"""The extension singletons, bound to the app in ``create_app``."""

from flask import request
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from openinfra_live.database import Base


def client_address() -> str:
    """The address rate limits are keyed on: ProxyFix has already resolved trusted proxies."""
    return request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_address, default_limits=[])

# Methods that only read. Every limit of the site guards a submission (``methods=["POST"]``, or
# a POST-only route); ``tests/test_rate_limit_scope.py`` holds every limited route to that.
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@limiter.request_filter
def reading_is_never_limited() -> bool:
    """True for a request that only reads: the limiter then skips its lookup of the route's
    limits, a tenth of a millisecond on every page the response cache does not hold."""
    return request.method in READING_METHODS
