"""PTG team sessions: place an approved team in a room for whole hours, or remove it."""

from datetime import UTC, datetime

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
