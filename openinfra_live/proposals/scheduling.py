"""Proposals on the programme: scheduling one as an episode or as a segment of a special, and
telling it when that episode or segment is gone. Views commit once with ``workflow.commit``.

Every state change goes through ``states.PROPOSALS.apply``.
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from flask_babel import gettext

from openinfra_live import audit, clock, i18n
from openinfra_live.episodes import editing, specials
from openinfra_live.episodes.models import Episode, EpisodeSegment
from openinfra_live.extensions import db
from openinfra_live.proposals import notifications
from openinfra_live.proposals.models import Proposal, ProposalHistory
from openinfra_live.proposals.services import clean_guests, transition
from openinfra_live.proposals.states import PROPOSALS, ProposalAction
from openinfra_live.timezones import human_utc


def schedule_proposal(
    proposal: Proposal,
    actor: Any,
    *,
    starts_at: datetime,
    title: str,
    description: str,
    guests: Iterable[Sequence[str]],
    duration_minutes: int | None = None,
    special: Episode | None = None,
) -> ProposalHistory:
    """Promote an approved proposal into an episode, or into a segment of ``special`` (its
    guests become the segment's speakers; a segment has no description), in one transaction;
    returns its history entry.

    The conditional UPDATE to ``scheduled`` comes first, so of two moderators pressing at once
    exactly one wins. Side effects: the episode or segment (guests copied), a public history
    row, audit entries, the submitter's mail (queued); flushes. On an error (the episode's or
    the segment's rules) the caller rolls back.
    """
    # Cheap checks first, so a refused request takes no lock.
    PROPOSALS.check(proposal, ProposalAction.SCHEDULE)
    if starts_at < clock.now():
        raise editing.SlotInPastError(starts_at)
    entry = PROPOSALS.apply(proposal, ProposalAction.SCHEDULE, actor=actor)
    if special is None:
        episode = editing.create_episode(
            title=title,
            description=description,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            guests=clean_guests(guests),
            proposal_id=proposal.id,
            actor=actor,
        )
        where = notifications.Placement(episode)
        # The submitter reads it (status page, mail): it is written in their language.
        with i18n.written_in(proposal.language):
            entry.message = gettext(
                "Scheduled for %(when)s: “%(title)s”.",
                when=human_utc(episode.starts_at),
                title=episode.title,
            )
    else:
        fields = specials.SegmentFields(
            title=title,
            starts_at=starts_at,
            duration_minutes=duration_minutes or editing.default_duration(),
            speakers=clean_guests(guests),
        )
        segment = specials.add_segment(special, fields, actor=actor)
        segment.proposal = proposal
        where = notifications.Placement(special, segment)
        with i18n.written_in(proposal.language):
            entry.message = gettext(
                "Scheduled for %(when)s: “%(title)s”, a segment of the special “%(special)s”.",
                when=human_utc(segment.starts_at),
                title=segment.title,
                special=special.title,
            )
    entry.changes = {"episode_id": where.episode.id, "starts_at": where.starts_at.isoformat()}
    if where.segment is not None:
        entry.changes["segment_id"] = where.segment.id
    notifications.status_changed(proposal, entry, where)
    db.session.flush()
    return entry


def cancel_episode(
    proposal: Proposal,
    actor: Any,
    *,
    title: str,
    starts_at: datetime,
    message: str = "",
    special_title: str = "",
) -> ProposalHistory:
    """The episode (or, with ``special_title``, the segment of that special) made of
    ``proposal`` is gone: the proposal waits for a date again.

    Side effects: a public history entry that says, in words, that the episode was cancelled
    (or, for a past one, removed from the site), audit, the submitter's mail (queued); flushes.
    """
    # The submitter reads it (status page, mail): it is written in their language.
    with i18n.written_in(proposal.language):
        said = _gone_words(title, special_title, starts_at)
    text = f"{said}\n\n{message.strip()}" if (message or "").strip() else said
    changes = {"episode": [title, ""], "starts_at": [starts_at.isoformat(), ""]}
    if special_title:
        changes = {"segment": [title, ""], "starts_at": [starts_at.isoformat(), ""]}
    return transition(
        proposal, ProposalAction.CANCEL_EPISODE, actor=actor, message=text, changes=changes
    )


def _gone_words(title: str, special_title: str, starts_at: datetime) -> str:
    """What a proposal's history says of its episode (or segment) that is gone."""
    when = human_utc(starts_at)
    if starts_at > clock.now():
        if special_title:
            return gettext(
                "The segment “%(title)s” of “%(special)s” planned for %(when)s was cancelled:"
                " it is no longer on the programme.",
                title=title,
                special=special_title,
                when=when,
            )
        return gettext(
            "The episode “%(title)s” planned for %(when)s was cancelled: it is no longer on the"
            " programme.",
            title=title,
            when=when,
        )
    if special_title:
        return gettext(
            "The segment “%(title)s” of “%(special)s” of %(when)s was removed from the site.",
            title=title,
            special=special_title,
            when=when,
        )
    return gettext(
        "The episode “%(title)s” of %(when)s was removed from the site.", title=title, when=when
    )


def _tell_gone(proposal: Proposal, actor: Any, **told: Any) -> ProposalHistory:
    """Tell ``proposal`` that what was made of it is gone (``cancel_episode``'s words)."""
    if ProposalAction.CANCEL_EPISODE in PROPOSALS.allowed_actions(proposal):
        return cancel_episode(proposal, actor, **told)
    # A proposal in another state (set by hand): its history still says what happened.
    entry = PROPOSALS.record(
        proposal,
        ProposalAction.CANCEL_EPISODE.value,
        actor=actor,
        message=gettext("“%(title)s” was deleted.", title=told["title"]),
    )
    audit.record("proposal.cancel_episode", proposal, actor=actor)
    db.session.flush()
    return entry


def _segment_facts(segment: EpisodeSegment) -> tuple[Proposal | None, dict[str, Any]]:
    told = {
        "title": segment.title,
        "starts_at": segment.starts_at,
        "special_title": segment.episode.title,
    }
    return segment.proposal, told


def delete_episode(episode: Episode, actor: Any, message: str = "") -> ProposalHistory | None:
    """Delete an episode; the proposals it (or, for a special, its segments) came from are
    told in words.

    Side effects: the episode deleted with its guests, links and segments and audited
    (``editing.delete_episode``); for each proposal made into it, ``cancel_episode`` (the
    proposal waits for a date again; history, audit, mail); flushes. Returns the episode's own
    proposal's history entry, or None for an episode without a proposal.
    """
    proposal = episode.proposal
    from_segments = [_segment_facts(segment) for segment in episode.segments if segment.proposal]
    facts = editing.delete_episode(episode, actor=actor)
    for segment_proposal, told in from_segments:
        _tell_gone(segment_proposal, actor, message=message, **told)
    if proposal is None:
        return None
    told = {"title": facts["title"], "starts_at": facts["starts_at"], "message": message}
    return _tell_gone(proposal, actor, **told)


def delete_segment(segment: EpisodeSegment, actor: Any, message: str = "") -> None:
    """Remove a segment from its special (``specials.delete_segment``); the proposal it came
    from, if any, is told as for a deleted episode (``cancel_episode``)."""
    proposal, told = _segment_facts(segment)
    specials.delete_segment(segment, actor=actor)
    if proposal is not None:
        _tell_gone(proposal, actor, message=message, **told)
