"""Who reviews a proposal: claim, release, assign to a moderator, take over a claim.

A claim changes no state; it is recorded in the history (internal) and the audit log. Every
change is a conditional UPDATE on the claim as the moderator saw it, so of two moderators
acting at once exactly one wins and the other is told who holds the proposal now.
"""

from typing import Any

from flask_babel import gettext, lazy_gettext
from sqlalchemy import update

from openinfra_live import audit, clock, workflow
from openinfra_live.extensions import db
from openinfra_live.proposals.errors import ProposalError
from openinfra_live.proposals.models import Proposal, ProposalHistory
from openinfra_live.proposals.states import PROPOSALS
from openinfra_live.urls import site_url_for

_UNSEEN = object()


class AlreadyClaimed(ProposalError):
    def __init__(self, claimer: Any) -> None:
        self.claimer = claimer
        super().__init__(
            gettext("This proposal is already claimed by %(name)s.", name=name_of(claimer))
        )


class ClaimChanged(ProposalError):
    def __init__(self, claimer: Any) -> None:
        if claimer:
            said = gettext(
                "The claim on this proposal changed while you were reading: %(name)s holds it"
                " now. Look again before assigning it.",
                name=name_of(claimer),
            )
        else:
            said = gettext(
                "The claim on this proposal changed while you were reading: nobody holds it"
                " now. Look again before assigning it."
            )
        super().__init__(said)


def name_of(user: Any) -> str:
    """How a moderator is named to other moderators."""
    if user is None:
        return gettext("another moderator")
    return getattr(user, "display_name", "") or getattr(user, "email", "") or gettext("a moderator")


def _set_claim(proposal: Proposal, condition: Any, new_id: int | None) -> bool:
    """Set the claim when ``condition`` still holds in the database; return whether it did."""
    result = db.session.execute(
        update(Proposal)
        .where(Proposal.id == proposal.id, condition)
        .values(claimed_by_id=new_id, updated_at=clock.now()),
        execution_options={"synchronize_session": False},
    )
    db.session.expire(proposal, ["claimed_by_id", "claimed_by", "updated_at"])
    return result.rowcount == 1


def claim_proposal(proposal: Proposal, actor: Any, *, release: bool = False) -> ProposalHistory:
    """Claim the proposal for review (or release one's own claim); of two at once, the
    conditional UPDATE lets one win. Side effects: ``claimed_by``, history, audit; flushes."""
    if release:
        condition = Proposal.claimed_by_id == actor.id
    else:
        condition = (Proposal.claimed_by_id.is_(None)) | (Proposal.claimed_by_id == actor.id)
    if not _set_claim(proposal, condition, None if release else actor.id):
        if release:
            raise ProposalError(
                gettext("Only the moderator who claimed this proposal can release it.")
            )
        raise AlreadyClaimed(proposal.claimed_by)
    action = "release" if release else "claim"
    entry = PROPOSALS.record(proposal, action, actor=actor)
    audit.record(f"proposal.{action}", proposal, actor=actor)
    db.session.flush()
    return entry


def assign_proposal(
    proposal: Proposal,
    actor: Any,
    assignee: Any,
    *,
    note: str = "",
    seen_claimer_id: Any = _UNSEEN,
) -> ProposalHistory:
    """Give the proposal to ``assignee`` (the actor included: taking over), replacing any claim.

    ``seen_claimer_id`` is the claim the actor saw (None: unclaimed); a claim changed since
    raises ``ClaimChanged``. Taking a proposal away from another moderator needs a note, which
    tells them why. Side effects: ``claimed_by``, an internal history entry with the note, an
    audit entry, a mail to the assignee when it is someone else (queued); flushes.
    """
    note = (note or "").strip()
    if assignee is None or not getattr(assignee, "active", False):
        raise ProposalError(gettext("Pick an active moderator to assign the proposal to."))
    previous_id = proposal.claimed_by_id if seen_claimer_id is _UNSEEN else seen_claimer_id
    if previous_id != proposal.claimed_by_id:
        raise ClaimChanged(proposal.claimed_by)
    previous = proposal.claimed_by
    if previous_id == assignee.id:
        raise ProposalError(
            gettext("%(name)s already holds this proposal.", name=name_of(assignee))
        )
    if previous_id not in (None, actor.id, assignee.id) and not note:
        raise ProposalError(
            gettext(
                "Say in a note why %(name)s no longer holds this proposal: they will read it in"
                " its history.",
                name=name_of(previous),
            )
        )
    if previous_id is None:
        condition = Proposal.claimed_by_id.is_(None)
    else:
        condition = Proposal.claimed_by_id == previous_id
    if not _set_claim(proposal, condition, assignee.id):
        raise ClaimChanged(proposal.claimed_by)
    changes = {"claimed_by": [name_of(previous) if previous_id else "", name_of(assignee)]}
    entry = PROPOSALS.record(proposal, "assign", actor=actor, message=note, changes=changes)
    detail = {"from": previous_id, "to": assignee.id}
    audit.record("proposal.assign", proposal, actor=actor, detail=detail)
    if assignee.id != actor.id:
        workflow.queue(
            assignee.email,
            lazy_gettext("A proposal was assigned to you: %(title)s", title=proposal.title),
            "mail/proposal_assigned.txt",
            proposal=proposal,
            assignee=assignee,
            actor_name=name_of(actor),
            note=note,
            proposal_url=site_url_for("moderation.proposal", proposal_id=proposal.id),
        )
    db.session.flush()
    return entry
