"""The PTG registration workflow: states, actions and the one table of allowed transitions."""

from enum import StrEnum

from flask_babel import gettext, lazy_gettext

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
    TeamStatus.PENDING: lazy_gettext("Waiting for review"),
    TeamStatus.APPROVED: lazy_gettext("Approved"),
    TeamStatus.DECLINED: lazy_gettext("Declined"),
    TeamStatus.WITHDRAWN: lazy_gettext("Withdrawn"),
}

# Every refusal the table can give, as a whole sentence a translator can write.
_REFUSALS = {
    ("pending", "approve"): lazy_gettext("A registration that is pending cannot be approved."),
    ("pending", "decline"): lazy_gettext("A registration that is pending cannot be declined."),
    ("pending", "withdraw"): lazy_gettext("A registration that is pending cannot be withdrawn."),
    ("pending", "remove"): lazy_gettext("A registration that is pending cannot be removed."),
    ("approved", "approve"): lazy_gettext("A registration that is approved cannot be approved."),
    ("approved", "decline"): lazy_gettext("A registration that is approved cannot be declined."),
    ("approved", "withdraw"): lazy_gettext("A registration that is approved cannot be withdrawn."),
    ("approved", "remove"): lazy_gettext("A registration that is approved cannot be removed."),
    ("declined", "approve"): lazy_gettext("A registration that is declined cannot be approved."),
    ("declined", "decline"): lazy_gettext("A registration that is declined cannot be declined."),
    ("declined", "withdraw"): lazy_gettext("A registration that is declined cannot be withdrawn."),
    ("declined", "remove"): lazy_gettext("A registration that is declined cannot be removed."),
    ("withdrawn", "approve"): lazy_gettext("A registration that is withdrawn cannot be approved."),
    ("withdrawn", "decline"): lazy_gettext("A registration that is withdrawn cannot be declined."),
    ("withdrawn", "withdraw"): lazy_gettext(
        "A registration that is withdrawn cannot be withdrawn."
    ),
    ("withdrawn", "remove"): lazy_gettext("A registration that is withdrawn cannot be removed."),
}


def _refusal(current: str, action: str) -> str:
    known = _REFUSALS.get((str(current), str(action)))
    if known is not None:
        return str(known)
    # Not reached: the table above names every state and action.
    return gettext(
        "A registration that is %(state)s cannot be %(action)s.", state=current, action=action
    )


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
