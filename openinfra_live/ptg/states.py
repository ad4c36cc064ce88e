"""The PTG registration workflow: states, actions and the one table of allowed transitions."""

from enum import StrEnum

from openinfra_live.ptg.models import PtgTeam, PtgTeamHistory
from openinfra_live.workflow import Workflow


class TeamStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class TeamAction(StrEnum):
    APPROVE = "approve"
    DECLINE = "decline"
    WITHDRAW = "withdraw"
    # The organisers take a registration off the event (the team is told why).
    REMOVE = "remove"


# (from, action) -> to. Nothing else decides whether a registration may change state.
TRANSITIONS: dict[tuple[TeamStatus, TeamAction], TeamStatus] = {
    (TeamStatus.PENDING, TeamAction.APPROVE): TeamStatus.APPROVED,
    (TeamStatus.PENDING, TeamAction.DECLINE): TeamStatus.DECLINED,
    (TeamStatus.PENDING, TeamAction.WITHDRAW): TeamStatus.WITHDRAWN,
    (TeamStatus.APPROVED, TeamAction.WITHDRAW): TeamStatus.WITHDRAWN,
    (TeamStatus.PENDING, TeamAction.REMOVE): TeamStatus.WITHDRAWN,
    (TeamStatus.APPROVED, TeamAction.REMOVE): TeamStatus.WITHDRAWN,
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

_PAST = {
    "approve": "approved",
    "decline": "declined",
    "withdraw": "withdrawn",
    "remove": "removed",
}


def _refusal(current: str, action: str) -> str:
    return f"A registration that is {current} cannot be {_PAST.get(action, action)}."


REGISTRATIONS = Workflow(
    states=TeamStatus,
    actions=TeamAction,
    transitions=TRANSITIONS,
    groups={"open": LIVE, "final": FINAL, "public": PUBLIC},
    model=PtgTeam,
    history_model=PtgTeamHistory,
    history_owner="team",
    audit_action="ptg_team_{to}",
    refusal=_refusal,
)
