"""PTG rules: the organisers' fairness rules, time windows, and what a registration needs.

Plain functions of plain values, shared by the forms (to explain a rule next to its field)
and the services (which enforce it).
"""

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import gettext, lazy_gettext
from sqlalchemy.exc import IntegrityError

from openinfra_live import timezones
from openinfra_live.extensions import db
from openinfra_live.ptg.models import TEAM_KINDS, PtgEvent, PtgTeam
from openinfra_live.ptg.teamlist import team_name_key
from openinfra_live.urls import web_address

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
    TimeWindow("apac", lazy_gettext("Asia-Pacific"), 0, 4),
    TimeWindow("emea", lazy_gettext("Europe and Africa"), 7, 11),
    TimeWindow("americas", lazy_gettext("Americas"), 14, 18),
)
TIME_WINDOW_KEYS = {window.key for window in TIME_WINDOWS}


SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


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


class InvalidSession(PtgError):
    pass


class SessionConflict(PtgError):
    pass


class InvalidRoom(PtgError):
    pass


class InvalidEvent(PtgError):
    pass


class InUse(PtgError):
    """A room or event cannot be deleted: ``message`` says what is in the way."""


def event_days(event: PtgEvent) -> list[date]:
    """The UTC days the event runs on, first to last."""
    span = (event.ends_on - event.starts_on).days
    return [event.starts_on + timedelta(days=n) for n in range(max(span, 0) + 1)]


def day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def hours_between(start: datetime, end: datetime) -> int:
    """Whole hours from ``start`` to ``end``."""
    return int((end - start).total_seconds() // 3600)


def registration_hours_errors(hours_wanted: object, day_count: int) -> list[str]:
    """Errors of a requested number of hours against the fairness rules (empty when fine)."""
    if isinstance(hours_wanted, bool) or not isinstance(hours_wanted, int):
        return [gettext("Ask for a whole number of hours.")]
    if hours_wanted < 1:
        return [gettext("Ask for at least one hour.")]
    if hours_wanted > MAX_HOURS_TOTAL:
        return [gettext("A team may meet at most %(hours)d hours in total.", hours=MAX_HOURS_TOTAL)]
    if day_count and hours_wanted > MAX_HOURS_PER_DAY * day_count:
        days_needed = math.ceil(hours_wanted / MAX_HOURS_PER_DAY)
        return [
            gettext(
                "A team may meet at most %(per_day)d hours per day, so %(hours)d hours need at "
                "least %(days)d preferred days (you chose %(chosen)d).",
                per_day=MAX_HOURS_PER_DAY,
                hours=hours_wanted,
                days=days_needed,
                chosen=day_count,
            )
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
        return [gettext("Give times in UTC.")]
    starts_at, ends_at = starts_at.astimezone(UTC), ends_at.astimezone(UTC)
    for moment in (starts_at, ends_at):
        if (moment.minute, moment.second, moment.microsecond) != (0, 0, 0):
            return [gettext("Sessions start and end on the hour (whole hours only).")]
    if ends_at <= starts_at:
        return [gettext("A session must end after it starts.")]
    day = starts_at.date()
    if day not in days:
        return [gettext("The session must take place on one of the event's days.")]
    if ends_at > day_start(day) + timedelta(days=1):
        return [gettext("A session must end on the UTC day it starts.")]
    hours = hours_between(starts_at, ends_at)
    that_day = sum(
        hours_between(start, end)
        for start, end in team_sessions
        if start.astimezone(UTC).date() == day
    )
    total = sum(hours_between(start, end) for start, end in team_sessions)
    errors = []
    if that_day + hours > MAX_HOURS_PER_DAY:
        errors.append(
            gettext(
                "The team would meet %(hours)d hours on %(day)s; the limit is %(limit)d hours "
                "per UTC day.",
                hours=that_day + hours,
                day=timezones.write_day(day, "long_day"),
                limit=MAX_HOURS_PER_DAY,
            )
        )
    if total + hours > team_allowed_hours:
        errors.append(
            gettext(
                "The team would meet %(hours)d hours in total; it may meet %(allowed)d hours.",
                hours=total + hours,
                allowed=team_allowed_hours,
            )
        )
    return errors


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
        errors["name"] = [gettext("Give the team's name.")]
    if data.kind not in TEAM_KINDS:
        errors["kind"] = [gettext("Choose the kind of group.")]
    valid_days = {day.isoformat() for day in event_days(event)}
    if not data.preferred_days:
        errors["preferred_days"] = [gettext("Choose at least one day.")]
    elif not set(data.preferred_days) <= valid_days:
        errors["preferred_days"] = [gettext("Choose days of the event.")]
    if not data.time_windows:
        errors["time_windows"] = [gettext("Choose at least one time window.")]
    elif not set(data.time_windows) <= TIME_WINDOW_KEYS:
        errors["time_windows"] = [gettext("Choose among the offered time windows.")]
    hours = registration_hours_errors(data.hours_wanted, len(set(data.preferred_days)))
    if hours:
        errors["hours_wanted"] = hours
    for name in ("etherpad_url", "video_url"):
        value = (getattr(data, name) or "").strip()
        if value and web_address(value) is None:
            errors[name] = [gettext("Give an address starting with http:// or https://.")]
    return errors


def flush_or(error: PtgError) -> None:
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise error from None
