"""PTG events and their rooms: create, edit, and find one by its slug."""

from datetime import date, timedelta

from flask import abort
from sqlalchemy import func

from openinfra_live import audit
from openinfra_live.extensions import db
from openinfra_live.ptg.models import FORMATS, PtgEvent, PtgSession, Room
from openinfra_live.ptg.rules import (
    MAX_EVENT_DAYS,
    SLUG_RE,
    InvalidEvent,
    InvalidRoom,
    day_start,
    flush_or,
)
from openinfra_live.urls import web_address


def event_or_404(slug: str) -> PtgEvent:
    """The event with ``slug``; a slug that cannot exist is refused before any query."""
    if not SLUG_RE.match(slug) or len(slug) > 100:
        abort(404)
    event = db.session.scalar(db.select(PtgEvent).filter_by(slug=slug))
    if event is None:
        abort(404)
    return event


def _event_errors(
    *, name: str, slug: str, starts_on: date, ends_on: date, format: str
) -> list[str]:
    errors = []
    if not name.strip():
        errors.append("Give the event a name.")
    if not SLUG_RE.match(slug or "") or len(slug) > 100:
        errors.append("The slug uses lower-case letters, digits and single hyphens.")
    if ends_on < starts_on:
        errors.append("The event must end on or after the day it starts.")
    elif (ends_on - starts_on).days >= MAX_EVENT_DAYS:
        errors.append(f"An event lasts at most {MAX_EVENT_DAYS} days.")
    if format not in FORMATS:
        errors.append("Choose a format.")
    return errors


def _slug_taken(slug: str, exclude_id: int | None = None) -> bool:
    query = db.select(func.count()).select_from(PtgEvent).where(PtgEvent.slug == slug)
    if exclude_id is not None:
        query = query.where(PtgEvent.id != exclude_id)
    return bool(db.session.scalar(query))


def _event_errors_with_slug(*, event: PtgEvent | None = None, **fields) -> list[str]:
    """The field errors of an event, then whether another event already has its slug."""
    errors = _event_errors(**fields)
    exclude_id = event.id if event is not None else None
    if not errors and _slug_taken(fields["slug"], exclude_id=exclude_id):
        errors.append("Another event already uses this slug.")
    return errors


def create_event(
    *,
    name: str,
    slug: str,
    starts_on: date,
    ends_on: date,
    format: str,
    location: str = "",
    registration_open: bool = False,
    actor=None,
) -> PtgEvent:
    """Create a PTG event (audited)."""
    errors = _event_errors_with_slug(
        name=name, slug=slug, starts_on=starts_on, ends_on=ends_on, format=format
    )
    if errors:
        raise InvalidEvent(errors[0], errors)
    event = PtgEvent(
        name=name.strip(),
        slug=slug,
        starts_on=starts_on,
        ends_on=ends_on,
        format=format,
        location=location.strip(),
        registration_open=registration_open,
    )
    db.session.add(event)
    flush_or(InvalidEvent("Another event already uses this slug."))
    audit.record("ptg_event_created", event, actor=actor, detail={"slug": slug})
    return event


def update_event(
    event: PtgEvent,
    *,
    name: str,
    slug: str,
    starts_on: date,
    ends_on: date,
    format: str,
    location: str = "",
    registration_open: bool = False,
    actor=None,
) -> PtgEvent:
    """Change an event's details; its sessions must stay within its days (audited)."""
    errors = _event_errors_with_slug(
        name=name, slug=slug, starts_on=starts_on, ends_on=ends_on, format=format, event=event
    )
    if not errors:
        outside = db.session.scalar(
            db.select(func.count())
            .select_from(PtgSession)
            .where(
                PtgSession.event_id == event.id,
                (PtgSession.starts_at < day_start(starts_on))
                | (PtgSession.starts_at >= day_start(ends_on) + timedelta(days=1)),
            )
        )
        if outside:
            errors.append(f"{outside} session(s) fall outside the new dates; move them first.")
    if errors:
        raise InvalidEvent(errors[0], errors)
    before = {"slug": event.slug, "registration_open": event.registration_open}
    event.name = name.strip()
    event.slug = slug
    event.starts_on = starts_on
    event.ends_on = ends_on
    event.format = format
    event.location = location.strip()
    event.registration_open = registration_open
    flush_or(InvalidEvent("Another event already uses this slug."))
    audit.record(
        "ptg_event_updated",
        event,
        actor=actor,
        detail={"before": before, "slug": slug, "registration_open": registration_open},
    )
    return event


# --- rooms ---


def _room_errors(event: PtgEvent, name: str, capacity: int | None, video_url: str, room_id=None):
    errors = []
    if not name.strip():
        errors.append("Give the room a name.")
    elif len(name.strip()) > 100:
        errors.append("Room names have at most 100 characters.")
    if capacity is not None and not 1 <= capacity <= 100000:
        errors.append("The capacity is a number of people, at least 1.")
    if (video_url or "").strip() and web_address(video_url) is None:
        errors.append("Give a video address starting with http:// or https://.")
    taken = db.select(Room.id).where(
        Room.event_id == event.id, func.lower(Room.name) == name.strip().lower()
    )
    if room_id is not None:
        taken = taken.where(Room.id != room_id)
    if name.strip() and db.session.scalar(taken) is not None:
        errors.append("The event already has a room with this name.")
    return errors


def add_room(
    event: PtgEvent, *, name: str, capacity: int | None = None, video_url: str = "", actor=None
) -> Room:
    """Add a room to an event (audited)."""
    errors = _room_errors(event, name, capacity, video_url.strip())
    if errors:
        raise InvalidRoom(errors[0], errors)
    room = Room(event=event, name=name.strip(), capacity=capacity, video_url=video_url.strip())
    db.session.add(room)
    flush_or(InvalidRoom("The event already has a room with this name."))
    audit.record(
        "ptg_room_added", room, actor=actor, detail={"event": event.slug, "name": room.name}
    )
    return room


def update_room(
    room: Room, *, name: str, capacity: int | None = None, video_url: str = "", actor=None
) -> Room:
    """Rename a room or change its capacity or video address (audited)."""
    errors = _room_errors(room.event, name, capacity, video_url.strip(), room_id=room.id)
    if errors:
        raise InvalidRoom(errors[0], errors)
    room.name = name.strip()
    room.capacity = capacity
    room.video_url = video_url.strip()
    flush_or(InvalidRoom("The event already has a room with this name."))
    audit.record("ptg_room_updated", room, actor=actor, detail={"name": room.name})
    return room
