"""E-mails to the submitter: on submission, on public state changes, when the episode moves.

The verbs queue them in the workflow outbox; ``workflow.commit`` sends them after the commit.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import url_for
from flask_babel import lazy_gettext

from openinfra_live import tokens, workflow
from openinfra_live.episodes.models import Episode, EpisodeSegment
from openinfra_live.proposals import states
from openinfra_live.proposals.models import Proposal, ProposalHistory
from openinfra_live.urls import site_url_for

# The private status link's token is derived from the seed kept in ``submission_nonce``.
STATUS_LINK = b"proposal-status-link\x00"

# The subject of the mail of each state, given the proposal's title: a lazy message, written
# when the mail is queued, in the submitter's language rather than the moderator's.
SUBJECTS = {
    states.ProposalState.APPROVED: lambda title: lazy_gettext(
        "Your episode idea was approved: %(title)s", title=title
    ),
    states.ProposalState.DECLINED: lambda title: lazy_gettext(
        "About your episode idea: %(title)s", title=title
    ),
    states.ProposalState.CHANGES_REQUESTED: lambda title: lazy_gettext(
        "Changes requested to your episode idea: %(title)s", title=title
    ),
    states.ProposalState.WITHDRAWN: lambda title: lazy_gettext(
        "Your episode idea was withdrawn: %(title)s", title=title
    ),
    states.ProposalState.SCHEDULED: lambda title: lazy_gettext(
        "Your episode idea is scheduled: %(title)s", title=title
    ),
    states.ProposalState.SUBMITTED: lambda title: lazy_gettext(
        "Your edited episode idea was received: %(title)s", title=title
    ),
}

# Corrections by moderators lead to states the usual subject would misname.
SUBJECTS_BY_ACTION = {
    states.ProposalAction.REOPEN: lambda title: lazy_gettext(
        "Your episode idea is being reviewed again: %(title)s", title=title
    ),
    states.ProposalAction.CANCEL_EPISODE: lambda title: lazy_gettext(
        "The episode of your idea was cancelled: %(title)s", title=title
    ),
}


def status_token(proposal: Proposal) -> str:
    """The token of the proposal's current private status link."""
    return tokens.derive(STATUS_LINK, proposal.submission_nonce or "")


def status_url(proposal: Proposal, token: str | None = None) -> str:
    """The absolute address of the proposal's private status page."""
    return site_url_for("proposals.status", token=token or status_token(proposal))


def episode_url(slug: str) -> str:
    """The absolute address of an episode page (``/episodes/<slug>/`` in the URL map)."""
    return url_for("episodes.detail", slug=slug, _external=True)


@dataclass(frozen=True)
class Placement:
    """Where a scheduled proposal is on the programme: an episode, or a segment of a special."""

    episode: Episode
    segment: EpisodeSegment | None = None

    @property
    def title(self) -> str:
        return self.segment.title if self.segment else self.episode.title

    @property
    def starts_at(self) -> datetime:
        return self.segment.starts_at if self.segment else self.episode.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.segment.ends_at if self.segment else self.episode.ends_at

    @property
    def url(self) -> str:
        """The public page's absolute address; a segment's has its anchor in the run of the show."""
        page = site_url_for("episodes.detail", slug=self.episode.slug)
        return f"{page}#segment-{self.segment.key}" if self.segment else page


def placement(proposal: Proposal) -> Placement | None:
    """The episode or segment made of ``proposal``, if it is still on the programme."""
    if proposal.episode is not None:
        return Placement(proposal.episode)
    if proposal.segment is not None:
        return Placement(proposal.segment.episode, proposal.segment)
    return None


def _mail(proposal: Proposal, subject: Any, template: str, **context: object) -> None:
    """Queue ``templates/mail/<template>`` to the submitter, with the status link (so the
    mail is a secret one: see ``workflow.queue``), in the language the proposal was written in."""
    context.setdefault("status_url", status_url(proposal))
    workflow.queue(
        proposal.submitter_email,
        subject,
        f"mail/{template}",
        language=proposal.language,
        secret=True,
        proposal=proposal,
        **context,
    )


def proposal_received(proposal: Proposal, token: str) -> None:
    """Queue the confirmation of a new proposal, with the private status link."""
    subject = lazy_gettext("We received your episode idea: %(title)s", title=proposal.title)
    _mail(proposal, subject, "proposal_received.txt", status_url=status_url(proposal, token))


def status_changed(
    proposal: Proposal, entry: ProposalHistory, where: Placement | None = None
) -> None:
    """Queue the news of a public state change, with the moderator's message (and, once it
    is scheduled, where it is on the programme)."""
    if not entry.is_public or entry.to_status is None:
        return
    state = states.ProposalState(entry.to_status)
    subject = SUBJECTS_BY_ACTION.get(entry.action, SUBJECTS[state])
    _mail(
        proposal,
        subject(proposal.title),
        "proposal_status.txt",
        entry=entry,
        state_label=states.LABELS[state],
        next_step=states.NEXT_STEPS[state],
        where=where,
    )


def link_rotated(proposal: Proposal, token: str) -> None:
    """Queue the new private status link after the old one was replaced."""
    subject = lazy_gettext("Your new status link: %(title)s", title=proposal.title)
    _mail(proposal, subject, "proposal_link.txt", status_url=status_url(proposal, token))


def episode_moved(episode: Episode, old_starts_at: datetime, old_minutes: int) -> None:
    """Queue the news that the episode from the submitter's proposal changed time or length."""
    if episode.proposal is not None:
        _moved(episode.proposal, Placement(episode), old_starts_at, old_minutes)


def segment_moved(segment: EpisodeSegment, old_starts_at: datetime, old_minutes: int) -> None:
    """Queue the news that the segment from the submitter's proposal changed time or length."""
    if segment.proposal is not None:
        _moved(segment.proposal, Placement(segment.episode, segment), old_starts_at, old_minutes)


def _moved(proposal: Proposal, where: Placement, old_starts_at: datetime, old_minutes: int) -> None:
    """Only the length changed (same start): the mail says so and speaks of no move."""
    moved = where.starts_at != old_starts_at
    what = "segment" if where.segment else "episode"
    if where.segment and moved:
        subject = lazy_gettext("Your segment moved: %(title)s", title=where.title)
    elif where.segment:
        subject = lazy_gettext("Your segment has a new length: %(title)s", title=where.title)
    elif moved:
        subject = lazy_gettext("Your episode moved: %(title)s", title=where.title)
    else:
        subject = lazy_gettext("Your episode has a new length: %(title)s", title=where.title)
    _mail(
        proposal,
        subject,
        "episode_moved.txt",
        where=where,
        what=what,
        moved=moved,
        old_minutes=old_minutes,
        old_starts_at=old_starts_at,
        old_ends_at=old_starts_at + timedelta(minutes=old_minutes),
        invite_url=site_url_for("episodes.invite", slug=where.episode.slug),
    )
