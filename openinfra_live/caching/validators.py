"""HTTP validators and Cache-Control: ``ETag`` and ``Last-Modified`` from the content version;
a signed-in visitor's page, or one showing a flashed message, is ``private, no-cache``."""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, current_app, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user

from openinfra_live import i18n, preferences
from openinfra_live.caching import version as versions

# How long nginx may serve a public answer without asking: a change shows within seconds.
SHARED_MAX_AGE = 5
PUBLIC_CACHE_CONTROL = f"public, max-age=300, s-maxage={SHARED_MAX_AGE}"
# An HTML page: shared (anonymous, no message waiting) or private (signed in, a message).
PAGE_CACHE_CONTROL = {False: f"public, max-age=0, s-maxage={SHARED_MAX_AGE}"}
PAGE_CACHE_CONTROL[True] = "private, no-cache"
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
        text = "\x1f".join(p.isoformat() if isinstance(p, datetime) else repr(p) for p in parts)
        if last_modified is not None:
            # HTTP dates have a one-second resolution; compare like with like.
            last_modified = last_modified.astimezone(UTC).replace(microsecond=0)
        return cls(hashlib.sha256(text.encode()).hexdigest()[:32], last_modified)


def minute_bucket(moment: datetime) -> datetime:
    """``moment`` floored to the minute: the granularity of pages whose state follows the clock."""
    return moment.astimezone(UTC).replace(second=0, microsecond=0)


def page_validators(now: datetime) -> Validators:
    """Validators of an HTML page: the content version and the minute (states follow the clock)."""
    version, bucket = versions.current(), minute_bucket(now)
    last_modified = max(filter(None, (version.changed_at, bucket)))
    parts = (version.token, bucket, request.host_url, request.full_path, i18n.request_language())
    return Validators.from_parts(parts, last_modified)


def data_validators() -> Validators:
    """Validators of feeds, invites and the API, which do not depend on the clock."""
    version = versions.current()
    parts = (version.token, request.host_url, request.full_path)
    return Validators.from_parts(parts, version.changed_at)


def visitor_zone_name() -> str:
    """The time zone the visitor chose (cookie), as pages use it; empty when none or unknown."""
    zone = preferences.visitor_zone()
    return zone.key if zone is not None else ""


def is_fresh(validators: Validators) -> bool:
    """Whether the client's cached copy is still current (``If-None-Match`` wins over IMS)."""
    if request.if_none_match:
        return request.if_none_match.contains_weak(validators.etag)
    since = request.if_modified_since
    return bool(since and validators.last_modified and validators.last_modified <= since)


def conditional(response: Response) -> Response:
    """A 304 in place of a built 200 whose validators the client already holds."""
    etag = response.get_etag()[0] if response.status_code == 200 else None
    if etag is None or not is_fresh(Validators(etag, response.last_modified)):
        return response
    kept = [(name, response.headers.get(name)) for name in _NOT_MODIFIED_HEADERS]
    return current_app.response_class(status=304, headers=[(k, v) for k, v in kept if v])


def respond(
    validators: Validators, build: Callable[[], ResponseReturnValue], *, private: bool = False
) -> Response:
    """Answer 304 when the client holds ``validators``' version, else build and stamp the response.
    ``private``: an HTML page, which also varies with who is signed in and the time zone (as the
    cache's keys, so ETags agree); a message waiting to be flashed is always rendered."""
    pending_flash = private and bool(session.get("_flashes"))
    cache_control = PUBLIC_CACHE_CONTROL
    if private:
        signed_in = current_user.is_authenticated
        cache_control = PAGE_CACHE_CONTROL[pending_flash or signed_in]
        user_id = current_user.get_id() if signed_in else None
        parts = (validators.etag, "user", user_id, "zone", visitor_zone_name())
        validators = Validators.from_parts(parts, validators.last_modified)
    fresh = not pending_flash and is_fresh(validators)
    response = current_app.response_class(status=304) if fresh else make_response(build())
    if response.status_code in (200, 304):
        response.set_etag(validators.etag, weak=True)
        if validators.last_modified is not None:
            response.last_modified = validators.last_modified
        response.headers["Cache-Control"] = cache_control
        if private:
            # Who is signed in, the zone and the chosen language are cookies; without a chosen
            # language, the browser's languages decide.
            response.vary.add("Cookie")
            response.vary.add("Accept-Language")
    return response
