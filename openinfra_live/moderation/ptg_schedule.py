"""Moderation of a PTG event's schedule: rooms (add, edit, delete) and team sessions (place,
change in place, remove).

The views only call the verbs of ``ptg.events`` and ``ptg.sessions``; each POST commits once,
flashes and redirects (303), or shows the form again with its errors (400).
"""

from collections.abc import Callable
from datetime import date, timedelta
from functools import partial

from flask import Response, flash
from flask_babel import gettext
from flask_login import current_user

from openinfra_live.auth.permissions import moderator_required
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page, see_other
from openinfra_live.moderation.ptg import (
    delete_unless_in_use,
    event_page,
    form_status,
    of_event_or_404,
    session_form_of,
)
from openinfra_live.ptg import events, rules, sessions
from openinfra_live.ptg import schedule as sched
from openinfra_live.ptg.events import event_or_404
from openinfra_live.ptg.forms import ConfirmForm, RoomForm, SessionForm
from openinfra_live.ptg.models import PtgEvent, PtgSession, Room

# --- rooms -----------------------------------------------------------------------------------


def _save_room(form: RoomForm, event: PtgEvent, room: Room | None, done: str) -> Response | None:
    """Validate the room form and save the room: a redirect when it is stored, None when the
    form must be shown again with its errors."""
    if not form.validate_on_submit():
        return None
    try:
        events.save_room(
            event,
            room,
            name=form.name.data or "",
            capacity=form.capacity.data,
            video_url=form.video_url.data or "",
            actor=current_user,
        )
    except rules.InvalidRoom as error:
        form.name.errors = [*form.name.errors, *error.errors]
        return None
    slug = event.slug
    db.session.commit()
    flash(done, "success")
    return see_other("moderation.ptg_event", event=slug)


@bp.post("/ptg/<event>/rooms")
@moderator_required
def ptg_room_add(event: str):
    """Add a room to the event."""
    ptg_event = event_or_404(event)
    form = RoomForm(prefix="room")
    saved = _save_room(form, ptg_event, None, gettext("Room added."))
    return saved or event_page(ptg_event, 400, room_form=form)


@bp.route("/ptg/<event>/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@moderator_required
def ptg_room_edit(event: str, room_id: int):
    """Rename a room, or change its capacity or video address."""
    ptg_event = event_or_404(event)
    room = of_event_or_404(Room, room_id, ptg_event)
    form = RoomForm(obj=room)
    saved = _save_room(form, ptg_event, room, gettext("Room saved."))
    return saved or page(
        "moderation/ptg_room_form.html", form_status(form), form=form, event=ptg_event, room=room
    )


@bp.route("/ptg/<event>/rooms/<int:room_id>/delete", methods=["GET", "POST"])
@moderator_required
def ptg_room_delete(event: str, room_id: int):
    """Ask to confirm, then delete a room without sessions; a room in use is refused with the
    sessions in the way."""
    ptg_event = event_or_404(event)
    room = of_event_or_404(Room, room_id, ptg_event)
    form = ConfirmForm()
    if form.validate_on_submit():
        delete_unless_in_use(
            lambda: events.delete_room(room, actor=current_user),
            gettext("Room %(name)s is deleted.", name=room.name),
        )
        return see_other("moderation.ptg_event", event=event)
    return page(
        "moderation/ptg_confirm.html",
        title=gettext("Delete the room %(name)s?", name=room.name),
        event=ptg_event,
        form=form,
        blockers=events.room_blockers(room),
        consequences=[gettext("The room leaves the event and its schedule grid.")],
        button=gettext("Delete the room"),
    )


# --- sessions --------------------------------------------------------------------------------


def _slot(form: SessionForm) -> dict:
    """The team, room and times the session form asks for (UTC)."""
    day = rules.day_start(date.fromisoformat(form.day.data))
    return {
        "team_id": form.team_id.data,
        "room_id": form.room_id.data,
        "starts_at": day + timedelta(hours=form.start_hour.data),
        "ends_at": day + timedelta(hours=form.end_hour.data),
    }


@bp.post("/ptg/<event>/sessions")
@moderator_required
def ptg_session_add(event: str):
    """Place a team session: team, room, day and whole hours (UTC)."""
    ptg_event = event_or_404(event)
    form = session_form_of(ptg_event, sched.load(ptg_event))
    if form.validate_on_submit():
        place = partial(sessions.place_session, ptg_event, actor=current_user)
        if _saved(form, lambda: place(**_slot(form))):
            flash(gettext("Session placed."), "success")
            return see_other("moderation.ptg_event", event=event)
        ptg_event = event_or_404(event)
    return event_page(ptg_event, 400, session_form=form)


def _saved(form: SessionForm, change: Callable[[], object]) -> bool:
    """Make ``change`` and commit; what the PTG rules refuse is rolled back and becomes the
    form's errors. Returns whether it was saved."""
    try:
        change()
    except rules.PtgError as error:
        db.session.rollback()
        form.form_errors.extend(error.errors)
        return False
    db.session.commit()
    return True


def _hour_of(moment, day: date) -> int:
    """The hour of ``moment`` counted from the start of ``day`` (24 for midnight after it)."""
    return int((moment - rules.day_start(day)).total_seconds() // 3600)


@bp.route("/ptg/<event>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@moderator_required
def ptg_session_edit(event: str, session_id: int):
    """Change a placed session in place: its team, room, day or hours, by the rules of placing
    one."""
    ptg_event = event_or_404(event)
    session = of_event_or_404(PtgSession, session_id, ptg_event)
    day = session.starts_at.date()
    current = {
        "team_id": session.team_id,
        "room_id": session.room_id,
        "day": day.isoformat(),
        "start_hour": _hour_of(session.starts_at, day),
        "end_hour": _hour_of(session.ends_at, day),
    }
    form = session_form_of(ptg_event, sched.load(ptg_event), prefix="", data=current)
    if form.validate_on_submit():
        change = partial(sessions.change_session, ptg_event, session, actor=current_user)
        if _saved(form, lambda: change(**_slot(form))):
            flash(gettext("Session saved."), "success")
            return see_other("moderation.ptg_event", event=event)
        ptg_event = event_or_404(event)
        session = of_event_or_404(PtgSession, session_id, ptg_event)
    return page(
        "moderation/ptg_session_form.html",
        form_status(form),
        form=form,
        event=ptg_event,
        session=session,
    )


@bp.post("/ptg/<event>/sessions/<int:session_id>/delete")
@moderator_required
def ptg_session_delete(event: str, session_id: int):
    """Remove a session from the schedule."""
    session = of_event_or_404(PtgSession, session_id, event_or_404(event))
    sessions.delete_session(session, actor=current_user)
    db.session.commit()
    flash(gettext("Session removed."), "success")
    return see_other("moderation.ptg_event", event=event)
