"""An event's schedule read once: the day × room grid, "now" and "next", the PTGbot export."""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.orm import contains_eager

from openinfra_live.extensions import db
from openinfra_live.ptg.models import PtgEvent, PtgSession, PtgTeam, Room
from openinfra_live.ptg.rules import day_start, event_days, hours_between
from openinfra_live.ptg.states import PUBLIC

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_NON_WORD = re.compile(r"[^a-z0-9]+")


@dataclass
class ScheduleData:
    """Everything a schedule view shows, loaded with three queries whatever its size."""

    event: PtgEvent
    rooms: list[Room]
    sessions: list[PtgSession]
    teams: list[PtgTeam]

    def version_parts(self) -> tuple:
        """What identifies this version of the schedule, for conditional GETs."""
        return (
            self.event.id,
            self.event.slug,
            self.event.name,
            self.event.updated_at,
            tuple((r.id, r.name, r.capacity, r.video_url) for r in self.rooms),
            tuple((s.id, s.team_id, s.room_id, s.starts_at, s.ends_at) for s in self.sessions),
            tuple(
                (t.id, t.name, t.kind, t.video_url, t.etherpad_url, t.updated_at)
                for t in self.teams
            ),
        )

    def sessions_of(self, team_id: int) -> list[PtgSession]:
        return [s for s in self.sessions if s.team_id == team_id]


def load(event: PtgEvent) -> ScheduleData:
    """Rooms, approved teams and their sessions of ``event``."""
    public = [status.value for status in PUBLIC]
    rooms = list(
        db.session.scalars(db.select(Room).filter_by(event_id=event.id).order_by(Room.name))
    )
    sessions = list(
        db.session.scalars(
            db.select(PtgSession)
            .join(PtgSession.team)
            .join(PtgSession.room)
            .where(PtgSession.event_id == event.id, PtgTeam.status.in_(public))
            .options(contains_eager(PtgSession.team), contains_eager(PtgSession.room))
            .order_by(PtgSession.starts_at, Room.name)
        ).unique()
    )
    teams = list(
        db.session.scalars(
            db.select(PtgTeam)
            .where(PtgTeam.event_id == event.id, PtgTeam.status.in_(public))
            .order_by(PtgTeam.name, PtgTeam.id)
        )
    )
    return ScheduleData(event=event, rooms=rooms, sessions=sessions, teams=teams)


# --- now and next ----------------------------------------------------------------------------


def event_in_progress(event: PtgEvent, now: datetime) -> bool:
    return event.starts_on <= now.date() <= event.ends_on


def now_and_next(sessions: list[PtgSession], now: datetime) -> tuple[set[int], set[int]]:
    """Ids of the sessions running at ``now``, and of those starting soonest after it."""
    running = {s.id for s in sessions if s.starts_at <= now < s.ends_at}
    upcoming = [s for s in sessions if s.starts_at > now]
    if not upcoming:
        return running, set()
    soonest = min(s.starts_at for s in upcoming)
    return running, {s.id for s in upcoming if s.starts_at == soonest}


# --- the grid --------------------------------------------------------------------------------


@dataclass
class Cell:
    """One room at one hour: a session starting there, a free hour, or the tail of a session."""

    kind: str  # "session", "free" or "covered"
    session: PtgSession | None = None
    rowspan: int = 1
    is_now: bool = False
    is_next: bool = False


@dataclass
class DayGrid:
    day: date
    rows: list[tuple[int, list[Cell]]] = field(default_factory=list)
    sessions: list[PtgSession] = field(default_factory=list)


def hours(session: PtgSession) -> int:
    """How many whole hours the session lasts."""
    return hours_between(session.starts_at, session.ends_at)


