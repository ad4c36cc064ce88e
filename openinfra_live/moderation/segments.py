"""The segments of a special, for moderators: add, edit, move earlier or later, delete.

A refused POST shows the form again as typed, the reason on its field, as for episodes: 422 for
bad input, 409 when the schedule says no.
"""

from collections.abc import Callable

from flask import Response, abort, flash, request
from flask_babel import gettext
from flask_login import current_user

from openinfra_live.auth.permissions import moderator_required
from openinfra_live.episodes import editing, specials
from openinfra_live.episodes.forms import DeleteSegmentForm, SegmentForm
from openinfra_live.episodes.models import Episode, EpisodeSegment
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page, see_other
from openinfra_live.moderation.episodes import _commit_or_clash, _episode_or_404
from openinfra_live.proposals import notifications, scheduling


def _segment_or_404(episode: Episode, segment_id: int) -> EpisodeSegment:
    segment = db.session.get(EpisodeSegment, segment_id)
    if segment is None or segment.episode_id != episode.id:
        abort(404, description=gettext("This special has no segment #%(id)d.", id=segment_id))
    return segment


def _render(form: SegmentForm, episode: Episode, segment: EpisodeSegment | None, status=200):
    form.add_spare_rows()
    return page("moderation/segment_form.html", status, form=form, episode=episode, segment=segment)


def _refuse(form: SegmentForm, episode_id: int, segment_id: int | None, error) -> Response:
    """Undo what the request wrote and show the form as typed, the reason on the right field."""
    db.session.rollback()
    if isinstance(error, editing.InvalidDurationError):
        form.duration_minutes.errors = [*form.duration_minutes.errors, str(error)]
    elif isinstance(error, editing.InvalidLinkError):
        form.recording_url.errors = [*form.recording_url.errors, str(error)]
    elif isinstance(error, specials.SegmentTitleError):
        form.title.errors = [*form.title.errors, str(error)]
    elif isinstance(
        error,
        editing.SlotInPastError
        | editing.SlotClashError
        | specials.SegmentOverlapError
        | specials.SpecialTooLongError,
    ):
        form.starts_at.errors = [*form.starts_at.errors, str(error)]
    else:
        form.form_errors.append(str(error))
    clash = editing.SlotClashError | specials.SegmentOverlapError
    episode = _episode_or_404(episode_id)
    segment = _segment_or_404(episode, segment_id) if segment_id is not None else None
    return _render(form, episode, segment, 409 if isinstance(error, clash) else 422)


@bp.route("/episodes/<int:episode_id>/segments/new", methods=["GET", "POST"])
@moderator_required
def segment_new(episode_id: int):
    """Add a segment to a special; the form offers the time right after its last segment."""
    episode = _episode_or_404(episode_id)
    if request.method == "GET":
        last = episode.segments[-1].ends_at if episode.segments else episode.starts_at
        return _render(SegmentForm.blank(last, 60), episode, None)
    form = SegmentForm()
    if not form.validate():
        return _render(form, episode, None, 422)
    try:
        segment = specials.add_segment(episode, form.fields(), actor=current_user)
        title = segment.title
        _commit_or_clash(episode.starts_at)
    except editing.EpisodeError as error:
        return _refuse(form, episode_id, None, error)
    flash(gettext("Segment “%(title)s” added.", title=title), "success")
    return see_other("moderation.episode_edit", episode_id=episode_id, _anchor="segments")


@bp.route("/episodes/<int:episode_id>/segments/<int:segment_id>/edit", methods=["GET", "POST"])
@moderator_required
def segment_edit(episode_id: int, segment_id: int):
    """Edit a segment of a special: moving it updates its calendar event, under the same UID."""
    episode = _episode_or_404(episode_id)
    segment = _segment_or_404(episode, segment_id)
    if request.method == "GET":
        return _render(SegmentForm.for_segment(segment), episode, segment)
    form = SegmentForm()
    if not form.validate():
        return _render(form, episode, segment, 422)
    fields = form.fields()
    if fields.starts_at == segment.starts_at.replace(second=0, microsecond=0):
        fields.starts_at = segment.starts_at  # the form shows minutes: it has not moved
    before = segment.starts_at, segment.duration_minutes
    try:
        changed = specials.update_segment(segment, fields, actor=current_user)
        if before != (segment.starts_at, segment.duration_minutes):
            notifications.segment_moved(segment, *before)
        _commit_or_clash(episode.starts_at)
    except editing.EpisodeError as error:
        return _refuse(form, episode_id, segment_id, error)
    if changed:
        flash(gettext("Segment saved."), "success")
    else:
        flash(gettext("Nothing changed."), "info")
    return see_other("moderation.episode_edit", episode_id=episode_id, _anchor="segments")


@bp.post("/episodes/<int:episode_id>/segments/<int:segment_id>/move")
@moderator_required
def segment_move(episode_id: int, segment_id: int):
    """Swap a segment with the one before or after it in the run of the show."""
    episode = _episode_or_404(episode_id)
    segment = _segment_or_404(episode, segment_id)
    earlier = request.form.get("to") == "earlier"
    before = {s: s.starts_at for s in episode.segments}

    def reorder() -> None:
        specials.move_segment(segment, earlier, actor=current_user)
        for moved, old_start in before.items():
            if moved.starts_at != old_start:
                notifications.segment_moved(moved, old_start, moved.duration_minutes)

    return _run_of_show_change(
        episode,
        reorder,
        done=gettext("Run of the show reordered."),
        refused=lambda error: gettext("Not moved: %(reason)s", reason=error),
    )


def _run_of_show_change(
    episode: Episode,
    change: Callable[[], object],
    *,
    done: str,
    refused: Callable[[Exception], str],
) -> Response:
    """Commit a change to a special's segments, or roll it back and say why; back to the list."""
    try:
        change()
        _commit_or_clash(episode.starts_at)
    except editing.EpisodeError as error:
        db.session.rollback()
        flash(refused(error), "error")
    else:
        flash(done, "success")
    return see_other("moderation.episode_edit", episode_id=episode.id, _anchor="segments")


@bp.route("/episodes/<int:episode_id>/segments/<int:segment_id>/delete", methods=["GET", "POST"])
@moderator_required
def segment_delete(episode_id: int, segment_id: int):
    """Remove a segment from a special, after a confirmation page; the special then spans the
    others, and the proposal it was scheduled from, if any, is told."""
    episode = _episode_or_404(episode_id)
    segment = _segment_or_404(episode, segment_id)
    form = DeleteSegmentForm()
    if request.method == "GET" or not form.validate():
        status = 422 if request.method == "POST" else 200
        return page("moderation/segment_delete.html", status, form=form, segment=segment)
    return _run_of_show_change(
        episode,
        lambda: scheduling.delete_segment(segment, current_user, form.message.data or ""),
        done=gettext("Segment “%(title)s” deleted.", title=segment.title),
        refused=lambda error: gettext("Not deleted: %(reason)s", reason=error),
    )
