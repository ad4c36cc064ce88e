"""Moderation of the PTG: events, the registrations queue, rooms and team sessions.

The views only call the verbs of the ``openinfra_live.ptg`` services; each POST commits once,
flashes and redirects (303), or shows the form again with its errors.
"""

from datetime import date, timedelta
from functools import partial

from flask import abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import case, func
from wtforms.fields.choices import SelectChoice

from openinfra_live import security, workflow
from openinfra_live.auth.permissions import moderator_required
from openinfra_live.extensions import db
from openinfra_live.moderation import bp
from openinfra_live.ptg import events, registrations, rules, sessions
from openinfra_live.ptg import schedule as sched
from openinfra_live.ptg.events import event_or_404
from openinfra_live.ptg.forms import DecisionForm, EventForm, RoomForm, SessionForm
from openinfra_live.ptg.models import FORMATS, TEAM_KINDS, PtgEvent, PtgSession, PtgTeam, Room
from openinfra_live.ptg.states import LABELS, REGISTRATIONS, TeamAction, TeamStatus


def _page(template: str, status: int = 200, **context):
    return security.no_store(make_response(render_template(template, **context), status))


def _team_or_404(event: PtgEvent, team_id: int) -> PtgTeam:
    team = db.session.get(PtgTeam, team_id)
    if team is None or team.event_id != event.id:
        abort(404)
    return team


def _redirect(endpoint: str, **values):
    return security.no_store(redirect(url_for(endpoint, **values), 303))


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
    return _page("moderation/ptg_events.html", rows=rows, formats=FORMATS)


def _event_fields(form: EventForm) -> dict:
    return {
        "name": form.name.data or "",
        "slug": form.slug.data or "",
        "starts_on": form.starts_on.data,
        "ends_on": form.ends_on.data,
        "format": form.format.data,
        "location": form.location.data or "",
        "registration_open": bool(form.registration_open.data),
    }


@bp.route("/ptg/events/new", methods=["GET", "POST"])
@moderator_required
def ptg_event_new():
    """Create a PTG event."""
    form = EventForm()
    if form.validate_on_submit():
        try:
            event = events.create_event(**_event_fields(form), actor=current_user)
        except rules.InvalidEvent as error:
            form.form_errors.extend(error.errors)
        else:
            slug = event.slug
            db.session.commit()
            flash("Event created.", "success")
            return _redirect("moderation.ptg_event", event=slug)
    status = 400 if form.errors or form.form_errors else 200
    return _page("moderation/ptg_event_form.html", status, form=form, event=None)


