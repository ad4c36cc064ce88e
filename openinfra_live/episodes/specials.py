"""Specials: episodes that run for hours or days as segments, and the verbs that write them.

Rules kept here: a segment lasts as an episode may; the segments of one special never overlap;
the special's start and length span its segments (at most ``MAX_SPECIAL_MINUTES``), so the
clash check against other visible episodes and the weekly free slots (``slots``) see the hours
it takes as they see an episode's. A segment's ``key`` is written once, so its calendar event
keeps its UID through edits and re-imports; its ``sequence`` grows when it moves. Services
flush and never commit; after an ``EpisodeError`` the caller rolls back.
"""

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext, ngettext

from openinfra_live import audit, clock
from openinfra_live.episodes import editing, search
from openinfra_live.episodes.models import Episode, EpisodeSegment
from openinfra_live.extensions import db
from openinfra_live.timezones import human_utc_range


class SegmentOverlapError(editing.EpisodeError):
    def __init__(self, other: EpisodeSegment) -> None:
        self.other = other
        when = human_utc_range(other.starts_at, other.ends_at)
        super().__init__(
            gettext(
                "That time overlaps the segment “%(title)s” (%(when)s). Pick another time.",
                title=other.title,
                when=when,
            )
        )


class SpecialTooLongError(editing.EpisodeError):
    def __init__(self) -> None:
        days = editing.MAX_SPECIAL_MINUTES // (24 * 60)
        super().__init__(
            ngettext(
                "A special runs for at most %(num)d day from its first segment.",
                "A special runs for at most %(num)d days from its first segment.",
                days,
            )
        )


class SegmentTitleError(editing.EpisodeError):
    def __init__(self) -> None:
        super().__init__(gettext("A segment needs a title."))


@dataclass
class SegmentFields:
    """What makes a segment, as typed or read from the content file."""

    title: str
    starts_at: datetime
    duration_minutes: int
    speakers: Sequence[Sequence[str]] = ()
    recording_url: str = ""
    key: str = field(default="")


def overlap(fields: SegmentFields, start: datetime, end: datetime) -> bool:
    """Whether a segment's time overlaps ``[start, end)``."""
    return fields.starts_at < end and start < fields.starts_at + timedelta(
        minutes=fields.duration_minutes
    )


def span_minutes(segments: Sequence[SegmentFields]) -> int:
    """Minutes from the first segment's start to the last one's end."""
    first = min(s.starts_at for s in segments)
    end = max(s.starts_at + timedelta(minutes=s.duration_minutes) for s in segments)
    return int((end - first) / timedelta(minutes=1))


def new_key() -> str:
    return secrets.token_hex(8)


def segment_uid(episode: Episode, segment: EpisodeSegment, domain: str) -> str:
    """The calendar UID of a segment: the episode's, with the segment's own key."""
    return f"episode-{episode.id}-segment-{segment.key}@{domain}"


def refresh_search(episode: Episode) -> None:
    """A special's search text also holds its segments' titles and speakers."""
    pairs = list(episode.guest_pairs)
    for segment in episode.segments:
        pairs.append((segment.title, ""))
        pairs.extend(segment.speaker_pairs)
    episode.search_text = search.search_text_of(episode.title, episode.description, pairs)


def _checked(fields: SegmentFields) -> SegmentFields:
    title = " ".join((fields.title or "").split())
    if not title:
        raise SegmentTitleError()
    editing._check_duration(fields.duration_minutes)
    recording = editing._clean_recap(fields.recording_url or "") or ""
    return SegmentFields(
        title=title[:300],
        starts_at=editing._as_utc(fields.starts_at),
        duration_minutes=fields.duration_minutes,
        speakers=editing._clean_guests(fields.speakers),
        recording_url=recording,
        key=fields.key,
    )


def check_segments(segments: Iterable[tuple[datetime, datetime, EpisodeSegment]]) -> None:
    """Refuse two segments that overlap (each given as start, end, the segment)."""
    ordered = sorted(segments, key=lambda item: item[0])
    for (_, end, first), (start, _, second) in zip(ordered, ordered[1:], strict=False):
        if start < end:
            # Name the segment already there, not the one being written.
            raise SegmentOverlapError(second if first.id is None else first)


