"""Calendar invites (RFC 5545) for one episode and the subscription feed of all of them.

Text goes through icalendar, which escapes ``;``, ``,``, ``\\`` and line breaks and folds long
lines, so nothing in a title or description can start a property or component of its own.
The subscription feed joins events kept with the episodes (episodes/stored_events.py):
:func:`event_with_slots` makes them, :func:`filled_event` fills and folds them.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from icalendar import Calendar, Event, vDuration

from openinfra_live import sanitize
from openinfra_live.episodes.queries import platform_label

PRODID = "-//OpenInfra Live//Episodes//EN"
CALENDAR_NAME = "OpenInfra Live"
# How often subscribers should fetch the feed again.
REFRESH_INTERVAL = timedelta(hours=12)

_LINE_BREAKS = re.compile(r"[\r\n\t\v\f]+")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def one_line(text: str) -> str:
    """Titles are single lines: line breaks become spaces."""
    return _LINE_BREAKS.sub(" ", text).strip()


def ics_filename(slug: str) -> str:
    """A download name made from the slug alone, safe inside a quoted header parameter."""
    stem = _UNSAFE_FILENAME.sub("-", slug).strip(".-")[:100] or "episode"
    return f"{stem}.ics"


def event_uid(episode_id: int, domain: str) -> str:
    """Stable across edits of the title, date or slug, so clients update rather than duplicate."""
    return f"episode-{episode_id}@{domain}"


@dataclass(frozen=True)
class CalendarEntry:
    """What an episode's VEVENT is made of: plain values, so that a feed of thousands of
    episodes streams from the database without holding ORM objects, and so that the same
    values always make the same bytes."""

    id: int
    slug: str
    title: str
    description: str
    starts_at: datetime
    ends_at: datetime
    sequence: int
    created_at: datetime
    updated_at: datetime
    recap_url: str | None
    guests: tuple[tuple[str, str], ...]
    links: tuple[tuple[str, str], ...]

    @classmethod
    def from_rows(
        cls, episode: Any, guests: Iterable[Any], links: Iterable[Any]
    ) -> "CalendarEntry":
        """From the rows of :func:`queries.calendar_rows` (or an episode and its collections)."""
        return cls(
            id=episode.id,
            slug=episode.slug,
            title=episode.title,
            description=episode.description or "",
            starts_at=episode.starts_at,
            ends_at=episode.starts_at + timedelta(minutes=episode.duration_minutes),
            sequence=episode.sequence or 0,
            created_at=episode.created_at,
            updated_at=episode.updated_at,
            recap_url=episode.recap_url,
            guests=tuple((guest.name, guest.affiliation or "") for guest in guests),
            links=tuple((link.platform, link.url) for link in links),
        )


def plain_description(entry: CalendarEntry, page_url: str) -> str:
    """The description as plain text, followed by speakers and where to watch."""
    sections = []
    text = sanitize.to_plain_text(entry.description)
    if text:
        sections.append(text)
    if entry.guests:
        speakers = ", ".join(
            f"{name} ({affiliation})" if affiliation else name for name, affiliation in entry.guests
        )
        sections.append(f"Speakers: {speakers}")
    watch = [f"{platform_label(platform)}: {url}" for platform, url in entry.links]
    if watch:
        sections.append("Watch and listen:\n" + "\n".join(watch))
    if entry.recap_url:
        sections.append(f"Recap: {entry.recap_url}")
    sections.append(f"Episode page: {page_url}")
    return "\n\n".join(sections)


def episode_event(entry: CalendarEntry, page_url: str, domain: str) -> Event:
    """One VEVENT; DTSTAMP is the episode's last change, so the same data gives the same bytes."""
    event = Event()
    event.add("uid", event_uid(entry.id, domain))
    event.add("dtstamp", entry.updated_at)
    event.add("last-modified", entry.updated_at)
    event.add("created", entry.created_at)
    event.add("dtstart", entry.starts_at)
    event.add("dtend", entry.ends_at)
    event.add("sequence", entry.sequence)
    event.add("summary", one_line(entry.title))
    event.add("description", plain_description(entry, page_url))
    event.add("url", page_url)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


