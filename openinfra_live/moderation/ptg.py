"""Moderation of the PTG: events, the registrations queue, rooms and team sessions.

The views only call the verbs of the ``openinfra_live.ptg`` services; each POST commits once,
flashes and redirects (303), or shows the form again with its errors (400).
"""

from datetime import date, timedelta
from functools import partial

from flask import abort, flash, url_for
from flask_login import current_user
from sqlalchemy import case, func
from wtforms.fields.choices import SelectChoice

from openinfra_live import workflow
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.extensions import db
from openinfra_live.moderation import bp, page, see_other
from openinfra_live.ptg import events, registrations, rules
from openinfra_live.ptg import schedule as sched
from openinfra_live.ptg.events import event_or_404
from openinfra_live.ptg.forms import DecisionForm, EventForm, RoomForm, SessionForm
from openinfra_live.ptg.models import FORMATS, TEAM_KINDS, PtgEvent, PtgSession, PtgTeam, Room
from openinfra_live.ptg.states import LABELS, REGISTRATIONS, TeamAction, TeamStatus


def _of_event_or_404(model: type, row_id: int, event: PtgEvent):
    """The ``model`` row ``row_id`` when it belongs to ``event``."""
    row = db.session.get(model, row_id)
    if row is None or row.event_id != event.id:
        abort(404)
    return row


def _status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


# --- events ----------------------------------------------------------------------------------


@bp.get("/ptg/")
@moderator_required
def ptg_events():
    """PTG events, newest first, with their registrations waiting for review."""
    pending = (
        db.select(PtgTeam.event_id, func.count().label("n"))
        .where(PtgTeam.status == TeamStatus.PENDING.value)
        .group_by(PtgTeam.event_id)
        .subquery()
    )
    rows = db.session.execute(
        db.select(PtgEvent, func.coalesce(pending.c.n, 0))
        .outerjoin(pending, pending.c.event_id == PtgEvent.id)
        .order_by(PtgEvent.starts_on.desc())
    ).all()
    return page("moderation/ptg_events.html", rows=rows, formats=FORMATS)


def _event_form(ptg_event: PtgEvent | None, done: str):
    """The event form: show it, or save the event and go to its page."""
    form = EventForm(obj=ptg_event)
    if form.validate_on_submit():
        try:
            ptg_event = events.save_event(
                ptg_event,
                name=form.name.data or "",
                slug=form.slug.data or "",
                starts_on=form.starts_on.data,
                ends_on=form.ends_on.data,
                format=form.format.data,
                location=form.location.data or "",
                registration_open=bool(form.registration_open.data),
                actor=current_user,
            )
        except rules.InvalidEvent as error:
            form.form_errors.extend(error.errors)
        else:
            slug = ptg_event.slug
            db.session.commit()
            flash(done, "success")
            return see_other("moderation.ptg_event", event=slug)
    return page("moderation/ptg_event_form.html", _status(form), form=form, event=ptg_event)


@bp.route("/ptg/events/new", methods=["GET", "POST"])
@moderator_required
def ptg_event_new():
    """Create a PTG event."""
    return _event_form(None, "Event created.")


@bp.route("/ptg/<event>/edit", methods=["GET", "POST"])
@moderator_required
def ptg_event_edit(event: str):
    """Edit a PTG event's details, including whether registration is open."""
    return _event_form(event_or_404(event), "Event saved.")


# --- one event: queue, rooms, sessions -------------------------------------------------------


def _session_form(event: PtgEvent, data: sched.ScheduleData) -> SessionForm:
    form = SessionForm(prefix="session")
    form.team_id.choices = [SelectChoice(t.id, t.name) for t in data.teams]
    form.room_id.choices = [SelectChoice(r.id, r.name) for r in data.rooms]
    form.day.choices = [
        SelectChoice(d.isoformat(), f"{d:%A %-d %B}") for d in rules.event_days(event)
    ]
    return form


def _event_page(event: PtgEvent, status: int = 200, *, room_form=None, session_form=None):
    pending_first = case((PtgTeam.status == TeamStatus.PENDING.value, 0), else_=1)
    teams = db.session.scalars(
        db.select(PtgTeam)
        .where(PtgTeam.event_id == event.id)
        .order_by(pending_first, PtgTeam.created_at, PtgTeam.id)
    ).all()
    data = sched.load(event)
    return page(
        "moderation/ptg_event.html",
        status,
        event=event,
        registrations=teams,
        labels=LABELS,
        kinds=TEAM_KINDS,
        data=data,
        grids=sched.build_grid(data),
        hour_label=sched.hour_label,
        room_form=room_form or RoomForm(prefix="room"),
        session_form=session_form or _session_form(event, data),
        hours_used={t.id: sum(sched.hours(s) for s in data.sessions_of(t.id)) for t in data.teams},
        allowed_hours=rules.allowed_hours,
        delete_url=lambda s: url_for(
            "moderation.ptg_session_delete", event=event.slug, session_id=s.id
        ),
    )


