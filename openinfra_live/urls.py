"""Web addresses: the one check of what may be stored as a link, and the site's own absolute
addresses, built from ``SITE_URL`` and never from the request's ``Host`` header (which anyone
can set): links in mails and the domain of calendar UIDs and feed ids."""

from typing import Any
from urllib.parse import urlsplit

from flask import current_app

MAX_URL = 2000


def web_address(value: object, protocol_relative: bool = False) -> str | None:
    """``value`` stripped when it is an absolute http(s) address of at most :data:`MAX_URL`
    characters, else None. Whitespace or control characters inside refuse the address: a stored
    link never breaks the line of a calendar or a header it is written into.

    ``protocol_relative``: an address without a scheme (``//host/path``, as content files hold
    them) becomes https; a person typing one in a form is refused instead.
    """
    if not isinstance(value, str):
        return None
    url = value.strip()
    if protocol_relative and url.startswith("//"):
        url = "https:" + url
    if not url or len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return url


def site_url() -> str:
    """``SITE_URL`` without its trailing slash, e.g. ``https://openinfra.live``."""
    return current_app.config["SITE_URL"].rstrip("/")


def site_url_for(endpoint: str, **values: Any) -> str:
    """The absolute address of ``endpoint`` on the site named by ``SITE_URL`` (its path
    included, for a site mounted under a prefix), whatever host this request came to."""
    parts = urlsplit(site_url())
    values = dict(values)
    current_app.inject_url_defaults(endpoint, values)
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def site_domain() -> str:
    """The host name of ``SITE_URL``: the domain of calendar UIDs and feed ids."""
    return (urlsplit(site_url()).hostname or "localhost").lower()
