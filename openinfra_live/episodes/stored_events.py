"""Each episode's VEVENT, stored with it, for the subscription calendar.

Building a VEVENT through icalendar costs about half a millisecond: a calendar of 10,000
episodes took seconds to build, in every worker, after every change to the site. Each episode
now keeps its event (``Episode.ics_event``), built when the episode, a guest or a link is
written (:func:`keep_events_current`, after the flush, once the episode has its id and its
stamps), and :func:`feed_events` only fills and folds stored events.

What depends on the request, the episode page's address and the domain of the UID, is a slot
(``calendar.PAGE_SLOT``, ``calendar.DOMAIN_SLOT``). The lines that hold one are stored unfolded,
since filling a slot moves where a line folds; :func:`calendar.filled_event` folds them as
icalendar does, so a stored event and one built anew are the same bytes.

A stored event says which format it was built in (``Episode.ics_format``): a hash of
:data:`EVENT_CODE_VERSION`, of icalendar's version and of episodes/calendar.py. An event of
another format, or none, is built through icalendar when the calendar is, until the next
``flask db upgrade`` stores it again (migrations/env.py calls :func:`refresh_events`).
"""

import hashlib
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import icalendar
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from openinfra_live.episodes import calendar, queries
from openinfra_live.episodes.bulk import BATCH, derived_columns_update, touched_episodes
from openinfra_live.episodes.models import Episode, EpisodeGuest, EpisodeLink
from openinfra_live.extensions import db

# Change it when what an event is built with changes outside episodes/calendar.py (whose
# source is part of the format), so that stored events are built again.
EVENT_CODE_VERSION = "1"
EVENT_FORMAT = hashlib.sha256(
    b"\0".join(
        (
            EVENT_CODE_VERSION.encode(),
            icalendar.__version__.encode(),
            Path(calendar.__file__).read_bytes(),
        )
    )
).hexdigest()[:16]

_EPISODES = Episode.__table__
_STORE = derived_columns_update(
    ics_event=bindparam("ics_event"), ics_format=bindparam("ics_format")
)


@event.listens_for(Session, "after_flush")
def keep_events_current(session: Session, flush_context: object) -> None:
    """Episodes the flush added or changed, and episodes whose guests or links it changed, get
    their event again, in the same transaction. After the flush, a new episode has its id and
    every episode its final stamps; the session still lists what the flush wrote."""
    rows = []
    with session.no_autoflush:
        for episode in touched_episodes(session, EpisodeGuest, EpisodeLink):
            if episode.id is None:
                continue
            entry = calendar.CalendarEntry.from_rows(episode, episode.guests, episode.links)
            stored = calendar.event_with_slots(entry)
            if stored == episode.ics_event and episode.ics_format == EVENT_FORMAT:
                continue
            rows.append({"episode_id": episode.id, "ics_event": stored, "ics_format": EVENT_FORMAT})
            # The row is written below, past the ORM: the object must not write it again.
            set_committed_value(episode, "ics_event", stored)
            set_committed_value(episode, "ics_format", EVENT_FORMAT)
    if rows:
        session.connection().execute(_STORE, rows)


def _entries(session: Session, episode_ids: Sequence[int]) -> Iterator[calendar.CalendarEntry]:
    """What the events of the episodes of ``episode_ids`` are made of, a batch at a time."""
    for start in range(0, len(episode_ids), BATCH):
        chunk = episode_ids[start : start + BATCH]
        for rows in queries.calendar_rows(episode_ids=chunk, session=session):
            yield calendar.CalendarEntry.from_rows(*rows)


def refresh_events(session: Session | None = None) -> int:
    """Build and store again every event not of the current format, a batch at a time (after
    bulk inserts, restores, upgrades); returns how many."""
    session = session or db.session
    stale = list(
        session.scalars(
            select(_EPISODES.c.id)
            .where(_EPISODES.c.ics_format != EVENT_FORMAT)
            .order_by(_EPISODES.c.id)
        )
    )
    for start in range(0, len(stale), BATCH):
        rows = [
            {
                "episode_id": entry.id,
                "ics_event": calendar.event_with_slots(entry),
                "ics_format": EVENT_FORMAT,
            }
            for entry in _entries(session, stale[start : start + BATCH])
        ]
        if rows:
            # Through the session, so that the content version moves (cached calendars go).
            session.execute(_STORE, rows)
    return len(stale)


def feed_events(page_url_of: Callable[[str], str], domain: str) -> list[bytes]:
    """Every visible episode's VEVENT, oldest first: stored events filled, the others (another
    format, none, an address that cannot fill a slot) built through icalendar."""
    found = queries.stored_calendar_events()
    events: list[bytes | None] = []
    missing: dict[int, int] = {}
    for episode_id, slug, stored, format_ in found:
        page_url = page_url_of(slug)
        if stored is not None and format_ == EVENT_FORMAT and calendar.can_fill(page_url, domain):
            events.append(calendar.filled_event(stored, page_url, domain))
        else:
            missing[episode_id] = len(events)
            events.append(None)
    for entry in _entries(db.session, list(missing)):
        built = calendar.episode_event(entry, page_url_of(entry.slug), domain)
        events[missing[entry.id]] = built.to_ical()
    return [event_bytes for event_bytes in events if event_bytes is not None]
