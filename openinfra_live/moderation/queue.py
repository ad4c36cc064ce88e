"""The moderation queue: what waits, oldest first, with counts by state and a search; above it,
what else waits. Also what every moderation page shares: its navigation between the areas."""

from dataclasses import dataclass
from datetime import datetime

from flask import Response, abort, request, url_for
from flask_babel import gettext, lazy_gettext, ngettext
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
    if seconds >= 604800:
        return ngettext("%(num)d week", "%(num)d weeks", seconds // 604800)
    if seconds >= 86400:
        return ngettext("%(num)d day", "%(num)d days", seconds // 86400)
    if seconds >= 3600:
        return ngettext("%(num)d hour", "%(num)d hours", seconds // 3600)
    if seconds >= 60:
        return ngettext("%(num)d minute", "%(num)d minutes", seconds // 60)
    return gettext("just now")


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
        abort(400, description=gettext("Unknown state filter."))
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
    """One line of "also waiting": how many, the line in words (in the singular or plural its
    count calls for), and where to deal with them (or None)."""

    count: int
    text: str
    url: str | None


def also_waiting() -> list[Waiting]:
    """What waits for a moderator besides proposals: audience questions, PTG registrations,
    failed mails."""
    asked = questions_waiting()
    questions = Waiting(
        asked,
        ngettext(
            "%(num)d audience question waits for review",
            "%(num)d audience questions wait for review",
            asked,
        )
        if asked
        else gettext("No audience question waits for review"),
        url_for("moderation.questions"),
    )
    pending = db.session.scalar(
        db.select(func.count())
        .select_from(PtgTeam)
        .where(PtgTeam.status == TeamStatus.PENDING.value)
    )
    pending = pending or 0
    lines = [
        questions,
        Waiting(
            pending,
            ngettext(
                "%(num)d PTG team registration waits for review",
                "%(num)d PTG team registrations wait for review",
                pending,
            )
            if pending
            else gettext("No PTG team registration waits for review"),
            url_for("moderation.ptg_events"),
        ),
    ]
    failed = db.session.scalar(
        db.select(func.count()).select_from(OutboxMail).where(OutboxMail.status == FAILED)
    )
    failed = failed or 0
    lines.append(
        Waiting(
            failed,
            ngettext("%(num)d mail could not be sent", "%(num)d mails could not be sent", failed)
            if failed
            else gettext("No mail failed to go out"),
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
    (lazy_gettext("Queue"), "moderation.queue", "moderation.queue"),
    (lazy_gettext("Episodes"), "moderation.episodes", "moderation.episode"),
    (lazy_gettext("Questions"), "moderation.questions", "moderation.question"),
    ("PTG", "moderation.ptg_events", "moderation.ptg"),
    (lazy_gettext("Outbox"), "moderation.outbox", "moderation.outbox"),
    (lazy_gettext("Accounts"), "moderation.accounts", "moderation.account"),
    (lazy_gettext("Imports"), "moderation.imports", "moderation.import"),
    (lazy_gettext("Audit"), "moderation.audit_log", "moderation.audit"),
    (lazy_gettext("Your password"), "auth.change_password", "auth.change_password"),
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
        shown.append(Section(str(label), url, current))
    return shown


@bp.context_processor
def moderation_navigation() -> dict:
    """Every moderation page (error pages included) gets the navigation, for moderators only."""
    allowed = can_moderate(current_user)
    return {"moderation_sections": sections(request.endpoint) if allowed else []}


# Public pages show a moderator an "Edit" link; never cached for others (see ``caching``).
bp.add_app_template_global(can_moderate, "can_moderate")
