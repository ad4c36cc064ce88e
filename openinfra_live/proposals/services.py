"""The verbs of the proposal workflow. Views call these, then commit once with ``workflow.commit``.

Every state change goes through ``states.PROPOSALS.apply``. The private status link's token is
derived from a random seed kept in ``submission_nonce``; the database holds only its SHA-256.
"""

import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from sqlalchemy.exc import IntegrityError

from openinfra_live import audit, clock, sanitize, tokens
from openinfra_live.extensions import db
from openinfra_live.proposals import notifications
from openinfra_live.proposals.claims import AlreadyClaimed, claim_proposal
from openinfra_live.proposals.errors import ProposalError
from openinfra_live.proposals.models import Proposal, ProposalGuest, ProposalHistory
from openinfra_live.proposals.notifications import STATUS_LINK, status_token
from openinfra_live.proposals.states import PROPOSALS, ProposalAction, ProposalState
from openinfra_live.workflow import TransitionNotAllowed

# The shape of a nonce made by PublicForm; anything else is replaced by a fresh one.
_NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")
_TAG_RE = re.compile(r"[^a-z0-9 +._-]")
MAX_TAGS = 10
MAX_TAG_LENGTH = 40
CONTENT_FIELDS = ("title", "description", "organization", "preferred_month", "links")

# Claims live in ``claims``; their verb and error are also reached from here, as before.
__all__ = [
    "AlreadyClaimed",
    "ProposalError",
    "TransitionNotAllowed",
    "claim_proposal",
    "status_token",
]


class MessageRequired(ProposalError):
    def __init__(self) -> None:
        super().__init__(gettext("Write a message that tells the submitter what to change."))


@dataclass
class ProposalContent:
    """What the submitter writes about the idea (and may edit while changes are requested)."""

    title: str
    description: str = ""
    guests: list[tuple[str, str]] = field(default_factory=list)
    organization: str = ""
    preferred_month: str = ""
    links: list[str] = field(default_factory=list)


@dataclass
class Submission:
    proposal: Proposal
    token: str
    created: bool


# --- status link ------------------------------------------------------------------------------


def find_by_token(token: str) -> Proposal | None:
    """The proposal a status-link token opens, or None (same answer for wrong and missing)."""
    return tokens.find(Proposal, token)


def rotate_token(proposal: Proposal) -> str:
    """Replace the private status link and return the new token. Side effects: new seed and
    token hash, an audit entry (without the token), the new link mailed (queued); flushes."""
    seed = secrets.token_urlsafe(24)
    token = tokens.derive(STATUS_LINK, seed)
    proposal.submission_nonce = seed
    proposal.token_hash = tokens.hash_token(token)
    audit.record("proposal.rotate_token", proposal)
    notifications.link_rotated(proposal, token)
    db.session.flush()
    return token


# --- helpers ----------------------------------------------------------------------------------


def _one_line(value: str | None) -> str:
    return " ".join((value or "").split())


def clean_guests(guests: Iterable[Sequence[str]]) -> list[tuple[str, str]]:
    """(name, affiliation) pairs on one line each; rows without a name are dropped."""
    pairs = [(_one_line(name), _one_line(affiliation)) for name, affiliation in guests]
    return [pair for pair in pairs if pair[0]]


def _normalise(content: ProposalContent) -> dict[str, Any]:
    """The content as stored: one-line fields collapsed, HTML cleaned, lists joined."""
    return {
        "title": _one_line(content.title),
        "description": sanitize.clean_html(content.description),
        "organization": _one_line(content.organization),
        "preferred_month": (content.preferred_month or "").strip(),
        "links": "\n".join(link.strip() for link in content.links if link.strip()),
        "guests": [list(guest) for guest in clean_guests(content.guests)],
    }


def _stored(proposal: Proposal) -> dict[str, Any]:
    stored = {name: getattr(proposal, name) for name in CONTENT_FIELDS}
    return stored | {"guests": [[guest.name, guest.affiliation] for guest in proposal.guests]}


def _apply(proposal: Proposal, values: dict[str, Any]) -> None:
    for name in CONTENT_FIELDS:
        setattr(proposal, name, values[name])
    proposal.guests = [
        ProposalGuest(position=position, name=name, affiliation=affiliation)
        for position, (name, affiliation) in enumerate(values["guests"])
    ]


def transition(
    proposal: Proposal,
    action: ProposalAction,
    *,
    actor: Any = None,
    message: str = "",
    changes: dict | None = None,
) -> ProposalHistory:
    """Move ``proposal`` through the engine and queue the submitter's mail."""
    entry = PROPOSALS.apply(proposal, action, actor=actor, message=message, changes=changes)
    notifications.status_changed(proposal, entry)
    return entry


# --- verbs ------------------------------------------------------------------------------------


