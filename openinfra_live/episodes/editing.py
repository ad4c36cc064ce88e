"""Write-side services for episodes: free slots, clashes, create, update, hide and unhide.

Rules kept here: two visible episodes never overlap, and a new episode cannot start in the
past (imported and edited past episodes can; an upcoming episode cannot be moved into the
past). Watch/listen links and the recap link are absolute http(s) addresses. Every change
moves ``updated_at``. The database has the last word on races: a scheduling lock taken
before the clash check, and the partial unique index on the start of visible episodes.
Services flush and never commit; after an ``EpisodeError`` the caller rolls back.
"""

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext
from sqlalchemy import delete, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from openinfra_live import audit, clock, sanitize
from openinfra_live.episodes import search
from openinfra_live.episodes.models import Episode
from openinfra_live.episodes.recordings import PLATFORM_LABELS, platform_key
from openinfra_live.episodes.refusals import (
    MAX_EPISODE_MINUTES,
    MIN_EPISODE_MINUTES,
    EpisodeError,
    InvalidDurationError,
    InvalidLinkError,
    PastEpisodeMoveError,
    SlotClashError,
    SlotInPastError,
)
from openinfra_live.episodes.slugs import unique_episode_slug
from openinfra_live.extensions import db
from openinfra_live.urls import web_address

# A special spans at most this long; clash checks look this far back for what may still run.
MAX_SPECIAL_MINUTES = 14 * 24 * 60
MAX_PLATFORM = 50
MAX_LINKS = 20
# An arbitrary constant naming the PostgreSQL advisory lock that serialises scheduling.
SCHEDULE_LOCK_KEY = 7_240_101


def normalize_platform(platform: str) -> str:
    """Known platforms are stored by key (``"YouTube"`` → ``"youtube"``), as the importer does,
    so the recording player and the export find them; others are kept as typed."""
    key = platform_key(platform)
    if key in PLATFORM_LABELS:
        return key
    return " ".join(platform.split())[:MAX_PLATFORM]


def _address(url: str, field: str) -> str:
    address = web_address(url)
    if address is None:
        raise InvalidLinkError(url.strip(), field)
    return address


def _clean_links(links: Iterable[Sequence[str]]) -> list[tuple[str, str]]:
    """(platform, url) pairs checked and normalised; rows with neither are dropped."""
    cleaned = []
    for platform, url in links:
        platform, url = (platform or "").strip(), (url or "").strip()
        if platform or url:
            cleaned.append((normalize_platform(platform) or "link", _address(url, "links")))
    if len(cleaned) > MAX_LINKS:
        raise EpisodeError(
            gettext("An episode has at most %(max)d watch/listen links.", max=MAX_LINKS)
        )
    return cleaned


def _clean_recap(recap_url: str) -> str | None:
    return _address(recap_url, "recap_url") if recap_url.strip() else None


def _clean_guests(guests: Iterable[Sequence[str]]) -> list[tuple[str, str]]:
    """(name, affiliation) pairs stripped; rows without a name are dropped."""
    return [
        (name.strip(), (affiliation or "").strip())
        for name, affiliation in guests
        if name and name.strip()
    ]


def _as_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
    return value.astimezone(UTC)


def _check_duration(minutes: int) -> None:
    if not MIN_EPISODE_MINUTES <= minutes <= MAX_EPISODE_MINUTES:
        raise InvalidDurationError(minutes)


def default_duration() -> int:
    """The configured length of an episode, in minutes."""
    return int(current_app.config["DEFAULT_EPISODE_MINUTES"])


