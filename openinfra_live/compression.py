"""gzip for cached feeds, invites and the API: compressed once per content version.

The subscription calendar of a large archive is megabytes of text that calendar clients fetch
again and again, and they all accept gzip: compressing it for each request (as a proxy's
on-the-fly gzip does) costs a tenth of a second of CPU every time. The response cache
(``response_cache.cached``) keeps a compressed copy next to the plain one instead, made on the
first request that asks for it and then replayed, from memory and from Redis, to every worker
and host. HTML pages are tens of kilobytes, cheap for the proxy to compress; they are sent as
they are.

Both copies say ``Vary: Accept-Encoding``, so a shared cache keeps them apart. They share
their weak ETag: they are the same content, and a weak validator allows for that.
"""

import gzip

from werkzeug.datastructures import Headers
from werkzeug.http import parse_accept_header

GZIP = "gzip"
# Below this, the gzip header and the request's bookkeeping cost more than the bytes saved.
MIN_SIZE = 1024
LEVEL = 6
# Besides text/*: what the cached answers are (the Atom feed, the API).
COMPRESSIBLE_TYPES = frozenset({"application/atom+xml", "application/json"})


def negotiated(accept_encoding: str | None) -> str:
    """``"gzip"`` when an ``Accept-Encoding`` value accepts gzip, else ``""`` (the body as is).

    ``gzip;q=0`` refuses it; ``*`` with a quality above zero accepts it.
    """
    accept_encoding = (accept_encoding or "").lower()
    if GZIP not in accept_encoding and "*" not in accept_encoding:
        return ""
    qualities = dict(parse_accept_header(accept_encoding))
    # The coding named outright wins over the wildcard, whatever their order.
    quality = qualities.get(GZIP, qualities.get("*", 0))
    return GZIP if quality > 0 else ""


def compressible(headers: Headers, body: bytes) -> bool:
    """Whether a response with these headers and body is worth a compressed copy."""
    if "Content-Encoding" in headers or len(body) < MIN_SIZE:
        return False
    mimetype = headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
    return mimetype.startswith("text/") or mimetype in COMPRESSIBLE_TYPES


def gzipped(body: bytes) -> bytes:
    """``body`` compressed; the same bytes in every worker (no time stamp in the header)."""
    return gzip.compress(body, compresslevel=LEVEL, mtime=0)