# Where a stored event (episodes/stored_events.py) has the episode page's address and the
# site's domain, which depend on the request, and around each line that holds one: characters
# no TEXT value can hold once escaped.
SLOT_MARK = "\x01"
PAGE_SLOT = f"{SLOT_MARK}page{SLOT_MARK}"
DOMAIN_SLOT = f"{SLOT_MARK}domain{SLOT_MARK}"
LINE_MARK = "\x02"
_MARKS = re.compile("[\x01\x02]")
# What icalendar escapes in TEXT values: an address or domain holding one is not put in a slot.
_ESCAPED_IN_TEXT = re.compile(r"[\\;,\r\n\x01\x02]")
# RFC 5545 folds lines longer than 75 octets; icalendar starts a new line before the 75th.
_FOLD_AT = 74
_FOLD = "\r\n "
# icalendar keeps a backslash (TEXT escape) or caret (parameter escape) with what follows it.
_KEPT_WITH_NEXT = "\\^"


def fold_line(line: str) -> str:
    """``line`` folded exactly as icalendar folds it, character for character.

    icalendar looks at every character of every line; a feed of thousands of events spends
    most of its time there. Lines of ASCII are cut by position.
    """
    if line.isascii():
        if len(line) <= _FOLD_AT:
            return line
        pieces = []
        start = 0
        while len(line) - start > _FOLD_AT:
            end = start + _FOLD_AT
            if line[end - 1] in _KEPT_WITH_NEXT:
                end -= 1
            pieces.append(line[start:end])
            start = end
        pieces.append(line[start:])
        return _FOLD.join(pieces)
    pieces = []
    current: list[str] = []
    size = 0
    for char in line:
        width = len(char.encode())
        if current and size + width > _FOLD_AT:
            carried = current.pop() if len(current) > 1 and current[-1] in _KEPT_WITH_NEXT else ""
            pieces.append("".join(current))
            current = [carried] if carried else []
            size = len(carried.encode())
        current.append(char)
        size += width
    pieces.append("".join(current))
    return _FOLD.join(pieces)


def event_with_slots(entry: CalendarEntry) -> str | None:
    """The VEVENT of ``entry`` with the page's address and the domain in slots, for keeping:
    its lines folded, but those that hold a slot, which fold once filled (:func:`filled_event`)
    and stand between two :data:`LINE_MARK`; None when a value holds a mark."""
    values = (
        entry.slug,
        entry.title,
        entry.description,
        entry.recap_url or "",
        *(value for pair in (*entry.guests, *entry.links) for value in pair),
    )
    if any(_MARKS.search(value) for value in values):
        return None
    lines = episode_event(entry, PAGE_SLOT, DOMAIN_SLOT).content_lines()
    return "\r\n".join(
        f"{LINE_MARK}{line}{LINE_MARK}" if SLOT_MARK in line else fold_line(line)
        for line in lines
        if line
    )


def can_fill(page_url: str, domain: str) -> bool:
    """Whether a kept event filled with these is what icalendar would build with them."""
    return not (_ESCAPED_IN_TEXT.search(page_url) or _ESCAPED_IN_TEXT.search(domain))


def filled_event(kept: str, page_url: str, domain: str) -> bytes:
    """A kept event (:func:`event_with_slots`) with its slots filled and their lines folded:
    the bytes ``episode_event(entry, page_url, domain).to_ical()`` gives, when
    :func:`can_fill`."""
    pieces = kept.split(LINE_MARK)
    for at in range(1, len(pieces), 2):
        line = pieces[at].replace(PAGE_SLOT, page_url).replace(DOMAIN_SLOT, domain)
        pieces[at] = fold_line(line)
    pieces.append("\r\n")
    return "".join(pieces).encode()


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar


def episode_invite(entry: CalendarEntry, page_url: str, domain: str) -> bytes:
    """The invite for one episode."""
    calendar = _calendar()
    calendar.add_component(episode_event(entry, page_url, domain))
    return calendar.to_ical()


def episodes_feed(events: Iterable[bytes]) -> bytes:
    """The subscription calendar: the given VEVENTs (built bytes), with a name and a refresh
    interval. The calendar's own properties go through icalendar; the events are spliced in
    before its last line."""
    calendar = _calendar()
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("x-wr-caldesc", "The weekly OpenInfra Live show")
    calendar.add("x-wr-timezone", "UTC")
    calendar.add("refresh-interval", vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    head = calendar.to_ical()
    closing = b"END:VCALENDAR\r\n"
    if not head.endswith(closing):
        raise ValueError("icalendar ended the calendar in an unexpected way")
    return b"".join((head[: -len(closing)], *events, closing))
