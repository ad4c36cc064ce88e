"""Episodes for moderators: the full list (hidden ones too), create, edit, hide and unhide.

A refused POST shows the form again as typed: 422 for bad input, 409 when the schedule says no.
"""

from datetime import datetime

from flask import Response, abort, flash, request
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from openinfra_live import clock, workflow
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.episodes import audience, editing, queries, slots, specials
from openinfra_live.episodes.forms import PLATFORM_SUGGESTIONS, DeleteEpisodeForm, EpisodeForm
from openinfra_live.episodes.models import Episode
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page, paginate, see_other
from openinfra_live.proposals import notifications, scheduling
from openinfra_live.questions import services as question_services

EPISODES_PER_PAGE = 25
FREE_SLOTS_OFFERED = 4
SEARCH_MAX_LENGTH = 200


def _episode_or_404(episode_id: int) -> Episode:
    episode = db.session.get(Episode, episode_id)
    if episode is None:
        abort(404, description=gettext("There is no episode #%(id)d.", id=episode_id))
    return episode


def _render_form(form: EpisodeForm, episode: Episode | None, status: int = 200) -> Response:
    now = clock.now()
    # Blank rows after the filled ones: a guest or link is added without JavaScript.
    form.add_spare_rows()
    return page(
        "moderation/episodes_form.html",
        status,
        form=form,
        episode=episode,
        now=now,
        state=queries.state_of(episode, now) if episode else None,
        free_slots=slots.next_free_slots(FREE_SLOTS_OFFERED) if episode is None else [],
        platform_suggestions=PLATFORM_SUGGESTIONS,
        public_url=(
            notifications.episode_url(episode.slug) if episode and not episode.hidden else None
        ),
    )


def _refuse(form: EpisodeForm, episode_id: int | None, error: editing.EpisodeError) -> Response:
    """Undo what the request wrote and show the form as typed, the reason on the right field."""
    db.session.rollback()
    if isinstance(error, editing.InvalidDurationError):
        form.duration_minutes.errors = [*form.duration_minutes.errors, str(error)]
    elif isinstance(error, editing.InvalidLinkError) and error.field == "recap_url":
        form.recap_url.errors = [*form.recap_url.errors, str(error)]
    elif isinstance(error, editing.PastEpisodeMoveError):
        form.confirm_past.errors = [*form.confirm_past.errors, str(error)]
    elif isinstance(error, editing.SlotInPastError | editing.SlotClashError) and (
        "starts_at" in form
    ):
        form.starts_at.errors = [*form.starts_at.errors, str(error)]
    else:
        form.form_errors.append(str(error))
    status = 409 if isinstance(error, editing.SlotClashError) else 422
    episode = _episode_or_404(episode_id) if episode_id is not None else None
    return _render_form(form, episode, status)


def _commit_or_clash(starts_at: datetime) -> None:
    """Commit (sending queued mails); a same-start race lost at the unique index becomes a
    ``SlotClashError``."""
    try:
        workflow.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise editing.SlotClashError(starts_at) from error


@bp.get("/episodes/")
@moderator_required
def episodes():
    """Every episode, hidden ones too, newest first; ``?q=`` searches titles, ``?page=`` pages."""
    search = request.args.get("q", "").strip()[:SEARCH_MAX_LENGTH]
    query = db.select(Episode).order_by(Episode.starts_at.desc(), Episode.id.desc())
    if search:
        query = query.where(Episode.title.icontains(search, autoescape=True))
    listing = paginate(query, EPISODES_PER_PAGE)
    return page("moderation/episodes.html", page=listing, search=search, now=clock.now())


@bp.route("/episodes/new", methods=["GET", "POST"])
@moderator_required
def episode_new():
    """Create an episode; the next free default slot is offered."""
    if request.method == "GET":
        free = slots.next_free_slots(1)
        form = EpisodeForm.blank(free[0] if free else None, editing.default_duration())
        return _render_form(form, None)
    form = EpisodeForm()
    if not form.validate():
        return _render_form(form, None, 422)
    create = specials.create_special if form.special.data else editing.create_episode
    try:
        episode = create(starts_at=form.start_utc(), actor=current_user, **form.content())
        episode_id, title = episode.id, episode.title
        _commit_or_clash(form.start_utc())
    except editing.EpisodeError as error:
        return _refuse(form, None, error)
    if form.special.data:
        flash(
            gettext("Special “%(title)s” created. Add its segments below.", title=title), "success"
        )
        return see_other("moderation.episode_edit", episode_id=episode_id, _anchor="segments")
    flash(gettext("Episode “%(title)s” created.", title=title), "success")
    return see_other("moderation.episode_edit", episode_id=episode_id)


