"""The moderation queue: what waits, oldest first, with counts by state and a search; above it,
what else waits. Also what every moderation page shares: its navigation between the areas."""

from dataclasses import dataclass
from datetime import datetime

from flask import Response, abort, request, url_for
from flask_login import current_user
from sqlalchemy import func, or_
from sqlalchemy.orm import lazyload, selectinload

from openinfra_live import clock
from openinfra_live.auth.permissions import can_manage_accounts, can_moderate, moderator_required
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page, paginate
from openinfra_live.outbox import FAILED, OutboxMail
from openinfra_live.proposals import states
from openinfra_live.proposals.models import Proposal
from openinfra_live.ptg.models import PtgTeam
from openinfra_live.ptg.states import TeamStatus
from openinfra_live.questions.queries import waiting_count as questions_waiting

# ``?state=`` values besides the states themselves.
WAITING = "waiting"
ALL = "all"
# Fifty rows keep a page of the queue well under 50 KB, however many proposals wait.
PROPOSALS_PER_PAGE = 50
SEARCH_MAX_LENGTH = 200


def age(since: datetime, now: datetime | None = None) -> str:
    """How long ago, in the largest whole unit: ``3 days``, ``5 hours``, ``just now``."""
    seconds = int(((now or clock.now()) - since).total_seconds())
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "just now"


def search_text() -> str:
    """The ``?q=`` of a moderation list: trimmed, and cut where no title or address is longer."""
    return request.args.get("q", "").strip()[:SEARCH_MAX_LENGTH]


@bp.get("/")
@moderator_required
def queue() -> Response:
    """Proposals waiting for a moderator, oldest first; ``?state=`` filters, ``?q=`` searches
    titles, proposers and e-mail addresses, ``?page=`` pages; what else waits above."""
    selected = request.args.get("state", WAITING)
    if selected == WAITING:
        wanted = sorted(states.AWAITING_MODERATOR)
    elif selected == ALL:
        wanted = list(states.ProposalState)
    elif selected in states.ProposalState._value2member_map_:
        wanted = [states.ProposalState(selected)]
    else:
        abort(400, description="Unknown state filter.")
    search = search_text()
    counts = dict(
        db.session.execute(db.select(Proposal.status, func.count()).group_by(Proposal.status)).all()
    )
    query = db.select(Proposal).where(Proposal.status.in_([state.value for state in wanted]))
    if search:
        searched = (Proposal.title, Proposal.submitter_name, Proposal.submitter_email)
        query = query.where(or_(*(c.icontains(search, autoescape=True) for c in searched)))
    listing = paginate(
        # The queue shows who claimed each proposal, not its guests (loaded by default).
        query.options(selectinload(Proposal.claimed_by), lazyload(Proposal.guests)).order_by(
            Proposal.created_at, Proposal.id
        ),
        PROPOSALS_PER_PAGE,
    )
    now = clock.now()
    return page(
        "moderation/queue.html",
        listing=listing,
        items=[(proposal, age(proposal.created_at, now)) for proposal in listing.items],
        counts=counts,
        total=sum(counts.values()),
        waiting_count=sum(counts.get(state.value, 0) for state in states.AWAITING_MODERATOR),
        selected=selected,
        search=search,
        all_states=list(states.ProposalState),
        labels=states.LABELS,
        tags_of=lambda proposal: [tag for tag in proposal.tags.split(",") if tag],
        also_waiting=also_waiting(),
    )


@dataclass(frozen=True)
class Waiting:
    """One line of "also waiting": how many, what, and where to deal with them (or None)."""

    count: int
    none: str
    one: str
    many: str
    url: str | None

    @property
    def text(self) -> str:
        """The line in words, in the singular or plural its count calls for."""
        if self.count == 0:
            return self.none
        return self.one if self.count == 1 else self.many.format(count=self.count)


def also_waiting() -> list[Waiting]:
    """What waits for a moderator besides proposals: audience questions, PTG registrations,
    failed mails."""
    questions = Waiting(
        questions_waiting(),
        "No audience question waits for review",
        "1 audience question waits for review",
        "{count} audience questions wait for review",
        url_for("moderation.questions"),
    )
    pending = db.session.scalar(
        db.select(func.count())
        .select_from(PtgTeam)
        .where(PtgTeam.status == TeamStatus.PENDING.value)
    )
    lines = [
        questions,
        Waiting(
            pending or 0,
            "No PTG team registration waits for review",
            "1 PTG team registration waits for review",
            "{count} PTG team registrations wait for review",
            url_for("moderation.ptg_events"),
        ),
    ]
    failed = db.session.scalar(
        db.select(func.count()).select_from(OutboxMail).where(OutboxMail.status == FAILED)
    )
    lines.append(
        Waiting(
            failed or 0,
            "No mail failed to go out",
            "1 mail could not be sent",
            "{count} mails could not be sent",
            url_for("moderation.outbox", status=FAILED),
        )
    )
    return lines


# --- the navigation every moderation page carries ---------------------------------------------


@dataclass(frozen=True)
class Section:
    """One area of the moderation navigation; ``current`` is its ``aria-current`` value."""

    label: str
    url: str
    current: str | None


# (label, the area's page, the endpoint prefix of the area's pages), in the order shown. A page
# of no other area (a proposal, its scheduling) belongs to the queue.
SECTIONS = (
    ("Queue", "moderation.queue", "moderation.queue"),
    ("Episodes", "moderation.episodes", "moderation.episode"),
    ("Questions", "moderation.questions", "moderation.question"),
    ("PTG", "moderation.ptg_events", "moderation.ptg"),
    ("Outbox", "moderation.outbox", "moderation.outbox"),
    ("Accounts", "moderation.accounts", "moderation.account"),
    ("Imports", "moderation.imports", "moderation.import"),
    ("Audit", "moderation.audit_log", "moderation.audit"),
    ("Your password", "auth.change_password", "auth.change_password"),
)
ADMIN_ONLY = {"moderation.accounts", "moderation.imports"}


def section_of(endpoint: str) -> str:
    """The area page of the area that ``endpoint`` belongs to."""
    for _label, target, prefix in SECTIONS[1:]:
        if endpoint.startswith(prefix):
            return target
    return "moderation.queue"


def sections(endpoint: str | None) -> list[Section]:
    """The areas the signed-in moderator may open, the one holding ``endpoint`` marked:
    ``page`` on the area's own page, ``true`` on the pages within it."""
    is_admin = can_manage_accounts(current_user)
    holder = section_of(endpoint) if endpoint else None
    shown = []
    for label, target, _prefix in SECTIONS:
        if target in ADMIN_ONLY and not is_admin:
            continue
        url = url_for(target)
        current = None
        if target == holder:
            current = "page" if endpoint == target else "true"
        shown.append(Section(label, url, current))
    return shown


@bp.context_processor
def moderation_navigation() -> dict:
    """Every moderation page (error pages included) gets the navigation, for moderators only."""
    allowed = can_moderate(current_user)
    return {"moderation_sections": sections(request.endpoint) if allowed else []}


# Public pages show a moderator an "Edit" link; never cached for others (see ``caching``).
bp.add_app_template_global(can_moderate, "can_moderate")
