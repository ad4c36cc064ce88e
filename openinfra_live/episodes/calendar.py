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

from flask_babel import gettext
from icalendar import Calendar, Event, vDuration

from openinfra_live import sanitize
from openinfra_live.episodes.guests import format_speakers
from openinfra_live.episodes.models import Episode, EpisodeSegment
from openinfra_live.episodes.queries import visible_episodes, watch_links
from openinfra_live.episodes.specials import segment_uid
from openinfra_live.extensions import db

PRODID = "-//OpenInfra Live//Episodes//EN"
CALENDAR_NAME = "OpenInfra Live"
# How often subscribers should fetch the feed again.
REFRESH_INTERVAL = timedelta(hours=12)

_LINE_BREAKS = re.compile(r"[\r\n\t\v\f]+")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
# The stored description's structure, marked with two private-use characters that survive
# ``sanitize.to_plain_text`` (it strips tags and entities and joins whitespace): a paragraph
# break at a block's edge or a blank line (as the page shows it), a line break at <br>, and
# "- " before each list item.
_PARAGRAPH, _LINE = "\ue000", "\ue001"
# A list item's own paragraph is the item itself.
_ITEM_PARAGRAPH = re.compile(
    r"(<li(?![A-Za-z0-9])[^>]*>)\s*<p(?![A-Za-z0-9])[^>]*>|</p>\s*(?=</li>)", re.I
)
_SHAPE = re.compile(r"<(/?(?:p|ul|ol|blockquote|div|br|li))(?![A-Za-z0-9])[^>]*>|\n[ \t]*\n", re.I)
_MARKS = {"br": _LINE, "li": _LINE + "- ", "/li": _LINE}


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


def description_text(html: str | None) -> str:
    """The stored description as plain text that keeps its shape: a blank line between
    paragraphs, each list item on a line of its own after "- ", no tag and no entity."""
    text = _ITEM_PARAGRAPH.sub(r"\1", (html or "").replace("\r\n", "\n").replace("\r", "\n"))
    text = _SHAPE.sub(lambda tag: _MARKS.get((tag[1] or "").lower(), _PARAGRAPH), text)
    paragraphs = []
    for block in sanitize.to_plain_text(text).split(_PARAGRAPH):
        lines = [line.strip() for line in block.split(_LINE)]
        if kept := [line for line in lines if line not in {"", "-"}]:
            paragraphs.append("\n".join(kept))
    return "\n\n".join(paragraphs)


def plain_description(episode: Episode, page_url: str) -> str:
    """The description as plain text, followed by speakers and where to watch."""
    sections = []
    text = description_text(episode.description)
    if text:
        sections.append(text)
    if episode.guests:
        sections.append(
            gettext("Speakers: %(speakers)s", speakers=format_speakers(episode.guest_pairs))
        )
    watch = [f"{label}: {url}" for label, url in watch_links(episode)]
    if watch:
        sections.append(gettext("Watch and listen:") + "\n" + "\n".join(watch))
    if episode.recap_url:
        sections.append(gettext("Recap: %(url)s", url=episode.recap_url))
    sections.append(gettext("Episode page: %(url)s", url=page_url))
    return "\n\n".join(sections)


def episode_event(episode: Episode, page_url: str, domain: str) -> Event:
    """One VEVENT; DTSTAMP is the episode's last change, so the same data gives the same bytes.

    LOCATION is where to watch (the first stream link, else the page that will carry it):
    calendar apps show it on the event and make it a link to open when the show starts. URL
    stays the episode's page, which keeps every platform, the recording and the recap.
    """
    # The UID is stable across edits of the title, date or slug, so clients update rather
    # than duplicate.
    return _event(
        episode,
        uid=f"episode-{episode.id}@{domain}",
        span=(episode.starts_at, episode.ends_at, episode.sequence),
        summary=episode.title,
        description=plain_description(episode, page_url),
        url=page_url,
    )


def _event(
    episode: Episode,
    *,
    uid: str,
    span: tuple[datetime, datetime, int | None],
    summary: str,
    description: str,
    url: str,
    anchor: str = "",
) -> Event:
    """A VEVENT of ``episode`` (or of one of its segments: ``span`` is its start, end and
    sequence, ``anchor`` its place on the page), with LOCATION where to watch."""
    streams = watch_links(episode)
    starts_at, ends_at, sequence = span
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", episode.updated_at)
    event.add("last-modified", episode.updated_at)
    event.add("created", episode.created_at)
    event.add("dtstart", starts_at)
    event.add("dtend", ends_at)
    event.add("sequence", sequence or 0)
    event.add("summary", one_line(summary))
    event.add("description", description)
    event.add("location", streams[0][1] if streams else url)
    event.add("url", url + anchor)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event


def segment_event(episode: Episode, segment: EpisodeSegment, page_url: str, domain: str) -> Event:
    """A special's segment as a VEVENT of its own: its UID comes from the episode's and the
    segment's key, its SEQUENCE is the segment's, so each segment updates on its own."""
    streams = watch_links(episode)
    lines = [gettext("Part of “%(title)s”.", title=one_line(episode.title))]
    if segment.speakers:
        lines.append(
            gettext("Speakers: %(speakers)s", speakers=format_speakers(segment.speaker_pairs))
        )
    if watch := [f"{label}: {url}" for label, url in streams]:
        lines.append(gettext("Watch and listen:") + "\n" + "\n".join(watch))
    lines.append(gettext("Run of the show: %(url)s", url=page_url))
    return _event(
        episode,
        uid=segment_uid(episode, segment, domain),
        span=(segment.starts_at, segment.ends_at, segment.sequence),
        summary=f"{episode.title}: {segment.title}",
        description="\n\n".join(lines),
        url=page_url,
        anchor=f"#segment-{segment.key}",
    )


def episode_events(episode: Episode, page_url: str, domain: str) -> list[Event]:
    """An episode's VEVENT, or one for each segment of a special."""
    if episode.special and episode.segments:
        return [segment_event(episode, s, page_url, domain) for s in episode.segments]
    return [episode_event(episode, page_url, domain)]


def _calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar


def episode_invite(episode: Episode, page_url: str, domain: str) -> bytes:
    """The invite for one episode: one event, or one per segment of a special."""
    calendar = _calendar()
    for event in episode_events(episode, page_url, domain):
        calendar.add_component(event)
    return calendar.to_ical()


def episodes_feed(
    episodes: Iterable[Episode], page_url_of: Callable[[str], str], domain: str
) -> bytes:
    """The subscription calendar of ``episodes``, with a name and a refresh interval;
    ``page_url_of`` maps a slug to the episode's page."""
    calendar = _calendar()
    calendar.add("x-wr-calname", CALENDAR_NAME)
    calendar.add("x-wr-caldesc", gettext("The weekly OpenInfra Live show"))
    calendar.add("x-wr-timezone", "UTC")
    calendar.add("refresh-interval", vDuration(REFRESH_INTERVAL), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vDuration(REFRESH_INTERVAL))
    for episode in episodes:
        for event in episode_events(episode, page_url_of(episode.slug), domain):
            calendar.add_component(event)
    return calendar.to_ical()
