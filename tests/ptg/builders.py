"""Builders of PTG rows for tests (call inside an app context; they flush, the test commits)."""

from datetime import UTC, date, datetime

from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam, Room
from openinfra_live.ptg.teamlist import team_name_key


def make_event(
    slug: str = "2030-march",
    name: str = "PTG March 2030",
    starts_on: date = date(2030, 3, 18),
    ends_on: date = date(2030, 3, 22),
    **fields,
) -> PtgEvent:
    fields.setdefault("registration_open", True)
    event = PtgEvent(slug=slug, name=name, starts_on=starts_on, ends_on=ends_on, **fields)
    db.session.add(event)
    db.session.flush()
    return event


def make_team(event: PtgEvent, name: str = "Nova", status: str = "approved", **fields) -> PtgTeam:
    fields.setdefault("kind", "project_team")
    fields.setdefault("contact_email", "lead@example.org")
    fields.setdefault("contact_name", "Team Lead")
    team = PtgTeam(
        event_id=event.id, name=name, name_key=team_name_key(name), status=status, **fields
    )
    db.session.add(team)
    db.session.flush()
    return team


def make_room(event: PtgEvent, name: str = "Austin", **fields) -> Room:
    room = Room(event_id=event.id, name=name, **fields)
    db.session.add(room)
    db.session.flush()
    return room


def at(day: int, hour: int, month: int = 3, year: int = 2030) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


def make_session(team: PtgTeam, room: Room, starts_at: datetime, ends_at: datetime) -> PtgSession:
    session = PtgSession(
        event_id=team.event_id,
        team_id=team.id,
        room_id=room.id,
        starts_at=starts_at,
        ends_at=ends_at,
    )
    db.session.add(session)
    db.session.flush()
    return session
