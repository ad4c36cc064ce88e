"""PTG events and their rooms: create, edit, delete when empty, and find by slug.

Team sessions are placed and changed in ``ptg.sessions``.
"""

from datetime import date, timedelta

from flask import abort
from flask_babel import gettext, ngettext
from sqlalchemy import func

from openinfra_live import audit, sanitize
from openinfra_live.extensions import db
from openinfra_live.ptg.models import FORMATS, PtgEvent, PtgSession, PtgTeam, Room
from openinfra_live.ptg.rules import (
    MAX_EVENT_DAYS,
    SLUG_RE,
    InUse,
    InvalidEvent,
    InvalidRoom,
    day_start,
    flush_or,
)
from openinfra_live.ptg.states import LIVE
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
        errors.append(gettext("Give the event a name."))
    if not SLUG_RE.match(slug or "") or len(slug) > 100:
        errors.append(gettext("The slug uses lower-case letters, digits and single hyphens."))
    if ends_on < starts_on:
        errors.append(gettext("The event must end on or after the day it starts."))
    elif (ends_on - starts_on).days >= MAX_EVENT_DAYS:
        errors.append(gettext("An event lasts at most %(days)d days.", days=MAX_EVENT_DAYS))
    if fields["format"] not in FORMATS:
        errors.append(gettext("Choose a format."))
    if errors:
        return errors
    taken = db.select(func.count()).select_from(PtgEvent).where(PtgEvent.slug == slug)
    if event is not None:
        taken = taken.where(PtgEvent.id != event.id)
    if db.session.scalar(taken):
        return [gettext("Another event already uses this slug.")]
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
            return [
                gettext(
                    "%(num)d session(s) fall outside the new dates; move them first.", num=outside
                )
            ]
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
    description: str | None = None,
    faq: str | None = None,
    actor=None,
) -> PtgEvent:
    """Create a PTG event (``event`` None) or change one's details; its sessions must stay
    within its days. ``description`` and ``faq`` (None: unchanged) are cleaned as episode
    descriptions are (``sanitize.clean_html``). Side effects: an audit entry; flushes."""
    fields = {"name": name.strip(), "slug": slug, "starts_on": starts_on, "ends_on": ends_on}
    fields |= {"format": format, "location": location.strip()}
    errors = _event_errors(event, fields)
    if errors:
        raise InvalidEvent(errors[0], errors)
    texts = {"description": description, "faq": faq}
    fields |= {key: sanitize.clean_html(value) for key, value in texts.items() if value is not None}
    before = (
        None
        if event is None
        else {"slug": event.slug, "registration_open": event.registration_open}
    )
    if event is None:
        event = PtgEvent()
        db.session.add(event)
    changed_texts = sorted(k for k in texts if k in fields and fields[k] != getattr(event, k))
    for key, value in (fields | {"registration_open": registration_open}).items():
        setattr(event, key, value)
    flush_or(InvalidEvent(gettext("Another event already uses this slug.")))
    if before is None:
        audit.record("ptg_event_created", event, actor=actor, detail={"slug": slug})
    else:
        detail = {"before": before, "slug": slug, "registration_open": registration_open}
        if changed_texts:
            detail["texts_changed"] = changed_texts
        audit.record("ptg_event_updated", event, actor=actor, detail=detail)
    return event


def _lock(obj) -> None:
    """Lock ``obj``'s row until the commit: placing a session locks its room the same way, so a
    session cannot arrive between the check that a room is empty and its deletion."""
    db.session.execute(
        db.select(type(obj).id).where(type(obj).id == obj.id).with_for_update()
    ).all()


def _count(model: type, *where) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model).where(*where)) or 0


