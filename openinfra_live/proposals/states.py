"""States of an episode proposal and the one table of allowed transitions."""

from enum import StrEnum

from flask_babel import gettext, lazy_gettext

from openinfra_live.proposals.models import Proposal, ProposalHistory
from openinfra_live.workflow import Workflow


class ProposalState(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    DECLINED = "declined"
    CHANGES_REQUESTED = "changes_requested"
    WITHDRAWN = "withdrawn"
    SCHEDULED = "scheduled"


class ProposalAction(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    REQUEST_CHANGES = "request_changes"
    RESUBMIT = "resubmit"
    WITHDRAW = "withdraw"
    SCHEDULE = "schedule"
    # Moderators' corrections: a declined idea reviewed again, a scheduled idea whose episode
    # was deleted (it waits for a new date, or for the submitter to withdraw it).
    REOPEN = "reopen"
    CANCEL_EPISODE = "cancel_episode"


S = ProposalState
A = ProposalAction

# (from, action) -> to. Nothing else decides whether a proposal may change state.
TRANSITIONS: dict[tuple[ProposalState, ProposalAction], ProposalState] = {
    (S.SUBMITTED, A.APPROVE): S.APPROVED,
    (S.SUBMITTED, A.DECLINE): S.DECLINED,
    (S.SUBMITTED, A.REQUEST_CHANGES): S.CHANGES_REQUESTED,
    (S.SUBMITTED, A.WITHDRAW): S.WITHDRAWN,
    (S.CHANGES_REQUESTED, A.RESUBMIT): S.SUBMITTED,
    (S.CHANGES_REQUESTED, A.WITHDRAW): S.WITHDRAWN,
    (S.APPROVED, A.SCHEDULE): S.SCHEDULED,
    (S.APPROVED, A.WITHDRAW): S.WITHDRAWN,
    (S.DECLINED, A.REOPEN): S.SUBMITTED,
    (S.SCHEDULED, A.CANCEL_EPISODE): S.APPROVED,
}
# The only ways out of a settled state: a moderator's correction.
CORRECTIONS = frozenset({A.REOPEN, A.CANCEL_EPISODE})

# Still moving: someone (a moderator or the submitter) has something to do.
OPEN = frozenset({S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED})
# Settled: nothing leads out of these but a moderator's correction (``CORRECTIONS``).
FINAL = frozenset({S.DECLINED, S.WITHDRAWN, S.SCHEDULED})
# The idea is public: it has become an episode on the site.
PUBLIC = frozenset({S.SCHEDULED})
# What the moderation queue shows by default: a moderator has the next move.
AWAITING_MODERATOR = frozenset({S.SUBMITTED, S.APPROVED})

LABELS = {
    S.SUBMITTED: lazy_gettext("Submitted, waiting for review"),
    S.APPROVED: lazy_gettext("Approved, waiting for a date"),
    S.DECLINED: lazy_gettext("Declined"),
    S.CHANGES_REQUESTED: lazy_gettext("Changes requested"),
    S.WITHDRAWN: lazy_gettext("Withdrawn"),
    S.SCHEDULED: lazy_gettext("Scheduled"),
}

# What the submitter reads under the state on the private status page.
NEXT_STEPS = {
    S.SUBMITTED: lazy_gettext(
        "A moderator will review your idea. You will get an e-mail when that happens."
    ),
    S.APPROVED: lazy_gettext(
        "Your idea was approved. A moderator will pick a date for the episode and let you know"
        " by e-mail."
    ),
    S.DECLINED: lazy_gettext("Your idea was not taken this time. Thank you for proposing it."),
    S.CHANGES_REQUESTED: lazy_gettext(
        "The moderators asked for changes (see their message). Edit your proposal on its status"
        " page and send it again."
    ),
    S.WITHDRAWN: lazy_gettext("You withdrew this proposal. Nothing more will happen with it."),
    S.SCHEDULED: lazy_gettext(
        "Your idea is on the programme. See the episode page for the date and details."
    ),
}


# How a refusal names each action: "You cannot … a proposal that is “…”", given the state.
REFUSALS = {
    A.APPROVE: lazy_gettext("You cannot approve a proposal that is “%(state)s”."),
    A.DECLINE: lazy_gettext("You cannot decline a proposal that is “%(state)s”."),
    A.REQUEST_CHANGES: lazy_gettext(
        "You cannot request changes to a proposal that is “%(state)s”."
    ),
    A.RESUBMIT: lazy_gettext("You cannot resubmit a proposal that is “%(state)s”."),
    A.WITHDRAW: lazy_gettext("You cannot withdraw a proposal that is “%(state)s”."),
    A.SCHEDULE: lazy_gettext("You cannot schedule a proposal that is “%(state)s”."),
    A.REOPEN: lazy_gettext("You cannot reopen a proposal that is “%(state)s”."),
    A.CANCEL_EPISODE: lazy_gettext(
        "You cannot cancel the episode of a proposal that is “%(state)s”."
    ),
}


def _refusal(current: str, action: str) -> str:
    label = str(LABELS.get(current, current)).lower()
    refusal = REFUSALS.get(action)
    if refusal is None:  # not an action of the table
        return gettext(
            "You cannot %(action)s a proposal that is “%(state)s”.", action=action, state=label
        )
    return str(refusal) % {"state": label}


PROPOSALS = Workflow(
    states=ProposalState,
    actions=ProposalAction,
    transitions=TRANSITIONS,
    groups={
        "open": OPEN,
        "final": FINAL,
        "public": PUBLIC,
        "awaiting_moderator": AWAITING_MODERATOR,
    },
    model=Proposal,
    history_model=ProposalHistory,
    history_owner="proposal",
    audit_action="proposal.{action}",
    refusal=_refusal,
)
