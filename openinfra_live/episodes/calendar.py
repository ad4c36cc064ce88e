"""Calendar invites (RFC 5545) for one episode and the subscription calendar, built with
icalendar from the episodes at request time.

icalendar escapes ``;``, ``,``, ``\\`` and line breaks and folds long lines, so nothing in a title
or description can start a property or component of its own. The subscription calendar holds
every upcoming episode and those of the last ``CALENDAR_PAST_DAYS`` days: the whole archive is
in the API and ``flask export-episodes``.
"""

import re
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from icalendar import Calendar, Event, vDuration

from openinfra_live import sanitize
from openinfra_live.episodes.guests import format_speakers
from openinfra_live.episodes.models import Episode
from openinfra_live.episodes.queries import visible_episodes
from openinfra_live.episodes.recordings import platform_label
from openinfra_live.extensions import db

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


def calendar_episodes(now: datetime, past_days: int) -> list[Episode]:
    """The subscription calendar's episodes, oldest first: every upcoming visible episode and
    those that started in the last ``past_days`` days."""
    since = now - timedelta(days=past_days)
    query = visible_episodes().where(Episode.starts_at >= since)
    return list(db.session.scalars(query.order_by(Episode.starts_at, Episode.id)))


def plain_description(episode: Episode, page_url: str) -> str:
    """The description as plain text, followed by speakers and where to watch."""
    sections = []
    text = sanitize.to_plain_text(episode.description)
    if text:
        sections.append(text)
    if episode.guests:
        sections.append(f"Speakers: {format_speakers(episode.guest_pairs)}")
    watch = [f"{platform_label(link.platform)}: {link.url}" for link in episode.links]
    if watch:
        sections.append("Watch and listen:\n" + "\n".join(watch))
    if episode.recap_url:
        sections.append(f"Recap: {episode.recap_url}")
    sections.append(f"Episode page: {page_url}")
    return "\n\n".join(sections)


def episode_event(episode: Episode, page_url: str, domain: str) -> Event:
    """One VEVENT; DTSTAMP is the episode's last change, so the same data gives the same bytes."""
    event = Event()
    # Stable across edits of the title, date or slug, so clients update rather than duplicate.
    event.add("uid", f"episode-{episode.id}@{domain}")
    event.add("dtstamp", episode.updated_at)
    event.add("last-modified", episode.updated_at)
    event.add("created", episode.created_at)
    event.add("dtstart", episode.starts_at)
    event.add("dtend", episode.ends_at)
    event.add("sequence", episode.sequence or 0)
    event.add("summary", one_line(episode.title))
    event.add("description", plain_description(episode, page_url))
    event.add("url", page_url)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar


def episode_invite(episode: Episode, page_url: str, domain: str) -> bytes:
    """The invite for one episode."""
    calendar = _calendar()
    calendar.add_component(episode_event(episode, page_url, domain))
    return calendar.to_ical()


def episodes_feed(
    episodes: Iterable[Episode], page_url_of: Callable[[str], str], domain: str
) -> bytes:
    """The subscription calendar of ``episodes``, with a name and a refresh interval;
    ``page_url_of`` maps a slug to the episode's page."""
    calendar = _calendar()
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("x-wr-caldesc", "The weekly OpenInfra Live show")
    calendar.add("x-wr-timezone", "UTC")
    calendar.add("refresh-interval", vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for episode in episodes:
        calendar.add_component(episode_event(episode, page_url_of(episode.slug), domain))
    return calendar.to_ical()