def submit_proposal(
    content: ProposalContent,
    *,
    submitter_name: str,
    submitter_email: str,
    nonce: str | None = None,
) -> Submission:
    """Store a new proposal in ``submitted``, unless this form was already sent (a double click).

    A nonce already stored with the same e-mail returns that proposal (``created=False``).
    Side effects: the proposal, its guests, a public ``submit`` history row, an audit entry,
    the mail with the private status link (queued); flushes. A duplicate found only at the
    database (two requests at once) rolls back the session, which holds nothing else at that
    point, and returns the stored proposal.
    """
    email = submitter_email.strip()
    seed = nonce if nonce and _NONCE_RE.match(nonce) else secrets.token_urlsafe(24)
    existing = _by_nonce(seed)
    if existing is not None:
        if existing.submitter_email.lower() == email.lower():
            return Submission(existing, status_token(existing), created=False)
        # Someone else's form nonce (a cached page?): never show them that proposal.
        seed = secrets.token_urlsafe(24)
    token = tokens.derive(STATUS_LINK, seed)
    proposal = Proposal(
        submitter_name=_one_line(submitter_name),
        submitter_email=email,
        status=ProposalState.SUBMITTED.value,
        token_hash=tokens.hash_token(token),
        submission_nonce=seed,
        created_at=clock.now(),
        updated_at=clock.now(),
    )
    _apply(proposal, _normalise(content))
    db.session.add(proposal)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = _by_nonce(seed)
        if existing is None or existing.submitter_email.lower() != email.lower():
            raise
        return Submission(existing, status_token(existing), created=False)
    PROPOSALS.record(proposal, "submit", to_status=ProposalState.SUBMITTED.value, public=True)
    audit.record("proposal.submit", proposal)
    notifications.proposal_received(proposal, token)
    db.session.flush()
    return Submission(proposal, token, created=True)


def _by_nonce(seed: str) -> Proposal | None:
    return db.session.scalar(db.select(Proposal).where(Proposal.submission_nonce == seed))


def approve_proposal(proposal: Proposal, actor: Any, message: str = "") -> ProposalHistory:
    """Approve the idea; it then waits for a date. Side effects: history, audit, mail."""
    return transition(proposal, ProposalAction.APPROVE, actor=actor, message=message)


def decline_proposal(proposal: Proposal, actor: Any, message: str = "") -> ProposalHistory:
    """Decline the idea, with a message to the submitter. Side effects: history, audit, mail."""
    return transition(proposal, ProposalAction.DECLINE, actor=actor, message=message)


def request_changes(proposal: Proposal, actor: Any, message: str) -> ProposalHistory:
    """Ask the submitter for changes (the message says which). Side effects: as approving."""
    if not (message or "").strip():
        raise MessageRequired()
    return transition(proposal, ProposalAction.REQUEST_CHANGES, actor=actor, message=message)


def resubmit_proposal(
    proposal: Proposal, content: ProposalContent, message: str = ""
) -> ProposalHistory:
    """The submitter's edit while changes are requested; sends it back to review.

    Side effects: the new content, a history row whose ``changes`` hold ``{field: [old, new]}``
    for the moderators, an audit entry, the submitter's mail (queued); flushes.
    """
    # Checked first so that nothing is edited when the transition is not allowed.
    PROPOSALS.check(proposal, ProposalAction.RESUBMIT)
    before = _stored(proposal)
    after = _normalise(content)
    changes = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    _apply(proposal, after)
    return transition(proposal, ProposalAction.RESUBMIT, message=message, changes=changes or None)


def withdraw_proposal(proposal: Proposal, actor: Any = None, message: str = "") -> ProposalHistory:
    """Withdraw the proposal (from the status page). Side effects: history, audit, mail."""
    return transition(proposal, ProposalAction.WITHDRAW, actor=actor, message=message)


def add_note(proposal: Proposal, actor: Any, message: str) -> ProposalHistory:
    """An internal note that the submitter never sees. Side effects: history, audit; flushes."""
    if not (message or "").strip():
        raise ProposalError(gettext("A note cannot be empty."))
    entry = PROPOSALS.record(proposal, "note", actor=actor, message=message)
    audit.record("proposal.note", proposal, actor=actor)
    db.session.flush()
    return entry


def normalise_tags(raw: Iterable[str]) -> list[str]:
    """Lower case, allowed characters only, no duplicates, at most ``MAX_TAGS``."""
    seen: list[str] = []
    for tag in raw:
        tag = _TAG_RE.sub("", " ".join(tag.lower().split()))[:MAX_TAG_LENGTH].strip()
        if tag and tag not in seen:
            seen.append(tag)
    return seen[:MAX_TAGS]


def set_tags(proposal: Proposal, actor: Any, tags: Iterable[str]) -> ProposalHistory | None:
    """Replace the proposal's tags. Side effects: internal history row, audit; flushes."""
    old = [tag for tag in proposal.tags.split(",") if tag]
    new = normalise_tags(tags)
    if old == new:
        return None
    proposal.tags = ",".join(new)
    entry = PROPOSALS.record(proposal, "tags", actor=actor, changes={"tags": [old, new]})
    audit.record("proposal.tags", proposal, actor=actor, detail={"tags": new})
    db.session.flush()
    return entry


def reopen_proposal(proposal: Proposal, actor: Any, message: str = "") -> ProposalHistory:
    """Review a declined idea again: it goes back to ``submitted``, waiting for review.

    Side effects: a public history entry (the submitter reads it on the status page), audit,
    the submitter's mail (queued); flushes.
    """
    return transition(proposal, ProposalAction.REOPEN, actor=actor, message=message)
