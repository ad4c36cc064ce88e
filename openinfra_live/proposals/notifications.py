"""E-mails to the submitter: on submission, on public state changes, when the episode moves.

The verbs queue them in the workflow outbox; ``workflow.commit`` sends them after the commit.
"""

from datetime import datetime, timedelta

from flask import url_for

from openinfra_live import tokens, workflow
from openinfra_live.episodes.models import Episode
from openinfra_live.proposals import states
from openinfra_live.proposals.models import Proposal, ProposalHistory
from openinfra_live.urls import site_url_for

# The private status link's token is derived from the seed kept in ``submission_nonce``.
STATUS_LINK = b"proposal-status-link\x00"

SUBJECTS = {
    states.ProposalState.APPROVED: "Your episode idea was approved",
    states.ProposalState.DECLINED: "About your episode idea",
    states.ProposalState.CHANGES_REQUESTED: "Changes requested to your episode idea",
    states.ProposalState.WITHDRAWN: "Your episode idea was withdrawn",
    states.ProposalState.SCHEDULED: "Your episode idea is scheduled",
    states.ProposalState.SUBMITTED: "Your edited episode idea was received",
}

# Corrections by moderators lead to states the usual subject would misname.
SUBJECTS_BY_ACTION = {
    states.ProposalAction.REOPEN: "Your episode idea is being reviewed again",
    states.ProposalAction.CANCEL_EPISODE: "The episode of your idea was cancelled",
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


def _mail(proposal: Proposal, subject: str, template: str, **context: object) -> None:
    """Queue ``templates/mail/<template>`` to the submitter, with the status link (so the
    mail is a secret one: see ``workflow.queue``)."""
    context.setdefault("status_url", status_url(proposal))
    workflow.queue(
        proposal.submitter_email,
        subject,
        f"mail/{template}",
        secret=True,
        proposal=proposal,
        **context,
    )


def proposal_received(proposal: Proposal, token: str) -> None:
    """Queue the confirmation of a new proposal, with the private status link."""
    subject = f"We received your episode idea: {proposal.title}"
    _mail(proposal, subject, "proposal_received.txt", status_url=status_url(proposal, token))


def status_changed(
    proposal: Proposal, entry: ProposalHistory, episode: Episode | None = None
) -> None:
    """Queue the news of a public state change, with the moderator's message."""
    if not entry.is_public or entry.to_status is None:
        return
    state = states.ProposalState(entry.to_status)
    _mail(
        proposal,
        f"{SUBJECTS_BY_ACTION.get(entry.action, SUBJECTS[state])}: {proposal.title}",
        "proposal_status.txt",
        entry=entry,
        state_label=states.LABELS[state],
        next_step=states.NEXT_STEPS[state],
        episode=episode,
        episode_url=site_url_for("episodes.detail", slug=episode.slug) if episode else None,
    )


def link_rotated(proposal: Proposal, token: str) -> None:
    """Queue the new private status link after the old one was replaced."""
    subject = f"Your new status link: {proposal.title}"
    _mail(proposal, subject, "proposal_link.txt", status_url=status_url(proposal, token))


def episode_moved(episode: Episode, old_starts_at: datetime, old_minutes: int) -> None:
    """Queue the news that the episode from the submitter's proposal changed time or length.

    Only its length changed (same start): the mail says so and speaks of no move.
    """
    proposal = episode.proposal
    if proposal is None:
        return
    moved = episode.starts_at != old_starts_at
    subject = "Your episode moved" if moved else "Your episode has a new length"
    _mail(
        proposal,
        f"{subject}: {episode.title}",
        "episode_moved.txt",
        episode=episode,
        moved=moved,
        old_minutes=old_minutes,
        old_starts_at=old_starts_at,
        old_ends_at=old_starts_at + timedelta(minutes=old_minutes),
        episode_url=site_url_for("episodes.detail", slug=episode.slug),
        invite_url=site_url_for("episodes.invite", slug=episode.slug),
    )
