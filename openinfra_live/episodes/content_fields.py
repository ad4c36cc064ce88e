"""The content file's fields whose values are checked one by one (``duration``, ``slug``,
``links``): each read, or refused with the reason shown to the operator."""

import re
from typing import Any

from flask_babel import gettext

from openinfra_live import urls
from openinfra_live.episodes.editing import MAX_EPISODE_MINUTES, MIN_EPISODE_MINUTES

MAX_PLATFORM = 50
MAX_FIELD_NAME = 60
MAX_SLUG = 200
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


class EntryError(Exception):
    """One entry cannot be imported; the reason is shown to the operator."""


def web_address(value: Any) -> str | None:
    """``value`` as an absolute http(s) URL, or None; content files hold protocol-relative
    addresses (``//host/path``), which become https."""
    return urls.web_address(value, protocol_relative=True)


def one_line(text: str) -> str:
    """Text with control characters and runs of whitespace turned into single spaces."""
    return " ".join(_CONTROL_CHARS.sub(" ", text).split())


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_duration(value: Any) -> int | None:
    """The ``duration`` field: whole minutes within the site's bounds, or None when absent."""
    if is_empty(value):
        return None
    text = str(value).strip()
    unreadable = isinstance(value, bool) or not isinstance(value, int | str)
    if unreadable or not text.isascii() or not text.isdigit():
        raise EntryError(
            gettext(
                "unreadable duration %(value)s: give whole minutes, such as 60", value=repr(value)
            )
        )
    minutes = int(text)
    if not MIN_EPISODE_MINUTES <= minutes <= MAX_EPISODE_MINUTES:
        raise EntryError(
            gettext(
                "duration %(minutes)d out of range: between %(min)d and %(max)d minutes",
                minutes=minutes,
                min=MIN_EPISODE_MINUTES,
                max=MAX_EPISODE_MINUTES,
            )
        )
    return minutes


def parse_slug(value: Any) -> str | None:
    """The ``slug`` field: lower-case letters, digits and single hyphens, or None when absent."""
    if is_empty(value):
        return None
    text = value.strip() if isinstance(value, str) else None
    if text is None or len(text) > MAX_SLUG or not _SLUG.fullmatch(text):
        shown = repr(value)
        if len(shown) > MAX_FIELD_NAME:
            shown = shown[: MAX_FIELD_NAME - 1] + "…"
        raise EntryError(
            gettext(
                "unusable slug %(slug)s: lower-case letters, digits and single hyphens,"
                " at most %(max)d characters",
                slug=shown,
                max=MAX_SLUG,
            )
        )
    return text


def parse_links(value: Any) -> list[tuple[str, str]] | None:
    """The ``links`` field as (platform, url) pairs, or None when absent."""
    if value is None:
        return None
    if not isinstance(value, list):
        raise EntryError(gettext("links is not a list of platform and url pairs"))
    links: list[tuple[str, str]] = []
    for number, item in enumerate(value, start=1):
        if not isinstance(item, dict):
            raise EntryError(
                gettext("link %(number)d is not a platform and url pair", number=number)
            )
        platform = item.get("platform")
        platform = one_line(platform) if isinstance(platform, str) else ""
        if not platform or len(platform) > MAX_PLATFORM:
            raise EntryError(
                gettext(
                    "link %(number)d has no platform name of at most %(max)d characters",
                    number=number,
                    max=MAX_PLATFORM,
                )
            )
        url = web_address(item.get("url"))
        if url is None:
            raise EntryError(
                gettext(
                    "link %(number)d (%(platform)s) has no web address",
                    number=number,
                    platform=platform,
                )
            )
        if (platform, url) not in links:
            links.append((platform, url))
    return links
