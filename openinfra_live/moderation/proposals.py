"""One proposal for moderators: review actions, notes, claim, tags, and scheduling.

Views only call the verbs of ``proposals.services``; each state change is a POST with CSRF,
commits once through ``workflow.commit`` (which sends the mails the verb queued), and
redirects (303). A request
the workflow refuses (a stale page, a forged form) gets 409 and a flash, and changes nothing.
"""

from collections.abc import Callable

from flask import (
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import selectinload

from openinfra_live import clock, security, workflow
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.episodes import editing
from openinfra_live.extensions import db
from openinfra_live.moderation import bp
from openinfra_live.proposals import notifications, services, states
from openinfra_live.proposals.forms import (
    MessageForm,
    NoteForm,
    RequiredMessageForm,
    ScheduleForm,
    TagsForm,
)
from openinfra_live.proposals.models import Proposal, ProposalHistory

FREE_SLOTS_OFFERED = 5


def _see_other(url: str) -> Response:
    return redirect(url, code=303)


def _moderator():
    return current_user._get_current_object()


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
        flash(f"There is no proposal #{proposal_id}.", "error")
        abort(404, description=f"There is no proposal #{proposal_id}.")
    return proposal


def _render(proposal: Proposal, status: int = 200, **forms: FlaskForm) -> Response:
    tags = [tag for tag in proposal.tags.split(",") if tag]
    forms.setdefault("approve_form", MessageForm(prefix="approve"))
    forms.setdefault("decline_form", MessageForm(prefix="decline"))
    forms.setdefault("changes_form", RequiredMessageForm(prefix="changes"))
    forms.setdefault("note_form", NoteForm(prefix="note"))
    forms.setdefault("tags_form", TagsForm(prefix="tags", data={"tags": ", ".join(tags)}))
    page = render_template(
        "moderation/proposal.html",
        proposal=proposal,
        tags=tags,
        labels=states.LABELS,
        allowed=states.PROPOSALS.allowed_actions(proposal),
        actions=states.ProposalAction,
        episode_url=(
            notifications.episode_url(proposal.episode.slug) if proposal.episode else None
        ),
        **forms,
    )
    return security.no_store(make_response(page, status))


def _refused(proposal_id: int, error: Exception) -> Response:
    """Undo whatever the request wrote and show the unchanged proposal with the reason."""
    db.session.rollback()
    flash(str(error), "error")
    return _render(_proposal_or_404(proposal_id), 409)


@bp.get("/proposals/<int:proposal_id>")
@moderator_required
def proposal(proposal_id: int):
    """The whole proposal, its history with internal notes, and the moderator's actions."""
    return _render(_proposal_or_404(proposal_id))


def _transition_view(
    proposal_id: int,
    form: FlaskForm,
    form_name: str,
    verb: Callable[..., ProposalHistory],
    done: str,
) -> Response:
    proposal = _proposal_or_404(proposal_id)
    if not form.validate():
        flash("The form has errors: see below.", "error")
        return _render(proposal, 422, **{form_name: form})
    try:
        verb(proposal, _moderator(), form.message.data or "")
    except (workflow.TransitionNotAllowed, services.ProposalError) as error:
        return _refused(proposal_id, error)
    workflow.commit()
    flash(done, "success")
    return _see_other(url_for("moderation.proposal", proposal_id=proposal_id))


@bp.post("/proposals/<int:proposal_id>/approve")
@moderator_required
def approve(proposal_id: int):
    """Approve the proposal (optional message to the submitter)."""
    return _transition_view(
        proposal_id,
        MessageForm(prefix="approve"),
        "approve_form",
        services.approve_proposal,
        "Approved. The submitter was told by e-mail; schedule it when a date is clear.",
    )


@bp.post("/proposals/<int:proposal_id>/decline")
@moderator_required
def decline(proposal_id: int):
    """Decline the proposal with a message to the submitter."""
    return _transition_view(
        proposal_id,
        MessageForm(prefix="decline"),
        "decline_form",
        services.decline_proposal,
        "Declined. The submitter was told by e-mail.",
    )


@bp.post("/proposals/<int:proposal_id>/request-changes")
@moderator_required
def request_changes(proposal_id: int):
    """Ask the submitter for changes; the message says which."""
    return _transition_view(
        proposal_id,
        RequiredMessageForm(prefix="changes"),
        "changes_form",
        services.request_changes,
        "Changes requested. The submitter was told by e-mail.",
    )


@bp.post("/proposals/<int:proposal_id>/notes")
@moderator_required
def add_note(proposal_id: int):
    """Add an internal note, which the submitter never sees."""
    proposal = _proposal_or_404(proposal_id)
    form = NoteForm(prefix="note")
    if not form.validate():
        flash("The note has errors: see below.", "error")
        return _render(proposal, 422, note_form=form)
    services.add_note(proposal, _moderator(), form.message.data)
    db.session.commit()
    flash("Note added.", "success")
    return _see_other(url_for("moderation.proposal", proposal_id=proposal_id))


@bp.post("/proposals/<int:proposal_id>/claim")
@moderator_required
def claim(proposal_id: int):
    """Claim the proposal so that other moderators know someone reviews it."""
    proposal = _proposal_or_404(proposal_id)
    try:
        services.claim_proposal(proposal, _moderator())
    except services.ProposalError as error:
        return _refused(proposal_id, error)
    db.session.commit()
    flash("You claimed this proposal.", "success")
    return _see_other(url_for("moderation.proposal", proposal_id=proposal_id))


@bp.post("/proposals/<int:proposal_id>/release")
@moderator_required
def release(proposal_id: int):
    """Release one's own claim on the proposal."""
    proposal = _proposal_or_404(proposal_id)
    try:
        services.claim_proposal(proposal, _moderator(), release=True)
    except services.ProposalError as error:
        return _refused(proposal_id, error)
    db.session.commit()
    flash("You released this proposal.", "success")
    return _see_other(url_for("moderation.proposal", proposal_id=proposal_id))


@bp.post("/proposals/<int:proposal_id>/tags")
@moderator_required
def set_tags(proposal_id: int):
    """Replace the proposal's tags."""
    proposal = _proposal_or_404(proposal_id)
    form = TagsForm(prefix="tags")
    if not form.validate():
        flash("The tags have errors: see below.", "error")
        return _render(proposal, 422, tags_form=form)
    services.set_tags(proposal, _moderator(), form.tag_list())
    db.session.commit()
    flash("Tags saved.", "success")
    return _see_other(url_for("moderation.proposal", proposal_id=proposal_id))


def _render_schedule(proposal: Proposal, form: ScheduleForm, status: int = 200) -> Response:
    page = render_template(
        "moderation/proposal_schedule.html",
        proposal=proposal,
        form=form,
        now=clock.now(),
    )
    return security.no_store(make_response(page, status))


@bp.route("/proposals/<int:proposal_id>/schedule", methods=["GET", "POST"])
@moderator_required
def schedule(proposal_id: int):
    """Promote an approved proposal into an episode in a free slot, in one transaction."""
    proposal = _proposal_or_404(proposal_id)
    if states.ProposalAction.SCHEDULE not in states.PROPOSALS.allowed_actions(proposal):
        label = states.LABELS[states.ProposalState(proposal.status)].lower()
        flash(f"Only approved proposals can be scheduled; this one is “{label}”.", "error")
        if request.method != "POST":
            return _see_other(url_for("moderation.proposal", proposal_id=proposal_id))
        return _render(proposal, 409)
    slots = editing.next_free_slots(FREE_SLOTS_OFFERED)
    if request.method == "POST":
        form = ScheduleForm()
    else:
        form = ScheduleForm(
            obj=proposal,
            data={
                "slot": slots[0].strftime("%Y-%m-%dT%H:%M") if slots else "custom",
                "duration_minutes": editing.default_duration(),
            },
        )
    form.set_slot_choices(slots)
    if not form.validate_on_submit():
        return _render_schedule(proposal, form, 422 if request.method == "POST" else 200)
    try:
        services.schedule_proposal(
            proposal,
            _moderator(),
            starts_at=form.starts_at(),
            title=form.title.data,
            description=form.description.data or "",
            guests=form.guest_rows(),
            duration_minutes=form.duration_minutes.data,
        )
    except workflow.TransitionNotAllowed as error:
        return _refused(proposal_id, error)
    except editing.EpisodeError as error:
        db.session.rollback()
        form.slot.errors = [*form.slot.errors, str(error)]
        status = 409 if isinstance(error, editing.SlotClashError) else 422
        return _render_schedule(_proposal_or_404(proposal_id), form, status)
    workflow.commit()
    episode = proposal.episode
    flash(
        f"Scheduled “{episode.title}” on {episode.starts_at:%A %-d %B %Y, %H:%M} UTC. "
        "The submitter was told by e-mail.",
        "success",
    )
    return _see_other(url_for("moderation.proposal", proposal_id=proposal_id))
