"""Conditional GET: ``ETag`` and ``Last-Modified`` from a cheap content version, 304 when fresh.

A view computes a version of what it shows with one small query (for instance the latest
``updated_at`` and the row count), then hands it with a function that builds the body to
:func:`respond`. When the client already holds that version, the body is never built.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Response, current_app, make_response, request, session
from flask.typing import ResponseReturnValue
from flask_login import current_user

# Feeds, invites and the API are the same for everyone: shared caches may keep them briefly.
PUBLIC_CACHE_CONTROL = "public, max-age=300"
# HTML pages carry the visitor's session (sign-out form, flashed messages): browsers only, and
# always revalidated, which costs one small query and no rendering when nothing changed.
PRIVATE_CACHE_CONTROL = "private, no-cache"


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


def _session_parts() -> tuple[object, ...]:
    """What, besides the content, changes a page: who is signed in and the visitor's cookies
    (preferences such as the time zone change how times are shown)."""
    user_id = current_user.get_id() if current_user.is_authenticated else None
    return ("user", user_id, *sorted(request.cookies.items(multi=True)))


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


def respond(
    validators: Validators,
    build: Callable[[], ResponseReturnValue],
    *,
    private: bool = False,
) -> Response:
    """Answer 304 when the client holds ``validators``' version, else build and stamp the response.

    ``private`` is for HTML pages: the validators then also depend on who is signed in, and
    a page with a message waiting to be flashed is always rendered so the message shows.
    """
    cache_control = PRIVATE_CACHE_CONTROL if private else PUBLIC_CACHE_CONTROL
    if private:
        validators = Validators.from_parts(
            (validators.etag, *_session_parts()), validators.last_modified
        )
    pending_flash = private and bool(session.get("_flashes"))
    if not pending_flash and is_fresh(validators):
        response = current_app.response_class(status=304)
        _stamp(response, validators, cache_control, private)
        return response
    response = make_response(build())
    if response.status_code == 200:
        _stamp(response, validators, cache_control, private)
    return response
