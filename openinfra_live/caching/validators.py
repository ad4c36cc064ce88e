"""HTTP validators and Cache-Control: ``ETag`` and ``Last-Modified`` from the content version.

A view hands cheap validators (content version, minute, address) and a function that builds the
body to :func:`respond`: a client already holding that version gets a 304 and nothing is built.
Feeds, invites and the API are public (browsers five minutes, shared caches
:data:`SHARED_MAX_AGE` seconds); an anonymous visitor's HTML page is revalidated by browsers
and kept briefly by shared caches, with ``Vary: Cookie``; a signed-in visitor's page, or one
showing a flashed message, is ``private, no-cache``.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, current_app, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user

from openinfra_live import preferences
from openinfra_live.caching import version as versions

# How long a shared cache (the reverse proxy) may serve a public response without asking.
SHARED_MAX_AGE = 5
# Feeds, invites and the API are the same for everyone.
PUBLIC_CACHE_CONTROL = f"public, max-age=300, s-maxage={SHARED_MAX_AGE}"
# An anonymous visitor's HTML page: revalidated by browsers, kept briefly by shared caches.
SHARED_PAGE_CACHE_CONTROL = f"public, max-age=0, s-maxage={SHARED_MAX_AGE}"
# A page with the visitor's session in it (sign-out form, flashed messages): browsers only, and
# always revalidated, which costs one small query and no rendering when nothing changed.
PRIVATE_CACHE_CONTROL = "private, no-cache"
# Headers a 304 repeats from the response it stands for.
_NOT_MODIFIED_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Expires")


@dataclass(frozen=True)
class Validators:
    """The validators of one representation: a weak ETag and, when known, Last-Modified."""

    etag: str
    last_modified: datetime | None = None

    @classmethod
    def from_parts(cls, parts: Iterable[object], last_modified: datetime | None) -> "Validators":
        """Hash whatever identifies the content version into an opaque ETag."""
        digest = hashlib.sha256()
        for part in parts:
            text = part.isoformat() if isinstance(part, datetime) else repr(part)
            digest.update(text.encode("utf-8"))
            digest.update(b"\x1f")
        if last_modified is not None:
            # HTTP dates have a one-second resolution; compare like with like.
            last_modified = last_modified.astimezone(UTC).replace(microsecond=0)
        return cls(etag=digest.hexdigest()[:32], last_modified=last_modified)


def minute_bucket(moment: datetime) -> datetime:
    """``moment`` floored to the minute: the granularity of pages whose state follows the clock."""
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def page_validators(now: datetime) -> "Validators":
    """Validators of an HTML page: the content version and the minute (states follow the clock)."""
    version = versions.current()
    bucket = minute_bucket(now)
    last_modified = max(filter(None, (version.changed_at, bucket)))
    return Validators.from_parts(
        (version.token, bucket, request.host_url, request.full_path), last_modified
    )


def data_validators() -> "Validators":
    """Validators of feeds, invites and the API, which do not depend on the clock."""
    version = versions.current()
    return Validators.from_parts(
        (version.token, request.host_url, request.full_path), version.changed_at
    )


def visitor_zone_name() -> str:
    """The time zone the visitor chose (cookie), as pages use it; empty when none or unknown."""
    zone = preferences.visitor_zone()
    return zone.key if zone is not None else ""


def _session_parts() -> tuple[object, ...]:
    """What, besides the content, changes a page: who is signed in and the visitor's time zone.

    The response cache keys anonymous pages on the same time zone, so that an ETag handed out
    from the cache and one computed by the view agree.
    """
    user_id = current_user.get_id() if current_user.is_authenticated else None
    return ("user", user_id, "zone", visitor_zone_name())


def is_fresh(validators: Validators) -> bool:
    """Whether the client's cached copy is still current (``If-None-Match`` wins over IMS)."""
    if request.method not in {"GET", "HEAD"}:
        return False
    if request.if_none_match:
        return request.if_none_match.contains_weak(validators.etag)
    since = request.if_modified_since
    if since is not None and validators.last_modified is not None:
        return validators.last_modified <= since
    return False


def _stamp(response: Response, validators: Validators, cache_control: str, private: bool) -> None:
    response.set_etag(validators.etag, weak=True)
    if validators.last_modified is not None:
        response.last_modified = validators.last_modified
    response.headers["Cache-Control"] = cache_control
    if private:
        response.vary.add("Cookie")


def _not_modified(response: Response) -> Response:
    not_modified = current_app.response_class(status=304)
    for name in _NOT_MODIFIED_HEADERS:
        if name in response.headers:
            not_modified.headers[name] = response.headers[name]
    return not_modified


def conditional(response: Response) -> Response:
    """A 304 in place of a built 200 whose validators the client already holds."""
    environ = request.environ
    if "HTTP_IF_NONE_MATCH" not in environ and "HTTP_IF_MODIFIED_SINCE" not in environ:
        return response
    if response.status_code != 200 or "ETag" not in response.headers:
        return response
    etag, _weak = response.get_etag()
    if etag is None or not is_fresh(Validators(etag, response.last_modified)):
        return response
    return _not_modified(response)


def respond(
    validators: Validators,
    build: Callable[[], ResponseReturnValue],
    *,
    private: bool = False,
) -> Response:
    """Answer 304 when the client holds ``validators``' version, else build and stamp the response.

    ``private`` is for HTML pages: the validators then also depend on who is signed in and on
    the visitor's time zone, a page with a message waiting to be flashed is always rendered so
    the message shows, and the caching rules of HTML pages apply (see the module's docstring).
    """
    pending_flash = private and bool(session.get("_flashes"))
    if not private:
        cache_control = PUBLIC_CACHE_CONTROL
    elif pending_flash or current_user.is_authenticated:
        cache_control = PRIVATE_CACHE_CONTROL
    else:
        cache_control = SHARED_PAGE_CACHE_CONTROL
    if private:
        validators = Validators.from_parts(
            (validators.etag, *_session_parts()), validators.last_modified
        )
    if not pending_flash and is_fresh(validators):
        response = current_app.response_class(status=304)
        _stamp(response, validators, cache_control, private)
        return response
    response = make_response(build())
    if response.status_code == 200:
        _stamp(response, validators, cache_control, private)
    return response
