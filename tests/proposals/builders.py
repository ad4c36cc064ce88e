"""``make_proposal``: a proposal in any state, committed, and helpers shared by the tests."""

import secrets
from typing import Any

from openinfra_live.extensions import db
from openinfra_live.proposals import services
from openinfra_live.proposals.models import Proposal, ProposalHistory


def guest_rows(*guests: tuple[str, str]) -> dict[str, str]:
    """The three guest rows of the proposal, scheduling and episode forms as a browser posts
    them: each guest's name and affiliation in turn, the rows left over blank."""
    rows = [*guests, *[("", "")] * (3 - len(guests))]
    fields = {}
    for index, (name, affiliation) in enumerate(rows):
        fields[f"guests-{index}-name"] = name
        fields[f"guests-{index}-affiliation"] = affiliation
    return fields


VALID_FORM = {
    "title": "Running Kubernetes on bare metal",
    "description": "How we run a hundred clusters on OpenStack Ironic, and what broke.",
    **guest_rows(("Ada Lovelace", "Analytical Engines"), ("Grace Hopper", "")),
    "organization": "Example Cloud",
    "preferred_month": "",
    "links": "https://example.org/talk\nhttp://example.com/slides",
    "submitter_name": "Sam Submitter",
    "submitter_email": "sam@example.org",
    "website": "",
}


def make_proposal(
    status: str = "submitted",
    *,
    title: str = "Ceph at scale",
    description: str = "Storage stories from operators running Ceph with OpenStack.",
    email: str = "submitter@example.org",
    guests: list[tuple[str, str]] | None = None,
    **content: Any,
) -> tuple[Proposal, str]:
    """Submit a proposal through the service, then put it in ``status`` (inside an app context).

    Returns the proposal and its status-link token.
    """
    submission = services.submit_proposal(
        services.ProposalContent(
            title=title,
            description=description,
            guests=guests if guests is not None else [("Ada Lovelace", "Analytical Engines")],
            **content,
        ),
        submitter_name="Sam Submitter",
        submitter_email=email,
        nonce=secrets.token_urlsafe(24),
    )
    # Builders may place a row in any state; only the services enforce the workflow.
    submission.proposal.status = status
    db.session.commit()
    return submission.proposal, submission.token


def count(model: Any) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def history_of(proposal_id: int) -> list[ProposalHistory]:
    return list(
        db.session.scalars(
            db.select(ProposalHistory)
            .where(ProposalHistory.proposal_id == proposal_id)
            .order_by(ProposalHistory.id)
        )
    )


def fresh(proposal_id: int) -> Proposal:
    """The proposal as stored now (the session's copy is discarded first)."""
    db.session.expire_all()
    return db.session.get(Proposal, proposal_id)


def freeze_clock(monkeypatch: Any, moment: Any):
    """Freeze ``clock.now()`` at ``moment``; returns a function that moves it."""
    from openinfra_live import clock

    current = {"now": moment}
    monkeypatch.setattr(clock, "now", lambda: current["now"])

    def move_to(new_moment: Any) -> Any:
        current["now"] = new_moment
        return new_moment

    return move_to
