"""Web addresses typed by people or read from files: the one check of what may be stored as a
link."""

from urllib.parse import urlsplit

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