def _respan(episode: Episode, actor: Any, what: str, detail: dict) -> None:
    """Make the special span its segments, checking its length and other episodes; flush."""
    segments = episode.segments
    check_segments((s.starts_at, s.ends_at, s) for s in segments)
    if segments:
        start = min(s.starts_at for s in segments)
        minutes = int((max(s.ends_at for s in segments) - start) / timedelta(minutes=1))
        if minutes > editing.MAX_SPECIAL_MINUTES:
            raise SpecialTooLongError()
        moved = (start, minutes) != (episode.starts_at, episode.duration_minutes)
        if moved and not episode.hidden:
            editing._claim_slot(start, minutes, exclude_id=episode.id)
        if moved:
            episode.starts_at, episode.duration_minutes = start, minutes
            episode.sequence = (episode.sequence or 0) + 1
    episode.special = True
    episode.updated_at = clock.now()
    refresh_search(episode)
    editing._flush_schedule_change(episode.starts_at)
    audit.record(what, episode, actor=actor, detail=detail)
    db.session.flush()


def create_special(*, title: str, starts_at: datetime, actor: Any = None, **fields: Any) -> Episode:
    """Create an episode that is a special, spanning from ``starts_at`` until segments are
    added (``editing.create_episode``'s fields, side effects and errors)."""
    episode = editing.create_episode(title=title, starts_at=starts_at, actor=actor, **fields)
    episode.special = True
    db.session.flush()
    return episode


def _refuse_new_past(episode: Episode, start: datetime) -> None:
    """An upcoming special cannot gain a segment in the past (as an episode cannot move there)."""
    if start < clock.now() <= episode.starts_at:
        raise editing.SlotInPastError(start)


def add_segment(episode: Episode, fields: SegmentFields, actor: Any = None) -> EpisodeSegment:
    """Add a segment to ``episode``, which becomes (or stays) a special.

    Side effects: the segment and its speakers inserted, the special's span, ``sequence`` (when
    the span moves), ``updated_at`` and search text, an ``episode.segment_add`` audit entry;
    flushes. Raises ``SegmentOverlapError``, ``SlotClashError``, ``SpecialTooLongError``,
    ``SlotInPastError``, ``InvalidDurationError``, ``InvalidLinkError``, ``SegmentTitleError``.
    """
    fields = _checked(fields)
    _refuse_new_past(episode, fields.starts_at)
    segment = EpisodeSegment(
        key=fields.key or new_key(),
        title=fields.title,
        starts_at=fields.starts_at,
        duration_minutes=fields.duration_minutes,
        recording_url=fields.recording_url or None,
        speaker_pairs=fields.speakers,
    )
    episode.segments.append(segment)
    detail = {"segment": fields.title, "starts_at": fields.starts_at.isoformat()}
    _respan(episode, actor, "episode.segment_add", detail)
    return segment


def update_segment(segment: EpisodeSegment, fields: SegmentFields, actor: Any = None) -> bool:
    """Change a segment; returns whether anything changed. Moving it bumps its ``sequence``.

    Side effects and errors as :func:`add_segment` (audit ``episode.segment_update``).
    """
    fields = _checked(fields)
    episode = segment.episode
    moved = (fields.starts_at, fields.duration_minutes) != (
        segment.starts_at,
        segment.duration_minutes,
    )
    if moved:
        _refuse_new_past(episode, fields.starts_at)
    changed = moved or (fields.title, fields.recording_url or None, list(fields.speakers)) != (
        segment.title,
        segment.recording_url,
        segment.speaker_pairs,
    )
    if not changed:
        return False
    segment.title, segment.recording_url = fields.title, fields.recording_url or None
    segment.starts_at, segment.duration_minutes = fields.starts_at, fields.duration_minutes
    if list(fields.speakers) != segment.speaker_pairs:
        segment.speaker_pairs = fields.speakers
    if moved:
        segment.sequence = (segment.sequence or 0) + 1
    episode.segments.sort(key=lambda s: (s.starts_at, s.id or 0))
    _respan(episode, actor, "episode.segment_update", {"segment": segment.title})
    return True


def delete_segment(segment: EpisodeSegment, actor: Any = None) -> None:
    """Remove a segment; the special then spans the others. Side effects as :func:`add_segment`
    (audit ``episode.segment_delete``)."""
    episode = segment.episode
    episode.segments.remove(segment)
    _respan(episode, actor, "episode.segment_delete", {"segment": segment.title})


