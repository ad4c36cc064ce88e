"""Default settings. ``instance/config.py`` overrides them, and the environment overrides both."""

import contextlib
import os
import secrets
import tempfile
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {
    "SITE_NAME": "OpenInfra Live & PTG",
    # The site's public address: every absolute link in mails and the domain of calendar UIDs
    # and feed ids come from it, never from the Host header of a request.
    "SITE_URL": "http://127.0.0.1:5000",
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "MAX_CONTENT_LENGTH": 256 * 1024,
    "WTF_CSRF_TIME_LIMIT": 3600,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "REMEMBER_COOKIE_DURATION": 0,
    "REMEMBER_COOKIE_SECURE": True,
    "REMEMBER_COOKIE_HTTPONLY": True,
    "PERMANENT_SESSION_LIFETIME": 12 * 3600,
    "PREFERRED_URL_SCHEME": "http",
    # The show airs Thursdays at 14:00 UTC; weekday follows datetime.weekday() (Monday is 0).
    "DEFAULT_SLOT_WEEKDAY": 3,
    "DEFAULT_SLOT_HOUR": 14,
    "DEFAULT_SLOT_MINUTE": 0,
    "DEFAULT_EPISODE_MINUTES": 60,
    "EPISODES_PER_PAGE": 20,
    "API_PAGE_SIZE": 100,
    # How far back the subscription calendar (/calendar.ics) reaches, in days; upcoming
    # episodes are always in it, the whole archive is in the API and the export.
    "CALENDAR_PAST_DAYS": 365,
    # Empty: a SQLite file in the instance folder, shared by the workers of one machine
    # (``extensions.SiteLimiter``); ``redis://…`` shares the limits between machines.
    "RATELIMIT_STORAGE_URI": "",
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_PUBLIC_FORMS": "10 per minute;50 per hour",
    "LOGIN_FAILURE_LIMIT": "5 per 15 minutes",
    # Failed sign-ins to one account from all addresses together (a spread-out guesser).
    "LOGIN_ACCOUNT_FAILURE_LIMIT": "100 per hour",
    # Sign-in attempts from one address, whichever accounts they try.
    "LOGIN_ADDRESS_LIMIT": "30 per minute;300 per hour",
    "PROXY_FIX_X_FOR": 0,
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_DEFAULT_SENDER": "OpenInfra Live <live@openinfra.example>",
    "HSTS_SECONDS": 31536000,
    "SHOW_TIMEZONE_NAME": "UTC",
    # Server-side cache of public responses (caching/responses.py): in each worker's memory, and
    # in Redis when CACHE_REDIS_URL (else a redis:// RATELIMIT_STORAGE_URI) names one.
    "CACHE_REDIS_URL": "",
    "RESPONSE_CACHE_ENABLED": True,
    "RESPONSE_CACHE_MAX_BYTES": 32 * 1024 * 1024,
    "RESPONSE_CACHE_TTL": 600,
    # How long a worker trusts the content version it read (caching/version.py), in seconds.
    "CONTENT_VERSION_MAX_AGE": 1.0,
}

# Settings the environment may override: the two without a default, and every default that is
# a string, a number or a true/false value (the README's table lists them). Values are parsed
# with the type of the default.
ENVIRONMENT_KEYS = (
    "SECRET_KEY",
    "DATABASE_URL",
    *(key for key, value in DEFAULTS.items() if isinstance(value, str | int | float)),
)

TRUE_WORDS = {"1", "true", "yes", "on"}


def _coerce(raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        return raw.strip().lower() in TRUE_WORDS
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    return raw


def from_environment(environ: os._Environ | dict[str, str]) -> dict[str, Any]:
    """Return the settings given in the environment, typed like their defaults."""
    settings: dict[str, Any] = {}
    for key in ENVIRONMENT_KEYS:
        if key in environ:
            settings[key] = _coerce(environ[key], DEFAULTS.get(key, ""))
    return settings


def database_uri(url: str) -> str:
    """Normalise a ``DATABASE_URL`` so SQLAlchemy uses psycopg 3 for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_or_create_secret_key(instance_path: str) -> str:
    """Read the instance's secret key, generating it on first run (readable by the owner only).

    Processes that start together on a new instance (gunicorn's workers) agree on one key, and
    none reads a key half written: each writes a key to a file of its own, then links it into
    place, which only the first link does; every process then reads the key in place.
    """
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    # mkstemp makes the file readable and writable by the owner only.
    fd, draft = tempfile.mkstemp(dir=path.parent, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
    finally:
        os.unlink(draft)
    return path.read_text().strip()
