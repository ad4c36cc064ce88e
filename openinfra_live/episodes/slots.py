"""Free default slots: the next ones, and those of a given month, however full the calendar.

A slot is the configured weekday, hour and minute (UTC) that no visible episode overlaps for
the configured length of an episode. The calendar is read a window at a time, one query a
window, until enough free slots are found: a calendar booked two years ahead still offers the
slots after it (a single window of about two years used to offer none).
"""

from datetime import UTC, datetime, timedelta

from openinfra_live import clock
from openinfra_live.episodes.editing import (
    default_duration,
    default_slot_on_or_after,
    visible_around,
)
from openinfra_live.episodes.queries import LAST_YEAR

# How many weekly slots one query looks at.
WINDOW_WEEKS = 104
_END_OF_CALENDAR = datetime(LAST_YEAR, 12, 31, tzinfo=UTC)


def _first_upcoming(after: datetime | None) -> datetime:
    now = clock.now()
    first = default_slot_on_or_after(max(after or now, now))
    if first <= now:
        first += timedelta(days=7)
    return first


def _free_between(first: datetime, last: datetime, count: int) -> list[datetime]:
    """Up to ``count`` free slots from ``first`` (a slot) to ``last`` inclusive, in order."""
    duration = timedelta(minutes=default_duration())
    slots: list[datetime] = []
    window_start = first
    while len(slots) < count and window_start <= last:
        window_end = min(window_start + timedelta(weeks=WINDOW_WEEKS), last + timedelta(days=7))
        around = visible_around(window_start, window_end + duration)
        busy = [(episode.starts_at, episode.ends_at) for episode in around]
        candidate = window_start
        while candidate < window_end and candidate <= last and len(slots) < count:
            end = candidate + duration
            if not any(start < end and finish > candidate for start, finish in busy):
                slots.append(candidate)
            candidate += timedelta(weeks=1)
        window_start = candidate
    return slots


def next_free_slots(count: int = 5, after: datetime | None = None) -> list[datetime]:
    """The next ``count`` free default slots from ``after`` (never before now)."""
    return _free_between(_first_upcoming(after), _END_OF_CALENDAR, count)


def month_bounds(month: str) -> tuple[datetime, datetime] | None:
    """The first instant of ``month`` ("YYYY-MM") and of the month after, or None if invalid."""
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    except (TypeError, ValueError):
        return None
    following = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return start, following


def free_slots_in_month(month: str) -> list[datetime]:
    """Every free default slot of ``month`` ("YYYY-MM") from now on; empty for a bad month."""
    bounds = month_bounds(month)
    if bounds is None:
        return []
    start, following = bounds
    first = _first_upcoming(start)
    return _free_between(first, following - timedelta(microseconds=1), 6)
