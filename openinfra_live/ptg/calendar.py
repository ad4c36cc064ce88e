"""Calendar invites of team sessions: the whole schedule, or one team's sessions."""

from collections.abc import Iterable
from datetime import timedelta

import icalendar
from flask import url_for
from flask_babel import gettext

from openinfra_live.ptg.models import PtgEvent, PtgSession
from openinfra_live.ptg.schedule import ScheduleData, track_names
from openinfra_live.urls import site_domain

PRODID = "-//OpenInfra Live & PTG//PTG schedule//EN"


def session_uid(event: PtgEvent, session: PtgSession) -> str:
    """Stable per session (a session is never edited in place, a move is a new session) and
    whatever host the calendar was asked from: the domain is ``SITE_URL``'s."""
    return f"ptg-{event.slug}-session-{session.id}@{site_domain()}"


def _description(session: PtgSession, schedule_url: str) -> str:
    lines = [
        gettext("%(team)s at the PTG, in %(room)s.", team=session.team.name, room=session.room.name)
    ]
    video = session.team.video_url or session.room.video_url
    if video:
        lines.append(gettext("Video: %(url)s", url=video))
    if session.team.etherpad_url:
        lines.append(gettext("Etherpad: %(url)s", url=session.team.etherpad_url))
    lines.append(gettext("Schedule: %(url)s", url=schedule_url))
    return "\n".join(lines)


def build_calendar(data: ScheduleData, sessions: Iterable[PtgSession], title: str) -> bytes:
    """An iCalendar document with one VEVENT per session, times in UTC."""
    event = data.event
    schedule_url = url_for("ptg.schedule", event=event.slug, _external=True)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", title)
    calendar.add("refresh-interval", timedelta(hours=6), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT6H")
    for session in sessions:
        item = icalendar.Event()
        item.add("uid", session_uid(event, session))
        # The event's last change, not the time of the request: the same schedule gives the
        # same bytes, so conditional GETs and calendar clients see no spurious change.
        item.add("dtstamp", event.updated_at)
        item.add("dtstart", session.starts_at)
        item.add("dtend", session.ends_at)
        item.add("sequence", 0)
        item.add("summary", f"PTG: {session.team.name}")
        item.add("location", session.room.name)
        item.add("description", _description(session, schedule_url))
        item.add("url", schedule_url)
        calendar.add_component(item)
    return calendar.to_ical()


def calendar_filename(event: PtgEvent, team_track: str | None = None) -> str:
    """A download name built from slugs only, never from raw text."""
    if team_track:
        return f"ptg-{event.slug}-{team_track}.ics"
    return f"ptg-{event.slug}.ics"


def team_track(data: ScheduleData, team_id: int) -> str:
    return track_names(data.teams)[team_id]