def move_segment(segment: EpisodeSegment, earlier: bool, actor: Any = None) -> None:
    """Swap a segment with the one before (``earlier``) or after it in the run of the show:
    the one that comes first starts where the first of the two started, and the gap between
    them stays. Both segments' ``sequence`` grow. Nothing happens at either end."""
    ordered = list(segment.episode.segments)
    index = ordered.index(segment)
    other_index = index - 1 if earlier else index + 1
    if not 0 <= other_index < len(ordered):
        return
    first, second = sorted((segment, ordered[other_index]), key=lambda s: s.starts_at)
    gap = second.starts_at - first.ends_at
    start = first.starts_at
    second.starts_at = start
    first.starts_at = second.ends_at + gap
    first.sequence, second.sequence = (first.sequence or 0) + 1, (second.sequence or 0) + 1
    segment.episode.segments.sort(key=lambda s: (s.starts_at, s.id or 0))
    _respan(segment.episode, actor, "episode.segment_move", {"segment": segment.title})


def merge_segments(episode: Episode, wanted: Sequence[SegmentFields]) -> bool:
    """Make the segments of ``episode`` the ``wanted`` ones (checked), without the schedule's
    rules; returns whether anything changed. A segment already there with the same key, else
    the same title, else the same start keeps its key, so its calendar event keeps its UID; a
    moved one gets a higher ``sequence``."""
    old = list(episode.segments)
    before = [(s.key, s.title, s.starts_at, s.duration_minutes, s.speaker_pairs) for s in old]
    kept: list[EpisodeSegment] = []
    for fields in wanted:
        match = next((s for s in old if fields.key and s.key == fields.key), None)
        match = match or next((s for s in old if s.title == fields.title), None)
        match = match or next((s for s in old if s.starts_at == fields.starts_at), None)
        if match is None:
            match = EpisodeSegment(key=fields.key or new_key(), sequence=0)
        else:
            old.remove(match)
            if (match.starts_at, match.duration_minutes) != (
                fields.starts_at,
                fields.duration_minutes,
            ):
                match.sequence = (match.sequence or 0) + 1
        match.title, match.recording_url = fields.title, fields.recording_url or None
        match.starts_at, match.duration_minutes = fields.starts_at, fields.duration_minutes
        if match.id is None or list(fields.speakers) != match.speaker_pairs:
            match.speaker_pairs = list(fields.speakers)
        kept.append(match)
    episode.segments = sorted(kept, key=lambda s: s.starts_at)
    after = [(s.key, s.title, s.starts_at, s.duration_minutes, s.speaker_pairs) for s in kept]
    return before != after or not episode.special


def open_specials(now: datetime) -> list[Episode]:
    """Specials not yet over, hidden ones too, soonest first: those a segment may join."""
    ends = db.select(Episode).where(Episode.special.is_(True)).order_by(Episode.starts_at)
    return [episode for episode in db.session.scalars(ends) if episode.ends_at > now]


def segment_days(episode: Episode) -> list[tuple[datetime, list[EpisodeSegment]]]:
    """The run of the show by UTC day: each day's first start and its segments, in order."""
    days: list[tuple[datetime, list[EpisodeSegment]]] = []
    for segment in episode.segments:
        if days and days[-1][0].date() == segment.starts_at.date():
            days[-1][1].append(segment)
        else:
            days.append((segment.starts_at, [segment]))
    return days


def special_summary(episode: Episode) -> str:
    """ "2 days · 9 segments": how long a special runs, by UTC day, and in how many parts."""
    days = len({segment.starts_at.date() for segment in episode.segments})
    count = len(episode.segments)
    day_words = ngettext("%(num)d day", "%(num)d days", days)
    segment_words = ngettext("%(num)d segment", "%(num)d segments", count)
    return f"{day_words} · {segment_words}"


def now_and_next(
    episode: Episode, now: datetime
) -> tuple[EpisodeSegment | None, EpisodeSegment | None]:
    """The segment on air at ``now``, if any, and the next one to start."""
    live = next((s for s in episode.segments if s.starts_at <= now < s.ends_at), None)
    upcoming = next((s for s in episode.segments if s.starts_at > now), None)
    return live, upcoming
