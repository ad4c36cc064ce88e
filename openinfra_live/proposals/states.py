"""States of an episode proposal and the one table of allowed transitions."""

from enum import StrEnum

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
    S.SUBMITTED: "Submitted, waiting for review",
    S.APPROVED: "Approved, waiting for a date",
    S.DECLINED: "Declined",
    S.CHANGES_REQUESTED: "Changes requested",
    S.WITHDRAWN: "Withdrawn",
    S.SCHEDULED: "Scheduled",
}

# What the submitter reads under the state on the private status page.
NEXT_STEPS = {
    S.SUBMITTED: "A moderator will review your idea. You will get an e-mail when that happens.",
    S.APPROVED: "Your idea was approved. A moderator will pick a date for the episode and let "
    "you know by e-mail.",
    S.DECLINED: "Your idea was not taken this time. Thank you for proposing it.",
    S.CHANGES_REQUESTED: "The moderators asked for changes (see their message). Edit your "
    "proposal on its status page and send it again.",
    S.WITHDRAWN: "You withdrew this proposal. Nothing more will happen with it.",
    S.SCHEDULED: "Your idea is on the programme. See the episode page for the date and details.",
}


# How a refusal names each action ("You cannot … a proposal that is …").
VERBS = {
    A.REQUEST_CHANGES: "request changes to",
    A.CANCEL_EPISODE: "cancel the episode of",
}


def _refusal(current: str, action: str) -> str:
    label = LABELS.get(current, current)
    verb = VERBS.get(action, action)
    return f"You cannot {verb} a proposal that is “{label.lower()}”."


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
