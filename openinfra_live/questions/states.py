"""The audience-question workflow: states, actions and the one table of allowed transitions."""

from enum import StrEnum

from flask_babel import gettext, lazy_gettext

from openinfra_live.questions.models import Question, QuestionHistory
from openinfra_live.workflow import Workflow


class QuestionState(StrEnum):
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"
    ANSWERED = "answered"


class QuestionAction(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    ANSWER = "answer"
    # A duplicate is set aside in favour of the question it repeats (which counts its asker).
    MERGE = "merge"


S = QuestionState
A = QuestionAction

# (from, action) -> to. Nothing else decides whether a question may change state.
TRANSITIONS: dict[tuple[QuestionState, QuestionAction], QuestionState] = {
    (S.SUBMITTED, A.APPROVE): S.APPROVED,
    (S.SUBMITTED, A.REJECT): S.REJECTED,
    (S.SUBMITTED, A.MERGE): S.REJECTED,
    (S.APPROVED, A.MERGE): S.REJECTED,
    (S.APPROVED, A.ANSWER): S.ANSWERED,
}

# Waiting for a moderator.
WAITING = frozenset({S.SUBMITTED})
# On the hosts' list and, where the moderators chose so, on the episode's page.
PUBLIC = frozenset({S.APPROVED, S.ANSWERED})
FINAL = frozenset({S.REJECTED, S.ANSWERED})
# What a duplicate may be merged into: a question still on its way to the hosts, or read out.
MERGE_TARGETS = frozenset({S.SUBMITTED, S.APPROVED, S.ANSWERED})

LABELS = {
    S.SUBMITTED: lazy_gettext("Waiting for review"),
    S.APPROVED: lazy_gettext("Approved"),
    S.REJECTED: lazy_gettext("Rejected"),
    S.ANSWERED: lazy_gettext("Answered on air"),
}


def _refusal(current: str, action: str) -> str:
    label = str(LABELS.get(current, current)).lower()
    if action == A.MERGE:
        return gettext("A question that is “%(state)s” cannot be merged into another.", state=label)
    if action == A.APPROVE:
        return gettext("A question that is “%(state)s” cannot be approved.", state=label)
    if action == A.REJECT:
        return gettext("A question that is “%(state)s” cannot be rejected.", state=label)
    if action == A.ANSWER:
        return gettext("A question that is “%(state)s” cannot be marked as answered.", state=label)
    return gettext(
        "A question that is “%(state)s” cannot be %(action)s.", state=label, action=action
    )


QUESTIONS = Workflow(
    states=QuestionState,
    actions=QuestionAction,
    transitions=TRANSITIONS,
    groups={"waiting": WAITING, "public": PUBLIC, "final": FINAL},
    model=Question,
    history_model=QuestionHistory,
    history_owner="question",
    audit_action="question.{action}",
    refusal=_refusal,
)
