"""The public *propose an episode* form and the submitter's private status page."""

import logging
from functools import partial

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from openinfra_live import security, workflow
from openinfra_live.extensions import limiter
from openinfra_live.forms import public_form_limit
from openinfra_live.proposals import notifications, services, states
from openinfra_live.proposals.forms import EditProposalForm, ProposeForm
from openinfra_live.proposals.models import Proposal

bp = Blueprint("proposals", __name__)
log = logging.getLogger(__name__)

# Pages whose address holds the private token: never cached, never sent on as a Referer.
PRIVATE_ENDPOINTS = frozenset(
    {"proposals.status", "proposals.edit", "proposals.withdraw", "proposals.new_link"}
)


@bp.after_request
def protect_private_pages(response: Response) -> Response:
    """Keep the token out of caches and Referer headers, error pages included."""
    if request.endpoint in PRIVATE_ENDPOINTS:
        response.headers["Referrer-Policy"] = "no-referrer"
        security.no_store(response)
    elif request.endpoint == "proposals.propose":
        # The form carries a once-only nonce: a shared cache must not hand it to two people.
        security.no_store(response)
    return response


@bp.route("/propose", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"])
def propose():
    """The *propose an episode* form; success redirects to the private status page."""
    form = ProposeForm()
    if request.method == "POST" and form.is_spam:
        # A filled honeypot is a bot: it gets what looks like success, nothing is stored.
        log.info("proposal dropped: honeypot filled from %s", request.remote_addr)
        flash(gettext("Thank you: your proposal was received."), "success")
        return redirect(url_for("proposals.propose"), 303)
    if form.validate_on_submit():
        submission = services.submit_proposal(
            form.content(),
            submitter_name=form.submitter_name.data,
            submitter_email=form.submitter_email.data,
            nonce=form.nonce.data,
        )
        workflow.commit()
        if submission.created:
            flash(
                gettext(
                    "Thank you: your proposal was received. We sent this page's address to your"
                    " e-mail; keep it private."
                ),
                "success",
            )
        return redirect(url_for("proposals.status", token=submission.token), 303)
    status = 422 if request.method == "POST" else 200
    return make_response(render_template("proposals/propose.html", form=form), status)


def _proposal_or_404(token: str) -> Proposal:
    proposal = services.find_by_token(token)
    if proposal is None:
        # The same answer for a wrong, truncated or foreign token as for a missing proposal.
        abort(404)
    return proposal


def _render_status(
    proposal: Proposal, token: str, edit_form: EditProposalForm | None = None, status: int = 200
) -> Response:
    allowed = states.PROPOSALS.allowed_actions(proposal)
    if edit_form is None and states.ProposalAction.RESUBMIT in allowed:
        # Guest rows come from proposal.guests; blank rows are added up to the minimum.
        edit_form = EditProposalForm(obj=proposal)
    public_entries = [entry for entry in proposal.history if entry.is_public]
    page = render_template(
        "proposals/status.html",
        proposal=proposal,
        token=token,
        state_label=states.LABELS[states.ProposalState(proposal.status)],
        next_step=states.NEXT_STEPS[states.ProposalState(proposal.status)],
        public_entries=public_entries,
        edit_form=edit_form,
        can_withdraw=states.ProposalAction.WITHDRAW in allowed,
        where=_public_placement(proposal),
    )
    return make_response(page, status)


def _public_placement(proposal: Proposal) -> notifications.Placement | None:
    """Where the proposal is on the programme, unless that episode is hidden from the public."""
    where = notifications.placement(proposal)
    return None if where is None or where.episode.hidden else where


@bp.get("/proposals/<token>")
def status(token: str):
    """The submitter's private status page: state, public messages, the episode once scheduled."""
    proposal = _proposal_or_404(token)
    return _render_status(proposal, token)


@bp.post("/proposals/<token>/edit")
@limiter.limit(public_form_limit)
def edit(token: str):
    """The submitter's edit while changes are requested; it goes back to review."""
    proposal = _proposal_or_404(token)
    form = EditProposalForm()
    if not form.validate():
        return _render_status(proposal, token, edit_form=form, status=422)
    workflow.commit_or_refuse(
        partial(services.resubmit_proposal, proposal, form.content(), message=form.message.data),
        gettext("Thank you: your edited proposal is back with the moderators."),
    )
    return redirect(url_for("proposals.status", token=token), 303)


@bp.route("/proposals/<token>/withdraw", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"])
def withdraw(token: str):
    """Ask to confirm (withdrawing is final), then withdraw the proposal while it is not final."""
    proposal = _proposal_or_404(token)
    if request.method == "GET":
        if states.ProposalAction.WITHDRAW not in states.PROPOSALS.allowed_actions(proposal):
            return redirect(url_for("proposals.status", token=token), 303)
        approved = proposal.status == states.ProposalState.APPROVED
        return render_template(
            "proposals/withdraw.html", proposal=proposal, token=token, approved=approved
        )
    workflow.commit_or_refuse(
        partial(services.withdraw_proposal, proposal), gettext("Your proposal is withdrawn.")
    )
    return redirect(url_for("proposals.status", token=token), 303)


@bp.post("/proposals/<token>/new-link")
@limiter.limit(public_form_limit)
def new_link(token: str):
    """Replace the private link (when it was shared by mistake); the new one is e-mailed."""
    proposal = _proposal_or_404(token)
    new_token = services.rotate_token(proposal)
    workflow.commit()
    flash(
        gettext("This page has a new address; the old link no longer works. Bookmark this one."),
        "success",
    )
    return redirect(url_for("proposals.status", token=new_token), 303)
