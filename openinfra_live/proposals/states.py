"""States of an episode proposal and the one table of allowed transitions."""

from enum import StrEnum


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
}

# Still moving: someone (a moderator or the submitter) has something to do.
OPEN = frozenset({S.SUBMITTED, S.CHANGES_REQUESTED, S.APPROVED})
# Nothing leads out of these.
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
    S.CHANGES_REQUESTED: "The moderators asked for changes (see their message below). Edit your "
    "proposal on this page and send it again.",
    S.WITHDRAWN: "You withdrew this proposal. Nothing more will happen with it.",
    S.SCHEDULED: "Your idea is on the programme. See the episode page for the date and details.",
}

# Actions named the way moderators and submitters read them in messages.
ACTION_LABELS = {
    A.APPROVE: "approve",
    A.DECLINE: "decline",
    A.REQUEST_CHANGES: "request changes to",
    A.RESUBMIT: "resubmit",
    A.WITHDRAW: "withdraw",
    A.SCHEDULE: "schedule",
}


class TransitionNotAllowed(Exception):
    """``action`` is not allowed on a proposal in state ``current``."""

    def __init__(self, current: str, action: str) -> None:
        self.current = current
        self.action = action
        label = LABELS.get(current, current) if current in S._value2member_map_ else current
        verb = ACTION_LABELS.get(action, action) if action in A._value2member_map_ else action
        super().__init__(f"You cannot {verb} a proposal that is “{label.lower()}”.")


def next_state(current: str, action: str) -> ProposalState:
    """The state ``action`` leads to from ``current``; raises ``TransitionNotAllowed``."""
    try:
        target = TRANSITIONS.get((ProposalState(current), ProposalAction(action)))
    except ValueError:
        target = None
    if target is None:
        raise TransitionNotAllowed(current, action)
    return target


def allowed_actions(current: str) -> frozenset[ProposalAction]:
    """Every action the table allows from ``current`` (for showing only valid buttons)."""
    return frozenset(action for (state, action) in TRANSITIONS if state == current)


def is_final(status: str) -> bool:
    """True for states nothing leads out of."""
    return status in FINAL
