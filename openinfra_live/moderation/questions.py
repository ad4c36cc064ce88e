"""Audience questions, for moderators: the waiting ones by episode, and each episode's
run-of-show page that the hosts read from (and print)."""

from functools import partial

from flask import abort, flash
from flask_babel import gettext
from flask_login import current_user

from openinfra_live import clock, workflow
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.episodes import queries as episode_queries
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page, see_other
from openinfra_live.moderation.episodes import _episode_or_404
from openinfra_live.questions import queries, services
from openinfra_live.questions.forms import ListingForm, MergeForm, MoveForm, QuestionActionForm
from openinfra_live.questions.models import Question
from openinfra_live.questions.states import LABELS

# The verb of each action.
VERBS = {
    "approve": services.approve,
    "reject": services.reject,
    "answer": services.answer,
}


def _done(action: str, question_id: int) -> str:
    """What the flash says was done to the question."""
    if action == "approve":
        return gettext("Question #%(id)d approved: it is on the hosts' list.", id=question_id)
    if action == "reject":
        return gettext("Question #%(id)d rejected.", id=question_id)
    return gettext("Question #%(id)d marked as answered on air.", id=question_id)


# Where an action's redirect goes back to: the list, or the episode's run-of-show page.
RUN_OF_SHOW = "run"


def _question_or_404(question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None:
        abort(404, description=gettext("There is no question #%(id)d.", id=question_id))
    return question


def _back(question: Question, next_: str | None):
    if next_ == RUN_OF_SHOW:
        return see_other("moderation.questions_run", episode_id=question.episode_id)
    return see_other("moderation.questions", _anchor=f"episode-{question.episode_id}")


@bp.get("/questions/")
@moderator_required
def questions():
    """Waiting questions by episode, oldest first, and the episodes that have questions."""
    return page(
        "moderation/questions.html",
        groups=queries.waiting_by_episode(),
        tallies=queries.episodes_with_questions(),
        action_form=QuestionActionForm(),
        merge_form=MergeForm(),
    )


@bp.post("/questions/<int:question_id>/<any(approve, reject, answer):action>")
@moderator_required
def question_action(question_id: int, action: str):
    """Approve, reject or mark answered one question."""
    question = _question_or_404(question_id)
    form = QuestionActionForm()
    if not form.validate():
        abort(400, description=gettext("The form was incomplete; go back and try again."))
    verb = VERBS[action]
    workflow.commit_or_refuse(
        partial(verb, question, actor=current_user), _done(action, question.id)
    )
    return _back(question, form.next.data)


@bp.post("/questions/<int:question_id>/merge")
@moderator_required
def question_merge(question_id: int):
    """Merge a duplicate into another question of its episode."""
    question = _question_or_404(question_id)
    form = MergeForm()
    form.into.choices = [(q.id, str(q.id)) for q in queries.merge_choices(question)]
    if not form.validate():
        flash(gettext("Choose the question it repeats."), "error")
        return _back(question, form.next.data)
    into = _question_or_404(form.into.data)
    workflow.commit_or_refuse(
        partial(services.merge, question, into, actor=current_user),
        gettext("Question #%(id)d merged into #%(into)d.", id=question.id, into=into.id),
    )
    return _back(question, form.next.data)


@bp.post("/questions/<int:question_id>/move")
@moderator_required
def question_move(question_id: int):
    """Move an approved question one place up or down the hosts' list (no script needed)."""
    question = _question_or_404(question_id)
    form = MoveForm()
    if not form.validate() or form.step.data not in {"-1", "1"}:
        abort(400, description=gettext("Move a question one place up or down."))
    try:
        moved = services.move(question, int(form.step.data), actor=current_user)
    except workflow.TransitionNotAllowed as error:
        db.session.rollback()
        flash(str(error), "error")
        return _back(question, RUN_OF_SHOW)
    db.session.commit()
    if not moved:
        if form.step.data == "-1":
            flash(gettext("Question #%(id)d is already first.", id=question.id))
        else:
            flash(gettext("Question #%(id)d is already last.", id=question.id))
    return _back(question, RUN_OF_SHOW)


@bp.get("/questions/episodes/<int:episode_id>")
@moderator_required
def questions_run(episode_id: int):
    """The hosts' printable list of approved questions, in the moderators' order; it reloads
    itself while the episode is on air."""
    episode = _episode_or_404(episode_id)
    now = clock.now()
    return page(
        "moderation/questions_run.html",
        episode=episode,
        readings=queries.run_of_show(episode),
        live=episode_queries.state_of(episode, now) == episode_queries.EpisodeState.LIVE,
        action_form=QuestionActionForm(),
        listing_form=ListingForm(),
        labels=LABELS,
    )


@bp.post("/questions/episodes/<int:episode_id>/listing")
@moderator_required
def questions_listing(episode_id: int):
    """List the episode's approved questions on its public page, or stop listing them."""
    episode = _episode_or_404(episode_id)
    form = ListingForm()
    if not form.validate() or form.shown.data not in {"yes", "no"}:
        abort(400, description=gettext("Say whether to list the questions."))
    shown = form.shown.data == "yes"
    services.show_on_episode_page(episode, shown, actor=current_user)
    db.session.commit()
    if shown:
        flash(gettext("The approved questions are listed on the episode's page."), "success")
    else:
        flash(gettext("The episode's page no longer lists its questions."), "success")
    return see_other("moderation.questions_run", episode_id=episode_id)