def event_blockers(event: PtgEvent) -> list[str]:
    """What keeps ``event`` from being deleted, in words (empty when it may go): its sessions
    and its live (waiting or approved) registrations."""
    live = [status.value for status in LIVE]
    sessions = _count(PtgSession, PtgSession.event_id == event.id)
    teams = _count(PtgTeam, PtgTeam.event_id == event.id, PtgTeam.status.in_(live))
    blockers = []
    if teams:
        blockers.append(
            ngettext(
                "%(num)d registration waiting for review or approved "
                "(remove or decline them first)",
                "%(num)d registrations waiting for review or approved "
                "(remove or decline them first)",
                teams,
            )
        )
    if sessions:
        blockers.append(
            ngettext(
                "%(num)d session on the schedule (remove them first)",
                "%(num)d sessions on the schedule (remove them first)",
                sessions,
            )
        )
    return blockers


def delete_event(event: PtgEvent, *, actor=None) -> None:
    """Delete an event that holds no session and no live registration, with its rooms and its
    declined or withdrawn registrations. Raises ``InUse`` saying what is in the way.
    Side effects: an audit entry; flushes."""
    _lock(event)
    blockers = event_blockers(event)
    if blockers:
        what = (
            gettext("%(first)s and %(second)s", first=blockers[0], second=blockers[1])
            if len(blockers) > 1
            else blockers[0]
        )
        raise InUse(
            gettext("%(name)s cannot be deleted: it has %(what)s.", name=event.name, what=what)
        )
    detail = {
        "slug": event.slug,
        "name": event.name,
        "rooms": len(event.rooms),
        "closed_registrations": len(event.teams),
    }
    audit.record("ptg_event_deleted", event, actor=actor, detail=detail)
    db.session.delete(event)
    db.session.flush()


# --- rooms ---


def _room_errors(
    event: PtgEvent, room: Room | None, name: str, capacity: int | None, video_url: str
):
    errors = []
    if not name:
        errors.append(gettext("Give the room a name."))
    elif len(name) > 100:
        errors.append(gettext("Room names have at most 100 characters."))
    if capacity is not None and not 1 <= capacity <= 100000:
        errors.append(gettext("The capacity is a number of people, at least 1."))
    if (video_url or "").strip() and web_address(video_url) is None:
        errors.append(gettext("Give a video address starting with http:// or https://."))
    taken = db.select(Room.id).where(
        Room.event_id == event.id, func.lower(Room.name) == name.lower()
    )
    if room is not None:
        taken = taken.where(Room.id != room.id)
    if name and db.session.scalar(taken) is not None:
        errors.append(gettext("The event already has a room with this name."))
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
    flush_or(InvalidRoom(gettext("The event already has a room with this name.")))
    if added:
        detail = {"event": event.slug, "name": name}
        audit.record("ptg_room_added", room, actor=actor, detail=detail)
    else:
        audit.record("ptg_room_updated", room, actor=actor, detail={"name": name})
    return room


def room_blockers(room: Room) -> list[str]:
    """What keeps ``room`` from being deleted, in words: the teams whose sessions it holds."""
    teams = db.session.scalars(
        db.select(PtgTeam.name)
        .join(PtgSession, PtgSession.team_id == PtgTeam.id)
        .where(PtgSession.room_id == room.id)
        .order_by(PtgSession.starts_at)
    ).all()
    if not teams:
        return []
    names = ", ".join(dict.fromkeys(teams))
    return [
        ngettext(
            "%(num)d session on the schedule (%(teams)s)",
            "%(num)d sessions on the schedule (%(teams)s)",
            len(teams),
            teams=names,
        )
    ]


def delete_room(room: Room, *, actor=None) -> None:
    """Delete a room that holds no session. Raises ``InUse`` saying what is in the way.
    Side effects: an audit entry; flushes."""
    _lock(room)
    blockers = room_blockers(room)
    if blockers:
        raise InUse(
            gettext(
                "%(name)s cannot be deleted: it has %(what)s. Move or remove them first.",
                name=room.name,
                what=blockers[0],
            )
        )
    detail = {"event": room.event.slug, "name": room.name}
    audit.record("ptg_room_deleted", room, actor=actor, detail=detail)
    db.session.delete(room)
    db.session.flush()
