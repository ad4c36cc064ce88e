"""Calendar invites (RFC 5545) for one episode and the subscription feed of all of them.

Text goes through icalendar, which escapes ``;``, ``,``, ``\\`` and line breaks and folds long
lines, so nothing in a title or description can start a property or component of its own.
"""

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
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
    values always make the same bytes (see :class:`BuiltEvents`)."""

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


class BuiltEvents:
    """The bytes of VEVENTs already built, keyed by a digest of everything they are made of.

    Building a VEVENT through icalendar costs about a millisecond, so a feed of 10,000
    episodes takes seconds; every change to the site empties the response cache, and without
    this the next subscriber would wait for the whole feed again. An edit changes the digest
    of the one episode it touches: only that event is built again. Least recently used
    entries go first once ``max_entries`` are held.
    """

    def __init__(self, max_entries: int = 20_000) -> None:
        self.max_entries = max_entries
        self._events: OrderedDict[bytes, bytes] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _digest(entry: CalendarEntry, page_url: str, domain: str) -> bytes:
        return hashlib.blake2b(repr((entry, page_url, domain)).encode(), digest_size=16).digest()

    def get(self, entry: CalendarEntry, page_url: str, domain: str) -> bytes:
        key = self._digest(entry, page_url, domain)
        with self._lock:
            found = self._events.get(key)
            if found is not None:
                self._events.move_to_end(key)
                return found
        built = episode_event(entry, page_url, domain).to_ical()
        with self._lock:
            self._events[key] = built
            while len(self._events) > self.max_entries:
                self._events.popitem(last=False)
        return built

    def clear(self) -> None:
        with self._lock:
            self._events.clear()

    def __len__(self) -> int:
        return len(self._events)


built_events = BuiltEvents()


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


def episodes_feed(
    entries: Iterable[CalendarEntry], page_url_of: Callable[[str], str], domain: str
) -> bytes:
    """The subscription calendar: every given episode, with a name and a refresh interval.

    ``page_url_of`` maps a slug to the episode's page. The calendar's own properties go
    through icalendar; the events are spliced in before its last line, as built bytes.
    """
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
    parts = [head[: -len(closing)]]
    parts.extend(built_events.get(entry, page_url_of(entry.slug), domain) for entry in entries)
    parts.append(closing)
    return b"".join(parts)
