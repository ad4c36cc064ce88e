"""PTG events, their rooms and team sessions: create, edit, place, and find by slug."""

from datetime import UTC, date, datetime, timedelta

from flask import abort
from sqlalchemy import func

from openinfra_live import audit
from openinfra_live.extensions import db
from openinfra_live.ptg.models import FORMATS, PtgEvent, PtgSession, PtgTeam, Room
from openinfra_live.ptg.rules import (
    MAX_EVENT_DAYS,
    SLUG_RE,
    InvalidEvent,
    InvalidRoom,
    InvalidSession,
    SessionConflict,
    allowed_hours,
    day_start,
    event_days,
    flush_or,
    session_rule_errors,
)
from openinfra_live.ptg.states import PUBLIC
from openinfra_live.urls import web_address


def event_or_404(slug: str) -> PtgEvent:
    """The event with ``slug``; a slug that cannot exist is refused before any query."""
    if not SLUG_RE.match(slug) or len(slug) > 100:
        abort(404)
    event = db.session.scalar(db.select(PtgEvent).filter_by(slug=slug))
    if event is None:
        abort(404)
    return event


def _event_errors(event: PtgEvent | None, fields: dict) -> list[str]:
    """The field errors of an event, then whether another event has its slug or sessions
    fall outside its new days."""
    slug, starts_on, ends_on = fields["slug"], fields["starts_on"], fields["ends_on"]
    errors = []
    if not fields["name"]:
        errors.append("Give the event a name.")
    if not SLUG_RE.match(slug or "") or len(slug) > 100:
        errors.append("The slug uses lower-case letters, digits and single hyphens.")
    if ends_on < starts_on:
        errors.append("The event must end on or after the day it starts.")
    elif (ends_on - starts_on).days >= MAX_EVENT_DAYS:
        errors.append(f"An event lasts at most {MAX_EVENT_DAYS} days.")
    if fields["format"] not in FORMATS:
        errors.append("Choose a format.")
    if errors:
        return errors
    taken = db.select(func.count()).select_from(PtgEvent).where(PtgEvent.slug == slug)
    if event is not None:
        taken = taken.where(PtgEvent.id != event.id)
    if db.session.scalar(taken):
        return ["Another event already uses this slug."]
    if event is not None:
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
            return [f"{outside} session(s) fall outside the new dates; move them first."]
    return []