def build_grid(
    data: ScheduleData, now_ids: set[int] = frozenset(), next_ids: set[int] = frozenset()
) -> list[DayGrid]:
    """One table per event day: rooms as columns, hours as rows (the span that has sessions)."""
    grids = []
    for day in event_days(data.event):
        todays = [s for s in data.sessions if s.starts_at.date() == day]
        grid = DayGrid(day=day, sessions=todays)
        grids.append(grid)
        if not todays:
            continue
        first = min(s.starts_at.hour for s in todays)
        last = max(s.starts_at.hour + hours(s) for s in todays)
        starting = {(s.room_id, s.starts_at.hour): s for s in todays}
        covered = {
            (s.room_id, s.starts_at.hour + offset) for s in todays for offset in range(1, hours(s))
        }
        for hour in range(first, min(last, 24)):
            cells = []
            for room in data.rooms:
                session = starting.get((room.id, hour))
                if session is not None:
                    cells.append(
                        Cell(
                            "session",
                            session,
                            rowspan=hours(session),
                            is_now=session.id in now_ids,
                            is_next=session.id in next_ids,
                        )
                    )
                elif (room.id, hour) in covered:
                    cells.append(Cell("covered"))
                else:
                    cells.append(Cell("free"))
            grid.rows.append((hour, cells))
    return grids


def hour_label(day: date, hour: int) -> datetime:
    """The aware UTC moment of ``hour`` on ``day`` (for ``<time>`` elements)."""
    return day_start(day) + timedelta(hours=hour)


# --- PTGbot ----------------------------------------------------------------------------------


def _track_slug(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return _NON_WORD.sub("-", ascii_name.lower()).strip("-")


def track_names(teams: list[PtgTeam]) -> dict[int, str]:
    """Each team's PTGbot track: one lower-case word, as the bot's ``#track`` commands need.

    Distinct names that fold to the same track (``D&I WG``, ``D+I WG``) get ``-2``,
    ``-3``… in registration order, so every team keeps its own track.
    """
    names: dict[int, str] = {}
    taken: set[str] = set()
    for team in sorted(teams, key=lambda t: t.id):
        base = _track_slug(team.name) or f"team-{team.id}"
        track, suffix = base, 2
        while track in taken:
            track, suffix = f"{base}-{suffix}", suffix + 1
        taken.add(track)
        names[team.id] = track
    return names


def _slot_name(day: date, hour: int) -> str:
    # No hyphen: the bot splits "Room-Slot" on the first one when teams book.
    return f"{DAY_NAMES[day.weekday()][:3]}{hour:02d}"


def ptgbot_document(data: ScheduleData) -> dict:
    """The schedule as the PTGbot loads it (``~fetchdb``): slots per day, tracks, room bookings.

    Slots are the hours of each day that has sessions, from its first session to its last;
    every room lists every slot, empty when free so the bot can offer it for booking. A room's
    video address is its ``url``; a team's own video address and etherpad are keyed by track.
    """
    tracks = track_names(data.teams)
    slots: dict[str, list[dict]] = {}
    slot_keys: list[tuple[date, int, str]] = []
    for grid in build_grid(data):
        if not grid.rows:
            continue
        day_slots = []
        for hour, _cells in grid.rows:
            name = _slot_name(grid.day, hour)
            end = f"{hour + 1:02d}:00"
            day_slots.append(
                {
                    "name": name,
                    "desc": f"{hour:02d}:00-{end}",
                    "realtime": f"{grid.day.isoformat()}T{hour:02d}:00:00Z",
                }
            )
            slot_keys.append((grid.day, hour, name))
        slots[DAY_NAMES[grid.day.weekday()]] = day_slots

    booked: dict[tuple[int, date, int], str] = {}
    for session in data.sessions:
        for offset in range(hours(session)):
            moment = session.starts_at + timedelta(hours=offset)
            booked[(session.room_id, moment.date(), moment.hour)] = tracks[session.team_id]

    schedule: dict[str, dict[str, str]] = {}
    for room in data.rooms:
        bookings: dict[str, str] = {}
        if room.video_url:
            bookings["url"] = room.video_url
        for day, hour, name in slot_keys:
            bookings[name] = booked.get((room.id, day, hour), "")
        schedule[room.name] = bookings

    by_track = sorted(data.teams, key=lambda t: tracks[t.id])
    return {
        "eventid": data.event.slug,
        "slots": slots,
        "tracks": [tracks[t.id] for t in by_track],
        "schedule": schedule,
        "urls": {tracks[t.id]: t.video_url for t in by_track if t.video_url},
        "etherpads": {tracks[t.id]: t.etherpad_url for t in by_track if t.etherpad_url},
    }
