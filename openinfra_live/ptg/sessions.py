"""Team sessions on an event's schedule: place one, move or change one, remove one.

Placing and changing a session follow the same rules: whole hours on one UTC day of the event,
the team's hours and per-day limit, one team at a time in a room, one room at a time per team.
"""

from datetime import UTC, datetime

from flask_babel import gettext

from openinfra_live import audit
from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam, Room
from openinfra_live.ptg.rules import (
    InvalidSession,
    SessionConflict,
    allowed_hours,
    event_days,
    flush_or,
    session_rule_errors,
)
from openinfra_live.ptg.states import PUBLIC


def _locked(model: type, row_id: int, event: PtgEvent):
    """The ``model`` row of ``event``, locked until the commit, or None."""
    return db.session.scalars(
        db.select(model)
        .where(model.id == row_id, model.event_id == event.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def _checked_slot(
    event: PtgEvent,
    *,
    team_id: int,
    room_id: int,
    starts_at: datetime,
    ends_at: datetime,
    moving: PtgSession | None = None,
) -> tuple[PtgTeam, Room, datetime, datetime]:
    """The team, room and UTC times of a session that keeps every rule, ``moving`` (the session
    being changed) left out of the comparison; raises ``InvalidSession`` or ``SessionConflict``.

    The team and room rows are locked first, so two moderators placing at once are serialised
    (PostgreSQL; SQLite serialises writers anyway).
    """
    team = _locked(PtgTeam, team_id, event)
    if team is None or team.status not in PUBLIC:
        raise InvalidSession(gettext("Choose an approved team of this event."))
    room = _locked(Room, room_id, event)
    if room is None:
        raise InvalidSession(gettext("Choose a room of this event."))
    others = db.select(PtgSession).where(PtgSession.team_id == team.id)
    if moving is not None:
        others = others.where(PtgSession.id != moving.id)
    team_sessions = [(s.starts_at, s.ends_at) for s in db.session.scalars(others)]
    errors = session_rule_errors(
        starts_at, ends_at, event_days(event), team_sessions, allowed_hours(team)
    )
    if errors:
        raise InvalidSession(errors[0], errors)
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    in_room = db.select(PtgSession).where(
        PtgSession.room_id == room.id,
        PtgSession.starts_at < ends_at,
        PtgSession.ends_at > starts_at,
    )
    if moving is not None:
        in_room = in_room.where(PtgSession.id != moving.id)
    clash = db.session.scalars(in_room).first()
    if clash is not None:
        raise SessionConflict(
            gettext(
                "%(room)s is taken %(start)s–%(end)s UTC by %(team)s.",
                room=room.name,
                start=f"{clash.starts_at:%H:%M}",
                end=f"{clash.ends_at:%H:%M}",
                team=clash.team.name,
            )
        )
    if any(start < ends_at and end > starts_at for start, end in team_sessions):
        raise SessionConflict(gettext("%(team)s already meets at that time.", team=team.name))
    return team, room, starts_at, ends_at


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
    the per-day limit. Side effects: an audit entry; flushes.
    """
    team, room, starts_at, ends_at = _checked_slot(
        event, team_id=team_id, room_id=room_id, starts_at=starts_at, ends_at=ends_at
    )
    session = PtgSession(
        event_id=event.id, team_id=team.id, room_id=room.id, starts_at=starts_at, ends_at=ends_at
    )
    db.session.add(session)
    flush_or(SessionConflict(gettext("%(room)s is already taken at that time.", room=room.name)))
    audit.record(
        "ptg_session_placed",
        session,
        actor=actor,
        detail={"team": team.name, "room": room.name, "starts_at": starts_at.isoformat()},
    )
    return session


def _describe(session: PtgSession) -> dict:
    return {
        "team": session.team.name,
        "room": session.room.name,
        "starts_at": session.starts_at.isoformat(),
        "ends_at": session.ends_at.isoformat(),
    }


def change_session(
    event: PtgEvent,
    session: PtgSession,
    *,
    team_id: int,
    room_id: int,
    starts_at: datetime,
    ends_at: datetime,
    actor=None,
) -> PtgSession:
    """Give a placed session another team, room, day or hours, by the rules of placing one
    (the session itself does not count against the change).

    Side effects: an audit entry with the session before and after; flushes.
    """
    locked = _locked(PtgSession, session.id, event)
    if locked is None:
        raise InvalidSession(gettext("This session is no longer on the schedule."))
    before = _describe(locked)
    team, room, starts_at, ends_at = _checked_slot(
        event,
        team_id=team_id,
        room_id=room_id,
        starts_at=starts_at,
        ends_at=ends_at,
        moving=locked,
    )
    locked.team, locked.room = team, room
    locked.starts_at, locked.ends_at = starts_at, ends_at
    flush_or(SessionConflict(gettext("%(room)s is already taken at that time.", room=room.name)))
    detail = {"before": before, "after": _describe(locked)}
    audit.record("ptg_session_changed", locked, actor=actor, detail=detail)
    return locked


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