@bp.route("/ptg/<event>/edit", methods=["GET", "POST"])
@moderator_required
def ptg_event_edit(event: str):
    """Edit a PTG event's details, including whether registration is open."""
    ptg_event = event_or_404(event)
    form = EventForm(obj=ptg_event)
    if form.validate_on_submit():
        try:
            events.update_event(ptg_event, **_event_fields(form), actor=current_user)
        except rules.InvalidEvent as error:
            form.form_errors.extend(error.errors)
        else:
            slug = ptg_event.slug
            db.session.commit()
            flash("Event saved.", "success")
            return _redirect("moderation.ptg_event", event=slug)
    status = 400 if form.errors or form.form_errors else 200
    return _page("moderation/ptg_event_form.html", status, form=form, event=ptg_event)


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
    registrations = db.session.scalars(
        db.select(PtgTeam)
        .where(PtgTeam.event_id == event.id)
        .order_by(pending_first, PtgTeam.created_at, PtgTeam.id)
    ).all()
    data = sched.load(event)
    return _page(
        "moderation/ptg_event.html",
        status,
        event=event,
        registrations=registrations,
        labels=LABELS,
        kinds=TEAM_KINDS,
        data=data,
        grids=sched.build_grid(data),
        hour_label=sched.hour_label,
        room_form=room_form or RoomForm(prefix="room"),
        session_form=session_form or _session_form(event, data),
        hours_used={
            t.id: sum(
                int((s.ends_at - s.starts_at).total_seconds() // 3600)
                for s in data.sessions_of(t.id)
            )
            for t in data.teams
        },
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
    team = _team_or_404(ptg_event, team_id)
    return _page(
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
    team = _team_or_404(ptg_event, team_id)
    form = DecisionForm()
    if not form.validate_on_submit():
        flash("The message is too long.", "error")
        return _redirect("moderation.ptg_registration", event=ptg_event.slug, team_id=team.id)
    try:
        verb(team, actor=current_user, message=form.message.data or "")
    except workflow.TransitionNotAllowed as error:
        db.session.rollback()
        flash(str(error), "error")
        return _redirect("moderation.ptg_registration", event=event, team_id=team_id)
    name = team.name
    workflow.commit()
    flash(f"{name}: {done}.", "success")
    return _redirect("moderation.ptg_event", event=event)


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


def _save_room(form: RoomForm, event: str, done_message: str, save):
    """Validate the room form and call ``save`` (add or update); a redirect when it is stored,
    None when the form must be shown again with its errors."""
    if not form.validate_on_submit():
        return None
    try:
        save(
            name=form.name.data or "",
            capacity=form.capacity.data,
            video_url=form.video_url.data or "",
            actor=current_user,
        )
    except rules.InvalidRoom as error:
        form.name.errors = [*form.name.errors, *error.errors]
        return None
    db.session.commit()
    flash(done_message, "success")
    return _redirect("moderation.ptg_event", event=event)


@bp.post("/ptg/<event>/rooms")
@moderator_required
def ptg_room_add(event: str):
    """Add a room to the event."""
    ptg_event = event_or_404(event)
    form = RoomForm(prefix="room")
    saved = _save_room(form, event, "Room added.", partial(events.add_room, ptg_event))
    return saved or _event_page(ptg_event, 400, room_form=form)


@bp.route("/ptg/<event>/rooms/<int:room_id>/edit", methods=["GET", "POST"])
@moderator_required
def ptg_room_edit(event: str, room_id: int):
    """Rename a room, or change its capacity or video address."""
    ptg_event = event_or_404(event)
    room = db.session.get(Room, room_id)
    if room is None or room.event_id != ptg_event.id:
        abort(404)
    form = RoomForm(obj=room)
    saved = _save_room(form, event, "Room saved.", partial(events.update_room, room))
    if saved:
        return saved
    status = 400 if form.errors else 200
    return _page("moderation/ptg_room_form.html", status, form=form, event=ptg_event, room=room)


@bp.post("/ptg/<event>/sessions")
@moderator_required
def ptg_session_add(event: str):
    """Place a team session: team, room, day and whole hours (UTC)."""
    ptg_event = event_or_404(event)
    data = sched.load(ptg_event)
    form = _session_form(ptg_event, data)
    if form.validate_on_submit():
        day = date.fromisoformat(form.day.data)
        start = rules.day_start(day) + timedelta(hours=form.start_hour.data)
        end = rules.day_start(day) + timedelta(hours=form.end_hour.data)
        try:
            sessions.place_session(
                ptg_event,
                team_id=form.team_id.data,
                room_id=form.room_id.data,
                starts_at=start,
                ends_at=end,
                actor=current_user,
            )
        except rules.PtgError as error:
            db.session.rollback()
            form.form_errors.extend(error.errors)
        else:
            db.session.commit()
            flash("Session placed.", "success")
            return _redirect("moderation.ptg_event", event=event)
        ptg_event = event_or_404(event)
    return _event_page(ptg_event, 400, session_form=form)


@bp.post("/ptg/<event>/sessions/<int:session_id>/delete")
@moderator_required
def ptg_session_delete(event: str, session_id: int):
    """Remove a session from the schedule."""
    ptg_event = event_or_404(event)
    session = db.session.get(PtgSession, session_id)
    if session is None or session.event_id != ptg_event.id:
        abort(404)
    sessions.delete_session(session, actor=current_user)
    db.session.commit()
    flash("Session removed.", "success")
    return _redirect("moderation.ptg_event", event=event)
