"""Web addresses typed by people: one check for every form and service that stores one."""

from urllib.parse import urlsplit

MAX_URL = 2000


def web_address(value: str | None) -> str | None:
    """The stripped address when ``value`` is an absolute http(s) address with a host.

    None when ``value`` is empty or blank; ``ValueError`` for anything else (another scheme
    such as ``javascript:``, no host, whitespace or control characters inside, too long), so
    nothing that could run script or leave the web is ever stored as a link.
    """
    url = (value or "").strip()
    if not url:
        return None
    if len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 for c in url):
        raise ValueError(f"not a web address: {url[:80]!r}")
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        raise ValueError(f"not a web address: {url[:80]!r}") from None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        raise ValueError(f"not a web address: {url[:80]!r}")
    return url
