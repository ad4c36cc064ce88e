"""States of a PTG team registration and the one table of allowed transitions."""

from enum import StrEnum


class TeamStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class TeamAction(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    WITHDRAW = "withdraw"


# (from, action) -> to. Nothing else decides whether a registration may change state.
TRANSITIONS: dict[tuple[TeamStatus, TeamAction], TeamStatus] = {
    (TeamStatus.PENDING, TeamAction.APPROVE): TeamStatus.APPROVED,
    (TeamStatus.PENDING, TeamAction.DECLINE): TeamStatus.DECLINED,
    (TeamStatus.PENDING, TeamAction.WITHDRAW): TeamStatus.WITHDRAWN,
    (TeamStatus.APPROVED, TeamAction.WITHDRAW): TeamStatus.WITHDRAWN,
}

# A live registration holds the team's name for the event (the partial unique index agrees).
LIVE = frozenset({TeamStatus.PENDING, TeamStatus.APPROVED})
FINAL = frozenset({TeamStatus.DECLINED, TeamStatus.WITHDRAWN})
# Shown on the public team list and schedule.
PUBLIC = frozenset({TeamStatus.APPROVED})

LABELS = {
    TeamStatus.PENDING: "Waiting for review",
    TeamStatus.APPROVED: "Approved",
    TeamStatus.DECLINED: "Declined",
    TeamStatus.WITHDRAWN: "Withdrawn",
}


def next_status(current: str, action: str) -> TeamStatus | None:
    """The state ``action`` leads to from ``current``, or None when it is not allowed."""
    try:
        return TRANSITIONS.get((TeamStatus(current), TeamAction(action)))
    except ValueError:
        return None


def is_final(status: str) -> bool:
    """True for states nothing leads out of."""
    return status in FINAL