def lock_schedule() -> None:
    """Serialise writers of the schedule until the end of the current transaction.

    Without it two transactions could each check for clashes, see none, and insert episodes
    that overlap without sharing a start (which the unique index alone would catch).
    PostgreSQL takes a transaction-scoped advisory lock; SQLite takes its database write lock
    with a statement that writes nothing.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEDULE_LOCK_KEY})
    else:
        # Plain SQL: it changes no content, so nothing should treat it as a content change.
        db.session.execute(text("UPDATE episodes SET sequence = sequence WHERE 1 = 0"))


def visible_around(start: datetime, end: datetime, exclude_id: int | None = None) -> list[Episode]:
    """Visible episodes that start before ``end`` and may still run at ``start``, by start."""
    query = db.select(Episode).where(
        Episode.hidden.is_(False),
        Episode.starts_at < end,
        Episode.starts_at > start - timedelta(minutes=MAX_SPECIAL_MINUTES),
    )
    if exclude_id is not None:
        query = query.where(Episode.id != exclude_id)
    return list(db.session.scalars(query.order_by(Episode.starts_at)))


def find_clash(
    starts_at: datetime, duration_minutes: int, exclude_id: int | None = None
) -> Episode | None:
    """The first visible episode whose time overlaps ``[starts_at, starts_at + duration)``."""
    start = _as_utc(starts_at)
    end = start + timedelta(minutes=duration_minutes)
    around = visible_around(start, end, exclude_id)
    return next((episode for episode in around if episode.ends_at > start), None)


def default_slot_on_or_after(moment: datetime) -> datetime:
    """The first default slot (configured weekday, hour and minute, UTC) at or after ``moment``."""
    config = current_app.config
    moment = _as_utc(moment)
    candidate = moment.replace(
        hour=config["DEFAULT_SLOT_HOUR"],
        minute=config["DEFAULT_SLOT_MINUTE"],
        second=0,
        microsecond=0,
    )
    candidate += timedelta(days=(config["DEFAULT_SLOT_WEEKDAY"] - candidate.weekday()) % 7)
    if candidate < moment:
        candidate += timedelta(days=7)
    return candidate


def _claim_slot(starts_at: datetime, minutes: int, exclude_id: int | None = None) -> None:
    """Take the scheduling lock, then refuse a slot that overlaps a visible episode."""
    lock_schedule()
    clash = find_clash(starts_at, minutes, exclude_id)
    if clash is not None:
        raise SlotClashError(starts_at, clash)


def _flush_schedule_change(starts_at: datetime) -> None:
    """Flush, turning a same-start race lost at the unique index into a clear error."""
    try:
        db.session.flush()
    except IntegrityError as error:
        message = str(error.orig)
        if "uq_episodes_visible_start" in message or "episodes.starts_at" in message:
            raise SlotClashError(starts_at) from error
        raise


def create_episode(
    *,
    title: str,
    starts_at: datetime,
    description: str = "",
    duration_minutes: int | None = None,
    guests: Iterable[Sequence[str]] = (),
    links: Iterable[Sequence[str]] = (),
    recap_url: str = "",
    proposal_id: int | None = None,
    hidden: bool = False,
    actor: Any = None,
) -> Episode:
    """Create an episode in a free slot that is not in the past.

    Side effects: takes the scheduling lock, inserts the episode with its guests and
    watch/listen links (description cleaned) and its search text (``search.refresh``), writes
    an ``episode.create`` audit entry, flushes. Raises ``SlotInPastError``, ``SlotClashError``,
    ``InvalidDurationError`` or ``InvalidLinkError``.
    """
    starts_at = _as_utc(starts_at)
    minutes = duration_minutes or default_duration()
    _check_duration(minutes)
    episode = Episode(
        slug=unique_episode_slug(title, starts_at),
        title=title.strip(),
        description=sanitize.clean_html(description),
        starts_at=starts_at,
        duration_minutes=minutes,
        hidden=hidden,
        link_pairs=_clean_links(links),
        recap_url=_clean_recap(recap_url),
        guest_pairs=_clean_guests(guests),
        proposal_id=proposal_id,
    )
    if starts_at < clock.now():
        raise SlotInPastError(starts_at)
    if not hidden:
        _claim_slot(starts_at, minutes)
    search.refresh(episode)
    db.session.add(episode)
    _flush_schedule_change(starts_at)
    detail = {"starts_at": starts_at.isoformat(), "proposal_id": proposal_id}
    audit.record("episode.create", episode, actor=actor, detail=detail)
    db.session.flush()
    return episode


# How ``update_episode`` cleans each field it is given, links first as ``create_episode`` does.
_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "links": _clean_links,
    "recap_url": _clean_recap,
    "title": str.strip,
    "description": sanitize.clean_html,
    "guests": _clean_guests,
}
# The fields kept in rows of their own, set through the episode's pairs.
_PAIRS = {"guests": "guest_pairs", "links": "link_pairs"}


def update_episode(
    episode: Episode,
    *,
    title: str | None = None,
    description: str | None = None,
    starts_at: datetime | None = None,
    duration_minutes: int | None = None,
    guests: Iterable[Sequence[str]] | None = None,
    links: Iterable[Sequence[str]] | None = None,
    recap_url: str | None = None,
    actor: Any = None,
    confirm_past: bool = False,
) -> dict[str, list]:
    """Change an episode; returns ``{field: [old, new]}`` of what changed.

    ``None`` leaves a field as it is; an empty ``recap_url`` removes the recap link. Moving it
    (start or duration) checks clashes among visible episodes and bumps ``sequence`` so
    calendar clients replace the old invite. Past times are allowed for an episode that is
    already past (corrections to the archive, only with ``confirm_past``, else
    ``PastEpisodeMoveError``), not for an upcoming one. Side effects when something changed:
    ``updated_at``, the search text (``search.refresh``) and an ``episode.update`` audit
    entry; flushes. Raises ``SlotClashError``, ``SlotInPastError``, ``InvalidDurationError``
    or ``InvalidLinkError`` (and ``PastEpisodeMoveError``).
    """
    new_start = _as_utc(starts_at) if starts_at is not None else episode.starts_at
    new_minutes = duration_minutes if duration_minutes is not None else episode.duration_minutes
    if duration_minutes is not None:  # a special's span is longer, and checked on its own
        _check_duration(new_minutes)
    given = {"links": links, "recap_url": recap_url, "title": title}
    given |= {"description": description, "guests": guests}
    wanted = {name: _CLEANERS[name](value) for name, value in given.items() if value is not None}
    wanted |= {"starts_at": new_start, "duration_minutes": new_minutes}
    now = clock.now()
    if new_start != episode.starts_at and new_start < now <= episode.starts_at:
        raise SlotInPastError(new_start)
    moved = new_start != episode.starts_at or new_minutes != episode.duration_minutes
    if moved and episode.starts_at <= now and not confirm_past:
        raise PastEpisodeMoveError()
    if moved and not episode.hidden:
        _claim_slot(new_start, new_minutes, exclude_id=episode.id)
    changes: dict[str, list] = {}
    for name, value in wanted.items():
        attribute = _PAIRS.get(name, name)
        old = getattr(episode, attribute)
        if value != old:
            changes[name] = [old, value]
            setattr(episode, attribute, value)
    if "starts_at" in changes:
        changes["starts_at"] = [moment.isoformat() for moment in changes["starts_at"]]
    if moved:
        episode.sequence = (episode.sequence or 0) + 1
    if changes:
        # Guests and links live in their own tables; the episode row moves with them anyway.
        episode.updated_at = now
        search.refresh(episode)
        _flush_schedule_change(new_start)
        audit.record("episode.update", episode, actor=actor, detail={"changed": sorted(changes)})
        db.session.flush()
    return changes


def hide_episode(episode: Episode, actor: Any = None) -> None:
    """Take an episode off the public pages. Side effects: audit entry; flushes."""
    if episode.hidden:
        return
    episode.hidden = True
    episode.updated_at = clock.now()
    audit.record("episode.hide", episode, actor=actor)
    db.session.flush()


def unhide_episode(episode: Episode, actor: Any = None) -> None:
    """Show a hidden episode again, unless it would overlap a visible one.

    Side effects: audit entry; flushes. Raises ``SlotClashError``.
    """
    if not episode.hidden:
        return
    _claim_slot(episode.starts_at, episode.duration_minutes, exclude_id=episode.id)
    episode.hidden = False
    episode.updated_at = clock.now()
    _flush_schedule_change(episode.starts_at)
    audit.record("episode.unhide", episode, actor=actor)
    db.session.flush()


def delete_episode(episode: Episode, actor: Any = None) -> dict[str, Any]:
    """Delete an episode for good, with its guests and links; returns what it was.

    Side effects: the rows deleted (the search index follows by its triggers), an
    ``episode.delete`` audit entry naming the episode; flushes. The proposal it came from, if
    any, is the caller's to update (``proposals.services.delete_episode``). Raises
    ``EpisodeError`` when another transaction deleted it first.
    """
    facts = {
        "id": episode.id,
        "title": episode.title,
        "slug": episode.slug,
        "starts_at": episode.starts_at,
        "proposal_id": episode.proposal_id,
    }
    detail = {"title": episode.title, "starts_at": episode.starts_at.isoformat()}
    audit.record("episode.delete", episode, actor=actor, detail=detail)
    # A conditional DELETE: of two moderators deleting at once, the second deletes nothing and
    # is told. Guests and links go with the row (ON DELETE CASCADE), the search index by its
    # triggers.
    result = db.session.execute(
        delete(Episode).where(Episode.id == episode.id),
        execution_options={"synchronize_session": False},
    )
    if result.rowcount != 1:
        raise EpisodeError(gettext("This episode was already deleted."))
    if episode.proposal is not None:
        # The proposal in memory forgets it too, so no cascade brings the row back.
        set_committed_value(episode.proposal, "episode", None)
    db.session.expunge(episode)
    db.session.flush()
    return facts
