"""The moderation queue: what waits, oldest first, with counts by state."""

from datetime import datetime

from flask import abort, request
from sqlalchemy import func
from sqlalchemy.orm import selectinload

from openinfra_live import clock
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page
from openinfra_live.proposals import states
from openinfra_live.proposals.models import Proposal

# ``?state=`` values besides the states themselves.
WAITING = "waiting"
ALL = "all"


def age(since: datetime, now: datetime | None = None) -> str:
    """How long ago, in the largest whole unit: ``3 days``, ``5 hours``, ``just now``."""
    seconds = int(((now or clock.now()) - since).total_seconds())
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "just now"


@bp.get("/")
@moderator_required
def queue():
    """Proposals waiting for a moderator, oldest first; ``?state=`` filters, with counts."""
    selected = request.args.get("state", WAITING)
    if selected == WAITING:
        wanted = sorted(states.AWAITING_MODERATOR)
    elif selected == ALL:
        wanted = list(states.ProposalState)
    elif selected in states.ProposalState._value2member_map_:
        wanted = [states.ProposalState(selected)]
    else:
        abort(400, description="Unknown state filter.")
    counts = dict(
        db.session.execute(db.select(Proposal.status, func.count()).group_by(Proposal.status)).all()
    )
    proposals = db.session.scalars(
        db.select(Proposal)
        .where(Proposal.status.in_([state.value for state in wanted]))
        .options(selectinload(Proposal.claimed_by))
        .order_by(Proposal.created_at, Proposal.id)
    ).all()
    now = clock.now()
    return page(
        "moderation/queue.html",
        items=[(proposal, age(proposal.created_at, now)) for proposal in proposals],
        counts=counts,
        total=sum(counts.values()),
        waiting_count=sum(counts.get(state.value, 0) for state in states.AWAITING_MODERATOR),
        selected=selected,
        all_states=list(states.ProposalState),
        labels=states.LABELS,
        tags_of=lambda proposal: [tag for tag in proposal.tags.split(",") if tag],
    )
