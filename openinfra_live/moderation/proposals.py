"""One proposal for moderators: review actions, notes, claim, tags, and scheduling.

Views only call the verbs of ``proposals.services``; each POST commits once through
``workflow.commit`` (which sends the mails the verb queued) and redirects (303). A request the
workflow refuses (a stale page, a forged form) gets 409 and a flash, and changes nothing.
"""

from collections.abc import Callable
from datetime import datetime

from flask import Response, abort, flash, request
from flask_babel import gettext
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from openinfra_live import clock, timezones, workflow
from openinfra_live.auth.models import User
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.episodes import editing, slots, specials
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page, see_other
from openinfra_live.preferences import human_time
from openinfra_live.proposals import changes, claims, notifications, scheduling, services, states
from openinfra_live.proposals.forms import (
    AssignForm,
    MessageForm,
    NoteForm,
    RequiredMessageForm,
    ScheduleForm,
    TagsForm,
)
from openinfra_live.proposals.models import Proposal, ProposalHistory

FREE_SLOTS_OFFERED = 5
# The forms of the proposal page, by prefix; the template names each ``<prefix>_form``.
FORMS: dict[str, type[FlaskForm]] = {
    "approve": MessageForm,
    "decline": MessageForm,
    "changes": RequiredMessageForm,
    "note": NoteForm,
    "tags": TagsForm,
    "reopen": MessageForm,
    "assign": AssignForm,
}


def _proposal_or_404(proposal_id: int) -> Proposal:
    proposal = db.session.scalar(
        db.select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(
            selectinload(Proposal.history).selectinload(ProposalHistory.actor),
            selectinload(Proposal.claimed_by),
        )
    )
    if proposal is None:
        flash(gettext("There is no proposal #%(id)d.", id=proposal_id), "error")
        abort(404, description=gettext("There is no proposal #%(id)d.", id=proposal_id))
    return proposal


def _moderators() -> list[User]:
    """Who a proposal may be assigned to: the active accounts, by name."""
    query = db.select(User).where(User.active.is_(True)).order_by(User.display_name, User.email)
    return list(db.session.scalars(query))


def _form(prefix: str, proposal: Proposal, tags: list[str], formdata: bool = False) -> FlaskForm:
    """The ``prefix`` form of the proposal page, filled from the request or from ``proposal``."""
    data = {"tags": ", ".join(tags)} if prefix == "tags" else None
    if prefix == "assign":
        data = {"seen_claimer": str(proposal.claimed_by_id or "")}
    # On a POST, flask-wtf fills the form of that prefix from the request anyway.
    form = FORMS[prefix](prefix=prefix, data=None if formdata else data)
    if isinstance(form, AssignForm):
        form.assignee.choices = [("", gettext("Choose a moderator…"))] + [
            (user.id, claims.name_of(user)) for user in _moderators()
        ]
    return form


def _render(proposal: Proposal, status: int = 200, **forms: FlaskForm) -> Response:
    tags = [tag for tag in proposal.tags.split(",") if tag]
    for prefix in FORMS:
        if f"{prefix}_form" not in forms:
            forms[f"{prefix}_form"] = _form(prefix, proposal, tags)
    return page(
        "moderation/proposal.html",
        status,
        proposal=proposal,
        tags=tags,
        labels=states.LABELS,
        readable_changes=changes.readable,
        allowed=states.PROPOSALS.allowed_actions(proposal),
        actions=states.ProposalAction,
        where=notifications.placement(proposal),
        **forms,
    )


def _refused(proposal_id: int, error: Exception) -> Response:
    """Undo whatever the request wrote and show the unchanged proposal with the reason."""
    db.session.rollback()
    flash(str(error), "error")
    return _render(_proposal_or_404(proposal_id), 409)