def save_event(
    event: PtgEvent | None,
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
    """Create a PTG event (``event`` None) or change one's details; its sessions must stay
    within its days. Side effects: an audit entry; flushes."""
    fields = {"name": name.strip(), "slug": slug, "starts_on": starts_on, "ends_on": ends_on}
    fields |= {"format": format, "location": location.strip()}
    errors = _event_errors(event, fields)
    if errors:
        raise InvalidEvent(errors[0], errors)
    before = (
        None
        if event is None
        else {"slug": event.slug, "registration_open": event.registration_open}
    )
    if event is None:
        event = PtgEvent()
        db.session.add(event)
    for key, value in (fields | {"registration_open": registration_open}).items():
        setattr(event, key, value)
    flush_or(InvalidEvent("Another event already uses this slug."))
    if before is None:
        audit.record("ptg_event_created", event, actor=actor, detail={"slug": slug})
    else:
        detail = {"before": before, "slug": slug, "registration_open": registration_open}
        audit.record("ptg_event_updated", event, actor=actor, detail=detail)
    return event


# --- rooms ---


def _room_errors(
    event: PtgEvent, room: Room | None, name: str, capacity: int | None, video_url: str
):
    errors = []
    if not name:
        errors.append("Give the room a name.")
    elif len(name) > 100:
        errors.append("Room names have at most 100 characters.")
    if capacity is not None and not 1 <= capacity <= 100000:
        errors.append("The capacity is a number of people, at least 1.")
    if (video_url or "").strip() and web_address(video_url) is None:
        errors.append("Give a video address starting with http:// or https://.")
    taken = db.select(Room.id).where(
        Room.event_id == event.id, func.lower(Room.name) == name.lower()
    )
    if room is not None:
        taken = taken.where(Room.id != room.id)
    if name and db.session.scalar(taken) is not None:
        errors.append("The event already has a room with this name.")
    return errors


def save_room(
    event: PtgEvent,
    room: Room | None = None,
    *,
    name: str,
    capacity: int | None = None,
    video_url: str = "",
    actor=None,
) -> Room:
    """Add a room to an event (``room`` None), or rename one or change its capacity or video
    address. Side effects: an audit entry; flushes."""
    name, video_url = name.strip(), video_url.strip()
    errors = _room_errors(event, room, name, capacity, video_url)
    if errors:
        raise InvalidRoom(errors[0], errors)
    added = room is None
    if added:
        room = Room(event=event)
        db.session.add(room)
    room.name = name
    room.capacity = capacity
    room.video_url = video_url
    flush_or(InvalidRoom("The event already has a room with this name."))
    if added:
        detail = {"event": event.slug, "name": name}
        audit.record("ptg_room_added", room, actor=actor, detail=detail)
    else:
        audit.record("ptg_room_updated", room, actor=actor, detail={"name": name})
    return room


# --- team sessions ---


def _locked(model: type, row_id: int, event: PtgEvent):
    """The ``model`` row of ``event``, locked until the commit, or None."""
    return db.session.scalars(
        db.select(model)
        .where(model.id == row_id, model.event_id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def place_session(
    event: PtgEvent,
    *,
    team_id: int,
    room_id: int,
    starts_at: datetime,
    ends_at: datetime,
    actor=None,
) -> PtgSession:
    """Put an approved team in a room for a block of whole hours.

    Refused when the room is taken at that time, or when the team would pass its hours or
    the per-day limit. The team and room rows are locked first, so two moderators placing at
    once are serialised (PostgreSQL; SQLite serialises writers anyway).
    """
    team = _locked(PtgTeam, team_id, event)
    if team is None or team.status not in PUBLIC:
        raise InvalidSession("Choose an approved team of this event.")
    room = _locked(Room, room_id, event)
    if room is None:
        raise InvalidSession("Choose a room of this event.")
    team_sessions = [
        (s.starts_at, s.ends_at)
        for s in db.session.scalars(db.select(PtgSession).where(PtgSession.team_id == team.id))
    ]
    errors = session_rule_errors(
        starts_at, ends_at, event_days(event), team_sessions, allowed_hours(team)
    )
    if errors:
        raise InvalidSession(errors[0], errors)
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    clash = db.session.scalars(
        db.select(PtgSession).where(
            PtgSession.room_id == room.id,
            PtgSession.starts_at < ends_at,
            PtgSession.ends_at > starts_at,
        )
    ).first()
    if clash is not None:
        raise SessionConflict(
            f"{room.name} is taken from {clash.starts_at:%H:%M} to {clash.ends_at:%H:%M} UTC "
            f"by {clash.team.name}."
        )
    overlap_for_team = [s for s in team_sessions if s[0] < ends_at and s[1] > starts_at]
    if overlap_for_team:
        raise SessionConflict(f"{team.name} already meets at that time.")
    session = PtgSession(
        event_id=event.id, team_id=team.id, room_id=room.id, starts_at=starts_at, ends_at=ends_at
    )
    db.session.add(session)
    flush_or(SessionConflict(f"{room.name} is already taken at that time."))
    audit.record(
        "ptg_session_placed",
        session,
        actor=actor,
        detail={"team": team.name, "room": room.name, "starts_at": starts_at.isoformat()},
    )
    return session


def delete_session(session: PtgSession, *, actor=None) -> None:
    """Remove a team session from the schedule (audited)."""
    audit.record(
        "ptg_session_deleted",
        session,
        actor=actor,
        detail={"team": session.team.name, "starts_at": session.starts_at.isoformat()},
    )
    db.session.delete(session)
    db.session.flush()
