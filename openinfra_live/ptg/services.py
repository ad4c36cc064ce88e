"""PTG services: events, team registrations and their transitions, rooms, team sessions.

Every verb checks its rules and raises a ``PtgError`` when they fail, changes rows, records
history and audit entries, queues the contact's e-mail, and flushes. The caller commits once.
"""

import base64
import hashlib
import hmac
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, update
from sqlalchemy.exc import IntegrityError

from openinfra_live import audit, clock, tokens
from openinfra_live.extensions import db
from openinfra_live.ptg import notifications
from openinfra_live.ptg.models import (
    FORMATS,
    TEAM_KINDS,
    PtgEvent,
    PtgSession,
    PtgTeam,
    PtgTeamHistory,
    Room,
)
from openinfra_live.ptg.states import PUBLIC, TeamAction, TeamStatus, next_status
from openinfra_live.ptg.teamlist import team_name_key

# The organisers' fairness rules: blocks of whole hours, at most this much per team.
MAX_HOURS_PER_DAY = 4
MAX_HOURS_TOTAL = 16
# One week at most: the PTGbot export keys days by weekday name.
MAX_EVENT_DAYS = 7


@dataclass(frozen=True)
class TimeWindow:
    key: str
    label: str
    start_hour: int
    end_hour: int


# Meeting windows that fall in working hours somewhere: the times are UTC.
TIME_WINDOWS = (
    TimeWindow("apac", "Asia-Pacific", 0, 4),
    TimeWindow("emea", "Europe and Africa", 7, 11),
    TimeWindow("americas", "Americas", 14, 18),
)
TIME_WINDOW_KEYS = {window.key for window in TIME_WINDOWS}


SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class PtgError(Exception):
    """A PTG rule refused the change; ``message`` is written for the person who asked."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or [message]


class RegistrationClosed(PtgError):
    pass


class DuplicateTeam(PtgError):
    pass


class FormAlreadySent(PtgError):
    pass


class InvalidRegistration(PtgError):
    pass


class TransitionNotAllowed(PtgError):
    pass


class InvalidSession(PtgError):
    pass


class SessionConflict(PtgError):
    pass


class InvalidRoom(PtgError):
    pass


class InvalidEvent(PtgError):
    pass


# --- small rules -----------------------------------------------------------------------------


def event_days(event: PtgEvent) -> list[date]:
    """The UTC days the event runs on, first to last."""
    span = (event.ends_on - event.starts_on).days
    return [event.starts_on + timedelta(days=n) for n in range(max(span, 0) + 1)]


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def is_web_url(value: str) -> bool:
    """An absolute http(s) address with a host and no whitespace or control characters."""
    if not value or any(ch.isspace() or ord(ch) < 32 for ch in value):
        return False
    parts = urlsplit(value)
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def registration_hours_errors(hours_wanted: object, day_count: int) -> list[str]:
    """Errors of a requested number of hours against the fairness rules (empty when fine)."""
    if isinstance(hours_wanted, bool) or not isinstance(hours_wanted, int):
        return ["Ask for a whole number of hours."]
    if hours_wanted < 1:
        return ["Ask for at least one hour."]
    if hours_wanted > MAX_HOURS_TOTAL:
        return [f"A team may meet at most {MAX_HOURS_TOTAL} hours in total."]
    if day_count and hours_wanted > MAX_HOURS_PER_DAY * day_count:
        days_needed = math.ceil(hours_wanted / MAX_HOURS_PER_DAY)
        return [
            f"A team may meet at most {MAX_HOURS_PER_DAY} hours per day, so {hours_wanted} hours "
            f"need at least {days_needed} preferred days (you chose {day_count})."
        ]
    return []


def allowed_hours(team: PtgTeam) -> int:
    """The hours a team may be scheduled for: what it asked for, within the total cap."""
    return min(team.hours_wanted or MAX_HOURS_TOTAL, MAX_HOURS_TOTAL)


def session_rule_errors(
    starts_at: datetime,
    ends_at: datetime,
    days: list[date],
    team_sessions: list[tuple[datetime, datetime]],
    team_allowed_hours: int,
) -> list[str]:
    """Errors of a new team session against the block and fairness rules (empty when fine)."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        return ["Give times in UTC."]
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    for moment in (starts_at, ends_at):
        if (moment.minute, moment.second, moment.microsecond) != (0, 0, 0):
            return ["Sessions start and end on the hour (whole hours only)."]
    if ends_at <= starts_at:
        return ["A session must end after it starts."]
    day = starts_at.date()
    if day not in days:
        return ["The session must take place on one of the event's days."]
    if ends_at > day_start(day) + timedelta(days=1):
        return ["A session must end on the UTC day it starts."]
    hours = int((ends_at - starts_at).total_seconds() // 3600)
    that_day = sum(
        int((end - start).total_seconds() // 3600)
        for start, end in team_sessions
        if start.astimezone(UTC).date() == day
    )
    total = sum(int((end - start).total_seconds() // 3600) for start, end in team_sessions)
    errors = []
    if that_day + hours > MAX_HOURS_PER_DAY:
        errors.append(
            f"The team would meet {that_day + hours} hours on {day:%A %-d %B}; "
            f"the limit is {MAX_HOURS_PER_DAY} hours per UTC day."
        )
    if total + hours > team_allowed_hours:
        errors.append(
            f"The team would meet {total + hours} hours in total; "
            f"it may meet {team_allowed_hours} hours."
        )
    return errors


# --- registrations ---------------------------------------------------------------------------


@dataclass
class RegistrationData:
    """What a team's contact fills in when registering."""

    name: str
    kind: str
    contact_name: str
    contact_email: str
    hours_wanted: int
    preferred_days: list[str] = field(default_factory=list)
    time_windows: list[str] = field(default_factory=list)
    expected_attendees: int | None = None
    runs_onboarding: bool = False
    etherpad_url: str = ""
    video_url: str = ""


def registration_errors(event: PtgEvent, data: RegistrationData) -> dict[str, list[str]]:
    """Field-by-field errors of a registration; the form shows the same messages."""
    errors: dict[str, list[str]] = {}
    if not team_name_key(data.name):
        errors["name"] = ["Give the team's name."]
    if data.kind not in TEAM_KINDS:
        errors["kind"] = ["Choose the kind of group."]
    valid_days = {day.isoformat() for day in event_days(event)}
    if not data.preferred_days:
        errors["preferred_days"] = ["Choose at least one day."]
    elif not set(data.preferred_days) <= valid_days:
        errors["preferred_days"] = ["Choose days of the event."]
    if not data.time_windows:
        errors["time_windows"] = ["Choose at least one time window."]
    elif not set(data.time_windows) <= TIME_WINDOW_KEYS:
        errors["time_windows"] = ["Choose among the offered time windows."]
    hours = registration_hours_errors(data.hours_wanted, len(set(data.preferred_days)))
    if hours:
        errors["hours_wanted"] = hours
    for name in ("etherpad_url", "video_url"):
        value = getattr(data, name)
        if value and not is_web_url(value):
            errors[name] = ["Give an address starting with http:// or https://."]
    return errors


def registration_token(nonce: str) -> str:
    """The status-link token of the registration sent with form ``nonce``.

    Derived with the secret key so a repeated POST of the same form (a double click) can send
    the person to the same status page; the database keeps only hashes of nonce and token.
    """
    key = current_app.config["SECRET_KEY"].encode("utf-8")
    digest = hmac.new(key, b"ptg-registration:" + nonce.encode("ascii"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _live_team_named(event: PtgEvent, name_key: str) -> PtgTeam | None:
    live = [TeamStatus.PENDING.value, TeamStatus.APPROVED.value]
    return db.session.scalar(
        db.select(PtgTeam).where(
            PtgTeam.event_id == event.id, PtgTeam.name_key == name_key, PtgTeam.status.in_(live)
        )
    )


def _replayed(nonce_hash: str | None, data: RegistrationData) -> PtgTeam | None:
    """The registration made from the same form rendering, if this POST repeats it."""
    if nonce_hash is None:
        return None
    team = db.session.scalar(db.select(PtgTeam).filter_by(submission_nonce=nonce_hash))
    if team is None:
        return None
    same = team.name_key == team_name_key(data.name) and (
        team.contact_email.lower() == data.contact_email.strip().lower()
    )
    if not same:
        raise FormAlreadySent("This form was already sent. Reload the page and fill it in again.")
    return team


def register_team(event: PtgEvent, data: RegistrationData, nonce: str = "") -> tuple[PtgTeam, str]:
    """Register a team for an event; return the registration and its status-link token.

    Side effects: a pending ``PtgTeam`` row, a history entry, an audit entry, and the
    confirmation mail with the private link (sent after the commit). Posting the same form
    again returns the first registration instead of creating another.
    """
    if not event.registration_open:
        raise RegistrationClosed("Registration for this PTG is closed.")
    errors = registration_errors(event, data)
    if errors:
        raise InvalidRegistration(
            "The registration has errors.", [e for msgs in errors.values() for e in msgs]
        )
    name = " ".join(data.name.split())
    name_key = team_name_key(name)
    has_nonce = bool(NONCE_RE.match(nonce or ""))
    nonce_hash = tokens.hash_token(nonce) if has_nonce else None

    existing = _replayed(nonce_hash, data)
    if existing is not None:
        return existing, registration_token(nonce)
    if _live_team_named(event, name_key) is not None:
        raise DuplicateTeam(f"{name} is already registered for {event.name}.")

    token = registration_token(nonce) if has_nonce else tokens.new_token()[0]
    team = PtgTeam(
        event_id=event.id,
        name=name,
        name_key=name_key,
        kind=data.kind,
        status=TeamStatus.PENDING.value,
        contact_name=data.contact_name.strip(),
        contact_email=data.contact_email.strip(),
        expected_attendees=data.expected_attendees,
        hours_wanted=data.hours_wanted,
        preferred_days=sorted(set(data.preferred_days)),
        time_windows=[w.key for w in TIME_WINDOWS if w.key in set(data.time_windows)],
        runs_onboarding=bool(data.runs_onboarding),
        etherpad_url=data.etherpad_url.strip(),
        video_url=data.video_url.strip(),
        token_hash=tokens.hash_token(token),
        submission_nonce=nonce_hash,
    )
    db.session.add(team)
    event_id, event_name = event.id, event.name
    try:
        db.session.flush()
    except IntegrityError:
        # Another request won the race: the same form posted twice, or the same team.
        db.session.rollback()
        existing = _replayed(nonce_hash, data)
        if existing is not None:
            return existing, registration_token(nonce)
        event = db.session.get(PtgEvent, event_id)
        if event is not None and _live_team_named(event, name_key) is not None:
            raise DuplicateTeam(f"{name} is already registered for {event_name}.") from None
        raise
    _history(team, "register", None, TeamStatus.PENDING, "Registration received.", actor=None)
    audit.record("ptg_team_registered", team, detail={"event": event.slug, "name": name})
    notifications.queue(
        "registered",
        team.contact_email,
        **_mail_context(team, event),
        status_url=_status_url(token),
    )
    return team, token


def find_registration(token: str) -> PtgTeam | None:
    """The registration a status-link token opens, or None (the same for every wrong token)."""
    if not tokens.looks_like_token(token):
        return None
    team = db.session.scalar(db.select(PtgTeam).filter_by(token_hash=tokens.hash_token(token)))
    if team is None or not tokens.token_matches(token, team.token_hash):
        return None
    return team


def _status_url(token: str) -> str:
    from flask import url_for

    return url_for("ptg.registration_status", token=token, _external=True)


def _mail_context(team: PtgTeam, event: PtgEvent) -> dict:
    return {
        "team_name": team.name,
        "contact_name": team.contact_name,
        "event_name": event.name,
        "event_slug": event.slug,
        "hours_wanted": team.hours_wanted,
    }


def _history(
    team: PtgTeam,
    action: str,
    from_status: str | None,
    to_status: str | None,
    message: str,
    *,
    actor,
    is_public: bool = True,
) -> PtgTeamHistory:
    entry = PtgTeamHistory(
        team=team,
        action=action,
        from_status=from_status,
        to_status=to_status,
        message=message,
        is_public=is_public,
        actor_id=getattr(actor, "id", None),
    )
    db.session.add(entry)
    return entry


def _transition(team: PtgTeam, action: TeamAction, *, actor, message: str) -> TeamStatus:
    """Move ``team`` along the transition table; a conditional UPDATE settles races."""
    from_status = team.status
    to_status = next_status(from_status, action)
    if to_status is None:
        raise TransitionNotAllowed(
            f"A registration that is {from_status} cannot be {action.value}d."
            if action != TeamAction.WITHDRAW
            else f"A registration that is {from_status} cannot be withdrawn."
        )
    result = db.session.execute(
        update(PtgTeam)
        .where(PtgTeam.id == team.id, PtgTeam.status == from_status)
        .values(status=to_status.value, updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(team)
        raise TransitionNotAllowed(f"The registration was changed meanwhile: it is {team.status}.")
    db.session.refresh(team)
    _history(team, action.value, from_status, to_status, message.strip(), actor=actor)
    audit.record(
        f"ptg_team_{to_status.value}",
        team,
        actor=actor,
        detail={"from": from_status, "to": to_status.value},
    )
    return to_status


def approve_team(team: PtgTeam, *, actor, message: str = "") -> PtgTeam:
    """Approve a pending registration: history, audit, and a mail to the contact."""
    _transition(team, TeamAction.APPROVE, actor=actor, message=message)
    notifications.queue(
        "approved", team.contact_email, **_mail_context(team, team.event), message=message.strip()
    )
    return team


def decline_team(team: PtgTeam, *, actor, message: str = "") -> PtgTeam:
    """Decline a pending registration: history, audit, and a mail to the contact."""
    _transition(team, TeamAction.DECLINE, actor=actor, message=message)
    notifications.queue(
        "declined", team.contact_email, **_mail_context(team, team.event), message=message.strip()
    )
    return team


def withdraw_team(team: PtgTeam, *, actor=None, message: str = "") -> PtgTeam:
    """Withdraw a registration that is not final; its sessions free their rooms.

    Side effects: the team's sessions are deleted, history, audit, and a mail to the contact.
    """
    _transition(team, TeamAction.WITHDRAW, actor=actor, message=message or "Withdrawn.")
    db.session.execute(db.delete(PtgSession).where(PtgSession.team_id == team.id))
    db.session.expire(team, ["sessions"])
    notifications.queue("withdrawn", team.contact_email, **_mail_context(team, team.event))
    return team


# --- events ----------------------------------------------------------------------------------


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
    _flush_or(InvalidEvent("Another event already uses this slug."))
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
    _flush_or(InvalidEvent("Another event already uses this slug."))
    audit.record(
        "ptg_event_updated",
        event,
        actor=actor,
        detail={"before": before, "slug": slug, "registration_open": registration_open},
    )
    return event


def _flush_or(error: PtgError) -> None:
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise error from None


# --- rooms -----------------------------------------------------------------------------------


def _room_errors(event: PtgEvent, name: str, capacity: int | None, video_url: str, room_id=None):
    errors = []
    if not name.strip():
        errors.append("Give the room a name.")
    elif len(name.strip()) > 100:
        errors.append("Room names have at most 100 characters.")
    if capacity is not None and not 1 <= capacity <= 100000:
        errors.append("The capacity is a number of people, at least 1.")
    if video_url and not is_web_url(video_url):
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
    _flush_or(InvalidRoom("The event already has a room with this name."))
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
    _flush_or(InvalidRoom("The event already has a room with this name."))
    audit.record("ptg_room_updated", room, actor=actor, detail={"name": room.name})
    return room


# --- sessions --------------------------------------------------------------------------------


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
    team = db.session.scalars(
        db.select(PtgTeam)
        .where(PtgTeam.id == team_id, PtgTeam.event_id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if team is None or team.status not in PUBLIC:
        raise InvalidSession("Choose an approved team of this event.")
    room = db.session.scalars(
        db.select(Room)
        .where(Room.id == room_id, Room.event_id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
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
    _flush_or(SessionConflict(f"{room.name} is already taken at that time."))
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