def _act(
    proposal_id: int,
    verb: Callable[[Proposal, FlaskForm | None], object],
    done: str,
    prefix: str = "",
    invalid: str | None = None,
) -> Response:
    """Validate the ``prefix`` form (if any), call ``verb``, commit and flash ``done``."""
    proposal = _proposal_or_404(proposal_id)
    form = _form(prefix, proposal, [], formdata=True) if prefix else None
    if form is not None and not form.validate():
        flash(invalid or gettext("The form has errors: see below."), "error")
        return _render(proposal, 422, **{f"{prefix}_form": form})
    try:
        verb(proposal, form)
    except (workflow.TransitionNotAllowed, services.ProposalError) as error:
        return _refused(proposal_id, error)
    workflow.commit()
    flash(done, "success")
    return see_other("moderation.proposal", proposal_id=proposal_id)


def _with_message(verb: Callable[..., ProposalHistory]) -> Callable:
    return lambda proposal, form: verb(proposal, current_user, form.message.data or "")


@bp.get("/proposals/<int:proposal_id>")
@moderator_required
def proposal(proposal_id: int):
    """The whole proposal, its history with internal notes, and the moderator's actions."""
    return _render(_proposal_or_404(proposal_id))


@bp.post("/proposals/<int:proposal_id>/approve")
@moderator_required
def approve(proposal_id: int):
    """Approve the proposal (optional message to the submitter)."""
    return _act(
        proposal_id,
        _with_message(services.approve_proposal),
        gettext("Approved. The submitter was told by e-mail; schedule it when a date is clear."),
        "approve",
    )


@bp.post("/proposals/<int:proposal_id>/decline")
@moderator_required
def decline(proposal_id: int):
    """Decline the proposal with a message to the submitter."""
    return _act(
        proposal_id,
        _with_message(services.decline_proposal),
        gettext("Declined. The submitter was told by e-mail."),
        "decline",
    )


@bp.post("/proposals/<int:proposal_id>/request-changes")
@moderator_required
def request_changes(proposal_id: int):
    """Ask the submitter for changes; the message says which."""
    return _act(
        proposal_id,
        _with_message(services.request_changes),
        gettext("Changes requested. The submitter was told by e-mail."),
        "changes",
    )


@bp.post("/proposals/<int:proposal_id>/notes")
@moderator_required
def add_note(proposal_id: int):
    """Add an internal note, which the submitter never sees."""
    return _act(
        proposal_id,
        _with_message(services.add_note),
        gettext("Note added."),
        "note",
        gettext("The note has errors: see below."),
    )


@bp.post("/proposals/<int:proposal_id>/claim")
@moderator_required
def claim(proposal_id: int):
    """Claim the proposal so that other moderators know someone reviews it."""
    return _act(
        proposal_id,
        lambda proposal, _form: claims.claim_proposal(proposal, current_user),
        gettext("You claimed this proposal."),
    )


@bp.post("/proposals/<int:proposal_id>/release")
@moderator_required
def release(proposal_id: int):
    """Release one's own claim on the proposal."""
    return _act(
        proposal_id,
        lambda proposal, _form: claims.claim_proposal(proposal, current_user, release=True),
        gettext("You released this proposal."),
    )


@bp.post("/proposals/<int:proposal_id>/assign")
@moderator_required
def assign(proposal_id: int):
    """Give the proposal to a moderator, or take it over from another one, with a note."""

    def verb(proposal: Proposal, form: AssignForm) -> ProposalHistory:
        assignee = db.session.get(User, form.assignee.data)
        return claims.assign_proposal(
            proposal,
            current_user,
            assignee,
            note=form.note.data or "",
            seen_claimer_id=form.seen_claimer_id(),
        )

    return _act(
        proposal_id,
        verb,
        gettext("Assigned."),
        "assign",
        gettext("The assignment has errors: see below."),
    )