@bp.route("/episodes/<int:episode_id>/edit", methods=["GET", "POST"])
@moderator_required
def episode_edit(episode_id: int):
    """Edit an episode, past ones included (recording and recap links after the show)."""
    episode = _episode_or_404(episode_id)
    if request.method == "GET":
        return _render_form(EpisodeForm.for_episode(episode), episode)
    form = EpisodeForm()
    if spanned := bool(episode.special and episode.segments):
        # A special's start and length follow its segments, edited on their own.
        del form["starts_at"], form["duration_minutes"]
    if not form.validate():
        return _render_form(form, episode, 422)
    old_start, old_minutes = episode.starts_at, episode.duration_minutes
    starts_at = old_start if spanned else form.start_utc()
    if starts_at == old_start.replace(second=0, microsecond=0):
        # The form shows minutes; an imported start with seconds has not moved.
        starts_at = old_start
    already_happened = old_start <= clock.now()
    try:
        changes = editing.update_episode(
            episode,
            starts_at=starts_at,
            actor=current_user,
            confirm_past=form.confirm_past.data,
            **form.content(),
        )
        changes |= audience.set_audience(episode, actor=current_user, **form.audience())
        moved = "starts_at" in changes or "duration_minutes" in changes
        # A correction to the archive needs no new invite: the submitter is told of changes
        # to an episode still to come.
        tell_submitter = (
            moved
            and episode.proposal_id is not None
            and not episode.hidden
            and not already_happened
        )
        if tell_submitter:
            notifications.episode_moved(episode, old_start, old_minutes)
        # A recording added now is what askers of answered questions were waiting for.
        question_services.tell_askers(episode)
        _commit_or_clash(starts_at)
    except editing.EpisodeError as error:
        return _refuse(form, episode_id, error)
    if not changes:
        flash(gettext("Nothing changed."), "info")
    elif tell_submitter and "starts_at" in changes:
        flash(gettext("Episode saved. It moved: its submitter was told by e-mail."), "success")
    elif tell_submitter:
        flash(
            gettext("Episode saved. Its length changed: its submitter was told by e-mail."),
            "success",
        )
    else:
        flash(gettext("Episode saved."), "success")
    return see_other("moderation.episode_edit", episode_id=episode_id)


@bp.post("/episodes/<int:episode_id>/hide")
@moderator_required
def episode_hide(episode_id: int):
    """Take an episode off every public page, feed, calendar and the API."""
    episode = _episode_or_404(episode_id)
    editing.hide_episode(episode, actor=current_user)
    db.session.commit()
    flash(
        gettext("“%(title)s” is hidden: visitors no longer see it.", title=episode.title),
        "success",
    )
    return see_other("moderation.episode_edit", episode_id=episode_id)


@bp.post("/episodes/<int:episode_id>/unhide")
@moderator_required
def episode_unhide(episode_id: int):
    """Show a hidden episode again, unless it would overlap a visible one."""
    episode = _episode_or_404(episode_id)
    try:
        editing.unhide_episode(episode, actor=current_user)
        _commit_or_clash(episode.starts_at)
    except editing.EpisodeError as error:
        db.session.rollback()
        flash(gettext("Not shown again: %(reason)s", reason=error), "error")
        episode = _episode_or_404(episode_id)
        return _render_form(EpisodeForm.for_episode(episode), episode, 409)
    flash(gettext("“%(title)s” is visible again.", title=episode.title), "success")
    return see_other("moderation.episode_edit", episode_id=episode_id)


@bp.route("/episodes/<int:episode_id>/delete", methods=["GET", "POST"])
@moderator_required
def episode_delete(episode_id: int):
    """Delete an episode for good, after a ticked confirmation; its proposal is told."""
    episode = _episode_or_404(episode_id)
    form = DeleteEpisodeForm()
    if request.method == "GET" or not form.validate():
        status = 422 if request.method == "POST" else 200
        return page("moderation/episode_delete.html", status, episode=episode, form=form)
    title = episode.title
    proposal_ids = [episode.proposal_id] + [segment.proposal_id for segment in episode.segments]
    told = [f"#{number}" for number in proposal_ids if number is not None]
    try:
        scheduling.delete_episode(episode, current_user, form.message.data or "")
    except (editing.EpisodeError, workflow.TransitionNotAllowed) as error:
        # Another moderator was quicker: nothing of this request is kept.
        db.session.rollback()
        flash(str(error), "error")
        return see_other("moderation.episodes")
    workflow.commit()
    if len(told) == 1:
        done = gettext(
            "“%(title)s” is deleted. Proposal %(proposal)s waits for a date again; its submitter "
            "was told.",
            title=title,
            proposal=told[0],
        )
    elif told:
        done = gettext(
            "“%(title)s” is deleted. Proposals %(proposals)s wait for a date again; their "
            "submitters were told.",
            title=title,
            proposals=", ".join(told),
        )
    else:
        done = gettext("“%(title)s” is deleted.", title=title)
    flash(done, "success")
    return see_other("moderation.episodes")