@bp.get("/ptg/<event>/")
@moderator_required
def ptg_event(event: str):
    """One event: registrations (pending first), rooms, and the session grid."""
    return _event_page(event_or_404(event))


@bp.get("/ptg/<event>/registrations/<int:team_id>")
@moderator_required
def ptg_registration(event: str, team_id: int):
    """One registration with everything it asked for and its history."""
    ptg_event = event_or_404(event)
    team = _of_event_or_404(PtgTeam, team_id, ptg_event)
    return page(
        "moderation/ptg_registration.html",
        event=ptg_event,
        team=team,
        labels=LABELS,
        kinds=TEAM_KINDS,
        windows={w.key: w for w in rules.TIME_WINDOWS},
        form=DecisionForm(),
        allowed=REGISTRATIONS.allowed_actions(team),
        actions=TeamAction,
    )


def _decide(event: str, team_id: int, verb, done: str):
    ptg_event = event_or_404(event)
    team = _of_event_or_404(PtgTeam, team_id, ptg_event)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("The message is too long.", "error")
        return see_other("moderation.ptg_registration", event=ptg_event.slug, team_id=team.id)
    change = partial(verb, team, actor=current_user, message=form.message.data or "")
    if workflow.commit_or_refuse(change, f"{team.name}: {done}."):
        return see_other("moderation.ptg_event", event=event)
    return see_other("moderation.ptg_registration", event=event, team_id=team_id)


@bp.post("/ptg/<event>/registrations/<int:team_id>/approve")
@moderator_required
def ptg_registration_approve(event: str, team_id: int):
    """Approve a pending registration; the contact is told by e-mail."""
    return _decide(event, team_id, registrations.approve_team, "approved")


@bp.post("/ptg/<event>/registrations/<int:team_id>/decline")
@moderator_required
def ptg_registration_decline(event: str, team_id: int):
    """Decline a pending registration with an optional message; the contact is told by e-mail."""
    return _decide(event, team_id, registrations.decline_team, "declined")


def _save_room(form: RoomForm, event: PtgEvent, room: Room | None, done: str):
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
    saved = _save_room(form, ptg_event, None, "Room added.")
    return saved or _event_page(ptg_event, 400, room_form=form)


@bp.route("/ptg/<event>/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@moderator_required
def ptg_room_edit(event: str, room_id: int):
    """Rename a room, or change its capacity or video address."""
    ptg_event = event_or_404(event)
    room = _of_event_or_404(Room, room_id, ptg_event)
    form = RoomForm(obj=room)
    saved = _save_room(form, ptg_event, room, "Room saved.")
    return saved or page(
        "moderation/ptg_room_form.html", _status(form), form=form, event=ptg_event, room=room
    )


@bp.post("/ptg/<event>/sessions")
@moderator_required
def ptg_session_add(event: str):
    """Place a team session: team, room, day and whole hours (UTC)."""
    ptg_event = event_or_404(event)
    form = _session_form(ptg_event, sched.load(ptg_event))
    if form.validate_on_submit():
        day = rules.day_start(date.fromisoformat(form.day.data))
        try:
            events.place_session(
                ptg_event,
                team_id=form.team_id.data,
                room_id=form.room_id.data,
                starts_at=day + timedelta(hours=form.start_hour.data),
                ends_at=day + timedelta(hours=form.end_hour.data),
                actor=current_user,
            )
        except rules.PtgError as error:
            db.session.rollback()
            form.form_errors.extend(error.errors)
        else:
            db.session.commit()
            flash("Session placed.", "success")
            return see_other("moderation.ptg_event", event=event)
        ptg_event = event_or_404(event)
    return _event_page(ptg_event, 400, session_form=form)


@bp.post("/ptg/<event>/sessions/<int:session_id>/delete")
@moderator_required
def ptg_session_delete(event: str, session_id: int):
    """Remove a session from the schedule."""
    session = _of_event_or_404(PtgSession, session_id, event_or_404(event))
    events.delete_session(session, actor=current_user)
    db.session.commit()
    flash("Session removed.", "success")
    return see_other("moderation.ptg_event", event=event)