@bp.post("/proposals/<int:proposal_id>/reopen")
@moderator_required
def reopen(proposal_id: int):
    """Reopen a declined proposal: it waits for review again, and the submitter is told."""
    return _act(
        proposal_id,
        _with_message(services.reopen_proposal),
        gettext("Reopened: the proposal waits for review again. The submitter was told by e-mail."),
        "reopen",
    )


@bp.post("/proposals/<int:proposal_id>/tags")
@moderator_required
def set_tags(proposal_id: int):
    """Replace the proposal's tags."""
    return _act(
        proposal_id,
        lambda proposal, form: services.set_tags(proposal, current_user, form.tag_list()),
        gettext("Tags saved."),
        "tags",
        gettext("The tags have errors: see below."),
    )


def _offered_slots(proposal: Proposal) -> tuple[list[datetime], set[datetime], dict]:
    """The free slots to offer: those of the preferred month, then the next free ones."""
    in_month = set(slots.free_slots_in_month(proposal.preferred_month))
    offered = sorted(in_month | set(slots.next_free_slots(FREE_SLOTS_OFFERED)))
    month = {}
    bounds = slots.month_bounds(proposal.preferred_month)
    if bounds is not None:
        month = {
            "name": timezones.write_day(bounds[0], "month"),
            "over": bounds[1] <= clock.now(),
            "free": len(in_month),
        }
    return offered, in_month, month


@bp.route("/proposals/<int:proposal_id>/schedule", methods=["GET", "POST"])
@moderator_required
def schedule(proposal_id: int):
    """Promote an approved proposal into an episode at the start chosen, in one transaction."""
    proposal = _proposal_or_404(proposal_id)
    if states.ProposalAction.SCHEDULE not in states.PROPOSALS.allowed_actions(proposal):
        label = str(states.LABELS[states.ProposalState(proposal.status)]).lower()
        flash(
            gettext(
                "Only approved proposals can be scheduled; this one is “%(state)s”.", state=label
            ),
            "error",
        )
        if request.method != "POST":
            return see_other("moderation.proposal", proposal_id=proposal_id)
        return _render(proposal, 409)
    offered, in_month, month = _offered_slots(proposal)
    if request.method == "POST":
        form = ScheduleForm()
    else:
        # No slot is chosen in advance: the moderator picks one, or types another time.
        form = ScheduleForm(obj=proposal, data={"duration_minutes": editing.default_duration()})
    form.set_slot_choices(offered, in_month)
    form.set_special_choices(specials.open_specials(clock.now()))
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        special = db.session.get(Episode, form.special_id()) if form.special_id() else None
        try:
            scheduling.schedule_proposal(
                proposal,
                current_user,
                starts_at=form.starts_at(),
                title=form.title.data,
                description=form.description.data or "",
                guests=form.guest_rows(),
                duration_minutes=form.duration_minutes.data,
                special=special,
            )
        except workflow.TransitionNotAllowed as error:
            return _refused(proposal_id, error)
        except editing.EpisodeError as error:
            db.session.rollback()
            form.slot.errors = [*form.slot.errors, str(error)]
            clash = editing.SlotClashError | specials.SegmentOverlapError
            status = 409 if isinstance(error, clash) else 422
            proposal = _proposal_or_404(proposal_id)
        else:
            workflow.commit()
            where = notifications.placement(proposal)
            if where.segment:
                done = gettext(
                    "Scheduled “%(title)s”, a segment of “%(special)s”, on %(when)s. The "
                    "submitter was told by e-mail.",
                    title=where.title,
                    special=where.episode.title,
                    when=human_time(where.starts_at),
                )
            else:
                done = gettext(
                    "Scheduled “%(title)s” on %(when)s. The submitter was told by e-mail.",
                    title=where.title,
                    when=human_time(where.starts_at),
                )
            flash(done, "success")
            return see_other("moderation.proposal", proposal_id=proposal_id)
    return page(
        "moderation/proposal_schedule.html",
        status,
        proposal=proposal,
        form=form,
        month=month,
        now=clock.now(),
    )
