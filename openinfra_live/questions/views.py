"""The audience's side: the question form of an episode, on its page and on a page of its own."""

import logging
from dataclasses import dataclass
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, lazy_gettext
from flask_wtf.csrf import CSRFError

from openinfra_live import clock, security, workflow
from openinfra_live.episodes import queries as episode_queries
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import csrf, limiter
from openinfra_live.forms import public_form_limit
from openinfra_live.questions import queries, services
from openinfra_live.questions.forms import QuestionForm

bp = Blueprint("questions", __name__)
log = logging.getLogger(__name__)

RECEIVED = lazy_gettext(
    "Thank you: your question was received. The moderators read every question before it"
    " reaches the hosts."
)


def question_form(episode: Episode) -> QuestionForm:
    """The form of ``episode``'s questions; its token is the same for every visitor."""
    return QuestionForm(meta={"csrf_context": episode.slug})


@dataclass(frozen=True)
class QuestionBox:
    """What an episode's page shows of its questions: the form while it takes questions, and
    the approved ones when the moderators chose to list them."""

    form: QuestionForm | None
    listed: queries.PublicList | None


@bp.app_template_global("audience_questions")
def audience_questions(episode: Episode, now: datetime) -> QuestionBox:
    open_ = services.takes_questions(episode, now)
    listed = queries.public_list(episode) if episode.show_questions else None
    return QuestionBox(question_form(episode) if open_ else None, listed)


def _episode_or_404(slug: str) -> Episode:
    episode = episode_queries.visible_episode(slug)
    if episode is None:
        abort(404)
    return episode


def _page(episode: Episode, form: QuestionForm, status: int = 200, closed: bool = False):
    now = clock.now()
    listed = queries.public_list(episode) if episode.show_questions else None
    page = render_template(
        "questions/ask.html",
        episode=episode,
        form=form,
        closed=closed,
        listed=listed,
        now=now,
    )
    # Errors and what the visitor typed are theirs alone.
    return security.no_store(make_response(page, status))


@bp.route("/episodes/<slug>/questions", methods=["GET", "POST"])
@csrf.exempt  # the form's own token (``SharedPageCSRF``) is checked by ``validate``
@limiter.limit(public_form_limit, methods=["POST"])
def ask(slug: str):
    """The question form of an upcoming or live episode; success goes back to its page."""
    episode = _episode_or_404(slug)
    form = question_form(episode)
    closed = not services.takes_questions(episode, clock.now())
    if request.method == "GET":
        return _page(episode, form, closed=closed)
    if form.is_spam:
        # A filled honeypot is a bot: it gets what looks like success, nothing is stored.
        log.info("question dropped: honeypot filled from %s", request.remote_addr)
        flash(str(RECEIVED), "success")
        return redirect(url_for("episodes.detail", slug=slug), 303)
    valid = form.validate()
    token = getattr(form, "csrf_token", None)  # none where the setting turns tokens off
    if token is not None and token.errors:
        # As every POST without its token: the page that keeps what was typed, to send again.
        raise CSRFError(token.errors[0])
    if closed:
        # What was typed is shown back, so nothing is lost.
        return _page(episode, form, status=409, closed=True)
    if not valid:
        return _page(episode, form, status=422)
    try:
        asked = services.ask(
            episode,
            form.text.data,
            name=form.name.data or "",
            email=form.email.data or "",
            sender=request.remote_addr or "",
        )
    except services.QuestionsClosed:
        return _page(episode, form, status=409, closed=True)
    workflow.commit()
    said = str(RECEIVED) if asked.created else gettext("Your question was already received.")
    flash(said, "success")
    return redirect(url_for("episodes.detail", slug=slug, _anchor="questions"), 303)
